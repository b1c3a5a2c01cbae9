import { type AgentTool, schemaTool, ToolError, type ToolFinding } from "@sre-on-call/core";
import { Effect, Result, Schema } from "effect";
import { guardTool } from "../../skills/guardTool.js";
import { formatValue } from "../analyze/format.js";
import { type Labels, makePrometheusClient, type PrometheusClient } from "../client/PrometheusClient.js";
import type { PrometheusError } from "../client/PrometheusError.js";
import type { PrometheusSpecialistOptions } from "../PrometheusSpecialist.js";
import { validatePromql } from "../safety/validatePromql.js";

export interface PrometheusToolsOptions {
  /** The clock queries are evaluated against (default `Date.now`; tests and replays pin it). */
  readonly now?: () => number;
  /** Series listed per answer (default 20). */
  readonly maxSeries?: number;
  /** Largest answer text (default 4,000 characters). */
  readonly maxChars?: number;
}

export const PROMETHEUS_TOOL_NAMES = ["query_range", "instant_query", "list_metrics"] as const;

const MIN = 60_000;
const Expr = Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(2_000)));
const Minutes = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 5, maximum: 360 })));
const StepSeconds = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 3_600 })));
const MetricFragment = Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9_:]{1,100}$/)));

const toolError = (tool: string) => (e: PrometheusError) =>
  new ToolError({
    tool,
    reason: e.reason === "bad-query" ? "invalid_input" : e.reason === "timeout" ? "timeout" : e.reason === "unreachable" || e.reason === "auth" ? "unavailable" : "failed",
    detail: e.message
  });

/**
 * The model's PromQL, checked before it runs: the model read untrusted text (alert, logs, chat)
 * and may have been told to read every series or a secret label. The refusal says why, so the
 * model can write an acceptable query.
 */
const checked = (tool: string, expr: string): Effect.Effect<string, ToolError> => {
  const result = validatePromql(expr);
  return Result.isSuccess(result) ? Effect.succeed(result.success.expr) : Effect.fail(new ToolError({ tool, reason: "invalid_input", detail: result.failure.message }));
};

/** `{namespace="payments", pod="api-1"}` as PromQL prints it, the metric name first. */
export const formatLabels = (labels: Labels): string => {
  const { __name__: name, ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}="${rest[k] ?? ""}"`)
    .join(", ");
  return `${name ?? ""}{${inner}}`;
};

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : formatValue(v, "number"));
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";

/**
 * The Prometheus specialist's tools over its client: PromQL range and instant queries and a
 * metric-name search, each answering a compact summary (never raw samples).
 */
export const prometheusTools = (client: PrometheusClient, options: PrometheusToolsOptions = {}): ReadonlyArray<AgentTool> => {
  const now = options.now ?? Date.now;
  const maxSeries = Math.max(1, options.maxSeries ?? 20);
  const guard = (tool: string, context: Parameters<AgentTool["run"]>[1], body: Effect.Effect<{ readonly text: string; readonly findings?: ReadonlyArray<ToolFinding> }, ToolError>) =>
    guardTool(tool, context, body, options.maxChars !== undefined ? { maxChars: options.maxChars } : {});
  const notes = (truncated: boolean, warnings: ReadonlyArray<string>) => [
    ...(truncated ? ["(the server returned more series than the client keeps; the list is partial)"] : []),
    ...warnings.slice(0, 3).map((w) => `server warning: ${w}`)
  ];

  const queryRange = schemaTool({
    name: "query_range",
    description: "Evaluate a PromQL expression over the last N minutes; answers each series' first, min, max and last value (not raw samples).",
    args: Schema.Struct({ expr: Expr, minutes: Schema.optionalKey(Minutes), step_seconds: Schema.optionalKey(StepSeconds) }),
    run: (args, context) =>
      guard(
        "query_range",
        context,
        Effect.gen(function* () {
          const end = now();
          const minutes = args.minutes ?? 30;
          const range = { start: end - minutes * MIN, end };
          const expr = yield* checked("query_range", args.expr);
          const answer = yield* client.queryRange(expr, range, args.step_seconds !== undefined ? args.step_seconds * 1000 : undefined).pipe(Effect.mapError(toolError("query_range")));
          const head = `${args.expr} over the ${minutes} min to ${utc(end)} (step ${Math.round(answer.stepMs / 1000)} s): ${answer.series.length} series`;
          if (answer.series.length === 0) return { text: `${head}. No data: the expression matches no series in this window.` };
          const lines = answer.series.slice(0, maxSeries).map((s) => {
            const values = s.points.map((p) => p.v).filter((v) => !Number.isNaN(v));
            if (values.length === 0) return `${formatLabels(s.labels)}: no samples`;
            const first = s.points.find((p) => !Number.isNaN(p.v));
            const last = [...s.points].reverse().find((p) => !Number.isNaN(p.v));
            return `${formatLabels(s.labels)}: first ${fmt(first?.v ?? Number.NaN)}, min ${fmt(Math.min(...values))}, max ${fmt(Math.max(...values))}, last ${fmt(last?.v ?? Number.NaN)} at ${utc(last?.t ?? end)} (${values.length} points)`;
          });
          const more = answer.series.length > maxSeries ? [`… ${answer.series.length - maxSeries} more series (narrow the expression, e.g. with sum by (…))`] : [];
          return { text: [head, ...lines, ...more, ...notes(answer.truncated, answer.warnings)].join("\n") };
        })
      )
  });

  const instantQuery = schemaTool({
    name: "instant_query",
    description: "Evaluate a PromQL expression at the current instant; answers each series' value.",
    args: Schema.Struct({ expr: Expr }),
    run: (args, context) =>
      guard(
        "instant_query",
        context,
        Effect.gen(function* () {
          const at = now();
          const expr = yield* checked("instant_query", args.expr);
          const answer = yield* client.query(expr, at).pipe(Effect.mapError(toolError("instant_query")));
          const head = `${args.expr} at ${utc(at)}: ${answer.series.length} series`;
          if (answer.series.length === 0) return { text: `${head}. No data: the expression matches no series at this instant.` };
          const lines = answer.series.slice(0, maxSeries).map((s) => `${formatLabels(s.labels)} = ${fmt(s.v)}`);
          const more = answer.series.length > maxSeries ? [`… ${answer.series.length - maxSeries} more series`] : [];
          return { text: [head, ...lines, ...more, ...notes(answer.truncated, answer.warnings)].join("\n") };
        })
      )
  });

  const listMetrics = schemaTool({
    name: "list_metrics",
    description: "Metric names that contain a fragment (case-insensitive), from series seen in the last hour; use it before writing PromQL for an unfamiliar metric.",
    args: Schema.Struct({ match: MetricFragment }),
    run: (args, context) =>
      guard(
        "list_metrics",
        context,
        Effect.gen(function* () {
          const end = now();
          const answer = yield* client.labelValues("__name__", [`{__name__=~"(?i).*${args.match}.*"}`], { start: end - 60 * MIN, end }).pipe(Effect.mapError(toolError("list_metrics")));
          const names = [...answer.series].sort();
          if (names.length === 0) return { text: `No metric name contains "${args.match}" in the last hour.` };
          return { text: [`${names.length} metric name${names.length === 1 ? "" : "s"} containing "${args.match}":`, ...names, ...notes(answer.truncated, answer.warnings)].join("\n") };
        })
      )
  });

  return [queryRange, instantQuery, listMetrics];
};

/** The tools from the same options `makePrometheusSpecialist` takes (its `client`, or one made from `url`/`auth`). */
export const makePrometheusTools = (options: PrometheusSpecialistOptions, toolOptions: Omit<PrometheusToolsOptions, "now"> = {}): ReadonlyArray<AgentTool> =>
  prometheusTools(options.client ?? makePrometheusClient(options), { ...toolOptions, ...(options.now !== undefined ? { now: options.now } : {}) });
