import { chatPlatformContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeDiscordChat } from "./DiscordChat.js";
import { startFakeDiscordApi, type FakeDiscordApi } from "./testing/fakeDiscordApi.js";

const run = Effect.runPromise;
const T0 = 1_700_000_000_000;

describe("makeDiscordChat passes the ChatPlatform contract against the fake Discord API", () => {
  for (const c of chatPlatformContract({
    make: async () => {
      const fake = await startFakeDiscordApi();
      const channelId = fake.createChannel();
      return {
        chat: makeDiscordChat({ token: fake.token, api: fake.url, retryBaseDelay: "5 millis" }),
        channelId,
        seed: async (m) =>
          fake.seedMessage(channelId, {
            content: m.text,
            timestamp: m.timestamp,
            ...(m.isBot === undefined ? {} : { bot: m.isBot }),
            ...(m.authorId === undefined ? {} : { authorId: m.authorId }),
            ...(m.threadId === undefined ? {} : { replyTo: m.threadId })
          }),
        close: fake.close
      };
    }
  }))
    it(c.name, c.run);
});

describe("makeDiscordChat against the fake Discord API", () => {
  let fake: FakeDiscordApi;
  let channelId: string;
  beforeEach(async () => {
    fake = await startFakeDiscordApi();
    channelId = fake.createChannel();
  });
  afterEach(() => fake.close());
  const chatFor = (overrides: Partial<Parameters<typeof makeDiscordChat>[0]> = {}) =>
    makeDiscordChat({ token: fake.token, api: fake.url, retryBaseDelay: "5 millis", ...overrides });
  const posts = () => fake.calls().filter((c) => c.method === "POST" && c.status === 200);

  it("splits a long report into replies to the alert, none over 2000 characters, none able to ping", async () => {
    const anchor = fake.seedMessage(channelId, { content: "[FIRING:1] HighErrorRate api", timestamp: T0 });
    const logs = Array.from({ length: 150 }, (_, i) => `2024-05-01T10:00:${String(i % 60).padStart(2, "0")}Z ERROR upstream timeout #${i}`).join("\n");
    const report = `@everyone **HighErrorRate** on api\n\`\`\`log\n${logs}\n\`\`\`\nNext: roll back the deploy. cc @here`;
    const posted = await run(chatFor().postInThread({ channelId, threadId: anchor }, { text: report }));
    const sent = fake.messages(channelId).filter((m) => m.author.bot === true);
    expect(sent.length).toBeGreaterThan(1);
    expect(posted).toEqual({ channelId, messageId: sent[0]?.id });
    for (const m of sent) {
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect(m.message_reference?.message_id).toBe(anchor);
      expect(m.allowed_mentions).toEqual({ parse: [] });
      expect(m.content).not.toMatch(/@(everyone|here)/);
      expect(m.content.split("\n").filter((l) => l.startsWith("```")).length % 2).toBe(0);
    }
    const joined = sent.map((m) => m.content).join("\n");
    for (let i = 0; i < 150; i++) expect(joined).toContain(`upstream timeout #${i}\n`);
    expect(joined).toContain("Next: roll back the deploy.");
  });

  it("waits out a 429 and then succeeds without posting twice", async () => {
    const anchor = fake.seedMessage(channelId, { content: "alert", timestamp: T0 });
    fake.rateLimitNext(1, { retryAfterSeconds: 0.05 });
    const posted = await run(chatFor().postNotice({ channelId, threadId: anchor }, "Investigating…"));
    const statuses = fake.calls().map((c) => `${c.method} ${c.status}`);
    expect(statuses).toContain("GET 429");
    expect(fake.messages(channelId).filter((m) => m.content === "Investigating…").map((m) => m.id)).toEqual([posted.messageId]);
    fake.rateLimitNext(2, { retryAfterSeconds: 0.05, global: true });
    expect((await run(chatFor().readMessage(channelId, posted.messageId))).text).toBe("Investigating…");
    expect(fake.calls().filter((c) => c.status === 429).length).toBe(3);
  });

  it("fails as retryable instead of waiting out a rate limit longer than allowed", async () => {
    fake.rateLimitNext(1, { retryAfterSeconds: 30 });
    const e = await run(Effect.flip(chatFor({ maxRateLimitWaitMs: 1_000, retries: 0 }).readHistory(channelId, { start: T0, end: T0 + 1 })));
    expect(e.retryable).toBe(true);
    expect(e.reason).toMatch(/rate limited/);
  });

  it("retries 5xx a bounded number of times", async () => {
    const anchor = fake.seedMessage(channelId, { content: "alert", timestamp: T0 });
    fake.failNext(2, 502);
    expect((await run(chatFor().readMessage(channelId, anchor))).text).toBe("alert");
    const before = fake.calls().length;
    fake.failNext(10, 500);
    const e = await run(Effect.flip(chatFor({ retries: 2 }).readMessage(channelId, anchor)));
    expect(e).toMatchObject({ _tag: "ChatError", retryable: true, operation: "readMessage" });
    expect(fake.calls().length - before).toBe(3);
  });

  it("reports a refused token without revealing it", async () => {
    const e = await run(Effect.flip(makeDiscordChat({ token: "wrong-token-0123456789", api: fake.url }).readHistory(channelId, { start: T0, end: T0 })));
    expect(e.retryable).toBe(false);
    expect(e.reason).toMatch(/unauthorized/);
    expect(e.message).not.toContain("wrong-token-0123456789");
    expect(fake.calls().at(-1)?.auth).toBe("wrong");
  });

  it("posts in the thread started from the alert, and finds the thread's starter", async () => {
    const anchor = fake.seedMessage(channelId, { content: "[FIRING:1] DiskFull db-1", timestamp: T0, bot: true });
    const thread = fake.createThread(channelId, { starterMessageId: anchor });
    const chat = chatFor();
    const posted = await run(chat.postInThread({ channelId, threadId: anchor }, { text: "Investigating…" }));
    expect(posted.channelId).toBe(thread);
    expect(fake.message(thread, posted.messageId)?.message_reference).toBeUndefined();
    expect(await run(chat.readMessage(thread, posted.messageId))).toMatchObject({ threadId: thread, isBot: true });
    for (const [c, t] of [[channelId, anchor], [thread, thread]] as const) {
      expect(await run(chat.readThreadParent(c, t))).toMatchObject({ channelId, messageId: anchor, text: "[FIRING:1] DiskFull db-1", isBot: true });
    }
    const channelLookups = fake.calls().filter((c) => c.method === "GET" && c.path === `/channels/${thread}`).length;
    await run(chat.postInThread({ channelId: thread, threadId: thread }, { text: "second" }));
    expect(fake.calls().filter((c) => c.method === "GET" && c.path === `/channels/${thread}`).length).toBe(channelLookups);
    expect(fake.messages(thread).map((m) => m.content)).toEqual(["Investigating…", "second"]);
  });

  it("pages through history oldest first within the window and the limit", async () => {
    fake.seedMessage(channelId, { content: "too early", timestamp: T0 - 1 });
    for (let i = 0; i < 250; i++) fake.seedMessage(channelId, { content: `m${i}`, timestamp: T0 + i * 1000 });
    fake.seedMessage(channelId, { content: "too late", timestamp: T0 + 250_000 });
    const chat = chatFor();
    const window = { start: T0, end: T0 + 249_000 };
    const all = await run(chat.readHistory(channelId, window));
    expect(all.map((m) => m.text)).toEqual(Array.from({ length: 250 }, (_, i) => `m${i}`));
    const limited = await run(chat.readHistory(channelId, window, { limit: 130 }));
    expect(limited.map((m) => m.text)).toEqual(Array.from({ length: 130 }, (_, i) => `m${i}`));
    const pages = fake.calls().filter((c) => c.method === "GET" && c.path === `/channels/${channelId}/messages`);
    expect(pages.every((c) => c.query["after"] !== undefined && c.query["limit"] === "100")).toBe(true);
    expect(pages.length).toBe(3 + 2);
    expect(await run(chat.readHistory(channelId, { start: T0 + 500_000, end: T0 + 600_000 }))).toEqual([]);
  });

  it("reads the text of embed-only alerts and replaces content on update, truncating to one message", async () => {
    const alert = fake.seedMessage(channelId, {
      content: "",
      timestamp: T0,
      bot: true,
      embeds: [{ title: "[FIRING:1] TargetDown", description: "node-exporter down", fields: [{ name: "severity", value: "critical" }] }]
    });
    const chat = chatFor();
    expect((await run(chat.readMessage(channelId, alert))).text).toBe("[FIRING:1] TargetDown\nnode-exporter down\nseverity: critical");
    const posted = await run(chat.postInThread({ channelId, threadId: alert }, { text: "step 1" }));
    await run(chat.updateMessage(posted, { text: `@here ${"line of the report\n".repeat(200)}` }));
    const updated = fake.message(channelId, posted.messageId);
    expect(updated?.content.length).toBeLessThanOrEqual(2000);
    expect(updated?.content).toMatch(/^@\u200bhere line of the report\n/);
    expect(updated?.content.endsWith("(truncated)")).toBe(true);
    expect(updated?.allowed_mentions).toEqual({ parse: [] });
  });

  it("refuses ids that are not snowflakes and empty messages without calling Discord", async () => {
    const chat = chatFor();
    const read = await run(Effect.flip(chat.readMessage(channelId, "../../guilds/1")));
    expect(read).toMatchObject({ notFound: true, retryable: false });
    const post = await run(Effect.flip(chat.postInThread({ channelId, threadId: "1" }, { text: "  \n " })));
    expect(post.reason).toMatch(/empty/);
    expect(fake.calls()).toEqual([]);
    expect(posts()).toEqual([]);
  });
});

describe("makeDiscordChat retries of message creation", () => {
  it("does not post twice when Discord created the message but answered 502", async () => {
    const fake = await startFakeDiscordApi();
    try {
      const channelId = fake.createChannel();
      const anchor = fake.seedMessage(channelId, { content: "alert", timestamp: T0 });
      const chat = makeDiscordChat({ token: fake.token, api: fake.url, retryBaseDelay: "5 millis", applicationId: fake.applicationId });
      await run(chat.postInThread({ channelId, threadId: anchor }, { text: "Investigating…" }));
      fake.failNext(1, 502, { afterHandling: true });
      const posted = await run(chat.postInThread({ channelId, threadId: anchor }, { text: "Report" }));
      expect(fake.calls().filter((c) => c.method === "POST").map((c) => c.status)).toEqual([200, 502, 200]);
      expect(fake.messages(channelId).filter((m) => m.content === "Report").map((m) => m.id)).toEqual([posted.messageId]);
    } finally {
      await fake.close();
    }
  });
});
