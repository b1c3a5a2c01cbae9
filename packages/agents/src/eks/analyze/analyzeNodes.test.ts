import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";
import { notReadyCause, parseEviction } from "./analyzeNodes.js";

const T = Date.parse("2020-04-19T21:20:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("NotReady nodes: the Ready condition's reason, not the symptom", () => {
  it("reads the kubelet's and the node controller's messages", () => {
    // RedHatOfficial/ansible-kubernetes#6 and kubernetes/kubeadm#1031 (kubectl describe node, Docker era)
    expect(notReadyCause("False", "KubeletNotReady", "runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized")).toMatchObject({
      text: "its CNI network plugin is not ready (cni config uninitialized): no CNI plugin is deployed or running on it",
      confidence: "high"
    });
    // kind-ci/examples#33 (containerd era)
    expect(notReadyCause("False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized").text).toContain("(cni plugin not initialized)");
    // nds-org/jupyter-et#13: PLEG names the runtime, not why it hangs.
    expect(notReadyCause("False", "KubeletNotReady", "PLEG is not healthy: pleg was last seen active 16h17m50.791825508s ago; threshold is 3m0s")).toMatchObject({
      text: "the container runtime is unresponsive (PLEG is not healthy: pleg was last seen active 16h17m50.791825508s ago)",
      confidence: "medium"
    });
    // kubernetes/kubernetes#94020: a silent kubelet is a symptom, so never high.
    expect(notReadyCause("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.").confidence).toBe("medium");
    fc.assert(
      fc.property(fc.constantFrom("True", "False", "Unknown"), fc.string(), fc.string(), (s, r, m) => {
        expect(notReadyCause(s, r, m).text.length).toBeGreaterThan(0);
      })
    );
  });

  it("a node alert's title carries the cause (RedHatOfficial/ansible-kubernetes#6)", () => {
    const node: Node = {
      metadata: { name: "k8s-2", labels: { "kubernetes.io/hostname": "k8s-2" } },
      spec: {},
      status: {
        allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "KubeletNotReady",
            message: "runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized",
            lastTransitionTime: "2017-07-10T16:06:21Z"
          }
        ]
      }
    };
    const h = topOf(investigateObjects({ nodes: [node], objects: {} }, { alertname: "KubeNodeNotReady", node: "k8s-2" }, Date.parse("2017-07-15T16:10:00Z")));
    expect(h.title).toBe("Node k8s-2 is NotReady: its CNI network plugin is not ready (cni config uninitialized): no CNI plugin is deployed or running on it");
  });

  it("a CNI plugin that is deployed but failing on the node is the symptom's next step, never a confident cause (aws/amazon-vpc-cni-k8s#872)", () => {
    // The aws-node pod on the new node crash-loops ("timed out waiting for IPAM daemon to start"):
    // its lost IAM permissions are not in any object, so the node's answer stays medium.
    const name = "ip-192-168-20-13.eu-west-1.compute.internal";
    const node: Node = {
      metadata: { name },
      spec: {},
      status: {
        conditions: [
          { type: "Ready", status: "False", reason: "KubeletNotReady", message: "runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized" }
        ]
      }
    };
    const cni: Pod = {
      metadata: { name: "aws-node-c7h5p", namespace: "kube-system", ownerReferences: [{ kind: "DaemonSet", name: "aws-node", controller: true }] },
      spec: {
        nodeName: name,
        hostNetwork: true,
        containers: [{ name: "aws-node", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.6.0" }],
        volumes: [
          { name: "cni-bin-dir", hostPath: { path: "/opt/cni/bin" } },
          { name: "cni-net-dir", hostPath: { path: "/etc/cni/net.d" } }
        ]
      },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "aws-node", ready: false, restartCount: 11, state: { waiting: { reason: "CrashLoopBackOff" } } }] }
    };
    const h = topOf(investigateObjects({ nodes: [node], objects: { pods: [cni] } }, { alertname: "KubeNodeNotReady", node: name }, Date.parse("2020-04-16T10:00:00Z")));
    expect(h.title).toContain("its network plugin pod kube-system/aws-node-c7h5p is not ready (CrashLoopBackOff, 11 restarts)");
    expect(h.title).not.toContain("no CNI plugin is deployed");
    expect(h.confidence).toBe("medium");
  });
});

describe("KubeletTooManyPods: pods on a node against its pod capacity", () => {
  it("counts the pods, the finished ones nobody deleted, and the biggest holders (kubernetes-sigs/kubernetes-mixin#442, ministryofjustice/cloud-platform#2441)", () => {
    // mixin#442: "Kubelet 'worker.example.com' is running at 103.2% of its Pod capacity": 251 pods on worker03 (pods: 250), 201 of them not Running.
    const name = "worker03";
    const node: Node = { metadata: { name }, spec: {}, status: { allocatable: { pods: "250" }, conditions: [{ type: "Ready", status: "True" }] } };
    const pod = (i: number, phase: string): Pod => ({
      metadata: { name: `job-${i}`, namespace: "batch", ownerReferences: [{ kind: "Job", name: phase === "Succeeded" ? `nightly-${i}` : "web", controller: true }] },
      spec: { nodeName: name, containers: [{ name: "c" }] },
      status: { phase, ...(phase === "Running" ? { conditions: [{ type: "Ready", status: "True" }] } : {}) }
    });
    const pods = Array.from({ length: 251 }, (_, i) => pod(i, i < 201 ? "Succeeded" : "Running"));
    const r = investigateObjects({ nodes: [node], objects: { pods } }, { alertname: "KubeletTooManyPods", node: name }, Date.parse("2020-06-15T10:00:00Z"));
    const h = r.hypotheses.find((x) => x.title.includes("pod capacity"));
    expect(h?.title).toBe("Node worker03 is at its pod capacity: 251 pods against 250 allocatable (201 of them finished pods not cleaned up)");
    expect(h?.confidence).toBe("medium");
  });
});

describe("evictions: why this pod was the one to go", () => {
  it("reads usage against request in both kubelet wordings", () => {
    // paritytech/Nomidot#306 and concourse/hush-house#8 (older kubelet)
    expect(parseEviction("The node was low on resource: memory. Container nomidotwatcher was using 1703264Ki, which exceeds its request of 0. ")).toEqual({ resource: "memory", container: "nomidotwatcher", used: "1703264Ki", request: "0" });
    // Tanguille/cluster#4607 (newer kubelet, with the threshold)
    expect(parseEviction("The node was low on resource: ephemeral-storage. Threshold: 80463020976, available: 78017988Ki. Container app was using 1148032Ki, request is 0")).toEqual({
      resource: "ephemeral-storage",
      container: "app",
      used: "1148032Ki",
      request: "0"
    });
    expect(parseEviction("The node had condition: [MemoryPressure]. ")).toEqual({});
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (m) => void parseEviction(m)));
  });

  it("reads an eviction for the pod's own ephemeral-storage limit, which is no node shortage", () => {
    // dust-tt/dust#5415 and neuvector/docs#272 (the pod's total), cloud-ark/kubeplus#1389 (one container's).
    expect(parseEviction("Pod ephemeral local storage usage exceeds the total limit of containers 4Gi.")).toEqual({ resource: "ephemeral-storage", ownLimit: { scope: "pod", limit: "4Gi" } });
    expect(parseEviction("Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ").ownLimit).toEqual({ scope: "pod", limit: "2Gi" });
    expect(parseEviction('Container consumerui exceeded its local ephemeral storage limit "20Mi".').ownLimit).toEqual({ scope: "container", name: "consumerui", limit: "20Mi" });
    expect(parseEviction("The node was low on resource: ephemeral-storage. Container ebaogi-bff-app was using 34260Ki, which exceeds its request of 0. ").ownLimit).toBeUndefined();
  });

  it("pods evicted for their own limit are not blamed on the node (dust-tt/dust#7395: the Evicted event, 1Gi)", () => {
    const pod: Pod = {
      metadata: { name: "connectors-worker-notion-deployment-55bc557b49-f6gww", namespace: "default", ownerReferences: [{ kind: "ReplicaSet", name: "connectors-worker-notion-deployment-55bc557b49", controller: true }] },
      spec: { nodeName: "gk3-dust-kube-pool-3-24ebe5e6-2vph", containers: [{ name: "web", image: "gcr.io/or1g1n-186209/connectors-image:c089bdb", resources: { limits: { "ephemeral-storage": "1Gi" } } }] },
      status: { phase: "Failed", reason: "Evicted", message: "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ", startTime: iso(T - 1_380_000) }
    };
    const h = topOf(investigateObjects({ objects: { pods: [pod] } }, { alertname: "KubePodNotReady", namespace: "default", pod: pod.metadata.name }, T));
    expect(h.title).toContain("evicted for using more local ephemeral storage than the total ephemeral-storage limit of its containers (1Gi)");
    expect(h.title).not.toContain("node low on");
  });

  it("a container without a request is evicted first, and the title says so (paritytech/Nomidot#306)", () => {
    const evicted = (name: string, message: string): Pod => ({
      metadata: { name, namespace: "nodewatcher-staging", ownerReferences: [{ kind: "Job", name: "nomidotwatcher-last-50k", controller: true }] },
      spec: { nodeName: "gke-nomidot-default-pool-5f7c2e1a-9b3k", containers: [{ name: "nomidotwatcher", image: "nomidot/watcher" }] },
      status: { phase: "Failed", reason: "Evicted", message, startTime: iso(T - 600_000) }
    });
    const pods = [
      evicted("nomidotwatcher-last-50k-8tqzk", "The node was low on resource: memory. Container nomidotwatcher was using 1703264Ki, which exceeds its request of 0. "),
      evicted("nomidotwatcher-last-50k-vx4dn", "The node had condition: [MemoryPressure]. ")
    ];
    const h = topOf(investigateObjects({ objects: { pods } }, { alertname: "KubePodNotReady", namespace: "nodewatcher-staging", pod: "nomidotwatcher-last-50k-8tqzk" }, T));
    expect(h.title).toBe("nodewatcher-staging/nomidotwatcher-last-50k's pods were evicted: node low on memory; container nomidotwatcher used 1703264Ki (1.6Gi) with no memory request (request of 0), so it was evicted first");
  });

  it("an eviction without a message takes the shortage from its node (bsycorp/kind#15: EvictionThresholdMet and NodeHasDiskPressure; kubernetes/minikube#4084)", () => {
    // bsycorp/kind#15: `kubectl get pods` showed Evicted, `kubectl describe node minikube` the two events below
    // (verbatim); `docker system prune` inside the node freed the disk.
    const pod: Pod = {
      metadata: { name: "web-5d8f7b9c4-abcde", namespace: "default", ownerReferences: [{ kind: "ReplicaSet", name: "web-5d8f7b9c4", controller: true }] },
      spec: { nodeName: "minikube", containers: [{ name: "web", image: "nginx" }] },
      status: { phase: "Failed", reason: "Evicted", startTime: iso(T - 600_000) }
    };
    const nodeEvent = (name: string, reason: string, message: string) => ({
      metadata: { name, namespace: "default" },
      involvedObject: { kind: "Node", name: "minikube" },
      reason,
      type: reason === "EvictionThresholdMet" ? "Warning" : "Normal",
      message,
      lastTimestamp: iso(T - 300_000)
    });
    const events = [nodeEvent("e1", "EvictionThresholdMet", "Attempting to reclaim ephemeral-storage"), nodeEvent("e2", "NodeHasDiskPressure", "Node minikube status is now: NodeHasDiskPressure")];
    const h = topOf(investigateObjects({ objects: { pods: [pod], events } }, { alertname: "KubePodNotReady", namespace: "default", pod: pod.metadata.name }, T));
    expect(h.title).toContain("'s pods were evicted: node low on ephemeral-storage (node minikube reports DiskPressure and its eviction manager was reclaiming ephemeral-storage)");
    // The pressure condition alone (kubernetes/kubernetes#35017: DiskPressure True, KubeletHasDiskPressure) says it too.
    const node: Node = { metadata: { name: "minikube" }, spec: {}, status: { conditions: [{ type: "DiskPressure", status: "True", reason: "KubeletHasDiskPressure", message: "kubelet has disk pressure", lastTransitionTime: iso(T - 400_000) }] } };
    const byCondition = investigateObjects({ nodes: [node], objects: { pods: [pod] } }, { alertname: "KubePodNotReady", namespace: "default", pod: pod.metadata.name }, T);
    expect(byCondition.hypotheses.map((x) => x.title).join("\n")).toContain("node low on ephemeral-storage (node minikube reports DiskPressure)");
  });
});
