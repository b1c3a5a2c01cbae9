import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FILE_MODE, syncDirectory, writeAll } from "./durableFs.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";
import type { StoreFileSystem } from "./fileSystem.js";
import { errorCode } from "./storeFsError.js";

export const LOCK_FILE = "LOCK";
const BREAKER_FILE = "LOCK.break";
/** A lock or breaker file this old that still has no readable holder was left by a crash while it was being written. */
const HALF_WRITTEN_GRACE_MS = 5_000;
const ATTEMPTS = 50;
const RETRY_DELAY_MS = 20;

interface Holder {
  readonly pid: number;
  readonly hostname: string;
  readonly since: string;
  readonly token: string;
}

export interface DirectoryLock {
  readonly path: string;
  readonly release: () => Promise<void>;
}

export type LockLog = (level: "info" | "warn", message: string, fields?: Readonly<Record<string, unknown>>) => void;

/**
 * When this process started, in epoch ms. A lock naming this process's pid but taken before
 * then was left by an earlier process that had the same pid: in a container the server is
 * often pid 1 in every life, so after `kill -9` and a restart the stale lock names "us".
 */
const processStartedAt = Date.now() - process.uptime() * 1000;

const isHolder = (value: unknown): value is Holder => {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["pid"] === "number" && typeof v["hostname"] === "string" && typeof v["since"] === "string" && typeof v["token"] === "string";
};

type ReadHolder = Holder | "missing" | "unreadable";

const readHolder = async (fs: StoreFileSystem, path: string): Promise<ReadHolder> => {
  try {
    const parsed: unknown = JSON.parse((await fs.readFile(path)).toString("utf8"));
    return isHolder(parsed) ? parsed : "unreadable";
  } catch (e) {
    return errorCode(e) === "ENOENT" ? "missing" : "unreadable";
  }
};

/** A process on another host cannot be probed, so it counts as alive. */
const isAlive = (holder: Holder): boolean => {
  if (holder.hostname !== hostname()) return true;
  // Another store (or worker thread) of this process holding it is alive; a lock from before we started is not.
  if (holder.pid === process.pid) return !(Date.parse(holder.since) < processStartedAt);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === "EPERM";
  }
};

const olderThan = async (fs: StoreFileSystem, path: string, ms: number): Promise<boolean> => {
  try {
    return Date.now() - (await fs.stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
};

const unlinkIfPresent = async (fs: StoreFileSystem, path: string): Promise<void> => {
  try {
    await fs.unlink(path);
  } catch (e) {
    if (errorCode(e) !== "ENOENT") throw e;
  }
};

const createExclusive = async (fs: StoreFileSystem, path: string, content: string): Promise<boolean> => {
  let handle;
  try {
    handle = await fs.open(path, "wx", FILE_MODE);
  } catch (e) {
    if (errorCode(e) === "EEXIST") return false;
    throw e;
  }
  try {
    await writeAll(handle, Buffer.from(content, "utf8"), 0);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    // An empty lock (a full disk) would block the next start for the half-written grace period.
    await unlinkIfPresent(fs, path).catch(() => undefined);
    throw e;
  }
  await handle.close();
  return true;
};

/**
 * Removes a lock left behind by a crash, and says whether it did. Two processes may find the
 * same stale lock at once; the breaker file lets only one of them re-check and remove it, so
 * neither can delete a lock the other has just taken.
 */
const breakStaleLock = async (fs: StoreFileSystem, directory: string, me: Holder, stillStale: (current: ReadHolder) => Promise<boolean>): Promise<boolean> => {
  const breaker = join(directory, BREAKER_FILE);
  if (!(await createExclusive(fs, breaker, JSON.stringify(me)))) {
    const other = await readHolder(fs, breaker);
    const abandoned = other === "unreadable" ? await olderThan(fs, breaker, HALF_WRITTEN_GRACE_MS) : other !== "missing" && !isAlive(other);
    if (abandoned) await unlinkIfPresent(fs, breaker);
    else await sleep(RETRY_DELAY_MS);
    return false;
  }
  try {
    const path = join(directory, LOCK_FILE);
    if (!(await stillStale(await readHolder(fs, path)))) return false;
    await unlinkIfPresent(fs, path);
    return true;
  } finally {
    await unlinkIfPresent(fs, breaker);
  }
};

const lockedError = (directory: string, holder: Holder): EmbeddedStoreError => {
  const file = join(directory, LOCK_FILE);
  const here = holder.hostname === hostname();
  return new EmbeddedStoreError({
    reason: "locked",
    directory,
    file,
    pid: holder.pid,
    detail:
      holder.pid === process.pid && here
        ? `already open in this process (pid ${holder.pid}) since ${holder.since}; use the store that is open, or close it first`
        : `in use by process ${holder.pid} on ${here ? "this host" : `host ${holder.hostname}`} since ${holder.since}; stop that process (another sre-on-call serve, trace or experiment using the same directory) or use another directory` +
          (here ? "" : `; if no process on ${holder.hostname} uses it any more, delete ${file}`)
  });
};

/**
 * Takes the directory's exclusive lock: a `LOCK` file created with O_EXCL holding our pid,
 * host and a random token. A lock whose process is dead on this host is taken over, and `log`
 * hears about it.
 */
export const acquireDirectoryLock = async (fs: StoreFileSystem, directory: string, log: LockLog): Promise<DirectoryLock> => {
  const path = join(directory, LOCK_FILE);
  const me: Holder = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), token: randomUUID() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(fs, path, JSON.stringify(me))) {
      try {
        await syncDirectory(fs, directory);
      } catch (e) {
        await unlinkIfPresent(fs, path).catch(() => undefined);
        throw e;
      }
      return {
        path,
        release: async () => {
          const current = await readHolder(fs, path);
          if (current !== "missing" && current !== "unreadable" && current.token === me.token) await unlinkIfPresent(fs, path);
        }
      };
    }
    const holder = await readHolder(fs, path);
    if (holder === "unreadable") {
      const abandoned = (current: ReadHolder) => (current === "unreadable" ? olderThan(fs, path, HALF_WRITTEN_GRACE_MS) : Promise.resolve(false));
      if (!(await abandoned(holder))) await sleep(RETRY_DELAY_MS);
      else if (await breakStaleLock(fs, directory, me, abandoned)) {
        log("warn", `removed a stale lock ${path} that a crash left half-written`, { directory });
      }
    } else if (holder !== "missing") {
      if (isAlive(holder)) throw lockedError(directory, holder);
      const sameDeadHolder = async (current: ReadHolder) => current !== "missing" && current !== "unreadable" && current.token === holder.token;
      if (await breakStaleLock(fs, directory, me, sameDeadHolder)) {
        const gone = holder.pid === process.pid ? "an earlier process that had this process's pid" : "it is no longer running on this host";
        log("warn", `removed a stale lock ${path} left by process ${holder.pid} (${gone}; it took the lock at ${holder.since})`, {
          directory,
          pid: holder.pid
        });
      }
    }
  }
  throw new EmbeddedStoreError({
    reason: "locked",
    directory,
    file: path,
    detail: `could not take ${path}: other processes keep contending for it; stop the other processes using this directory, or use another directory`
  });
};
