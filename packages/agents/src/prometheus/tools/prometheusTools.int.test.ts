import { type AgentTool, type ToolContext, ToolError, type ToolOutput } from "@sre-on-call/core";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePrometheusClient } from "../client/PrometheusClient.js";
import { startLoopbackProxy } from "../testing/LoopbackProxy.js";
import { type PrometheusServer, PROMETHEUS_SKIP_REASON, skipWithoutPrometheus, startPrometheus } from "../testing/PrometheusServer.js";
import { ALERTS, NOW, PAYMENTS_5XX_EXPR, PLANTED_SECRETS, scenarioSeries } from "../testing/scenarios.js";
import { makePrometheusTools, PROMETHEUS_TOOL_NAMES, prometheusTools } from "./prometheusTools.js";

const skip = skipWithoutPrometheus();
const alert = ALERTS.paymentsApi();
const context = (deadline = Date.now() + 20_000): ToolContext => ({ alert, deadline });
const byName = (tools: ReadonlyArray<AgentTool>, name: string) => {
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  return tool;
};
const run = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, ctx = context()): Promise<ToolOutput> => Effect.runPromise(byName(tools, name).run(input, ctx));
const fail = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, ctx = context()): Promise<ToolError> => Effect.runPromise(Effect.flip(byName(tools, name).run(input, ctx)));

describe.skipIf(skip)(`Prometheus tools against a real Prometheus${skip ? ` (skipped: ${PROMETHEUS_SKIP_REASON})` : ""}`, () => {
  let server: PrometheusServer;
  let tools: ReadonlyArray<AgentTool>;

  beforeAll(async () => {
    server = await startPrometheus(scenarioSeries());
    tools = makePrometheusTools({ url: server.url, now: () => NOW });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("offers query_range, instant_query and list_metrics", () => {
    expect(tools.map((t) => t.name)).toEqual([...PROMETHEUS_TOOL_NAMES]);
    expect(byName(tools, "query_range").inputSchema).toMatchObject({ required: ["expr"], properties: { minutes: { minimum: 5, maximum: 360 } } });
  });

  it("query_range summarises the volume filling up: max above 0, last 0", async () => {
    const out = await run(tools, "query_range", { expr: 'kubelet_volume_stats_available_bytes{persistentvolumeclaim="data-payments-db-0"}', minutes: 40, step_seconds: 60 });
    const [head, series, ...rest] = out.text.split("\n");
    expect(head).toBe('kubelet_volume_stats_available_bytes{persistentvolumeclaim="data-payments-db-0"} over the 40 min to 2026-03-12 14:25 UTC (step 60 s): 1 series');
    expect(series).toMatch(/^kubelet_volume_stats_available_bytes\{namespace="payments", persistentvolumeclaim="data-payments-db-0"\}: first [\d.e+]+, min 0, max [\d.e+]+, last 0 at 2026-03-12 14:25 UTC \(41 points\)$/);
    expect(rest).toEqual([]);
  });

  it("query_range of the alert's own 5xx ratio shows the step", async () => {
    const out = await run(tools, "query_range", { expr: PAYMENTS_5XX_EXPR.replace(/ > 0\.05$/, ""), minutes: 60 });
    expect(out.text).toMatch(/\{\}: first 0\.002\d*, min 0\.00\d+, max 0\.12\d*, last 0\.124/);
  });

  it("instant_query lists the target that is down", async () => {
    const out = await run(tools, "instant_query", { expr: "up == 0" });
    expect(out.text).toBe('up == 0 at 2026-03-12 14:25 UTC: 1 series\nup{instance="10.0.3.77:9100", job="node-exporter"} = 0');
    const none = await run(tools, "instant_query", { expr: 'up{job="nope"}' });
    expect(none.text).toContain("No data: the expression matches no series at this instant.");
  });

  it("list_metrics finds names by fragment, case-insensitively", async () => {
    const out = await run(tools, "list_metrics", { match: "KUBELET_VOLUME" });
    expect(out.text).toBe('2 metric names containing "KUBELET_VOLUME":\nkubelet_volume_stats_available_bytes\nkubelet_volume_stats_capacity_bytes');
  });

  it("bad PromQL is invalid_input with the reason, ours or the server's, so the model can fix it", async () => {
    const unbalanced = await fail(tools, "query_range", { expr: "sum(rate(http_requests_total[5m]" });
    expect(unbalanced.reason).toBe("invalid_input");
    expect(unbalanced.detail).toBe('PromQL refused: expected "," or ")" at the end');
    const mistyped = await fail(tools, "query_range", { expr: "sum(rate(http_requests_total))" });
    expect(mistyped.reason).toBe("invalid_input");
    expect(mistyped.detail).toMatch(/bad-query: .*expected type range vector in call to function "rate", got instant vector/);
  });

  it("arguments outside their bounds are invalid_input", async () => {
    for (const input of [{ expr: "up", minutes: 4 }, { expr: "" }, { expr: "up", minutes: 361 }, { expr: "up", step_seconds: 0.5 }]) expect((await fail(tools, "query_range", input)).reason).toBe("invalid_input");
    expect((await fail(tools, "list_metrics", { match: '"}or{' })).reason).toBe("invalid_input");
  });

  it("many series are counted past the listed ones, and the text is capped", async () => {
    const out = await run(prometheusTools(makePrometheusClient({ url: server.url }), { now: () => NOW, maxSeries: 2 }), "instant_query", { expr: "up" });
    expect(out.text).toMatch(/^up at 2026-03-12 14:25 UTC: 5 series\n.+\n.+\n… 3 more series$/);
    const capped = await run(prometheusTools(makePrometheusClient({ url: server.url }), { now: () => NOW, maxChars: 120 }), "instant_query", { expr: "up" });
    expect(capped.text.length).toBeLessThanOrEqual(120);
    expect(capped.text.endsWith("(truncated)")).toBe(true);
  });

  it("refuses PromQL that reads every series, matches a secret label or looks back too far, before it reaches Prometheus", async () => {
    const proxy = await startLoopbackProxy({ target: server.url });
    try {
      const proxied = makePrometheusTools({ url: proxy.url, now: () => NOW });
      for (const [tool, expr, reason] of [
        ["instant_query", '{__name__=~".+"}', "a selector names no metric, so it would read every series; name the metric"],
        ["query_range", 'count by (job) ({job=~".*"})', "a selector names no metric"],
        ["instant_query", 'app_build_info{db_password=~"h.*"}', 'label "db_password" looks like it holds a secret'],
        ["query_range", 'label_replace(app_build_info, "version", "$1", "db_password", "(.*)")', 'label "db_password" looks like it holds a secret'],
        ["query_range", "max_over_time(up[30d:1m])", "a subquery range of 30d looks back further than the 7d limit"],
        ["instant_query", "vector(1)", "the expression reads no metric"]
      ] as const) {
        const err = await fail(proxied, tool, { expr });
        expect(err.reason).toBe("invalid_input");
        expect(err.detail).toContain(`PromQL refused: ${reason}`);
      }
      expect(proxy.queries).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("label values that look like secrets are [REDACTED] in answers", async () => {
    for (const [tool, input] of [["instant_query", { expr: "app_build_info" }], ["query_range", { expr: "app_build_info", minutes: 10 }]] as const) {
      const out = await run(tools, tool, input);
      expect(out.text).toContain('db_password="[REDACTED]", dsn="[REDACTED]"');
      expect(out.text).toContain('version="2.4.0"');
      for (const secret of [PLANTED_SECRETS.password, "S3cr3tPw-71"]) expect(out.text).not.toContain(secret);
    }
  });

  it("a passed deadline is a timeout", async () => {
    expect((await fail(tools, "instant_query", { expr: "up" }, context(Date.now() - 1))).reason).toBe("timeout");
  });
});

describe("Prometheus tools without a server", () => {
  it("an unreachable server is unavailable, with no credentials in the detail", async () => {
    const tools = makePrometheusTools({ url: "http://127.0.0.1:1", auth: { type: "bearer", token: "s3cr3t-token-value" }, requestTimeoutMs: 2_000, now: () => NOW });
    const err = await fail(tools, "instant_query", { expr: "up" });
    expect(err).toBeInstanceOf(ToolError);
    expect(err.reason).toBe("unavailable");
    expect(err.message).not.toContain("s3cr3t");
  });
});
