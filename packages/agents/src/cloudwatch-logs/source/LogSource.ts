import type { Effect } from "effect";
import { Schema } from "effect";

/** One log event, as CloudWatch or a log file gives it. */
export interface LogLine {
  readonly group: string;
  readonly stream?: string;
  /** Milliseconds since the epoch; absent for a plain log line that carries no recognisable time. */
  readonly timestamp?: number;
  readonly message: string;
}

export interface LogGroupInfo {
  readonly name: string;
  /** CloudWatch's (lazily updated) stored size; for files, the file size. */
  readonly storedBytes?: number;
}

/**
 * Why a read failed:
 * - `access-denied`: IAM refused the action (the README lists the actions the agent needs);
 * - `throttled`: the API kept throttling after the SDK's retries (or Insights' concurrent-query limit);
 * - `not-found`: the log group (or directory) does not exist;
 * - `unavailable`: the operation is not offered by this endpoint (e.g. Logs Insights on an emulator);
 * - `unreachable`: no connection to the endpoint, or the directory cannot be read;
 * - `timeout`: no answer before the deadline;
 * - `invalid`: a malformed answer, query or file;
 * - `failed`: anything else the service reported.
 */
export const LogSourceFailure = Schema.Literals(["access-denied", "throttled", "not-found", "unavailable", "unreachable", "timeout", "invalid", "failed"]);
export type LogSourceFailure = typeof LogSourceFailure.Type;

export class LogSourceError extends Schema.TaggedError<LogSourceError>()("LogSourceError", {
  reason: LogSourceFailure,
  /** What was being done, e.g. `DescribeLogGroups prefix /aws/eks/prod/`. */
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.operation}: ${this.reason}: ${this.detail}`;
  }
}

/** Something that could not be read, while the rest could: reported as a finding, not a failure. */
export interface LogGap {
  readonly operation: string;
  readonly reason: LogSourceFailure;
  readonly detail: string;
  readonly group?: string;
}

export interface LogListing {
  readonly groups: ReadonlyArray<LogGroupInfo>;
  /** False when the listing stopped at its page bound or the deadline. */
  readonly complete: boolean;
  readonly gaps: ReadonlyArray<LogGap>;
}

export type SearchMethod = "insights" | "filter-log-events" | "files";

export interface ErrorSearch {
  readonly lines: ReadonlyArray<LogLine>;
  /** How many events matched in total when the service says (Insights `recordsMatched`); may exceed `lines`. */
  readonly matched?: number;
  /** False when cut by the deadline or a bound: the lines are a sample. */
  readonly complete: boolean;
  /** True when the deadline (not a bound) cut the search. */
  readonly deadlineReached: boolean;
  readonly method: SearchMethod;
  readonly gaps: ReadonlyArray<LogGap>;
  /** The Logs Insights query that was (or would be) run, for deep links. */
  readonly query: string;
}

export interface GroupActivity {
  readonly group: string;
  readonly events: number;
  readonly bytes?: number;
  readonly errors: number;
  /** True when the counts stopped at a bound and are lower limits. */
  readonly capped: boolean;
}

export interface ActivityReport {
  /** Most active first. */
  readonly groups: ReadonlyArray<GroupActivity>;
  readonly method: SearchMethod;
  readonly complete: boolean;
  readonly deadlineReached: boolean;
  readonly gaps: ReadonlyArray<LogGap>;
  /** End of the measured interval (for an offline directory, its latest event). */
  readonly until: number;
}

export interface ListRequest {
  /** DescribeLogGroups name prefixes to query, beside the bounded full listing. */
  readonly prefixes: ReadonlyArray<string>;
  /** Also list every group (bounded); false when configuration restricts the search to its prefixes. */
  readonly fullListing: boolean;
  readonly deadline: number;
}

export interface SearchRequest {
  readonly groups: ReadonlyArray<string>;
  readonly start: number;
  readonly end: number;
  readonly deadline: number;
}

/** Lines (any level) that contain every word, in the window. */
export interface TextSearchRequest extends SearchRequest {
  /** Matched case-insensitively offline; live, the longest word goes to CloudWatch's filter pattern, which is case-sensitive. */
  readonly words: ReadonlyArray<string>;
}

export interface ActivityRequest {
  readonly groups: ReadonlyArray<LogGroupInfo>;
  /** Length of the interval ending now (or at the data's end, offline). */
  readonly sinceMs: number;
  readonly top: number;
  readonly deadline: number;
}

/**
 * Read-only access to log groups, live (CloudWatch Logs) or from a directory of exports. Every
 * call answers by its deadline, with what it had read so far (`complete: false`).
 */
export interface LogSource {
  /** For reports and errors: `CloudWatch Logs eu-west-1`, `log directory /tmp/logs`. */
  readonly description: string;
  /** The AWS region, for console links; undefined offline. */
  readonly region?: string;
  /** Whether the source is an explicit set of logs the operator chose (a directory): when no group matches the alert, all are read. */
  readonly curated: boolean;
  readonly listGroups: (request: ListRequest) => Effect.Effect<LogListing, LogSourceError>;
  readonly searchErrors: (request: SearchRequest) => Effect.Effect<ErrorSearch, LogSourceError>;
  /** Lines of any level containing every word (the tools' `search_logs` with a pattern). */
  readonly searchText?: (request: TextSearchRequest) => Effect.Effect<ErrorSearch, LogSourceError>;
  readonly activity: (request: ActivityRequest) => Effect.Effect<ActivityReport, LogSourceError>;
}
