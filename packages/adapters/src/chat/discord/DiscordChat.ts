import { randomBytes } from "node:crypto";
import { Routes } from "discord-api-types/v10";
import type { ChatMessage, ChatPlatformShape, OutgoingMessage, PostedMessage, ThreadRef } from "@sre-on-call/core";
import { ChatError } from "@sre-on-call/core";
import { Effect, Schema } from "effect";
import { DiscordChannel, DiscordMessage, THREAD_CHANNEL_TYPES, toChatMessage } from "./DiscordMessage.js";
import { makeDiscordRest, type DiscordRestOptions } from "./discordRest.js";
import { neutraliseBroadcastMentions } from "./neutraliseBroadcastMentions.js";
import { isSnowflake, millisToSnowflake, snowflakeToMillis } from "./snowflake.js";
import { DISCORD_MESSAGE_LIMIT, splitDiscordContent } from "./splitDiscordContent.js";

export interface DiscordChatOptions extends DiscordRestOptions {
  /** The bot token (without the `Bot ` prefix). Never logged, never put in an error. */
  readonly token: string;
  /** The application's id, which is its bot user's id: messages by it count as the bot's own even without the `bot` flag. */
  readonly applicationId?: string;
  /** Most messages `readHistory` returns when the caller sets no limit. Default 1000. */
  readonly defaultHistoryLimit?: number;
}

/** Discord's largest page of channel messages. */
const PAGE = 100;
/** How long a "this id is not a thread" answer is trusted, so a multi-part report costs one lookup. */
const NOT_A_THREAD_TTL_MS = 60_000;
const MAX_CACHED = 1_000;
const TRUNCATED = "\n… (truncated)";
/** `enforce_nonce` makes a retried create return the first message instead of posting twice. */
const nonce = () => randomBytes(12).toString("base64url");

const Messages = Schema.Array(DiscordMessage);
const NO_MENTIONS = { parse: [] } as const;

type Target = { readonly channelId: string; readonly replyTo?: string };

/** A Discord chat adapter over the REST API v10 (bot token), for delivery and for reading history. */
export const makeDiscordChat = (options: DiscordChatOptions): ChatPlatformShape => {
  const { call } = makeDiscordRest(options);
  const defaultLimit = options.defaultHistoryLimit ?? 1_000;
  const own = options.applicationId === undefined ? {} : { botUserId: options.applicationId };
  /** Thread channel id → true; anything else → when we learnt it is not a thread. */
  const threads = new Map<string, true | number>();
  const remember = (id: string, value: true | number) => {
    if (threads.size >= MAX_CACHED) threads.delete(threads.keys().next().value ?? id);
    threads.set(id, value);
  };
  const knownThread = (id: string) => threads.get(id) === true;

  const invalidId = (operation: string, what: string, value: string) =>
    Effect.fail(
      new ChatError({ platform: "discord", operation, reason: `${what} ${JSON.stringify(value.slice(0, 40))} is not a Discord id`, retryable: false, notFound: true })
    );
  const requireIds = (operation: string, ids: ReadonlyArray<readonly [string, string]>): Effect.Effect<void, ChatError> => {
    for (const [what, value] of ids) if (!isSnowflake(value)) return invalidId(operation, what, value);
    return Effect.void;
  };

  const getChannel = (operation: string, id: string) => call(operation, "get", Routes.channel(id), DiscordChannel);
  const getMessage = (operation: string, channelId: string, messageId: string) =>
    call(operation, "get", Routes.channelMessage(channelId, messageId), DiscordMessage).pipe(
      Effect.map((m) => toChatMessage(m, { inThread: knownThread(m.channel_id), ...own }))
    );

  /** Whether `id` is a thread channel; a thread started from a message has that message's id. */
  const isThread = (operation: string, id: string): Effect.Effect<boolean, ChatError> =>
    Effect.suspend(() => {
      const cached = threads.get(id);
      if (cached === true) return Effect.succeed(true);
      if (cached !== undefined && Date.now() - cached < NOT_A_THREAD_TTL_MS) return Effect.succeed(false);
      return getChannel(operation, id).pipe(
      Effect.map((c) => THREAD_CHANNEL_TYPES.has(c.type)),
      Effect.catchIf(
        (e) => e.notFound === true,
        () => Effect.succeed(false)
      ),
      Effect.tap((thread) => Effect.sync(() => remember(id, thread ? true : Date.now())))
      );
    });

  /** A thread channel on the anchor takes the post; otherwise the post replies to the anchor. */
  const targetOf = (operation: string, thread: ThreadRef): Effect.Effect<Target, ChatError> =>
    thread.channelId === thread.threadId
      ? Effect.succeed({ channelId: thread.channelId })
      : isThread(operation, thread.threadId).pipe(
          Effect.map((inThread): Target => (inThread ? { channelId: thread.threadId } : { channelId: thread.channelId, replyTo: thread.threadId }))
        );

  const threadIds = (thread: ThreadRef) => [["channel", thread.channelId], ["thread", thread.threadId]] as const;

  const create = (operation: string, target: Target, content: string) =>
    call(operation, "post", Routes.channelMessages(target.channelId), DiscordMessage, {
      body: {
        content,
        allowed_mentions: NO_MENTIONS,
        nonce: nonce(),
        enforce_nonce: true,
        ...(target.replyTo === undefined
          ? {}
          : { message_reference: { message_id: target.replyTo, channel_id: target.channelId, fail_if_not_exists: false } })
      }
    });

  /** Posts every chunk of `message` to where `resolve` says, in order; the first one stands for the whole. */
  const post = (
    operation: string,
    ids: ReadonlyArray<readonly [string, string]>,
    resolve: Effect.Effect<Target, ChatError>,
    message: OutgoingMessage
  ): Effect.Effect<PostedMessage, ChatError> =>
    Effect.gen(function* () {
      yield* requireIds(operation, ids);
      const chunks = splitDiscordContent(neutraliseBroadcastMentions(message.text));
      const [head, ...tail] = chunks;
      if (head === undefined) {
        return yield* Effect.fail(new ChatError({ platform: "discord", operation, reason: "nothing to post: the message is empty", retryable: false }));
      }
      const target = yield* resolve;
      const first = yield* create(operation, target, head);
      for (const chunk of tail) yield* create(operation, target, chunk);
      return { channelId: first.channel_id, messageId: first.id };
    });

  const readThreadParent = (channelId: string, threadId: string): Effect.Effect<ChatMessage, ChatError> => {
    const operation = "readThreadParent";
    const notFound = (e: ChatError) => e.notFound === true;
    return requireIds(operation, [["channel", channelId], ["thread", threadId]]).pipe(
      Effect.andThen(getMessage(operation, channelId, threadId)),
      Effect.catchIf(notFound, (original) =>
        getChannel(operation, threadId).pipe(
          Effect.catchIf(notFound, () => Effect.fail(original)),
          Effect.flatMap((thread) => {
            if (!THREAD_CHANNEL_TYPES.has(thread.type)) return Effect.fail(original);
            remember(thread.id, true);
            // A thread started from a message shares its id, and the starter lives in the parent;
            // a forum post's starter lives in the thread itself.
            const inParent = thread.parent_id == null ? Effect.fail(original) : getMessage(operation, thread.parent_id, threadId);
            return inParent.pipe(Effect.catchIf(notFound, () => getMessage(operation, threadId, threadId)));
          })
        )
      )
    );
  };

  const readHistory = (channelId: string, window: { readonly start: number; readonly end: number }, opts?: { readonly limit?: number }) =>
    Effect.gen(function* () {
      const operation = "readHistory";
      yield* requireIds(operation, [["channel", channelId]]);
      const limit = Math.max(0, Math.floor(opts?.limit ?? defaultLimit));
      const found: Array<ChatMessage> = [];
      let after = millisToSnowflake(window.start) - 1n;
      if (after < 0n) after = 0n;
      while (found.length < limit && window.start <= window.end) {
        const page = yield* call(operation, "get", Routes.channelMessages(channelId), Messages, {
          query: new URLSearchParams({ after: after.toString(), limit: String(PAGE) })
        });
        // Discord lists a page newest first; the window is walked oldest first.
        const ordered = [...page].filter((m) => isSnowflake(m.id)).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
        let pastEnd = false;
        for (const m of ordered) {
          const at = snowflakeToMillis(m.id) ?? 0;
          if (at > window.end) {
            pastEnd = true;
            break;
          }
          if (at >= window.start && found.length < limit) found.push(toChatMessage(m, { inThread: knownThread(channelId), ...own }));
        }
        const last = ordered.at(-1);
        if (pastEnd || last === undefined || page.length < PAGE) break;
        after = BigInt(last.id);
      }
      return found;
    });

  return {
    platform: "discord",
    dialect: "discord",
    postMessage: (channelId, message) => post("postMessage", [["channel", channelId]], Effect.succeed({ channelId }), message),
    postInThread: (thread, message) => post("postInThread", threadIds(thread), targetOf("postInThread", thread), message),
    postNotice: (thread, text) => post("postNotice", threadIds(thread), targetOf("postNotice", thread), { text }),
    updateMessage: (message, content) =>
      Effect.gen(function* () {
        const operation = "updateMessage";
        yield* requireIds(operation, [["channel", message.channelId], ["message", message.messageId]]);
        const text = neutraliseBroadcastMentions(content.text);
        // One message holds at most one chunk: a longer text keeps its first chunk and says so.
        const whole = splitDiscordContent(text);
        const [head] = whole.length <= 1 ? whole : splitDiscordContent(text, DISCORD_MESSAGE_LIMIT - TRUNCATED.length).map((c) => c + TRUNCATED);
        if (head === undefined) {
          return yield* Effect.fail(new ChatError({ platform: "discord", operation, reason: "nothing to post: the message is empty", retryable: false }));
        }
        yield* call(operation, "patch", Routes.channelMessage(message.channelId, message.messageId), DiscordMessage, {
          body: { content: head, allowed_mentions: NO_MENTIONS }
        });
      }),
    readMessage: (channelId, messageId) =>
      requireIds("readMessage", [["channel", channelId], ["message", messageId]]).pipe(Effect.andThen(getMessage("readMessage", channelId, messageId))),
    readThreadParent,
    readHistory
  };
};
