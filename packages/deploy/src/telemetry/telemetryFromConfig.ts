import { combineTelemetry, type LogDestination, makePinoTelemetry } from "@sre-on-call/adapters";
import { makeRedactor, type RedactOptions, type TelemetryShape } from "@sre-on-call/core";
import { Result } from "effect";
import type { AppConfig } from "../config/AppConfig.js";
import { makeOtelTelemetry, type OtelConfigError, otlpEndpointFrom } from "./OtelTelemetry.js";

export interface HostTelemetry {
  readonly telemetry: TelemetryShape;
  /** Whether spans are exported (an OTLP endpoint is configured). */
  readonly tracing: boolean;
  /** Sends the spans ended so far; call before a Lambda invocation returns. Never rejects. */
  readonly flush: () => Promise<void>;
  readonly shutdown: () => Promise<void>;
}

export interface TelemetryHostOptions {
  /** Where log lines go. Default standard output. */
  readonly destination?: LogDestination;
  /** Fields on every log line besides `service` and `environment`. */
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * The telemetry a host runs with, from config.yaml's `telemetry` section and the OTEL_*
 * environment: pino JSON logs at `log_level` (with `service` and `environment` on every line,
 * secrets redacted with `redaction.patterns` too), plus OTLP traces when an endpoint is
 * configured (see `otlpEndpointFrom`), else none.
 */
export const telemetryFromConfig = (
  config: Pick<AppConfig, "telemetry" | "environment" | "redaction">,
  env: Readonly<Record<string, string | undefined>>,
  options: TelemetryHostOptions = {}
): Result.Result<HostTelemetry, OtelConfigError> => {
  // Config validation already rejected unusable patterns; the same redactor is used everywhere.
  const redactor = makeRedactor(config.redaction.patterns);
  const redact: RedactOptions = { extra: Result.isSuccess(redactor) ? redactor.success.extra : [] };
  const logs = makePinoTelemetry({
    level: config.telemetry.log_level,
    base: { service: config.telemetry.service_name, environment: config.environment, ...options.base },
    redact,
    ...(options.destination === undefined ? {} : { destination: options.destination })
  });
  const endpoint = otlpEndpointFrom(config.telemetry.otlp_endpoint, env);
  const otel = makeOtelTelemetry({
    serviceName: config.telemetry.service_name,
    exporter: endpoint === undefined ? "none" : "otlp",
    ...(endpoint === undefined ? {} : { otlpEndpoint: endpoint }),
    resourceAttributes: { "deployment.environment": config.environment },
    level: config.telemetry.log_level,
    redact
  });
  if (Result.isFailure(otel)) return Result.fail(otel.failure);
  return Result.succeed({
    telemetry: endpoint === undefined ? logs : combineTelemetry(logs, otel.success),
    tracing: endpoint !== undefined,
    flush: otel.success.flush,
    shutdown: otel.success.shutdown
  });
};
