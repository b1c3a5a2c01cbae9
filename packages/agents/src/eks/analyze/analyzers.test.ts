import type { AgentResult } from "@sre-on-call/core";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { analyzeClusterDump } from "../analyzeClusterDump.js";
import { ClusterFixture } from "../testing/ClusterFixture.js";
import {
  type ContainerOptions,
  type ContainerStatusOptions,
  httpProbe,
  makeDeployment,
  makeEndpoints,
  makeEvent,
  makeNode,
  makePod,
  makePvc,
  makeReplicaSet,
  makeResourceQuota,
  makeService,
  running,
  terminated,
  waiting
} from "../testing/kubeBuilders.js";
import { makeAlert } from "../testing/makeAlert.js";
import { withClusterDump } from "../testing/withClusterDump.js";

const T = Date.parse("2026-04-02T09:30:00Z");
const min = 60_000;
const NODE = "ip-10-0-1-10.eu-west-1.compute.internal";
const NODE2 = "ip-10-0-2-20.eu-west-1.compute.internal";

interface Deployed {
  readonly pods: ReturnType<typeof makePod>[];
  readonly rs: ReturnType<typeof makeReplicaSet>;
}

/** A deployment with one ReplicaSet and its pods, added to `f`. */
const deploy = (
  f: ClusterFixture,
  o: {
    namespace?: string;
    name: string;
    containers?: ReadonlyArray<ContainerOptions>;
    replicas?: number;
    statuses?: ReadonlyArray<ContainerStatusOptions>;
    node?: string;
    unschedulable?: string;
    volumes?: Parameters<typeof makeDeployment>[0]["volumes"];
    labels?: Readonly<Record<string, string>>;
  }
): Deployed => {
  const namespace = o.namespace ?? "shop";
  const containers = o.containers ?? [{ name: o.name, image: `registry.example.com/${o.name}:1.0.0`, memoryLimit: "256Mi" }];
  const d = makeDeployment({ namespace, name: o.name, replicas: o.replicas ?? 2, createdAt: T - 30 * 86_400_000, containers, ...(o.volumes !== undefined ? { volumes: o.volumes } : {}), ...(o.labels !== undefined ? { labels: o.labels } : {}) });
  const rs = makeReplicaSet(d, { revision: 1, createdAt: T - 30 * 86_400_000, replicas: o.replicas ?? 2 });
  const pods = Array.from({ length: o.replicas ?? 2 }, (_, i) =>
    makePod({
      owner: rs,
      ownerKind: "ReplicaSet",
      ordinal: i,
      node: o.node ?? NODE,
      createdAt: T - 20 * min,
      ...(o.statuses !== undefined ? { statuses: o.statuses } : {}),
      ...(o.unschedulable !== undefined ? { unschedulable: o.unschedulable } : {})
    })
  );
  f.add("deployments", d).add("replicasets", rs).add("pods", ...pods);
  return { pods, rs };
};

const baseCluster = () => new ClusterFixture().addNodes(makeNode(NODE, T, { ip: "10.0.1.10" }), makeNode(NODE2, T, { ip: "10.0.2.20" }));

const investigate = (f: ClusterFixture, labels: Record<string, string>): Promise<AgentResult> =>
  withClusterDump(f, (dir) => Effect.runPromise(analyzeClusterDump(dir, makeAlert({ labels: { alertname: "Test", ...labels }, at: T }))));

const top = (r: AgentResult) => {
  const h = r.hypotheses[0];
  if (h === undefined) throw new Error(`no hypothesis; findings: ${r.findings.map((f) => f.content).join(" | ")}`);
  return h;
};

const cited = (r: AgentResult, hypothesis: AgentResult["hypotheses"][number]) => r.findings.filter((f) => hypothesis.supportingFindings.includes(f.id)).map((f) => f.content).join("\n");

describe("analyzers over cluster dumps", () => {
  it("CrashLoopBackOff: names the exit code and the first cause of the stack trace", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, {
      name: "orders",
      statuses: [{ ready: false, restartCount: 12, state: waiting("CrashLoopBackOff", "back-off 5m0s"), lastState: terminated("Error", 1, T - 2 * min) }]
    });
    for (const p of pods)
      f.addLog({
        namespace: "shop",
        pod: p.metadata.name,
        container: "orders",
        previous: [
          "2026-04-02 09:27:58.101 INFO  [main] o.s.b.StartupInfoLogger : Starting OrdersApplication v3.2.0",
          "2026-04-02 09:27:59.877 ERROR [main] o.s.boot.SpringApplication : Application run failed",
          "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'ordersRepository'",
          "\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.initializeBean(AbstractAutowireCapableBeanFactory.java:1786)",
          "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:1352)",
          "Caused by: java.lang.IllegalStateException: Required property 'ORDERS_DB_PASSWORD' is not set",
          "\tat com.example.orders.config.DbConfig.dataSource(DbConfig.java:41)",
          "\t... 23 common frames omitted"
        ].join("\n")
      });
    const r = await investigate(f, { namespace: "shop", pod: pods[0]!.metadata.name });
    const h = top(r);
    expect(h.title).toContain("Required property 'ORDERS_DB_PASSWORD' is not set");
    expect(h.confidence).toBe("high");
    expect(cited(r, h)).toMatch(/CrashLoopBackOff on 2 pods of 2.*exit code 1.*24 restarts/);
    expect(h.confirmBy).toContain("--previous");
  });

  it("OOMKilled: compares with the memory limit", async () => {
    const f = baseCluster();
    deploy(f, {
      name: "search",
      containers: [{ name: "search", image: "registry.example.com/search:4.1.0", memoryLimit: "256Mi" }],
      statuses: [{ ready: false, restartCount: 5, state: waiting("CrashLoopBackOff"), lastState: terminated("OOMKilled", 137, T - 3 * min) }]
    });
    const r = await investigate(f, { namespace: "shop", deployment: "search" });
    const h = top(r);
    expect(h.title).toBe("shop/search is OOMKilled: container search exceeds its 256Mi memory limit");
    expect(h.actions?.join(" ")).toContain("--limits=memory=512Mi");
    expect(cited(r, h)).toContain("OOMKilled (exit code 137)");
  });

  it("ImagePullBackOff: names the image and the registry's answer", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, {
      name: "cart",
      containers: [{ name: "cart", image: "registry.example.com/cart:2.0.0-rc1" }],
      statuses: [{ ready: false, state: waiting("ImagePullBackOff", 'Back-off pulling image "registry.example.com/cart:2.0.0-rc1"') }]
    });
    f.add(
      "events",
      makeEvent({
        namespace: "shop",
        kind: "Pod",
        name: pods[0]!.metadata.name,
        reason: "Failed",
        message: 'Failed to pull image "registry.example.com/cart:2.0.0-rc1": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/cart:2.0.0-rc1": failed to resolve reference "registry.example.com/cart:2.0.0-rc1": registry.example.com/cart:2.0.0-rc1: not found',
        count: 4,
        first: T - 10 * min,
        last: T - min
      })
    );
    const r = await investigate(f, { namespace: "shop", deployment: "cart" });
    const h = top(r);
    expect(h.title).toBe("Image registry.example.com/cart:2.0.0-rc1 cannot be pulled: tag 2.0.0-rc1 of cart does not exist in registry.example.com (not found)");
    expect(cited(r, h)).toContain("failed to resolve reference");
  });

  it("CreateContainerConfigError: names the Secret and the missing key", async () => {
    const f = baseCluster();
    deploy(f, {
      name: "checkout",
      statuses: [{ ready: false, state: waiting("CreateContainerConfigError", "couldn't find key STRIPE_API_KEY in Secret shop/checkout-secrets") }]
    });
    const r = await investigate(f, { namespace: "shop", deployment: "checkout" });
    const h = top(r);
    expect(h.title).toBe("shop/checkout cannot start: Secret checkout-secrets has no key STRIPE_API_KEY");
    expect(h.actions?.[0]).toContain("Add key STRIPE_API_KEY to Secret checkout-secrets");
  });

  it("FailedScheduling: insufficient memory, with the pod's request", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, {
      name: "ml",
      replicas: 1,
      containers: [{ name: "ml", image: "registry.example.com/ml:1", memoryRequest: "24Gi" }],
      unschedulable: "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
    });
    f.add("events", makeEvent({ namespace: "shop", kind: "Pod", name: pods[0]!.metadata.name, reason: "FailedScheduling", message: "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.", count: 30, first: T - 20 * min, last: T - min, component: "default-scheduler" }));
    const r = await investigate(f, { namespace: "shop", deployment: "ml" });
    const h = top(r);
    expect(h.title).toBe("shop/ml cannot be scheduled: no node has enough free memory for the pod's request of memory 24Gi");
    expect(h.detail).toContain("0 of 2 nodes are available");
  });

  it("FailedScheduling on a taint", async () => {
    const f = baseCluster();
    deploy(f, { name: "gpu-job", replicas: 1, unschedulable: "0/2 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling." });
    const r = await investigate(f, { namespace: "shop", deployment: "gpu-job" });
    expect(top(r).title).toContain("taint nvidia.com/gpu=present");
  });

  it("unbound PVC: the provisioning failure outranks the Pending pod", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, {
      name: "uploads",
      replicas: 1,
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "uploads-data" } }],
      unschedulable: "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    });
    f.add("persistentvolumeclaims", makePvc({ namespace: "shop", name: "uploads-data", storage: "50Gi", storageClassName: "gp3-encrypted", phase: "Pending", createdAt: T - 20 * min }));
    f.add("events", makeEvent({ namespace: "shop", kind: "PersistentVolumeClaim", name: "uploads-data", reason: "ProvisioningFailed", message: 'storageclass.storage.k8s.io "gp3-encrypted" not found', count: 81, first: T - 20 * min, last: T - min, component: "persistentvolume-controller" }));
    f.add("events", makeEvent({ namespace: "shop", kind: "Pod", name: pods[0]!.metadata.name, reason: "FailedScheduling", message: "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.", first: T - 20 * min, component: "default-scheduler" }));
    const r = await investigate(f, { namespace: "shop", deployment: "uploads" });
    const h = top(r);
    expect(h.title).toBe("PersistentVolumeClaim uploads-data cannot be provisioned: storage class gp3-encrypted does not exist");
    expect(r.hypotheses[1]?.title).toContain("its PersistentVolumeClaim uploads-data is not bound");
  });

  it("liveness probe failures that restart the container", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, {
      name: "gateway",
      replicas: 1,
      containers: [{ name: "gateway", image: "registry.example.com/gateway:7", livenessProbe: httpProbe("/healthz", 8080) }],
      statuses: [{ ready: false, restartCount: 6, state: running(T - min), lastState: terminated("Error", 137, T - min - 1_000) }]
    });
    const name = pods[0]!.metadata.name;
    f.add(
      "events",
      makeEvent({ namespace: "shop", kind: "Pod", name, reason: "Unhealthy", message: 'Liveness probe failed: Get "http://10.0.20.14:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', count: 18, first: T - 25 * min, last: T - min }),
      makeEvent({ namespace: "shop", kind: "Pod", name, reason: "Killing", type: "Normal", message: "Container gateway failed liveness probe, will be restarted", count: 6, first: T - 25 * min, last: T - min })
    );
    const r = await investigate(f, { namespace: "shop", pod: name });
    const probe = r.hypotheses.find((h) => h.title.includes("liveness probe"));
    expect(probe?.title).toBe("shop/gateway is restarted by its failing liveness probe (GET /healthz on port 8080): the endpoint does not answer within timeoutSeconds: the process is slow, blocked or overloaded");
    expect(probe?.detail).toContain("timed out");
    expect(cited(r, probe!)).toContain("restarted the container 6 times");
  });

  it("evictions under node memory pressure", async () => {
    const f = new ClusterFixture().addNodes(makeNode(NODE, T, { memoryPressure: true, readySince: T - 30 * min }));
    const d = makeDeployment({ namespace: "shop", name: "cache", replicas: 1, createdAt: T - 9 * 86_400_000, containers: [{ name: "cache", image: "redis:7" }] });
    const rs = makeReplicaSet(d, { revision: 1, createdAt: T - 9 * 86_400_000, replicas: 1 });
    const evicted = makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: 1, node: NODE, createdAt: T - 2 * 3_600_000, phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 92112Ki.", statuses: [{ ready: false, state: terminated("ContainerStatusUnknown", 137, T - 10 * min) }] });
    const pending = makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: 2, createdAt: T - 9 * min, unschedulable: "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." });
    f.add("deployments", d).add("replicasets", rs).add("pods", evicted, pending);
    f.add("events", makeEvent({ namespace: "shop", kind: "Pod", name: evicted.metadata.name, reason: "Evicted", message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 92112Ki.", first: T - 10 * min }));
    const r = await investigate(f, { namespace: "shop", deployment: "cache" });
    const evict = r.hypotheses.find((h) => h.title.includes("evicted"));
    expect(evict?.title).toBe("shop/cache's pods were evicted: node low on memory; its containers set no memory request (request of 0), which puts them first in line");
    expect(cited(r, evict!)).toContain(`Node ${NODE} has MemoryPressure`);
  });

  it("NotReady node: the pods on it are down", async () => {
    const f = new ClusterFixture().addNodes(makeNode(NODE, T, { ready: "Unknown", readySince: T - 12 * min }), makeNode(NODE2, T));
    deploy(f, { name: "billing", replicas: 1, statuses: [{ ready: false, state: running(T - 3_600_000) }] });
    const r = await investigate(f, { namespace: "shop", deployment: "billing" });
    const h = top(r);
    expect(h.title).toBe(`Node ${NODE} is unreachable: shop/billing's pods on it are down`);
    expect(cited(r, h)).toContain("12m before the alert");
  });

  it("ResourceQuota rejection (FailedCreate)", async () => {
    const f = baseCluster();
    const { rs } = deploy(f, { name: "reports", replicas: 0 });
    f.add("resourcequotas", makeResourceQuota({ namespace: "shop", name: "compute", hard: { "limits.memory": "8Gi" }, used: { "limits.memory": "8Gi" }, createdAt: T - 86_400_000 }));
    f.add("events", makeEvent({ namespace: "shop", kind: "ReplicaSet", name: rs.metadata.name, reason: "FailedCreate", component: "replicaset-controller", message: `Error creating: pods "${rs.metadata.name}-x7k2p" is forbidden: exceeded quota: compute, requested: limits.memory=1Gi, used: limits.memory=8Gi, limited: limits.memory=8Gi`, count: 14, first: T - 15 * min, last: T - min }));
    const r = await investigate(f, { namespace: "shop", deployment: "reports" });
    const h = top(r);
    expect(h.title).toBe("ResourceQuota compute in shop is exhausted: limits.memory 8Gi/8Gi used, the pod asks 1Gi, so shop/reports cannot create pods");
    expect(h.detail).toContain("limits.memory: requested 1Gi, used 8Gi of 8Gi");
  });

  it("a rollout whose new pods crash while the old ones serve is the cause, with the undo command", async () => {
    const f = baseCluster();
    const d = makeDeployment({ namespace: "shop", name: "api", replicas: 2, revision: 5, createdAt: T - 60 * 86_400_000, containers: [{ name: "api", image: "registry.example.com/api:1.8.0" }] });
    const old = makeReplicaSet(d, { revision: 4, createdAt: T - 10 * 86_400_000, replicas: 2, containers: [{ name: "api", image: "registry.example.com/api:1.7.3" }] });
    const fresh = makeReplicaSet(d, { revision: 5, createdAt: T - 8 * min, replicas: 1 });
    const oldPods = [0, 1].map((i) => makePod({ owner: old, ownerKind: "ReplicaSet", ordinal: i, createdAt: T - 10 * 86_400_000 }));
    const newPod = makePod({ owner: fresh, ownerKind: "ReplicaSet", ordinal: 3, createdAt: T - 8 * min, statuses: [{ ready: false, restartCount: 4, state: waiting("CrashLoopBackOff"), lastState: terminated("Error", 2, T - min) }] });
    f.add("deployments", d).add("replicasets", old, fresh).add("pods", ...oldPods, newPod);
    f.addLog({ namespace: "shop", pod: newPod.metadata.name, container: "api", previous: 'panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x8c1a2f]\n\ngoroutine 1 [running]:\nmain.loadConfig(...)\n\t/src/cmd/api/main.go:57 +0x2f\n' });
    const r = await investigate(f, { namespace: "shop", deployment: "api" });
    const h = top(r);
    expect(h.title).toBe("Rollout of shop/api to revision 5 broke it: image api: registry.example.com/api:1.7.3 → registry.example.com/api:1.8.0");
    expect(h.confidence).toBe("high");
    expect(h.actions?.[0]).toBe("Roll back: kubectl -n shop rollout undo deployment/api --to-revision=4");
    expect(r.hypotheses.some((x) => x.title.includes("panic: runtime error: invalid memory address"))).toBe(true);
  });

  it("DNS failures lead to CoreDNS, and a crash-looping CoreDNS is the deeper cause", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, { name: "web", replicas: 1, statuses: [{ ready: false, state: running(T - 3_600_000) }] });
    const db = makeService({ namespace: "shop", name: "postgres", selector: { app: "postgres" }, port: 5432, clusterIP: "172.20.5.5", createdAt: T - 86_400_000 });
    f.add("services", db);
    f.addLog({ namespace: "shop", pod: pods[0]!.metadata.name, container: "web", current: 'time="2026-04-02T09:28:01Z" level=error msg="db connect failed" error="dial tcp: lookup postgres.shop.svc.cluster.local on 172.20.0.10:53: read udp 10.0.20.3:41234->172.20.0.10:53: i/o timeout"\n' });
    const { pods: dnsPods } = deploy(f, {
      namespace: "kube-system",
      name: "coredns",
      labels: { "k8s-app": "kube-dns" },
      containers: [{ name: "coredns", image: "coredns:1.11.1", memoryLimit: "170Mi" }],
      statuses: [{ ready: false, restartCount: 9, state: waiting("CrashLoopBackOff"), lastState: terminated("OOMKilled", 137, T - 2 * min) }]
    });
    const kubeDns = makeService({ namespace: "kube-system", name: "kube-dns", selector: { "k8s-app": "kube-dns" }, port: 53, clusterIP: "172.20.0.10", createdAt: T - 86_400_000 });
    f.add("services", kubeDns).add("endpoints", makeEndpoints(kubeDns, dnsPods));
    const r = await investigate(f, { namespace: "shop", deployment: "web" });
    const h = top(r);
    expect(h.title).toBe("kube-system/coredns is OOMKilled: container coredns exceeds its 170Mi memory limit");
    expect(h.chain?.join(" → ")).toContain("shop/web: Service shop/postgres exists, yet postgres.shop.svc.cluster.local does not resolve");
    expect(r.hypotheses.some((x) => x.title.startsWith("CoreDNS is unavailable"))).toBe(true);
  });

  it("a host that is no Service of the namespace", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, { name: "notifier", replicas: 1, statuses: [{ ready: false, restartCount: 3, state: waiting("CrashLoopBackOff"), lastState: terminated("Error", 1, T - min) }] });
    f.add("services", makeService({ namespace: "messaging", name: "rabbitmq", selector: { app: "rabbitmq" }, port: 5672, clusterIP: "172.20.9.9", createdAt: T - 86_400_000 }));
    f.addLog({ namespace: "shop", pod: pods[0]!.metadata.name, container: "notifier", previous: "Error: getaddrinfo ENOTFOUND rabbitmq\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26)\n" });
    const r = await investigate(f, { namespace: "shop", deployment: "notifier" });
    const h = r.hypotheses.find((x) => x.title.includes("no Service"));
    expect(h?.title).toBe("shop/notifier cannot resolve rabbitmq (DNS: no such host), but no Service rabbitmq exists in shop");
    expect(h?.actions?.[0]).toBe("Point shop/notifier at rabbitmq.messaging.svc.cluster.local");
  });

  it("a healthy cluster yields no hypothesis and says so", async () => {
    const f = baseCluster();
    const { pods } = deploy(f, { name: "catalog", replicas: 3 });
    for (const p of pods) f.addLog({ namespace: "shop", pod: p.metadata.name, container: "catalog", current: "2026-04-02T09:29:00Z INFO served 1200 requests\n" });
    const r = await investigate(f, { namespace: "shop", deployment: "catalog" });
    expect(r.hypotheses).toEqual([]);
    expect(r.findings.map((x) => x.content).join("\n")).toContain("No Kubernetes-level cause found: shop/catalog 3/3 ready");
    expect(r.findings.every((x) => x.severity === "info")).toBe(true);
  });

  it("trouble in another namespace does not leak into the report", async () => {
    const f = baseCluster();
    deploy(f, { name: "catalog", replicas: 2 });
    deploy(f, { namespace: "batch", name: "etl", statuses: [{ ready: false, restartCount: 40, state: waiting("CrashLoopBackOff"), lastState: terminated("OOMKilled", 137, T - min) }] });
    const r = await investigate(f, { namespace: "shop" });
    expect(r.hypotheses).toEqual([]);
    expect(JSON.stringify(r)).not.toContain("etl");
  });

  it("a pod that no longer exists is traced to its deployment", async () => {
    const f = baseCluster();
    deploy(f, { name: "worker", statuses: [{ ready: false, state: waiting("CreateContainerConfigError", 'secret "worker-env" not found') }] });
    const r = await investigate(f, { namespace: "shop", pod: "worker-6d8f9c7b5d-zz9qq" });
    expect(r.findings[0]?.content).toBe("Pod shop/worker-6d8f9c7b5d-zz9qq no longer exists; analysed its deployment worker instead");
    expect(top(r).title).toBe("shop/worker cannot start: Secret worker-env does not exist in namespace shop");
  });
});
