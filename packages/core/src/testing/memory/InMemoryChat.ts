import { Effect } from "effect";
import type { Platform } from "../../model/primitives.js";
import {
  ChatError,
  type ChatMessage,
  type ChatPlatformShape,
  type Dialect,
  type OutgoingMessage,
  type PostedMessage
} from "../../ports/ChatPlatform.js";

export interface PostRecord {
  readonly kind: "top" | "post" | "notice" | "update";
  readonly channelId: string;
  readonly threadId?: string;
  readonly messageId: string;
  readonly message: OutgoingMessage;
  readonly at: number;
}

export interface InMemoryChat {
  readonly chat: ChatPlatformShape;
  /** Places a message in a channel as another user would; returns its id. */
  readonly seed: (channelId: string, message: Omit<ChatMessage, "channelId" | "messageId">) => string;
  /** Every post, notice and update this bot made, in order. */
  readonly log: () => ReadonlyArray<PostRecord>;
  /** The next `count` posts fail with a retryable ChatError. */
  readonly failPosts: (count: number) => void;
}

/** A chat platform held in memory, for unit tests of the core. */
export const makeInMemoryChat = (
  options: { readonly platform?: Platform; readonly dialect?: Dialect; readonly now?: () => number } = {}
): InMemoryChat => {
  const platform = options.platform ?? "slack";
  const now = options.now ?? (() => Date.now());
  const messages = new Map<string, ChatMessage>();
  const log: Array<PostRecord> = [];
  let seq = 0;
  let failures = 0;
  const key = (channelId: string, messageId: string) => `${channelId}\u0000${messageId}`;
  const nextId = () => `${Math.floor(now() / 1000)}.${String(++seq).padStart(6, "0")}`;

  const notFound = (operation: string, what: string) =>
    new ChatError({ platform, operation, reason: `${what} not found`, retryable: false, notFound: true });

  const store = (m: ChatMessage) => messages.set(key(m.channelId, m.messageId), m);

  const post = (kind: "top" | "post" | "notice", channelId: string, threadId: string | undefined, message: OutgoingMessage) =>
    Effect.suspend(() => {
      if (failures > 0) {
        failures--;
        return Effect.fail(new ChatError({ platform, operation: "post", reason: "simulated outage", retryable: true }));
      }
      const messageId = nextId();
      store({ channelId, messageId, ...(threadId !== undefined ? { threadId } : {}), isBot: true, text: message.text, timestamp: now() });
      log.push({ kind, channelId, ...(threadId !== undefined ? { threadId } : {}), messageId, message, at: now() });
      return Effect.succeed<PostedMessage>({ channelId, messageId });
    });

  const chat: ChatPlatformShape = {
    platform,
    dialect: options.dialect ?? "markdown",
    postMessage: (channelId, message) => post("top", channelId, undefined, message),
    postInThread: (thread, message) => post("post", thread.channelId, thread.threadId, message),
    postNotice: (thread, text) => post("notice", thread.channelId, thread.threadId, { text }),
    updateMessage: (ref, content) =>
      Effect.suspend(() => {
        const existing = messages.get(key(ref.channelId, ref.messageId));
        if (existing === undefined) return Effect.fail(notFound("update", `message ${ref.messageId}`));
        store({ ...existing, text: content.text });
        log.push({ kind: "update", channelId: ref.channelId, messageId: ref.messageId, message: content, at: now() });
        return Effect.void;
      }),
    readMessage: (channelId, messageId) =>
      Effect.suspend(() => {
        const m = messages.get(key(channelId, messageId));
        return m === undefined ? Effect.fail(notFound("read", `message ${messageId}`)) : Effect.succeed(m);
      }),
    readThreadParent: (channelId, threadId) =>
      Effect.suspend(() => {
        const m = messages.get(key(channelId, threadId));
        return m === undefined ? Effect.fail(notFound("read thread parent", `message ${threadId}`)) : Effect.succeed(m);
      }),
    readHistory: (channelId, window, opts) =>
      Effect.sync(() =>
        [...messages.values()]
          .filter((m) => m.channelId === channelId && m.timestamp >= window.start && m.timestamp <= window.end)
          .sort((a, b) => a.timestamp - b.timestamp)
          .slice(0, opts?.limit ?? 1000)
      )
  };

  return {
    chat,
    seed: (channelId, message) => {
      const messageId = `${Math.floor(message.timestamp / 1000)}.${String(++seq).padStart(6, "0")}`;
      store({ ...message, channelId, messageId });
      return messageId;
    },
    log: () => log,
    failPosts: (count) => {
      failures = count;
    }
  };
};
