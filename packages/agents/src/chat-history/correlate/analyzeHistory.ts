import { type AlertContext, type ChatMessage, type Platform, clip, entitiesFromText, type Finding, formatDuration, formatUtc, type Hypothesis, type JsonRecord, type Severity, type TimeWindow } from "@sre-on-call/core";
import type { MessageLinker } from "../messageLink.js";
import { alertTerms, hasTerms, type Mention, mentionOf, messageWords } from "./alertTerms.js";
import { type Categorized, categorizeMessage } from "./categorizeMessage.js";

/** What one channel gave: its messages in the range, or why it gave none. */
export type ChannelRead =
  | {
      readonly channelId: string;
      readonly ok: true;
      readonly messages: ReadonlyArray<ChatMessage>;
      /** The per-channel limit was reached: older messages of the range were left unread. */
      readonly truncated: boolean;
      /** False when the deadline cut the read: the messages are those read by then. */
      readonly complete: boolean;
    }
  | { readonly channelId: string; readonly ok: false; readonly reason: string; readonly notFound: boolean; readonly timedOut: boolean };

export interface HistoryInput {
  readonly agent: string;
  readonly platform: Platform;
  readonly alert: AlertContext;
  readonly reads: ReadonlyArray<ChannelRead>;
  /** The time range that was read. */
  readonly range: TimeWindow;
  readonly botUserId?: string;
  readonly link: MessageLinker;
  /** How long before the alert a change still counts as a suspect. */
  readonly changeHorizonMs: number;
  /** Changes closer than this (and naming the workload) are medium-confidence suspects. */
  readonly recentChangeMs: number;
}

export interface HistoryAnalysis {
  readonly findings: ReadonlyArray<Finding>;
  readonly hypotheses: ReadonlyArray<Hypothesis>;
  readonly summary: string;
  readonly messagesRead: number;
  readonly related: number;
}

interface Seen {
  readonly message: ChatMessage;
  readonly mention: Mention;
  readonly category: Categorized;
}

const MAX_CHANGES = 3;
const MAX_LINKS = 5;
const MINUTE = 60_000;

const hhmm = (ms: number) => `${formatUtc(ms).slice(11, 16)} UTC`;
const quote = (text: string, max = 120) => `"${clip(text, max)}"`;
const relative = (at: number, reference: number): string => {
  const gap = Math.abs(reference - at);
  const span = gap < MINUTE ? "less than a minute" : formatDuration(Math.round(gap / MINUTE) * MINUTE);
  return at <= reference ? `${span} before the alert` : `${span} after the alert`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const who = (m: ChatMessage) => (m.authorName !== undefined ? m.authorName : m.authorId !== undefined ? m.authorId : m.isBot ? "a bot" : "someone");

/**
 * Correlates channel history with an alert: changes announced before it, the same alert firing
 * earlier, other alerts on the same workload, people reporting symptoms, this bot's own posts.
 * Pure; a handful of findings with links to the messages, never the messages themselves.
 */
export const analyzeHistory = (input: HistoryInput): HistoryAnalysis => {
  const { agent, alert } = input;
  const terms = alertTerms(alert);
  const anyTerms = hasTerms(terms);
  const placeTerms = terms.specific.size + terms.generic.size + terms.scope.size > 0;
  const findings: Array<Finding> = [];
  const hypotheses: Array<Hypothesis> = [];
  const add = (content: string, severity: Severity, timestamp: number, metadata: JsonRecord, deepLink?: string): string => {
    const id = `${agent}:${findings.length + 1}`;
    findings.push({ id, agent, source: `${input.platform}:history`, timestamp, content, severity, metadata, ...(deepLink !== undefined ? { deepLink } : {}) });
    return id;
  };
  const refs = (messages: ReadonlyArray<ChatMessage>) =>
    messages.slice(0, MAX_LINKS).map((m) => {
      const url = input.link(m);
      return { channelId: m.channelId, messageId: m.messageId, at: m.timestamp, ...(url !== undefined ? { url } : {}) };
    });
  const channelsOf = (messages: ReadonlyArray<ChatMessage>) => [...new Set(messages.map((m) => m.channelId))];
  const where = (messages: ReadonlyArray<ChatMessage>) => {
    const channels = channelsOf(messages);
    return channels.length === 1 ? `channel ${channels[0]}` : `${channels.length} channels`;
  };

  const unique = new Map<string, ChatMessage>();
  for (const read of input.reads) if (read.ok) for (const m of read.messages) unique.set(`${m.channelId}\u0000${m.messageId}`, m);
  const isTheAlert = (m: ChatMessage) =>
    m.channelId === alert.channelId && (m.messageId === alert.messageId || m.threadId === alert.messageId);
  const seen: Array<Seen> = [...unique.values()]
    .filter((m) => !isTheAlert(m))
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((message) => ({ message, mention: mentionOf(terms, messageWords(message.text)), category: categorizeMessage(message, input.botUserId) }));
  const at = alert.alertTimestamp;
  const names = (s: Seen) => s.mention.alert || s.mention.workload;
  const touches = (s: Seen) => names(s) || s.mention.scope;

  // Changes: the suspects.
  const changes = seen.filter((s) => s.category.kind === "change" && touches(s));
  const suspects = changes
    .filter((s) => s.message.timestamp <= at && at - s.message.timestamp <= input.changeHorizonMs)
    .sort((a, b) => Number(names(b)) - Number(names(a)) || b.message.timestamp - a.message.timestamp);
  const shown = [...suspects, ...changes.filter((s) => !suspects.includes(s)).reverse()].slice(0, MAX_CHANGES);
  const changeIds = new Map<Seen, string>();
  for (const s of shown) {
    const m = s.message;
    const before = m.timestamp <= at;
    const kind = s.category.rollback === true ? "Rollback" : "Change";
    const severity: Severity = before && suspects.includes(s) ? (names(s) ? "medium" : "low") : "info";
    changeIds.set(
      s,
      add(
        `${kind} announced in channel ${m.channelId} at ${hhmm(m.timestamp)}, ${relative(m.timestamp, at)}, by ${who(m)}: ${quote(m.text)}`,
        severity,
        m.timestamp,
        { kind: "change", channelId: m.channelId, messageId: m.messageId, at: m.timestamp, before, namesWorkload: names(s), ...(s.category.version !== undefined ? { version: s.category.version } : {}), rollback: s.category.rollback === true, links: refs([m]) },
        input.link(m)
      )
    );
  }
  const suspect = suspects[0];
  if (suspect !== undefined) {
    const m = suspect.message;
    const gap = at - m.timestamp;
    const confident = names(suspect) && gap <= input.recentChangeMs;
    const version = suspect.category.version;
    const url = input.link(m);
    const id = changeIds.get(suspect);
    if (id !== undefined) {
      hypotheses.push({
        id: `${agent}:change`,
        title: `${suspect.category.rollback === true ? "Rollback" : "Change"} ${quote(m.text, 70)} at ${hhmm(m.timestamp)}, ${relative(m.timestamp, at)}`,
        detail: `${who(m)} announced it in channel ${m.channelId}; it ${suspect.mention.workload ? `names ${terms.place}` : suspect.mention.alert ? `names ${alert.entities.alertname ?? "the alert"}` : `is in the same namespace or cluster as ${terms.place}`}, and the alert fired ${formatDuration(Math.max(MINUTE, Math.round(gap / MINUTE) * MINUTE))} later.`,
        confidence: confident ? "medium" : "low",
        supportingFindings: [id],
        confirmBy: `Compare the start of the errors with ${hhmm(m.timestamp)} and look at what the change${version !== undefined ? ` to ${version}` : ""} contained.`,
        proposedBy: agent,
        depth: 2,
        chain: [`change at ${hhmm(m.timestamp)}${version !== undefined ? ` (${version})` : ""}`, terms.label],
        actions: [
          `Review the change announced at ${hhmm(m.timestamp)}${url !== undefined ? `: ${url}` : ""}`,
          `If the errors began with it, roll back${version !== undefined ? ` ${version}` : " the change"} and watch whether the alert clears.`
        ]
      });
    }
  }

  // The same alert, earlier.
  const sameAlert = (s: Seen) => s.mention.alert && (!placeTerms || s.mention.workload || s.mention.scope);
  const firings = seen.filter((s) => s.category.kind === "firing" && sameAlert(s) && s.message.timestamp < at).map((s) => s.message);
  const resolvedCount = seen.filter((s) => s.category.kind === "resolved" && sameAlert(s) && s.message.timestamp < at).length;
  const first = firings[0];
  const last = firings.at(-1);
  if (first !== undefined && last !== undefined) {
    const relayed = firings.filter((m) => input.botUserId !== undefined && m.authorId === input.botUserId).length;
    add(
      `${terms.alertname !== undefined ? (alert.entities.alertname ?? terms.alertname) : "This alert"} fired ${plural(firings.length, "time")} before in ${where(firings)}: first at ${formatUtc(first.timestamp)} (${relative(first.timestamp, at)})` +
        (firings.length > 1 ? `, last at ${hhmm(last.timestamp)}` : "") +
        (resolvedCount > 0 ? `, ${plural(resolvedCount, "resolved notice")} in between` : "") +
        (relayed > 0 ? `; sre-on-call investigated ${relayed === firings.length ? (relayed === 1 ? "it" : "them") : relayed} in the thread${relayed === 1 ? "" : "s"}` : ""),
      firings.length >= 3 ? "medium" : "low",
      first.timestamp,
      { kind: "earlier-firings", count: firings.length, firstAt: first.timestamp, lastAt: last.timestamp, resolvedCount, channels: channelsOf(firings), links: refs(firings) },
      input.link(first)
    );
  }

  // Other alerts about the same workload.
  const others = seen.filter((s) => s.category.kind === "firing" && !sameAlert(s) && s.mention.workload && s.message.timestamp <= input.range.end);
  if (others.length > 0) {
    const counts = new Map<string, number>();
    for (const s of others) {
      const name = entitiesFromText(s.message.text).alertname ?? clip(s.message.text.split("\n")[0] ?? "", 60);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const list = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
    const firstOther = others[0]!.message;
    add(
      `Other alerts about ${terms.place} in ${where(others.map((s) => s.message))}: ${list.join(", ")}${counts.size > 5 ? ", …" : ""} (first at ${hhmm(firstOther.timestamp)}, ${relative(firstOther.timestamp, at)})`,
      "low",
      firstOther.timestamp,
      { kind: "related-alerts", count: others.length, alerts: Object.fromEntries(counts), links: refs(others.map((s) => s.message)) },
      input.link(firstOther)
    );
  }

  // People reporting symptoms: about the alert's workload, or (when the alert names nothing) around its time.
  const inWindow = (m: ChatMessage) => m.timestamp >= alert.window.start && m.timestamp <= alert.window.end;
  const symptoms = seen.filter((s) => s.category.kind === "symptom" && (anyTerms ? touches(s) : inWindow(s.message))).map((s) => s.message);
  const firstReport = symptoms[0];
  if (firstReport !== undefined) {
    const early = firstReport.timestamp < at - 2 * MINUTE;
    add(
      `${plural(symptoms.length, "report")} of symptoms by people in ${where(symptoms)}${anyTerms ? ` mentioning ${terms.place}` : " around the alert time"}; the first at ${hhmm(firstReport.timestamp)} (${relative(firstReport.timestamp, at)}) by ${who(firstReport)}: ${quote(firstReport.text)}` +
        (early ? ". People noticed before the alert fired." : ""),
      "medium",
      firstReport.timestamp,
      { kind: "symptom-reports", count: symptoms.length, firstAt: firstReport.timestamp, reportedBeforeAlert: early, channels: channelsOf(symptoms), links: refs(symptoms) },
      input.link(firstReport)
    );
  }

  // This bot's own earlier posts about the same thing.
  const own = seen.filter((s) => s.category.kind === "own" && names(s)).map((s) => s.message);
  const latestOwn = own.at(-1);
  if (latestOwn !== undefined) {
    add(
      `sre-on-call posted about ${terms.label} ${plural(own.length, "time")} in ${where(own)}; the latest at ${formatUtc(latestOwn.timestamp)}: ${quote(latestOwn.text.split("\n").find((l) => l.trim() !== "") ?? latestOwn.text, 140)}`,
      "info",
      latestOwn.timestamp,
      { kind: "own-reports", count: own.length, links: refs([...own].reverse()) },
      input.link(latestOwn)
    );
  }

  // Changes that do not name the alert's workload but landed just before it.
  const unrelatedChanges = seen.filter((s) => s.category.kind === "change" && !touches(s) && s.message.timestamp <= at && at - s.message.timestamp <= input.recentChangeMs).map((s) => s.message);
  if (unrelatedChanges.length > 0) {
    const recent = [...unrelatedChanges].reverse().slice(0, 3);
    add(
      `${plural(unrelatedChanges.length, "other change")} announced in the ${formatDuration(input.recentChangeMs)} before the alert${anyTerms ? `, none naming ${terms.label}` : ""}: ${recent.map((m) => `${hhmm(m.timestamp)} ${quote(m.text, 80)}`).join("; ")}`,
      "info",
      recent[0]!.timestamp,
      { kind: "other-changes", count: unrelatedChanges.length, links: refs(recent) },
      input.link(recent[0]!)
    );
  }

  const related = shown.length + firings.length + others.length + symptoms.length + own.length;

  for (const read of input.reads) {
    if (read.ok) {
      if (!read.complete) add(`Read channel ${read.channelId} only partly (${plural(read.messages.length, "message")}): the deadline came first; older messages were not read`, "info", input.range.end, { kind: "channel-partial", channelId: read.channelId, messagesRead: read.messages.length });
      continue;
    }
    const hint = read.timedOut
      ? "it did not answer before the deadline"
      : read.notFound
        ? "the channel does not exist or the bot cannot see it (invite the bot, or check the channel id)"
        : read.reason;
    add(`Could not read channel ${read.channelId}: ${hint}`, "low", input.range.end, { kind: "channel-unreadable", channelId: read.channelId, reason: read.reason, notFound: read.notFound, timedOut: read.timedOut });
  }

  const readable = input.reads.filter((r) => r.ok);
  const messagesRead = unique.size;
  if (related === 0 && unrelatedChanges.length === 0 && readable.length > 0) {
    add(
      `Read ${plural(messagesRead, "message")} in ${plural(readable.length, "channel")} from ${hhmm(input.range.start)} to ${hhmm(input.range.end)}: ${anyTerms ? `none mention ${terms.label}` : "none report a change or a symptom"} (no related deploy, earlier firing or report)`,
      "info",
      input.range.end,
      { kind: "nothing-related", ruledOut: true, messagesRead, channels: readable.map((r) => r.channelId) }
    );
  }

  const parts: Array<string> = [];
  const top = hypotheses[0];
  if (top !== undefined && suspect !== undefined) parts.push(`${suspect.category.rollback === true ? "rollback" : "change"} announced ${relative(suspect.message.timestamp, at)} (${clip(suspect.message.text, 60)})`);
  if (firings.length > 0) parts.push(`the alert fired ${plural(firings.length, "time")} before`);
  if (others.length > 0) parts.push(`${plural(others.length, "other alert")} on the same workload`);
  if (symptoms.length > 0) parts.push(`${plural(symptoms.length, "human report")} of symptoms`);
  if (own.length > 0) parts.push(`${plural(own.length, "earlier sre-on-call post")}`);
  const failed = input.reads.length - readable.length;
  const scope = `${plural(messagesRead, "message")} in ${plural(readable.length, "channel")}${failed > 0 ? `; ${plural(failed, "channel")} unreadable` : ""}`;
  const summary =
    parts.length > 0
      ? `${parts.join("; ")}. Read ${scope}.`
      : readable.length === 0
        ? `No channel could be read (${plural(failed, "channel")} tried).`
        : `Nothing related to ${terms.label} in ${scope}.`;
  return { findings, hypotheses, summary: summary.charAt(0).toUpperCase() + summary.slice(1), messagesRead, related };
};
