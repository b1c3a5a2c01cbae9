import type { AgentResult, AlertContext, ChatError, ChatMessage, ChatPlatformShape, Finding, SnapshotSection, Specialist, SpecialistCall, TimeWindow } from "@sre-on-call/core";
import { AgentFailure, formatDuration, deterministicMetadata } from "@sre-on-call/core";
import { Duration, Effect, Option } from "effect";
import { analyzeHistory, type ChannelRead } from "./correlate/analyzeHistory.js";
import { type MessageLinkOptions, messageLinker } from "./messageLink.js";
import { newestFirst } from "./newestFirst.js";

export type ChatHistoryAgentId = "slack-history" | "discord-history";

export interface ChatHistorySpecialistOptions extends MessageLinkOptions {
  readonly id: ChatHistoryAgentId;
  /** The platform to read, through its adapter (`makeSlackChat`, `makeDiscordChat`). */
  readonly chat: ChatPlatformShape;
  /** Channel ids to read besides the alert's own channel (deploy, incident and support channels). */
  readonly channels: ReadonlyArray<string>;
  /** Most messages read per channel, the newest of the range (default 300). */
  readonly perChannelLimit?: number;
  /** The bot's own user id, so its earlier posts are recognised as its own. */
  readonly botUserId?: string;
  /** How far before the alert window history is read (default 3 h). */
  readonly lookbackMs?: number;
  /** A change announced at most this long before the alert is a suspect (default 2 h). */
  readonly changeHorizonMs?: number;
  /** A suspect change this recent that names the workload is a medium-confidence hypothesis (default 1 h). */
  readonly recentChangeMs?: number;
  /** Channels read at once (default 4). */
  readonly concurrency?: number;
  /** Time kept for the analysis when reading is cut by the deadline (default 150 ms). */
  readonly analysisReserveMs?: number;
  readonly description?: string;
  readonly now?: () => number;
}

const HOUR = 3_600_000;
const AUTH_FAILURE = /invalid_auth|not_authed|token_revoked|token_expired|account_inactive|\b401\b|unauthori[sz]ed/i;

/** Channel ids as configured: trimmed, without blanks and repeats, in order. */
const cleanChannels = (channels: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(channels.map((c) => c.trim()).filter((c) => c !== ""))];

/**
 * The Slack or Discord channel-history specialist: reads the configured channels and the
 * alert's own channel around the alert, and correlates what was said with the alert (changes
 * before it, earlier firings, other alerts on the workload, people reporting symptoms, this
 * bot's own posts). Deterministic, no model calls; a channel it cannot read is a finding.
 */
export const makeChatHistorySpecialist = (options: ChatHistorySpecialistOptions): Specialist => {
  const id = options.id;
  const { chat } = options;
  const now = options.now ?? Date.now;
  const channels = cleanChannels(options.channels);
  const limit = Math.max(1, Math.floor(options.perChannelLimit ?? 300));
  const lookback = Math.max(0, options.lookbackMs ?? 3 * HOUR);
  const reserve = Math.max(0, options.analysisReserveMs ?? 150);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const link = messageLinker(chat.platform, options);
  const platformName = chat.platform === "discord" ? "Discord" : chat.platform === "slack" ? "Slack" : chat.platform;

  const channelsFor = (alert: AlertContext): ReadonlyArray<string> =>
    alert.source === chat.platform && alert.channelId !== "" && !channels.includes(alert.channelId) ? [alert.channelId, ...channels] : channels;

  /**
   * Reads a channel's range newest part first (the quarter hour before the alert, then the
   * hour, then the rest) so that a per-channel limit or the deadline cuts the oldest messages,
   * whichever order the platform pages in. What was read before the deadline is kept.
   */
  const readChannel = (channelId: string, segments: ReadonlyArray<TimeWindow>, budgetMs: number, most = limit): Effect.Effect<ChannelRead> =>
    Effect.suspend(() => {
      const got: Array<ChatMessage> = [];
      let segmentsRead = 0;
      const walk = Effect.forEach(
        segments,
        (window) =>
          got.length >= most
            ? Effect.void
            : chat.readHistory(channelId, window, { limit: most - got.length }).pipe(
                Effect.map((messages) => {
                  got.push(...messages);
                  segmentsRead++;
                })
              ),
        { discard: true }
      );
      return walk.pipe(
        Effect.timeoutOption(Duration.millis(budgetMs)),
        Effect.map((done): ChannelRead => {
          if (Option.isSome(done)) return { channelId, ok: true, messages: got, truncated: got.length >= most, complete: true };
          return segmentsRead > 0
            ? { channelId, ok: true, messages: [...got], truncated: got.length >= most, complete: false }
            : { channelId, ok: false, reason: "timed out", notFound: false, timedOut: true };
        }),
        Effect.catch((e: ChatError) => Effect.succeed<ChannelRead>({ channelId, ok: false, reason: e.reason, notFound: e.notFound === true, timedOut: false })),
        // A defect in an adapter must not take the other channels down with it.
        Effect.catchDefect((d) => Effect.succeed<ChannelRead>({ channelId, ok: false, reason: `adapter crashed: ${d instanceof Error ? d.message : String(d)}`, notFound: false, timedOut: false }))
      );
    });

  const investigate = (alert: AlertContext, call: SpecialistCall): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const range: TimeWindow = {
        start: Math.max(0, Math.min(alert.window.start, alert.alertTimestamp) - lookback),
        end: Math.max(alert.window.end, alert.alertTimestamp)
      };
      const targets = channelsFor(alert);
      const budget = Math.max(0, call.deadline - startedAt - reserve);
      const segments = newestFirst(range, alert.alertTimestamp);
      const reads = yield* Effect.forEach(targets, (c) => readChannel(c, segments, budget), { concurrency });
      const analysis = yield* Effect.try({
        try: () =>
          analyzeHistory({
            agent: id,
            platform: chat.platform,
            alert,
            reads,
            range,
            ...(options.botUserId !== undefined ? { botUserId: options.botUserId } : {}),
            link,
            changeHorizonMs: options.changeHorizonMs ?? 2 * HOUR,
            recentChangeMs: options.recentChangeMs ?? HOUR
          }),
        catch: (e) => new AgentFailure({ agent: id, kind: "crashed", reason: `history analysis failed: ${e instanceof Error ? e.message : String(e)}` })
      });
      const timedOut = reads.filter((r) => (r.ok ? !r.complete : r.timedOut)).map((r) => r.channelId);
      const failed = reads.filter((r) => !r.ok);
      const truncated = reads.filter((r) => r.ok && r.truncated).map((r) => r.channelId);
      const status: AgentResult["status"] = timedOut.length > 0 ? "timeout" : targets.length > 0 && failed.length === targets.length ? "error" : "success";
      const endedAt = Math.max(now(), startedAt);
      return {
        agent: id,
        status,
        findings: analysis.findings,
        hypotheses: analysis.hypotheses,
        summary: analysis.summary,
        ...(status === "timeout"
          ? { error: `deadline reached before ${timedOut.length === 1 ? `channel ${timedOut[0]}` : `${timedOut.length} channels`} answered` }
          : status === "error"
            ? { error: `no channel could be read: ${failed.map((r) => (r.ok ? "" : `${r.channelId}: ${r.reason}`)).join("; ")}` }
            : {}),
        durationMs: endedAt - startedAt,
        metadata: deterministicMetadata(startedAt, endedAt, { channels: [...targets], range: { ...range }, messagesRead: analysis.messagesRead, related: analysis.related, truncated, perChannelLimit: limit })
      } satisfies AgentResult;
    });

  const snapshot = (call: SpecialistCall): Effect.Effect<SnapshotSection, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      if (channels.length === 0) {
        return { agent: id, state: "ok", health: "unknown", summary: `no ${platformName} channels configured to read`, findings: [], durationMs: 0 } satisfies SnapshotSection;
      }
      const window = { start: Math.max(0, startedAt - 24 * HOUR), end: startedAt };
      const budget = Math.max(0, call.deadline - startedAt - reserve);
      // The snapshot only asks whether each channel answers: one message is enough.
      const reads = yield* Effect.forEach(channels, (c) => readChannel(c, [window], budget, 1), { concurrency });
      const findings: Array<Finding> = [];
      const add = (content: string, severity: Finding["severity"], metadata: Finding["metadata"]) =>
        findings.push({ id: `${id}:${findings.length + 1}`, agent: id, source: `${chat.platform}:history`, timestamp: startedAt, content, severity, metadata });
      const failed = reads.filter((r) => !r.ok);
      const authFailed = failed.length === reads.length && failed.every((r) => !r.ok && AUTH_FAILURE.test(r.reason));
      if (authFailed) {
        add(`${platformName} rejected the bot token: ${failed[0] !== undefined && !failed[0].ok ? failed[0].reason : "unauthorized"}`, "high", { kind: "authentication", channels: [...channels] });
      } else {
        for (const r of reads) {
          if (r.ok) {
            const last = r.messages.at(-1);
            add(
              `Can read channel ${r.channelId}${last === undefined ? ": no messages in the last 24 h" : `: last message ${formatDuration(Math.max(0, startedAt - last.timestamp))} ago`}`,
              "info",
              { kind: "channel-readable", channelId: r.channelId }
            );
          } else {
            add(
              `Cannot read channel ${r.channelId}: ${r.timedOut ? "it did not answer before the deadline" : r.notFound ? "not found, or the bot is not a member" : r.reason}`,
              "medium",
              { kind: "channel-unreadable", channelId: r.channelId, reason: r.reason, notFound: r.notFound, timedOut: r.timedOut }
            );
          }
        }
      }
      const readable = reads.length - failed.length;
      const health = failed.length === 0 ? "healthy" : readable === 0 ? "unhealthy" : "degraded";
      const summary = authFailed
        ? `${platformName} authentication failed; no channel readable`
        : `${readable}/${reads.length} ${platformName} channels readable`;
      return { agent: id, state: "ok", health, summary, findings, durationMs: Math.max(0, now() - startedAt) } satisfies SnapshotSection;
    });

  return {
    id,
    description: options.description ?? `${platformName} channel history: deploys, earlier firings and reports around the alert in ${channels.length === 0 ? "the alert's channel" : `${channels.length} channel${channels.length === 1 ? "" : "s"}`}`,
    skipReason: (alert) => (channelsFor(alert).length === 0 ? `no ${platformName} channels configured and the alert did not come from ${platformName}` : undefined),
    investigate,
    snapshot
  };
};
