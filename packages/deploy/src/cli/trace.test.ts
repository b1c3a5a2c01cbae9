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

describe("sre-on-call trace show", () => {
  it("prints the events and the report of an investigation the server ran", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-trace-"));
    const yaml = [
      `store: { directory: ${JSON.stringify(join(dir, "state"))} }`,
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      "routing: { default: { platform: console, channel: alerts } }",
      "agents:",
      `  eks: { data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} } }`
    ].join("\n");
    writeFileSync(join(dir, "config.yaml"), yaml);
    const config = parseConfigText(yaml, "test");
    if (Result.isFailure(config)) throw config.failure;
    const app = await buildApp({ config: config.success, env: { SRE_WEBHOOK_TOKEN: "trace-test-webhook-token" }, cwd: dir, log: () => undefined, consoleWrite: () => undefined });
    const res = await app.handler({
      method: "POST",
      path: "/webhooks/alertmanager",
      query: new URLSearchParams(),
      headers: { "content-type": "application/json", authorization: "Bearer trace-test-webhook-token" },
      rawBody: Buffer.from(readFileSync(join(ROOT, "examples/payments-outage/alert.json"))),
      receivedAt: Date.now()
    });
    const id = (JSON.parse(res.body) as { alerts: Array<{ investigationId: string }> }).alerts[0]!.investigationId;
    for (let i = 0; i < 200 && app.runner.running() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await app.close();

    let out = "";
    let err = "";
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd: dir, isTty: false };
    expect(await runCli(["trace", "show", id], io), err).toBe(0);
    expect(out).toMatch(new RegExp(`# Trace ${id}`));
    expect(out).toMatch(/ dispatched /);
    expect(out).toMatch(/ report_posted /);
    expect(out).toMatch(/payments-db/);
    let missing = "";
    expect(await runCli(["trace", "show", "inv-nope"], { ...io, stderr: (t) => (missing += t) })).toBe(1);
    expect(missing).toMatch(/no trace for inv-nope/);
  });
});
