import { AgentFailure, type AgentFailureKind, type AgentResult, type AlertContext, type Finding, type HealthState, type SnapshotSection, type Specialist, type SpecialistCall, deterministicMetadata } from "@sre-on-call/core";
import { Duration, Effect, Option, Result } from "effect";
import { type AnalysisNote, analyzeSignals, dayEarlierOf, type QueryOutcome } from "./analyze/analyzeSignals.js";
import { expressionFromGeneratorUrl, splitComparison } from "./analyze/promql.js";
import { scopeFromAlert, scopeIsEmpty } from "./analyze/scopeFromAlert.js";
import { discoveryMatchers, planSignals, type SignalPlan } from "./analyze/signals.js";
import { type InstantSample, makePrometheusClient, type PrometheusClient, type PrometheusClientOptions, publicBaseUrl, type TimeRange } from "./client/PrometheusClient.js";
import type { PrometheusError } from "./client/PrometheusError.js";
import { validatePromql } from "./safety/validatePromql.js";

export interface PrometheusSpecialistOptions extends PrometheusClientOptions {
  /** Agent id used in findings and reports (default `prometheus`). */
  readonly id?: string;
  readonly description?: string;
  /** Base of the graph links when the UI is not at `url` (Thanos/Mimir behind Grafana, a public hostname). */
  readonly graphUrl?: string;
  /** Queries in flight at once (default 4). */
  readonly concurrency?: number;
  /** Time kept for the analysis when queries are cut by the deadline (default 100 ms). */
  readonly analysisReserveMs?: number;
  /**
   * The clock queries are evaluated against: the end of an open alert window and the snapshot's
   * instant (default `Date.now`; tests and replays pin it). Deadlines and durations always use
   * the wall clock, since `SpecialistCall.deadline` is wall-clock time.
   */
  readonly now?: () => number;
  /** A ready client instead of one built from `url`/`auth` (tests, a shared client). */
  readonly client?: PrometheusClient;
}

const MIN = 60_000;
const MIN_WINDOW_MS = 30 * MIN;
const MAX_WINDOW_MS = 6 * 60 * MIN;
/** Points per series the specialist aims for; the client's `maxPoints` caps it further. */
const TARGET_POINTS = 120;
const STEP_QUANTUM_MS = 15_000;

const failureKind = (e: PrometheusError): AgentFailureKind => (e.reason === "unreachable" || e.reason === "auth" ? "unavailable" : e.reason === "timeout" ? "timeout" : "error");

/** The alert window, bounded: at least 30 minutes ending at the window's end (or now), at most 6 hours. */
export const investigationWindow = (alert: AlertContext, now: number): TimeRange => {
  const end = Math.max(Math.min(alert.window.end, Math.max(now, alert.alertTimestamp)), alert.window.start);
  const start = Math.max(Math.min(alert.window.start, end - MIN_WINDOW_MS), end - MAX_WINDOW_MS);
  return { start, end };
};

export const stepFor = (range: TimeRange): number => Math.max(STEP_QUANTUM_MS, Math.ceil((range.end - range.start) / TARGET_POINTS / STEP_QUANTUM_MS) * STEP_QUANTUM_MS);

/** What becomes of the PromQL in the alert's generatorURL. */
export type AlertExpression =
  | { readonly kind: "none" }
  | { readonly kind: "untrusted" }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "run"; readonly plan: SignalPlan };

/**
 * The alert's own expression, and whether it may run. Anyone who can post to an open intake or a
 * chat channel can write a generatorURL, and its PromQL would run against the internal Prometheus
 * with the answer posted back. So it runs only for an alert whose sender authenticated at an
 * alert webhook (`authenticatedSource`), and only when `validatePromql` accepts it.
 */
export const alertExpressionOf = (alert: AlertContext): AlertExpression => {
  const expr = alert.generatorUrl === undefined ? undefined : expressionFromGeneratorUrl(alert.generatorUrl);
  if (expr === undefined) return { kind: "none" };
  if (alert.authenticatedSource !== true) return { kind: "untrusted" };
  const comparison = splitComparison(expr);
  const value = comparison?.value ?? expr;
  const checked = validatePromql(value);
  if (Result.isFailure(checked)) return { kind: "refused", reason: checked.failure.reason };
  return {
    kind: "run",
    plan: {
      id: "alert-expression",
      title: "alert expression",
      unit: "number",
      expr: value,
      subjectLabels: [],
      dayEarlier: true,
      ...(comparison === undefined ? {} : { comparison })
    }
  };
};

/** The plan for the alert's own expression, when its generatorURL carries one that may run. */
export const alertExpressionPlan = (alert: AlertContext): SignalPlan | undefined => {
  const expression = alertExpressionOf(alert);
  return expression.kind === "run" ? expression.plan : undefined;
};

/** Why the alert's expression was not run, as the first finding; never the expression itself, which is untrusted text. */
const expressionNote = (expression: AlertExpression): AnalysisNote | undefined =>
  expression.kind === "untrusted"
    ? {
        content:
          "The alert's own PromQL expression (from its generatorURL) was not run: the alert did not arrive through an authenticated alert webhook. The golden signals are read from the alert's labels instead.",
        severity: "info",
        metadata: { signal: "alert-expression", notRun: "unauthenticated source" }
      }
    : expression.kind === "refused"
      ? { content: `The alert's own PromQL expression was refused and not run: ${expression.reason}.`, severity: "info", metadata: { signal: "alert-expression", notRun: "refused", reason: expression.reason } }
      : undefined;

const NO_SCOPE = "the alert names no service, workload, pod, namespace or node";

/**
 * The Prometheus specialist: re-evaluates the alert's expression (when an authenticated alert
 * webhook delivered it and it passes `validatePromql`) and reads the golden signals
 * (errors, latency, traffic, saturation) of what the alert names over its window and the same
 * window a day earlier, through the HTTP query API of Prometheus, Thanos, Mimir or
 * VictoriaMetrics. Deterministic: no model calls. Read-only: it only queries.
 */
export const makePrometheusSpecialist = (options: PrometheusSpecialistOptions): Specialist => {
  const id = options.id ?? "prometheus";
  const now = options.now ?? Date.now;
  const client = options.client ?? makePrometheusClient(options);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const reserve = Math.max(0, options.analysisReserveMs ?? 100);
  const graphBase = (options.graphUrl === undefined ? undefined : publicBaseUrl(options.graphUrl)) ?? publicBaseUrl(options.url) ?? client.description;
  const fail = (e: PrometheusError) => new AgentFailure({ agent: id, kind: failureKind(e), reason: e.message });

  const investigate = (alert: AlertContext, call: SpecialistCall): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = Date.now();
      const window = investigationWindow(alert, now());
      const dayEarlier = dayEarlierOf(window);
      const stepMs = stepFor(window);
      const scope = scopeFromAlert(alert);
      const expression = alertExpressionOf(alert);
      const plans: Array<SignalPlan> = expression.kind === "run" ? [expression.plan] : [];
      const note = expressionNote(expression);
      const outcomes: Array<QueryOutcome> = [];
      let queries = 0;

      const discover = Effect.gen(function* () {
        const matchers = discoveryMatchers(scope);
        if (matchers.length === 0) return new Set<string>();
        const answer = yield* client.labelValues("__name__", matchers, window).pipe(Effect.result);
        if (answer._tag === "Success") return new Set(answer.success.series);
        const e = answer.failure;
        if (e.reason === "unreachable" || e.reason === "auth") return yield* Effect.fail(fail(e));
        // A backend that cannot list names for matchers still answers queries: try them all.
        return "all" as const;
      });

      const work = Effect.gen(function* () {
        const available = yield* discover;
        plans.push(...planSignals(scope, { available, rateWindowMs: Math.max(5 * MIN, 4 * stepMs) }));
        const tasks = [
          ...plans.map((signal) => ({ signal, which: "window" as const, range: window })),
          ...plans.filter((p) => p.dayEarlier).map((signal) => ({ signal, which: "dayEarlier" as const, range: dayEarlier }))
        ];
        queries = tasks.length;
        yield* Effect.forEach(
          tasks,
          (task) =>
            client.queryRange(task.signal.expr, task.range, stepMs).pipe(
              Effect.result,
              Effect.map((r) => {
                outcomes.push(r._tag === "Success" ? { signal: task.signal, which: task.which, answer: r.success } : { signal: task.signal, which: task.which, error: r.failure });
              })
            ),
          { concurrency, discard: true }
        );
      });

      const budget = Math.max(0, call.deadline - startedAt - reserve);
      const finished = yield* work.pipe(Effect.timeoutOption(Duration.millis(budget)));
      const complete = Option.isSome(finished);

      const answered = outcomes.filter((o) => o.answer !== undefined);
      const failures = outcomes.flatMap((o) => (o.error === undefined ? [] : [o.error]));
      const refused = failures.find((e) => e.reason === "unreachable" || e.reason === "auth");
      if (answered.length === 0 && refused !== undefined) return yield* Effect.fail(fail(refused));

      const analysis = yield* Effect.try({
        try: () => analyzeSignals({ agent: id, alert, scope, window, plans, outcomes, graphBase, ...(note === undefined ? {} : { notes: [note] }) }),
        catch: (e) => new AgentFailure({ agent: id, kind: "crashed", reason: `analysis failed: ${e instanceof Error ? e.message : String(e)}` })
      });
      const allFailed = complete && outcomes.length > 0 && answered.length === 0;
      const status: AgentResult["status"] = !complete ? "timeout" : allFailed ? "error" : "success";
      const endedAt = Math.max(Date.now(), startedAt);
      const progress = queries === 0 ? "before the queries were planned" : `with ${outcomes.length} of ${queries} queries answered`;
      const summary = !complete ? `Partial (deadline reached ${progress}): ${analysis.summary}` : analysis.summary;
      const error = !complete ? "deadline reached before every query answered" : allFailed ? `every query failed: ${failures[0]?.message ?? ""}` : undefined;
      return {
        agent: id,
        status,
        findings: analysis.findings,
        hypotheses: analysis.hypotheses,
        summary,
        ...(error === undefined ? {} : { error }),
        durationMs: endedAt - startedAt,
        metadata: deterministicMetadata(startedAt, endedAt, {
            prometheus: client.description,
            scope: scope.subject,
            alertExpression: expression.kind,
            window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
            stepSeconds: stepMs / 1000,
            queries: { planned: queries, answered: answered.length, failed: failures.length },
            coverage: { ...analysis.coverage },
            ...(failures.length === 0 ? {} : { errors: failures.slice(0, 5).map((e) => e.message) })
          })
      } satisfies AgentResult;
    });

  const snapshot = (call: SpecialistCall): Effect.Effect<SnapshotSection, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = Date.now();
      const at = now();
      const read = Effect.all([client.query("sum by (job) (up)", at), client.query("count by (job) (up)", at), client.query('count by (alertname, severity) (ALERTS{alertstate="firing"})', at)], {
        concurrency: 3
      });
      const result = yield* read.pipe(Effect.mapError(fail), Effect.timeoutOption(Duration.millis(Math.max(0, call.deadline - startedAt))));
      if (Option.isNone(result)) return yield* Effect.fail(new AgentFailure({ agent: id, kind: "timeout", reason: `${client.description} did not answer before the deadline` }));
      const [upByJob, totalByJob, firing] = result.value;
      return summarizeSnapshot(upByJob.series, totalByJob.series, firing.series, startedAt, at);
    });

  const summarizeSnapshot = (upByJob: ReadonlyArray<InstantSample>, totalByJob: ReadonlyArray<InstantSample>, firing: ReadonlyArray<InstantSample>, startedAt: number, at: number): SnapshotSection => {
    const findings: Array<Finding> = [];
    const add = (content: string, severity: Finding["severity"], metadata: Finding["metadata"]) => findings.push({ id: `${id}:${findings.length + 1}`, agent: id, source: "prometheus", timestamp: at, content, severity, metadata });
    const jobs = totalByJob.map((t) => {
      const job = t.labels["job"] ?? "(no job)";
      const up = upByJob.find((u) => (u.labels["job"] ?? "(no job)") === job)?.v ?? 0;
      return { job, total: Math.round(t.v), up: Math.round(up) };
    });
    const total = jobs.reduce((a, j) => a + j.total, 0);
    const up = jobs.reduce((a, j) => a + j.up, 0);
    const down = jobs.filter((j) => j.up < j.total).sort((a, b) => b.total - b.up - (a.total - a.up));
    if (down.length > 0) {
      add(
        `${total - up} of ${total} scrape targets down: ${down.slice(0, 5).map((j) => `${j.job} (${j.total - j.up}/${j.total} down)`).join(", ")}${down.length > 5 ? `, and ${down.length - 5} more jobs` : ""}`,
        up === 0 ? "critical" : "high",
        { down: down.map((j) => ({ ...j })) }
      );
    }
    const alerts = firing.map((f) => ({ alertname: f.labels["alertname"] ?? "(unnamed)", severity: f.labels["severity"] ?? "", count: Math.round(f.v) })).sort((a, b) => alertRank(a.severity) - alertRank(b.severity) || a.alertname.localeCompare(b.alertname));
    const firingCount = alerts.reduce((a, f) => a + f.count, 0);
    if (firingCount > 0) {
      const worst = alertRank(alerts[0]?.severity ?? "");
      add(
        `${firingCount} alert${firingCount === 1 ? "" : "s"} firing: ${alerts.slice(0, 8).map((a) => `${a.alertname}${a.severity === "" ? "" : ` (${a.severity})`}${a.count > 1 ? ` ×${a.count}` : ""}`).join(", ")}${alerts.length > 8 ? `, and ${alerts.length - 8} more` : ""}`,
        worst === 0 ? "high" : worst === 1 ? "medium" : "low",
        { alerts: alerts.map((a) => ({ ...a })) }
      );
    }
    const health: HealthState = total === 0 && firingCount === 0 ? "unknown" : total > 0 && up === 0 ? "unhealthy" : down.length > 0 || firingCount > 0 ? "degraded" : "healthy";
    const summary = `${total === 0 ? "no scrape targets" : `${up}/${total} targets up`}; ${firingCount === 0 ? "no alerts firing" : `${firingCount} alert${firingCount === 1 ? "" : "s"} firing`}`;
    if (findings.length === 0) add(summary, "info", { targets: total, up, firing: firingCount });
    return { agent: id, state: "ok", health, summary, findings, durationMs: Math.max(0, Date.now() - startedAt) };
  };

  return {
    id,
    description: options.description ?? `Prometheus: the alert's expression (authenticated webhooks only) and golden signals (errors, latency, saturation) from ${client.description}`,
    skipReason: (alert) => {
      if (!scopeIsEmpty(scopeFromAlert(alert))) return undefined;
      const expression = alertExpressionOf(alert);
      switch (expression.kind) {
        case "run":
          return undefined;
        case "none":
          return `${NO_SCOPE}, and carries no expression to re-evaluate`;
        case "untrusted":
          return `${NO_SCOPE}, and its expression is not run because the alert did not arrive through an authenticated alert webhook`;
        case "refused":
          return `${NO_SCOPE}, and its expression was refused: ${expression.reason}`;
      }
    },
    investigate,
    snapshot
  };
};

/** Alertmanager severities, most severe first; unknown ones last. */
const alertRank = (severity: string): number => {
  const s = severity.toLowerCase();
  return s === "critical" || s === "page" ? 0 : s === "warning" || s === "high" ? 1 : s === "" ? 3 : 2;
};
