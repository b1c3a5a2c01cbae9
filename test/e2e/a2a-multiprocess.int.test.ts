/**
 * The distributed shape on one machine: each specialist is its own `sre-on-call agent serve`
 * process (A2A on a loopback port), and `sre-on-call serve` (intake + master) reaches them
 * through `<AGENT>_AGENT_URL`. An Alertmanager webhook runs a full investigation through
 * intake → master → A2A → specialists → report; then one specialist is killed while it works,
 * and the report still comes, marking that agent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "packages/deploy/src/cli/main.ts");
const EXAMPLE = join(ROOT, "examples/payments-outage");
const TOKEN = "a2a-e2e-webhook-token-5b7e";

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
}

const procs: Array<Proc> = [];
const dirs: Array<string> = [];
let prometheus: Server | undefined;
let prometheusMode: "answer" | "hang" = "answer";
let prometheusRequests = 0;

const tail = () => procs.map((p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? "running"}) stderr ---\n${p.stderr.slice(-2000)}\n--- stdout ---\n${p.stdout.slice(-2000)}`).join("\n");

const waitFor = async <T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const start = (name: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Proc => {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const proc: Proc = { name, child, stdout: "", stderr: "" };
  child.stdout!.on("data", (c: Buffer) => (proc.stdout += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (proc.stderr += c.toString("utf8")));
  procs.push(proc);
  return proc;
};

const writeConfig = (lines: ReadonlyArray<string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "sre-a2a-e2e-"));
  dirs.push(dir);
  const file = join(dir, "config.yaml");
  writeFileSync(file, [`store: { directory: ${JSON.stringify(join(dir, "state"))} }`, ...lines].join("\n"));
  return file;
};

const serveAgent = async (id: string, configLines: ReadonlyArray<string>): Promise<{ proc: Proc; url: string }> => {
  const proc = start(id, ["agent", "serve", "--id", id, "--port", "0", "--config", writeConfig(configLines)]);
  const url = await waitFor(`agent ${id} to listen`, () => /listening on (http:\/\/\S+)/.exec(proc.stderr)?.[1], 240_000);
  return { proc, url };
};

/** A Prometheus query API that finds nothing, or (in "hang" mode) never answers. */
const startFakePrometheus = async (): Promise<string> => {
  prometheus = createServer((req, res) => {
    prometheusRequests++;
    if (prometheusMode === "hang") return;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const data = path.endsWith("/query") ? { resultType: "vector", result: [] } : path.endsWith("/query_range") ? { resultType: "matrix", result: [] } : [];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data }));
  });
  await new Promise<void>((r) => prometheus!.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
};

let intake: Proc;
let intakeUrl: string;
let promAgent: Proc;

/** The example's alert (its time matches the cluster dump and the log exports), made distinct for dedup. */
const alertBody = (fingerprint: string, startsAt: string): string => {
  const payload = JSON.parse(readFileSync(join(EXAMPLE, "alert.json"), "utf8")) as { alerts: Array<Record<string, unknown>> };
  payload.alerts = [{ ...payload.alerts[0]!, fingerprint, startsAt }];
  return JSON.stringify(payload);
};

const postAlert = (body: string) =>
  fetch(`${intakeUrl}/webhooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body });

/** The console route prints each report on the intake's stdout; the text from `from` on. */
const reportAfter = (from: number) => {
  const text = intake.stdout.slice(from);
  return /Most likely cause|Root cause/i.test(text) ? text : undefined;
};

beforeAll(async () => {
  const promUrl = await startFakePrometheus();
  const [eks, logs, history, prom] = await Promise.all([
    serveAgent("eks", ["agents:", "  eks:", `    data_source: { cluster_dump: ${JSON.stringify(join(EXAMPLE, "cluster-dump"))} }`]),
    serveAgent("cloudwatch-logs", ["agents:", "  cloudwatch-logs:", `    data_source: { logs_dir: ${JSON.stringify(join(EXAMPLE, "logs"))} }`]),
    serveAgent("incident-history", ["agents: {}"]),
    serveAgent("prometheus", ["agents:", "  prometheus:", `    data_source: { url: ${JSON.stringify(promUrl)}, request_timeout_ms: 120000 }`])
  ]);
  promAgent = prom.proc;
  intake = start(
    "serve",
    [
      "serve",
      "--port",
      "0",
      "--config",
      writeConfig([
        "investigation: { report_after_seconds: 40, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 45 }",
        "routing: { default: { platform: console, channel: alerts } }",
        "agents:",
        "  eks: {}",
        "  cloudwatch-logs: {}"
      ])
    ],
    { SRE_WEBHOOK_TOKEN: TOKEN, EKS_AGENT_URL: eks.url, CLOUDWATCH_LOGS_AGENT_URL: logs.url, INCIDENT_HISTORY_AGENT_URL: history.url, PROMETHEUS_AGENT_URL: prom.url }
  );
  intakeUrl = await waitFor("the intake server to listen", () => /listening on (http:\/\/\S+)/.exec(intake.stderr)?.[1], 240_000);
}, 500_000);

afterAll(async () => {
  await Promise.all(
    procs.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    })
  );
  await new Promise<void>((r) => {
    if (prometheus === undefined) return r();
    prometheus.closeAllConnections();
    prometheus.close(() => r());
  });
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("multi-process investigation over A2A", () => {
  it("the intake lists the remote specialists", () => {
    expect(intake.stderr).toMatch(/specialists: eks, prometheus, cloudwatch-logs, incident-history/);
  });

  it("a full investigation through intake → master → A2A → specialists → report names payments-db's full disk", async () => {
    const from = intake.stdout.length;
    const res = await postAlert(alertBody("a2a-e2e-0001", "2026-03-12T14:20:00Z"));
    expect(res.status).toBe(200);
    const report = await waitFor("the report", () => reportAfter(from), 60_000);
    expect(report).toMatch(/payments-db/);
    expect(report).toMatch(/disk|volume|space/i);
    // Every specialist process answered over A2A.
    for (const id of ["eks", "prometheus", "cloudwatch-logs", "incident-history"]) expect(report).toMatch(new RegExp(`✅ \\**${id}\\** — answered`));
  }, 90_000);

  it("killing a specialist mid-investigation yields a partial report that marks it, not a failure", async () => {
    prometheusMode = "hang";
    const seen = prometheusRequests;
    const from = intake.stdout.length;
    const res = await postAlert(alertBody("a2a-e2e-0002", "2026-03-12T14:21:00Z"));
    expect(res.status).toBe(200);
    // The Prometheus agent is working (its query is in flight): kill it now.
    await waitFor("the Prometheus agent to query", () => prometheusRequests > seen, 60_000);
    promAgent.child.kill("SIGKILL");
    const report = await waitFor("the partial report", () => reportAfter(from), 60_000);
    expect(report).toMatch(/payments-db/);
    expect(report).toMatch(/🩺 \**prometheus\** — unhealthy/);
    expect(report).toMatch(/✅ \**eks\** — answered/);
    expect(intake.stdout.slice(from)).not.toMatch(/investigation .* failed/i);
  }, 90_000);
});
