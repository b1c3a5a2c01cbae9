import type { Severity } from "@sre-on-call/core";
import type { Container, Event, Node, Pod } from "../kube/KubeObjects.js";
import { formatBytes, parseQuantity } from "../kube/quantity.js";
import { eventCount, eventTime, formatTime } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { configReferences, type MissingConfig, parseConfigError, referencesTo } from "./describeConfigFailure.js";
import { describePullFailure } from "./describePullFailure.js";
import { logKey } from "../investigate/ClusterView.js";
import { describeProbeFailure } from "./describeProbeFailure.js";
import { probeAnswersInLog } from "./probeLog.js";
import { envNamedBy, type PreviousEnv } from "./envNamedBy.js";
import { serviceLinkHint } from "./serviceLinks.js";
import { portHolderOnNode } from "./hostPorts.js";
import { type OwnershipRefusal, ownershipRefused } from "./ownershipRefused.js";
import { configMapElsewhere } from "./configMapElsewhere.js";
import { describeRuntimeFailure, missingCommandAction, missingCommandText, type RuntimeFailure } from "./describeRuntimeFailure.js";
import {
  causeText,
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
import { dependencyFailureIn, exitReasonText, scanLog } from "./scanLog.js";
import { eventsOfContainer, latestInformative, namesOnlyTheSymptom, withoutErrorPrefix } from "./selectEvents.js";
import { refKey, revisionOf, type Subject } from "./Subject.js";

export { parseConfigError } from "./describeConfigFailure.js";

const IMAGE_PULL = new Set(["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"]);
const CONFIG_ERROR = new Set(["CreateContainerConfigError"]);
const CREATE_ERROR = new Set(["CreateContainerError", "RunContainerError", "StartError"]);
/** Terminated reasons that mean the runtime never started the process: the message is the runtime's, not the app's. */
const RUNTIME_TERMINATION = new Set(["ContainerCannotRun", "StartError"]);
const FAILED = new Set(["Failed"]);

/** What the containers of a subject showed, for the subject's status line and the other analyzers. */
export interface ContainerReport {
  readonly crashing: ReadonlyArray<ContainerOfPod>;
  readonly notStarting: number;
  readonly oomKilled: number;
  readonly probeFailures: number;
}

/**
 * A cause the containers' own evidence named (a status or termination message, a kubelet event, a
 * log line): what the rollout check weighs a coinciding rollout against.
 */
export interface NamedCause {
  readonly title: string;
  readonly pods: ReadonlyArray<string>;
  /** The cause is the program's own defect (a nil dereference, a TypeError): what a bad release looks like. */
  readonly codeDefect: boolean;
  /** Images the cause is about (an image that cannot be pulled). */
  readonly images: ReadonlyArray<string>;
}

const namedByAnalysis = new WeakMap<Analysis, Map<string, Array<NamedCause>>>();

const rememberCause = (a: Analysis, subject: Subject, cause: NamedCause) => {
  let bySubject = namedByAnalysis.get(a);
  if (bySubject === undefined) {
    bySubject = new Map();
    namedByAnalysis.set(a, bySubject);
  }
  const key = refKey(subject.ref);
  const list = bySubject.get(key);
  if (list === undefined) bySubject.set(key, [cause]);
  else list.push(cause);
};

/** The causes analyzeContainers found in the subject's own evidence (empty before it ran). */
export const namedCauses = (a: Analysis, subject: Subject): ReadonlyArray<NamedCause> => namedByAnalysis.get(a)?.get(refKey(subject.ref)) ?? [];

/*
 * Crash lines that are the program's own defect rather than something outside it: a release that
 * dereferences nil crashes the same way whatever the environment, so the rollout that shipped it
 * stays the cause.
 */
const CODE_DEFECT =
  /runtime error|nil pointer|null pointer|NullPointerException|segmentation (?:fault|violation)|SIGSEGV|\b(?:TypeError|AttributeError|KeyError|IndexError|NameError|ReferenceError|UnboundLocalError|ZeroDivisionError|NoMethodError|ClassCastException|ArrayIndexOutOfBoundsException|IndexOutOfBoundsException|NoSuchMethodError|AbstractMethodError)\b|is not a function|is not defined|Cannot read propert|undefined method|index out of range|assertion failed/i;

export const isCodeDefect = (text: string): boolean => CODE_DEFECT.test(text);

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

/** `container api`, `init container migrate`: how titles name a container. */
const containerLabel = (c: ContainerOfPod) => `${c.init ? "init container" : "container"} ${c.name}`;

/**
 * The kubelet's latest `Failed` event about this container that says more than the state it is
 * in, without its `Error: ` prefix.
 */
const kubeletFailure = (a: Analysis, subject: Subject, c: ContainerOfPod, accept: (message: string) => boolean): { message: string; time?: number } | undefined => {
  const e = latestInformative(eventsOfContainer(podEvents(a, subject, [c.pod]), c.name), FAILED, accept);
  if (e === undefined) return undefined;
  const time = eventTime(e);
  return { message: withoutErrorPrefix(e.message ?? ""), ...(time !== undefined ? { time } : {}) };
};

const PULL_MESSAGE = /pull|image|manifest|registry/i;

/** The node's CPU architecture as the kubelet labels it. */
const nodeArch = (node: Node | undefined): string | undefined =>
  node?.metadata.labels?.["kubernetes.io/arch"] ?? node?.metadata.labels?.["beta.kubernetes.io/arch"] ?? node?.status?.nodeInfo?.architecture;

const pullSecretsOf = (pod: Pod): ReadonlyArray<string> =>
  Array.isArray(pod.spec?.imagePullSecrets) ? pod.spec.imagePullSecrets.map((s) => s.name).filter((n): n is string => typeof n === "string") : [];

const imagePull = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [image, group] of groupBy(issues, (c) => c.spec?.image ?? c.status.image ?? "")) {
    const pods = [...new Set(group.map((c) => c.pod))];
    // The most recent informative word on the pull, across the group: the registry's reason.
    let best: { message: string; time?: number; c: ContainerOfPod } | undefined;
    for (const c of group) {
      const event = kubeletFailure(a, subject, c, (m) => PULL_MESSAGE.test(m));
      const waiting = c.status.state?.waiting?.message;
      const found = event ?? (waiting !== undefined && !namesOnlyTheSymptom(waiting) ? { message: waiting } : undefined);
      if (found !== undefined && (best === undefined || (found.time ?? 0) > (best.time ?? 0))) best = { ...found, c };
    }
    const first = best?.c ?? group[0]!;
    const message = best?.message ?? "";
    const failure = describePullFailure(message, { image, ...archOf(a, first.pod), pullSecrets: pullSecretsOf(first.pod) });
    const reason = first.status.state?.waiting?.reason ?? "ImagePullBackOff";
    const id = a.evidence.add({
      source: podSource(first.pod),
      timestamp: best?.time ?? a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} of ${subject.label} (${listNames(pods.map((p) => p.metadata.name))}) cannot start ${containerLabel(first)}: ${reason} for image ${image}${message !== "" ? ` — ${causeText(message, 400)}` : ""}`,
      metadata: { reason, image, message: causeText(message, 600), pods: pods.map((p) => p.metadata.name), container: first.name, registry: failure.registry, failure: failure.kind }
    });
    const title = `Image ${image} cannot be pulled: ${failure.cause}`;
    rememberCause(a, subject, { title, pods: pods.map((p) => p.metadata.name), codeDefect: false, images: [image] });
    a.propose(frame, subject.label, {
      key: `image-pull:${subject.label}:${image}`,
      title,
      detail: `${subject.label} cannot start its ${containerLabel(first)} on ${plural(pods.length, "pod")}: ${reason}. ${message !== "" ? `The kubelet reported: ${causeText(message, 400)}` : "No event says why the pull fails."}`.trim(),
      confidence: failure.certain ? "high" : "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${first.pod.metadata.name}`)} (Events: Failed to pull image)`,
      actions: [failure.action, ...(subject.ref.kind === "Deployment" ? [`Roll back if a bad tag was just deployed: ${kubectl(subject.ref.namespace, `rollout undo ${workloadCommand(subject)}`)}`] : [])]
    });
  }
};

const archOf = (a: Analysis, pod: Pod): { nodeArch?: string } => {
  const arch = nodeArch(a.node(pod.spec?.nodeName));
  return arch !== undefined ? { nodeArch: arch } : {};
};

const missingText = (missing: MissingConfig, namespace: string) =>
  missing.key !== undefined ? `${missing.kind} ${missing.name} has no key ${missing.key}` : `${missing.kind} ${missing.name} does not exist in namespace ${namespace}`;

const configError = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  // The waiting message when the status has one, else the kubelet's latest event for that container.
  const withMessage = issues.map((c) => {
    const waiting = c.status.state?.waiting?.message;
    if (waiting !== undefined && waiting.trim() !== "") return { c, message: waiting.trim(), time: undefined as number | undefined };
    const event = kubeletFailure(a, subject, c, (m) => !PULL_MESSAGE.test(m));
    return { c, message: event?.message ?? "", time: event?.time };
  });
  for (const [, group] of groupBy(withMessage, (x) => `${x.c.name}\n${x.message}`)) {
    const { c: first, message } = group[0]!;
    const pods = [...new Set(group.map((x) => x.c.pod))];
    const missing = parseConfigError(message);
    const references = configReferences(first.pod, first.spec);
    const matched = missing === undefined ? [] : referencesTo(references, missing);
    const times = group.map((x) => x.time).filter((t): t is number => t !== undefined);
    const id = a.evidence.add({
      source: podSource(first.pod),
      timestamp: times.length > 0 ? Math.max(...times) : a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} of ${subject.label} (${listNames(pods.map((p) => p.metadata.name))}) cannot create ${containerLabel(first)}: ${first.status.state?.waiting?.reason ?? "CreateContainerConfigError"} — ${causeText(message || "no message in the status or events", 300)}`,
      metadata: {
        reason: "CreateContainerConfigError",
        message: causeText(message, 500),
        pods: pods.map((p) => p.metadata.name),
        container: first.name,
        ...(missing !== undefined ? { missing: { ...missing } } : {}),
        references: references.map((r) => `${r.kind}/${r.name}${r.key !== undefined ? `[${r.key}]` : ""} (${r.via})`)
      }
    });
    const where = matched.length > 0 ? ` (${listNames(matched.map((r) => r.via))} of ${containerLabel(first)})` : first.init ? ` (${containerLabel(first)})` : "";
    const required = references.filter((r) => !r.optional);
    const subPath = missing === undefined ? missingSubPath(first, message) : undefined;
    const elsewhere = missing?.kind === "ConfigMap" && missing.key === undefined ? configMapElsewhere(a, subject.ref.namespace, message) : undefined;
    const title =
      missing !== undefined
        ? `${subject.label} cannot start: ${missingText(missing, subject.ref.namespace)}${where}${elsewhere !== undefined ? `, but a ConfigMap of that name exists in namespace ${listNames(elsewhere.homes)} (created in the wrong namespace)` : ""}`
        : subPath !== undefined
          ? `${subject.label} cannot start ${containerLabel(first)}: the directory behind its subPath mount ${subPath} does not exist (${causeText(message, 100)})`
          : message !== ""
            ? `${subject.label} cannot start ${containerLabel(first)}: ${causeText(message, 140)}`
            : `${subject.label} cannot start ${containerLabel(first)} (CreateContainerConfigError): neither its status nor the events say which reference fails${required.length > 0 ? `; it needs ${listNames(required.map((r) => `${r.kind} ${r.name}${r.key !== undefined ? ` key ${r.key}` : ""}`))}, which the data read cannot check (a cluster dump holds no Secrets or ConfigMaps)` : ""}`;
    if (missing !== undefined || subPath !== undefined) rememberCause(a, subject, { title, pods: pods.map((p) => p.metadata.name), codeDefect: false, images: [] });
    const get = missing === undefined ? "get secrets,configmaps" : `get ${missing.kind.toLowerCase()} ${missing.name} -o jsonpath='{.data}'`;
    a.propose(frame, subject.label, {
      key: `config:${subject.label}:${first.name}:${message}`,
      title,
      detail: `The kubelet cannot build ${containerLabel(first)}'s environment or volumes${message !== "" ? `: ${causeText(message, 300)}` : ""}.${matched.length > 0 ? ` The pod spec takes it through ${listNames(matched.map((r) => r.via))}.` : ""} Every new pod of ${subject.label} fails the same way until the reference or the object is fixed.`,
      // A whole Secret/ConfigMap that does not exist leaves open who was to create it (a chart step, an operator, cert-manager):
      // high only for a missing key, a ConfigMap found in another namespace, or a subPath.
      confidence: subPath !== undefined || elsewhere !== undefined || (missing !== undefined && missing.key !== undefined) ? "high" : "medium",
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

/*
 * The kubelet prepares a subPath mount by creating the sub-directory in the volume; when the
 * volume's own directory is not there it reports `stat <path>: no such file or directory` as a
 * CreateContainerConfigError: kubernetes/kubernetes#66583 (hostPath /logs/pods/ with subPath
 * `$(POD_NAME)`, which subPath does not expand: subPathExpr does), k3d-io/k3d#765 (a hostPath
 * PersistentVolume at /data/app with a subPath).
 */
const missingSubPath = (c: ContainerOfPod, message: string): string | undefined => {
  if (!/^(?:Error: )?stat \S+: no such file or directory$/.test(message.trim())) return undefined;
  const mounts = (Array.isArray(c.spec?.volumeMounts) ? c.spec.volumeMounts : []).filter((m) => typeof m.subPath === "string" && m.subPath !== "");
  if (mounts.length === 0) return undefined;
  return listNames(mounts.map((m) => `${m.mountPath ?? "?"} (volume ${m.name ?? "?"}, subPath ${m.subPath ?? ""}${(m.subPath ?? "").includes("$(") ? ": subPath does not expand $(VAR), subPathExpr does" : ""})`));
};

/** `echo $HOSTNAME`: the command line the spec runs, when it sets one. */
const commandLine = (spec: Container | undefined): string | undefined => {
  const parts = [...(Array.isArray(spec?.command) ? spec.command : []), ...(Array.isArray(spec?.args) ? spec.args : [])].filter((p): p is string => typeof p === "string");
  return parts.length > 0 ? clipText(parts.join(" "), 120) : undefined;
};

const mountOf = (c: ContainerOfPod, target: string) => (Array.isArray(c.spec?.volumeMounts) ? c.spec.volumeMounts.find((m) => m.mountPath === target) : undefined);

/**
 * A runtime failure to start the process, turned into the cause it names, checked against the
 * spec (is the missing command the spec's, which volume is mounted there, which CPU the node has).
 */
const runtimeCause = (a: Analysis, subject: Subject, c: ContainerOfPod, failure: RuntimeFailure): { title: string; certain: boolean; action: string } => {
  const who = `${subject.label} cannot start ${containerLabel(c)}`;
  const image = c.spec?.image ?? c.status.image ?? "its image";
  switch (failure.kind) {
    case "no-command":
      return {
        title: `${who}: neither image ${image} nor the pod spec sets a command to run (${failure.detail})`,
        certain: true,
        action: "Set `command` in the container spec, or use an image with an ENTRYPOINT/CMD"
      };
    case "command-missing": {
      const fromSpec = c.spec?.command?.[0] === failure.command || (c.spec?.command === undefined && c.spec?.args?.[0] === failure.command);
      return {
        title: `${who}: ${missingCommandText(fromSpec ? "the command the pod spec sets" : "its command", failure.command, image)} (${failure.detail})`,
        certain: true,
        action: fromSpec ? missingCommandAction(failure.command, c.name ?? "the container") : `Fix the image's entrypoint or set \`command\` of ${c.name}`
      };
    }
    case "not-executable":
      return { title: `${who}: ${failure.command} in image ${image} is not executable (${failure.detail})`, certain: true, action: `Make ${failure.command} executable in the image (chmod +x), or run it through its interpreter` };
    case "exec-format": {
      const arch = nodeArch(a.node(c.pod.spec?.nodeName));
      return arch !== undefined
        ? {
            title: `${subject.label}: ${containerLabel(c)}'s executable in image ${image} is not built for its node's architecture ${arch} (${failure.detail})`,
            certain: true,
            action: `Use an image built for linux/${arch} (a multi-arch tag), or pin the pod to nodes of the image's architecture with nodeSelector kubernetes.io/arch`
          }
        : {
            title: `${subject.label}: ${containerLabel(c)}'s executable in image ${image} cannot run on its node (${failure.detail}): built for another CPU architecture, or a script without a #! line`,
            certain: false,
            action: "Compare the image's architecture (`docker manifest inspect`) with the node's kubernetes.io/arch label"
          };
    }
    case "mount": {
      const mount = mountOf(c, failure.target);
      const volume = mount?.name !== undefined ? `volume ${mount.name}${mount.subPath !== undefined ? ` (subPath ${mount.subPath})` : ""}` : failure.source;
      const kind = /not a directory/i.test(failure.reason)
        ? "a file is mounted onto a directory or a directory onto a file"
        : /no such file or directory/i.test(failure.reason)
          ? "the source path does not exist"
          : failure.reason;
      return {
        title: `${who}: mounting ${volume} at ${failure.target} fails: ${failure.reason} (${kind})`,
        certain: true,
        action: `Fix the volumeMount of ${c.name} at ${failure.target}: its subPath/mountPath must match a file or directory of the same type in the volume`
      };
    }
  }
};

const proposeRuntime = (a: Analysis, frame: Frame, subject: Subject, group: ReadonlyArray<ContainerOfPod>, failure: RuntimeFailure, message: string, reason: string, time: number | undefined) => {
  const first = group[0]!;
  const pods = [...new Set(group.map((c) => c.pod))];
  const cause = runtimeCause(a, subject, first, failure);
  const id = a.evidence.add({
    source: podSource(first.pod),
    timestamp: time ?? a.alertTime,
    severity: "critical",
    content: `${plural(pods.length, "pod")} of ${subject.label} cannot start ${containerLabel(first)}: ${reason} — ${causeText(message, 400)}`,
    metadata: { reason, message: causeText(message, 600), pods: pods.map((p) => p.metadata.name), container: first.name, failure: failure.kind, command: commandLine(first.spec) ?? null }
  });
  rememberCause(a, subject, { title: cause.title, pods: pods.map((p) => p.metadata.name), codeDefect: false, images: [] });
  a.propose(frame, subject.label, {
    key: `runtime:${subject.label}:${first.name}:${failure.kind}`,
    title: cause.title,
    detail: `The container runtime fails before the process runs (${reason}): ${causeText(message, 400)}.${commandLine(first.spec) !== undefined ? ` The spec's command line: ${commandLine(first.spec) ?? ""}.` : ""}`,
    confidence: cause.certain ? "high" : "medium",
    depth: 2,
    supporting: [id],
    confirmBy: kubectl(subject.ref.namespace, `describe pod ${first.pod.metadata.name}`),
    actions: [cause.action]
  });
};

const createError = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  const withMessage = issues.map((c) => {
    const own = c.status.state?.waiting?.message ?? lastTerminated(c.status)?.message;
    if (own !== undefined && own.trim() !== "") return { c, message: own.trim(), time: terminationTime(c.status) };
    const event = kubeletFailure(a, subject, c, (m) => !PULL_MESSAGE.test(m) || /exec|mount|runtime/i.test(m));
    return { c, message: event?.message ?? "", time: event?.time };
  });
  for (const [, group] of groupBy(withMessage, (x) => `${x.c.name}\n${x.message}`)) {
    const { c: first, message, time } = group[0]!;
    const reason = first.status.state?.waiting?.reason ?? "CreateContainerError";
    const failure = describeRuntimeFailure(message);
    if (failure !== undefined) {
      proposeRuntime(
        a,
        frame,
        subject,
        group.map((x) => x.c),
        failure,
        message,
        reason,
        time
      );
      continue;
    }
    const pods = [...new Set(group.map((x) => x.c.pod))];
    const id = a.evidence.add({
      source: podSource(first.pod),
      timestamp: time ?? a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} of ${subject.label} cannot start ${containerLabel(first)}: ${reason} — ${causeText(message || "no message in the status or events", 300)}`,
      metadata: { reason, message: causeText(message, 500), pods: pods.map((p) => p.metadata.name) }
    });
    a.propose(frame, subject.label, {
      key: `create:${subject.label}:${first.name}:${message}`,
      title: message !== "" ? `${subject.label}: the container runtime cannot start ${containerLabel(first)} (${reason}): ${causeText(message, 140)}` : `${subject.label}: the container runtime cannot start ${containerLabel(first)} (${reason}); no message says why`,
      detail: causeText(message || `${reason} without a message`, 400),
      confidence: "medium",
      depth: 2,
      supporting: [id],
      confirmBy: kubectl(subject.ref.namespace, `describe pod ${first.pod.metadata.name}`),
      actions: ["Fix the container's command, entrypoint or volume mounts in the image or manifest"]
    });
  }
};

const UNIT: Readonly<Record<string, number>> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A JVM heap setting of a container: `-Xmx1024m` or `-XX:MaxRAMPercentage=80`, where it is set. */
interface JvmHeap {
  readonly flag: string;
  readonly where: string;
  readonly bytes?: number;
  readonly percent?: number;
}

/** The JVM heap a container is told to use, from its env values (`KAFKA_HEAP_OPTS`, `JAVA_OPTS`, …) or its command line. */
export const jvmHeap = (spec: Container | undefined): JvmHeap | undefined => {
  const sources: Array<{ readonly where: string; readonly text: string }> = [
    ...(Array.isArray(spec?.env) ? spec.env : []).filter((e) => typeof e.value === "string").map((e) => ({ where: e.name ?? "env", text: e.value ?? "" })),
    { where: "the command line", text: [...(Array.isArray(spec?.command) ? spec.command : []), ...(Array.isArray(spec?.args) ? spec.args : [])].join(" ") }
  ];
  for (const { where, text } of sources) {
    const xmx = [...text.matchAll(/-Xmx(\d+)([kmgt]?)\b/gi)].pop();
    if (xmx !== undefined) return { flag: xmx[0], where, bytes: Number(xmx[1]) * (UNIT[(xmx[2] ?? "").toLowerCase()] ?? 1) };
    const percent = /-XX:MaxRAMPercentage=(\d+(?:\.\d+)?)/.exec(text);
    if (percent !== null) return { flag: percent[0], where, percent: Number(percent[1]) };
  }
  return undefined;
};

/*
 * The JVM's heap is not all the memory it uses (metaspace, thread stacks, code cache, direct
 * buffers come on top), so a heap that takes the whole limit, or most of it, is killed by the
 * kernel before the JVM ever throws OutOfMemoryError: stafftastic/jitsu-chart#76 (KAFKA_HEAP_OPTS
 * -Xmx1024m under a 768Mi limit), openMF/mifos-gazelle#153 (-Xmx2048m "leaving little room" under
 * 2560Mi), virtualcell/vcell#1899 (MaxRAMPercentage=80 of 2000Mi plus ~700Mi non-heap).
 */
const HEAP_SHARE = 0.75;

const heapVersusLimit = (heap: JvmHeap | undefined, limit: number | undefined, limitText: string): string | undefined => {
  if (heap === undefined || limit === undefined || limit <= 0) return undefined;
  const share = heap.bytes !== undefined ? heap.bytes / limit : (heap.percent ?? 0) / 100;
  if (share < HEAP_SHARE) return undefined;
  const setting = `${heap.flag}${heap.where === "the command line" ? " on the command line" : ` in ${heap.where}`}`;
  if (share >= 1) return `its JVM heap (${setting}) is larger than its ${limitText} memory limit`;
  return `its JVM heap (${setting}) takes ${Math.round(share * 100)}% of its ${limitText} memory limit, leaving too little for the JVM's non-heap memory`;
};

const oomKilled = (a: Analysis, frame: Frame, subject: Subject, issues: ReadonlyArray<ContainerOfPod>) => {
  for (const [container, group] of groupBy(issues, (c) => c.name)) {
    const pods = group.map((c) => c.pod);
    const limitText = group[0]?.spec?.resources?.limits?.["memory"];
    const limit = parseQuantity(limitText);
    const restarts = group.map((c) => c.status.restartCount ?? 0);
    const last = Math.max(...group.map((c) => terminationTime(c.status) ?? 0));
    const nodePressure = pods.some((p) => a.node(p.spec?.nodeName)?.status?.conditions?.some((c) => c.type === "MemoryPressure" && c.status === "True") === true);
    const exitCode = lastTerminated(group[0]!.status)?.exitCode;
    const restarted = restarts.some((r) => r > 0) || group.some((c) => c.status.state?.waiting?.reason === "CrashLoopBackOff");
    const id = a.evidence.add({
      source: podSource(pods[0]!),
      timestamp: last > 0 ? last : a.alertTime,
      severity: "critical",
      content: `Container ${container} of ${subject.label} was OOMKilled (exit code ${exitCode ?? "unknown"}) on ${plural(pods.length, "pod")} (${listNames(pods.map((p) => p.metadata.name))}), ${restarts.reduce((x, y) => x + y, 0)} restarts in total; memory limit ${limitText ?? "none"}${last > 0 ? `, last at ${formatTime(last)}` : ""}`,
      metadata: { reason: "OOMKilled", exitCode: exitCode ?? null, container, limit: limitText ?? null, limitBytes: limit ?? null, restarts, pods: pods.map((p) => p.metadata.name) }
    });
    const raised = limit !== undefined ? formatBytes(Math.ceil((limit * 2) / 2 ** 20) * 2 ** 20) : undefined;
    const heap = heapVersusLimit(jvmHeap(group[0]?.spec), limit, limitText ?? "");
    const which = containerLabel(group[0]!);
    /*
     * Without a limit in the spec the kill is the node's OOM killer, or a limit the data read does
     * not show (zendesk/samson#3381: an injected init container, secret-puller, OOMKilled under a
     * limit the pasted spec did not carry): the container is certain, why it ran out is not.
     */
    const title =
      heap !== undefined
        ? `${subject.label} is OOMKilled: ${which}'s ${heap.replace(/^its /, "")}`
        : limit !== undefined
          ? `${subject.label} is OOMKilled: ${which} exceeds its ${limitText ?? ""} memory limit`
          : `${subject.label} is OOMKilled: ${which} is killed for memory (exit code ${exitCode ?? "unknown"}) and its spec sets no memory limit${nodePressure ? " while its node is under memory pressure" : ""}${group[0]!.init ? `; the pod cannot start until ${container} completes` : ""}`;
    rememberCause(a, subject, { title, pods: pods.map((p) => p.metadata.name), codeDefect: false, images: [] });
    a.propose(frame, subject.label, {
      key: `oom:${subject.label}:${container}`,
      title,
      detail:
        limit !== undefined
          ? `The kernel killed ${container} when it reached its cgroup limit of ${limitText ?? ""} (${formatBytes(limit)}); ${restarted ? "the kubelet restarts it, so the pods crash-loop" : exitCode === 0 ? "its exit code is 0, so the run counts as complete although the kernel killed it" : "the run ends there"}. ${heap !== undefined ? `The JVM is configured so: ${heap}; the heap alone may grow to the limit, and metaspace, thread stacks and direct buffers come on top.` : "Either the limit is too low for the current load or the process leaks memory."}`
          : `${which} has no memory limit in the spec read, so the kill came from the node's OOM killer${nodePressure ? " (the node reports MemoryPressure)" : ""} or from a limit the data read does not show.`,
      // The kill at the limit is what OOMKilled means; whether the limit is too low, the process leaks, or a runtime sizes
      // itself past the limit (open-telemetry/opentelemetry-demo#3034: a JVM heap sized from the node's memory) stays open
      // unless the spec answers it (a configured heap above the limit).
      confidence: heap !== undefined ? "high" : "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `Compare container_memory_working_set_bytes{namespace="${subject.ref.namespace}",container="${container}"} with the limit before each kill; ${kubectl(subject.ref.namespace, `describe pod ${pods[0]?.metadata.name ?? ""}`)} shows Last State: OOMKilled`,
      actions: [
        ...(heap !== undefined ? ["Lower the JVM heap to about 75% of the memory limit (or raise the limit so the heap fits with room for non-heap memory)"] : []),
        limit !== undefined
          ? `Raise the limit if the usage is legitimate: ${kubectl(subject.ref.namespace, `set resources ${workloadCommand(subject)} -c ${container} --limits=memory=${raised ?? ""}`)}`
          : `Set memory requests/limits on ${container} so it is scheduled with the memory it needs`,
        "Look for a memory leak or a load spike starting before the first kill (heap profile, recent deploy)"
      ]
    });
  }
};
/** The last lines a container's log holds, for a title that has nothing better to quote. */
const lastLogLines = (a: Analysis, c: ContainerOfPod, n = 3): ReadonlyArray<string> => {
  const signals = a.logSignals(c.pod, c.name, true) ?? a.logSignals(c.pod, c.name, false);
  return (signals?.lastLines ?? []).filter((l) => l.trim() !== "").slice(-n);
};

/** A log whose signatures name a cause of their own: an exit 0 after it is that cause's, not the command's. */
const logNamesCause = (a: Analysis, c: ContainerOfPod): boolean =>
  [true, false].some((previous) => {
    const signals = a.logSignals(c.pod, c.name, previous);
    return signals !== undefined && (signals.crash !== undefined || (signals.signatures ?? []).length > 0);
  });

/*
 * A container that finishes with exit code 0 under restartPolicy Always is started again and
 * again, and the kubelet backs off as for a crash: the command is one that completes
 * (kubernetes/kubernetes#53125 `command: ["echo"]`, #107838 `command: ["/bin/sleep", "30s"]`,
 * openshift/origin#23729 a Hello World program, kubernetes/minikube#13754 a bare alpine image).
 */
const completedRestarts = (a: Analysis, frame: Frame, subject: Subject, group: ReadonlyArray<ContainerOfPod>, crashId: string) => {
  const first = group[0]!;
  const pods = [...new Set(group.map((c) => c.pod.metadata.name))];
  const command = commandLine(first.spec);
  const policy = first.pod.spec?.restartPolicy ?? "Always";
  const image = first.spec?.image ?? first.status.image ?? "its image";
  const lines = lastLogLines(a, first);
  const title =
    command !== undefined
      ? `${subject.label} keeps restarting: ${containerLabel(first)}'s command \`${command}\` completes (exit code 0) and restartPolicy ${policy} starts it again`
      : `${subject.label} keeps restarting: ${containerLabel(first)} completes (exit code 0) — image ${image}'s default command finishes — and restartPolicy ${policy} starts it again`;
  rememberCause(a, subject, { title, pods, codeDefect: false, images: [] });
  a.propose(frame, subject.label, {
    key: `completed:${subject.label}:${first.name}`,
    title,
    detail: `${first.name} is not crashing: it exits with code 0 (Completed) on ${plural(pods.length, "pod")}, and a pod with restartPolicy ${policy} restarts every container that ends, backing off as for a crash (CrashLoopBackOff). A long-running container needs a command that does not return.${lines.length > 0 ? ` The last lines it wrote: ${lines.map((l) => clipText(l, 120)).join(" | ")}.` : ""}`,
    confidence: command !== undefined && !logNamesCause(a, first) ? "high" : "medium",
    depth: 2,
    supporting: [crashId],
    confirmBy: `${kubectl(subject.ref.namespace, `get pod ${first.pod.metadata.name} -o jsonpath='{.spec.containers[?(@.name=="${first.name}")].command}'`)}; ${kubectl(subject.ref.namespace, `logs ${first.pod.metadata.name} -c ${first.name} --previous`)}`,
    actions: [
      `Run a long-lived process in ${first.name} (a server, or \`sleep infinity\` for a debug container)`,
      "If the work is meant to finish, run it as a Job (restartPolicy OnFailure/Never) instead"
    ]
  });
};

/** A termination message written on purpose is one short statement; a multi-line one is the log's tail (FallbackToLogsOnError). */
const isStatement = (message: string) => message.split("\n").filter((l) => l.trim() !== "").length <= 2 && message.length <= 500;

/** Words of a failure: a termination message without them (`Stopping server`) states no cause, and the log is read instead. */
const SAYS_FAILURE = /error|fail|denied|refused|not found|no such|invalid|unable|cannot|can't|could not|missing|exception|fatal|panic|timed? ?out|forbidden|unauthori[sz]ed|status(?:code)?[=: ]+[45]\d\d|\b[45]\d\d\b/i;

/** Lines from the end within which an error line counts as the process's last words. */
const LAST_WORDS = 15;

/** A crash line that only says the process stops. */
const GENERIC_EXIT = /\b(?:cannot proceed|exiting|shutting down|run failed|startup failed|failed to start|aborting|terminating|stopping|giving up)\b/i;

/** The env of the same container in the Deployment's revision before the pod's own. */
const previousEnv = (subject: Subject, c: ContainerOfPod): PreviousEnv | undefined => {
  const owner = c.pod.metadata.ownerReferences?.find((o) => o.kind === "ReplicaSet")?.name;
  const own = subject.replicaSets.find((rs) => rs.metadata.name === owner);
  if (own === undefined) return undefined;
  const before = subject.replicaSets.find((rs) => revisionOf(rs) < revisionOf(own));
  const container = before?.spec?.template?.spec?.containers?.find((x) => x.name === c.name);
  return before === undefined || container === undefined ? undefined : { revision: revisionOf(before), env: Array.isArray(container.env) ? container.env : [] };
};

/** What the container's env says about a variable its crash reports missing. */
const envHint = (subject: Subject, c: ContainerOfPod, text: string): string | undefined => {
  const before = previousEnv(subject, c);
  return envNamedBy(text, Array.isArray(c.spec?.env) ? c.spec.env : [], ...(before !== undefined ? [before] : []));
};

/** A catalog signature in the container's logs: analyzeLogs names that cause, with the spec's context. */
const signed = (a: Analysis, group: ReadonlyArray<ContainerOfPod>): boolean =>
  group.some((c) => [true, false].some((previous) => (a.logSignals(c.pod, c.name, previous)?.signatures ?? []).some((m) => m.fromEnd <= LAST_WORDS)));

/**
 * A crash whose log names no exception and no signature still ends with the error lines that
 * made it stop, in whatever format it logs (klog `E…`, logfmt `level=error`, JSON, `Error:`):
 * promtail's `level=error … msg="error loading config" err="yaml: unmarshal errors: … field
 * backoff_config not found"` (grafana/loki#420). Those lines are the cause as far as the evidence
 * goes; without a signature to vouch for them, they are claimed with medium confidence.
 */
const lastErrors = (
  a: Analysis,
  frame: Frame,
  subject: Subject,
  group: ReadonlyArray<ContainerOfPod>,
  found: ReadonlyArray<{ text: string; after: ReadonlyArray<string>; pods: Array<string>; time?: number }>,
  crashId: string,
  exit: { exitCode: number | undefined; reason: string | undefined; logsCmd: string }
) => {
  const first = group[0]!;
  for (const r of found) {
    const failed = group.find((c) => c.pod.metadata.name === r.pods[0]) ?? first;
    const hint = causeHint(a, subject, failed, group, r.text);
    const logId = a.evidence.add({
      source: podSource(group.find((c) => c.pod.metadata.name === r.pods[0])?.pod ?? first.pod),
      timestamp: r.time ?? a.alertTime,
      severity: "high",
      content: `${first.name} of ${subject.label} stops after the error: ${r.text}${r.after.length > 0 ? ` (then: ${r.after.join(" ⏎ ")})` : ""} (${plural(r.pods.length, "pod")}: ${listNames(r.pods)})`,
      metadata: { line: r.text, after: [...r.after], pods: r.pods, container: first.name }
    });
    const title = `${subject.label} crash-loops: ${first.name} exits${exit.exitCode !== undefined ? ` with code ${exit.exitCode}` : ""} after the error: ${causeText(r.text, 200)}${hint !== undefined ? ` — ${hint}` : ""}`;
    rememberCause(a, subject, { title, pods: r.pods, codeDefect: isCodeDefect(r.text), images: [] });
    const symptom = dependencyFailureIn(r.text) !== undefined;
    a.propose(frame, subject.label, {
      key: `crash:${subject.label}:${first.name}:${r.text}`,
      title,
      detail: `${first.name} exits with code ${exit.exitCode ?? "unknown"} (${exit.reason ?? "unknown"}) and the kubelet restarts it. The last error it logged: ${clipText(r.text, 300)}${r.after.length > 0 ? `; after it: ${clipText(r.after.join(" | "), 200)}` : ""}.${hint !== undefined ? ` The pod's env: ${hint}.` : ""} No known signature vouches for this line: read it as the process's own account of why it stops.`,
      confidence: "medium",
      // The process's own words on why it stops sit below the crash loop they explain, like a signature's.
      depth: symptom ? 1 : 2,
      supporting: [crashId, logId],
      confirmBy: exit.logsCmd,
      actions: [`Fix what ${first.name} reports (${clipText(r.text, 100)})`, `Read the whole log of the failed run: ${exit.logsCmd}`],
      chain: [clipText(r.text, 160), `${subject.label} crash-loops`]
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
    const termination = group.map((c) => lastTerminated(c.status)?.message?.trim()).find((m): m is string => m !== undefined && m !== "");
    const crashId = a.evidence.add({
      source: podSource(pods[0]!),
      timestamp: last > 0 ? last : a.alertTime,
      severity,
      content: `${first.init ? "Init container" : "Container"} ${first.name} of ${subject.label} is ${waitingReason === "CrashLoopBackOff" ? "in CrashLoopBackOff" : "restarting"} on ${plural(pods.length, "pod")} of ${subject.pods.length} (${listNames(pods.map((p) => p.metadata.name))}): last terminated ${term?.reason ?? "unknown"} with exit code ${exitCode ?? "unknown"}${meaning !== undefined ? ` (${meaning})` : ""}, ${restarts.reduce((x, y) => x + y, 0)} restarts${last > 0 ? `, last at ${formatTime(last)}` : ""}${termination !== undefined ? `; termination message: ${causeText(termination, 300)}` : ""}`,
      metadata: {
        reason: waitingReason ?? "Restarting",
        lastReason: term?.reason ?? null,
        exitCode: exitCode ?? null,
        container: first.name,
        init: first.init,
        restarts,
        pods: pods.map((p) => p.metadata.name),
        terminationMessage: termination !== undefined ? causeText(termination, 500) : null
      }
    });
    // The runtime could not start the process: its message says why (a missing command, a mount).
    const runtime = termination !== undefined ? describeRuntimeFailure(termination) : undefined;
    if (runtime !== undefined) {
      proposeRuntime(a, frame, subject, group, runtime, termination ?? "", term?.reason ?? "ContainerCannotRun", last > 0 ? last : undefined);
      continue;
    }
    // The kubelet's event about the start (`Error: failed to start container …: exec format error`);
    // the same line in the log is the signature catalog's, read by analyzeLogs.
    const startFailure = kubeletFailure(a, subject, first, (m) => describeRuntimeFailure(m) !== undefined);
    const started = startFailure === undefined ? undefined : describeRuntimeFailure(startFailure.message);
    if (startFailure !== undefined && started !== undefined) {
      proposeRuntime(a, frame, subject, group, started, startFailure.message, term?.reason ?? waitingReason ?? "CrashLoopBackOff", startFailure.time);
      continue;
    }
    const logsCmd = kubectl(subject.ref.namespace, `logs ${pods[0]?.metadata.name ?? ""} -c ${first.name} --previous`);
    if (termination !== undefined && RUNTIME_TERMINATION.has(term?.reason ?? "")) {
      a.propose(frame, subject.label, {
        key: `create:${subject.label}:${first.name}:${termination}`,
        title: `${subject.label}: the container runtime cannot start ${containerLabel(first)} (${term?.reason ?? ""}): ${causeText(termination, 140)}`,
        detail: causeText(termination, 400),
        confidence: "medium",
        depth: 2,
        supporting: [crashId],
        confirmBy: kubectl(subject.ref.namespace, `describe pod ${pods[0]?.metadata.name ?? ""}`),
        actions: ["Fix the container's command, entrypoint or volume mounts in the image or manifest"]
      });
      continue;
    }
    /*
     * A termination message the process wrote on purpose (/dev/termination-log) is its own
     * statement of why it stopped (kubernetes/kubernetes#94216: an init container's
     * `Failed to fetch /opt/mule/conf/rtfv1.yml. statusCode=403`; kubernetes/kubernetes#62270 asks
     * for exactly this channel).
     */
    if (termination !== undefined && isStatement(termination) && SAYS_FAILURE.test(termination) && exitCode !== 0) {
      const title = `${subject.label}: ${containerLabel(first)} fails: ${causeText(termination, 160)}`;
      rememberCause(a, subject, { title, pods: pods.map((p) => p.metadata.name), codeDefect: isCodeDefect(termination), images: [] });
      a.propose(frame, subject.label, {
        key: `termination:${subject.label}:${first.name}:${termination}`,
        title,
        detail: `${containerLabel(first)} exits with code ${exitCode ?? "unknown"} (${term?.reason ?? "unknown"}) and writes this termination message: ${causeText(termination, 400)}.${first.init ? ` The pod's other containers wait until ${first.name} succeeds.` : ""}`,
        confidence: "high",
        depth: 1,
        supporting: [crashId],
        confirmBy: `${kubectl(subject.ref.namespace, `get pod ${pods[0]?.metadata.name ?? ""} -o jsonpath='{.status.${first.init ? "initContainerStatuses" : "containerStatuses"}[?(@.name=="${first.name}")].lastState.terminated.message}'`)}; ${logsCmd}`,
        actions: [`Fix what ${first.name} reports (${clipText(termination, 100)})`]
      });
      continue;
    }
    // The crash's own words, from the instance that died (previous log) or the one dying now; a
    // termination message that is the log's tail is read the same way.
    const crashes = new Map<string, { headline: string; rootCause?: string; pods: Array<string>; time?: number }>();
    const reasons = new Map<string, { text: string; after: ReadonlyArray<string>; pods: Array<string>; time?: number }>();
    let logsSeen = false;
    for (const c of group) {
      const message = lastTerminated(c.status)?.message;
      const signals = a.logSignals(c.pod, c.name, true) ?? a.logSignals(c.pod, c.name, false) ?? (message !== undefined && message.trim() !== "" ? scanLog(message) : undefined);
      if (signals === undefined) continue;
      logsSeen = true;
      const reason = signals.exitReason;
      if (signals.crash === undefined && reason !== undefined && reason.fromEnd <= LAST_WORDS) {
        const text = exitReasonText(reason);
        const seen = reasons.get(text);
        if (seen === undefined) reasons.set(text, { text, after: reason.after, pods: [c.pod.metadata.name], ...(reason.time !== undefined ? { time: reason.time } : {}) });
        else seen.pods.push(c.pod.metadata.name);
      }
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
    // A chown the kernel refused: the security context says why (runAsUser, dropped capabilities).
    const refusal = crashes.size === 0 && exitCode !== 0 ? ownershipRefusalIn(a, group) : undefined;
    if (refusal !== undefined) {
      const logId = a.evidence.add({
        source: podSource(refusal.c.pod),
        timestamp: last > 0 ? last : a.alertTime,
        severity,
        content: `${first.name} of ${subject.label} logs: ${refusal.command}: ${refusal.path}: Operation not permitted${refusal.why !== undefined ? `; ${refusal.why}` : ""}`,
        metadata: { command: refusal.command, path: refusal.path, container: first.name }
      });
      a.propose(frame, subject.label, {
        key: `crash:${subject.label}:${first.name}:ownership`,
        title: `${subject.label} crash-loops: ${first.name} cannot ${refusal.command} ${refusal.path} (Operation not permitted)${refusal.why !== undefined ? `: ${refusal.why}` : ""}`,
        detail: `${first.name} exits with code ${exitCode ?? "unknown"}: the kernel refused to change the owner of ${refusal.path}.${refusal.why !== undefined ? ` ${refusal.why}.` : " The security context read does not say why (a runtime default, a policy applied at admission, or a volume whose file system does not allow it, such as NFS with root squash)."}`,
        confidence: refusal.why !== undefined ? "high" : "medium",
        depth: 1,
        supporting: [crashId, logId],
        confirmBy: `${kubectl(subject.ref.namespace, `get pod ${refusal.c.pod.metadata.name} -o jsonpath='{.spec.securityContext} {.spec.initContainers[*].securityContext} {.spec.containers[*].securityContext}'`)}`,
        actions: [
          "Let the volume's group do it instead: set fsGroup in the pod's securityContext and drop the chown step",
          "Or run that step as root with CAP_CHOWN (capabilities.add: [CHOWN]) where the policy allows it"
        ]
      });
      continue;
    }
    if (crashes.size === 0 && reasons.size > 0 && exitCode !== 0 && !signed(a, group)) {
      lastErrors(a, frame, subject, group, [...reasons.values()], crashId, { exitCode, reason: term?.reason, logsCmd });
      continue;
    }
    if (crashes.size === 0) {
      if (exitCode === 0) {
        completedRestarts(a, frame, subject, group, crashId);
        continue;
      }
      // SIGKILL with no reason, no probe that killed it, and a memory limit: the OOM killer is the likely hand (google/osv.dev#5056:
      // kube-state-metrics exit 137 under a 250Mi limit, fixed by raising it), but the kubelet did not say so.
      const memoryLimit = first.spec?.resources?.limits?.["memory"];
      const probeKilled = podEvents(a, subject, pods).some((e) => e.reason === "Killing" && /probe/i.test(e.message ?? ""));
      const likelyOom = exitCode === 137 && (term?.reason === undefined || term.reason === "Error") && memoryLimit !== undefined && !probeKilled;
      a.propose(frame, subject.label, {
        key: `crash:${subject.label}:${first.name}:${exitCode ?? ""}`,
        title: likelyOom
          ? `${subject.label} crash-loops: ${first.name} is killed (exit code 137, SIGKILL) with no reason given and no probe that killed it — most likely out of memory at its memory limit ${memoryLimit}`
          : `${subject.label} crash-loops: ${first.name} exits with code ${exitCode ?? "unknown"} (${term?.reason ?? "unknown reason"})`,
        detail: `${plural(pods.length, "pod")} keep restarting${meaning !== undefined ? `; exit code ${exitCode ?? ""} means ${meaning}` : ""}. ${logsSeen ? "Their logs show no fatal error line." : "No logs were available to say why."} This is the symptom; the cause is not in the evidence read.`,
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
      const crashed = group.find((c) => c.pod.metadata.name === crash.pods[0]) ?? first;
      const hint = causeHint(a, subject, crashed, group, `${crash.headline}\n${cause}`);
      const title = `${subject.label} crashes on start: ${causeText(cause, 180)}${hint !== undefined ? ` — ${hint}` : ""}`;
      rememberCause(a, subject, { title, pods: crash.pods, codeDefect: isCodeDefect(`${crash.headline}\n${cause}`), images: [] });
      // A crash on a connection or name-resolution failure is the dependency's symptom (followed by
      // analyzeDependencies); one that only announces the exit names no cause of its own.
      // A setting the program found empty ("Value cannot be null. (Parameter 'connectionString')") leaves open why it
      // is empty, unless the pod's env answers it (radixdlt/olympia-gateway#35: the runtime ignored the env prefix).
      const emptySetting = hint === undefined && (NULL_SETTING.test(`${crash.headline}\n${cause}`) || NIL_DEREFERENCE.test(`${crash.headline}\n${cause}`));
      const symptom = dependencyFailureIn(cause) !== undefined || (crash.rootCause === undefined && GENERIC_EXIT.test(crash.headline)) || emptySetting;
      a.propose(frame, subject.label, {
        key: `crash:${subject.label}:${first.name}:${cause}`,
        title,
        detail: `${first.name} exits with code ${exitCode ?? "unknown"} (${term?.reason ?? "unknown"}) and the kubelet restarts it (CrashLoopBackOff). The log of the failed instance ends with: ${clipText(crash.headline, 200)}${crash.rootCause !== undefined ? `; the first cause in the stack trace is: ${clipText(crash.rootCause, 200)}` : ""}.${hint !== undefined ? ` The pod's env: ${hint}.` : ""}${emptySetting ? " A value the program needs is empty or nil: which input (an env variable, a configuration file, a Secret, a section of the resource it manages) should have set it is not in the evidence read." : symptom ? " The line reports a failure to reach or resolve another service: the cause is on that side." : ""}`,
        confidence: symptom ? "medium" : "high",
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
/** The first refused chown in the logs of a group's containers, with the container it came from. */
const ownershipRefusalIn = (a: Analysis, group: ReadonlyArray<ContainerOfPod>): (OwnershipRefusal & { readonly c: ContainerOfPod }) | undefined => {
  for (const c of group) {
    const log = a.view.logs.get(logKey(c.pod.metadata.namespace ?? "", c.pod.metadata.name, c.name));
    for (const text of [log?.previous, log?.current]) {
      const r = text === undefined ? undefined : ownershipRefused(c, text.slice(-20_000));
      if (r !== undefined) return { ...r, c };
    }
  }
  return undefined;
};

/**
 * A Go nil pointer dereference: a defect, triggered by an input the code did not expect (percona/percona-postgresql-operator#699:
 * a custom resource without its proxy section). Which input is the open question.
 */
const NIL_DEREFERENCE = /invalid memory address or nil pointer dereference/;

/** Who holds the node port a host-network pod cannot bind ("listen tcp :9100: bind: address already in use"). */
const portTaken = (a: Analysis, group: ReadonlyArray<ContainerOfPod>, text: string): string | undefined => {
  const port = Number(/:(\d{1,5})\b[^\n]*address already in use|address already in use[^\n]*:(\d{1,5})\b/.exec(text)?.slice(1).find((x) => x !== undefined) ?? NaN);
  if (!Number.isInteger(port)) return undefined;
  // Any of the group's pods whose node was read with its holder: the pods of a DaemonSet fail alike on every node.
  const found = group.map((c) => ({ c, holders: portHolderOnNode(a.view, c.pod, port) })).find((x) => x.holders.length > 0);
  if (found === undefined) return undefined;
  const { c, holders } = found;
  return `port ${port} on node ${c.pod.spec?.nodeName ?? ""} is already held by ${listNames(holders.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`), 2)}${holders.some((p) => (p.metadata.namespace ?? "") !== (c.pod.metadata.namespace ?? "")) ? " (in another namespace)" : ""}`;
};

/**
 * What the pod's spec and neighbours say about the error a crash ends with, first found wins: the env variable it names,
 * a service-link variable, an image that lacks its own code, the pod holding a port on the node.
 */
const causeHint = (a: Analysis, subject: Subject, c: ContainerOfPod, group: ReadonlyArray<ContainerOfPod>, text: string): string | undefined =>
  envHint(subject, c, text) ?? serviceLinkHint(a, c, text) ?? imageLacks(c, text) ?? portTaken(a, group, text);

/** A runtime that cannot find its own code or libraries at start: the image is built wrong, not the cluster. */
const MISSING_IN_IMAGE = /\bGemNotFoundException\b|can't find gem \S+|\bModuleNotFoundError: No module named|\bCannot find module '[^']+'|\bNoClassDefFoundError\b|\bClassNotFoundException\b/;

/**
 * The image a crash on missing code points at (fluent/fluentd-kubernetes-daemonset#1336: `can't find gem fluentd` in the
 * v1.14.5 image, a broken build; magda-io/magda#701: `Cannot find module 'request'`, a devDependency left out of the image).
 */
const imageLacks = (c: ContainerOfPod, text: string): string | undefined => {
  const image = c.spec?.image ?? c.status.image;
  return MISSING_IN_IMAGE.test(text) && image !== undefined && image !== "" ? `the image ${image} lacks it: a broken or mismatched build of the image, not something the cluster gives` : undefined;
};

/** .NET's words for a required value that is null: `System.ArgumentNullException: Value cannot be null. (Parameter 'connectionString')`. */
const NULL_SETTING = /\bArgumentNullException\b|\bValue cannot be null\b/;
const PROBE = /^(Liveness|Readiness|Startup) probe (?:failed|errored): ?(.*)$/s;
const PROBE_FIELD = { Liveness: "livenessProbe", Readiness: "readinessProbe", Startup: "startupProbe" } as const;

/** The container an event is about (`spec.containers{sockudo}`), else the pod's first. */
const containerOfEvent = (pod: Pod | undefined, e: Event): Container | undefined => {
  const name = /\{([^}]+)\}/.exec(e.involvedObject?.fieldPath ?? "")?.[1];
  const containers = Array.isArray(pod?.spec?.containers) ? pod.spec.containers : [];
  return (name !== undefined ? containers.find((c) => c.name === name) : undefined) ?? containers[0];
};

/** Whether the container's own log explains its restarts (an error line, a crash): then the probe is not why it restarts. */
const logExplainsExit = (a: Analysis, pod: Pod, container: string): boolean =>
  [true, false].some((previous) => {
    const s = a.logSignals(pod, container, previous);
    return s !== undefined && (s.crash !== undefined || (s.exitReason !== undefined && s.exitReason.fromEnd <= 15));
  });

/**
 * A readiness check that waits for Elasticsearch's cluster health to be green (`wait_for_status=green`,
 * the elastic chart's probe) on a cluster that cannot get there: one node cannot hold the replica
 * shards its indices ask for, so health stays yellow and the pod never becomes ready
 * (elastic/helm-charts#551: "replicas = 1 … the cluster will never become green", fixed with
 * `wait_for_status=yellow`; elastic/helm-charts#783 with `replicas: 1`; camunda/camunda-platform-helm#6876:
 * `Cluster health status changed from [RED] to [YELLOW]` on a single-node cluster after a reschedule).
 */
const waitsForUnreachableGreen = (a: Analysis, subject: Subject, pods: ReadonlyArray<Pod>, container: string, sample: string): string | undefined => {
  if (!/wait_for_status=green/.test(sample)) return undefined;
  const replicas = subject.statefulSet?.spec?.replicas;
  const yellow = pods.some((pod) => {
    const log = a.view.logs.get(logKey(pod.metadata.namespace ?? subject.ref.namespace, pod.metadata.name, container));
    return [log?.previous, log?.current].some((t) => t !== undefined && /health status changed from \[\w+\] to \[YELLOW\]|"status"\s*:\s*"yellow"/i.test(t.slice(-20_000)));
  });
  if (replicas !== 1 && !yellow) return undefined;
  return `it waits for cluster health green (wait_for_status=green)${yellow ? ", while the cluster reports YELLOW (replica shards not assigned)" : ""}${
    replicas === 1 ? "; a single-node cluster (replicas: 1) can never assign replica shards, so green is out of reach until the indices' number_of_replicas is 0 or the check accepts yellow" : ": replica shards lack a node to go to"
  }`;
};

/**
 * HTTP probe failures the server logged itself (see probeLog.ts), as the kubelet's Unhealthy event
 * would say them, for containers no Unhealthy event is about: the probe on that path whose failure
 * explains the most (liveness or startup when the container restarts, else readiness).
 */
const probeFailuresInLogs = (a: Analysis, subject: Subject, reported: ReadonlyArray<Event>): ReadonlyArray<Event> => {
  const out: Array<Event> = [];
  for (const pod of subject.pods) {
    const namespace = pod.metadata.namespace ?? subject.ref.namespace;
    for (const c of Array.isArray(pod.spec?.containers) ? pod.spec.containers : []) {
      if (reported.some((e) => e.involvedObject?.name === pod.metadata.name && (/\{([^}]+)\}/.exec(e.involvedObject.fieldPath ?? "")?.[1] ?? c.name) === c.name)) continue;
      const kinds = (["Startup", "Liveness", "Readiness"] as const).filter((k) => typeof c[PROBE_FIELD[k]]?.httpGet?.path === "string");
      if (kinds.length === 0) continue;
      const log = a.view.logs.get(logKey(namespace, pod.metadata.name, c.name));
      const text = [log?.previous, log?.current].filter((t): t is string => t !== undefined).join("\n");
      if (text === "") continue;
      const answers = probeAnswersInLog(text, kinds.map((k) => c[PROBE_FIELD[k]]?.httpGet?.path ?? "/"));
      const restarts = (pod.status?.containerStatuses ?? []).some((s) => s.name === c.name && ((s.restartCount ?? 0) > 0 || s.state?.waiting?.reason === "CrashLoopBackOff"));
      for (const answer of answers) {
        if (answer.status < 400 || answer.failed < 2) continue;
        const onPath = kinds.filter((k) => c[PROBE_FIELD[k]]?.httpGet?.path === answer.path);
        const kind = (restarts ? onPath.find((k) => k !== "Readiness") : onPath.find((k) => k === "Readiness")) ?? onPath[0];
        if (kind === undefined) continue;
        out.push({
          metadata: { name: `${pod.metadata.name}.log-probe.${kind}`, namespace },
          involvedObject: { kind: "Pod", name: pod.metadata.name, namespace, fieldPath: `spec.containers{${c.name}}` },
          reason: "Unhealthy",
          type: "Warning",
          message: `${kind} probe failed: HTTP probe failed with statuscode: ${answer.status} (the server's own log: GET ${answer.path} answered ${answer.status} to ${answer.failed} of ${answer.total} requests)`,
          count: answer.failed,
          lastTimestamp: new Date(a.alertTime).toISOString()
        });
      }
    }
  }
  return out;
};

/**
 * Probe failures from the kubelet's Unhealthy events, read for their cause (the status the
 * endpoint answered, a refused or timed-out connection) with the probe's target from the spec.
 * A liveness or startup probe that keeps failing is why a container restarts when the kubelet
 * says so (Killing: failed liveness probe) or when the container restarts without an error of
 * its own (a clean log, no exit code or a kill signal): sockudo/sockudo#273, where the startup
 * probe's `/live` answered 404 and the server's log showed only a clean start.
 */
const probes = (a: Analysis, frame: Frame, subject: Subject): number => {
  const events = podEvents(a, subject, subject.pods);
  const reported = events.filter((e) => e.reason === "Unhealthy" && PROBE.test(e.message ?? ""));
  const failures = [...reported, ...probeFailuresInLogs(a, subject, reported)];
  const kills = events.filter((e) => e.reason === "Killing" && /failed (liveness|startup) probe/i.test(e.message ?? ""));
  let found = 0;
  for (const [, group] of groupBy(failures, (e) => `${PROBE.exec(e.message ?? "")?.[1] ?? ""}\n${/\{([^}]+)\}/.exec(e.involvedObject?.fieldPath ?? "")?.[1] ?? ""}`)) {
    const kind = (PROBE.exec(group[0]?.message ?? "")?.[1] ?? "Liveness") as keyof typeof PROBE_FIELD;
    const count = group.reduce((n, e) => n + eventCount(e), 0);
    const pods = [...new Set(group.map((e) => e.involvedObject?.name ?? ""))];
    const latest = group[group.length - 1]!;
    const sample = PROBE.exec(latest.message ?? "")?.[2]?.trim() ?? "";
    const last = Math.max(...group.map((e) => eventTime(e) ?? 0));
    const restartsByProbe = kind !== "Readiness" ? kills.filter((k) => k.message?.toLowerCase().includes(kind.toLowerCase())).reduce((n, e) => n + eventCount(e), 0) : 0;
    const podsOfGroup = subject.pods.filter((p) => pods.includes(p.metadata.name));
    const notReady = podsOfGroup.filter((p) => !isPodReady(p)).length;
    const container = containerOfEvent(podsOfGroup[0] ?? subject.pods[0], latest);
    const containerName = container?.name ?? "";
    const statuses = podsOfGroup.flatMap(containersOf).filter((c) => c.name === containerName && !c.init);
    // Restarts the probe explains: the container restarts, and neither its exit nor its log says another reason.
    const restarting = statuses.filter((c) => c.status.state?.waiting?.reason === "CrashLoopBackOff" || (c.status.restartCount ?? 0) > 0);
    const unexplained = restarting.filter((c) => {
      const code = lastTerminated(c.status)?.exitCode;
      return (code === undefined || code === 137 || code === 143) && lastTerminated(c.status)?.reason !== "OOMKilled" && !logExplainsExit(a, c.pod, c.name);
    });
    const drivesRestarts = kind !== "Readiness" && (restartsByProbe > 0 || unexplained.length > 0);
    // Old probe failures on pods that are ready again do not explain a current alert.
    if (!a.recent(last) && notReady === 0 && restartsByProbe === 0) continue;
    found++;
    const probe = container?.[PROBE_FIELD[kind]];
    const described = describeProbeFailure(sample, probe, container);
    const green = kind === "Readiness" ? waitsForUnreachableGreen(a, subject, podsOfGroup, containerName, sample) : undefined;
    const failure = green === undefined ? described : { ...described, cause: green };
    // The container's other probes on the same port with another path: what the application may serve instead.
    const otherPaths = (Object.keys(PROBE_FIELD) as Array<keyof typeof PROBE_FIELD>)
      .filter((k) => k !== kind && !failures.some((e) => PROBE.exec(e.message ?? "")?.[1] === k))
      .map((k) => ({ k, get: container?.[PROBE_FIELD[k]]?.httpGet }))
      .filter(({ get }) => get !== undefined && String(get.port) === String(probe?.httpGet?.port) && get.path !== probe?.httpGet?.path)
      .map(({ k, get }) => `its ${k.toLowerCase()} probe calls GET ${get?.path ?? "/"} on the same port`);
    const id = a.evidence.add({
      source: `kubernetes/pod/${subject.ref.namespace}/${pods[0] ?? ""}`,
      timestamp: last > 0 ? last : a.alertTime,
      severity: kind === "Readiness" ? "high" : "critical",
      content: `${kind} probe of ${subject.label} (${failure.target}) failed ${count} times on ${plural(pods.length, "pod")} (${listNames(pods)}): ${clipText(sample, 200)}${restartsByProbe > 0 ? `; the kubelet restarted the container ${restartsByProbe} times for it` : drivesRestarts ? `; container ${containerName} restarts without an error of its own (${restarting.reduce((n, c) => n + (c.status.restartCount ?? 0), 0)} restarts)` : ""}${kind === "Readiness" ? `; ${notReady} of ${subject.pods.length} pods not ready` : ""}`,
      metadata: { probe: kind.toLowerCase(), failures: count, pods, message: clipText(sample, 300), restartsByProbe, notReady, target: failure.target, container: containerName, ...(failure.status !== undefined ? { status: failure.status } : {}) }
    });
    const timeoutLike = failure.kind === "timeout";
    const title =
      kind === "Readiness"
        ? `${subject.label} fails its readiness probe (${failure.target}): ${failure.cause}; its pods are taken out of the Service`
        : drivesRestarts
          ? `${subject.label} is restarted by its failing ${kind.toLowerCase()} probe (${failure.target}): ${failure.cause}`
          : `${subject.label}'s ${kind.toLowerCase()} probe fails (${failure.target}): ${failure.cause}`;
    if (drivesRestarts) rememberCause(a, subject, { title, pods, codeDefect: false, images: [] });
    a.propose(frame, subject.label, {
      key: `probe:${subject.label}:${kind}:${containerName}`,
      title,
      detail: `The ${kind.toLowerCase()} probe (${failure.target}) answered: ${clipText(sample, 200)}.${otherPaths.length > 0 ? ` For comparison, ${otherPaths.join("; ")}.` : ""} ${
        drivesRestarts
          ? restartsByProbe > 0
            ? `The kubelet killed the container ${restartsByProbe} times for it.`
            : `Container ${containerName} restarts without an error of its own (no exit code or a kill signal, and its log shows no error): the kubelet kills it when the probe keeps failing.`
          : ""
      } ${timeoutLike ? "It timed out: the process is too slow to answer (overload, a blocking dependency, or a timeout too tight for it)." : ""}`.trim(),
      // A probe that is why the container restarts explains the crash loop it shows up as: it is the
      // deeper cause, above the generic "exits with code 137" hypothesis. Only a message that settles
      // the cause by itself (a path not served) is claimed with high confidence without Killing events.
      confidence: restartsByProbe > 0 || (drivesRestarts && failure.definite) ? "high" : drivesRestarts || notReady > 0 ? "medium" : "low",
      depth: drivesRestarts ? 2 : 1,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pods[0] ?? ""}`)} (Events: Unhealthy); call ${failure.target} from inside the pod to see what it answers`,
      actions: [
        failure.definite
          ? `Point the ${kind.toLowerCase()} probe at an endpoint the application serves${otherPaths.length > 0 ? ` (${otherPaths.join("; ")})` : ""}, or fix its port`
          : "Find what the health endpoint depends on and check it (database, cache, downstream API)",
        timeoutLike ? "If the process is merely slow: raise timeoutSeconds/failureThreshold or add a startupProbe" : "Read the application's logs around the probe failures"
      ]
    });
  }
  found += killedBeforeStarted(a, frame, subject, kills, failures);
  return found;
};

/**
 * The kubelet killed a container for its liveness probe (Killing: "failed liveness probe, will be restarted") and the
 * probe's own failures were not read: when the run it killed lasted no longer than the probe's grace (initialDelaySeconds,
 * then failureThreshold failures periodSeconds apart) and there is no startupProbe, the probe killed a process that had
 * not finished starting (aws-samples/eks-blueprints-for-terraform-workshop#24: a Spring Boot service that needs about 50 s
 * to start, killed 51 s after start by a probe that begins at 45 s and gives up after 3 × 3 s).
 */
const killedBeforeStarted = (a: Analysis, frame: Frame, subject: Subject, kills: ReadonlyArray<Event>, failures: ReadonlyArray<Event>): number => {
  if (kills.length === 0 || failures.some((e) => PROBE.exec(e.message ?? "")?.[1] === "Liveness")) return 0;
  const liveness = kills.filter((k) => /failed liveness probe/i.test(k.message ?? ""));
  const killed = liveness[liveness.length - 1];
  if (killed === undefined) return 0;
  const pod = subject.pods.find((p) => p.metadata.name === killed.involvedObject?.name) ?? subject.pods[0];
  const container = containerOfEvent(pod, killed);
  const status = pod === undefined ? undefined : containersOf(pod).find((c) => c.name === container?.name && !c.init)?.status;
  const probe = container?.livenessProbe;
  const last = status === undefined ? undefined : lastTerminated(status);
  const started = Date.parse(last?.startedAt ?? "");
  const finished = Date.parse(last?.finishedAt ?? "");
  if (probe === undefined || container?.startupProbe !== undefined || !Number.isFinite(started) || !Number.isFinite(finished) || finished < started) return 0;
  const ran = Math.round((finished - started) / 1000);
  const delay = probe.initialDelaySeconds ?? 0;
  const period = probe.periodSeconds ?? 10;
  const threshold = probe.failureThreshold ?? 3;
  const grace = delay + threshold * period;
  // Killed within the first round of failures after the initial delay (with a period of slack for the kubelet's timing).
  if (ran > grace + period + (probe.timeoutSeconds ?? 1)) return 0;
  const count = liveness.reduce((n, e) => n + eventCount(e), 0);
  const target = describeProbeFailure("", probe, container).target;
  const id = a.evidence.add({
    source: `kubernetes/pod/${subject.ref.namespace}/${pod?.metadata.name ?? ""}`,
    timestamp: eventTime(killed) ?? a.alertTime,
    severity: "critical",
    content: `The kubelet killed ${container?.name ?? "the container"} of ${subject.label} for its failing liveness probe ${count} time${count === 1 ? "" : "s"} (${killed.message ?? ""}); the run it killed lasted ${ran} s (exit code ${last?.exitCode ?? "unknown"}); the probe (${target}) starts after initialDelaySeconds ${delay} and gives up after ${threshold} failures ${period} s apart (${grace} s), and there is no startupProbe`,
    metadata: { ran, initialDelaySeconds: delay, periodSeconds: period, failureThreshold: threshold, kills: count, container: container?.name ?? null }
  });
  a.propose(frame, subject.label, {
    key: `probe:${subject.label}:Liveness:${container?.name ?? ""}:start`,
    title: `${subject.label} is killed by its liveness probe before it has started: the run lasted ${ran} s, within the probe's grace (initialDelaySeconds ${delay} + ${threshold} × ${period} s) and with no startupProbe`,
    detail: `The kubelet killed ${container?.name ?? "the container"} for failing its liveness probe (${target}) ${ran} s after it started; the probe's own failure messages were not read. A process that needs longer than ${grace} s to start (a JVM or Spring Boot service, a cache warm-up, a migration on start) is killed before it can answer, again on every restart.`,
    confidence: "medium",
    depth: 2,
    supporting: [id],
    confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pod?.metadata.name ?? ""}`)} (Events: Unhealthy, Killing); time how long the process takes to log that it is ready`,
    actions: [`Add a startupProbe (failureThreshold × periodSeconds longer than the start), or raise the liveness probe's initialDelaySeconds above the start time`]
  });
  return 1;
};

/**
 * Checks each container of the subject's pods: image pulls, missing Secrets/ConfigMaps, runtime
 * errors, OOM kills against the memory limit, crash loops (with the crash read from the termination
 * message, the events and the logs), containers that complete and are restarted, and probe
 * failures from the kubelet's events.
 */
export const analyzeContainers = (a: Analysis, frame: Frame, subject: Subject): ContainerReport => {
  const containers = subject.pods.flatMap(containersOf);
  const waitingIn = (reasons: ReadonlySet<string>) => containers.filter((c) => reasons.has(c.status.state?.waiting?.reason ?? ""));
  const pull = waitingIn(IMAGE_PULL);
  // A container still "ContainerCreating" whose kubelet events say a Secret or ConfigMap it uses does not exist is the same
  // failure (FairwindsOps/k8s-workshop#4: `secrets "webapp" not found`, then `configmaps "webapp" not found`).
  const creatingWithoutConfig = containers.filter(
    (c) => c.status.state?.waiting?.reason === "ContainerCreating" && parseConfigError(kubeletFailure(a, subject, c, (m) => !PULL_MESSAGE.test(m))?.message ?? "") !== undefined
  );
  const config = [...waitingIn(CONFIG_ERROR), ...creatingWithoutConfig];
  const create = waitingIn(CREATE_ERROR);
  // A restart counts when the container is backing off now or died within the alert's window.
  const restarting = containers.filter(
    (c) =>
      !IMAGE_PULL.has(c.status.state?.waiting?.reason ?? "") &&
      !CONFIG_ERROR.has(c.status.state?.waiting?.reason ?? "") &&
      !CREATE_ERROR.has(c.status.state?.waiting?.reason ?? "") &&
      (c.status.state?.waiting?.reason === "CrashLoopBackOff" || ((c.status.restartCount ?? 0) > 0 && a.recent(terminationTime(c.status))) || (c.status.state?.terminated !== undefined && c.status.state.terminated.exitCode !== 0 && c.pod.status?.phase !== "Succeeded"))
  );
  /*
   * An OOM kill is a cause wherever it happened. A run-to-completion pod is never restarted, and
   * one whose main process still exits 0 after the kernel killed a process in it ends Succeeded
   * (kubecost/kubecost#13: `Reason: OOMKilled, Exit Code: 0` under a 55M limit in a CronJob's pod;
   * ossf/scorecard#512: a Job's pod OOMKilled at its 1Gi limit).
   */
  const oomDone = containers.filter((c) => !restarting.includes(c) && c.status.state?.terminated?.reason === "OOMKilled" && a.recent(terminationTime(c.status)));
  const oom = [...restarting.filter((c) => lastTerminated(c.status)?.reason === "OOMKilled"), ...oomDone];
  // A Failed pod is never restarted (restartPolicy Never, or its Job gave up): not a crash loop; analyzeJobs reads its exit.
  const crashing = restarting.filter((c) => lastTerminated(c.status)?.reason !== "OOMKilled" && c.pod.status?.phase !== "Failed");
  if (pull.length > 0) imagePull(a, frame, subject, pull);
  if (config.length > 0) configError(a, frame, subject, config);
  if (create.length > 0) createError(a, frame, subject, create);
  if (oom.length > 0) oomKilled(a, frame, subject, oom);
  if (crashing.length > 0) crashLoop(a, frame, subject, crashing);
  const probeFailures = probes(a, frame, subject);
  return { crashing: restarting, notStarting: pull.length + config.length + create.length, oomKilled: oom.length, probeFailures };
};
