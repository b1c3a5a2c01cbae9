import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryCommand,
  StopQueryCommand
} from "@aws-sdk/client-cloudwatch-logs";
import { Effect } from "effect";
import { ERROR_FILTER_PATTERN, ERRORS_BY_GROUP_QUERY, errorLinesQuery, INSIGHTS_MAX_ROWS, isErrorLine, textFilterPattern, textQuery, VOLUME_QUERY } from "../investigate/queries.js";
import { describeAwsError } from "./describeAwsError.js";
import {
  type ActivityReport,
  type ActivityRequest,
  type ErrorSearch,
  type GroupActivity,
  type ListRequest,
  type LogGap,
  type LogGroupInfo,
  type LogLine,
  type LogListing,
  type LogSource,
  LogSourceError,
  type SearchRequest,
  type TextSearchRequest
} from "./LogSource.js";

export interface CloudWatchLogsSourceOptions {
  readonly client: CloudWatchLogsClient;
  /** For console links and descriptions; read from the client's configuration when absent. */
  readonly region?: string;
  /** Use Logs Insights (default true); FilterLogEvents is the fallback either way. */
  readonly insights?: boolean;
  /** Bound of the full DescribeLogGroups listing (default 1,000 groups, i.e. 20 pages). */
  readonly maxListedGroups?: number;
  /** Bound of each prefix listing (default 200 groups). */
  readonly maxGroupsPerPrefix?: number;
  /** Most error lines read per search (default 10,000, Insights' own maximum). */
  readonly maxLines?: number;
  /** Most FilterLogEvents pages read per log group (default 10). */
  readonly maxPagesPerGroup?: number;
  /** Budget of each API request (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** First GetQueryResults poll interval; doubles up to 1 s (default 250 ms). */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
}

/** DescribeLogGroups' `logGroupNamePrefix` constraint. */
const VALID_PREFIX = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** Time kept before the deadline to stop a running query and hand back what it found. */
const STOP_RESERVE_MS = 300;

type Row = Readonly<Record<string, string>>;

const rowsOf = (out: GetQueryResultsCommandOutput): ReadonlyArray<Row> =>
  (out.results ?? []).map((fields) => {
    const row: Record<string, string> = {};
    for (const f of fields) if (f.field !== undefined && f.value !== undefined) row[f.field] = f.value;
    return row;
  });

/** Insights prints `@timestamp` as `2026-04-02 09:30:00.123` (UTC); emulators may send epoch millis. */
export const parseInsightsTimestamp = (value: string | undefined): number | undefined => {
  if (value === undefined || value === "") return undefined;
  if (/^\d{10,16}$/.test(value)) return Number(value);
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value.replace(" ", "T") : `${value.replace(" ", "T")}Z`);
  return Number.isFinite(t) ? t : undefined;
};

/** Insights' `@log` is `<account-id>:<log-group-name>`. */
export const groupOfLogField = (value: string): string => value.replace(/^\d{12}:/, "");

const lineOfRow = (row: Row, fallbackGroup: string | undefined): LogLine | undefined => {
  const message = row["@message"];
  if (message === undefined) return undefined;
  const timestamp = parseInsightsTimestamp(row["@timestamp"]);
  const group = row["@log"] !== undefined ? groupOfLogField(row["@log"]) : (fallbackGroup ?? "(unknown log group)");
  return { group, message, ...(row["@logStream"] !== undefined ? { stream: row["@logStream"] } : {}), ...(timestamp !== undefined ? { timestamp } : {}) };
};

interface QueryOutcome {
  readonly rows: ReadonlyArray<Row>;
  readonly status: string;
  readonly matched?: number;
  /** True when the deadline stopped the query. */
  readonly cut: boolean;
}

/**
 * CloudWatch Logs through the AWS SDK: DescribeLogGroups to find groups, Logs Insights
 * (StartQuery / GetQueryResults / StopQuery) to read them, FilterLogEvents as the fallback.
 * Read-only: these and nothing else are called.
 */
export const makeCloudWatchLogsSource = (options: CloudWatchLogsSourceOptions): LogSource => {
  const { client } = options;
  const now = options.now ?? Date.now;
  const useInsights = options.insights ?? true;
  const maxListed = options.maxListedGroups ?? 1_000;
  const perPrefix = options.maxGroupsPerPrefix ?? 200;
  const maxLines = options.maxLines ?? INSIGHTS_MAX_ROWS;
  const maxPages = options.maxPagesPerGroup ?? 10;
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const firstPoll = options.pollIntervalMs ?? 250;
  let region: string | undefined = options.region;

  /** One API request, aborted at the earlier of its own budget and the deadline. */
  const call = <A>(operation: string, deadline: number, send: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, LogSourceError> =>
    Effect.suspend(() => {
      const budget = Math.min(requestTimeout, deadline - now());
      if (budget <= 0) return Effect.fail(new LogSourceError({ reason: "timeout", operation, detail: "the deadline was reached before the request" }));
      return Effect.tryPromise({ try: send, catch: (e) => describeAwsError(operation, e) }).pipe(
        Effect.timeoutOrElse({ duration: budget, orElse: () => Effect.fail(new LogSourceError({ reason: "timeout", operation, detail: `no answer within ${budget} ms` })) })
      );
    });

  const resolveRegion = Effect.gen(function* () {
    if (region !== undefined) return region;
    const configured = yield* Effect.tryPromise(() => client.config.region()).pipe(Effect.orElseSucceed(() => undefined));
    region = typeof configured === "string" ? configured : undefined;
    return region;
  });

  const listPages = (prefix: string | undefined, bound: number, deadline: number) =>
    Effect.gen(function* () {
      const groups: Array<LogGroupInfo> = [];
      let token: string | undefined;
      const operation = prefix === undefined ? "DescribeLogGroups" : `DescribeLogGroups prefix ${prefix}`;
      do {
        const page = yield* call(operation, deadline, (abortSignal) =>
          client.send(new DescribeLogGroupsCommand({ limit: 50, ...(prefix !== undefined ? { logGroupNamePrefix: prefix } : {}), ...(token !== undefined ? { nextToken: token } : {}) }), { abortSignal })
        );
        for (const g of page.logGroups ?? [])
          if (g.logGroupName !== undefined) groups.push({ name: g.logGroupName, ...(g.storedBytes !== undefined ? { storedBytes: g.storedBytes } : {}) });
        token = page.nextToken;
      } while (token !== undefined && groups.length < bound);
      return { groups, complete: token === undefined };
    });

  const listGroups = (request: ListRequest): Effect.Effect<LogListing, LogSourceError> =>
    Effect.gen(function* () {
      const prefixes = [...new Set(request.prefixes)].filter((p) => VALID_PREFIX.test(p)).slice(0, 12);
      const listings = [...prefixes.map((p) => ({ prefix: p as string | undefined, bound: perPrefix })), ...(request.fullListing ? [{ prefix: undefined, bound: maxListed }] : [])];
      if (listings.length === 0) return { groups: [], complete: true, gaps: [] };
      const outcomes = yield* Effect.forEach(listings, (l) => Effect.result(listPages(l.prefix, l.bound, request.deadline)), { concurrency: 4 });
      const byName = new Map<string, LogGroupInfo>();
      const gaps: Array<LogGap> = [];
      let complete = true;
      const errors: Array<LogSourceError> = [];
      for (const outcome of outcomes) {
        if (outcome._tag === "Success") {
          for (const g of outcome.success.groups) byName.set(g.name, g);
          if (!outcome.success.complete) complete = false;
        } else {
          errors.push(outcome.failure);
          gaps.push({ operation: outcome.failure.operation, reason: outcome.failure.reason, detail: outcome.failure.detail });
          complete = false;
        }
      }
      const first = errors[0];
      if (first !== undefined && errors.length === outcomes.length) return yield* Effect.fail(first);
      return { groups: [...byName.values()], complete, gaps };
    });

  /** Runs one Insights query to completion, or until the deadline, keeping the rows of the last poll. */
  const runQuery = (groups: ReadonlyArray<string>, start: number, end: number, queryString: string, deadline: number, limit?: number) =>
    Effect.gen(function* () {
      const started = yield* call("StartQuery", deadline, (abortSignal) =>
        client.send(
          new StartQueryCommand({ logGroupNames: [...groups], startTime: Math.floor(start / 1000), endTime: Math.ceil(end / 1000), queryString, ...(limit !== undefined ? { limit } : {}) }),
          { abortSignal }
        )
      );
      const queryId = started.queryId;
      if (queryId === undefined) return yield* Effect.fail(new LogSourceError({ reason: "invalid", operation: "StartQuery", detail: "the answer has no queryId" }));
      let rows: ReadonlyArray<Row> = [];
      let matched: number | undefined;
      let status = "Scheduled";
      let interval = firstPoll;
      for (;;) {
        const stopAt = deadline - STOP_RESERVE_MS;
        if (now() >= stopAt) break;
        const polled = yield* Effect.result(call("GetQueryResults", stopAt, (abortSignal) => client.send(new GetQueryResultsCommand({ queryId }), { abortSignal })));
        if (polled._tag === "Failure") {
          if (polled.failure.reason === "timeout") break;
          yield* Effect.ignore(call("StopQuery", deadline, (abortSignal) => client.send(new StopQueryCommand({ queryId }), { abortSignal })));
          return yield* Effect.fail(polled.failure);
        }
        rows = rowsOf(polled.success);
        matched = polled.success.statistics?.recordsMatched;
        status = polled.success.status ?? "Unknown";
        if (status !== "Running" && status !== "Scheduled") return { rows, status, cut: false, ...(matched !== undefined ? { matched } : {}) } satisfies QueryOutcome;
        const pause = Math.min(interval, stopAt - now());
        if (pause <= 0) break;
        yield* Effect.sleep(pause);
        interval = Math.min(interval * 2, 1_000);
      }
      // Cut by the deadline: stop the query so it does not keep scanning (and billing); best effort.
      yield* Effect.ignore(call("StopQuery", deadline, (abortSignal) => client.send(new StopQueryCommand({ queryId }), { abortSignal })));
      return { rows, status, cut: true, ...(matched !== undefined ? { matched } : {}) } satisfies QueryOutcome;
    });

  const filterGroup = (group: string, start: number, end: number, pattern: string | undefined, cap: number, deadline: number, sink: Array<LogLine>) =>
    Effect.gen(function* () {
      let token: string | undefined;
      let pages = 0;
      let read = 0;
      do {
        const page = yield* call(`FilterLogEvents ${group}`, deadline, (abortSignal) =>
          client.send(
            new FilterLogEventsCommand({
              logGroupName: group,
              startTime: start,
              endTime: end,
              limit: Math.min(10_000, cap - read),
              ...(pattern !== undefined ? { filterPattern: pattern } : {}),
              ...(token !== undefined ? { nextToken: token } : {})
            }),
            { abortSignal }
          )
        );
        pages++;
        for (const e of page.events ?? []) {
          if (e.message === undefined) continue;
          read++;
          sink.push({ group, message: e.message, ...(e.logStreamName !== undefined ? { stream: e.logStreamName } : {}), ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}) });
        }
        // FilterLogEvents may return an empty page with a token while it scans; the page bound ends that too.
        token = page.nextToken === token ? undefined : page.nextToken;
      } while (token !== undefined && read < cap && pages < maxPages);
      return token === undefined;
    });

  /** Reads each group with FilterLogEvents, keeping what was read when a group fails or the deadline comes. */
  const filterGroups = (groups: ReadonlyArray<string>, start: number, end: number, pattern: string | undefined, cap: number, deadline: number) =>
    Effect.gen(function* () {
      const perGroup = Math.max(1, Math.floor(cap / Math.max(1, groups.length)));
      const sinks = new Map<string, Array<LogLine>>();
      const outcomes = yield* Effect.forEach(
        groups,
        (group) => {
          const sink: Array<LogLine> = [];
          sinks.set(group, sink);
          return Effect.result(filterGroup(group, start, end, pattern, perGroup, deadline, sink));
        },
        { concurrency: 3 }
      );
      const gaps: Array<LogGap> = [];
      let complete = true;
      let deadlineReached = false;
      outcomes.forEach((o, i) => {
        const group = groups[i]!;
        if (o._tag === "Success") {
          if (!o.success) complete = false;
        } else {
          complete = false;
          if (o.failure.reason === "timeout") deadlineReached = true;
          if (o.failure.reason !== "timeout" || (sinks.get(group)?.length ?? 0) === 0) gaps.push({ operation: o.failure.operation, reason: o.failure.reason, detail: o.failure.detail, group });
        }
      });
      const failures = outcomes.flatMap((o) => (o._tag === "Failure" ? [o.failure] : []));
      const first = failures[0];
      // Nothing could be read at all, for the same reason: that is the source failing, not a gap.
      if (first !== undefined && failures.length === groups.length && failures.every((f) => f.reason === first.reason) && first.reason !== "not-found" && first.reason !== "timeout")
        return yield* Effect.fail(first);
      return { lines: groups.flatMap((g) => sinks.get(g) ?? []), complete, deadlineReached, gaps };
    });

  /** Failures of Insights after which FilterLogEvents is worth trying. */
  const fallsBack = (e: LogSourceError) => e.reason !== "timeout" && e.reason !== "unreachable";

  const searchErrors = (request: SearchRequest): Effect.Effect<ErrorSearch, LogSourceError> =>
    Effect.gen(function* () {
      const query = errorLinesQuery(maxLines);
      const gaps: Array<LogGap> = [];
      if (useInsights && request.groups.length <= 50) {
        const outcome = yield* Effect.result(runQuery(request.groups, request.start, request.end, query, request.deadline));
        if (outcome._tag === "Success") {
          const q = outcome.success;
          const single = request.groups.length === 1 ? request.groups[0] : undefined;
          const lines = q.rows.flatMap((r) => {
            const line = lineOfRow(r, single);
            return line !== undefined && isErrorLine(line.message) ? [line] : [];
          });
          if (q.status === "Failed" || q.status === "Cancelled" || q.status === "Timeout")
            gaps.push({ operation: "Logs Insights query", reason: q.status === "Timeout" ? "timeout" : "failed", detail: `the query ended ${q.status}; ${lines.length} lines were returned before that` });
          return {
            lines,
            complete: !q.cut && q.status === "Complete",
            deadlineReached: q.cut,
            method: "insights",
            gaps,
            query,
            ...(q.matched !== undefined && q.status === "Complete" ? { matched: Math.max(q.matched, lines.length) } : {})
          } satisfies ErrorSearch;
        }
        if (outcome.failure.reason === "timeout") return { lines: [], complete: false, deadlineReached: true, method: "insights", gaps, query } satisfies ErrorSearch;
        if (!fallsBack(outcome.failure)) return yield* Effect.fail(outcome.failure);
        gaps.push({ operation: outcome.failure.operation, reason: outcome.failure.reason, detail: `${outcome.failure.detail}; read with FilterLogEvents instead` });
      }
      const read = yield* filterGroups(request.groups, request.start, request.end, ERROR_FILTER_PATTERN, maxLines, request.deadline);
      return { lines: read.lines.filter((l) => isErrorLine(l.message)), complete: read.complete, deadlineReached: read.deadlineReached, method: "filter-log-events", gaps: [...gaps, ...read.gaps], query } satisfies ErrorSearch;
    });

  /** FilterLogEvents for the longest word (case-sensitive, as CloudWatch's filter is), then every word checked here. */
  const searchText = (request: TextSearchRequest): Effect.Effect<ErrorSearch, LogSourceError> =>
    filterGroups(request.groups, request.start, request.end, textFilterPattern(request.words), maxLines, request.deadline).pipe(
      Effect.map((read): ErrorSearch => ({ lines: read.lines.filter((l) => request.words.every((w) => l.message.toLowerCase().includes(w.toLowerCase()))), complete: read.complete, deadlineReached: read.deadlineReached, method: "filter-log-events", gaps: read.gaps, query: textQuery(request.words) }))
    );

  const activityByInsights = (groups: ReadonlyArray<string>, start: number, end: number, deadline: number) =>
    Effect.gen(function* () {
      const [volume, errors] = yield* Effect.all([runQuery(groups, start, end, VOLUME_QUERY, deadline), runQuery(groups, start, end, ERRORS_BY_GROUP_QUERY, deadline)], { concurrency: 2 });
      // An endpoint that does not evaluate `stats` (an emulator) answers with plain rows: unusable.
      if (volume.rows.some((r) => r["@log"] === undefined || r["events"] === undefined))
        return yield* Effect.fail(new LogSourceError({ reason: "unavailable", operation: "Logs Insights stats", detail: "the endpoint did not evaluate the stats query" }));
      const errorsByGroup = new Map(errors.rows.flatMap((r) => (r["@log"] !== undefined ? [[groupOfLogField(r["@log"]), Number(r["errors"] ?? 0)] as const] : [])));
      const activity = volume.rows.map((r): GroupActivity => {
        const group = groupOfLogField(r["@log"] ?? "");
        const bytes = Number(r["bytes"]);
        return { group, events: Number(r["events"] ?? 0), ...(Number.isFinite(bytes) ? { bytes } : {}), errors: errorsByGroup.get(group) ?? 0, capped: false };
      });
      return { activity, cut: volume.cut || errors.cut };
    });

  const activity = (request: ActivityRequest): Effect.Effect<ActivityReport, LogSourceError> =>
    Effect.gen(function* () {
      const end = now();
      const start = end - request.sinceMs;
      const gaps: Array<LogGap> = [];
      const ranked = [...request.groups].sort((a, b) => (b.storedBytes ?? 0) - (a.storedBytes ?? 0));
      if (useInsights && ranked.length > 0) {
        const outcome = yield* Effect.result(activityByInsights(ranked.slice(0, 50).map((g) => g.name), start, end, request.deadline));
        if (outcome._tag === "Success") {
          const sorted = [...outcome.success.activity].sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || b.events - a.events).slice(0, request.top);
          return { groups: sorted, method: "insights", complete: !outcome.success.cut, deadlineReached: outcome.success.cut, gaps, until: end } satisfies ActivityReport;
        }
        if (outcome.failure.reason === "timeout") return { groups: [], method: "insights", complete: false, deadlineReached: true, gaps, until: end } satisfies ActivityReport;
        if (!fallsBack(outcome.failure)) return yield* Effect.fail(outcome.failure);
        gaps.push({ operation: outcome.failure.operation, reason: outcome.failure.reason, detail: `${outcome.failure.detail}; counted with FilterLogEvents instead` });
      }
      // Without Insights, the largest groups are the candidates and their recent events are counted.
      const candidates = ranked.slice(0, request.top).map((g) => g.name);
      // Each group is counted up to maxLines events: enough to rank them and give an error share.
      const read = yield* filterGroups(candidates, start, end, undefined, maxLines * Math.max(1, candidates.length), request.deadline);
      const perGroup = maxLines;
      const groups = candidates
        .filter((g) => !read.gaps.some((gap) => gap.group === g))
        .map((group): GroupActivity => {
          const lines = read.lines.filter((l) => l.group === group);
          return { group, events: lines.length, bytes: lines.reduce((s, l) => s + l.message.length, 0), errors: lines.filter((l) => isErrorLine(l.message)).length, capped: lines.length >= perGroup };
        })
        .sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0));
      return { groups, method: "filter-log-events", complete: read.complete, deadlineReached: read.deadlineReached, gaps: [...gaps, ...read.gaps], until: end } satisfies ActivityReport;
    });

  return {
    get description() {
      return `CloudWatch Logs${region !== undefined ? ` ${region}` : ""}`;
    },
    get region() {
      return region;
    },
    curated: false,
    listGroups: (request) => Effect.flatMap(resolveRegion, () => listGroups(request)),
    searchErrors,
    searchText,
    activity
  } as LogSource;
};
