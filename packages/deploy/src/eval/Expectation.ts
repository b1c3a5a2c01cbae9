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
  alertTime: Schema.optionalKey(Schema.String),
  /**
   * Where a real-material case comes from (a URL, `owner/repo#issue` or `owner/repo:path`). Cases
   * with a source are real material; only they count toward an accuracy claim.
   */
  source: Schema.optionalKey(Schema.String),
  /** The failure class the case exercises (`scope`, `evidence`, `logs`, `symptom`, `dependency`, `healthy`…), for per-class numbers. */
  class: Schema.optionalKey(Schema.String),
  /** What had to be assumed to turn the pasted material into a case (neutral values for missing fields…). */
  assumptions: Schema.optionalKey(Schema.Array(Schema.String)),
  /**
   * The evidence holds the cause only in a form deterministic analysis cannot reach: without a
   * model, the honest answer is no high-confidence hypothesis (an abstention), which counts as a hit.
   */
  needsModel: Schema.optionalKey(Schema.Literal(true))
});
export type Expectation = typeof Expectation.Type;

export const decodeExpectation = decodeUnknown(Expectation, "expected.json");
