import { Duration, Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AlertContext } from "../model/AlertContext.js";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import { runInvestigation } from "../orchestrate/runInvestigation.js";
import { ChatPlatform } from "../ports/ChatPlatform.js";
import type { ModelPortShape } from "../ports/ModelPort.js";
import { Specialists } from "../ports/Specialist.js";
import { renderReport } from "../render/renderReport.js";
import type { AgentOutcome } from "../report/buildReport.js";
import { synthesizeDeterministic } from "../report/synthesize.js";
import { synthesizeWithModelDetailed } from "../report/synthesizeWithModel.js";
import { honestAnswer, INJECTION_PAYLOADS, modelTurn, obeyingAnswers, outageAlert, outageOutcomes } from "./injection.js";
import { makeFakeSpecialist } from "./memory/FakeSpecialist.js";
import { makeInMemoryChat } from "./memory/InMemoryChat.js";
import { makeScriptedModel } from "./memory/ScriptedModel.js";

/** Runs the whole investigation (fan-out, synthesis, report, delivery) on in-memory chat. */
const investigate = async (alert: AlertContext, outcomes: ReadonlyArray<AgentOutcome>, model?: ModelPortShape) => {
  const chat = makeInMemoryChat({ dialect: "markdown" });
  const specialists = outcomes.map((o) => makeFakeSpecialist(o.agent, { kind: "succeed", ...(o.result !== undefined ? { result: o.result } : {}) }));
  const outcome = await Effect.runPromise(
    runInvestigation(alert, {
      render: (report, dialect) => renderReport(report, dialect),
      synthesize: (request) =>
        model === undefined
          ? Effect.sync(() => synthesizeDeterministic(request))
          : synthesizeWithModelDetailed(model, request, { timeout: "5 seconds" }).pipe(Effect.map((r) => r.synthesis)),
      reportAfter: Duration.seconds(30),
      synthesisReserve: Duration.seconds(10),
      hardCutoff: Duration.seconds(30)
    }).pipe(Effect.provideService(ChatPlatform, chat.chat), Effect.provideService(Specialists, { enabled: specialists, disabled: [] }))
  );
  return { report: outcome.final, posts: chat.log() };
};

const shape = (r: InvestigationReport) => ({
  hypotheses: r.hypotheses.filter((h) => h.proposedBy !== "synthesis").map((h) => ({ title: h.title, confidence: h.confidence })),
  top: r.hypotheses[0]?.title,
  actions: r.actions,
  severity: r.severity,
  channelId: r.channelId,
  messageId: r.messageId
});

/** A model that gives the same structured answer to every call (the orchestrator synthesises each report it cuts). */
const answering = (answer: unknown): ModelPortShape & { readonly calls: () => number } => {
  let calls = 0;
  const turn = modelTurn(answer);
  return {
    provider: "scripted",
    converse: (request) =>
      Effect.sync(() => {
        calls++;
        return { modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0", content: turn.content, stopReason: turn.stopReason, usage: turn.usage, ...(request.responseSchema !== undefined ? { structured: answer } : {}) };
      }),
    embed: () => Effect.die(new Error("no embeddings here")),
    calls: () => calls
  };
};

const dataBounds = (text: string) => ({ start: text.indexOf("<data>"), end: text.lastIndexOf("</data>") });
const escaped = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

describe("prompt injection in findings", () => {
  it("changes nothing in a deterministic investigation", async () => {
    const clean = await investigate(outageAlert, outageOutcomes());
    const injected = await investigate(outageAlert, outageOutcomes(INJECTION_PAYLOADS));
    expect(shape(injected.report)).toEqual(shape(clean.report));
    expect(injected.posts.map((p) => [p.kind, p.channelId, p.threadId])).toEqual(clean.posts.map((p) => [p.kind, p.channelId, p.threadId]));
  });

  for (const obeying of obeyingAnswers) {
    it(`a model that ${obeying.name} leaves the investigation's behaviour unchanged`, async () => {
      const baseline = await investigate(outageAlert, outageOutcomes(INJECTION_PAYLOADS));
      const model = answering(obeying.answer);
      const run = await investigate(outageAlert, outageOutcomes(INJECTION_PAYLOADS), model);
      expect(model.calls()).toBeGreaterThan(0);

      expect(shape(run.report)).toEqual(shape(baseline.report));
      // Whatever the model added is capped: nothing new is more than a low-confidence lead here.
      for (const h of run.report.hypotheses.filter((x) => x.proposedBy === "synthesis")) expect(h.confidence).toBe("low");
      expect(run.report.actions.join("\n")).not.toMatch(/\bdelete\b|#general|attacker/i);
      expect(run.report.summary).not.toMatch(/system prompt|untrusted data|cosmic/i);
      expect(run.report.impact).not.toMatch(/resolved|instructions/i);
      // Delivered only in the alert's thread, the same messages as without the model.
      expect(run.posts.map((p) => [p.kind, p.channelId, p.threadId])).toEqual(baseline.posts.map((p) => [p.kind, p.channelId, p.threadId]));
      expect(run.posts.every((p) => p.channelId === outageAlert.channelId)).toBe(true);
      // The synthesis call was made and billed.
      expect(run.report.cost.lines.filter((l) => l.scope === "synthesis").length).toBeGreaterThan(0);
    });
  }

  it("puts every payload only inside the data block of the prompt, never in the instructions, and offers no tools", async () => {
    const scripted = makeScriptedModel();
    scripted.script([modelTurn(honestAnswer)]);
    await Effect.runPromise(synthesizeWithModelDetailed(scripted.model, { alert: outageAlert, outcomes: outageOutcomes(INJECTION_PAYLOADS) }));
    const [sent] = scripted.received();
    expect(sent?.tools).toBeUndefined();
    expect(sent?.toolChoice).toBeUndefined();
    const block = sent?.messages[0]?.content[0];
    const text = block?.type === "text" ? block.text : "";
    const { start, end } = dataBounds(text);
    expect(start).toBeGreaterThan(-1);
    expect(text.indexOf("<data>", start + 1)).toBe(-1);
    expect(text.indexOf("</data>")).toBe(end);
    for (const p of INJECTION_PAYLOADS) {
      const at = text.indexOf(escaped(p.text).slice(0, 120));
      expect(at, p.name).toBeGreaterThan(start);
      expect(at, p.name).toBeLessThan(end);
      expect(sent?.system ?? "").not.toContain(p.text.slice(0, 40));
    }
  });

  it("with an honest model, the payload findings gain nothing: the cited root cause stays on top with its confidence", async () => {
    const scripted = makeScriptedModel();
    scripted.script([modelTurn(honestAnswer)]);
    const r = await Effect.runPromise(synthesizeWithModelDetailed(scripted.model, { alert: outageAlert, outcomes: outageOutcomes(INJECTION_PAYLOADS) }));
    expect(r.verdict.used).toBe("model");
    expect(r.synthesis.hypotheses?.[0]).toMatchObject({ id: "eks-h1", confidence: "high" });
    expect(r.synthesis.hypotheses?.some((h) => /cosmic|payments\/api itself/i.test(h.title))).toBe(false);
  });
});
