import type { ChatMessage } from "@sre-on-call/core";
import { Schema } from "effect";
import { snowflakeToMillis } from "./snowflake.js";

/** Discord sends absent optional fields either missing or as `null`. */
export const Nullable = <S extends Schema.Constraint>(s: S) => Schema.optionalKey(Schema.NullOr(s));

export const DiscordUser = Schema.Struct({
  id: Schema.String,
  username: Nullable(Schema.String),
  global_name: Nullable(Schema.String),
  bot: Nullable(Schema.Boolean)
});
export type DiscordUser = typeof DiscordUser.Type;

const EmbedField = Schema.Struct({ name: Nullable(Schema.String), value: Nullable(Schema.String) });

export const DiscordEmbed = Schema.Struct({
  title: Nullable(Schema.String),
  description: Nullable(Schema.String),
  url: Nullable(Schema.String),
  fields: Nullable(Schema.Array(EmbedField)),
  footer: Nullable(Schema.Struct({ text: Nullable(Schema.String) }))
});
export type DiscordEmbed = typeof DiscordEmbed.Type;

/** The part of Discord's message object the adapter reads. Unknown fields are ignored. */
export const DiscordMessage = Schema.Struct({
  id: Schema.String,
  channel_id: Schema.String,
  type: Nullable(Schema.Number),
  content: Nullable(Schema.String),
  timestamp: Nullable(Schema.String),
  author: Nullable(DiscordUser),
  embeds: Nullable(Schema.Array(DiscordEmbed)),
  message_reference: Nullable(
    Schema.Struct({ message_id: Nullable(Schema.String), channel_id: Nullable(Schema.String) })
  ),
  /** Present only on messages inside a thread. */
  position: Nullable(Schema.Number),
  webhook_id: Nullable(Schema.String)
});
export type DiscordMessage = typeof DiscordMessage.Type;

/** The part of Discord's channel object the adapter reads. */
export const DiscordChannel = Schema.Struct({
  id: Schema.String,
  type: Schema.Number,
  parent_id: Nullable(Schema.String),
  guild_id: Nullable(Schema.String)
});
export type DiscordChannel = typeof DiscordChannel.Type;

/** Channel types that are threads: announcement, public and private threads. */
export const THREAD_CHANNEL_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);

/** Discord's REPLY message type: a message with a `message_reference` to the one it answers. */
const REPLY = 19;

const embedText = (e: DiscordEmbed): string =>
  [
    e.title,
    e.description,
    ...(e.fields ?? []).map((f) => [f.name, f.value].filter((s) => s != null && s !== "").join(": ")),
    e.footer?.text,
    e.url
  ]
    .filter((s): s is string => s != null && s !== "")
    .join("\n");

/**
 * The readable text of a message: its content followed by the text of its embeds. Alert tools
 * (Alertmanager's Discord receiver, Grafana) often post only embeds with empty content.
 */
export const discordMessageText = (m: Pick<DiscordMessage, "content" | "embeds">): string =>
  [m.content ?? "", ...(m.embeds ?? []).map(embedText)].filter((s) => s !== "").join("\n");

/**
 * A Discord message as the core sees it. A message inside a thread channel belongs to that
 * thread (whose id is its starter message's id); a reply belongs to the thread of the message it
 * answers, which is how the adapter threads its posts in channels without thread channels.
 */
export const toChatMessage = (m: DiscordMessage, options: { readonly inThread?: boolean; readonly botUserId?: string } = {}): ChatMessage => {
  const referenced = m.message_reference?.message_id ?? undefined;
  const threadId =
    options.inThread === true || m.position != null
      ? m.channel_id
      : m.type === REPLY && referenced !== undefined
        ? referenced
        : undefined;
  const authorName = m.author?.global_name ?? m.author?.username ?? undefined;
  const parsed = m.timestamp == null ? Number.NaN : Date.parse(m.timestamp);
  return {
    channelId: m.channel_id,
    messageId: m.id,
    ...(threadId === undefined || threadId === m.id ? {} : { threadId }),
    ...(m.author?.id === undefined ? {} : { authorId: m.author.id }),
    ...(authorName === undefined ? {} : { authorName }),
    isBot: m.author?.bot === true || m.webhook_id != null || (options.botUserId !== undefined && m.author?.id === options.botUserId),
    text: discordMessageText(m),
    timestamp: snowflakeToMillis(m.id) ?? (Number.isFinite(parsed) ? parsed : 0)
  };
};
