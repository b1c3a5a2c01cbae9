import { Schema } from "effect";
import { Confidence, NonEmptyString } from "./primitives.js";

/** A candidate root cause, always backed by the findings that support it. */
export const Hypothesis = Schema.Struct({
  id: NonEmptyString,
  title: Schema.String,
  detail: Schema.String,
  confidence: Confidence,
  /** Ids of the findings that support it. */
  supportingFindings: Schema.Array(Schema.String),
  /** What an engineer could check to confirm or refute it. */
  confirmBy: Schema.String,
  /** The agent that proposed it, or `synthesis`. */
  proposedBy: Schema.String,
  /**
   * How far down the causal chain the cause sits: 0 is the symptom the alert describes,
   * larger is deeper. Among equally confident hypotheses the deeper one ranks first.
   */
  depth: Schema.Number,
  /** Causal chain from the root to the symptom, when known (e.g. disk full → db crash → 5xx). */
  chain: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Suggested next actions specific to this cause. */
  actions: Schema.optionalKey(Schema.Array(Schema.String))
});
export type Hypothesis = typeof Hypothesis.Type;
