import type { Dialect } from "../ports/ChatPlatform.js";
import { code, DISCORD_INLINE, type Inline, type InlineDialect, type Line, link, MARKDOWN_INLINE, plainLine, renderLine, SLACK_INLINE } from "./document.js";

const INLINE_DIALECTS: Readonly<Record<Exclude<Dialect, "json">, InlineDialect>> = {
  slack: SLACK_INLINE,
  discord: DISCORD_INLINE,
  markdown: MARKDOWN_INLINE
};

/**
 * A one-line notice (announcement, resolved notice, hint, echo) as the text to post in a
 * dialect. Plain strings in the line are untrusted and escaped like report text: they can neither
 * ping a channel nor open a link under a label of their own; only `raw` parts go out verbatim.
 * JSON (machines) gets the visible words.
 */
export const renderNotice = (dialect: Dialect, line: Line): string =>
  dialect === "json" ? plainLine(line) : renderLine(INLINE_DIALECTS[dialect], line);

/**
 * The host (and port) of an http(s) URL as a browser would resolve it, or undefined for anything
 * else (javascript:, data:, mailto:, garbage). The authority ends at the first `/`, `\\`, `?` or
 * `#` (browsers read a backslash as a slash), and user info before the last `@` is not the host:
 * `https://grafana.example.com@evil.test/` leads to evil.test.
 */
export const httpHost = (url: string): string | undefined => {
  const m = /^https?:\/\/([^/\\?#]*)/i.exec(url.trim());
  if (m === null) return undefined;
  const authority = m[1] ?? "";
  const host = authority.slice(authority.lastIndexOf("@") + 1).toLowerCase();
  return /^(?:[a-z0-9][a-z0-9.-]{0,252}|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/.test(host) ? host : undefined;
};

/**
 * A link that came from an alert or a chat message (generatorURL, runbook_url, a `<url|label>`
 * in the alert text): only http(s) is linked, and the label always shows the real host, so
 * "Grafana dashboard" cannot hide where it leads. Anything else is shown as inert code.
 */
export const untrustedLink = (label: string, url: string): Inline => {
  const host = httpHost(url);
  if (host === undefined) return code(url.length > 200 ? `${url.slice(0, 199)}…` : url);
  const words = label.replace(/\s+/g, " ").trim();
  return link(words === "" || words.toLowerCase() === host.toLowerCase() ? host : `${words} (${host})`, url.trim());
};
