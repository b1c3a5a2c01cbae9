import { Result, Schema } from "effect";
import type { Tier1Rule } from "./Tier1Rule.js";

/** A team's own tier-1 rule as `config.yaml` (`classifier.rules`) declares it. */
export interface PatternRuleSpec {
  /** Unique; naming a builtin rule replaces it. */
  readonly name: string;
  /** A JavaScript regular expression, matched case-insensitively against the message without its mentions. */
  readonly pattern: string;
  readonly decision: "investigate" | "suppress";
  /** Lower runs first; the builtins use 100–399 (alert-tool formats, chatter, free-text alert signals). */
  readonly priority: number;
  /** Shown in the verdict; defaults to "matched classifier rule <name>". */
  readonly reason?: string;
}

/** A configured rule that cannot be used. The message names it by index and name, never a message it would match. */
export class InvalidPatternRule extends Schema.TaggedError<InvalidPatternRule>()("InvalidPatternRule", {
  index: Schema.Number,
  name: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `classifier.rules[${this.index}]${this.name === "" ? "" : ` (${this.name})`}: ${this.reason}`;
  }
}

const MAX_PATTERN_LENGTH = 500;
// Nested quantifiers such as (a+)+ or (\w*)* backtrack exponentially on a near-miss: one chat
// message must never stall the gate.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]/;

/**
 * Turns configured pattern rules into tier-1 rules, checking each: a unique non-empty name, a
 * pattern that compiles, is at most 500 characters, has no nested quantifiers and does not match
 * the empty string, a known decision and a finite priority. Fails on the first unusable rule.
 */
export const compilePatternRules = (specs: ReadonlyArray<PatternRuleSpec>): Result.Result<ReadonlyArray<Tier1Rule>, InvalidPatternRule> => {
  const rules: Array<Tier1Rule> = [];
  const names = new Set<string>();
  for (const [index, spec] of specs.entries()) {
    const fail = (reason: string) => Result.fail(new InvalidPatternRule({ index, name: typeof spec.name === "string" ? spec.name.slice(0, 60) : "", reason }));
    if (typeof spec.name !== "string" || spec.name.trim() === "") return fail("needs a name");
    if (names.has(spec.name)) return fail("another rule has the same name; names must be unique");
    if (spec.decision !== "investigate" && spec.decision !== "suppress") return fail('decision must be "investigate" or "suppress"');
    if (typeof spec.priority !== "number" || !Number.isFinite(spec.priority)) return fail("priority must be a number (the builtins use 100–399; lower runs first)");
    if (typeof spec.pattern !== "string" || spec.pattern.trim() === "") return fail("the pattern is empty");
    if (spec.pattern.length > MAX_PATTERN_LENGTH) return fail(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    if (NESTED_QUANTIFIER.test(spec.pattern)) return fail("nested quantifiers such as (a+)+ can take exponential time; rewrite the pattern without them");
    let re: RegExp;
    try {
      re = new RegExp(spec.pattern, "i");
    } catch (error) {
      return fail(`not a valid regular expression (${error instanceof Error ? error.message : "syntax error"})`);
    }
    if (re.test("")) return fail("the pattern matches the empty string, so it would decide every message");
    names.add(spec.name);
    const reason = spec.reason !== undefined && spec.reason.trim() !== "" ? spec.reason : `matched classifier rule ${spec.name}`;
    const decision = spec.decision;
    rules.push({ name: spec.name, priority: spec.priority, evaluate: (input) => (re.test(input.body) ? { decision, reason } : undefined) });
  }
  return Result.succeed(rules);
};
