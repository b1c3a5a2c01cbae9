import { describe, expect, it } from "vitest";
import type { Pod } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";
import { makeAlert } from "../testing/makeAlert.js";
import { isThrottlingAlert, throttlingAlert } from "./analyzeThrottling.js";

const T = Date.parse("2024-12-10T12:00:00Z");

describe("CPU throttling: the container's CPU limit is the cause to report", () => {
  it("recognises kube-prometheus' CPUThrottlingHigh and a question about throttling", () => {
    // AndreiGavriliu/homelab#2736: the rule's labels as Alertmanager sent them.
    expect(isThrottlingAlert(makeAlert({ labels: { alertname: "CPUThrottlingHigh", container: "valkey", namespace: "netbox", pod: "netbox-valkey-primary-0" }, at: T }))).toBe(true);
    // vmware-tanzu/pinniped#2161: the reporter's words name a container, not CPU.
    expect(throttlingAlert({ ...makeAlert({ labels: {}, at: T }), alertText: "We are seeing consistent throttling in the sleeper container" })).toBe("container");
    // ministryofjustice/cloud-platform#653: the rule's own description.
    expect(throttlingAlert({ ...makeAlert({ labels: {}, at: T }), alertText: "98% throttling of CPU in namespace auth0-inactive-user-check-prod for container alpine in pod auth0-inactive-user-check-ap-756c95d9bc-2gqvk." })).toBe("cpu");
    expect(isThrottlingAlert({ ...makeAlert({ labels: {}, at: T }), alertText: "S3 API requests from the uploader container are being throttled (429)" })).toBe(false);
    expect(isThrottlingAlert(makeAlert({ labels: { alertname: "KubePodCrashLooping" }, at: T }))).toBe(false);
  });

  it("names the limit and the request (vmware-tanzu/pinniped#2161: kubecertagent.go sets 20m / 0)", () => {
    const pod: Pod = {
      metadata: { name: "pinniped-concierge-kube-cert-agent-7d6c8b9f5-lq2vx", namespace: "pinniped-concierge", labels: { "pod-template-hash": "7d6c8b9f5" }, ownerReferences: [{ kind: "ReplicaSet", name: "pinniped-concierge-kube-cert-agent-7d6c8b9f5", controller: true }] },
      spec: { nodeName: "cp-1", containers: [{ name: "sleeper", image: "pinniped-server", resources: { limits: { memory: "32Mi", cpu: "20m" }, requests: { memory: "32Mi", cpu: "0" } } }] },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "sleeper", ready: true, restartCount: 0, state: { running: { startedAt: "2024-12-10T09:00:00Z" } } }] }
    };
    const r = investigateObjects({ objects: { pods: [pod] } }, { alertname: "CPUThrottlingHigh", namespace: "pinniped-concierge", pod: pod.metadata.name, container: "sleeper" }, T);
    const h = topOf(r);
    expect(h.title).toContain("pinniped-concierge/pinniped-concierge-kube-cert-agent: container sleeper is CPU-throttled by its 20m CPU limit (request 0)");
    expect(h.detail).toContain("20m (0.02 of a core)");
  });

  it("never claims throttling as a confident cause, and says so when the pods are healthy (ministryofjustice/cloud-platform#801: 0.02 cores used, request 180m, limit 500m)", () => {
    const pod: Pod = {
      metadata: { name: "api-6d4cf56db6-8x2kq", namespace: "money-to-prisoners-prod", labels: { "pod-template-hash": "6d4cf56db6" }, ownerReferences: [{ kind: "ReplicaSet", name: "api-6d4cf56db6", controller: true }] },
      spec: { nodeName: "node-1", containers: [{ name: "app", image: "app", resources: { limits: { cpu: "500m" }, requests: { cpu: "180m" } } }] },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: { startedAt: "2019-04-08T09:00:00Z" } } }] }
    };
    const h = topOf(investigateObjects({ objects: { pods: [pod] } }, { alertname: "CPUThrottlingHigh", namespace: "money-to-prisoners-prod", pod: pod.metadata.name, container: "app" }, T));
    expect(h.confidence).not.toBe("high");
    expect(h.title).toContain("not shown to be a capacity problem");
  });
});
