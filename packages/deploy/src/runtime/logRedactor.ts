import { makeRedactor, redactDeep } from "@sre-on-call/core";
import { Result } from "effect";

/**
 * Redacts the fields of a JSON log line with the built-in detectors and `redaction.patterns`.
 * An unusable pattern falls back to the built-in ones here: startup reports it properly.
 */
export const logRedactor = (patterns: ReadonlyArray<string>): (<A>(fields: A) => A) => {
  const redactor = makeRedactor(patterns);
  return Result.isSuccess(redactor) ? redactor.success.redactDeep : <A>(fields: A): A => redactDeep(fields);
};
