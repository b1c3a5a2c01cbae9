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
});
