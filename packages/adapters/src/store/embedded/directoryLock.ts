import { randomUUID } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { syncDirectory } from "./durableFs.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";

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

const isHolder = (value: unknown): value is Holder => {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["pid"] === "number" && typeof v["hostname"] === "string" && typeof v["since"] === "string" && typeof v["token"] === "string";
};

const errorCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;

type ReadHolder = Holder | "missing" | "unreadable";

const readHolder = async (path: string): Promise<ReadHolder> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
    return isHolder(parsed) ? parsed : "unreadable";
  } catch (e) {
    return errorCode(e) === "ENOENT" ? "missing" : "unreadable";
  }
};

/** A process on another host cannot be probed, so it counts as alive. */
const isAlive = (holder: Holder): boolean => {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === "EPERM";
  }
};

const olderThan = async (path: string, ms: number): Promise<boolean> => {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
};

const createExclusive = async (path: string, content: string): Promise<boolean> => {
  let handle;
  try {
    handle = await open(path, "wx");
  } catch (e) {
    if (errorCode(e) === "EEXIST") return false;
    throw e;
  }
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
};

const unlinkIfPresent = async (path: string): Promise<void> => {
  try {
    await unlink(path);
  } catch (e) {
    if (errorCode(e) !== "ENOENT") throw e;
  }
};

/**
 * Removes a lock left behind by a crash. Two processes may find the same stale lock at once;
 * the breaker file lets only one of them re-check and remove it, so neither can delete a lock
 * the other has just taken.
 */
const breakStaleLock = async (directory: string, me: Holder, stillStale: (current: ReadHolder) => Promise<boolean>): Promise<void> => {
  const breaker = join(directory, BREAKER_FILE);
  if (!(await createExclusive(breaker, JSON.stringify(me)))) {
    const other = await readHolder(breaker);
    const abandoned = other === "unreadable" ? await olderThan(breaker, HALF_WRITTEN_GRACE_MS) : other !== "missing" && !isAlive(other);
    if (abandoned) await unlinkIfPresent(breaker);
    else await sleep(RETRY_DELAY_MS);
    return;
  }
  try {
    const path = join(directory, LOCK_FILE);
    if (await stillStale(await readHolder(path))) await unlinkIfPresent(path);
  } finally {
    await unlinkIfPresent(breaker);
  }
};

const lockedError = (directory: string, holder: Holder): EmbeddedStoreError =>
  new EmbeddedStoreError({
    reason: "locked",
    directory,
    detail:
      holder.pid === process.pid && holder.hostname === hostname()
        ? `already open in this process (pid ${holder.pid}) since ${holder.since}`
        : `in use by process ${holder.pid} on ${holder.hostname} since ${holder.since}; stop it, or delete ${join(directory, LOCK_FILE)} if no such process uses the store`
  });

/**
 * Takes the directory's exclusive lock: a `LOCK` file created with O_EXCL holding our pid,
 * host and a random token. A lock whose process is dead on this host is taken over.
 */
export const acquireDirectoryLock = async (directory: string): Promise<DirectoryLock> => {
  const path = join(directory, LOCK_FILE);
  const me: Holder = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), token: randomUUID() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(path, JSON.stringify(me))) {
      await syncDirectory(directory);
      return {
        path,
        release: async () => {
          const current = await readHolder(path);
          if (current !== "missing" && current !== "unreadable" && current.token === me.token) await unlinkIfPresent(path);
        }
      };
    }
    const holder = await readHolder(path);
    if (holder === "unreadable") {
      const abandoned = (current: ReadHolder) => (current === "unreadable" ? olderThan(path, HALF_WRITTEN_GRACE_MS) : Promise.resolve(false));
      if (await abandoned(holder)) await breakStaleLock(directory, me, abandoned);
      else await sleep(RETRY_DELAY_MS);
    } else if (holder !== "missing") {
      if (isAlive(holder)) throw lockedError(directory, holder);
      const sameDeadHolder = async (current: ReadHolder) => current !== "missing" && current !== "unreadable" && current.token === holder.token;
      await breakStaleLock(directory, me, sameDeadHolder);
    }
  }
  throw new EmbeddedStoreError({ reason: "locked", directory, detail: `could not take ${path}: other processes keep contending for it` });
};
