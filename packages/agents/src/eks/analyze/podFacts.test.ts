import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { causeText } from "./podFacts.js";

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
