import { Result, Schema } from "effect";
import { InvestigationReport, SnapshotReport } from "../model/InvestigationReport.js";
import type { Dialect, OutgoingMessage } from "../ports/ChatPlatform.js";
import type { PriceTable } from "../pricing/PriceTable.js";
import type { Doc } from "./document.js";
import { DISCORD_LIMITS, type DiscordLimits, SLACK_LIMITS, type SlackLimits } from "./limits.js";
import { renderDiscordDoc } from "./renderDiscord.js";
import { renderMarkdownDoc } from "./renderMarkdown.js";
import { renderSlackDoc } from "./renderSlack.js";
import { failureDocument, type FailureNotice, reportDocument, snapshotDocument } from "./reportDocument.js";

export interface RenderOptions {
  /** Which models have a known price, for the cost footer (default: the Bedrock table). */
  readonly priceTable?: PriceTable;
  readonly slackLimits?: SlackLimits;
  readonly discordLimits?: DiscordLimits;
}

const renderDoc = (doc: Doc, dialect: Exclude<Dialect, "json">, options: RenderOptions): ReadonlyArray<OutgoingMessage> => {
  switch (dialect) {
    case "slack":
      return renderSlackDoc(doc, options.slackLimits ?? SLACK_LIMITS);
    case "discord":
      return renderDiscordDoc(doc, options.discordLimits ?? DISCORD_LIMITS);
    case "markdown":
      return [{ text: renderMarkdownDoc(doc) }];
  }
};

/** Text of an unknown value without ever calling a `toString` that might throw. */
const asText = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "unknown");

const reason = (cause: unknown): string => (cause instanceof Error ? asText(cause.message) : asText(cause));

const field = (value: unknown, key: string): string =>
  typeof value === "object" && value !== null && key in value ? asText((value as Record<string, unknown>)[key]) : "unknown";

/** JSON that cannot throw: cycles, BigInts and the like become an error object instead. */
const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value, null, 2) ?? "null";
  } catch (cause) {
    return JSON.stringify({ _tag: "RenderError", reason: `not serialisable: ${reason(cause)}` }, null, 2);
  }
};

/** The schema's encoded form, or — for a value that does not match it — the value as it is, flagged. */
const encodeJson = <S extends Schema.Top>(schema: S, value: unknown, what: string): string => {
  try {
    const r = Schema.encodeUnknownResult(schema as never)(value);
    if (Result.isSuccess(r)) return safeJson(r.success);
    return safeJson({ _tag: "RenderError", reason: `invalid ${what}: ${r.failure.message}`, value });
  } catch (cause) {
    return safeJson({ _tag: "RenderError", reason: `invalid ${what}: ${reason(cause)}`, value });
  }
};

/**
 * An investigation report as the messages to post, in order. Slack: Block Kit with a mrkdwn
 * fallback; Discord: markdown messages of at most 2000 characters; markdown: one GitHub
 * Markdown document; json: the schema-encoded report. Never throws.
 */
export const renderReport = (report: InvestigationReport, dialect: Dialect, options: RenderOptions = {}): ReadonlyArray<OutgoingMessage> => {
  if (dialect === "json") return [{ text: encodeJson(InvestigationReport, report, "investigation report") }];
  return guarded(() => renderDoc(reportDocument(report, options.priceTable !== undefined ? { priceTable: options.priceTable } : {}), dialect, options), report);
};

/** A `/sre-snapshot` health snapshot as the messages to post. Never throws. */
export const renderSnapshot = (snapshot: SnapshotReport, dialect: Dialect, options: RenderOptions = {}): ReadonlyArray<OutgoingMessage> => {
  if (dialect === "json") return [{ text: encodeJson(SnapshotReport, snapshot, "snapshot report") }];
  return guarded(() => renderDoc(snapshotDocument(snapshot), dialect, options), snapshot);
};

/** The notice posted in the thread when an investigation itself breaks. Never throws. */
export const renderFailureNotice = (notice: FailureNotice, dialect: Dialect, options: RenderOptions = {}): ReadonlyArray<OutgoingMessage> => {
  if (dialect === "json") return [{ text: safeJson({ _tag: "InvestigationFailed", investigationId: field(notice, "investigationId"), reason: field(notice, "reason") }) }];
  return guarded(() => renderDoc(failureDocument(notice), dialect, options), notice);
};

/**
 * A value that breaks the renderer (it can only be one that does not match its type) still
 * yields a message, so a thread never goes silent because of a rendering bug.
 */
const guarded = (render: () => ReadonlyArray<OutgoingMessage>, value: unknown): ReadonlyArray<OutgoingMessage> => {
  try {
    return render();
  } catch (cause) {
    const id = field(value, "investigationId").slice(0, 80);
    return [{ text: `⚠️ Could not render the report for investigation ${id.replace(/[^\w.:-]/g, "?")}: ${reason(cause).slice(0, 300).replace(/[<>&@`*_~|[\]\\]/g, " ")}` }];
  }
};
