import type { ChatMessage, Platform } from "@sre-on-call/core";

/** A link that opens one message in its client, or undefined when none can be built. */
export type MessageLinker = (message: Pick<ChatMessage, "channelId" | "messageId" | "threadId">) => string | undefined;

export interface MessageLinkOptions {
  /** Slack: `https://acme.slack.com`; links then open in the browser as well as the app. */
  readonly workspaceUrl?: string;
  /** Slack: the team id (`T…`) for `slack://` links when no workspace URL is configured. */
  readonly teamId?: string;
  /** Discord: the guild (server) the channels belong to; Discord links need it. */
  readonly guildId?: string;
}

const SLACK_TS = /^\d{1,12}\.\d{1,6}$/;
const SNOWFLAKE = /^\d{1,20}$/;

/** `https://acme.slack.com/` → `https://acme.slack.com`; anything that is not an http(s) URL → undefined. */
export const normalizeWorkspaceUrl = (raw: string | undefined): string | undefined => {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
};

/**
 * Slack permalinks (`<workspace>/archives/<channel>/p<ts without the dot>`, with `thread_ts`
 * for replies) when the workspace URL is known, else a `slack://` link the desktop app opens.
 */
export const slackMessageLink =
  (options: MessageLinkOptions): MessageLinker =>
  (m) => {
    if (!SLACK_TS.test(m.messageId)) return undefined;
    const channel = encodeURIComponent(m.channelId);
    const base = normalizeWorkspaceUrl(options.workspaceUrl);
    if (base !== undefined) {
      const thread = m.threadId !== undefined && m.threadId !== m.messageId ? `?thread_ts=${encodeURIComponent(m.threadId)}&cid=${channel}` : "";
      return `${base}/archives/${channel}/p${m.messageId.replace(".", "")}${thread}`;
    }
    const team = options.teamId !== undefined && options.teamId !== "" ? `team=${encodeURIComponent(options.teamId)}&` : "";
    return `slack://channel?${team}id=${channel}&message=${encodeURIComponent(m.messageId)}`;
  };

/** `https://discord.com/channels/<guild>/<channel>/<message>`; Discord has no link without the guild. */
export const discordMessageLink =
  (options: MessageLinkOptions): MessageLinker =>
  (m) =>
    options.guildId !== undefined && SNOWFLAKE.test(options.guildId) && SNOWFLAKE.test(m.channelId) && SNOWFLAKE.test(m.messageId)
      ? `https://discord.com/channels/${options.guildId}/${m.channelId}/${m.messageId}`
      : undefined;

export const messageLinker = (platform: Platform, options: MessageLinkOptions): MessageLinker =>
  platform === "slack" ? slackMessageLink(options) : platform === "discord" ? discordMessageLink(options) : () => undefined;
