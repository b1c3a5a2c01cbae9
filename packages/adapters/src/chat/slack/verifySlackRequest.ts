import { createHmac, timingSafeEqual } from "node:crypto";
import { Result } from "effect";
import { readHeader, type SlackRequestHeaders } from "./readHeader.js";
import { SlackVerificationError, type SlackVerificationCode } from "./SlackVerificationError.js";

/** Slack's own limit: a request signed more than five minutes away from now is a replay or a broken clock. */
export const SLACK_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface VerifySlackRequestInput {
  readonly signingSecret: string;
  readonly headers: SlackRequestHeaders;
  /** The body exactly as received; re-serialised JSON would not match the signature. */
  readonly rawBody: Uint8Array | string;
  /** Epoch milliseconds. */
  readonly now: number;
}

export interface VerifiedSlackRequest {
  /** `X-Slack-Request-Timestamp` in epoch milliseconds. */
  readonly timestamp: number;
}

const TIMESTAMP = /^\d{1,15}$/;
const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;

const reject = (code: SlackVerificationCode, reason: string) => Result.fail(new SlackVerificationError({ code, reason }));

/** Shows a bad header value without letting a huge or hostile one into logs. */
const preview = (value: string): string => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** `v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's signing secret. */
export const signSlackRequest = (signingSecret: string, timestampSeconds: string, rawBody: Uint8Array | string): string =>
  `v0=${createHmac("sha256", signingSecret).update(`v0:${timestampSeconds}:`).update(rawBody).digest("hex")}`;

/**
 * Checks Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack):
 * the timestamp must be within five minutes of `now` in either direction and the signature must
 * match, compared in constant time. Never throws.
 */
export const verifySlackRequest = (input: VerifySlackRequestInput): Result.Result<VerifiedSlackRequest, SlackVerificationError> => {
  if (input.signingSecret === "") return reject("no_signing_secret", "no Slack signing secret is configured");

  const ts = readHeader(input.headers, "x-slack-request-timestamp");
  if (ts._tag === "Missing") return reject("missing_timestamp", "missing X-Slack-Request-Timestamp header");
  if (ts._tag === "Ambiguous") return reject("malformed_timestamp", "X-Slack-Request-Timestamp was sent more than once");
  if (!TIMESTAMP.test(ts.value)) {
    return reject("malformed_timestamp", `X-Slack-Request-Timestamp ${preview(ts.value)} is not a whole number of seconds`);
  }
  const timestamp = Number(ts.value) * 1000;
  const skew = timestamp - input.now;
  if (!Number.isFinite(input.now) || Math.abs(skew) > SLACK_MAX_CLOCK_SKEW_MS) {
    const direction = skew > 0 ? "ahead of" : "behind";
    return reject(
      "stale_timestamp",
      `X-Slack-Request-Timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${direction} this server's clock (at most 300 s allowed)`
    );
  }

  const sig = readHeader(input.headers, "x-slack-signature");
  if (sig._tag === "Missing") return reject("missing_signature", "missing X-Slack-Signature header");
  if (sig._tag === "Ambiguous") return reject("malformed_signature", "X-Slack-Signature was sent more than once");
  const hex = SIGNATURE.exec(sig.value)?.[1];
  if (hex === undefined) return reject("malformed_signature", `X-Slack-Signature ${preview(sig.value)} is not "v0=" followed by 64 hex digits`);

  const expected = Buffer.from(signSlackRequest(input.signingSecret, ts.value, input.rawBody).slice(3), "hex");
  const actual = Buffer.from(hex, "hex");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return reject("bad_signature", "X-Slack-Signature does not match the body and timestamp (wrong signing secret or altered body)");
  }
  return Result.succeed({ timestamp });
};
