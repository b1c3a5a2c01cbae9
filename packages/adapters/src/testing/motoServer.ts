import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for the AWS SDK's `endpoint`. */
  readonly endpoint: string;
  /** Stops the server and every process it started. Idempotent. */
  readonly stop: () => Promise<void>;
}

/** What a test file prints when it skips its AWS tests. */
export const MOTO_SKIP_REASON =
  "moto_server is not installed (pip install 'moto[server]', or point MOTO_SERVER at it): the AWS adapter tests against it are skipped";

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const LISTENING = /Running on http:\/\/127\.0\.0\.1:(\d+)/;
/** Enough of moto's output to explain a failed start, without keeping its whole request log. */
const OUTPUT_TAIL_CHARS = 4_000;

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** `MOTO_SERVER` if set, else the first `moto_server` on PATH. */
export const findMotoServer = (): string | undefined => {
  const explicit = process.env["MOTO_SERVER"];
  if (explicit !== undefined && explicit !== "") return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "moto_server");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
};

let availability: boolean | undefined;

/**
 * Whether `moto_server` can run here. Runs `moto_server --help` once, because a pyenv shim can
 * sit on PATH for a Python that lacks moto.
 */
export const motoAvailable = (): boolean => {
  if (availability === undefined) {
    const command = findMotoServer();
    availability = command !== undefined && spawnSync(command, ["--help"], { stdio: "ignore", timeout: STARTUP_TIMEOUT_MS }).status === 0;
  }
  return availability;
};

/** AWS SDK v3 client configuration for a moto endpoint: us-east-1 and dummy static credentials. */
export const motoClientConfig = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" }
});

/**
 * Starts `moto_server` on 127.0.0.1 on a port the OS picks, and resolves once it answers HTTP.
 * It runs in its own process group, so `stop()` (or this process exiting) ends everything it
 * started. Share one per test file and isolate tests by resource name.
 */
export const startMotoServer = async (): Promise<MotoServer> => {
  const command = findMotoServer();
  if (command === undefined) throw new Error(MOTO_SKIP_REASON);
  const child = spawn(command, ["-H", "127.0.0.1", "-p", "0"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" }
  });
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

  // moto logs every request; the pipes must keep draining or it blocks once they fill.
  let output = "";
  const port = new Promise<number>((resolve) => {
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
      const match = LISTENING.exec(output);
      if (match !== null) resolve(Number(match[1]));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
  });

  try {
    const failed = new Promise<never>((_, reject) => {
      child.once("error", reject);
      void exited.then(() => reject(new Error(`moto_server exited with ${child.exitCode ?? child.signalCode}: ${output}`)));
    });
    const timedOut = sleep(STARTUP_TIMEOUT_MS).then(() => {
      throw new Error(`moto_server did not start within ${STARTUP_TIMEOUT_MS} ms: ${output}`);
    });
    const endpoint = `http://127.0.0.1:${await Promise.race([port, failed, timedOut])}`;
    for (;;) {
      const answered = await Promise.race([
        fetch(`${endpoint}/moto-api/`).then(
          (r) => r.body?.cancel().then(() => true) ?? true,
          () => false
        ),
        failed,
        timedOut
      ]);
      if (answered) return { endpoint, stop };
      await sleep(50);
    }
  } catch (e) {
    await stop();
    throw e;
  }
};
