import { DiscordAPIError, HTTPError, RateLimitError } from "@discordjs/rest";
import { ChatError } from "@sre-on-call/core";

/** Discord's JSON error codes for things that do not exist (or are not visible to the bot). */
const UNKNOWN_CODES: ReadonlySet<number | string> = new Set([10003, 10004, 10008, 10015, 10062]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

const field = (e: object, name: string): unknown => (name in e ? (e as Record<string, unknown>)[name] : undefined);

const redact = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.reduce((t, s) => (s.length >= 8 ? t.split(s).join("[redacted]") : t), text);

/**
 * Turns what `@discordjs/rest` threw into the port's error. The reason never contains a request
 * URL (interaction webhook URLs carry the interaction token) nor any of `secrets`.
 */
export const describeDiscordError = (operation: string, e: unknown, secrets: ReadonlyArray<string> = []): ChatError => {
  const make = (reason: string, retryable: boolean, notFound = false) =>
    new ChatError({ platform: "discord", operation, reason: redact(reason, secrets), retryable, ...(notFound ? { notFound } : {}) });
  if (e instanceof ChatError) return e;
  if (e instanceof DiscordAPIError) {
    const notFound = e.status === 404 || UNKNOWN_CODES.has(e.code);
    const detail = `HTTP ${e.status}, code ${String(e.code)}: ${e.message}`;
    if (notFound) return make(`not found (${detail})`, false, true);
    if (e.status === 401) return make(`unauthorized: the bot token was refused (${detail})`, false);
    if (e.status === 403) return make(`forbidden: the bot lacks access or permission (${detail})`, false);
    if (e.status === 429) return make(`rate limited (retryable): ${detail}`, true);
    return make(`request refused (${detail})`, e.status >= 500);
  }
  if (e instanceof HTTPError) return make(`Discord unavailable (retryable): HTTP ${e.status} ${e.message}`, e.status >= 500 || e.status === 408);
  if (e instanceof RateLimitError) {
    return make(`rate limited (retryable): retry after ${Math.ceil(e.retryAfter / 1000)} s${e.global ? " (global limit)" : ""}`, true);
  }
  if (typeof e === "object" && e !== null) {
    const name = String(field(e, "name") ?? "Error");
    const code = field(e, "code");
    const cause = field(e, "cause");
    const causeCode = typeof cause === "object" && cause !== null ? field(cause, "code") : undefined;
    const message = String(field(e, "message") ?? "");
    if (name === "AbortError" || name === "TimeoutError") return make(`request timed out (retryable): ${message}`, true);
    if ((typeof code === "string" && NETWORK.has(code)) || (typeof causeCode === "string" && NETWORK.has(causeCode)) || message === "fetch failed") {
      return make(`network failure (retryable): ${name}: ${message}${typeof causeCode === "string" ? ` (${causeCode})` : ""}`, true);
    }
    return make(`${name}: ${message}`, false);
  }
  return make(String(e), false);
};
