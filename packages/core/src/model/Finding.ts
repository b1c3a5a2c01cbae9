import { Schema } from "effect";
import { EpochMillis, JsonRecord, NonEmptyString, Severity } from "./primitives.js";

/**
 * One piece of evidence an agent observed. `id` is unique within an investigation
 * (by convention `<agent>:<n>`) so hypotheses and syntheses can cite it.
 */
export const Finding = Schema.Struct({
  id: NonEmptyString,
  agent: NonEmptyString,
  /** Where it was seen: `kubernetes/pod/payments/api-7d9`, `cloudwatch:/aws/lambda/x`, `prometheus`. */
  source: Schema.String,
  timestamp: EpochMillis,
  content: Schema.String,
  severity: Severity,
  metadata: JsonRecord,
  deepLink: Schema.optionalKey(Schema.String)
});
export type Finding = typeof Finding.Type;
