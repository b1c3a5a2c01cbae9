import type { Finding, Hypothesis } from "@sre-on-call/core";
import { groupPatterns, type LogPattern } from "../patterns/groupPatterns.js";
import type { ErrorSearch, LogGap } from "../source/LogSource.js";
import { detectCause } from "./detectCause.js";
import type { RankedGroup } from "./discoverLogGroups.js";
import { insightsLink } from "./insightsLink.js";
import { patternQuery } from "./queries.js";

export interface ErrorAnalysisInput {
  readonly agent: string;
  readonly search: ErrorSearch;
  readonly groups: ReadonlyArray<RankedGroup>;
  readonly start: number;
  readonly end: number;
  /** For console deep links; none offline. */
  readonly region?: string;
  /** `cloudwatch` or `logs-dir`: the prefix of each finding's source. */
  readonly sourcePrefix: string;
  readonly at: number;
  /** The affected service, for hypothesis titles. */
  readonly subject?: string;
  /** Most pattern findings (default 8); the rest are summed up in one. */
  readonly maxPatternFindings?: number;
}

export interface ErrorAnalysis {
  readonly findings: ReadonlyArray<Finding>;
  readonly hypotheses: ReadonlyArray<Hypothesis>;
  readonly summary: string;
  readonly patterns: ReadonlyArray<LogPattern>;
}

/** Share of the error lines a cause must hold to be proposed, and the least lines it needs. */
const DOMINANT_SHARE = 0.5;
const DOMINANT_MIN_LINES = 10;

const count = (n: number) => n.toLocaleString("en-US");
const pct = (part: number, whole: number) => `${Math.round((100 * part) / Math.max(1, whole))}%`;
const clock = (t: number) => new Date(t).toISOString().slice(11, 19);
const span = (p: LogPattern) => (p.firstSeen === undefined || p.lastSeen === undefined ? "" : p.firstSeen === p.lastSeen ? ` at ${clock(p.firstSeen)}Z` : `, ${clock(p.firstSeen)}–${clock(p.lastSeen)}Z`);
const groupList = (groups: ReadonlyArray<{ readonly group: string }>, max = 2) =>
  groups.length <= max ? groups.map((g) => g.group).join(", ") : `${groups.slice(0, max).map((g) => g.group).join(", ")} and ${groups.length - max} more`;

const CRITICAL = /fatal|panic|out of memory|outofmemory|oomkilled|no space left|enospc|segfault|core dumped/i;
const SEVERE = /error|exception|refused|denied|timeout|timed out|fail|unavailable|unreachable/i;

export const patternSeverity = (p: LogPattern, total: number): Finding["severity"] => {
  const text = `${p.key} ${p.exemplars[0] ?? ""}`;
  if (CRITICAL.test(text)) return p.count >= 3 ? "critical" : "high";
  if (SEVERE.test(text)) return p.count >= 10 || p.count / Math.max(1, total) >= 0.2 ? "high" : "medium";
  return "low";
};

const gapText = (g: LogGap): string => {
  const what = g.group !== undefined ? `log group ${g.group}` : g.operation;
  switch (g.reason) {
    case "access-denied":
      return `Access denied reading ${what} (${g.operation}): ${g.detail}`;
    case "throttled":
      return `CloudWatch Logs throttled ${g.operation}${g.group !== undefined ? ` on ${g.group}` : ""}: ${g.detail}`;
    case "not-found":
      return `${g.group !== undefined ? `Log group ${g.group}` : "A log group"} does not exist (any more): ${g.detail}`;
    default:
      return `Could not fully read ${what}: ${g.reason}: ${g.detail}`;
  }
};

/**
 * Turns the error lines of the alert window into findings: one per frequent pattern (with a
 * Logs Insights link showing its lines), gaps as findings, and a hypothesis only when one cause
 * named outright by the lines dominates.
 */
export const analyzeErrors = (input: ErrorAnalysisInput): ErrorAnalysis => {
  const { agent, search } = input;
  const findings: Array<Finding> = [];
  const add = (f: Omit<Finding, "id" | "agent" | "timestamp"> & { readonly timestamp?: number }) => {
    // Keys in the schema's order, so a finding survives an encode/decode round trip unchanged.
    const finding: Finding = {
      id: `${agent}:${findings.length + 1}`,
      agent,
      source: f.source,
      timestamp: f.timestamp ?? input.at,
      content: f.content,
      severity: f.severity,
      metadata: f.metadata,
      ...(f.deepLink !== undefined ? { deepLink: f.deepLink } : {})
    };
    findings.push(finding);
    return finding;
  };
  const groupNames = input.groups.map((g) => g.name);
  const link = (groups: ReadonlyArray<string>, query: string) =>
    input.region === undefined ? undefined : insightsLink({ region: input.region, groups, query, start: input.start, end: input.end });

  const patterns = groupPatterns(search.lines);
  const total = search.lines.length;
  const max = input.maxPatternFindings ?? 8;
  const shown = patterns.slice(0, max);
  const sampled = search.matched !== undefined && search.matched > total;
  const patternFindings = new Map<LogPattern, Finding>();
  for (const p of shown) {
    const where = p.groups.map((g) => g.group);
    const deepLink = link(where, patternQuery(p.key, p.exemplars[0] ?? ""));
    const finding = add({
      source: `${input.sourcePrefix}:${where[0] ?? ""}`,
      ...(p.lastSeen !== undefined ? { timestamp: p.lastSeen } : {}),
      content: `${count(p.count)} error line${p.count === 1 ? "" : "s"} (${pct(p.count, total)}${sampled ? " of the sample" : ""}) in ${groupList(p.groups)}${span(p)}: ${p.key}`,
      severity: patternSeverity(p, total),
      metadata: {
        pattern: p.key,
        count: p.count,
        share: p.count / Math.max(1, total),
        ...(p.firstSeen !== undefined ? { firstSeen: new Date(p.firstSeen).toISOString() } : {}),
        ...(p.lastSeen !== undefined ? { lastSeen: new Date(p.lastSeen).toISOString() } : {}),
        exemplars: [...p.exemplars],
        logGroups: p.groups.map((g) => ({ ...g }))
      },
      ...(deepLink !== undefined ? { deepLink } : {})
    });
    patternFindings.set(p, finding);
  }
  const rest = patterns.slice(max);
  if (rest.length > 0) {
    const lines = rest.reduce((s, p) => s + p.count, 0);
    const deepLink = link(groupNames, search.query);
    add({
      source: `${input.sourcePrefix}:${groupNames[0] ?? ""}`,
      content: `${count(rest.length)} rarer error pattern${rest.length === 1 ? "" : "s"} with ${count(lines)} line${lines === 1 ? "" : "s"}, e.g. ${rest.slice(0, 3).map((p) => p.key).join(" | ")}`,
      severity: "info",
      metadata: { patterns: rest.length, lines, keys: rest.slice(0, 20).map((p) => p.key) },
      ...(deepLink !== undefined ? { deepLink } : {})
    });
  }
  if (total === 0 && search.complete) {
    const deepLink = link(groupNames, search.query);
    add({
      source: `${input.sourcePrefix}:${groupNames[0] ?? ""}`,
      content: `No error lines in ${groupList(input.groups.map((g) => ({ group: g.name })), 3)} between ${clock(input.start)}Z and ${clock(input.end)}Z`,
      severity: "info",
      metadata: { logGroups: groupNames, start: new Date(input.start).toISOString(), end: new Date(input.end).toISOString(), method: search.method },
      ...(deepLink !== undefined ? { deepLink } : {})
    });
  }
  for (const g of search.gaps)
    add({ source: `${input.sourcePrefix}:${g.group ?? ""}`, content: gapText(g), severity: g.reason === "access-denied" || g.reason === "throttled" ? "low" : "info", metadata: { operation: g.operation, reason: g.reason, ...(g.group !== undefined ? { logGroup: g.group } : {}) } });

  // A cause is proposed only when the lines naming it dominate the errors.
  const byCause = new Map<string, { cause: NonNullable<ReturnType<typeof detectCause>>; lines: number; patterns: Array<LogPattern> }>();
  for (const p of patterns.slice(0, 20)) {
    const cause = detectCause(p.exemplars[0] ?? p.key);
    if (cause === undefined) continue;
    const entry = byCause.get(cause.key) ?? { cause, lines: 0, patterns: [] };
    entry.lines += p.count;
    entry.patterns.push(p);
    byCause.set(cause.key, entry);
  }
  const dominant = [...byCause.values()].sort((a, b) => b.lines - a.lines)[0];
  const hypotheses: Array<Hypothesis> = [];
  if (dominant !== undefined && dominant.lines >= DOMINANT_MIN_LINES && dominant.lines / Math.max(1, total) >= DOMINANT_SHARE) {
    const supporting = dominant.patterns.flatMap((p) => patternFindings.get(p)?.id ?? []);
    if (supporting.length > 0) {
      const share = dominant.lines / total;
      const who = input.subject !== undefined ? `${input.subject}: ` : "";
      hypotheses.push({
        id: `${agent}:h1`,
        title: `${who}${dominant.cause.title}`,
        detail: `${dominant.cause.detail} ${count(dominant.lines)} of ${count(total)} error lines (${pct(dominant.lines, total)}) say so, e.g. "${(dominant.patterns[0]?.exemplars[0] ?? "").slice(0, 200)}".`,
        confidence: share >= 0.8 && dominant.lines >= 50 ? "high" : "medium",
        supportingFindings: supporting,
        confirmBy: dominant.cause.confirmBy,
        proposedBy: agent,
        depth: 1,
        actions: [...dominant.cause.actions]
      });
    }
  }

  const top = patterns[0];
  const groupsText = `${input.groups.length} log group${input.groups.length === 1 ? "" : "s"} (${groupList(input.groups.map((g) => ({ group: g.name })), 2)})`;
  const summary =
    total === 0
      ? `No error lines in ${groupsText}${search.complete ? "" : " so far"}`
      : `${count(search.matched ?? total)} error line${(search.matched ?? total) === 1 ? "" : "s"} in ${groupsText}${sampled ? ` (${count(total)} sampled)` : ""} form ${count(patterns.length)} pattern${patterns.length === 1 ? "" : "s"}; top: ${top?.key ?? ""} (${pct(top?.count ?? 0, total)})${hypotheses[0] !== undefined ? `. Likely: ${hypotheses[0].title}` : ""}`;
  return { findings, hypotheses, summary, patterns };
};
