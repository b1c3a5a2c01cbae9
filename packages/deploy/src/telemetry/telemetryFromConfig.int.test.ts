import { Effect, Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../config/loadConfig.js";
import { type OtlpCollector, startOtlpCollector } from "./testing/otlpCollector.js";
import { telemetryFromConfig } from "./telemetryFromConfig.js";

const config = (yaml: string) => {
  const parsed = parseConfigText(yaml, "test");
  if (Result.isFailure(parsed)) throw parsed.failure;
  return parsed.success;
};

describe("telemetryFromConfig", () => {
  let collector: OtlpCollector;
  beforeAll(async () => {
    collector = await startOtlpCollector();
  });
  afterAll(() => collector.close());

  it("logs JSON with service, environment and config redaction patterns, and traces only when an endpoint is set", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) };
    const made = telemetryFromConfig(
      config('environment: prod\nredaction:\n  patterns: ["acme_[a-z0-9]{8}"]\ntelemetry:\n  service_name: sre-x\n  log_level: warn\n'),
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.tracesUrl.replace("/v1/traces", "") },
      { destination }
    );
    expect(Result.isSuccess(made)).toBe(true);
    if (Result.isFailure(made)) return;
    const { telemetry, tracing, shutdown } = made.success;
    expect(tracing).toBe(true);
    await Effect.runPromise(telemetry.span("intake", { investigationId: "inv-cfg" }, Effect.andThen(telemetry.log("info", "hidden"), telemetry.log("warn", "key acme_12345678 leaked"))));
    await shutdown();
    expect(lines.map((l) => [l["msg"], l["service"], l["environment"], l["investigationId"]])).toEqual([["key [REDACTED] leaked", "sre-x", "prod", "inv-cfg"]]);
    const span = collector.spans().find((s) => s.attributes["investigationId"] === "inv-cfg");
    expect(span?.resource).toMatchObject({ "service.name": "sre-x", "deployment.environment": "prod" });
    expect(span?.events.map((e) => e.name)).toEqual(["key [REDACTED] leaked"]);
  });

  it("without an endpoint, tracing is off and nothing is sent", async () => {
    const before = collector.requests();
    const made = telemetryFromConfig(config(""), {}, { destination: { write: () => undefined } });
    expect(Result.isSuccess(made) && made.success.tracing).toBe(false);
    if (Result.isSuccess(made)) {
      await Effect.runPromise(made.success.telemetry.span("intake", {}, Effect.void));
      await made.success.flush();
    }
    expect(collector.requests()).toBe(before);
  });
});
