/**
 * A real Prometheus Alertmanager for end-to-end tests: found on PATH (Debian's
 * `prometheus-alertmanager`, installed by `.ci/run` when missing, or an upstream `alertmanager`),
 * started on 127.0.0.1 with clustering off, a config written to a temp dir that routes every
 * alert to one webhook receiver, and stopped (SIGTERM, then SIGKILL) at cleanup.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const BINARY_NAMES = ["prometheus-alertmanager", "alertmanager"] as const;

const isExecutableFile = (path: string): boolean => {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The Alertmanager binary: `$ALERTMANAGER_BIN` when set, else the first `prometheus-alertmanager`
 * or `alertmanager` on PATH; `undefined` when there is none.
 */
export const findAlertmanagerBinary = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const explicit = env["ALERTMANAGER_BIN"];
  if (explicit !== undefined && explicit !== "") return isExecutableFile(explicit) ? explicit : undefined;
  const dirs = (env["PATH"] ?? "").split(delimiter).filter((d) => d !== "");
  for (const name of BINARY_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
};

/** Why Alertmanager tests cannot run here, or `undefined` when the binary is available. */
export const alertmanagerSkipReason: string | undefined =
  findAlertmanagerBinary() === undefined
    ? process.env["ALERTMANAGER_BIN"] !== undefined && process.env["ALERTMANAGER_BIN"] !== ""
      ? `ALERTMANAGER_BIN=${process.env["ALERTMANAGER_BIN"]} is not an executable file`
      : "no Alertmanager binary on PATH (install Debian's `prometheus-alertmanager`: `apt-get install -y prometheus-alertmanager`; .ci/run does this)"
    : undefined;

/** How the webhook receiver authenticates, as Alertmanager's `http_config` sends it. */
export type WebhookCredentials =
  | { readonly kind: "bearer"; readonly token: string }
  | { readonly kind: "basic"; readonly username: string; readonly password: string };

export interface AlertmanagerConfigOptions {
  /** The receiver's URL, e.g. `http://127.0.0.1:1234/webhooks/alertmanager`. */
  readonly webhookUrl: string;
  readonly credentials?: WebhookCredentials;
  /** Route `group_by`; default `["alertname", "namespace"]`. */
  readonly groupBy?: ReadonlyArray<string>;
  /** Route timings as Alertmanager durations (`"100ms"`, `"1s"`); small defaults keep tests fast. */
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  readonly sendResolved?: boolean;
}

/**
 * The Alertmanager config (JSON, which Alertmanager's YAML loader reads as-is, so no value
 * needs YAML quoting): one route to one webhook receiver.
 */
export const alertmanagerConfig = (options: AlertmanagerConfigOptions): string => {
  const credentials = options.credentials;
  const httpConfig =
    credentials === undefined
      ? {}
      : credentials.kind === "bearer"
        ? { http_config: { authorization: { type: "Bearer", credentials: credentials.token } } }
        : { http_config: { basic_auth: { username: credentials.username, password: credentials.password } } };
  return JSON.stringify(
    {
      global: { resolve_timeout: "5m" },
      route: {
        receiver: "sre-on-call",
        group_by: options.groupBy ?? ["alertname", "namespace"],
        group_wait: options.groupWait ?? "100ms",
        group_interval: options.groupInterval ?? "1s",
        repeat_interval: options.repeatInterval ?? "1s"
      },
      receivers: [
        {
          name: "sre-on-call",
          webhook_configs: [{ url: options.webhookUrl, send_resolved: options.sendResolved ?? true, max_alerts: 0, ...httpConfig }]
        }
      ]
    },
    null,
    2
  );
};

/** An alert as Alertmanager's `POST /api/v2/alerts` takes it. */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** RFC 3339; Alertmanager uses "now" when absent. */
  readonly startsAt?: string;
  /** RFC 3339; a time in the past resolves the alert. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

export interface RunningAlertmanager {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** What the process printed so far (stdout and stderr, the last 256 kB). */
  readonly output: () => string;
  /** Pushes alerts to `POST /api/v2/alerts`; rejects with Alertmanager's answer when it is not 200. */
  readonly pushAlerts: (alerts: ReadonlyArray<PostableAlert>) => Promise<void>;
  /** The sum of every sample of a metric on `/metrics` whose labels include `labels`; `undefined` when there is none. */
  readonly metric: (name: string, labels?: Readonly<Record<string, string>>) => Promise<number | undefined>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); removes the temp dir. Idempotent. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

export interface StartAlertmanagerOptions extends AlertmanagerConfigOptions {
  readonly binary?: string;
  /** How long to wait for `/-/ready`; default 30 s (a loaded 2-core machine is slow to start Go binaries). */
  readonly readyTimeoutMs?: number;
  readonly logLevel?: "debug" | "info" | "warn" | "error";
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("could not pick a free port"))));
    });
  });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const OUTPUT_LIMIT = 256 * 1024;

/**
 * Parses Prometheus text exposition and sums the samples of `name` whose labels include
 * `labels`; `undefined` when no sample matches (so a renamed metric cannot pass as a zero).
 */
export const sumMetric = (exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined => {
  let total: number | undefined;
  for (const line of exposition.split("\n")) {
    if (line.startsWith("#") || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null || m[1] !== name) continue;
    const sampleLabels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) sampleLabels[pair[1]!] = pair[2]!;
    if (!Object.entries(labels).every(([k, v]) => sampleLabels[k] === v)) continue;
    const value = Number(m[3]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
};

interface Attempt {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<number | string>;
}

/**
 * Starts Alertmanager on 127.0.0.1 (a free port; retried on a port race) and resolves once
 * `/-/ready` answers 200. Rejects with the process output when it exits or never gets ready.
 */
export const startAlertmanager = async (options: StartAlertmanagerOptions): Promise<RunningAlertmanager> => {
  const binary = options.binary ?? findAlertmanagerBinary();
  if (binary === undefined) throw new Error(alertmanagerSkipReason ?? "no Alertmanager binary");
  const dir = mkdtempSync(join(tmpdir(), "sre-alertmanager-"));
  const configFile = join(dir, "alertmanager.yml");
  writeFileSync(configFile, alertmanagerConfig(options), { mode: 0o600 });
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > OUTPUT_LIMIT) output = output.slice(output.length - OUTPUT_LIMIT);
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const launch = async (): Promise<Attempt> => {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=http://127.0.0.1:${port}`,
        "--cluster.listen-address=",
        `--log.level=${options.logLevel ?? "debug"}`
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir } }
    );
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    const exited = new Promise<number | string>((resolve) => {
      child.once("exit", (code, signal) => resolve(signal ?? code ?? -1));
      child.once("error", (e) => resolve(e.message));
    });
    return { child, port, exited };
  };

  const killHard = (child: ChildProcess) => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };

  let attempt: Attempt | undefined;
  const onExit = () => {
    if (attempt !== undefined) killHard(attempt.child);
  };
  process.once("exit", onExit);

  const stopAttempt = async (a: Attempt, graceMs: number) => {
    if (a.child.exitCode === null && a.child.signalCode === null) {
      a.child.kill("SIGTERM");
      const done = await Promise.race([a.exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        killHard(a.child);
        await Promise.race([a.exited, sleep(2_000)]);
      }
    }
  };

  for (let tries = 1; ; tries += 1) {
    attempt = await launch();
    const current = attempt;
    const url = `http://127.0.0.1:${current.port}`;
    const until = Date.now() + readyTimeoutMs;
    let outcome: "ready" | "exited" | "timeout" = "timeout";
    let exitedWith: number | string | undefined;
    void current.exited.then((v) => (exitedWith = v));
    while (Date.now() < until) {
      if (exitedWith !== undefined) {
        outcome = "exited";
        break;
      }
      const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false
      );
      if (ok) {
        outcome = "ready";
        break;
      }
      await sleep(100);
    }
    if (outcome === "ready") break;
    await stopAttempt(current, 2_000);
    // A port taken between picking it and Alertmanager binding it: try another one.
    if (outcome === "exited" && /address already in use/i.test(output) && tries < 3) {
      output = "";
      continue;
    }
    process.removeListener("exit", onExit);
    rmSync(dir, { recursive: true, force: true });
    const why = outcome === "exited" ? `exited (${String(exitedWith)}) before it was ready` : `was not ready within ${readyTimeoutMs} ms`;
    throw new Error(`Alertmanager (${binary}) ${why}. Its output:\n${output.slice(-4_000)}`);
  }

  const running = attempt;
  const url = `http://127.0.0.1:${running.port}`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port: running.port,
    pid: running.child.pid ?? -1,
    output: () => output,
    pushAlerts: async (alerts) => {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(10_000)
      });
      if (res.status !== 200) throw new Error(`Alertmanager refused the alerts: HTTP ${res.status} ${await res.text()}`);
    },
    metric: async (name, labels = {}) => {
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`Alertmanager /metrics answered HTTP ${res.status}`);
      return sumMetric(await res.text(), name, labels);
    },
    stop: (graceMs = 5_000) => {
      stopped ??= stopAttempt(running, graceMs).finally(() => {
        process.removeListener("exit", onExit);
        rmSync(dir, { recursive: true, force: true });
      });
      return stopped;
    }
  };
};
