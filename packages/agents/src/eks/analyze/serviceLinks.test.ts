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

describe("a number the program could not read, beside a Service named like it (rancher/rancher#31088)", () => {
  const line = "java.lang.ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')";
  const kroki = (enableServiceLinks?: boolean): Pod => ({
    metadata: { name: "kroki-6d8f7c5b9-v2x7n", namespace: "default", labels: { app: "kroki" } },
    spec: { ...(enableServiceLinks !== undefined ? { enableServiceLinks } : {}), containers: [{ name: "kroki", image: "yuzutech/kroki:0.11.0" }] },
    status: { phase: "Running", containerStatuses: [{ name: "kroki", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2021-02-10T10:00:00Z" } } }] }
  });
  const svc: Service = { metadata: { name: "kroki", namespace: "default" }, spec: { clusterIP: "10.43.118.25", selector: { app: "kroki" }, ports: [{ name: "http", port: 8000, targetPort: 8000 }] } };
  const top = (pod: Pod, services: ReadonlyArray<Service>) =>
    hypothesesFor({ pods: [pod], services }, { alertname: "KubePodCrashLooping", namespace: "default", pod: pod.metadata.name }, "2021-02-10T10:05:00Z", [
      { namespace: "default", pod: pod.metadata.name, container: "kroki", previous: `${line}\n\tat io.vertx.core.json.JsonObject.getInteger(JsonObject.java:365)` }
    ])[0];

  it("names KROKI_PORT and the Service that sets it", () => {
    expect(top(kroki(), [svc])?.title).toContain("Service kroki makes the kubelet set KROKI_PORT=tcp://10.43.118.25:8000 (a service link)");
  });

  it("not with service links off, nor without a Service of that name", () => {
    expect(top(kroki(false), [svc])?.title).not.toContain("KROKI_PORT");
    expect(top(kroki(), [{ ...svc, metadata: { name: "diagrams", namespace: "default" } }])?.title).not.toContain("_PORT");
  });
});

describe("a Go nil pointer dereference is a defect whose trigger stays open (percona/percona-postgresql-operator#699)", () => {
  it("is named at medium", () => {
    const pod: Pod = {
      metadata: { name: "percona-postgresql-operator-7f9c6b8d5-x2x9z", namespace: "postgres-operator", labels: { app: "operator" } },
      spec: { containers: [{ name: "operator", image: "percona/percona-postgresql-operator:2.3.0" }] },
      status: { phase: "Running", containerStatuses: [{ name: "operator", ready: false, restartCount: 7, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 2, reason: "Error", finishedAt: "2024-03-01T10:00:00Z" } } }] }
    };
    const log = "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1a2b3c]\n\ngoroutine 412 [running]:";
    const hs = hypothesesFor({ pods: [pod] }, { alertname: "KubePodCrashLooping", namespace: "postgres-operator", pod: pod.metadata.name }, "2024-03-01T10:05:00Z", [
      { namespace: "postgres-operator", pod: pod.metadata.name, container: "operator", previous: log }
    ]);
    expect(hs[0]?.title).toContain("nil pointer dereference");
    expect(hs.some((h) => h.confidence === "high")).toBe(false);
  });
});

describe("a Service whose link variables are the API server's (kubevirt/csi-driver#120)", () => {
  const line = "lookup 10.96.0.1:tcp: no such host";
  const pod: Pod = {
    metadata: { name: "kubevirt-csi-controller-7d9f8b6c5-x2x9z", namespace: "tenant-kvaps", labels: { app: "kubevirt-csi-driver" } },
    spec: { containers: [{ name: "csi-driver", image: "quay.io/kubevirt/csi-driver:latest" }] },
    status: { phase: "Running", containerStatuses: [{ name: "csi-driver", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2024-01-10T10:00:00Z" } } }] }
  };
  const svc = (name: string): Service => ({ metadata: { name, namespace: "tenant-kvaps" }, spec: { clusterIP: "10.96.91.199", ports: [{ name: "kube-apiserver", port: 6443 }] } });
  const top = (services: ReadonlyArray<Service>) =>
    hypothesesFor({ pods: [pod], services }, { alertname: "KubePodCrashLooping", namespace: "tenant-kvaps", pod: pod.metadata.name }, "2024-01-10T10:05:00Z", [
      { namespace: "tenant-kvaps", pod: pod.metadata.name, container: "csi-driver", previous: line }
    ])[0];

  it("names the Service and the variable it overrides", () => {
    expect(top([svc("kubernetes-service")])?.title).toContain("Service kubernetes-service in tenant-kvaps makes the kubelet set KUBERNETES_SERVICE_PORT for its own address");
    expect(top([svc("kubernetes")])?.title).toContain("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT");
  });

  it("not for another Service name", () => {
    expect(top([svc("apiserver")])?.title ?? "").not.toContain("KUBERNETES_SERVICE");
  });
});
