/** Slack Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export interface SlackLimits {
  /** Characters in a section block's mrkdwn text. */
  readonly sectionText: number;
  /** Characters in a header block's plain text. */
  readonly headerText: number;
  /** Characters in one context element. */
  readonly contextText: number;
  /** Blocks in one message. */
  readonly blocksPerMessage: number;
  /**
   * Text characters of all blocks of one message together. Slack rejects more than about
   * 12,000 with `msg_blocks_too_long` (undocumented; see slackapi/bolt-js#2509 and #2867,
   * where 11,341 was already refused), so this keeps a wide margin.
   */
  readonly messageText: number;
  /** Characters of the `text` fallback used for notifications. */
  readonly fallbackText: number;
}

export const SLACK_LIMITS: SlackLimits = {
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  blocksPerMessage: 50,
  messageText: 10_000,
  fallbackText: 3000
};

/** Discord message limits (https://discord.com/developers/docs/resources/message). */
export interface DiscordLimits {
  /** Characters of message content. */
  readonly messageLength: number;
}

export const DISCORD_LIMITS: DiscordLimits = { messageLength: 2000 };
