import { Result, Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertContext } from "../model/AlertContext.js";
import { grafanaPayloadArb } from "../testing/alertArbitraries.js";
import firing from "./fixtures/grafana-firing.json" with { type: "json" };
import resolved from "./fixtures/grafana-resolved.json" with { type: "json" };
import type { ParsedGrafanaGroup } from "./parseGrafanaWebhook.js";
import { parseGrafanaWebhook } from "./parseGrafanaWebhook.js";

const NOW = Date.parse("2026-11-25T08:15:00Z");
const MIN = 60_000;
const isValidContext = Schema.is(AlertContext);

const ok = (payload: unknown): ParsedGrafanaGroup => {
  const r = parseGrafanaWebhook(payload, { now: NOW });
  if (Result.isFailure(r)) throw new Error(`expected success, got: ${r.failure.message}`);
  return r.success;
};

describe("parseGrafanaWebhook: fixtures", () => {
  const group = ok(firing);
  const latency = group.alerts[0];
  const noData = group.alerts[1];

  it("keeps the Grafana envelope", () => {
    expect(group.orgId).toBe(1);
    expect(group.title).toBe("[FIRING:2] Payments ");
    expect(group.state).toBe("alerting");
    expect(group.message).toContain("**Firing**");
    expect(group.receiver).toBe("sre-webhook");
    expect(group.groupLabels).toEqual({ grafana_folder: "Payments" });
  });

  it("yields one valid context per alert with labels kept as sent, internal ones included", () => {
    expect(group.alerts).toHaveLength(2);
    for (const a of group.alerts) expect(isValidContext(a)).toBe(true);
    expect(latency?.labels).toEqual(firing.alerts[0]?.labels);
    expect(latency?.source).toBe("grafana");
  });

  it("reads entities from labels, and the pod from the description", () => {
    expect(latency?.entities).toEqual({
      alertname: "Checkout p99 latency",
      severity: "critical",
      namespace: "checkout",
      service: "checkout-api",
      pod: "checkout-api-6b8d7f9c4-q7w2x",
      deployment: "checkout-api"
    });
  });

  it("spells out folder, rule uid and query values as hints", () => {
    expect(latency?.hints).toEqual(
      expect.arrayContaining(["Grafana folder: Payments", "Grafana rule uid: fe2kq8x7c1r0ga", "query values: A=2.8313, C=1"])
    );
    expect(noData?.hints.some((h) => h.includes("DatasourceNoData"))).toBe(true);
  });

  it("links dashboard, panel, silence and runbook, skipping empty URLs", () => {
    expect(latency?.links?.map((l) => l.label)).toEqual(["runbook", "dashboard", "panel", "silence", "grafana"]);
    expect(noData?.links?.map((l) => l.label)).toEqual(["silence", "grafana"]);
    expect(latency?.generatorUrl).toBe("https://grafana.example.com/alerting/grafana/fe2kq8x7c1r0ga/view?orgId=1");
  });

  it("reads Grafana's local-time timestamps", () => {
    expect(latency?.alertTimestamp).toBe(Date.parse("2026-11-25T08:12:30Z"));
    expect(latency?.window).toEqual({ start: Date.parse("2026-11-25T08:07:30Z"), end: Date.parse("2026-11-25T08:17:30Z") });
  });

  it("the resolved notice extends the window to endsAt, uses valueString, and keeps the firing id", () => {
    const r = ok(resolved).alerts[0];
    expect(r?.status).toBe("resolved");
    expect(r?.window).toEqual({ start: Date.parse("2026-11-25T08:07:30Z"), end: Date.parse("2026-11-25T08:46:30Z") });
    expect(r?.hints.some((h) => h.startsWith("query values: [ var='A'"))).toBe(true);
    expect(r?.investigationId).toBe(latency?.investigationId);
    expect(r?.alertText).toBe("[RESOLVED] Checkout p99 latency checkout/checkout-api (critical): checkout-api p99 latency above 2s");
  });
});

describe("parseGrafanaWebhook: malformed payloads", () => {
  it.each([
    [{ alerts: [{ labels: { a: 1 }, startsAt: "2026-11-25T08:00:00Z" }] }, "alerts[0].labels.a must be a string, got a number"],
    [{ alerts: "none" }, "alerts must be an array of alerts, got a string"]
  ])("%j → %s", (payload, problem) => {
    const r = parseGrafanaWebhook(payload, { now: NOW });
    if (Result.isSuccess(r)) throw new Error("expected failure");
    expect(r.failure.format).toBe("grafana");
    expect(r.failure.problems).toContain(problem);
  });

  it("tolerates malformed optional Grafana extras", () => {
    const payload = JSON.parse(JSON.stringify(firing)) as { alerts: Array<Record<string, unknown>>; orgId: unknown };
    const a = payload.alerts[0];
    if (a === undefined) throw new Error("fixture");
    a["values"] = "lots";
    a["dashboardURL"] = 42;
    a["silenceURL"] = "javascript:alert(1)";
    payload.orgId = "one";
    const g = ok(payload);
    expect(g.orgId).toBeUndefined();
    expect(g.alerts[0]?.links?.map((l) => l.label)).toEqual(["runbook", "panel", "grafana"]);
  });
});

describe("parseGrafanaWebhook: properties", () => {
  it("never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(Result.isResult(parseGrafanaWebhook(v, { now: NOW }))).toBe(true);
      }),
      { numRuns: 300 }
    );
  });

  it("every alert of a valid payload yields one context with labels preserved and a window of the configured width", () => {
    fc.assert(
      fc.property(grafanaPayloadArb, fc.integer({ min: 0, max: 120 }), (payload, minutes) => {
        const r = parseGrafanaWebhook(payload, { now: NOW, windowMinutes: minutes });
        if (Result.isFailure(r)) throw new Error(r.failure.message);
        const sent = payload["alerts"] as ReadonlyArray<Record<string, unknown>>;
        expect(r.success.alerts).toHaveLength(sent.length);
        r.success.alerts.forEach((a, i) => {
          expect(isValidContext(a)).toBe(true);
          expect(a.labels).toEqual(sent[i]?.["labels"]);
          expect(a.alertTimestamp - a.window.start).toBe(minutes * MIN);
          expect(a.window.end).toBeGreaterThanOrEqual(a.alertTimestamp + minutes * MIN);
        });
      })
    );
  });
});
