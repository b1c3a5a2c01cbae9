/**
 * End to end on loopback: the real HTTP server, the Slack adapter against the fake Slack Web
 * API, the embedded store, the EKS specialist over the payments-outage cluster dump, the
 * orchestrator and the renderer. Alerts come in as a signed Slack event and as an Alertmanager
 * webhook; the report must land in the alert's thread, exactly once.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signSlackRequest } from "@sre-on-call/adapters";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { type App, buildApp } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { startHttpServer, type RunningServer } from "@sre-on-call/deploy/http/startHttpServer";
import { Result } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const CHANNEL = "C0ALERTS";

const waitFor = async <T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

let slack: FakeSlackApi;
let app: App;
let server: RunningServer;
let logs: Array<string>;

beforeEach(async () => {
  slack = await startFakeSlackApi({ channels: [CHANNEL, "C0PAYMENTS"] });
  const config = parseConfigText(
    [
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      `store: { directory: ${JSON.stringify(mkdtempSync(join(tmpdir(), "sre-e2e-")))} }`,
      "routing:",
      `  default: { platform: slack, channel: ${CHANNEL} }`,
      "  routes:",
      "    - { match: { namespace: payments }, platform: slack, channel: C0PAYMENTS }",
      "agents:",
      "  eks:",
      "    data_source: { cluster_dump: examples/payments-outage/cluster-dump }"
    ].join("\n"),
    "e2e config"
  );
  if (Result.isFailure(config)) throw config.failure;
  logs = [];
  app = await buildApp({
    config: config.success,
    env: { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, SRE_WEBHOOK_TOKEN: "am-secret-token-0123456789" },
    cwd: ROOT,
    log: (level, message, fields) => logs.push(JSON.stringify({ level, message, ...fields })),
    consoleWrite: () => undefined
  });
  server = await startHttpServer({ handler: app.handler });
});

afterEach(async () => {
  await server.close();
  await app.close();
  await slack.close();
});

const postSlack = (body: string, extraHeaders: Record<string, string> = {}) => {
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${server.url}/slack/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-slack-request-timestamp": String(ts), "x-slack-signature": signSlackRequest(SECRET, String(ts), body), ...extraHeaders },
    body
  });
};

const mentionEvent = (ts: string, text: string, eventId: string) =>
  JSON.stringify({
    token: "x",
    team_id: "T0FAKE",
    api_app_id: "A0APP",
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ user_id: slack.bot.userId, is_bot: true }],
    event: { type: "app_mention", user: "U0ALICE", text, ts, channel: CHANNEL, event_ts: ts }
  });

describe("intake end to end", () => {
  it("a signed Slack mention of an alert gets an evidence-backed report in its thread, once, despite Slack's retry", async () => {
    const text = `<@${slack.bot.userId}> [FIRING:1] KubePodCrashLooping (payments payments-db-0 critical) Pod payments/payments-db-0 is crash looping`;
    const ts = slack.seed(CHANNEL, { user: "U0ALICE", text });
    const started = Date.now();
    const res = await postSlack(mentionEvent(ts, text, "Ev0E2E1"));
    expect(res.status).toBe(200);
    const ackMs = Date.now() - started;
    expect(ackMs).toBeLessThan(3000);
    const retry = await postSlack(mentionEvent(ts, text, "Ev0E2E1"), { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retry.status).toBe(200);

    const report = await waitFor("the report in the thread", () =>
      slack.messages(CHANNEL).find((m) => m.thread_ts === ts && m.bot_id !== undefined && /hypothes|root cause/i.test(m.text + JSON.stringify(m.blocks ?? [])))
    );
    const all = report.text + JSON.stringify(report.blocks ?? []);
    expect(all).toMatch(/payments-db/);
    expect(all).toMatch(/No space left on device|volume|full/i);
    await new Promise((r) => setTimeout(r, 300));
    const announcements = slack.messages(CHANNEL).filter((m) => m.thread_ts === ts && m.bot_id !== undefined && /Investigating/i.test(m.text));
    expect(announcements.length).toBeLessThanOrEqual(1);
    expect(slack.calls().every((c) => c.method !== "chat.postMessage" || c.args["unfurl_links"] === false || c.args["unfurl_links"] === "false")).toBe(true);
  });

  it("rejects a bad signature with 401 and an unparseable body with 400, starting nothing", async () => {
    const body = mentionEvent("1.000001", "<@U0SREBOT> api down", "EvBad");
    const ts = Math.floor(Date.now() / 1000);
    const forged = await fetch(`${server.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": String(ts), "x-slack-signature": signSlackRequest("wrong-secret", String(ts), body) },
      body
    });
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain(SECRET);
    const garbage = await postSlack("{not json");
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    expect(app.runner.running()).toBe(0);
  });

  it("an Alertmanager webhook is posted to its routed channel and investigated in that thread; a re-send is not", async () => {
    const payload = readFileSync(join(ROOT, "examples/payments-outage/alert.json"), "utf8");
    const send = () => fetch(`${server.url}/webhooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer am-secret-token-0123456789" }, body: payload });
    const unauthorized = await fetch(`${server.url}/webhooks/alertmanager`, { method: "POST", body: payload });
    expect(unauthorized.status).toBe(401);
    const first = await send();
    expect(first.status).toBe(200);
    const body = (await first.json()) as { alerts: Array<{ result: string; threadId: string }> };
    expect(body.alerts[0]!.result).toBe("investigating");
    const thread = body.alerts[0]!.threadId;
    const second = await send();
    expect(((await second.json()) as { alerts: Array<{ result: string }> }).alerts[0]!.result).toBe("duplicate");

    const report = await waitFor("the report in the alert's thread", () =>
      slack.messages("C0PAYMENTS").find((m) => m.thread_ts === thread && /hypothes|root cause/i.test(m.text + JSON.stringify(m.blocks ?? [])))
    );
    expect(report.text + JSON.stringify(report.blocks ?? [])).toMatch(/payments-db/);
    expect(slack.messages("C0PAYMENTS").filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)).toHaveLength(1);

    const bad = await fetch(`${server.url}/webhooks/alertmanager`, { method: "POST", headers: { authorization: "Bearer am-secret-token-0123456789" }, body: '{"version":"4","alerts":[{"labels":"nope"}]}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/alerts\[0\]\.labels/);
  });

  it("a Grafana unified-alerting webhook is investigated the same way", async () => {
    const payload = readFileSync(join(ROOT, "packages/core/src/parse/fixtures/grafana-firing.json"), "utf8");
    const res = await fetch(`${server.url}/webhooks/grafana`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer am-secret-token-0123456789" }, body: payload });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { format: string; alerts: Array<{ result: string; threadId?: string; channelId?: string }> };
    expect(body.format).toBe("grafana");
    expect(body.alerts.some((a) => a.result === "investigating")).toBe(true);
  });

  it("refuses a body over 1 MB with 413 and never dispatches it", async () => {
    const big = JSON.stringify({ version: "4", alerts: [], pad: "x".repeat(1_100_000) });
    const res = await fetch(`${server.url}/webhooks/alertmanager`, { method: "POST", headers: { authorization: "Bearer am-secret-token-0123456789" }, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
    expect(app.runner.running()).toBe(0);
  });
});
