import { describe, expect, it } from "vitest";
import type { Deployment, Endpoints, Pod, Service } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";
import { resolveService } from "./resolveService.js";

/*
 * Services as public threads pasted them (source above each case): pasted fields verbatim, the rest
 * (uids, IPs, nodes) neutral.
 */

const investigate = hypothesesFor;

const ready = [{ type: "Ready", status: "True" }];
const runningPod = (ns: string, name: string, labels: Record<string, string>, ports: Array<{ name?: string; containerPort: number }>, owner?: { kind: string; name: string }, ip?: string): Pod => ({
  metadata: { name, namespace: ns, labels, ...(owner !== undefined ? { ownerReferences: [{ kind: owner.kind, name: owner.name, controller: true }] } : {}) },
  spec: { containers: [{ name: "main", image: "registry.example.com/app:1", ports }] },
  status: { phase: "Running", conditions: ready, ...(ip !== undefined ? { podIP: ip } : {}), containerStatuses: [{ name: "main", ready: true, restartCount: 0, state: { running: { startedAt: "2024-01-01T00:00:00Z" } } }] }
});

describe("a Service with no endpoints: its selector matches no pod", () => {
  it("names the selector and the labels the pods carry instead (kubernetes/kubernetes#47711)", () => {
    // Maintainer: "Your service is using `name=nginx-ingress` while your pods are using `app=nginx-ingress`."
    const service: Service = { metadata: { name: "nginx-ing-svc", namespace: "default", labels: { name: "nginx-ingress-label" } }, spec: { type: "ClusterIP", clusterIP: "10.3.0.214", selector: { name: "nginx-ingress" }, ports: [{ name: "http", port: 80, targetPort: 80, protocol: "TCP" }] } };
    const endpoints: Endpoints = { metadata: { name: "nginx-ing-svc", namespace: "default" }, subsets: [] };
    const pods = ["nginx-ingress-rc-mdwgn", "nginx-ingress-rc-r0lbk"].map((n) => runningPod("default", n, { app: "nginx-ingress" }, [{ containerPort: 80 }, { containerPort: 443 }], { kind: "ReplicationController", name: "nginx-ingress-rc" }));
    const hs = investigate({ services: [service], endpoints: [endpoints], pods }, { alertname: "ServiceNoEndpoints", namespace: "default", service: "nginx-ing-svc" }, "2017-07-14T03:40:00Z");
    expect(hs[0]?.title).toContain("selector name=nginx-ingress matches no pod");
    expect(hs[0]?.title).toContain("app=nginx-ingress");
    expect(hs[0]?.confidence).toBe("high");
  });

  it("a selector key no pod carries, the rest matching (OT-CONTAINER-KIT/redis-operator#98 and #79)", () => {
    // #98: the pasted Service selector and pod labels; #79: "removing the pod selector `redis=monitor` from redis-master fixed the issue".
    const service: Service = {
      metadata: { name: "redis3", namespace: "default", labels: { app: "redis3-standalone", redis: "monitor", role: "standalone" } },
      spec: { selector: { app: "redis3-standalone", redis: "monitor", role: "standalone" }, ports: [{ name: "redis-client", port: 6379, targetPort: 6379, protocol: "TCP" }] }
    };
    const endpoints: Endpoints = { metadata: { name: "redis3", namespace: "default" }, subsets: [] };
    const pod = runningPod("default", "redis3-standalone-0", { app: "redis3-standalone", role: "standalone", "statefulset.kubernetes.io/pod-name": "redis3-standalone-0" }, [{ containerPort: 6379 }], { kind: "StatefulSet", name: "redis3-standalone" });
    const hs = investigate({ services: [service], endpoints: [endpoints], pods: [pod] }, { alertname: "ServiceNoEndpoints", namespace: "default", service: "redis3" }, "2021-06-24T09:00:00Z");
    expect(hs[0]?.title).toBe(
      "Service default/redis3 has no endpoints: its selector app=redis3-standalone,redis=monitor,role=standalone requires redis=monitor, a label no pod in default carries; the pods of default/redis3-standalone match the rest (app=redis3-standalone,role=standalone)"
    );
    expect(hs[0]?.confidence).toBe("high");
    // Pods that carry the key with another value belong to another workload: no slip is claimed.
    const worker = runningPod("default", "redis3-worker-0", { app: "redis3-standalone", role: "standalone", redis: "worker" }, [{ containerPort: 6379 }], { kind: "StatefulSet", name: "redis3-worker" });
    const other = investigate({ services: [service], endpoints: [endpoints], pods: [pod, worker] }, { alertname: "ServiceNoEndpoints", namespace: "default", service: "redis3" }, "2021-06-24T09:00:00Z");
    expect(other[0]?.title ?? "").not.toContain("a label no pod");
  });

  it("without pods that resemble the selector it stays at low confidence in a namespace triage", () => {
    const service: Service = { metadata: { name: "orphan", namespace: "default" }, spec: { selector: { app: "orphan" }, ports: [{ port: 80 }] } };
    const hs = investigate({ services: [service], pods: [runningPod("default", "web-1", { app: "web" }, [{ containerPort: 8080 }])] }, { alertname: "Something", namespace: "default" }, "2024-01-01T00:10:00Z");
    expect(hs.filter((h) => h.title.includes("orphan")).every((h) => h.confidence === "low")).toBe(true);
  });

  it("a backend scaled to zero is named as the reason a dependency is unavailable", () => {
    const service: Service = { metadata: { name: "redis", namespace: "shop" }, spec: { clusterIP: "172.20.66.9", selector: { "app.kubernetes.io/name": "redis" }, ports: [{ port: 6379 }] } };
    const deployment: Deployment = { metadata: { name: "redis", namespace: "shop" }, spec: { replicas: 0, template: { metadata: { labels: { "app.kubernetes.io/name": "redis" } } } } };
    const client = runningPod("shop", "sessions-1", { app: "sessions" }, [{ containerPort: 8080 }]);
    const hs = investigate({ services: [service], deployments: [deployment], pods: [client] }, { alertname: "Errors", namespace: "shop", pod: "sessions-1" }, "2024-01-01T00:10:00Z", [
      { namespace: "shop", pod: "sessions-1", container: "main", current: "2024-01-01T00:09:00Z ERROR session store unavailable: Error: connect ECONNREFUSED 172.20.66.9:6379" }
    ]);
    expect(hs[0]?.title).toContain("Deployment shop/redis is scaled to 0 replicas");
  });
});

describe("a Service whose targetPort no container declares", () => {
  it("numeric targetPort 9090 against containerPort 8080 (nigelpoulton/TheK8sBook#47)", () => {
    // services/svc.yml and services/deploy.yml at 0b36032: targetPort 9090, containerPort 8080.
    const service: Service = { metadata: { name: "svc-test", namespace: "default", labels: { chapter: "services" } }, spec: { type: "NodePort", clusterIP: "10.96.115.40", selector: { chapter: "services" }, ports: [{ port: 8080, nodePort: 30001, targetPort: 9090, protocol: "TCP" }] } };
    const pods = ["svc-test-7c9d8f6b5d-2kx9p", "svc-test-7c9d8f6b5d-4fzqw"].map((n) => runningPod("default", n, { chapter: "services", "pod-template-hash": "7c9d8f6b5d" }, [{ containerPort: 8080 }], { kind: "ReplicaSet", name: "svc-test-7c9d8f6b5d" }));
    const hs = investigate({ services: [service], pods }, { alertname: "ServiceDown", namespace: "default", deployment: "svc-test" }, "2024-06-25T11:55:00Z");
    expect(hs[0]?.title).toBe("Service default/svc-test sends traffic to targetPort 9090, but its pods listen on 8080 (containerPort)");
    // Declaring container ports is optional: without refused connections this stays a suspicion.
    expect(hs[0]?.confidence).toBe("medium");
  });

  it("refused connections from a client make it the cause (redis-operator pattern, amaizfinance/redis-operator#2)", () => {
    // #2: `kubectl describe svc redis-example` shows Port 6379/TCP, TargetPort 9121/TCP; telnet 10.101.33.59 6379 is refused.
    // The pod declaring only 6379 and the client's log line are neutral values built from that output.
    const service: Service = { metadata: { name: "redis-example", namespace: "default" }, spec: { clusterIP: "10.101.33.59", selector: { redis: "example" }, ports: [{ name: "redis", port: 6379, targetPort: 9121, protocol: "TCP" }] } };
    const redis = runningPod("default", "redis-example-0", { redis: "example" }, [{ name: "redis", containerPort: 6379 }], { kind: "StatefulSet", name: "redis-example" });
    const client = runningPod("default", "app-1", { app: "app" }, [{ containerPort: 8080 }]);
    const hs = investigate({ services: [service], pods: [redis, client] }, { alertname: "Errors", namespace: "default", pod: "app-1" }, "2019-05-16T10:00:00Z", [
      { namespace: "default", pod: "app-1", container: "main", current: "2019-05-16T09:59:00Z ERROR dial tcp 10.101.33.59:6379: connect: connection refused" }
    ]);
    const port = hs.find((h) => h.title.includes("targetPort 9121"));
    expect(port?.confidence).toBe("high");
    expect(hs[0]).toBe(port);
  });
});

describe("resolveService: one pod of a headless Service", () => {
  it("the short form of the StatefulSet tutorial, `mysql-1.mysql` (kubernetes/kubernetes#81216)", () => {
    // clone-mysql runs `ncat --recv-only mysql-$(($ordinal-1)).mysql 3307` against the headless Service mysql.
    const services: ReadonlyArray<Service> = [{ metadata: { name: "mysql", namespace: "mysql-ns" }, spec: { clusterIP: "None", selector: { app: "mysql" }, ports: [{ port: 3306 }] } }];
    const r = resolveService("mysql-1.mysql", "mysql-ns", services);
    expect(r.kind === "service" ? [r.service.metadata.name, r.pod] : r.kind).toEqual(["mysql", "mysql-1"]);
  });

  it("the full form `pod.service.namespace.svc.cluster.local` (minio/charts#97)", () => {
    const services: ReadonlyArray<Service> = [{ metadata: { name: "minio-1610402456-svc", namespace: "minio" }, spec: { clusterIP: "None", selector: { app: "minio" } } }];
    const r = resolveService("minio-1610402456-1.minio-1610402456-svc.minio.svc.cluster.local", "default", services);
    expect(r.kind === "service" ? [r.namespace, r.service.metadata.name, r.pod] : r.kind).toEqual(["minio", "minio-1610402456-svc", "minio-1610402456-1"]);
  });

  it("a two-label external name stays external", () => {
    expect(resolveService("api.example", "default", []).kind).toBe("external");
  });
});

describe("a dependency named by its pod's IP", () => {
  it("is followed to the pod's workload and its state", () => {
    // Neutral objects: a client logs refusals to a pod IP (a headless Service's endpoint) whose StatefulSet pod is crash-looping.
    const db: Pod = {
      metadata: { name: "db-0", namespace: "data", labels: { app: "db" }, ownerReferences: [{ kind: "StatefulSet", name: "db", controller: true }] },
      spec: { containers: [{ name: "postgres", image: "postgres:16" }] },
      status: { phase: "Running", podIP: "10.244.2.17", containerStatuses: [{ name: "postgres", ready: false, restartCount: 9, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2024-01-01T00:08:00Z" } } }] }
    };
    const client = runningPod("web", "api-1", { app: "api" }, [{ containerPort: 8080 }]);
    const hs = investigate({ pods: [db, client] }, { alertname: "Errors", namespace: "web", pod: "api-1" }, "2024-01-01T00:10:00Z", [
      { namespace: "web", pod: "api-1", container: "main", current: "2024-01-01T00:09:00Z ERROR dial tcp 10.244.2.17:5432: connect: connection refused" }
    ]);
    const dep = hs.find((h) => h.title.includes("data/db is unavailable"));
    expect(dep?.title).toContain("db-0");
    expect(hs.some((h) => h.title.includes("outside the cluster"))).toBe(false);
  });
});

describe("resolveService: a DNS name with the Service and the namespace swapped", () => {
  // openservicemesh/osm#4072: "sim-run-…-warehouse is the actual namespace but it is placed in the slot
  // for the service; bookwarehouse is the service name but it is in the slot for the namespace".
  const ns = "sim-run-bd6eace2-2398-4b73-8182-d20880aa2e10-warehouse";
  const services: ReadonlyArray<Service> = [{ metadata: { name: "bookwarehouse", namespace: ns }, spec: { selector: { app: "bookwarehouse" }, ports: [{ port: 14001 }] } }];

  it("finds the Service the name means", () => {
    const r = resolveService(`${ns}.bookwarehouse.svc.cluster.local`, "sim-run-bd6eace2-2398-4b73-8182-d20880aa2e10-bookstore", services);
    expect(r.kind).toBe("missing-service");
    if (r.kind === "missing-service") {
      expect(r.swapped?.metadata.name).toBe("bookwarehouse");
      expect(r.namespaceKnown).toBe(false);
    }
  });

  it("the right order still resolves", () => {
    expect(resolveService(`bookwarehouse.${ns}.svc.cluster.local`, "default", services).kind).toBe("service");
  });

  it("the client's 'no such host' becomes a swapped-name cause, with the env that names the namespace", () => {
    const store = "sim-run-bd6eace2-2398-4b73-8182-d20880aa2e10-bookstore";
    const client: Pod = {
      ...runningPod(store, "bookstore-v1-5d8b9c6f7d-x2kqp", { app: "bookstore-v1" }, [{ containerPort: 14001 }]),
      spec: { containers: [{ name: "bookstore-v1", image: "openservicemesh/bookstore:latest", env: [{ name: "IDENTITY", value: "bookstore-v1.osm-ci" }, { name: "BOOKWAREHOUSE_NAMESPACE", value: ns }] }] }
    };
    const line = `12:45AM ERR RestockBooks: Error posting to http://${ns}.bookwarehouse.svc.cluster.local:14001/restock-books error="Post \\"http://${ns}.bookwarehouse.svc.cluster.local:14001/restock-books\\": dial tcp: lookup ${ns}.bookwarehouse.svc.cluster.local on 10.0.0.10:53: no such host" component=demo file=books.go:114`;
    const hs = investigate({ services: [...services, { metadata: { name: "bookstore", namespace: store }, spec: { selector: { app: "bookstore" } } }], pods: [client] }, { alertname: "RestockErrors", namespace: store, pod: client.metadata.name }, "2021-09-02T00:50:00Z", [
      { namespace: store, pod: client.metadata.name, container: "bookstore-v1", current: line }
    ]);
    expect(hs[0]?.title).toContain("swapped");
    expect(hs[0]?.title).toContain("cannot resolve");
    expect(hs[0]?.detail).toContain("BOOKWAREHOUSE_NAMESPACE");
  });
});
