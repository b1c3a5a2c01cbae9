import type { ChatMessage, CommandName, CommandRequest, IntakeEvent } from "@sre-on-call/core";
import { Result, Schema } from "effect";
import { DiscordMessage, DiscordUser, Nullable, THREAD_CHANNEL_TYPES, toChatMessage } from "./DiscordMessage.js";
import { isSnowflake, snowflakeToMillis } from "./snowflake.js";

/** The request body is not a Discord interaction this application should accept (answer HTTP 400). */
export class DiscordInteractionError extends Schema.TaggedError<DiscordInteractionError>()("DiscordInteractionError", {
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid Discord interaction: ${this.reason}`;
  }
}

/** What identifies an interaction for its follow-ups; `token` is a secret valid for 15 minutes. */
export interface DiscordInteractionRef {
  readonly id: string;
  readonly applicationId: string;
  readonly token: string;
}

const EPHEMERAL = 64;
type ImmediateMessage = {
  readonly type: 4;
  readonly data: { readonly content: string; readonly flags: typeof EPHEMERAL; readonly allowed_mentions: { readonly parse: readonly [] } };
};

/** The JSON to send back as the HTTP response to the interaction, within Discord's 3 seconds. */
export type DiscordInteractionResponse =
  | { readonly type: 1 }
  | ImmediateMessage
  | { readonly type: 5 }
  | { readonly type: 8; readonly data: { readonly choices: readonly [] } };

export type CommandEvent = Extract<IntakeEvent, { readonly _tag: "Command" }>;
export type IgnoredEvent = Extract<IntakeEvent, { readonly _tag: "Ignored" }>;

export type DecodedDiscordInteraction =
  /** Discord checking the endpoint: answer PONG. */
  | { readonly _tag: "Ping"; readonly response: { readonly type: 1 } }
  /**
   * Work to dispatch: answer with the deferred response now, then edit the original response
   * (`DiscordInteractionResponder`) when there is something to say. With `targetMessageId`
   * set, the request's `text` is only the operator's note; the message itself is in `target`
   * when Discord sent it along (context-menu commands), otherwise read it with the chat adapter.
   */
  | {
      readonly _tag: "Deferred";
      readonly event: CommandEvent;
      readonly interaction: DiscordInteractionRef;
      readonly target?: ChatMessage;
      readonly response: { readonly type: 5 };
    }
  /** Nothing to dispatch; the response answers the user at once (only they see it). */
  | { readonly _tag: "Answered"; readonly event: IgnoredEvent; readonly response: DiscordInteractionResponse };

export interface DecodeDiscordInteractionOptions {
  /** When set, interactions for another application are refused. */
  readonly applicationId?: string;
  /**
   * Channel ids whose messages a command may read and answer in through a message link, besides
   * the command's own channel (and, in a thread, its parent). Default: none.
   */
  readonly allowedLinkChannels?: ReadonlyArray<string>;
}

const Interaction = Schema.Struct({
  id: Schema.String,
  application_id: Schema.String,
  type: Schema.Number,
  token: Nullable(Schema.String),
  guild_id: Nullable(Schema.String),
  channel_id: Nullable(Schema.String),
  channel: Nullable(Schema.Struct({ id: Schema.String, type: Schema.Number, parent_id: Nullable(Schema.String) })),
  member: Nullable(Schema.Struct({ user: Nullable(DiscordUser) })),
  user: Nullable(DiscordUser),
  data: Nullable(
    Schema.Struct({
      name: Nullable(Schema.String),
      type: Nullable(Schema.Number),
      target_id: Nullable(Schema.String),
      options: Nullable(Schema.Array(Schema.Unknown)),
      resolved: Nullable(Schema.Struct({ messages: Nullable(Schema.Record(Schema.String, Schema.Unknown)) }))
    })
  )
});
type Interaction = typeof Interaction.Type;

const PING = 1;
const APPLICATION_COMMAND = 2;
const AUTOCOMPLETE = 4;
const CHAT_INPUT = 1;
const MESSAGE_COMMAND = 3;

const CHAT_COMMANDS: Readonly<Record<string, CommandName>> = { investigate: "investigate", "sre-snapshot": "snapshot", postmortem: "postmortem" };
const MESSAGE_COMMAND_NAME = "investigate";
const HELP = "I understand /investigate (alert text or a message link), /sre-snapshot, /postmortem, and the message action “Investigate”.";

/** `https://discord.com/channels/{guild or @me}/{channel}/{message}`, also on ptb./canary. and discordapp.com. */
const MESSAGE_LINK = /https?:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/channels\/(@me|\d{1,20})\/(\d{1,20})\/(\d{1,20})\b/;

const OTHER_CHANNEL_REASON = "message link to another channel";
const OTHER_CHANNEL_ANSWER =
  "I only read links to messages in this channel (or, in a thread, its parent channel). To let me read another channel, an admin can add its id to intake.discord_allowed_link_channels in config.yaml.";

const fail = (reason: string) => Result.fail(new DiscordInteractionError({ reason }));

const answer = (reason: string, content: string): DecodedDiscordInteraction => ({
  _tag: "Answered",
  event: { _tag: "Ignored", reason },
  response: { type: 4, data: { content, flags: EPHEMERAL, allowed_mentions: { parse: [] } } }
});

/** The values of the command's options in order, subcommands flattened; strings, numbers and booleans only. */
const optionValues = (options: ReadonlyArray<unknown> | null | undefined, depth = 0): Array<string> => {
  if (options == null || depth > 3) return [];
  return options.flatMap((o): Array<string> => {
    if (typeof o !== "object" || o === null) return [];
    const { value, options: nested } = o as { readonly value?: unknown; readonly options?: unknown };
    const own = typeof value === "string" ? [value] : typeof value === "number" || typeof value === "boolean" ? [String(value)] : [];
    return [...own, ...(Array.isArray(nested) ? optionValues(nested, depth + 1) : [])];
  });
};

const parseJson = (rawBody: string | Uint8Array): Result.Result<unknown, DiscordInteractionError> => {
  try {
    const text = typeof rawBody === "string" ? rawBody : new TextDecoder("utf-8", { fatal: true }).decode(rawBody);
    return Result.succeed(JSON.parse(text));
  } catch (e) {
    return fail(e instanceof SyntaxError ? `body is not JSON (${e.message})` : "body is not UTF-8 text");
  }
};

/**
 * Decodes a verified interaction request body (call `verifyDiscordRequest` first) into what to
 * do and what to answer within Discord's 3 seconds. Never throws.
 */
export const decodeDiscordInteraction = (
  rawBody: string | Uint8Array,
  options: DecodeDiscordInteractionOptions = {}
): Result.Result<DecodedDiscordInteraction, DiscordInteractionError> => {
  try {
    const json = parseJson(rawBody);
    if (Result.isFailure(json)) return Result.fail(json.failure);
    const decoded = Schema.decodeUnknownResult(Interaction)(json.success, { errors: "first", onExcessProperty: "ignore" });
    if (Result.isFailure(decoded)) return fail(`not an interaction object: ${decoded.failure.message.split("\n")[0] ?? ""}`);
    return classify(decoded.success, options);
  } catch (cause) {
    return fail(`could not be read: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
};

const classify = (i: Interaction, options: DecodeDiscordInteractionOptions): Result.Result<DecodedDiscordInteraction, DiscordInteractionError> => {
  if (options.applicationId !== undefined && i.application_id !== options.applicationId) {
    return fail(`interaction is for application ${i.application_id.slice(0, 24)}, not this one`);
  }
  if (i.type === PING) return Result.succeed({ _tag: "Ping", response: { type: 1 } });
  const requestedAt = snowflakeToMillis(i.id);
  if (requestedAt === undefined) return fail("interaction id is not a snowflake");
  if (i.token == null || i.token === "") return fail("interaction has no token");
  if (i.type === AUTOCOMPLETE) {
    return Result.succeed({ _tag: "Answered", event: { _tag: "Ignored", reason: "autocomplete is not offered" }, response: { type: 8, data: { choices: [] } } });
  }
  if (i.type !== APPLICATION_COMMAND) return Result.succeed(answer(`interaction type ${i.type} is not handled`, "This action is not supported."));
  const data = i.data;
  if (data == null || data.name == null) return fail("application command without data.name");
  const channelId = i.channel_id ?? i.channel?.id;
  if (channelId == null || !isSnowflake(channelId)) return fail("application command without a channel");

  const interaction: DiscordInteractionRef = { id: i.id, applicationId: i.application_id, token: i.token };
  const userId = i.member?.user?.id ?? i.user?.id ?? undefined;
  const inThread = i.channel != null && THREAD_CHANNEL_TYPES.has(i.channel.type);
  const base = {
    platform: "discord" as const,
    requestedAt,
    ...(userId === undefined ? {} : { userId })
  };
  const here = { channelId, ...(inThread ? { threadId: channelId } : {}) };
  // A command reads (and answers in) the channel it came from; any other needs the admin's consent, so a member cannot reach a channel they or the bot should not.
  const readable = (target: string) => target === channelId || (inThread && target === i.channel?.parent_id) || (options.allowedLinkChannels ?? []).includes(target);
  const deferred = (request: CommandRequest, target?: ChatMessage): DecodedDiscordInteraction => ({
    _tag: "Deferred",
    event: { _tag: "Command", request, replyHandle: interaction.token, eventId: interaction.id },
    interaction,
    ...(target === undefined ? {} : { target }),
    response: { type: 5 }
  });

  if (data.type === MESSAGE_COMMAND) {
    if (data.name.toLowerCase() !== MESSAGE_COMMAND_NAME) return Result.succeed(answer(`unknown message command ${data.name}`, `Unknown action “${data.name}”. ${HELP}`));
    if (data.target_id == null || !isSnowflake(data.target_id)) return fail("message command without a target message");
    const resolved = data.resolved?.messages?.[data.target_id];
    const message = resolved === undefined ? undefined : Schema.decodeUnknownResult(DiscordMessage)(resolved, { onExcessProperty: "ignore" });
    const target = message !== undefined && Result.isSuccess(message) ? toChatMessage(message.success, { inThread: inThread && message.success.channel_id === channelId }) : undefined;
    const targetChannel = target?.channelId ?? channelId;
    if (!readable(targetChannel)) return Result.succeed(answer(OTHER_CHANNEL_REASON, OTHER_CHANNEL_ANSWER));
    return Result.succeed(
      deferred(
        {
          ...base,
          command: "investigate",
          channelId: targetChannel,
          ...(inThread && targetChannel === channelId ? { threadId: channelId } : {}),
          targetMessageId: data.target_id,
          text: ""
        },
        target
      )
    );
  }

  const command = data.type == null || data.type === CHAT_INPUT ? CHAT_COMMANDS[data.name] : undefined;
  if (command === undefined) return Result.succeed(answer(`unknown command ${data.name}`, `Unknown command /${data.name}. ${HELP}`));
  const raw = optionValues(data.options).join(" ").trim();
  const link = command === "snapshot" ? null : MESSAGE_LINK.exec(raw);
  if (link !== null) {
    const [whole, guild = "", linkChannel = "", linkMessage = ""] = link;
    const sameServer = guild === "@me" ? i.guild_id == null : guild === i.guild_id;
    if (!sameServer) return Result.succeed(answer("message link to another server", "That link points to a message outside this server; I can only read messages here."));
    if (!readable(linkChannel)) return Result.succeed(answer(OTHER_CHANNEL_REASON, OTHER_CHANNEL_ANSWER));
    const note = raw.replace(whole, " ").replace(/\s+/g, " ").trim();
    return Result.succeed(
      deferred({
        ...base,
        command,
        channelId: linkChannel,
        ...(inThread && linkChannel === channelId ? { threadId: channelId } : {}),
        targetMessageId: linkMessage,
        text: note
      })
    );
  }
  if (command === "investigate" && raw === "") {
    return Result.succeed(answer("investigate without text", "Give /investigate the alert text, or a link to the alert message (Copy Message Link)."));
  }
  return Result.succeed(deferred({ ...base, command, ...here, text: raw }));
};
