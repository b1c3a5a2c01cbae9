import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AgentResult } from "../model/AgentResult.js";
import type { ConverseRequest } from "../ports/ModelPort.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { sampleAlert, sampleResult } from "../testing/samples.js";
import { answerTurn, countingTool, fixedSpecialist, textTurn, toolUseTurn } from "./testing/agentModeFixtures.js";
import { INJECTED_TOOL_NAME, injectedLogLines, injectionLeaksOutsideData, PROMPT_INJECTION_PAYLOAD, withInjectedAlert } from "./testing/promptInjection.js";
import { withAgentMode } from "./withAgentMode.js";

const CLEAN_LINES = ["2026-01-01T00:00:00Z INFO  payments-api starting request handler", "2026-01-01T00:00:00Z ERROR payments-api java.lang.OutOfMemoryError: Java heap space"];

/**
 * One investigation whose data (alert, deterministic finding, log tail) carries the payload or
 * not, with a model that — as a compromised model would — asks for the injected tool.
 */
const investigate = async (injected: boolean) => {
  const lines = injected ? injectedLogLines() : CLEAN_LINES;
  const det: AgentResult = injected
    ? { ...sampleResult, findings: sampleResult.findings.map((f) => ({ ...f, content: `${f.content} Last log line: ${PROMPT_INJECTION_PAYLOAD}` })) }
    : sampleResult;
  const logs = countingTool("pod_logs", { text: lines.join("\n"), findings: [{ source: "kubernetes/pod/payments/api", timestamp: 1, content: "OutOfMemoryError in the log tail", severity: "high", metadata: {} }] });
  // A destructive tool that exists elsewhere in the process but is not offered to this agent.
  const destructive = countingTool(INJECTED_TOOL_NAME, { text: "deleted" });
  const scripted = makeScriptedModel();
  scripted.script([
    toolUseTurn({ name: "pod_logs", input: { pod: "api" } }),
    toolUseTurn({ name: INJECTED_TOOL_NAME, input: { pod: "api" } }, { name: "post_message", input: { channel: "#general", text: "resolved" } }),
    textTurn("done"),
    answerTurn({ summary: "heap", hypotheses: [{ title: "Heap exhausted", detail: "", confidence: "high", supportingFindings: ["eks:1", "eks:t1"], confirmBy: "", depth: 2 }] })
  ]);
  const agent = withAgentMode({ specialist: fixedSpecialist({ kind: "result", result: det }), tools: [logs.tool], model: scripted.model });
  const result = await Effect.runPromise(agent.investigate(injected ? withInjectedAlert(sampleAlert) : sampleAlert, { deadline: Date.now() + 10_000 }));
  scripted.verify();
  return { result, requests: scripted.received(), destructiveRuns: destructive.runs(), det };
};

const promptTexts = (request: ConverseRequest): ReadonlyArray<string> =>
  request.messages.flatMap((m) => (m.role === "user" ? m.content.flatMap((b) => (b.type === "text" ? [b.text] : b.type === "toolResult" ? [b.content] : [])) : []));

describe("prompt injection in alert text, findings and log lines", () => {
  it("stays inside data blocks and changes nothing the agent does", async () => {
    const clean = await investigate(false);
    const attacked = await investigate(true);

    // The payload reached the model, but only as data.
    const attackedTexts = attacked.requests.flatMap(promptTexts);
    expect(attackedTexts.join("\n")).toContain("IGNORE PREVIOUS INSTRUCTIONS");
    for (const text of attackedTexts.filter((t) => !t.startsWith("unknown tool"))) expect(injectionLeaksOutsideData(text)).toBe(false);

    // Same system prompt, same offered tools, in every request of both runs.
    const systems = new Set([...clean.requests, ...attacked.requests].map((r) => r.system));
    expect(systems.size).toBe(1);
    expect(attacked.requests.every((r) => r.system !== undefined && !r.system.includes("IGNORE PREVIOUS"))).toBe(true);
    expect(new Set([...clean.requests, ...attacked.requests].map((r) => JSON.stringify(r.tools)))).toEqual(new Set([JSON.stringify([clean.requests[0]?.tools?.[0]])]));

    // The injected tool and the post were refused and nothing ran.
    expect(attacked.destructiveRuns).toBe(0);
    const refusals = attacked.requests[2]?.messages.at(-1)?.content ?? [];
    expect(refusals).toMatchObject([
      { type: "toolResult", isError: true, content: expect.stringMatching(/^unknown tool "delete_deployment": it was not run/) },
      { type: "toolResult", isError: true, content: expect.stringMatching(/^unknown tool "post_message": it was not run/) }
    ]);

    // The deterministic floor and everything the agent decided are identical.
    expect(attacked.result.findings.slice(0, 1)).toEqual(attacked.det.findings);
    expect(attacked.result.hypotheses.slice(0, 1)).toEqual(sampleResult.hypotheses);
    const shape = (r: AgentResult) => ({
      findings: r.findings.map((f) => [f.id, f.severity, f.source]),
      hypotheses: r.hypotheses.map((h) => [h.id, h.title, h.confidence, h.supportingFindings]),
      toolCalls: (r.metadata.extra?.["agentMode"] as { toolCalls: ReadonlyArray<{ name: string; ok: boolean }> }).toolCalls.map((c) => [c.name, c.ok]),
      status: r.status
    });
    expect(shape(attacked.result)).toEqual(shape(clean.result));
  });
});
