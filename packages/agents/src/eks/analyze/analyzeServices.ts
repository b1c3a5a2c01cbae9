import type { Endpoints, Pod, Service, ServicePort, StringMap } from "../kube/KubeObjects.js";
import { selectsLabels } from "../kube/selectors.js";
import type { ClusterView } from "../investigate/ClusterView.js";
import type { Analysis, Frame } from "./Analysis.js";
import { isPodDone, kubectl, listNames, plural } from "./podFacts.js";
import { namespaceObjects, type Subject, workloadOf } from "./Subject.js";

/** `name=nginx-ingress,tier=web`. */
export const selectorText = (selector: StringMap | undefined): string =>
  Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

export const readyEndpoints = (endpoints: Endpoints | undefined): { readonly ready: number; readonly notReady: number } => ({
  ready: (endpoints?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0),
  notReady: (endpoints?.subsets ?? []).reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0)
});

export const endpointsOf = (view: ClusterView, service: Service): Endpoints | undefined =>
  namespaceObjects(view, service.metadata.namespace ?? "").endpoints.find((e) => e.metadata.name === service.metadata.name);

/** The pods a Service's selector picks, finished ones aside. A Service without a selector has its endpoints managed by hand. */
export const backendsOf = (view: ClusterView, service: Service): ReadonlyArray<Pod> => {
  const selector = service.spec?.selector;
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  return namespaceObjects(view, service.metadata.namespace ?? "").pods.filter((p) => !isPodDone(p) && selectsLabels(selector, p.metadata.labels));
};

export interface NearMiss {
  /** `default/nginx-ingress-rc` */
  readonly workload: string;
  readonly pods: ReadonlyArray<string>;
  /** The pods' labels that resemble the selector: same value under another key, or same key with another value. */
  readonly labels: StringMap;
  /** Selector entries whose key the pods do not carry at all, when the rest of the selector matches them. */
  readonly missing?: StringMap;
}

/**
 * Pods the selector was probably meant for: they carry one of its values under another key
 * (`app=nginx-ingress` for `name=nginx-ingress`) or one of its keys with another value; grouped
 * by workload, closest first.
 */
export const nearMisses = (view: ClusterView, service: Service): ReadonlyArray<NearMiss> => {
  const selector = service.spec?.selector ?? {};
  const entries = Object.entries(selector);
  if (entries.length === 0) return [];
  const objects = namespaceObjects(view, service.metadata.namespace ?? "");
  const groups = new Map<string, { workload: string; pods: Array<string>; labels: Record<string, string>; score: number; missing?: Record<string, string> }>();
  for (const pod of objects.pods) {
    if (isPodDone(pod)) continue;
    const labels = pod.metadata.labels ?? {};
    const related: Record<string, string> = {};
    let score = 0;
    for (const [k, v] of entries) {
      for (const [lk, lv] of Object.entries(labels)) {
        if (lk === k && lv === v) {
          related[lk] = lv;
          score += 1;
        } else if (lv === v && lk !== k) {
          related[lk] = lv;
          score += 3;
        } else if (lk === k && lv !== v && (lv.includes(v) || v.includes(lv))) {
          related[lk] = lv;
          score += 2;
        }
      }
    }
    /*
     * The rest of the selector matches and the pods lack its other keys altogether: the selector
     * carries a label the pod template never had (OT-CONTAINER-KIT/redis-operator#98 and #79: an
     * operator release added `redis: monitor` to its Services' selectors, not to the pods, and users
     * fixed it by removing that key). A key the pods carry with another value is a different
     * workload's, not a slip.
     */
    const exact = score > 0 && Object.keys(related).every((k) => selector[k] === related[k]);
    const missing = exact ? Object.fromEntries(entries.filter(([k]) => !(k in labels))) : {};
    if (score === 0 || (exact && (Object.keys(missing).length === 0 || Object.keys(missing).length + Object.keys(related).length < entries.length))) continue;
    const ref = workloadOf(pod, objects);
    const key = `${ref.namespace}/${ref.name}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { workload: key, pods: [pod.metadata.name], labels: related, score, ...(exact ? { missing } : {}) });
    else g.pods.push(pod.metadata.name);
  }
  // A key no pod of the namespace carries at all is the slip; one some pods carry belongs to them.
  const carried = new Set(objects.pods.filter((p) => !isPodDone(p)).flatMap((p) => Object.keys(p.metadata.labels ?? {})));
  return [...groups.values()]
    .filter((g) => g.missing === undefined || Object.keys(g.missing).every((k) => !carried.has(k)))
    .sort((x, y) => y.score - x.score || x.workload.localeCompare(y.workload))
    .map(({ workload, pods, labels, missing }) => ({ workload, pods, labels, ...(missing !== undefined ? { missing } : {}) }));
};

/** Controllers whose pod template the Service selects, with their desired replicas. */
export const controllersBehind = (view: ClusterView, service: Service): ReadonlyArray<{ readonly kind: string; readonly name: string; readonly replicas?: number }> => {
  const selector = service.spec?.selector;
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  const objects = namespaceObjects(view, service.metadata.namespace ?? "");
  return [
    ...objects.deployments.map((d) => ({ kind: "Deployment", name: d.metadata.name, labels: d.spec?.template?.metadata?.labels, replicas: d.spec?.replicas })),
    ...objects.statefulsets.map((d) => ({ kind: "StatefulSet", name: d.metadata.name, labels: d.spec?.template?.metadata?.labels, replicas: d.spec?.replicas }))
  ]
    .filter((c) => selectsLabels(selector, c.labels))
    .map(({ kind, name, replicas }) => ({ kind, name, ...(typeof replicas === "number" ? { replicas } : {}) }));
};

export interface PortMismatch {
  readonly port: ServicePort;
  /** The targetPort as written (number or name). */
  readonly target: number | string;
  /** The ports the selected pods declare. */
  readonly containerPorts: ReadonlyArray<{ readonly name?: string; readonly containerPort?: number }>;
}

/**
 * Service ports whose targetPort no selected container declares. A named targetPort that no
 * container names keeps the pods out of the endpoints; a number is only a mismatch when the
 * containers declare their ports (declaring them is optional) and none is that number.
 */
export const targetPortMismatches = (service: Service, pods: ReadonlyArray<Pod>): ReadonlyArray<PortMismatch> => {
  if (pods.length === 0) return [];
  const declared = pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []));
  if (declared.length === 0) return [];
  const out: Array<PortMismatch> = [];
  for (const port of service.spec?.ports ?? []) {
    const target = port.targetPort ?? port.port;
    if (target === undefined) continue;
    const found = typeof target === "number" ? declared.some((d) => d.containerPort === target) : declared.some((d) => d.name === target);
    if (!found) out.push({ port, target, containerPorts: declared.filter((d, i, all) => all.findIndex((x) => x.containerPort === d.containerPort && x.name === d.name) === i) });
  }
  return out;
};

const portsText = (ports: PortMismatch["containerPorts"]) => listNames(ports.map((p) => `${p.containerPort ?? "?"}${p.name !== undefined ? ` (${p.name})` : ""}`), 4);

export interface ServiceCheckOptions {
  /** The alert names this Service: its problems are the alert's. */
  readonly named: boolean;
  /** Clients saw refused connections to it. */
  readonly refused?: boolean;
  /** Evidence the proposals build on (the client's failures). */
  readonly supporting?: ReadonlyArray<string>;
  /** Where the Service sits in the causal chain (a client's symptom first). */
  readonly downstream?: ReadonlyArray<string>;
  /** Depth relative to the frame: 2 for the Service itself, 3 when it explains a client's failures. */
  readonly depth?: number;
}

/**
 * Why a Service does not deliver traffic, from its own spec: a selector that matches no pod (with
 * the pods it was probably meant for), a targetPort no container declares. Returns the number of
 * causes proposed.
 */
export const checkService = (a: Analysis, frame: Frame, service: Service, options: ServiceCheckOptions): number => {
  const ns = service.metadata.namespace ?? "";
  const label = `${ns}/${service.metadata.name}`;
  const selector = service.spec?.selector;
  if (selector === undefined || Object.keys(selector).length === 0 || service.spec?.type === "ExternalName") return 0;
  const endpoints = endpointsOf(a.view, service);
  const { ready, notReady } = readyEndpoints(endpoints);
  const backends = backendsOf(a.view, service);
  const supporting = options.supporting ?? [];
  let problems = 0;
  if (backends.length === 0) {
    const controllers = controllersBehind(a.view, service);
    const idle = controllers.find((c) => c.replicas === 0);
    if (idle !== undefined) {
      const id = a.evidence.add({
        source: `kubernetes/${idle.kind.toLowerCase()}/${ns}/${idle.name}`,
        timestamp: a.alertTime,
        severity: "critical",
        content: `${idle.kind} ${ns}/${idle.name}, whose pods Service ${label} selects (${selectorText(selector)}), is scaled to 0 replicas; endpoints: ${endpoints === undefined ? "not read" : `${ready} ready`}`,
        metadata: { service: label, workload: `${idle.kind}/${ns}/${idle.name}`, replicas: 0 }
      });
      a.propose(frame, label, {
        key: `service-scaled-to-zero:${label}`,
        title: `${label} is unavailable: ${idle.kind} ${ns}/${idle.name} is scaled to 0 replicas, so Service ${label} has no endpoints`,
        detail: `Service ${label} selects ${selectorText(selector)}, the pods of ${idle.kind} ${ns}/${idle.name}, which has replicas: 0: nothing answers behind the Service.`,
        confidence: "high",
        depth: options.depth ?? 2,
        supporting: [...supporting, id],
        confirmBy: `${kubectl(ns, `get ${idle.kind.toLowerCase()} ${idle.name}`)}; ${kubectl(ns, `get endpoints ${service.metadata.name}`)}`,
        actions: [`Scale it back up if that was not intended: ${kubectl(ns, `scale ${idle.kind.toLowerCase()}/${idle.name} --replicas=1`)}`],
        ...(options.downstream !== undefined ? { chain: [`${idle.kind} ${ns}/${idle.name} scaled to 0: Service ${label} has no endpoints`, ...options.downstream] } : {})
      });
      return 1;
    }
    const podless = controllers[0];
    if (podless !== undefined) {
      // The selector does match a controller's pod template: it is right; that controller's pods are missing.
      if (options.downstream !== undefined) return 0;
      const id = a.evidence.add({
        source: `kubernetes/service/${label}`,
        timestamp: a.alertTime,
        severity: "high",
        content: `Service ${label} selects ${selectorText(selector)}, the pods of ${podless.kind} ${ns}/${podless.name} (replicas ${podless.replicas ?? "?"}), and none exists; endpoints: ${endpoints === undefined ? "not read" : `${ready} ready`}`,
        metadata: { service: label, workload: `${podless.kind}/${ns}/${podless.name}` }
      });
      a.propose(frame, label, {
        key: `service-no-pods:${label}`,
        title: `Service ${label} has no endpoints: ${podless.kind} ${ns}/${podless.name}, whose pods it selects, has none running`,
        detail: `The selector ${selectorText(selector)} matches the pod template of ${podless.kind} ${ns}/${podless.name}, so it is right; the pods themselves are missing (not created, or deleted). Why is in ${podless.kind} ${podless.name}'s events.`,
        confidence: "medium",
        depth: options.depth ?? 2,
        supporting: [...supporting, id],
        confirmBy: kubectl(ns, `describe ${podless.kind.toLowerCase()} ${podless.name}`),
        actions: [`Find why ${podless.kind} ${podless.name} has no pods: ${kubectl(ns, `describe ${podless.kind.toLowerCase()} ${podless.name}`)}`]
      });
      return 1;
    }
    const misses = nearMisses(a.view, service);
    const miss = misses[0];
    // A client's failure already says "no pod matches"; only a likely typo adds a cause to it.
    if (miss === undefined && options.downstream !== undefined) return 0;
    const id = a.evidence.add({
      source: `kubernetes/service/${label}`,
      timestamp: a.alertTime,
      severity: "critical",
      content: `Service ${label} selects ${selectorText(selector)}: no pod in ${ns} has these labels; endpoints: ${endpoints === undefined ? "not read" : `${ready} ready, ${notReady} not ready`}${misses.length > 0 ? `; similar pods: ${misses.slice(0, 3).map((m) => `${m.workload} (${selectorText(m.labels)})`).join(", ")}` : ""}`,
      metadata: { service: label, selector: selectorText(selector), readyEndpoints: ready, nearMisses: misses.slice(0, 3).map((m) => m.workload) }
    });
    problems++;
    a.propose(frame, label, {
      key: `service-selector:${label}`,
      title:
        miss?.missing !== undefined
          ? `Service ${label} has no endpoints: its selector ${selectorText(selector)} requires ${selectorText(miss.missing)}, a label no pod in ${ns} carries; the pods of ${miss.workload} match the rest (${selectorText(miss.labels)})`
          : miss !== undefined
            ? `Service ${label} has no endpoints: its selector ${selectorText(selector)} matches no pod; the pods of ${miss.workload} are labelled ${selectorText(miss.labels)}`
            : `Service ${label} has no endpoints: its selector ${selectorText(selector)} matches no pod in ${ns}`,
      detail:
        miss?.missing !== undefined
          ? `The endpoints controller adds only pods whose labels include every key=value of the selector. ${plural(miss.pods.length, "pod")} of ${miss.workload} (${listNames(miss.pods)}) match ${selectorText(miss.labels)} but carry no ${Object.keys(miss.missing).join(", ")} label at all, so the Service has nothing to send traffic to.`
          : miss !== undefined
          ? `The endpoints controller adds only pods whose labels include every key=value of the selector (${selectorText(selector)}). ${plural(miss.pods.length, "pod")} of ${miss.workload} (${listNames(miss.pods)}) carry ${selectorText(miss.labels)} instead, so the Service has nothing to send traffic to.`
          : `No pod in ${ns} carries ${selectorText(selector)}: either the backend is not deployed (or scaled to zero) or the selector is wrong.`,
      // A selector one label away from running pods is a typo; no pods at all may just be a backend not deployed.
      // A missing key is a slip when the pods match most of the selector; one shared label alone may be another workload's.
      confidence:
        miss !== undefined
          ? options.named && (miss.missing === undefined || Object.keys(miss.labels).length > Object.keys(miss.missing).length)
            ? "high"
            : "medium"
          : options.named
            ? "medium"
            : "low",
      depth: options.depth ?? 2,
      supporting: [...supporting, id],
      confirmBy: `${kubectl(ns, `get endpoints ${service.metadata.name}`)}; ${kubectl(ns, `get pods -l ${selectorText(selector)}`)}${miss !== undefined ? `; ${kubectl(ns, `get pods --show-labels | grep ${miss.pods[0] ?? ""}`)}` : ""}`,
      actions: [miss?.missing !== undefined ? `Remove ${selectorText(miss.missing)} from the Service's selector, or add it to the pod template of ${miss.workload}` : miss !== undefined ? `Make the selector match the pods' labels (${selectorText(miss.labels)}), or label the pods ${selectorText(selector)}` : `Deploy the backend of ${label} or fix its selector`],
      ...(options.downstream !== undefined ? { chain: [`Service ${label} has no endpoints (selector ${selectorText(selector)} matches no pod)`, ...options.downstream] } : {})
    });
    return problems;
  }
  for (const m of targetPortMismatches(service, backends)) {
    problems++;
    const named = typeof m.target === "string";
    const id = a.evidence.add({
      source: `kubernetes/service/${label}`,
      timestamp: a.alertTime,
      severity: named || options.refused === true ? "critical" : "high",
      content: `Service ${label} port ${m.port.port ?? "?"} sends to targetPort ${m.target}; the ${plural(backends.length, "pod")} it selects declare ${portsText(m.containerPorts)}; endpoints: ${endpoints === undefined ? "not read" : `${ready} ready`}`,
      metadata: { service: label, port: m.port.port ?? null, targetPort: m.target, containerPorts: m.containerPorts.map((p) => p.containerPort ?? null) }
    });
    a.propose(frame, label, {
      key: `service-targetport:${label}:${String(m.target)}`,
      title: `Service ${label} sends traffic to targetPort ${m.target}, but its pods listen on ${portsText(m.containerPorts)} (containerPort)`,
      detail: named
        ? `No container of the selected pods has a port named ${m.target}, so the endpoints controller leaves them out and the Service has no endpoints for port ${m.port.port ?? "?"}.`
        : `kube-proxy forwards port ${m.port.port ?? "?"} to ${m.target} on the pods, where nothing is declared to listen (they declare ${portsText(m.containerPorts)}): connections ${options.refused === true ? "are refused, as the clients report" : "are refused unless the process listens on an undeclared port"}.`,
      confidence: named || options.refused === true ? "high" : "medium",
      depth: options.depth ?? 2,
      supporting: [...supporting, id],
      confirmBy: `${kubectl(ns, `describe service ${service.metadata.name}`)} (TargetPort, Endpoints); ${kubectl(ns, `get pods -l ${selectorText(selector)} -o jsonpath='{.items[0].spec.containers[*].ports}'`)}`,
      actions: [`Set targetPort to the port the container listens on (${portsText(m.containerPorts)})`],
      ...(options.downstream !== undefined ? { chain: [`Service ${label} targetPort ${m.target} matches no containerPort`, ...options.downstream] } : {})
    });
  }
  return problems;
};

/** The Services that select the subject's pods, checked for a targetPort none of its containers declares. */
export const analyzeSubjectServices = (a: Analysis, frame: Frame, subject: Subject): number => {
  const pods = subject.pods.filter((p) => !isPodDone(p));
  if (pods.length === 0) return 0;
  const services = a.view.services.filter((s) => (s.metadata.namespace ?? "") === subject.ref.namespace && pods.some((p) => s.spec?.selector !== undefined && selectsLabels(s.spec.selector, p.metadata.labels)));
  let problems = 0;
  for (const service of services) if (targetPortMismatches(service, backendsOf(a.view, service)).length > 0) problems += checkService(a, frame, service, { named: false });
  return problems;
};

/**
 * The Services of the alert's namespace: the one the alert names is checked outright; the others
 * only when nothing else explains the alert (a selector or port slip leaves every pod healthy).
 */
export const analyzeNamespaceServices = (a: Analysis, frame: Frame, namespace: string, named: string | undefined, quiet: boolean): number => {
  let problems = 0;
  for (const service of a.view.services.filter((s) => (s.metadata.namespace ?? "") === namespace)) {
    const isNamed = service.metadata.name === named;
    if (isNamed || quiet) problems += checkService(a, frame, service, { named: isNamed });
  }
  return problems;
};
