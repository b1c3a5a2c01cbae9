/**
 * Agent mode as `serve` and the Lambda build it from config.yaml: the EKS agent over the
 * payments-outage dump, in `mode: agent` with an OpenAI-compatible model (the in-repo fake
 * server on 127.0.0.1), its tools checked against their skills, a tool call answered from the
 * dump, and the deterministic findings kept.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { type FakeOpenAi, startFakeOpenAi } from "@sre-on-call/adapters/model/openai/testing/fakeOpenAi";
import { sampleAlert } from "@sre-on-call/core/testing";
import type { AlertContext } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../config/loadConfig.js";
import { buildSpecialists } from "./buildSpecialists.js";
import { StartupError } from "./buildChats.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const usage = { inputTokens: 900, outputTokens: 120 };

const config = (agentYaml: string) => {
  const parsed = parseConfigText(
    ["agents:", "  incident-history: { enabled: false }", "  eks:", `    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }`, ...agentYaml.split("\n").map((l) => `    ${l}`)].join("\n"),
    "test config"
  );
  if (Result.isFailure(parsed)) throw parsed.failure;
  return parsed.success;
};

const alert: AlertContext = {
  ...sampleAlert,
  alertText: "[FIRING:1] KubeDeploymentReplicasMismatch payments/api: 5xx rising, pods not ready",
  entities: { namespace: "payments", deployment: "api" },
  labels: { alertname: "KubeDeploymentReplicasMismatch", namespace: "payments", deployment: "api" }
};

let openai: FakeOpenAi;
const logs: Array<string> = [];
const log = (level: string, message: string) => void logs.push(`${level} ${message}`);

beforeAll(async () => {
  openai = await startFakeOpenAi();
});
afterAll(async () => {
  await openai.close();
});

describe("agent mode from config.yaml", () => {
  it("offers the agent's tools to its model, runs the calls against the data source and keeps the deterministic findings", async () => {
    const env = { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: "sk-test" };
    const deterministic = await buildSpecialists({ config: config("mode: deterministic"), cwd: ROOT, log, chats: {}, env });
    const plain = await Effect.runPromise(deterministic.enabled[0]!.investigate(alert, { deadline: Date.now() + 20_000 }));

    const specialists = await buildSpecialists({ config: config("mode: agent\nmodel: openai:gpt-4o-mini\nmax_tool_cycles: 2"), cwd: ROOT, log, chats: {}, env });
    expect(specialists.enabled.map((s) => s.id)).toEqual(["eks"]);
    const before = openai.requests().length;
    openai.script([
      { content: [{ type: "toolUse", id: "call-1", name: "describe_workload", input: { namespace: "payments", name: "payments-db" } }], stopReason: "tool_use", usage },
      { content: [{ type: "text", text: "The database pod is failing." }], stopReason: "end_turn", usage },
      { content: [{ type: "text", text: JSON.stringify({ summary: "payments-db is down", hypotheses: [] }) }], stopReason: "end_turn", usage }
    ]);
    const result = await Effect.runPromise(specialists.enabled[0]!.investigate(alert, { deadline: Date.now() + 20_000 }));

    const sent = openai.requests().slice(before).map((r) => r.body as { tools?: Array<{ function: { name: string } }>; messages: Array<{ role: string; content: unknown }> });
    expect(sent).toHaveLength(3);
    // Every tool of the EKS agent is offered, each described by its skill.
    expect(sent[0]!.tools?.map((t) => t.function.name).sort()).toEqual(["describe_node", "describe_workload", "list_events", "pod_logs"]);
    // The tool ran against the cluster dump and its answer went back to the model.
    const toolAnswer = JSON.stringify(sent[1]!.messages.filter((m) => m.role === "tool"));
    expect(toolAnswer).toMatch(/payments-db/);
    // Nothing the deterministic analysis found is lost.
    expect(result.findings.map((f) => f.id)).toEqual(expect.arrayContaining(plain.findings.map((f) => f.id)));
    expect(result.hypotheses.map((h) => h.title)).toEqual(expect.arrayContaining(plain.hypotheses.map((h) => h.title)));
    expect(result.metadata.modelId).toBe("gpt-4o-mini");
    expect(result.metadata.modelCalls).toBe(3);
    expect(result.metadata.inputTokens).toBe(3 * usage.inputTokens);
  });

  it("narrows the tools to agents.<id>.skills and names an unknown skill with the ones that exist", async () => {
    const env = { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: "sk-test" };
    const narrowed = await buildSpecialists({ config: config("mode: agent\nmodel: openai:gpt-4o-mini\nskills: [pod_logs]"), cwd: ROOT, log, chats: {}, env });
    expect(narrowed.enabled).toHaveLength(1);
    const error = await buildSpecialists({ config: config("mode: agent\nmodel: openai:gpt-4o-mini\nskills: [pod-logs]"), cwd: ROOT, log, chats: {}, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/^agents\.eks\.skills: unknown skill "pod-logs"; this agent has: .*pod_logs/);
  });

  it("keeps an agent deterministic, with a warning, when no model is configured", async () => {
    logs.length = 0;
    const cfg = config("mode: deterministic");
    const forced = { ...cfg, agents: { ...cfg.agents, eks: { ...cfg.agents.eks, mode: "agent" as const } } };
    const specialists = await buildSpecialists({ config: forced, cwd: ROOT, log, chats: {}, env: {} });
    expect(specialists.enabled.map((s) => s.id)).toEqual(["eks"]);
    expect(logs.join("\n")).toMatch(/agents\.eks\.mode is "agent" but no model is configured/);
  });

  it("merges the tools of the agent's MCP servers, reports a failing server by name, and closes the children on shutdown", async () => {
    logs.length = 0;
    const script = join(ROOT, "packages/adapters/src/mcp/testing/stdioTestMcpServer.ts");
    const closers: Array<() => Promise<void>> = [];
    const env = { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: "sk-test", PATH: process.env["PATH"] ?? "" };
    const specialists = await buildSpecialists({
      config: config(
        [
          "mode: agent",
          "model: openai:gpt-4o-mini",
          "max_tool_cycles: 1",
          "mcp_servers:",
          `  - { name: runbooks, transport: stdio, command: ${JSON.stringify(process.execPath)}, args: ["--import", "tsx", ${JSON.stringify(script)}], cwd: ${JSON.stringify(ROOT)}, tools: [runbook_lookup] }`,
          "  - { name: ghost, transport: stdio, command: sre-no-such-mcp-server }"
        ].join("\n")
      ),
      cwd: ROOT,
      log,
      chats: {},
      env,
      onClose: (close) => void closers.push(close)
    });
    try {
      expect(logs.join("\n")).toMatch(/error agents\.eks\.mcp_servers: .*ghost/);
      const before = openai.requests().length;
      openai.script([
        { content: [{ type: "text", text: "nothing to call" }], stopReason: "end_turn", usage },
        { content: [{ type: "text", text: JSON.stringify({ summary: "s", hypotheses: [] }) }], stopReason: "end_turn", usage }
      ]);
      await Effect.runPromise(specialists.enabled[0]!.investigate(alert, { deadline: Date.now() + 20_000 }));
      const offered = (openai.requests()[before]!.body as { tools?: Array<{ function: { name: string } }> }).tools?.map((t) => t.function.name) ?? [];
      expect(offered).toEqual(expect.arrayContaining(["describe_workload", "runbooks__runbook_lookup"]));
      expect(offered.filter((n) => n.startsWith("runbooks__"))).toEqual(["runbooks__runbook_lookup"]);
    } finally {
      for (const close of closers) await close();
    }
    expect(closers).toHaveLength(1);
  }, 60_000);
});
