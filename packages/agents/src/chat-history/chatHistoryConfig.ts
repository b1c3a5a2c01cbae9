import { DecodeError, decodeUnknown } from "@sre-on-call/core";
import { Result, Schema } from "effect";
import type { ChatHistoryAgentId, ChatHistorySpecialistOptions } from "./ChatHistorySpecialist.js";
import { normalizeWorkspaceUrl } from "./messageLink.js";

const PositiveInt = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThan(0)));
const Positive = Schema.Number.pipe(Schema.check(Schema.isFinite(), Schema.isGreaterThan(0)));

/** `agents.slack-history.data_source` / `agents.discord-history.data_source` in config.yaml. */
export const ChatHistoryDataSource = Schema.Struct({
  /** Channel ids to read besides the alert's own channel. */
  channels: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Slack: `https://acme.slack.com`, for permalinks that open in a browser. */
  workspace_url: Schema.optionalKey(Schema.String),
  /** Slack: team id for `slack://` links when there is no workspace URL. */
  team_id: Schema.optionalKey(Schema.String),
  /** Discord: the guild (server) id; Discord message links need it. */
  guild_id: Schema.optionalKey(Schema.String),
  per_channel_limit: Schema.optionalKey(PositiveInt),
  lookback_minutes: Schema.optionalKey(Positive),
  change_horizon_minutes: Schema.optionalKey(Positive)
});
export type ChatHistoryDataSource = typeof ChatHistoryDataSource.Type;

export type ChatHistoryConfig = Omit<ChatHistorySpecialistOptions, "id" | "chat" | "botUserId" | "now" | "description">;

const MINUTE = 60_000;

/**
 * Turns the configured data source into specialist options (everything but the chat adapter
 * and the bot's identity, which the composition root owns). Bad values are a `DecodeError`
 * naming the key.
 */
export const chatHistoryConfig = (id: ChatHistoryAgentId, raw: unknown): Result.Result<ChatHistoryConfig, DecodeError> => {
  const what = `agents.${id}.data_source`;
  const decoded = decodeUnknown(ChatHistoryDataSource, what)(raw ?? {});
  if (Result.isFailure(decoded)) return Result.fail(decoded.failure);
  const ds = decoded.success;
  const problem = (reason: string) => Result.fail(new DecodeError({ what, reason }));
  const workspaceUrl = normalizeWorkspaceUrl(ds.workspace_url);
  if (ds.workspace_url !== undefined && ds.workspace_url.trim() !== "" && workspaceUrl === undefined) {
    return problem(`workspace_url must be an https URL such as https://acme.slack.com, not ${JSON.stringify(ds.workspace_url.slice(0, 80))}`);
  }
  if (ds.guild_id !== undefined && !/^\d{1,20}$/.test(ds.guild_id)) return problem(`guild_id must be a Discord id (digits only), not ${JSON.stringify(ds.guild_id.slice(0, 40))}`);
  if (id === "discord-history") {
    const bad = (ds.channels ?? []).find((c) => !/^\d{1,20}$/.test(c.trim()));
    if (bad !== undefined) return problem(`channels must be Discord channel ids (digits only), not ${JSON.stringify(bad.slice(0, 40))}`);
  }
  return Result.succeed({
    channels: ds.channels ?? [],
    ...(workspaceUrl !== undefined ? { workspaceUrl } : {}),
    ...(ds.team_id !== undefined ? { teamId: ds.team_id } : {}),
    ...(ds.guild_id !== undefined ? { guildId: ds.guild_id } : {}),
    ...(ds.per_channel_limit !== undefined ? { perChannelLimit: ds.per_channel_limit } : {}),
    ...(ds.lookback_minutes !== undefined ? { lookbackMs: ds.lookback_minutes * MINUTE } : {}),
    ...(ds.change_horizon_minutes !== undefined ? { changeHorizonMs: ds.change_horizon_minutes * MINUTE } : {})
  });
};
