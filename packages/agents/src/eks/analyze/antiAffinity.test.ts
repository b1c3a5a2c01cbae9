import { describe, expect, it } from "vitest";
import type { Event, Node, Pod } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";

/*
 * neo4j/helm-charts#94: three single-replica "core" releases share neo4j.name my-cluster; the chart's required
 * podAntiAffinity per hostname allows one of them per node; the cluster (Docker Desktop) has one node.
 */
const T = Date.parse("2021-09-01T12:00:00Z");
const labels = (instance: string) => ({ app: "my-cluster", "helm.neo4j.com/neo4j.name": "my-cluster", "helm.neo4j.com/instance": instance, "helm.neo4j.com/pod_category": "neo4j-instance" });
const affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { "helm.neo4j.com/neo4j.name": "my-cluster", "helm.neo4j.com/pod_category": "neo4j-instance" } }, topologyKey: "kubernetes.io/hostname" }] } };
const pod = (instance: string, node?: string, withAffinity = true): Pod => ({
  metadata: { name: `${instance}-0`, namespace: "neo4j", labels: labels(instance) },
  spec: { ...(node !== undefined ? { nodeName: node } : {}), ...(withAffinity ? { affinity } : {}), containers: [{ name: "neo4j", image: "neo4j:4.3.2-enterprise" }] },
  status: node !== undefined ? { phase: "Running" } : { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }
});
const MESSAGE = "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.";
const failed: Event = {
  metadata: { name: "core-2-0.fs", namespace: "neo4j" },
  involvedObject: { kind: "Pod", name: "core-2-0", namespace: "neo4j" },
  reason: "FailedScheduling",
  message: MESSAGE,
  type: "Warning",
  count: 4,
  firstTimestamp: "2021-09-01T11:50:00Z",
  lastTimestamp: "2021-09-01T11:59:00Z"
};
const node = (name: string): Node => ({ metadata: { name, labels: { "kubernetes.io/hostname": name } } });
const run = (pods: ReadonlyArray<Pod>, nodes: ReadonlyArray<Node>) => investigateObjects({ nodes, objects: { pods, events: [failed] } }, { alertname: "KubePodNotReady", namespace: "neo4j", pod: "core-2-0" }, T);

describe("a required pod anti-affinity on too few nodes", () => {
  it("names the rule, the pod that already holds the only node, and the node count, at high", () => {
    const h = topOf(run([pod("core-1", "docker-desktop"), pod("core-2")], [node("docker-desktop")]));
    expect(h.title).toContain("its required podAntiAffinity allows one pod matching helm.neo4j.com/neo4j.name=my-cluster,helm.neo4j.com/pod_category=neo4j-instance per node, and neo4j/core-1-0 (on docker-desktop) already matches — the cluster has a single node, all taken");
    expect(h.confidence).toBe("high");
  });

  it("is medium when a node is still free of matching pods, and without the rule read", () => {
    expect(topOf(run([pod("core-1", "docker-desktop"), pod("core-2")], [node("docker-desktop"), node("worker-2")])).confidence).toBe("medium");
    const noRule = topOf(run([pod("core-1", "docker-desktop"), pod("core-2", undefined, false)], [node("docker-desktop")]));
    expect(noRule.title).toContain("rules exclude every node it may use");
    expect(noRule.confidence).toBe("medium");
  });
});
