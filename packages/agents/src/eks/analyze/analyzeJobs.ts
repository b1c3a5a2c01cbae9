import type { Condition, CronJob, Event, Job, Pod } from "../kube/KubeObjects.js";
import { eventCount, eventTime, formatTime, toMillis } from "../kube/time.js";
import { logKey } from "../investigate/ClusterView.js";
import type { Analysis, Frame } from "./Analysis.js";
import type { Diagnose } from "./analyzeDependencies.js";
import { causeText, containersOf, exitCodeMeaning, kubectl, lastTerminated, listNames, plural, podSource, terminationTime } from "./podFacts.js";
import { describeRuntimeFailure, missingCommandText } from "./describeRuntimeFailure.js";
import { dependencyFailureIn, exitReasonText } from "./scanLog.js";
import { makeSubject, type Subject } from "./Subject.js";

/** Why one container of a pod that ran to completion did not succeed, in the words of whoever said so. */
export interface ContainerFailure {
  readonly pod: Pod;
  readonly container: string;
  readonly init: boolean;
  readonly exitCode?: number;
  /** `Error`, `ContainerCannotRun`, `CreateContainerConfigError`… */
  readonly reason?: string;
  /** The cause as the runtime, the kubelet or the process put it; undefined when nothing says. */
  readonly cause?: string;
  readonly from?: "termination message" | "kubelet" | "event" | "log";
  /**
   * The log's words are vouched for: a catalog signature or an exception names the cause. A plain
   * error line is the process's account, not a recognised cause.
   */
  readonly vouched?: boolean;
  /** The container never ran: the kubelet could not create or start it (pull, config, mount). */
  readonly notStarted: boolean;
  readonly time?: number;
}

/** States in which a container simply has not had its turn yet. */
const NOT_YET = new Set(["PodInitializing", "ContainerCreating"]);

const STAMP = /^\[?\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?\]?\s*/;
const LEVEL = /^\[?(?:ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|WARN(?:ING)?|INFO|DEBUG|E|F|W|I)\]?:?\s+/;
const FRAME = /^\s+(?:at |\.\.\. \d+ (?:more|common frames omitted)|File ")|^\t|^goroutine \d+ \[|^\s*\/.+\.go:\d+/;
const ERROR_LIKE = /\b(?:error|err|fatal|critical|panic|exception|fail(?:ed|ure|s)?|cannot|can't|could not|couldn't|unable|not found|no such|denied|refused|invalid|forbidden|unauthori[sz]ed|missing|timed? ?out|not supported|unsupported)\b/i;
/** A last line that only announces the exit; the reason is on the error line before it. */
const ANNOUNCES_EXIT = /^(?:.{0,60}\b(?:cannot proceed|exiting|aborting|shutting down|giving up|terminating|stopping)\b.{0,20})$/i;

/** A log line without its time stamp and level, or the message and error fields of a JSON line. */
const lineText = (line: string): string => {
  const t = line.trim();
  if (t.startsWith("{")) {
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      const field = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
      const data = typeof o["data"] === "object" && o["data"] !== null ? (o["data"] as Record<string, unknown>) : {};
      const error = field("error") ?? field("err") ?? field("exception") ?? (typeof data["error"] === "string" ? data["error"] : undefined);
      const message = field("msg") ?? field("message");
      if (message !== undefined || error !== undefined) return [message, error].filter((x) => x !== undefined).join(": ");
    } catch {
      // Not JSON after all: read it as text.
    }
  }
  return t.replace(STAMP, "").replace(LEVEL, "").trim();
};

/**
 * The reason a run-to-completion process gives for failing: it prints it last. The last
 * error-like line of the log (stack frames skipped), or the one before it when the last line
 * only announces the exit ("Curator cannot proceed. Exiting."); else the last line at all.
 */
export const lastWords = (log: string): { readonly text: string; readonly errorLike: boolean } | undefined => {
  const lines = log
    .split("\n")
    .filter((l) => l.trim() !== "" && !FRAME.test(l) && !/^==== (?:START|END) logs/.test(l))
    .slice(-40);
  if (lines.length === 0) return undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lineText(lines[i] ?? "");
    if (!ERROR_LIKE.test(lines[i] ?? "")) continue;
    if (ANNOUNCES_EXIT.test(text)) {
      for (let j = i - 1; j >= Math.max(0, i - 5); j--) {
        if (ERROR_LIKE.test(lines[j] ?? "") && !ANNOUNCES_EXIT.test(lineText(lines[j] ?? ""))) return { text: lineText(lines[j] ?? ""), errorLike: true };
      }
    }
    return { text, errorLike: true };
  }
  return { text: lineText(lines[lines.length - 1] ?? ""), errorLike: false };
};

const RANK = { high: 3, medium: 2, low: 1 } as const;
/** Lines from the end within which a log's words count as the reason it stopped. */
const LAST_WORDS = 15;

/**
 * Why a run-to-completion container stopped, in its log: a catalog signature near the end (the
 * cause in words, e.g. pg_dump older than the server), else the exception it died of, else the
 * first error of its last run of error lines (zalando/postgres-operator#1678,
 * SierraSoftworks/minback-postgres#5: the version mismatch, not the `mc` errors that follow from
 * it), else its last words. `kubectl logs` of a terminated container is the run that failed.
 */
const logFailure = (a: Analysis, pod: Pod, container: string): { readonly text: string; readonly vouched: boolean } | undefined => {
  for (const previous of [false, true]) {
    const s = a.logSignals(pod, container, previous);
    if (s === undefined) continue;
    const signature = s.signatures
      .filter((m) => m.fromEnd <= LAST_WORDS && m.category !== "slow" && m.category !== "disk-full")
      .sort((x, y) => RANK[y.confidence] - RANK[x.confidence] || x.fromEnd - y.fromEnd)[0];
    if (signature !== undefined) return { text: signature.title, vouched: signature.confidence === "high" };
    if (s.crash !== undefined) {
      const text = s.crash.rootCause ?? s.crash.headline;
      return { text, vouched: dependencyFailureIn(text) === undefined };
    }
    if (s.exitReason !== undefined) return { text: exitReasonText(s.exitReason), vouched: false };
  }
  const log = a.view.logs.get(logKey(pod.metadata.namespace ?? "", pod.metadata.name, container));
  for (const text of [log?.current, log?.previous]) {
    const words = text === undefined ? undefined : lastWords(text);
    if (words !== undefined) return { text: words.text, vouched: false };
  }
  return undefined;
};

const failedEventOf = (a: Analysis, pod: Pod, container: string): Event | undefined => {
  const events = a.events(pod.metadata.namespace ?? "")("Pod", pod.metadata.name).filter(
    (e) => e.reason === "Failed" && (e.involvedObject?.fieldPath ?? "").endsWith(`{${container}}`) && !/^Back-off/i.test(e.message ?? "") && (e.message ?? "") !== ""
  );
  // A generic "Error: ErrImagePull" follows the message that names the cause: prefer the longest recent one.
  return [...events].sort((x, y) => (y.message ?? "").length - (x.message ?? "").length)[0];
};

/**
 * The first container of a pod that stops it from completing (init containers first: a failing
 * one keeps the others from ever starting), with the best words for why.
 */
export const failureOfPod = (a: Analysis, pod: Pod): ContainerFailure | undefined => {
  for (const c of containersOf(pod)) {
    const terminated = c.status.state?.terminated ?? c.status.lastState?.terminated;
    const waiting = c.status.state?.waiting;
    const exited = terminated !== undefined && terminated.exitCode !== 0 && !(terminated.exitCode === undefined && terminated.reason === "Completed");
    const stuck = waiting?.reason !== undefined && !NOT_YET.has(waiting.reason) && waiting.reason !== "CrashLoopBackOff";
    if (!exited && !stuck) continue;
    const base = {
      pod,
      container: c.name,
      init: c.init,
      notStarted: stuck,
      ...(exited && terminated.exitCode !== undefined ? { exitCode: terminated.exitCode } : {}),
      ...((stuck ? waiting?.reason : terminated?.reason) !== undefined ? { reason: (stuck ? waiting?.reason : terminated?.reason) ?? "" } : {})
    };
    const time = toMillis(terminated?.finishedAt);
    const withTime = time !== undefined ? { ...base, time } : base;
    if (stuck && waiting?.message !== undefined && waiting.message.trim() !== "") return { ...withTime, cause: waiting.message, from: "kubelet" };
    if (!stuck && terminated?.message !== undefined && terminated.message.trim() !== "") return { ...withTime, cause: terminated.message.trim(), from: "termination message" };
    if (!stuck && terminated?.reason === "OOMKilled") return { ...withTime, cause: `OOMKilled: the kernel killed it at its memory limit (${c.spec?.resources?.limits?.["memory"] ?? "no limit set"})`, from: "kubelet" };
    const event = failedEventOf(a, pod, c.name);
    if (stuck && event !== undefined) return { ...withTime, cause: event.message ?? "", from: "event" };
    const logged = logFailure(a, pod, c.name);
    if (logged !== undefined) return { ...withTime, cause: logged.text, from: "log", ...(logged.vouched ? { vouched: true } : {}) };
    if (event !== undefined) return { ...withTime, cause: event.message ?? "", from: "event" };
    return withTime;
  }
  return undefined;
};

/** Whether the cause stands on its own: a runtime or kubelet message, or an error line of the process itself. */
const causeIsStated = (f: ContainerFailure): boolean => f.cause !== undefined && (f.from !== "log" || f.vouched === true || ERROR_LIKE.test(f.cause));

/** Killed by a signal from outside (the Job's deadline, an eviction): its last log words need not say why. */
const killed = (f: ContainerFailure): boolean => (f.exitCode === 137 || f.exitCode === 143) && f.reason !== "OOMKilled";

/**
 * The runtime's refusal to start the process, in terms of the image: a command the image does not
 * contain (a shell in a distroless image) is named as such, not as the runtime's raw words.
 */
const runtimeCause = (f: ContainerFailure): string | undefined => {
  if (f.cause === undefined || f.from === "log") return undefined;
  const failure = describeRuntimeFailure(f.cause);
  if (failure?.kind !== "command-missing") return undefined;
  const spec = [...(f.pod.spec?.initContainers ?? []), ...(f.pod.spec?.containers ?? [])].find((c) => c.name === f.container);
  const fromSpec = spec?.command?.[0] === failure.command || (spec?.command === undefined && spec?.args?.[0] === failure.command);
  return `${missingCommandText(fromSpec ? "the command the pod spec sets" : "its command", failure.command, spec?.image ?? "its image")} (${failure.detail})`;
};

const what = (f: ContainerFailure): string => {
  const container = `${f.init ? "init container" : "container"} ${f.container}`;
  if (f.notStarted) return `${container} cannot start (${f.reason ?? "waiting"})`;
  return `${container} exited with code ${f.exitCode ?? "unknown"}${f.reason !== undefined && f.reason !== "Error" ? ` (${f.reason})` : ""}`;
};

const failedCondition = (job: Job | undefined): Condition | undefined =>
  job?.status?.conditions?.find((c) => typeof c === "object" && c !== null && c.type === "Failed" && c.status === "True");

/** Pods of a Job that did not succeed, newest first. */
const failingPods = (subject: Subject): ReadonlyArray<Pod> =>
  subject.pods
    .filter((p) => p.status?.phase !== "Succeeded")
    .sort((x, y) => (toMillis(y.metadata.creationTimestamp) ?? 0) - (toMillis(x.metadata.creationTimestamp) ?? 0));

const groupFailures = (failures: ReadonlyArray<ContainerFailure>) => {
  const groups = new Map<string, Array<ContainerFailure>>();
  for (const f of failures) {
    const key = `${f.container}\n${f.cause ?? f.reason ?? ""}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [f]);
    else g.push(f);
  }
  return [...groups.values()].sort((x, y) => Number(causeIsStated(y[0]!)) - Number(causeIsStated(x[0]!)) || y.length - x.length);
};

/**
 * A Job (or a lone pod that ran to completion) that failed or cannot finish: the Job's own verdict
 * (BackoffLimitExceeded, DeadlineExceeded) with what its failed pods said. A failed pod of a Job
 * is not a crash loop: nothing restarts it; its exit and last words are the cause.
 */
const analyzeJob = (a: Analysis, frame: Frame, subject: Subject): number => {
  const job = subject.job;
  const failed = failedCondition(job);
  // Without jobs.json the job controller's events still carry the verdict.
  const jobEvents = subject.ref.kind === "Job" ? a.events(subject.ref.namespace)("Job", subject.ref.name).filter((e) => e.type === "Warning") : [];
  const verdict = failed?.reason ?? jobEvents.find((e) => e.reason === "BackoffLimitExceeded" || e.reason === "DeadlineExceeded")?.reason;
  const isJob = subject.ref.kind === "Job";
  const pods = isJob ? failingPods(subject) : subject.pods.filter((p) => p.status?.phase === "Failed");
  const failures = pods.map((p) => failureOfPod(a, p)).filter((f): f is ContainerFailure => f !== undefined);
  if (failures.length === 0 && verdict === undefined) return 0;
  const what1 = isJob ? `Job ${subject.label}` : `Pod ${subject.label}`;
  const state = verdict !== undefined ? `failed (${verdict})` : isJob ? "cannot complete" : "failed";
  const jobId =
    verdict === undefined
      ? undefined
      : a.evidence.add({
          source: `kubernetes/job/${subject.label}`,
          timestamp: toMillis(failed?.lastTransitionTime) ?? a.alertTime,
          severity: "critical",
          content: `${what1} ${state}: ${failed?.message ?? jobEvents[0]?.message ?? ""}${job?.spec?.backoffLimit !== undefined ? `; backoffLimit ${job.spec.backoffLimit}` : ""}${job?.spec?.activeDeadlineSeconds !== undefined ? `; activeDeadlineSeconds ${job.spec.activeDeadlineSeconds}` : ""}; ${job?.status?.failed ?? pods.length} failed, ${job?.status?.succeeded ?? 0} succeeded`,
          metadata: { reason: verdict, message: failed?.message ?? null, backoffLimit: job?.spec?.backoffLimit ?? null, activeDeadlineSeconds: job?.spec?.activeDeadlineSeconds ?? null }
        });
  const describeCmd = kubectl(subject.ref.namespace, isJob ? `describe job ${subject.ref.name}` : `describe pod ${subject.ref.name}`);
  if (failures.length === 0) {
    const deadline = verdict === "DeadlineExceeded";
    a.propose(frame, subject.label, {
      key: `job:${subject.label}:${verdict ?? ""}`,
      title: deadline
        ? `${what1} was stopped by its deadline (DeadlineExceeded): it ran longer than activeDeadlineSeconds${job?.spec?.activeDeadlineSeconds !== undefined ? ` (${job.spec.activeDeadlineSeconds}s)` : ""}`
        : `${what1} ${state}; its failed pods are gone, so nothing says why`,
      detail: deadline
        ? "The Job controller terminated its pods when the deadline passed. Why the work took that long (a slow or hung dependency, more data than usual, too little CPU) is not in the objects read."
        : `${failed?.message ?? ""}. The pods that failed are no longer in the cluster (deleted or garbage-collected), so their exit codes and logs cannot be read: this is the symptom, not its cause.`,
      confidence: deadline ? "medium" : "low",
      depth: 1,
      supporting: jobId !== undefined ? [jobId] : [],
      confirmBy: describeCmd,
      actions: deadline ? ["Find what the pods were waiting on before the deadline (logs, dependencies); raise activeDeadlineSeconds only if the work legitimately takes longer"] : ["Re-run the Job and keep its pods (ttlSecondsAfterFinished, failedJobsHistoryLimit) to read their logs"]
    });
    return 1;
  }
  for (const group of groupFailures(failures)) {
    const f = group[0]!;
    const podNames = group.map((g) => g.pod.metadata.name);
    const meaning = f.notStarted ? undefined : exitCodeMeaning(f.exitCode);
    const stated = causeIsStated(f);
    const id = a.evidence.add({
      source: podSource(f.pod),
      timestamp: f.time ?? a.alertTime,
      severity: "critical",
      content: `${plural(group.length, "pod")} of ${what1} (${listNames(podNames)}): ${what(f)}${meaning !== undefined ? ` (${meaning})` : ""}${f.cause !== undefined ? ` — ${f.from ?? "it"} says: ${causeText(f.cause, 400)}` : ""}${f.pod.spec?.restartPolicy !== undefined ? `; restartPolicy ${f.pod.spec.restartPolicy}` : ""}`,
      metadata: { container: f.container, init: f.init, exitCode: f.exitCode ?? null, reason: f.reason ?? null, from: f.from ?? null, pods: podNames }
    });
    const cause = f.cause !== undefined ? (runtimeCause(f) ?? causeText(f.cause, 220)) : undefined;
    a.propose(frame, subject.label, {
      key: `job:${subject.label}:${f.container}:${f.cause ?? f.reason ?? ""}`,
      title: cause !== undefined ? `${what1} ${state}: ${what(f)}: ${cause}` : `${what1} ${state}: ${what(f)}; nothing read says why`,
      detail: `${verdict === "BackoffLimitExceeded" ? `The Job controller gave up after ${job?.status?.failed ?? group.length} failed pod${(job?.status?.failed ?? group.length) === 1 ? "" : "s"} (backoffLimit ${job?.spec?.backoffLimit ?? 6}). ` : verdict === "DeadlineExceeded" ? `The Job ran past activeDeadlineSeconds${job?.spec?.activeDeadlineSeconds !== undefined ? ` (${job.spec.activeDeadlineSeconds}s)` : ""} while its pods kept failing. ` : ""}${plural(group.length, "pod")} (${listNames(podNames)}): ${what(f)}${meaning !== undefined ? `, ${meaning}` : ""}. ${f.cause !== undefined ? `${f.from === "log" ? "Its last log words" : `The ${f.from ?? "status"}`}: ${causeText(f.cause, 300)}` : "No termination message, kubelet message or log says why."}`,
      // Who stated the cause matters: the runtime's or kubelet's message, a termination message, or
      // a log line the catalog recognises (or an exception) is the cause; a plain error line is the
      // process's own account (medium); without any, the exit code is only the symptom.
      confidence: stated && !killed(f) && (f.from !== "log" || f.vouched === true) ? "high" : "medium",
      // A container that never started is already named by the image, config or mount checks; the
      // Job's own verdict then sits above them, not beside them.
      depth: f.notStarted ? 1 : 2,
      supporting: [...(jobId !== undefined ? [jobId] : []), id],
      confirmBy: `${describeCmd}; ${kubectl(subject.ref.namespace, `logs ${f.pod.metadata.name} -c ${f.container}`)}`,
      actions: [
        `Fix what ${f.container} reports${cause !== undefined ? ` (${causeText(f.cause ?? "", 100)})` : ""}, then re-run the ${isJob ? "Job" : "pod"}${isJob ? `: ${kubectl(subject.ref.namespace, `create job ${subject.ref.name}-retry --from=cronjob/<cronjob>`)} or re-apply it` : ""}`
      ],
      ...(verdict !== undefined ? { chain: [`${what(f)}${cause !== undefined ? `: ${cause}` : ""}`, `${what1} ${state}`] } : {})
    });
  }
  return 1;
};

const SCHEDULE_EVENTS = /too many missed start time/i;

const jobsOf = (subject: Subject, cronJob: CronJob | undefined): ReadonlyArray<Job> =>
  subject.objects.jobs
    .filter((j) => (j.metadata.ownerReferences ?? []).some((o) => o.kind === "CronJob" && (o.uid !== undefined && cronJob?.metadata.uid !== undefined ? o.uid === cronJob.metadata.uid : o.name === subject.ref.name)))
    .sort((x, y) => (toMillis(y.status?.startTime ?? y.metadata.creationTimestamp) ?? 0) - (toMillis(x.status?.startTime ?? x.metadata.creationTimestamp) ?? 0));

/**
 * A CronJob that does not run its Jobs: the controller's own events (too many missed start
 * times, a previous run still active under `Forbid`), `suspend`, and the last run's failure,
 * followed into that Job one level deeper.
 */
const analyzeCronJob = (a: Analysis, frame: Frame, subject: Subject, cronJob: CronJob | undefined, diagnose: Diagnose): number => {
  const name = subject.ref.name;
  const ns = subject.ref.namespace;
  const label = `CronJob ${subject.label}`;
  const events = a.events(ns)("CronJob", name).filter((e) => a.recent(eventTime(e), 24 * 3_600_000));
  const spec = cronJob?.spec ?? {};
  let problems = 0;
  const missed = [...events].reverse().find((e) => SCHEDULE_EVENTS.test(e.message ?? ""));
  if (missed !== undefined) {
    problems++;
    const deadline = spec.startingDeadlineSeconds;
    const id = a.evidence.add({
      source: `kubernetes/cronjob/${subject.label}`,
      timestamp: eventTime(missed) ?? a.alertTime,
      severity: "critical",
      content: `${label}: ${missed.reason ?? "Warning"} ×${eventCount(missed)}: ${causeText(missed.message ?? "", 300)}; schedule ${spec.schedule ?? "?"}, startingDeadlineSeconds ${cronJob === undefined ? "unknown (CronJob not read)" : (deadline ?? "not set")}, last scheduled ${cronJob?.status?.lastScheduleTime ?? "unknown"}`,
      metadata: { reason: missed.reason ?? null, count: eventCount(missed), schedule: spec.schedule ?? null, startingDeadlineSeconds: deadline ?? null, lastScheduleTime: cronJob?.status?.lastScheduleTime ?? null }
    });
    a.propose(frame, subject.label, {
      key: `cronjob-missed:${subject.label}`,
      title: `${label} no longer starts Jobs: too many missed start times (> 100)${cronJob === undefined ? "; set .spec.startingDeadlineSeconds" : deadline === undefined ? " and .spec.startingDeadlineSeconds is not set" : `, counted over its startingDeadlineSeconds (${deadline}s)`}`,
      detail: `The CronJob controller counts the start times missed since the last scheduled run${deadline === undefined ? "" : ` within startingDeadlineSeconds`}; past 100 it stops scheduling and only logs "${causeText(missed.message ?? "", 200)}" (${eventCount(missed)} times). Runs were missed while the controller was down, the clock skewed, or a run was still active under concurrencyPolicy ${spec.concurrencyPolicy ?? "Allow"}.`,
      confidence: "high",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(ns, `describe cronjob ${name}`)} (Events: FailedNeedsStart)`,
      actions: [`Set .spec.startingDeadlineSeconds (shorter than the schedule's interval): ${kubectl(ns, `patch cronjob ${name} -p '{"spec":{"startingDeadlineSeconds":200}}'`)}`, "Check the controller manager's health and the nodes' clocks"]
    });
  }
  if (spec.suspend === true) {
    problems++;
    const id = a.evidence.add({ source: `kubernetes/cronjob/${subject.label}`, timestamp: a.alertTime, severity: "high", content: `${label} is suspended (.spec.suspend: true); last scheduled ${cronJob?.status?.lastScheduleTime ?? "never"}`, metadata: { suspend: true } });
    a.propose(frame, subject.label, {
      key: `cronjob-suspended:${subject.label}`,
      title: `${label} is suspended (.spec.suspend: true): it creates no Jobs`,
      detail: `A suspended CronJob skips every scheduled run until it is resumed. Last scheduled: ${cronJob?.status?.lastScheduleTime ?? "never"}.`,
      confidence: "high",
      depth: 2,
      supporting: [id],
      confirmBy: kubectl(ns, `get cronjob ${name} -o jsonpath='{.spec.suspend}'`),
      actions: [`Resume it if the suspension was not intended: ${kubectl(ns, `patch cronjob ${name} -p '{"spec":{"suspend":false}}'`)}`]
    });
  }
  const jobs = jobsOf(subject, cronJob);
  const deeper: Frame = { depthBase: frame.depthBase + 2, downstream: [], path: [...frame.path, `CronJob/${ns}/${name}`] };
  const alreadyActive = events.filter((e) => e.reason === "JobAlreadyActive");
  const activeNames = (cronJob?.status?.active ?? []).map((r) => r.name).filter((n): n is string => typeof n === "string");
  const active = jobs.filter((j) => activeNames.includes(j.metadata.name) || (j.status?.active ?? 0) > 0);
  if (spec.concurrencyPolicy === "Forbid" && active.length > 0 && (alreadyActive.length > 0 || missed !== undefined)) {
    problems++;
    const stuck = active[active.length - 1]!;
    const since = toMillis(stuck.status?.startTime ?? stuck.metadata.creationTimestamp);
    const id = a.evidence.add({
      source: `kubernetes/cronjob/${subject.label}`,
      timestamp: alreadyActive.length > 0 ? (eventTime(alreadyActive[alreadyActive.length - 1]!) ?? a.alertTime) : a.alertTime,
      severity: "high",
      content: `${label} (concurrencyPolicy Forbid) skips runs while Job ${stuck.metadata.name} is active${since !== undefined ? ` (since ${formatTime(since)})` : ""}${alreadyActive.length > 0 ? `: JobAlreadyActive ×${alreadyActive.reduce((n, e) => n + eventCount(e), 0)}` : ""}`,
      metadata: { job: stuck.metadata.name, since: since ?? null }
    });
    const jobLabel = `${ns}/${stuck.metadata.name}`;
    a.propose(frame, subject.label, {
      key: `cronjob-forbid:${subject.label}`,
      title: `${label} skips its runs: concurrencyPolicy Forbid and Job ${jobLabel} is still running${since !== undefined ? ` since ${formatTime(since)}` : ""}`,
      detail: `Under Forbid a new run starts only when the previous one has finished; Job ${stuck.metadata.name} has not, so every later run is skipped${missed !== undefined ? " and counted as missed" : ""}.`,
      confidence: alreadyActive.length > 0 ? "high" : "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(ns, `describe job ${stuck.metadata.name}`)}; ${kubectl(ns, `get pods -l job-name=${stuck.metadata.name}`)}`,
      actions: [`Find why Job ${stuck.metadata.name} does not finish; delete it to let the schedule resume`, "Set activeDeadlineSeconds on the job template so a hung run cannot block the schedule"]
    });
    diagnose(a, { ...deeper, downstream: [`Job ${jobLabel} blocks ${label} (concurrencyPolicy Forbid)`, ...frame.downstream] }, makeSubject({ kind: "Job", namespace: ns, name: stuck.metadata.name }, subject.objects));
  }
  const last = jobs[0];
  if (last !== undefined && failedCondition(last) !== undefined && !active.includes(last)) {
    problems++;
    diagnose(a, { ...deeper, downstream: [`${label}'s last run ${ns}/${last.metadata.name} failed`, ...frame.downstream] }, makeSubject({ kind: "Job", namespace: ns, name: last.metadata.name }, subject.objects));
    return problems;
  }
  // A run the kernel killed at its memory limit need not fail (its exit code may be 0, or a retry
  // succeeded): the kill is still the trouble (kubecost/kubecost#13, ossf/scorecard#512).
  const killed = jobs.slice(0, RECENT_RUNS).find((j) => !active.includes(j) && oomKilledIn(a, makeSubject({ kind: "Job", namespace: ns, name: j.metadata.name }, subject.objects)));
  if (killed !== undefined) {
    problems++;
    diagnose(a, { ...deeper, downstream: [`${label}'s run ${ns}/${killed.metadata.name} was OOMKilled`, ...frame.downstream] }, makeSubject({ kind: "Job", namespace: ns, name: killed.metadata.name }, subject.objects));
  }
  return problems;
};

/** How many of a CronJob's latest runs are read for an OOM kill. */
const RECENT_RUNS = 3;

const oomKilledIn = (a: Analysis, job: Subject): boolean =>
  job.pods.some((p) => containersOf(p).some((c) => lastTerminated(c.status)?.reason === "OOMKilled" && a.recent(terminationTime(c.status))));

/** Jobs, CronJobs and pods that ran to completion and failed; returns the problems found. */
export const analyzeJobs = (a: Analysis, frame: Frame, subject: Subject, diagnose: Diagnose): number => {
  if (subject.ref.kind === "CronJob") return analyzeCronJob(a, frame, subject, subject.cronJob, diagnose);
  if (subject.ref.kind === "Job" || (subject.ref.kind === "Pod" && subject.pods.some((p) => p.status?.phase === "Failed"))) return analyzeJob(a, frame, subject);
  return 0;
};

/** Whether a Job or CronJob subject shows trouble since `since` that its pods alone would not show. */
export const jobNeedsAttention = (subject: Subject, since: number): boolean => {
  const failed = failedCondition(subject.job);
  if (failed !== undefined && (toMillis(failed.lastTransitionTime) ?? since) >= since) return true;
  if (subject.ref.kind === "Job") return subject.objects.events.some((e) => e.type === "Warning" && e.involvedObject?.kind === "Job" && e.involvedObject.name === subject.ref.name && (e.reason === "BackoffLimitExceeded" || e.reason === "DeadlineExceeded") && (eventTime(e) ?? 0) >= since);
  if (subject.ref.kind !== "CronJob") return false;
  // JobAlreadyActive is a Normal event, yet it means a run was skipped.
  const warned = subject.objects.events.some((e) => (e.type === "Warning" || e.reason === "JobAlreadyActive") && e.involvedObject?.kind === "CronJob" && e.involvedObject.name === subject.ref.name && (eventTime(e) ?? 0) >= since);
  // A suspended CronJob is often meant to be: it is a cause only when the alert names it.
  return warned;
};
