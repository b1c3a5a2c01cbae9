import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { AgentFailure, type AgentFailureKind, type AgentResult, type AlertContext, type Finding, type HealthState, type SnapshotSection, type Specialist, type SpecialistCall, deterministicMetadata } from "@sre-on-call/core";
import { Duration, Effect, Option } from "effect";
import { analyzeErrors } from "./investigate/analyzeErrors.js";
import { candidatePrefixes, namedGroups, rankLogGroups, type RankedGroup, searchTerms } from "./investigate/discoverLogGroups.js";
import { insightsLink } from "./investigate/insightsLink.js";
import { errorLinesQuery } from "./investigate/queries.js";
import { type CloudWatchLogsSourceOptions, makeCloudWatchLogsSource } from "./source/CloudWatchLogsSource.js";
import { type DirectoryLogSourceOptions, makeDirectoryLogSource } from "./source/DirectoryLogSource.js";
import type { ErrorSearch, LogGap, LogSource, LogSourceError } from "./source/LogSource.js";

export interface LogsSpecialistOptions {
  /** Agent id used in findings and reports (default `cloudwatch-logs`). */
  readonly id?: string;
  readonly description?: string;
  /** Restrict the search to groups under these prefixes (configuration `log_group_prefixes`). */
  readonly logGroupPrefixes?: ReadonlyArray<string>;
  /** Groups always searched when they exist (configuration `log_groups`). */
  readonly logGroups?: ReadonlyArray<string>;
  /** Most log groups read per investigation (default 5). */
  readonly maxGroups?: number;
  /** Time kept for the analysis when reading is cut by the deadline (default 250 ms). */
  readonly analysisReserveMs?: number;
  /** Snapshot interval (default 15 minutes) and how many groups it lists (default 5). */
  readonly snapshotWindowMs?: number;
  readonly snapshotTop?: number;
  readonly now?: () => number;
}

export interface CloudWatchLogsSpecialistOptions extends LogsSpecialistOptions, Omit<CloudWatchLogsSourceOptions, "client" | "now"> {
  /** A configured client; otherwise one is made from `region`, `endpoint` and `credentials` (default chain when absent). */
  readonly client?: CloudWatchLogsClient;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** SDK attempts per request, throttling retries included (default 3). */
  readonly maxAttempts?: number;
}

const MINUTE = 60_000;

const failureKind = (e: LogSourceError): AgentFailureKind =>
  e.reason === "access-denied" || e.reason === "unreachable" || e.reason === "throttled" || e.reason === "unavailable" ? "unavailable" : e.reason === "timeout" ? "timeout" : "error";

/** The IAM action an operation needs, for readable access-denied failures. */
const iamAction = (operation: string) => {
  const api = /^(DescribeLogGroups|StartQuery|GetQueryResults|StopQuery|FilterLogEvents)/.exec(operation)?.[1];
  return api === undefined ? "" : ` (needs logs:${api})`;
};

const bytes = (n: number) => (n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

/** The workload the alert is about, for hypothesis titles. */
const subjectOf = (alert: AlertContext): string | undefined => {
  const e = alert.entities;
  const name = e.service ?? e.deployment ?? e.statefulset ?? e.daemonset ?? e.job ?? e.pod;
  return name === undefined ? undefined : e.namespace !== undefined ? `${e.namespace}/${name}` : name;
};

/**
 * The CloudWatch Logs specialist over any `LogSource`: finds the alert's log groups, reads the
 * error lines of the alert window and groups them into patterns. Deterministic (no model calls)
 * and read-only.
 */
export const makeLogsSpecialist = (source: LogSource, options: LogsSpecialistOptions = {}): Specialist => {
  const id = options.id ?? "cloudwatch-logs";
  const now = options.now ?? Date.now;
  const reserve = options.analysisReserveMs ?? 250;
  const maxGroups = options.maxGroups ?? 5;
  const configuredPrefixes = options.logGroupPrefixes ?? [];
  const configuredGroups = options.logGroups ?? [];
  const sourcePrefix = source.curated ? "logs-dir" : "cloudwatch";
  const fail = (e: LogSourceError) =>
    new AgentFailure({ agent: id, kind: failureKind(e), reason: `${source.description}: ${e.message}${e.reason === "access-denied" ? iamAction(e.operation) : ""}` });
  const allowed = (name: string) => configuredPrefixes.length === 0 || configuredPrefixes.some((p) => name.startsWith(p)) || configuredGroups.includes(name);

  const investigate = (alert: AlertContext, call: SpecialistCall): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const readDeadline = call.deadline - reserve;
      const start = Math.min(alert.window.start, alert.alertTimestamp - 15 * MINUTE);
      const end = Math.max(alert.window.end, alert.alertTimestamp, start + MINUTE);
      const terms = searchTerms(alert);
      const named = [...namedGroups(alert), ...configuredGroups];
      const prefixes = [...configuredPrefixes, ...configuredGroups, ...(configuredPrefixes.length === 0 ? candidatePrefixes(alert) : [])];
      // Discovery gets at most 40% of the time, so the search that matters keeps most of it.
      const listDeadline = startedAt + Math.max(0, (readDeadline - startedAt) * 0.4);
      const listing = yield* source.listGroups({ prefixes, fullListing: configuredPrefixes.length === 0, deadline: listDeadline }).pipe(Effect.mapError(fail));
      const existing = listing.groups.filter((g) => allowed(g.name));
      let ranked: ReadonlyArray<RankedGroup> = rankLogGroups(existing, terms, { limit: maxGroups, prefixes, named });
      let note = "";
      // An operator's directory of logs is what they want read, even when no name matches the alert.
      if (ranked.length === 0 && source.curated && existing.length > 0) {
        ranked = existing.slice(0, Math.max(maxGroups, 20)).map((g) => ({ name: g.name, score: 0, matched: [], ...(g.storedBytes !== undefined ? { storedBytes: g.storedBytes } : {}) }));
        note = " (no file name matches the alert, so every file was read)";
      }
      const base = (findings: ReadonlyArray<Finding>, hypotheses: AgentResult["hypotheses"], summary: string, search: ErrorSearch | undefined, extra: Record<string, unknown>): AgentResult => {
        const endedAt = Math.max(now(), startedAt);
        const cut = search !== undefined && search.deadlineReached;
        return {
          agent: id,
          status: cut ? "timeout" : "success",
          findings,
          hypotheses,
          summary: cut ? `Partial (deadline reached while reading ${source.description}): ${summary}` : summary,
          ...(cut ? { error: "deadline reached before the log search finished" } : {}),
          durationMs: endedAt - startedAt,
          metadata: deterministicMetadata(startedAt, endedAt, { source: source.description, ...extra })
        };
      };
      if (ranked.length === 0) {
        const searched = prefixes.length > 0 ? `prefixes ${prefixes.slice(0, 6).join(", ")}${prefixes.length > 6 ? "…" : ""}` : "no prefixes";
        const content = `No log group in ${source.description} matches the alert (searched ${searched} and ${existing.length} listed group${existing.length === 1 ? "" : "s"} for ${terms.map((t) => t.term).join(", ") || "no terms"})`;
        const gapFindings = listing.gaps.map((g, i): Finding => ({ id: `${id}:${i + 2}`, agent: id, source: sourcePrefix, timestamp: startedAt, content: `Could not list log groups (${g.operation}): ${g.reason}: ${g.detail}`, severity: "low", metadata: { reason: g.reason } }));
        const findings: Array<Finding> = [{ id: `${id}:1`, agent: id, source: sourcePrefix, timestamp: startedAt, content, severity: "info", metadata: { prefixes: [...prefixes], terms: terms.map((t) => t.term), listed: existing.length, listingComplete: listing.complete } }, ...gapFindings];
        return base(findings, [], content, undefined, { groups: [], terms: terms.map((t) => t.term) });
      }
      const groups = ranked.map((g) => g.name);
      const searched = yield* source.searchErrors({ groups, start, end, deadline: readDeadline }).pipe(
        Effect.mapError(fail),
        Effect.timeoutOption(Duration.millis(Math.max(0, readDeadline - now() + 100)))
      );
      const search: ErrorSearch = Option.isSome(searched) ? searched.value : { lines: [], complete: false, deadlineReached: true, method: "insights", gaps: [], query: errorLinesQuery() };
      const listingGaps: ReadonlyArray<LogGap> = listing.gaps.map((g) => ({ ...g, detail: `${g.detail} (listing log groups)` }));
      const analysis = yield* Effect.try({
        try: () =>
          analyzeErrors({
            agent: id,
            search: { ...search, gaps: [...search.gaps, ...listingGaps] },
            groups: ranked,
            start,
            end,
            ...(source.region !== undefined ? { region: source.region } : {}),
            sourcePrefix,
            at: startedAt,
            ...(subjectOf(alert) !== undefined ? { subject: subjectOf(alert)! } : {})
          }),
        catch: (e) => new AgentFailure({ agent: id, kind: "crashed", reason: `log analysis failed: ${e instanceof Error ? e.message : String(e)}` })
      });
      return base(analysis.findings, analysis.hypotheses, `${analysis.summary}${note}`, search, {
        method: search.method,
        window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
        groups: ranked.map((g) => ({ name: g.name, score: g.score, matched: [...g.matched] })),
        lines: search.lines.length,
        ...(search.matched !== undefined ? { matched: search.matched } : {}),
        patterns: analysis.patterns.length,
        complete: search.complete
      });
    });

  const snapshot = (call: SpecialistCall): Effect.Effect<SnapshotSection, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const windowMs = options.snapshotWindowMs ?? 15 * MINUTE;
      const top = options.snapshotTop ?? 5;
      const readDeadline = call.deadline - reserve;
      const listDeadline = startedAt + Math.max(0, (readDeadline - startedAt) * 0.4);
      const listing = yield* source.listGroups({ prefixes: [...configuredPrefixes, ...configuredGroups], fullListing: configuredPrefixes.length === 0, deadline: listDeadline }).pipe(Effect.mapError(fail));
      const groups = listing.groups.filter((g) => allowed(g.name));
      const measured = yield* source.activity({ groups, sinceMs: windowMs, top, deadline: readDeadline }).pipe(
        Effect.mapError(fail),
        Effect.timeoutOption(Duration.millis(Math.max(0, readDeadline - now() + 100)))
      );
      if (Option.isNone(measured)) return yield* Effect.fail(new AgentFailure({ agent: id, kind: "timeout", reason: `${source.description} did not answer before the deadline` }));
      const report = measured.value;
      const findings: Array<Finding> = [];
      const minutes = Math.round(windowMs / MINUTE);
      for (const g of report.groups) {
        const ratio = g.errors / Math.max(1, g.events);
        const severity: Finding["severity"] = g.errors >= 20 && ratio >= 0.05 ? "high" : g.errors > 0 ? "low" : "info";
        const deepLink = source.region === undefined ? undefined : insightsLink({ region: source.region, groups: [g.group], query: errorLinesQuery(200), start: report.until - windowMs, end: report.until });
        const plus = g.capped ? "+" : "";
        findings.push({
          id: `${id}:${findings.length + 1}`,
          agent: id,
          source: `${sourcePrefix}:${g.group}`,
          timestamp: report.until,
          content: `${g.group}: ${g.events.toLocaleString("en-US")}${plus} events${g.bytes !== undefined ? ` (${bytes(g.bytes)}${plus})` : ""} in the last ${minutes} min, ${g.errors.toLocaleString("en-US")}${plus} error line${g.errors === 1 ? "" : "s"}${g.events > 0 ? ` (${(100 * ratio).toFixed(1)}%)` : ""}`,
          severity,
          metadata: { logGroup: g.group, events: g.events, errors: g.errors, ...(g.bytes !== undefined ? { bytes: g.bytes } : {}), capped: g.capped, method: report.method },
          ...(deepLink !== undefined ? { deepLink } : {})
        });
      }
      for (const gap of [...listing.gaps, ...report.gaps])
        findings.push({ id: `${id}:${findings.length + 1}`, agent: id, source: `${sourcePrefix}:${gap.group ?? ""}`, timestamp: startedAt, content: `Could not read ${gap.group ?? gap.operation}: ${gap.reason}: ${gap.detail}`, severity: "low", metadata: { reason: gap.reason, operation: gap.operation } });
      const noisy = report.groups.filter((g) => g.errors >= 20 && g.errors / Math.max(1, g.events) >= 0.05);
      const health: HealthState = report.groups.length === 0 ? "unknown" : noisy.length > 0 ? "degraded" : "healthy";
      const since = source.curated ? ` up to ${new Date(report.until).toISOString()}` : "";
      const summary =
        report.groups.length === 0
          ? `No log events in the last ${minutes} min${since} across ${groups.length} log group${groups.length === 1 ? "" : "s"}`
          : `Top ${report.groups.length} log group${report.groups.length === 1 ? "" : "s"} by ingestion in the last ${minutes} min${since}: ${report.groups.map((g) => `${g.group} (${g.errors} error${g.errors === 1 ? "" : "s"})`).join(", ")}${noisy.length > 0 ? `; ${noisy.length} with a high error share` : ""}`;
      return {
        agent: id,
        state: report.deadlineReached ? "timeout" : "ok",
        health,
        summary: report.deadlineReached ? `Partial: ${summary}` : summary,
        findings,
        durationMs: Math.max(0, now() - startedAt),
        ...(report.deadlineReached ? { error: "deadline reached before every log group was measured" } : {})
      } satisfies SnapshotSection;
    });

  return {
    id,
    description: options.description ?? `CloudWatch Logs: error patterns in the alert's log groups from ${source.description}`,
    skipReason: (alert) =>
      source.curated || configuredGroups.length > 0 || searchTerms(alert).length > 0 || namedGroups(alert).length > 0
        ? undefined
        : "the alert names no service, workload, namespace, cluster or log group to find logs for",
    investigate,
    snapshot
  };
};

/** The live CloudWatch Logs source the options describe (shared by the specialist and its tools). */
export const makeLiveLogSource = (options: CloudWatchLogsSpecialistOptions): LogSource => {
  const client =
    options.client ??
    new CloudWatchLogsClient({
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: { ...options.credentials } } : {}),
      maxAttempts: options.maxAttempts ?? 3
    });
  return makeCloudWatchLogsSource({
    client,
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.insights !== undefined ? { insights: options.insights } : {}),
    ...(options.maxListedGroups !== undefined ? { maxListedGroups: options.maxListedGroups } : {}),
    ...(options.maxGroupsPerPrefix !== undefined ? { maxGroupsPerPrefix: options.maxGroupsPerPrefix } : {}),
    ...(options.maxLines !== undefined ? { maxLines: options.maxLines } : {}),
    ...(options.maxPagesPerGroup !== undefined ? { maxPagesPerGroup: options.maxPagesPerGroup } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.now !== undefined ? { now: options.now } : {})
  });
};

/** The specialist over live CloudWatch Logs. */
export const makeCloudWatchLogsSpecialist = (options: CloudWatchLogsSpecialistOptions): Specialist => makeLogsSpecialist(makeLiveLogSource(options), options);

/** The same analysis over a directory of `aws logs filter-log-events` JSON exports and plain log files (CLI `--logs DIR`). */
export const makeOfflineLogsSpecialist = (dir: string, options: LogsSpecialistOptions & DirectoryLogSourceOptions = {}): Specialist =>
  makeLogsSpecialist(makeDirectoryLogSource(dir, options), { description: `CloudWatch Logs (offline): error patterns in the log files of ${dir}`, ...options });
