import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ContainerStatus } from "../kube/KubeObjects.js";
import { causeText, normalWaiting } from "./podFacts.js";

describe("causeText", () => {
  it("keeps what was being done and the innermost cause of a long wrapped error", () => {
    // The EBS CSI provisioner's message as kubelet events carry it (AWS request id trailer included).
    const message =
      'failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume "pvc-6f1d0c5e-2b8a-4e52-9d1e-3f0a7c9b8e21": could not create volume in EC2: UnauthorizedOperation: You are not authorized to perform this operation. status code: 403, request id: 3c8e2f1a-7b6d-4c0e-9a51-2d4f8e6b1c07';
    const out = causeText(message, 160);
    expect(out.length).toBeLessThanOrEqual(160);
    expect(out).toMatch(/^failed to provision volume with StorageClass "gp3": …/);
    expect(out).toContain("UnauthorizedOperation: You are not authorized to perform this operation. status code: 403");
    expect(out).not.toContain("request id");
  });

  it("leaves a short message whole and cuts an unwrapped long one at the end", () => {
    expect(causeText("0/3 nodes are available: 3 Insufficient memory.")).toBe("0/3 nodes are available: 3 Insufficient memory.");
    expect(causeText("x".repeat(300), 50)).toBe(`${"x".repeat(49)}…`);
  });

  it("never exceeds its bound and never keeps a secret (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 8 }), fc.integer({ min: 20, max: 300 }), (parts, max) => {
        const out = causeText(`${parts.join(": ")}: password=hunter2hunter2`, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toContain("hunter2hunter2");
      })
    );
  });
});

describe("normalWaiting", () => {
  it("swaps back a pre-1.8 waiting state whose reason is the kubelet's error text", () => {
    // GoogleCloudPlatform/continuous-deployment-on-kubernetes#89 (Kubernetes 1.7, `kubectl describe pod`):
    // `State: Waiting / Reason: Couldn't find key options in Secret jenkins/jenkins` (the message was not pasted).
    const jenkins: ContainerStatus = { name: "master", state: { waiting: { reason: "Couldn't find key options in Secret jenkins/jenkins" } } };
    expect(normalWaiting(jenkins).state?.waiting).toEqual({ reason: "CreateContainerConfigError", message: "Couldn't find key options in Secret jenkins/jenkins" });
    // k8guard/k8guard-start-from-here#32 (2017): `kubectl logs` quotes the waiting reason,
    // `is waiting to start: secrets "k8guard-report-secrets" not found`.
    const k8guard: ContainerStatus = { name: "k8guard-report", state: { waiting: { reason: 'secrets "k8guard-report-secrets" not found' } } };
    expect(normalWaiting(k8guard).state?.waiting?.reason).toBe("CreateContainerConfigError");
    // The 1.7 kubelet's step as the message (pkg/kubelet/kuberuntime startContainer) decides the reason.
    const started: ContainerStatus = { name: "x", state: { waiting: { reason: "rpc error: code = 2 desc = failed to start container", message: "Start Container Failed" } } };
    expect(normalWaiting(started).state?.waiting).toEqual({ reason: "RunContainerError", message: "rpc error: code = 2 desc = failed to start container" });
  });

  it("leaves every reason a current kubelet writes as it is", () => {
    for (const reason of ["CreateContainerConfigError", "CrashLoopBackOff", "ImagePullBackOff", "ContainerCreating", "PodInitializing"]) {
      const status: ContainerStatus = { name: "x", state: { waiting: { reason, message: "some message" } } };
      expect(normalWaiting(status)).toBe(status);
    }
  });
});
