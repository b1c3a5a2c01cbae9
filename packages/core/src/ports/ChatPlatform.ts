import { Context, Schema } from "effect";
import type { Effect } from "effect";
import type { EpochMillis, Platform, TimeWindow } from "../model/primitives.js";

/** The dialect a platform renders reports in. */
export type Dialect = "slack" | "discord" | "markdown" | "json";

/** Where a reply goes: the channel and the message that anchors the thread. */
export interface ThreadRef {
  readonly channelId: string;
  readonly threadId: string;
}

export interface PostedMessage {
  readonly channelId: string;
  readonly messageId: string;
}

/** One rendered chunk, ready for the platform. `blocks` are Slack Block Kit blocks when present. */
export interface OutgoingMessage {
  readonly text: string;
  readonly blocks?: ReadonlyArray<unknown>;
}

export interface ChatMessage {
  readonly channelId: string;
  readonly messageId: string;
  /** The thread anchor when the message is a reply. */
  readonly threadId?: string;
  readonly authorId?: string;
  readonly authorName?: string;
  readonly isBot: boolean;
  readonly text: string;
  readonly timestamp: EpochMillis;
}

export class ChatError extends Schema.TaggedError<ChatError>()("ChatError", {
  platform: Schema.String,
  operation: Schema.String,
  reason: Schema.String,
  /** True when trying again later may succeed (rate limit, 5xx, network). */
  retryable: Schema.Boolean,
  /** The platform said the channel or message does not exist or is not visible. */
  notFound: Schema.optionalKey(Schema.Boolean)
}) {
  override get message(): string {
    return `${this.platform} ${this.operation} failed: ${this.reason}`;
  }
}

export interface ChatPlatformShape {
  readonly platform: Platform;
  readonly dialect: Dialect;
  /**
   * Posts a top-level message in a channel; it can then anchor a thread. Used for alerts that
   * arrive by webhook (Alertmanager, Grafana): the posted alert becomes the thread the
   * investigation replies in.
   */
  readonly postMessage: (channelId: string, message: OutgoingMessage) => Effect.Effect<PostedMessage, ChatError>;
  /** Posts a message as a reply in the thread anchored at `thread.threadId`. */
  readonly postInThread: (thread: ThreadRef, message: OutgoingMessage) => Effect.Effect<PostedMessage, ChatError>;
  /** Replaces the content of a message this bot posted (progress updates). */
  readonly updateMessage: (message: PostedMessage, content: OutgoingMessage) => Effect.Effect<void, ChatError>;
  /** A short plain-text notice in the thread (acknowledgement, chatter hint, failure notice). */
  readonly postNotice: (thread: ThreadRef, text: string) => Effect.Effect<PostedMessage, ChatError>;
  readonly readMessage: (channelId: string, messageId: string) => Effect.Effect<ChatMessage, ChatError>;
  /** The message that anchors a thread. */
  readonly readThreadParent: (channelId: string, threadId: string) => Effect.Effect<ChatMessage, ChatError>;
  /** Channel messages in a time window, oldest first, at most `limit`. */
  readonly readHistory: (
    channelId: string,
    window: TimeWindow,
    options?: { readonly limit?: number }
  ) => Effect.Effect<ReadonlyArray<ChatMessage>, ChatError>;
}

export class ChatPlatform extends Context.Service<ChatPlatform, ChatPlatformShape>()("sre-on-call/ChatPlatform") {}
