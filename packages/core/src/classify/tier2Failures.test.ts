/**
 * Tier 2 may fail in every way a model call can: throw before it starts, fail, die, answer
 * nonsense, or never answer. Each one must fail open (investigate), and the production default
 * timeout (no `tier2Timeout` given, as every deployment runs) must be five seconds, not more.
 */
import { Effect, Exit, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import { classifyMessage, type GateOptions, type Tier2Classifier } from "./gate.js";
import type { Verdict } from "./Verdict.js";

/** No tier-1 rule at all, so every ordinary message reaches tier 2. */
const NO_RULES: GateOptions = { withoutBuiltins: true, rules: [] };
const TEXT = "payments latency looks odd since noon, p99 around 2s";

const classify = (tier2: Tier2Classifier) => Effect.runPromise(classifyMessage(TEXT, { ...NO_RULES, tier2 }));

const failedOpen = (v: Verdict) => ({ decision: v.decision, tier: v.tier, rule: v.rule, failed: v.reasons.some((r) => /^tier 2 failed \(/.test(r)) });

describe("tier-2 failures fail open", () => {
  it("reaches tier 2 with the text (the probe is not vacuous)", async () => {
    const seen: Array<string> = [];
    const v = await classify(({ text }) => Effect.sync(() => (seen.push(text), { decision: "suppress" as const, reason: "model: chatter" })));
    expect(seen).toEqual([TEXT]);
    expect(v).toMatchObject({ decision: "suppress", tier: 2 });
  });

  it("a classifier that throws synchronously, before returning an effect", async () => {
    const v = await classify(() => {
      throw new Error("SDK client not initialised");
    });
    expect(failedOpen(v)).toEqual({ decision: "investigate", tier: 2, rule: "fail-open", failed: true });
  });

  it("a classifier whose effect fails, dies, or rejects", async () => {
    const failing: ReadonlyArray<Tier2Classifier> = [
      () => Effect.fail(new Error("ThrottlingException")),
      () => Effect.die(new Error("decoder crashed")),
      () => Effect.promise(() => Promise.reject(new Error("socket hang up")))
    ];
    for (const tier2 of failing) expect(failedOpen(await classify(tier2))).toEqual({ decision: "investigate", tier: 2, rule: "fail-open", failed: true });
  });

  it("a classifier that answers with no decision", async () => {
    const v = await classify(() => Effect.succeed({ decision: "maybe" as unknown as "suppress", reason: "" }));
    expect(v).toMatchObject({ decision: "investigate", tier: 2, rule: "fail-open" });
  });

  it("never says what a failing model echoed back: the reason is redacted and cut", async () => {
    const v = await classify(() => Effect.fail(new Error(`bad request for key AKIAQ3EGV7EXAMPL3K3Y ${"x".repeat(400)}`)));
    const reason = v.reasons.find((r) => r.startsWith("tier 2 failed"))!;
    expect(reason).not.toContain("AKIAQ3EGV7EXAMPL3K3Y");
    expect(reason.length).toBeLessThan(260);
  });

  it("a classifier that never answers is given up on at the production default of 5 s, and an answer at 4.9 s is used", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const hung = yield* Effect.forkChild(classifyMessage(TEXT, { ...NO_RULES, tier2: () => Effect.never }));
        yield* TestClock.adjust("4999 millis");
        const before = hung.pollUnsafe();
        yield* TestClock.adjust("1 millis");
        const after = yield* Fiber.join(hung);
        const slow = yield* Effect.forkChild(classifyMessage(TEXT, { ...NO_RULES, tier2: () => Effect.succeed({ decision: "suppress" as const, reason: "model: chatter" }).pipe(Effect.delay("4900 millis")) }));
        yield* TestClock.adjust("4900 millis");
        const answered = yield* Fiber.join(slow);
        return { before, after, answered };
      }).pipe(Effect.provide(TestClock.layer()))
    );
    expect(result.before).toBeUndefined();
    expect(failedOpen(result.after)).toEqual({ decision: "investigate", tier: 2, rule: "fail-open", failed: true });
    expect(result.answered).toMatchObject({ decision: "suppress", tier: 2 });
  });

  it("a configured timeout replaces the default", async () => {
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        const hung = yield* Effect.forkChild(classifyMessage(TEXT, { ...NO_RULES, tier2: () => Effect.never, tier2Timeout: "200 millis" }));
        yield* TestClock.adjust("200 millis");
        return yield* Fiber.await(hung);
      }).pipe(Effect.provide(TestClock.layer()))
    );
    expect(Exit.isSuccess(exit) && exit.value.rule).toBe("fail-open");
  });
});
