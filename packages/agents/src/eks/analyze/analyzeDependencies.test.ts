import { describe, expect, it } from "vitest";
import type { Endpoints, Pod, Service } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";

/*
 * A name that does not resolve, followed to the Service it names and what is behind it. Pasted
 * lines verbatim (source above each case); objects the thread describes but did not paste are neutral.
 */

const investigate = hypothesesFor;

describe("a headless Service whose pods are not ready has no DNS record (pulp/pulp-operator#603)", () => {
  // The PR author: pulp-web "keep crashing until pulp-api/pulp-content pods get into a READY state … failing to resolve the Service hostnames"; fixed with PublishNotReadyAddresses.
  const ns = "pulp";
  const line = 'nginx: [emerg] host not found in upstream "example-pulp-content-svc:24816" in /etc/opt/rh/rh-nginx116/nginx/nginx.conf:21';
  const web: Pod = {
    metadata: { name: "example-pulp-web-6b7f9d8c5d-k8s2q", namespace: ns, labels: { app: "pulp-web" } },
    spec: { containers: [{ name: "web", image: "quay.io/pulp/pulp-web:stable" }] },
    status: { phase: "Running", containerStatuses: [{ name: "web", ready: false, restartCount: 8, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 1, finishedAt: "2022-09-15T10:19:00Z" } } }] }
  };
  const content: Pod = {
    metadata: { name: "example-pulp-content-7c9b8f6d4f-x4vzn", namespace: ns, labels: { "app.kubernetes.io/component": "content", pulp_cr: "example-pulp" } },
    spec: { containers: [{ name: "content", image: "quay.io/pulp/pulp:stable", readinessProbe: { httpGet: { path: "/pulp/content/", port: 24816 } } }] },
    status: { phase: "Running", podIP: "172.17.0.8", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "content", ready: false, restartCount: 0, state: { running: { startedAt: "2022-09-15T10:06:00Z" } } }] }
  };
  const service = (clusterIP: string, publishNotReadyAddresses?: boolean): Service => ({
    metadata: { name: "example-pulp-content-svc", namespace: ns },
    spec: { clusterIP, selector: { "app.kubernetes.io/component": "content", pulp_cr: "example-pulp" }, ports: [{ name: "content-24816", port: 24816, targetPort: 24816 }], ...(publishNotReadyAddresses !== undefined ? { publishNotReadyAddresses } : {}) }
  });
  const endpoints: Endpoints = {
    metadata: { name: "example-pulp-content-svc", namespace: ns },
    subsets: [{ notReadyAddresses: [{ ip: "172.17.0.8", targetRef: { kind: "Pod", namespace: ns, name: content.metadata.name } }], ports: [{ name: "content-24816", port: 24816 }] }]
  };
  const run = (svc: Service) =>
    investigate({ services: [svc], endpoints: [endpoints], pods: [web, content] }, { alertname: "KubePodCrashLooping", namespace: ns, pod: web.metadata.name }, "2022-09-15T10:20:00Z", [{ namespace: ns, pod: web.metadata.name, container: "web", current: line, previous: line }]);

  it("names the Service, its not-ready endpoints and publishNotReadyAddresses, above the nginx crash", () => {
    const hs = run(service("None"));
    expect(hs[0]?.title).toBe(
      "pulp/example-pulp-web-6b7f9d8c5d-k8s2q cannot resolve example-pulp-content-svc: headless Service pulp/example-pulp-content-svc has no ready endpoints, 1 not ready and does not set publishNotReadyAddresses, so cluster DNS has no record for it"
    );
    expect(hs[0]?.confidence).toBe("high");
    const crash = hs.find((h) => h.title.includes("crashes on start"));
    expect(crash?.confidence).toBe("medium");
  });

  it("a Service with a ClusterIP resolves whatever its endpoints: not this cause", () => {
    expect(run(service("10.96.12.7")).some((h) => h.title.includes("publishNotReadyAddresses"))).toBe(false);
  });

  it("nor a headless Service that publishes not-ready addresses", () => {
    expect(run(service("None", true)).some((h) => h.title.includes("does not set publishNotReadyAddresses"))).toBe(false);
  });
});

describe("a host name without the release prefix the Service was created with (open-telemetry/opentelemetry-helm-charts#335)", () => {
  // `helm install mydemo ./opentelemetry-demo`: the chart named the Service mydemo-ffs-postgres, the feature flag service's DATABASE_URL said ffs-postgres.
  const line = "16:07:22.958 [error] Postgrex.Protocol (#PID<0.1854.0>) failed to connect: ** (DBConnection.ConnectionError) tcp connect (ffs-postgres:5432): non-existing domain - :nxdomain";
  const ffs: Pod = {
    metadata: { name: "mydemo-featureflagservice-7b9d6c8f5d-h8p2x", namespace: "default", labels: { app: "featureflagservice" } },
    spec: { containers: [{ name: "featureflagservice", image: "otel/demo:v0.3.4-alpha-featureflagservice" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "featureflagservice", ready: true, restartCount: 0, state: { running: { startedAt: "2022-08-22T16:05:00Z" } } }] }
  };
  const svc = (name: string): Service => ({ metadata: { name, namespace: "default" }, spec: { clusterIP: "10.96.12.7", selector: { app: name }, ports: [{ port: 5432 }] } });
  const run = (services: ReadonlyArray<Service>) =>
    investigate({ services, pods: [ffs] }, { alertname: "Errors", namespace: "default", pod: ffs.metadata.name }, "2022-08-22T16:10:00Z", [{ namespace: "default", pod: ffs.metadata.name, container: "featureflagservice", current: line }]);

  it("names the Service that carries the prefix, and the fix, at high", () => {
    const h = run([svc("mydemo-ffs-postgres"), svc("mydemo-frontend")])[0];
    expect(h?.title).toContain("cannot resolve ffs-postgres (DNS: no such host): no Service ffs-postgres exists in default, but Service mydemo-ffs-postgres does");
    expect(h?.confidence).toBe("high");
    expect(h?.actions?.[0]).toContain("mydemo-ffs-postgres");
  });

  it("two Services that end the same way leave it open (medium, no guess)", () => {
    const hs = run([svc("mydemo-ffs-postgres"), svc("other-ffs-postgres")]);
    expect(hs[0]?.title).toContain("but no Service ffs-postgres exists in default");
    expect(hs.some((h) => h.confidence === "high")).toBe(false);
  });

  it("a Service whose name only contains the host elsewhere is no match", () => {
    const hs = run([svc("ffs-postgres-metrics")]);
    expect(hs.some((h) => h.title.includes("ffs-postgres-metrics"))).toBe(false);
  });
});
