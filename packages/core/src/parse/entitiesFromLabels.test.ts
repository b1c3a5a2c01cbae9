import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENTITY_KEYS } from "../model/AlertContext.js";
import { entitiesFromLabels, LABEL_ALIASES, mergeEntities } from "./entitiesFromLabels.js";

describe("entitiesFromLabels", () => {
  it("reads the canonical labels", () => {
    expect(
      entitiesFromLabels({
        alertname: "KubePodCrashLooping",
        severity: "critical",
        cluster: "prod-eu-1",
        namespace: "payments",
        pod: "api-7d9f8b6c5-x2x9z",
        container: "api",
        node: "ip-10-2-14-77.ec2.internal",
        instance: "10.0.3.17:8080",
        job: "kube-state-metrics",
        team: "payments"
      })
    ).toEqual({
      alertname: "KubePodCrashLooping",
      severity: "critical",
      cluster: "prod-eu-1",
      namespace: "payments",
      pod: "api-7d9f8b6c5-x2x9z",
      container: "api",
      deployment: "api",
      node: "ip-10-2-14-77.ec2.internal",
      instance: "10.0.3.17:8080",
      job: "kube-state-metrics"
    });
  });

  it.each<[Record<string, string>, Record<string, string>]>([
    [{ kubernetes_namespace: "a", pod_name: "b-0", container_name: "c" }, { namespace: "a", pod: "b-0", container: "c", statefulset: "b" }],
    [{ k8s_cluster: "prod", kubernetes_node: "n1", service_name: "svc" }, { cluster: "prod", node: "n1", service: "svc" }],
    [{ k8s_namespace_name: "otel", k8s_deployment_name: "web", k8s_node_name: "n2" }, { namespace: "otel", deployment: "web", node: "n2" }],
    [{ nodename: "n3", statefulset: "db", daemonset: "fluent-bit" }, { node: "n3", statefulset: "db", daemonset: "fluent-bit" }],
    [{ namespace: "monitoring", exported_namespace: "payments", exported_pod: "api-0" }, { namespace: "payments", pod: "api-0", statefulset: "api" }],
    [{ workload: "checkout", workload_type: "deployment", namespace: "shop" }, { namespace: "shop", deployment: "checkout" }],
    [{ owner_kind: "ReplicaSet", owner_name: "api-7d9f8b6c5", pod: "api-7d9f8b6c5-x2x9z" }, { pod: "api-7d9f8b6c5-x2x9z", deployment: "api" }],
    [{ created_by_kind: "DaemonSet", created_by_name: "node-agent", pod: "node-agent-x2x9z" }, { pod: "node-agent-x2x9z", daemonset: "node-agent" }],
    [{ replicaset: "web-6f7b8c9d4" }, { deployment: "web" }],
    [{ service: "kube-prometheus-stack-kube-state-metrics", namespace: "payments" }, { namespace: "payments" }],
    [{ service: "kube-prometheus-stack-kubelet", exported_service: "checkout" }, { service: "checkout" }],
    [{ pod: "kube-prometheus-stack-prometheus-node-exporter-7xk2p", namespace: "monitoring", container: "node-exporter", node: "n4" }, { node: "n4" }],
    [{ priority: "P1", alertname: "" }, { severity: "P1" }],
    [{ pod: "  api-0  " }, { pod: "api-0", statefulset: "api" }],
    // kube-state-metrics' Job and CronJob labels, as kubernetes-mixin's KubeJobFailed / KubeCronJobRunning
    // carry them (real payloads: rustyrazorblade/easy-db-lab#733, keptn-contrib/job-executor-service#124):
    // `job` stays the scrape job, `job_name` is the Kubernetes Job.
    [
      { alertname: "KubeJobFailed", namespace: "default", job_name: "cassandra-stress", job: "kube-state-metrics", service: "kube-prometheus-stack-kube-state-metrics" },
      { alertname: "KubeJobFailed", namespace: "default", kubeJob: "cassandra-stress", job: "kube-state-metrics" }
    ],
    [{ namespace: "batch", cronjob: "nightly-reconcile" }, { namespace: "batch", cronjob: "nightly-reconcile" }],
    [{ namespace: "shop", persistentvolumeclaim: "data-db-0" }, { namespace: "shop", persistentvolumeclaim: "data-db-0" }],
    // kube_pod_owner names the Job that made a pod; a Job's pod `<job>-<ordinal>` is not a StatefulSet's.
    [{ owner_kind: "Job", owner_name: "migrate-1", pod: "migrate-1-x2x9z" }, { pod: "migrate-1-x2x9z", kubeJob: "migrate-1" }],
    [{ job_name: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1", pod: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1" }, { kubeJob: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1", pod: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1" }],
    [{ workload: "backup", workload_type: "cronjob" }, { cronjob: "backup" }]
  ])("%j", (labels, expected) => {
    expect(entitiesFromLabels(labels)).toEqual(expected);
  });

  it("every alias of every entity is honoured", () => {
    for (const key of ENTITY_KEYS) {
      for (const alias of LABEL_ALIASES[key]) {
        const value = key === "service" ? "checkout" : "x-1a";
        expect(entitiesFromLabels({ [alias]: value })[key], `${alias} → ${key}`).toBe(value);
      }
    }
  });

  it("only ever returns values taken from the labels or derived from a pod or replicaset name", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.values(LABEL_ALIASES).flat(), "workload", "workload_type", "team"), fc.string({ maxLength: 30 })), (labels) => {
        const values = new Set(Object.values(labels).map((v) => v.trim()));
        const e = entitiesFromLabels(labels);
        for (const [k, v] of Object.entries(e)) {
          if (k === "deployment" || k === "statefulset" || k === "daemonset") continue;
          expect(values.has(v)).toBe(true);
        }
      })
    );
  });

  it("mergeEntities keeps the primary's values", () => {
    expect(mergeEntities({ namespace: "a" }, { namespace: "b", pod: "p" })).toEqual({ namespace: "a", pod: "p" });
  });
});
