export type SchedulingObstacle =
  | "insufficient-resources"
  | "taint"
  | "node-selector"
  | "pod-affinity"
  | "unbound-pvc"
  | "volume-zone"
  | "cordoned"
  | "host-ports"
  | "other";

export interface SchedulingReason {
  /** How many nodes gave this reason, when the scheduler counted. */
  readonly nodes?: number;
  readonly text: string;
  readonly obstacle: SchedulingObstacle;
  /** The resource (`memory`, `cpu`) or taint (`dedicated=gpu`) involved. */
  readonly detail?: string;
}

export interface SchedulingFailure {
  readonly availableNodes?: number;
  readonly totalNodes?: number;
  readonly reasons: ReadonlyArray<SchedulingReason>;
}

const classify = (text: string): Pick<SchedulingReason, "obstacle" | "detail"> => {
  const insufficient = /^Insufficient (\S+)/.exec(text);
  if (insufficient !== null) return { obstacle: "insufficient-resources", detail: insufficient[1] ?? "" };
  if (/Too many pods/i.test(text)) return { obstacle: "insufficient-resources", detail: "pods" };
  const taint = /taint \{([^}]*)\}/.exec(text);
  if (taint !== null) {
    const [key, value] = (taint[1] ?? "").split(":").map((s) => s.trim());
    return { obstacle: "taint", detail: value === undefined || value === "" ? (key ?? "") : `${key ?? ""}=${value}` };
  }
  if (/node affinity\/selector|node\(s\) didn't match node selector|didn't match Pod's node affinity/i.test(text)) return { obstacle: "node-selector" };
  if (/pod (?:anti-)?affinity/i.test(text)) return { obstacle: "pod-affinity" };
  if (/unbound (?:immediate )?PersistentVolumeClaims|persistentvolumeclaim "[^"]+" not found|PersistentVolumeClaim is not bound/i.test(text)) return { obstacle: "unbound-pvc" };
  if (/volume node affinity conflict/i.test(text)) return { obstacle: "volume-zone" };
  if (/were unschedulable/i.test(text)) return { obstacle: "cordoned" };
  if (/free ports/i.test(text)) return { obstacle: "host-ports" };
  return { obstacle: "other" };
};

/**
 * Reads the scheduler's FailedScheduling message (`0/3 nodes are available: 3 Insufficient
 * memory. preemption: …`) into the obstacles it lists; the preemption part is ignored.
 */
export const parseSchedulingMessage = (message: string): SchedulingFailure => {
  const m = /^(\d+)\/(\d+) nodes are available: (.*?)(?:\.?\s*preemption: .*)?$/s.exec(message.trim());
  if (m === null) return { reasons: [{ text: message.trim(), ...classify(message) }] };
  const parts: Array<string> = [];
  for (const raw of (m[3] ?? "").replace(/\.$/, "").split(", ")) {
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
