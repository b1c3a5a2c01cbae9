import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { buildApp } from "../composition/buildApp.js";
import { parseConfigText } from "../config/loadConfig.js";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const DUMP = join(ROOT, "examples/payments-outage/cluster-dump");

/** What a terminal acts on: C0 but newline and tab, DEL, C1 (ESC, CSI U+009B, BEL…). */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The control characters in a text, as code points (a short failure message, not the whole report). */
const controls = (text: string) => [...new Set(text.match(TERMINAL_CONTROL) ?? [])].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u001b[31mKubeDeploymentReplicasMismatch\u001b[0m\u009b2J\u001b]8;;https://evil.example\u001b\\runbook\u001b]8;;\u001b\\\r\b";

const capture = (cwd: string) => {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd, isTty: true };
  return { io, out: () => out, err: () => err };
};

const hostileAlert = () => {
  const payload = JSON.parse(readFileSync(join(ROOT, "examples/payments-outage/alert.json"), "utf8")) as { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> };
  for (const a of payload.alerts) {
    a.labels["alertname"] = HOSTILE;
    a.annotations["summary"] = `${HOSTILE} summary`;
    a.annotations["description"] = `${HOSTILE}\ndescription`;
  }
  return JSON.stringify(payload);
};

describe("the CLI writes no terminal control sequence from a payload", () => {
  it.each(["markdown", "json", "slack", "discord"])("investigate --format %s: neither the report nor the progress on stderr", async (format) => {
    const dir = mkdtempSync(join(tmpdir(), "sre-term-"));
    writeFileSync(join(dir, "alert.json"), hostileAlert());
    const c = capture(dir);
    expect(await runCli(["investigate", "--alert", join(dir, "alert.json"), "--cluster-dump", DUMP, "--format", format], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/KubeDeploymentReplicasMismatch/);
    expect(c.err()).toMatch(/investigating inv-/);
    expect(controls(c.out())).toEqual([]);
    expect(controls(c.err())).toEqual([]);
    if (format === "json") expect((JSON.parse(c.out()) as { title: string }).title).toContain("\u001b]0;pwned");
  });

  it("investigate --text: the alert quoted in the progress line is neutralised", async () => {
    const c = capture(ROOT);
    expect(await runCli(["investigate", "--text", `api down ${HOSTILE}`, "--at", "2026-03-12T14:20:00Z", "--cluster-dump", DUMP], c.io), c.err()).toBe(0);
    expect(c.err()).toMatch(/investigating inv-\S+: api down/);
    expect(controls(c.err())).toEqual([]);
    expect(controls(c.out())).toEqual([]);
  });

  it("serve's console route and trace show (text and --json) of an investigation of a hostile alert", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-term-"));
    const yaml = [
      `store: { directory: ${JSON.stringify(join(dir, "state"))} }`,
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      "routing: { default: { platform: console, channel: alerts } }",
      "agents:",
      `  eks: { data_source: { cluster_dump: ${JSON.stringify(DUMP)} } }`
    ].join("\n");
    writeFileSync(join(dir, "config.yaml"), yaml);
    const config = parseConfigText(yaml, "test");
    if (Result.isFailure(config)) throw config.failure;
    let console = "";
    const app = await buildApp({ config: config.success, env: { SRE_WEBHOOK_TOKEN: "terminal-probe-hook-token" }, cwd: dir, log: () => undefined, consoleWrite: (t) => void (console += t), logLine: () => undefined });
    const res = await app.handler({
      method: "POST",
      path: "/webhooks/alertmanager",
      query: new URLSearchParams(),
      headers: { "content-type": "application/json", authorization: "Bearer terminal-probe-hook-token" },
      rawBody: Buffer.from(hostileAlert()),
      receivedAt: Date.now()
    });
    expect(res.status, res.body).toBe(200);
    const id = (JSON.parse(res.body) as { alerts: Array<{ investigationId: string }> }).alerts[0]!.investigationId;
    for (let i = 0; i < 200 && app.runner.running() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await app.close();
    expect(console).toMatch(/KubeDeploymentReplicasMismatch/);
    expect(controls(console)).toEqual([]);

    const text = capture(dir);
    expect(await runCli(["trace", "show", id], text.io), text.err()).toBe(0);
    expect(text.out()).toMatch(/ report_posted /);
    expect(controls(text.out())).toEqual([]);
    const json = capture(dir);
    expect(await runCli(["trace", "show", id, "--json"], json.io), json.err()).toBe(0);
    expect(controls(json.out())).toEqual([]);
    expect(JSON.stringify(JSON.parse(json.out()))).toContain("\\u001b");
  });

  it("an error message that quotes its input", async () => {
    const c = capture(ROOT);
    expect(await runCli(["investigate", "--text", "api down", "--model", "\u009b2J\u001b]0;t\u0007x"], c.io)).toBe(2);
    expect(c.err()).toMatch(/--model must be/);
    expect(controls(c.err())).toEqual([]);
  });

  it("classify: the verdict printed for a hostile message", async () => {
    for (const args of [["classify", HOSTILE], ["classify", "--json", HOSTILE]]) {
      const c = capture(ROOT);
      expect(await runCli(args, c.io)).toBe(0);
      expect(controls(c.out())).toEqual([]);
    }
  });
});
