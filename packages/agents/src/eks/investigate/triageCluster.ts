import type { Event, Pod } from "../kube/KubeObjects.js";
import { eventTime, toMillis } from "../kube/time.js";
import { containersOf, isPodDone, isPodReady, terminationTime } from "../analyze/podFacts.js";
import { makeSubject, namespaceObjects, type Subject, subjectsOfNamespace, workloadOf } from "../analyze/Subject.js";
import type { ClusterView } from "./ClusterView.js";
import type { ObjectKind, Target } from "./scopeFromAlert.js";

/** How badly an object is doing, and in a few words why. */
export interface Trouble {
  readonly target: Target;
  /** 5 cannot run at all (crash loop, image, config), 4 failed or unschedulable, 3 not ready or short of replicas, 2 restarting. */
  readonly score: number;
  readonly what: string;
  /** Pods affected, as a tie-breaker. */
  readonly pods: number;
  /** The nodes the troubled pods were placed on. */
  readonly nodes: ReadonlyArray<string>;
}

const WAITING: ReadonlyArray<[RegExp, number, string]> = [
  [/^CrashLoopBackOff$/, 5, "crash-looping"],
  [/^(?:ImagePullBackOff|ErrImagePull|InvalidImageName|ErrImageNeverPull|RegistryUnavailable)$/, 5, "cannot pull its image"],
  [/^(?:CreateContainerConfigError|CreateContainerError|RunContainerError|PreCreateHookError|PostStartHookError)$/, 5, "cannot create its container"]
];

const podTrouble = (pod: Pod, since: number, evictionAsked = false): { score: number; what: string } | undefined => {
  let worst: { score: number; what: string } | undefined;
  const consider = (score: number, what: string) => {
    if (worst === undefined || score > worst.score) worst = { score, what };
  };
  const phase = pod.status?.phase;
  if (phase === "Succeeded") return undefined;
  if (pod.status?.reason === "Evicted") {
    if (evictionAsked || (toMillis(pod.status.startTime) ?? 0) >= since || (toMillis(pod.metadata.creationTimestamp) ?? 0) >= since) consider(3, "evicted");
    return worst;
  }
  for (const c of containersOf(pod)) {
    const reason = c.status.state?.waiting?.reason ?? "";
    for (const [re, score, what] of WAITING) if (re.test(reason)) consider(score, c.init ? `init container ${what}` : what);
    if (c.status.lastState?.terminated?.reason === "OOMKilled" && (terminationTime(c.status) ?? 0) >= since) consider(4, "OOMKilled");
    if ((c.status.restartCount ?? 0) > 0 && (terminationTime(c.status) ?? 0) >= since) consider(2, "restarting");
  }
  if (phase === "Failed") consider(4, "failed");
  if (phase === "Pending") {
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    consider(scheduled?.status === "False" ? 4 : 3, scheduled?.status === "False" ? "unschedulable" : "pending");
  }
  if (phase === "Running" && !isPodReady(pod)) consider(3, "not ready");
  return worst;
};

const warningsFor = (events: ReadonlyArray<Event>, kind: string, name: string, since: number): ReadonlyArray<Event> =>
  events.filter((e) => e.type === "Warning" && e.involvedObject?.kind === kind && e.involvedObject.name === name && (eventTime(e) ?? 0) >= since);

const subjectTrouble = (subject: Subject, since: number, evictionAsked = false): Trouble | undefined => {
  let worst: { score: number; what: string } | undefined;
  let worstPod: Pod | undefined;
  let pods = 0;
  const nodes = new Set<string>();
  for (const pod of subject.pods) {
    if (!isPodDone(pod) && !isPodReady(pod) && pod.spec?.nodeName !== undefined) nodes.add(pod.spec.nodeName);
    const t = podTrouble(pod, since, evictionAsked);
    if (t === undefined) continue;
    pods++;
    if (pod.spec?.nodeName !== undefined) nodes.add(pod.spec.nodeName);
    if (worst === undefined || t.score > worst.score) {
      worst = t;
      worstPod = pod;
    }
  }
  const live = subject.pods.filter((p) => !isPodDone(p) && p.status?.reason !== "Evicted");
  const desired = subject.deployment?.spec?.replicas ?? subject.statefulSet?.spec?.replicas ?? subject.daemonSet?.status?.desiredNumberScheduled;
  const ready = live.filter(isPodReady).length;
  if (typeof desired === "number" && ready < desired && (worst === undefined || worst.score < 3)) worst = { score: 3, what: `${ready}/${desired} ready` };
  if (subject.ref.kind === "Job") {
    const job = subject.objects.jobs.find((j) => j.metadata.name === subject.ref.name);
    const failed = job?.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
    if (failed !== undefined && (worst === undefined || worst.score < 4)) worst = { score: 4, what: `failed${failed.reason !== undefined ? ` (${failed.reason})` : ""}` };
  }
  const warnings = [...warningsFor(subject.objects.events, subject.ref.kind, subject.ref.name, since), ...subject.replicaSets.slice(0, 1).flatMap((rs) => warningsFor(subject.objects.events, "ReplicaSet", rs.metadata.name, since))];
  if (warnings.length > 0 && (worst === undefined || worst.score < 3)) worst = { score: 3, what: `${warnings.at(-1)?.reason ?? "Warning"} events` };
  if (worst === undefined) return undefined;
  // An owner we do not diagnose by kind (a ReplicationController, an operator's resource) is reached through its pod.
  const target: Target = TARGET_KINDS.has(subject.ref.kind)
    ? { kind: subject.ref.kind as Target["kind"], namespace: subject.ref.namespace, name: subject.ref.name }
    : { kind: "Pod", namespace: subject.ref.namespace, name: (worstPod ?? subject.pods[0])?.metadata.name ?? subject.ref.name };
  return { target, score: worst.score, what: worst.what, pods, nodes: [...nodes] };
};

const TARGET_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]);

/** Every workload, Job, CronJob and lone pod of a namespace, as subjects (a CronJob has no pods of its own). */
export const allSubjects = (view: ClusterView, namespace: string): ReadonlyArray<Subject> => {
  const objects = namespaceObjects(view, namespace);
  const seen = new Set<string>();
  const out: Array<Subject> = [];
  const push = (s: Subject) => {
    const key = `${s.ref.kind}/${s.ref.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(s);
  };
  for (const s of subjectsOfNamespace(view, namespace)) push(s);
  for (const j of objects.jobs) push(makeSubject({ kind: "Job", namespace, name: j.metadata.name }, objects));
  for (const c of objects.cronjobs) push(makeSubject({ kind: "CronJob", namespace, name: c.metadata.name }, objects));
  return out;
};

/**
 * The unhealthy objects of a view, worst first: pods that cannot run, Jobs that failed, workloads
 * short of replicas, objects with Warning events in the window. `prefer` lifts the kinds the
 * alert's words talk about. Services come in when preferred: one whose selector matches no ready pod;
 * and claims: one that is Pending. Evicted pods stay until deleted: when the words ask about
 * evictions, those older than the window count too (libero/reviewer#977: "Pods keep getting
 * evicted", asked hours after the last eviction).
 */
export const triageCluster = (view: ClusterView, since: number, prefer: ReadonlySet<ObjectKind> = new Set(), evictionAsked = false): ReadonlyArray<Trouble> => {
  const out: Array<Trouble> = [];
  for (const namespace of [...view.namespaces.keys()].sort()) {
    for (const s of allSubjects(view, namespace)) {
      const t = subjectTrouble(s, since, evictionAsked);
      if (t !== undefined) out.push(t);
    }
    if (prefer.has("Service")) {
      const objects = namespaceObjects(view, namespace);
      for (const svc of objects.services) {
        if (svc.spec?.selector === undefined || Object.keys(svc.spec.selector).length === 0) continue;
        const ep = objects.endpoints.find((e) => e.metadata.name === svc.metadata.name);
        const ready = ep?.subsets?.some((s) => (s.addresses?.length ?? 0) > 0) === true;
        if (ep !== undefined && !ready) out.push({ target: { kind: "Service", namespace, name: svc.metadata.name }, score: 3, what: "no ready endpoints", pods: 0, nodes: [] });
      }
    }
    // A claim that never binds may have no pod yet to be in trouble for it (IBM/core-dump-handler#78: the question was about claims).
    if (prefer.has("PersistentVolumeClaim")) {
      for (const claim of namespaceObjects(view, namespace).persistentvolumeclaims) {
        if (claim.status?.phase === "Pending") out.push({ target: { kind: "PersistentVolumeClaim", namespace, name: claim.metadata.name }, score: 3, what: "Pending", pods: 0, nodes: [] });
      }
    }
  }
  const lift = (t: Trouble) => (prefer.has(t.target.kind) || (t.target.kind === "Job" && prefer.has("CronJob")) ? 1 : 0);
  return out.sort((a, b) => b.score + lift(b) - (a.score + lift(a)) || b.pods - a.pods || `${a.target.namespace}/${a.target.name}`.localeCompare(`${b.target.namespace}/${b.target.name}`));
};

/** The workload a pod belongs to, as a target. */
export const ownerTarget = (view: ClusterView, pod: Pod): Target => {
  const ref = workloadOf(pod, namespaceObjects(view, pod.metadata.namespace ?? ""));
  return TARGET_KINDS.has(ref.kind) ? { kind: ref.kind as Target["kind"], namespace: ref.namespace, name: ref.name } : { kind: "Pod", namespace: pod.metadata.namespace ?? "", name: pod.metadata.name };
};
