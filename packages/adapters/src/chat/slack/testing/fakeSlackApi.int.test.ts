import { afterEach, describe, expect, it } from "vitest";
import { startFakeSlackApi, type FakeSlackApi } from "./fakeSlackApi.js";

describe("fakeSlackApi speaks the Web API wire format", () => {
  let api: FakeSlackApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const callJson = (fake: FakeSlackApi, method: string, body: unknown, auth: string | null = fake.token) =>
    fetch(`${fake.url}${method}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body)
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it("accepts JSON bodies with a bearer token and form bodies with a token field", async () => {
    const fake = (api = await startFakeSlackApi());
    const json = await callJson(fake, "chat.postMessage", { channel: "C0ALERTS", text: "hello", blocks: [{ type: "divider" }] });
    expect(json).toMatchObject({ status: 200, body: { ok: true, channel: "C0ALERTS", message: { text: "hello", bot_id: fake.bot.botId } } });
    const form = await fetch(`${fake.url}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: fake.token, channel: "C0ALERTS", text: "form" }).toString()
    }).then((r) => r.json());
    expect(form).toMatchObject({ ok: true });
    expect(fake.messages("C0ALERTS").map((m) => m.text)).toEqual(["hello", "form"]);
    expect(fake.calls().map((c) => c.args["token"])).toEqual([undefined, undefined]);
  });

  it("answers like Slack to missing or wrong tokens, unknown methods, channels, threads and cursors", async () => {
    const fake = (api = await startFakeSlackApi());
    expect((await callJson(fake, "auth.test", {}, null)).body).toEqual({ ok: false, error: "not_authed" });
    expect((await callJson(fake, "auth.test", {}, "xoxb-other")).body).toEqual({ ok: false, error: "invalid_auth" });
    expect((await callJson(fake, "users.list", {})).body).toEqual({ ok: false, error: "unknown_method" });
    expect((await callJson(fake, "conversations.history", { channel: "C0NOPE" })).body).toEqual({ ok: false, error: "channel_not_found" });
    expect((await callJson(fake, "conversations.replies", { channel: "C0ALERTS", ts: "1.000001" })).body).toEqual({ ok: false, error: "thread_not_found" });
    expect((await callJson(fake, "chat.postMessage", { channel: "C0ALERTS", text: "x", thread_ts: "1.000001" })).body).toEqual({ ok: false, error: "thread_not_found" });
    expect((await callJson(fake, "conversations.history", { channel: "C0ALERTS", cursor: "garbage" })).body).toEqual({ ok: false, error: "invalid_cursor" });
  });

  it("keeps threads: history shows only top-level messages newest first, replies lead with the parent", async () => {
    const fake = (api = await startFakeSlackApi());
    const parent = fake.seed("C0ALERTS", { text: "alert", timestamp: 1_700_000_000_000, isBot: true });
    fake.seed("C0ALERTS", { text: "reply 1", timestamp: 1_700_000_001_000, threadTs: parent });
    fake.seed("C0ALERTS", { text: "later", timestamp: 1_700_000_002_000 });
    const history = await callJson(fake, "conversations.history", { channel: "C0ALERTS" });
    expect((history.body["messages"] as Array<{ text: string }>).map((m) => m.text)).toEqual(["later", "alert"]);
    expect(history.body["messages"]).toContainEqual(expect.objectContaining({ text: "alert", reply_count: 1, thread_ts: parent }));
    const replies = await callJson(fake, "conversations.replies", { channel: "C0ALERTS", ts: parent, oldest: "1700000000.500000" });
    expect((replies.body["messages"] as Array<{ text: string }>).map((m) => m.text)).toEqual(["alert", "reply 1"]);
  });

  it("injects 429 with Retry-After and 5xx for the named method only, and records them", async () => {
    const fake = (api = await startFakeSlackApi());
    fake.failNext("chat.update", { kind: "rateLimited", retryAfterSeconds: 7 });
    fake.failNext("auth.test", { kind: "http", status: 503 });
    expect((await callJson(fake, "conversations.history", { channel: "C0ALERTS" })).status).toBe(200);
    const limited = await fetch(`${fake.url}chat.update`, { method: "POST", headers: { authorization: `Bearer ${fake.token}` }, body: "" });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await fetch(`${fake.url}auth.test`, { method: "POST", body: "" })).status).toBe(503);
    expect((await callJson(fake, "auth.test", {})).status).toBe(200);
    expect(fake.calls().map((c) => `${c.method} ${c.status}`)).toEqual(["conversations.history 200", "chat.update 429", "auth.test 503", "auth.test 200"]);
  });
  it("enforces Slack's documented block limits at their exact bounds, and cuts text over 40,000 characters with a warning", async () => {
    const fake = (api = await startFakeSlackApi());
    const post = (body: Record<string, unknown>) => callJson(fake, "chat.postMessage", { channel: "C0ALERTS", ...body }).then((r) => r.body);
    const section = (n: number) => ({ type: "section", text: { type: "mrkdwn", text: "s".repeat(n) } });
    const header = (n: number) => ({ type: "header", text: { type: "plain_text", text: "h".repeat(n) } });
    // Section text: 3,000 characters (Block Kit section block reference).
    expect(await post({ text: "t", blocks: [section(3000)] })).toMatchObject({ ok: true });
    expect(await post({ text: "t", blocks: [section(3001)] })).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
      response_metadata: { messages: ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"] }
    });
    expect(await post({ text: "t", blocks: [section(0)] })).toMatchObject({ ok: false, error: "invalid_blocks" });
    // Header text: 150 characters (Block Kit header block reference).
    expect(await post({ text: "t", blocks: [header(150)] })).toMatchObject({ ok: true });
    expect(await post({ text: "t", blocks: [header(151)] })).toMatchObject({ ok: false, error: "invalid_blocks", errors: ["must be less than 151 characters [json-pointer:/blocks/0/text/text]"] });
    // 50 blocks a message (chat.postMessage reference).
    expect(await post({ text: "t", blocks: Array.from({ length: 50 }, () => ({ type: "divider" })) })).toMatchObject({ ok: true });
    expect(await post({ text: "t", blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) })).toMatchObject({ ok: false, error: "invalid_blocks" });
    // About 12,000 characters of block text together: msg_blocks_too_long (slackapi/bolt-js#2509).
    expect(await post({ text: "t", blocks: [section(3000), section(3000), section(3000), section(2850), header(150)] })).toMatchObject({ ok: true });
    expect(await post({ text: "t", blocks: [section(3000), section(3000), section(3000), section(2851), header(150)] })).toEqual({ ok: false, error: "msg_blocks_too_long" });
    // Context elements are text objects of at most 3,000 characters; unknown block types are refused.
    expect(await post({ text: "t", blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: "c".repeat(3001) }] }] })).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(await post({ text: "t", blocks: [{ type: "carousel" }] })).toMatchObject({ ok: false, error: "invalid_blocks" });
    // The text field is cut at 40,000 characters and posted with a warning (Slack changelog, August 2018).
    expect(await post({ text: "x".repeat(40_000) })).toMatchObject({ ok: true, message: { text: "x".repeat(40_000) } });
    expect(await post({ text: "y".repeat(40_001) })).toMatchObject({ ok: true, message: { text: "y".repeat(40_000) }, response_metadata: { warnings: ["message_truncated"] } });
    // chat.update is held to the same limits.
    const posted = await post({ text: "progress" });
    expect((await callJson(fake, "chat.update", { channel: "C0ALERTS", ts: posted["ts"], text: "t", blocks: [section(3001)] })).body).toMatchObject({ ok: false, error: "invalid_blocks" });
    const refused = fake.calls().filter((c) => c.error !== undefined).map((c) => c.error);
    expect(refused).toEqual(["invalid_blocks", "invalid_blocks", "invalid_blocks", "invalid_blocks", "msg_blocks_too_long", "invalid_blocks", "invalid_blocks", "invalid_blocks"]);
    expect(fake.calls().filter((c) => c.warnings !== undefined).map((c) => c.warnings)).toEqual([["message_truncated"]]);
  });
});
