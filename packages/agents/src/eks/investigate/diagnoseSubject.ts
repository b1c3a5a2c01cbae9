import type { Analysis, Frame, SubjectDiagnosis } from "../analyze/Analysis.js";
import { analyzeContainers } from "../analyze/analyzeContainers.js";
import { analyzeDependencies } from "../analyze/analyzeDependencies.js";
import { analyzeClaim } from "../analyze/analyzeClaim.js";
import { analyzeJobs } from "../analyze/analyzeJobs.js";
import { analyzeIngressPolicies } from "../analyze/analyzeNetworkPolicies.js";
import { analyzeSubjectServices } from "../analyze/analyzeServices.js";
import { analyzeLogs } from "../analyze/analyzeLogs.js";
import { analyzeNodes } from "../analyze/analyzeNodes.js";
import { analyzePodSandbox } from "../analyze/analyzePodSandbox.js";
import { analyzeRollout } from "../analyze/analyzeRollout.js";
import { analyzeCreateFailures, analyzeMounts, analyzeScheduling } from "../analyze/analyzeScheduling.js";
import { containersOf, isPodDone, isPodReady, plural } from "../analyze/podFacts.js";
import { refKey, type Subject } from "../analyze/Subject.js";

/** Dependencies are followed this many hops from the alert's workload (api → db → …). */
export const MAX_DEPENDENCY_HOPS = 2;

/**
 * Runs one analyzer; a malformed object (a field of the wrong type in a hand-edited dump, an
 * API server quirk) must cost that one check, never the investigation, and is recorded as such.
 */
const guarded = <A>(a: Analysis, name: string, subject: Subject, fallback: A, run: () => A): A => {
  try {
    return run();
  } catch (e) {
    a.evidence.add({
      source: `kubernetes/${subject.ref.kind.toLowerCase()}/${subject.label}`,
      timestamp: a.alertTime,
      severity: "info",
      content: `The ${name} check skipped ${subject.label}: its objects are malformed (${e instanceof Error ? e.message : String(e)})`,
      metadata: { analyzer: name }
    });
    return fallback;
  }
};

const statusOf = (subject: Subject, notes: ReadonlyArray<string>): { status: string; healthy: boolean } => {
  const pods = subject.pods.filter((p) => !isPodDone(p) && p.status?.reason !== "Evicted");
  if (subject.ref.kind === "PersistentVolumeClaim" && pods.length === 0) return { status: notes.length > 0 ? notes.join(", ") : "bound", healthy: notes.length === 0 };
  const ready = pods.filter(isPodReady).length;
  const desired = subject.deployment?.spec?.replicas ?? subject.statefulSet?.spec?.replicas ?? subject.daemonSet?.status?.desiredNumberScheduled ?? pods.length;
  const want = typeof desired === "number" ? desired : pods.length;
  const healthy = ready >= want && notes.length === 0 && pods.every((p) => containersOf(p).every((c) => c.status.state?.waiting === undefined));
  const base = pods.length === 0 && want > 0 ? `0/${want} ready (no pods)` : `${ready}/${want} ready`;
  return { status: notes.length > 0 ? `${base}, ${notes.join(", ")}` : base, healthy };
};

/** Every check of one workload, then the dependencies its logs point to, diagnosed one level deeper. */
export const diagnoseSubject = (a: Analysis, frame: Frame, subject: Subject): SubjectDiagnosis => {
  const key = refKey(subject.ref);
  const known = a.diagnosis(key);
  if (known !== undefined || frame.path.includes(key)) return known ?? { subject, status: "already on the path", healthy: true };
  const inner: Frame = { ...frame, path: [...frame.path, key] };
  const containers = guarded(a, "containers", subject, { crashing: [], notStarting: 0, oomKilled: 0, probeFailures: 0 }, () => analyzeContainers(a, inner, subject));
  const pending = guarded(a, "scheduling", subject, 0, () => analyzeScheduling(a, inner, subject));
  guarded(a, "volume mounts", subject, undefined, () => analyzeMounts(a, inner, subject));
  guarded(a, "pod sandbox", subject, undefined, () => analyzePodSandbox(a, inner, subject));
  guarded(a, "pod creation", subject, undefined, () => analyzeCreateFailures(a, inner, subject));
  const nodeProblems = guarded(a, "nodes", subject, 0, () => analyzeNodes(a, inner, subject));
  guarded(a, "rollout", subject, {}, () => analyzeRollout(a, inner, subject));
  guarded(a, "logs", subject, 0, () => analyzeLogs(a, inner, subject));
  const jobProblems = guarded(a, "jobs", subject, 0, () => analyzeJobs(a, inner, subject, diagnoseSubject));
  guarded(a, "services", subject, 0, () => analyzeSubjectServices(a, inner, subject));
  guarded(a, "network policies", subject, 0, () => analyzeIngressPolicies(a, inner, subject));
  const notes: Array<string> = [];
  if (subject.ref.kind === "PersistentVolumeClaim") {
    const claim = subject.objects.persistentvolumeclaims.find((c) => c.metadata.name === subject.ref.name);
    if (claim !== undefined && claim.status?.phase !== "Bound") {
      guarded(a, "claim", subject, undefined, () => analyzeClaim(a, inner, subject, claim));
      notes.push(`claim ${claim.status?.phase ?? "Pending"}`);
    }
  }
  if (containers.crashing.length > 0) notes.push(`${plural(new Set(containers.crashing.map((c) => c.pod.metadata.name)).size, "pod")} crash-looping`);
  if (containers.notStarting > 0) notes.push(`${plural(containers.notStarting, "container")} not starting`);
  if (pending > 0) notes.push(`${plural(pending, "pod")} pending`);
  if (nodeProblems > 0) notes.push("node trouble");
  if (jobProblems > 0) notes.push(subject.ref.kind === "CronJob" ? "not running its Jobs" : "failed");
  const diagnosis: SubjectDiagnosis = { subject, ...guarded(a, "status", subject, { status: "state unreadable", healthy: false }, () => statusOf(subject, notes)) };
  // Remembered before following dependencies, so a cycle back to this workload reuses it.
  a.remember(key, diagnosis);
  if (frame.depthBase / 2 < MAX_DEPENDENCY_HOPS) {
    guarded(a, "dependencies", subject, 0, () => analyzeDependencies(a, inner, subject, diagnoseSubject));
  }
  return diagnosis;
};
