import { Schema } from "effect";

/** Milliseconds since the Unix epoch. Every timestamp in the domain uses this unit. */
export const EpochMillis = Schema.Number.pipe(Schema.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(0)));
export type EpochMillis = typeof EpochMillis.Type;

export const NonNegative = Schema.Number.pipe(Schema.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(0)));

export const NonEmptyString = Schema.String.pipe(Schema.check(Schema.isMinLength(1)));

export const Platform = Schema.Literals(["slack", "discord", "alertmanager", "grafana", "cli"]);
export type Platform = typeof Platform.Type;

/** Ordered from most to least severe; `severityRank` gives the order. */
export const Severity = Schema.Literals(["critical", "high", "medium", "low", "info"]);
export type Severity = typeof Severity.Type;

export const SEVERITIES: ReadonlyArray<Severity> = ["critical", "high", "medium", "low", "info"];

/** 0 for critical … 4 for info: lower is worse. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const worstSeverity = (values: Iterable<Severity>, fallback: Severity = "info"): Severity => {
  let best = fallback;
  for (const v of values) if (severityRank(v) < severityRank(best)) best = v;
  return best;
};

export const Confidence = Schema.Literals(["high", "medium", "low"]);
export type Confidence = typeof Confidence.Type;

export const CONFIDENCES: ReadonlyArray<Confidence> = ["high", "medium", "low"];
export const confidenceRank = (c: Confidence): number => CONFIDENCES.indexOf(c);

export const StringMap = Schema.Record(Schema.String, Schema.String);
export type StringMap = typeof StringMap.Type;

export const JsonRecord = Schema.Record(Schema.String, Schema.Unknown);
export type JsonRecord = typeof JsonRecord.Type;

export const TimeWindow = Schema.Struct({ start: EpochMillis, end: EpochMillis }).pipe(
  Schema.check(
    Schema.makeFilter((w: { start: number; end: number }) =>
      w.start <= w.end ? undefined : "window start must not be after its end"
    )
  )
);
export type TimeWindow = typeof TimeWindow.Type;

export const Link = Schema.Struct({ label: Schema.String, url: Schema.String });
export type Link = typeof Link.Type;
