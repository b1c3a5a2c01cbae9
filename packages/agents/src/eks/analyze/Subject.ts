import type { CronJob, DaemonSet, Deployment, Event, Job, Pod, ReplicaSet, StatefulSet } from "../kube/KubeObjects.js";
import { selectsLabels } from "../kube/selectors.js";
import { eventTime } from "../kube/time.js";
import { type ClusterView, EMPTY_NAMESPACE, type NamespaceObjects } from "../investigate/ClusterView.js";

export interface WorkloadRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A workload (or a lone pod) and everything known about it: the unit the analyzers diagnose. */
export interface Subject {
  readonly ref: WorkloadRef;
  /** `payments/api`: how reports name it. */
  readonly label: string;
  readonly pods: ReadonlyArray<Pod>;
  readonly objects: NamespaceObjects;
  readonly deployment?: Deployment;
  readonly statefulSet?: StatefulSet;
  readonly daemonSet?: DaemonSet;
  readonly job?: Job;
  /** A CronJob's own subject has no pods: each run is a Job subject of its own. */
  readonly cronJob?: CronJob;
  /** The deployment's ReplicaSets, newest revision first. */
  readonly replicaSets: ReadonlyArray<ReplicaSet>;
}

export const refKey = (ref: WorkloadRef) => `${ref.kind}/${ref.namespace}/${ref.name}`;

const controllerOf = (owners: ReadonlyArray<{ readonly kind?: string; readonly name?: string; readonly uid?: string; readonly controller?: boolean }> | undefined) =>
  owners?.find((o) => typeof o === "object" && o !== null && o.controller === true) ?? owners?.find((o) => typeof o === "object" && o !== null);

export const revisionOf = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "0") || 0;

interface NamespaceIndex {
  readonly replicaSetsByUid: ReadonlyMap<string, ReplicaSet>;
  readonly replicaSetsByName: ReadonlyMap<string, ReplicaSet>;
  /** Pods by the key of the workload they belong to. */
  readonly podsByWorkload: Map<string, Array<Pod>>;
}

// Namespace objects never change once loaded, so their lookup tables are built once per object set.
const indexes = new WeakMap<NamespaceObjects, NamespaceIndex>();

const indexOf = (objects: NamespaceObjects): NamespaceIndex => {
  let index = indexes.get(objects);
  if (index !== undefined) return index;
  const replicaSetsByUid = new Map<string, ReplicaSet>();
  const replicaSetsByName = new Map<string, ReplicaSet>();
  for (const rs of objects.replicasets) {
    if (rs.metadata.uid !== undefined) replicaSetsByUid.set(rs.metadata.uid, rs);
    replicaSetsByName.set(rs.metadata.name, rs);
  }
  index = { replicaSetsByUid, replicaSetsByName, podsByWorkload: new Map() };
  indexes.set(objects, index);
  for (const p of objects.pods) {
    const key = refKey(workloadOf(p, objects));
    const list = index.podsByWorkload.get(key);
    if (list === undefined) index.podsByWorkload.set(key, [p]);
    else list.push(p);
  }
  return index;
};

/** The workload a pod belongs to, following ReplicaSet → Deployment; a lone pod is its own workload. */
export const workloadOf = (pod: Pod, objects: NamespaceObjects): WorkloadRef => {
  const namespace = pod.metadata.namespace ?? "";
  const owner = controllerOf(Array.isArray(pod.metadata.ownerReferences) ? pod.metadata.ownerReferences : undefined);
  // A static pod's mirror is "owned" by its Node (kubeadm's kube-scheduler-<node>, etcd-<node>): it is its own workload.
  if (typeof owner?.name !== "string" || typeof owner.kind !== "string" || owner.kind === "Node") return { kind: "Pod", namespace, name: pod.metadata.name };
  if (owner.kind === "ReplicaSet") {
    const index = indexes.get(objects) ?? indexOf(objects);
    const rs = (owner.uid !== undefined ? index.replicaSetsByUid.get(owner.uid) : undefined) ?? index.replicaSetsByName.get(owner.name);
    const rsOwner = rs === undefined ? undefined : controllerOf(Array.isArray(rs.metadata.ownerReferences) ? rs.metadata.ownerReferences : undefined);
    if (typeof rsOwner?.kind === "string" && typeof rsOwner.name === "string") return { kind: rsOwner.kind, namespace, name: rsOwner.name };
    // Without the ReplicaSet (dumps of other namespaces, a deleted RS) its name still says which deployment made it.
    const hash = pod.metadata.labels?.["pod-template-hash"];
    if (typeof hash === "string" && hash !== "" && owner.name.endsWith(`-${hash}`)) return { kind: "Deployment", namespace, name: owner.name.slice(0, -hash.length - 1) };
    return { kind: "ReplicaSet", namespace, name: owner.name };
  }
  return { kind: owner.kind, namespace, name: owner.name };
};

const byName = <T extends { readonly metadata: { readonly name: string } }>(a: T, b: T) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

export const makeSubject = (ref: WorkloadRef, objects: NamespaceObjects): Subject => {
  const pods = indexOf(objects).podsByWorkload.get(refKey(ref)) ?? [];
  const deployment = ref.kind === "Deployment" ? objects.deployments.find((d) => d.metadata.name === ref.name) : undefined;
  const statefulSet = ref.kind === "StatefulSet" ? objects.statefulsets.find((d) => d.metadata.name === ref.name) : undefined;
  const daemonSet = ref.kind === "DaemonSet" ? objects.daemonsets.find((d) => d.metadata.name === ref.name) : undefined;
  const job = ref.kind === "Job" ? objects.jobs.find((j) => j.metadata.name === ref.name) : undefined;
  const cronJob = ref.kind === "CronJob" ? objects.cronjobs.find((c) => c.metadata.name === ref.name) : undefined;
  const replicaSets =
    ref.kind === "Deployment"
      ? objects.replicasets
          .filter((rs) => {
            const owner = controllerOf(Array.isArray(rs.metadata.ownerReferences) ? rs.metadata.ownerReferences : undefined);
            return owner?.kind === "Deployment" && owner.name === ref.name;
          })
          .sort((a, b) => revisionOf(b) - revisionOf(a) || byName(a, b))
      : [];
  return {
    ref,
    label: `${ref.namespace}/${ref.name}`,
    pods: [...pods].sort(byName),
    objects,
    replicaSets,
    ...(deployment !== undefined ? { deployment } : {}),
    ...(statefulSet !== undefined ? { statefulSet } : {}),
    ...(daemonSet !== undefined ? { daemonSet } : {}),
    ...(job !== undefined ? { job } : {}),
    ...(cronJob !== undefined ? { cronJob } : {})
  };
};

export const namespaceObjects = (view: ClusterView, namespace: string): NamespaceObjects => view.namespaces.get(namespace) ?? EMPTY_NAMESPACE;

/** Every workload in a namespace that has pods or is a controller, in name order. */
export const subjectsOfNamespace = (view: ClusterView, namespace: string): ReadonlyArray<Subject> => {
  const objects = namespaceObjects(view, namespace);
  const refs = new Map<string, WorkloadRef>();
  for (const p of objects.pods) {
    const ref = workloadOf(p, objects);
    refs.set(refKey(ref), ref);
  }
  for (const d of objects.deployments) refs.set(refKey({ kind: "Deployment", namespace, name: d.metadata.name }), { kind: "Deployment", namespace, name: d.metadata.name });
  for (const s of objects.statefulsets) refs.set(refKey({ kind: "StatefulSet", namespace, name: s.metadata.name }), { kind: "StatefulSet", namespace, name: s.metadata.name });
  for (const d of objects.daemonsets) refs.set(refKey({ kind: "DaemonSet", namespace, name: d.metadata.name }), { kind: "DaemonSet", namespace, name: d.metadata.name });
  for (const j of objects.jobs) refs.set(refKey({ kind: "Job", namespace, name: j.metadata.name }), { kind: "Job", namespace, name: j.metadata.name });
  for (const c of objects.cronjobs) refs.set(refKey({ kind: "CronJob", namespace, name: c.metadata.name }), { kind: "CronJob", namespace, name: c.metadata.name });
  // `kubectl cluster-info dump` writes no jobs.json or cronjobs.json: their events still name them.
  for (const e of objects.events) {
    const kind = e.involvedObject?.kind;
    const name = e.involvedObject?.name;
    if ((kind === "Job" || kind === "CronJob") && typeof name === "string" && name !== "") refs.set(refKey({ kind, namespace, name }), { kind, namespace, name });
  }
  return [...refs.values()].sort((a, b) => refKey(a).localeCompare(refKey(b))).map((ref) => makeSubject(ref, objects));
};

/** Subjects behind a Service: the workloads of the pods its selector matches. */
export const subjectsBehindSelector = (view: ClusterView, namespace: string, selector: Readonly<Record<string, string>> | undefined): ReadonlyArray<Subject> => {
  const objects = namespaceObjects(view, namespace);
  const refs = new Map<string, WorkloadRef>();
  for (const p of objects.pods) {
    if (!selectsLabels(selector, p.metadata.labels)) continue;
    const ref = workloadOf(p, objects);
    refs.set(refKey(ref), ref);
  }
  return [...refs.values()].sort((a, b) => refKey(a).localeCompare(refKey(b))).map((ref) => makeSubject(ref, objects));
};

/** Events about one object, oldest first. */
export type EventIndex = (kind: string, name: string) => ReadonlyArray<Event>;

export const indexEvents = (events: ReadonlyArray<Event>): EventIndex => {
  const index = new Map<string, Array<Event>>();
  for (const e of events) {
    const key = `${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}`;
    let list = index.get(key);
    if (list === undefined) {
      list = [];
      index.set(key, list);
    }
    list.push(e);
  }
  for (const list of index.values()) list.sort((a, b) => (eventTime(a) ?? 0) - (eventTime(b) ?? 0) || byName(a, b));
  return (kind, name) => index.get(`${kind}/${name}`) ?? [];
};
