import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Container } from "../kube/KubeObjects.js";
import { describeProbeFailure, probeTarget } from "./describeProbeFailure.js";

/* The kubelet's probe messages as pasted in public threads (source in each test name). */

const container = (ports: ReadonlyArray<{ name?: string; containerPort: number }>): Container => ({ name: "app", ports });

describe("describeProbeFailure", () => {
  it("a 404 is a path the application does not serve, and a named port is shown with its number (sockudo/sockudo#273)", () => {
    const probe = { httpGet: { path: "/live", port: "http", scheme: "HTTP" } };
    const f = describeProbeFailure("HTTP probe failed with statuscode: 404", probe, container([{ name: "http", containerPort: 6001 }, { name: "metrics", containerPort: 9601 }]));
    expect(f.target).toBe("GET /live on port http (6001)");
    expect(f.status).toBe(404);
    expect(f.definite).toBe(true);
    expect(f.cause).toContain("does not serve /live (HTTP 404)");
  });

  it("the same for another chart's path (gsemet/kube-airflow#17: `/flower` on the flower port)", () => {
    const f = describeProbeFailure("HTTP probe failed with statuscode: 404", { httpGet: { path: "/flower/", port: 5555 } }, container([{ containerPort: 5555 }]));
    expect(f.cause).toContain("does not serve /flower/");
  });

  it("a 5xx is the application's own verdict: a symptom, not settled (payments example: `statuscode: 503`)", () => {
    const f = describeProbeFailure("HTTP probe failed with statuscode: 503", { httpGet: { path: "/ready", port: 8080 } }, undefined);
    expect(f.definite).toBe(false);
    expect(f.cause).toContain("reports itself unhealthy");
  });

  it("a refused connection on a port the container does not declare (message from mittwald/kubernetes-secret-generator#65; a probe on a port the container lacks as in kubernetes/kubernetes#48918)", () => {
    const f = describeProbeFailure('Get "http://10.0.171.162:8080/healthz": dial tcp 10.0.171.162:8080: connect: connection refused', { httpGet: { path: "/healthz", port: 8080 } }, container([{ containerPort: 8443 }]));
    expect(f.kind).toBe("refused");
    expect(f.cause).toContain("declares port 8443, not 8080");
  });

  it("a refused connection on the declared port: not listening yet, or elsewhere (mittwald/kubernetes-secret-generator#65)", () => {
    const f = describeProbeFailure('Get "http://10.0.171.162:8080/healthz": dial tcp 10.0.171.162:8080: connect: connection refused', { httpGet: { path: "/healthz", port: 8080 } }, container([{ containerPort: 8080 }]));
    expect(f.cause).toContain("nothing listens on the probed port");
    expect(f.definite).toBe(false);
  });

  it("a timeout is slowness (kubernetes/kubernetes#115469)", () => {
    const f = describeProbeFailure('Get "http://10.244.54.71:18051/healthcheck": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', { httpGet: { path: "/healthcheck", port: "http" } }, undefined);
    expect(f.kind).toBe("timeout");
  });

  it("an exec probe's output is its cause (the kubelet reports the command's output; Kubernetes' own liveness tutorial: `cat /tmp/healthy`)", () => {
    const f = describeProbeFailure("cat: /tmp/healthy: No such file or directory", { exec: { command: ["cat", "/tmp/healthy"] } }, undefined);
    expect(f.kind).toBe("exec");
    expect(f.target).toBe("exec `cat /tmp/healthy`");
    expect(f.cause).toContain("No such file or directory");
  });

  it("names TCP and HTTPS targets", () => {
    expect(probeTarget({ tcpSocket: { port: 5432 } }, undefined)).toBe("TCP port 5432");
    expect(probeTarget({ httpGet: { path: "/", port: 8443, scheme: "HTTPS" } }, undefined)).toBe("HTTPS GET / on port 8443");
  });

  it("reads any message: a status is only claimed when the message gives one, and only 404/401/403 settle the cause", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.integer({ min: 100, max: 599 }).map((n) => `HTTP probe failed with statuscode: ${n}`)), (message) => {
        const f = describeProbeFailure(message, { httpGet: { path: "/healthz", port: 8080 } }, undefined);
        expect(f.target).toBe("GET /healthz on port 8080");
        if (f.status !== undefined) expect(message).toContain(String(f.status));
        if (f.definite) expect([401, 403, 404]).toContain(f.status);
      })
    );
  });
});
