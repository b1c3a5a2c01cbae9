import { Effect, Result } from "effect";
import nacl from "tweetnacl";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeDiscordInteraction } from "./decodeDiscordInteraction.js";
import { makeDiscordChat } from "./DiscordChat.js";
import { makeDiscordInteractionResponder } from "./DiscordInteractionResponder.js";
import { startFakeDiscordApi, type FakeDiscordApi } from "./testing/fakeDiscordApi.js";
import { verifyDiscordRequest } from "./verifyDiscordRequest.js";

const run = Effect.runPromise;
const keys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const TOKEN = "aW50ZXJhY3Rpb246MTE3MTIzNDU2Nzg5MDEyMzQ1Ng.interaction-token-xyz";

describe("interaction follow-ups through the fake Discord API", () => {
  let fake: FakeDiscordApi;
  let channelId: string;
  beforeEach(async () => {
    fake = await startFakeDiscordApi();
    channelId = fake.createChannel();
  });
  afterEach(() => fake.close());
  const responder = () => makeDiscordInteractionResponder({ applicationId: fake.applicationId, api: fake.url, retryBaseDelay: "5 millis" });

  it("verifies, decodes and defers the Investigate action, then edits the original response and follows up", async () => {
    const alert = fake.seedMessage(channelId, { content: "[FIRING:1] HighLatency checkout p99 > 2s", bot: true });
    const body = JSON.stringify({
      id: String((BigInt(Date.now()) - 1_420_070_400_000n) << 22n),
      application_id: fake.applicationId,
      type: 2,
      token: TOKEN,
      version: 1,
      guild_id: fake.guildId,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: fake.guildId },
      member: { user: { id: "1000000000000000006", username: "oncall", global_name: null } },
      data: { id: "1166000000000000200", name: "Investigate", type: 3, target_id: alert, resolved: { messages: { [alert]: fake.message(channelId, alert) } } }
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = hex(nacl.sign.detached(new TextEncoder().encode(timestamp + body), keys.secretKey));
    const verified = verifyDiscordRequest({ publicKeyHex: hex(keys.publicKey), headers: { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp }, rawBody: body });
    expect(Result.isSuccess(verified)).toBe(true);
    const decoded = decodeDiscordInteraction(body, { applicationId: fake.applicationId });
    if (Result.isFailure(decoded) || decoded.success._tag !== "Deferred") throw new Error("expected a deferred interaction");
    const { event, response, target } = decoded.success;
    expect(response).toEqual({ type: 5 });
    expect(target?.text).toBe("[FIRING:1] HighLatency checkout p99 > 2s");
    expect(event.request).toMatchObject({ command: "investigate", channelId, targetMessageId: alert });
    fake.acceptInteraction(TOKEN, channelId, response);
    expect(fake.interactionMessages(TOKEN)[0]?.flags).toBe(128);

    const chat = makeDiscordChat({ token: fake.token, api: fake.url });
    expect((await run(chat.readMessage(event.request.channelId, event.request.targetMessageId ?? ""))).text).toContain("HighLatency");
    const report = `@everyone report\n${"evidence line\n".repeat(300)}end`;
    const original = await run(responder().editOriginal(event.replyHandle ?? "", { text: report }));
    const messages = fake.interactionMessages(TOKEN);
    expect(original.messageId).toBe(messages[0]?.id);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages[0]?.flags).toBe(0);
    for (const m of messages) {
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect(m.content).not.toMatch(/@everyone/);
      expect(m.allowed_mentions).toEqual({ parse: [] });
    }
    expect(messages.at(-1)?.content.endsWith("end")).toBe(true);
    const webhookCalls = fake.calls().filter((c) => c.path.startsWith("/webhooks/"));
    expect(webhookCalls.every((c) => c.auth === "missing")).toBe(true);
  });

  it("sends ephemeral follow-ups and waits out a 429 on the webhook", async () => {
    fake.acceptInteraction(TOKEN, channelId, { type: 5 });
    fake.rateLimitNext(1, { retryAfterSeconds: 0.05 });
    const posted = await run(responder().followUp(TOKEN, { text: "Only you can see this" }, { ephemeral: true }));
    const message = fake.interactionMessages(TOKEN).find((m) => m.id === posted.messageId);
    expect(message?.flags).toBe(64);
    expect(fake.calls().filter((c) => c.status === 429).length).toBe(1);
  });

  it("fails an expired or unknown interaction as not found without leaking its token", async () => {
    const e = await run(Effect.flip(responder().editOriginal(TOKEN, { text: "late" })));
    expect(e).toMatchObject({ notFound: true, retryable: false });
    expect(e.message).not.toContain(TOKEN);
    const malformed = await run(Effect.flip(responder().followUp("../../channels/1/messages", { text: "x" })));
    expect(malformed.reason).toMatch(/malformed/);
    expect(fake.calls().length).toBe(1);
  });
});
