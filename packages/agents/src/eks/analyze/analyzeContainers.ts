import type { Severity } from "@sre-on-call/core";
import type { Event, Pod } from "../kube/KubeObjects.js";
import { formatBytes, parseQuantity } from "../kube/quantity.js";
import { eventCount, eventTime, formatTime } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import {
  clipText,
  type ContainerOfPod,
  containersOf,
  exitCodeMeaning,
  isPodReady,
  kubectl,
  kubectlRef,
  lastTerminated,
  listNames,
  plural,
  podSource,
  terminationTime
} from "./podFacts.js";
import type { Subject } from "./Subject.js";

const IMAGE_PULL = new Set(["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"]);
const CONFIG_ERROR = new Set(["CreateContainerConfigError"]);
const CREATE_ERROR = new Set(["CreateContainerError", "RunContainerError", "StartError"]);

/** What the containers of a subject showed, for the subject's status line and the other analyzers. */
export interface ContainerReport {
  readonly crashing: ReadonlyArray<ContainerOfPod>;
  readonly notStarting: number;
  readonly oomKilled: number;
  readonly probeFailures: number;
}

const groupBy = <T>(items: ReadonlyArray<T>, key: (t: T) => string): Map<string, Array<T>> => {
  const groups = new Map<string, Array<T>>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [item]);
    else g.push(item);
  }
  return groups;
};

const workloadCommand = (subject: Subject) => (subject.ref.kind === "Pod" ? `pod/${subject.ref.name}` : kubectlRef(subject.ref.kind, subject.ref.name));

const podEvents = (a: Analysis, subject: Subject, pods: ReadonlyArray<Pod>): ReadonlyArray<Event> => {
  const index = a.events(subject.ref.namespace);
  return pods.flatMap((p) => index("Pod", p.metadata.name));
};

const describeRegistryError = (message: string): string => {
  const m = message.toLowerCase();
  if (/not found|manifest unknown|does not exist|no such manifest/.test(m)) return "the image or tag does not exist in the registry";
  if (/unauthorized|denied|forbidden|403|401|authentication required|no basic auth credentials/.test(m)) return "the registry refused the credentials (imagePullSecrets or the node role's ECR permissions)";
  if (/toomanyrequests|rate limit/.test(m)) return "the registry rate-limited the pulls";
  if (/i\/o timeout|timeout|no such host|connection refused|dial tcp/.test(m)) return "the registry could not be reached from the node";
  if (/invalid reference format|invalidimagename/.test(m)) return "the image reference is malformed";
  return "the image could not be pulled";
};

const imagePull = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [image, group] of groupBy(issues, (c) => c.spec?.image ?? c.status.image ?? "")) {
    const pods = group.map((c) => c.pod);
    const failed = podEvents(a, subject, pods).filter((e) => e.reason === "Failed" && /image/i.test(e.message ?? ""));
    const message = failed.map((e) => e.message ?? "").find((m) => /pull/i.test(m)) ?? group.find((c) => c.status.state?.waiting?.message !== undefined)?.status.state?.waiting?.message ?? "";
    const cause = describeRegistryError(message);
    const reason = group[0]?.status.state?.waiting?.reason ?? "ImagePullBackOff";
    const when = failed.map(eventTime).filter((t): t is number => t !== undefined);
    const id = a.evidence.add({
      source: podSource(pods[0] ?? group[0]!.pod),
      timestamp: when.length > 0 ? Math.max(...when) : a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} of ${subject.label} (${listNames(pods.map((p) => p.metadata.name))}) cannot start container ${group[0]?.name ?? ""}: ${reason} for image ${image}${message !== "" ? ` — ${clipText(message, 300)}` : ""}`,
      metadata: { reason, image, message: clipText(message, 500), pods: pods.map((p) => p.metadata.name), container: group[0]?.name ?? "" }
    });
    a.propose(frame, subject.label, {
      key: `image-pull:${subject.label}:${image}`,
      title: `Image ${image} cannot be pulled: ${cause}`,
      detail: `${subject.label} cannot start its ${group[0]?.name ?? ""} container on ${plural(pods.length, "pod")}: ${reason}. ${message !== "" ? `The kubelet reported: ${clipText(message, 300)}` : ""}`.trim(),
      confidence: "high",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pods[0]?.metadata.name ?? ""}`)} (Events: Failed to pull image); check the tag exists in the registry and the pull credentials.`,
      actions: [
        `Check that ${image} exists (e.g. \`aws ecr describe-images\` or the registry UI) and fix the tag in the manifest`,
        ...(subject.ref.kind === "Deployment" ? [`Roll back if a bad tag was just deployed: ${kubectl(subject.ref.namespace, `rollout undo ${workloadCommand(subject)}`)}`] : []),
        "If access is denied: check imagePullSecrets and the node IAM role's ECR permissions"
      ]
    });
  }
};

interface MissingConfig {
  readonly kind: "Secret" | "ConfigMap";
  readonly name: string;
  readonly key?: string;
}

/** The kubelet's wording for a missing Secret/ConfigMap or key (`couldn't find key K in Secret ns/name`). */
export const parseConfigError = (message: string): MissingConfig | undefined => {
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (?:[\w.-]+\/)?([\w.-]+)/.exec(message);
  if (key !== null) return { kind: key[2] === "Secret" ? "Secret" : "ConfigMap", name: key[3] ?? "", key: key[1] ?? "" };
  const object = /(secret|configmap) "([\w.-]+)" not found/i.exec(message);
  if (object !== null) return { kind: object[1]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap", name: object[2] ?? "" };
  return undefined;
};

const configError = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [message, group] of groupBy(issues, (c) => c.status.state?.waiting?.message ?? "")) {
    const pods = group.map((c) => c.pod);
    const missing = parseConfigError(message);
    const id = a.evidence.add({
      source: podSource(pods[0]!),
      timestamp: a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} of ${subject.label} (${listNames(pods.map((p) => p.metadata.name))}) cannot create container ${group[0]?.name ?? ""}: CreateContainerConfigError — ${clipText(message || "no message", 300)}`,
      metadata: { reason: "CreateContainerConfigError", message: clipText(message, 500), pods: pods.map((p) => p.metadata.name), ...(missing !== undefined ? { missing: { ...missing } } : {}) }
    });
    const what = missing === undefined ? "a Secret or ConfigMap it references is missing" : missing.key !== undefined ? `${missing.kind} ${missing.name} has no key ${missing.key}` : `${missing.kind} ${missing.name} does not exist`;
    const get = missing === undefined ? "get secrets,configmaps" : `get ${missing.kind.toLowerCase()} ${missing.name} -o jsonpath='{.data}'`;
    a.propose(frame, subject.label, {
      key: `config:${subject.label}:${message}`,
      title: `${subject.label} cannot start: ${what}`,
      detail: `The kubelet cannot build the container's environment or volumes: ${clipText(message, 300)}. Every new pod of ${subject.label} will fail the same way until the reference is fixed.`,
      confidence: message === "" ? "medium" : "high",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, get)} and compare with the env/envFrom/volumes of ${workloadCommand(subject)}`,
      actions: [
        missing?.key !== undefined
          ? `Add key ${missing.key} to ${missing.kind} ${missing.name} in ${subject.ref.namespace} (or fix the key name in the manifest)`
          : `Create the missing ${missing?.kind ?? "Secret/ConfigMap"}${missing !== undefined ? ` ${missing.name}` : ""} in ${subject.ref.namespace}`,
        ...(subject.ref.kind === "Deployment" ? [`Or roll back: ${kubectl(subject.ref.namespace, `rollout undo ${workloadCommand(subject)}`)}`] : [])
      ]
    });
  }
};

const createError = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [message, group] of groupBy(issues, (c) => c.status.state?.waiting?.message ?? lastTerminated(c.status)?.message ?? "")) {
    const pods = group.map((c) => c.pod);
    const reason = group[0]?.status.state?.waiting?.reason ?? "CreateContainerError";
    const id = a.evidence.add({
      source: podSource(pods[0]!),
      timestamp: a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} of ${subject.label} cannot start container ${group[0]?.name ?? ""}: ${reason} — ${clipText(message || "no message", 300)}`,
      metadata: { reason, message: clipText(message, 500), pods: pods.map((p) => p.metadata.name) }
    });
    a.propose(frame, subject.label, {
      key: `create:${subject.label}:${message}`,
      title: `${subject.label}: the container runtime cannot start ${group[0]?.name ?? "the container"} (${reason})`,
      detail: clipText(message || `${reason} without a message`, 400),
      confidence: message === "" ? "medium" : "high",
      depth: 2,
      supporting: [id],
      confirmBy: kubectl(subject.ref.namespace, `describe pod ${pods[0]?.metadata.name ?? ""}`),
      actions: ["Fix the container's command, entrypoint or volume mounts in the image or manifest"]
    });
  }
};

const oomKilled = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [container, group] of groupBy(issues, (c) => c.name)) {
    const pods = group.map((c) => c.pod);
    const limitText = group[0]?.spec?.resources?.limits?.["memory"];
    const limit = parseQuantity(limitText);
    const restarts = group.map((c) => c.status.restartCount ?? 0);
    const last = Math.max(...group.map((c) => terminationTime(c.status) ?? 0));
    const nodePressure = pods.some((p) => a.node(p.spec?.nodeName)?.status?.conditions?.some((c) => c.type === "MemoryPressure" && c.status === "True") === true);
    const id = a.evidence.add({
      source: podSource(pods[0]!),
      timestamp: last > 0 ? last : a.alertTime,
      severity: "critical",
      content: `Container ${container} of ${subject.label} was OOMKilled (exit 137) on ${plural(pods.length, "pod")} (${listNames(pods.map((p) => p.metadata.name))}), ${restarts.reduce((x, y) => x + y, 0)} restarts in total; memory limit ${limitText ?? "none"}${last > 0 ? `, last at ${formatTime(last)}` : ""}`,
      metadata: { reason: "OOMKilled", exitCode: 137, container, limit: limitText ?? null, limitBytes: limit ?? null, restarts, pods: pods.map((p) => p.metadata.name) }
    });
    const raised = limit !== undefined ? formatBytes(Math.ceil((limit * 2) / 2 ** 20) * 2 ** 20) : undefined;
    a.propose(frame, subject.label, {
      key: `oom:${subject.label}:${container}`,
      title:
        limit !== undefined
          ? `${subject.label} is OOMKilled: container ${container} exceeds its ${limitText ?? ""} memory limit`
          : `${subject.label} is OOMKilled without a memory limit${nodePressure ? " while its node is under memory pressure" : ""}`,
      detail:
        limit !== undefined
          ? `The kernel killed ${container} when it reached its cgroup limit of ${limitText ?? ""} (${formatBytes(limit)}); the kubelet restarts it, so the pods crash-loop. Either the limit is too low for the current load or the process leaks memory.`
          : `${container} has no memory limit, so it was killed by the node's OOM killer when the node ran out of memory.`,
      confidence: "high",
      depth: 2,
      supporting: [id],
      confirmBy: `Compare container_memory_working_set_bytes{namespace="${subject.ref.namespace}",container="${container}"} with the limit before each kill; ${kubectl(subject.ref.namespace, `describe pod ${pods[0]?.metadata.name ?? ""}`)} shows Last State: OOMKilled`,
      actions: [
        limit !== undefined
          ? `Raise the limit if the usage is legitimate: ${kubectl(subject.ref.namespace, `set resources ${workloadCommand(subject)} -c ${container} --limits=memory=${raised ?? ""}`)}`
          : `Set memory requests/limits on ${container} so it is scheduled with the memory it needs`,
        "Look for a memory leak or a load spike starting before the first kill (heap profile, recent deploy)"
      ]
    });
  }
};

const crashLoop = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [, group] of groupBy(issues, (c) => `${c.name}:${lastTerminated(c.status)?.reason ?? ""}:${lastTerminated(c.status)?.exitCode ?? ""}`)) {
    const first = group[0]!;
    const pods = group.map((c) => c.pod);
    const term = lastTerminated(first.status);
    const exitCode = term?.exitCode;
    const meaning = exitCodeMeaning(exitCode);
    const restarts = group.map((c) => c.status.restartCount ?? 0);
    const last = Math.max(...group.map((c) => terminationTime(c.status) ?? 0));
    const waitingReason = first.status.state?.waiting?.reason;
    const severity: Severity = pods.length === subject.pods.length ? "critical" : "high";
    const crashId = a.evidence.add({
      source: podSource(pods[0]!),
      timestamp: last > 0 ? last : a.alertTime,
      severity,
      content: `Container ${first.name} of ${subject.label} is ${waitingReason === "CrashLoopBackOff" ? "in CrashLoopBackOff" : "restarting"} on ${plural(pods.length, "pod")} of ${subject.pods.length} (${listNames(pods.map((p) => p.metadata.name))}): last terminated ${term?.reason ?? "unknown"} with exit code ${exitCode ?? "unknown"}${meaning !== undefined ? ` (${meaning})` : ""}, ${restarts.reduce((x, y) => x + y, 0)} restarts${last > 0 ? `, last at ${formatTime(last)}` : ""}`,
      metadata: { reason: waitingReason ?? "Restarting", lastReason: term?.reason ?? null, exitCode: exitCode ?? null, container: first.name, restarts, pods: pods.map((p) => p.metadata.name) }
    });
    // The crash's own words, from the instance that died (previous log) or the one dying now.
    const crashes = new Map<string, { headline: string; rootCause?: string; pods: Array<string>; time?: number }>();
    let logsSeen = false;
    for (const c of group) {
      const signals = a.logSignals(c.pod, c.name, true) ?? a.logSignals(c.pod, c.name, false);
      if (signals === undefined) continue;
      logsSeen = true;
      if (signals.crash === undefined) continue;
      const k = signals.crash.rootCause ?? signals.crash.headline;
      const seen = crashes.get(k);
      if (seen === undefined)
        crashes.set(k, {
          headline: signals.crash.headline,
          pods: [c.pod.metadata.name],
          ...(signals.crash.rootCause !== undefined ? { rootCause: signals.crash.rootCause } : {}),
          ...(signals.crash.time !== undefined ? { time: signals.crash.time } : {})
        });
      else seen.pods.push(c.pod.metadata.name);
    }
    const logsCmd = kubectl(subject.ref.namespace, `logs ${pods[0]?.metadata.name ?? ""} -c ${first.name} --previous`);
    if (crashes.size === 0) {
      a.propose(frame, subject.label, {
        key: `crash:${subject.label}:${first.name}:${exitCode ?? ""}`,
        title: `${subject.label} crash-loops: ${first.name} exits with code ${exitCode ?? "unknown"} (${term?.reason ?? "unknown reason"})`,
        detail: `${plural(pods.length, "pod")} keep restarting${meaning !== undefined ? `; exit code ${exitCode ?? ""} means ${meaning}` : ""}. ${logsSeen ? "Their logs show no fatal error line." : "No logs were available to say why."}`,
        confidence: "medium",
        depth: 1,
        supporting: [crashId],
        confirmBy: logsCmd,
        actions: [`Read the crash: ${logsCmd}`, ...(subject.ref.kind === "Deployment" && subject.replicaSets.length > 1 ? [`If it started with the last rollout: ${kubectl(subject.ref.namespace, `rollout undo ${workloadCommand(subject)}`)}`] : [])]
      });
      continue;
    }
    for (const crash of crashes.values()) {
      const cause = crash.rootCause ?? crash.headline;
      const logId = a.evidence.add({
        source: podSource(pods.find((p) => p.metadata.name === crash.pods[0]) ?? pods[0]!),
        timestamp: crash.time ?? (last > 0 ? last : a.alertTime),
        severity,
        content: `${first.name} of ${subject.label} dies with: ${crash.headline}${crash.rootCause !== undefined && crash.rootCause !== crash.headline ? ` — first cause: ${crash.rootCause}` : ""} (${plural(crash.pods.length, "pod")}: ${listNames(crash.pods)})`,
        metadata: { headline: crash.headline, rootCause: crash.rootCause ?? null, pods: crash.pods, container: first.name }
      });
      a.propose(frame, subject.label, {
        key: `crash:${subject.label}:${first.name}:${cause}`,
        title: `${subject.label} crashes on start: ${clipText(cause, 140)}`,
        detail: `${first.name} exits with code ${exitCode ?? "unknown"} (${term?.reason ?? "unknown"}) and the kubelet restarts it (CrashLoopBackOff). The log of the failed instance ends with: ${clipText(crash.headline, 200)}${crash.rootCause !== undefined ? `; the first cause in the stack trace is: ${clipText(crash.rootCause, 200)}` : ""}.`,
        confidence: "high",
        depth: 1,
        supporting: [crashId, logId],
        confirmBy: logsCmd,
        actions: [
          ...(subject.ref.kind === "Deployment" && subject.replicaSets.length > 1 ? [`If the crash started with the last rollout, roll back: ${kubectl(subject.ref.namespace, `rollout undo ${workloadCommand(subject)}`)}`] : []),
          `Fix the error the process reports (${clipText(cause, 100)})`
        ]
      });
    }
  }
};

const PROBE = /^(Liveness|Readiness|Startup) probe (?:failed|errored): ?(.*)$/s;

const probes = (a: Analysis, frame: Frame, subject: Subject): number => {
  const events = podEvents(a, subject, subject.pods);
  const failures = events.filter((e) => e.reason === "Unhealthy" && PROBE.test(e.message ?? ""));
  const kills = events.filter((e) => e.reason === "Killing" && /failed (liveness|startup) probe/i.test(e.message ?? ""));
  let found = 0;
  for (const [kind, group] of groupBy(failures, (e) => PROBE.exec(e.message ?? "")?.[1] ?? "")) {
    const count = group.reduce((n, e) => n + eventCount(e), 0);
    const pods = [...new Set(group.map((e) => e.involvedObject?.name ?? ""))];
    const sample = PROBE.exec(group[group.length - 1]?.message ?? "")?.[2]?.trim() ?? "";
    const last = Math.max(...group.map((e) => eventTime(e) ?? 0));
    const restartsByProbe = kind !== "Readiness" ? kills.filter((k) => k.message?.toLowerCase().includes(kind.toLowerCase())).reduce((n, e) => n + eventCount(e), 0) : 0;
    const notReady = subject.pods.filter((p) => pods.includes(p.metadata.name) && !isPodReady(p)).length;
    // Old probe failures on pods that are ready again do not explain a current alert.
    if (!a.recent(last) && notReady === 0 && restartsByProbe === 0) continue;
    found++;
    const probeSpec = subject.pods[0]?.spec?.containers?.[0]?.[kind === "Liveness" ? "livenessProbe" : kind === "Readiness" ? "readinessProbe" : "startupProbe"];
    const target = probeSpec?.httpGet !== undefined ? `GET ${probeSpec.httpGet.path ?? "/"} on port ${probeSpec.httpGet.port ?? ""}` : probeSpec?.tcpSocket !== undefined ? `TCP port ${probeSpec.tcpSocket.port ?? ""}` : probeSpec?.exec !== undefined ? `exec ${(probeSpec.exec.command ?? []).join(" ")}` : "the probe";
    const id = a.evidence.add({
      source: `kubernetes/pod/${subject.ref.namespace}/${pods[0] ?? ""}`,
      timestamp: last > 0 ? last : a.alertTime,
      severity: kind === "Readiness" ? "high" : "critical",
      content: `${kind} probe of ${subject.label} failed ${count} times on ${plural(pods.length, "pod")} (${listNames(pods)}): ${clipText(sample, 200)}${restartsByProbe > 0 ? `; the kubelet restarted the container ${restartsByProbe} times for it` : ""}${kind === "Readiness" ? `; ${notReady} of ${subject.pods.length} pods not ready` : ""}`,
      metadata: { probe: kind.toLowerCase(), failures: count, pods, message: clipText(sample, 300), restartsByProbe, notReady, target }
    });
    const timeoutLike = /timeout|deadline exceeded|Client\.Timeout/i.test(sample);
    a.propose(frame, subject.label, {
      key: `probe:${subject.label}:${kind}`,
      title:
        kind === "Readiness"
          ? `${subject.label} fails its readiness probe (${target}): pods are taken out of the Service`
          : `${subject.label} is restarted by its failing ${kind.toLowerCase()} probe (${target})`,
      detail: `The ${kind.toLowerCase()} probe (${target}) answered: ${clipText(sample, 200)}. ${timeoutLike ? "It timed out: the process is too slow to answer (overload, a blocking dependency, or a timeout too tight for it)." : "The endpoint answered with an error: the application reports itself unhealthy, often because a dependency it checks is down."}`,
      // Restarts the kubelet made for this probe explain the crash loop they show up as: the
      // probe is the deeper cause, above the generic "exits with code 137" hypothesis.
      confidence: restartsByProbe > 0 ? "high" : notReady > 0 ? "medium" : "low",
      depth: restartsByProbe > 0 ? 2 : 1,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pods[0] ?? ""}`)} (Events: Unhealthy); call ${target} from inside the pod to see what it reports`,
      actions: [
        "Find what the health endpoint depends on and check it (database, cache, downstream API)",
        timeoutLike ? "If the process is merely slow: raise timeoutSeconds/failureThreshold or add a startupProbe" : "Read the application's logs around the probe failures"
      ]
    });
  }
  return found;
};

/**
 * Checks each container of the subject's pods: image pulls, missing Secrets/ConfigMaps, runtime
 * errors, OOM kills against the memory limit, crash loops (with the crash read from the logs),
 * and probe failures from the kubelet's events.
 */
export const analyzeContainers = (a: Analysis, frame: Frame, subject: Subject): ContainerReport => {
  const containers = subject.pods.flatMap(containersOf);
  const waitingIn = (reasons: ReadonlySet<string>) => containers.filter((c) => reasons.has(c.status.state?.waiting?.reason ?? ""));
  const pull = waitingIn(IMAGE_PULL);
  const config = waitingIn(CONFIG_ERROR);
  const create = waitingIn(CREATE_ERROR);
  // A restart counts when the container is backing off now or died within the alert's window.
  const restarting = containers.filter(
    (c) =>
      !IMAGE_PULL.has(c.status.state?.waiting?.reason ?? "") &&
      !CONFIG_ERROR.has(c.status.state?.waiting?.reason ?? "") &&
      !CREATE_ERROR.has(c.status.state?.waiting?.reason ?? "") &&
      (c.status.state?.waiting?.reason === "CrashLoopBackOff" || ((c.status.restartCount ?? 0) > 0 && a.recent(terminationTime(c.status))) || (c.status.state?.terminated !== undefined && c.status.state.terminated.exitCode !== 0 && c.pod.status?.phase !== "Succeeded"))
  );
  const oom = restarting.filter((c) => lastTerminated(c.status)?.reason === "OOMKilled");
  const crashing = restarting.filter((c) => lastTerminated(c.status)?.reason !== "OOMKilled");
  if (pull.length > 0) imagePull(a, frame, subject, pull);
  if (config.length > 0) configError(a, frame, subject, config);
  if (create.length > 0) createError(a, frame, subject, create);
  if (oom.length > 0) oomKilled(a, frame, subject, oom);
  if (crashing.length > 0) crashLoop(a, frame, subject, crashing);
  const probeFailures = probes(a, frame, subject);
  return { crashing: restarting, notStarting: pull.length + config.length + create.length, oomKilled: oom.length, probeFailures };
};
