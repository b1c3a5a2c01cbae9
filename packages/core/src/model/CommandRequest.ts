import { Schema } from "effect";
import { EpochMillis, Platform } from "./primitives.js";

export const CommandName = Schema.Literals(["investigate", "snapshot", "postmortem"]);
export type CommandName = typeof CommandName.Type;

/** A slash command, context-menu action or CLI command asking for work. */
export const CommandRequest = Schema.Struct({
  command: CommandName,
  platform: Platform,
  channelId: Schema.String,
  /** The thread the command was issued in (needed by `/postmortem`). */
  threadId: Schema.optionalKey(Schema.String),
  /** The message a context-menu command targets. */
  targetMessageId: Schema.optionalKey(Schema.String),
  userId: Schema.optionalKey(Schema.String),
  text: Schema.String,
  requestedAt: EpochMillis
});
export type CommandRequest = typeof CommandRequest.Type;
