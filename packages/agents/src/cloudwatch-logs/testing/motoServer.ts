import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A minimal copy of `@sre-on-call/adapters/testing/motoServer` (agents may not depend on
 * adapters): starts `moto_server` on 127.0.0.1 on an OS-chosen port, in its own process group.
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
}

export const MOTO_SKIP_REASON = "moto_server is not installed (pip install 'moto[server]', or point MOTO_SERVER at it): the CloudWatch Logs tests against it are skipped";

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const findMotoServer = (): string | undefined => {
  const explicit = process.env["MOTO_SERVER"];
  if (explicit !== undefined && explicit !== "") return isExecutable(explicit) ? explicit : undefined;
  return (process.env["PATH"] ?? "")
    .split(delimiter)
    .filter((d) => d !== "")
    .map((d) => join(d, "moto_server"))
    .find(isExecutable);
};

let available: boolean | undefined;

/** Whether moto_server runs here (a pyenv shim can exist for a Python without moto). */
export const motoAvailable = (): boolean => {
  if (available === undefined) {
    const command = findMotoServer();
    available = command !== undefined && spawnSync(command, ["--help"], { stdio: "ignore", timeout: 30_000 }).status === 0;
  }
  return available;
};

export const motoClientConfig = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

export const startMotoServer = async (): Promise<MotoServer> => {
  const command = findMotoServer();
  if (command === undefined) throw new Error(MOTO_SKIP_REASON);
  const child = spawn(command, ["-H", "127.0.0.1", "-p", "0"], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (s: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, s);
    } catch {
      // Already gone.
    }
  };
  const killOnExit = () => signal("SIGKILL");
  process.on("exit", killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      signal("SIGTERM");
      if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) {
        signal("SIGKILL");
        await exited;
      }
      process.off("exit", killOnExit);
    })());
  let output = "";
  const port = new Promise<number>((resolve) => {
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m !== null) resolve(Number(m[1]));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
  });
  try {
    const failed = exited.then(() => Promise.reject(new Error(`moto_server exited: ${output}`)));
    const timedOut = sleep(30_000).then(() => Promise.reject(new Error(`moto_server did not start: ${output}`)));
    const endpoint = `http://127.0.0.1:${await Promise.race([port, failed, timedOut])}`;
    for (;;) {
      const ok = await fetch(`${endpoint}/moto-api/`).then(
        async (r) => {
          await r.body?.cancel();
          return true;
        },
        () => false
      );
      if (ok) return { endpoint, stop };
      await sleep(50);
    }
  } catch (e) {
    await stop();
    throw e;
  }
};
