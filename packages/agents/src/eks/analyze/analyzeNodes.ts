import type { Node, Pod } from "../kube/KubeObjects.js";
import { eventCount, eventTime, formatDuration, formatTime, toMillis } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { clipText, isPodReady, listNames, plural, podSource } from "./podFacts.js";
import type { Subject } from "./Subject.js";

const PRESSURES: ReadonlyArray<readonly [string, string]> = [
  ["MemoryPressure", "memory"],
  ["DiskPressure", "disk"],
  ["PIDPressure", "PID"]
];

const nodeSource = (name: string) => `kubernetes/node/${name}`;

/** Facts about one node: readiness and pressures, each recorded once however many pods sit on it. */
export interface NodeTrouble {
  readonly notReady?: { readonly id: string; readonly status: string; readonly since?: number; readonly message: string };
  readonly pressures: ReadonlyArray<{ readonly id: string; readonly kind: string; readonly since?: number }>;
}

export const nodeTrouble = (a: Analysis, node: Node): NodeTrouble => {
  const name = node.metadata.name;
  const conditions = Array.isArray(node.status?.conditions) ? (node.status?.conditions ?? []) : [];
  const ready = conditions.find((c) => c.type === "Ready");
  let notReady: NodeTrouble["notReady"];
  if (ready !== undefined && ready.status !== "True") {
    const since = toMillis(ready.lastTransitionTime);
    const events = a.eventsOfNode(name).filter((e) => e.reason === "NodeNotReady" || e.reason === "NodeStatusUnknown");
    const id = a.evidence.add({
      source: nodeSource(name),
      timestamp: since ?? a.alertTime,
      severity: "critical",
      content: `Node ${name} is ${ready.status === "Unknown" ? "unreachable (Ready=Unknown: the kubelet stopped posting status)" : "NotReady"}${since !== undefined ? ` since ${formatTime(since)}${since <= a.alertTime ? ` (${formatDuration(a.alertTime - since)} before the alert)` : ""}` : ""}: ${clipText(ready.message ?? ready.reason ?? "", 250)}${events.length > 0 ? ` (${events.length} node events)` : ""}`,
      metadata: { node: name, ready: ready.status ?? "", reason: ready.reason ?? "", message: clipText(ready.message ?? "", 400), since: since ?? null }
    });
    notReady = { id, status: ready.status ?? "Unknown", message: ready.message ?? ready.reason ?? "", ...(since !== undefined ? { since } : {}) };
  }
  const pressures: Array<NodeTrouble["pressures"][number]> = [];
  for (const [type, kind] of PRESSURES) {
    const c = conditions.find((x) => x.type === type);
    if (c?.status !== "True") continue;
    const since = toMillis(c.lastTransitionTime);
    const id = a.evidence.add({
      source: nodeSource(name),
      timestamp: since ?? a.alertTime,
      severity: "high",
      content: `Node ${name} has ${type}${since !== undefined ? ` since ${formatTime(since)}` : ""}: ${clipText(c.message ?? c.reason ?? "", 200)}`,
      metadata: { node: name, condition: type, since: since ?? null }
    });
    pressures.push({ id, kind, ...(since !== undefined ? { since } : {}) });
  }
  return { ...(notReady !== undefined ? { notReady } : {}), pressures };
};

const EVICTED = /The node (?:was low on resource|had condition): \[?([\w-]+)\]?/;

/** Nodes under the subject's pods that are NotReady or under pressure, and pods evicted from them. */
export const analyzeNodes = (a: Analysis, frame: Frame, subject: Subject): number => {
  let problems = 0;
  const byNode = new Map<string, Array<Pod>>();
  for (const p of subject.pods) {
    const n = p.spec?.nodeName;
    if (n === undefined || n === "") continue;
    const list = byNode.get(n);
    if (list === undefined) byNode.set(n, [p]);
    else list.push(p);
  }
  for (const [name, pods] of byNode) {
    const node = a.node(name);
    if (node === undefined) {
      const lost = pods.filter((p) => !isPodReady(p) && p.status?.phase !== "Succeeded");
      if (lost.length === 0 || a.view.nodes.length === 0) continue;
      problems++;
      const id = a.evidence.add({
        source: nodeSource(name),
        timestamp: a.alertTime,
        severity: "high",
        content: `Node ${name}, where ${plural(lost.length, "pod")} of ${subject.label} run (${listNames(lost.map((p) => p.metadata.name))}), no longer exists in the cluster`,
        metadata: { node: name, pods: lost.map((p) => p.metadata.name) }
      });
      a.propose(frame, subject.label, {
        key: `node-gone:${name}`,
        title: `Node ${name} is gone: ${subject.label}'s pods on it are lost`,
        detail: "The node was terminated or deleted (scale-in, spot interruption, failed health check) and its pods have not been replaced yet.",
        confidence: "medium",
        depth: 2,
        supporting: [id],
        confirmBy: `kubectl get nodes; check the node group's scaling activity and EC2 instance state for ${name}`,
        actions: [`Delete the stuck pods so their controller replaces them: kubectl -n ${subject.ref.namespace} delete pod ${lost.map((p) => p.metadata.name).join(" ")}`]
      });
      continue;
    }
    const trouble = nodeTrouble(a, node);
    const hurt = pods.filter((p) => !isPodReady(p) && p.status?.phase !== "Succeeded");
    if (trouble.notReady !== undefined) {
      problems++;
      const podsId = a.evidence.add({
        source: nodeSource(name),
        timestamp: trouble.notReady.since ?? a.alertTime,
        severity: "critical",
        content: `${plural(pods.length, "pod")} of ${subject.label} are on NotReady node ${name}: ${listNames(pods.map((p) => p.metadata.name))}${hurt.length > 0 ? ` (${hurt.length} not ready)` : ""}`,
        metadata: { node: name, pods: pods.map((p) => p.metadata.name), notReadyPods: hurt.length }
      });
      a.propose(frame, subject.label, {
        key: `node-notready:${name}`,
        title: `Node ${name} is ${trouble.notReady.status === "Unknown" ? "unreachable" : "NotReady"}: ${subject.label}'s pods on it are down`,
        detail: `${name} ${trouble.notReady.status === "Unknown" ? "stopped reporting (kubelet down, instance failure or network partition)" : `reports NotReady: ${clipText(trouble.notReady.message, 200)}`}. Pods on it are not serving and are evicted after the toleration period (5 minutes by default).`,
        confidence: "high",
        depth: 2,
        supporting: [trouble.notReady.id, podsId],
        confirmBy: `kubectl describe node ${name}; check the EC2 instance status checks and the kubelet/containerd logs on it`,
        actions: [`Cordon and drain it: kubectl cordon ${name} && kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`, "Replace the instance if it does not recover (terminate it; the node group replaces it)"]
      });
    }
    if (trouble.pressures.length > 0 && hurt.length > 0) {
      problems++;
      const kinds = trouble.pressures.map((p) => p.kind).join(" and ");
      a.propose(frame, subject.label, {
        key: `node-pressure:${name}`,
        title: `Node ${name} is under ${kinds} pressure where ${subject.label} runs`,
        detail: `The kubelet on ${name} reports ${kinds} pressure; it stops admitting pods and evicts running ones to recover.`,
        confidence: "medium",
        depth: 2,
        supporting: trouble.pressures.map((p) => p.id),
        confirmBy: `kubectl describe node ${name} (Conditions, Allocated resources); kubectl top pods -A --sort-by=memory | head`,
        actions: [`Find the pods using the most ${kinds} on ${name}; cordon and drain it if it does not recover`]
      });
    }
  }

  const evicted = subject.pods.filter((p) => p.status?.reason === "Evicted");
  const evictionEvents = subject.pods.flatMap((p) => a.events(subject.ref.namespace)("Pod", p.metadata.name).filter((e) => e.reason === "Evicted"));
  if (evicted.length > 0 || evictionEvents.length > 0) {
    const messages = [...evicted.map((p) => p.status?.message ?? ""), ...evictionEvents.map((e) => e.message ?? "")].filter((m) => m !== "");
    const resource = messages.map((m) => EVICTED.exec(m)?.[1]).find((r) => r !== undefined) ?? "a resource";
    const nodes = [...new Set(evicted.map((p) => p.spec?.nodeName ?? "").filter((n) => n !== ""))];
    const when = evictionEvents.map(eventTime).filter((t): t is number => t !== undefined);
    if (when.length === 0 || when.some((t) => a.recent(t)) || evicted.length > 0) {
      problems++;
      const id = a.evidence.add({
        source: podSource(evicted[0] ?? subject.pods[0]!),
        timestamp: when.length > 0 ? Math.max(...when) : a.alertTime,
        severity: "high",
        content: `${plural(Math.max(evicted.length, evictionEvents.reduce((n, e) => n + eventCount(e), 0)), "pod")} of ${subject.label} evicted${nodes.length > 0 ? ` from ${listNames(nodes)}` : ""}: ${clipText(messages[0] ?? "", 250)}`,
        metadata: { evicted: evicted.map((p) => p.metadata.name), nodes, resource, message: clipText(messages[0] ?? "", 400) }
      });
      const pressureIds = nodes.flatMap((n) => {
        const node = a.node(n);
        return node === undefined ? [] : nodeTrouble(a, node).pressures.map((p) => p.id);
      });
      a.propose(frame, subject.label, {
        key: `evicted:${subject.label}:${resource}`,
        title: `${subject.label}'s pods were evicted: node low on ${resource}`,
        detail: `The kubelet evicted pods to reclaim ${resource}${nodes.length > 0 ? ` on ${listNames(nodes)}` : ""}. ${clipText(messages[0] ?? "", 250)}`,
        confidence: "high",
        depth: 2,
        supporting: [id, ...pressureIds],
        confirmBy: `kubectl -n ${subject.ref.namespace} get pods --field-selector=status.phase=Failed; kubectl describe node ${nodes[0] ?? "<node>"}`,
        actions: [
          resource.includes("memory") ? "Set memory requests close to real usage so the scheduler does not overcommit the node" : `Free ${resource} on the node (image garbage collection, log rotation, emptyDir usage)`,
          `Clean up the evicted pods: kubectl -n ${subject.ref.namespace} delete pods --field-selector=status.phase=Failed`
        ]
      });
    }
  }
  return problems;
};

