import type { AgentResult, Finding, Hypothesis } from "@sre-on-call/core";
import { makeFakeSpecialist, makeInMemoryChat, makeScriptedModel, sampleAlert } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { makeInvestigationRunner } from "./InvestigationRunner.js";

const T = sampleAlert.alertTimestamp;
const finding = (id: string, content: string): Finding => ({ id, agent: "eks", source: "kubernetes", timestamp: T, content, severity: "critical", metadata: {} });
const hypothesis: Hypothesis = {
  id: "h1",
  title: "payments/payments-db's volume data-payments-db-0 is full",
  detail: "",
  confidence: "high",
  supportingFindings: ["eks:1"],
  confirmBy: "df -h",
  proposedBy: "eks",
  depth: 3
};
const result: Partial<AgentResult> = {
  findings: [finding("eks:1", "No space left on device"), finding("eks:2", "payments-db-0 crash-looping")],
  hypotheses: [hypothesis],
  summary: "database volume full"
};
const answer = {
  rootCause: {
    title: hypothesis.title,
    detail: "",
    confidence: "high",
    citations: ["eks:1", "eks:2"],
    chain: [
      { text: "volume full", citations: ["eks:1"] },
      { text: "database crash-loops", citations: ["eks:2"] }
    ],
    confirmBy: ""
  },
  competing: [],
  ruledOut: [],
  impact: { text: "payments are down", citations: ["eks:2"] },
  actions: []
};
const settings = { reportAfterSeconds: 30, synthesisReserveSeconds: 5, hardCutoffSeconds: 30 };

const runOnce = async (synthesisModel?: Parameters<typeof makeInvestigationRunner>[0]["synthesisModel"]) => {
  const chat = makeInMemoryChat({ dialect: "markdown" });
  const runner = makeInvestigationRunner({ specialists: { enabled: [makeFakeSpecialist("eks", { kind: "succeed", result })], disabled: [] }, settings, ...(synthesisModel !== undefined ? { synthesisModel } : {}) });
  // The sample alert's deadline is long past: give this one a minute, so the agent answers before the initial report.
  const outcome = await Effect.runPromise(runner.runToEnd({ ...sampleAlert, deadline: Date.now() + 60_000 }, chat.chat));
  return { outcome, posted: chat.log().map((p) => p.message.text).join("\n") };
};

describe("InvestigationRunner synthesis", () => {
  it("without a model, the synthesis is deterministic and costs nothing", async () => {
    const { outcome, posted } = await runOnce();
    expect(outcome.final.hypotheses[0]?.title).toBe(hypothesis.title);
    expect(outcome.final.cost.lines).toEqual([]);
    expect(posted).toMatch(/no model calls/);
  });

  it("with a model, one synthesis call serves the initial and the final report, and its cost is in the footer", async () => {
    const scripted = makeScriptedModel({ modelId: "anthropic.claude-3-5-haiku-20241022-v1:0" });
    scripted.script([{ content: [{ type: "text", text: JSON.stringify(answer) }], stopReason: "end_turn", usage: { inputTokens: 1200, outputTokens: 300 } }]);
    const { outcome, posted } = await runOnce({ model: scripted.model });
    scripted.verify();
    expect(scripted.received()).toHaveLength(1);
    expect(outcome.initial.summary).toMatch(/Causal chain: volume full → database crash-loops/);
    expect(outcome.final.impact).toBe("payments are down [eks:2]");
    expect(outcome.final.cost.lines).toEqual([{ scope: "synthesis", modelId: "anthropic.claude-3-5-haiku-20241022-v1:0", inputTokens: 1200, outputTokens: 300, costUsd: (1200 * 0.8 + 300 * 4) / 1e6 }]);
    expect(posted).toMatch(/claude-3-5-haiku-20241022 · 1,200 in \/ 300 out tokens/);
  });

  it("with a model that fails, the deterministic synthesis is posted", async () => {
    const scripted = makeScriptedModel();
    scripted.failNext("auth", 5);
    const { outcome } = await runOnce({ model: scripted.model });
    expect(outcome.final.hypotheses[0]?.title).toBe(hypothesis.title);
    expect(outcome.final.summary).toMatch(/^Most likely cause: payments\/payments-db's volume/);
    expect(outcome.final.cost.lines).toEqual([]);
  });
});

describe("InvestigationRunner shutdown", () => {
  it("after the grace, an investigation still running posts a partial report of what has answered, then drain returns", async () => {
    const chat = makeInMemoryChat({ dialect: "markdown" });
    const runner = makeInvestigationRunner({
      specialists: { enabled: [makeFakeSpecialist("eks", { kind: "succeed", result }), makeFakeSpecialist("prometheus", { kind: "hang" })], disabled: [] },
      settings: { reportAfterSeconds: 60, synthesisReserveSeconds: 5, hardCutoffSeconds: 300 }
    });
    await Effect.runPromise(runner.launch({ ...sampleAlert, deadline: Date.now() + 60_000 }, chat.chat));
    for (let i = 0; i < 100 && !chat.log().some((p) => p.kind === "update"); i++) await new Promise((r) => setTimeout(r, 10));
    const drained = await runner.drain(50, 5_000);
    expect(drained).toEqual({ stopped: [sampleAlert.investigationId], interrupted: [] });
    expect(runner.running()).toBe(0);
    const posted = chat.log().filter((p) => p.kind === "post").map((p) => p.message.text).join("\n");
    expect(posted).toMatch(/Partial report: the server shut down before prometheus answered; it was stopped\./);
    expect(posted).toMatch(/prometheus — stopped by shutdown/);
    expect(posted).toMatch(/payments-db's volume data-payments-db-0 is full/);
  });

  it("drain with nothing running returns at once", async () => {
    const runner = makeInvestigationRunner({ specialists: { enabled: [], disabled: [] }, settings });
    expect(await runner.drain(10_000)).toEqual({ stopped: [], interrupted: [] });
  });
});
