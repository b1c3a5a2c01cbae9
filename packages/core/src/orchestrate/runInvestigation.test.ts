import { Deferred, Effect, Exit, Fiber, Layer, Option } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import { ChatPlatform } from "../ports/ChatPlatform.js";
import { type Specialist, Specialists } from "../ports/Specialist.js";
import { TraceStore } from "../ports/TraceStore.js";
import { makeFakeSpecialist } from "../testing/memory/FakeSpecialist.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeInMemoryTraceStore } from "../testing/memory/InMemoryStores.js";
import { sampleAlert } from "../testing/samples.js";
import { type OrchestratorOptions, type ProgressEvent, runInvestigation } from "./runInvestigation.js";

const render = (r: InvestigationReport) => [
  { text: `${r.kind}|${r.agents.map((a) => `${a.agent}=${a.state}`).join(",")}|${r.summary}` }
];

const setup = (enabled: ReadonlyArray<Specialist>, disabled: ReadonlyArray<string> = [], dialect: "slack" | "markdown" = "markdown") => {
  const chat = makeInMemoryChat({ now: () => 0, dialect });
  const trace = makeInMemoryTraceStore();
  const events: Array<ProgressEvent> = [];
  const layer = Layer.mergeAll(
    Layer.succeed(ChatPlatform, chat.chat),
    Layer.succeed(Specialists, { enabled, disabled }),
    Layer.succeed(TraceStore, trace),
    TestClock.layer()
  );
  const options: OrchestratorOptions = { render, onEvent: (e) => Effect.sync(() => events.push(e)) };
  return { chat, trace, events, layer, options };
};

/**
 * Forks the investigation and advances the test clock one second at a time, letting the
 * forked fibers run between ticks, until `seconds` have passed; then waits for the result.
 * `at` is called after each tick with the elapsed seconds.
 */
const drive = <A, E>(
  program: Effect.Effect<A, E, ChatPlatform | Specialists>,
  layer: Layer.Layer<ChatPlatform | Specialists | TraceStore>,
  seconds: number,
  at: (elapsed: number) => void = () => {}
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(program);
      for (let t = 1; t <= seconds; t++) {
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow;
        yield* TestClock.adjust("1 second");
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow;
        at(t);
      }
      return yield* Fiber.await(fiber);
    }).pipe(Effect.provide(layer))
  );

const posts = (s: ReturnType<typeof setup>) => s.chat.log().filter((p) => p.kind === "post").map((p) => p.message.text);

describe("runInvestigation", () => {
  it("posts the report as soon as every agent has answered, without waiting for the deadline", async () => {
    const s = setup([
      makeFakeSpecialist("eks", { kind: "succeed", after: "2 seconds" }),
      makeFakeSpecialist("prometheus", { kind: "succeed", after: "3 seconds" })
    ]);
    const exit = await drive(runInvestigation(sampleAlert, s.options), s.layer, 3);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.initial.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["prometheus", "ok"]]);
    expect(exit.value.enrichments).toBe(0);
    expect(posts(s)).toHaveLength(1);
    expect(posts(s)[0]).toMatch(/^initial\|eks=ok,prometheus=ok/);
    const notices = s.chat.log().filter((p) => p.kind === "notice");
    expect(notices[0]?.message.text).toContain("0/2 agents answered");
    const updates = s.chat.log().filter((p) => p.kind === "update").map((p) => p.message.text);
    expect(updates.at(-1)).toContain("all 2 agents answered");
  });

  it("cuts the initial report at the deadline minus the reserve and posts a late answer as an enrichment", async () => {
    const s = setup([
      makeFakeSpecialist("eks", { kind: "succeed", after: "1 second" }),
      makeFakeSpecialist("logs", { kind: "succeed", after: "70 seconds" })
    ]);
    const postedAt = new Map<number, number>();
    const exit = await drive(runInvestigation(sampleAlert, s.options), s.layer, 70, (t) => postedAt.set(t, posts(s).length));
    expect(postedAt.get(54)).toBe(0);
    expect(postedAt.get(55)).toBe(1);
    expect(postedAt.get(69)).toBe(1);
    expect(postedAt.get(70)).toBe(2);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.initial.agents.map((a) => a.state)).toEqual(["ok", "running"]);
    expect(exit.value.initial.generatedAt).toBe(55_000);
    expect(exit.value.enrichments).toBe(1);
    expect(exit.value.final.agents.map((a) => a.state)).toEqual(["ok", "ok"]);
    const texts = posts(s);
    expect(texts[0]).toMatch(/^initial\|eks=ok,logs=running/);
    expect(texts[1]).toMatch(/^enrichment\|logs=ok\|Update: logs answered with 1 findings/);
  });

  it("interrupts agents still running at the hard cutoff and says so", async () => {
    const hung = makeFakeSpecialist("cloudwatch", { kind: "hang" });
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed", after: "1 second" }), hung]);
    const exit = await drive(runInvestigation(sampleAlert, { ...s.options, hardCutoff: "120 seconds" }), s.layer, 120);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.final.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["cloudwatch", "timeout"]]);
    const notices = s.chat.log().filter((p) => p.kind === "notice").map((p) => p.message.text);
    expect(notices.some((t) => t.includes("Hard cutoff reached: cloudwatch"))).toBe(true);
    expect(s.events).toContainEqual({ type: "cutoff", pending: ["cloudwatch"] });
  });

  it("at shutdown before the initial report, posts at once what has been answered, the rest marked stopped by shutdown", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed", after: "1 second" }), makeFakeSpecialist("logs", { kind: "hang" })]);
    const stop = Deferred.makeUnsafe<void>();
    const exit = await drive(runInvestigation(sampleAlert, { ...s.options, stop: Deferred.await(stop) }), s.layer, 3, (t) => {
      if (t === 3) Deferred.doneUnsafe(stop, Effect.void);
    });
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.final.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["logs", "interrupted"]]);
    expect(exit.value.final.generatedAt).toBe(3000);
    const texts = posts(s);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^final\|eks=ok,logs=interrupted\|Partial report: the server shut down before logs answered/);
    expect(s.chat.log().filter((p) => p.kind === "update").at(-1)?.message.text).toMatch(/stopped by a shutdown; partial report below/);
    expect(s.events).toContainEqual({ type: "stopped", pending: ["logs"] });
    const trace = await Effect.runPromise(s.trace.get(sampleAlert.investigationId));
    if (Option.isNone(trace)) throw new Error("no trace");
    expect(trace.value.events.some((e) => e.type === "decision" && e.data["shutdown"] === true)).toBe(true);
    expect(trace.value.events.filter((e) => e.type === "report_posted").map((e) => e.data["kind"])).toEqual(["final"]);
    expect(trace.value.reports.map((r) => r.kind)).toEqual(["final"]);
  }, 10_000);

  it("at shutdown after the initial report, says which agents were stopped and keeps the final report in the trace", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed", after: "1 second" }), makeFakeSpecialist("logs", { kind: "hang" })]);
    const stop = Deferred.makeUnsafe<void>();
    const exit = await drive(runInvestigation(sampleAlert, { ...s.options, stop: Deferred.await(stop) }), s.layer, 57, (t) => {
      if (t === 57) Deferred.doneUnsafe(stop, Effect.void);
    });
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(posts(s)).toHaveLength(1);
    expect(posts(s)[0]).toMatch(/^initial\|eks=ok,logs=running/);
    const notices = s.chat.log().filter((p) => p.kind === "notice").map((p) => p.message.text);
    expect(notices.at(-1)).toMatch(/The server shut down before logs answered; it was stopped\. The report above has everything the other agents found\./);
    expect(exit.value.final.agents.map((a) => a.state)).toEqual(["ok", "interrupted"]);
    expect(exit.value.final.summary).toMatch(/^Partial report: the server shut down before logs answered/);
    const trace = await Effect.runPromise(s.trace.get(sampleAlert.investigationId));
    if (Option.isNone(trace)) throw new Error("no trace");
    expect(trace.value.reports.map((r) => r.kind)).toEqual(["initial", "final"]);
  }, 10_000);

  it("a shutdown after every agent answered changes nothing", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed", after: "1 second" })]);
    const stop = Deferred.makeUnsafe<void>();
    const exit = await drive(runInvestigation(sampleAlert, { ...s.options, stop: Deferred.await(stop) }), s.layer, 2, (t) => {
      if (t === 2) Deferred.doneUnsafe(stop, Effect.void);
    });
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(posts(s)).toHaveLength(1);
    expect(posts(s)[0]).toMatch(/^initial\|eks=ok/);
    expect(exit.value.final.summary).not.toMatch(/Partial report/);
  }, 10_000);

  it("keeps going when agents fail or crash, recording why", async () => {
    const s = setup([
      makeFakeSpecialist("eks", { kind: "fail", failure: "unhealthy", reason: "kube API unreachable" }),
      makeFakeSpecialist("prometheus", { kind: "crash", after: "1 second" }),
      makeFakeSpecialist("logs", { kind: "succeed", after: "2 seconds" }),
      makeFakeSpecialist("slack", { kind: "fail", failure: "timeout", reason: "query too slow" })
    ]);
    const exit = await drive(runInvestigation(sampleAlert, s.options), s.layer, 2);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    const agents = exit.value.initial.agents;
    expect(agents.map((a) => [a.agent, a.state])).toEqual([
      ["eks", "unhealthy"],
      ["prometheus", "error"],
      ["logs", "ok"],
      ["slack", "timeout"]
    ]);
    expect(agents[0]?.error).toBe("kube API unreachable");
    expect(agents[1]?.error).toMatch(/^crashed: prometheus crashed/);
    expect(exit.value.initial.summary).toContain("1 of 4 agents answered");
  });

  it("reports disabled and skipped agents without dispatching them", async () => {
    const skipped = makeFakeSpecialist("discord-history", { kind: "succeed" }, { skipReason: () => "alert did not come from Discord" });
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed" }), skipped], ["cloudwatch-logs"]);
    const exit = await drive(runInvestigation(sampleAlert, s.options), s.layer, 1);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.initial.agents.map((a) => [a.agent, a.state])).toEqual([
      ["eks", "ok"],
      ["discord-history", "skipped"],
      ["cloudwatch-logs", "disabled"]
    ]);
    expect(exit.value.initial.agents[1]?.summary).toBe("alert did not come from Discord");
    expect(skipped.calls()).toBe(0);
    expect(s.events[0]).toEqual({ type: "dispatched", agents: ["eks"], skipped: ["discord-history"], disabled: ["cloudwatch-logs"] });
  });

  it("honours an alert deadline earlier than the configured report time", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed", after: "100 seconds" })]);
    const alert = { ...sampleAlert, deadline: 30_000 };
    const exit = await drive(runInvestigation(alert, { ...s.options, hardCutoff: "50 seconds" }), s.layer, 50);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.initial.generatedAt).toBe(25_000);
  });

  it("uses a synthesis that answers within the reserve and ignores one that overruns it", async () => {
    const quick = setup([makeFakeSpecialist("eks", { kind: "succeed" })]);
    const ok = await drive(
      runInvestigation(sampleAlert, { ...quick.options, synthesize: () => Effect.succeed({ summary: "synthesised" }) }),
      quick.layer,
      1
    );
    expect(Exit.isSuccess(ok) && ok.value.initial.summary).toBe("synthesised");

    const slow = setup([makeFakeSpecialist("eks", { kind: "succeed" })]);
    const late = await drive(
      runInvestigation(sampleAlert, {
        ...slow.options,
        synthesize: () => Effect.sleep("10 seconds").pipe(Effect.as({ summary: "too late" }))
      }),
      slow.layer,
      10
    );
    expect(Exit.isSuccess(late)).toBe(true);
    if (!Exit.isSuccess(late)) return;
    expect(late.value.initial.summary).not.toBe("too late");
    expect(late.value.initial.summary).toContain("1 of 1 agents answered");
  });

  it("records failed deliveries instead of losing them", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed" })]);
    s.chat.failPosts(2);
    const exit = await drive(runInvestigation(sampleAlert, s.options), s.layer, 1);
    expect(Exit.isSuccess(exit)).toBe(true);
    if (!Exit.isSuccess(exit)) return;
    expect(exit.value.deliveryFailures).toBe(2);
    const trace = await Effect.runPromise(s.trace.get(sampleAlert.investigationId));
    expect(Option.isSome(trace)).toBe(true);
    if (Option.isNone(trace)) return;
    const types = trace.value.events.map((e) => e.type);
    expect(types.filter((t) => t === "delivery_failed")).toHaveLength(2);
    expect(trace.value.reports.map((r) => r.kind)).toEqual(["initial", "final"]);
  });

  it("traces dispatch, each agent, the decision and the posted report", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed" }), makeFakeSpecialist("logs", { kind: "fail" })]);
    await drive(runInvestigation(sampleAlert, s.options), s.layer, 1);
    const trace = await Effect.runPromise(s.trace.get(sampleAlert.investigationId));
    if (Option.isNone(trace)) throw new Error("no trace");
    const types = trace.value.events.map((e) => e.type);
    expect(types[0]).toBe("dispatched");
    expect(types.filter((t) => t === "agent_request")).toHaveLength(2);
    expect(types.filter((t) => t === "agent_response")).toHaveLength(2);
    expect(types).toContain("decision");
    expect(types).toContain("report_posted");
    expect(trace.value.threadId).toBe(sampleAlert.messageId);
  });

  it("posts a failure notice with the investigation id when the investigation itself crashes", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed" })]);
    const exit = await drive(
      runInvestigation(sampleAlert, {
        ...s.options,
        render: () => {
          throw new Error("renderer exploded");
        }
      }),
      s.layer,
      1
    );
    expect(Exit.isFailure(exit)).toBe(true);
    const notices = s.chat.log().filter((p) => p.kind === "notice").map((p) => p.message.text);
    expect(notices.at(-1)).toContain(sampleAlert.investigationId);
    expect(notices.at(-1)).toContain("renderer exploded");
  });

  it("escapes the failure reason like any untrusted text (no broadcast mention reaches a Slack thread)", async () => {
    const s = setup([makeFakeSpecialist("eks", { kind: "succeed" })], [], "slack");
    await drive(
      runInvestigation(sampleAlert, {
        ...s.options,
        render: () => {
          throw new Error("<!channel> wake everyone & <@U1>");
        }
      }),
      s.layer,
      1
    );
    const notice = s.chat.log().filter((p) => p.kind === "notice").at(-1)?.message.text ?? "";
    expect(notice).toContain(sampleAlert.investigationId);
    expect(notice).not.toContain("<!channel>");
  });
});
