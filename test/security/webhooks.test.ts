/**
 * The alert webhooks and the chat commands as an attacker reaches them: through `serve`'s own
 * composition (buildApp) and HTTP server on loopback, with the fake Slack Web API recording
 * everything the bot posts through the official client.
 *
 * - Webhook auth is required unless explicitly disabled; a half-set or empty credential is a
 *   startup error naming what is missing; unauthenticated requests get 401 with a working link.
 * - Alert text reaches Slack escaped (no pings, no disguised links) and redacted.
 * - One delivery cannot start unbounded work: 10,000 alerts are answered at once and at most
 *   `intake.max_alerts_per_payload` are posted and investigated.
 * - A signed slash command replayed within Slack's signature window runs once.
 * - Every signed chat route refuses a forged request with 401 before anything runs.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signSlackRequest } from "@sre-on-call/adapters";
import { type FakeDiscordApi, startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import type { AlertContext } from "@sre-on-call/core";
import { type App, buildApp } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { type RunningServer, startHttpServer } from "@sre-on-call/deploy/http/startHttpServer";
import { resolveWebhookAuth } from "@sre-on-call/deploy/runtime/buildChats";
import { WEBHOOK_AUTH_DOC } from "@sre-on-call/deploy/server/intakeHandler";
import { Effect, Result } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "webhook-security-test-token-3f9a";
const SIGNING_SECRET = "0123456789abcdef0123456789abcdef";
const PLANTED_KEY = "AKIAQWERTYUIOPASDFGH";

const configOf = (dir: string, extra = "") => {
  const parsed = parseConfigText(
    [`store: { directory: ${JSON.stringify(join(dir, "state"))} }`, "routing: { default: { platform: slack, channel: C0ALERTS } }", "classifier: { chatter_hint: false }", extra].join("\n"),
    "test"
  );
  if (Result.isFailure(parsed)) throw parsed.failure;
  return parsed.success;
};

let slack: FakeSlackApi;
let discord: FakeDiscordApi;
beforeAll(async () => {
  slack = await startFakeSlackApi();
  discord = await startFakeDiscordApi();
});
afterAll(async () => {
  await slack.close();
  await discord.close();
});

interface Running {
  readonly app: App;
  readonly server: RunningServer;
  readonly dispatched: Array<AlertContext>;
  readonly dir: string;
}
const started: Array<Running> = [];
afterEach(async () => {
  for (const r of started.splice(0)) {
    await r.server.close();
    await r.app.close();
    await rm(r.dir, { recursive: true, force: true });
  }
});

const start = async (env: Readonly<Record<string, string>>, extraConfig = ""): Promise<Running> => {
  const dir = await mkdtemp(join(tmpdir(), "sec-webhooks-"));
  const dispatched: Array<AlertContext> = [];
  const app = await buildApp({
    config: configOf(dir, extraConfig),
    env: { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, ...env },
    cwd: dir,
    log: () => undefined,
    consoleWrite: () => undefined,
    logLine: () => undefined,
    // The investigation itself is not under test here: what intake starts is.
    dispatch: (alert) => Effect.sync(() => void dispatched.push(alert))
  });
  // A raised body limit, as the operator who saw a 10,000-alert group would set it.
  const server = await startHttpServer({ handler: app.handler, host: "127.0.0.1", port: 0, maxBodyBytes: 16 * 1024 * 1024 });
  const running = { app, server, dispatched, dir };
  started.push(running);
  return running;
};

const alertmanagerPayload = (alerts: ReadonlyArray<{ readonly fingerprint: string; readonly summary?: string; readonly generatorURL?: string; readonly severity?: string }>) => ({
  version: "4",
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status: "firing",
  receiver: "sre-on-call",
  groupLabels: { alertname: "KubePodCrashLooping" },
  commonLabels: { alertname: "KubePodCrashLooping" },
  commonAnnotations: {},
  externalURL: "http://alertmanager.example.com",
  alerts: alerts.map((a) => ({
    status: "firing",
    labels: { alertname: "KubePodCrashLooping", namespace: "payments", pod: `api-${a.fingerprint}`, severity: a.severity ?? "critical" },
    annotations: { summary: a.summary ?? `Pod payments/api-${a.fingerprint} is crash looping` },
    startsAt: "2026-12-07T09:38:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: a.generatorURL ?? "http://prometheus.example.com/graph?g0.expr=up",
    fingerprint: a.fingerprint
  }))
});

const post = (server: RunningServer, path: string, body: unknown, headers: Readonly<Record<string, string>> = { authorization: `Bearer ${TOKEN}` }) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

const postedTexts = (since: number) =>
  slack
    .calls()
    .slice(since)
    .filter((c) => c.method === "chat.postMessage")
    .map((c) => String(c.args["text"] ?? ""));

describe("alert webhooks are authenticated unless explicitly disabled", () => {
  it("serve refuses to start with open webhooks, naming what to set and where it is documented", async () => {
    await expect(start({})).rejects.toThrow(/SRE_WEBHOOK_TOKEN .* SRE_WEBHOOK_USERNAME and SRE_WEBHOOK_PASSWORD .*intake\.webhook_auth: disabled.*docs\/configuration\.md#alert-webhook-authentication/);
    await expect(start({ SRE_WEBHOOK_USERNAME: "alertmanager" })).rejects.toThrow(/SRE_WEBHOOK_USERNAME is set but SRE_WEBHOOK_PASSWORD is not/);
    await expect(start({ SRE_WEBHOOK_USERNAME: "alertmanager", SRE_WEBHOOK_PASSWORD: "" })).rejects.toThrow(/SRE_WEBHOOK_PASSWORD is empty/);
    await expect(start({ SRE_WEBHOOK_TOKEN: "short" })).rejects.toThrow(/at least 16 characters/);
  });

  it("the error messages never carry a credential", async () => {
    const err = await start({ SRE_WEBHOOK_TOKEN: "tooshort1", SRE_WEBHOOK_PASSWORD: "hunter2hunter2" }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toMatch(/tooshort1|hunter2/);
  });

  it("answers 401 without credentials or with wrong ones, on both routes, and the link in the answer exists", async () => {
    const { server, dispatched } = await start({ SRE_WEBHOOK_TOKEN: TOKEN });
    const payload = alertmanagerPayload([{ fingerprint: "a1" }]);
    for (const path of ["/webhooks/alertmanager", "/webhooks/grafana"]) {
      for (const headers of [{}, { authorization: "Bearer wrong-token-0123456789" }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }]) {
        const res = await post(server, path, payload, headers);
        expect(res.status).toBe(401);
        const body = (await res.json()) as { error: { message: string } };
        expect(body.error.message).toContain(WEBHOOK_AUTH_DOC);
        expect(body.error.message).not.toContain(TOKEN);
      }
    }
    expect(dispatched).toHaveLength(0);
    const [file, anchor] = WEBHOOK_AUTH_DOC.split("#") as [string, string];
    const headings = readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .map((l) => l.replace(/^#+\s*/, "").toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-"));
    expect(headings).toContain(anchor);
  });

  it("basic auth works as Alertmanager's http_config sends it, and only the exact pair", async () => {
    const { server, dispatched } = await start({ SRE_WEBHOOK_USERNAME: "alertmanager", SRE_WEBHOOK_PASSWORD: "correct horse battery" });
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
    expect((await post(server, "/webhooks/alertmanager", alertmanagerPayload([{ fingerprint: "b1" }]), basic("alertmanager", "correct horse"))).status).toBe(401);
    expect((await post(server, "/webhooks/alertmanager", alertmanagerPayload([{ fingerprint: "b1" }]), basic("alertmanager", "correct horse battery"))).status).toBe(200);
    expect(dispatched).toHaveLength(1);
  });

  it("disabled webhooks answer 404; explicitly opened ones accept anyone but mark the alert unauthenticated", async () => {
    const disabled = await start({}, "intake: { webhook_auth: disabled }");
    expect((await post(disabled.server, "/webhooks/alertmanager", alertmanagerPayload([{ fingerprint: "c1" }]), {})).status).toBe(404);
    const open = await start({}, "intake: { webhook_auth: none }");
    expect((await post(open.server, "/webhooks/alertmanager", alertmanagerPayload([{ fingerprint: "c2" }]), {})).status).toBe(200);
    expect(open.dispatched[0]?.authenticatedSource).toBe(false);
    const authed = await start({ SRE_WEBHOOK_TOKEN: TOKEN });
    expect((await post(authed.server, "/webhooks/alertmanager", alertmanagerPayload([{ fingerprint: "c3" }]))).status).toBe(200);
    // Only an authenticated sender's expressions may be run against internal systems.
    expect(authed.dispatched[0]?.authenticatedSource).toBe(true);
  });

  it("on Lambda (a public function URL) opening the webhooks is refused, and a missing credential closes them", () => {
    expect(resolveWebhookAuth("none", {}, "lambda")).toMatchObject({ auth: { kind: "missing" }, problem: expect.stringMatching(/refused on AWS Lambda/) });
    expect(resolveWebhookAuth("required", {}, "lambda").auth.kind).toBe("missing");
    expect(resolveWebhookAuth("required", { SRE_WEBHOOK_TOKEN: TOKEN }, "lambda").auth).toEqual({ kind: "bearer", token: TOKEN });
    expect(resolveWebhookAuth("disabled", { SRE_WEBHOOK_TOKEN: TOKEN }, "lambda").auth.kind).toBe("disabled");
  });
});

describe("alert text posted to chat is escaped and redacted", () => {
  it("reaches the Slack API without live pings or disguised links, and with secrets redacted", async () => {
    const { server } = await start({ SRE_WEBHOOK_TOKEN: TOKEN });
    const before = slack.calls().length;
    const res = await post(
      server,
      "/webhooks/alertmanager",
      alertmanagerPayload([
        {
          fingerprint: "x1",
          summary: `<!channel> <!here> <#C0123> payments down, see <https://evil.example/x|Grafana dashboard> key ${PLANTED_KEY}`,
          generatorURL: "https://grafana.example.com@evil.example/graph"
        }
      ])
    );
    expect(res.status).toBe(200);
    const [text = ""] = postedTexts(before);
    expect(text).toMatch(/^🚨 /);
    expect(text).not.toMatch(/<!channel>|<!here>|<#C0123>|<https:\/\/evil\.example\/x\|/);
    expect(text).not.toContain(PLANTED_KEY);
    expect(text).toContain("|evil.example>");
  });
});

describe("one delivery starts bounded work", () => {
  it("answers a 10,000-alert delivery at once and posts and investigates at most the cap", async () => {
    const { server, dispatched } = await start({ SRE_WEBHOOK_TOKEN: TOKEN });
    const before = slack.calls().length;
    const alerts = Array.from({ length: 10_000 }, (_, i) => ({ fingerprint: `storm-${i}`, severity: i % 10 === 0 ? "critical" : "warning" }));
    const res = await post(server, "/webhooks/alertmanager", alertmanagerPayload(alerts));
    expect([200, 202]).toContain(res.status);
    // Whatever was still posting in the background settles well within this.
    for (let i = 0; i < 100 && postedTexts(before).length < 21; i++) await new Promise((r) => setTimeout(r, 50));
    const posts = postedTexts(before);
    expect(dispatched).toHaveLength(20);
    expect(dispatched.every((a) => a.entities.severity === "critical")).toBe(true);
    expect(posts).toHaveLength(21);
    expect(posts.filter((t) => t.startsWith("⚠️ 9980 alerts were not investigated"))).toHaveLength(1);
  });
});

describe("replayed signed commands", () => {
  it("a /sre-snapshot replayed with its valid signature runs once", async () => {
    const { server } = await start({ SRE_WEBHOOK_TOKEN: TOKEN });
    const body = new URLSearchParams({
      command: "/sre-snapshot",
      text: "",
      channel_id: "C0ALERTS",
      user_id: "U0ALICE",
      response_url: "https://hooks.slack.com/commands/T0/1/abc",
      trigger_id: "6912345678901.1234567890.replayreplayreplay"
    }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const send = () =>
      fetch(`${server.url}/slack/commands`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts, "x-slack-signature": signSlackRequest(SIGNING_SECRET, ts, body) },
        body
      });
    const before = slack.calls().length;
    const first = await send();
    expect(first.status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { text: string }).text).toMatch(/Already received/);
    // The snapshot was posted once: the replay posted nothing.
    const snapshots = postedTexts(before);
    expect(snapshots.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(postedTexts(before)).toEqual(snapshots);
  });
});

describe("forged requests to the signed chat routes", () => {
  const discordKeys = generateKeyPairSync("ed25519");
  const discordPublicKey = Buffer.from(discordKeys.publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("hex");
  const otherDiscordKey = generateKeyPairSync("ed25519").privateKey;

  const slackHeaders = (secret: string, body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { "x-slack-request-timestamp": ts, "x-slack-signature": signSlackRequest(secret, ts, body) };
  };
  const discordHeaders = (key: typeof otherDiscordKey, body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { "x-signature-timestamp": ts, "x-signature-ed25519": sign(null, Buffer.from(ts + body), key).toString("hex") };
  };

  const mention = JSON.stringify({
    type: "event_callback",
    event_id: "Ev0FORGED1",
    event: { type: "app_mention", channel: "C0ALERTS", user: "U0MALLORY", ts: "1765100000.000100", text: "<@U0SREBOT> investigate [FIRING] KubePodCrashLooping payments" }
  });
  const command = new URLSearchParams({ command: "/sre-snapshot", text: "", channel_id: "C0ALERTS", user_id: "U0MALLORY", trigger_id: "6912345678901.1.forged" }).toString();

  it("answers 401 on /slack/events, /slack/commands and /discord/interactions, runs nothing, and accepts the same request correctly signed", async () => {
    const { server, dispatched } = await start({
      SRE_WEBHOOK_TOKEN: TOKEN,
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_PUBLIC_KEY: discordPublicKey,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.url
    });
    const ping = JSON.stringify({ id: "1170000000000000009", application_id: discord.applicationId, type: 1, token: "t", version: 1 });
    const routes = [
      {
        path: "/slack/events",
        body: mention,
        type: "application/json",
        forgeries: [{}, slackHeaders("not-the-signing-secret-0123456789", mention), { ...slackHeaders(SIGNING_SECRET, mention), "x-slack-request-timestamp": "1500000000" }],
        genuine: slackHeaders(SIGNING_SECRET, mention)
      },
      {
        path: "/slack/commands",
        body: command,
        type: "application/x-www-form-urlencoded",
        forgeries: [{}, slackHeaders("not-the-signing-secret-0123456789", command), { "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)), "x-slack-signature": `v0=${"0".repeat(64)}` }],
        genuine: slackHeaders(SIGNING_SECRET, command)
      },
      {
        path: "/discord/interactions",
        body: ping,
        type: "application/json",
        forgeries: [{}, discordHeaders(otherDiscordKey, ping), { ...discordHeaders(discordKeys.privateKey, ping), "x-signature-timestamp": "1500000000" }],
        genuine: discordHeaders(discordKeys.privateKey, ping)
      }
    ];
    const slackBefore = slack.calls().length;
    const discordBefore = discord.calls().length;
    for (const route of routes) {
      for (const headers of route.forgeries) {
        const res = await fetch(`${server.url}${route.path}`, { method: "POST", headers: { "content-type": route.type, ...headers }, body: route.body });
        expect(res.status, `${route.path} with ${JSON.stringify(Object.keys(headers))}`).toBe(401);
      }
    }
    // Nothing reached the chat APIs or the investigation: the refusal came before decoding.
    expect(slack.calls().slice(slackBefore)).toEqual([]);
    expect(discord.calls().slice(discordBefore)).toEqual([]);
    expect(dispatched).toEqual([]);
    // The same requests signed with the right credentials pass verification on every route.
    for (const route of routes) {
      const res = await fetch(`${server.url}${route.path}`, { method: "POST", headers: { "content-type": route.type, ...route.genuine }, body: route.body });
      expect(res.status, route.path).toBe(200);
    }
  });
});
