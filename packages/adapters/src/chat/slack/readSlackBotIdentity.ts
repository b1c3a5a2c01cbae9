import { WebClient } from "@slack/web-api";
import { ChatError } from "@sre-on-call/core";
import { Effect } from "effect";
import { describeSlackError } from "./describeSlackError.js";

export interface SlackBotIdentity {
  /** The bot's user id (`U…`): mentions name it and its own messages carry it. */
  readonly userId: string;
  /** The bot's id (`B…`) on messages it posts. */
  readonly botId?: string;
  readonly teamId?: string;
}

/**
 * Asks `auth.test` who the token belongs to, so the intake can ignore the bot's own messages
 * and reactions. One call, no retries: this runs at startup, where failing loudly is right.
 */
export const readSlackBotIdentity = (options: { readonly token: string; readonly apiUrl?: string }): Effect.Effect<SlackBotIdentity, ChatError> =>
  Effect.tryPromise({
    try: () =>
      new WebClient(options.token, {
        ...(options.apiUrl !== undefined ? { slackApiUrl: options.apiUrl } : {}),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: 10_000
      }).auth.test(),
    catch: (e) => {
      const f = describeSlackError(e, options.token);
      return new ChatError({ platform: "slack", operation: "auth.test", reason: f.reason, retryable: f.retryable });
    }
  }).pipe(
    Effect.flatMap((res) =>
      typeof res.user_id === "string" && res.user_id !== ""
        ? Effect.succeed<SlackBotIdentity>({
            userId: res.user_id,
            ...(typeof res.bot_id === "string" && res.bot_id !== "" ? { botId: res.bot_id } : {}),
            ...(typeof res.team_id === "string" && res.team_id !== "" ? { teamId: res.team_id } : {})
          })
        : Effect.fail(new ChatError({ platform: "slack", operation: "auth.test", reason: "auth.test answered without a user_id", retryable: false }))
    )
  );
