/**
 * End to end with a real Alertmanager on loopback: an alert pushed to Alertmanager's API is
 * delivered to our `/webhooks/alertmanager` (bearer credentials from its `http_config`), posted
 * top-level in the channel its labels route to, investigated in that thread by the EKS
 * specialist over the payments-outage cluster dump; Alertmanager's re-sends of the group start
 * nothing new, and the alert's resolution is announced in the same thread.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeSlackApi, type FakeSlackMessage, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { type App, buildApp } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { startHttpServer, type RunningServer } from "@sre-on-call/deploy/http/startHttpServer";
import { Result } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertmanagerSkipReason, type PostableAlert, type RunningAlertmanager, startAlertmanager } from "../support/alertmanager.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEFAULT_CHANNEL = "C0ALERTS";
const PAYMENTS_CHANNEL = "C0PAYMENTS";
const WEBHOOK_TOKEN = "am-e2e-bearer-7c1d9f";

/** In CI (.ci/run installs the binary) a missing Alertmanager is a failure, not a skip. */
const inCi = (process.env["CI"] ?? "") !== "" && process.env["CI"] !== "false";
const skipReason = inCi ? undefined : alertmanagerSkipReason;
if (skipReason !== undefined) console.warn(`alertmanager.e2e skipped: ${skipReason}`);

const waitFor = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, diagnostics: () => string, timeoutMs = 25_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** One webhook delivery Alertmanager made to us, and what we answered. */
interface Delivery {
  readonly status: string;
  readonly alertStatuses: ReadonlyArray<string>;
  readonly startsAt: ReadonlyArray<string>;
  readonly hadBearer: boolean;
  readonly responseStatus: number;
  readonly results: ReadonlyArray<string>;
}

let slack: FakeSlackApi | undefined;
let app: App | undefined;
let server: RunningServer | undefined;
let alertmanager: RunningAlertmanager | undefined;
let storeDir: string | undefined;
let logs: Array<string>;
let deliveries: Array<Delivery>;

const topLevel = (channel: string): ReadonlyArray<FakeSlackMessage> => (slack?.messages(channel) ?? []).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
const inThread = (channel: string, thread: string): ReadonlyArray<FakeSlackMessage> => (slack?.messages(channel) ?? []).filter((m) => m.thread_ts === thread && m.ts !== thread);
const fullText = (m: FakeSlackMessage): string => m.text + JSON.stringify(m.blocks ?? []) + JSON.stringify(m.attachments ?? []);

const diagnostics = () =>
  [
    `deliveries (${deliveries.length}, last 6): ${JSON.stringify(deliveries.slice(-6))}`,
    `slack ${PAYMENTS_CHANNEL}: ${JSON.stringify(slack?.messages(PAYMENTS_CHANNEL).map((m) => ({ ts: m.ts, thread_ts: m.thread_ts, text: m.text.slice(0, 160) })))}`,
    `slack ${DEFAULT_CHANNEL}: ${JSON.stringify(slack?.messages(DEFAULT_CHANNEL).map((m) => m.text.slice(0, 160)))}`,
    `intake logs (last 20):\n${logs.slice(-20).join("\n")}`,
    `alertmanager output (last 3000 chars):\n${alertmanager?.output().slice(-3_000) ?? "(not started)"}`
  ].join("\n");

beforeEach(async () => {
  if (skipReason !== undefined) return;
  if (alertmanagerSkipReason !== undefined) throw new Error(`CI is set, so the real-Alertmanager e2e must run, but: ${alertmanagerSkipReason}`);
  logs = [];
  deliveries = [];
  slack = await startFakeSlackApi({ channels: [DEFAULT_CHANNEL, PAYMENTS_CHANNEL] });
  storeDir = mkdtempSync(join(tmpdir(), "sre-am-e2e-"));
  const config = parseConfigText(
    [
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      `store: { directory: ${JSON.stringify(storeDir)} }`,
      "routing:",
      `  default: { platform: slack, channel: ${DEFAULT_CHANNEL} }`,
      "  routes:",
      `    - { match: { namespace: payments }, platform: slack, channel: ${PAYMENTS_CHANNEL} }`,
      "agents:",
      "  eks:",
      "    data_source: { cluster_dump: examples/payments-outage/cluster-dump }"
    ].join("\n"),
    "alertmanager e2e config"
  );
  if (Result.isFailure(config)) throw config.failure;
  const built = await buildApp({
    config: config.success,
    env: { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: "unused-in-this-test-0123456789ab", SLACK_API_URL: slack.url, SRE_WEBHOOK_TOKEN: WEBHOOK_TOKEN },
    cwd: ROOT,
    log: (level, message, fields) => logs.push(JSON.stringify({ level, message, ...fields })),
    consoleWrite: () => undefined
  });
  app = built;
  // Record every delivery Alertmanager makes, and our answer, around the real handler.
  server = await startHttpServer({
    handler: async (req) => {
      const response = await built.handler(req);
      if (req.path === "/webhooks/alertmanager") {
        let body: { status?: string; alerts?: Array<{ status?: string; startsAt?: string }> } = {};
        let answer: { alerts?: Array<{ result?: string }> } = {};
        try {
          body = JSON.parse(req.rawBody.toString("utf8")) as typeof body;
          answer = JSON.parse(response.body) as typeof answer;
        } catch {
          // recorded with empty fields; the assertions on statuses catch it
        }
        deliveries.push({
          status: body.status ?? "?",
          alertStatuses: (body.alerts ?? []).map((a) => a.status ?? "?"),
          startsAt: (body.alerts ?? []).map((a) => a.startsAt ?? "?"),
          hadBearer: req.headers["authorization"] === `Bearer ${WEBHOOK_TOKEN}`,
          responseStatus: response.status,
          results: (answer.alerts ?? []).map((a) => a.result ?? "?")
        });
      }
      return response;
    }
  });
  alertmanager = await startAlertmanager({
    webhookUrl: `${server.url}/webhooks/alertmanager`,
    credentials: { kind: "bearer", token: WEBHOOK_TOKEN },
    groupBy: ["alertname", "namespace"],
    groupWait: "200ms",
    groupInterval: "1s",
    repeatInterval: "1s"
  });
});

afterEach(async () => {
  // Alertmanager first, so it does not deliver to a closed server.
  await alertmanager?.stop();
  await server?.close();
  await app?.close();
  await slack?.close();
  if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
  alertmanager = undefined;
  server = undefined;
  app = undefined;
  slack = undefined;
  storeDir = undefined;
});

describe.skipIf(skipReason !== undefined)(`a real Alertmanager posting to /webhooks/alertmanager${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`, () => {
  it("posts the alert in its routed channel, reports in that thread once despite re-sends, and announces the resolution there", { timeout: 120_000 }, async () => {
    const am = alertmanager!;
    // The recorded incident replayed: the alert starts when examples/payments-outage/alert.json
    // fired, so the investigation window covers what the cluster dump captured (a start of "now"
    // would look months past it). Alertmanager keeps the given start and flushes at once.
    const startsAt = (JSON.parse(readFileSync(join(ROOT, "examples/payments-outage/alert.json"), "utf8")) as { alerts: Array<{ startsAt: string }> }).alerts[0]!.startsAt;
    const alert: PostableAlert = {
      labels: { alertname: "KubeDeploymentReplicasMismatch", namespace: "payments", deployment: "api", severity: "critical", cluster: "prod-eu-1", job: "kube-state-metrics" },
      annotations: {
        summary: "Deployment has not matched the expected number of replicas.",
        description: "Deployment payments/api has not matched the expected number of replicas for longer than 15 minutes."
      },
      startsAt,
      generatorURL: "http://prometheus.monitoring.svc:9090/graph?g0.expr=kube_deployment_spec_replicas"
    };
    await am.pushAlerts([alert]);

    // The alert, top-level in the channel its labels route to (namespace=payments), nowhere else.
    const post = await waitFor("the alert posted top-level in the payments channel", () => topLevel(PAYMENTS_CHANNEL)[0], diagnostics);
    expect(post.text).toMatch(/FIRING/);
    expect(post.text).toMatch(/KubeDeploymentReplicasMismatch|replicas/i);
    expect(post.bot_id).toBe(slack!.bot.botId);
    expect(slack!.messages(DEFAULT_CHANNEL)).toHaveLength(0);
    // (The post happens while Alertmanager's request is still being answered.)
    const first = await waitFor("our answer to Alertmanager's first delivery", () => deliveries[0], diagnostics);
    expect(first).toMatchObject({ status: "firing", hadBearer: true, responseStatus: 200, results: ["investigating"] });
    expect(Date.parse(first.startsAt[0]!)).toBe(Date.parse(startsAt));

    // The report, in that thread, naming the root cause the cluster dump shows.
    const report = await waitFor(
      "the report in the alert's thread",
      () => inThread(PAYMENTS_CHANNEL, post.ts).find((m) => /hypothes|root cause/i.test(fullText(m))),
      diagnostics
    );
    expect(fullText(report)).toMatch(/payments-db/);

    // Alertmanager re-sends the still-firing group every group_interval/repeat_interval:
    // each re-send is acknowledged as a duplicate and starts nothing.
    const resent = await waitFor(
      "Alertmanager to re-send the firing group",
      () => {
        const firing = deliveries.filter((d) => d.status === "firing");
        return firing.length >= 2 ? firing : undefined;
      },
      diagnostics
    );
    for (const d of resent.slice(1)) expect(d).toMatchObject({ hadBearer: true, responseStatus: 200, results: ["duplicate"] });
    expect(topLevel(PAYMENTS_CHANNEL)).toHaveLength(1);
    expect(topLevel(DEFAULT_CHANNEL)).toHaveLength(0);
    expect(inThread(PAYMENTS_CHANNEL, post.ts).filter((m) => /hypothes|root cause/i.test(fullText(m)))).toHaveLength(1);
    expect(inThread(PAYMENTS_CHANNEL, post.ts).filter((m) => /Investigating/i.test(m.text)).length).toBeLessThanOrEqual(1);

    // Resolve it: the same alert (same labels and start) with an end in the past.
    await am.pushAlerts([{ ...alert, endsAt: new Date(Date.now() - 1_000).toISOString() }]);
    const resolved = await waitFor(
      "the resolved notice in the alert's thread",
      () => inThread(PAYMENTS_CHANNEL, post.ts).find((m) => m.text.includes("✅ Resolved")),
      diagnostics
    );
    expect(resolved.text).toMatch(/KubeDeploymentReplicasMismatch|replicas/i);
    const resolvedDelivery = await waitFor("our answer to the resolved delivery", () => deliveries.find((d) => d.status === "resolved"), diagnostics);
    expect(resolvedDelivery).toMatchObject({ alertStatuses: ["resolved"], hadBearer: true, responseStatus: 200, results: ["resolved_posted"] });
    expect(Date.parse(resolvedDelivery.startsAt[0]!)).toBe(Date.parse(startsAt));
    expect(topLevel(PAYMENTS_CHANNEL)).toHaveLength(1);
    expect(inThread(PAYMENTS_CHANNEL, post.ts).filter((m) => m.text.includes("✅ Resolved"))).toHaveLength(1);

    // Alertmanager's own view: every webhook notification it sent succeeded.
    const sent = await am.metric("alertmanager_notifications_total", { integration: "webhook" });
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(await am.metric("alertmanager_notifications_failed_total", { integration: "webhook" })).toBe(0);
    expect(await am.metric("alertmanager_notifications_failed_total")).toBe(0);
    expect(deliveries.every((d) => d.responseStatus >= 200 && d.responseStatus < 300)).toBe(true);
    expect(am.output()).not.toMatch(/Notify for alerts failed|Notify attempt failed/);
    expect(am.output()).not.toContain(WEBHOOK_TOKEN);
  });
});
