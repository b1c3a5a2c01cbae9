import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";
import { serviceLinkVariable } from "./serviceLinks.js";

/*
 * bitnami/bitnami-docker-redis#175: a Service named `redis` in the pod's namespace made the kubelet inject
 * REDIS_PORT=tcp://10.110.113.142:6379 (a service link), which the Bitnami image reads as Redis' own port. The log lines
 * are verbatim; the pod and Service carry the pasted values, the rest is neutral.
 */
const LOG = [
  " 16:05:16.97 INFO  ==> ** Starting Redis **",
  "",
  "*** FATAL CONFIG FILE ERROR (Redis 6.0.5) ***",
  "Reading the configuration file, at line 92",
  ">>> 'port tcp://10.110.113.142:6379'",
  "argument couldn't be parsed into an integer"
].join("\n");

const crashing = (o: { enableServiceLinks?: boolean; env?: ReadonlyArray<{ name: string; value: string }> } = {}): Pod => ({
  metadata: { name: "redis-6d9c8b7f5c-xq4tn", namespace: "default", labels: { app: "redis" } },
  spec: {
    ...(o.enableServiceLinks !== undefined ? { enableServiceLinks: o.enableServiceLinks } : {}),
    containers: [{ name: "redis", image: "bitnami/redis:6.0.5", env: [{ name: "ALLOW_EMPTY_PASSWORD", value: "yes" }, ...(o.env ?? [])] }]
  },
  status: {
    phase: "Running",
    containerStatuses: [{ name: "redis", ready: false, restartCount: 6, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2020-07-01T16:05:17Z" } } }]
  }
});
const service = (ip: string): Service => ({ metadata: { name: "redis", namespace: "default" }, spec: { clusterIP: ip, selector: { app: "redis" }, ports: [{ port: 6379, targetPort: 6379 }] } });

const top = (pod: Pod, services: ReadonlyArray<Service>) =>
  hypothesesFor({ pods: [pod], services }, { alertname: "KubePodCrashLooping", namespace: "default", pod: pod.metadata.name }, "2020-07-01T16:10:00Z", [
    { namespace: "default", pod: pod.metadata.name, container: "redis", previous: LOG, current: LOG }
  ])[0];

describe("service links: a Service's injected <NAME>_PORT read as the program's own setting", () => {
  it("names the variable, the Service and the fix (bitnami/bitnami-docker-redis#175)", () => {
    const h = top(crashing(), [service("10.110.113.142")]);
    expect(h?.title).toContain("tcp://10.110.113.142:6379 is REDIS_PORT, the service-link variable the kubelet injects for Service redis");
    expect(h?.title).toContain("enableServiceLinks: false");
    expect(h?.confidence).toBe("high");
  });

  it("says nothing of links when they are off, when the pod sets the variable itself, or when no Service has that address", () => {
    expect(top(crashing({ enableServiceLinks: false }), [service("10.110.113.142")])?.title).not.toContain("service-link");
    expect(top(crashing({ env: [{ name: "REDIS_PORT", value: "tcp://10.110.113.142:6379" }] }), [service("10.110.113.142")])?.title).not.toContain("service-link");
    expect(top(crashing(), [service("10.110.113.143")])?.title).not.toContain("service-link");
  });

  it("spells the variable as the kubelet does: upper case, dashes as underscores", () => {
    expect(serviceLinkVariable("redis")).toBe("REDIS_PORT");
    expect(serviceLinkVariable("livekit")).toBe("LIVEKIT_PORT");
    expect(serviceLinkVariable("redis-master")).toBe("REDIS_MASTER_PORT");
  });
});

describe("a setting the program found empty is a symptom (radixdlt/olympia-gateway#35)", () => {
  it("stays at medium: why connectionString is null is not in the log", () => {
    const line = "Unhandled exception. System.ArgumentNullException: Value cannot be null. (Parameter 'connectionString')";
    const pod: Pod = {
      metadata: { name: "gateway-api-5f7b9d8c6d-9zq4t", namespace: "gateway", labels: { app: "gateway-api" } },
      spec: { containers: [{ name: "gateway-api", image: "radixdlt/babylon-ng-gateway-api:1.0.0", env: [{ name: "GatewayApi__PostgresConnectionString", value: "Host=postgres;Database=gateway" }] }] },
      status: {
        phase: "Running",
        containerStatuses: [{ name: "gateway-api", ready: false, restartCount: 9, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 134, reason: "Error", finishedAt: "2022-02-10T10:00:00Z" } } }]
      }
    };
    const hs = hypothesesFor({ pods: [pod] }, { alertname: "KubePodCrashLooping", namespace: "gateway", pod: pod.metadata.name }, "2022-02-10T10:05:00Z", [
      { namespace: "gateway", pod: pod.metadata.name, container: "gateway-api", previous: line, current: line }
    ]);
    expect(hs[0]?.title).toContain("Value cannot be null. (Parameter 'connectionString')");
    expect(hs.some((h) => h.confidence === "high")).toBe(false);
  });
});
