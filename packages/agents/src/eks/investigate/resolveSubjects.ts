import type { Pod } from "../kube/KubeObjects.js";
import { toMillis } from "../kube/time.js";
import { containersOf, isPodDone, isPodReady, terminationTime } from "../analyze/podFacts.js";
import { makeSubject, namespaceObjects, type Subject, subjectsBehindSelector, subjectsOfNamespace, workloadOf, type WorkloadRef } from "../analyze/Subject.js";
import { jobNeedsAttention } from "../analyze/analyzeJobs.js";
import type { ClusterView } from "./ClusterView.js";
import type { ControlPlaneComponent, Scope, Target } from "./scopeFromAlert.js";

export interface Resolution {
  readonly namespace?: string;
  readonly subjects: ReadonlyArray<Subject>;
  /** How the alert's names were matched (or not), for the report. */
  readonly notes: ReadonlyArray<string>;
}

/** Services that scrape targets carry as labels (kube-state-metrics, node-exporter) name the exporter, not the affected workload. */
const EXPORTER = /kube-state-metrics|node-exporter|prometheus|kubelet|cadvisor/i;

/** Whether a subject needs looking at: pods not ready, restarting, pending, or fewer ready than desired. */
export const needsAttention = (subject: Subject, since: number): boolean => {
  if (jobNeedsAttention(subject, since)) return true;
  const pods = subject.pods.filter((p) => !isPodDone(p));
  if (pods.some((p) => !isPodReady(p) && p.status?.reason !== "Evicted")) return true;
  if (pods.some((p) => p.status?.reason === "Evicted" && (toMillis(p.status.startTime) ?? 0) >= since)) return true;
  if (pods.some((p) => containersOf(p).some((c) => (c.status.restartCount ?? 0) > 0 && (terminationTime(c.status) ?? 0) >= since))) return true;
  const desired = subject.deployment?.spec?.replicas ?? subject.statefulSet?.spec?.replicas ?? subject.daemonSet?.status?.desiredNumberScheduled;
  return typeof desired === "number" && pods.filter(isPodReady).length < desired;
};

const findPod = (view: ClusterView, namespace: string | undefined, name: string): Pod | undefined => {
  const namespaces = namespace !== undefined ? [namespace] : [...view.namespaces.keys()];
  for (const ns of namespaces) {
    const pod = namespaceObjects(view, ns).pods.find((p) => p.metadata.name === name);
    if (pod !== undefined) return pod;
  }
  return undefined;
};

/** The workload a deleted pod's name points at: `api-7d9f8b6c5-x2x9z` → Deployment api, `db-0` → StatefulSet db. */
const guessWorkload = (view: ClusterView, namespace: string, pod: string): WorkloadRef | undefined => {
  const objects = namespaceObjects(view, namespace);
  const rsName = /^(.*)-[a-z0-9]{5}$/.exec(pod)?.[1];
  if (rsName !== undefined) {
    const rs = objects.replicasets.find((r) => r.metadata.name === rsName);
    const owner = rs?.metadata.ownerReferences?.find((o) => o.controller === true);
    if (owner?.name !== undefined && owner.kind !== undefined) return { kind: owner.kind, namespace, name: owner.name };
    const deployment = /^(.*)-[a-z0-9]{6,10}$/.exec(rsName)?.[1];
    if (deployment !== undefined && objects.deployments.some((d) => d.metadata.name === deployment)) return { kind: "Deployment", namespace, name: deployment };
    if (objects.daemonsets.some((d) => d.metadata.name === rsName)) return { kind: "DaemonSet", namespace, name: rsName };
  }
  const ordinal = /^(.*)-\d+$/.exec(pod)?.[1];
  if (ordinal !== undefined && objects.statefulsets.some((s) => s.metadata.name === ordinal)) return { kind: "StatefulSet", namespace, name: ordinal };
  return undefined;
};

const exists = (view: ClusterView, ref: WorkloadRef): boolean => {
  const objects = namespaceObjects(view, ref.namespace);
  if (ref.kind === "Deployment") return objects.deployments.some((d) => d.metadata.name === ref.name);
  if (ref.kind === "StatefulSet") return objects.statefulsets.some((d) => d.metadata.name === ref.name);
  if (ref.kind === "DaemonSet") return objects.daemonsets.some((d) => d.metadata.name === ref.name);
  // Without jobs.json/cronjobs.json (kubectl cluster-info dump writes neither), their events still prove them.
  const named = () => objects.events.some((e) => e.involvedObject?.kind === ref.kind && e.involvedObject.name === ref.name);
  if (ref.kind === "Job") return objects.jobs.some((d) => d.metadata.name === ref.name) || named();
  if (ref.kind === "CronJob") return objects.cronjobs.some((d) => d.metadata.name === ref.name) || named();
  return false;
};

/** The pods of a control-plane component: kubeadm's static pods (`component=kube-scheduler`), or a DaemonSet's (`k8s-app=kube-proxy`). */
export const controlPlanePods = (view: ClusterView, component: ControlPlaneComponent): ReadonlyArray<Pod> =>
  namespaceObjects(view, "kube-system").pods.filter((p) => {
    const labels = p.metadata.labels ?? {};
    return labels["component"] === component || labels["k8s-app"] === component || p.metadata.name === component || p.metadata.name.startsWith(`${component}-`);
  });

/** The runs a CronJob keeps, newest first: its pods belong to them, not to the CronJob. */
const RUNS_PER_CRONJOB = 2;
const jobsOfCronJob = (view: ClusterView, namespace: string, name: string): ReadonlyArray<Subject> => {
  const objects = namespaceObjects(view, namespace);
  return objects.jobs
    .filter((j) => j.metadata.ownerReferences?.some((o) => o.kind === "CronJob" && o.name === name) === true)
    .sort((a, b) => (toMillis(b.metadata.creationTimestamp) ?? 0) - (toMillis(a.metadata.creationTimestamp) ?? 0))
    .slice(0, RUNS_PER_CRONJOB)
    .map((j) => makeSubject({ kind: "Job", namespace, name: j.metadata.name }, objects));
};

/** The subjects one chosen object stands for: a workload itself, a pod's owner, a Service's or a claim's pods' workloads. */
const subjectsOfTarget = (view: ClusterView, target: Target, notes: Array<string>): ReadonlyArray<Subject> => {
  const objects = namespaceObjects(view, target.namespace);
  const label = `${target.kind} ${target.namespace}/${target.name}`;
  switch (target.kind) {
    case "Pod": {
      const pod = objects.pods.find((p) => p.metadata.name === target.name);
      if (pod !== undefined) return [makeSubject(workloadOf(pod, objects), objects)];
      const guess = guessWorkload(view, target.namespace, target.name);
      if (guess !== undefined) return [makeSubject(guess, objects)];
      notes.push(`${label} was not found`);
      return [];
    }
    case "Service": {
      const service = objects.services.find((s) => s.metadata.name === target.name) ?? view.services.find((s) => s.metadata.name === target.name && s.metadata.namespace === target.namespace);
      const behind = subjectsBehindSelector(view, target.namespace, service?.spec?.selector);
      if (service === undefined) notes.push(`${label} was not found`);
      else if (behind.length === 0) notes.push(`${label} selects no pod`);
      return behind;
    }
    case "PersistentVolumeClaim": {
      const users = objects.pods.filter((p) => p.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === target.name) === true);
      const refs = new Map(users.map((p) => workloadOf(p, objects)).map((r) => [`${r.kind}/${r.name}`, r]));
      if (refs.size > 0) return [...refs.values()].map((r) => makeSubject(r, objects));
      notes.push(`No pod uses ${label}`);
      // A claim nothing uses yet is still diagnosed on its own: why it does not bind.
      const claim = objects.persistentvolumeclaims.find((c) => c.metadata.name === target.name);
      return claim !== undefined && claim.status?.phase !== "Bound" ? [makeSubject({ kind: "PersistentVolumeClaim", namespace: target.namespace, name: target.name }, objects)] : [];
    }
    default: {
      const ref: WorkloadRef = { kind: target.kind, namespace: target.namespace, name: target.name };
      const subject = makeSubject(ref, objects);
      const runs = target.kind === "CronJob" ? jobsOfCronJob(view, target.namespace, target.name) : [];
      if (exists(view, ref) || subject.pods.length > 0) return [subject, ...runs];
      notes.push(`${label} was not found`);
      return runs;
    }
  }
};

/**
 * The workloads the alert is about, from the most specific name it gives: a pod (or, when the
 * pod is gone, the workload its name points to), a workload, a Service's backends, or every
 * workload of the namespace that needs attention. Nothing outside them is diagnosed.
 */
export const resolveSubjects = (view: ClusterView, scope: Scope, since: number): Resolution => {
  const notes: Array<string> = [];
  const subjects = new Map<string, Subject>();
  const add = (s: Subject) => subjects.set(`${s.ref.kind}/${s.ref.namespace}/${s.ref.name}`, s);
  let namespace = scope.namespace;

  // Objects chosen once the cluster was read (a loose name matched, or triage): exactly these.
  if (scope.targets !== undefined && scope.targets.length > 0) {
    for (const t of scope.targets) for (const s of subjectsOfTarget(view, t, notes)) add(s);
    return { namespace: scope.targets[0]?.namespace ?? namespace ?? "", subjects: [...subjects.values()], notes };
  }

  // A control-plane alert is about that component's pods, when the cluster runs it as pods; never about its neighbours.
  if (scope.controlPlane !== undefined && scope.pod === undefined && scope.workload === undefined) {
    const objects = namespaceObjects(view, "kube-system");
    for (const pod of controlPlanePods(view, scope.controlPlane)) add(makeSubject(workloadOf(pod, objects), objects));
    return { namespace: "kube-system", subjects: [...subjects.values()], notes };
  }

  if (scope.pod !== undefined) {
    const pod = findPod(view, namespace, scope.pod);
    if (pod !== undefined) {
      namespace = pod.metadata.namespace ?? namespace;
      const objects = namespaceObjects(view, namespace ?? "");
      add(makeSubject(workloadOf(pod, objects), objects));
    } else if (namespace !== undefined) {
      const guess = guessWorkload(view, namespace, scope.pod);
      if (guess !== undefined) {
        notes.push(`Pod ${namespace}/${scope.pod} no longer exists; analysed its ${guess.kind.toLowerCase()} ${guess.name} instead`);
        add(makeSubject(guess, namespaceObjects(view, namespace)));
      } else notes.push(`Pod ${namespace}/${scope.pod} was not found in the cluster`);
    } else notes.push(`Pod ${scope.pod} was not found in any namespace read`);
  }

  if (scope.workload !== undefined && namespace !== undefined) {
    const ref: WorkloadRef = { kind: scope.workload.kind, namespace, name: scope.workload.name };
    const subject = makeSubject(ref, namespaceObjects(view, namespace));
    const runs = ref.kind === "CronJob" ? jobsOfCronJob(view, namespace, ref.name) : [];
    if (exists(view, ref) || subject.pods.length > 0) add(subject);
    else if (runs.length === 0) notes.push(`${scope.workload.kind} ${namespace}/${scope.workload.name} was not found`);
    for (const r of runs) add(r);
  }

  if (subjects.size === 0 && scope.persistentVolumeClaim !== undefined && namespace !== undefined) {
    for (const s of subjectsOfTarget(view, { kind: "PersistentVolumeClaim", namespace, name: scope.persistentVolumeClaim }, notes)) add(s);
  }

  if (subjects.size === 0 && scope.service !== undefined && namespace !== undefined && !EXPORTER.test(scope.service)) {
    const service = view.services.find((s) => s.metadata.name === scope.service && s.metadata.namespace === namespace);
    if (service !== undefined) for (const s of subjectsBehindSelector(view, namespace, service.spec?.selector)) add(s);
    else notes.push(`Service ${namespace}/${scope.service} was not found`);
  }

  if (subjects.size === 0 && namespace !== undefined && scope.node === undefined) {
    const all = subjectsOfNamespace(view, namespace);
    const troubled = all.filter((s) => needsAttention(s, since));
    for (const s of troubled) add(s);
    if (all.length === 0) notes.push(`Namespace ${namespace} has no workloads in the data read`);
    else if (troubled.length === 0) notes.push(`All ${all.length} workloads in namespace ${namespace} look healthy`);
  }
  return { ...(namespace !== undefined ? { namespace } : {}), subjects: [...subjects.values()], notes };
};

/** `resolveSubjects` that turns malformed objects into a note instead of an exception. */
export const resolveSubjectsSafely = (view: ClusterView, scope: Scope, since: number): Resolution => {
  try {
    return resolveSubjects(view, scope, since);
  } catch (e) {
    return { ...(scope.namespace !== undefined ? { namespace: scope.namespace } : {}), subjects: [], notes: [`The alert's workloads could not be matched: the objects read are malformed (${e instanceof Error ? e.message : String(e)})`] };
  }
};
