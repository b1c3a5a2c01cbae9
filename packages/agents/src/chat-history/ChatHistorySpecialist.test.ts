import { type AlertContext, ChatError, type ChatPlatformShape } from "@sre-on-call/core";
import { makeInMemoryChat, specialistContract } from "@sre-on-call/core/testing";
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";
import { makeChatHistorySpecialist } from "./ChatHistorySpecialist.js";
import { chatHistoryConfig } from "./chatHistoryConfig.js";
import { alertTerms, mentionOf, messageWords } from "./correlate/alertTerms.js";
import { categorizeMessage } from "./correlate/categorizeMessage.js";
import { discordMessageLink, slackMessageLink } from "./messageLink.js";

const T0 = Date.UTC(2024, 4, 14, 14, 20, 0);
const MIN = 60_000;

const alertAt = (overrides: Partial<AlertContext> = {}): AlertContext => ({
  investigationId: "inv-1",
  source: "slack",
  channelId: "CALERTS",
  messageId: `${T0 / 1000}.000100`,
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z",
  alertTimestamp: T0,
  window: { start: T0 - 5 * MIN, end: T0 + 5 * MIN },
  status: "firing",
  labels: {},
  annotations: {},
  entities: { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", deployment: "api" },
  hints: [],
  deadline: T0 + MIN,
  ...overrides
});

const setup = (seed: (s: (channel: string, text: string, at: number, extra?: { isBot?: boolean; authorId?: string; authorName?: string }) => string) => void) => {
  const mem = makeInMemoryChat({ platform: "slack" });
  seed((channel, text, at, extra = {}) => mem.seed(channel, { text, timestamp: at, isBot: extra.isBot ?? false, ...(extra.authorId !== undefined ? { authorId: extra.authorId } : {}), ...(extra.authorName !== undefined ? { authorName: extra.authorName } : {}) }));
  return mem.chat;
};

const run = (chat: ChatPlatformShape, alert = alertAt(), extra: Partial<Parameters<typeof makeChatHistorySpecialist>[0]> = {}) =>
  Effect.runPromise(
    makeChatHistorySpecialist({ id: "slack-history", chat, channels: ["CDEPLOYS"], workspaceUrl: "https://acme.slack.com", botUserId: "USREBOT", ...extra }).investigate(alert, { deadline: Date.now() + 10_000 })
  );

describe("chat history: correlation", () => {
  it("a deploy of the workload 10 minutes before the alert is a medium-confidence hypothesis with a permalink", async () => {
    const chat = setup((seed) => {
      seed("CDEPLOYS", "deployed payments/api v2.3.1 to prod-eu-1", T0 - 10 * MIN, { authorName: "alice" });
    });
    const result = await run(chat);
    expect(result.status).toBe("success");
    const [h] = result.hypotheses;
    expect(h?.confidence).toBe("medium");
    expect(h?.title).toContain("at 14:10 UTC, 10 min before the alert");
    expect(h?.chain).toEqual(["change at 14:10 UTC (v2.3.1)", "KubePodCrashLooping on payments/api"]);
    const finding = result.findings.find((f) => f.id === h?.supportingFindings[0]);
    expect(finding?.content).toMatch(/^Change announced in channel CDEPLOYS at 14:10 UTC, 10 min before the alert, by alice: "deployed payments\/api v2\.3\.1/);
    expect(finding?.deepLink).toMatch(/^https:\/\/acme\.slack\.com\/archives\/CDEPLOYS\/p\d{16}$/);
    expect(finding?.metadata["version"]).toBe("v2.3.1");
  });

  it("a change naming only the namespace, or long before, is a low-confidence lead", async () => {
    const chat = setup((seed) => {
      seed("CDEPLOYS", "helm upgrade payments-stack in payments done", T0 - 90 * MIN);
    });
    const result = await run(chat);
    expect(result.hypotheses.map((h) => h.confidence)).toEqual(["low"]);
  });

  it("a change after the alert (a rollback) is reported but not a suspect", async () => {
    const chat = setup((seed) => {
      seed("CDEPLOYS", "rolled back payments/api to v2.3.0", T0 + 3 * MIN);
    });
    const result = await run(chat);
    expect(result.hypotheses).toEqual([]);
    expect(result.findings[0]?.content).toMatch(/^Rollback announced .* 3 min after the alert/);
    expect(result.findings[0]?.severity).toBe("info");
  });

  it("counts earlier firings of the same alert on the same workload, not on other workloads", async () => {
    const chat = setup((seed) => {
      seed("CALERTS", "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq", T0 - 150 * MIN, { isBot: true });
      seed("CALERTS", "[RESOLVED] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq", T0 - 140 * MIN, { isBot: true });
      seed("CALERTS", "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-bbbbb", T0 - 60 * MIN, { isBot: true });
      seed("CALERTS", "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-ccccc", T0 - 20 * MIN, { isBot: true });
      seed("CALERTS", "[FIRING:1] KubePodCrashLooping search/indexer-5f6d7c8b9-zzzzz", T0 - 30 * MIN, { isBot: true });
    });
    const result = await run(chat);
    const firings = result.findings.find((f) => f.metadata["kind"] === "earlier-firings");
    expect(firings?.metadata["count"]).toBe(3);
    expect(firings?.metadata["resolvedCount"]).toBe(1);
    expect(firings?.content).toBe(
      "KubePodCrashLooping fired 3 times before in channel CALERTS: first at 2024-05-14 11:50:00 UTC (2 h 30 min before the alert), last at 14:00 UTC, 1 resolved notice in between"
    );
    expect(firings?.severity).toBe("medium");
    expect(firings?.deepLink).toContain("/archives/CALERTS/p");
    expect(JSON.stringify(result.findings)).not.toContain("indexer");
  });

  it("leaves out the alert's own message and replies in its thread", async () => {
    const mem = makeInMemoryChat({ platform: "slack" });
    const alertId = mem.seed("CALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z", timestamp: T0, isBot: true });
    mem.seed("CALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api in thread", timestamp: T0 + MIN, isBot: true, threadId: alertId });
    const result = await run(mem.chat, alertAt({ messageId: alertId }));
    expect(result.findings.some((f) => f.metadata["kind"] === "earlier-firings")).toBe(false);
    expect(result.findings.map((f) => f.metadata["kind"])).toEqual(["nothing-related"]);
  });

  it("ignores unrelated chatter and says nothing related was found (ruled out)", async () => {
    const chat = setup((seed) => {
      seed("CALERTS", "lunch at 12?", T0 - 30 * MIN);
      seed("CDEPLOYS", "thanks team, great work on the launch", T0 - 20 * MIN);
      seed("CDEPLOYS", "the api docs page has a typo", T0 - 10 * MIN);
      seed("CALERTS", "[FIRING:1] HighMemory search/indexer", T0 - 5 * MIN, { isBot: true });
    });
    const result = await run(chat);
    expect(result.hypotheses).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.metadata).toMatchObject({ kind: "nothing-related", ruledOut: true, messagesRead: 4 });
    expect(result.summary).toBe("Nothing related to KubePodCrashLooping on payments/api in 4 messages in 2 channels.");
  });

  it("summarises people reporting symptoms, noting when they noticed before the alert", async () => {
    const chat = setup((seed) => {
      seed("CALERTS", "payments api returning 502s for checkout, anyone else seeing this?", T0 - 12 * MIN, { authorName: "bob" });
      seed("CALERTS", "still getting errors from payments", T0 - 2 * MIN, { authorName: "carol" });
    });
    const result = await run(chat);
    const reports = result.findings.find((f) => f.metadata["kind"] === "symptom-reports");
    expect(reports?.metadata["count"]).toBe(2);
    expect(reports?.content).toMatch(/^2 reports of symptoms by people in channel CALERTS mentioning payments\/api; the first at 14:08 UTC \(12 min before the alert\) by bob: .*People noticed before the alert fired\.$/);
  });

  it("recognises its own earlier posts and other alerts on the same workload", async () => {
    const chat = setup((seed) => {
      seed("CALERTS", "HIGH — KubePodCrashLooping — payments/api\ninitial analysis · investigation inv-0", T0 - 50 * MIN, { isBot: true, authorId: "USREBOT" });
      seed("CALERTS", "[FIRING:2] HighErrorRate payments/api", T0 - 8 * MIN, { isBot: true });
    });
    const result = await run(chat);
    const kinds = result.findings.map((f) => f.metadata["kind"]);
    expect(kinds).toEqual(["related-alerts", "own-reports"]);
    expect(result.findings[0]?.content).toMatch(/^Other alerts about payments\/api in channel CALERTS: HighErrorRate \(first at 14:12 UTC/);
  });

  it("a generic workload name without its namespace does not tie a message to the alert", () => {
    const terms = alertTerms(alertAt());
    expect(mentionOf(terms, messageWords("deployed the api gateway"))).toEqual({ alert: false, workload: false, scope: false });
    expect(mentionOf(terms, messageWords("deployed payments api")).workload).toBe(true);
    expect(mentionOf(terms, messageWords("pod payments/api-7d9f8b6c5-kx8zq restarted")).workload).toBe(true);
    expect(mentionOf(terms, messageWords("*KubePodCrashLooping* fired")).alert).toBe(true);
  });

  it("tells alert notifications, changes, symptoms and chatter apart", () => {
    const m = (text: string, isBot = false, authorId?: string) => ({ channelId: "C", messageId: "1.1", text, isBot, timestamp: 0, ...(authorId !== undefined ? { authorId } : {}) });
    expect(categorizeMessage(m("[FIRING:1] KubePodCrashLooping", true), "UBOT").kind).toBe("firing");
    expect(categorizeMessage(m("[RESOLVED] KubePodCrashLooping", true), "UBOT").kind).toBe("resolved");
    expect(categorizeMessage(m("Rolled out checkout v1.4.0 via argocd"), "UBOT")).toEqual({ kind: "change", version: "v1.4.0", rollback: false });
    expect(categorizeMessage(m("merged #123, image registry.local/team/checkout:9f2c1 going out"), "UBOT")).toMatchObject({ kind: "change", version: "registry.local/team/checkout:9f2c1" });
    expect(categorizeMessage(m("checkout is down for me"), "UBOT").kind).toBe("symptom");
    expect(categorizeMessage(m("lunch at 12:30?"), "UBOT").kind).toBe("other");
    expect(categorizeMessage(m("CRITICAL — X — final analysis", true, "UBOT"), "UBOT").kind).toBe("own");
  });
});

describe("chat history: channels, deadlines, snapshot", () => {
  const failing = (chat: ChatPlatformShape, channel: string, error: ChatError): ChatPlatformShape => ({
    ...chat,
    readHistory: (c, w, o) => (c === channel ? Effect.fail(error) : chat.readHistory(c, w, o))
  });

  it("an unreadable channel is a finding, the others are still read", async () => {
    const base = setup((seed) => seed("CDEPLOYS", "deployed payments/api v2.3.1", T0 - 5 * MIN));
    const chat = failing(base, "CGONE", new ChatError({ platform: "slack", operation: "readHistory", reason: "not found: channel_not_found", retryable: false, notFound: true }));
    const result = await run(chat, alertAt(), { channels: ["CDEPLOYS", "CGONE"] });
    expect(result.status).toBe("success");
    expect(result.hypotheses).toHaveLength(1);
    const gone = result.findings.find((f) => f.metadata["kind"] === "channel-unreadable");
    expect(gone?.content).toBe("Could not read channel CGONE: the channel does not exist or the bot cannot see it (invite the bot, or check the channel id)");
    expect(result.summary).toContain("1 channel unreadable");
  });

  it("no readable channel at all is an error result, not a failure", async () => {
    const error = new ChatError({ platform: "slack", operation: "readHistory", reason: "conversations.history: Slack error invalid_auth", retryable: false });
    const chat: ChatPlatformShape = { ...makeInMemoryChat().chat, readHistory: () => Effect.fail(error) };
    const result = await run(chat, alertAt({ source: "alertmanager" }));
    expect(result.status).toBe("error");
    expect(result.error).toBe("no channel could be read: CDEPLOYS: conversations.history: Slack error invalid_auth");
  });

  it("a channel that never answers is cut at the deadline; the result is partial", async () => {
    const base = setup((seed) => seed("CDEPLOYS", "deployed payments/api v2.3.1", T0 - 5 * MIN));
    const chat: ChatPlatformShape = { ...base, readHistory: (c, w, o) => (c === "CSLOW" ? Effect.never : base.readHistory(c, w, o)) };
    const specialist = makeChatHistorySpecialist({ id: "slack-history", chat, channels: ["CDEPLOYS", "CSLOW"] });
    const result = await Effect.runPromise(specialist.investigate(alertAt(), { deadline: Date.now() + 300 }));
    expect(result.status).toBe("timeout");
    expect(result.error).toBe("deadline reached before channel CSLOW answered");
    expect(result.hypotheses).toHaveLength(1);
  });

  it("reads the newest part of the range first, so a limit on a busy channel cuts the oldest messages", async () => {
    // The in-memory chat pages oldest first, as Discord does: one read of the whole range would stop at old chatter.
    const chat = setup((seed) => {
      for (let i = 0; i < 600; i++) seed("CDEPLOYS", "coffee?", T0 - 180 * MIN + i * 15_000);
      seed("CDEPLOYS", "deployed payments/api v2.3.1", T0 - 10 * MIN);
    });
    const result = await run(chat, alertAt(), { perChannelLimit: 100 });
    expect(result.hypotheses).toHaveLength(1);
    expect(result.metadata.extra?.["truncated"]).toEqual(["CDEPLOYS"]);
  });

  it("keeps what was read when the deadline cuts a channel's older messages", async () => {
    const base = setup((seed) => seed("CDEPLOYS", "deployed payments/api v2.3.1", T0 - 10 * MIN));
    const chat: ChatPlatformShape = { ...base, readHistory: (c, w, o) => (w.start < T0 - 15 * MIN ? Effect.never : base.readHistory(c, w, o)) };
    const specialist = makeChatHistorySpecialist({ id: "slack-history", chat, channels: ["CDEPLOYS"] });
    const result = await Effect.runPromise(specialist.investigate(alertAt({ source: "alertmanager" }), { deadline: Date.now() + 300 }));
    expect(result.status).toBe("timeout");
    expect(result.hypotheses).toHaveLength(1);
    expect(result.findings.find((f) => f.metadata["kind"] === "channel-partial")?.content).toBe(
      "Read channel CDEPLOYS only partly (1 message): the deadline came first; older messages were not read"
    );
  });

  it("reads the alert's own channel only when the alert came from this platform", () => {
    const specialist = makeChatHistorySpecialist({ id: "discord-history", chat: makeInMemoryChat({ platform: "discord" }).chat, channels: [] });
    expect(specialist.skipReason?.(alertAt({ source: "discord", channelId: "123" }))).toBeUndefined();
    expect(specialist.skipReason?.(alertAt({ source: "slack" }))).toBe("no Discord channels configured and the alert did not come from Discord");
  });

  it("the snapshot checks each channel: readable, missing, or the token rejected", async () => {
    const base = setup((seed) => seed("CDEPLOYS", "hello", Date.now() - 10 * MIN));
    const chat = failing(base, "CGONE", new ChatError({ platform: "slack", operation: "readHistory", reason: "not found: channel_not_found", retryable: false, notFound: true }));
    const section = await Effect.runPromise(makeChatHistorySpecialist({ id: "slack-history", chat, channels: ["CDEPLOYS", "CGONE"] }).snapshot({ deadline: Date.now() + 5_000 }));
    expect(section.health).toBe("degraded");
    expect(section.summary).toBe("1/2 Slack channels readable");
    expect(section.findings.map((f) => f.content)).toEqual(["Can read channel CDEPLOYS: last message 10 min ago", "Cannot read channel CGONE: not found, or the bot is not a member"]);

    const denied = new ChatError({ platform: "slack", operation: "readHistory", reason: "conversations.history: Slack error invalid_auth", retryable: false });
    const rejected = await Effect.runPromise(
      makeChatHistorySpecialist({ id: "slack-history", chat: { ...base, readHistory: () => Effect.fail(denied) }, channels: ["CDEPLOYS", "CGONE"] }).snapshot({ deadline: Date.now() + 5_000 })
    );
    expect(rejected.health).toBe("unhealthy");
    expect(rejected.findings.map((f) => f.content)).toEqual(["Slack rejected the bot token: conversations.history: Slack error invalid_auth"]);
  });

  for (const c of specialistContract({
    make: async () => ({
      specialist: makeChatHistorySpecialist({
        id: "slack-history",
        chat: setup((seed) => {
          seed("CDEPLOYS", "deployed payments/api v2.3.1", T0 - 10 * MIN);
          seed("CALERTS", "[FIRING:1] KubePodCrashLooping payments/api", T0 - 30 * MIN, { isBot: true });
        }),
        channels: ["CDEPLOYS", "CALERTS"]
      }),
      alert: alertAt()
    })
  })) it(c.name, c.run);
});

describe("chat history: links and configuration", () => {
  it("builds Slack permalinks, slack:// links and Discord links", () => {
    expect(slackMessageLink({ workspaceUrl: "https://acme.slack.com/" })({ channelId: "C1", messageId: "1715696400.000100" })).toBe("https://acme.slack.com/archives/C1/p1715696400000100");
    expect(slackMessageLink({ workspaceUrl: "https://acme.slack.com" })({ channelId: "C1", messageId: "1715696401.000200", threadId: "1715696400.000100" })).toBe(
      "https://acme.slack.com/archives/C1/p1715696401000200?thread_ts=1715696400.000100&cid=C1"
    );
    expect(slackMessageLink({ teamId: "T9" })({ channelId: "C1", messageId: "1715696400.000100" })).toBe("slack://channel?team=T9&id=C1&message=1715696400.000100");
    expect(discordMessageLink({ guildId: "111" })({ channelId: "222", messageId: "333" })).toBe("https://discord.com/channels/111/222/333");
    expect(discordMessageLink({})({ channelId: "222", messageId: "333" })).toBeUndefined();
  });

  it("decodes the data source and names the bad key", () => {
    const ok = chatHistoryConfig("slack-history", { channels: ["C1", "C2"], workspace_url: "https://acme.slack.com/", lookback_minutes: 60 });
    expect(Result.isSuccess(ok) && ok.success).toEqual({ channels: ["C1", "C2"], workspaceUrl: "https://acme.slack.com", lookbackMs: 3_600_000 });
    const bad = chatHistoryConfig("discord-history", { channels: ["#alerts"] });
    expect(Result.isFailure(bad) && bad.failure.message).toBe('invalid agents.discord-history.data_source: channels must be Discord channel ids (digits only), not "#alerts"');
    const wrongType = chatHistoryConfig("slack-history", { per_channel_limit: -1 });
    expect(Result.isFailure(wrongType) && wrongType.failure.message).toContain("per_channel_limit");
    expect(Result.isFailure(chatHistoryConfig("slack-history", { workspace_url: "acme" }))).toBe(true);
  });
});
