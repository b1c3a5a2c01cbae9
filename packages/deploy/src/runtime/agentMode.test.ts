import { type AgentTool, type ModelPortShape, schemaTool, type SpecialistsShape } from "@sre-on-call/core";
import { makeFakeSpecialist, makeScriptedModel, sampleAlert } from "@sre-on-call/core/testing";
import { Effect, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { AppConfig } from "../config/AppConfig.js";
import { applyAgentMode } from "./agentMode.js";
import { StartupError } from "./buildChats.js";

// The schema only: loadConfig's own checks (agent mode needs a model) are what these tests get around.
const configOf = (input: unknown): AppConfig => Schema.decodeUnknownSync(AppConfig)(input);

const tool = (name: string, origin = "builtin"): AgentTool => ({
  ...schemaTool({ name, description: `${name} tool`, args: Schema.Struct({}), run: () => Effect.succeed({ text: `${name} ran`, findings: [{ source: name, timestamp: 1, content: `${name} saw something`, severity: "medium", metadata: {} }] }) }),
  origin
});

const specialists = (): SpecialistsShape => ({
  enabled: [makeFakeSpecialist("eks", { kind: "succeed" }), makeFakeSpecialist("prometheus", { kind: "succeed" })],
  disabled: ["cloudwatch-logs"]
});

const logs = () => {
  const lines: Array<{ level: string; message: string }> = [];
  return { lines, log: (level: "info" | "warn" | "error", message: string) => void lines.push({ level, message }) };
};

describe("applyAgentMode", () => {
  it("wraps only agents in agent mode that have a model, with their tools, skills and limits", async () => {
    const scripted = makeScriptedModel();
    scripted.script([
      { content: [{ type: "toolUse", id: "1", name: "pod_logs", input: {} }], stopReason: "tool_use", usage: { inputTokens: 10, outputTokens: 1 } },
      { content: [{ type: "toolUse", id: "2", name: "pod_logs", input: {} }], stopReason: "tool_use", usage: { inputTokens: 10, outputTokens: 1 } },
      { content: [{ type: "text", text: '{"summary":"done","hypotheses":[]}' }], stopReason: "end_turn", usage: { inputTokens: 10, outputTokens: 1 } }
    ]);
    const specs: Array<[string, string]> = [];
    const { lines, log } = logs();
    const config = configOf({ agents: { eks: { mode: "agent", model: "openai:gpt-test", max_tool_cycles: 2, deadline_seconds: 30 }, prometheus: { mode: "deterministic" } } });
    const input = specialists();
    const out = await applyAgentMode(input, {
      config,
      env: {},
      log,
      toolsFor: (id) => (id === "eks" ? [tool("pod_logs")] : []),
      skillsFor: (id) => [{ name: `${id}-skill`, description: "how to read pod logs", tool: "pod_logs", body: "Read the last 50 lines first." }],
      modelFor: (spec, _env, key) => {
        specs.push([spec, key]);
        return scripted.model;
      }
    });
    expect(specs).toEqual([["openai:gpt-test", "agents.eks.model"]]);
    expect(out.disabled).toEqual(["cloudwatch-logs"]);
    expect(out.enabled.map((s) => s.id)).toEqual(["eks", "prometheus"]);
    expect(out.enabled[0]).not.toBe(input.enabled[0]);
    expect(out.enabled[1]).toBe(input.enabled[1]);

    const r = await Effect.runPromise(out.enabled[0]!.investigate(sampleAlert, { deadline: Date.now() + 60_000 }));
    scripted.verify();
    expect(r.findings.map((f) => f.id)).toEqual(["eks:1", "eks:t1", "eks:t2"]);
    expect(r.metadata.extra?.["agentMode"]).toMatchObject({ passes: 2, stoppedBy: "max_tool_cycles" });
    const first = scripted.received()[0];
    expect(first?.system).toContain("Read the last 50 lines first.");
    expect(first?.callSite).toBe("eks");
    expect(lines).toContainEqual({ level: "info", message: "eks runs in agent mode" });
  });

  it("applies deadline_seconds as the agent's own time limit", async () => {
    const base = makeFakeSpecialist("eks", { kind: "succeed" });
    const deadlines: Array<number> = [];
    const recording = { ...base, investigate: (alert: typeof sampleAlert, call: { deadline: number }) => (deadlines.push(call.deadline), base.investigate(alert, call)) };
    const scripted = makeScriptedModel();
    scripted.script([
      { content: [{ type: "text", text: "nothing" }], stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1 } },
      { content: [{ type: "text", text: '{"summary":"s","hypotheses":[]}' }], stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1 } }
    ]);
    const out = await applyAgentMode(
      { enabled: [recording], disabled: [] },
      { config: configOf({ agents: { eks: { mode: "agent", deadline_seconds: 4 } }, defaults: { model: "openai:x" } }), env: {}, log: () => undefined, toolsFor: () => [], skillsFor: () => [], modelFor: () => scripted.model }
    );
    const before = Date.now();
    await Effect.runPromise(out.enabled[0]!.investigate(sampleAlert, { deadline: before + 600_000 }));
    // The deterministic run is told half of the 4 s budget, not half of the 600 s call.
    expect(deadlines[0]! - before).toBeLessThan(10_000);
  });

  it("keeps an agent deterministic and warns once when mode is agent but no model is configured", async () => {
    const { lines, log } = logs();
    const input = specialists();
    const out = await applyAgentMode(input, { config: configOf({ agents: { eks: { mode: "agent" } } }), env: {}, log, toolsFor: () => [tool("pod_logs")], skillsFor: () => [] });
    expect(out.enabled).toEqual(input.enabled);
    expect(lines.filter((l) => l.level === "warn")).toHaveLength(1);
    expect(lines[0]?.message).toMatch(/agents\.eks\.mode is "agent" but no model is configured/);
  });

  it("builds the configured model from the real spec, and reports a bad spec as a startup error naming the key", async () => {
    const ok = await applyAgentMode(specialists(), { config: configOf({ agents: { eks: { mode: "agent" } } }), env: { SRE_ON_CALL_MODEL: "openai:gpt-test", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }, log: () => undefined, toolsFor: () => [], skillsFor: () => [] });
    expect(ok.enabled[0]).not.toBe(specialists().enabled[0]);
    await expect(
      applyAgentMode(specialists(), { config: configOf({ agents: { eks: { mode: "agent", model: "acme:thing" } } }), env: {}, log: () => undefined, toolsFor: () => [], skillsFor: () => [] })
    ).rejects.toThrow(/agents\.eks\.model: unknown model provider "acme"/);
    await expect(
      applyAgentMode(specialists(), {
        config: configOf({ agents: { eks: { mode: "agent", model: "openai:x" } } }),
        env: {},
        log: () => undefined,
        toolsFor: () => [tool("dup"), tool("dup")],
        skillsFor: () => [],
        modelFor: () => makeScriptedModel().model
      })
    ).rejects.toBeInstanceOf(StartupError);
  });

  it("adds MCP tools after the built-in ones, drops name clashes, and survives an MCP failure", async () => {
    const model: ModelPortShape = makeScriptedModel().model;
    const { lines, log } = logs();
    const config = configOf({ agents: { eks: { mode: "agent", model: "openai:x" }, prometheus: { mode: "agent", model: "openai:x" } } });
    const out = await applyAgentMode(specialists(), {
      config,
      env: {},
      log,
      toolsFor: () => [tool("pod_logs")],
      skillsFor: () => [],
      modelFor: () => model,
      mcpToolsFor: (id) => (id === "eks" ? Promise.resolve([tool("pod_logs", "mcp:k8s"), tool("list_pods", "mcp:k8s")]) : Promise.reject(new Error("connect ECONNREFUSED token=abc123secret")))
    });
    expect(out.enabled).toHaveLength(2);
    const info = lines.filter((l) => l.level === "info").map((l) => l.message);
    expect(info).toEqual(["eks runs in agent mode", "prometheus runs in agent mode"]);
    const warnings = lines.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warnings).toEqual([
      "eks: MCP tool pod_logs (mcp:k8s) has the name of another tool and is not offered",
      "prometheus: the tools of its MCP servers could not be listed; it runs with its built-in tools"
    ]);
  });
});
