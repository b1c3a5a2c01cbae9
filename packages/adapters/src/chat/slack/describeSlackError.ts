import { ErrorCode } from "@slack/web-api";

/** Platform errors meaning the channel or message is gone or invisible to the bot. */
const NOT_FOUND = new Set(["channel_not_found", "message_not_found", "thread_not_found", "is_archived"]);
/** Platform errors Slack itself calls transient. */
const TRANSIENT = new Set(["ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

export interface SlackFailure {
  /** True when the same call may succeed later: a rate limit, a 5xx, a network failure. */
  readonly retryable: boolean;
  readonly notFound: boolean;
  readonly reason: string;
  /** What Slack's `Retry-After` asked for, in milliseconds. */
  readonly retryAfterMs?: number;
}

const field = (e: object, name: string): unknown => (name in e ? (e as Record<string, unknown>)[name] : undefined);

/**
 * Classifies what `@slack/web-api` threw. `secret` (the bot token) is cut out of the reason,
 * whatever the error carried.
 */
export const describeSlackError = (e: unknown, secret?: string): SlackFailure => {
  const failure = classify(e);
  return secret !== undefined && secret !== "" && failure.reason.includes(secret)
    ? { ...failure, reason: failure.reason.split(secret).join("[redacted]") }
    : failure;
};

const classify = (e: unknown): SlackFailure => {
  if (typeof e !== "object" || e === null) return { retryable: false, notFound: false, reason: String(e) };
  const code = field(e, "code");
  const message = String(field(e, "message") ?? "");
  switch (code) {
    case ErrorCode.PlatformError: {
      const data = field(e, "data");
      const error = typeof data === "object" && data !== null ? String(field(data, "error") ?? "unknown_error") : "unknown_error";
      if (NOT_FOUND.has(error)) return { retryable: false, notFound: true, reason: `not found: ${error}` };
      if (TRANSIENT.has(error)) return { retryable: true, notFound: false, reason: `Slack error ${error} (retryable)` };
      return { retryable: false, notFound: false, reason: `Slack error ${error}` };
    }
    case ErrorCode.RateLimitedError: {
      const seconds = Number(field(e, "retryAfter"));
      const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 0;
      return { retryable: true, notFound: false, reason: `rate limited (retryable): Retry-After ${retryAfterMs / 1000} s`, retryAfterMs };
    }
    case ErrorCode.HTTPError: {
      const status = Number(field(e, "statusCode"));
      if (status >= 500) return { retryable: true, notFound: false, reason: `unavailable (retryable): HTTP ${status}` };
      return { retryable: false, notFound: status === 404, reason: `HTTP ${status}` };
    }
    case ErrorCode.RequestError: {
      const original = field(e, "original");
      const cause = typeof original === "object" && original !== null ? String(field(original, "message") ?? "") : message;
      return { retryable: true, notFound: false, reason: `network failure (retryable): ${cause}` };
    }
    default:
      // The client turns a 429 without a usable Retry-After into a plain Error.
      if (/rate limit|retry header/i.test(message)) return { retryable: true, notFound: false, reason: `rate limited (retryable): ${message}` };
      return { retryable: false, notFound: false, reason: message === "" ? String(e) : message };
  }
};
