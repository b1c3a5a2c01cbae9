import { Effect } from "effect";
import type { NamespacedKind, Node, Pod } from "../kube/KubeObjects.js";
import { deniedDeclaredConnections } from "../analyze/analyzeNetworkPolicies.js";
import { containersOf, listNames } from "../analyze/podFacts.js";
import { namespaceObjects } from "../analyze/Subject.js";
import type { ClusterSource } from "../source/ClusterSource.js";
import { type ClusterView, ClusterViewBuilder } from "./ClusterView.js";
import { matchName, mentionsValue, type NameMatch, type Prose, readProse } from "./matchNames.js";
import { type Choice, isLoose, type NameField, type ObjectKind, type Scope, type Target, type WorkloadKind } from "./scopeFromAlert.js";
import { ownerTarget, triageCluster, type Trouble } from "./triageCluster.js";

/** At most this many objects are investigated for one alert when it does not name one exactly. */
export const MAX_TARGETS = 3;

/** What one read of every namespace needs to find the alert's objects by name, or its worst ones by state. */
const INVENTORY: ReadonlyArray<NamespacedKind> = ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "services", "persistentvolumeclaims"];

/**
 * Whether the scope can be investigated as it stands: a namespace, a pod or a node the alert's
 * labels name. Anything else (names read from prose, a workload or Service without a namespace,
 * or nothing at all) needs the cluster's inventory first.
 */
export const needsInventory = (scope: Scope): boolean => {
  if ((scope.targets?.length ?? 0) > 0) return false;
  if ((scope.loose ?? []).some((f) => f !== "instance")) return true;
  if (scope.namespace !== undefined || scope.pod !== undefined) return false;
  if (scope.controlPlane !== undefined) return false;
  if (scope.node !== undefined && scope.workload === undefined && scope.service === undefined && scope.persistentVolumeClaim === undefined) return false;
  return true;
};

/** An alert that blames NetworkPolicies ("after enabling network policies, … stopped"). */
export const mentionsNetworkPolicies = (prose: string | undefined): boolean => /\bnetwork[ -]?polic(?:y|ies)\b|\bnetpols?\b/i.test(prose ?? "");

/** Reads the inventory of every namespace: each kind that cannot be read is left out, never fatal here. */
export const readInventory = (source: ClusterSource, withEndpoints: boolean, withPolicies = false): Effect.Effect<ClusterView> =>
  Effect.gen(function* () {
    const builder = new ClusterViewBuilder(source.description);
    const kinds: ReadonlyArray<NamespacedKind> = [...INVENTORY, ...(withEndpoints ? (["endpoints"] as const) : []), ...(withPolicies ? (["networkpolicies"] as const) : [])];
    yield* Effect.all(
      [
        source.listNodes().pipe(
          Effect.tap((nodes) => Effect.sync(() => builder.setNodes(nodes))),
          Effect.catch(() => Effect.void)
        ),
        ...kinds.map((kind) =>
          source.list(kind, undefined).pipe(
            Effect.tap((items) => Effect.sync(() => builder.add(kind, items))),
            Effect.catch((e) => Effect.sync(() => builder.gap(`${kind} in all namespaces`, `${e.reason}: ${e.detail}`)))
          )
        ),
        // Warning events only: what went wrong to objects that have no pods (a CronJob, a ReplicaSet that cannot create any).
        source.list("events", undefined, { fieldSelector: "type=Warning" }).pipe(
          Effect.tap((items) => Effect.sync(() => builder.add("events", items))),
          Effect.catch(() => Effect.void)
        )
      ],
      { concurrency: 6, discard: true }
    );
    return builder.build();
  });

interface Found {
  readonly target: Target;
  readonly container?: string;
  /** The label whose value the alert wrote, when that is how the object was found. */
  readonly label?: string;
}

const findPods = (view: ClusterView, name: string, namespace: string | undefined): ReadonlyArray<Pod> =>
  [...view.namespaces.entries()].filter(([ns]) => namespace === undefined || ns === namespace).flatMap(([, o]) => o.pods.filter((p) => p.metadata.name === name));

const WORKLOAD_LISTS: ReadonlyArray<[WorkloadKind, "deployments" | "statefulsets" | "daemonsets" | "jobs" | "cronjobs"]> = [
  ["Deployment", "deployments"],
  ["StatefulSet", "statefulsets"],
  ["DaemonSet", "daemonsets"],
  ["Job", "jobs"],
  ["CronJob", "cronjobs"]
];

/** Objects called `name`, of `kind` first, then of any workload kind (people say "deployment" for a StatefulSet). */
const findWorkloads = (view: ClusterView, kind: WorkloadKind, name: string, namespace: string | undefined): ReadonlyArray<Target> => {
  const all: Array<Target> = [];
  for (const [ns, o] of view.namespaces) {
    if (namespace !== undefined && ns !== namespace) continue;
    for (const [k, list] of WORKLOAD_LISTS) if (o[list].some((w) => w.metadata.name === name)) all.push({ kind: k, namespace: ns, name });
  }
  const same = all.filter((t) => t.kind === kind);
  return same.length > 0 ? same : all;
};

const findNamed = <K extends "services" | "persistentvolumeclaims">(view: ClusterView, list: K, name: string, namespace: string | undefined): ReadonlyArray<string> =>
  [...view.namespaces.entries()].filter(([ns, o]) => (namespace === undefined || ns === namespace) && o[list].some((x) => x.metadata.name === name)).map(([ns]) => ns);

const nodeNamed = (view: ClusterView, name: string): Node | undefined => view.nodes.find((n) => n.metadata.name === name);

const describe = (t: Target) => `${t.kind} ${t.namespace}/${t.name}`;

/** One object the alert's words may mean, with how strongly. */
interface Candidate extends Found {
  readonly match: NameMatch;
  readonly score: number;
  readonly trouble?: Trouble;
}

/** A reference this strong stands without the object being in trouble: the whole name, or most of it next to its kind. */
const FIRM = 0.8;

/** Whether a kind word next to a name agrees with what the object is ("the zookeeper pods" for a StatefulSet's pods). */
const WORKLOADISH: ReadonlySet<ObjectKind> = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Container"]);
const kindAgrees = (said: ObjectKind | undefined, is: ObjectKind): boolean =>
  said !== undefined && (said === is || ((said === "Pod" || said === "Deployment") && WORKLOADISH.has(is)) || (said === "Job" && is === "CronJob") || (said === "CronJob" && is === "Job"));

const scoreOf = (m: NameMatch, is: ObjectKind): number => m.coverage + (kindAgrees(m.kind, is) ? 0.25 : 0) + (m.quoted ? 0.1 : 0) + (m.exact ? 0.1 : 0);

/**
 * Objects the alert's prose names loosely: workloads, Jobs, CronJobs and lone pods by name, pods
 * by an exact pod name or a distinctive label value, containers by name next to the word
 * "container", Services and claims by name. Weak matches (part of a name, no kind word) count
 * only for objects that are in trouble.
 */
const candidatesFromProse = (view: ClusterView, prose: Prose, troubles: ReadonlyMap<string, Trouble>): ReadonlyArray<Candidate> => {
  const out = new Map<string, Candidate>();
  const add = (found: Found, match: NameMatch, is: ObjectKind) => {
    const key = `${found.target.kind}/${found.target.namespace}/${found.target.name}`;
    const trouble = troubles.get(key);
    const score = scoreOf(match, is);
    const firm = match.exact || match.coverage >= 0.999 || score >= FIRM;
    if (!firm && trouble === undefined) return;
    if (match.coverage < 0.3 && !kindAgrees(match.kind, is)) return;
    const seen = out.get(key);
    if (seen === undefined || seen.score < score) out.set(key, { ...found, match, score, ...(trouble !== undefined ? { trouble } : {}) });
  };
  for (const [namespace, o] of view.namespaces) {
    for (const [kind, list] of WORKLOAD_LISTS) {
      for (const w of o[list]) {
        const m = matchName(prose, w.metadata.name);
        if (m !== undefined) add({ target: { kind, namespace, name: w.metadata.name } }, m, kind);
      }
    }
    for (const pod of o.pods) {
      const owner = ownerTarget(view, pod);
      if (prose.tokens.has(pod.metadata.name.toLowerCase())) add({ target: owner }, { coverage: 1, exact: true, quoted: false, matched: pod.metadata.name, at: 0 }, "Pod");
      else if (owner.kind === "Pod") {
        const m = matchName(prose, pod.metadata.name);
        if (m !== undefined) add({ target: owner }, m, "Pod");
      }
      const labels = pod.metadata.labels ?? {};
      for (const [k, v] of Object.entries(labels)) if (typeof v === "string" && mentionsValue(prose, v)) add({ target: owner, label: `${k}=${v}` }, { coverage: 1, exact: true, quoted: false, matched: v, at: 0 }, "Pod");
      for (const c of containersOf(pod)) {
        const m = matchName(prose, c.name);
        if (m !== undefined && m.coverage >= 0.999 && m.kind === "Container") add({ target: owner, container: c.name }, m, "Container");
      }
    }
    for (const svc of o.services) {
      if (svc.metadata.name === "kubernetes" && namespace === "default") continue;
      const m = matchName(prose, svc.metadata.name);
      if (m !== undefined) add({ target: { kind: "Service", namespace, name: svc.metadata.name } }, m, "Service");
    }
    for (const pvc of o.persistentvolumeclaims) {
      const m = matchName(prose, pvc.metadata.name);
      if (m !== undefined && m.coverage >= 0.999) add({ target: { kind: "PersistentVolumeClaim", namespace, name: pvc.metadata.name } }, m, "PersistentVolumeClaim");
    }
  }
  return [...out.values()];
};

/** Workloads, pods and Jobs are what alerts are about; a Service or a claim with the same words is context. */
const KIND_RANK: Readonly<Record<Target["kind"], number>> = { Pod: 0, Deployment: 0, StatefulSet: 0, DaemonSet: 0, Job: 0, CronJob: 0, Service: 1, PersistentVolumeClaim: 2 };

const rankCandidates = (candidates: ReadonlyArray<Candidate>): ReadonlyArray<Candidate> =>
  [...candidates].sort(
    (a, b) =>
      b.score - a.score ||
      a.match.at - b.match.at ||
      KIND_RANK[a.target.kind] - KIND_RANK[b.target.kind] ||
      (b.trouble?.score ?? 0) - (a.trouble?.score ?? 0) ||
      describe(a.target).localeCompare(describe(b.target))
  );

/**
 * A Service or claim called like a workload that also matched (`svc-012` and its Service) is the
 * same thing said twice: the workload stands for it, unless the words call it a Service.
 */
const withoutEchoes = (candidates: ReadonlyArray<Candidate>): ReadonlyArray<Candidate> => {
  const workloads = new Set(candidates.filter((c) => KIND_RANK[c.target.kind] === 0).map((c) => `${c.target.namespace}/${c.match.matched}`));
  return candidates.filter((c) => KIND_RANK[c.target.kind] === 0 || c.match.kind === c.target.kind || !workloads.has(`${c.target.namespace}/${c.match.matched}`));
};

const troubleNote = (t: Trouble | undefined) => (t === undefined ? "" : ` (${t.what})`);

/**
 * The objects to investigate when the alert does not name them exactly. In order: names from
 * prose checked against the cluster (a pod, a workload, a Service in whichever namespace holds
 * it); then the alert's words matched against every object's name, a pod's exact name, a label
 * value or a container; then a kind the text talks about that the cluster holds once; then the
 * cluster's worst unhealthy objects in the window. The returned scope says which and why.
 */
export const chooseScope = (view: ClusterView, scope: Scope, since: number): Scope => {
  const notes: Array<string> = [];
  const troubles = triageCluster(view, since, readProse(scope.prose ?? "").kinds, /\bevict(?:ed|ion|ions|s)?\b/i.test(scope.prose ?? ""));
  const troubleByKey = new Map(troubles.map((t) => [`${t.target.kind}/${t.target.namespace}/${t.target.name}`, t]));
  const troubleOf = (t: Target) => troubleByKey.get(`${t.kind}/${t.namespace}/${t.name}`);
  const kept: { -readonly [K in keyof Scope]: Scope[K] } = { ...scope };
  delete kept.loose;
  const drop = (field: NameField, what: string) => {
    notes.push(`The alert's text mentions ${what}, but the cluster has no such object; ignored`);
    if (field === "workload") delete kept.workload;
    else delete kept[field];
  };

  // 1. Names given (by labels or prose), checked and placed in their namespace.
  const namespace = scope.namespace !== undefined && (view.namespaces.has(scope.namespace) || !isLoose(scope, "namespace")) ? scope.namespace : undefined;
  if (scope.namespace !== undefined && namespace === undefined) drop("namespace", `namespace ${scope.namespace}`);
  const found: Array<Found> = [];
  if (scope.pod !== undefined) {
    const pods = findPods(view, scope.pod, namespace);
    if (pods.length > 0) found.push(...pods.slice(0, MAX_TARGETS).map((p): Found => ({ target: { kind: "Pod", namespace: p.metadata.namespace ?? "", name: p.metadata.name } })));
    else if (isLoose(scope, "pod")) drop("pod", `pod ${scope.pod}`);
  }
  if (scope.workload !== undefined && found.length === 0) {
    const targets = findWorkloads(view, scope.workload.kind, scope.workload.name, namespace);
    if (targets.length > 0) found.push(...targets.slice(0, MAX_TARGETS).map((target) => ({ target })));
    else if (isLoose(scope, "workload") || scope.pod !== undefined) drop("workload", `${scope.workload.kind} ${scope.workload.name}`);
  }
  if (scope.service !== undefined && found.length === 0) {
    const namespaces = findNamed(view, "services", scope.service, namespace);
    if (namespaces.length > 0) found.push(...namespaces.slice(0, MAX_TARGETS).map((ns): Found => ({ target: { kind: "Service", namespace: ns, name: scope.service ?? "" } })));
    else if (isLoose(scope, "service")) drop("service", `Service ${scope.service}`);
  }
  if (scope.persistentVolumeClaim !== undefined && found.length === 0) {
    const namespaces = findNamed(view, "persistentvolumeclaims", scope.persistentVolumeClaim, namespace);
    if (namespaces.length > 0) found.push(...namespaces.slice(0, MAX_TARGETS).map((ns): Found => ({ target: { kind: "PersistentVolumeClaim", namespace: ns, name: scope.persistentVolumeClaim ?? "" } })));
    else if (isLoose(scope, "persistentVolumeClaim")) drop("persistentVolumeClaim", `claim ${scope.persistentVolumeClaim}`);
  }
  if (scope.container !== undefined && found.length === 0 && scope.pod === undefined) {
    const pods = [...view.namespaces.entries()].filter(([ns]) => namespace === undefined || ns === namespace).flatMap(([, o]) => o.pods.filter((p) => containersOf(p).some((c) => c.name === scope.container)));
    const owners = new Map(pods.map((p) => ownerTarget(view, p)).map((t) => [describe(t), t]));
    found.push(...[...owners.values()].slice(0, MAX_TARGETS).map((target): Found => ({ target, container: scope.container ?? "" })));
  }
  if (scope.node !== undefined && isLoose(scope, "node") && nodeNamed(view, scope.node) === undefined) drop("node", `node ${scope.node}`);

  const finish = (targets: ReadonlyArray<Found>, choice: Choice | undefined, keepNode = false): Scope => {
    const first = targets[0];
    const result: { -readonly [K in keyof Scope]: Scope[K] } = { ...kept };
    if (first !== undefined) {
      result.targets = targets.map((t) => t.target);
      result.namespace = first.target.namespace;
      const container = targets.find((t) => t.container !== undefined)?.container;
      if (container !== undefined) result.container = container;
      const service = targets.find((t) => t.target.kind === "Service");
      if (service !== undefined) result.service = service.target.name;
      // The node an alert mentions is context once a workload is chosen; it is investigated alone otherwise.
      if (isLoose(scope, "node") && !keepNode) delete result.node;
    }
    const content = [...notes, ...(choice !== undefined ? [choice.content] : [])].join(". ");
    if (choice !== undefined || notes.length > 0) result.choice = { how: choice?.how ?? "named", content, alternatives: choice?.alternatives ?? [] };
    return result;
  };

  if (found.length > 0) {
    const what = listNames(found.map((f) => `${describe(f.target)}${f.container !== undefined ? ` (container ${f.container})` : ""}`));
    return finish(found, { how: "named", content: `The alert's object is ${what}${namespace === undefined ? " (the alert gave no namespace: found by name)" : ""}`, alternatives: [] });
  }
  if (namespace !== undefined && !isLoose(scope, "namespace")) return finish([], undefined);
  if (kept.node !== undefined) {
    // "node control-1 evicted my pods": the node, and what is in trouble on it.
    const node = kept.node;
    const onNode = troubles.filter((t) => t.nodes.includes(node)).slice(0, MAX_TARGETS);
    if (!isLoose(scope, "node") || onNode.length === 0) return finish([], undefined);
    return finish(
      onNode.map((t) => ({ target: t.target })),
      { how: "named", content: `The alert names node ${node}; investigating it and its pods in trouble: ${onNode.map((t) => `${describe(t.target)} (${t.what})`).join(", ")}`, alternatives: [] },
      true
    );
  }

  // A scrape target's address: node-exporter's `instance` is its node's IP, an annotated pod's is the pod's.
  // A label's is the alert's own subject; an address in a question's pasted log line only a fallback.
  const byInstance = (): Scope | undefined => {
    if (scope.instance === undefined) return undefined;
    const host = scope.instance.replace(/^\[|\]?:\d+$/g, "");
    const node = view.nodes.find((n) => n.metadata.name === host || n.metadata.name.startsWith(`${host}.`) || n.status?.addresses?.some((a) => a.address === host) === true);
    if (node !== undefined) {
      kept.node = node.metadata.name;
      return finish([], { how: "named", content: `The alert's instance ${scope.instance} is node ${node.metadata.name}`, alternatives: [] });
    }
    const pod = [...view.namespaces.values()].flatMap((o) => o.pods).find((p) => p.status?.podIP === host && p.status.phase === "Running");
    if (pod !== undefined) return finish([{ target: ownerTarget(view, pod) }], { how: "named", content: `The alert's instance ${scope.instance} is pod ${pod.metadata.namespace ?? ""}/${pod.metadata.name}`, alternatives: [] });
    return undefined;
  };
  const instanceFirst = isLoose(scope, "instance") ? undefined : byInstance();
  if (instanceFirst !== undefined) return instanceFirst;

  // 2. The alert's words, matched against what the cluster holds.
  const prose = readProse(scope.prose ?? "");
  const candidates = withoutEchoes(rankCandidates(candidatesFromProse(namespace === undefined ? view : onlyNamespace(view, namespace), prose, troubleByKey)));
  const best = candidates[0];
  if (best !== undefined) {
    // Every firm reference is worth a look ("X failed to connect to Y" names both); a weaker one in
    // trouble joins when none of them is: the alert is about something that is failing.
    const firm = candidates.filter((c) => c.score >= Math.max(FIRM, best.score - 0.5));
    const tier = firm.length > 0 ? firm : [best];
    const troubled = candidates.find((c) => c.trouble !== undefined && c.score >= 0.6);
    const chosen = (tier.some((c) => c.trouble !== undefined) || troubled === undefined ? tier : [...tier.slice(0, MAX_TARGETS - 1), troubled]).slice(0, MAX_TARGETS);
    const others = candidates.filter((c) => !chosen.includes(c));
    const how = (c: Candidate) =>
      c.label !== undefined ? `its pods' label ${c.label} is named` : c.container !== undefined ? "its container is named" : c.match.exact ? "named" : `its name matches "${c.match.matched}"`;
    const why = chosen.map((c) => `${describe(c.target)}${c.container !== undefined ? ` (container ${c.container})` : ""}: ${how(c)} in the alert${troubleNote(c.trouble)}`);
    return finish(chosen, {
      how: "matched",
      content: `Matched the alert's words to ${why.join("; ")}${others.length > 0 ? `. Also matched: ${listNames(others.map((c) => describe(c.target)), 5)}` : ""}`,
      alternatives: others.map((c) => describe(c.target))
    });
  }

  const instanceLater = isLoose(scope, "instance") ? byInstance() : undefined;
  if (instanceLater !== undefined) return instanceLater;

  // An alert that may be about something else (a VM, a managed database, "the payment service")
  // is not pinned on the cluster's unhealthy objects: only what it names counts.
  if (scope.aboutKubernetes !== "clearly") {
    const instance = scope.instance !== undefined ? ` (no node or pod has the address of ${scope.instance})` : "";
    return finish([], { how: "named", content: `Nothing the alert names is in the cluster${instance}`, alternatives: [] });
  }

  // 3. NetworkPolicies the text blames: the workloads whose declared connections (a Service named in
  //    their args or env) the policies deny, when nothing else is named.
  if (mentionsNetworkPolicies(scope.prose)) {
    const pods = [...view.namespaces.entries()].filter(([ns]) => namespace === undefined || ns === namespace).flatMap(([, o]) => o.pods);
    // The inventory keeps Services per namespace; names in specs resolve against all of them.
    const denied = deniedDeclaredConnections({ ...view, services: [...view.namespaces.values()].flatMap((o) => o.services) }, pods);
    const clients = new Map(denied.map((d) => [describe(ownerTarget(view, d.client)), { target: ownerTarget(view, d.client), d }]));
    if (clients.size > 0) {
      const chosen = [...clients.values()].slice(0, MAX_TARGETS);
      return finish(
        chosen.map((c) => ({ target: c.target })),
        {
          how: "matched",
          content: `The alert talks about NetworkPolicies without naming an object; the connections the workloads' specs declare that the policies deny: ${chosen.map((c) => `${describe(c.target)} → ${c.d.service.metadata.namespace ?? ""}/${c.d.service.metadata.name}:${c.d.port} (${c.d.side}, ${listNames(c.d.policies.map((p) => p.metadata.name))})`).join("; ")}`,
          alternatives: [...clients.keys()].slice(MAX_TARGETS)
        }
      );
    }
  }

  // 3b. A kind the text talks about, when the cluster holds one of it (or one in trouble).
  for (const kind of prose.kinds) {
    if (kind === "Pod" || kind === "Container" || kind === "Node") continue;
    const all = objectsOfKind(view, kind, namespace);
    const inTrouble = all.filter((t) => troubleOf(t) !== undefined);
    const pick = all.length === 1 ? all : inTrouble.length >= 1 && inTrouble.length <= MAX_TARGETS ? inTrouble : [];
    if (pick.length > 0) {
      const where = namespace === undefined ? "the cluster" : `namespace ${namespace}`;
      const reason = all.length === 1 ? `the only ${kind} in ${where}` : `the ${kind === "Service" ? "Services" : `${kind}s`} in trouble in ${where}`;
      return finish(
        pick.map((target) => ({ target })),
        { how: "kind", content: `The alert talks about a ${kind} without naming it; chose ${listNames(pick.map((t) => `${describe(t)}${troubleNote(troubleOf(t))}`))}, ${reason}`, alternatives: [] }
      );
    }
  }

  // 4. Triage: the worst objects of the window.
  const worst = (namespace === undefined ? troubles : troubles.filter((t) => t.target.namespace === namespace)).filter((t) => t.target.kind !== "Service" || prose.kinds.has("Service"));
  const notReady = view.nodes.filter((n) => n.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True" && n.status?.conditions !== undefined);
  if (worst.length > 0 || notReady.length > 0) {
    const chosen = worst.slice(0, MAX_TARGETS);
    const rest = worst.slice(MAX_TARGETS);
    // Within a namespace the alert names, its unhealthy objects are what it is about (as for a namespace label).
    const lead = namespace !== undefined ? `The alert names namespace ${namespace} and no object in it; its unhealthy objects` : "The alert names no object the cluster has; triaged the cluster instead";
    const result = finish(
      chosen.map((t) => ({ target: t.target })),
      {
        how: namespace !== undefined ? "named" : "triage",
        content: `${lead}: ${worst.length === 0 ? "no workload is unhealthy" : `investigating the ${chosen.length === 1 ? "unhealthy object" : `${chosen.length} worst unhealthy objects`} of the window: ${chosen.map((t) => `${describe(t.target)} (${t.what})`).join(", ")}`}${rest.length > 0 ? `. Also unhealthy: ${listNames(rest.map((t) => `${describe(t.target)} (${t.what})`), 5)}` : ""}${notReady.length > 0 ? `. Not ready: node ${listNames(notReady.map((n) => n.metadata.name))}` : ""}`,
        alternatives: rest.map((t) => describe(t.target))
      }
    );
    return notReady[0] !== undefined && chosen.length === 0 ? { ...result, node: notReady[0].metadata.name } : result;
  }
  return finish([], { how: "triage", content: `The alert names no object the cluster has, and triage found no unhealthy workload, pod or node in the window`, alternatives: [] });
};

const onlyNamespace = (view: ClusterView, namespace: string): ClusterView => ({ ...view, namespaces: new Map([[namespace, namespaceObjects(view, namespace)]]) });

const objectsOfKind = (view: ClusterView, kind: ObjectKind, namespace: string | undefined): ReadonlyArray<Target> => {
  const out: Array<Target> = [];
  for (const [ns, o] of view.namespaces) {
    if (namespace !== undefined && ns !== namespace) continue;
    const list = WORKLOAD_LISTS.find(([k]) => k === kind)?.[1];
    if (list !== undefined) out.push(...o[list].map((w): Target => ({ kind: kind as WorkloadKind, namespace: ns, name: w.metadata.name })));
    if (kind === "Service") out.push(...o.services.filter((s) => !(s.metadata.name === "kubernetes" && ns === "default") && s.spec?.selector !== undefined).map((s): Target => ({ kind: "Service", namespace: ns, name: s.metadata.name })));
    if (kind === "PersistentVolumeClaim") out.push(...o.persistentvolumeclaims.map((p): Target => ({ kind: "PersistentVolumeClaim", namespace: ns, name: p.metadata.name })));
  }
  return out;
};

/**
 * `chooseScope` over the cluster's inventory, read when the alert does not name its objects
 * exactly. Reading never fails the investigation: what could not be read leaves the scope as the
 * alert gave it.
 */
export const locateScope = (source: ClusterSource, scope: Scope, since: number): Effect.Effect<Scope> =>
  Effect.gen(function* () {
    if (scope.controlPlane !== undefined && scope.namespace === undefined && scope.workload === undefined && scope.pod === undefined) {
      return { ...scope, namespace: "kube-system" };
    }
    if (!needsInventory(scope)) return scope;
    const prose = readProse(scope.prose ?? "");
    if (scope.aboutKubernetes !== "clearly" && prose.words.length === 0 && scope.instance === undefined && scope.service === undefined && scope.container === undefined) {
      return { ...scope, choice: { how: "named", content: "The alert names no Kubernetes object and has no words to look up in the cluster", alternatives: [] } };
    }
    const view = yield* readInventory(source, prose.kinds.has("Service") || scope.service !== undefined, mentionsNetworkPolicies(scope.prose));
    if (view.namespaces.size === 0 && view.nodes.length === 0) {
      const why = view.gaps.map((g) => `${g.what} (${g.reason})`);
      return why.length === 0 ? scope : { ...scope, choice: { how: "named", content: `The cluster could not be searched for the alert's objects: ${listNames(why, 3)}`, alternatives: [] } };
    }
    return chooseScope(view, scope, since);
  });
