/**
 * An investigation observed from every side at once: what the thread shows (acknowledgement,
 * its updates, reports, notices), what the trace records, the progress events and the logs, for
 * runs that exercise every path: answers, failures of each kind, a crash, a late answer, a hang
 * until the hard cutoff, skipped and disabled agents, failing deliveries and trace writes, and a
 * shutdown before and after the initial report.
 */
import { Deferred, Duration, Effect, Exit, Fiber, Layer, Option } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import type { AgentFailure, AgentResult } from "../model/AgentResult.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import { ChatPlatform } from "../ports/ChatPlatform.js";
import { type Specialist, Specialists } from "../ports/Specialist.js";
import { Telemetry } from "../ports/Telemetry.js";
import { TraceStore, type TraceStoreShape } from "../ports/TraceStore.js";
import { makeFakeSpecialist } from "../testing/memory/FakeSpecialist.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeCapturingTelemetry, makeInMemoryTraceStore } from "../testing/memory/InMemoryStores.js";
import { sampleAlert } from "../testing/samples.js";
import { type OrchestratorOptions, type ProgressEvent, runInvestigation } from "./runInvestigation.js";

const render = (r: InvestigationReport) => [
  { text: `${r.kind}|${r.agents.map((a) => `${a.agent}=${a.state}${a.error !== undefined ? `(${a.error})` : ""}`).join(",")}|${r.hypotheses.map((h) => h.title).join(";")}|${r.summary}` }
];

const hypothesis = (id: string, title: string, confidence: Hypothesis["confidence"], depth = 1): Hypothesis => ({
  id,
  title,
  detail: "",
  confidence,
  supportingFindings: [],
  confirmBy: "",
  proposedBy: id.split(":")[0] ?? "",
  depth
});

/** A specialist answering with a result of its own making, after `afterMs`. */
const answering = (id: string, afterMs: number, result: Partial<AgentResult>): Specialist => makeFakeSpecialist(id, { kind: "succeed", after: Duration.millis(afterMs), result });
const failing = (id: string, afterMs: number, failure: AgentFailure["kind"], reason: string): Specialist =>
  makeFakeSpecialist(id, { kind: "fail", after: Duration.millis(afterMs), failure, reason });

const run = (
  specialists: ReadonlyArray<Specialist>,
  options: Partial<OrchestratorOptions> & {
    readonly disabled?: ReadonlyArray<string>;
    readonly trace?: TraceStoreShape;
    readonly telemetry?: ReturnType<typeof makeCapturingTelemetry>["telemetry"];
    readonly failPosts?: number;
    readonly seconds?: number;
    readonly stopAt?: number;
  } = {}
) => {
  const chat = makeInMemoryChat({ now: () => 0, dialect: "markdown" });
  if (options.failPosts !== undefined) chat.failPosts(options.failPosts);
  const trace = options.trace ?? makeInMemoryTraceStore();
  const capturing = makeCapturingTelemetry();
  const telemetry = options.telemetry ?? capturing.telemetry;
  const events: Array<ProgressEvent> = [];
  const layer = Layer.mergeAll(
    Layer.succeed(ChatPlatform, chat.chat),
    Layer.succeed(Specialists, { enabled: specialists, disabled: options.disabled ?? [] }),
    Layer.succeed(TraceStore, trace),
    Layer.succeed(Telemetry, telemetry),
    TestClock.layer()
  );
  return Effect.runPromise(
    Effect.gen(function* () {
      const stop = yield* Deferred.make<void>();
      const fiber = yield* Effect.forkChild(
        runInvestigation(sampleAlert, {
          render,
          onEvent: (e) => Effect.sync(() => void events.push(e)),
          ...(options.stopAt !== undefined ? { stop: Deferred.await(stop) } : {}),
          ...options
        })
      );
      for (let t = 1; t <= (options.seconds ?? 130); t++) {
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow;
        yield* TestClock.adjust("1 second");
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow;
        if (t === options.stopAt) yield* Deferred.succeed(stop, undefined);
      }
      return yield* Fiber.await(fiber);
    }).pipe(Effect.provide(layer))
  ).then(async (exit) => {
    const stored = await Effect.runPromise(trace.get(sampleAlert.investigationId).pipe(Effect.orElseSucceed(() => Option.none())), { }).catch(() => Option.none());
    return {
      exit,
      thread: chat.log().map((l) => `${l.kind}: ${l.message.text}`),
      trace: Option.isSome(stored) ? stored.value.events.map((e) => ({ at: e.at, type: e.type, data: e.data })) : [],
      events,
      logs: capturing.records().map((r) => `${String(r["level"])} ${String(r["msg"])}${r["error"] !== undefined ? `: ${String(r["error"])}` : ""}`)
    };
  });
};

const PROGRESS = "🔎 Investigating `inv-sample-1` —";
const OTHERS = "; skipped: slack-history; disabled: discord-history";

describe("an investigation, observed", () => {
  it("with answers, a failure, a late answer and a hang: the thread, the trace and the events say exactly what happened", async () => {
    const r = await run(
      [
        answering("eks", 2000, { findings: [], hypotheses: [hypothesis("eks:h1", "db disk full", "medium", 2)], summary: "eks saw the disk" }),
        failing("prometheus", 3000, "unavailable", "prometheus is down"),
        answering("logs", 70_000, { hypotheses: [hypothesis("logs:h1", "bad deploy", "high", 3)], summary: "logs saw a deploy" }),
        makeFakeSpecialist("cloudwatch", { kind: "hang" }),
        makeFakeSpecialist("slack-history", { kind: "succeed" }, { skipReason: () => "no channel history configured" })
      ],
      { disabled: ["discord-history"], hardCutoff: "120 seconds" }
    );
    expect(r.thread).toEqual([
      `notice: ${PROGRESS} 0/4 agents answered (eks …, prometheus …, logs …, cloudwatch …)${OTHERS}`,
      `update: ${PROGRESS} 1/4 agents answered (eks ✓, prometheus …, logs …, cloudwatch …)${OTHERS}`,
      `update: ${PROGRESS} 2/4 agents answered (eks ✓, prometheus ✓, logs …, cloudwatch …)${OTHERS}`,
      "post: initial|eks=ok,prometheus=unhealthy(prometheus is down),logs=running,cloudwatch=running,slack-history=skipped(no channel history configured),discord-history=disabled|db disk full|Most likely cause: db disk full (medium confidence). 1 of 4 agents answered, 2 still running, 1 failed or timed out.",
      `update: ${PROGRESS} 2/4 agents answered (eks ✓, prometheus ✓, logs …, cloudwatch …)${OTHERS} — initial report below; later answers will follow as updates.`,
      "post: enrichment|logs=ok|bad deploy|Update: logs answered with 1 findings. Most likely cause is now: bad deploy (high confidence).",
      "notice: ⏱ Hard cutoff reached: cloudwatch did not answer and was stopped."
    ]);
    expect(r.trace).toEqual([
      { at: 0, type: "dispatched", data: { agents: ["eks", "prometheus", "logs", "cloudwatch"], skipped: ["slack-history"], disabled: ["discord-history"], dueAt: 55_000, cutoffAt: 120_000 } },
      ...["eks", "prometheus", "logs", "cloudwatch"].map((agent) => ({ at: 0, type: "agent_request", data: { agent, deadline: 55_000 } })),
      { at: 2000, type: "agent_response", data: { agent: "eks", state: "ok", durationMs: 2000, findings: 0, hypotheses: 1, summary: "eks saw the disk" } },
      { at: 3000, type: "agent_response", data: { agent: "prometheus", state: "unhealthy", durationMs: 3000, findings: 0, hypotheses: 0, error: "prometheus is down" } },
      { at: 55_000, type: "decision", data: { report: "initial", answered: 2, pending: ["logs", "cloudwatch"], topHypothesis: "db disk full" } },
      { at: 55_000, type: "report_posted", data: { kind: "initial", messages: 1, posted: 1 } },
      { at: 70_000, type: "agent_response", data: { agent: "logs", state: "ok", durationMs: 70_000, findings: 1, hypotheses: 1, summary: "logs saw a deploy" } },
      { at: 70_000, type: "report_posted", data: { kind: "enrichment", messages: 1, posted: 1 } },
      { at: 120_000, type: "decision", data: { cutoff: true, timedOut: ["cloudwatch"] } }
    ]);
    expect(r.events).toEqual([
      { type: "dispatched", agents: ["eks", "prometheus", "logs", "cloudwatch"], skipped: ["slack-history"], disabled: ["discord-history"] },
      { type: "agent_done", agent: "eks", state: "ok", durationMs: 2000, findings: 0 },
      { type: "agent_done", agent: "prometheus", state: "unhealthy", durationMs: 3000, findings: 0, error: "prometheus is down" },
      { type: "report_posted", kind: "initial", messages: 1 },
      { type: "agent_done", agent: "logs", state: "ok", durationMs: 70_000, findings: 1 },
      { type: "report_posted", kind: "enrichment", messages: 1 },
      { type: "cutoff", pending: ["cloudwatch"] }
    ]);
    expect(r.logs).toEqual([]);
    expect(Exit.isSuccess(r.exit) && [r.exit.value.enrichments, r.exit.value.deliveryFailures, r.exit.value.final.agents.map((a) => a.state)]).toEqual([
      1,
      0,
      ["ok", "unhealthy", "ok", "timeout", "skipped", "disabled"]
    ]);
  });

  it("maps every failure kind and result status to its evidence state, cuts a crash message after redacting it, and reports late failures and several stragglers", async () => {
    const crashing: Specialist = {
      ...makeFakeSpecialist("g", { kind: "succeed" }),
      investigate: () => Effect.sleep("1 second").pipe(Effect.andThen(Effect.die(new Error(`${"x".repeat(296)}AKIAQ3EGV7EXAMPL3K3Y tail`))))
    };
    const r = await run(
      [
        answering("a", 1000, { status: "timeout", error: "slow api" }),
        answering("b", 1000, { status: "unhealthy", error: "degraded" }),
        answering("c", 1000, { status: "error", error: "bad creds" }),
        failing("d", 1000, "timeout", "took too long"),
        failing("e", 1000, "unhealthy", "sick"),
        failing("f", 1000, "crashed", "it broke"),
        crashing,
        failing("h", 70_000, "error", "late boom"),
        makeFakeSpecialist("i", { kind: "hang" }),
        makeFakeSpecialist("j", { kind: "hang" })
      ],
      { announce: false, hardCutoff: "100 seconds", seconds: 110 }
    );
    // Redacted first, then cut to 300 characters: the key's prefix cannot survive the cut.
    const crashed = `crashed: ${"x".repeat(296)}[RE…`;
    expect(Exit.isSuccess(r.exit) && r.exit.value.final.agents.map((a) => [a.agent, a.state, a.error])).toEqual([
      ["a", "timeout", "slow api"],
      ["b", "unhealthy", "degraded"],
      ["c", "error", "bad creds"],
      ["d", "timeout", "took too long"],
      ["e", "unhealthy", "sick"],
      ["f", "error", "it broke"],
      ["g", "error", crashed],
      ["h", "error", "late boom"],
      ["i", "timeout", "no answer before the hard cutoff"],
      ["j", "timeout", "no answer before the hard cutoff"]
    ]);
    expect(r.thread).toEqual([
      `post: initial|a=timeout(slow api),b=unhealthy(degraded),c=error(bad creds),d=timeout(took too long),e=unhealthy(sick),f=error(it broke),g=error(${crashed}),h=running,i=running,j=running||No cause established from the evidence gathered. 0 of 10 agents answered, 3 still running, 7 failed or timed out.`,
      "post: enrichment|h=error(late boom)||Update: h ended: error (late boom). Most likely cause unchanged.",
      "notice: ⏱ Hard cutoff reached: i, j did not answer and were stopped."
    ]);
    const responses = r.trace.filter((e) => e.type === "agent_response").map((e) => e.data);
    expect(responses.slice(0, 4)).toEqual([
      { agent: "a", state: "timeout", durationMs: 1000, findings: 1, hypotheses: 0, error: "slow api", summary: "a done" },
      { agent: "b", state: "unhealthy", durationMs: 1000, findings: 1, hypotheses: 0, error: "degraded", summary: "b done" },
      { agent: "c", state: "error", durationMs: 1000, findings: 1, hypotheses: 0, error: "bad creds", summary: "c done" },
      { agent: "d", state: "timeout", durationMs: 1000, findings: 0, hypotheses: 0, error: "took too long" }
    ]);
    expect(r.trace.find((e) => e.type === "decision")?.data).toEqual({ report: "initial", answered: 7, pending: ["h", "i", "j"], topHypothesis: null });
    expect(r.events.at(-1)).toEqual({ type: "cutoff", pending: ["i", "j"] });
  });

  it("keeps going when the chat, the trace store, routing and synthesis all fail, and logs each failure with the investigation id", async () => {
    const down = () => Effect.die(new Error("disk gone"));
    const broken: TraceStoreShape = { open: down, append: down, putReport: down, get: down, findByThread: down };
    const { telemetry, records } = makeCapturingTelemetry();
    const r = await run([answering("eks", 1000, {}), answering("logs", 2000, {})], {
      trace: broken,
      telemetry,
      failPosts: 2,
      route: () => Effect.die(new Error("router down")),
      synthesize: () => Effect.die(new Error("model down")),
      seconds: 5
    });
    expect(Exit.isSuccess(r.exit) && [r.exit.value.deliveryFailures, r.exit.value.final.agents.map((a) => a.state)]).toEqual([2, ["ok", "ok"]]);
    // Both agents still ran (routing failed open), and nothing reached the thread.
    expect(r.thread).toEqual([]);
    expect(r.events).toEqual([
      { type: "dispatched", agents: ["eks", "logs"], skipped: [], disabled: [] },
      { type: "delivery_failed", kind: "announcement", error: "slack post failed: simulated outage" },
      { type: "agent_done", agent: "eks", state: "ok", durationMs: 1000, findings: 1 },
      { type: "agent_done", agent: "logs", state: "ok", durationMs: 2000, findings: 1 },
      { type: "delivery_failed", kind: "initial", error: "slack post failed: simulated outage" },
      { type: "report_posted", kind: "initial", messages: 0 }
    ]);
    const logged = records().map((x) => `${String(x["level"])} ${String(x["msg"])}: ${String(x["error"])}`);
    expect([...new Set(logged)].sort()).toEqual([
      "error delivery failed: slack post failed: simulated outage",
      "warn routing failed: router down",
      "warn synthesis failed: model down",
      "warn trace open failed: disk gone",
      "warn trace report write failed: disk gone",
      "warn trace write failed: disk gone"
    ]);
    expect(logged.filter((l) => l.startsWith("warn trace report write failed"))).toHaveLength(2);
    expect(records().every((x) => x["investigationId"] === "inv-sample-1")).toBe(true);
    expect(records().find((x) => x["msg"] === "delivery failed")).toMatchObject({ kind: "announcement" });
  });

  it("at a shutdown before the initial report, posts the partial report at once and says who was stopped", async () => {
    const r = await run([answering("eks", 1000, {}), makeFakeSpecialist("logs", { kind: "hang" }), makeFakeSpecialist("cloudwatch", { kind: "hang" })], { stopAt: 10, seconds: 12 });
    const summary =
      "Partial report: the server shut down before logs, cloudwatch answered; they were stopped. No cause established from the evidence gathered. 1 of 3 agents answered, 2 stopped by shutdown.";
    expect(r.thread).toEqual([
      `notice: ${PROGRESS} 0/3 agents answered (eks …, logs …, cloudwatch …)`,
      `update: ${PROGRESS} 1/3 agents answered (eks ✓, logs …, cloudwatch …)`,
      `post: final|eks=ok,logs=interrupted(the server shut down before it answered),cloudwatch=interrupted(the server shut down before it answered)||${summary}`,
      "update: ⏹ Investigation `inv-sample-1` — stopped by a shutdown; partial report below."
    ]);
    expect(r.trace.filter((e) => e.type === "decision")).toEqual([{ at: 10_000, type: "decision", data: { shutdown: true, stopped: ["logs", "cloudwatch"], report: "partial" } }]);
    expect(r.events.filter((e) => e.type === "stopped")).toEqual([{ type: "stopped", pending: ["logs", "cloudwatch"] }]);
    expect(Exit.isSuccess(r.exit) && [r.exit.value.initial.summary, r.exit.value.final.summary, r.exit.value.enrichments]).toEqual([summary, summary, 0]);
  });

  it("at a shutdown after the initial report, says in the thread who was stopped, in the singular or plural of what was posted", async () => {
    const afterUpdate = await run([answering("eks", 1000, {}), answering("late", 58_000, {}), makeFakeSpecialist("logs", { kind: "hang" })], { stopAt: 60, seconds: 62 });
    expect(afterUpdate.thread.slice(-2)).toEqual([
      "post: enrichment|late=ok||Update: late answered with 1 findings. Most likely cause unchanged.",
      "notice: ⏹ The server shut down before logs answered; it was stopped. The reports above have everything the other agents found."
    ]);
    expect(afterUpdate.trace.filter((e) => e.type === "decision").map((e) => e.data)).toEqual([
      { report: "initial", answered: 1, pending: ["late", "logs"], topHypothesis: null },
      { shutdown: true, stopped: ["logs"], report: "final" }
    ]);
    expect(Exit.isSuccess(afterUpdate.exit) && [afterUpdate.exit.value.enrichments, afterUpdate.exit.value.final.summary]).toEqual([
      1,
      "Partial report: the server shut down before logs answered; it was stopped. No cause established from the evidence gathered. 2 of 3 agents answered, 1 stopped by shutdown."
    ]);
    const afterInitial = await run([answering("eks", 1000, {}), makeFakeSpecialist("logs", { kind: "hang" })], { stopAt: 60, seconds: 62 });
    expect(afterInitial.thread.at(-1)).toBe("notice: ⏹ The server shut down before logs answered; it was stopped. The report above has everything the other agents found.");
    expect(afterInitial.thread.filter((t) => t.startsWith("post:"))).toHaveLength(1);
  });

  it("when everyone answers in time: one update per answer but the last, then the all-answered line; routing is not asked to choose among one", async () => {
    let routed = 0;
    const r = await run([answering("eks", 1000, {}), answering("logs", 2000, {}), makeFakeSpecialist("slack-history", { kind: "succeed" }, { skipReason: () => "no history" })], {
      seconds: 5,
      route: () => Effect.sync(() => ++routed).pipe(Effect.as({ agents: ["eks"] }))
    });
    // Two candidates: routing chose eks; logs is skipped like slack-history.
    expect(routed).toBe(1);
    expect(r.thread).toEqual([
      `notice: ${PROGRESS} 0/1 agents answered (eks …); skipped: slack-history, logs`,
      "post: initial|eks=ok,logs=skipped(not selected by routing),slack-history=skipped(no history)||No cause established from the evidence gathered. 1 of 1 agents answered.",
      "update: ✅ Investigation `inv-sample-1` — all 1 agents answered; report below."
    ]);
    const single = await run([answering("eks", 1000, {}), answering("logs", 2000, {})], { seconds: 5, announce: true });
    expect(single.thread).toEqual([
      `notice: ${PROGRESS} 0/2 agents answered (eks …, logs …)`,
      `update: ${PROGRESS} 1/2 agents answered (eks ✓, logs …)`,
      "post: initial|eks=ok,logs=ok||No cause established from the evidence gathered. 2 of 2 agents answered.",
      "update: ✅ Investigation `inv-sample-1` — all 2 agents answered; report below."
    ]);
    routed = 0;
    await run([answering("eks", 1000, {}), makeFakeSpecialist("slack-history", { kind: "succeed" }, { skipReason: () => "no history" })], {
      seconds: 3,
      route: () => Effect.sync(() => ++routed).pipe(Effect.as({ agents: ["eks"] }))
    });
    expect(routed).toBe(0);
  });
});
