/**
 * `sre-on-call serve` as a real process on a free port, with the fake Slack and Discord APIs:
 * signed Slack events (challenge, chatter, alert mention + retry, thread mention, reaction) and
 * signed Discord interactions (PING, /investigate with text, the Investigate message command).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signSlackRequest } from "@sre-on-call/adapters";
import { type FakeDiscordApi, startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "packages/deploy/src/cli/main.ts");
const SECRET = "e2e-signing-secret-0123456789abcdef";
const CHANNEL = "C0ALERTS";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const publicKeyHex = Buffer.from((publicKey.export({ format: "jwk" }) as { x: string }).x, "base64url").toString("hex");

let slack: FakeSlackApi;
let discord: FakeDiscordApi;
let discordChannel: string;
let server: ChildProcess;
let url: string;
let stderr = "";

const waitFor = async <T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n--- server stderr ---\n${stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  slack = await startFakeSlackApi({ channels: [CHANNEL] });
  discord = await startFakeDiscordApi();
  discordChannel = discord.createChannel();
  const dir = mkdtempSync(join(tmpdir(), "sre-serve-"));
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      // Slack and Discord only: no alert webhooks to authenticate.
      "intake: { webhook_auth: disabled }",
      `store: { directory: ${JSON.stringify(join(dir, "state"))} }`,
      "agents:",
      "  eks:",
      `    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }`
    ].join("\n")
  );
  server = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", "--config", config, "--port", "0"], {
    cwd: ROOT,
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_PUBLIC_KEY: publicKeyHex,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.url
    },
    stdio: ["ignore", "pipe", "pipe"]
  });
  server.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  url = await waitFor("the server to listen", () => /listening on (http:\/\/[^\s]+)/.exec(stderr)?.[1], 60_000);
}, 90_000);

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  await slack.close();
  await discord.close();
});

const postSlack = (body: string, headers: Record<string, string> = {}, path = "/slack/events", contentType = "application/json") => {
  const ts = String(Math.floor(Date.now() / 1000));
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": contentType, "x-slack-request-timestamp": ts, "x-slack-signature": signSlackRequest(SECRET, ts, body), ...headers },
    body
  });
};

const slackEvent = (eventId: string, event: Record<string, unknown>) =>
  JSON.stringify({
    token: "x",
    team_id: "T0FAKE",
    api_app_id: "A0APP",
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ user_id: slack.bot.userId, is_bot: true }],
    event
  });

const botReplies = (thread: string) => slack.messages(CHANNEL).filter((m) => m.thread_ts === thread && m.ts !== thread && m.bot_id !== undefined);
const isReport = (m: { text: string; blocks?: ReadonlyArray<unknown> }) => /Most likely cause|Root cause/i.test(m.text + JSON.stringify(m.blocks ?? []));

describe("sre-on-call serve (a real process) with Slack", () => {
  it("answers Slack's URL challenge", async () => {
    const res = await postSlack(JSON.stringify({ token: "x", challenge: "c-123", type: "url_verification" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: "c-123" });
  });

  it("a chatter mention gets one short hint and no investigation", async () => {
    const text = `<@${slack.bot.userId}> thanks, all good now`;
    const ts = slack.seed(CHANNEL, { user: "U0ALICE", text });
    const res = await postSlack(slackEvent("EvChat1", { type: "app_mention", user: "U0ALICE", text, ts, channel: CHANNEL, event_ts: ts }));
    expect(res.status).toBe(200);
    const hint = await waitFor("the hint", () => botReplies(ts)[0]);
    expect(hint.text).toMatch(/Not investigating/);
    await new Promise((r) => setTimeout(r, 500));
    expect(botReplies(ts)).toHaveLength(1);
  });

  it("an alert mention is acknowledged well under 3 s and answered with a report in its thread; Slack's retry starts nothing", async () => {
    const text = `<@${slack.bot.userId}> [FIRING:1] KubePodCrashLooping (payments payments-db-0 critical)`;
    const ts = slack.seed(CHANNEL, { user: "U0ALICE", text });
    const event = slackEvent("EvAlert1", { type: "app_mention", user: "U0ALICE", text, ts, channel: CHANNEL, event_ts: ts });
    const started = performance.now();
    const res = await postSlack(event);
    const ackMs = performance.now() - started;
    expect(res.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    const retry = await postSlack(event, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retry.status).toBe(200);
    const report = await waitFor("the report", () => botReplies(ts).find(isReport));
    expect(report.text + JSON.stringify(report.blocks ?? [])).toMatch(/payments-db/);
    await new Promise((r) => setTimeout(r, 500));
    expect(botReplies(ts).filter(isReport)).toHaveLength(1);
  });

  it("a mention in an alert's thread investigates the thread's parent", async () => {
    const parent = slack.seed(CHANNEL, { isBot: true, text: "[FIRING:1] KubeDeploymentReplicasMismatch payments/api (critical)" });
    const text = `<@${slack.bot.userId}> what is going on here?`;
    const ts = slack.seed(CHANNEL, { user: "U0BOB", text, threadTs: parent });
    const res = await postSlack(slackEvent("EvThread1", { type: "app_mention", user: "U0BOB", text, ts, thread_ts: parent, channel: CHANNEL, event_ts: ts }));
    expect(res.status).toBe(200);
    const report = await waitFor("the report in the parent's thread", () => botReplies(parent).find(isReport));
    expect(report.text + JSON.stringify(report.blocks ?? [])).toMatch(/payments/);
  });

  it("the reaction trigger investigates the message it is put on", async () => {
    const target = slack.seed(CHANNEL, { user: "U0CAROL", text: "payments/api pods keep restarting in namespace payments" });
    const res = await postSlack(
      slackEvent("EvReact1", { type: "reaction_added", user: "U0CAROL", reaction: "eyes", item: { type: "message", channel: CHANNEL, ts: target }, event_ts: String(Date.now() / 1000) })
    );
    expect(res.status).toBe(200);
    await waitFor("the report under the reacted message", () => botReplies(target).find(isReport));
  });

  it("/sre-snapshot posts every agent's health in the channel and tells the operator", async () => {
    const before = slack.messages(CHANNEL).length;
    const form = new URLSearchParams({
      token: "x",
      team_id: "T0FAKE",
      channel_id: CHANNEL,
      channel_name: "alerts",
      user_id: "U0ALICE",
      user_name: "alice",
      command: "/sre-snapshot",
      text: "",
      response_url: "https://hooks.slack.com/commands/T0FAKE/1/abc",
      trigger_id: "1.2.3"
    }).toString();
    const res = await postSlack(form, {}, "/slack/commands", "application/x-www-form-urlencoded");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toMatch(/Snapshot posted|Working on/);
    const posted = await waitFor("the snapshot", () => slack.messages(CHANNEL).slice(before).find((m) => /eks/.test(m.text + JSON.stringify(m.blocks ?? []))));
    expect(posted.thread_ts === undefined || posted.thread_ts === posted.ts).toBe(true);
  });

  it("refuses a forged request with 401 and an unknown route with 404", async () => {
    const forged = await fetch(`${url}/slack/events`, { method: "POST", headers: { "x-slack-request-timestamp": "1", "x-slack-signature": "v0=00" }, body: "{}" });
    expect(forged.status).toBe(401);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

const signDiscord = (body: string) => {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
  return { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp };
};

const interaction = (token: string, data: Record<string, unknown>, type = 2) =>
  JSON.stringify({
    id: String((BigInt(Date.now()) - 1_420_070_400_000n) << 22n),
    application_id: discord.applicationId,
    type,
    token,
    version: 1,
    guild_id: discord.guildId,
    channel_id: discordChannel,
    channel: { id: discordChannel, type: 0, guild_id: discord.guildId },
    member: { user: { id: "1000000000000000006", username: "oncall", global_name: null } },
    data
  });

describe("sre-on-call serve (a real process) with Discord", () => {
  it("answers PING with PONG and refuses a bad signature", async () => {
    const body = JSON.stringify({ id: "1", application_id: discord.applicationId, type: 1, token: "t", version: 1 });
    const pong = await fetch(`${url}/discord/interactions`, { method: "POST", headers: signDiscord(body), body });
    expect(pong.status).toBe(200);
    expect(await pong.json()).toEqual({ type: 1 });
    const bad = await fetch(`${url}/discord/interactions`, { method: "POST", headers: { ...signDiscord(body), "x-signature-ed25519": "00".repeat(64) }, body });
    expect(bad.status).toBe(401);
  });

  it("the Investigate message command is deferred inside 3 s, followed up, and the report replies to the alert", async () => {
    const alert = discord.seedMessage(discordChannel, { content: "[FIRING:1] KubePodCrashLooping payments/payments-db-0 (critical)", bot: true });
    const token = "aW50ZXJhY3Rpb246MTE3MTIzNDU2Nzg5MDEyMzQ1Ng.e2e-investigate-token";
    const body = interaction(token, { id: "1166000000000000200", name: "Investigate", type: 3, target_id: alert, resolved: { messages: { [alert]: discord.message(discordChannel, alert) } } });
    const started = performance.now();
    const res = await fetch(`${url}/discord/interactions`, { method: "POST", headers: signDiscord(body), body });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(200);
    const response = (await res.json()) as { type: number };
    expect(response.type).toBe(5);
    discord.acceptInteraction(token, discordChannel, response);
    await waitFor("the follow-up", () => discord.interactionMessages(token).find((m) => /Investigating/.test(m.content)));
    const report = await waitFor("the report", () =>
      discord.messages(discordChannel).find((m) => m.message_reference?.message_id === alert && /Most likely cause|Root cause/i.test(m.content))
    );
    expect(report.content).toMatch(/payments-db/);
    expect(report.content.length).toBeLessThanOrEqual(2000);
  });
});
