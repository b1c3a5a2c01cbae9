import { describe, expect, it } from "vitest";
import type { Event, Pod, StatefulSet } from "../kube/KubeObjects.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import { makeAlert } from "../testing/makeAlert.js";

/*
 * elastic/helm-charts#783: `Readiness probe failed: Waiting for elasticsearch cluster to become ready
 * (request params: "wait_for_status=green&timeout=1s" )` with `replicas: 1` in the values;
 * elastic/helm-charts#551: with one replica "the cluster will turn yellow … and remain this way".
 * camunda/camunda-platform-helm#6876: the same event beside `Cluster health status changed from [RED] to [YELLOW]`.
 * Messages verbatim; names, node and times neutral.
 */
const T = Date.parse("2020-08-17T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const run = (replicas: number, log: string | undefined) => {
  const sts: StatefulSet = {
    metadata: { name: "elasticsearch-master", namespace: "elk", uid: "uid-sts" },
    spec: { replicas, selector: { matchLabels: { app: "elasticsearch-master" } }, template: { metadata: { labels: { app: "elasticsearch-master" } } } },
    status: { replicas, readyReplicas: 0 }
  };
  const pod: Pod = {
    metadata: { name: "elasticsearch-master-0", namespace: "elk", labels: { app: "elasticsearch-master" }, ownerReferences: [{ kind: "StatefulSet", name: "elasticsearch-master", uid: "uid-sts", controller: true }] },
    spec: {
      nodeName: "node-1",
      containers: [{ name: "elasticsearch", image: "docker.elastic.co/elasticsearch/elasticsearch:7.8.1", readinessProbe: { exec: { command: ["sh", "-c", "# readiness script of the chart"] }, periodSeconds: 10 } }]
    },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "elasticsearch", ready: false, restartCount: 0, state: { running: { startedAt: iso(T - 900_000) } } }] }
  };
  const unhealthy: Event = {
    metadata: { name: "es.unhealthy", namespace: "elk" },
    involvedObject: { kind: "Pod", name: pod.metadata.name, namespace: "elk", fieldPath: "spec.containers{elasticsearch}" },
    reason: "Unhealthy",
    type: "Warning",
    message: 'Readiness probe failed: Waiting for elasticsearch cluster to become ready (request params: "wait_for_status=green&timeout=1s" )\nCluster is not yet ready (request params: "wait_for_status=green&timeout=1s" )',
    count: 65,
    firstTimestamp: iso(T - 840_000),
    lastTimestamp: iso(T - 60_000)
  };
  const builder = new ClusterViewBuilder("test");
  builder.add("statefulsets", [sts]);
  builder.add("pods", [pod]);
  builder.add("events", [unhealthy]);
  if (log !== undefined) builder.setLog({ namespace: "elk", pod: pod.metadata.name, container: "elasticsearch", current: log });
  const alert = makeAlert({ labels: { alertname: "KubeStatefulSetReplicasMismatch", namespace: "elk", statefulset: "elasticsearch-master" }, at: T });
  return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses;
};

describe("a readiness check waiting for a green cluster health that cannot come", () => {
  it("names the single node that cannot hold replica shards (elastic/helm-charts#783, #551)", () => {
    const top = run(1, undefined)[0];
    expect(top?.title).toContain("it waits for cluster health green (wait_for_status=green); a single-node cluster (replicas: 1) can never assign replica shards");
    expect(top?.confidence).toBe("medium");
  });

  it("adds the YELLOW the server logged (camunda/camunda-platform-helm#6876)", () => {
    const top = run(1, "recovered [83] indices into cluster_state\nCluster health status changed from [RED] to [YELLOW] (reason: [shards started [[optimize-alert_v4][0]]])")[0];
    expect(top?.title).toContain("while the cluster reports YELLOW (replica shards not assigned)");
  });

  it("a three-node cluster still converging is not called stuck", () => {
    expect(run(3, undefined).map((h) => h.title).join("\n")).not.toContain("it waits for cluster health green");
  });
});
