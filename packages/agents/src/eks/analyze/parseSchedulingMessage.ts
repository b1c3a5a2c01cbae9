export type SchedulingObstacle =
  | "insufficient-resources"
  | "taint"
  /** A taint the node controller sets for a node condition (`node.kubernetes.io/not-ready`, `…/disk-pressure`). */
  | "node-condition"
  | "node-selector"
  | "pod-affinity"
  | "topology-spread"
  | "unbound-pvc"
  /** The volume binder gave up (`binding volumes: timed out`) or found no PersistentVolume to bind. */
  | "volume-binding"
  | "volume-zone"
  | "volume-limit"
  | "cordoned"
  | "host-ports"
  | "other";

export interface SchedulingReason {
  /** How many nodes gave this reason, when the scheduler counted. */
  readonly nodes?: number;
  readonly text: string;
  readonly obstacle: SchedulingObstacle;
  /** The resource (`memory`, `cpu`, `pods`) or taint (`dedicated=gpu`) involved. */
  readonly detail?: string;
}

export interface SchedulingFailure {
  readonly availableNodes?: number;
  readonly totalNodes?: number;
  readonly reasons: ReadonlyArray<SchedulingReason>;
}

/**
 * Constraints the pod's own spec sets to choose its nodes: the nodes they rule out are ruled out
 * by design, so they explain a failure only when they rule out every node.
 */
export const INTENT_OBSTACLES: ReadonlySet<SchedulingObstacle> = new Set(["node-selector", "pod-affinity", "topology-spread"]);

/** Obstacles of the pod's volumes: more nodes or more capacity do not lift them. */
export const VOLUME_OBSTACLES: ReadonlySet<SchedulingObstacle> = new Set(["volume-zone", "unbound-pvc", "volume-binding", "volume-limit"]);

const taintDetail = (body: string): string => {
  const [key, value] = body.split(":").map((s) => s.trim());
  return value === undefined || value === "" ? (key ?? "") : `${key ?? ""}=${value}`;
};

/** Scheduler plugins as `didn't satisfy plugin(s) [X]` and pre-1.19 predicates name them. */
const PLUGINS: ReadonlyArray<readonly [RegExp, SchedulingObstacle]> = [
  [/NodeAffinity|MatchNodeSelector|HostName/, "node-selector"],
  [/InterPodAffinity|MatchInterPodAffinity/, "pod-affinity"],
  [/PodTopologySpread|EvenPodsSpread/, "topology-spread"],
  [/TaintToleration|PodToleratesNodeTaints/, "taint"],
  [/NodeUnschedulable|CheckNodeUnschedulable/, "cordoned"],
  [/VolumeZone|NoVolumeZoneConflict|VolumeNodeAffinityConflict|NoVolumeNodeConflict/, "volume-zone"],
  [/VolumeBinding|CheckVolumeBinding/, "volume-binding"],
  [/NodePorts|PodFitsHostPorts/, "host-ports"],
  [/NodeResourcesFit|PodFitsResources/, "insufficient-resources"],
  [/VolumeLimits|MaxEBSVolumeCount|MaxCSIVolumeCount/, "volume-limit"]
];

const classify = (raw: string): Pick<SchedulingReason, "obstacle" | "detail"> => {
  const text = raw.replace(/[’‘]/g, "'");
  const insufficient = /^Insufficient ([\w./-]+)/.exec(text);
  if (insufficient !== null) return { obstacle: "insufficient-resources", detail: insufficient[1] ?? "" };
  if (/Too many pods/i.test(text)) return { obstacle: "insufficient-resources", detail: "pods" };
  const taint = /taint \{([^}]*)\}/.exec(text);
  if (taint !== null) {
    const detail = taintDetail(taint[1] ?? "");
    if (/^node\.kubernetes\.io\/unschedulable\b/.test(detail)) return { obstacle: "cordoned" };
    if (/^node\.(?:kubernetes\.io|cloudprovider\.kubernetes\.io)\//.test(detail)) return { obstacle: "node-condition", detail };
    return { obstacle: "taint", detail };
  }
  // Current schedulers no longer name the taint: `had untolerated taint(s)`
  // (kubernetes/kubernetes:pkg/scheduler/framework/plugins/tainttoleration; kubernetes/k8s.io#9761).
  if (/had taints? that the pod didn't tolerate|had untolerated taint\(s\)/i.test(text)) return { obstacle: "taint" };
  if (/node affinity\/selector|didn't match node selector|didn't match Pod's node affinity|MatchNodeSelector/i.test(text)) return { obstacle: "node-selector" };
  if (/pod (?:anti-)?affinity|existing pods anti-affinity/i.test(text)) return { obstacle: "pod-affinity" };
  if (/topology spread constraints/i.test(text)) return { obstacle: "topology-spread" };
  if (/unbound (?:immediate )?PersistentVolumeClaims|persistentvolumeclaim "[^"]+" not found|PersistentVolumeClaim is not bound/i.test(text)) return { obstacle: "unbound-pvc" };
  if (/volume node affinity conflict|no available volume zone/i.test(text)) return { obstacle: "volume-zone" };
  if (/binding volumes|didn't find available persistent volumes to bind|VolumeBinding/i.test(text)) return { obstacle: "volume-binding" };
  if (/exceed max volume count|max volume count/i.test(text)) return { obstacle: "volume-limit" };
  if (/were unschedulable/i.test(text)) return { obstacle: "cordoned" };
  if (/free ports/i.test(text)) return { obstacle: "host-ports" };
  if (/(?:had|were under) (?:disk|memory|pid) pressure|out of disk|were not ready|network unavailable/i.test(text)) return { obstacle: "node-condition" };
  const plugins = /didn't satisfy plugin\(s\) \[([^\]]*)\]/.exec(text)?.[1];
  if (plugins !== undefined) for (const [re, obstacle] of PLUGINS) if (re.test(plugins)) return { obstacle };
  return { obstacle: "other" };
};

/** `No nodes are available that match all of the following predicates:: MatchNodeSelector (3), PodToleratesNodeTaints (1).` (pre-1.10). */
const parsePredicates = (message: string): SchedulingFailure | undefined => {
  const m = /(?:match all of the (?:following )?predicates|fit failure summary on nodes)\s*:+\s*(.*)$/s.exec(message);
  if (m === null) return undefined;
  const reasons: Array<SchedulingReason> = [];
  for (const part of (m[1] ?? "").replace(/\.\s*$/, "").split(/,\s*/)) {
    const counted = /^(.*?)\s*\((\d+)\)$/.exec(part.trim());
    const text = (counted?.[1] ?? part).trim();
    if (text === "") continue;
    const plugin = PLUGINS.find(([re]) => re.test(text))?.[1];
    const classified = plugin !== undefined && plugin !== "insufficient-resources" ? { obstacle: plugin } : classify(text);
    reasons.push({ ...(counted !== null ? { nodes: Number(counted[2]) } : {}), text, ...classified });
  }
  return reasons.length > 0 ? { reasons } : undefined;
};

/**
 * Reads the scheduler's FailedScheduling message (`0/3 nodes are available: 3 Insufficient
 * memory. preemption: …`) into the obstacles it lists; the preemption part is ignored. The count
 * may sit inside other text (Prow: `There are no nodes that your pod can schedule to - … (0/57
 * nodes are available: …)`), and pre-1.10 schedulers listed predicates instead.
 */
export const parseSchedulingMessage = (message: string): SchedulingFailure => {
  const trimmed = message.trim();
  const m = /(\d+)\/(\d+) nodes are available: (.*?)(?:\.?\s*preemption: .*)?\)?\.?$/s.exec(trimmed);
  if (m === null) return parsePredicates(trimmed) ?? { reasons: [{ text: trimmed, ...classify(trimmed) }] };
  // The optional `)` closes Prow's wrapping parenthesis; one the list itself opened (`taint(s)`) is given back.
  const listed = m[3] ?? "";
  const unbalanced = (listed.match(/\(/g)?.length ?? 0) > (listed.match(/\)/g)?.length ?? 0);
  const parts: Array<string> = [];
  for (const piece of (unbalanced ? `${listed})` : listed).replace(/\.$/, "").split(", ")) {
    // A pasted message with parts left out (`1 Insufficient memory, ... 3 node(s) didn't match …`): the elision is no reason.
    const raw = piece.replace(/^(?:\.{3}|…)\s*/, "").replace(/\s+(?:\.{1,3}|…)\s*$|(?:\.{3}|…)\s*$/, "");
    if (raw === "") continue;
    // Older schedulers write "had taint {k: v}, that the pod didn't tolerate": a continuation, not a reason.
    if (parts.length > 0 && !/^\d+ |^pod has /.test(raw)) parts[parts.length - 1] += `, ${raw}`;
    else parts.push(raw);
  }
  const reasons = parts.map((part): SchedulingReason => {
    const counted = /^(\d+) (.*)$/.exec(part);
    const text = (counted?.[2] ?? part).trim();
    return { ...(counted !== null ? { nodes: Number(counted[1]) } : {}), text, ...classify(text) };
  });
  return { availableNodes: Number(m[1]), totalNodes: Number(m[2]), reasons };
};

const RANK_WITHOUT_INTENT: Readonly<Record<SchedulingObstacle, number>> = {
  "volume-zone": 0,
  "volume-binding": 0,
  "unbound-pvc": 0,
  "volume-limit": 0,
  "insufficient-resources": 1,
  "node-condition": 1,
  cordoned: 1,
  "host-ports": 1,
  // Taints reserve nodes for other workloads (control plane, dedicated pools): the obstacle only when nothing else is.
  taint: 2,
  "node-selector": 3,
  "pod-affinity": 3,
  "topology-spread": 3,
  other: 4
};

/**
 * The obstacle to fix, not the one with the largest count. A volume pinned to a zone or waiting
 * for a claim outranks everything (capacity elsewhere does not help). The pod's own node selector
 * and affinity rule nodes out on purpose, so when they are present the reason the remaining nodes
 * gave is the cause (a taint on the node the pod is pinned to, that node's pod capacity), and they
 * are the cause themselves only when nothing else is listed. Taints otherwise reserve nodes for
 * others (the control plane, dedicated pools): beside pod (anti-)affinity or spread constraints
 * they only say that the nodes left for the pod are too few.
 */
export const bindingObstacle = (failure: SchedulingFailure): SchedulingReason | undefined => {
  const reasons = failure.reasons.filter((r) => r.obstacle !== "other" || failure.reasons.length === 1);
  const nodeIntent = reasons.some((r) => r.obstacle === "node-selector");
  const podIntent = reasons.some((r) => INTENT_OBSTACLES.has(r.obstacle) && r.obstacle !== "node-selector");
  const rank = (r: SchedulingReason): number => {
    if (VOLUME_OBSTACLES.has(r.obstacle)) return 0;
    if (r.obstacle === "other") return 5;
    if (nodeIntent) return INTENT_OBSTACLES.has(r.obstacle) ? 3 : 1;
    if (podIntent) return r.obstacle === "taint" ? 4 : INTENT_OBSTACLES.has(r.obstacle) ? 3 : 1;
    return RANK_WITHOUT_INTENT[r.obstacle];
  };
  return reasons.reduce<SchedulingReason | undefined>((best, r) => {
    if (best === undefined) return r;
    const d = rank(r) - rank(best);
    return d < 0 || (d === 0 && (r.nodes ?? 0) > (best.nodes ?? 0)) ? r : best;
  }, undefined);
};
