/**
 * The embedded store in a hostile or broken environment: a directory it may not write, a full
 * disk, a read-only mount, a lock left by `kill -9`, a lock held by a live process, damaged
 * files, loose permissions, and a disk that fills up while `serve` runs (`/healthz`).
 *
 * A full disk and a read-only mount come from the store's file-system seam (no root tricks). A
 * directory without write permission is a real `chmod 0500` where that blocks writes; as root it
 * does not, so the in-process probe uses the seam's EACCES and the CLI probe runs as `nobody`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { EmbeddedStore, EmbeddedStoreError, type EmbeddedStoreOptions } from "@sre-on-call/adapters";
import { encodeLine } from "@sre-on-call/adapters/store/embedded/logLine";
import { makeFaultyFileSystem } from "@sre-on-call/adapters/store/embedded/testing/faultyFileSystem";
import { runCli } from "@sre-on-call/deploy/cli/runCli";
import { type App, buildApp, StartupError } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { type RunningServer, startHttpServer } from "@sre-on-call/deploy/http/startHttpServer";
import { Result } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STORE_MODULE = join(ROOT, "packages/adapters/src/store/embedded/EmbeddedStore.ts");
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** serve refuses to start with unauthenticated alert webhooks, which would hide the store error under test. */
const WEBHOOK_ENV = { SRE_WEBHOOK_TOKEN: "store-security-test-token" };

const scratch: Array<string> = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), `sre-store-sec-${prefix}-`));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) {
    chmodTree(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
const chmodTree = (dir: string) => {
  try {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) chmodTree(join(dir, entry.name));
  } catch {
    // Already gone.
  }
};

/** Whether `chmod 0500` really keeps this process from creating files (it does not for root). */
const chmodBlocksWrites = (() => {
  const dir = mkdtempSync(join(tmpdir(), "sre-store-sec-probe-"));
  try {
    chmodSync(dir, 0o500);
    try {
      writeFileSync(join(dir, "probe"), "x");
      return false;
    } catch {
      return true;
    }
  } finally {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
})();

interface Logged {
  readonly level: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
}

const opened: Array<EmbeddedStore> = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

const openStore = async (options: EmbeddedStoreOptions): Promise<EmbeddedStore> => {
  const store = await EmbeddedStore.open({ compactEveryMs: 0, ...options });
  opened.push(store);
  return store;
};

const openFailure = async (options: EmbeddedStoreOptions): Promise<EmbeddedStoreError> => {
  const outcome = await openStore(options).then(
    () => undefined,
    (e: unknown) => e
  );
  expect(outcome).toBeInstanceOf(EmbeddedStoreError);
  return outcome as EmbeddedStoreError;
};

const mode = (path: string) => statSync(path).mode & 0o777;

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Runs the CLI in this process, as a shell would, and returns its exit status and output. */
const cli = async (argv: ReadonlyArray<string>, cwd: string) => {
  let stdout = "";
  let stderr = "";
  const status = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdinLines: async function* () {},
    stdinText: () => Promise.resolve(""),
    env: WEBHOOK_ENV,
    cwd,
    isTty: false
  });
  return { status, stdout, stderr };
};

/** The lines a person reads: everything but the server's JSON log lines. */
const messageLines = (stderr: string) => stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("{"));

const expectOneLineFailure = (result: { status: number; stderr: string }) => {
  expect(result.status).toBe(1);
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(messageLines(result.stderr)).toHaveLength(1);
};

const configDir = (storeDirectory: string, prefix = "cfg") => {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, "config.yaml"), `store: { directory: ${JSON.stringify(storeDirectory)} }\nrouting: { default: { platform: console, channel: ops } }\n`);
  return dir;
};

/** A Node process that opens the store in `directory` and keeps it open until killed. */
const holdStore = async (directory: string): Promise<{ readonly child: ChildProcess; readonly kill: () => Promise<void> }> => {
  const script = `
    const { EmbeddedStore } = await import(${JSON.stringify(STORE_MODULE)});
    await EmbeddedStore.open({ directory: ${JSON.stringify(directory)}, compactEveryMs: 0 });
    console.log("ready");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => line === "ready" && resolve());
    void exited.then(() => reject(new Error(`the lock holder exited early: ${stderr}`)));
  });
  return {
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    }
  };
};

describe("store startup in a broken environment", () => {
  it(`a directory it may not write: a typed error naming the directory and the permission (${chmodBlocksWrites ? "real chmod 0500" : "running as root, so EACCES comes from the file-system seam"})`, async () => {
    const parent = tempDir("ro");
    const directory = join(parent, "state", "store");
    let fs;
    if (chmodBlocksWrites) chmodSync(parent, 0o500);
    else {
      fs = makeFaultyFileSystem();
      fs.fault = "EACCES";
    }
    const error = await openFailure({ directory, ...(fs !== undefined ? { fs } : {}) });
    expect(error.reason).toBe("unwritable");
    expect(error.message).toContain(parent);
    expect(error.message).toMatch(/permission/i);
    expect(error.message).toMatch(/write/);
  });

  it("a read-only file system (EROFS through the seam): says so and names the directory", async () => {
    const directory = join(tempDir("erofs"), "store");
    mkdirSync(directory);
    const fs = makeFaultyFileSystem();
    fs.fault = "EROFS";
    const error = await openFailure({ directory, fs });
    expect(error.reason).toBe("unwritable");
    expect(error.message).toContain(directory);
    expect(error.message).toMatch(/read-only file system/);
  });

  it("a full disk (ENOSPC through the seam): says so and that nothing was lost, leaves no lock behind, and opens once there is room", async () => {
    const directory = join(tempDir("enospc"), "store");
    const seed = await openStore({ directory });
    await seed.table<string>("t").put("kept", "yes");
    await seed.close();
    const fs = makeFaultyFileSystem();
    fs.fault = "ENOSPC";
    const error = await openFailure({ directory, fs });
    expect(error.reason).toBe("disk_full");
    expect(error.message).toMatch(/full/);
    expect(error.message).toMatch(/ENOSPC/);
    expect(error.message).toMatch(/nothing was lost/i);
    expect(readdirSync(directory)).not.toContain("LOCK");
    fs.fault = undefined;
    const store = await openStore({ directory, fs });
    expect(await store.table("t").get("kept")).toBe("yes");
  });

  it("a lock left by a process killed with kill -9 is removed on start, and the removal is logged", async () => {
    const directory = join(tempDir("stale"), "store");
    const holder = await holdStore(directory);
    const pid = holder.child.pid!;
    await holder.kill();
    const logs: Array<Logged> = [];
    const store = await openStore({ directory, log: (level, message, fields) => logs.push({ level, message, fields }) });
    await store.table<string>("t").put("k", "v");
    expect(logs.some((l) => l.level === "warn" && /stale lock/i.test(l.message) && l.message.includes(String(pid)))).toBe(true);
  });

  it("a lock carrying this process's pid that this process does not hold (pid reuse, e.g. pid 1 in a restarted container) is stale", async () => {
    const directory = join(tempDir("pidreuse"), "store");
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "LOCK"), JSON.stringify({ pid: process.pid, hostname: hostname(), since: "2024-01-01T00:00:00.000Z", token: "earlier-life" }));
    const logs: Array<Logged> = [];
    const store = await openStore({ directory, log: (level, message, fields) => logs.push({ level, message, fields }) });
    expect(await store.table("t").get("k")).toBeUndefined();
    expect(logs.some((l) => /stale lock/i.test(l.message))).toBe(true);
    // Held by this process now: a second open is refused.
    expect((await openFailure({ directory })).reason).toBe("locked");
  });

  it("damaged store files: the error names the file and never prints its content", async () => {
    const directory = join(tempDir("corrupt"), "store");
    mkdirSync(directory, { recursive: true });
    const secret = "TOPSECRET-d41d8cd98f00b204";
    writeFileSync(join(directory, "snapshot.jsonl"), encodeLine(JSON.stringify({ format: "sre-on-call/embedded-store", version: secret, kind: "snapshot", generation: 1, records: 0 })));
    const error = await openFailure({ directory });
    expect(error.reason).toBe("corrupt");
    expect(error.message).toContain(join(directory, "snapshot.jsonl"));
    expect(error.message).not.toContain(secret);

    const cwd = configDir(join(directory, ".."));
    const result = await cli(["trace", "show", "inv-1"], cwd);
    expectOneLineFailure(result);
    expect(result.stderr).toContain("snapshot.jsonl");
    expect(result.stderr).not.toContain(secret);
  });
});

describe("a store held by a live process", () => {
  let stateDir: string;
  let holder: Awaited<ReturnType<typeof holdStore>>;
  beforeAll(async () => {
    stateDir = tempDir("live");
    holder = await holdStore(join(stateDir, "store"));
  });
  afterAll(async () => {
    await holder.kill();
  });

  it("is refused with a typed error naming the holder's pid", async () => {
    const error = await openFailure({ directory: join(stateDir, "store") });
    expect(error.reason).toBe("locked");
    expect(error.pid).toBe(holder.child.pid);
    expect(error.message).toContain(String(holder.child.pid));
  });

  it("`trace` prints one line naming the pid and the way out, exit 1, no stack", async () => {
    const result = await cli(["trace", "show", "inv-1"], configDir(stateDir));
    expectOneLineFailure(result);
    expect(result.stderr).toContain(String(holder.child.pid));
    expect(result.stderr).toMatch(/store\.directory/);
  });

  it("`experiment` prints one line too", async () => {
    const result = await cli(["experiment", "list"], configDir(stateDir));
    expectOneLineFailure(result);
    expect(result.stderr).toContain(String(holder.child.pid));
  });

  it("`serve` fails to start with one line saying to stop the other serve or use another store.directory", async () => {
    const cwd = configDir(stateDir);
    const result = await cli(["serve", "--config", join(cwd, "config.yaml"), "--port", "0"], cwd);
    expectOneLineFailure(result);
    expect(result.stderr).toContain(String(holder.child.pid));
    expect(result.stderr).toMatch(/serve/);
    expect(result.stderr).toMatch(/store\.directory/);
  });

  it("buildApp turns it into a StartupError", async () => {
    const config = parseConfigText(`store: { directory: ${JSON.stringify(stateDir)} }`, "test");
    if (Result.isFailure(config)) throw config.failure;
    const outcome = await buildApp({ config: config.success, env: WEBHOOK_ENV, cwd: ROOT, log: () => undefined, consoleWrite: () => undefined, logLine: () => undefined }).then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (e: unknown) => e
    );
    expect(outcome).toBeInstanceOf(StartupError);
    expect((outcome as Error).message).toContain(String(holder.child.pid));
  });
});

describe("the CLI on a store directory it may not write", () => {
  it(`prints one line naming the directory, exit 1 (${chmodBlocksWrites ? "real chmod 0500" : `running as root: the command runs with effective uid ${NOBODY} on a root-owned directory`})`, async () => {
    const parent = tempDir("cli-ro");
    const stateDir = join(parent, "state");
    const cwd = configDir(stateDir);
    let result: { status: number; stderr: string };
    if (chmodBlocksWrites) {
      chmodSync(parent, 0o500);
      result = await cli(["trace", "show", "inv-1"], cwd);
    } else {
      expect(isRoot).toBe(true);
      chmodSync(parent, 0o755);
      chmodSync(cwd, 0o755);
      // Root passes every permission check, so the command runs with the effective uid of nobody (restored right after).
      const { setegid, seteuid } = process;
      if (setegid === undefined || seteuid === undefined) throw new Error("running as root without seteuid: cannot test a real permission denial");
      setegid(NOBODY);
      seteuid(NOBODY);
      try {
        result = await cli(["trace", "show", "inv-1"], cwd);
      } finally {
        seteuid(0);
        setegid(0);
      }
    }
    expectOneLineFailure(result);
    expect(result.stderr).toContain(parent);
    expect(result.stderr).toMatch(/permission/i);
  });
});

describe("file permissions", () => {
  it("creates directories 0700 and files 0600", async () => {
    const base = tempDir("perm");
    const directory = join(base, "new", "store");
    const store = await openStore({ directory });
    const t = store.table<string>("t");
    await t.put("a", "1");
    await store.compact();
    await t.put("b", "2");
    expect(mode(join(base, "new"))).toBe(0o700);
    expect(mode(directory)).toBe(0o700);
    const files = readdirSync(directory);
    expect(files).toEqual(expect.arrayContaining(["LOCK", "snapshot.jsonl"]));
    expect(files.some((f) => f.startsWith("log-"))).toBe(true);
    for (const file of files) expect([file, mode(join(directory, file))]).toEqual([file, 0o600]);
  });

  it("tightens an existing directory it owns to 0700", async () => {
    const directory = join(tempDir("perm-existing"), "store");
    mkdirSync(directory, { mode: 0o755 });
    chmodSync(directory, 0o755);
    await openStore({ directory });
    expect(mode(directory)).toBe(0o700);
  });

  it("warns, naming the directory and its mode, when it cannot tighten it", async () => {
    const directory = join(tempDir("perm-warn"), "store");
    mkdirSync(directory);
    chmodSync(directory, 0o755);
    const fs = makeFaultyFileSystem();
    fs.chmodFault = "EPERM";
    const logs: Array<Logged> = [];
    await openStore({ directory, fs, log: (level, message, fields) => logs.push({ level, message, fields }) });
    expect(mode(directory)).toBe(0o755);
    const warning = logs.find((l) => l.level === "warn" && l.message.includes(directory));
    expect(warning?.message).toMatch(/755/);
  });
});

describe("a disk that fills up while running", () => {
  it("the store reports itself unhealthy while writes fail and recovers once they succeed, keeping only acknowledged writes", async () => {
    const directory = join(tempDir("health"), "store");
    const fs = makeFaultyFileSystem();
    const store = await openStore({ directory, fs, recoverEveryMs: 10 });
    const t = store.table<string>("t");
    await t.put("before", "1");
    expect(store.health()).toEqual({ ok: true });
    fs.fault = "ENOSPC";
    await expect(t.put("during", "2")).rejects.toBeInstanceOf(EmbeddedStoreError);
    const health = store.health();
    expect(health.ok).toBe(false);
    if (!health.ok) {
      expect(health.reason).toMatch(/disk is full/);
      expect(typeof health.since).toBe("number");
    }
    fs.fault = undefined;
    await waitFor("the store to recover", async () => (store.health().ok ? true : undefined));
    expect(await t.get("before")).toBe("1");
    expect(await t.get("during")).toBeUndefined();
    await t.put("after", "3");
    await store.close();
    const reopened = await openStore({ directory });
    const r = reopened.table<string>("t");
    expect([await r.get("before"), await r.get("during"), await r.get("after")]).toEqual(["1", undefined, "3"]);
  });

  describe("through the real HTTP server", () => {
    let app: App;
    let server: RunningServer;
    const fs = makeFaultyFileSystem();
    beforeAll(async () => {
      const stateDir = tempDir("healthz");
      const config = parseConfigText(
        [`store: { directory: ${JSON.stringify(stateDir)} }`, "routing: { default: { platform: console, channel: ops } }", "agents: { incident-history: { enabled: false } }"].join("\n"),
        "test"
      );
      if (Result.isFailure(config)) throw config.failure;
      app = await buildApp({
        config: config.success,
        env: { SRE_WEBHOOK_TOKEN: "healthz-test-token" },
        cwd: ROOT,
        log: () => undefined,
        consoleWrite: () => undefined,
        logLine: () => undefined,
        store: { fs, recoverEveryMs: 20 }
      });
      server = await startHttpServer({ handler: app.handler, host: "127.0.0.1", port: 0 });
    });
    afterAll(async () => {
      fs.fault = undefined;
      await server.close();
      await app.close();
    });

    const healthz = async () => {
      const res = await fetch(`${server.url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, text: "" };
    };

    it("/healthz answers 503 degraded with the reason while the disk is full, and 200 ok once writes succeed again", async () => {
      expect(await healthz()).toMatchObject({ status: 200, body: { status: "ok" } });
      fs.fault = "ENOSPC";
      const alert = (await import("node:fs")).readFileSync(join(ROOT, "examples/payments-outage/alert.json"), "utf8");
      await fetch(`${server.url}/webhooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer healthz-test-token" }, body: alert });
      const degraded = await waitFor("/healthz to report the failure", async () => {
        const h = await healthz();
        return h.status === 503 ? h : undefined;
      });
      expect(degraded.body["status"]).toBe("degraded");
      expect(String(degraded.body["reason"])).toMatch(/disk is full/);
      // An unauthenticated endpoint does not disclose where the state lives.
      expect(JSON.stringify(degraded.body)).not.toContain(tmpdir());
      fs.fault = undefined;
      const recovered = await waitFor("/healthz to recover", async () => {
        const h = await healthz();
        return h.status === 200 ? h : undefined;
      });
      expect(recovered.body).toEqual({ status: "ok" });
    });
  });
});
