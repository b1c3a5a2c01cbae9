import { Routes } from "discord-api-types/v10";
import type { OutgoingMessage, PostedMessage } from "@sre-on-call/core";
import { ChatError } from "@sre-on-call/core";
import { Effect } from "effect";
import { DiscordMessage } from "./DiscordMessage.js";
import { makeDiscordRest, type DiscordRestOptions } from "./discordRest.js";
import { neutraliseBroadcastMentions } from "./neutraliseBroadcastMentions.js";
import { isSnowflake } from "./snowflake.js";
import { splitDiscordContent } from "./splitDiscordContent.js";

export interface DiscordInteractionResponderOptions extends DiscordRestOptions {
  /** The application the interactions were sent to. */
  readonly applicationId: string;
}

export interface DiscordInteractionResponder {
  /**
   * Replaces the deferred ("thinking…") original response. Text longer than one message goes on
   * in follow-ups; the result is the original response.
   */
  readonly editOriginal: (interactionToken: string, message: OutgoingMessage) => Effect.Effect<PostedMessage, ChatError>;
  /** A further message under the interaction; `ephemeral` ones only the invoking user sees. */
  readonly followUp: (
    interactionToken: string,
    message: OutgoingMessage,
    options?: { readonly ephemeral?: boolean }
  ) => Effect.Effect<PostedMessage, ChatError>;
}

/** Interaction tokens are URL-safe; anything else must not reach a request path. */
const TOKEN = /^[A-Za-z0-9._-]{1,1000}$/;
const EPHEMERAL = 64;
const NO_MENTIONS = { parse: [] } as const;

/**
 * Follow-ups to interactions through the interaction webhook (`/webhooks/{application}/{token}`),
 * which needs no bot token and works for 15 minutes after the interaction.
 */
export const makeDiscordInteractionResponder = (options: DiscordInteractionResponderOptions): DiscordInteractionResponder => {
  const { call } = makeDiscordRest(options);
  const { applicationId } = options;

  const checked = (operation: string, token: string, text: string) => {
    if (!isSnowflake(applicationId)) {
      return Effect.fail(new ChatError({ platform: "discord", operation, reason: "the configured application id is not a Discord id", retryable: false }));
    }
    if (!TOKEN.test(token)) {
      return Effect.fail(new ChatError({ platform: "discord", operation, reason: "the interaction token is malformed", retryable: false, notFound: true }));
    }
    const chunks = splitDiscordContent(neutraliseBroadcastMentions(text));
    const [head, ...tail] = chunks;
    if (head === undefined) return Effect.fail(new ChatError({ platform: "discord", operation, reason: "nothing to post: the message is empty", retryable: false }));
    return Effect.succeed([head, ...tail] as const);
  };

  const posted = (m: DiscordMessage): PostedMessage => ({ channelId: m.channel_id, messageId: m.id });

  const send = (operation: string, token: string, content: string, flags: number) =>
    call(
      operation,
      "post",
      Routes.webhook(applicationId, token),
      DiscordMessage,
      { auth: false, query: new URLSearchParams({ wait: "true" }), body: { content, allowed_mentions: NO_MENTIONS, ...(flags === 0 ? {} : { flags }) } },
      [token]
    );

  return {
    editOriginal: (token, message) =>
      Effect.gen(function* () {
        const [head, ...tail] = yield* checked("editOriginal", token, message.text);
        const original = yield* call(
          "editOriginal",
          "patch",
          Routes.webhookMessage(applicationId, token, "@original"),
          DiscordMessage,
          { auth: false, body: { content: head, allowed_mentions: NO_MENTIONS } },
          [token]
        );
        for (const chunk of tail) yield* send("editOriginal", token, chunk, 0);
        return posted(original);
      }),
    followUp: (token, message, opts) =>
      Effect.gen(function* () {
        const [head, ...tail] = yield* checked("followUp", token, message.text);
        const flags = opts?.ephemeral === true ? EPHEMERAL : 0;
        const first = yield* send("followUp", token, head, flags);
        for (const chunk of tail) yield* send("followUp", token, chunk, flags);
        return posted(first);
      })
  };
};
