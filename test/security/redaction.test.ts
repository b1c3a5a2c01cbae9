/**
 * Secrets that escape redaction (issue #13), probed from outside: a planted secret of every kind
 * the redactor knows, plus one only a configured `redaction.patterns` entry knows, goes into an
 * alert's annotations (where the parser cuts long texts, and where a title is cut through a key),
 * a pod's log and a CloudWatch Logs export. Then `serve` (buildApp with the embedded store) and
 * the CLI investigate it, and nothing anyone can read afterwards may hold any part of a secret:
 * the store's files on disk (trace archive and incident memory), `trace show` (text and JSON),
 * the rendered chat messages, the log lines, and the CLI's stdout and stderr. The same runner
 * posting to Slack and Discord through the official clients: nothing the fake APIs receive holds
 * a secret either.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAlertPayload, REDACTED } from "@sre-on-call/core";
import { type FakeDiscordApi, startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { PLANTED_SECRETS } from "@sre-on-call/core/testing";
import { runCli } from "@sre-on-call/deploy/cli/runCli";
import { buildApp } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = join(ROOT, "examples/payments-outage");
/** serve refuses unauthenticated alert webhooks; the token is itself redacted wherever it shows. */
const TOKEN = "redaction-security-test-token-0123";
/** A secret only the configured pattern knows. */
const EMPLOYEE = "EMP-493817";
const SECRETS = [...PLANTED_SECRETS, { kind: "configured pattern", text: `paged ${EMPLOYEE}`, cores: [EMPLOYEE] }];
const CORES = SECRETS.flatMap((s) => s.cores);
/** The marker, as plain text or as Markdown escapes it. */
const REDACTED_MARK = /\\?\[REDACTED/;
/** A key the title cut would split: the part that must not survive anywhere. */
const CUT_KEY = "AKIAZ9CUTTITLEKEY0X1";

let dir = "";
const storeDir = () => join(dir, "state");

/** Every file under a directory, as text. */
const filesUnder = (root: string): ReadonlyArray<{ readonly path: string; readonly text: string }> =>
  readdirSync(root, { recursive: true, encoding: "utf8" })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, "latin1") }));

/** The planted cores (and the cut key's prefix) found in a text, so a failure names what leaked. */
const leaks = (text: string): ReadonlyArray<string> => [...CORES, CUT_KEY.slice(0, 8)].filter((core) => text.includes(core));

const cli = async (argv: ReadonlyArray<string>) => {
  let stdout = "";
  let stderr = "";
  const status = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdinLines: async function* () {},
    stdinText: () => Promise.resolve(""),
    env: { SRE_WEBHOOK_TOKEN: TOKEN },
    cwd: dir,
    isTty: false
  });
  return { status, stdout, stderr };
};

/** The example's alert with every secret in its annotations, and a second alert (no alertname) whose title cut splits a key. */
const alertPayload = (): Record<string, unknown> => {
  const payload = JSON.parse(readFileSync(join(EXAMPLE, "alert.json"), "utf8")) as { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string>; fingerprint: string }> };
  const first = payload.alerts[0]!;
  first.annotations = {
    ...first.annotations,
    summary: `Deployment has not matched the expected number of replicas; ${SECRETS.slice(0, 3).map((s) => s.text).join(" ; ")}`,
    // Longer than the 600 characters the parser keeps: the cut falls somewhere in the secrets.
    description: SECRETS.map((s) => `${s.kind}: ${s.text}`).join(" ; "),
    impact: `checkout is down; ${SECRETS.map((s) => s.text).join(" ; ")}`,
    db_dsn: "postgres://app:Pl4ntedDsnPassw0rd@payments-db:5432/payments"
  };
  // Where the title's 80-character cut falls, found by parsing the alert once with a marker.
  const second = { ...first, labels: { namespace: "payments", deployment: "api", severity: "critical" }, fingerprint: "6e1f3a9c0b7d2e65", annotations: { summary: "MARKER" } };
  const probe = parseAlertPayload({ ...payload, ...withoutGroupAlertname(payload), alerts: [second] }, { now: Date.now(), channelId: "alerts", messageId: "" });
  if (Result.isFailure(probe)) throw new Error(probe.failure.message);
  const offset = probe.success.alerts[0]!.alertText.indexOf("MARKER");
  second.annotations = { summary: `${"a".repeat(Math.max(1, 74 - offset))} ${CUT_KEY} and more text after the key` };
  return { ...payload, ...withoutGroupAlertname(payload), alerts: [first, second] };
};

/**
 * The group's own alertname would name the second alert (an alert lacking a label takes the
 * group's): without it, its title is cut from the alert text, which is what this probes.
 */
const withoutGroupAlertname = (payload: Record<string, unknown>): Record<string, unknown> => {
  const { alertname: _common, ...commonLabels } = (payload["commonLabels"] ?? {}) as Record<string, string>;
  return { commonLabels, groupLabels: {} };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sre-redaction-sec-"));
  // Evidence: a pod's log (many identical error lines, so the line is a finding, cut at 300
  // characters) and a CloudWatch Logs export (one frequent error pattern with every secret).
  cpSync(join(EXAMPLE, "cluster-dump"), join(dir, "cluster-dump"), { recursive: true });
  const podLog = join(dir, "cluster-dump/payments/api-kjr2rkrl28-hccgq/logs.txt");
  const planted = Array.from({ length: 40 }, (_, i) => `2026-03-12T14:15:${String(i % 60).padStart(2, "0")}.100Z ERROR login to ledger failed with ${SECRETS.map((s) => s.text).join(" ")}`).join("\n");
  writeFileSync(podLog, readFileSync(podLog, "utf8").replace(/(==== END logs)/, `${planted}\n$1`));
  cpSync(join(EXAMPLE, "logs"), join(dir, "logs"), { recursive: true });
  const exportFile = join(dir, "logs", readdirSync(join(dir, "logs")).find((f) => f.endsWith("payments-api.json"))!);
  const exported = JSON.parse(readFileSync(exportFile, "utf8")) as { events: Array<Record<string, unknown>> };
  for (let i = 0; i < 40; i++) {
    exported.events.push({
      logStreamName: "payments-api/api-kjr2rkrl28-hccgq",
      timestamp: Date.parse("2026-03-12T14:16:00Z") + i * 1000,
      message: `2026-03-12T14:16:${String(i).padStart(2, "0")}.000Z ERROR auth to ledger failed: ${SECRETS.map((s) => s.text).join(" ")}`,
      ingestionTime: Date.parse("2026-03-12T14:16:01Z") + i * 1000,
      eventId: `9${String(i).padStart(55, "0")}`
    });
  }
  writeFileSync(exportFile, JSON.stringify(exported));
  writeFileSync(join(dir, "alert.json"), JSON.stringify(alertPayload()));
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `store: { directory: ${JSON.stringify(storeDir())} }`,
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      "routing: { default: { platform: console, channel: alerts } }",
      "redaction: { patterns: ['\\bEMP-[0-9]{6}\\b'] }",
      "agents:",
      `  eks: { data_source: { cluster_dump: ${JSON.stringify(join(dir, "cluster-dump"))} } }`,
      `  cloudwatch-logs: { data_source: { logs_dir: ${JSON.stringify(join(dir, "logs"))} } }`
    ].join("\n")
  );
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe("no planted secret escapes redaction", () => {
  const investigationIds: Array<string> = [];
  let chatOutput = "";
  let logOutput = "";

  it("serve: the trace archive and incident memory on disk, the chat messages and the logs hold no part of any secret", async () => {
    const config = parseConfigText(readFileSync(join(dir, "config.yaml"), "utf8"), "config.yaml");
    if (Result.isFailure(config)) throw config.failure;
    const app = await buildApp({
      config: config.success,
      env: { SRE_WEBHOOK_TOKEN: TOKEN },
      cwd: dir,
      log: (level, message, fields) => void (logOutput += `${level} ${message} ${JSON.stringify(fields ?? {})}\n`),
      logLine: (line) => void (logOutput += line),
      consoleWrite: (text) => void (chatOutput += text)
    });
    try {
      const res = await app.handler({
        method: "POST",
        path: "/webhooks/alertmanager",
        query: new URLSearchParams(),
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        rawBody: Buffer.from(readFileSync(join(dir, "alert.json"))),
        receivedAt: Date.now()
      });
      expect(res.status, res.body).toBeLessThan(300);
      investigationIds.push(...(JSON.parse(res.body) as { alerts: Array<{ investigationId: string }> }).alerts.map((a) => a.investigationId));
      expect(investigationIds).toHaveLength(2);
      for (let i = 0; i < 400 && app.runner.running() > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(app.runner.running()).toBe(0);
    } finally {
      await app.close();
    }
    const files = filesUnder(storeDir());
    const stored = files.map((f) => f.text).join("\n");
    // The secrets did reach the store's records, redacted: the probe is not vacuous.
    expect(stored).toContain(REDACTED);
    expect(stored).toContain("checkout is down");
    for (const f of files) expect(leaks(f.text), f.path).toEqual([]);
    expect(chatOutput).toContain("payments-db");
    expect(leaks(chatOutput)).toEqual([]);
    expect(leaks(logOutput)).toEqual([]);
  });

  it("trace show, as text and as JSON, prints no part of any secret", async () => {
    expect(investigationIds).toHaveLength(2);
    for (const id of investigationIds) {
      for (const argv of [["trace", "show", id], ["trace", "show", id, "--json"]]) {
        const { status, stdout, stderr } = await cli(argv);
        expect(status, stderr).toBe(0);
        expect(stdout).toMatch(REDACTED_MARK);
        expect(leaks(stdout)).toEqual([]);
        expect(leaks(stderr)).toEqual([]);
      }
    }
    // The second alert's title was cut 80 characters in, through the key: redacted before the cut.
    const { stdout } = await cli(["trace", "show", investigationIds[1]!, "--json"]);
    expect((JSON.parse(stdout) as { reports: Array<{ title: string }> }).reports.at(-1)!.title).toMatch(/^\[FIRING\].* a+ \[RED/);
  });

  it("the CLI's investigate prints no part of any secret on stdout or stderr, and remembers none", async () => {
    for (const format of ["markdown", "json"]) {
      const { status, stdout, stderr } = await cli(["investigate", "--alert", join(dir, "alert.json"), "--config", join(dir, "config.yaml"), "--format", format]);
      expect(status, stderr).toBe(0);
      expect(stderr).toMatch(/investigating inv-/);
      expect(stdout).toMatch(REDACTED_MARK);
      expect(leaks(stdout)).toEqual([]);
      expect(leaks(stderr)).toEqual([]);
    }
    for (const f of filesUnder(storeDir())) expect(leaks(f.text), f.path).toEqual([]);
  });
});

describe("no planted secret reaches the Slack or Discord API", () => {
  let slack: FakeSlackApi;
  let discord: FakeDiscordApi;
  beforeAll(async () => {
    slack = await startFakeSlackApi({ channels: ["C0PAYMENTS"] });
    discord = await startFakeDiscordApi();
  });
  afterAll(async () => {
    await slack?.close();
    await discord?.close();
  });

  it("serve routes one alert to each platform: every request body the APIs received, the store's files and the logs hold no part of any secret", async () => {
    const discordChannel = discord.createChannel();
    const chatStore = join(dir, "state-chat");
    const text = readFileSync(join(dir, "config.yaml"), "utf8")
      .replace(/^store: .*$/m, `store: { directory: ${JSON.stringify(chatStore)} }`)
      .replace(
        /^routing: .*$/m,
        `routing: { default: { platform: slack, channel: C0PAYMENTS }, routes: [ { match: { alertname: KubeDeploymentReplicasMismatch }, platform: discord, channel: "${discordChannel}" } ] }`
      );
    const config = parseConfigText(text, "config.yaml");
    if (Result.isFailure(config)) throw config.failure;
    let logs = "";
    const app = await buildApp({
      config: config.success,
      env: {
        SRE_WEBHOOK_TOKEN: TOKEN,
        SLACK_BOT_TOKEN: slack.token,
        SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
        SLACK_API_URL: slack.url,
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_PUBLIC_KEY: "ab".repeat(32),
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_API_URL: discord.url
      },
      cwd: dir,
      log: (level, message, fields) => void (logs += `${level} ${message} ${JSON.stringify(fields ?? {})}\n`),
      logLine: (line) => void (logs += line),
      consoleWrite: () => undefined
    });
    try {
      const res = await app.handler({
        method: "POST",
        path: "/webhooks/alertmanager",
        query: new URLSearchParams(),
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        rawBody: Buffer.from(readFileSync(join(dir, "alert.json"))),
        receivedAt: Date.now()
      });
      expect(res.status, res.body).toBeLessThan(300);
      for (let i = 0; i < 400 && app.runner.running() > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(app.runner.running()).toBe(0);
    } finally {
      await app.close();
    }
    const slackSent = JSON.stringify(slack.calls().map((c) => c.args));
    const discordSent = JSON.stringify(discord.calls().map((c) => c.body));
    // Both reports were posted (the probe is not vacuous): the evidence with the planted secrets reached each.
    expect(slack.calls().filter((c) => c.method === "chat.postMessage").length).toBeGreaterThan(1);
    expect(discord.calls().filter((c) => c.method === "POST").length).toBeGreaterThan(1);
    expect(slackSent).toContain("payments-db");
    expect(discordSent).toContain("payments-db");
    expect(slackSent).toMatch(REDACTED_MARK);
    expect(discordSent).toMatch(REDACTED_MARK);
    expect(leaks(slackSent)).toEqual([]);
    expect(leaks(discordSent)).toEqual([]);
    for (const f of filesUnder(chatStore)) expect(leaks(f.text), f.path).toEqual([]);
    expect(leaks(logs)).toEqual([]);
  });
});
