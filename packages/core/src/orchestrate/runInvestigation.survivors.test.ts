/**
 * Orchestrator behaviour the mutation runs of `orchestrator` found unobserved, observed from
 * outside (the thread, the trace, the progress events, the logs, what the synthesis step is asked,
 * the outcome or failure returned): the failure the caller receives, crash messages at the cut,
 * listeners and chats that fail, routing and synthesis that take part of their budget, a shutdown
 * while the last answer waits to be read, notices that cannot be posted, and enrichments.
 */
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Layer, Option } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import type { AgentResult } from "../model/AgentResult.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import { ChatError, ChatPlatform, type ChatPlatformShape } from "../ports/ChatPlatform.js";
import { type Specialist, Specialists } from "../ports/Specialist.js";
import { Telemetry } from "../ports/Telemetry.js";
import { TraceStore, type TraceStoreShape } from "../ports/TraceStore.js";
import { makeFakeSpecialist } from "../testing/memory/FakeSpecialist.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeCapturingTelemetry, makeInMemoryTraceStore } from "../testing/memory/InMemoryStores.js";
import { sampleAlert } from "../testing/samples.js";
import { type OrchestratorOptions, type ProgressEvent, type SynthesisRequest, runInvestigation } from "./runInvestigation.js";

const render = (r: InvestigationReport) => [
  { text: `${r.kind}|${r.agents.map((a) => `${a.agent}=${a.state}`).join(",")}|${r.hypotheses.map((h) => h.title).join(";")}|${r.summary}` }
];

const hypothesis = (id: string, title: string, confidence: Hypothesis["confidence"]): Hypothesis => ({
  id,
  title,
  detail: "",
  confidence,
  supportingFindings: [],
  confirmBy: "",
  proposedBy: id.split(":")[0] ?? "",
  depth: 1
});

const answering = (id: string, afterMs: number, result: Partial<AgentResult> = {}): Specialist =>
  makeFakeSpecialist(id, { kind: "succeed", after: Duration.millis(afterMs), result });
const hanging = (id: string): Specialist => makeFakeSpecialist(id, { kind: "hang" });

interface RunOptions extends Partial<OrchestratorOptions> {
  readonly disabled?: ReadonlyArray<string>;
  /** The trace store; `null` for none at all. */
  readonly trace?: TraceStoreShape | null;
  /** Wraps the in-memory chat (to make one of its operations fail). */
  readonly wrapChat?: (chat: ChatPlatformShape) => ChatPlatformShape;
  readonly seconds?: number;
  /** Shutdown after this many seconds. */
  readonly stopAt?: number;
  /** Milliseconds on the clock when the investigation starts. */
  readonly startAt?: number;
  /** Called after each second, before the shutdown of that second. */
  readonly at?: (elapsed: number, chat: ReturnType<typeof makeInMemoryChat>) => void;
}

/** Runs one investigation on the test clock, one second at a time, and returns everything observable. */
const run = (specialists: ReadonlyArray<Specialist>, options: RunOptions = {}) => {
  const chat = makeInMemoryChat({ now: () => 0, dialect: "markdown" });
  const trace = options.trace === undefined ? makeInMemoryTraceStore() : options.trace;
  const { telemetry, records } = makeCapturingTelemetry();
  const events: Array<ProgressEvent> = [];
  const base = Layer.mergeAll(
    Layer.succeed(ChatPlatform, options.wrapChat?.(chat.chat) ?? chat.chat),
    Layer.succeed(Specialists, { enabled: specialists, disabled: options.disabled ?? [] }),
    Layer.succeed(Telemetry, telemetry),
    TestClock.layer()
  );
  const layer = trace === null ? base : Layer.merge(base, Layer.succeed(TraceStore, trace));
  return Effect.runPromise(
    Effect.gen(function* () {
      if (options.startAt !== undefined) yield* TestClock.adjust(Duration.millis(options.startAt));
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
        options.at?.(t, chat);
        if (t === options.stopAt) yield* Deferred.succeed(stop, undefined);
      }
      return yield* Fiber.await(fiber);
    }).pipe(Effect.provide(layer))
  ).then(async (exit) => {
    const stored = trace === null ? Option.none() : await Effect.runPromise(trace.get(sampleAlert.investigationId).pipe(Effect.catchCause(() => Effect.succeed(Option.none()))));
    return {
      exit,
      chat,
      thread: chat.log().map((l) => `${l.kind}: ${l.message.text}`),
      trace: Option.isSome(stored) ? stored.value.events.map((e) => ({ type: e.type, data: e.data })) : [],
      events,
      logs: records().map((r) => `${String(r["level"])} ${String(r["msg"])}${r["error"] !== undefined ? `: ${String(r["error"])}` : ""}`)
    };
  });
};

const outcomeOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (!Exit.isSuccess(exit)) throw new Error(`the investigation failed: ${String(exit.cause)}`);
  return exit.value;
};

const throwingRender = (message: string): OrchestratorOptions["render"] => () => {
  throw new Error(message);
};

describe("runInvestigation: the failure it returns", () => {
  it("is an InvestigationFailed naming the investigation and why, and its notice goes to the alert's thread", async () => {
    const r = await run([answering("eks", 0)], { render: throwingRender("renderer exploded"), seconds: 2 });
    expect(Exit.isFailure(r.exit)).toBe(true);
    if (!Exit.isFailure(r.exit)) return;
    const error = Cause.findErrorOption(r.exit.cause);
    expect(Option.isSome(error)).toBe(true);
    if (Option.isNone(error)) return;
    expect(error.value._tag).toBe("InvestigationFailed");
    expect(error.value.investigationId).toBe(sampleAlert.investigationId);
    expect(error.value.reason).toBe("renderer exploded");
    expect(error.value.message).toBe(`investigation ${sampleAlert.investigationId} failed: renderer exploded`);
    const notice = r.chat.log().at(-1);
    expect(notice).toMatchObject({ kind: "notice", channelId: sampleAlert.channelId, threadId: sampleAlert.messageId });
    expect(notice?.message.text).toContain("renderer exploded");
  });

  it("is still an InvestigationFailed when the failure notice cannot be posted either", async () => {
    const r = await run([answering("eks", 0)], {
      render: throwingRender("renderer exploded"),
      wrapChat: (chat) => ({ ...chat, postNotice: () => Effect.fail(new ChatError({ platform: "slack", operation: "post", reason: "channel_not_found", retryable: false })) }),
      seconds: 2
    });
    expect(Exit.isFailure(r.exit)).toBe(true);
    if (!Exit.isFailure(r.exit)) return;
    expect(Option.map(Cause.findErrorOption(r.exit.cause), (e) => e._tag)).toEqual(Option.some("InvestigationFailed"));
    expect(r.thread.filter((t) => t.includes("renderer exploded"))).toEqual([]);
  });

  it("is not made of an interruption: a chat call that is interrupted interrupts the investigation, with no failure notice", async () => {
    const r = await run([answering("eks", 1000)], {
      wrapChat: (chat) => ({ ...chat, postInThread: () => Effect.interrupt }),
      seconds: 3
    });
    expect(Exit.isFailure(r.exit) && Cause.hasInterruptsOnly(r.exit.cause)).toBe(true);
    expect(r.thread).toEqual([
      "notice: 🔎 Investigating `inv-sample-1` — 0/1 agents answered (eks …)"
    ]);
  });
});

describe("runInvestigation: crash messages at the cut", () => {
  const crashingWith = (message: string): Specialist => ({ ...makeFakeSpecialist("g", { kind: "succeed" }), investigate: () => Effect.die(new Error(message)) });

  it("keeps a crash message of 300 characters whole and cuts one of 301 to 299 and an ellipsis", async () => {
    const m300 = "y".repeat(300);
    const m301 = "z".repeat(301);
    const short = await run([crashingWith("disk quota exceeded")], { announce: false, seconds: 1 });
    const whole = await run([crashingWith(m300)], { announce: false, seconds: 1 });
    const cut = await run([crashingWith(m301)], { announce: false, seconds: 1 });
    expect(outcomeOf(short.exit).initial.agents[0]?.error).toBe("crashed: disk quota exceeded");
    expect(outcomeOf(whole.exit).initial.agents[0]?.error).toBe(`crashed: ${m300}`);
    expect(outcomeOf(cut.exit).initial.agents[0]?.error).toBe(`crashed: ${"z".repeat(299)}…`);
  });
});

describe("runInvestigation: listeners and chats that fail", () => {
  it("a progress listener that fails or crashes breaks nothing", async () => {
    for (const onEvent of [() => Effect.die(new Error("terminal gone")), () => Effect.fail("closed" as never)]) {
      const r = await run([answering("eks", 1000)], { onEvent, seconds: 3 });
      expect(outcomeOf(r.exit).initial.agents.map((a) => a.state)).toEqual(["ok"]);
      expect(r.thread.filter((t) => t.startsWith("post:"))).toHaveLength(1);
    }
  });

  it("an acknowledgement that cannot be updated breaks nothing", async () => {
    const r = await run([answering("eks", 1000), answering("logs", 2000)], {
      wrapChat: (chat) => ({ ...chat, updateMessage: () => Effect.fail(new ChatError({ platform: "slack", operation: "update", reason: "message_not_found", retryable: false })) }),
      seconds: 3
    });
    expect(outcomeOf(r.exit).initial.agents.map((a) => a.state)).toEqual(["ok", "ok"]);
    expect(r.thread.map((t) => t.split(":")[0])).toEqual(["notice", "post"]);
  });

  it("records a failed delivery in the trace with what failed and why", async () => {
    const r = await run([answering("eks", 2000)], { seconds: 3, at: (t, chat) => t === 1 && chat.failPosts(1) });
    expect(r.trace.filter((e) => e.type === "delivery_failed")).toEqual([{ type: "delivery_failed", data: { kind: "initial", error: "slack post failed: simulated outage" } }]);
  });

  it("a shutdown notice that cannot be posted is a delivery failure", async () => {
    const r = await run([answering("eks", 1000), hanging("logs")], { stopAt: 60, seconds: 62, at: (t, chat) => t === 60 && chat.failPosts(1) });
    expect(outcomeOf(r.exit).deliveryFailures).toBe(1);
    expect(r.events.filter((e) => e.type === "delivery_failed")).toEqual([{ type: "delivery_failed", kind: "shutdown notice", error: "slack post failed: simulated outage" }]);
  });

  it("a cutoff notice that cannot be posted is a delivery failure", async () => {
    const r = await run([answering("eks", 1000), hanging("logs")], { hardCutoff: "100 seconds", seconds: 101, at: (t, chat) => t === 99 && chat.failPosts(1) });
    expect(outcomeOf(r.exit).deliveryFailures).toBe(1);
    expect(r.events.filter((e) => e.type === "delivery_failed")).toEqual([{ type: "delivery_failed", kind: "cutoff notice", error: "slack post failed: simulated outage" }]);
    expect(r.thread.filter((t) => t.includes("Hard cutoff"))).toEqual([]);
  });
});

describe("runInvestigation: who is listed and how", () => {
  it("lists an agent both enabled and disabled once", async () => {
    const r = await run([answering("eks", 1000), answering("logs", 1000)], { disabled: ["logs"], seconds: 2 });
    expect(outcomeOf(r.exit).final.agents.map((a) => a.agent)).toEqual(["eks", "logs"]);
  });

  it("acknowledges an investigation with nothing to dispatch without an empty agent list, naming every skipped and disabled agent", async () => {
    const skipped = makeFakeSpecialist("slack-history", { kind: "succeed" }, { skipReason: () => "no history" });
    const r = await run([skipped], { disabled: ["discord-history", "cloudwatch-logs"], seconds: 1 });
    expect(r.thread[0]).toBe("notice: 🔎 Investigating `inv-sample-1` — 0/0 agents answered; skipped: slack-history; disabled: discord-history, cloudwatch-logs");
  });

  it("measures each agent's time from when it was asked, whatever the clock says", async () => {
    const r = await run([answering("eks", 2000)], { startAt: 1_000_000, seconds: 3 });
    expect(r.events.find((e) => e.type === "agent_done")).toEqual({ type: "agent_done", agent: "eks", state: "ok", durationMs: 2000, findings: 1 });
    expect(outcomeOf(r.exit).initial.agents[0]?.durationMs).toBe(2000);
  });

  it("an answer without an error carries no error field, in the events, the trace or what synthesis is asked", async () => {
    const requests: Array<SynthesisRequest> = [];
    const r = await run([answering("eks", 1000)], { seconds: 2, synthesize: (request) => Effect.sync(() => void requests.push(request)).pipe(Effect.as(undefined)) });
    const done = r.events.find((e) => e.type === "agent_done");
    expect(done).toStrictEqual({ type: "agent_done", agent: "eks", state: "ok", durationMs: 1000, findings: 1 });
    expect(Object.keys(r.trace.find((e) => e.type === "agent_response")?.data ?? {})).not.toContain("error");
    expect(Object.keys(requests[0]?.outcomes[0] ?? {})).not.toContain("error");
    expect(requests[0]?.outcomes[0]).toMatchObject({ agent: "eks", state: "ok", durationMs: 1000 });
  });
});

describe("runInvestigation: routing and synthesis that take part of their budget", () => {
  it("follows a routing decision that takes a second of the 5-second reserve", async () => {
    const eks = answering("eks", 1000);
    const logs = makeFakeSpecialist("logs", { kind: "succeed" });
    const r = await run([eks, logs], { seconds: 4, route: () => Effect.sleep("1 second").pipe(Effect.as({ agents: ["eks"] })) });
    expect(logs.calls()).toBe(0);
    expect(outcomeOf(r.exit).initial.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["logs", "skipped"]]);
  });

  it("uses a synthesis that takes a second of the reserve, asked with the report's kind and every agent's state (pending ones running)", async () => {
    const requests: Array<string> = [];
    const synthesize: OrchestratorOptions["synthesize"] = (request) =>
      Effect.sleep("1 second").pipe(
        Effect.as({ summary: `synthesised ${request.kind}` }),
        Effect.tap(() => Effect.sync(() => void requests.push(`${request.kind}: ${request.outcomes.map((o) => `${o.agent}=${o.state}`).join(",")}`)))
      );
    const r = await run([answering("eks", 1000), answering("logs", 70_000), hanging("cloudwatch")], { synthesize, hardCutoff: "100 seconds", seconds: 103 });
    expect(outcomeOf(r.exit).initial.summary).toBe("synthesised initial");
    expect(requests).toEqual([
      "initial: eks=ok,logs=running,cloudwatch=running",
      "enrichment: eks=ok,logs=ok,cloudwatch=running",
      "final: eks=ok,logs=ok,cloudwatch=timeout"
    ]);
  });

  it("after a shutdown, gives the partial report's synthesis 2 seconds: one that takes 1 is used, one that takes 3 is not", async () => {
    const withSynthesis = (seconds: number) =>
      run([answering("eks", 1000), hanging("logs")], {
        stopAt: 3,
        seconds: 8,
        synthesize: () => Effect.sleep(Duration.seconds(seconds)).pipe(Effect.as({ summary: `synthesised in ${seconds} s` }))
      });
    const quick = await withSynthesis(1);
    const slow = await withSynthesis(3);
    expect(outcomeOf(quick.exit).final.summary).toBe("Partial report: the server shut down before logs answered; it was stopped. synthesised in 1 s");
    expect(outcomeOf(slow.exit).final.summary).toMatch(/^Partial report: the server shut down before logs answered; it was stopped\. No cause established/);
  });
});

describe("runInvestigation: a shutdown while the last answer waits to be read", () => {
  it("settles the queued answer, posts no update and no shutdown notice, and the final report is whole", async () => {
    // Due at 55 s; the initial report's synthesis takes 3 s; logs answers at 56 s, during it, and the host stops at 57 s.
    const r = await run([answering("eks", 1000), answering("logs", 56_000)], {
      stopAt: 57,
      seconds: 62,
      synthesize: () => Effect.sleep("3 seconds").pipe(Effect.as({ summary: "synthesised" }))
    });
    const outcome = outcomeOf(r.exit);
    expect(outcome.final.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["logs", "ok"]]);
    expect(outcome.final.summary).not.toMatch(/shut down/);
    expect(outcome.enrichments).toBe(0);
    expect(r.thread.filter((t) => !t.startsWith("update:"))).toEqual([
      "notice: 🔎 Investigating `inv-sample-1` — 0/2 agents answered (eks …, logs …)",
      "post: initial|eks=ok,logs=running||No cause established from the evidence gathered. 1 of 2 agents answered, 1 still running."
    ]);
    expect(r.trace.filter((e) => e.type === "decision").at(-1)?.data).toEqual({ shutdown: true, stopped: [], report: "final" });
  });

  it("after the initial report, with no trace store, or one that fails, still returns the final report", async () => {
    const none = await run([answering("eks", 1000), hanging("logs")], { trace: null, stopAt: 60, seconds: 62 });
    expect(outcomeOf(none.exit).final.agents.map((a) => a.state)).toEqual(["ok", "interrupted"]);
    const down = () => Effect.die(new Error("disk gone"));
    const broken: TraceStoreShape = { open: down, append: down, putReport: down, get: down, findByThread: down };
    const failing = await run([answering("eks", 1000), hanging("logs")], { trace: broken, stopAt: 60, seconds: 62 });
    expect(outcomeOf(failing.exit).final.agents.map((a) => a.state)).toEqual(["ok", "interrupted"]);
    expect(failing.logs.filter((l) => l.startsWith("warn trace report write failed"))).toEqual(["warn trace report write failed: disk gone", "warn trace report write failed: disk gone"]);
  });
});

describe("runInvestigation: the cutoff instant", () => {
  it("an answer that arrives at the very instant of a hard cutoff set at the report's due time is too late", async () => {
    // Due at 55 s, and the hard cutoff (50 s) is earlier, so it moves to 55 s too. logs answers while
    // the initial report is being posted, at 55 s: at the cutoff's very instant.
    const posting = Deferred.makeUnsafe<void>();
    const inner = answering("logs", 0);
    const logs: Specialist = { ...inner, investigate: (alert, call) => Deferred.await(posting).pipe(Effect.andThen(inner.investigate(alert, call))) };
    const r = await run([answering("eks", 1000), logs], {
      hardCutoff: "50 seconds",
      seconds: 57,
      wrapChat: (chat) => ({
        ...chat,
        postInThread: (thread, message) =>
          Deferred.succeed(posting, undefined).pipe(Effect.andThen(Effect.yieldNow.pipe(Effect.repeat({ times: 5 }))), Effect.andThen(chat.postInThread(thread, message)))
      })
    });
    const outcome = outcomeOf(r.exit);
    expect(outcome.final.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["logs", "timeout"]]);
    expect(outcome.enrichments).toBe(0);
    expect(r.thread.at(-1)).toBe("notice: ⏱ Hard cutoff reached: logs did not answer and was stopped.");
  });
});

describe("runInvestigation: enrichments", () => {
  it("lists the top hypothesis and the late agent's own, and says the most likely cause is unchanged when it is", async () => {
    const r = await run(
      [
        answering("eks", 1000, { hypotheses: [hypothesis("eks:h1", "db disk full", "high")] }),
        answering("logs", 70_000, { hypotheses: [hypothesis("logs:h1", "bad deploy", "low")] }),
        answering("prom", 80_000, { hypotheses: [hypothesis("prom:h1", "noisy neighbour", "medium")] }),
        answering("late", 90_000, { status: "timeout", findings: [] })
      ],
      { seconds: 91 }
    );
    expect(r.thread.filter((t) => t.startsWith("post: enrichment"))).toEqual([
      "post: enrichment|logs=ok|db disk full;bad deploy|Update: logs answered with 1 findings. Most likely cause unchanged.",
      "post: enrichment|prom=ok|db disk full;noisy neighbour|Update: prom answered with 1 findings. Most likely cause unchanged.",
      "post: enrichment|late=timeout|db disk full|Update: late ended: timeout. Most likely cause unchanged."
    ]);
  });
});
