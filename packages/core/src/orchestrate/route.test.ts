import { Duration, Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AlertContext } from "../model/AlertContext.js";
import { ChatPlatform } from "../ports/ChatPlatform.js";
import { type ModelPortShape } from "../ports/ModelPort.js";
import { Specialists } from "../ports/Specialist.js";
import { renderReport } from "../render/renderReport.js";
import { routeSpecialists } from "../report/routeSpecialists.js";
import { makeFakeSpecialist } from "../testing/memory/FakeSpecialist.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { sampleAlert } from "../testing/samples.js";
import { type OrchestratorOptions, runInvestigation } from "./runInvestigation.js";

const alert: AlertContext = { ...sampleAlert, deadline: Date.now() + 60_000 };

const run = async (route: OrchestratorOptions["route"]) => {
  const specialists = ["eks", "prometheus", "slack-history"].map((id) => makeFakeSpecialist(id, { kind: "succeed" }));
  const chat = makeInMemoryChat();
  const outcome = await Effect.runPromise(
    runInvestigation(alert, {
      render: (r, d) => renderReport(r, d),
      reportAfter: Duration.seconds(10),
      synthesisReserve: Duration.millis(200),
      hardCutoff: Duration.seconds(10),
      announce: false,
      ...(route !== undefined ? { route } : {})
    }).pipe(Effect.provideService(ChatPlatform, chat.chat), Effect.provideService(Specialists, { enabled: specialists, disabled: [] }))
  );
  return { report: outcome.final, calls: Object.fromEntries(specialists.map((s) => [s.id, s.calls()])) };
};

describe("runInvestigation with routing", () => {
  it("dispatches only the chosen specialists, reports the others as skipped, and bills the routing call", async () => {
    const scripted = makeScriptedModel({ modelId: "anthropic.claude-3-haiku-20240307-v1:0" });
    scripted.script([{ content: [{ type: "text", text: '{"agents":["eks"],"reason":"a pod alert"}' }], stopReason: "end_turn", usage: { inputTokens: 400, outputTokens: 20 } }]);
    const { report, calls } = await run((a, candidates) => routeSpecialists(scripted.model, a, candidates));
    expect(calls).toEqual({ eks: 1, prometheus: 0, "slack-history": 0 });
    expect(report.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["prometheus", "skipped"], ["slack-history", "skipped"]]);
    expect(report.agents[1]?.summary).toBe("not selected by routing");
    expect(report.cost.lines).toEqual([{ scope: "routing", modelId: "anthropic.claude-3-haiku-20240307-v1:0", inputTokens: 400, outputTokens: 20, costUsd: (400 * 0.25 + 20 * 1.25) / 1e6 }]);
  });

  it.each([
    ["crashes", () => Effect.die(new Error("boom"))],
    ["never answers", () => Effect.never],
    ["chooses nothing", () => Effect.succeed({ agents: [] })],
    ["names an unknown agent", () => Effect.succeed({ agents: ["eks", "delete_deployment"] })]
  ])("dispatches every specialist when routing %s", async (_name, route) => {
    const { calls } = await run(route);
    expect(calls).toEqual({ eks: 1, prometheus: 1, "slack-history": 1 });
  });

  it("dispatches every specialist when the routing model fails", async () => {
    const broken: ModelPortShape = { provider: "x", converse: () => Effect.die(new Error("down")), embed: () => Effect.die(new Error("down")) };
    const { calls, report } = await run((a, candidates) => routeSpecialists(broken, a, candidates));
    expect(calls).toEqual({ eks: 1, prometheus: 1, "slack-history": 1 });
    expect(report.cost.lines).toEqual([]);
  });
});
