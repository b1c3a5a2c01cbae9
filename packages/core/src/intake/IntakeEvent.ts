import type { CommandRequest } from "../model/CommandRequest.js";
import type { EpochMillis } from "../model/primitives.js";

/**
 * What a verified webhook delivery asks for, independent of the platform it came from.
 * Platform adapters decode their payloads into these; the intake pipeline acts on them.
 */
export type IntakeEvent =
  /** Someone mentioned the bot. With `threadId`, the mention is a reply in a thread: investigate the thread's parent. */
  | {
      readonly _tag: "Mention";
      readonly platform: "slack" | "discord";
      readonly channelId: string;
      readonly messageId: string;
      readonly threadId?: string;
      readonly userId?: string;
      readonly text: string;
      readonly timestamp: EpochMillis;
      /** The platform's delivery id, stable across its retries. */
      readonly eventId?: string;
    }
  /** Someone reacted to a message with the configured trigger emoji: investigate that message. */
  | {
      readonly _tag: "Reaction";
      readonly platform: "slack" | "discord";
      readonly channelId: string;
      readonly messageId: string;
      readonly userId?: string;
      readonly reaction: string;
      readonly timestamp: EpochMillis;
      readonly eventId?: string;
    }
  /** A slash command, context-menu action or message command. */
  | {
      readonly _tag: "Command";
      readonly request: CommandRequest;
      /** Platform reply handle (Slack `response_url`, Discord interaction token) for follow-ups. */
      readonly replyHandle?: string;
      /** The invocation's own id (Slack `trigger_id`, Discord interaction id): a replay repeats it. */
      readonly eventId?: string;
    }
  /** Verified and understood, but nothing to do (the bot's own message, an unsubscribed event...). */
  | { readonly _tag: "Ignored"; readonly reason: string };
