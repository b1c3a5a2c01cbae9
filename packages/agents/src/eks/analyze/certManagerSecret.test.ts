import { describe, expect, it } from "vitest";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import type { Event, Pod, Service } from "../kube/KubeObjects.js";
import { makeAlert } from "../testing/makeAlert.js";
import { issuedByCertManager } from "./certManagerSecret.js";

/*
 * rancher/opni#175: `MountVolume.SetUp failed for volume "cert" : secret "webhook-server-cert" not found`
 * after applying the operator's manifests; the maintainer: "The cert secret should be created by Cert
 * Manager … Is cert-manager installed?", and installing it fixed it. The message is verbatim; the pod's
 * layout (volume "cert" at controller-runtime's serving-certs directory) is the kubebuilder scaffold's.
 * cert-manager/cert-manager#4695: the same message with cert-manager running (its Certificate not issued).
 */
const T = Date.parse("2022-01-25T09:00:00Z");
const pod: Pod = {
  metadata: { name: "opni-controller-manager-7d9f8b6c5-x2x4k", namespace: "opni-system", labels: { "control-plane": "controller-manager" } },
  spec: {
    nodeName: "node-1",
    volumes: [{ name: "cert", secret: { secretName: "webhook-server-cert" } }],
    containers: [{ name: "manager", image: "rancher/opni-manager:v0.2.0", volumeMounts: [{ name: "cert", mountPath: "/tmp/k8s-webhook-server/serving-certs", readOnly: true }] }]
  },
  status: { phase: "Pending", containerStatuses: [{ name: "manager", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
};
const failedMount: Event = {
  metadata: { name: "e1", namespace: "opni-system" },
  involvedObject: { kind: "Pod", namespace: "opni-system", name: pod.metadata.name },
  reason: "FailedMount",
  type: "Warning",
  message: 'MountVolume.SetUp failed for volume "cert" : secret "webhook-server-cert" not found',
  count: 8,
  firstTimestamp: "2022-01-25T08:58:00Z",
  lastTimestamp: "2022-01-25T08:59:00Z"
};
const service = (namespace: string, name: string, labels: Record<string, string> = {}): Service => ({ metadata: { name, namespace, labels }, spec: { selector: { app: name } } });

const investigate = (services: ReadonlyArray<Service>) => {
  const builder = new ClusterViewBuilder("test");
  builder.add("pods", [pod]);
  builder.add("events", [failedMount]);
  builder.setServices(services);
  const alert = makeAlert({ labels: { alertname: "KubePodNotReady", namespace: "opni-system", pod: pod.metadata.name }, at: T });
  return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses;
};

describe("a missing Secret that cert-manager issues", () => {
  it("names cert-manager as not installed when no namespace read has its Service (rancher/opni#175)", () => {
    const top = investigate([service("opni-system", "opni-webhook-service"), service("kube-system", "kube-dns")])[0];
    expect(top?.title).toBe(
      "opni-system/opni-controller-manager-7d9f8b6c5-x2x4k cannot mount secret webhook-server-cert: it does not exist because cert-manager, which issues it, is not installed (no cert-manager Service in any namespace read)"
    );
    expect(top?.confidence).toBe("high");
  });

  it("stays at medium when only the pod's own namespace was read", () => {
    expect(investigate([service("opni-system", "opni-webhook-service")])[0]?.confidence).toBe("medium");
  });

  it("with cert-manager running, points at its Certificate instead (cert-manager/cert-manager#4695)", () => {
    const top = investigate([service("cert-manager", "cert-manager-webhook", { "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/name": "webhook" }), service("cert-manager", "cert-manager")])[0];
    expect(top?.title).toContain("has not issued it; check its Certificate and Issuer");
    expect(top?.confidence).toBe("medium");
  });

  it("recognises a DNS01 solver's -webhook-tls Secret but not cert-manager's own webhook (kelvie/cert-manager-webhook-namecheap#4, cert-manager/cert-manager#2484)", () => {
    // kelvie/cert-manager-webhook-namecheap#4: secret "namecheap-webhook-cert-manager-webhook-namecheap-webhook-tls" not found, volume "certs".
    const solver: Pod = { metadata: { name: "p", namespace: "cert-manager" }, spec: { volumes: [{ name: "certs", secret: { secretName: "namecheap-webhook-cert-manager-webhook-namecheap-webhook-tls" } }], containers: [{ name: "c", image: "kelvie/cert-manager-webhook-namecheap:latest", volumeMounts: [{ name: "certs", mountPath: "/tls" }] }] } };
    expect(issuedByCertManager(solver, "namecheap-webhook-cert-manager-webhook-namecheap-webhook-tls")?.secret).toBe("namecheap-webhook-cert-manager-webhook-namecheap-webhook-tls");
    // cert-manager/cert-manager#2484: cert-manager's own webhook waits for "cert-manager-webhook-webhook-tls", which it makes itself.
    const own: Pod = { metadata: { name: "p", namespace: "cert-manager" }, spec: { volumes: [{ name: "certs", secret: { secretName: "cert-manager-webhook-webhook-tls" } }], containers: [{ name: "c", image: "quay.io/jetstack/cert-manager-webhook:v0.12.0" }] } };
    expect(issuedByCertManager(own, "cert-manager-webhook-webhook-tls")).toBeUndefined();
    // An ordinary Secret is not claimed.
    expect(issuedByCertManager({ ...pod, spec: { ...pod.spec, volumes: [{ name: "cert", secret: { secretName: "db-password" } }], containers: [{ name: "m", image: "app" }] } }, "db-password")).toBeUndefined();
  });
});
