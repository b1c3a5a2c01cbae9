/**
 * What each agent is told about time. A specialist that honours its deadline works until it and
 * then answers with what it has; the orchestrator must hand it the time the initial report is
 * due (less the synthesis reserve), never the hard cutoff, or every well-behaved agent would miss
 * the initial report.
 */
import { Clock, Effect, Exit, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import type { AgentResult } from "../model/AgentResult.js";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import { ChatPlatform } from "../ports/ChatPlatform.js";
import { type Specialist, Specialists } from "../ports/Specialist.js";
import { TraceStore } from "../ports/TraceStore.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeInMemoryTraceStore } from "../testing/memory/InMemoryStores.js";
import { sampleAlert } from "../testing/samples.js";
import { type OrchestratorOptions, runInvestigation } from "./runInvestigation.js";

const render = (r: InvestigationReport) => [{ text: `${r.kind}|${r.agents.map((a) => `${a.agent}=${a.state}`).join(",")}` }];

/**
 * Works until a second before its deadline (on Effect's clock), then answers, as a real agent keeps
 * a margin; records the deadline it was given and when it started.
 */
const punctual = (id: string) => {
  const seen: Array<{ readonly deadline: number; readonly startedAt: number }> = [];
  const specialist: Specialist = {
    id,
    description: `punctual ${id}`,
    investigate: (_alert, call) =>
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis;
        seen.push({ deadline: call.deadline, startedAt });
        yield* Effect.sleep(Math.max(0, call.deadline - startedAt - 1000));
        const now = yield* Clock.currentTimeMillis;
        const result: AgentResult = {
          agent: id,
          status: "success",
          findings: [],
          hypotheses: [],
          summary: `${id} used its time`,
          durationMs: now - startedAt,
          metadata: { startedAt, endedAt: now, inputTokens: 0, outputTokens: 0, costUsd: 0 }
        };
        return result;
      }),
    snapshot: () => Effect.succeed({ agent: id, state: "ok" as const, health: "healthy" as const, summary: "", findings: [] })
  };
  return { specialist, seen };
};

const run = (specialists: ReadonlyArray<Specialist>, options: Partial<OrchestratorOptions>, alert = sampleAlert, seconds = 320) => {
  const chat = makeInMemoryChat({ now: () => 0, dialect: "markdown" });
  const trace = makeInMemoryTraceStore();
  const layer = Layer.mergeAll(Layer.succeed(ChatPlatform, chat.chat), Layer.succeed(Specialists, { enabled: specialists, disabled: [] }), Layer.succeed(TraceStore, trace), TestClock.layer());
  return Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(runInvestigation(alert, { render, ...options }));
      for (let t = 0; t < seconds; t++) {
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow;
        yield* TestClock.adjust("1 second");
      }
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow;
      return yield* Fiber.await(fiber);
    }).pipe(Effect.provide(layer))
  ).then((exit) => ({ exit, chat, trace }));
};

describe("runInvestigation hands agents their due time", () => {
  it("tells every agent the report is due at start + reportAfter − reserve, not the hard cutoff, and their answers make the initial report", async () => {
    const a = punctual("eks");
    const b = punctual("prometheus");
    const { exit, trace } = await run([a.specialist, b.specialist], { reportAfter: "60 seconds", synthesisReserve: "5 seconds", hardCutoff: "300 seconds" });
    expect(a.seen).toEqual([{ deadline: 55_000, startedAt: 0 }]);
    expect(b.seen).toEqual([{ deadline: 55_000, startedAt: 0 }]);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    // Both answered at their deadline, so the initial report has them, and nothing came late.
    expect(exit.value.initial.agents.map((x) => [x.agent, x.state])).toEqual([["eks", "ok"], ["prometheus", "ok"]]);
    expect(exit.value.initial.generatedAt).toBe(54_000);
    expect(exit.value.enrichments).toBe(0);
    const stored = await Effect.runPromise(trace.get(sampleAlert.investigationId));
    const events = stored._tag === "Some" ? stored.value.events : [];
    expect(events.filter((e) => e.type === "agent_request").map((e) => e.data["deadline"])).toEqual([55_000, 55_000]);
    expect(events.find((e) => e.type === "dispatched")?.data).toMatchObject({ dueAt: 55_000, cutoffAt: 300_000 });
  });

  it("an alert whose own deadline is earlier moves the agents' deadline with it", async () => {
    const a = punctual("eks");
    const { exit } = await run([a.specialist], { reportAfter: "60 seconds", synthesisReserve: "5 seconds", hardCutoff: "300 seconds" }, { ...sampleAlert, deadline: 20_000 }, 40);
    expect(a.seen).toEqual([{ deadline: 15_000, startedAt: 0 }]);
    expect(Exit.isSuccess(exit) && exit.value.initial.agents[0]?.state).toBe("ok");
  });

  it("a reserve longer than the time left never hands an agent a deadline in the past", async () => {
    const a = punctual("eks");
    const { exit } = await run([a.specialist], { reportAfter: "3 seconds", synthesisReserve: "10 seconds", hardCutoff: "30 seconds" }, sampleAlert, 40);
    expect(a.seen).toEqual([{ deadline: 0, startedAt: 0 }]);
    // Due at once: the initial report goes out at the start and the answer follows as an update.
    expect(Exit.isSuccess(exit) && [exit.value.initial.generatedAt, exit.value.enrichments, exit.value.final.agents[0]?.state]).toEqual([0, 1, "ok"]);
  });
});
