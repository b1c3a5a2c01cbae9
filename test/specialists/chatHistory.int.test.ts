/**
 * The Slack and Discord history specialists driven through the real adapters (`makeSlackChat`
 * over `@slack/web-api`, `makeDiscordChat` over `@discordjs/rest`) against the in-repo fake
 * Slack and Discord APIs on 127.0.0.1.
 */
import { type FakeDiscordApi, startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { makeDiscordChat, makeSlackChat, millisToSnowflake } from "@sre-on-call/adapters";
import { makeChatHistorySpecialist } from "@sre-on-call/agents/chat-history/index";
import type { AgentResult, AlertContext, Specialist } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 14, 14, 20, 0);
const FAST = { retries: 1, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };

const alertFor = (source: AlertContext["source"], channelId: string, messageId: string): AlertContext => ({
  investigationId: `inv-${source}`,
  source,
  channelId,
  messageId,
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)",
  alertTimestamp: T0,
  window: { start: T0 - 5 * MIN, end: T0 + 5 * MIN },
  status: "firing",
  labels: { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z" },
  annotations: {},
  entities: { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", deployment: "api" },
  hints: [],
  deadline: T0 + MIN
});

const investigate = (specialist: Specialist, alert: AlertContext): Promise<AgentResult> =>
  Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 20_000 }));

const CHATTER = ["lunch at 12?", "anyone up for coffee", "thanks for the review!", "the standup moved to 10:30", "PTO tomorrow", "nice weekend everyone"];

describe("slack-history against the fake Slack Web API", () => {
  let api: FakeSlackApi;
  beforeEach(async () => {
    api = await startFakeSlackApi({ channels: ["C0ALERTS", "C0DEPLOYS"] });
  });
  afterEach(() => api.close());

  const specialist = (channels: ReadonlyArray<string>, extra: { perChannelLimit?: number; token?: string } = {}) =>
    makeChatHistorySpecialist({
      id: "slack-history",
      chat: makeSlackChat({ token: extra.token ?? api.token, apiUrl: api.url, retry: FAST }),
      channels,
      botUserId: api.bot.userId,
      workspaceUrl: "https://acme.slack.com",
      ...(extra.perChannelLimit !== undefined ? { perChannelLimit: extra.perChannelLimit } : {})
    });

  /** An outage morning: the alert, its earlier firings, a deploy, people noticing, and a lot of chatter. */
  const seedOutage = () => {
    for (let i = 0; i < 450; i++) api.seed(i % 2 === 0 ? "C0ALERTS" : "C0DEPLOYS", { text: CHATTER[i % CHATTER.length]!, timestamp: T0 - 170 * MIN + i * 20_000 });
    api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq (critical)", timestamp: T0 - 95 * MIN, isBot: true });
    api.seed("C0ALERTS", { text: "[RESOLVED] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq", timestamp: T0 - 80 * MIN, isBot: true });
    api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-hq2bz (critical)", timestamp: T0 - 40 * MIN, isBot: true });
    api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping search/indexer-5f6d7c8b9-zzxvw (warning)", timestamp: T0 - 30 * MIN, isBot: true });
    const deploy = api.seed("C0DEPLOYS", { text: "Deployed payments/api v2.3.1 to prod-eu-1 (helm upgrade payments-api)", timestamp: T0 - 10 * MIN, user: "U0ALICE", username: "alice" });
    api.seed("C0DEPLOYS", { text: "rolled out search/indexer v7.0.0", timestamp: T0 - 25 * MIN, user: "U0BOB" });
    api.seed("C0ALERTS", { text: "payments api is returning 502s for checkout, anyone else seeing this?", timestamp: T0 - 6 * MIN, user: "U0CAROL", username: "carol" });
    const alert = api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)", timestamp: T0 + 15_000, isBot: true });
    return { deploy, alert };
  };

  it("a deploy of the workload 10 minutes before the alert is a medium-confidence hypothesis with a permalink", async () => {
    const { deploy, alert } = seedOutage();
    const result = await investigate(specialist(["C0DEPLOYS"]), alertFor("slack", "C0ALERTS", alert));
    expect(result.status).toBe("success");
    expect(result.hypotheses).toHaveLength(1);
    const [h] = result.hypotheses;
    expect(h?.confidence).toBe("medium");
    expect(h?.title).toBe('Change "Deployed payments/api v2.3.1 to prod-eu-1 (helm upgrade payments-api)" at 14:10 UTC, 10 min before the alert');
    const finding = result.findings.find((f) => f.id === h?.supportingFindings[0]);
    expect(finding?.deepLink).toBe(`https://acme.slack.com/archives/C0DEPLOYS/p${deploy.replace(".", "")}`);
    expect(finding?.content).toContain("by alice");
  });

  it("counts the earlier firings of the same alert, and keeps other workloads' alerts and chatter out", async () => {
    const { alert } = seedOutage();
    const result = await investigate(specialist(["C0DEPLOYS"]), alertFor("slack", "C0ALERTS", alert));
    const firings = result.findings.find((f) => f.metadata["kind"] === "earlier-firings");
    expect(firings?.metadata).toMatchObject({ count: 2, resolvedCount: 1 });
    expect(firings?.content).toMatch(/^KubePodCrashLooping fired 2 times before in channel C0ALERTS: first at 2024-05-14 12:45:00 UTC \(1 h 35 min before the alert\), last at 13:40 UTC/);
    const symptoms = result.findings.find((f) => f.metadata["kind"] === "symptom-reports");
    expect(symptoms?.content).toContain("by carol");
    const text = JSON.stringify(result.findings);
    for (const noise of CHATTER) expect(text).not.toContain(noise);
    // The other workload's alert stays out; its deploy is only listed as another change of the hour.
    expect(result.findings.filter((f) => f.content.includes("indexer")).map((f) => f.metadata["kind"])).toEqual(["other-changes"]);
    expect(result.findings.map((f) => f.severity)).toEqual(["medium", "low", "medium", "info"]);
    expect(result.metadata.extra?.["messagesRead"]).toBe(458);
  });

  it("reads every page of a busy channel, and no more than the per-channel limit", async () => {
    const { alert } = seedOutage();
    for (let i = 0; i < 700; i++) api.seed("C0ALERTS", { text: CHATTER[i % CHATTER.length]!, timestamp: T0 - 170 * MIN + i * 9_000 });
    const all = await investigate(specialist(["C0DEPLOYS"], { perChannelLimit: 2_000 }), alertFor("slack", "C0ALERTS", alert));
    expect(all.metadata.extra?.["messagesRead"]).toBe(458 + 700);
    expect(all.metadata.extra?.["truncated"]).toEqual([]);
    const pages = api.calls().filter((c) => c.method === "conversations.history" && c.args["channel"] === "C0ALERTS");
    expect(pages.filter((c) => typeof c.args["cursor"] === "string").length).toBeGreaterThanOrEqual(3);

    const bounded = await investigate(specialist(["C0DEPLOYS"], { perChannelLimit: 50 }), alertFor("slack", "C0ALERTS", alert));
    expect(bounded.metadata.extra?.["truncated"]).toEqual(["C0ALERTS", "C0DEPLOYS"]);
    expect(bounded.metadata.extra?.["messagesRead"]).toBe(100);
    // The newest messages are the ones kept: the deploy 10 minutes before the alert is still seen.
    expect(bounded.hypotheses).toHaveLength(1);
  });

  it("a channel that does not exist is a finding, and the other channels are still read", async () => {
    const { alert } = seedOutage();
    const result = await investigate(specialist(["C0DEPLOYS", "C0MISSING"]), alertFor("slack", "C0ALERTS", alert));
    expect(result.status).toBe("success");
    expect(result.hypotheses).toHaveLength(1);
    const missing = result.findings.find((f) => f.metadata["kind"] === "channel-unreadable");
    expect(missing?.content).toBe("Could not read channel C0MISSING: the channel does not exist or the bot cannot see it (invite the bot, or check the channel id)");
    expect(missing?.metadata["reason"]).toBe("conversations.history: not found: channel_not_found");
  });

  it("recognises its own earlier analysis in the channel", async () => {
    api.seed("C0ALERTS", { text: "CRITICAL — KubePodCrashLooping — payments/api\nfinal analysis · investigation inv-0", timestamp: T0 - 30 * MIN, user: api.bot.userId });
    const alert = api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z", timestamp: T0, isBot: true });
    const result = await investigate(specialist([]), alertFor("slack", "C0ALERTS", alert));
    expect(result.findings.map((f) => f.metadata["kind"])).toEqual(["own-reports"]);
    expect(result.findings[0]?.content).toMatch(/^sre-on-call posted about KubePodCrashLooping on payments\/api 1 time in channel C0ALERTS; the latest at 2024-05-14 13:50:00 UTC/);
  });

  it("the snapshot checks membership per channel, and authentication", async () => {
    api.seed("C0DEPLOYS", { text: "hello", timestamp: Date.now() - 5 * MIN });
    const section = await Effect.runPromise(specialist(["C0DEPLOYS", "C0MISSING"]).snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.health).toBe("degraded");
    expect(section.findings.map((f) => f.content)).toEqual(["Can read channel C0DEPLOYS: last message 5 min ago", "Cannot read channel C0MISSING: not found, or the bot is not a member"]);
    const denied = await Effect.runPromise(specialist(["C0DEPLOYS"], { token: "xoxb-wrong" }).snapshot({ deadline: Date.now() + 10_000 }));
    expect(denied.health).toBe("unhealthy");
    expect(denied.findings.map((f) => f.content)).toEqual(["Slack rejected the bot token: conversations.history: Slack error invalid_auth"]);
    expect(JSON.stringify(denied)).not.toContain("xoxb-wrong");
  });
});

describe("slack-history passes the Specialist contract over the fake Slack API", () => {
  for (const c of specialistContract({
    make: async () => {
      const api = await startFakeSlackApi({ channels: ["C0ALERTS", "C0DEPLOYS"] });
      api.seed("C0DEPLOYS", { text: "deployed payments/api v2.3.1", timestamp: T0 - 10 * MIN });
      const alert = api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api", timestamp: T0, isBot: true });
      return {
        specialist: makeChatHistorySpecialist({ id: "slack-history", chat: makeSlackChat({ token: api.token, apiUrl: api.url, retry: FAST }), channels: ["C0DEPLOYS"] }),
        alert: alertFor("slack", "C0ALERTS", alert),
        close: api.close
      };
    }
  }))
    it(c.name, c.run);
});

describe("discord-history against the fake Discord API", () => {
  let fake: FakeDiscordApi;
  let alerts: string;
  let deploys: string;
  beforeEach(async () => {
    fake = await startFakeDiscordApi();
    alerts = fake.createChannel({ name: "alerts" });
    deploys = fake.createChannel({ name: "deploys" });
  });
  afterEach(() => fake.close());

  const specialist = (channels: ReadonlyArray<string>) =>
    makeChatHistorySpecialist({
      id: "discord-history",
      chat: makeDiscordChat({ token: fake.token, api: fake.url, retryBaseDelay: "5 millis", applicationId: fake.applicationId }),
      channels,
      botUserId: fake.botUserId,
      guildId: fake.guildId
    });

  it("finds the deploy before the alert, counts earlier firings, ignores chatter, and links into the guild", async () => {
    fake.seedMessage(alerts, { content: "[FIRING:1] KubePodCrashLooping payments/api (critical)", timestamp: T0 - 5 * 60 * MIN, bot: true, username: "Alertmanager" });
    for (let i = 0; i < 240; i++) fake.seedMessage(i % 3 === 0 ? deploys : alerts, { content: CHATTER[i % CHATTER.length]!, timestamp: T0 - 150 * MIN + i * 30_000, username: "someone" });
    fake.seedMessage(alerts, { content: "[FIRING:1] KubePodCrashLooping payments/api (critical)", timestamp: T0 - 70 * MIN, bot: true, username: "Alertmanager" });
    fake.seedMessage(alerts, { content: "[FIRING:1] KubePodCrashLooping payments/api (critical)", timestamp: T0 - 35 * MIN, bot: true, username: "Alertmanager" });
    fake.seedMessage(alerts, { content: "[FIRING:1] KubePodCrashLooping payments/api (critical)", timestamp: T0 - 15 * MIN, bot: true, username: "Alertmanager" });
    const deploy = fake.seedMessage(deploys, { content: "argocd: payments-api synced to v2.3.1 in payments", timestamp: T0 - 10 * MIN, username: "argocd", bot: true });
    const alert = fake.seedMessage(alerts, { content: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)", timestamp: T0, bot: true, username: "Alertmanager" });

    const result = await investigate(specialist([deploys]), alertFor("discord", alerts, alert));
    expect(result.status).toBe("success");
    const [h] = result.hypotheses;
    expect(h?.confidence).toBe("medium");
    expect(h?.title).toMatch(/^Change "argocd: payments-api synced to v2\.3\.1 in payments" at 14:10 UTC, 10 min before the alert$/);
    const change = result.findings.find((f) => f.id === h?.supportingFindings[0]);
    expect(change?.deepLink).toBe(`https://discord.com/channels/${fake.guildId}/${deploys}/${deploy}`);

    const firings = result.findings.find((f) => f.metadata["kind"] === "earlier-firings");
    // The firing five hours earlier is outside the 3 h lookback.
    expect(firings?.metadata["count"]).toBe(3);
    expect(firings?.content).toMatch(/^KubePodCrashLooping fired 3 times before in channel \d+: first at 2024-05-14 13:10:00 UTC \(1 h 10 min before the alert\), last at 14:05 UTC$/);
    const text = JSON.stringify(result.findings);
    for (const noise of CHATTER) expect(text).not.toContain(noise);

    // Snowflake bounds: reads start inside the range, never at the channel's beginning.
    const reads = fake.calls().filter((c) => c.method === "GET" && c.path === `/channels/${alerts}/messages`);
    const afters = reads.map((c) => BigInt(c.query["after"]!));
    expect(afters).toContain(millisToSnowflake(T0 - 5 * MIN - 180 * MIN) - 1n);
    expect(afters.every((a) => a >= millisToSnowflake(T0 - 5 * MIN - 180 * MIN) - 1n)).toBe(true);
  });

  it("an unknown channel is a finding, not a crash", async () => {
    const alert = fake.seedMessage(alerts, { content: "[FIRING:1] KubePodCrashLooping payments/api", timestamp: T0, bot: true });
    const result = await investigate(specialist(["123456789012345678"]), alertFor("discord", alerts, alert));
    expect(result.status).toBe("success");
    const missing = result.findings.find((f) => f.metadata["kind"] === "channel-unreadable");
    expect(missing?.content).toBe("Could not read channel 123456789012345678: the channel does not exist or the bot cannot see it (invite the bot, or check the channel id)");
    expect(result.findings.find((f) => f.metadata["kind"] === "nothing-related")?.metadata["ruledOut"]).toBe(true);
  });

  it("the snapshot reports each channel", async () => {
    fake.seedMessage(deploys, { content: "hello", timestamp: Date.now() - 2 * MIN });
    const section = await Effect.runPromise(specialist([deploys, "123456789012345678"]).snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.health).toBe("degraded");
    expect(section.summary).toBe("1/2 Discord channels readable");
  });

  for (const c of specialistContract({
    make: async () => {
      const api = await startFakeDiscordApi();
      const channel = api.createChannel();
      api.seedMessage(channel, { content: "deployed payments/api v2.3.1", timestamp: T0 - 10 * MIN });
      const alert = api.seedMessage(channel, { content: "[FIRING:1] KubePodCrashLooping payments/api", timestamp: T0, bot: true });
      return {
        specialist: makeChatHistorySpecialist({ id: "discord-history", chat: makeDiscordChat({ token: api.token, api: api.url, retryBaseDelay: "5 millis" }), channels: [channel], guildId: api.guildId }),
        alert: alertFor("discord", channel, alert),
        close: api.close
      };
    }
  }))
    it(c.name, c.run);
});
