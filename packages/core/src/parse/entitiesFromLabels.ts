import type { Entities, EntityKey } from "../model/AlertContext.js";
import { ENTITY_KEYS } from "../model/AlertContext.js";
import { deploymentFromReplicaSet, workloadFromPodName } from "./k8sNames.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Label names that carry each entity, most specific first. `exported_*` comes first for
 * workload labels: Prometheus renames a metric's own `namespace`/`pod` to `exported_namespace`
 * when the scrape target has the same label, so the exported one is the workload the
 * metric is about, and the plain one is the exporter's. Names cover Prometheus conventions,
 * OpenTelemetry's `k8s_*_name`, Datadog's `kube_*` tags and older cAdvisor labels.
 */
export const LABEL_ALIASES: Readonly<Record<EntityKey, ReadonlyArray<string>>> = {
  alertname: ["alertname"],
  severity: ["severity", "priority"],
  cluster: ["cluster", "k8s_cluster", "cluster_name", "k8s_cluster_name", "kubernetes_cluster", "kube_cluster_name", "eks_cluster", "clustername"],
  namespace: ["exported_namespace", "namespace", "kubernetes_namespace", "k8s_namespace_name", "kube_namespace", "namespace_name"],
  pod: ["exported_pod", "pod", "pod_name", "kubernetes_pod_name", "k8s_pod_name", "kube_pod_name"],
  container: ["exported_container", "container", "container_name", "kubernetes_container_name", "k8s_container_name", "kube_container_name"],
  deployment: ["exported_deployment", "deployment", "k8s_deployment_name", "kube_deployment", "deployment_name", "kubernetes_deployment"],
  statefulset: ["exported_statefulset", "statefulset", "k8s_statefulset_name", "kube_stateful_set", "statefulset_name"],
  daemonset: ["exported_daemonset", "daemonset", "k8s_daemonset_name", "kube_daemon_set", "daemonset_name"],
  service: ["exported_service", "service", "service_name", "k8s_service_name", "kube_service", "svc"],
  node: ["node", "kubernetes_node", "nodename", "node_name", "k8s_node_name", "kube_node", "host", "hostname"],
  instance: ["instance", "exported_instance"],
  job: ["job", "exported_job"],
  // kube-state-metrics names a Job `job_name` because `job` is Prometheus' own scrape-job label.
  kubeJob: ["job_name", "k8s_job_name", "kube_job"],
  cronjob: ["cronjob", "k8s_cronjob_name", "kube_cronjob"],
  persistentvolumeclaim: ["persistentvolumeclaim", "k8s_persistentvolumeclaim_name", "pvc"]
};

/**
 * kube-prometheus puts the scraped exporter's Service in `service`
 * (`kube-prometheus-stack-kube-state-metrics`): that names the messenger, not the broken workload.
 */
const EXPORTER_SERVICE = /(?:^|-)(?:kube-state-metrics|node-exporter|kubelet|cadvisor|blackbox-exporter|pushgateway)$/;
/**
 * Likewise node-exporter metrics carry the exporter's own `pod`, `container` and `namespace`
 * as target labels: for a node alert they would send investigators to the monitoring stack.
 */
const EXPORTER_POD = /(?:^|-)(?:node-exporter|kube-state-metrics|blackbox-exporter|pushgateway)(?:-[a-z0-9]{5,10})?-[a-z0-9]{5}$/;
const EXPORTER_CONTAINER = /^(?:node-exporter|kube-state-metrics|blackbox-exporter|pushgateway)$/;

const WORKLOAD_KINDS: Readonly<Record<string, "deployment" | "statefulset" | "daemonset" | "kubeJob" | "cronjob">> = {
  deployment: "deployment",
  statefulset: "statefulset",
  daemonset: "daemonset",
  job: "kubeJob",
  cronjob: "cronjob"
};

/** Entities named by labels only, with no guessing from pod names. */
export const entitiesFromLabelsExact = (labels: Readonly<Record<string, string>>): Entities => {
  const out: Mutable<Entities> = {};
  const get = (name: string): string | undefined => {
    const v = Object.hasOwn(labels, name) ? labels[name] : undefined;
    const t = typeof v === "string" ? v.trim() : "";
    return t === "" ? undefined : t;
  };
  const exporterPod = get("exported_pod") === undefined && EXPORTER_POD.test(get("pod") ?? "");
  for (const key of ENTITY_KEYS) {
    for (const name of LABEL_ALIASES[key]) {
      const v = get(name);
      if (v === undefined) continue;
      if (name === "service" && EXPORTER_SERVICE.test(v)) continue;
      if (exporterPod && (name === "pod" || name === "namespace")) continue;
      if (name === "container" && EXPORTER_CONTAINER.test(v)) continue;
      out[key] = v;
      break;
    }
  }
  const workloadKind = get("workload_type")?.toLowerCase();
  const workload = get("workload");
  if (workloadKind !== undefined && workload !== undefined) {
    const kind = WORKLOAD_KINDS[workloadKind];
    if (kind !== undefined) out[kind] ??= workload;
  }
  for (const [kindLabel, nameLabel] of [
    ["owner_kind", "owner_name"],
    ["created_by_kind", "created_by_name"]
  ] as const) {
    const kind = get(kindLabel)?.toLowerCase();
    const name = get(nameLabel);
    if (kind === undefined || name === undefined) continue;
    if (kind === "replicaset") {
      const d = deploymentFromReplicaSet(name);
      if (d !== undefined) out.deployment ??= d;
    } else {
      const k = WORKLOAD_KINDS[kind];
      if (k !== undefined) out[k] ??= name;
    }
  }
  const rs = get("replicaset");
  if (rs !== undefined) {
    const d = deploymentFromReplicaSet(rs);
    if (d !== undefined) out.deployment ??= d;
  }
  return out;
};

/** Fills the keys `primary` lacks from `secondary`; `primary` always wins. */
export const mergeEntities = (primary: Entities, secondary: Entities): Entities => {
  const out: Mutable<Entities> = { ...primary };
  for (const key of ENTITY_KEYS) {
    const v = secondary[key];
    if (out[key] === undefined && v !== undefined) out[key] = v;
  }
  return out;
};

/**
 * Guesses the owning workload from the pod name (`api-7d9f8b6c5-x2x9z` → deployment `api`,
 * `kafka-2` → statefulset `kafka`) when nothing named a workload.
 */
export const withWorkloadGuess = (entities: Entities): Entities => {
  if (
    entities.pod === undefined ||
    entities.deployment !== undefined ||
    entities.statefulset !== undefined ||
    entities.daemonset !== undefined ||
    entities.kubeJob !== undefined ||
    entities.cronjob !== undefined
  ) {
    return entities;
  }
  const guess = workloadFromPodName(entities.pod);
  return guess === undefined ? entities : { ...entities, [guess.kind]: guess.name };
};

/**
 * The entities an alert's labels name: each entity from its best label (see
 * `LABEL_ALIASES`), the workload from `workload`/owner labels, else guessed from the pod name.
 */
export const entitiesFromLabels = (labels: Readonly<Record<string, string>>): Entities =>
  withWorkloadGuess(entitiesFromLabelsExact(labels));
