import { Effect } from "effect";
import { NAMESPACED_KINDS, type NamespacedKind, type Pod } from "../kube/KubeObjects.js";
import { containersOf, isPodReady } from "../analyze/podFacts.js";
import { resolveService } from "../analyze/resolveService.js";
import { HOST_PORT_CONFLICT, hostPortsOf } from "../analyze/hostPorts.js";
import { ATTACHER_TIMEOUT, attacherContainers } from "../analyze/csiAttacher.js";
import { initWaits } from "../analyze/initWaits.js";
import { scanLog } from "../analyze/scanLog.js";
import { namespaceObjects, type Subject, subjectsBehindSelector } from "../analyze/Subject.js";
import type { ClusterSource, ClusterSourceError } from "../source/ClusterSource.js";
import type { ClusterViewBuilder } from "./ClusterView.js";
import { resolveSubjectsSafely } from "./resolveSubjects.js";
import type { Scope } from "./scopeFromAlert.js";
import { COREDNS_SELECTOR } from "../analyze/analyzeDependencies.js";
import { MAX_DEPENDENCY_HOPS } from "./diagnoseSubject.js";
import { kubeNameProblem } from "../kube/names.js";

export interface LoadOptions {
  /** Pods per workload whose logs are read (default 5; failing pods first). */
  readonly maxLogPods?: number;
  /** Lines read from the end of each log (default 400). */
  readonly tailLines?: number;
  /** Requests in flight at once (default 6). */
  readonly concurrency?: number;
  /** Only things that changed after this time count as recent (restarts), in epoch ms. */
  readonly since: number;
}

/** The kubelet's words for a ConfigMap a pod references and its namespace lacks (a volume or an env source). */
const MISSING_CONFIGMAP = /configmaps? "([^"]+)" not found/i;

/** Failures that mean the source itself is unusable, not one read of it. */
const FATAL = new Set(["unreachable", "unauthorized", "invalid"]);

/**
 * Reads what the alert needs from the source into `builder`: the nodes, every Service (to
 * resolve names in logs), the alert's namespace, the logs of the affected pods, then the
 * namespaces, pods and logs of the dependencies those logs name (and CoreDNS when names fail to
 * resolve). Each read that fails becomes a gap in the view; only a source that cannot be used
 * at all fails the load. Interrupting it leaves whatever was read in the builder.
 */
export const loadClusterView = (source: ClusterSource, alertScope: Scope, builder: ClusterViewBuilder, options: LoadOptions): Effect.Effect<void, ClusterSourceError> =>
  Effect.gen(function* () {
    // Names from the alert become paths and URLs: one that breaks Kubernetes' naming rules is reported once and not read.
    const scope: { -readonly [K in keyof Scope]: Scope[K] } = { ...alertScope };
    for (const kind of ["namespace", "pod", "node"] as const) {
      const value = scope[kind];
      const problem = value === undefined ? undefined : kubeNameProblem(kind, value);
      if (problem === undefined) continue;
      builder.gap(`the alert's ${kind}`, `not-found: ${problem}`);
      delete scope[kind];
    }
    const concurrency = options.concurrency ?? 6;
    const maxLogPods = options.maxLogPods ?? 5;
    const tail = options.tailLines ?? 400;
    const loaded = new Set<string>();
    const logged = new Set<string>();

    const step = <A>(what: string, effect: Effect.Effect<A, ClusterSourceError>): Effect.Effect<A | undefined> =>
      Effect.suspend(() => {
        builder.begin(what);
        return effect.pipe(
          Effect.tap(() => Effect.sync(() => builder.end(what))),
          Effect.catch((e: ClusterSourceError) =>
            Effect.sync(() => {
              builder.end(what);
              builder.gap(what, `${e.reason}: ${e.detail}`);
              return undefined;
            })
          )
        );
      });

    // The first read tells whether the source works at all; a dead source is an error, not an empty cluster.
    builder.begin("nodes");
    const nodes = yield* source.listNodes().pipe(
      Effect.catch((e: ClusterSourceError) => {
        builder.end("nodes");
        if (FATAL.has(e.reason)) return Effect.fail(e);
        builder.gap("nodes", `${e.reason}: ${e.detail}`);
        return Effect.succeed([]);
      })
    );
    builder.end("nodes");
    builder.setNodes(nodes);

    const loadNamespace = (namespace: string) =>
      loaded.has(namespace)
        ? Effect.void
        : Effect.suspend(() => {
            loaded.add(namespace);
            return Effect.forEach(
              NAMESPACED_KINDS,
              (kind: NamespacedKind) =>
                step(`${kind} in ${namespace}`, source.list(kind, namespace)).pipe(
                  Effect.tap((items) => Effect.sync(() => items !== undefined && builder.add(kind, items, namespace)))
                ),
              { concurrency, discard: true }
            );
          });

    const services = step("services in all namespaces", source.list("services", undefined)).pipe(Effect.tap((s) => Effect.sync(() => s !== undefined && builder.setServices(s))));
    const nodeEvents = step(
      "node events",
      source.list("events", undefined, { fieldSelector: "involvedObject.kind=Node" })
    ).pipe(Effect.tap((e) => Effect.sync(() => e !== undefined && builder.add("events", e, "default"))));
    yield* Effect.all([services, nodeEvents], { concurrency: 2, discard: true });

    // Where to start: the alert's namespace, or the one its pod or node lives in.
    let namespace = scope.namespace;
    if (namespace === undefined && scope.pod !== undefined) {
      const found = yield* step(`pod ${scope.pod} in all namespaces`, source.list("pods", undefined, { fieldSelector: `metadata.name=${scope.pod}` }));
      namespace = found?.[0]?.metadata.namespace;
    }
    if (scope.node !== undefined) {
      const onNode = yield* step(`pods on node ${scope.node}`, source.list("pods", undefined, { fieldSelector: `spec.nodeName=${scope.node}` }));
      if (onNode !== undefined) builder.add("pods", onNode);
    }
    if (namespace !== undefined) yield* loadNamespace(namespace);
    // Objects chosen across namespaces (a loose name, triage) bring their own namespaces.
    yield* Effect.forEach([...new Set((scope.targets ?? []).map((t) => t.namespace))], loadNamespace, { concurrency: 2, discard: true });

    // Two events need pods of any namespace, read once for both and kept only where they matter: a host port that is
    // taken (the holder may be a DaemonSet of the platform) and a volume the kubelet waited on for a CSI driver's
    // external-attacher (the attacher's pods, whose logs say why).
    const loadedEvents = [...builder.build().namespaces.values()].flatMap((o) => o.events);
    const portConflict = loadedEvents.some((e) => e.reason === "FailedScheduling" && HOST_PORT_CONFLICT.test(e.message ?? ""));
    const attachTimeout = loadedEvents.some((e) => e.reason === "FailedAttachVolume" && ATTACHER_TIMEOUT.test(e.message ?? ""));
    const everyPod = portConflict || attachTimeout ? ((yield* step("pods in all namespaces", source.list("pods", undefined))) ?? []) : [];
    if (portConflict) builder.add("pods", everyPod.filter((p) => hostPortsOf(p).length > 0));
    const attachers = attachTimeout ? everyPod.filter((p) => attacherContainers(p).length > 0).slice(0, 3) : [];

    const logsOf = (pods: ReadonlyArray<Pod>) =>
      Effect.forEach(
        pods.flatMap((pod) =>
          containersOf(pod).flatMap((c) => {
            const ns = pod.metadata.namespace ?? "";
            const key = `${ns}/${pod.metadata.name}/${c.name}`;
            if (logged.has(key)) return [];
            logged.add(key);
            const request = { namespace: ns, pod: pod.metadata.name, container: c.name, tailLines: tail };
            const restarted = (c.status.restartCount ?? 0) > 0 || c.status.lastState?.terminated !== undefined;
            // `kubectl logs` of a container waiting in CrashLoopBackOff prints the run that just died:
            // what people paste, and often the only copy of the reason. A container that never ran has none.
            const running = c.status.state?.running !== undefined || c.status.state?.terminated !== undefined || restarted;
            return [
              Effect.all(
                [
                  running ? step(`logs of ${key}`, source.podLogs(request)) : Effect.succeed(undefined),
                  restarted ? step(`previous logs of ${key}`, source.podLogs({ ...request, previous: true })) : Effect.succeed(undefined)
                ],
                { concurrency: 2 }
              ).pipe(
                Effect.tap(([current, previous]) =>
                  Effect.sync(() => {
                    if (current !== undefined || previous !== undefined)
                      builder.setLog({ namespace: ns, pod: pod.metadata.name, container: c.name, ...(current !== undefined ? { current } : {}), ...(previous !== undefined ? { previous } : {}) });
                  })
                )
              )
            ];
          })
        ),
        (effect) => effect,
        { concurrency, discard: true }
      );

    if (attachers.length > 0) {
      builder.add("pods", attachers);
      yield* logsOf(attachers);
    }

    const interesting = (subjects: ReadonlyArray<Subject>) =>
      subjects.flatMap((s) => {
        const failing = s.pods.filter((p) => !isPodReady(p));
        const rest = s.pods.filter((p) => isPodReady(p));
        return [...failing, ...rest].slice(0, maxLogPods);
      });

    let frontier = resolveSubjectsSafely(builder.build(), scope, options.since).subjects;
    if (scope.node !== undefined && frontier.length === 0) {
      const onNode = [...builder.build().namespaces.values()].flatMap((o) => o.pods).filter((p) => p.spec?.nodeName === scope.node && !isPodReady(p));
      yield* logsOf(onNode.slice(0, maxLogPods * 2));
    }
    const visited = new Set<string>();
    for (let hop = 0; hop <= MAX_DEPENDENCY_HOPS && frontier.length > 0; hop++) {
      for (const s of frontier) visited.add(s.label);
      const pods = interesting(frontier);
      yield* logsOf(pods);
      if (hop === MAX_DEPENDENCY_HOPS) break;
      // What the logs connect to: the next hop's namespaces and workloads.
      const view = builder.build();
      const targets = new Map<string, { namespace: string; selector?: Readonly<Record<string, string>> }>();
      let dns = false;
      for (const pod of pods) {
        for (const c of containersOf(pod)) {
          const log = view.logs.get(`${pod.metadata.namespace ?? ""}/${pod.metadata.name}/${c.name}`);
          for (const text of [log?.previous, log?.current]) {
            if (text === undefined) continue;
            for (const d of scanLog(text).dependencies) {
              if (d.kind.startsWith("dns-")) dns = true;
              const r = resolveService(d.host, pod.metadata.namespace ?? "", view.services);
              if (r.kind === "service") targets.set(`${r.namespace}/${r.service.metadata.name}`, { namespace: r.namespace, ...(r.service.spec?.selector !== undefined ? { selector: r.service.spec.selector } : {}) });
            }
          }
        }
      }
      // Init containers looping until a dependency answers name it in their command.
      for (const w of initWaits(pods)) {
        const r = resolveService(w.host, w.pod.metadata.namespace ?? "", view.services);
        if (r.kind === "service") targets.set(`${r.namespace}/${r.service.metadata.name}`, { namespace: r.namespace, ...(r.service.spec?.selector !== undefined ? { selector: r.service.spec.selector } : {}) });
      }
      if (dns) targets.set("kube-system/kube-dns", { namespace: "kube-system", selector: COREDNS_SELECTOR });
      yield* Effect.forEach([...new Set([...targets.values()].map((t) => t.namespace))], loadNamespace, { concurrency: 2, discard: true });
      const next = builder.build();
      frontier = [...targets.values()]
        .flatMap((t) => (t.selector === undefined ? [] : subjectsBehindSelector(next, t.namespace, t.selector)))
        .filter((s) => !visited.has(s.label) && namespaceObjects(next, s.ref.namespace).pods.length > 0);
    }
    // A pod on the node's network whose port is "already in use": the holder is another pod on that node, maybe in any
    // namespace (projectcontour/contour#4343: a second node-exporter on 9100). Read the pods of those nodes, keep the holders.
    {
      const view = builder.build();
      const nodes = new Set<string>();
      for (const [key, log] of view.logs) {
        if (!/address already in use/i.test(`${log.previous ?? ""}\n${log.current ?? ""}`.slice(-20_000))) continue;
        const [ns, name] = key.split("/");
        const pod = view.namespaces.get(ns ?? "")?.pods.find((p) => p.metadata.name === name);
        if (pod?.spec?.nodeName !== undefined && hostPortsOf(pod).length > 0) nodes.add(pod.spec.nodeName);
      }
      // In name order, not in the order the logs arrived: the same view every time.
      for (const node of [...nodes].sort().slice(0, 3)) {
        const onNode = yield* step(`pods on node ${node}`, source.list("pods", undefined, { fieldSelector: `spec.nodeName=${node}` }));
        if (onNode !== undefined) builder.add("pods", onNode.filter((p) => hostPortsOf(p).length > 0));
      }
    }
    // A ConfigMap a pod cannot find may exist in another namespace: looked up by name, names only.
    const find = source.findConfigMaps;
    if (find !== undefined) {
      const missing = new Set<string>();
      for (const [namespace, o] of builder.build().namespaces) {
        const said = [
          ...o.events.filter((e) => e.involvedObject?.kind === "Pod" && e.involvedObject.namespace === namespace).map((e) => e.message ?? ""),
          ...o.pods.flatMap((p) => containersOf(p).map((c) => c.status.state?.waiting?.message ?? ""))
        ];
        for (const message of said) {
          const name = MISSING_CONFIGMAP.exec(message)?.[1];
          if (name !== undefined && /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) missing.add(name);
        }
      }
      yield* Effect.forEach(
        [...missing].slice(0, 3),
        (name) => step(`configmaps named ${name} in all namespaces`, find(name)).pipe(Effect.tap((homes) => Effect.sync(() => homes !== undefined && builder.setConfigMapHomes(name, homes)))),
        { concurrency: 2, discard: true }
      );
    }
    // What an unbound claim could bind to lives outside every namespace: read only when one waits.
    // … and so does the node affinity of a bound volume the scheduler says no node can use.
    const unbound = [...builder.build().namespaces.values()].some(
      (o) => o.persistentvolumeclaims.some((c) => c.status?.phase !== "Bound") || o.events.some((e) => e.reason === "FailedScheduling" && /volume node affinity conflict/i.test(e.message ?? ""))
    );
    if (unbound) {
      const [volumes, classes] = yield* Effect.all([step("persistentvolumes", source.listPersistentVolumes()), step("storageclasses", source.listStorageClasses())], { concurrency: 2 });
      if (volumes !== undefined) builder.setPersistentVolumes(volumes);
      if (classes !== undefined) builder.setStorageClasses(classes);
    }
  });
