import { Finding, Hypothesis } from "@sre-on-call/core";
import { Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PrometheusError } from "../client/PrometheusError.js";
import { ALERT_AT, makePromAlert } from "../testing/scenarios.js";
import { analyzeSignals, type QueryOutcome } from "./analyzeSignals.js";
import type { Point } from "./classifyChange.js";
import { formatValue, graphLink } from "./format.js";
import { scopeFromAlert } from "./scopeFromAlert.js";
import type { SignalId, SignalPlan } from "./signals.js";

const MIN = 60_000;
const DAY = 86_400_000;
const window = { start: ALERT_AT - 30 * MIN, end: ALERT_AT + 5 * MIN };
const alert = makePromAlert({ alertname: "CheckoutSlow", namespace: "shop", service: "checkout" });
const scope = scopeFromAlert(alert);

const plan = (id: SignalId, title: string, unit: SignalPlan["unit"], subjectLabels: ReadonlyArray<string> = []): SignalPlan => ({ id, title, unit, expr: `${id}_expr`, subjectLabels, dayEarlier: true });
const points = (value: (i: number) => number, offset = 0): Array<Point> => Array.from({ length: 36 }, (_, i) => ({ t: window.start - offset + i * MIN, v: value(i) }));
const answered = (signal: SignalPlan, which: QueryOutcome["which"], series: ReadonlyArray<{ labels?: Record<string, string>; points: Array<Point> }>): QueryOutcome => ({
  signal,
  which,
  answer: { series: series.map((s) => ({ labels: s.labels ?? {}, points: s.points })), truncated: false, warnings: [], stepMs: 60_000 }
});
const analyze = (plans: ReadonlyArray<SignalPlan>, outcomes: ReadonlyArray<QueryOutcome>) => analyzeSignals({ agent: "prometheus", alert, scope, window, plans, outcomes, graphBase: "https://prom.example.com" });

describe("analyzeSignals", () => {
  it("traffic falling to zero is high severity", () => {
    const traffic = plan("traffic", "request rate", "perSecond");
    const result = analyze([traffic], [answered(traffic, "window", [{ points: points((i) => (i < 20 ? 40 : 0)) }]), answered(traffic, "dayEarlier", [{ points: points(() => 40, DAY) }])]);
    expect(result.findings[0]?.content).toBe("Request rate of shop/checkout fell from 40/s to 0/s at 14:10 UTC (step); a day earlier 40/s (flat)");
    expect(result.findings[0]?.severity).toBe("high");
  });

  it("a level that was the same a day earlier is chronic: reported low, with the reason", () => {
    const throttling = plan("cpu-throttling", "CPU throttling", "ratio", ["namespace", "pod", "container"]);
    const labels = { namespace: "shop", pod: "checkout-1", container: "app" };
    const result = analyze([throttling], [answered(throttling, "window", [{ labels, points: points(() => 0.6) }]), answered(throttling, "dayEarlier", [{ labels, points: points(() => 0.62, DAY) }])]);
    expect(result.findings[0]?.severity).toBe("low");
    expect(result.findings[0]?.content).toBe("CPU throttling of shop/checkout-1/app steady at 60% (flat); a day earlier 62% (flat): the same level as a day earlier, so probably not what changed");
    expect(result.findings[0]?.metadata["chronic"]).toBe(true);
  });

  it("heavy throttling with a latency rise is a medium hypothesis citing both", () => {
    const throttling = plan("cpu-throttling", "CPU throttling", "ratio", ["namespace", "pod", "container"]);
    const p99 = plan("latency-p99", "p99 latency", "seconds");
    const labels = { namespace: "shop", pod: "checkout-1", container: "app" };
    const result = analyze(
      [p99, throttling],
      [answered(p99, "window", [{ points: points((i) => (i < 15 ? 0.2 : 1.1)) }]), answered(throttling, "window", [{ labels, points: points((i) => (i < 15 ? 0.05 : 0.7)) }])]
    );
    expect(result.hypotheses).toHaveLength(1);
    expect(result.hypotheses[0]?.confidence).toBe("medium");
    expect(result.hypotheses[0]?.title).toBe("shop/checkout-1/app is CPU-throttled (70% of periods) while p99 latency rose");
    const ids = new Set(result.findings.map((f) => f.id));
    for (const ref of result.hypotheses[0]?.supportingFindings ?? []) expect(ids.has(ref)).toBe(true);
  });

  it("failed, absent and unanswered signals are accounted for but make no findings", () => {
    const errors = plan("error-ratio", "5xx ratio", "ratio");
    const traffic = plan("traffic", "request rate", "perSecond");
    const p50 = plan("latency-p50", "p50 latency", "seconds");
    const result = analyze(
      [errors, traffic, p50],
      [{ signal: errors, which: "window", error: new PrometheusError({ reason: "limited", operation: "query_range", detail: "too many samples" }) }, answered(traffic, "window", [])]
    );
    expect(result.findings).toEqual([]);
    expect(result.coverage).toEqual({ withData: [], absent: ["traffic"], failed: ["error-ratio"], unanswered: ["latency-p50"] });
  });

  it("findings and hypotheses are always schema-valid, whatever the series", () => {
    const plans = [plan("error-ratio", "5xx ratio", "ratio"), plan("volume-usage", "volume usage", "ratio", ["namespace", "persistentvolumeclaim"]), plan("memory-vs-limit", "memory working set vs limit", "ratio", ["namespace", "pod", "container"]), plan("restarts", "restarts", "count", ["namespace", "pod", "container"])];
    const value = fc.oneof(fc.double({ min: -2, max: 2 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, 1));
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 40 }), { minLength: plans.length, maxLength: plans.length }), (values) => {
        const labels = { namespace: "shop", pod: "p", container: "c", persistentvolumeclaim: "v" };
        const outcomes = plans.map((p, i) => answered(p, "window", [{ labels, points: (values[i] ?? []).map((v, j) => ({ t: window.start + j * MIN, v })) }]));
        const result = analyze(plans, outcomes);
        for (const f of result.findings) Schema.decodeUnknownSync(Finding)(JSON.parse(JSON.stringify(f)));
        for (const h of result.hypotheses) Schema.decodeUnknownSync(Hypothesis)(h);
      }),
      { numRuns: 300 }
    );
  });
});

describe("formatting", () => {
  it("writes values as engineers read them", () => {
    expect(formatValue(0.002, "ratio")).toBe("0.2%");
    expect(formatValue(0.124, "ratio")).toBe("12.4%");
    expect(formatValue(0.0004, "ratio")).toBe("0.04%");
    expect(formatValue(1, "ratio")).toBe("100%");
    expect(formatValue(0.45, "seconds")).toBe("450 ms");
    expect(formatValue(2.5, "seconds")).toBe("2.5 s");
    expect(formatValue(512 * 1024 * 1024, "bytes")).toBe("512 MiB");
    expect(formatValue(50, "perSecond")).toBe("50/s");
    expect(formatValue(Number.NaN, "ratio")).toBe("NaN");
  });

  it("links a Prometheus graph over the window", () => {
    const link = new URL(graphLink("https://prom.example.com/", 'rate(x{a="b"}[5m])', window));
    expect(link.pathname).toBe("/graph");
    expect(link.searchParams.get("g0.expr")).toBe('rate(x{a="b"}[5m])');
    expect(link.searchParams.get("g0.range_input")).toBe("35m");
    expect(link.searchParams.get("g0.end_input")).toBe("2026-03-12 14:25:00");
    expect(link.searchParams.get("g0.tab")).toBe("0");
  });
});
