import { type AgentTool, schemaTool, ToolError, type ToolFinding } from "@sre-on-call/core";
import { Effect, Schema } from "effect";
import { clipLine, guardTool } from "../../skills/guardTool.js";
import { type CloudWatchLogsSpecialistOptions, makeLiveLogSource } from "../CloudWatchLogsSpecialist.js";
import { detectCause } from "../investigate/detectCause.js";
import { groupPatterns } from "../patterns/groupPatterns.js";
import { type DirectoryLogSourceOptions, makeDirectoryLogSource } from "../source/DirectoryLogSource.js";
import type { LogSource, LogSourceError } from "../source/LogSource.js";

export interface CloudWatchLogsToolsOptions {
  /** Only groups under these prefixes (or named in `logGroups`) may be read, as configured for the specialist. */
  readonly logGroupPrefixes?: ReadonlyArray<string>;
  readonly logGroups?: ReadonlyArray<string>;
  /** Most groups one search reads (default 5). */
  readonly maxGroups?: number;
  /** Largest answer text (default 4,000 characters). */
  readonly maxChars?: number;
  readonly now?: () => number;
}

export const CLOUDWATCH_LOGS_TOOL_NAMES = ["search_logs", "list_log_groups"] as const;

const MIN = 60_000;
/** DescribeLogGroups' name constraint, which also keeps the name out of any query syntax. */
const GroupName = Schema.String.pipe(Schema.check(Schema.isPattern(/^[.\-_/#A-Za-z0-9]{1,512}$/)));
const Minutes = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 5, maximum: 1_440 })));
const Pattern = Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(200)));

const toolError = (tool: string) => (e: LogSourceError) =>
  new ToolError({
    tool,
    reason: e.reason === "timeout" ? "timeout" : e.reason === "access-denied" || e.reason === "unreachable" || e.reason === "unavailable" || e.reason === "throttled" ? "unavailable" : "failed",
    detail: e.message
  });

const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The CloudWatch Logs specialist's tools over its log source (live CloudWatch Logs or a
 * directory of exports): list log groups, and search a window's error lines grouped into patterns.
 */
export const cloudWatchLogsTools = (source: LogSource, options: CloudWatchLogsToolsOptions = {}): ReadonlyArray<AgentTool> => {
  const now = options.now ?? Date.now;
  const prefixes = options.logGroupPrefixes ?? [];
  const named = options.logGroups ?? [];
  const maxGroups = Math.max(1, options.maxGroups ?? 5);
  const allowed = (name: string) => (prefixes.length === 0 && named.length === 0) || prefixes.some((p) => name.startsWith(p)) || named.includes(name);
  const guard = (tool: string, context: Parameters<AgentTool["run"]>[1], body: Effect.Effect<{ readonly text: string; readonly findings?: ReadonlyArray<ToolFinding> }, ToolError>) =>
    guardTool(tool, context, body, options.maxChars !== undefined ? { maxChars: options.maxChars } : {});

  const listUnder = (prefix: string, deadline: number) =>
    source.listGroups({ prefixes: [prefix], fullListing: false, deadline }).pipe(Effect.map((listing) => ({ ...listing, groups: listing.groups.filter((g) => g.name.startsWith(prefix) && allowed(g.name)) })));

  const listLogGroups = schemaTool({
    name: "list_log_groups",
    description: "Log group names that start with a prefix (e.g. /aws/eks/prod/, /ecs/payments), with their stored size.",
    args: Schema.Struct({ prefix: GroupName }),
    run: (args, context) =>
      guard(
        "list_log_groups",
        context,
        Effect.gen(function* () {
          const listing = yield* listUnder(args.prefix, context.deadline).pipe(Effect.mapError(toolError("list_log_groups")));
          const groups = [...listing.groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          const notes = [...(listing.complete ? [] : ["(listing stopped at its bound or the deadline: there may be more)"]), ...listing.gaps.slice(0, 3).map((g) => `could not list: ${g.reason}: ${g.detail}`)];
          if (groups.length === 0) return { text: [`No log group starts with ${args.prefix} in ${source.description}${prefixes.length + named.length > 0 ? " (among the configured groups)" : ""}.`, ...notes].join("\n") };
          const lines = groups.slice(0, 100).map((g) => `${g.name}${g.storedBytes !== undefined ? ` (${g.storedBytes} bytes stored)` : ""}`);
          return { text: [`${groups.length} log group${groups.length === 1 ? "" : "s"} under ${args.prefix} in ${source.description}:`, ...lines, ...(groups.length > 100 ? [`… ${groups.length - 100} more`] : []), ...notes].join("\n") };
        })
      )
  });

  const searchLogs = schemaTool({
    name: "search_logs",
    description:
      "Log lines of a log group, or of the groups under a prefix, in the minutes up to the alert's window end: with `pattern`, the lines containing all its words; without, the error lines (error, exception, fatal, panic, timeout, refused, denied). Grouped into patterns with counts.",
    args: Schema.Struct({ log_group: Schema.optionalKey(GroupName), prefix: Schema.optionalKey(GroupName), pattern: Schema.optionalKey(Pattern), minutes: Schema.optionalKey(Minutes) }),
    run: (args, context) =>
      guard(
        "search_logs",
        context,
        Effect.gen(function* () {
          const invalid = (detail: string) => Effect.fail(new ToolError({ tool: "search_logs", reason: "invalid_input", detail }));
          if ((args.log_group === undefined) === (args.prefix === undefined)) return yield* invalid("give exactly one of log_group or prefix");
          if (args.log_group !== undefined && !allowed(args.log_group)) return yield* invalid(`log group ${args.log_group} is outside the configured log groups and prefixes`);
          const fail = toolError("search_logs");
          const groups =
            args.log_group !== undefined ? [args.log_group] : (yield* listUnder(args.prefix ?? "", context.deadline).pipe(Effect.mapError(fail))).groups.slice(0, maxGroups).map((g) => g.name);
          if (groups.length === 0) return { text: `No log group starts with ${args.prefix ?? ""} in ${source.description}.` };
          const minutes = args.minutes ?? 60;
          const end = Math.min(now(), Math.max(context.alert.window.end, context.alert.alertTimestamp));
          const start = end - minutes * MIN;
          const words = (args.pattern ?? "").split(/\s+/).filter((w) => w !== "");
          const bySource = words.length > 0 && source.searchText !== undefined;
          const search = yield* (bySource && source.searchText !== undefined ? source.searchText({ groups, start, end, deadline: context.deadline, words }) : source.searchErrors({ groups, start, end, deadline: context.deadline })).pipe(
            Effect.mapError(fail)
          );
          const lower = words.map((w) => w.toLowerCase());
          const lines = lower.length === 0 ? search.lines : search.lines.filter((l) => lower.every((w) => l.message.toLowerCase().includes(w)));
          const what = (n: number) => `${bySource ? "" : "error "}line${n === 1 ? "" : "s"}${args.pattern !== undefined ? ` containing "${args.pattern}"` : ""} in ${groups.join(", ")} from ${utc(start)} to ${utc(end)}`;
          const notes = [
            ...(search.complete ? [] : [`(the search was cut ${search.deadlineReached ? "by the deadline" : "at its bound"}: a sample, not every line)`]),
            ...search.gaps.slice(0, 3).map((g) => `could not read ${g.group ?? g.operation}: ${g.reason}: ${g.detail}`)
          ];
          if (lines.length === 0) return { text: [`No ${what(0)} (${source.description}).`, ...notes].join("\n") };
          const patterns = groupPatterns(lines, { exemplars: 1, exemplarChars: 240 });
          const newest = [...lines].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0)).slice(0, 20);
          const findings: Array<ToolFinding> = [];
          for (const p of patterns.slice(0, 10)) {
            const cause = detectCause(p.exemplars[0] ?? p.key);
            if (cause === undefined || !/^(disk-full|oom|refused)/.test(cause.key)) continue;
            findings.push({
              source: `${source.curated ? "logs-dir" : "cloudwatch"}:${p.groups[0]?.group ?? groups[0] ?? ""}`,
              timestamp: p.lastSeen ?? end,
              content: `${p.count} log line${p.count === 1 ? "" : "s"} in ${p.groups.map((g) => g.group).join(", ")}: ${clipLine(p.exemplars[0] ?? p.key, 240)}`,
              severity: cause.key === "disk-full" ? "critical" : "high",
              metadata: { cause: cause.key, count: p.count, pattern: p.key }
            });
          }
          const text = [
            `${lines.length}${search.matched !== undefined && search.matched > search.lines.length ? ` (of ${search.matched} matched)` : ""} ${what(lines.length)}; ${patterns.length} pattern${patterns.length === 1 ? "" : "s"}:`,
            ...patterns.slice(0, 10).map((p) => `×${p.count} ${clipLine(p.key, 200)}${p.lastSeen !== undefined ? ` (last ${utc(p.lastSeen)})` : ""}`),
            ...(patterns.length > 10 ? [`… ${patterns.length - 10} more patterns`] : []),
            "--- newest lines ---",
            ...newest.map((l) => `${l.timestamp !== undefined ? utc(l.timestamp) : "?"} ${l.group}: ${clipLine(l.message, 240)}`),
            ...notes
          ];
          return { text: text.join("\n"), findings };
        })
      )
  });

  return [searchLogs, listLogGroups];
};

/** The tools over live CloudWatch Logs, from the same options `makeCloudWatchLogsSpecialist` takes. */
export const makeCloudWatchLogsTools = (options: CloudWatchLogsSpecialistOptions, toolOptions: Pick<CloudWatchLogsToolsOptions, "maxChars"> = {}): ReadonlyArray<AgentTool> =>
  cloudWatchLogsTools(makeLiveLogSource(options), { ...toolsOptionsOf(options), ...toolOptions });

/** The tools over a directory of log exports, from the same arguments `makeOfflineLogsSpecialist` takes. */
export const makeOfflineLogsTools = (
  dir: string,
  options: CloudWatchLogsToolsOptions & DirectoryLogSourceOptions = {}
): ReadonlyArray<AgentTool> => cloudWatchLogsTools(makeDirectoryLogSource(dir, options), { ...toolsOptionsOf(options), ...(options.maxChars !== undefined ? { maxChars: options.maxChars } : {}) });

const toolsOptionsOf = (o: Pick<CloudWatchLogsToolsOptions, "logGroupPrefixes" | "logGroups" | "maxGroups" | "now">): CloudWatchLogsToolsOptions => ({
  ...(o.logGroupPrefixes !== undefined ? { logGroupPrefixes: o.logGroupPrefixes } : {}),
  ...(o.logGroups !== undefined ? { logGroups: o.logGroups } : {}),
  ...(o.maxGroups !== undefined ? { maxGroups: o.maxGroups } : {}),
  ...(o.now !== undefined ? { now: o.now } : {})
});
