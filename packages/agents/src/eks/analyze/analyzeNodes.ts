import type { Confidence } from "@sre-on-call/core";
import type { Node, Pod } from "../kube/KubeObjects.js";
import { podRequestText } from "../kube/placement.js";
import { formatBytes, parseQuantity } from "../kube/quantity.js";
import { eventCount, eventTime, formatDuration, formatTime, toMillis } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { causeText, clipText, isPodReady, kubectl, kubectlRef, listNames, plural, podSource } from "./podFacts.js";
import type { Subject } from "./Subject.js";

const PRESSURES: ReadonlyArray<readonly [string, string]> = [
  ["MemoryPressure", "memory"],
  ["DiskPressure", "disk"],
  ["PIDPressure", "PID"]
];

const nodeSource = (name: string) => `kubernetes/node/${name}`;

/** Why a node is NotReady, as its Ready condition says it, in words an operator acts on. */
export interface NotReadyCause {
  /** `its CNI network plugin is not ready (cni config uninitialized)`. */
  readonly text: string;
  /** High only when the condition names a cause to fix; a node that stopped reporting says only that. */
  readonly confidence: Confidence;
  readonly action: string;
  /** The runtime's network is not ready: the CNI plugin wrote no configuration on the node. */
  readonly cni?: boolean;
}

/**
 * The CNI plugin's pod on a node, not ready: the DaemonSet pod that mounts the host's CNI
 * directories (/etc/cni/net.d, /opt/cni/bin), where it writes the configuration the kubelet waits
 * for. With it deployed, the node's "cni config uninitialized" is that pod's failure
 * (aws/amazon-vpc-cni-k8s#872: aws-node crash-looping without its IAM permissions;
 * projectcalico/calico#6626 and kubernetes-sigs/kubespray#5104: calico-node failing on the
 * NotReady nodes).
 */
const failingNetworkPod = (a: Analysis, node: string): Pod | undefined =>
  [...a.view.namespaces.values()]
    .flatMap((o) => o.pods)
    .find(
      (p) =>
        p.spec?.nodeName === node &&
        (p.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet") &&
        (p.spec.volumes ?? []).some((v) => /^\/(?:etc|opt)\/cni(?:\/|$)/.test(v.hostPath?.path ?? "")) &&
        !isPodReady(p) &&
        p.status?.phase !== "Succeeded"
    );

/** The node waits for a failing CNI pod: the pod's failure is the next question, not a cause yet. */
const networkPodCause = (said: NotReadyCause, pod: Pod): NotReadyCause => {
  const statuses = pod.status?.containerStatuses ?? [];
  const state = statuses.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find((r) => r !== undefined) ?? pod.status?.phase ?? "not ready";
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const label = `${pod.metadata.namespace ?? ""}/${pod.metadata.name}`;
  return {
    text: `${said.text.replace(/: no CNI plugin is deployed or running on it$/, "")}: its network plugin pod ${label} is not ready (${state}${restarts > 0 ? `, ${restarts} restarts` : ""}); why that pod fails is the cause`,
    confidence: "medium",
    action: `Read why ${label} fails: kubectl -n ${pod.metadata.namespace ?? ""} describe pod ${pod.metadata.name}; kubectl -n ${pod.metadata.namespace ?? ""} logs ${pod.metadata.name} --all-containers --previous`,
    cni: true
  };
};

/**
 * Reads the Ready condition's reason and message: the kubelet writes the runtime's network state
 * (`NetworkPluginNotReady … cni config uninitialized`), PLEG health and runtime readiness there;
 * the node controller writes `Kubelet stopped posting node status` when the kubelet goes silent.
 */
export const notReadyCause = (status: string, reason: string, message: string): NotReadyCause => {
  const text = `${reason} ${message}`;
  if (/NetworkPluginNotReady|network plugin is not ready|cni config uninitialized|cni plugin not initialized|No networks found in \/etc\/cni/i.test(text)) {
    const detail = /cni config uninitialized|cni plugin not initialized|No networks found in \/etc\/cni\/net\.d/i.exec(text)?.[0];
    return {
      text: `its CNI network plugin is not ready${detail !== undefined ? ` (${detail})` : ""}: no CNI plugin is deployed or running on it`,
      confidence: "high",
      action: "Deploy the cluster's CNI plugin (Calico, Cilium, Flannel, aws-node) or fix its DaemonSet pod on the node: kubectl -n kube-system get ds; ls /etc/cni/net.d on the node",
      cni: true
    };
  }
  if (/PLEG is not healthy/i.test(text))
    return {
      text: `the container runtime is unresponsive (${clipText(/PLEG is not healthy[^;]*/i.exec(text)?.[0] ?? "PLEG is not healthy", 100)})`,
      confidence: "medium",
      action: "Check the container runtime (systemctl status containerd/docker, its logs) and the node's load; restart the runtime and kubelet or replace the node"
    };
  if (/container runtime is down|RuntimeReady=false|container runtime status check|runtime not ready/i.test(text) && !/network not ready/i.test(text))
    return { text: `its container runtime is down (${causeText(message, 120)})`, confidence: "high", action: "Restart the container runtime (containerd/docker) on the node and read its logs" };
  if (status === "Unknown" || /NodeStatusUnknown|stopped posting node status/i.test(text))
    return {
      text: "the kubelet stopped posting node status (the node is down, the kubelet stopped, or the node lost its network)",
      confidence: "medium",
      action: "Check the instance (EC2 status checks, console output) and the kubelet on it (systemctl status kubelet; journalctl -u kubelet)"
    };
  const said = causeText(message, 140) || clipText(reason, 80);
  return { text: said !== "" ? said : "no reason given", confidence: "medium", action: "kubectl describe node; read the kubelet's logs on the node (journalctl -u kubelet)" };
};

/** Facts about one node: readiness and pressures, each recorded once however many pods sit on it. */
export interface NodeTrouble {
  readonly notReady?: { readonly id: string; readonly status: string; readonly since?: number; readonly message: string; readonly cause: NotReadyCause };
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
    const said = notReadyCause(ready.status ?? "Unknown", ready.reason ?? "", ready.message ?? "");
    const network = said.cni === true ? failingNetworkPod(a, name) : undefined;
    const cause = network === undefined ? said : networkPodCause(said, network);
    notReady = { id, status: ready.status ?? "Unknown", message: ready.message ?? ready.reason ?? "", cause, ...(since !== undefined ? { since } : {}) };
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

const RECLAIM = /Attempting to reclaim ([\w-]+)/i;
const PRESSURE_EVENT: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^NodeHasDiskPressure$/, "ephemeral-storage", "DiskPressure"],
  [/^NodeHasInsufficientMemory$|^NodeHasMemoryPressure$/, "memory", "MemoryPressure"],
  [/^NodeHasInsufficientPID$|^NodeHasPIDPressure$/, "pids", "PIDPressure"]
];
const PRESSURE_RESOURCE: Readonly<Record<string, readonly [string, string]>> = { disk: ["ephemeral-storage", "DiskPressure"], memory: ["memory", "MemoryPressure"], PID: ["pids", "PIDPressure"] };

/**
 * What the evicting kubelet was short of when the pod's status keeps no message: its node says it,
 * in the eviction manager's event (`EvictionThresholdMet: Attempting to reclaim ephemeral-storage`),
 * the pressure event (`NodeHasDiskPressure`) or the pressure condition still set (bsycorp/kind#15:
 * a kind node full of images, `docker system prune` freed it; kubernetes/minikube#4084: "must evict
 * pod(s) to reclaim ephemeral-storage"; longhorn/longhorn#6023: DiskPressure evictions).
 */
const nodesPressure = (a: Analysis, nodes: ReadonlyArray<string>): { readonly resource: string; readonly note: string } | undefined => {
  for (const name of nodes) {
    const events = a.eventsOfNode(name);
    const reclaim = events.map((e) => (e.reason === "EvictionThresholdMet" ? RECLAIM.exec(e.message ?? "")?.[1] : undefined)).find((r) => r !== undefined);
    const pressure = events.map((e) => PRESSURE_EVENT.find(([re]) => re.test(e.reason ?? ""))).find((r) => r !== undefined);
    const node = a.node(name);
    const kind = node === undefined ? undefined : nodeTrouble(a, node).pressures[0]?.kind;
    const condition = pressure !== undefined ? ([pressure[1], pressure[2]] as const) : kind !== undefined ? PRESSURE_RESOURCE[kind] : undefined;
    const resource = reclaim ?? condition?.[0];
    if (resource === undefined) continue;
    const said = [condition !== undefined && condition[0] === resource ? `reports ${condition[1]}` : undefined, reclaim !== undefined ? `its eviction manager was reclaiming ${reclaim}` : undefined].filter((x) => x !== undefined);
    return { resource, note: ` (node ${name} ${said.join(" and ")})` };
  }
  return undefined;
};

export interface EvictionUsage {
  readonly resource?: string;
  readonly container?: string;
  readonly used?: string;
  readonly request?: string;
  /** The pod went past its own ephemeral-storage limit (no node shortage): whose limit, and how much. */
  readonly ownLimit?: { readonly scope: "pod" | "container" | "emptyDir"; readonly name?: string; readonly limit: string };
}

/**
 * The kubelet evicts a pod that uses more local ephemeral storage than its own limits allow,
 * whatever the node has free: `Pod ephemeral local storage usage exceeds the total limit of
 * containers 4Gi.` (dust-tt/dust#5415, dust-tt/dust#7395, neuvector/docs#272,
 * substratusai/runbooks#246), `Container consumerui exceeded its local ephemeral storage limit
 * "20Mi".` (cloud-ark/kubeplus#1389), and an emptyDir past its sizeLimit.
 */
const ownLimitOf = (message: string): EvictionUsage["ownLimit"] => {
  const pod = /Pod ephemeral local storage usage exceeds the total limit of containers (\S+?)\.?(?:\s|$)/.exec(message);
  if (pod !== null) return { scope: "pod", limit: pod[1] ?? "" };
  const container = /Container (\S+) exceeded its local ephemeral storage limit "([^"]+)"/.exec(message);
  if (container !== null) return { scope: "container", name: container[1] ?? "", limit: container[2] ?? "" };
  const emptyDir = /Usage of EmptyDir volume "([^"]+)" exceeds the limit "([^"]+)"/.exec(message);
  if (emptyDir !== null) return { scope: "emptyDir", name: emptyDir[1] ?? "", limit: emptyDir[2] ?? "" };
  return undefined;
};

/**
 * The kubelet's eviction message: `The node was low on resource: memory. Container x was using
 * 1703264Ki, which exceeds its request of 0.` (newer: `…Container app was using 1148032Ki,
 * request is 0`, after a `Threshold: …, available: …` part).
 */
export const parseEviction = (message: string): EvictionUsage => {
  const resource = /The node was low on resource: \[?([\w.\/-]+?)\]?\.(?:\s|$)/.exec(message)?.[1];
  const usage = /Container (\S+) was using (\S+?),? (?:which exceeds its request of|request is) ([^\s,.]+(?:\.\d+)?)/.exec(message);
  const ownLimit = ownLimitOf(message);
  return {
    ...(resource !== undefined ? { resource } : ownLimit !== undefined ? { resource: "ephemeral-storage" } : {}),
    ...(ownLimit !== undefined ? { ownLimit } : {}),
    ...(usage !== null ? { container: usage[1] ?? "", used: usage[2] ?? "", request: usage[3] ?? "" } : {})
  };
};

const isZero = (q: string | undefined) => q !== undefined && parseQuantity(q) === 0;

/** `1703264Ki (1.6Gi)`: the kubelet's figure and one an operator reads at a glance. */
const readable = (q: string | undefined): string => {
  const bytes = parseQuantity(q);
  return q === undefined ? "?" : bytes !== undefined && bytes >= 1024 && formatBytes(bytes) !== q ? `${q} (${formatBytes(bytes)})` : q;
};

/** The kubelet alerts from 90 % of its pod capacity (kube-prometheus' KubeletTooManyPods fires at 95 %). */
const NEAR_CAPACITY = 0.9;

/**
 * A node at its pod capacity (`allocatable.pods`): how many pods sit on it, how many of them are
 * finished pods nobody cleaned up, and which workloads hold the most. On EKS the capacity follows
 * the instance type's ENI and IP limits, which is why it can be far below the kubelet's 110.
 */
export const analyzeNodePodCapacity = (a: Analysis, frame: Frame, node: Node): void => {
  const capacity = parseQuantity(node.status?.allocatable?.["pods"]);
  if (capacity === undefined || capacity <= 0) return;
  const name = node.metadata.name;
  const pods = [...a.view.namespaces.values()].flatMap((o) => o.pods).filter((p) => p.spec?.nodeName === name);
  if (pods.length < capacity * NEAR_CAPACITY) return;
  const finished = pods.filter((p) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed");
  const owners = new Map<string, number>();
  for (const p of pods) {
    const owner = p.metadata.ownerReferences?.find((o) => o.controller === true) ?? p.metadata.ownerReferences?.[0];
    const key = `${p.metadata.namespace ?? ""}/${owner?.kind ?? "Pod"} ${owner?.name ?? p.metadata.name}`;
    owners.set(key, (owners.get(key) ?? 0) + 1);
  }
  const top = [...owners].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([k, n]) => `${k} ×${n}`);
  const eks = (node.spec?.providerID ?? "").startsWith("aws://") || node.metadata.labels?.["eks.amazonaws.com/nodegroup"] !== undefined;
  const id = a.evidence.add({
    source: nodeSource(name),
    timestamp: a.alertTime,
    severity: "high",
    content: `Node ${name} holds ${pods.length} pods against its pod capacity (allocatable pods) of ${capacity}${finished.length > 0 ? `; ${finished.length} of them are finished (Succeeded/Failed)` : ""}; most from ${top.join(", ")}`,
    metadata: { node: name, pods: pods.length, capacity, finished: finished.length, top }
  });
  a.propose(frame, `node/${name}`, {
    key: `node-pods:${name}`,
    title: `Node ${name} is at its pod capacity: ${pods.length} pods against ${capacity} allocatable${finished.length > 0 ? ` (${finished.length} of them finished pods not cleaned up)` : ""}`,
    detail: `The scheduler places no more pods on ${name} once it holds ${capacity} (Too many pods). Largest holders: ${top.join(", ")}.${eks ? ` On EKS the pod capacity follows the instance type's ENI/IP limit (${node.metadata.labels?.["node.kubernetes.io/instance-type"] ?? node.metadata.labels?.["beta.kubernetes.io/instance-type"] ?? "instance type"}); prefix delegation or a larger type raises it.` : ""}`,
    confidence: "medium",
    depth: 2,
    supporting: [id],
    confirmBy: `kubectl get pods -A --field-selector spec.nodeName=${name} -o wide; kubectl describe node ${name} | grep -A6 Allocatable`,
    actions: [
      finished.length > 0 ? "Delete finished pods (set ttlSecondsAfterFinished on Jobs, history limits on CronJobs)" : "Spread or reduce the pods on the node, or add nodes",
      "Use instance types (or a kubelet --max-pods) with a larger pod capacity"
    ]
  });
};

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
        title:
          trouble.notReady.status === "Unknown"
            ? `Node ${name} is unreachable: ${subject.label}'s pods on it are down`
            : `Node ${name} is NotReady (${trouble.notReady.cause.text}): ${subject.label}'s pods on it are down`,
        detail: `${name} ${trouble.notReady.status === "Unknown" ? "stopped reporting (kubelet down, instance failure or network partition)" : `reports NotReady: ${clipText(trouble.notReady.message, 200)}`}. Pods on it are not serving and are evicted after the toleration period (5 minutes by default).`,
        confidence: "high",
        depth: 2,
        supporting: [trouble.notReady.id, podsId],
        confirmBy: `kubectl describe node ${name}; check the EC2 instance status checks and the kubelet/containerd logs on it`,
        actions: [trouble.notReady.cause.action, `Cordon and drain it: kubectl cordon ${name} && kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`, "Replace the instance if it does not recover (terminate it; the node group replaces it)"]
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
    // The message that names the victim's usage against its request says why this pod went first.
    const usage = messages.map(parseEviction).find((u) => u.container !== undefined) ?? messages.map(parseEviction).find((u) => u.resource !== undefined);
    const message = messages.find((m) => parseEviction(m).container !== undefined) ?? messages[0] ?? "";
    const nodes = [...new Set(evicted.map((p) => p.spec?.nodeName ?? "").filter((n) => n !== ""))];
    const stated = usage?.resource ?? messages.map((m) => EVICTED.exec(m)?.[1]).find((r) => r !== undefined);
    const fromNode = stated === undefined ? nodesPressure(a, nodes) : undefined;
    const resource = stated ?? fromNode?.resource ?? "a resource";
    const when = evictionEvents.map(eventTime).filter((t): t is number => t !== undefined);
    if (when.length === 0 || when.some((t) => a.recent(t)) || evicted.length > 0) {
      problems++;
      const id = a.evidence.add({
        source: podSource(evicted[0] ?? subject.pods[0]!),
        timestamp: when.length > 0 ? Math.max(...when) : a.alertTime,
        severity: "high",
        content: `${plural(Math.max(evicted.length, evictionEvents.reduce((n, e) => n + eventCount(e), 0)), "pod")} of ${subject.label} evicted${nodes.length > 0 ? ` from ${listNames(nodes)}` : ""}: ${clipText(message, 250)}`,
        metadata: { evicted: evicted.map((p) => p.metadata.name), nodes, resource, message: clipText(message, 400) }
      });
      const pressureIds = nodes.flatMap((n) => {
        const node = a.node(n);
        return node === undefined ? [] : nodeTrouble(a, node).pressures.map((p) => p.id);
      });
      // Without the usage in the message, the spec still says whether the pod requested the resource at all.
      const declared = resource === "a resource" ? undefined : subject.pods.map((p) => podRequestText(p, resource)).find((r) => r !== undefined);
      const victim =
        usage?.container !== undefined
          ? isZero(usage.request)
            ? `; container ${usage.container} used ${readable(usage.used)} with no ${resource} request (request of 0), so it was evicted first`
            : `; container ${usage.container} used ${readable(usage.used)}, above its ${resource} request of ${usage.request ?? "?"}, so it was among the first evicted`
          : declared === undefined && resource !== "a resource" && subject.pods.some((p) => Array.isArray(p.spec?.containers) && p.spec.containers.length > 0)
            ? `; its containers set no ${resource} request (request of 0), which puts them first in line`
            : "";
      const ownMessage = messages.find((m) => parseEviction(m).ownLimit !== undefined);
      const own = ownMessage === undefined ? undefined : parseEviction(ownMessage).ownLimit;
      if (own !== undefined) {
        const whose = own.scope === "pod" ? `the total ephemeral-storage limit of its containers (${own.limit})` : own.scope === "container" ? `container ${own.name ?? "?"}'s ephemeral-storage limit (${own.limit})` : `the sizeLimit of its emptyDir volume ${own.name ?? "?"} (${own.limit})`;
        a.propose(frame, subject.label, {
          key: `evicted:${subject.label}:own-limit`,
          title: `${subject.label}'s pods were evicted for using more local ephemeral storage than ${whose}: the pod's own limit, not a node shortage`,
          detail: `The kubelet evicts a pod whose writable layers, logs and emptyDir volumes exceed its own ephemeral-storage limits, however much disk the node has. ${clipText(ownMessage ?? message, 250)}`,
          confidence: "high",
          depth: 2,
          supporting: [id],
          confirmBy: `${kubectl(subject.ref.namespace, `get pods --field-selector=status.phase=Failed`)}; ${kubectl(subject.ref.namespace, `get ${kubectlRef(subject.ref.kind, subject.ref.name)} -o jsonpath='{..resources}'`)}`,
          actions: [
            own.scope === "emptyDir" ? `Raise the sizeLimit of emptyDir ${own.name ?? ""} or write less to it` : "Raise the ephemeral-storage limit to what the containers really write (logs, temp files, writable layer), or move that data to a volume",
            `Clean up the evicted pods: kubectl -n ${subject.ref.namespace} delete pods --field-selector=status.phase=Failed`
          ]
        });
      } else {
        a.propose(frame, subject.label, {
          key: `evicted:${subject.label}:${resource}`,
          title: `${subject.label}'s pods were evicted: node low on ${resource}${fromNode?.note ?? ""}${victim}`,
          detail: `The kubelet evicted pods to reclaim ${resource}${nodes.length > 0 ? ` on ${listNames(nodes)}` : ""}; it evicts first the pods whose usage exceeds their request by the most, so a pod without a request goes first. ${clipText(message, 250)}`,
          confidence: "high",
          depth: 2,
          supporting: [id, ...pressureIds],
          confirmBy: `kubectl -n ${subject.ref.namespace} get pods --field-selector=status.phase=Failed; kubectl describe node ${nodes[0] ?? "<node>"}`,
          actions: [
            resource.includes("memory")
              ? "Set memory requests close to real usage so the scheduler does not overcommit the node"
              : resource.includes("ephemeral-storage")
                ? "Set ephemeral-storage requests/limits on the containers that write to local disk, or give the nodes larger disks"
                : `Free ${resource} on the node (image garbage collection, log rotation, emptyDir usage)`,
            `Clean up the evicted pods: kubectl -n ${subject.ref.namespace} delete pods --field-selector=status.phase=Failed`
          ]
        });
      }
    }
  }
  return problems;
};

