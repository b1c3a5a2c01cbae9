import { Effect } from "effect";
import fc from "fast-check";
import { type GateOptions, makeGate } from "../classify/gate.js";
import type { Verdict } from "../classify/Verdict.js";

/** A bot mention as Slack or Discord delivers it: `<@U06SREBOT1>`, `<@U1|name>`, `<@123…>`, `<@!123…>`. */
export const botMentionArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^U[A-Z0-9]{8,10}$/).map((id) => `<@${id}>`),
  fc.tuple(fc.stringMatching(/^U[A-Z0-9]{8,10}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)).map(([id, name]) => `<@${id}|${name}>`),
  fc.stringMatching(/^[1-9][0-9]{16,18}$/).map((id) => `<@${id}>`),
  fc.stringMatching(/^[1-9][0-9]{16,18}$/).map((id) => `<@!${id}>`)
);

/** Whitespace the platforms leave around a mention. */
export const mentionSpaceArb: fc.Arbitrary<string> = fc.constantFrom("", " ", "  ", "\n", " \u00a0", "\t");

/** Wraps any text in a leading bot mention, as a mention event's `text` looks. */
export const withBotMention = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(botMentionArb, mentionSpaceArb, text).map(([mention, space, body]) => `${mention}${space === "" ? " " : space}${body}`);

/** Arbitrary Unicode, including astral planes, combining marks, RTL and zero-width characters. */
export const unicodeTextArb = (maxLength = 500): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "grapheme", maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc.array(fc.constantFrom("\u200b", "\u200d", "\u202e", "\ufeff", "\u0301", "&amp;", "<", ">", "|", "<!here>", "<@U1>", ":", "`", "*", "💥", "🚨", " ", "\n"), { maxLength }).map((a) => a.join(""))
  );

/**
 * Texts that contain the override word somewhere, in any case, among arbitrary text. Chat
 * platforms deliver a typed `<` or `>` as `&lt;`/`&gt;`: raw ones are markup (`<!here>`, `<@U1>`),
 * and a word inside markup is not a word the person typed, so the arbitrary text escapes them.
 */
export const overrideTextArb: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 200 }), fc.constantFrom("investigate", "Investigate", "INVESTIGATE", "InVeStIgAtE"), fc.string({ maxLength: 200 }))
  .map(([before, word, after]) => {
    const typed = (s: string) => s.replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return `${typed(before)} ${word} ${typed(after)}`;
  });

/** A message that is only mentions and whitespace. */
export const emptyMentionArb: fc.Arbitrary<string> = fc
  .array(fc.tuple(botMentionArb, mentionSpaceArb), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([m, s]) => `${m}${s}`).join(""));

const run = (gateOptions: GateOptions, text: string): Verdict => {
  const gate = makeGate(gateOptions);
  return Effect.runSync(gate.classify(text, gateOptions));
};

export interface GateInvariantOptions {
  /** fast-check runs per property. Default 200. */
  readonly numRuns?: number;
  /** Also check inputs up to 100 KB (slower). Default true. */
  readonly largeInputs?: boolean;
}

/**
 * Asserts the gate's invariants hold with the given options (for instance your own tier-1
 * rules installed): the override always investigates, a mention with no other text is chatter,
 * any Unicode input up to 100 KB gets a verdict with reasons and never throws, a failing
 * tier 2 investigates, and the kill switch investigates everything. Throws a fast-check
 * counterexample report on the first violation, so it fits any test runner.
 */
export const checkGateInvariants = (gateOptions: Omit<GateOptions, "enabled" | "tier2"> = {}, options: GateInvariantOptions = {}): void => {
  const numRuns = options.numRuns ?? 200;
  const gate = makeGate(gateOptions);

  fc.assert(
    fc.property(fc.oneof(overrideTextArb, withBotMention(overrideTextArb)), (text) => {
      const v = Effect.runSync(gate.classify(text));
      return v.decision === "investigate" && v.reasons.length > 0;
    }),
    { numRuns }
  );

  fc.assert(
    fc.property(emptyMentionArb, (text) => {
      const v = Effect.runSync(gate.classify(text));
      return v.decision === "suppress" && v.tier === 1;
    }),
    { numRuns }
  );

  fc.assert(
    fc.property(fc.oneof(unicodeTextArb(), withBotMention(unicodeTextArb())), (text) => {
      const v = Effect.runSync(gate.classify(text));
      return (v.decision === "investigate" || v.decision === "suppress") && v.reasons.length > 0 && v.reasons.every((r) => r.length > 0);
    }),
    { numRuns }
  );

  if (options.largeInputs !== false) {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 64 }), fc.integer({ min: 1_000, max: 100_000 }), (unit, size) => {
        const text = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
        const v = Effect.runSync(gate.classify(text));
        return v.reasons.length > 0;
      }),
      { numRuns: Math.max(5, Math.floor(numRuns / 20)) }
    );
  }

  // A tier 2 that fails, dies or answers garbage never suppresses a message tier 1 left open.
  const failing = [
    () => Effect.fail("model unavailable"),
    () => Effect.die(new Error("boom")),
    () => Effect.succeed({ decision: "maybe", reason: "" } as never)
  ];
  fc.assert(
    fc.property(fc.oneof(unicodeTextArb(200), withBotMention(unicodeTextArb(200))), fc.constantFrom(...failing), (text, tier2) => {
      const first = gate.tier1(text);
      const v = run({ ...gateOptions, tier2 }, text);
      return first.decision !== "undecided" || v.decision === "investigate";
    }),
    { numRuns }
  );

  fc.assert(
    fc.property(unicodeTextArb(200), (text) => run({ ...gateOptions, enabled: false }, text).decision === "investigate"),
    { numRuns: Math.max(10, Math.floor(numRuns / 4)) }
  );
};
