import { decodeUnknown } from "@sre-on-call/core";
import { Schema } from "effect";

/**
 * `expected.json` of an evaluation scenario. A superset of the EKS scenarios' format
 * (`examples/scenarios`), so those directories are read as they are.
 */
export const Expectation = Schema.Struct({
  rootCause: Schema.Struct({
    /**
     * Every term must appear, case-insensitively, in the top hypothesis's title, detail or causal
     * chain. A term may list alternatives separated by `|`: `"disk full|no space left"`.
     */
    requiredTerms: Schema.Array(Schema.String)
  }),
  /** The workload the alert is about, `namespace/name`. */
  affected: Schema.String,
  /** Terms that must not appear in the top hypothesis (a hypothesis naming one does not name the true cause). Alternatives with `|` too. */
  forbidden: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Nothing is wrong: a hit is a report with no high-confidence hypothesis. */
  noHighConfidence: Schema.optionalKey(Schema.Literal(true)),
  /** For people reading the scenario; not scored. */
  description: Schema.optionalKey(Schema.String),
  /** When a plain-text alert (alert.txt) was posted, ISO 8601. */
  alertTime: Schema.optionalKey(Schema.String)
});
export type Expectation = typeof Expectation.Type;

export const decodeExpectation = decodeUnknown(Expectation, "expected.json");
