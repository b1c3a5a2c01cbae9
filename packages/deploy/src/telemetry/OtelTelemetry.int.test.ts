import { combineTelemetry, makePinoTelemetry, withInvestigationId } from "@sre-on-call/adapters";
import { telemetryContract } from "@sre-on-call/core/testing";
import { Effect, Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeOtelTelemetry, type OtelTelemetry, type OtelTelemetryOptions, otlpEndpointFrom } from "./OtelTelemetry.js";
import { type OtlpCollector, startOtlpCollector } from "./testing/otlpCollector.js";

const run = Effect.runPromise;
const make = (options: OtelTelemetryOptions): OtelTelemetry => {
  const made = makeOtelTelemetry(options);
  if (Result.isFailure(made)) throw new Error(made.failure.message);
  return made.success;
};

describe("makeOtelTelemetry against an OTLP/HTTP collector on 127.0.0.1", () => {
  let collector: OtlpCollector;
  beforeAll(async () => {
    collector = await startOtlpCollector();
  });
  afterAll(() => collector.close());

  it("exports intake → dispatch → agent → model spans with their parent/child relations", async () => {
    const otel = make({ serviceName: "sre-test", exporter: "otlp", otlpEndpoint: collector.tracesUrl, resourceAttributes: { "deployment.environment": "test" } });
    const t = otel;
    const agent = (id: string, fail: boolean) =>
      t.span(
        "agent",
        { agent: id },
        Effect.gen(function* () {
          yield* t.log("info", "agent started", { agent: id, apiKey: "sk-abcdefghijklmnopqrstuvwxyz" });
          const answer = yield* t.span("model", { model: "claude", inputTokens: 120 }, fail ? Effect.fail(`model for ${id} refused token xoxb-1234567890-abcdef`) : Effect.succeed("ok"));
          return answer;
        }).pipe(Effect.catch(() => Effect.succeed("fallback")))
      );
    const result = await run(
      withInvestigationId("inv-otel")(
        t.span("intake", { platform: "slack" }, t.span("dispatch", { agents: 2 }, Effect.forEach([agent("eks", false), agent("prometheus", true)], (e) => e, { concurrency: 2 })))
      )
    );
    expect(result).toEqual(["ok", "fallback"]);
    await otel.shutdown();

    const spans = collector.spans().filter((s) => s.attributes["investigationId"] === "inv-otel");
    const one = (name: string, agentId?: string) => {
      const found = spans.filter((s) => s.name === name && (agentId === undefined || s.attributes["agent"] === agentId));
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const intake = one("intake");
    const dispatch = one("dispatch");
    const eks = one("agent", "eks");
    const prometheus = one("agent", "prometheus");
    const models = spans.filter((s) => s.name === "model");
    expect(spans).toHaveLength(6);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(intake.parentSpanId).toBeUndefined();
    expect(dispatch.parentSpanId).toBe(intake.spanId);
    expect(eks.parentSpanId).toBe(dispatch.spanId);
    expect(prometheus.parentSpanId).toBe(dispatch.spanId);
    expect(models.map((m) => m.parentSpanId).sort()).toEqual([eks.spanId, prometheus.spanId].sort());
    expect(intake.resource).toMatchObject({ "service.name": "sre-test", "deployment.environment": "test" });
    expect(intake.attributes).toMatchObject({ platform: "slack", investigationId: "inv-otel" });
    expect(models[0]?.attributes).toMatchObject({ model: "claude", inputTokens: 120 });

    const failed = models.find((m) => m.parentSpanId === prometheus.spanId)!;
    expect(failed.status.code).toBe(2);
    expect(failed.status.message).toContain("model for prometheus refused");
    expect(failed.status.message).not.toContain("xoxb-1234567890");
    expect(models.find((m) => m.parentSpanId === eks.spanId)?.status.code ?? 0).not.toBe(2);

    expect(eks.events.map((e) => e.name)).toEqual(["agent started"]);
    expect(eks.events[0]?.attributes).toMatchObject({ level: "info", agent: "eks", apiKey: "[REDACTED]" });
  });

  it("is off with exporter none: the work runs, and nothing is sent", async () => {
    const before = collector.requests();
    const otel = make({ serviceName: "sre-test", exporter: "none", otlpEndpoint: collector.tracesUrl });
    expect(await run(otel.span("intake", { investigationId: "inv-off" }, otel.log("info", "x").pipe(Effect.as(5))))).toBe(5);
    await otel.flush();
    await otel.shutdown();
    expect(collector.requests()).toBe(before);
  });

  it("a collector that is down costs only the spans", async () => {
    const down = await startOtlpCollector();
    const url = down.tracesUrl;
    await down.close();
    const otel = make({ serviceName: "sre-test", exporter: "otlp", otlpEndpoint: url, exportTimeoutMs: 1_000 });
    expect(await run(otel.span("intake", {}, Effect.succeed("done")))).toBe("done");
    await otel.shutdown();
  });

  for (const c of telemetryContract({
    make: async () => {
      const lines: Array<Record<string, unknown>> = [];
      const otel = make({ serviceName: "sre-contract", exporter: "otlp", otlpEndpoint: collector.tracesUrl });
      const pinoTelemetry = makePinoTelemetry({ destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } });
      return { telemetry: combineTelemetry(pinoTelemetry, otel), records: () => lines, close: otel.shutdown };
    }
  })) it(`pino + OTel: ${c.name}`, c.run);

  for (const c of telemetryContract({
    make: async () => ({ telemetry: make({ serviceName: "sre-contract", exporter: "otlp", otlpEndpoint: collector.tracesUrl }), records: () => [] })
  }).filter((c) => !c.name.includes("keeps its level"))) it(`OTel alone: ${c.name}`, c.run);
});

describe("OTel configuration", () => {
  it("rejects a missing or non-http endpoint and an unknown exporter with a readable OtelConfigError", () => {
    for (const [options, reason] of [
      [{ serviceName: "s", exporter: "otlp" }, /needs an http\(s\) traces URL .* not nothing/],
      [{ serviceName: "s", exporter: "otlp", otlpEndpoint: "ftp://x" }, /not "ftp:\/\/x"/],
      [{ serviceName: "s", exporter: "zipkin" }, /exporter must be "otlp" or "none"/],
      [{ serviceName: " ", exporter: "otlp", otlpEndpoint: "http://127.0.0.1:1/v1/traces" }, /serviceName must not be empty/]
    ] as const) {
      const made = makeOtelTelemetry(options as unknown as OtelTelemetryOptions);
      expect(Result.isFailure(made) && made.failure._tag).toBe("OtelConfigError");
      expect(Result.isFailure(made) && made.failure.reason).toMatch(reason);
    }
  });

  it("takes the endpoint from config, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces", () => {
    expect(otlpEndpointFrom(undefined, {})).toBeUndefined();
    expect(otlpEndpointFrom(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toBe("http://collector:4318/v1/traces");
    expect(otlpEndpointFrom(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b/traces" })).toBe("http://b/traces");
    expect(otlpEndpointFrom("http://c/v1/traces", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b/traces" })).toBe("http://c/v1/traces");
    expect(otlpEndpointFrom(" ", { OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBeUndefined();
  });
});
