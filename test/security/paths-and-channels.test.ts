/**
 * Text from an alert, a chat message or a model's tool call never reaches a file outside the
 * data the operator configured (a cluster dump, a log directory), and a chat command never
 * reads or posts in a channel other than its own (or one the operator allowed).
 *
 * Paths: names as `../../x`, absolute paths, NUL bytes and encoded separators are refused as
 * "not found" with the naming rule, and symbolic links that resolve outside the dump or the log
 * directory are not followed; a secret planted next to the data never shows up anywhere.
 *
 * Channels: signed requests through the real intake handler (the same `buildChats` wiring as
 * `serve` and the Lambda), against in-repo fakes of the Discord and Slack Web APIs that record
 * every call: nothing is read from or posted to the other channel.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signSlackRequest } from "@sre-on-call/adapters";
import { type FakeDiscordApi, startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { eksTools, makeDumpClusterSource, makeEksSpecialist, makeOfflineLogsSpecialist, makeOfflineLogsTools } from "@sre-on-call/agents";
import { makeAlert } from "@sre-on-call/agents/eks/testing/makeAlert";
import { paymentsOutageFixture } from "@sre-on-call/agents/eks/testing/paymentsOutage";
import { writeClusterDump } from "@sre-on-call/agents/eks/testing/writeClusterDump";
import { type AlertContext, type AgentTool, makeIntake, type ToolError } from "@sre-on-call/core";
import { makeInMemoryDedupStore } from "@sre-on-call/core/testing";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import type { HttpRequest, HttpResponse } from "@sre-on-call/deploy/http/HttpExchange";
import { buildChats } from "@sre-on-call/deploy/runtime/buildChats";
import { makeIntakeHandler } from "@sre-on-call/deploy/server/intakeHandler";
import { Effect, Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SECRET = "SECRET-OUTSIDE-7f3a";
const T = Date.parse("2026-03-12T14:20:00Z");

const runTool = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, alert: AlertContext) =>
  Effect.runPromise(Effect.result(tools.find((t) => t.name === name)!.run(input, { alert, deadline: Date.now() + 10_000 })));

describe("paths: names from alerts and tool calls stay inside the configured data", () => {
  let root: string;
  let dump: string;
  let logs: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "sec-paths-"));
    dump = join(root, "dump");
    logs = join(root, "logs");
    const outside = join(root, "outside");
    await writeClusterDump(paymentsOutageFixture(), dump);
    // Something an attacker would like read: a namespace-shaped directory and files next to the dump.
    await mkdir(join(outside, "leaked-0"), { recursive: true });
    await writeFile(join(outside, "pods.json"), JSON.stringify({ kind: "PodList", items: [{ metadata: { name: "leaked-0", namespace: "outside" }, status: { phase: "Failed", message: SECRET } }] }));
    await writeFile(join(outside, "events.json"), JSON.stringify({ kind: "EventList", items: [{ metadata: { name: "e", namespace: "outside" }, type: "Warning", reason: "Leak", message: SECRET }] }));
    await writeFile(join(outside, "leaked-0", "logs.txt"), `${SECRET}\n`);
    await writeFile(join(outside, "secret.log"), `2026-03-12T14:10:00.000Z ERROR ${SECRET}\n`);
    // Links inside the dump that point out of it: a namespace directory, a list file, a pod's log.
    await symlink(outside, join(dump, "linked"));
    await mkdir(join(dump, "store", "web-0"), { recursive: true });
    const started = "2026-03-12T14:00:00Z";
    await writeFile(
      join(dump, "store", "pods.json"),
      JSON.stringify({
        kind: "PodList",
        items: [
          {
            metadata: { name: "web-0", namespace: "store", uid: "u-web-0", creationTimestamp: started },
            spec: { containers: [{ name: "web", image: "web:1" }] },
            status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "web", ready: false, restartCount: 3, state: { running: { startedAt: started } } }] }
          }
        ]
      })
    );
    await symlink(join(outside, "leaked-0", "logs.txt"), join(dump, "store", "web-0", "logs.txt"));
    await mkdir(join(dump, "loose"));
    await symlink(join(outside, "events.json"), join(dump, "loose", "events.json"));
    // An offline log directory with a link to a file outside it.
    await mkdir(logs);
    await writeFile(join(logs, "payments-api.log"), "2026-03-12T14:10:00.000Z ERROR connection refused\n");
    await symlink(join(outside, "secret.log"), join(logs, "payments-db.log"));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const HOSTILE_NAMESPACES = ["../outside", "..", "/etc", "store/../../outside", "store\u0000", "..%2Foutside", "%2e%2e%2foutside", "..\\outside", "Outside"];

  it("the EKS specialist reads nothing for an alert naming a hostile namespace or pod, and says why", async () => {
    const specialist = makeEksSpecialist(makeDumpClusterSource(dump));
    for (const namespace of [...HOSTILE_NAMESPACES, join(root, "outside")]) {
      const alert = makeAlert({ labels: { alertname: "KubePodCrashLooping", namespace, pod: "../outside/leaked-0" }, at: T });
      const result = await Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 20_000 }));
      const text = JSON.stringify(result);
      expect(text).not.toContain(SECRET);
      expect(result.findings.some((f) => f.content.startsWith("Not read: the alert's namespace") && f.content.includes("is not a valid Kubernetes namespace name"))).toBe(true);
    }
  });

  it("symbolic links out of the dump are refused: the namespace, the list file and the pod's log", async () => {
    const specialist = makeEksSpecialist(makeDumpClusterSource(dump));
    for (const namespace of ["linked", "loose", "store"]) {
      const alert = makeAlert({ labels: { alertname: "KubePodCrashLooping", namespace }, at: T });
      const result = await Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 20_000 }));
      expect(JSON.stringify(result)).not.toContain(SECRET);
      expect(result.findings.some((f) => f.content.startsWith("Not read:") && f.content.includes("outside the cluster dump"))).toBe(true);
    }
  });

  it("agent mode: the model's tool arguments are Kubernetes names, and links out of the dump are refused", async () => {
    const tools = eksTools(makeDumpClusterSource(dump));
    const alert = makeAlert({ labels: { alertname: "X", namespace: "payments" }, at: T });
    for (const namespace of HOSTILE_NAMESPACES) {
      for (const [tool, input] of [
        ["pod_logs", { namespace, pod: "leaked-0" }],
        ["list_events", { namespace }],
        ["describe_workload", { namespace, name: "leaked-0" }]
      ] as const) {
        const out = await runTool(tools, tool, input, alert);
        expect(Result.isFailure(out) ? out.failure.reason : "accepted", `${tool} ${JSON.stringify(namespace)}`).toBe("invalid_input");
      }
    }
    const invalid = await runTool(tools, "pod_logs", { namespace: "payments", pod: "../../outside/leaked-0", container: "../x" }, alert);
    expect(Result.isFailure(invalid) ? invalid.failure.reason : "accepted").toBe("invalid_input");
    for (const [tool, input] of [
      ["list_events", { namespace: "linked" }],
      ["list_events", { namespace: "loose" }],
      ["pod_logs", { namespace: "store", pod: "web-0", container: "web" }]
    ] as const) {
      const out = await runTool(tools, tool, input, alert);
      expect(Result.isFailure(out)).toBe(true);
      const error = (Result.isFailure(out) ? out.failure : undefined) as ToolError | undefined;
      expect(error?.detail).toContain("outside the cluster dump");
      expect(JSON.stringify(out)).not.toContain(SECRET);
    }
  });

  it("offline logs: a link out of the directory is reported, not read; group names from the alert or the model are never paths", async () => {
    const alert = makeAlert({ labels: { alertname: "PaymentsApiErrors", namespace: "payments", deployment: "payments-db", log_group: "../outside/secret" }, at: T });
    const result = await Effect.runPromise(makeOfflineLogsSpecialist(logs).investigate(alert, { deadline: Date.now() + 10_000 }));
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).toContain("links outside the log directory");
    const tools = makeOfflineLogsTools(logs);
    for (const group of ["payments-db", "../outside/secret", join(root, "outside", "secret"), "/etc/passwd"]) {
      const out = await runTool(tools, "search_logs", { log_group: group, minutes: 60 }, alert);
      expect(JSON.stringify(out)).not.toContain(SECRET);
    }
    const nul = await runTool(tools, "search_logs", { log_group: "payments-db\u0000", minutes: 60 }, alert);
    expect(Result.isFailure(nul) ? nul.failure.reason : "accepted").toBe("invalid_input");
  });
});

describe("channels: a chat command reads and answers only where it was run", () => {
  const keys = generateKeyPairSync("ed25519");
  const publicKeyHex = Buffer.from(keys.publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("hex");
  const SIGNING_SECRET = "slack-signing-secret-for-tests";
  let discord: FakeDiscordApi;
  let slack: FakeSlackApi;
  let handler: (req: HttpRequest) => Promise<HttpResponse>;
  let pending: Array<Promise<unknown>>;
  let launched: Array<AlertContext>;
  let alerts: string;
  let secret: string;
  let allowed: string;

  beforeAll(async () => {
    discord = await startFakeDiscordApi();
    slack = await startFakeSlackApi({ channels: ["C0ALERTS", "C0SECRET"] });
    alerts = discord.createChannel({ name: "alerts" });
    secret = discord.createChannel({ name: "security-incidents" });
    allowed = discord.createChannel({ name: "alerts-archive" });
    const config = parseConfigText(`intake:\n  discord_allowed_link_channels: ['${allowed}']\n`, "config.yaml");
    if (Result.isFailure(config)) throw config.failure;
    const env = {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_PUBLIC_KEY: publicKeyHex,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url
    };
    const chats = await buildChats(config.success, env, () => undefined, () => undefined);
    launched = [];
    pending = [];
    const intake = makeIntake({ chats: chats.chats, dedup: makeInMemoryDedupStore(), launch: (alert) => Effect.sync(() => void launched.push(alert)) });
    handler = makeIntakeHandler({
      intake,
      ...(chats.slack !== undefined ? { slack: chats.slack } : {}),
      ...(chats.discord !== undefined ? { discord: chats.discord } : {}),
      slackApiUrl: slack.url,
      webhookAuth: { kind: "none" },
      background: (work) => void pending.push(Effect.runPromise(work))
    });
  });

  afterAll(async () => {
    await discord?.close();
    await slack?.close();
  });

  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };

  const request = (path: string, body: string, headers: Record<string, string>): HttpRequest => ({
    method: "POST",
    path,
    query: new URLSearchParams(),
    headers,
    rawBody: Buffer.from(body),
    receivedAt: Date.now()
  });

  let tokens = 0;
  const interaction = (data: Record<string, unknown>) => {
    const token = `aW50ZXJhY3Rpb24.channel-probe-${++tokens}`;
    const body = JSON.stringify({
      id: String((BigInt(Date.now()) - 1_420_070_400_000n) << 22n),
      application_id: discord.applicationId,
      type: 2,
      token,
      version: 1,
      guild_id: discord.guildId,
      channel_id: alerts,
      channel: { id: alerts, type: 0, guild_id: discord.guildId },
      member: { user: { id: "1000000000000000006", username: "member", global_name: null } },
      data
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), keys.privateKey).toString("hex");
    return { token, req: request("/discord/interactions", body, { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp }) };
  };

  const touched = (channel: string, since: number) => discord.calls().slice(since).filter((c) => c.path.includes(`/channels/${channel}`));

  it("Discord /investigate with a link to another channel is refused ephemerally: nothing is read from or posted there", async () => {
    const target = discord.seedMessage(secret, { content: "[FIRING:1] SecretRotationFailed (vault) credentials leaked", bot: true });
    const before = discord.calls().length;
    const postsBefore = discord.messages(secret).length;
    for (const command of ["investigate", "postmortem"]) {
      const { req } = interaction({ id: "1166000000000000100", name: command, type: 1, options: [{ name: "text", type: 3, value: `https://discord.com/channels/${discord.guildId}/${secret}/${target}` }] });
      const res = await handler(req);
      expect(res.status).toBe(200);
      const answer = JSON.parse(res.body) as { type: number; data: { content: string; flags: number } };
      expect(answer.type).toBe(4);
      expect(answer.data.flags).toBe(64);
      expect(answer.data.content).toContain("only read links to messages in this channel");
      expect(answer.data.content).toContain("intake.discord_allowed_link_channels");
    }
    await settle();
    expect(touched(secret, before)).toEqual([]);
    expect(discord.messages(secret)).toHaveLength(postsBefore);
    expect(launched.some((a) => a.channelId === secret)).toBe(false);
  });

  it("Discord message action on a message Discord resolves in another channel is refused the same way", async () => {
    const target = discord.seedMessage(secret, { content: "[FIRING:1] Another (vault)", bot: true });
    const before = discord.calls().length;
    const { req } = interaction({ id: "1166000000000000200", name: "Investigate", type: 3, target_id: target, resolved: { messages: { [target]: discord.message(secret, target) } } });
    const res = await handler(req);
    expect((JSON.parse(res.body) as { type: number }).type).toBe(4);
    await settle();
    expect(touched(secret, before)).toEqual([]);
  });

  it("a channel listed in intake.discord_allowed_link_channels is followed", async () => {
    const target = discord.seedMessage(allowed, { content: "[FIRING:1] KubePodCrashLooping (payments payments-db-0 critical) Pod payments/payments-db-0 is crash looping", bot: true });
    const before = discord.calls().length;
    const { token, req } = interaction({ id: "1166000000000000100", name: "investigate", type: 1, options: [{ name: "text", type: 3, value: `https://discord.com/channels/${discord.guildId}/${allowed}/${target}` }] });
    discord.acceptInteraction(token, alerts, { type: 5 });
    const res = await handler(req);
    expect(JSON.parse(res.body)).toEqual({ type: 5 });
    await settle();
    expect(touched(allowed, before).some((c) => c.method === "GET" && c.path === `/channels/${allowed}/messages/${target}`)).toBe(true);
    expect(launched.some((a) => a.channelId === allowed)).toBe(true);
    expect(touched(secret, before)).toEqual([]);
  });

  const slackEvent = (event: Record<string, unknown>, eventId: string) => {
    const body = JSON.stringify({ type: "event_callback", team_id: "T0FAKE", api_app_id: "A0FAKE", event_id: eventId, event_time: Math.floor(Date.now() / 1000), authorizations: [{ user_id: slack.bot.userId, is_bot: true }], event });
    const stamp = String(Math.floor(Date.now() / 1000));
    return request("/slack/events", body, { "content-type": "application/json", "x-slack-request-timestamp": stamp, "x-slack-signature": signSlackRequest(SIGNING_SECRET, stamp, body) });
  };
  const slackChannelsUsed = (since: number) => [...new Set(slack.calls().slice(since).map((c) => c.args["channel"]).filter((c) => c !== undefined))];

  it("Slack: the reaction trigger and a thread mention read only the event's own channel", async () => {
    const alert = slack.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping (payments payments-db-0 critical)", isBot: true });
    slack.seed("C0SECRET", { text: "[FIRING:1] SecretRotationFailed credentials leaked", isBot: true });
    const before = slack.calls().length;
    expect((await handler(slackEvent({ type: "reaction_added", user: "U0ALICE", reaction: "eyes", item: { type: "message", channel: "C0ALERTS", ts: alert }, event_ts: `${Math.floor(Date.now() / 1000)}.000100` }, "Ev0REACT"))).status).toBe(200);
    const reply = slack.seed("C0ALERTS", { text: `<@${slack.bot.userId}> investigate this`, threadTs: alert, user: "U0BOB" });
    expect((await handler(slackEvent({ type: "app_mention", user: "U0BOB", text: `<@${slack.bot.userId}> investigate this`, channel: "C0ALERTS", ts: reply, thread_ts: alert, event_ts: reply }, "Ev0MENTION"))).status).toBe(200);
    await settle();
    expect(slackChannelsUsed(before)).toEqual(["C0ALERTS"]);
  });

  it("Slack: /investigate with a permalink to another channel does not read that channel", async () => {
    const other = slack.seed("C0SECRET", { text: "[FIRING:1] SecretRotationFailed credentials leaked", isBot: true });
    const before = slack.calls().length;
    const form = new URLSearchParams({
      team_id: "T0FAKE",
      channel_id: "C0ALERTS",
      user_id: "U0ALICE",
      command: "/investigate",
      text: `https://acme.slack.com/archives/C0SECRET/p${other.replace(".", "")}`,
      response_url: `${slack.url}response`
    }).toString();
    const stamp = String(Math.floor(Date.now() / 1000));
    const res = await handler(request("/slack/commands", form, { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": stamp, "x-slack-signature": signSlackRequest(SIGNING_SECRET, stamp, form) }));
    expect(res.status).toBe(200);
    await settle();
    expect(slackChannelsUsed(before).filter((c) => c !== "C0ALERTS")).toEqual([]);
  });
});
