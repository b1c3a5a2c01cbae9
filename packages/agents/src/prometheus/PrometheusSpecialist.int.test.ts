import { AgentFailure, type AgentResult } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePrometheusSpecialist, type PrometheusSpecialistOptions } from "./PrometheusSpecialist.js";
import { startLoopbackProxy } from "./testing/LoopbackProxy.js";
import { type PrometheusServer, PROMETHEUS_SKIP_REASON, skipWithoutPrometheus, startPrometheus } from "./testing/PrometheusServer.js";
import { ALERTS, generatorUrlFor, makePromAlert, NOW, PAYMENTS_5XX_EXPR, PLANTED_SECRETS, scenarioSeries } from "./testing/scenarios.js";

const skip = skipWithoutPrometheus();

const failureOf = (exit: Exit.Exit<unknown, AgentFailure>): AgentFailure | undefined => {
  if (Exit.isSuccess(exit)) return undefined;
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  return reason?._tag === "Fail" ? reason.error : undefined;
};

const bySignal = (result: AgentResult, signal: string) => result.findings.filter((f) => f.metadata["signal"] === signal);

describe.skipIf(skip)(`Prometheus specialist against a real Prometheus${skip ? ` (skipped: ${PROMETHEUS_SKIP_REASON})` : ""}`, () => {
  let server: PrometheusServer;
  const specialist = (options: Partial<PrometheusSpecialistOptions> = {}) => makePrometheusSpecialist({ url: server.url, now: () => NOW, ...options });
  const investigate = (alert: ReturnType<(typeof ALERTS)[keyof typeof ALERTS]>, options: Partial<PrometheusSpecialistOptions> = {}) =>
    Effect.runPromise(specialist(options).investigate(alert, { deadline: Date.now() + 20_000 }));

  beforeAll(async () => {
    server = await startPrometheus(scenarioSeries());
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe("contract", () => {
    for (const c of specialistContract({ make: async () => ({ specialist: specialist(), alert: ALERTS.payments5xx() }) })) it(c.name, c.run);
  });

  it("describes the 5xx step with its numbers and time, and links the graph of the window", async () => {
    const result = await investigate(ALERTS.paymentsApi());
    expect(result.status).toBe("success");
    const [errors] = bySignal(result, "error-ratio");
    expect(errors?.content).toBe("5xx ratio of payments/api rose from 0.2% to 12.4% at 14:03 UTC (step); a day earlier 0.2% (flat)");
    expect(errors?.severity).toBe("high");
    expect(errors?.timestamp).toBe(Date.parse("2026-03-12T14:03:00Z"));
    const link = new URL(errors?.deepLink ?? "");
    expect(`${link.origin}${link.pathname}`).toBe(`${server.url}/graph`);
    expect(link.searchParams.get("g0.expr")).toBe(errors?.metadata["query"]);
    expect(link.searchParams.get("g0.range_input")).toBe("35m");
    expect(link.searchParams.get("g0.end_input")).toBe("2026-03-12 14:25:00");
    // Traffic and latency did not move: reported once, as unchanged.
    const steady = result.findings.at(-1);
    expect(steady?.severity).toBe("info");
    expect(steady?.content).toMatch(/^Unchanged around the alert for payments\/api: request rate 50\/s, p99 latency 450 ms, p50 latency 70 ms$/);
  });

  it("classifies the checkout latency spike with its peak and recovery, and proposes no cause for it", async () => {
    const result = await investigate(ALERTS.checkoutLatency());
    const [p99] = bySignal(result, "latency-p99");
    expect(p99?.metadata["shape"]).toBe("spike");
    expect(p99?.content).toBe("P99 latency of shop/checkout spiked from 450 ms to 2.5 s at 14:10 UTC and was back to 450 ms by 14:15 UTC (spike); a day earlier 450 ms (flat)");
    expect(p99?.severity).toBe("high");
    expect(result.hypotheses).toEqual([]);
  });

  it("a full volume in the namespace is a high-confidence hypothesis citing its finding", async () => {
    const result = await investigate(ALERTS.paymentsApi());
    const [volume] = bySignal(result, "volume-usage");
    expect(volume?.severity).toBe("critical");
    expect(volume?.content).toContain("Volume usage of payments/data-payments-db-0");
    expect(volume?.content).toContain("full since 14:02 UTC");
    // The other, half-empty volume of the namespace is not reported as a change.
    expect(JSON.stringify(result.findings)).not.toContain("backup-payments-db-0");
    const [first] = result.hypotheses;
    expect(first?.title).toBe("Volume payments/data-payments-db-0 is full (100% used since 14:02 UTC)");
    expect(first?.confidence).toBe("high");
    expect(first?.supportingFindings).toEqual([volume?.id]);
    expect(result.summary).toMatch(/Most likely: Volume payments\/data-payments-db-0 is full/);
  });

  it("memory at the limit with OOM-killed restarts is a high-confidence hypothesis", async () => {
    const result = await investigate(ALERTS.workerCrashLoop());
    const [memory] = bySignal(result, "memory-vs-limit");
    const [restarts] = bySignal(result, "restarts");
    expect(memory?.severity).toBe("high");
    expect(memory?.metadata["max"]).toBeGreaterThan(0.98);
    expect(restarts?.content).toBe("orders/worker-5d8f7c9b4-x2x7q/worker restarted 3 times between 13:50 UTC and 14:25 UTC; none in the same window a day earlier (last terminated: OOMKilled)");
    expect(restarts?.severity).toBe("high");
    expect(result.hypotheses).toHaveLength(1);
    expect(result.hypotheses[0]?.title).toBe("orders/worker-5d8f7c9b4-x2x7q/worker runs out of memory: working set reached 99.2% of its limit and it restarted 3 times (OOMKilled)");
    expect(result.hypotheses[0]?.confidence).toBe("high");
    expect(result.hypotheses[0]?.supportingFindings).toEqual([memory?.id, restarts?.id]);
  });

  it("a healthy service yields no hypothesis and only an informational 'unchanged' finding", async () => {
    const result = await investigate(ALERTS.catalogHealthy());
    expect(result.status).toBe("success");
    expect(result.hypotheses).toEqual([]);
    expect(result.findings.map((f) => f.severity)).toEqual(["info"]);
    expect(result.findings[0]?.content).toContain("5xx ratio 0.1%, request rate 30/s, p99 latency 450 ms");
    expect(result.summary).toBe("No metric change for shop/catalog (checked 7 signals)");
  });

  it("re-evaluates the alert's expression from its generatorURL, against its threshold", async () => {
    const result = await investigate(ALERTS.payments5xx());
    const first = result.findings[0];
    expect(first?.metadata["signal"]).toBe("alert-expression");
    expect(first?.metadata["query"]).toBe(PAYMENTS_5XX_EXPR.replace(/ > 0\.05$/, ""));
    expect(first?.content).toBe(
      "The alert's expression rose from 0.002 to 0.124 at 14:03 UTC (step); threshold > 0.05 since 14:04 UTC, still 0.124 at 14:25 UTC; a day earlier 0.002 (flat)"
    );
    expect(first?.severity).toBe("medium");
  });

  it("an expression without a threshold is reported by when it held", async () => {
    const alert = makePromAlert({ alertname: "PaymentsHigh5xxRatio", namespace: "payments" }, { generatorUrl: generatorUrlFor('ALERTS{alertname="PaymentsHigh5xxRatio",alertstate="firing"}'), authenticated: true });
    const result = await investigate(alert);
    const [expression] = bySignal(result, "alert-expression");
    // The alert began firing at 14:08 (5 minutes after the errors started) and there was none a day earlier.
    expect(expression?.content).toBe('The alert\'s expression {alertname="PaymentsHigh5xxRatio", alertstate="firing", namespace="payments", severity="critical"} steady at 1 (flat); true from 14:08 UTC to 14:25 UTC');
    expect(expression?.severity).toBe("medium");
  });

  it("a deadline already passed still answers, marked partial", async () => {
    const result = await Effect.runPromise(specialist().investigate(ALERTS.paymentsApi(), { deadline: Date.now() - 1 }));
    expect(result.status).toBe("timeout");
    expect(result.summary).toMatch(/^Partial \(deadline reached before the queries were planned\): /);
  });

  it("an expression Prometheus rejects is a low finding, not a failure", async () => {
    const alert = makePromAlert({ alertname: "Broken", namespace: "shop", service: "catalog" }, { generatorUrl: generatorUrlFor("sum(rate(http_requests_total)) > 1"), authenticated: true });
    const result = await investigate(alert);
    expect(result.status).toBe("success");
    expect(result.findings[0]?.content).toMatch(/^The alert's expression could not be re-evaluated \(bad-query\): HTTP 400 bad_data: .*expected type range vector in call to function "rate", got instant vector$/);
    expect(result.findings[0]?.severity).toBe("low");
  });

  describe("whose PromQL runs", () => {
    const withProxy = async (run: (url: string) => Promise<AgentResult>) => {
      const proxy = await startLoopbackProxy({ target: server.url });
      try {
        return { result: await run(proxy.url), queries: [...proxy.queries] };
      } finally {
        await proxy.stop();
      }
    };
    const expressionQueries = (queries: ReadonlyArray<string>, expr: string) => queries.filter((q) => q.includes(expr));
    const unauthenticated = (expr: string, authenticated?: boolean) =>
      makePromAlert({ alertname: "PaymentsHigh5xxRatio", severity: "critical", namespace: "payments", service: "api" }, { generatorUrl: generatorUrlFor(expr), ...(authenticated === undefined ? {} : { authenticated }) });

    it("an alert that did not come through an authenticated webhook: its expression never reaches Prometheus; the golden signals are still read", async () => {
      const marker = 'app_build_info{service="probe-7f3a"}';
      for (const authenticated of [undefined, false]) {
        const { result, queries } = await withProxy((url) => investigate(unauthenticated(`${marker} == 1`, authenticated), { url }));
        expect(expressionQueries(queries, marker)).toEqual([]);
        expect(queries.length).toBeGreaterThan(0);
        const [skipped] = bySignal(result, "alert-expression");
        expect(skipped?.severity).toBe("info");
        expect(skipped?.content).toBe(
          "The alert's own PromQL expression (from its generatorURL) was not run: the alert did not arrive through an authenticated alert webhook. The golden signals are read from the alert's labels instead."
        );
        expect(JSON.stringify(result)).not.toContain("probe-7f3a");
        expect(bySignal(result, "error-ratio")[0]?.content).toMatch(/^5xx ratio of payments\/api rose from 0\.2% to 12\.4%/);
      }
      // The same alert through an authenticated webhook runs it: the probe above observes what it claims.
      const { queries } = await withProxy((url) => investigate(unauthenticated(`${marker} == 1`, true), { url }));
      expect(expressionQueries(queries, marker).length).toBeGreaterThan(0);
    });

    it("an authenticated alert whose expression reads every series or a secret label is refused with its reason, and not sent", async () => {
      for (const [expr, reason] of [
        ['count({__name__=~".+"}) > 0', "a selector names no metric, so it would read every series"],
        ['app_build_info{db_password=~"h.*"} == 1', 'label "db_password" looks like it holds a secret'],
        ["max_over_time(up[30d]) == 0", "a range of 30d looks back further than the 7d limit"]
      ] as const) {
        const { result, queries } = await withProxy((url) => investigate(unauthenticated(expr, true), { url }));
        expect(queries.filter((q) => q.includes("__name__=~\".+\"") || q.includes("db_password") || q.includes("[30d]"))).toEqual([]);
        const [refused] = bySignal(result, "alert-expression");
        expect(refused?.severity).toBe("info");
        expect(refused?.content).toContain(`The alert's own PromQL expression was refused and not run: ${reason}`);
        expect(refused?.metadata["query"]).toBeUndefined();
        expect(bySignal(result, "error-ratio")).toHaveLength(1);
      }
    });

    it("label values that look like secrets never reach a finding", async () => {
      const alert = unauthenticated('app_build_info{namespace="payments"} == 1', true);
      const result = await investigate(alert);
      const [expression] = bySignal(result, "alert-expression");
      expect(expression?.content).toContain('db_password="[REDACTED]"');
      expect(expression?.content).toContain('dsn="[REDACTED]"');
      expect(expression?.content).toContain('version="2.4.0"');
      const text = JSON.stringify(result);
      for (const secret of [PLANTED_SECRETS.password, PLANTED_SECRETS.dsn, "S3cr3tPw-71"]) expect(text).not.toContain(secret);
    });
  });

  it("metrics that do not exist are skipped silently: no finding, no error", async () => {
    const result = await investigate(ALERTS.ghost());
    expect(result.status).toBe("success");
    expect(result.findings).toEqual([]);
    expect(result.hypotheses).toEqual([]);
    expect(result.summary).toBe("No metrics for nowhere/ghost found in Prometheus");
    expect((result.metadata.extra?.["queries"] as { planned: number }).planned).toBe(0);
  });

  it("a node alert reads its filesystems and projects when it fills", async () => {
    const result = await investigate(ALERTS.nodeDisk());
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.content).toMatch(/^Filesystem usage of ip-10-0-3-77:9100 \/ climbed from 90\.1% to 92\.6% over the window \(trend\); full around 16:\d\d UTC at this rate; a day earlier 70% \(flat\)$/);
    expect(result.findings[0]?.severity).toBe("high");
    expect(result.hypotheses).toEqual([]);
  });

  it("an unreachable Prometheus is an `unavailable` failure that does not leak the credentials", async () => {
    const proxy = await startLoopbackProxy({ target: server.url });
    const deadUrl = proxy.url;
    await proxy.stop();
    const exit = await Effect.runPromiseExit(
      makePrometheusSpecialist({ url: deadUrl, auth: { type: "bearer", token: "tok-very-secret-123" }, now: () => NOW }).investigate(ALERTS.paymentsApi(), { deadline: Date.now() + 10_000 })
    );
    const failure = failureOf(exit);
    expect(failure).toBeInstanceOf(AgentFailure);
    expect(failure?.kind).toBe("unavailable");
    expect(failure?.reason).toContain(`cannot connect to ${deadUrl}`);
    expect(failure?.reason).not.toContain("tok-very-secret-123");
  });

  it("sends bearer auth through a proxy that requires it; refused credentials are `unavailable`", async () => {
    const proxy = await startLoopbackProxy({ target: server.url, bearerToken: "tok-7f3a9c" });
    try {
      const ok = await investigate(ALERTS.paymentsApi(), { url: proxy.url, auth: { type: "bearer", token: "tok-7f3a9c" } });
      expect(bySignal(ok, "error-ratio")[0]?.content).toMatch(/^5xx ratio of payments\/api rose from 0\.2% to 12\.4%/);
      expect(new Set(proxy.authorizations)).toEqual(new Set(["Bearer tok-7f3a9c"]));
      // Links point at the configured UI, never at the proxy or with credentials.
      const viaGraphUrl = await investigate(ALERTS.paymentsApi(), { url: proxy.url, auth: { type: "bearer", token: "tok-7f3a9c" }, graphUrl: "https://prometheus.example.com/" });
      expect(viaGraphUrl.findings[0]?.deepLink).toMatch(/^https:\/\/prometheus\.example\.com\/graph\?g0\.expr=/);

      const exit = await Effect.runPromiseExit(
        makePrometheusSpecialist({ url: proxy.url, auth: { type: "bearer", token: "wrong-token-xyz" }, now: () => NOW }).investigate(ALERTS.paymentsApi(), { deadline: Date.now() + 10_000 })
      );
      const failure = failureOf(exit);
      expect(failure?.kind).toBe("unavailable");
      expect(failure?.reason).toContain("refused the credentials (HTTP 401)");
      expect(failure?.reason).not.toContain("wrong-token-xyz");
    } finally {
      await proxy.stop();
    }
  });

  it("a hung query does not hold the answer: the deadline cuts it and the rest is returned as partial", async () => {
    const proxy = await startLoopbackProxy({ target: server.url, hang: (path, body) => path.startsWith("/api/v1/query_range") && body.includes("histogram_quantile") });
    try {
      const result = await Effect.runPromise(makePrometheusSpecialist({ url: proxy.url, now: () => NOW, concurrency: 4 }).investigate(ALERTS.paymentsApi(), { deadline: Date.now() + 1_500 }));
      expect(result.status).toBe("timeout");
      expect(result.summary).toMatch(/^Partial \(deadline reached with \d+ of \d+ queries answered\): /);
      expect(bySignal(result, "error-ratio")[0]?.content).toMatch(/^5xx ratio of payments\/api rose from 0\.2% to 12\.4% at 14:03 UTC \(step\)/);
      expect(bySignal(result, "volume-usage")).toHaveLength(1);
      const coverage = result.metadata.extra?.["coverage"] as { unanswered: ReadonlyArray<string> };
      expect(coverage.unanswered).toEqual(expect.arrayContaining(["latency-p99", "latency-p50"]));
    } finally {
      await proxy.stop();
    }
  });

  it("the snapshot counts targets up and down and the firing alerts", async () => {
    const section = await Effect.runPromise(specialist().snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.health).toBe("degraded");
    expect(section.summary).toBe("4/5 targets up; 2 alerts firing");
    expect(section.findings.map((f) => f.content)).toEqual(["1 of 5 scrape targets down: node-exporter (1/2 down)", "2 alerts firing: PaymentsHigh5xxRatio (critical), KubePodCrashLooping (warning)"]);
    expect(section.findings.map((f) => f.severity)).toEqual(["high", "high"]);
  });

  it("the snapshot of an unreachable Prometheus is an `unavailable` failure", async () => {
    const exit = await Effect.runPromiseExit(makePrometheusSpecialist({ url: "http://127.0.0.1:9" }).snapshot({ deadline: Date.now() + 5_000 }));
    expect(failureOf(exit)?.kind).toBe("unavailable");
  });

  it("skips alerts that name nothing it can select and carry no expression it may run", () => {
    const s = specialist();
    expect(s.skipReason?.(makePromAlert({ alertname: "HighBilling" }))).toBe("the alert names no service, workload, pod, namespace or node, and carries no expression to re-evaluate");
    expect(s.skipReason?.(makePromAlert({ alertname: "X" }, { generatorUrl: generatorUrlFor("up == 0"), authenticated: true }))).toBeUndefined();
    expect(s.skipReason?.(makePromAlert({ alertname: "X" }, { generatorUrl: generatorUrlFor("up == 0") }))).toBe(
      "the alert names no service, workload, pod, namespace or node, and its expression is not run because the alert did not arrive through an authenticated alert webhook"
    );
    expect(s.skipReason?.(makePromAlert({ alertname: "X" }, { generatorUrl: generatorUrlFor("vector(1)"), authenticated: true }))).toBe(
      "the alert names no service, workload, pod, namespace or node, and its expression was refused: the expression reads no metric, so there is nothing to re-evaluate"
    );
    expect(s.skipReason?.(ALERTS.nodeDisk())).toBeUndefined();
  });
});
