import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../kube/KubeObjects.js";
import { iso, makeNode } from "../testing/kubeBuilders.js";
import { makeAlert } from "../testing/makeAlert.js";
import { analyzeClusterView } from "./analyzeClusterView.js";
import { ClusterViewBuilder } from "./ClusterView.js";
import { scopeFromAlert } from "./scopeFromAlert.js";

const AT = Date.parse("2024-03-01T10:00:00Z");

/** kubeadm's static pod: `component=kube-scheduler`, named after its node, owned by the Node. */
const staticPod = (component: string, node: string, state: "running" | "crashloop"): Pod => ({
  metadata: {
    name: `${component}-${node}`,
    namespace: "kube-system",
    uid: `uid-${component}`,
    creationTimestamp: iso(AT - 86_400_000),
    labels: { component, tier: "control-plane" },
    ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node, uid: "node-uid", controller: true }]
  },
  spec: { nodeName: node, containers: [{ name: component, image: `registry.k8s.io/${component}:v1.29.2` }] },
  status: {
    phase: "Running",
    startTime: iso(AT - 86_400_000),
    conditions: [{ type: "Ready", status: state === "running" ? "True" : "False" }],
    containerStatuses: [
      {
        name: component,
        ready: state === "running",
        restartCount: state === "running" ? 0 : 12,
        state: state === "running" ? { running: { startedAt: iso(AT - 86_400_000) } } : { waiting: { reason: "CrashLoopBackOff" } },
        lastState: state === "running" ? {} : { terminated: { reason: "Error", exitCode: 1, finishedAt: iso(AT - 60_000), startedAt: iso(AT - 70_000) } }
      }
    ]
  }
});

const controlPlaneNode = (): Node => {
  const n = makeNode("cp-1", AT);
  return { ...n, metadata: { ...n.metadata, labels: { "kubernetes.io/hostname": "cp-1", "node-role.kubernetes.io/control-plane": "" } }, spec: {} };
};

const analyze = (pods: ReadonlyArray<Pod>, nodes: ReadonlyArray<Node>) => {
  const builder = new ClusterViewBuilder("fixture");
  builder.setNodes(nodes);
  builder.add("pods", pods, "kube-system");
  const alert = makeAlert({ labels: { alertname: "KubeSchedulerDown", severity: "critical" }, at: AT });
  return analyzeClusterView(builder.build(), alert, { ...scopeFromAlert(alert), namespace: "kube-system" });
};

describe("examineControlPlane", () => {
  // helm/charts#10517: on kubeadm clusters the scheduler runs and is ready, yet KubeSchedulerDown fires
  // because its metrics are bound to 127.0.0.1 or the chart's Service does not select its labels.
  it("a running scheduler means the alert is about scraping it, at low confidence", () => {
    const result = analyze([staticPod("kube-scheduler", "cp-1", "running")], [controlPlaneNode()]);
    expect(result.hypotheses.map((h) => [h.confidence, h.title])).toEqual([
      ["low", "kube-scheduler is running (1/1 ready): KubeSchedulerDown means Prometheus cannot scrape it, not that it is down"]
    ]);
  });

  it("a crash-looping scheduler is diagnosed like any workload: the alert's subject is its pod", () => {
    const result = analyze([staticPod("kube-scheduler", "cp-1", "crashloop"), staticPod("etcd", "cp-1", "running")], [controlPlaneNode()]);
    expect(result.subjects.map((s) => s.workload)).toEqual(["kube-system/kube-scheduler-cp-1"]);
    expect(result.hypotheses[0]?.title).toMatch(/crash-loops/);
    expect(result.hypotheses.some((h) => h.title.includes("cannot scrape"))).toBe(false);
  });

  it("no scheduler pod but control-plane nodes: says so, claims nothing", () => {
    const result = analyze([], [controlPlaneNode()]);
    expect(result.hypotheses).toEqual([]);
    expect(result.findings.map((f) => f.content).join("\n")).toMatch(/KubeSchedulerDown: no kube-scheduler pod runs in kube-system; control-plane nodes: cp-1/);
  });
});
