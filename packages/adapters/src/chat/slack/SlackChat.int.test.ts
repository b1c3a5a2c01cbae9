import { chatPlatformContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { readSlackBotIdentity } from "./readSlackBotIdentity.js";
import { makeSlackChat, type SlackChatLogger } from "./SlackChat.js";
import { startFakeSlackApi, type FakeSlackApi } from "./testing/fakeSlackApi.js";

const FAST = { retries: 2, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2_000 };

describe("SlackChat passes the ChatPlatform contract against the fake Slack Web API", () => {
  for (const c of chatPlatformContract({
    make: async () => {
      const api = await startFakeSlackApi({ channels: ["C0ALERTS"] });
      return {
        chat: makeSlackChat({ token: api.token, apiUrl: api.url, retry: FAST }),
        channelId: "C0ALERTS",
        seed: async (m) =>
          api.seed("C0ALERTS", {
            text: m.text,
            timestamp: m.timestamp,
            ...(m.threadId !== undefined ? { threadTs: m.threadId } : {}),
            ...(m.isBot !== undefined ? { isBot: m.isBot } : {}),
            ...(m.authorId !== undefined ? { user: m.authorId } : {})
          }),
        close: api.close
      };
    }
  })) {
    it(c.name, c.run);
  }
});

interface Line {
  readonly level: "warn" | "debug";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

const capture = () => {
  const lines: Array<Line> = [];
  const logger: SlackChatLogger = {
    warn: (fields, message) => lines.push({ level: "warn", fields, message }),
    debug: (fields, message) => lines.push({ level: "debug", fields, message })
  };
  return { lines, logger };
};

describe("SlackChat on the wire", () => {
  let api: FakeSlackApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const start = async () => {
    api = await startFakeSlackApi({ channels: ["C0ALERTS"] });
    return api;
  };
  const run = Effect.runPromise;

  it("posts in the thread with link unfurling off and sends Block Kit blocks when the message has them", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "[FIRING:1] HighErrorRate", isBot: true });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Root cause:* OOMKilled" } }];
    const posted = await run(chat.postInThread({ channelId: "C0ALERTS", threadId: anchor }, { text: "Report", blocks }));
    const call = fake.calls().find((c) => c.method === "chat.postMessage");
    expect(call?.authorized).toBe(true);
    expect(call?.args).toMatchObject({ channel: "C0ALERTS", thread_ts: anchor, text: "Report", unfurl_links: "false", unfurl_media: "false" });
    expect(call?.args["blocks"]).toEqual(blocks);
    expect(fake.message("C0ALERTS", posted.messageId)).toMatchObject({ thread_ts: anchor, bot_id: fake.bot.botId, blocks });
    const read = await run(chat.readMessage("C0ALERTS", posted.messageId));
    expect(read.text).toBe("Report\n*Root cause:* OOMKilled");
  });

  it("an update without blocks clears the blocks of a progress message", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "alert" });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const posted = await run(
      chat.postInThread({ channelId: "C0ALERTS", threadId: anchor }, { text: "working", blocks: [{ type: "section", text: { type: "mrkdwn", text: "1/3" } }] })
    );
    await run(chat.updateMessage(posted, { text: "done" }));
    expect(fake.calls().find((c) => c.method === "chat.update")?.args).toMatchObject({ ts: posted.messageId, text: "done", blocks: [] });
    expect(fake.message("C0ALERTS", posted.messageId)?.blocks).toBeUndefined();
    expect((await run(chat.readMessage("C0ALERTS", posted.messageId))).text).toBe("done");
  });

  it("reads another bot's alert with empty text from its attachments", async () => {
    const fake = await start();
    const ts = fake.seed("C0ALERTS", {
      text: "",
      isBot: true,
      attachments: [{ title: "[FIRING:1] KubePodCrashLooping payments", text: "Pod api-7d9 restarts", fallback: "[FIRING:1] KubePodCrashLooping" }]
    });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const m = await run(chat.readMessage("C0ALERTS", ts));
    expect(m).toMatchObject({ isBot: true, authorId: "B0ALERTMGR", authorName: "alertmanager" });
    expect(m.text).toBe("[FIRING:1] KubePodCrashLooping payments\nPod api-7d9 restarts");
  });

  it("finds a thread reply through conversations.replies when the channel history does not have it", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "alert", timestamp: 1_700_000_000_000 });
    const reply = fake.seed("C0ALERTS", { text: "on it", timestamp: 1_700_000_001_000, threadTs: anchor });
    fake.seed("C0ALERTS", { text: "later chatter", timestamp: 1_700_000_002_000 });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const m = await run(chat.readMessage("C0ALERTS", reply));
    expect(m).toMatchObject({ messageId: reply, threadId: anchor, text: "on it", isBot: false, authorId: "U0HUMAN" });
    expect(m.timestamp).toBe(1_700_000_001_000);
    expect(fake.calls().map((c) => c.method)).toEqual(["conversations.history", "conversations.replies"]);
  });

  it("pages through conversations.history with cursors and returns the window's newest messages, oldest first", async () => {
    const fake = await start();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 450; i++) fake.seed("C0ALERTS", { text: `m${i}`, timestamp: t0 + i * 1000 });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const all = await run(chat.readHistory("C0ALERTS", { start: t0 + 10_000, end: t0 + 439_000 }));
    expect(all.length).toBe(430);
    expect(all[0]?.text).toBe("m10");
    expect(all.at(-1)?.text).toBe("m439");
    const history = fake.calls().filter((c) => c.method === "conversations.history");
    expect(history.length).toBe(3);
    expect(history[1]?.args["cursor"]).toBeTruthy();
    const limited = await run(chat.readHistory("C0ALERTS", { start: t0, end: t0 + 449_000 }, { limit: 3 }));
    expect(limited.map((m) => m.text)).toEqual(["m447", "m448", "m449"]);
  });

  it("waits for Retry-After on a 429 and then succeeds", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "alert" });
    fake.failNext("chat.postMessage", { kind: "rateLimited", retryAfterSeconds: 1 });
    const { lines, logger } = capture();
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST, logger });
    const posted = await run(chat.postNotice({ channelId: "C0ALERTS", threadId: anchor }, "Investigating…"));
    expect(fake.message("C0ALERTS", posted.messageId)?.text).toBe("Investigating…");
    expect(fake.calls().map((c) => [c.method, c.status])).toEqual([
      ["chat.postMessage", 429],
      ["chat.postMessage", 200]
    ]);
    expect(lines.find((l) => l.message === "Slack call failed; retrying")?.fields).toMatchObject({ delayMs: 1000, retry: 1 });
  });

  it("retries 5xx answers with backoff and then succeeds", async () => {
    const fake = await start();
    fake.failNext("conversations.history", { kind: "http", status: 503 }, 2);
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    expect(await run(chat.readHistory("C0ALERTS", { start: 0, end: Date.now() }))).toEqual([]);
    expect(fake.calls().map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it("gives up after the configured retries with a retryable ChatError", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "alert" });
    fake.failNext("chat.postMessage", { kind: "http", status: 500 }, 10);
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const e = await run(Effect.flip(chat.postInThread({ channelId: "C0ALERTS", threadId: anchor }, { text: "report" })));
    expect(e).toMatchObject({ _tag: "ChatError", platform: "slack", operation: "postInThread", retryable: true });
    expect(e.reason).toBe("chat.postMessage: unavailable (retryable): HTTP 500");
    expect(fake.calls().length).toBe(1 + FAST.retries);
  });

  it("does not hold the caller for a Retry-After longer than it is willing to wait", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "alert" });
    fake.failNext("chat.postMessage", { kind: "rateLimited", retryAfterSeconds: 120 });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const e = await run(Effect.flip(chat.postNotice({ channelId: "C0ALERTS", threadId: anchor }, "hi")));
    expect(e.retryable).toBe(true);
    expect(e.reason).toMatch(/Retry-After 120 s, longer than the 2 s this adapter waits/);
    expect(fake.calls().length).toBe(1);
  });

  it("maps Slack's not-found errors to notFound and auth errors to non-retryable failures, without retrying", async () => {
    const fake = await start();
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST });
    const missingChannel = await run(Effect.flip(chat.readHistory("C0NOPE", { start: 0, end: 1 })));
    expect(missingChannel).toMatchObject({ notFound: true, retryable: false });
    expect(missingChannel.reason).toBe("conversations.history: not found: channel_not_found");
    const missingThread = await run(Effect.flip(chat.readThreadParent("C0ALERTS", "1700000000.000001")));
    expect(missingThread).toMatchObject({ notFound: true, retryable: false });
    const update = await run(Effect.flip(chat.updateMessage({ channelId: "C0ALERTS", messageId: "1700000000.000001" }, { text: "x" })));
    expect(update).toMatchObject({ notFound: true, operation: "updateMessage" });

    const wrong = makeSlackChat({ token: "xoxb-wrong-secret-token", apiUrl: fake.url, retry: FAST });
    const auth = await run(Effect.flip(wrong.postNotice({ channelId: "C0ALERTS", threadId: "1.000000" }, "x")));
    expect(auth).toMatchObject({ retryable: false, reason: "chat.postMessage: Slack error invalid_auth" });
    expect(auth.notFound).toBeUndefined();
    expect(fake.calls().filter((c) => c.error === "invalid_auth").length).toBe(1);
  });

  it("turns an unreachable API into a retryable ChatError and never logs the token", async () => {
    const fake = await start();
    const url = fake.url;
    await fake.close();
    api = undefined;
    const { lines, logger } = capture();
    const token = "xoxb-very-secret-token-123";
    const chat = makeSlackChat({ token, apiUrl: url, retry: FAST, logger });
    const e = await run(Effect.flip(chat.readMessage("C0ALERTS", "1700000000.000100")));
    expect(e).toMatchObject({ retryable: true, operation: "readMessage" });
    expect(e.reason).toMatch(/^conversations.history: network failure \(retryable\)/);
    expect(lines.filter((l) => l.message === "Slack call failed; retrying").length).toBe(FAST.retries);
    const everything = JSON.stringify(lines) + JSON.stringify(e) + e.message;
    expect(everything).not.toContain(token);
  });

  it("logs retries through a pino logger as JSON lines without the token", async () => {
    const fake = await start();
    const anchor = fake.seed("C0ALERTS", { text: "alert" });
    fake.failNext("*", { kind: "http", status: 502 });
    const written: Array<string> = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void written.push(line) });
    const chat = makeSlackChat({ token: fake.token, apiUrl: fake.url, retry: FAST, logger });
    await run(chat.postNotice({ channelId: "C0ALERTS", threadId: anchor }, "Investigating…"));
    const entries = written.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toEqual([expect.objectContaining({ msg: "Slack call failed; retrying", method: "chat.postMessage", reason: "unavailable (retryable): HTTP 502" })]);
    expect(written.join("")).not.toContain(fake.token);
  });

  it("reads the bot's identity with auth.test, and says so when the token is wrong", async () => {
    const fake = await start();
    expect(await run(readSlackBotIdentity({ token: fake.token, apiUrl: fake.url }))).toEqual({ userId: "U0SREBOT", botId: "B0SREBOT", teamId: "T0FAKE" });
    const e = await run(Effect.flip(readSlackBotIdentity({ token: "xoxb-nope", apiUrl: fake.url })));
    expect(e).toMatchObject({ operation: "auth.test", reason: "Slack error invalid_auth", retryable: false });
  });
});
