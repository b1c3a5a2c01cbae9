import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type SeriesData, toOpenMetrics } from "./openMetrics.js";

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops Prometheus and removes its storage. Idempotent. */
  readonly stop: () => Promise<void>;
}

const MISSING = "Debian's prometheus/promtool are not installed (apt-get install -y prometheus, or set PROMETHEUS_BIN and PROMTOOL_BIN)";

/** What a test file prints when it skips its Prometheus tests. */
export const PROMETHEUS_SKIP_REASON = `${MISSING}: the tests against a real Prometheus are skipped`;

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const findBinary = (name: string, variable: string): string | undefined => {
  const explicit = process.env[variable];
  if (explicit !== undefined && explicit !== "") return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, name))) return join(dir, name);
  }
  return isExecutable(`/usr/bin/${name}`) ? `/usr/bin/${name}` : undefined;
};

export const findPrometheus = (): { readonly prometheus: string; readonly promtool: string } | undefined => {
  const prometheus = findBinary("prometheus", "PROMETHEUS_BIN");
  const promtool = findBinary("promtool", "PROMTOOL_BIN");
  return prometheus === undefined || promtool === undefined ? undefined : { prometheus, promtool };
};

/** Whether the tests can run here. In CI (`CI` set) a missing binary is a failure, not a skip: see `requirePrometheus`. */
export const prometheusAvailable = (): boolean => findPrometheus() !== undefined;

/** True when tests should skip; throws in CI, where the binaries are required. */
export const skipWithoutPrometheus = (): boolean => {
  if (prometheusAvailable()) return false;
  if (process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false") throw new Error(`CI is set, so the tests against a real Prometheus must run, but ${MISSING}`);
  console.warn(PROMETHEUS_SKIP_REASON);
  return true;
};

/** A port the OS says is free right now; Prometheus cannot listen on port 0 and report it. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/**
 * Starts Debian's `prometheus` on 127.0.0.1 over a TSDB built from `series` with
 * `promtool tsdb create-blocks-from openmetrics`, so PromQL is evaluated by the real engine.
 * Nothing is scraped; query with explicit `time`/`start`/`end` inside the data's range.
 */
export const startPrometheus = async (series: ReadonlyArray<SeriesData>): Promise<PrometheusServer> => {
  const binaries = findPrometheus();
  if (binaries === undefined) throw new Error(PROMETHEUS_SKIP_REASON);
  const dir = await mkdtemp(join(tmpdir(), "prometheus-test-"));
  const storage = join(dir, "tsdb");
  try {
    await mkdir(storage);
    const dataFile = join(dir, "data.om");
    await writeFile(dataFile, toOpenMetrics(series));
    const blocks = spawnSync(binaries.promtool, ["tsdb", "create-blocks-from", "openmetrics", dataFile, storage], { encoding: "utf8", timeout: 60_000 });
    if (blocks.status !== 0) throw new Error(`promtool could not build blocks: ${blocks.stderr || blocks.stdout || String(blocks.error)}`);
    const config = join(dir, "prometheus.yml");
    await writeFile(config, "global:\n  evaluation_interval: 1h\n");
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const server = await launch(binaries.prometheus, config, storage, await freePort());
        return {
          url: server.url,
          stop: async () => {
            await server.stop();
            await rm(dir, { recursive: true, force: true });
          }
        };
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
};

const launch = async (command: string, config: string, storage: string, port: number): Promise<PrometheusServer> => {
  const child = spawn(
    command,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=100y",
      "--log.level=warn"
    ],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] }
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || !running()) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const killOnExit = () => signalGroup("SIGKILL");
  process.on("exit", killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      signalGroup("SIGTERM");
      const ended = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!ended) {
        signalGroup("SIGKILL");
        await exited;
      }
      process.off("exit", killOnExit);
    })();
    return stopping;
  };
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  try {
    for (;;) {
      if (!running()) throw new Error(`prometheus exited with ${child.exitCode ?? child.signalCode}: ${output}`);
      if (Date.now() - started > STARTUP_TIMEOUT_MS) throw new Error(`prometheus was not ready within ${STARTUP_TIMEOUT_MS} ms: ${output}`);
      const ready = await fetch(`${url}/-/ready`).then(
        async (r) => {
          await r.body?.cancel();
          return r.status === 200;
        },
        () => false
      );
      if (ready) return { url, stop };
      await sleep(100);
    }
  } catch (e) {
    await stop();
    throw e;
  }
};
