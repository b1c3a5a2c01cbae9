import { Result, Schema } from "effect";
import { redactDeep, redactSecrets } from "./redactSecrets.js";

/** A configured redaction pattern is not usable. The message names it, never the text it would redact. */
export class InvalidRedactionPattern extends Schema.TaggedError<InvalidRedactionPattern>()("InvalidRedactionPattern", {
  index: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `redaction.patterns[${this.index}]: ${this.reason}`;
  }
}

export interface Redactor {
  /** The text with every builtin and extra pattern's matches replaced by `[REDACTED]`. */
  readonly redact: (text: string) => string;
  /** Every string inside a JSON-like value redacted. */
  readonly redactDeep: <A>(value: A) => A;
  readonly extra: ReadonlyArray<RegExp>;
}

const MAX_PATTERN_LENGTH = 500;
// Nested quantifiers such as (a+)+ or (\w*)* backtrack exponentially on a near-miss.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]/;

const compile = (pattern: RegExp | string, index: number): Result.Result<RegExp, InvalidRedactionPattern> => {
  const source = typeof pattern === "string" ? pattern : pattern.source;
  const fail = (reason: string) => Result.fail(new InvalidRedactionPattern({ index, reason }));
  if (source.trim() === "") return fail("the pattern is empty");
  if (source.length > MAX_PATTERN_LENGTH) return fail(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (NESTED_QUANTIFIER.test(source)) return fail("nested quantifiers such as (a+)+ can take exponential time; rewrite the pattern without them");
  let re: RegExp;
  try {
    re = typeof pattern === "string" ? new RegExp(pattern, "g") : new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  } catch (error) {
    return fail(`not a valid regular expression (${error instanceof Error ? error.message : "syntax error"})`);
  }
  re.lastIndex = 0;
  if (re.test("")) return fail("the pattern matches the empty string, which would redact nothing useful and everything in between");
  re.lastIndex = 0;
  return Result.succeed(re);
};

/**
 * A redactor with the builtin secret patterns plus configured ones (config `redaction.patterns`,
 * strings are regular-expression sources). Fails on the first unusable pattern, with its index.
 */
export const makeRedactor = (extraPatterns: ReadonlyArray<RegExp | string> = []): Result.Result<Redactor, InvalidRedactionPattern> => {
  const extra: Array<RegExp> = [];
  for (const [i, p] of extraPatterns.entries()) {
    const compiled = compile(p, i);
    if (Result.isFailure(compiled)) return Result.fail(compiled.failure);
    extra.push(compiled.success);
  }
  const options = { extra };
  return Result.succeed({
    redact: (text: string) => redactSecrets(text, options),
    redactDeep: <A>(value: A): A => redactDeep(value, options),
    extra
  });
};
