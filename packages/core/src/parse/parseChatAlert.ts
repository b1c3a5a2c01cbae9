import type { AlertContext, AlertStatus } from "../model/AlertContext.js";
import type { Link } from "../model/primitives.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import { DEFAULT_DEADLINE_MS, DEFAULT_WINDOW_MINUTES, resolveOptions } from "./AlertFormat.js";
import { entitiesFromText } from "./entitiesFromText.js";
import { investigationIdFor } from "./investigationIdFor.js";
import { normalizeChatText } from "./normalizeChatText.js";
import { windowAround } from "./windowAround.js";

export interface ChatAlertInput {
  readonly source: "slack" | "discord" | "cli";
  readonly channelId: string;
  /** The message to thread under; with `channelId` it identifies the investigation. */
  readonly messageId: string;
  /** The message as the platform delivered it, markup and all. */
  readonly text: string;
  /** When the message was posted (epoch ms). */
  readonly timestamp: number;
  readonly windowMinutes?: number;
  readonly deadlineMs?: number;
  /** When the mention was received; the deadline counts from here. Defaults to `timestamp`. */
  readonly now?: number;
  readonly hints?: ReadonlyArray<string>;
}

/** A chat message is bounded so a pasted log dump cannot balloon every agent prompt. */
const MAX_TEXT = 8_000;
const MAX_LINKS = 20;

const RESOLVED = /^\W{0,8}(?:\[(?:resolved|ok|recovered)\]|(?:resolved|recovered)\b)|\balarm state changed from alarm to ok\b/i;
const STILL_FIRING = /\bfiring:\s*[1-9]/i;

/**
 * The investigation for a chat message that was mentioned, reacted to or typed into the
 * CLI. The text is normalised (Slack/Discord markup removed, entities decoded) and its
 * entities extracted; links the message carries (`<url|label>` or bare) are kept. The
 * investigation id depends only on (platform, channel, message), so a retried event maps
 * to the same investigation.
 */
export const parseChatAlert = (input: ChatAlertInput): AlertContext => {
  const raw = typeof input.text === "string" ? input.text : "";
  const normalized = normalizeChatText(raw.length > MAX_TEXT * 2 ? raw.slice(0, MAX_TEXT * 2) : raw);
  // A text that must be cut is redacted first: a cut through a secret leaves a prefix no pattern recognises.
  const redacted = normalized.length > MAX_TEXT ? redactSecrets(normalized) : normalized;
  const text = redacted.length > MAX_TEXT ? `${redacted.slice(0, MAX_TEXT - 1)}…` : redacted;
  const timestamp = Number.isFinite(input.timestamp) && input.timestamp >= 0 ? input.timestamp : 0;
  const o = resolveOptions({
    now: input.now ?? timestamp,
    windowMinutes: input.windowMinutes ?? DEFAULT_WINDOW_MINUTES,
    deadlineMs: input.deadlineMs ?? DEFAULT_DEADLINE_MS,
    ...(input.hints === undefined ? {} : { hints: input.hints })
  });
  const status: AlertStatus = RESOLVED.test(text) && !STILL_FIRING.test(text) ? "resolved" : "firing";
  const links = linksIn(raw);
  return {
    investigationId: investigationIdFor(input.source, input.channelId, input.messageId),
    source: input.source,
    channelId: input.channelId,
    messageId: input.messageId,
    alertText: text,
    alertTimestamp: timestamp,
    window: windowAround(timestamp, o.windowMinutes),
    status,
    labels: {},
    annotations: {},
    entities: entitiesFromText(text),
    hints: status === "resolved" ? [...o.hints, "the message reports the alert as resolved"] : [...o.hints],
    deadline: Math.max(o.now, timestamp) + o.deadlineMs,
    ...(links.length === 0 ? {} : { links })
  };
};

const SLACK_LINK = /<(https?:\/\/[^|<>\s]{1,2000})(?:\|([^<>]{0,300}))?>/gi;
const BARE_LINK = /(?<![<|\w])https?:\/\/[^\s<>"'`|()[\]{}]{1,2000}/gi;

/** Slack `<url|label>` links with their label, then bare URLs (Discord, CLI) labelled "link". */
const linksIn = (raw: string): Array<Link> => {
  const links: Array<Link> = [];
  const seen = new Set<string>();
  const add = (url: string, label: string): void => {
    const clean = url.replace(/[.,;:!?]+$/, "");
    if (links.length >= MAX_LINKS || seen.has(clean)) return;
    seen.add(clean);
    links.push({ label, url: clean });
  };
  const text = raw.length > MAX_TEXT * 2 ? raw.slice(0, MAX_TEXT * 2) : raw;
  for (const m of text.matchAll(SLACK_LINK)) {
    const label = normalizeChatText(m[2] ?? "").replace(/:[a-z0-9_+-]+:/g, "").trim();
    add(normalizeChatText(m[1] ?? ""), label === "" ? "link" : label);
  }
  for (const m of text.matchAll(BARE_LINK)) add(normalizeChatText(m[0]), "link");
  return links;
};
