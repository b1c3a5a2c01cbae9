/**
 * Discord interactions through the Lambda host: Ed25519-signed function URL events, the deferred
 * response inside Discord's 3 s window, the follow-up edit and the hand-off all finished before
 * the invocation returns, and the report posted when the investigate invocation arrives.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeDiscordApi, startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../config/loadConfig.js";
import { buildLambdaApp, type InvestigateResult, type LambdaApp } from "./buildLambdaApp.js";
import { createLambdaHandler, type LambdaHandler } from "./createLambdaHandler.js";
import type { FunctionUrlResult } from "./functionUrl.js";
import { type FakeLambdaApi, startFakeLambdaApi } from "./testing/fakeLambdaApi.js";
import { functionUrlEvent, lambdaContext } from "./testing/functionUrlEvents.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FUNCTION = "sre-on-call-intake";
const TOKEN = "aW50ZXJhY3Rpb246MTE3MTIzNDU2Nzg5MDEyMzQ1Ng.interaction-token-lambda";
const keys = generateKeyPairSync("ed25519");
const publicKeyHex = Buffer.from(keys.publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("hex");

let discord: FakeDiscordApi;
let lambda: FakeLambdaApi;
let app: Promise<LambdaApp>;
let handler: LambdaHandler;
let channelId: string;

const signedInteraction = (body: string, privateKey = keys.privateKey) => {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
  return functionUrlEvent({ path: "/discord/interactions", body, headers: { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp } });
};

const http = async (event: unknown) => (await handler(event, lambdaContext(20_000))) as FunctionUrlResult;

beforeAll(async () => {
  discord = await startFakeDiscordApi();
  lambda = await startFakeLambdaApi({ functions: [FUNCTION] });
  channelId = discord.createChannel();
  const config = parseConfigText(
    [
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      `store: { directory: ${JSON.stringify(mkdtempSync(join(tmpdir(), "sre-lambda-discord-")))} }`,
      "agents:",
      "  eks:",
      `    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }`
    ].join("\n"),
    "test config"
  );
  if (Result.isFailure(config)) throw config.failure;
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
  app = buildLambdaApp({
    config: config.success,
    env: {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_PUBLIC_KEY: publicKeyHex,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.url,
      SRE_INVESTIGATOR_FUNCTION: FUNCTION,
      SRE_LAMBDA_ENDPOINT: lambda.url,
      AWS_REGION: "us-east-1"
    },
    cwd: ROOT,
    log: () => undefined
  });
  handler = createLambdaHandler({ app, log: () => undefined });
});

afterAll(async () => {
  await (await app.catch(() => undefined))?.close();
  await lambda?.close();
  await discord?.close();
});

describe("Discord through the Lambda handler", () => {
  it("answers PING with PONG and rejects a request signed with another key", async () => {
    const ping = JSON.stringify({ id: "1170000000000000001", application_id: discord.applicationId, type: 1, token: "t", version: 1 });
    const pong = await http(signedInteraction(ping));
    expect(pong.statusCode).toBe(200);
    expect(JSON.parse(pong.body)).toEqual({ type: 1 });
    const forged = await http(signedInteraction(ping, generateKeyPairSync("ed25519").privateKey));
    expect(forged.statusCode).toBe(401);
  });

  it("defers the Investigate action, follows up and hands off before returning; the investigate invocation posts the report", async () => {
    const alert = discord.seedMessage(channelId, {
      content: "[FIRING:1] KubePodCrashLooping (payments payments-db-0 critical) Pod payments/payments-db-0 is crash looping",
      bot: true
    });
    const body = JSON.stringify({
      id: String((BigInt(Date.now()) - 1_420_070_400_000n) << 22n),
      application_id: discord.applicationId,
      type: 2,
      token: TOKEN,
      version: 1,
      guild_id: discord.guildId,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: discord.guildId },
      member: { user: { id: "1000000000000000006", username: "oncall", global_name: null } },
      data: { id: "1166000000000000200", name: "Investigate", type: 3, target_id: alert, resolved: { messages: { [alert]: discord.message(channelId, alert) } } }
    });
    discord.acceptInteraction(TOKEN, channelId, { type: 5 });
    const res = await http(signedInteraction(body));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ type: 5 });

    // Everything the deferred answer promised happened inside the invocation.
    const handedOff = lambda.invocations();
    expect(handedOff).toHaveLength(1);
    expect(handedOff[0]!.payload).toMatchObject({ kind: "investigate", platform: "discord", channel: channelId, alert: { messageId: alert, source: "discord" } });
    expect(discord.interactionMessages(TOKEN)[0]?.content).toMatch(/^Investigating \(`inv-/);

    const before = discord.calls().filter((c) => c.method === "POST" && c.path.startsWith("/channels/")).length;
    const result = (await handler(handedOff[0]!.payload, lambdaContext(60_000))) as InvestigateResult;
    expect(result).toMatchObject({ ok: true, outcome: "reported" });
    const posts = discord.calls().filter((c) => c.method === "POST" && c.path.startsWith("/channels/"));
    expect(posts.length).toBeGreaterThan(before);
    expect(posts.slice(before).map((c) => JSON.stringify(c.body)).join("\n")).toMatch(/payments-db/);
  });
});
