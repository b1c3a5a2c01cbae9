import { describe, expect, it } from "vitest";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import type { Deployment, Event, PersistentVolumeClaim, Pod, ReplicaSet, StorageClass } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";
import { makeAlert } from "../testing/makeAlert.js";
import { isClusterName, usesNodeResolver } from "./nodeResolver.js";

/**
 * Calibration: a true but shallower fact (a claim "is not bound", a Secret "does not exist", a
 * Multi-Attach error, a name that does not resolve) is a symptom; high confidence only when the
 * evidence also answers the question it leaves open. Each object keeps what the real thread pasted
 * and fills the rest with neutral values, as examples/real-incidents does.
 */

const T = Date.parse("2024-05-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const min = 60_000;

const event = (namespace: string, kind: string, name: string, reason: string, message: string, count: number): Event => ({
  metadata: { name: `${name}.${reason}`, namespace, creationTimestamp: iso(T - 10 * min) },
  involvedObject: { kind, name, namespace },
  reason,
  message,
  type: "Warning",
  count,
  firstTimestamp: iso(T - 10 * min),
  lastTimestamp: iso(T - min)
});

const claim = (namespace: string, name: string, storageClassName?: string, o: { phase?: string; volumeName?: string } = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace, creationTimestamp: iso(T - 30 * min) },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...(storageClassName !== undefined ? { storageClassName } : {}), ...(o.volumeName !== undefined ? { volumeName: o.volumeName } : {}) },
  status: { phase: o.phase ?? "Pending" }
});

const notReady = (namespace: string, pod: string) => ({ alertname: "KubePodNotReady", namespace, pod });

describe("an unbound claim: the class it asks for is the next fact", () => {
  const UNBOUND = "0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.";
  const pending = (namespace: string, name: string, claimName: string): Pod => ({
    metadata: { name, namespace, creationTimestamp: iso(T - 20 * min) },
    spec: { containers: [{ name: "app", image: "app:1" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] },
    status: { phase: "Pending" }
  });

  it("names the class the claim hard-codes, at medium (1Password/op-scim-helm#15: do-block-storage)", () => {
    const pod = pending("1password-scim", "op-scim-bridge-7bd959c5b4-bfksc", "op-scim-bridge-pvc");
    const r = investigateObjects(
      { objects: { pods: [pod], persistentvolumeclaims: [claim("1password-scim", "op-scim-bridge-pvc", "do-block-storage")], events: [event("1password-scim", "Pod", pod.metadata.name, "FailedScheduling", UNBOUND, 5)] } },
      notReady("1password-scim", pod.metadata.name),
      T
    );
    const h = topOf(r);
    expect(h.title).toContain("op-scim-bridge-pvc asks for storage class do-block-storage");
    expect(h.confidence).toBe("medium");
    expect(r.hypotheses.some((x) => x.confidence === "high")).toBe(false);
  });

  it("says a claim without class depends on a default class (prometheus-community/helm-charts#4946)", () => {
    const pod = pending("monitoring", "prometheus-server-5d4b8c7f9-abcde", "prometheus-server");
    const r = investigateObjects(
      { objects: { pods: [pod], persistentvolumeclaims: [claim("monitoring", "prometheus-server")], events: [event("monitoring", "Pod", pod.metadata.name, "FailedScheduling", "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.", 3)] } },
      notReady("monitoring", pod.metadata.name),
      T
    );
    const h = topOf(r);
    expect(h.title).toContain("prometheus-server names no storage class (storageClassName not set)");
    expect(h.confidence).toBe("medium");
  });
});

describe("an unbound claim with the cluster's StorageClasses read: a missing class or no default class is the cause", () => {
  const UNBOUND = "0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  const pending = (namespace: string, name: string, claimName: string): Pod => ({
    metadata: { name, namespace, creationTimestamp: iso(T - 20 * min) },
    spec: { containers: [{ name: "app", image: "app:1" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] },
    status: { phase: "Pending" }
  });
  const storageClass = (name: string, provisioner: string, isDefault = false): StorageClass => ({
    metadata: { name, ...(isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}) },
    provisioner,
    volumeBindingMode: "WaitForFirstConsumer"
  });
  const run = (claimClass: string | undefined, classes: ReadonlyArray<StorageClass>) => {
    const pod = pending("1password-scim", "op-scim-bridge-7bd959c5b4-bfksc", "op-scim-bridge-pvc");
    return investigateObjects(
      { objects: { pods: [pod], persistentvolumeclaims: [claim("1password-scim", "op-scim-bridge-pvc", claimClass)], events: [event("1password-scim", "Pod", pod.metadata.name, "FailedScheduling", UNBOUND, 5)] }, storageClasses: classes },
      notReady("1password-scim", pod.metadata.name),
      T
    );
  };

  it("names the class that does not exist, and the classes there are, at high (1Password/op-scim-helm#15 on EKS)", () => {
    const h = topOf(run("do-block-storage", [storageClass("gp2", "kubernetes.io/aws-ebs", true), storageClass("gp3", "ebs.csi.aws.com")]));
    expect(h.title).toContain("op-scim-bridge-pvc asks for storage class do-block-storage, which does not exist in this cluster (it has gp2 (default), gp3)");
    expect(h.confidence).toBe("high");
  });

  it("says there is no default class when the claim names none and no class is marked default (prometheus-community/helm-charts#4946)", () => {
    const h = topOf(run(undefined, [storageClass("local-path", "rancher.io/local-path")]));
    expect(h.title).toContain("names no storage class and this cluster has no default StorageClass (it has local-path)");
    expect(h.confidence).toBe("high");
    expect(topOf(run(undefined, [])).title).toContain("no default StorageClass (it has none)");
  });

  it("the beta default annotation counts as a default", () => {
    const beta: StorageClass = { metadata: { name: "standard", annotations: { "storageclass.beta.kubernetes.io/is-default-class": "true" } }, provisioner: "kubernetes.io/gce-pd" };
    const r = run(undefined, [beta]);
    expect(topOf(r).title).toContain("the cluster's default is now standard");
    expect(r.hypotheses.some((x) => x.confidence === "high")).toBe(false);
  });

  it("stays at medium when the class exists: the provisioner's own logs say why (provisioner named)", () => {
    const r = run("gp3", [storageClass("gp2", "kubernetes.io/aws-ebs", true), storageClass("gp3", "ebs.csi.aws.com")]);
    expect(topOf(r).title).toContain("asks for storage class gp3, which exists (provisioner ebs.csi.aws.com, WaitForFirstConsumer)");
    expect(r.hypotheses.some((x) => x.confidence === "high")).toBe(false);
  });

  it("a default class that is not annotated \"true\" is no default", () => {
    const off: StorageClass = { metadata: { name: "gp2", annotations: { "storageclass.kubernetes.io/is-default-class": "false" } }, provisioner: "kubernetes.io/aws-ebs" };
    expect(topOf(run(undefined, [off])).title).toContain("this cluster has no default StorageClass (it has gp2)");
  });
});

describe("a Secret that does not exist: who was to create it stays open", () => {
  it("stays at medium when nothing shows who creates it (jaconi-io/helm-charts#50: cert-manager was to issue secret coturn)", () => {
    const pod: Pod = {
      metadata: { name: "coturn-6c9f7d8b5-x7k2p", namespace: "coturn", creationTimestamp: iso(T - 40 * min) },
      spec: { nodeName: "node-1", containers: [{ name: "coturn", image: "coturn/coturn:4.6", volumeMounts: [{ name: "certs", mountPath: "/certs" }] }], volumes: [{ name: "certs", secret: { secretName: "coturn" } }] },
      status: { phase: "Pending", containerStatuses: [{ name: "coturn", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
    };
    const message = 'MountVolume.SetUp failed for volume "certs" : secret "coturn" not found';
    const r = investigateObjects({ objects: { pods: [pod], events: [event("coturn", "Pod", pod.metadata.name, "FailedMount", message, 1198)] } }, notReady("coturn", pod.metadata.name), T);
    expect(topOf(r).title).toContain("cannot mount secret coturn: it does not exist");
    expect(r.hypotheses.some((x) => x.confidence === "high")).toBe(false);
  });
});

describe("Multi-Attach: which strategy or pod holds the volume", () => {
  const VOLUME = "pvc-bca43bf8-e4a9-4a4f-89ba-c95fdeda3b46";
  const NAME = "vm-import-controller-harvester-vm-import-controller";
  const labels = { "app.kubernetes.io/name": "harvester-vm-import-controller" };
  const deployment = (strategy?: string): Deployment => ({
    metadata: { name: NAME, namespace: "harvester-system", uid: "uid-deploy" },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      ...(strategy !== undefined ? { strategy: { type: strategy } } : {}),
      template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "rancher/harvester-vm-import-controller:v0.1.3" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: NAME } }] } }
    }
  });
  const rs: ReplicaSet = { metadata: { name: `${NAME}-6d8c7b9f5`, namespace: "harvester-system", uid: "uid-rs", annotations: { "deployment.kubernetes.io/revision": "2" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: NAME, uid: "uid-deploy", controller: true }] }, spec: { replicas: 1, selector: { matchLabels: labels } } };
  const pod = (name: string, nodeName: string, phase: string, podLabels: Record<string, string>, owner?: ReplicaSet): Pod => ({
    metadata: { name, namespace: "harvester-system", uid: `uid-${name}`, labels: podLabels, creationTimestamp: iso(T - 20 * min), ...(owner !== undefined ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner.metadata.name, uid: owner.metadata.uid ?? "", controller: true }] } : {}) },
    spec: { nodeName, containers: [{ name: "c", image: "rancher/harvester-vm-import-controller:v0.1.3" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: NAME } }] },
    status: phase === "Running" ? { phase } : { phase, containerStatuses: [{ name: "c", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
  });
  const investigate = (strategy: string | undefined, holderLabels: Record<string, string>) => {
    const newPod = pod(`${NAME}-6d8c7b9f5-kq4zt`, "node-1", "Pending", labels, rs);
    const holder = pod(`${NAME}-7f4bf5l9ln9`, "node-2", "Running", holderLabels);
    // harvester/vm-import-controller#23, verbatim.
    const message = `Multi-Attach error for volume "${VOLUME}" Volume is already used by pod(s) ${holder.metadata.name}`;
    return investigateObjects(
      { objects: { deployments: [deployment(strategy)], replicasets: [rs], pods: [newPod, holder], persistentvolumeclaims: [claim("harvester-system", NAME, "longhorn", { phase: "Bound", volumeName: VOLUME })], events: [event("harvester-system", "Pod", newPod.metadata.name, "FailedAttachVolume", message, 6)] } },
      notReady("harvester-system", newPod.metadata.name),
      T
    );
  };

  it("names the RollingUpdate strategy when the old pod of the same Deployment holds the ReadWriteOnce volume (harvester/vm-import-controller#23, suxess-it/kubrix#893)", () => {
    const h = topOf(investigate("RollingUpdate", labels));
    expect(h.title).toContain(`Deployment ${NAME} uses strategy RollingUpdate with the ReadWriteOnce claim ${NAME}`);
    expect(h.confidence).toBe("high");
    expect(topOf(investigate(undefined, labels)).title).toContain("strategy RollingUpdate (the default)");
  });

  it("does not blame the strategy for Recreate or for a holder of another workload", () => {
    expect(topOf(investigate("Recreate", labels)).title).not.toContain("RollingUpdate");
    expect(topOf(investigate("RollingUpdate", { app: "debug" })).title).not.toContain("RollingUpdate");
  });

  it("stays at medium when no holder or gone node is known (kubernetes-sigs/aws-ebs-csi-driver#542)", () => {
    const only = pod("app-6b8d5f9c7d-p4n2x", "node-2", "Pending", { app: "app" });
    const message = 'Multi-Attach error for volume "pvc-16293fb9-4a67-4508-b112-178e5c4455cd" Volume is already exclusively attached to one node and can\'t be attached to another';
    const r = investigateObjects(
      { objects: { pods: [{ ...only, metadata: { ...only.metadata, namespace: "default" }, spec: { ...only.spec, volumes: [{ name: "data", persistentVolumeClaim: { claimName: "app-data" } }] } }], persistentvolumeclaims: [claim("default", "app-data", "ebs-sc", { phase: "Bound", volumeName: "pvc-16293fb9-4a67-4508-b112-178e5c4455cd" })], events: [event("default", "Pod", only.metadata.name, "FailedAttachVolume", message, 1)] } },
      notReady("default", only.metadata.name),
      T
    );
    expect(topOf(r).title).toContain("is still attached to another node (its previous pod's) — Multi-Attach");
    expect(topOf(r).confidence).toBe("medium");
  });
});

describe("a name that does not resolve: how the pod resolves names", () => {
  // replicatedhq/kots#299: the migrations pod with hostNetwork; the log is verbatim.
  const LOG = ["dial tcp: lookup kotsadm-postgres on 169.254.169.254:53: no such host", "Error: dial tcp: lookup kotsadm-postgres on 169.254.169.254:53: no such host", "Usage:", "  schemahero apply [flags]"].join("\n");
  const migrations = (spec: Partial<NonNullable<Pod["spec"]>>): Pod => ({
    metadata: { name: "kotsadm-migrations-1580678167", namespace: "default", creationTimestamp: iso(T - 30 * min) },
    spec: { nodeName: "node-1", restartPolicy: "OnFailure", containers: [{ name: "kotsadm-migrations", image: "kotsadm/kotsadm-migrations:alpha" }], ...spec },
    status: {
      phase: "Running",
      containerStatuses: [{ name: "kotsadm-migrations", ready: false, restartCount: 6, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: iso(T - 2 * min) } } }]
    }
  });
  const investigate = (pod: Pod) => {
    const builder = new ClusterViewBuilder("test");
    builder.add("pods", [pod]);
    builder.setLog({ namespace: "default", pod: pod.metadata.name, container: "kotsadm-migrations", current: LOG });
    const alert = makeAlert({ labels: notReady("default", pod.metadata.name), at: T });
    return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses;
  };

  it("names hostNetwork with the default dnsPolicy (replicatedhq/kots#299, kubernetes/dns#316)", () => {
    const top = investigate(migrations({ hostNetwork: true }))[0];
    expect(top?.title).toContain("cannot resolve kotsadm-postgres (DNS: no such host): its pods run with hostNetwork: true with dnsPolicy ClusterFirst (the default, not set)");
    expect(top?.confidence).toBe("high");
  });

  it("leaves ClusterFirstWithHostNet and ordinary pods to the other readings", () => {
    expect(investigate(migrations({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }))[0]?.title ?? "").not.toContain("hostNetwork");
    expect(investigate(migrations({}))[0]?.title ?? "").not.toContain("node's resolver");
  });

  it("a Service name that exists nowhere read stays at medium: a wrong name or a Service not deployed is open", () => {
    const hypotheses = investigate(migrations({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }));
    const missing = hypotheses.find((h) => h.title.includes("no Service kotsadm-postgres exists in default"));
    expect(missing?.confidence).toBe("medium");
    expect(hypotheses.some((h) => h.confidence === "high")).toBe(false);
  });

  it("knows which names only cluster DNS answers", () => {
    const namespaces = new Set(["default", "payments"]);
    expect(isClusterName("kotsadm-postgres", namespaces)).toBe(true);
    expect(isClusterName("db.payments", namespaces)).toBe(true);
    expect(isClusterName("db.payments.svc.cluster.local", namespaces)).toBe(true);
    expect(isClusterName("api.github.com", namespaces)).toBe(false);
    expect(isClusterName("10.0.0.1", namespaces)).toBe(false);
    // docker/for-mac#2646: a hostNetwork DaemonSet under the default policy; dnsPolicy Default always uses the node.
    expect(usesNodeResolver({ metadata: { name: "dns-test" }, spec: { hostNetwork: true } })).toBe("hostNetwork: true with dnsPolicy ClusterFirst (the default, not set)");
    expect(usesNodeResolver({ metadata: { name: "p" }, spec: { dnsPolicy: "Default" } })).toBe("dnsPolicy Default (the node's resolver)");
    expect(usesNodeResolver({ metadata: { name: "p" }, spec: { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" } })).toBeUndefined();
  });
});

describe("CreateContainerConfigError: a whole object missing vs a key missing", () => {
  const pod = (waiting: { reason: string; message?: string }): Pod => ({
    metadata: { name: "infra-server-6d8b9c7f5c-8fj2w", namespace: "infrahq", creationTimestamp: iso(T - 20 * min) },
    spec: { nodeName: "node-1", containers: [{ name: "server", image: "infrahq/infra:0.0.0-development", env: [{ name: "INFRA_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "infra-access-key", key: "access-key" } } }] }] },
    status: { phase: "Pending", containerStatuses: [{ name: "server", ready: false, restartCount: 0, state: { waiting } }] }
  });

  it("a Secret that does not exist stays at medium: who was to create it is open (infrahq/infra#1730)", () => {
    const r = investigateObjects({ objects: { pods: [pod({ reason: "CreateContainerConfigError", message: 'secret "infra-access-key" not found' })] } }, notReady("infrahq", "infra-server-6d8b9c7f5c-8fj2w"), T);
    expect(topOf(r).title).toContain("infra-access-key");
    expect(topOf(r).confidence).toBe("medium");
  });

  it("a key missing from a Secret that exists is named at high (GoogleCloudPlatform/continuous-deployment-on-kubernetes#89)", () => {
    const r = investigateObjects({ objects: { pods: [pod({ reason: "CreateContainerConfigError", message: "couldn't find key access-key in Secret infrahq/infra-access-key" })] } }, notReady("infrahq", "infra-server-6d8b9c7f5c-8fj2w"), T);
    expect(topOf(r).title).toContain("access-key");
    expect(topOf(r).confidence).toBe("high");
  });
});

describe("a ServiceAccount that does not exist: which manifest was to create it stays open", () => {
  it("is named at medium (giantswarm/kube-stresscheck#7)", () => {
    const labels = { app: "kube-stresscheck" };
    const deployment: Deployment = { metadata: { name: "kube-stresscheck", namespace: "kube-system", uid: "uid-d" }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { serviceAccountName: "kube-stresscheck", containers: [{ name: "c", image: "quay.io/giantswarm/kube-stresscheck:latest" }] } } } };
    const rs: ReplicaSet = { metadata: { name: "kube-stresscheck-7f75dbbcb7", namespace: "kube-system", uid: "uid-rs", annotations: { "deployment.kubernetes.io/revision": "1" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "kube-stresscheck", uid: "uid-d", controller: true }] }, spec: { replicas: 1, selector: { matchLabels: labels } }, status: { replicas: 0 } };
    // Verbatim from the issue.
    const message = 'Error creating: pods "kube-stresscheck-7f75dbbcb7-" is forbidden: error looking up service account kube-system/kube-stresscheck: serviceaccount "kube-stresscheck" not found.';
    const r = investigateObjects({ objects: { deployments: [deployment], replicasets: [rs], events: [event("kube-system", "ReplicaSet", rs.metadata.name, "FailedCreate", message, 14)] } }, { alertname: "KubeDeploymentReplicasMismatch", namespace: "kube-system", deployment: "kube-stresscheck" }, T);
    expect(topOf(r).title).toContain("ServiceAccount kube-system/kube-stresscheck does not exist");
    expect(topOf(r).confidence).toBe("medium");
  });
});
