import { createServer, type Server } from "node:http";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoopbackProxy } from "../testing/LoopbackProxy.js";
import type { SeriesData } from "../testing/openMetrics.js";
import { type PrometheusServer, PROMETHEUS_SKIP_REASON, skipWithoutPrometheus, startPrometheus } from "../testing/PrometheusServer.js";
import { makePrometheusClient, type PrometheusClientOptions } from "./PrometheusClient.js";
import { PrometheusError } from "./PrometheusError.js";

const skip = skipWithoutPrometheus();
const T = Date.parse("2026-03-12T14:00:00Z");
const MIN = 60_000;

const data = (): ReadonlyArray<SeriesData> => {
  const times = Array.from({ length: 61 }, (_, i) => T - 60 * MIN + i * MIN);
  return [
    ...["a", "b", "c", "d"].map((instance, i) => ({ name: "up", labels: { job: "api", instance }, samples: times.map((t) => [t, i === 3 ? 0 : 1] as const) })),
    { name: "requests_total", labels: { job: "api" }, samples: times.map((t, i) => [t, i * 600] as const) },
    { name: "app_build_info", labels: { job: "api", version: "2.4.0", db_password: "hunter2-Xq9v", dsn: "postgres://app:S3cr3tPw-71@db:5432/app", ghp_abcdefghijklmnopqrstuvwxyz0123456789: "x" }, samples: times.map((t) => [t, 1] as const) }
  ];
};

const failureOf = <A>(exit: Exit.Exit<A, PrometheusError>): PrometheusError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure");
  return reason.error;
};

/** A canned HTTP server, for answers a real Prometheus does not give (other backends, broken proxies). */
const cannedServer = async (status: number, body: string, contentType = "application/json"): Promise<{ url: string; close: () => Promise<void> }> => {
  const server: Server = createServer((_, response) => {
    response.writeHead(status, { "content-type": contentType });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
};

describe("Prometheus client without a server", () => {
  it("a URL that is not http(s) is a typed `unreachable` error, not a throw", async () => {
    const client = makePrometheusClient({ url: "ftp://example/" });
    expect(failureOf(await Effect.runPromiseExit(client.query("up", T))).detail).toBe("the configured Prometheus URL is not a valid http(s) URL");
    expect(failureOf(await Effect.runPromiseExit(makePrometheusClient({ url: "::" }).query("up", T))).reason).toBe("unreachable");
  });

  it("tolerates the extras of VictoriaMetrics and Thanos answers and keeps their warnings", async () => {
    const body = JSON.stringify({
      status: "success",
      isPartial: false,
      data: { resultType: "vector", result: [{ metric: { __name__: "up", job: "x" }, value: [1773324000, "1"] }, { metric: { job: "y" }, value: [1773324000, "+Inf"], histogram: [1773324000, {}] }] },
      stats: { seriesFetched: "2", executionTimeMsec: 3 },
      warnings: ["partial response: store gateway 2 unavailable"]
    });
    const canned = await cannedServer(200, body);
    try {
      const answer = await Effect.runPromise(makePrometheusClient({ url: `${canned.url}/select/0/prometheus/` }).query("up", T));
      expect(answer.series).toEqual([
        { labels: { __name__: "up", job: "x" }, t: 1773324000000, v: 1 },
        { labels: { job: "y" }, t: 1773324000000, v: Number.POSITIVE_INFINITY }
      ]);
      expect(answer.warnings).toEqual(["partial response: store gateway 2 unavailable"]);
    } finally {
      await canned.close();
    }
  });

  it("maps backend refusals to typed reasons", async () => {
    const cases: ReadonlyArray<[number, string, string, PrometheusError["reason"]]> = [
      [429, JSON.stringify({ status: "error", errorType: "too_many_requests", error: "rate limited" }), "application/json", "limited"],
      [422, JSON.stringify({ status: "error", errorType: "execution", error: "the query exceeded the maximum number of series (limit: 1000)" }), "application/json", "limited"],
      [503, JSON.stringify({ status: "error", errorType: "timeout", error: "query timed out in expression evaluation" }), "application/json", "timeout"],
      [502, "<html>Bad gateway</html>", "text/html", "failed"],
      [200, "<html>Grafana login</html>", "text/html", "invalid"],
      [403, "forbidden", "text/plain", "auth"]
    ];
    for (const [status, body, type, reason] of cases) {
      const canned = await cannedServer(status, body, type);
      try {
        const error = failureOf(await Effect.runPromiseExit(makePrometheusClient({ url: canned.url }).query("up", T)));
        expect(error.reason, `HTTP ${status}`).toBe(reason);
      } finally {
        await canned.close();
      }
    }
  });

  it("an answer larger than the cap is `limited`, not read whole", async () => {
    const canned = await cannedServer(200, JSON.stringify({ status: "success", data: { resultType: "vector", result: Array.from({ length: 500 }, (_, i) => ({ metric: { i: String(i) }, value: [1, "1"] })) } }));
    try {
      const error = failureOf(await Effect.runPromiseExit(makePrometheusClient({ url: canned.url, maxResponseBytes: 2048 }).query("up", T)));
      expect(error.reason).toBe("limited");
    } finally {
      await canned.close();
    }
  });
});

describe.skipIf(skip)(`Prometheus client against a real Prometheus${skip ? ` (skipped: ${PROMETHEUS_SKIP_REASON})` : ""}`, () => {
  let server: PrometheusServer;
  const client = (options: Partial<PrometheusClientOptions> = {}) => makePrometheusClient({ url: server.url, ...options });
  beforeAll(async () => {
    server = await startPrometheus(data());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("evaluates instant queries: vectors with labels, scalars, and NaN/±Inf", async () => {
    const up = await Effect.runPromise(client().query("sum by (job) (up)", T));
    expect(up.series).toEqual([{ labels: { job: "api" }, t: T, v: 3 }]);
    expect((await Effect.runPromise(client().query("scalar(sum(up))", T))).series).toEqual([{ labels: {}, t: T, v: 3 }]);
    const special = await Effect.runPromise(client().query('label_replace(vector(1)/0, "k", "inf", "", "") or label_replace(-vector(1)/0, "k", "-inf", "", "") or label_replace(vector(0)/0, "k", "nan", "", "")', T));
    const byK = Object.fromEntries(special.series.map((s) => [s.labels["k"], s.v]));
    expect(byK["inf"]).toBe(Number.POSITIVE_INFINITY);
    expect(byK["-inf"]).toBe(Number.NEGATIVE_INFINITY);
    expect(byK["nan"]).toBeNaN();
  });

  it("bounds range queries by points per series and by series count", async () => {
    const range = { start: T - 60 * MIN, end: T };
    const bounded = await Effect.runPromise(client({ maxPoints: 10 }).queryRange("rate(requests_total[5m])", range, 1000));
    expect(bounded.stepMs).toBe(400_000);
    expect(bounded.series[0]?.points.length).toBeLessThanOrEqual(10);
    expect(bounded.series[0]?.points[1]?.v).toBeCloseTo(10, 5);
    const capped = await Effect.runPromise(client({ maxSeries: 2 }).queryRange("up", range, 60_000));
    expect(capped.series).toHaveLength(2);
    expect(capped.truncated).toBe(true);
    const all = await Effect.runPromise(client().queryRange("up", range, 60_000));
    expect(all.series).toHaveLength(4);
    expect(all.truncated).toBe(false);
  });

  it("answers label values that look like secrets as [REDACTED], in queries, ranges, series and label values", async () => {
    const range = { start: T - 10 * MIN, end: T };
    const expected = { __name__: "app_build_info", job: "api", version: "2.4.0", db_password: "[REDACTED]", dsn: "[REDACTED]", "[REDACTED]": "[REDACTED]" };
    expect((await Effect.runPromise(client().query("app_build_info", T))).series[0]?.labels).toEqual(expected);
    expect((await Effect.runPromise(client().queryRange("app_build_info", range, 60_000))).series[0]?.labels).toEqual(expected);
    expect((await Effect.runPromise(client().series(["app_build_info"], range))).series[0]).toEqual(expected);
    expect((await Effect.runPromise(client().labelValues("db_password", [], range))).series).toEqual(["[REDACTED]"]);
    expect((await Effect.runPromise(client().labelValues("dsn", [], range))).series).toEqual(["[REDACTED]"]);
    expect((await Effect.runPromise(client().labelValues("version", [], range))).series).toEqual(["2.4.0"]);
  });

  it("lists series and label values for matchers", async () => {
    const range = { start: T - 10 * MIN, end: T };
    const names = await Effect.runPromise(client().labelValues("__name__", ['{__name__=~"up|requests_total|absent_metric",job="api"}'], range));
    expect([...names.series].sort()).toEqual(["requests_total", "up"]);
    const series = await Effect.runPromise(client({ maxSeries: 3 }).series(['up{job="api"}'], range));
    expect(series.series).toHaveLength(3);
    expect(series.truncated).toBe(true);
  });

  it("a query Prometheus cannot parse is `bad-query` with its message", async () => {
    const error = failureOf(await Effect.runPromiseExit(client().query("sum(rate(up[5m])", T)));
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error.reason).toBe("bad-query");
    expect(error.detail).toMatch(/^HTTP 400 bad_data: .*unclosed left parenthesis/);
  });

  it("a URL that is not the query API is `unreachable`", async () => {
    const error = failureOf(await Effect.runPromiseExit(client({ url: `${server.url}/not-prometheus` }).query("up", T)));
    expect(error.reason).toBe("unreachable");
    expect(error.detail).toMatch(/^no Prometheus query API at http:\/\/127\.0\.0\.1:\d+\/not-prometheus \(HTTP 404/);
  });

  it("a query that hangs is aborted at the request timeout", async () => {
    const proxy = await startLoopbackProxy({ target: server.url, hang: () => true });
    try {
      const error = failureOf(await Effect.runPromiseExit(makePrometheusClient({ url: proxy.url, requestTimeoutMs: 200 }).query("up", T)));
      expect(error.reason).toBe("timeout");
      expect(error.detail).toBe(`no answer from ${proxy.url} within 200 ms`);
    } finally {
      await proxy.stop();
    }
  });

  it("sends bearer and basic credentials, and never shows them in errors or descriptions", async () => {
    const proxy = await startLoopbackProxy({ target: server.url, bearerToken: "tok-5ecret" });
    try {
      const ok = await Effect.runPromise(makePrometheusClient({ url: proxy.url, auth: { type: "bearer", token: "tok-5ecret" } }).query("count(up)", T));
      expect(ok.series[0]?.v).toBe(4);
      const refused = failureOf(await Effect.runPromiseExit(makePrometheusClient({ url: proxy.url, auth: { type: "bearer", token: "nope-token" } }).query("up", T)));
      expect(refused.reason).toBe("auth");
      expect(refused.message).toBe(`query up: auth: ${proxy.url} refused the credentials (HTTP 401)`);
      const withUserInfo = makePrometheusClient({ url: proxy.url.replace("http://", "http://ops:pa55word-x@") });
      expect(withUserInfo.description).toBe(proxy.url);
      const basic = failureOf(await Effect.runPromiseExit(withUserInfo.query("up", T)));
      expect(basic.reason).toBe("auth");
      expect(proxy.authorizations.at(-1)).toBe(`Basic ${Buffer.from("ops:pa55word-x").toString("base64")}`);
      expect(JSON.stringify({ ...basic, message: basic.message })).not.toMatch(/pa55word-x|b3BzOnBhNTV3b3JkLXg/);
    } finally {
      await proxy.stop();
    }
  });
});
