import { Effect, Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeGate } from "./gate.js";
import { compilePatternRules, type PatternRuleSpec } from "./patternRules.js";

const rule = (over: Partial<PatternRuleSpec> = {}): PatternRuleSpec => ({ name: "deploy-bot", pattern: "^deployed build #\\d+ to (staging|prod)", decision: "suppress", priority: 150, reason: "our deploy bot's announcement", ...over });

const compiled = (specs: ReadonlyArray<PatternRuleSpec>) => {
  const r = compilePatternRules(specs);
  if (Result.isFailure(r)) throw new Error(r.failure.message);
  return r.success;
};

describe("classifier.rules: a team's own pattern rules", () => {
  it("decide with their reason, case-insensitively, on the message without its mentions", () => {
    const gate = makeGate({ rules: compiled([rule()]) });
    const v = gate.tier1("<@U0BOT> Deployed build #4711 to PROD");
    expect(v).toMatchObject({ decision: "suppress", rule: "deploy-bot", reasons: ["our deploy bot's announcement"] });
    expect(gate.tier1("<@U0BOT> checkout returns 502 since the deploy").decision).toBe("investigate");
  });

  it("cannot silence the investigate override", async () => {
    const gate = makeGate({ rules: compiled([rule({ name: "mute", pattern: ".", priority: -1000 })]) });
    expect((await Effect.runPromise(gate.classify("<@U0BOT> investigate deployed build #1 to prod"))).decision).toBe("investigate");
  });

  it("refuses what would hang, match everything or confuse, naming the rule and the fix", () => {
    const cases: ReadonlyArray<[PatternRuleSpec, RegExp]> = [
      [rule({ pattern: "(a+)+$" }), /classifier\.rules\[0\] \(deploy-bot\): nested quantifiers/],
      [rule({ pattern: "x*" }), /matches the empty string/],
      [rule({ pattern: "([" }), /not a valid regular expression/],
      [rule({ pattern: "" }), /the pattern is empty/],
      [rule({ pattern: "a".repeat(501) }), /longer than 500/],
      [rule({ name: " " }), /needs a name/],
      [rule({ priority: Number.NaN }), /priority must be a number/],
      [rule({ decision: "maybe" as never }), /decision must be "investigate" or "suppress"/]
    ];
    for (const [spec, message] of cases) {
      const r = compilePatternRules([spec]);
      expect(Result.isFailure(r) && r.failure.message, spec.pattern).toMatch(message);
    }
    const dup = compilePatternRules([rule(), rule()]);
    expect(Result.isFailure(dup) && dup.failure.message).toMatch(/classifier\.rules\[1\] \(deploy-bot\): another rule has the same name/);
  });

  it("a compiled rule never throws and stays fast on any message (property)", () => {
    const gate = makeGate({ rules: compiled([rule(), rule({ name: "db", pattern: "\\bdb-[a-z0-9-]{1,40}\\b.*timeout", decision: "investigate", priority: 320 })]) });
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), (text) => {
        const v = gate.tier1(text);
        expect(["investigate", "suppress", "undecided"]).toContain(v.decision);
      }),
      { numRuns: 300 }
    );
  });
});
