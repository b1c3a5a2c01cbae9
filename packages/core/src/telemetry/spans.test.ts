import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import { runInvestigation } from "../orchestrate/runInvestigation.js";
import { ChatPlatform } from "../ports/ChatPlatform.js";
import type { Specialist } from "../ports/Specialist.js";
import { Specialists } from "../ports/Specialist.js";
import { Telemetry, type TelemetryShape } from "../ports/Telemetry.js";
import { makeFakeSpecialist } from "../testing/memory/FakeSpecialist.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { sampleAlert } from "../testing/samples.js";
import { tracedModel } from "./tracedModel.js";

interface Span {
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly parent: string | undefined;
}

/** A telemetry that records spans with their parent, tracked per fiber through a stack captured at span start. */
const recordingTelemetry = () => {
  const spans: Array<Span> = [];
  let open: Array<string> = [];
  const telemetry: TelemetryShape = {
    log: () => Effect.void,
    span: (name, attributes, effect) =>
      Effect.suspend(() => {
        const parent = open.at(-1);
        spans.push({ name, attributes, parent });
        const saved = open;
        open = [...open, name];
        return effect.pipe(Effect.ensuring(Effect.sync(() => void (open = saved))));
      })
  };
  return { telemetry, spans };
};

const render = (r: InvestigationReport) => [{ text: r.summary }];

describe("spans", () => {
  it("an investigation is a span with one child per agent and one per synthesis, each carrying the investigation id", async () => {
    const { telemetry, spans } = recordingTelemetry();
    const enabled: ReadonlyArray<Specialist> = [makeFakeSpecialist("eks", { kind: "succeed" }), makeFakeSpecialist("prometheus", { kind: "fail" })];
    const alert = { ...sampleAlert, deadline: Date.now() + 10_000 };
    await Effect.runPromise(
      runInvestigation(alert, { render, reportAfter: "2 seconds", synthesisReserve: "500 millis", synthesize: () => Effect.succeed(undefined) }).pipe(
        Effect.provide(Layer.mergeAll(Layer.succeed(ChatPlatform, makeInMemoryChat().chat), Layer.succeed(Specialists, { enabled, disabled: [] }), Layer.succeed(Telemetry, telemetry)))
      )
    );
    expect(spans[0]).toMatchObject({ name: "investigation", parent: undefined, attributes: { investigationId: alert.investigationId } });
    const agents = spans.filter((s) => s.name === "agent");
    expect(agents.map((s) => s.attributes["agent"]).sort()).toEqual(["eks", "prometheus"]);
    for (const s of spans.slice(1)) expect(s.attributes["investigationId"]).toBe(alert.investigationId);
    expect(spans.filter((s) => s.name === "synthesis").length).toBeGreaterThanOrEqual(1);
  });

  it("a model call is a span with its call site under the current span, and a plain call without telemetry", async () => {
    const scripted = makeScriptedModel();
    scripted.script([{ content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage: { inputTokens: 3, outputTokens: 1 } }, { content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage: { inputTokens: 3, outputTokens: 1 } }]);
    const model = tracedModel(scripted.model);
    const { telemetry, spans } = recordingTelemetry();
    const call = model.converse({ callSite: "synthesis", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    await Effect.runPromise(telemetry.span("synthesis", {}, call).pipe(Effect.provideService(Telemetry, telemetry)));
    expect(spans).toEqual([
      { name: "synthesis", attributes: {}, parent: undefined },
      { name: "model", attributes: { callSite: "synthesis", provider: scripted.model.provider, modelId: undefined }, parent: "synthesis" }
    ]);
    expect((await Effect.runPromise(call)).content).toEqual([{ type: "text", text: "ok" }]);
    expect(spans).toHaveLength(2);
  });
});
