import type { TelemetryShape } from "@sre-on-call/core";
import { Effect } from "effect";

/**
 * Several telemetries as one: a log line goes to each, and a span is opened in each, the first
 * outermost, so each sees the same nesting (and the investigation context its spans set).
 */
export const combineTelemetry = (...telemetries: ReadonlyArray<TelemetryShape>): TelemetryShape => ({
  log: (level, message, fields) => Effect.forEach(telemetries, (t) => t.log(level, message, fields), { discard: true }),
  span: (name, attributes, effect) => telemetries.reduceRight((inner, t) => t.span(name, attributes, inner), effect)
});
