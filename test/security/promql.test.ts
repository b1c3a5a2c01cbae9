/**
 * Attacker probes for the PromQL the Prometheus specialist runs (issue #13): an alert's
 * `generatorURL` and a model's tool call are untrusted text, yet they become queries against the
 * internal Prometheus and their answers are posted. Real Prometheus on 127.0.0.1 behind a
 * recording proxy, so "no query reached Prometheus" is observed, not assumed.
 */
import { makePrometheusSpecialist } from "@sre-on-call/agents/prometheus/PrometheusSpecialist";
import { startLoopbackProxy, type LoopbackProxy } from "@sre-on-call/agents/prometheus/testing/LoopbackProxy";
import { type PrometheusServer, PROMETHEUS_SKIP_REASON, skipWithoutPrometheus, startPrometheus } from "@sre-on-call/agents/prometheus/testing/PrometheusServer";
import { generatorUrlFor, makePromAlert, NOW, PLANTED_SECRETS, scenarioSeries } from "@sre-on-call/agents/prometheus/testing/scenarios";
import { makePrometheusTools } from "@sre-on-call/agents/prometheus/tools/prometheusTools";
import { type AgentResult, type AlertContext, buildReport, type Dialect, renderReport } from "@sre-on-call/core";
import { Effect } from "effect";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

const skip = skipWithoutPrometheus();
const DIALECTS: ReadonlyArray<Dialect> = ["slack", "discord", "markdown", "json"];

const alertWith = (expr: string, authenticated?: boolean): AlertContext =>
  makePromAlert(
    { alertname: "PaymentsHigh5xxRatio", severity: "critical", namespace: "payments", service: "api" },
    { generatorUrl: generatorUrlFor(expr), ...(authenticated === undefined ? {} : { authenticated }) }
  );

/** The report as every chat dialect renders it, with no redaction pass of its own: what the specialist hands over must already be safe. */
const rendered = (alert: AlertContext, result: AgentResult): string => {
  const report = buildReport({ alert, kind: "initial", generatedAt: NOW, outcomes: [{ agent: result.agent, state: "ok", result, durationMs: result.durationMs }] });
  return DIALECTS.flatMap((d) => renderReport(report, d).map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)).join("\n");
};

describe.skipIf(skip)(`PromQL from alerts and models (security probes)${skip ? ` (skipped: ${PROMETHEUS_SKIP_REASON})` : ""}`, () => {
  let server: PrometheusServer;
  let proxy: LoopbackProxy;
  const investigate = (alert: AlertContext) => Effect.runPromise(makePrometheusSpecialist({ url: proxy.url, now: () => NOW }).investigate(alert, { deadline: Date.now() + 20_000 }));

  beforeAll(async () => {
    server = await startPrometheus(scenarioSeries());
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    proxy = await startLoopbackProxy({ target: server.url });
  });
  afterEach(async () => {
    await proxy?.stop();
  });

  it("an unauthenticated alert's generatorURL expression never reaches Prometheus, however it is spelled", async () => {
    for (const expr of ['app_build_info{service="probe-unauth-91c2"} == 1', 'count({__name__=~".+", probe="unauth-91c2"})', 'sum by (db_password) (app_build_info{probe="unauth-91c2"})']) {
      for (const authenticated of [undefined, false]) {
        const result = await investigate(alertWith(expr, authenticated));
        expect(result.findings.find((f) => f.metadata["signal"] === "alert-expression")?.content).toMatch(/was not run: the alert did not arrive through an authenticated alert webhook/);
        expect(rendered(alertWith(expr, authenticated), result)).toContain("was not run: the alert did not arrive through an authenticated alert webhook");
        // Nothing of the expression comes back as evidence (the report's own "Alert rule" link is the alert's, not the specialist's).
        expect(JSON.stringify(result)).not.toContain("91c2");
      }
    }
    // The golden signals were read (the proxy saw queries), but none carried the alert's text.
    expect(proxy.queries.length).toBeGreaterThan(0);
    expect(proxy.queries.filter((q) => q.includes("91c2"))).toEqual([]);
  });

  it("a hostile expression from an authenticated webhook is refused with a clear reason and never sent", async () => {
    const hostile: ReadonlyArray<readonly [string, RegExp]> = [
      ['{__name__=~".+"}', /names no metric, so it would read every series/],
      ['count by (job) ({job=~".*"}) > 0', /names no metric/],
      ['app_build_info{db_password=~"^h.*"} == 1', /label "db_password" looks like it holds a secret/],
      ['label_replace(app_build_info, "version", "$1", "db_password", "(.*)") > 0', /label "db_password" looks like it holds a secret/],
      ['count_values("api_key", app_build_info) > 0', /label "api_key" looks like it holds a secret/],
      ["max_over_time(up[400d]) == 0", /range of 400d looks back further than the 7d limit/],
      ["max_over_time(up[6d:1s]) == 0", /evaluates 518400 points per series; the limit is 11000/],
      [`up == ${"(".repeat(40)}1${")".repeat(40)}`, /nested deeper than 32 levels/],
      [`up{job="${"a".repeat(3000)}"} == 0`, /characters long; the limit is 2000/]
    ];
    for (const [expr, reason] of hostile) {
      const result = await investigate(alertWith(expr, true));
      const refused = result.findings.find((f) => f.metadata["signal"] === "alert-expression");
      expect(refused?.severity).toBe("info");
      expect(refused?.content).toMatch(/^The alert's own PromQL expression was refused and not run: /);
      expect(refused?.content).toMatch(reason);
    }
    const sent = proxy.queries.join("\n");
    for (const part of ['__name__=~".+"', 'job=~".*"', "db_password", "api_key", "[400d]", "[6d:1s]", "a".repeat(100)]) expect(sent).not.toContain(part);
  });

  it("a model's tool call gets the same refusals, and nothing reaches Prometheus", async () => {
    const [queryRange, instantQuery] = makePrometheusTools({ url: proxy.url, now: () => NOW });
    for (const [tool, expr] of [
      [instantQuery, '{__name__=~".+"}'],
      [queryRange, 'app_build_info{api_key!=""}'],
      [instantQuery, 'label_join(app_build_info, "leak", ",", "db_password")']
    ] as const) {
      const error = await Effect.runPromise(Effect.flip(tool!.run({ expr }, { alert: alertWith("up"), deadline: Date.now() + 10_000 })));
      expect(error.reason).toBe("invalid_input");
      expect(error.detail).toMatch(/^PromQL refused: /);
    }
    expect(proxy.queries).toEqual([]);
  });

  it("label values that look like secrets never reach the rendered report or a tool answer", async () => {
    const alert = alertWith('app_build_info{namespace="payments"} == 1', true);
    const result = await investigate(alert);
    const report = rendered(alert, result);
    expect(report).toContain("[REDACTED]");
    for (const secret of [PLANTED_SECRETS.password, PLANTED_SECRETS.dsn, "S3cr3tPw-71"]) {
      expect(JSON.stringify(result)).not.toContain(secret);
      expect(report).not.toContain(secret);
    }
    const [, instantQuery] = makePrometheusTools({ url: proxy.url, now: () => NOW });
    const answer = await Effect.runPromise(instantQuery!.run({ expr: "app_build_info" }, { alert, deadline: Date.now() + 10_000 }));
    expect(answer.text).toContain('db_password="[REDACTED]"');
    expect(answer.text).not.toContain(PLANTED_SECRETS.password);
  });
});
