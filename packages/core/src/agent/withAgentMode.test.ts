import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AgentResult } from "../model/AgentResult.js";
import { ModelError, type ModelPortShape } from "../ports/ModelPort.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { sampleAlert, sampleResult } from "../testing/samples.js";
import { answerTurn, countingTool, fixedSpecialist, textTurn, toolUseTurn, USAGE } from "./testing/agentModeFixtures.js";
import { withAgentMode } from "./withAgentMode.js";

const PRICED_MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

const logsTool = () =>
  countingTool("pod_logs", (pod) => ({
    text: `last lines of ${pod}:\njava.lang.OutOfMemoryError: Java heap space`,
    findings: [{ source: `kubernetes/pod/payments/${pod}`, timestamp: 1_700_000_000_000, content: "OutOfMemoryError in the last log lines", severity: "high", metadata: {} }]
  }));

const run = (specialist: ReturnType<typeof withAgentMode>, budgetMs = 10_000) => Effect.runPromise(specialist.investigate(sampleAlert, { deadline: Date.now() + budgetMs }));

const agentModeOf = (r: AgentResult) => r.metadata.extra?.["agentMode"] as { passes: number; stoppedBy: string; toolCalls: ReadonlyArray<{ name: string; ok: boolean; error?: string }>; note?: string; dropped?: ReadonlyArray<string> };

/** The deterministic floor: findings and hypotheses of the wrapped specialist, verbatim and first. */
const expectFloor = (r: AgentResult) => {
  expect(r.findings.slice(0, sampleResult.findings.length)).toEqual(sampleResult.findings);
  expect(r.hypotheses.slice(0, sampleResult.hypotheses.length)).toEqual(sampleResult.hypotheses);
};

const failingModel = (error: ModelError): ModelPortShape => ({ provider: "failing", converse: () => Effect.fail(error), embed: () => Effect.fail(error) });

describe("withAgentMode", () => {
  it("runs the tools the model asks for, adds their findings and the validated hypotheses, and accounts for the cost", async () => {
    const scripted = makeScriptedModel({ modelId: PRICED_MODEL });
    const logs = logsTool();
    scripted.script([
      toolUseTurn({ name: "pod_logs", input: { pod: "api-7d9f8b6c5-x2x9z" } }),
      textTurn("The logs show a heap OOM."),
      answerTurn({
        summary: "The JVM heap is exhausted before the container limit.",
        hypotheses: [
          { title: "JVM heap too small for the load", detail: "OutOfMemoryError in the logs and OOMKilled", confidence: "high", supportingFindings: ["eks:1", "eks:t1"], confirmBy: "check -Xmx", depth: 3, chain: ["heap", "OOM", "crash loop"] },
          { title: "A memory leak", detail: "only one finding", confidence: "high", supportingFindings: ["eks:t1"], confirmBy: "heap dump", depth: 3 },
          { title: "Cosmic rays", detail: "nothing supports this", confidence: "high", supportingFindings: ["eks:99"], confirmBy: "", depth: 9 },
          { title: "api is OOMKilled: memory limit 256Mi is too low", detail: "duplicate of the deterministic one", confidence: "low", supportingFindings: ["eks:1"], confirmBy: "", depth: 2 }
        ]
      })
    ]);
    const agent = withAgentMode({ specialist: fixedSpecialist(), tools: [logs.tool], model: scripted.model, modelId: PRICED_MODEL });
    const r = await run(agent);
    scripted.verify();
    expectFloor(r);
    expect(logs.runs()).toBe(1);
    expect(r.findings.map((f) => f.id)).toEqual(["eks:1", "eks:t1"]);
    expect(r.findings[1]).toMatchObject({ agent: "eks", severity: "high", content: "OutOfMemoryError in the last log lines" });
    expect(r.hypotheses.map((h) => [h.id, h.title, h.confidence, h.proposedBy])).toEqual([
      ["eks:h1", "api is OOMKilled: memory limit 256Mi is too low", "high", "eks"],
      ["eks:m1", "JVM heap too small for the load", "high", "eks"],
      ["eks:m2", "A memory leak", "medium", "eks"]
    ]);
    expect(r.summary).toContain(sampleResult.summary);
    expect(r.summary).toContain("Agent: The JVM heap is exhausted");
    expect(r.metadata).toMatchObject({ modelId: PRICED_MODEL, modelCalls: 3, inputTokens: 3 * USAGE.inputTokens, outputTokens: 3 * USAGE.outputTokens });
    expect(r.metadata.costUsd).toBeCloseTo((3 * 1_000 * 0.25 + 3 * 100 * 1.25) / 1_000_000, 12);
    const mode = agentModeOf(r);
    expect(mode).toMatchObject({ passes: 2, stoppedBy: "end_turn", toolCalls: [{ name: "pod_logs", ok: true }] });
    expect(mode.dropped?.join(" ")).toMatch(/Cosmic rays.*cites no existing finding/);

    const requests = scripted.received();
    expect(requests[0]?.tools?.map((t) => t.name)).toEqual(["pod_logs"]);
    expect(requests[0]?.callSite).toBe("eks");
    expect(requests.every((q) => q.system === requests[0]?.system)).toBe(true);
    expect(requests[2]).toMatchObject({ toolChoice: "none", responseSchema: { name: "final_answer" } });
    const toolResult = requests[1]?.messages.at(-1)?.content[0];
    expect(toolResult).toMatchObject({ type: "toolResult", toolUseId: "tu-0-pod_logs" });
    expect(toolResult?.type === "toolResult" && toolResult.content).toMatch(/^<data source="tool pod_logs">[\s\S]*OutOfMemoryError[\s\S]*<\/data>\nFindings recorded from this result \(cite them by id\): eks:t1$/);
  });

  it("returns the deterministic result when the model fails on the first call", async () => {
    const agent = withAgentMode({ specialist: fixedSpecialist(), tools: [logsTool().tool], model: failingModel(new ModelError({ provider: "x", reason: "auth", detail: "invalid credentials", retryable: false })) });
    const r = await run(agent);
    expect(r.findings).toEqual(sampleResult.findings);
    expect(r.hypotheses).toEqual(sampleResult.hypotheses);
    expect(r.status).toBe("success");
    expect(r.metadata.modelCalls).toBe(0);
    expect(agentModeOf(r)).toMatchObject({ stoppedBy: "model_error", passes: 0 });
    expect(agentModeOf(r).note).toMatch(/model unavailable.*invalid credentials/);
    expect(r.summary).toContain(sampleResult.summary);
  });

  it("keeps tool findings gathered before the model failed", async () => {
    const scripted = makeScriptedModel();
    scripted.steps([
      { reply: toolUseTurn({ name: "pod_logs", input: { pod: "p" } }) },
      { reply: { fail: new ModelError({ provider: "scripted", reason: "unavailable", detail: "503", retryable: false }) } }
    ]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logsTool().tool], model: scripted.model }));
    expectFloor(r);
    expect(r.findings.map((f) => f.id)).toEqual(["eks:1", "eks:t1"]);
    expect(r.hypotheses).toEqual(sampleResult.hypotheses);
  });

  it("returns the deterministic result when the model never answers", async () => {
    const hanging: ModelPortShape = { provider: "hang", converse: () => Effect.never, embed: () => Effect.never };
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logsTool().tool], model: hanging, reserveMs: 200 }), 600);
    expect(r.findings).toEqual(sampleResult.findings);
    expect(r.hypotheses).toEqual(sampleResult.hypotheses);
    expect(agentModeOf(r).stoppedBy).toBe("deadline");
  });

  it("ignores a final answer that is not JSON, keeping the tool findings", async () => {
    const scripted = makeScriptedModel();
    scripted.script([toolUseTurn({ name: "pod_logs", input: { pod: "p" } }), textTurn("done"), textTurn("I think it is the heap, trust me")]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logsTool().tool], model: scripted.model }));
    expectFloor(r);
    expect(r.hypotheses).toEqual(sampleResult.hypotheses);
    expect(r.findings).toHaveLength(2);
    expect(agentModeOf(r).note).toMatch(/unusable/);
  });

  it("drops model hypotheses citing only findings that do not exist", async () => {
    const scripted = makeScriptedModel();
    scripted.script([
      textTurn("nothing to add"),
      answerTurn({ summary: "s", hypotheses: [{ title: "Made up", detail: "", confidence: "high", supportingFindings: ["eks:7", "prometheus:1", ""], confirmBy: "", depth: 1 }] })
    ]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logsTool().tool], model: scripted.model }));
    scripted.verify();
    expect(r.findings).toEqual(sampleResult.findings);
    expect(r.hypotheses).toEqual(sampleResult.hypotheses);
  });

  it("stops offering tools after max_tool_cycles passes and still asks for the final answer", async () => {
    const scripted = makeScriptedModel();
    const logs = logsTool();
    scripted.script([
      toolUseTurn({ name: "pod_logs", input: { pod: "a" } }),
      toolUseTurn({ name: "pod_logs", input: { pod: "b" } }),
      answerTurn({ summary: "two tails", hypotheses: [] })
    ]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logs.tool], model: scripted.model, maxToolCycles: 2 }));
    scripted.verify();
    expect(logs.runs()).toBe(2);
    expect(agentModeOf(r)).toMatchObject({ passes: 2, stoppedBy: "max_tool_cycles" });
    expectFloor(r);
    const final = scripted.received().at(-1);
    // The final request goes after the last tool results, in the same user turn.
    expect(final?.messages.at(-1)?.content.map((b) => b.type)).toEqual(["toolResult", "text"]);
  });

  it("answers a tool that does not return before the deadline with a timeout error", async () => {
    const scripted = makeScriptedModel();
    const slow = countingTool("pod_logs", { text: "never" }, { hang: true });
    scripted.script([toolUseTurn({ name: "pod_logs", input: { pod: "a" } }), answerTurn({ summary: "x", hypotheses: [] })]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [slow.tool], model: scripted.model, reserveMs: 300 }), 700);
    expectFloor(r);
    expect(r.findings).toEqual(sampleResult.findings);
    expect(agentModeOf(r).toolCalls).toMatchObject([{ name: "pod_logs", ok: false }]);
    expect(agentModeOf(r).toolCalls[0]?.error).toMatch(/timeout/);
  });

  it("never runs a tool it did not offer, and caps tool calls per pass", async () => {
    const scripted = makeScriptedModel();
    const logs = logsTool();
    scripted.script([
      toolUseTurn(
        { name: "delete_deployment", input: { namespace: "payments", name: "api" } },
        { name: "pod_logs", input: { pod: "a" } },
        { name: "pod_logs", input: { pod: "b" } },
        { name: "pod_logs", input: { pod: "c" } }
      ),
      answerTurn({ summary: "x", hypotheses: [] })
    ]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logs.tool], model: scripted.model, maxToolsPerPass: 2, maxToolCycles: 1 }));
    scripted.verify();
    expect(logs.runs()).toBe(2);
    const results = scripted.received()[1]?.messages.at(-1)?.content ?? [];
    expect(results.map((b) => (b.type === "toolResult" ? [b.toolUseId, b.isError === true] : b.type))).toEqual([
      ["tu-0-delete_deployment", true],
      ["tu-1-pod_logs", false],
      ["tu-2-pod_logs", false],
      ["tu-3-pod_logs", true],
      "text"
    ]);
    expect(results[0]?.type === "toolResult" && results[0].content).toMatch(/unknown tool "delete_deployment": it was not run/);
    expect(agentModeOf(r).toolCalls.filter((c) => c.ok)).toHaveLength(2);
  });

  it("answers invalid tool input with the tool's typed error and runs nothing", async () => {
    const scripted = makeScriptedModel();
    const logs = logsTool();
    scripted.script([toolUseTurn({ name: "pod_logs", input: { pod: 42 } }), answerTurn({ summary: "x", hypotheses: [] })]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [logs.tool], model: scripted.model, maxToolCycles: 1 }));
    expect(logs.runs()).toBe(0);
    expect(agentModeOf(r).toolCalls[0]).toMatchObject({ name: "pod_logs", ok: false });
    expect(agentModeOf(r).toolCalls[0]?.error).toMatch(/invalid_input/);
  });

  it("continues with tools only when the deterministic run fails, and says so", async () => {
    const scripted = makeScriptedModel();
    scripted.script([
      toolUseTurn({ name: "pod_logs", input: { pod: "a" } }),
      textTurn("ok"),
      answerTurn({ summary: "heap", hypotheses: [{ title: "Heap OOM", detail: "", confidence: "high", supportingFindings: ["eks:t1"], confirmBy: "", depth: 2 }] })
    ]);
    const specialist = fixedSpecialist({ kind: "fail" });
    const r = await run(withAgentMode({ specialist, tools: [logsTool().tool], model: scripted.model }));
    expect(r.findings.map((f) => f.id)).toEqual(["eks:t1"]);
    expect(r.hypotheses).toMatchObject([{ id: "eks:m1", confidence: "medium" }]);
    expect(r.summary).toMatch(/Deterministic analysis failed \(eks: unhealthy: cluster API unreachable\)/);
    expect(scripted.received()[0]?.messages[0]?.content[0]).toMatchObject({ text: expect.stringMatching(/deterministic analysis produced no result/) });
  });

  it("fails like the deterministic run when agent mode finds nothing either", async () => {
    const scripted = makeScriptedModel();
    scripted.script([textTurn("no idea")]);
    const failure = await Effect.runPromise(
      Effect.flip(withAgentMode({ specialist: fixedSpecialist({ kind: "die" }), tools: [logsTool().tool], model: scripted.model }).investigate(sampleAlert, { deadline: Date.now() + 5_000 }))
    );
    expect(failure).toMatchObject({ _tag: "AgentFailure", agent: "eks", kind: "crashed" });
    expect(failure.reason).toMatch(/boom.*agent mode found nothing either/);
  });

  it("tells the deterministic run it has half the budget, and cuts a hanging one off before the reserve", async () => {
    const scripted = makeScriptedModel();
    const specialist = fixedSpecialist({ kind: "hang" });
    // A 10 s budget with a 9.6 s reserve: the hanging run is cut off after about 0.4 s.
    const deadline = Date.now() + 10_000;
    const failure = await Effect.runPromise(Effect.flip(withAgentMode({ specialist, tools: [], model: scripted.model, reserveMs: 9_600 }).investigate(sampleAlert, { deadline })));
    expect(failure.kind).toBe("timeout");
    expect(specialist.deadlines[0]).toBeLessThan(deadline - 4_000);
  });

  it("delegates snapshot and skipReason, and refuses duplicate or invalid tool names", async () => {
    const base = { ...fixedSpecialist(), skipReason: () => "no cluster" };
    const agent = withAgentMode({ specialist: base, tools: [logsTool().tool], model: makeScriptedModel().model });
    expect(agent.skipReason?.(sampleAlert)).toBe("no cluster");
    expect(await Effect.runPromise(agent.snapshot({ deadline: Date.now() + 1_000 }))).toMatchObject({ agent: "eks", summary: "eks fine" });
    expect(() => withAgentMode({ specialist: base, tools: [logsTool().tool, logsTool().tool], model: makeScriptedModel().model })).toThrow(/two tools are named pod_logs/);
    expect(() => withAgentMode({ specialist: base, tools: [{ ...logsTool().tool, name: "bad name" }], model: makeScriptedModel().model })).toThrow(/must match/);
  });

  it("redacts secrets in the alert, the findings and tool output before they reach the model", async () => {
    const scripted = makeScriptedModel();
    const leaky = countingTool("pod_logs", { text: "DB_PASSWORD=hunter2xyz connecting as acme_key_0123456789" });
    scripted.script([toolUseTurn({ name: "pod_logs", input: { pod: "a" } }), textTurn("done"), answerTurn({ summary: "x", hypotheses: [] })]);
    const det = { ...sampleResult, findings: [{ ...sampleResult.findings[0]!, content: "env has AWS key AKIAABCDEFGHIJKLMNOP" }] };
    const agent = withAgentMode({ specialist: fixedSpecialist({ kind: "result", result: det }), tools: [leaky.tool], model: scripted.model, redact: { extra: [/acme_key_\d+/] } });
    const r = await Effect.runPromise(agent.investigate({ ...sampleAlert, alertText: "token xoxb-123456789012-abcdefghijkl leaked" }, { deadline: Date.now() + 10_000 }));
    const sent = JSON.stringify(scripted.received());
    expect(sent).not.toMatch(/hunter2xyz|acme_key_0123456789|AKIAABCDEFGHIJKLMNOP|xoxb-123456789012/);
    expect(sent).toContain("[REDACTED]");
    expect(r.findings).toEqual(det.findings);
  });

  it("reports an unpriced model instead of making a price up", async () => {
    const scripted = makeScriptedModel({ modelId: "some-local-model" });
    scripted.script([textTurn("nothing"), answerTurn({ summary: "s", hypotheses: [] })]);
    const r = await run(withAgentMode({ specialist: fixedSpecialist(), tools: [], model: scripted.model }));
    expect(r.metadata.costUsd).toBe(0);
    expect(r.metadata.modelCalls).toBe(2);
    expect(agentModeOf(r)).toMatchObject({ unpriced: expect.stringMatching(/no price known/) });
  });
});
