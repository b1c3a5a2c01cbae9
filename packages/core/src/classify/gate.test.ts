import { Duration, Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { classifyMessage, classifyThreadMention, makeGate } from "./gate.js";
import type { Tier1Rule } from "./Tier1Rule.js";
import { modelTier2 } from "./tier2Model.js";

const AMBIGUOUS = "<@U1> the new build is on the canary hosts";

describe("classification gate", () => {
  it("leaves a message with no signal undecided in tier 1 and investigates it (fail-open)", async () => {
    const gate = makeGate();
    expect(gate.tier1(AMBIGUOUS).decision).toBe("undecided");
    const v = await Effect.runPromise(classifyMessage(AMBIGUOUS));
    expect(v).toMatchObject({ decision: "investigate", tier: 1, rule: "fail-open" });
  });

  it("the kill switch investigates everything as tier 0", async () => {
    const v = await Effect.runPromise(classifyMessage("<@U1> thanks!", { enabled: false }));
    expect(v).toMatchObject({ decision: "investigate", tier: 0, rule: "kill-switch" });
  });

  it("asks tier 2 only for undecided messages and carries its reason", async () => {
    let calls = 0;
    const tier2 = () => {
      calls++;
      return Effect.succeed({ decision: "suppress" as const, reason: "deploy announcement" });
    };
    const decided = await Effect.runPromise(classifyMessage("<@U1> thanks!", { tier2 }));
    expect(decided.tier).toBe(1);
    expect(calls).toBe(0);
    const v = await Effect.runPromise(classifyMessage(AMBIGUOUS, { tier2 }));
    expect(calls).toBe(1);
    expect(v).toMatchObject({ decision: "suppress", tier: 2 });
    expect(v.reasons).toContain("deploy announcement");
  });

  it("investigates when tier 2 fails, dies or answers nonsense", async () => {
    for (const tier2 of [() => Effect.fail("throttled"), () => Effect.die(new Error("crash")), () => Effect.succeed({ decision: "perhaps", reason: "" } as never)]) {
      const v = await Effect.runPromise(classifyMessage(AMBIGUOUS, { tier2 }));
      expect(v).toMatchObject({ decision: "investigate", tier: 2, rule: "fail-open" });
    }
  });

  it("investigates when tier 2 does not answer within its timeout", async () => {
    const program = Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(classifyMessage(AMBIGUOUS, { tier2: () => Effect.never, tier2Timeout: Duration.seconds(2) }));
      yield* TestClock.adjust(Duration.seconds(3));
      return yield* Fiber.join(fiber);
    });
    const v = await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())));
    expect(v).toMatchObject({ decision: "investigate", rule: "fail-open" });
    expect(v.reasons.join(" ")).toMatch(/tier 2 failed/);
  });

  it("uses a ModelPort for tier 2 with a structured answer", async () => {
    const scripted = makeScriptedModel();
    scripted.steps([
      {
        description: "classifier call with a response schema",
        expect: (r) => r.callSite === "classifier" && r.responseSchema !== undefined,
        reply: { content: [{ type: "text", text: '{"decision":"suppress","reason":"a release note"}' }], stopReason: "end_turn", usage: { inputTokens: 90, outputTokens: 12 } }
      }
    ]);
    const v = await Effect.runPromise(classifyMessage(AMBIGUOUS, { tier2: modelTier2(scripted.model) }));
    scripted.verify();
    expect(v).toMatchObject({ decision: "suppress", tier: 2 });
    expect(v.reasons.join(" ")).toMatch(/a release note/);
  });

  it("lets teams add rules by priority, replace builtins by name, and survives a throwing rule", async () => {
    const deployBot: Tier1Rule = {
      name: "deploy-bot",
      priority: 50,
      evaluate: (input) => (input.body.startsWith("Deployed ") ? { decision: "suppress", reason: "deploy bot announcement" } : undefined)
    };
    const v = await Effect.runPromise(classifyMessage("<@U1> Deployed api v1.2 to prod, errors expected to drop", { rules: [deployBot] }));
    expect(v).toMatchObject({ decision: "suppress", rule: "deploy-bot" });

    const noGreeting: Tier1Rule = { name: "greeting", priority: 210, evaluate: () => undefined };
    expect(makeGate({ rules: [noGreeting] }).tier1("<@U1> hi").decision).toBe("undecided");

    const broken: Tier1Rule = {
      name: "broken",
      priority: 1,
      evaluate: () => {
        throw new Error("bug in extension");
      }
    };
    const w = await Effect.runPromise(classifyMessage("<@U1> thanks!", { rules: [broken] }));
    expect(w).toMatchObject({ decision: "investigate", rule: "broken" });
  });

  it("classifies a thread mention by the operator's own words first, and by the thread when they only call the bot", async () => {
    const alert = "[FIRING:1] HighErrorRate checkout 5xx 12%";
    const chatter = "Merry Christmas and happy new year everyone";
    const thread = (parent: string, reply: string, options = {}) => Effect.runPromise(classifyThreadMention(parent, reply, options));
    expect(await thread(chatter, "<@U1> this is broken since the deploy, please look")).toMatchObject({ basis: "reply", verdict: { decision: "investigate", tier: 1 } });
    const fixed = await thread(alert, "<@U1> thanks, fixed");
    expect(fixed).toMatchObject({ basis: "reply", verdict: { decision: "suppress", rule: "recovery" } });
    expect(fixed.verdict.reasons[0]).toMatch(/^the reply in the thread: /);
    for (const reply of ["<@U1>", "<@U1> hi", "<@U1> can you look at this one?", "<@U1> same here", "<@U1> 👀"]) {
      expect(await thread(alert, reply), reply).toMatchObject({ basis: "thread", verdict: { decision: "investigate" } });
      expect(await thread(chatter, reply), reply).toMatchObject({ basis: "thread", verdict: { decision: "suppress" } });
    }
    expect(await thread(alert, "<@U1> thanks, but investigate anyway")).toMatchObject({ basis: "reply", verdict: { decision: "investigate", rule: "override" } });
    expect(await thread(chatter, "<@U1> thanks, fixed", { enabled: false })).toMatchObject({ verdict: { decision: "investigate", tier: 0 } });
  });

  it("keeps the override and empty-mention guards ahead of every extension rule", () => {
    const suppressAll: Tier1Rule = { name: "mute", priority: -1000, evaluate: () => ({ decision: "suppress", reason: "muted" }) };
    const investigateAll: Tier1Rule = { name: "loud", priority: -1000, evaluate: () => ({ decision: "investigate", reason: "loud" }) };
    expect(makeGate({ rules: [suppressAll] }).tier1("<@U1> please investigate").decision).toBe("investigate");
    expect(makeGate({ rules: [investigateAll] }).tier1("<@U1>  ").decision).toBe("suppress");
  });
});
