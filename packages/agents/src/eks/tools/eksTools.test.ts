import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentTool, type ToolContext, ToolError, type ToolOutput } from "@sre-on-call/core";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDumpClusterSource } from "../source/DumpClusterSource.js";
import { makeLiveClusterSource } from "../source/LiveClusterSource.js";
import { ClusterFixture } from "../testing/ClusterFixture.js";
import { type FakeKubeApi, startFakeKubeApi } from "../testing/FakeKubeApi.js";
import { makeDeployment, makePod, makeReplicaSet, running, terminated } from "../testing/kubeBuilders.js";
import { makeAlert } from "../testing/makeAlert.js";
import { paymentsOutageFixture } from "../testing/paymentsOutage.js";
import { withClusterDump } from "../testing/withClusterDump.js";
import { EKS_TOOL_NAMES, eksTools } from "./eksTools.js";

const dumpDir = fileURLToPath(new URL("../../../../../examples/payments-outage/cluster-dump/", import.meta.url));
const alert = makeAlert({ labels: { alertname: "PaymentsApiDown", namespace: "payments", deployment: "api" }, at: Date.parse("2026-03-12T14:20:00Z") });
const context = (deadline = Date.now() + 20_000): ToolContext => ({ alert, deadline });
const byName = (tools: ReadonlyArray<AgentTool>, name: string) => {
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  return tool;
};
const run = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, ctx = context()): Promise<ToolOutput> => Effect.runPromise(byName(tools, name).run(input, ctx));
const fail = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, ctx = context()): Promise<ToolError> => Effect.runPromise(Effect.flip(byName(tools, name).run(input, ctx)));

describe("EKS tools over the payments-outage cluster dump", () => {
  const tools = eksTools(makeDumpClusterSource(dumpDir));

  it("offers its four tools with object JSON Schemas", () => {
    expect(tools.map((t) => t.name)).toEqual([...EKS_TOOL_NAMES]);
    for (const t of tools) expect(t.inputSchema).toMatchObject({ type: "object" });
    expect(byName(tools, "pod_logs").inputSchema).toMatchObject({ required: ["namespace", "pod"], properties: { tail: { type: "integer", maximum: 500 } } });
  });

  it("describe_workload: replicas, conditions, and every pod with restarts and last termination", async () => {
    const out = await run(tools, "describe_workload", { namespace: "payments", name: "api" });
    const lines = out.text.split("\n");
    expect(lines[0]).toMatch(/^deployment payments\/api: desired 3, ready 0,/);
    expect(out.text).toContain("pods (selector app.kubernetes.io/name=api");
    expect(out.text).toMatch(/pod api-5cnt4ql7wf-vt7kg: phase Running, not ready/);
    expect(out.text).toMatch(/container api: restarts \d+, waiting CrashLoopBackOff, last terminated Error exit 1 \(application error\)/);
  });

  it("describe_workload finds a statefulset's pod directly by kind, and says plainly when nothing matches", async () => {
    const pod = await run(tools, "describe_workload", { namespace: "payments", name: "payments-db-0", kind: "pod" });
    expect(pod.text.split("\n")[0]).toBe(`pod payments/payments-db-0 (from ${makeDumpClusterSource(dumpDir).description})`);
    const none = await run(tools, "describe_workload", { namespace: "payments", name: "ghost" });
    expect(none.text).toBe(`No deployment, statefulset, daemonset or pod named ghost in namespace payments (${makeDumpClusterSource(dumpDir).description}).`);
  });

  it("pod_logs of the crashed database: the full disk is a finding, the crash is named", async () => {
    const out = await run(tools, "pod_logs", { namespace: "payments", pod: "payments-db-0", previous: true });
    expect(out.text.split("\n")[0]).toMatch(/^previous log of payments\/payments-db-0\/postgres: last 11 lines$/);
    expect(out.text).toContain('DISK FULL: 2026-03-12 14:17:51.900 UTC [27] PANIC:  could not write to file "pg_wal/xlogtemp.27": No space left on device');
    const disk = out.findings?.find((f) => f.metadata["signal"] === "disk-full");
    expect(disk?.severity).toBe("critical");
    expect(disk?.source).toBe("kubernetes/pod/payments/payments-db-0");
    expect(disk?.timestamp).toBe(Date.parse("2026-03-12T14:17:51.900Z"));
  });

  it("pod_logs tail keeps only the last lines, and names the dependency failures", async () => {
    const out = await run(tools, "pod_logs", { namespace: "payments", pod: "api-kjr2rkrl28-lgfr7", tail: 5 });
    expect(out.text.split("\n")[0]).toMatch(/: last 5 lines$/);
    expect(out.text).toMatch(/dependency 172\.20\.91\.7:5432 refused ×\d+/);
    expect(out.text.split("--- last lines ---\n")[1]?.split("\n")).toHaveLength(5);
  });

  it("list_events: warnings about one object, newest first", async () => {
    const out = await run(tools, "list_events", { namespace: "payments", involved: "payments-db-0" });
    const lines = out.text.split("\n");
    expect(lines[0]).toBe("2 warning events in payments about payments-db-0, newest first:");
    expect(lines.slice(1).every((l) => / Warning (BackOff|Unhealthy) pod\/payments-db-0: /.test(l))).toBe(true);
    const all = await run(tools, "list_events", { namespace: "payments", warnings_only: false });
    expect(all.text).toContain("Normal ScalingReplicaSet deployment/api");
  });

  it("describe_node: pressure is a finding; requests are compared with allocatable", async () => {
    const out = await run(tools, "describe_node", { name: "ip-10-0-3-77.eu-west-1.compute.internal" });
    expect(out.text).toMatch(/^node ip-10-0-3-77\.eu-west-1\.compute\.internal: Ready=True/);
    expect(out.text).toMatch(/pressure: MemoryPressure=True/);
    expect(out.text).toMatch(/cpu: requested \d+m of allocatable 1930m \(\d+%\)/);
    expect(out.text).toMatch(/memory: requested [\d.]+\w* of allocatable 6\.9Gi/);
    expect(out.findings?.map((f) => f.content)).toEqual([expect.stringMatching(/^Node ip-10-0-3-77\.eu-west-1\.compute\.internal has MemoryPressure/)]);
    const healthy = await run(tools, "describe_node", { name: "ip-10-0-1-23.eu-west-1.compute.internal" });
    expect(healthy.text).toContain("pressure: none");
    expect(healthy.findings).toBeUndefined();
  });

  it("invalid input is a typed invalid_input error naming the field", async () => {
    for (const [name, input, field] of [
      ["describe_workload", { namespace: "payments" }, "name"],
      ["describe_workload", { namespace: "Payments!", name: "api" }, "namespace"],
      ["pod_logs", { namespace: "payments", pod: "x", tail: 501 }, "tail"],
      ["list_events", { namespace: "payments", warnings_only: "yes" }, "warnings_only"],
      ["describe_node", { name: "a,b=c" }, "name"],
      // Names follow Kubernetes' rule per kind: a namespace or container is a label (no dots), so no path can be spelled.
      ["list_events", { namespace: "kube.system" }, "namespace"],
      ["pod_logs", { namespace: "payments", pod: "payments-db-0", container: "postgres.." }, "container"],
      ["pod_logs", { namespace: "..", pod: "payments-db-0" }, "namespace"],
      ["pod_logs", { namespace: "payments", pod: "a..b" }, "pod"],
      ["pod_logs", { namespace: "payments", pod: "../../etc/passwd" }, "pod"],
      ["describe_workload", { namespace: "payments", name: "/etc" }, "name"],
      ["describe_workload", { namespace: "payments", name: "api\u0000" }, "name"],
      ["describe_workload", { namespace: "payments", name: "..%2Fsecret" }, "name"],
      ["list_events", { namespace: `a${"b".repeat(63)}` }, "namespace"]
    ] as const) {
      const err = await fail(tools, name, input);
      expect(err).toBeInstanceOf(ToolError);
      expect(err.reason).toBe("invalid_input");
      expect(err.detail).toContain(field);
    }
  });

  it("a passed deadline is a timeout, and the answer is capped", async () => {
    const err = await fail(tools, "describe_workload", { namespace: "payments", name: "api" }, context(Date.now() - 1));
    expect(err.reason).toBe("timeout");
    const small = eksTools(makeDumpClusterSource(dumpDir), { maxChars: 300 });
    const out = await run(small, "describe_workload", { namespace: "payments", name: "api" });
    expect(out.text.length).toBeLessThanOrEqual(300);
    expect(out.text.endsWith("\n(truncated)")).toBe(true);
  });

  it("an unreadable source is a typed error, not a throw", async () => {
    const err = await fail(eksTools(makeDumpClusterSource(join(dumpDir, "missing"))), "list_events", { namespace: "payments" });
    expect(err).toBeInstanceOf(ToolError);
    expect(["unavailable", "failed"]).toContain(err.reason);
  });
});

describe("EKS tools: an OOM-killed container is a finding", () => {
  it("describe_workload reports OOMKilled with the memory limit", async () => {
    const T = Date.parse("2026-03-12T14:00:00Z");
    const deployment = makeDeployment({ namespace: "orders", name: "worker", createdAt: T - 86_400_000, containers: [{ name: "worker", image: "worker:1", memoryLimit: "512Mi" }] });
    const rs = makeReplicaSet(deployment, { revision: 1, createdAt: T - 86_400_000, replicas: 1 });
    const pod = makePod({ owner: rs, ownerKind: "ReplicaSet", createdAt: T - 3_600_000, statuses: [{ restartCount: 3, state: running(T - 60_000), lastState: terminated("OOMKilled", 137, T - 61_000) }] });
    const fixture = new ClusterFixture().add("deployments", deployment).add("replicasets", rs).add("pods", pod);
    await withClusterDump(fixture, async (dir) => {
      const out = await run(eksTools(makeDumpClusterSource(dir)), "describe_workload", { namespace: "orders", name: "worker", kind: "deployment" });
      expect(out.text).toContain("last terminated OOMKilled exit 137 (killed (SIGKILL: OOM killer, liveness probe or eviction))");
      expect(out.findings).toEqual([
        {
          source: `kubernetes/pod/orders/${pod.metadata.name}`,
          timestamp: T - 61_000,
          content: `Container worker of orders/${pod.metadata.name} was OOMKilled (restarts 3, memory limit 512Mi)`,
          severity: "high",
          metadata: { namespace: "orders", pod: pod.metadata.name, container: "worker", reason: "OOMKilled" }
        }
      ]);
    });
  });
});

describe("EKS tools against the fake Kubernetes API (live source)", () => {
  let api: FakeKubeApi;
  let slow: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeKubeApi(paymentsOutageFixture());
    slow = await startFakeKubeApi(paymentsOutageFixture(), { delayMs: 2_000 });
  });
  afterAll(async () => {
    await api?.close();
    await slow?.close();
  });

  it("answers like the dump of the same objects", async () => {
    const live = eksTools(makeLiveClusterSource({ kubeConfig: api.kubeConfig(), requestTimeoutMs: 5_000 }));
    const out = await run(live, "pod_logs", { namespace: "payments", pod: "payments-db-0", previous: true, tail: 50 });
    expect(out.text).toContain("No space left on device");
    expect(out.findings?.some((f) => f.severity === "critical")).toBe(true);
    const workload = await run(live, "describe_workload", { namespace: "payments", name: "api", kind: "deployment" });
    const dumped = await withClusterDump(paymentsOutageFixture(), (dir) => run(eksTools(makeDumpClusterSource(dir)), "describe_workload", { namespace: "payments", name: "api", kind: "deployment" }));
    expect(workload.text).toBe(dumped.text);
  });

  it("a slow API server past the deadline is a timeout ToolError", async () => {
    const live = eksTools(makeLiveClusterSource({ kubeConfig: slow.kubeConfig(), requestTimeoutMs: 10_000 }));
    const err = await fail(live, "list_events", { namespace: "payments" }, context(Date.now() + 200));
    expect(err.reason).toBe("timeout");
  });
});
