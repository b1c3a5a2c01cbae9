import { Context } from "effect";
import type { Effect } from "effect";

export type LogLevel = "debug" | "info" | "warn" | "error";

export type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface TelemetryShape {
  /** A structured log line. Never fails: telemetry must not break the work it observes. */
  readonly log: (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => Effect.Effect<void>;
  /** Runs `effect` inside a span named `name`. */
  readonly span: <A, E, R>(name: string, attributes: Attributes, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>;
}

export class Telemetry extends Context.Service<Telemetry, TelemetryShape>()("sre-on-call/Telemetry") {}
