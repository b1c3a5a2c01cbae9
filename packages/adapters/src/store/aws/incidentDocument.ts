import type { IncidentRecord } from "@sre-on-call/core";
import { Confidence, Entities, EpochMillis, Severity } from "@sre-on-call/core";
import { Result, Schema } from "effect";

/**
 * The full incident as stored in S3: exactly the port's `IncidentRecord`, as JSON. Reading it
 * back goes through this schema, so an object someone edited by hand or a future format never
 * reaches the caller as a malformed record.
 */
export const IncidentRecordJson = Schema.Struct({
  investigationId: Schema.String.pipe(Schema.check(Schema.isMinLength(1))),
  recordedAt: EpochMillis,
  title: Schema.String,
  alertText: Schema.String,
  entities: Entities,
  severity: Severity,
  channelId: Schema.String,
  threadId: Schema.String,
  threadLink: Schema.optionalKey(Schema.String),
  topHypothesis: Schema.optionalKey(Schema.Struct({ title: Schema.String, confidence: Confidence })),
  outcome: Schema.optionalKey(
    Schema.Struct({ resolvedAt: EpochMillis, rootCause: Schema.optionalKey(Schema.String), notes: Schema.optionalKey(Schema.String) })
  )
});

// Both directions must hold, so the schema and the port's interface cannot drift apart unnoticed.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameShape: Same<typeof IncidentRecordJson.Type, IncidentRecord> = true;
void sameShape;

/** Investigation ids become DynamoDB keys and S3 key segments; these bounds keep both valid. */
export const MAX_ID_LENGTH = 512;

export const validId = (id: string): boolean => id.length > 0 && id.length <= MAX_ID_LENGTH;

const firstLine = (message: string) => message.split("\n")[0] ?? message;

/** The record as it is stored, or why it cannot be. */
export const checkIncidentRecord = (record: unknown): Result.Result<IncidentRecord, string> => {
  const decoded = Schema.decodeUnknownResult(IncidentRecordJson)(record, { errors: "first", onExcessProperty: "ignore" });
  if (Result.isFailure(decoded)) return Result.fail(`invalid incident record: ${firstLine(decoded.failure.message)}`);
  return validId(decoded.success.investigationId)
    ? Result.succeed(decoded.success)
    : Result.fail(`invalid incident record: investigationId is longer than ${MAX_ID_LENGTH} characters`);
};

/** Parses an S3 object's text; `key` only names the object in the reason. */
export const parseIncidentDocument = (text: string, key: string): Result.Result<IncidentRecord, string> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return Result.fail(`s3 object ${key} is not JSON`);
  }
  return Result.mapError(checkIncidentRecord(json), (reason) => `s3 object ${key}: ${reason}`);
};

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * `<prefix>/<yyyy>/<mm>/<id>.json`, the month of `recordedAt` in UTC, so a bucket listing and
 * lifecycle rules can work by month. The id is URI-encoded: it may hold `/` or other
 * characters S3 treats specially.
 */
export const incidentObjectKey = (prefix: string, record: Pick<IncidentRecord, "investigationId" | "recordedAt">): string => {
  const at = new Date(record.recordedAt);
  const path = `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${encodeURIComponent(record.investigationId)}.json`;
  return prefix === "" ? path : `${prefix}/${path}`;
};

/** Trailing and leading slashes dropped: `"incidents/"` and `"/incidents"` both mean `incidents`. */
export const normalizePrefix = (prefix: string): string => prefix.replace(/^\/+|\/+$/g, "");
