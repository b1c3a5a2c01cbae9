import type { Confidence } from "@sre-on-call/core";
import type { Container, Pod } from "../kube/KubeObjects.js";
import { formatTime } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { credentialSource } from "./credentialSource.js";
import { analyzeForbiddenPods } from "./forbiddenPods.js";
import { clipText, type ContainerOfPod, containerSpec, containersOf, isPodReady, kubectl, lastTerminated, listNames, plural, podSource, terminationTime } from "./podFacts.js";
import type { LogSignals, LogSignature } from "./scanLog.js";
import type { Subject } from "./Subject.js";

export interface PodLogSignals {
  readonly pod: Pod;
  readonly container: string;
  readonly previous: boolean;
  readonly signals: LogSignals;
}

/** Every log the view holds for the subject's pods, previous instances first. */
export const subjectLogs = (a: Analysis, subject: Subject): ReadonlyArray<PodLogSignals> => {
  const out: Array<PodLogSignals> = [];
  for (const pod of subject.pods) {
    const names = new Set([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name ?? "").concat(containersOf(pod).map((c) => c.name)));
    for (const container of names) {
      if (!a.hasLogs(pod, container)) continue;
      for (const previous of [true, false]) {
        const signals = a.logSignals(pod, container, previous);
        if (signals !== undefined) out.push({ pod, container, previous, signals });
      }
    }
  }
  return out;
};

const MAX_ERROR_FINDINGS = 3;

/** How a container is doing, as far as its log's words can be trusted to explain it. */
type ContainerState = "crash-looping" | "failed" | "init-failing" | "not-ready" | "completes" | "healthy";

const stateOf = (a: Analysis, c: ContainerOfPod | undefined, pod: Pod): ContainerState => {
  if (c === undefined) return isPodReady(pod) ? "healthy" : "not-ready";
  const term = lastTerminated(c.status);
  const waiting = c.status.state?.waiting?.reason;
  const restarted = (c.status.restartCount ?? 0) > 0;
  if (c.init && c.status.state?.terminated?.exitCode === 0) return "healthy";
  if (c.init && (waiting === "CrashLoopBackOff" || (term !== undefined && term.exitCode !== 0))) return "init-failing";
  if (term?.exitCode === 0 && restarted && !c.init) return "completes";
  if (waiting === "CrashLoopBackOff" || (restarted && a.recent(terminationTime(c.status)))) return "crash-looping";
  if (c.status.state?.terminated !== undefined && c.status.state.terminated.exitCode !== 0) return "failed";
  if (c.status.ready !== true && c.status.state?.running !== undefined) return "not-ready";
  return "healthy";
};

const DIED: ReadonlySet<ContainerState> = new Set(["crash-looping", "failed", "init-failing"]);

const RANK: Readonly<Record<Confidence, number>> = { high: 3, medium: 2, low: 1 };
const lower = (a: Confidence, b: Confidence): Confidence => (RANK[a] <= RANK[b] ? a : b);

/** Lines from the end within which a signature counts as the process's last words. */
const LAST_WORDS = 15;

/**
 * How far a signature's words can be trusted as the cause: the data's cap, lowered when the
 * container is not failing (a healthy process's errors explain nothing by themselves) or when
 * the line is far from where the process stopped.
 */
const confidenceOf = (m: LogSignature, state: ContainerState): Confidence => {
  if (state === "healthy" || state === "completes") return "low";
  if (state === "not-ready") return lower(m.confidence, "medium");
  return m.fromEnd <= LAST_WORDS ? m.confidence : lower(m.confidence, "medium");
};

const STATE_WORDS: Readonly<Record<ContainerState, string>> = {
  "crash-looping": "crash-loops",
  failed: "fails",
  "init-failing": "cannot start",
  "not-ready": "is not ready",
  completes: "keeps restarting",
  healthy: "logs"
};

interface Mount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

const mountOf = (spec: Container | undefined, path: string): Mount | undefined => {
  const mounts = (spec?.volumeMounts ?? []).filter((m) => typeof m.mountPath === "string" && m.mountPath !== "" && (path === m.mountPath || path.startsWith(m.mountPath.endsWith("/") ? m.mountPath : `${m.mountPath}/`)));
  const best = mounts.sort((x, y) => (y.mountPath ?? "").length - (x.mountPath ?? "").length)[0];
  return best === undefined ? undefined : { name: best.name ?? "", mountPath: best.mountPath ?? "", readOnly: best.readOnly === true };
};

const pathOf = (m: LogSignature): string | undefined => Object.values(m.captures).find((v) => v.startsWith("/"));

/**
 * What the pod's spec says about a cause its log names: the volume a path lies on and whether
 * the pod lets its user write there, a root file system mounted read-only, the node's CPU
 * architecture for a binary that cannot be executed. Undefined when the spec adds nothing.
 */
const specContext = (a: Analysis, m: LogSignature, pod: Pod, spec: Container | undefined): { readonly title?: string; readonly detail: string } | undefined => {
  const path = pathOf(m);
  const mount = path === undefined ? undefined : mountOf(spec, path);
  switch (m.category) {
    case "exec-format": {
      const node = a.node(pod.spec?.nodeName);
      const arch = node?.status?.nodeInfo?.architecture;
      if (arch === undefined) return { detail: "The image's entrypoint binary is built for another CPU architecture than the node it runs on." };
      return {
        title: `node ${node?.metadata.name ?? ""} is ${arch}`,
        detail: `Node ${node?.metadata.name ?? ""} is ${arch}; the image (${spec?.image ?? "unknown"}) has no ${arch} build of its entrypoint, or the manifest list lacks ${arch}.`
      };
    }
    case "permission":
      if (mount !== undefined) {
        const fsGroup = pod.spec?.securityContext?.fsGroup;
        if (fsGroup === undefined)
          return { title: `volume ${mount.name} at ${mount.mountPath} is not writable by the container's user (the pod sets no securityContext.fsGroup)`, detail: `${path ?? ""} is on volume ${mount.name} (mounted at ${mount.mountPath}); the pod sets no securityContext.fsGroup, so the volume keeps its owner and the container's user may not write it.` };
        // fsGroup set and still refused: the volume is of a kind the kubelet does not re-own (hostPath, NFS, some local or
        // CSI volumes; Thakurvaibhav/k8s#5: Prometheus as user 1000 with fsGroup 2000 on Docker Desktop's host-path volume).
        const user = spec?.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
        const volume = (pod.spec?.volumes ?? []).find((v) => v.name === mount.name);
        const kind = volume?.hostPath !== undefined ? "a hostPath volume" : volume?.persistentVolumeClaim !== undefined ? `claim ${volume.persistentVolumeClaim.claimName ?? ""}'s volume` : `volume ${mount.name}`;
        return {
          title: `${kind} at ${mount.mountPath} is not writable by ${user !== undefined ? `user ${user}` : "the container's user"} although the pod sets fsGroup ${fsGroup}: the kubelet re-owns only volumes that support it (not hostPath, NFS or many local volumes)`,
          detail: `${path ?? ""} is on volume ${mount.name} (mounted at ${mount.mountPath}); the pod's fsGroup is ${fsGroup}${user !== undefined ? ` and it runs as user ${user}` : ""}, and writing there is still refused: the volume's files keep an owner that user may not write.`
        };
      }
      // Not on any volume: it writes into the image's own file system (argoproj-labs/argocd-operator#186: an older
      // Deployment without the gpg emptyDir the new image writes to).
      if (path !== undefined && path.startsWith("/") && spec !== undefined) {
        const directory = path.replace(/\/[^/]*$/, "") || "/";
        return {
          title: `no volume is mounted at ${directory}: it writes into the image's own files, which its user does not own`,
          detail: `${path} is on no volume of the pod (its mounts: ${(spec.volumeMounts ?? []).map((v) => v.mountPath ?? "").filter((p) => p !== "").join(", ") || "none"}): the image's directory is not writable by the user the container runs as; a writable volume (an emptyDir) is usually mounted there.`
        };
      }
      {
        // A file of the image read or written by a non-root user (mendhak/docker-http-https-echo#14: privkey.pem readable by
        // root only, the pod running as user 1000).
        const user = spec?.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
        const nonRoot = (spec?.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot) === true || (user !== undefined && user !== 0);
        const file = path ?? m.captures["path"];
        if (nonRoot && file !== undefined && file !== "")
          return {
            title: `it runs as ${user !== undefined ? `user ${user}` : "a user other than root"} (non-root securityContext), and ${file} in the image belongs to another owner`,
            detail: `The pod's securityContext runs the container as ${user !== undefined ? `user ${user}` : "a non-root user"}; ${file} is part of the image, owned and readable or writable by another user (often root only).`
          };
      }
      return undefined;
    case "read-only-fs":
    case "data":
      if (mount?.readOnly === true) return { title: `volume ${mount.name} is mounted read-only at ${mount.mountPath}`, detail: `${path ?? ""} is on volume ${mount.name}, mounted readOnly at ${mount.mountPath}.` };
      if (m.category === "read-only-fs" && mount === undefined && spec?.securityContext?.readOnlyRootFilesystem === true)
        return {
          title: `the container sets securityContext.readOnlyRootFilesystem: true and mounts no writable volume at ${path === undefined ? "that path" : path.replace(/\/[^/]*$/, "") || "/"}`,
          detail: `The container's root file system is read-only (securityContext.readOnlyRootFilesystem: true) and no volume (e.g. an emptyDir) is mounted where it writes${path !== undefined ? ` (${path})` : ""}.`
        };
      return mount === undefined ? undefined : { detail: `${path ?? ""} is on volume ${mount.name} (mounted at ${mount.mountPath}).` };
    case "auth": {
      const source = credentialSource(spec, m.id, m.captures["user"]);
      return source === undefined ? undefined : { title: source, detail: `${source[0]?.toUpperCase() ?? ""}${source.slice(1)}: check that it holds the user's current password (the data read holds no Secrets, so its value was not compared).` };
    }
    case "rbac": {
      // The identity the API refused is the pod's service account; a pod that names none runs as
      // its namespace's `default`, which no chart binds a role to (vmware-archive/kubewatch#95).
      const account = pod.spec?.serviceAccountName;
      const denied = m.captures["account"];
      if (account === undefined && denied?.endsWith(":default") === true)
        return { title: "the pod sets no serviceAccountName, so it runs as its namespace's default service account", detail: "The pod spec names no service account: its API calls are made as the namespace's `default` service account, which the workload's Role/ClusterRole is not bound to." };
      return account === undefined ? undefined : { detail: `The pod runs as service account ${account}; the Role/ClusterRole bound to it (kubectl get clusterrolebindings,rolebindings -A -o wide | grep ${account}) lacks the rule.` };
    }
    case "incompatible": {
      const flag = m.captures["flag"];
      const passed = flag === undefined ? undefined : argPassing(spec, flag);
      return passed === undefined ? undefined : { title: `the container's args pass ${passed}`, detail: `The container's command line passes ${passed}; the binary in image ${spec?.image ?? "?"} does not define ${flag ?? ""}.` };
    }
    default:
      return undefined;
  }
};

/** The argument of the container's command line that passes `flag` (`--kube-client-qps=100`), in either dash form. */
const argPassing = (spec: Container | undefined, flag: string): string | undefined => {
  const name = flag.replace(/^-+/, "");
  const args = [...(Array.isArray(spec?.command) ? spec.command : []), ...(Array.isArray(spec?.args) ? spec.args : [])].filter((x): x is string => typeof x === "string");
  return args.find((x) => new RegExp(`^-{1,2}${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:=|$)`).test(x));
};

/**
 * The causes the signature catalog finds in the subject's logs, as hypotheses: the log's own
 * words name the cause (a variable that is not set, a file, a host), the container's state says
 * how far they explain the failure, and the pod's spec adds what confirms it. One hypothesis per
 * container and cause, merged across pods.
 */
const logCauses = (a: Analysis, frame: Frame, subject: Subject, logs: ReadonlyArray<PodLogSignals>): number => {
  interface Found {
    readonly match: LogSignature;
    readonly state: ContainerState;
    readonly confidence: Confidence;
    readonly pod: Pod;
    readonly container: string;
    readonly pods: Set<string>;
    count: number;
  }
  const best = new Map<string, Found>();
  for (const l of logs) {
    const status = containersOf(l.pod).find((c) => c.name === l.container);
    const state = stateOf(a, status, l.pod);
    // A process that exits (with 0 too) and names no known cause still said something last: that is the evidence to read.
    if (l.signals.signatures.length === 0 && l.signals.crash === undefined && state !== "healthy" && state !== "not-ready" && l.signals.lastLines.length > 0)
      a.evidence.add({
        source: podSource(l.pod),
        timestamp: a.alertTime,
        severity: "medium",
        content: `The last lines ${l.container} of ${subject.label} wrote before it exited${l.previous ? " (previous instance)" : ""}: ${l.signals.lastLines.join(" ⏎ ")}`,
        metadata: { container: l.container, pod: l.pod.metadata.name, lastLines: [...l.signals.lastLines], previous: l.previous }
      });
    if (l.signals.signatures.length === 0) continue;
    // The previous instance's words explain a restart; a running instance's explain only what it does now.
    const effective: ContainerState = l.previous && state === "healthy" ? "healthy" : state;
    const ranked = l.signals.signatures
      // The log of a container that died is its last run, however old its time stamps read; a live process's old lines are history.
      .filter((m) => m.category !== "disk-full" && (DIED.has(effective) || m.time === undefined || a.recent(m.time, 24 * 3_600_000)))
      .map((m) => ({ m, confidence: confidenceOf(m, effective) }))
      .sort((x, y) => RANK[y.confidence] - RANK[x.confidence] || x.m.fromEnd - y.m.fromEnd);
    const top = ranked[0];
    if (top === undefined) continue;
    const key = `${l.container}\n${top.m.id}\n${top.m.title}`;
    const seen = best.get(key);
    if (seen === undefined) best.set(key, { match: top.m, state: effective, confidence: top.confidence, pod: l.pod, container: l.container, pods: new Set([l.pod.metadata.name]), count: top.m.count });
    else {
      seen.pods.add(l.pod.metadata.name);
      seen.count += top.m.count;
    }
  }
  let problems = 0;
  for (const f of best.values()) {
    const spec = containerSpec(f.pod, f.container);
    const context = specContext(a, f.match, f.pod, spec);
    const pods = [...f.pods];
    if (f.confidence !== "low") problems++;
    const status = containersOf(f.pod).find((c) => c.name === f.container);
    const term = status === undefined ? undefined : lastTerminated(status.status);
    const stateText =
      f.state === "healthy"
        ? "is running"
        : f.state === "not-ready"
          ? "is running but not ready"
          : `${f.state === "init-failing" ? "(an init container) " : ""}${f.state === "completes" ? "exits with code 0 and is restarted" : `exits${term?.exitCode !== undefined ? ` with code ${term.exitCode}` : ""}${f.state === "crash-looping" ? " and is restarted (CrashLoopBackOff)" : ""}`}`;
    const id = a.evidence.add({
      source: podSource(f.pod),
      timestamp: f.match.time ?? a.alertTime,
      severity: f.confidence === "high" ? "critical" : f.confidence === "medium" ? "high" : "medium",
      content: `${f.container} of ${subject.label} (${plural(pods.length, "pod")}: ${listNames(pods)}) logged${f.count > 1 ? ` ${f.count}×` : ""}: ${f.match.line} — ${f.match.title} [signature ${f.match.id}]`,
      metadata: { signature: f.match.id, category: f.match.category, captures: { ...f.match.captures }, line: f.match.line, count: f.count, pods, container: f.container, state: f.state }
    });
    const supporting = [id];
    if (status !== undefined && f.state !== "healthy")
      supporting.push(
        a.evidence.add({
          source: podSource(f.pod),
          timestamp: terminationTime(status.status) ?? a.alertTime,
          severity: "high",
          content: `Container ${f.container} of ${subject.label} ${stateText}${status.status.restartCount !== undefined ? ` (${status.status.restartCount} restarts)` : ""}`,
          metadata: { container: f.container, state: f.state, exitCode: term?.exitCode ?? null, restarts: status.status.restartCount ?? null }
        })
      );
    const who = f.state === "init-failing" ? `${subject.label}'s init container ${f.container}` : subject.label;
    const title = `${who} ${STATE_WORDS[f.state]}: ${f.match.title}${context?.title !== undefined ? ` — ${context.title}` : ""}`;
    const logsCmd = kubectl(subject.ref.namespace, `logs ${f.pod.metadata.name} -c ${f.container}${f.state === "crash-looping" ? " --previous" : ""}`);
    a.propose(frame, subject.label, {
      key: `log-cause:${subject.label}:${f.container}:${f.match.id}:${f.match.title}`,
      title: clipText(title, 300),
      detail: `${f.container} ${stateText}. Its log says${f.count > 1 ? ` (${f.count}×)` : ""}: "${clipText(f.match.line, 300)}".${context !== undefined ? ` ${context.detail}` : ""}${f.confidence === "low" ? " The container is not failing, so this line alone does not explain the alert." : ""}`,
      confidence: f.confidence,
      depth: 2,
      supporting,
      confirmBy: logsCmd,
      ...(f.match.action !== undefined ? { actions: [f.match.action] } : {}),
      chain: [f.match.title, `${who} ${STATE_WORDS[f.state]}`]
    });
  }
  return problems;
};

/**
 * What the subject's logs say: the causes the signature catalog recognises, a full disk (a cause
 * of its own), and the most frequent error lines as evidence for whoever reads the report.
 */
export const analyzeLogs = (a: Analysis, frame: Frame, subject: Subject): number => {
  const logs = subjectLogs(a, subject);
  let problems = logCauses(a, frame, subject, logs) + analyzeForbiddenPods(a, frame, subject);
  const full = logs.filter((l) => l.signals.diskFull !== undefined && (l.signals.diskFull.time === undefined || a.recent(l.signals.diskFull.time, 24 * 3_600_000)));
  if (full.length > 0) {
    problems++;
    const first = full[0]!;
    const disk = first.signals.diskFull!;
    const claims = (first.pod.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => typeof c === "string");
    const claim = claims.map((c) => subject.objects.persistentvolumeclaims.find((p) => p.metadata.name === c)).find((c) => c !== undefined);
    const size = claim?.status?.capacity?.["storage"] ?? claim?.spec?.resources?.requests?.["storage"];
    const volume = claims.length > 0 ? `volume ${claims[0] ?? ""}${size !== undefined ? ` (${size})` : ""}` : "its disk";
    const id = a.evidence.add({
      source: podSource(first.pod),
      timestamp: disk.time ?? a.alertTime,
      severity: "critical",
      content: `${first.container} of ${subject.label} reports a full disk${disk.time !== undefined ? ` at ${formatTime(disk.time)}` : ""} (${plural(full.length, "log")}: ${listNames(full.map((l) => l.pod.metadata.name))}): ${disk.line}`,
      metadata: { pods: full.map((l) => l.pod.metadata.name), line: disk.line, claims, size: size ?? null }
    });
    a.propose(frame, subject.label, {
      key: `disk-full:${subject.label}`,
      title: `${subject.label}'s ${volume} is full (No space left on device)`,
      detail: `${first.container} cannot write: "${clipText(disk.line, 200)}". A process that cannot write its data files or write-ahead log fails or shuts down, and everything that depends on it fails with it.`,
      confidence: "high",
      depth: 3,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `exec ${first.pod.metadata.name} -c ${first.container} -- df -h`)}; kubelet_volume_stats_available_bytes{namespace="${subject.ref.namespace}"${claims[0] !== undefined ? `,persistentvolumeclaim="${claims[0]}"` : ""}}`,
      actions: [
        claims[0] !== undefined
          ? `Expand the volume: ${kubectl(subject.ref.namespace, `patch pvc ${claims[0]} -p '{"spec":{"resources":{"requests":{"storage":"<larger size>"}}}}'`)} (the storage class must allow expansion)`
          : "Free space or give the container a larger volume",
        "Free space safely (old WAL/archives, logs, temp files) and find what filled it"
      ],
      chain: [`${volume} of ${subject.label} full`]
    });
  }
  // The most repeated error lines, so the report shows what the process complains about.
  const errors = new Map<string, { sample: string; count: number; pods: Set<string>; lastTime?: number; pod: Pod }>();
  for (const l of logs) {
    for (const e of l.signals.errors) {
      const seen = errors.get(e.signature);
      if (seen === undefined) errors.set(e.signature, { sample: e.sample, count: e.count, pods: new Set([l.pod.metadata.name]), pod: l.pod, ...(e.lastTime !== undefined ? { lastTime: e.lastTime } : {}) });
      else {
        seen.count += e.count;
        seen.pods.add(l.pod.metadata.name);
        if (e.lastTime !== undefined && (seen.lastTime === undefined || e.lastTime > seen.lastTime)) seen.lastTime = e.lastTime;
      }
    }
  }
  const top = [...errors.values()].filter((e) => e.lastTime === undefined || a.recent(e.lastTime)).sort((x, y) => y.count - x.count).slice(0, MAX_ERROR_FINDINGS);
  for (const e of top) {
    a.evidence.add({
      source: podSource(e.pod),
      timestamp: e.lastTime ?? a.alertTime,
      severity: "medium",
      content: `${subject.label} logged ${e.count}× (${plural(e.pods.size, "pod")}): ${e.sample}`,
      metadata: { count: e.count, pods: [...e.pods], sample: e.sample }
    });
  }
  return problems;
};
