import type { Attributes, LogLevel, RedactOptions, TelemetryShape } from "@sre-on-call/core";
import { redactSecrets } from "@sre-on-call/core";
import { Clock, Effect, Exit, References } from "effect";
import { pino } from "pino";
import { CurrentInvestigationId, inSpanInvestigation } from "./investigationContext.js";
import { sanitizeFields } from "./sanitizeFields.js";

/** Where the JSON lines go: anything with a `write(line)` (a pino destination, a stream, a test's collector). */
export interface LogDestination {
  readonly write: (line: string) => unknown;
}

export interface PinoTelemetryOptions {
  /** Default: standard output, written synchronously (no lost lines when a Lambda freezes). */
  readonly destination?: LogDestination;
  /** The lowest level written. Default `info`. */
  readonly level?: LogLevel;
  /** Fields on every line, e.g. `{ service: "sre-on-call", environment: "prod" }`. Default none. */
  readonly base?: Readonly<Record<string, unknown>>;
  /** Extra secret patterns (config `redaction.patterns`). */
  readonly redact?: RedactOptions;
}

/**
 * Structured JSON logs, one line per call: `level` (label), `time` (ISO-8601), `msg`, the
 * investigation id of the current fiber (`withInvestigationId`, or a span whose attributes carry
 * `investigationId`), Effect log annotations, then the call's fields — all with secrets
 * redacted before they are written. Spans add nothing but that context and a `debug` line
 * with their duration and outcome when they end.
 */
export const makePinoTelemetry = (options: PinoTelemetryOptions = {}): TelemetryShape => {
  const redact = options.redact ?? {};
  const base = sanitizeFields(options.base ?? {}, redact);
  const logger = pino(
    {
      level: options.level ?? "info",
      base,
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) }
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true })
  );

  const log = (level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}): Effect.Effect<void> =>
    Effect.gen(function* () {
      if (!logger.isLevelEnabled(level)) return;
      const investigationId = yield* CurrentInvestigationId;
      const annotations = yield* References.CurrentLogAnnotations;
      const line = sanitizeFields({ ...annotations, ...(investigationId === undefined ? {} : { investigationId }), ...fields }, redact);
      const text = redactSecrets(typeof message === "string" ? message : String(message), redact);
      yield* Effect.sync(() => {
        try {
          logger[level](line, text);
        } catch {
          // A broken destination must not break the work being logged.
        }
      });
    });

  const span = <A, E, R>(name: string, attributes: Attributes, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    inSpanInvestigation(
      attributes,
      Effect.gen(function* () {
        const start = yield* Clock.currentTimeMillis;
        return yield* Effect.onExit(effect, (exit) =>
          Effect.flatMap(Clock.currentTimeMillis, (end) =>
            log("debug", "span end", {
              span: name,
              durationMs: end - start,
              outcome: Exit.isSuccess(exit) ? "ok" : Exit.hasInterrupts(exit) ? "interrupted" : "error",
              ...attributes
            })
          )
        );
      })
    );

  return { log, span };
};
