import { ROOT_CONTEXT, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { CurrentInvestigationId, inSpanInvestigation, sanitizeFields } from "@sre-on-call/adapters";
import type { Attributes, LogLevel, RedactOptions, TelemetryShape } from "@sre-on-call/core";
import { redactSecrets } from "@sre-on-call/core";
import { Cause, Context, Effect, Exit, Result, Schema } from "effect";

export interface OtelTelemetryOptions {
  /** `service.name` of every span. */
  readonly serviceName: string;
  /** `none` (the default everywhere) starts no exporter and opens no connection. */
  readonly exporter: "otlp" | "none";
  /** The OTLP/HTTP traces URL, e.g. `http://localhost:4318/v1/traces`. Required for `otlp`. */
  readonly otlpEndpoint?: string;
  /** Extra request headers (an API key for a hosted collector). */
  readonly headers?: Readonly<Record<string, string>>;
  /** More resource attributes, e.g. `deployment.environment`. */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  /** Extra secret patterns for span attributes, events and error messages. */
  readonly redact?: RedactOptions;
  /** The lowest level of log lines added to the current span as events. Default `info`. */
  readonly level?: LogLevel;
  /** How long one export may take. Default 10 s. */
  readonly exportTimeoutMs?: number;
}

export interface OtelTelemetry extends TelemetryShape {
  /** Exports every ended span now (call before a Lambda invocation returns). Never rejects. */
  readonly flush: () => Promise<void>;
  /** Flushes and stops the exporter. Never rejects. */
  readonly shutdown: () => Promise<void>;
}

export class OtelConfigError extends Schema.TaggedError<OtelConfigError>()("OtelConfigError", { reason: Schema.String }) {
  override get message(): string {
    return `OpenTelemetry configuration is invalid: ${this.reason}`;
  }
}

/** The OTel span the current fiber runs in: Effect fibers do not carry OTel's async context, so the parent travels here. */
const CurrentOtelSpan = Context.Reference<Span | undefined>("sre-on-call/telemetry/CurrentOtelSpan", { defaultValue: () => undefined });

const MAX_STATUS_CHARS = 500;

type Primitive = string | number | boolean;

/** Span attributes and event fields as OTel primitives: nested values as JSON, secrets redacted. */
const otelAttributes = (fields: Readonly<Record<string, unknown>>, redact: RedactOptions): Record<string, Primitive> => {
  const out: Record<string, Primitive> = {};
  for (const [k, v] of Object.entries(sanitizeFields(fields, redact))) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : redactSecrets(JSON.stringify(v), redact);
  }
  return out;
};

const noFlush = () => Promise.resolve();
const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * OpenTelemetry traces for the telemetry port. Each `span` is an OTel span whose parent is the
 * span the calling fiber runs in (kept in a fiber-local reference, so forked agent fibers nest
 * under their dispatch), with the investigation id as an attribute; a failure sets status
 * ERROR with the redacted cause; `log` adds an event to the current span. Spans are batched
 * and sent by OTLP/HTTP (JSON) to `otlpEndpoint`; with `exporter: "none"` nothing is created
 * and no connection is ever opened. A collector that is down costs only dropped spans.
 */
export const makeOtelTelemetry = (options: OtelTelemetryOptions): Result.Result<OtelTelemetry, OtelConfigError> => {
  const redact = options.redact ?? {};
  if (options.exporter === "none") {
    return Result.succeed({
      log: () => Effect.void,
      span: (_name, attributes, effect) => inSpanInvestigation(attributes, effect),
      flush: noFlush,
      shutdown: noFlush
    });
  }
  if (options.exporter !== "otlp") return Result.fail(new OtelConfigError({ reason: `exporter must be "otlp" or "none", not ${JSON.stringify(options.exporter)}` }));
  const endpoint = options.otlpEndpoint;
  let url: URL | undefined;
  try {
    url = endpoint === undefined ? undefined : new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return Result.fail(
      new OtelConfigError({
        reason: `the otlp exporter needs an http(s) traces URL such as http://localhost:4318/v1/traces, not ${endpoint === undefined ? "nothing" : JSON.stringify(redactSecrets(endpoint.slice(0, 80)))}`
      })
    );
  }
  if (options.serviceName.trim() === "") return Result.fail(new OtelConfigError({ reason: "serviceName must not be empty" }));

  const exporter = new OTLPTraceExporter({
    url: url.href,
    ...(options.headers === undefined ? {} : { headers: { ...options.headers } }),
    timeoutMillis: options.exportTimeoutMs ?? 10_000
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName, ...options.resourceAttributes }),
    spanProcessors: [new BatchSpanProcessor(exporter)]
  });
  const tracer = provider.getTracer("sre-on-call");

  const span = <A, E, R>(name: string, attributes: Attributes, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(
      Effect.gen(function* () {
        const parent = yield* CurrentOtelSpan;
        const investigationId = yield* CurrentInvestigationId;
        const attrs = otelAttributes({ ...(investigationId === undefined ? {} : { investigationId }), ...attributes }, redact);
        return tracer.startSpan(name, { attributes: attrs }, parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent));
      }),
      (s) => Effect.provideService(inSpanInvestigation(attributes, effect), CurrentOtelSpan, s),
      (s, exit) =>
        Effect.sync(() => {
          if (Exit.isFailure(exit)) {
            const interrupted = Cause.hasInterruptsOnly(exit.cause);
            if (interrupted) s.setAttribute("interrupted", true);
            else s.setStatus({ code: SpanStatusCode.ERROR, message: redactSecrets(Cause.pretty(exit.cause).slice(0, MAX_STATUS_CHARS), redact) });
          }
          s.end();
        })
    );

  const minimum = LEVELS[options.level ?? "info"] ?? LEVELS.info;
  const log: TelemetryShape["log"] = (level, message, fields = {}) =>
    Effect.flatMap(CurrentOtelSpan, (current) =>
      current === undefined || (LEVELS[level] ?? LEVELS.error) < minimum
        ? Effect.void
        : Effect.sync(() => {
            try {
              current.addEvent(redactSecrets(String(message), redact), { level, ...otelAttributes(fields, redact) });
            } catch {
              // Telemetry never breaks the work it observes.
            }
          })
    );

  const settle = (p: () => Promise<void>) => () => p().catch(() => undefined);
  return Result.succeed({ log, span, flush: settle(() => provider.forceFlush()), shutdown: settle(() => provider.shutdown()) });
};

/**
 * The OTLP traces URL a deployment configured: `telemetry.otlp_endpoint` in config.yaml, else
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` (the
 * OpenTelemetry convention); undefined — tracing off — when none is set.
 */
export const otlpEndpointFrom = (configured: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined => {
  const set = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  const base = set(env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
  return set(configured) ?? set(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? (base === undefined ? undefined : `${base.replace(/\/+$/, "")}/v1/traces`);
};
