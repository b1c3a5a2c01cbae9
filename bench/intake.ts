/**
 * Throughput and latency of Slack intake through the local server, on loopback.
 *
 *   node --import tsx bench/intake.ts          (or: pnpm bench intake)
 *
 * This process is the server, built exactly as `sre-on-call serve` builds it: `buildApp` with a
 * config parsed by `parseConfigText`, the embedded store in a fresh directory, Slack enabled by
 * SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET / SLACK_API_URL, JSON log lines written the way serve
 * writes them (to a file here), and `startHttpServer` on 127.0.0.1:0. Two helper processes keep
 * their work off the server's event loop: the fake Slack Web API (bench/support/fakeSlackProcess.ts)
 * that investigations post to, and the load generator (bench/support/loadgen.ts) that sends
 * signed Slack Events API requests over keep-alive connections, closed loop, at each
 * concurrency level: alert mentions (new event ids and messages, so each starts an
 * investigation), chatter mentions (suppressed by the gate, some answered with a hint), Slack
 * redeliveries of events already acknowledged (`X-Slack-Retry-Num`) and url_verification.
 *
 * Per level it prints the latency Slack sees (request written → response read: signature
 * verification, decoding, the acknowledgement) and, since the server acknowledges before the
 * gate runs, also what happens behind the acknowledgement: how long from sending an alert
 * mention until dedup in the embedded store and classification are done and the investigation
 * is launched, and until its report is posted; and how many events intake handled per second
 * including the time it needed to catch up after the load stopped.
 *
 * Environment:
 *   BENCH_SECONDS=5             measuring time per level
 *   BENCH_WARMUP_SECONDS=2      warm-up (concurrency 8) before the first level
 *   BENCH_CONCURRENCY=1,8,32    concurrency levels
 *   BENCH_MIX=45,30,20,5        percent alert, chatter, retry, url_verification
 *   BENCH_STORE_DIR=<dir>       store directory (default: a new one under the temp dir); it
 *                               must be on a real disk, fsync on tmpfs costs nothing
 *
 * Profile the server with: BENCH_MARKS=1 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/intake.ts
 * (the marks on stderr give each level's load window on the profile's clock).
 * BENCH_HINTS=on also sends the chatter hints (chat API calls made after the ack, on the same
 * event loop); by default they are off, like investigations (queued): the target the issue sets is
 * for the intake pipeline itself — verification, decoding, classification, dedup, acknowledgement.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat, statfs } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type AlertContext, investigationIdFor } from "@sre-on-call/core";
import { buildApp } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { startHttpServer } from "@sre-on-call/deploy/http/startHttpServer";
import { Effect, Result } from "effect";
import {
  type FakeSlackStats,
  type FromFakeSlack,
  type FromLoadgen,
  type LatencySummary,
  type LoadResult,
  type MentionPool,
  monotonicMs,
  summarize,
  type ToFakeSlack,
  type ToLoadgen,
  type TrafficMix
} from "./support/intakeProtocol.js";

const TARGET_P99_MS = 10;
const TARGET_RPS = 2000;
/** Mention slots held in the fake per second of load: enough for this many mentions/s. */
const POOL_MENTIONS_PER_SECOND = 12_000;
const TMPFS_MAGIC = 0x01021994;
/** How long a level may take to catch up before the next one starts anyway. */
const DRAIN_LIMIT_MS = 120_000;
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SUPPORT = fileURLToPath(new URL("./support/", import.meta.url));

const numberEnv = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
};

const listEnv = (name: string, fallback: string): Array<number> => {
  const raw = process.env[name] ?? fallback;
  const values = raw.split(",").map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 0)) {
    console.error(`${name} must be a comma-separated list of non-negative integers, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return values;
};

const SECONDS = numberEnv("BENCH_SECONDS", 5);
const WARMUP_SECONDS = numberEnv("BENCH_WARMUP_SECONDS", 2);
const LEVELS = listEnv("BENCH_CONCURRENCY", "1,8,32").filter((c) => c > 0);
const MIX: TrafficMix = (() => {
  const [alert = 0, chatter = 0, retry = 0, urlVerification = 0] = listEnv("BENCH_MIX", "45,30,20,5");
  if (alert + chatter + retry + urlVerification !== 100) {
    console.error("BENCH_MIX must add up to 100 (percent alert, chatter, retry, url_verification)");
    process.exit(2);
  }
  return { alert, chatter, retry, urlVerification };
})();

/** A forked helper that answers IPC messages; `request` sends one and waits for the reply of the given type. */
const helper = async <In extends { type: string }, Out extends { type: string }>(script: string, name: string) => {
  const child: ChildProcess = fork(join(SUPPORT, script), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"], cwd: ROOT });
  const waiters: Array<{ type: string; resolve: (m: Out) => void }> = [];
  const failed = new Promise<never>((_, reject) => {
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code}`)));
  });
  failed.catch(() => undefined);
  child.on("message", (message: Out) => {
    const i = waiters.findIndex((w) => w.type === message.type || message.type === "error");
    if (i === -1) return;
    const [w] = waiters.splice(i, 1);
    w?.resolve(message);
  });
  const wait = <T extends Out["type"]>(type: T) =>
    Promise.race([new Promise<Extract<Out, { type: T | "error" }>>((resolve) => waiters.push({ type, resolve: resolve as (m: Out) => void })), failed]);
  const ready = await wait("ready");
  return {
    ready,
    request: <T extends Out["type"]>(message: In, reply: T) => {
      const answer = wait(reply);
      child.send(message);
      return answer;
    },
    stop: async (message: In) => {
      if (child.exitCode !== null) return;
      child.send(message);
      await Promise.race([once(child, "exit"), new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill();
    }
  };
};

/** CPU time all processes of the machine have used since boot, ms. */
const machineBusyMs = () => cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
const pct = (partUs: number, wholeUs: number) => `${((100 * partUs) / Math.max(1, wholeUs)).toFixed(0)}%`;
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const latencyText = (s: LatencySummary) => (s.count === 0 ? "—" : `p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)} ms`);

interface LevelReport {
  readonly concurrency: number;
  readonly result: LoadResult;
  readonly rps: number;
}

/** Whether the store directory (and the server log in it) was given, and so is kept. */
const KEEP_STORE = process.env["BENCH_STORE_DIR"] !== undefined;

const main = async () => {
  const storeDir = process.env["BENCH_STORE_DIR"] ?? (await mkdtemp(join(tmpdir(), "bench-intake-")));
  try {
    await mkdir(storeDir, { recursive: true });
    await bench(storeDir);
  } finally {
    if (!KEEP_STORE) await rm(storeDir, { recursive: true, force: true });
  }
};

const bench = async (storeDir: string) => {
  const [loadBefore = 0] = loadavg();
  const onTmpfs = (await statfs(storeDir)).type === TMPFS_MAGIC;

  const slack = await helper<ToFakeSlack, FromFakeSlack>("fakeSlackProcess.ts", "the fake Slack process");
  const loadgen = await helper<ToLoadgen, FromLoadgen>("loadgen.ts", "the load generator");
  const fake = slack.ready;

  // ---- the server, as `sre-on-call serve` builds it ----
  const config = parseConfigText(
    `store: { directory: ${JSON.stringify(storeDir)} }\nclassifier: { chatter_hint: ${process.env["BENCH_HINTS"] === "on" ? "true" : "false"} }\nrouting:\n  default: { platform: slack, channel: C0LOAD0000 }\n` +
      // Slack mentions only; the per-minute bound would turn most of the load away, which is not what this measures.
      "intake: { webhook_auth: disabled, max_investigations_per_minute: 1000000 }\n",
    "bench config"
  );
  if (Result.isFailure(config)) throw config.failure;
  const logPath = join(storeDir, "server.log");
  const logFile = createWriteStream(logPath, { flags: "a" });
  const outcomes = new Map<string, number>();
  const launchedAt = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  let handled = 0;
  let rejected = 0;
  let finishedOk = 0;
  let finishedFailed = 0;
  // BENCH_DISPATCH=queue (default) measures the intake pipeline the issue names — verification,
  // decoding, classification, dedup, acknowledgement — with investigations dispatched to a queue,
  // as they are to the master agent when deployed. BENCH_DISPATCH=inprocess also runs every
  // investigation in the server's own event loop, as `serve` does on one machine.
  const dispatchMode = process.env["BENCH_DISPATCH"] === "inprocess" ? "inprocess" : "queue";
  const dispatched: Array<string> = [];
  const app = await buildApp({
    ...(dispatchMode === "queue" ? { dispatch: (alert: AlertContext) => Effect.sync(() => void dispatched.push(alert.investigationId)) } : {}),
    config: config.success,
    env: { SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.url },
    cwd: ROOT,
    log: (level, message, fields) => {
      logFile.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
      if (message === "slack event handled") {
        handled++;
        const result = `${String(fields?.["result"])}${fields?.["retry"] === true ? " (retry)" : ""}`;
        outcomes.set(result, (outcomes.get(result) ?? 0) + 1);
        if (fields?.["result"] === "investigating") launchedAt.set(`${String(fields["channelId"])}/${String(fields["threadId"])}`, monotonicMs());
      } else if (message === "investigation finished") {
        finishedAt.set(String(fields?.["investigationId"]), monotonicMs());
        if (fields?.["ok"] === true) finishedOk++;
        else finishedFailed++;
      } else if (message === "rejected a Slack request") rejected++;
    },
    consoleWrite: () => undefined
  });
  /** Time inside the shared handler (body read → response built): the server's own share of each request. */
  let handlerTimes: Array<number> = [];
  const handler: typeof app.handler = async (req) => {
    const t0 = monotonicMs();
    const response = await app.handler(req);
    handlerTimes.push(monotonicMs() - t0);
    return response;
  };
  const server = await startHttpServer({ handler, maxBodyBytes: config.success.intake.max_body_bytes });

  console.log(
    `intake bench: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "?"}), server ${server.url}\n` +
      `  server, fake Slack and load generator in three processes; store ${storeDir}${onTmpfs ? " (tmpfs: fsync is free, numbers are optimistic)" : ""}\n` +
      `  mix: ${MIX.alert}% alert mentions, ${MIX.chatter}% chatter mentions, ${MIX.retry}% Slack retries, ${MIX.urlVerification}% url_verification; ` +
      `${SECONDS} s per level after ${WARMUP_SECONDS} s warm-up\n` +
      `  chatter hints: ${process.env["BENCH_HINTS"] === "on" ? "sent (BENCH_HINTS=on)" : "off (BENCH_HINTS=on sends them)"}\n` +
      `  dispatch: ${dispatchMode === "queue" ? "investigations queued, as to the master agent when deployed (BENCH_DISPATCH=inprocess runs them in the server too)" : "investigations run in the server process, as `serve` does"}\n`
  );

  let nextSlot = 0;
  let ackedSoFar = 0;
  let othersTotalMs = 0;
  let levelsWallMs = 0;
  const baseSeconds = Math.floor(Date.now() / 1000) - 3600;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });

  /** Waits until intake has handled every acknowledged event and no investigation is running. */
  const drain = async (): Promise<{ readonly ms: number; readonly complete: boolean }> => {
    const t0 = monotonicMs();
    const busy = () => handled < ackedSoFar || app.runner.running() > 0;
    while (busy() && monotonicMs() - t0 < DRAIN_LIMIT_MS) await new Promise((r) => setTimeout(r, 5));
    return { ms: monotonicMs() - t0, complete: !busy() };
  };

  const level = async (concurrency: number, seconds: number, runId: string) => {
    const slots = Math.ceil(POOL_MENTIONS_PER_SECOND * seconds * ((MIX.alert + MIX.chatter) / 100)) + 100;
    const pool: MentionPool = { baseSeconds, from: nextSlot, to: nextSlot + slots };
    nextSlot += slots;
    await slack.request({ type: "seed", pool }, "seeded");
    const handledBefore = handled;
    const finishedBefore = finishedOk + finishedFailed;
    const slackBefore = (await slack.request({ type: "stats" }, "stats")).stats;
    loopDelay.reset();
    loopDelay.enable();
    handlerTimes = [];
    const cpu0 = process.cpuUsage();
    const machine0 = machineBusyMs();
    const markStart = monotonicMs();
    const reply = await loadgen.request({ type: "run", run: { url: server.url, signingSecret: SIGNING_SECRET, botUserId: fake.botUserId, concurrency, seconds, mix: MIX, pool, runId } }, "result");
    if (reply.type === "error") throw new Error(`load generator: ${reply.message}`);
    const result = reply.result;
    // Load window on the clock of --cpu-prof profiles (µs since boot), to cut a profile to it.
    if (process.env["BENCH_MARKS"] === "1") console.error(`[mark] ${runId} load from ${Math.round(markStart * 1000)} to ${Math.round(monotonicMs() * 1000)} µs`);
    ackedSoFar += result.eventsAcknowledged;
    const drained = await drain();
    const cpu = process.cpuUsage(cpu0);
    const machineMs = machineBusyMs() - machine0;
    loopDelay.disable();
    const slackAfter = (await slack.request({ type: "stats" }, "stats")).stats;
    const othersMs = Math.max(0, machineMs - (cpu.user + cpu.system) / 1000 - result.cpuMs - (slackAfter.cpuMs - slackBefore.cpuMs));
    othersTotalMs += othersMs;
    levelsWallMs += result.elapsedMs + drained.ms;
    return { result, drainMs: drained.ms, drained: drained.complete, cpu, othersMs, handlerTime: summarize(handlerTimes), handled: handled - handledBefore, finished: finishedOk + finishedFailed - finishedBefore, slackBefore, slackAfter };
  };

  const delta = (after: FakeSlackStats, before: FakeSlackStats) => ({
    announcements: after.announcements - before.announcements,
    reportThreads: after.reportThreads - before.reportThreads,
    hints: after.hints - before.hints,
    errors: Object.values(after.errors).reduce((a, b) => a + b, 0) - Object.values(before.errors).reduce((a, b) => a + b, 0)
  });

  // ---- warm-up ----
  const warm = await level(8, WARMUP_SECONDS, "W");
  console.log(`warm-up: ${warm.result.requests} requests at concurrency 8, ${Math.round(warm.result.requests / (warm.result.elapsedMs / 1000))} req/s; caught up in ${ms(warm.drainMs)} ms\n`);

  const reports: Array<LevelReport> = [];
  console.log("conc  requests     req/s    p50 ms   p90 ms   p99 ms   max ms  non-2xx");
  const details: Array<string> = [];
  for (const [i, concurrency] of LEVELS.entries()) {
    const r = await level(concurrency, SECONDS, `L${i}`);
    const res = r.result;
    const rps = res.requests / (res.elapsedMs / 1000);
    reports.push({ concurrency, result: res, rps });
    console.log(
      `${String(concurrency).padStart(4)}  ${String(res.requests).padStart(8)}  ${rps.toFixed(0).padStart(8)}  ${ms(res.latency.p50).padStart(8)} ${ms(res.latency.p90).padStart(8)} ${ms(res.latency.p99).padStart(8)} ${ms(res.latency.max).padStart(8)}  ${String(res.non2xx).padStart(7)}`
    );

    const toLaunch: Array<number> = [];
    const toReport: Array<number> = [];
    for (const [channel, ts, sentAt] of res.alertsSent) {
      const launched = launchedAt.get(`${channel}/${ts}`);
      if (launched !== undefined) toLaunch.push(launched - sentAt);
      const finished = finishedAt.get(investigationIdFor("slack", channel, ts));
      if (finished !== undefined) toReport.push(finished - sentAt);
    }
    const window = res.elapsedMs + r.drainMs;
    const s = delta(r.slackAfter, r.slackBefore);
    const kinds = Object.entries(res.byKind)
      .filter(([, v]) => v.count > 0)
      .map(([k, v]) => `${k} ${v.count} (p99 ${ms(v.p99)} ms${v.non2xx > 0 ? `, ${v.non2xx} non-2xx` : ""})`)
      .join(", ");
    details.push(
      [
        `concurrency ${concurrency}:`,
        `  acknowledged by kind: ${kinds}`,
        ...(res.non2xx > 0 ? [`  non-2xx: ${JSON.stringify(res.statuses)}${Object.keys(res.networkErrors).length > 0 ? ` network errors ${JSON.stringify(res.networkErrors)}` : ""}`] : []),
        `  server side, inside the handler (verify + decode + ack built): ${latencyText(r.handlerTime)}`,
        `  behind the ack: intake handled ${r.handled} events (dedup + classification + launch) in ${ms(res.elapsedMs)} ms of load + ${ms(r.drainMs)} ms catching up = ${Math.round(r.handled / (window / 1000))} events/s`,
        `  alert mention sent → investigation launched: ${latencyText(summarize(toLaunch))}`,
        `  alert mention sent → report posted, investigation done: ${latencyText(summarize(toReport))}`,
        `  investigations: ${res.alertsSent.length} alert mentions acknowledged, ${toLaunch.length} launched, ${r.finished} finished; fake Slack got ${s.announcements} announcements, reports in ${s.reportThreads} threads, ${s.hints} chatter hints, ${s.errors} failed calls`,
        `  server CPU per request, everything it caused included: ${((r.cpu.user + r.cpu.system) / 1000 / Math.max(1, res.requests)).toFixed(2)} ms, so one core sustains at most ~${Math.round((res.requests * 1e6) / Math.max(1, r.cpu.user + r.cpu.system))} req/s of this mix`,
        `  CPU, % of one core: server ${pct(r.cpu.user + r.cpu.system, window * 1000)} (user ${(r.cpu.user / 1000).toFixed(0)} ms, system ${(r.cpu.system / 1000).toFixed(0)} ms), ` +
          `load generator ${pct(res.cpuMs * 1000, res.elapsedMs * 1000)}, fake Slack ${pct((r.slackAfter.cpuMs - r.slackBefore.cpuMs) * 1000, window * 1000)}; ` +
          `other processes on the machine ${pct(r.othersMs * 1000, window * 1000)}; server event-loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)} ms, max ${ms(loopDelay.max / 1e6)} ms; server heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB`,
        ...(res.poolExhausted > 0 ? [`  ${res.poolExhausted} mentions reused a message already mentioned (the pool was too small): they measure a different path`] : []),
        ...(r.drained ? [] : [`  intake had not caught up after ${DRAIN_LIMIT_MS / 1000} s; the next level started with work left over`])
      ].join("\n")
    );
  }
  console.log(`\n${details.join("\n")}\n`);

  const final = (await slack.request({ type: "stats" }, "stats")).stats;
  const outcomeText = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(`whole run (warm-up included): intake outcomes: ${outcomeText}; rejected requests ${rejected}${dispatchMode === "queue" ? `; ${dispatched.length} investigations dispatched to the queue` : ""}`);
  console.log(
    `  investigations started ${launchedAt.size}, finished ${finishedOk} ok / ${finishedFailed} failed; reports reached the fake Slack in ${final.reportThreads} threads (${final.reportMessages} messages), ` +
      `${final.announcements} announcements, ${final.hints} hints, ${final.alreadyInvestigated} "already investigated"; failed Slack calls: ${Object.keys(final.errors).length === 0 ? "none" : JSON.stringify(final.errors)}`
  );
  const logSize = (await stat(logPath).catch(() => ({ size: 0 }))).size;
  console.log(`  server log: ${(logSize / 1024 / 1024).toFixed(1)} MB of JSON lines${KEEP_STORE ? ` in ${logPath}` : " (removed with the temporary store directory)"}`);
  const othersShare = othersTotalMs / Math.max(1, levelsWallMs);
  console.log(
    `  processes outside this bench used ${(othersShare * 100).toFixed(0)}% of a core on average while it ran (of ${cpus().length} cores; load average ${loadBefore.toFixed(2)} at start)` +
      `${othersShare > 0.2 ? ": they competed for the CPUs, so these numbers are pessimistic" : ""}\n`
  );

  const meets = (r: LevelReport) => r.result.latency.p99 < TARGET_P99_MS && r.rps >= TARGET_RPS && r.result.non2xx === 0;
  const passing = reports.filter(meets).sort((a, b) => b.rps - a.rps);
  const best = passing[0] ?? [...reports].sort((a, b) => b.rps - a.rps)[0];
  if (best !== undefined) {
    const what = `concurrency ${best.concurrency}: ${best.rps.toFixed(0)} req/s, p99 ${ms(best.result.latency.p99)} ms, ${best.result.non2xx} non-2xx`;
    console.log(
      passing.length > 0
        ? `target (p99 < ${TARGET_P99_MS} ms and ≥ ${TARGET_RPS.toLocaleString("en")} req/s): MET at best level ${what}`
        : `target (p99 < ${TARGET_P99_MS} ms and ≥ ${TARGET_RPS.toLocaleString("en")} req/s): NOT MET; best level ${what}`
    );
  }

  await server.close();
  await app.close();
  await new Promise<void>((r) => logFile.end(() => r()));
  await loadgen.stop({ type: "stop" });
  await slack.stop({ type: "stop" });
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("intake bench failed:", error);
    process.exit(1);
  }
);
