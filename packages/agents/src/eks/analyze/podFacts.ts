import { redactSecrets } from "@sre-on-call/core";
import type { Container, ContainerStatus, Pod } from "../kube/KubeObjects.js";
import { toMillis } from "../kube/time.js";

/** Small readings of pods shared by the analyzers. */

export const podSource = (pod: Pod) => `kubernetes/pod/${pod.metadata.namespace ?? ""}/${pod.metadata.name}`;

export const isPodReady = (pod: Pod): boolean => {
  const conditions: unknown = pod.status?.conditions;
  return Array.isArray(conditions) && conditions.some((c: unknown) => typeof c === "object" && c !== null && (c as { type?: unknown }).type === "Ready" && (c as { status?: unknown }).status === "True");
};

export const isPodDone = (pod: Pod): boolean => pod.status?.phase === "Succeeded";

const list = <T>(value: ReadonlyArray<T> | undefined): ReadonlyArray<T> => (Array.isArray(value) ? (value as ReadonlyArray<T>).filter((v) => typeof v === "object" && v !== null) : []);

export const containerSpec = (pod: Pod, name: string | undefined): Container | undefined =>
  [...list(pod.spec?.containers), ...list(pod.spec?.initContainers)].find((c) => c.name === name);

export interface ContainerOfPod {
  readonly pod: Pod;
  readonly name: string;
  readonly init: boolean;
  readonly status: ContainerStatus;
  readonly spec?: Container;
}

/** The step a pre-1.8 kubelet wrote as the waiting message, and the reason it reports since. */
const LEGACY_STEPS: Readonly<Record<string, string>> = {
  "Generate Container Config Failed": "CreateContainerConfigError",
  "Create Container Failed": "CreateContainerError",
  "Start Container Failed": "RunContainerError"
};

/**
 * A waiting state as Kubernetes ≥ 1.8 writes it. Before, the kubelet wrote a failed start's error
 * text as the reason and the step as the message (`reason: Couldn't find key options in Secret
 * jenkins/jenkins`, GoogleCloudPlatform/continuous-deployment-on-kubernetes#89; `kubectl logs`
 * quoting `is waiting to start: secrets "k8guard-report-secrets" not found`,
 * k8guard/k8guard-start-from-here#32; Shopify/kubernetes-deploy reads "Generate Container Config
 * Failed" as "reason/message are backwards in <1.8.0"). A reason is a CamelCase word; one with
 * spaces is that error text, swapped back so every reader sees the reason it knows.
 */
export const normalWaiting = (status: ContainerStatus): ContainerStatus => {
  const waiting = status.state?.waiting;
  const reason = waiting?.reason;
  if (typeof reason !== "string" || !/\s/.test(reason.trim())) return status;
  const step = typeof waiting?.message === "string" ? LEGACY_STEPS[waiting.message.trim()] : undefined;
  const inferred = step ?? (/couldn't find key|(?:secret|configmap)s? "[^"]+" not found/i.test(reason) ? "CreateContainerConfigError" : "CreateContainerError");
  return { ...status, state: { ...status.state, waiting: { reason: inferred, message: reason.trim() } } };
};

export const containersOf = (pod: Pod): ReadonlyArray<ContainerOfPod> => {
  const out: Array<ContainerOfPod> = [];
  const push = (statuses: ReadonlyArray<ContainerStatus> | undefined, init: boolean) => {
    if (!Array.isArray(statuses)) return;
    for (const raw of statuses) {
      if (typeof raw !== "object" || raw === null) continue;
      const status = normalWaiting(raw);
      const name = typeof status.name === "string" ? status.name : "";
      const spec = containerSpec(pod, name);
      out.push({ pod, name, init, status, ...(spec !== undefined ? { spec } : {}) });
    }
  };
  push(pod.status?.initContainerStatuses, true);
  push(pod.status?.containerStatuses, false);
  return out;
};

/** What a container exit code usually means, as an SRE would say it. */
export const exitCodeMeaning = (code: number | undefined): string | undefined => {
  switch (code) {
    case undefined:
      return undefined;
    case 0:
      return "exited normally (a long-running container should not exit)";
    case 1:
      return "application error";
    case 2:
      return "misuse of shell builtins / invalid arguments";
    case 126:
      return "command not executable";
    case 127:
      return "command not found";
    case 134:
      return "aborted (SIGABRT)";
    case 137:
      return "killed (SIGKILL: OOM killer, liveness probe or eviction)";
    case 139:
      return "segmentation fault (SIGSEGV)";
    case 143:
      return "terminated (SIGTERM)";
    default:
      return code > 128 ? `killed by signal ${code - 128}` : undefined;
  }
};

/** `a, b, c and 4 more`. */
export const listNames = (names: ReadonlyArray<string>, max = 3): string => {
  const unique = [...new Set(names)];
  if (unique.length <= max) return unique.join(", ");
  return `${unique.slice(0, max).join(", ")} and ${unique.length - max} more`;
};

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export const lastTerminated = (status: ContainerStatus) => status.lastState?.terminated ?? status.state?.terminated;

export const terminationTime = (status: ContainerStatus): number | undefined => {
  const t = lastTerminated(status);
  return toMillis(t?.finishedAt) ?? toMillis(t?.startedAt);
};

/** `kubectl … -n ns` with the namespace placed the way runbooks write it. */
export const kubectl = (namespace: string, command: string) => `kubectl -n ${namespace} ${command}`;

/** The controller's kind and name as kubectl spells it: `deployment/api`. */
export const kubectlRef = (kind: string, name: string) => `${kind.toLowerCase()}/${name}`;

/** Untrusted text (events, log lines) on one line, redacted before it is cut: a cut secret is unrecognisable. */
export const clipText = (text: string, max = 240) => {
  const t = redactSecrets(text).replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** AWS request ids and similar trailers name no cause; they only push it out of a short title. */
const NOISE = /,?\s*request id: [A-Za-z0-9-]+/gi;

/**
 * A Kubernetes or Go error message cut to `max` without losing its cause. Go wraps errors as
 * `outer: inner: innermost`, so the cause is at the end: when the message is too long, the first
 * segment (what was being done) is kept, then as many segments from the end as fit, joined by
 * "…". Redacted first, like every cut of untrusted text.
 */
export const causeText = (text: string, max = 160): string => {
  const t = redactSecrets(text).replace(NOISE, "").replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const parts = t.split(/: (?=\S)/);
  if (parts.length < 3) return `${t.slice(0, max - 1)}…`;
  const head = clipText(parts[0]!, Math.floor(max / 3));
  let tail = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i > 0 && head.length + 3 + tail.length + parts[i]!.length + 2 <= max; i--) tail = `${parts[i]}: ${tail}`;
  const room = max - head.length - 3;
  return `${head}: …${tail.length > room ? `${tail.slice(0, Math.max(1, room - 1))}…` : tail}`;
};
