import { Schema } from "effect";

export const SlackVerificationCode = Schema.Literals([
  "no_signing_secret",
  "missing_timestamp",
  "malformed_timestamp",
  "stale_timestamp",
  "missing_signature",
  "malformed_signature",
  "bad_signature"
]);
export type SlackVerificationCode = typeof SlackVerificationCode.Type;

/** A Slack request that must not be trusted (answer 401). The reason never contains the secret. */
export class SlackVerificationError extends Schema.TaggedError<SlackVerificationError>()("SlackVerificationError", {
  code: SlackVerificationCode,
  reason: Schema.String
}) {
  override get message(): string {
    return `Slack request rejected: ${this.reason}`;
  }
}
