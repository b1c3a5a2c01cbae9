import type { Pod } from "../kube/KubeObjects.js";
import { toMillis } from "../kube/time.js";
import { containersOf, isPodDone, isPodReady, terminationTime } from "../analyze/podFacts.js";
import { makeSubject, namespaceObjects, type Subject, subjectsBehindSelector, subjectsOfNamespace, workloadOf, type WorkloadRef } from "../analyze/Subject.js";
import type { ClusterView } from "./ClusterView.js";
import type { Scope } from "./scopeFromAlert.js";

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
  return false;
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
    if (exists(view, ref) || subject.pods.length > 0) add(subject);
    else notes.push(`${scope.workload.kind} ${namespace}/${scope.workload.name} was not found`);
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
