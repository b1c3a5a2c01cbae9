import { describe, expect, it } from "vitest";
import type { Event, Node, PersistentVolumeClaim, Pod, PodSpec, ReplicaSet } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";

/**
 * Scheduling, storage and pod-creation failures as real threads pasted them: each object below
 * keeps the pasted fields verbatim (messages, selectors, requests, counts) and fills the rest
 * with neutral values, the way examples/real-incidents builds its dumps.
 */

const T = Date.parse("2024-05-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const min = 60_000;

const pendingPod = (namespace: string, name: string, spec: PodSpec, message?: string, owner?: { kind: string; name: string }): Pod => ({
  metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: iso(T - 30 * min), ...(owner !== undefined ? { ownerReferences: [{ apiVersion: "apps/v1", kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true }] } : {}) },
  spec: { containers: [{ name: "main", image: "registry.example.com/app:1" }], ...spec },
  status: { phase: "Pending", ...(message !== undefined ? { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: iso(T - 20 * min) }] } : {}) }
});

const event = (namespace: string, kind: string, name: string, reason: string, message: string, count: number, spanMs: number, type = "Warning"): Event => ({
  metadata: { name: `${name}.${reason}`, namespace, creationTimestamp: iso(T - spanMs) },
  involvedObject: { kind, name, namespace },
  reason,
  message,
  type,
  count,
  firstTimestamp: iso(T - spanMs),
  lastTimestamp: iso(T - min)
});

const node = (name: string, o: { labels?: Record<string, string>; taints?: NonNullable<Node["spec"]>["taints"]; pods?: string; cpu?: string } = {}): Node => ({
  metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
  spec: { ...(o.taints !== undefined ? { taints: o.taints } : {}) },
  status: {
    allocatable: { cpu: o.cpu ?? "4", memory: "16Gi", pods: o.pods ?? "110" },
    conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }]
  }
});

const claim = (namespace: string, name: string, o: { storageClassName?: string; annotations?: Record<string, string>; phase?: string; volumeName?: string; created?: number } = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace, creationTimestamp: iso(o.created ?? T - 30 * min), ...(o.annotations !== undefined ? { annotations: o.annotations } : {}) },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...(o.storageClassName !== undefined ? { storageClassName: o.storageClassName } : {}), ...(o.volumeName !== undefined ? { volumeName: o.volumeName } : {}) },
  status: { phase: o.phase ?? "Pending" }
});

const notReady = (namespace: string, name: string) => ({ alertname: "KubePodNotReady", namespace, pod: name });

describe("scheduling: the obstacle that blocks, with its value", () => {
  it("a pod pinned by its nodeSelector to a tainted node needs a toleration (danisla/kubefunc#10)", () => {
    const message = "0/23 nodes are available: 1 node(s) had taints that the pod didn't tolerate, 22 node(s) didn't match node selector.";
    const pod = pendingPod("default", "node-admin", {
      nodeSelector: { "kubernetes.io/hostname": "ip-10-0-0-1" },
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }
      ]
    }, message);
    const r = investigateObjects({ objects: { pods: [pod], events: [event("default", "Pod", "node-admin", "FailedScheduling", message, 3, 2 * min)] } }, notReady("default", "node-admin"), T);
    const h = topOf(r);
    expect(h.title).toBe("default/node-admin cannot be scheduled: the node its nodeSelector kubernetes.io/hostname=ip-10-0-0-1 allows carries a taint that the pod does not tolerate (no matching toleration)");
    expect(h.confidence).toBe("high");
    // With the nodes read, the taint itself is named (the master taint kubeadm sets: canonical/microk8s#483).
    const nodes = [node("ip-10-0-0-1", { taints: [{ key: "node-role.kubernetes.io/master", effect: "NoSchedule" }] }), node("ip-10-0-0-2")];
    const named = investigateObjects({ nodes, objects: { pods: [pod] } }, notReady("default", "node-admin"), T);
    expect(topOf(named).title).toContain("carries taint node-role.kubernetes.io/master:NoSchedule on ip-10-0-0-1 that the pod does not tolerate");
  });

  it("reads the scheduler's verdict, not Karpenter's event filed at the same time (knowledgesystems/knowledgesystems-k8s-deployment#453)", () => {
    const verdict = "0/30 nodes are available: 1 Insufficient memory, ... 3 node(s) didn't match Pod's node affinity/selector ...";
    const karpenter = 'Failed to schedule pod, incompatible requirements, label "workload" does not have known values (typo of "workload-class"?)';
    const pod = pendingPod("librechat", "beta-librechat-5f7c8d9b6c-q7n4d", { nodeSelector: { workload: "cbioagent" }, containers: [{ name: "librechat", image: "ghcr.io/danny-avila/librechat:latest", resources: { requests: { memory: "2Gi", cpu: "250m" } } }] }, verdict);
    const fromScheduler = { ...event("librechat", "Pod", pod.metadata.name, "FailedScheduling", verdict, 4, 10 * min), source: { component: "default-scheduler" } };
    const fromKarpenter = { ...event("librechat", "Pod", pod.metadata.name, "FailedScheduling", karpenter, 4, 10 * min), metadata: { name: "k", namespace: "librechat" }, source: { component: "karpenter" } };
    const nodes = [node("ip-10-0-1-1", { labels: { workload: "cbioagent" } }), node("ip-10-0-1-2"), node("ip-10-0-1-3")];
    const h = topOf(investigateObjects({ nodes, objects: { pods: [pod], events: [fromScheduler, fromKarpenter] } }, notReady("librechat", pod.metadata.name), T));
    expect(h.title).toBe("librechat/beta-librechat-5f7c8d9b6c-q7n4d cannot be scheduled: the node its nodeSelector workload=cbioagent allows lacks enough free memory for the pod's request of memory 2Gi (cpu 250m)");
  });

  it("a taint beside a selector that pins no hostname is not settled without the nodes (SSU-DCN/podmigration-operator#9, kubernetes/kubernetes#112759)", () => {
    const message = "0/2 nodes are available: 1 node(s) didn't match node selector, 1 node(s) had taint {key1: value1}, that the pod didn't tolerate.";
    const pod = pendingPod("default", "app-0", { nodeSelector: { "node-type": "worker" } }, message);
    const unsure = topOf(investigateObjects({ objects: { pods: [pod] } }, notReady("default", "app-0"), T));
    expect(unsure.title).toBe("default/app-0 cannot be scheduled: the node its nodeSelector node-type=worker allows carries taint key1=value1 that the pod does not tolerate (no matching toleration)");
    expect(unsure.confidence).toBe("medium");
    // The nodes read show that no node carries the label: the selector is the cause.
    const nodes = [node("master", { taints: [{ key: "key1", value: "value1", effect: "NoSchedule" }] }), node("worker-1")];
    const settled = topOf(investigateObjects({ nodes, objects: { pods: [pod] } }, notReady("default", "app-0"), T));
    expect(settled.title).toBe("default/app-0 cannot be scheduled: no node matches the pod's nodeSelector node-type=worker (none of the 2 nodes read matches it)");
    expect(settled.confidence).toBe("high");
  });

  it("the only node the pod's affinity leaves is at its pod capacity (cilium/cilium#42816)", () => {
    const message =
      "0/3 nodes are available: 1 Too many pods, 2 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
    const pod = pendingPod("cilium-test-2", "lrp-backend-6d6784c5f-qqz4w", {}, message);
    const r = investigateObjects({ nodes: [node("ip-192-168-119-122.ec2.internal", { pods: "17" })], objects: { pods: [pod] } }, notReady("cilium-test-2", "lrp-backend-6d6784c5f-qqz4w"), T);
    const h = topOf(r);
    expect(h.title).toBe("cilium-test-2/lrp-backend-6d6784c5f-qqz4w cannot be scheduled: Too many pods: the node its pod affinity allows is at its pod capacity (max 17 pods per node: ip-192-168-119-122.ec2.internal)");
    expect(h.actions?.join(" ")).toContain("ENI");
  });

  it("names the only node when it is at its pod capacity, even without its allocatable pods (jupyter-on-openshift/jupyter-notebooks#1)", () => {
    const message = "0/1 nodes are available: 1 Insufficient pods.";
    const pod = pendingPod("myproject", "my-notebook-2-zmcps", {}, message);
    const single: Node = { metadata: { name: "cloudapps.northwestern.edu" }, status: { allocatable: { cpu: "4", memory: "16265948Ki" } } };
    const h = topOf(investigateObjects({ nodes: [single], objects: { pods: [pod], events: [event("myproject", "Pod", pod.metadata.name, "FailedScheduling", message, 20, 4 * min)] } }, notReady("myproject", pod.metadata.name), T));
    expect(h.title).toBe("myproject/my-notebook-2-zmcps cannot be scheduled: Too many pods: the cluster's only node, cloudapps.northwestern.edu, is at its pod capacity");
  });

  it("an extended resource that no node offers: nothing advertises it (NVIDIA/k8s-device-plugin#165, #159)", () => {
    // #165's pod verbatim (limits only: the request defaults to the limit); the message is #159's title.
    const message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";
    const pod = pendingPod("default", "gpu-pod", {
      containers: [
        { name: "cuda-container", image: "nvidia/cuda:9.0-devel", resources: { limits: { "nvidia.com/gpu": "2" } } },
        { name: "digits-container", image: "nvidia/digits:6.0", resources: { limits: { "nvidia.com/gpu": "2" } } }
      ]
    }, message);
    const nodes = ["k8s-master", "k8s-node1", "k8s-node2"].map((n) => node(n));
    const h = topOf(investigateObjects({ nodes, objects: { pods: [pod] } }, notReady("default", "gpu-pod"), T));
    expect(h.title).toBe("default/gpu-pod cannot be scheduled: no node offers nvidia.com/gpu: none of the 3 nodes read has any allocatable nvidia.com/gpu (the device plugin that advertises it is not running on them, or they lack the device)");
    expect(h.detail).toContain("the pod asks nvidia.com/gpu 4");
    // Nodes that do offer it: a shortage, with the request (defaulted from the limits).
    const gpuNodes = nodes.map((n) => ({ ...n, status: { ...n.status, allocatable: { ...n.status?.allocatable, "nvidia.com/gpu": "2" } } }));
    expect(topOf(investigateObjects({ nodes: gpuNodes, objects: { pods: [pod] } }, notReady("default", "gpu-pod"), T)).title).toBe(
      "default/gpu-pod cannot be scheduled: no node has enough free nvidia.com/gpu for the pod's request of nvidia.com/gpu 4"
    );
  });

  it("names the nodes that carry the condition taint (secretflow/kuscia#45)", () => {
    const message = "0/2 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..";
    const pod = pendingPod("alice", "secretflow-task-psi-0", {}, message);
    const pressured = ["kuscia-node-1", "kuscia-node-2"].map((n) => node(n, { taints: [{ key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }] }));
    const h = topOf(investigateObjects({ nodes: pressured, objects: { pods: [pod] } }, notReady("alice", pod.metadata.name), T));
    expect(h.title).toBe("alice/secretflow-task-psi-0 cannot be scheduled: the nodes (kuscia-node-1, kuscia-node-2) are unhealthy (taint node.kubernetes.io/disk-pressure)");
  });

  it("volumes pinned to a zone outrank capacity reasons on other nodes (kubeflow/kubeflow#7109)", () => {
    const message =
      "0/3 nodes are available: 1 Insufficient memory, 1 Too many pods, 1 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    const pod = pendingPod("kubeflow-user-example-com", "my-notebook-0", { volumes: [{ name: "a", persistentVolumeClaim: { claimName: "data-vol-1" } }, { name: "b", persistentVolumeClaim: { claimName: "data-vol-2" } }] }, message);
    const claims = ["data-vol-1", "data-vol-2"].map((n) => claim("kubeflow-user-example-com", n, { storageClassName: "gp2", phase: "Bound", volumeName: `pv-${n}` }));
    const zones = ["us-east-2a", "us-east-2b", "us-east-2c"].map((z, i) => node(`ip-${i}`, { labels: { "topology.kubernetes.io/zone": z } }));
    const h = topOf(investigateObjects({ nodes: zones, objects: { pods: [pod], persistentvolumeclaims: claims } }, notReady("kubeflow-user-example-com", "my-notebook-0"), T));
    expect(h.title).toBe(
      "kubeflow-user-example-com/my-notebook-0 cannot be scheduled: volume node affinity conflict: its volumes data-vol-1, data-vol-2 are pinned to a zone or node where it cannot run (it mounts 2 volumes: if they are in different zones, no node can attach them all)"
    );
    expect(h.detail).toContain("node zones: us-east-2a, us-east-2b, us-east-2c");
  });

  it("required node affinity that no node satisfies names the label (liwenhe1993/charts#1)", () => {
    const message = "0/6 nodes are available: 6 node(s) didn't match node selector.";
    const pod = pendingPod("default", "clickhouse-0", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "application/clickhouse", operator: "In", values: ["true"] }] }] } } } }, message);
    expect(topOf(investigateObjects({ objects: { pods: [pod] } }, notReady("default", "clickhouse-0"), T)).title).toBe("default/clickhouse-0 cannot be scheduled: no node matches the pod's node affinity application/clickhouse In (true)");
  });

  it("capacity: the pod's requests, not the dedicated taint on three nodes (kubernetes/test-infra#26060)", () => {
    const message =
      "There are no nodes that your pod can schedule to - check your requests, tolerations, and node selectors (0/57 nodes are available: 18 Insufficient memory, 3 node(s) had taint {dedicated: greenhouse}, that the pod didn’t tolerate, 54 Insufficient cpu.)";
    const pod = pendingPod("test-pods", "5b1f9a4e", { containers: [{ name: "test", image: "gcr.io/k8s-staging-test-infra/kubekins-e2e", resources: { requests: { cpu: "8", memory: "32Gi" }, limits: { cpu: "8", memory: "32Gi" } } }] }, message);
    expect(topOf(investigateObjects({ objects: { pods: [pod] } }, notReady("test-pods", "5b1f9a4e"), T)).title).toBe("test-pods/5b1f9a4e cannot be scheduled: no node has enough free cpu for the pod's request of cpu 8 (memory 32Gi)");
  });
});

describe("storage: a Pending pod's claims and the events that say why they stay unbound", () => {
  const sts = { kind: "StatefulSet", name: "db" };
  const withClaim = (name: string) => pendingPod("default", "db-0", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: name } }] }, undefined, sts);

  it("a class named by the beta annotation that does not exist (ZP-AlwaysWin/K8S-FastDFS#6)", () => {
    const pvc = claim("default", "storage0-data-fastdfs-group0-storage0-0", { annotations: { "volume.beta.kubernetes.io/storage-class": "fast" } });
    const r = investigateObjects(
      { objects: { pods: [withClaim(pvc.metadata.name)], persistentvolumeclaims: [pvc], events: [event("default", "PersistentVolumeClaim", pvc.metadata.name, "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found', 39, 20 * min)] } },
      notReady("default", "db-0"),
      T
    );
    const h = topOf(r);
    expect(h.title).toBe("PersistentVolumeClaim storage0-data-fastdfs-group0-storage0-0 cannot be provisioned: storage class fast does not exist");
    expect(h.detail).toContain("volume.beta.kubernetes.io/storage-class annotation");
  });

  it("no class, no default class, no volume: a Normal FailedBinding event (hashicorp/consul-helm#48, goharbor/harbor-helm#88)", () => {
    const pvc = claim("default", "data-default-consul-server-0");
    const message = "no persistent volumes available for this claim and no storage class is set";
    const r = investigateObjects({ objects: { pods: [withClaim(pvc.metadata.name)], persistentvolumeclaims: [pvc], events: [event("default", "PersistentVolumeClaim", pvc.metadata.name, "FailedBinding", message, 7, 2 * min, "Normal")] } }, notReady("default", "db-0"), T);
    const h = topOf(r);
    expect(h.title).toBe("PersistentVolumeClaim data-default-consul-server-0 cannot bind: it names no storage class, no default StorageClass applied to it, and no PersistentVolume matches it");
    // Whether the cluster lacks a default class or the claim should name one (komodorio/helm-charts#146: a chart ignoring its
    // storageClass value) is open without the StorageClasses; read, and none the default, it is settled.
    expect(h.confidence).toBe("medium");
    const objects = { pods: [withClaim(pvc.metadata.name)], persistentvolumeclaims: [pvc], events: [event("default", "PersistentVolumeClaim", pvc.metadata.name, "FailedBinding", message, 7, 2 * min, "Normal")] };
    expect(topOf(investigateObjects({ objects, storageClasses: [{ metadata: { name: "local-path" }, provisioner: "rancher.io/local-path" }] }, notReady("default", "db-0"), T)).confidence).toBe("high");
    expect(topOf(investigateObjects({ objects, storageClasses: [{ metadata: { name: "gp2", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, provisioner: "kubernetes.io/aws-ebs" }] }, notReady("default", "db-0"), T)).confidence).toBe("medium");
  });

  it("an external provisioner that never answers: the CSI driver is not installed (awslabs/cdk-eks-blueprints#561, jonashackt/tekton-argocd-eks#118)", () => {
    const annotations = { "volume.beta.kubernetes.io/storage-provisioner": "ebs.csi.aws.com", "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com" };
    const message = 'waiting for a volume to be created, either by external provisioner "ebs.csi.aws.com" or manually created by system administrator';
    const pvc = claim("default", "kubecost-cost-analyzer", { storageClassName: "gp2", annotations, created: T - 9 * 60 * min });
    const r = investigateObjects(
      { objects: { pods: [withClaim(pvc.metadata.name)], persistentvolumeclaims: [pvc], events: [event("default", "PersistentVolumeClaim", pvc.metadata.name, "ExternalProvisioning", message, 2222, 9 * 60 * min, "Normal")] } },
      notReady("default", "db-0"),
      T
    );
    const h = topOf(r);
    expect(h.title).toBe("PersistentVolumeClaim kubecost-cost-analyzer stays Pending: no provisioner ebs.csi.aws.com is running (its CSI driver is not installed or its controller is down)");
    expect(h.confidence).toBe("high");
    expect(h.actions?.[0]).toContain("EBS CSI driver");
    // x8 over 101s: a provisioner may still be starting, so the same reading stays medium.
    const fresh = claim("default", "buildpacks-source-pvc", { storageClassName: "gp2", annotations, created: T - 2 * min });
    const early = investigateObjects(
      { objects: { pods: [withClaim(fresh.metadata.name)], persistentvolumeclaims: [fresh], events: [event("default", "PersistentVolumeClaim", fresh.metadata.name, "ExternalProvisioning", message, 8, 101_000, "Normal")] } },
      notReady("default", "db-0"),
      T - min
    );
    expect(topOf(early).confidence).toBe("medium");
  });

  it("a claim that only waits for its pod to be scheduled is no cause", () => {
    const pvc = claim("default", "data-db-0", { storageClassName: "gp3" });
    const r = investigateObjects(
      { objects: { pods: [withClaim(pvc.metadata.name)], persistentvolumeclaims: [pvc], events: [event("default", "PersistentVolumeClaim", pvc.metadata.name, "WaitForFirstConsumer", "waiting for first consumer to be created before binding", 3, 5 * min, "Normal")] } },
      notReady("default", "db-0"),
      T
    );
    expect(r.hypotheses).toEqual([]);
  });
});

describe("volumes that cannot attach: Multi-Attach", () => {
  const attaching = (name: string, nodeName: string, claimName: string): Pod => ({
    metadata: { name, namespace: "default", creationTimestamp: iso(T - 10 * min) },
    spec: { nodeName, containers: [{ name: "app", image: "app:latest" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] },
    status: { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
  });

  it("names the volume, its claim and that it is still attached elsewhere (kubernetes-sigs/aws-ebs-csi-driver#542)", () => {
    const pvc = claim("default", "app-data", { storageClassName: "ebs-sc", phase: "Bound", volumeName: "pvc-16293fb9-4a67-4508-b112-178e5c4455cd" });
    const pod = attaching("app-6b8d5f9c7d-p4n2x", "node-2", "app-data");
    const message = 'Multi-Attach error for volume "pvc-16293fb9-4a67-4508-b112-178e5c4455cd" Volume is already exclusively attached to one node and can\'t be attached to another';
    const h = topOf(investigateObjects({ nodes: [node("node-2")], objects: { pods: [pod], persistentvolumeclaims: [pvc], events: [event("default", "Pod", pod.metadata.name, "FailedAttachVolume", message, 1, 15_000)] } }, notReady("default", pod.metadata.name), T));
    expect(h.title).toBe("default/app-6b8d5f9c7d-p4n2x cannot start: volume pvc-16293fb9-4a67-4508-b112-178e5c4455cd (claim app-data, ReadWriteOnce) is still attached to another node (its previous pod's) — Multi-Attach");
  });

  it("names the node of the pod that still uses it (openshift/openshift-docs#24970)", () => {
    const pvc = claim("default", "sso-mysql-claim", { phase: "Bound", volumeName: "pvc-8837384d-69d7-40b2-b2e6-5df86943eef9" });
    const holder: Pod = { ...attaching("sso-mysql-1-ns6b4", "worker-1", "sso-mysql-claim"), status: { phase: "Running" } };
    const pod = attaching("sso-mysql-2-abcde", "worker-2", "sso-mysql-claim");
    const message = 'Multi-Attach error for volume "pvc-8837384d-69d7-40b2-b2e6-5df86943eef9" Volume is already used by pod(s) sso-mysql-1-ns6b4';
    const h = topOf(investigateObjects({ nodes: [node("worker-1"), node("worker-2")], objects: { pods: [holder, pod], persistentvolumeclaims: [pvc], events: [event("default", "Pod", pod.metadata.name, "FailedAttachVolume", message, 4, 3 * min)] } }, notReady("default", pod.metadata.name), T));
    expect(h.title).toContain("is still attached to node worker-1, where sso-mysql-1-ns6b4 uses it — Multi-Attach");
  });
});

describe("volumes that cannot mount: the cause in the failure's words, on the pod's node", () => {
  const mounting = (namespace: string, name: string, nodeName: string, volumes: NonNullable<PodSpec["volumes"]>): Pod => ({
    metadata: { name, namespace, creationTimestamp: iso(T - 10 * min) },
    spec: { nodeName, containers: [{ name: "app", image: "app:1" }], volumes },
    status: { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
  });

  it("a hostPath of type Directory that the node lacks (Addyvan/valheim-k8s#27)", () => {
    const pod = mounting("valheim-test", "valheim-server-6fd49b4644-c2w6g", "m3.rke.example.org", [{ name: "gamefiles", hostPath: { path: "/data/valheim-test", type: "Directory" } }]);
    const message = 'MountVolume.SetUp failed for volume "gamefiles" : hostPath type check failed: /data/valheim-test is not a directory';
    const h = topOf(investigateObjects({ objects: { pods: [pod], events: [event("valheim-test", "Pod", pod.metadata.name, "FailedMount", message, 4, 5 * min)] } }, notReady("valheim-test", pod.metadata.name), T));
    expect(h.title).toBe("valheim-test/valheim-server-6fd49b4644-c2w6g cannot start: hostPath /data/valheim-test (volume gamefiles, type Directory) does not exist on node m3.rke.example.org, or is not a directory there (hostPath type check failed)");
    expect(h.confidence).toBe("high");
    expect(h.detail).toContain("DirectoryOrCreate");
  });

  it("an NFS volume on a node without the NFS client (kubernetes-retired/kubeadm-dind-cluster#242)", () => {
    const pod = mounting("default", "docs-7c8d9f6b5-xk2lp", "kube-node-1", [{ name: "documents", persistentVolumeClaim: { claimName: "documents" } }]);
    const message =
      'MountVolume.SetUp failed for volume "documents" : mount failed: exit status 32\nMounting command: systemd-run\nMounting arguments: --description=Kubernetes transient mount for /var/lib/kubelet/pods/804e9670-d21d-11e8-ae04-be44ca8ed1e2/volumes/kubernetes.io~nfs/documents --scope -- mount -t nfs fileserver:/documents /var/lib/kubelet/pods/804e9670-d21d-11e8-ae04-be44ca8ed1e2/volumes/kubernetes.io~nfs/documents\nOutput: Running scope as unit: run-r1a333dd87a9a4bc8a329862f7e37f745.scope\nmount: wrong fs type, bad option, bad superblock on fileserver:/documents,\n       missing codepage or helper program, or other error\n       (for several filesystems (e.g. nfs, cifs) you might\n       need a /sbin/mount.<type> helper program)\n\n       In some cases useful info is found in syslog - try\n       dmesg | tail or so.';
    const h = topOf(investigateObjects({ objects: { pods: [pod], events: [event("default", "Pod", pod.metadata.name, "FailedMount", message, 9, 5 * min)] } }, notReady("default", pod.metadata.name), T));
    expect(h.title).toMatch(/^default\/docs-7c8d9f6b5-xk2lp cannot start: node kube-node-1 has no NFS client \(mount\.nfs, package nfs-common\)/);
    expect(h.actions?.[0]).toContain("nfs-utils");
  });

  it("an unregistered CSI driver is named with the node, and where its node plugin runs (ceph/ceph-csi#710)", () => {
    // The event is #710's verbatim; the plugin pod's placement (on the other node only) is a constructed configuration.
    const pod = mounting("default", "csi-rbd-demo-pod", "master3", [{ name: "mypvc", persistentVolumeClaim: { claimName: "rbd-pvc" } }]);
    const message = 'MountVolume.MountDevice failed for volume "pvc-5d317451-01f2-11ea-b95f-eeeeeeeeeeee" : driver name rbd.csi.ceph.com not found in the list of registered CSI drivers';
    const plugin: Pod = {
      metadata: { name: "csi-rbdplugin-x7k2p", namespace: "default" },
      spec: { nodeName: "worker1", containers: [{ name: "driver-registrar", image: "quay.io/k8scsi/csi-node-driver-registrar:v1.1.0", args: ["--kubelet-registration-path=/var/lib/kubelet/plugins/rbd.csi.ceph.com/csi.sock"] }] },
      status: { phase: "Running" }
    };
    const h = topOf(investigateObjects({ objects: { pods: [pod, plugin], events: [event("default", "Pod", pod.metadata.name, "FailedMount", message, 23, 40 * min)] } }, notReady("default", pod.metadata.name), T));
    expect(h.title).toBe("default/csi-rbd-demo-pod cannot start: CSI driver rbd.csi.ceph.com is not registered with the kubelet on node master3: its node plugin does not run there or has not registered");
    expect(h.confidence).toBe("medium");
    expect(h.detail).toContain("Its node plugin runs on worker1, not on master3");
  });

  it("the informative failure wins over the kubelet's generic timeout (kubernetes/kubernetes#108963)", () => {
    const pod = mounting("default", "todo-db-759d4c6cd8-2jfv4", "docker-desktop", [{ name: "data", persistentVolumeClaim: { claimName: "pv01-claim" } }]);
    const generic = "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[kube-api-access-qdkr6 secret data]: timed out waiting for the condition";
    const denied =
      'MountVolume.SetUp failed for volume "pv01" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs 192.168.43.16:/nfs_share /var/lib/kubelet/pods/c9c0e520-2c9c-4970-b41e-90d4d6d38ead/volumes/kubernetes.io~nfs/pv01\nOutput: mount.nfs: access denied by server while mounting 192.168.43.16:/nfs_share';
    const events = [event("default", "Pod", pod.metadata.name, "FailedMount", denied, 13, 11 * min), { ...event("default", "Pod", pod.metadata.name, "FailedMount", generic, 4, 9 * min), metadata: { name: "generic", namespace: "default" } }];
    const h = topOf(investigateObjects({ objects: { pods: [pod], events } }, notReady("default", pod.metadata.name), T));
    expect(h.title).toContain("cannot start: NFS server 192.168.43.16 refuses node docker-desktop access to 192.168.43.16:/nfs_share (access denied by server)");
    expect(h.confidence).toBe("medium");
  });
});

describe("pods the API server refuses: quotas and LimitRanges", () => {
  const replicaSet = (name: string, containers: NonNullable<PodSpec["containers"]>): ReplicaSet => ({
    metadata: { name, namespace: "ns", annotations: { "deployment.kubernetes.io/revision": "2" }, ownerReferences: [{ kind: "Deployment", name: name.replace(/-[a-z0-9]+$/, ""), controller: true }] },
    spec: { replicas: 3, template: { spec: { containers } } }
  });

  it("names the exhausted resources of the quota (ministryofjustice/cloud-platform#590)", () => {
    const rs = replicaSet("allocation-manager-6597bc46dc", [{ name: "allocation-manager", image: "app:2", resources: { limits: { cpu: "1", memory: "2Gi" } } }]);
    const message =
      '(combined from similar events): Error creating: pods "allocation-manager-6597bc46dc-2wm8j" is forbidden: exceeded quota: namespace-quota, requested: limits.cpu=1,limits.memory=2Gi, used: limits.cpu=6,limits.memory=12Gi, limited: limits.cpu=6,limits.memory=12Gi';
    const h = topOf(investigateObjects({ objects: { replicasets: [rs], deployments: [{ metadata: { name: "allocation-manager", namespace: "ns" }, spec: { replicas: 3 } }], events: [event("ns", "ReplicaSet", rs.metadata.name, "FailedCreate", message, 124, 59 * min)] } }, { alertname: "KubeDeploymentReplicasMismatch", namespace: "ns", deployment: "allocation-manager" }, T));
    expect(h.title).toBe("ResourceQuota namespace-quota in ns is exhausted: limits.cpu 6/6 used, the pod asks 1; limits.memory 12Gi/12Gi used, the pod asks 2Gi, so ns/allocation-manager cannot create pods");
  });

  it("a compute quota makes every container declare resources (m3o/backend#378)", () => {
    const rs = replicaSet("helloworld-latest-6b78556b99", [{ name: "helloworld", image: "micro/helloworld" }]);
    const message = 'Error creating: pods "helloworld-latest-6b78556b99-mcpwh" is forbidden: failed quota: quota: must specify limits.cpu,limits.memory,requests.cpu,requests.memory';
    const h = topOf(investigateObjects({ objects: { replicasets: [rs], deployments: [{ metadata: { name: "helloworld-latest", namespace: "ns" }, spec: { replicas: 1 } }], events: [event("ns", "ReplicaSet", rs.metadata.name, "FailedCreate", message, 1, 10 * min)] } }, { alertname: "KubeDeploymentReplicasMismatch", namespace: "ns", deployment: "helloworld-latest" }, T));
    expect(h.title).toBe("ResourceQuota quota in ns rejects ns/helloworld-latest's pods: every container must specify limits.cpu, limits.memory, requests.cpu, requests.memory, and container helloworld has no resource requests or limits");
    expect(h.confidence).toBe("high");
  });

  it("Pod Security admission: the level the namespace enforces and what the template breaks (tektoncd/triggers#1477)", () => {
    const rs = replicaSet("tekton-triggers-controller-7887549bc5", [{ name: "tekton-triggers-controller", image: "gcr.io/tekton-releases/controller:v0.20" }]);
    const message =
      '(combined from similar events): Error creating: pods "tekton-triggers-controller-7887549bc5-htzd7" is forbidden: violates PodSecurity "restricted:latest": unrestricted capabilities (container "tekton-triggers-controller" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "tekton-triggers-controller" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "tekton-triggers-controller" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
    const h = topOf(investigateObjects({ objects: { replicasets: [rs], deployments: [{ metadata: { name: "tekton-triggers-controller", namespace: "ns" }, spec: { replicas: 1 } }], events: [event("ns", "ReplicaSet", rs.metadata.name, "FailedCreate", message, 14, 25 * min)] } }, { alertname: "KubeDeploymentReplicasMismatch", namespace: "ns", deployment: "tekton-triggers-controller" }, T));
    expect(h.title).toBe('Pod Security admission rejects ns/tekton-triggers-controller\'s pods: namespace ns enforces the "restricted" level and the pod template violates it (unrestricted capabilities, runAsNonRoot != true, seccompProfile)');
    expect(h.confidence).toBe("high");
  });

  it("a StatefulSet whose template sets no requests: the title keeps what the quota demands (hmcts/cnp-flux-config#13765)", () => {
    const sts = { metadata: { name: "fpl-case-service-pr-3308-es-master", namespace: "fpl" }, spec: { replicas: 1, template: { spec: { containers: [{ name: "elasticsearch", image: "elasticsearch:7" }] } } } };
    const message = 'create Pod fpl-case-service-pr-3308-es-master-0 in StatefulSet fpl-case-service-pr-3308-es-master failed error: pods "fpl-case-service-pr-3308-es-master-0" is forbidden: failed quota: fpl-quota: must specify requests.cpu,requests.memory';
    const h = topOf(investigateObjects({ objects: { statefulsets: [sts], events: [event("fpl", "StatefulSet", sts.metadata.name, "FailedCreate", message, 2, 39 * min)] } }, { alertname: "KubeStatefulSetReplicasMismatch", namespace: "fpl", statefulset: sts.metadata.name }, T));
    expect(h.title).toBe("ResourceQuota fpl-quota in fpl rejects fpl/fpl-case-service-pr-3308-es-master's pods: every container must specify requests.cpu, requests.memory, and container elasticsearch has no resource requests");
  });

  it("without the FailedCreate event, a compute quota and a template without requests still name the quota, at medium (kubernetes/kubernetes#96634)", () => {
    // rq-demo (pods 100, requests.cpu 2, requests.memory 500m), nginx template without resources, Deployment 0/3.
    const rs = replicaSet("dep-6d4cf56db6", [{ name: "nginx", image: "nginx" }]);
    const quota = { metadata: { name: "rq-demo", namespace: "ns" }, spec: { hard: { pods: "100", "requests.cpu": "2", "requests.memory": "500m" } }, status: { hard: { pods: "100", "requests.cpu": "2", "requests.memory": "500m" }, used: { pods: "6", "requests.cpu": "1130m", "requests.memory": "340m" } } };
    const h = topOf(investigateObjects({ objects: { replicasets: [rs], deployments: [{ metadata: { name: "dep", namespace: "ns" }, spec: { replicas: 3 } }], resourcequotas: [quota] } }, { alertname: "KubeDeploymentReplicasMismatch", namespace: "ns", deployment: "dep" }, T));
    expect(h.title).toBe("ResourceQuota rq-demo in ns makes every container specify requests.cpu, requests.memory, and ns/dep's container nginx has no resource requests: the API server rejects its pods (0 of 3 exist)");
    expect(h.confidence).toBe("medium");
  });

  it("a quota the template satisfies, or one on object counts only, is not blamed", () => {
    const rs = replicaSet("dep-6d4cf56db6", [{ name: "nginx", image: "nginx", resources: { requests: { cpu: "100m", memory: "64Mi" } } }]);
    const quota = { metadata: { name: "rq-demo", namespace: "ns" }, spec: { hard: { pods: "100", "requests.cpu": "2", "requests.memory": "500m" } } };
    const counts = { metadata: { name: "object-counts", namespace: "ns" }, spec: { hard: { pods: "10", "count/configmaps": "5" } } };
    const r = investigateObjects({ objects: { replicasets: [rs], deployments: [{ metadata: { name: "dep", namespace: "ns" }, spec: { replicas: 3 } }], resourcequotas: [quota, counts] } }, { alertname: "KubeDeploymentReplicasMismatch", namespace: "ns", deployment: "dep" }, T);
    expect(r.hypotheses.some((x) => x.title.includes("ResourceQuota"))).toBe(false);
  });
});

describe("host ports: the pod that already holds the port is the cause", () => {
  // k3d-io/k3d#104: Istio's LoadBalancer Service makes k3s's servicelb run svclb-istio-ingressgateway, which asks for
  // host ports 80 and 443 that the bundled Traefik's svclb pod already holds on the only node.
  const MESSAGE = "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.";
  const port = (p: number) => ({ name: `p${p}`, containerPort: p, hostPort: p, protocol: "TCP" });
  const svclb = (namespace: string, name: string, ports: ReadonlyArray<number>, node?: string): Pod => ({
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: iso(T - 60 * min) },
    spec: { ...(node !== undefined ? { nodeName: node } : {}), containers: ports.map((p) => ({ name: `lb-port-${p}`, image: "rancher/klipper-lb:v0.1.2", ports: [port(p)] })) },
    status: node !== undefined ? { phase: "Running" } : { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: MESSAGE }] }
  });
  const pending = svclb("istio-system", "svclb-istio-ingressgateway-6kq7x", [15020, 80, 443, 31400]);
  const run = (others: ReadonlyArray<Pod>) =>
    investigateObjects(
      { objects: { pods: [pending, ...others], events: [event("istio-system", "Pod", pending.metadata.name, "FailedScheduling", MESSAGE, 4, 10 * min)] } },
      { alertname: "KubePodNotReady", namespace: "istio-system", pod: pending.metadata.name },
      T
    );

  it("names the holder, its ports and its node, at high", () => {
    const h = topOf(run([svclb("kube-system", "svclb-traefik-9xv2m", [80, 443], "k3d-k3s-default-server")]));
    expect(h.title).toContain("host ports 80, 443 it asks for are already held by kube-system/svclb-traefik-9xv2m on k3d-k3s-default-server");
    expect(h.confidence).toBe("high");
  });

  it("a hostNetwork pod holds its container ports (a second node-exporter against the platform's own on 9100)", () => {
    const exporter: Pod = {
      metadata: { name: "node-exporter-x2x9z", namespace: "openshift-monitoring", uid: "uid-ne" },
      spec: { nodeName: "worker-1", hostNetwork: true, containers: [{ name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.6.1", ports: [{ containerPort: 9100, name: "metrics" }] }] },
      status: { phase: "Running" }
    };
    const mine = svclb("monitoring", "prometheus-node-exporter-abcde", [9100]);
    const r = investigateObjects(
      { objects: { pods: [mine, exporter], events: [event("monitoring", "Pod", mine.metadata.name, "FailedScheduling", MESSAGE, 3, 5 * min)] } },
      { alertname: "KubePodNotReady", namespace: "monitoring", pod: mine.metadata.name },
      T
    );
    expect(topOf(r).title).toContain("host port 9100 it asks for is already held by openshift-monitoring/node-exporter-x2x9z on worker-1");
  });

  it("with no holder among the pods read it says so, at medium; finished pods and other ports hold nothing", () => {
    const done: Pod = { ...svclb("kube-system", "svclb-old-abcde", [80], "k3d-k3s-default-server"), status: { phase: "Succeeded" } };
    const r = run([done, svclb("kube-system", "svclb-other-fghij", [8080], "k3d-k3s-default-server")]);
    expect(topOf(r).title).toContain("the host ports it asks for (15020, 80, 443, 31400) are taken on every node it may use; the pod holding them was not among the pods read");
    expect(r.hypotheses.some((x) => x.confidence === "high")).toBe(false);
  });
});
