/**
 * Attacker and faulty-environment probes for the local server (issue #13):
 * - slow clients (a slowloris trickling headers, a body that never finishes, more connections
 *   than the cap) cannot hold the server: each gets 408 or is dropped, and a webhook that sends
 *   its request at once is served throughout;
 * - escape sequences in an alert never reach the terminal of a `platform: console` route, the
 *   CLI's report and progress, or `trace show`;
 * - a shutdown in the middle of an investigation posts what the agents have answered instead
 *   of nothing, and records it in the trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type App, buildApp } from "@sre-on-call/deploy/composition/buildApp";
import type { CliIo } from "@sre-on-call/deploy/cli/CliIo";
import { runCli } from "@sre-on-call/deploy/cli/runCli";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { type RunningServer, startHttpServer } from "@sre-on-call/deploy/http/startHttpServer";
import { Result } from "effect";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DUMP = join(ROOT, "examples/payments-outage/cluster-dump");
const TOKEN = "probe-webhook-token";
/** What a terminal acts on: C0 but newline and tab, DEL, C1. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const controls = (text: string) => [...new Set(text.match(TERMINAL_CONTROL) ?? [])].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const waitFor = async (what: string, probe: () => boolean, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** An app with a console route, as `serve` builds it, plus the HTTP server in front of it. */
const startApp = async (extraYaml: ReadonlyArray<string>, server: { readonly requestTimeoutMs?: number; readonly maxConnections?: number } = {}, shutdownGraceMs?: number) => {
  const dir = mkdtempSync(join(tmpdir(), "sre-probe-"));
  const yaml = [
    `store: { directory: ${JSON.stringify(join(dir, "state"))} }`,
    "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
    "routing: { default: { platform: console, channel: alerts } }",
    "agents:",
    `  eks: { data_source: { cluster_dump: ${JSON.stringify(DUMP)} } }`,
    ...extraYaml
  ].join("\n");
  writeFileSync(join(dir, "config.yaml"), yaml);
  const config = parseConfigText(yaml, "probe config");
  if (Result.isFailure(config)) throw config.failure;
  let console = "";
  const logs: Array<string> = [];
  const app: App = await buildApp({
    config: config.success,
    env: { SRE_WEBHOOK_TOKEN: TOKEN },
    cwd: dir,
    log: (level, message, fields) => void logs.push(JSON.stringify({ level, message, ...fields })),
    consoleWrite: (t) => void (console += t),
    logLine: () => undefined,
    ...(shutdownGraceMs !== undefined ? { shutdownGraceMs } : {})
  });
  const http = await startHttpServer({ handler: app.handler, ...server });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await http.close();
    await app.close();
  };
  cleanups.push(close);
  return { dir, app, http, close, console: () => console, logs };
};

const postAlert = (http: RunningServer, body: string) =>
  fetch(`${http.url}/webhooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body });

const rawClient = (port: number, first: string) =>
  new Promise<{ socket: Socket; closed: Promise<string> }>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    cleanups.push(() => void socket.destroy());
    let data = "";
    socket.on("data", (chunk: Buffer) => void (data += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    const closed = new Promise<string>((done) => socket.on("close", () => done(data)));
    socket.once("connect", () => {
      socket.write(first);
      resolve({ socket, closed });
    });
    socket.once("error", reject);
  });

const cli = (cwd: string) => {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd, isTty: true };
  return { io, out: () => out, err: () => err };
};

describe("slow and abusive HTTP clients", () => {
  it("a slowloris, a slow body and a flood past the connection cap: each is cut off, a normal request is served throughout", async () => {
    const { http } = await startApp([], { requestTimeoutMs: 500, maxConnections: 8 });
    const healthy = async () => expect((await fetch(`${http.url}/healthz`)).status).toBe(200);

    const slowloris = await rawClient(http.port, "POST /webhooks/alertmanager HTTP/1.1\r\nHost: x\r\n");
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; trickling && !slowloris.socket.destroyed && i < 200; i++) {
        slowloris.socket.write(`X-${i}: a\r\n`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const slowBody = await rawClient(
      http.port,
      `POST /webhooks/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"alerts": [`
    );
    await healthy();
    expect(await slowloris.closed).toMatch(/^HTTP\/1\.1 408 /);
    trickling = false;
    await trickle;
    expect(await slowBody.closed).toMatch(/^HTTP\/1\.1 408 /);

    const flood = await Promise.all(Array.from({ length: 20 }, () => rawClient(http.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n")));
    await healthy();
    await healthy();
    // Every stalled connection of the flood is gone: dropped at the cap, or timed out with 408.
    await Promise.all(flood.map((c) => c.closed));
    await healthy();
  });
});

describe("escape sequences in an alert", () => {
  const HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u001b[31mDiskFull\u001b[0m\u009b2J\u001b]8;;https://evil.example\u001b\\runbook\u001b]8;;\u001b\\\r\b\u0007";

  it("never reach the console route's terminal, the CLI's report and progress, or trace show", async () => {
    const payload = JSON.parse(readFileSync(join(ROOT, "examples/payments-outage/alert.json"), "utf8")) as { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> };
    for (const a of payload.alerts) {
      a.labels["alertname"] = HOSTILE;
      a.annotations["summary"] = HOSTILE;
      a.annotations["description"] = `${HOSTILE}\n${HOSTILE}`;
    }
    const body = JSON.stringify(payload);
    const served = await startApp([]);
    const res = await postAlert(served.http, body);
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { alerts: Array<{ investigationId: string }> }).alerts[0]!.investigationId;
    await waitFor("the report on the console", () => /DiskFull/.test(served.console()) && served.app.runner.running() === 0);
    await served.close();
    expect(controls(served.console())).toEqual([]);

    for (const args of [["trace", "show", id], ["trace", "show", id, "--json"]]) {
      const c = cli(served.dir);
      expect(await runCli(args, c.io), c.err()).toBe(0);
      expect(controls(c.out())).toEqual([]);
    }

    writeFileSync(join(served.dir, "alert.json"), body);
    for (const format of ["markdown", "json", "slack", "discord"]) {
      const c = cli(served.dir);
      expect(await runCli(["investigate", "--alert", "alert.json", "--cluster-dump", DUMP, "--format", format], c.io), c.err()).toBe(0);
      expect(c.out()).toMatch(/DiskFull/);
      expect([controls(c.out()), controls(c.err())]).toEqual([[], []]);
    }
  });
});

describe("shutdown in the middle of an investigation", () => {
  it("posts what the agents have answered as a partial report on the console, and traces it", async () => {
    // A Prometheus that accepts connections and never answers: its specialist is still running at shutdown.
    const hung: TcpServer = createTcpServer((socket) => void socket.on("error", () => undefined));
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    const open: Array<Socket> = [];
    hung.on("connection", (s) => void open.push(s));
    cleanups.push(() => new Promise<void>((r) => (open.forEach((s) => s.destroy()), hung.close(() => r()))));
    const port = (hung.address() as { port: number }).port;
    const served = await startApp([`  prometheus: { data_source: { url: "http://127.0.0.1:${port}", request_timeout_ms: 60000 } }`], {}, 1000);

    const res = await postAlert(served.http, readFileSync(join(ROOT, "examples/payments-outage/alert.json"), "utf8"));
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { alerts: Array<{ investigationId: string }> }).alerts[0]!.investigationId;
    await waitFor("the investigation to start", () => /Investigating/.test(served.console()));
    await waitFor("Prometheus to be asked", () => open.length > 0);
    expect(served.app.runner.running()).toBe(1);

    await served.close();
    const out = served.console();
    expect(out).toMatch(/final analysis/);
    expect(out).toMatch(/Partial report: the server shut down before prometheus answered; it was stopped\./);
    expect(out).toMatch(/prometheus — stopped by shutdown/);
    expect(out).toMatch(/eks — answered/);
    expect(out).toMatch(/payments-db/);
    expect(served.logs.some((l) => /posted a partial report/.test(l) && l.includes(id))).toBe(true);

    const c = cli(served.dir);
    expect(await runCli(["trace", "show", id, "--json"], c.io), c.err()).toBe(0);
    const trace = JSON.parse(c.out()) as { events: Array<{ type: string; data: Record<string, unknown> }>; reports: Array<{ kind: string; summary: string }> };
    expect(trace.events.find((e) => e.type === "decision" && e.data["shutdown"] === true)?.data["stopped"]).toEqual(["prometheus"]);
    expect(trace.reports.at(-1)?.summary).toMatch(/^Partial report: the server shut down before prometheus answered/);
  });
});
