import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeDiscordApi, type FakeDiscordApi } from "./fakeDiscordApi.js";

describe("the fake Discord API speaks Discord's REST v10 wire format", () => {
  let fake: FakeDiscordApi;
  let channelId: string;
  beforeEach(async () => {
    fake = await startFakeDiscordApi();
    channelId = fake.createChannel();
  });
  afterEach(() => fake.close());
  const request = async (method: string, path: string, body?: unknown, auth: string | null = `Bot ${fake.token}`) => {
    const res = await fetch(`${fake.url}/v10${path}`, {
      method,
      headers: { ...(auth === null ? {} : { authorization: auth }), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    });
    return { status: res.status, headers: res.headers, json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };

  it("requires the bot token and answers Discord's error bodies", async () => {
    expect((await request("GET", `/channels/${channelId}`, undefined, null)).status).toBe(401);
    expect((await request("GET", `/channels/${channelId}`, undefined, "Bot nope")).json).toEqual({ message: "401: Unauthorized", code: 0 });
    expect((await request("GET", `/channels/1/messages/2`)).json).toMatchObject({ code: 10003, message: "Unknown Channel" });
    expect((await request("GET", `/channels/${channelId}/messages/2`)).json).toMatchObject({ code: 10008, message: "Unknown Message" });
    const tooLong = await request("POST", `/channels/${channelId}/messages`, { content: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toMatchObject({ code: 50035, errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } });
    expect((await request("POST", `/channels/${channelId}/messages`, { content: "" })).json).toMatchObject({ code: 50006 });
    expect((await request("POST", `/channels/${channelId}/messages`, { content: "hi", message_reference: { message_id: "123" } })).json).toMatchObject({
      code: 50035,
      errors: { message_reference: { _errors: [{ code: "REPLIES_UNKNOWN_MESSAGE" }] } }
    });
  });

  it("creates replies, de-duplicates by enforced nonce, and lists pages newest first", async () => {
    const anchor = fake.seedMessage(channelId, { content: "alert", timestamp: 1_700_000_000_000 });
    const reply = await request("POST", `/channels/${channelId}/messages`, { content: "one", nonce: "n1", enforce_nonce: true, message_reference: { message_id: anchor } });
    expect(reply.json).toMatchObject({ type: 19, content: "one", author: { id: fake.botUserId, bot: true }, message_reference: { message_id: anchor, channel_id: channelId } });
    const again = await request("POST", `/channels/${channelId}/messages`, { content: "one", nonce: "n1", enforce_nonce: true });
    expect(again.json?.["id"]).toBe(reply.json?.["id"]);
    const page = await request("GET", `/channels/${channelId}/messages?after=0&limit=2`);
    expect((page.json as unknown as Array<{ content: string }>).map((m) => m.content)).toEqual(["one", "alert"]);
    expect((await request("GET", `/channels/${channelId}/messages?limit=101`)).status).toBe(400);
    expect(reply.headers.get("x-ratelimit-bucket")).not.toBeNull();
  });

  it("injects 429s with Discord's headers and body, then 5xx", async () => {
    fake.rateLimitNext(1, { retryAfterSeconds: 1.5, global: true });
    fake.failNext(1, 503);
    const limited = await request("GET", `/channels/${channelId}`);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ retry_after: 1.5, global: true });
    expect(limited.headers.get("retry-after")).toBe("1.5");
    expect(limited.headers.get("x-ratelimit-global")).toBe("true");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await request("GET", `/channels/${channelId}`)).status).toBe(503);
    expect((await request("GET", `/channels/${channelId}`)).status).toBe(200);
    expect(fake.calls().map((c) => c.status)).toEqual([429, 503, 200]);
  });
});
