import { LogLevel, WebClient, type Logger as SlackSdkLogger } from "@slack/web-api";
import type { ChatMessage, ChatPlatformShape, OutgoingMessage, PostedMessage } from "@sre-on-call/core";
import { ChatError } from "@sre-on-call/core";
import { Effect } from "effect";
import { describeSlackError, type SlackFailure } from "./describeSlackError.js";
import { extractSlackText } from "./extractSlackText.js";
import { millisToSlackTs, millisToSlackTsEnd, slackTsToMillis } from "./slackTs.js";

/** The subset of a pino logger this adapter writes to. */
export interface SlackChatLogger {
  readonly warn: (fields: Record<string, unknown>, message: string) => void;
  readonly debug: (fields: Record<string, unknown>, message: string) => void;
}

export interface SlackRetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** Delay before the first retry when Slack gives no `Retry-After`; doubled each time, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this fails at once (retryable) instead of holding the caller that long. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_SLACK_RETRY: SlackRetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

export interface SlackChatOptions {
  /** Bot token (`xoxb-…`). Never logged, and cut out of error reasons. */
  readonly token: string;
  /** Web API base URL; default Slack's. Point it at `startFakeSlackApi().url` in tests. */
  readonly apiUrl?: string;
  readonly retry?: Partial<SlackRetryPolicy>;
  /** Per-request timeout; a timeout counts as a retryable network failure. Default 10 s. */
  readonly timeoutMs?: number;
  readonly logger?: SlackChatLogger;
}

/** Slack's own page size ceiling for conversations.history is 999; it recommends 200. */
const PAGE_SIZE = 200;
/** A history read never walks more than this many pages, whatever the limit. */
const MAX_PAGES = 50;
const DEFAULT_HISTORY_LIMIT = 1000;

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: Json): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const messagesOf = (page: Json): ReadonlyArray<Json> => (isObj(page) && Array.isArray(page["messages"]) ? page["messages"] : []);
const nextCursor = (page: Json): string | undefined => {
  const meta = isObj(page) ? page["response_metadata"] : undefined;
  return isObj(meta) ? str(meta["next_cursor"]) : undefined;
};

/** A Slack message object as `conversations.history`/`replies` return it. */
const toChatMessage = (channelId: string, raw: Json): ChatMessage | undefined => {
  if (!isObj(raw)) return undefined;
  const ts = str(raw["ts"]);
  const timestamp = ts === undefined ? undefined : slackTsToMillis(ts);
  if (ts === undefined || timestamp === undefined) return undefined;
  const threadTs = str(raw["thread_ts"]);
  const botProfile = raw["bot_profile"];
  const userProfile = raw["user_profile"];
  const authorId = str(raw["user"]) ?? str(raw["bot_id"]);
  const authorName =
    str(raw["username"]) ??
    (isObj(botProfile) ? str(botProfile["name"]) : undefined) ??
    (isObj(userProfile) ? (str(userProfile["display_name"]) ?? str(userProfile["real_name"])) : undefined);
  return {
    channelId,
    messageId: ts,
    ...(threadTs !== undefined && threadTs !== ts ? { threadId: threadTs } : {}),
    ...(authorId !== undefined ? { authorId } : {}),
    ...(authorName !== undefined ? { authorName } : {}),
    isBot: raw["bot_id"] !== undefined || raw["subtype"] === "bot_message",
    text: extractSlackText(raw),
    timestamp
  };
};

/** WebClient's own log lines go to our logger; its debug output (request dumps) is dropped. */
const bridgeLogger = (logger: SlackChatLogger | undefined): SlackSdkLogger => {
  const forward = (args: ReadonlyArray<unknown>) => logger?.warn({ component: "@slack/web-api" }, args.map(String).join(" "));
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: Array<unknown>) => forward(args),
    error: (...args: Array<unknown>) => forward(args),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined
  };
};

/**
 * A `ChatPlatform` on Slack's Web API through the official `WebClient`. The client's own
 * retries are off so that this adapter owns the policy: HTTP 429 waits for `Retry-After`
 * (bounded), 5xx and network failures back off exponentially, and what still fails becomes
 * a `ChatError` saying whether trying later may help.
 */
export const makeSlackChat = (options: SlackChatOptions): ChatPlatformShape => {
  const policy: SlackRetryPolicy = { ...DEFAULT_SLACK_RETRY, ...options.retry };
  const logger = options.logger;
  const client = new WebClient(options.token, {
    ...(options.apiUrl !== undefined ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    logger: bridgeLogger(logger)
  });

  const delayBefore = (retry: number, failure: SlackFailure): number | undefined => {
    if (failure.retryAfterMs !== undefined) return failure.retryAfterMs <= policy.maxRetryAfterMs ? failure.retryAfterMs : undefined;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  };

  const call = (operation: string, method: string, args: Record<string, unknown>): Effect.Effect<Json, ChatError> => {
    const once = Effect.tryPromise({
      try: () => client.apiCall(method, args) as Promise<Json>,
      catch: (e) => describeSlackError(e, options.token)
    });
    const attempt = (retry: number): Effect.Effect<Json, SlackFailure> =>
      once.pipe(
        Effect.catch((failure) => {
          if (!failure.retryable || retry >= policy.retries) return Effect.fail(failure);
          const delay = delayBefore(retry, failure);
          if (delay === undefined) {
            return Effect.fail({ ...failure, reason: `${failure.reason}, longer than the ${policy.maxRetryAfterMs / 1000} s this adapter waits` });
          }
          logger?.warn({ operation, method, retry: retry + 1, of: policy.retries, delayMs: delay, reason: failure.reason }, "Slack call failed; retrying");
          return Effect.sleep(delay).pipe(Effect.andThen(attempt(retry + 1)));
        })
      );
    return attempt(0).pipe(
      Effect.mapError(
        (f) =>
          new ChatError({
            platform: "slack",
            operation,
            reason: `${method}: ${f.reason}`,
            retryable: f.retryable,
            ...(f.notFound ? { notFound: true } : {})
          })
      )
    );
  };

  const notFound = (operation: string, reason: string) =>
    new ChatError({ platform: "slack", operation, reason, retryable: false, notFound: true });

  const post = (operation: string, channelId: string, threadId: string | undefined, message: OutgoingMessage) =>
    call(operation, "chat.postMessage", {
      channel: channelId,
      ...(threadId !== undefined ? { thread_ts: threadId } : {}),
      text: message.text,
      ...(message.blocks !== undefined && message.blocks.length > 0 ? { blocks: message.blocks } : {}),
      unfurl_links: false,
      unfurl_media: false
    }).pipe(
      Effect.flatMap((res) => {
        const ts = isObj(res) ? str(res["ts"]) : undefined;
        const channel = (isObj(res) ? str(res["channel"]) : undefined) ?? channelId;
        return ts === undefined
          ? Effect.fail(new ChatError({ platform: "slack", operation, reason: "chat.postMessage answered without a ts", retryable: false }))
          : Effect.succeed<PostedMessage>({ channelId: channel, messageId: ts });
      })
    );

  const findIn = (channelId: string, messageId: string, page: Json): ChatMessage | undefined => {
    const raw = messagesOf(page).find((m) => isObj(m) && m["ts"] === messageId);
    return raw === undefined ? undefined : toChatMessage(channelId, raw);
  };

  /** A thread reply is not in the channel history; `conversations.replies` with its own ts finds it in its thread. */
  const readReply = (channelId: string, messageId: string) =>
    Effect.gen(function* () {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = yield* call("readMessage", "conversations.replies", {
          channel: channelId,
          ts: messageId,
          oldest: messageId,
          inclusive: true,
          limit: PAGE_SIZE,
          ...(cursor !== undefined ? { cursor } : {})
        });
        const found = findIn(channelId, messageId, res);
        if (found !== undefined) return found;
        cursor = nextCursor(res);
        if (cursor === undefined) break;
      }
      return yield* Effect.fail(notFound("readMessage", `message ${messageId} not found in channel ${channelId}`));
    });

  return {
    platform: "slack",
    dialect: "slack",
    postMessage: (channelId, message) => post("postMessage", channelId, undefined, message),
    postInThread: (thread, message) => post("postInThread", thread.channelId, thread.threadId, message),
    postNotice: (thread, text) => post("postNotice", thread.channelId, thread.threadId, { text }),
    updateMessage: (message, content) =>
      call("updateMessage", "chat.update", {
        channel: message.channelId,
        ts: message.messageId,
        text: content.text,
        // An empty list clears blocks a progress message had; without it Slack keeps showing them.
        blocks: content.blocks ?? []
      }).pipe(Effect.asVoid),
    readMessage: (channelId, messageId) =>
      call("readMessage", "conversations.history", { channel: channelId, latest: messageId, inclusive: true, limit: 1 }).pipe(
        Effect.flatMap((res) => {
          const found = findIn(channelId, messageId, res);
          return found !== undefined ? Effect.succeed(found) : readReply(channelId, messageId);
        })
      ),
    readThreadParent: (channelId, threadId) =>
      call("readThreadParent", "conversations.replies", { channel: channelId, ts: threadId, limit: 1 }).pipe(
        Effect.flatMap((res) => {
          const parent = messagesOf(res)
            .map((m) => toChatMessage(channelId, m))
            .find((m) => m !== undefined);
          return parent !== undefined
            ? Effect.succeed(parent)
            : Effect.fail(notFound("readThreadParent", `thread ${threadId} not found in channel ${channelId}`));
        })
      ),
    readHistory: (channelId, window, opts) =>
      Effect.gen(function* () {
        const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
        const collected: Array<ChatMessage> = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES && collected.length < limit; page++) {
          const res = yield* call("readHistory", "conversations.history", {
            channel: channelId,
            oldest: millisToSlackTs(window.start),
            latest: millisToSlackTsEnd(window.end),
            inclusive: true,
            limit: Math.min(PAGE_SIZE, limit - collected.length),
            ...(cursor !== undefined ? { cursor } : {})
          });
          for (const raw of messagesOf(res)) {
            const m = toChatMessage(channelId, raw);
            if (m !== undefined && m.timestamp >= window.start && m.timestamp <= window.end) collected.push(m);
          }
          cursor = nextCursor(res);
          if (cursor === undefined) break;
        }
        // Slack pages newest first, so with a limit these are the newest messages of the window.
        return collected
          .slice(0, limit)
          .sort((a, b) => a.timestamp - b.timestamp || (a.messageId < b.messageId ? -1 : 1));
      })
  };
};
