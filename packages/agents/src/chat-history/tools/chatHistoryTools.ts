import { type AgentTool, type ChatError, type ChatMessage, type ChatPlatformShape, schemaTool, ToolError } from "@sre-on-call/core";
import { Effect, Schema } from "effect";
import { clipLine, guardTool } from "../../skills/guardTool.js";
import type { ChatHistorySpecialistOptions } from "../ChatHistorySpecialist.js";
import { type MessageLinkOptions, messageLinker } from "../messageLink.js";

export interface ChatHistoryToolsOptions extends MessageLinkOptions {
  /** Channel ids searched besides the alert's own channel (the specialist's configured channels). */
  readonly channels: ReadonlyArray<string>;
  /** Most messages read per channel (default 500). */
  readonly perChannelLimit?: number;
  /** The bot's own user id: its posts are left out of the search. */
  readonly botUserId?: string;
  /** Largest answer text (default 4,000 characters). */
  readonly maxChars?: number;
  readonly now?: () => number;
}

export const CHAT_HISTORY_TOOL_NAMES = ["search_messages"] as const;

const MIN = 60_000;
const Query = Schema.String.pipe(Schema.check(Schema.isMinLength(2), Schema.isMaxLength(200)));
const Minutes = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 5, maximum: 1_440 })));

const toolError = (e: ChatError) => new ToolError({ tool: "search_messages", reason: e.retryable ? "unavailable" : "failed", detail: e.message });
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The words of a query, lower-cased; a message matches when it contains every one. */
const wordsOf = (query: string) => query.toLowerCase().split(/\s+/).filter((w) => w !== "");

/**
 * The chat-history specialist's tool: search the configured channels (and the alert's own) for
 * messages around the alert: deploy notices, people reporting symptoms, earlier firings.
 */
export const chatHistoryTools = (chat: ChatPlatformShape, options: ChatHistoryToolsOptions): ReadonlyArray<AgentTool> => {
  const now = options.now ?? Date.now;
  const limit = Math.max(1, Math.floor(options.perChannelLimit ?? 500));
  const configured = [...new Set(options.channels.map((c) => c.trim()).filter((c) => c !== ""))];
  const link = messageLinker(chat.platform, options);

  const searchMessages = schemaTool({
    name: "search_messages",
    description: `Search ${chat.platform} messages of the incident channels (and the alert's own channel) for words, in the minutes up to the alert's window end; newest first.`,
    args: Schema.Struct({ query: Query, minutes: Schema.optionalKey(Minutes) }),
    run: (args, context) =>
      guardTool(
        "search_messages",
        context,
        Effect.gen(function* () {
          const alert = context.alert;
          const channels = alert.source === chat.platform && alert.channelId !== "" && !configured.includes(alert.channelId) ? [alert.channelId, ...configured] : configured;
          if (channels.length === 0) return { text: `No ${chat.platform} channel is configured for this agent, and the alert did not come from ${chat.platform}.` };
          const minutes = args.minutes ?? 120;
          const end = Math.min(now(), Math.max(alert.window.end, alert.alertTimestamp));
          const start = end - minutes * MIN;
          const read = yield* Effect.forEach(
            channels,
            (channelId) =>
              chat.readHistory(channelId, { start, end }, { limit }).pipe(
                Effect.map((messages) => ({ channelId, messages, error: undefined as string | undefined })),
                Effect.catch((e: ChatError) => (e.notFound === true ? Effect.succeed({ channelId, messages: [] as ReadonlyArray<ChatMessage>, error: e.message }) : Effect.fail(toolError(e))))
              ),
            { concurrency: 4 }
          );
          const words = wordsOf(args.query);
          const matches = read
            .flatMap((r) => r.messages)
            .filter((m) => (options.botUserId === undefined || m.authorId !== options.botUserId) && words.every((w) => m.text.toLowerCase().includes(w)))
            .sort((a, b) => b.timestamp - a.timestamp);
          const notes = [
            ...read.filter((r) => r.messages.length >= limit).map((r) => `(channel ${r.channelId}: only ${limit} messages read; older ones were not searched)`),
            ...read.filter((r) => r.error !== undefined).map((r) => `(channel ${r.channelId} could not be read: ${r.error ?? ""})`)
          ];
          const what = (n: number) => `message${n === 1 ? "" : "s"} containing "${args.query}" in ${channels.length} channel${channels.length === 1 ? "" : "s"} from ${utc(start)} to ${utc(end)}`;
          if (matches.length === 0) return { text: [`No ${what(0)} (${read.reduce((n, r) => n + r.messages.length, 0)} messages read).`, ...notes].join("\n") };
          const lines = matches.slice(0, 25).map((m) => {
            const url = link(m);
            return `${utc(m.timestamp)} #${m.channelId} ${m.authorName ?? m.authorId ?? "?"}${m.isBot ? " (bot)" : ""}: ${clipLine(m.text, 280)}${url !== undefined ? ` <${url}>` : ""}`;
          });
          return { text: [`${matches.length} ${what(matches.length)}, newest first:`, ...lines, ...(matches.length > 25 ? [`… ${matches.length - 25} older`] : []), ...notes].join("\n") };
        }),
        options.maxChars !== undefined ? { maxChars: options.maxChars } : {}
      )
  });
  return [searchMessages];
};

/** The tools from the same options `makeChatHistorySpecialist` takes. */
export const makeChatHistoryTools = (options: ChatHistorySpecialistOptions, toolOptions: Pick<ChatHistoryToolsOptions, "maxChars"> = {}): ReadonlyArray<AgentTool> =>
  chatHistoryTools(options.chat, {
    channels: options.channels,
    ...(options.workspaceUrl !== undefined ? { workspaceUrl: options.workspaceUrl } : {}),
    ...(options.teamId !== undefined ? { teamId: options.teamId } : {}),
    ...(options.guildId !== undefined ? { guildId: options.guildId } : {}),
    ...(options.perChannelLimit !== undefined ? { perChannelLimit: options.perChannelLimit } : {}),
    ...(options.botUserId !== undefined ? { botUserId: options.botUserId } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...toolOptions
  });
