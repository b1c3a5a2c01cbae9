import { join, resolve } from "node:path";
import type { DirectoryLock } from "./directoryLock.js";
import { acquireDirectoryLock } from "./directoryLock.js";
import { DIRECTORY_MODE, syncDirectory, writeFileAtomically } from "./durableFs.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";
import type { StoreFileSystem } from "./fileSystem.js";
import { nodeFileSystem } from "./fileSystem.js";
import { LogFile } from "./LogFile.js";
import { encodeLine } from "./logLine.js";
import { readLog, readSnapshot } from "./replay.js";
import type { IndexEntry } from "./SortedIndex.js";
import { SortedIndex } from "./SortedIndex.js";
import type { Tables } from "./storeFormat.js";
import { delOpJson, logFileName, logGeneration, putOpJson, SNAPSHOT_FILE, snapshotHeaderJson } from "./storeFormat.js";
import { errorCode, storeErrorFromFs, writeFailureSummary } from "./storeFsError.js";

/** Where the local server keeps its state unless the host says otherwise (relative to the working directory). */
export const DEFAULT_STORE_DIRECTORY = ".sre-on-call/store";

const DEFAULT_COMPACT_AFTER_BYTES = 8 * 1024 * 1024;
const DEFAULT_COMPACT_EVERY_MS = 60 * 60 * 1000;
const DEFAULT_RECOVER_EVERY_MS = 5_000;
const SEQUENCE_DIGITS = 16;
const SEQUENCE = /^\d{16}$/;

export interface EmbeddedStoreOptions {
  /** The store's directory, created if missing. Default: `.sre-on-call/store` under the working directory. */
  readonly directory?: string;
  /** The clock that expiry follows, in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /** Compact once the log reaches this size and outgrows the last snapshot. Default 8 MiB. */
  readonly compactAfterBytes?: number;
  /** Also compact on this interval, which is what drops expired records; 0 turns it off. Default one hour. */
  readonly compactEveryMs?: number;
  /**
   * After a failed write (a full disk), try this often to start writing again; 0 leaves the
   * store refusing operations until it is reopened. Default 5 seconds.
   */
  readonly recoverEveryMs?: number;
  /** Where the store reports what it did by itself: a stale lock removed, a directory made private, writes failing and recovering. */
  readonly log?: StoreLog;
  /** The file system underneath. Default Node's; a test puts faults in between. */
  readonly fs?: StoreFileSystem;
}

export type StoreLog = (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** Whether the store can write; `reason` names no path and quotes nothing from a file, so anyone may read it. */
export type EmbeddedStoreHealth = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly since: number };

export interface PutOptions {
  /** The record reads as absent this many milliseconds after it was written. Default: never. */
  readonly ttlMs?: number;
}

export interface ScanOptions {
  readonly limit?: number;
}

export type PutIfAbsentResult<V> = { readonly claimed: true } | { readonly claimed: false; readonly existing: V };

export interface Entry<V> {
  readonly key: string;
  readonly value: V;
  /** Epoch milliseconds after which the record reads as absent. */
  readonly expiresAt?: number;
}

/**
 * A table inside a transaction. Calls are synchronous and see the store as it is in memory,
 * including this transaction's own writes. Values must be JSON; they come back as fresh copies.
 */
export interface TableView<V> {
  readonly get: (key: string) => V | undefined;
  /** Unexpired entries whose key starts with `prefix`, ordered by key (UTF-16 code units). */
  readonly scan: (prefix?: string, options?: ScanOptions) => ReadonlyArray<Entry<V>>;
  readonly count: (prefix?: string) => number;
  readonly put: (key: string, value: V, options?: PutOptions) => void;
  readonly putIfAbsent: (key: string, value: V, options?: PutOptions) => PutIfAbsentResult<V>;
  /** True when an unexpired record was removed. */
  readonly delete: (key: string) => boolean;
  /** Stores `value` under `prefix` + the next 16-digit sequence number after the last key with that prefix, and returns the key. */
  readonly append: (prefix: string, value: V, options?: PutOptions) => string;
}

export interface Transaction {
  readonly table: <V>(name: string) => TableView<V>;
}

/** A table outside a transaction: each call is its own transaction. */
export interface Table<V> {
  readonly name: string;
  readonly get: (key: string) => Promise<V | undefined>;
  readonly scan: (prefix?: string, options?: ScanOptions) => Promise<ReadonlyArray<Entry<V>>>;
  readonly count: (prefix?: string) => Promise<number>;
  readonly put: (key: string, value: V, options?: PutOptions) => Promise<void>;
  readonly putIfAbsent: (key: string, value: V, options?: PutOptions) => Promise<PutIfAbsentResult<V>>;
  readonly delete: (key: string) => Promise<boolean>;
  readonly append: (prefix: string, value: V, options?: PutOptions) => Promise<string>;
  /** Replaces the value with `f(current)` atomically; `undefined` from `f` leaves the record as it is. Returns what `f` returned. */
  readonly update: (key: string, f: (current: V | undefined) => V | undefined, options?: PutOptions) => Promise<V | undefined>;
}

/** A torn tail that recovery cut off the newest log when the store was opened. */
export interface RecoveryNote {
  readonly file: string;
  readonly droppedBytes: number;
}

export interface EmbeddedStoreStats {
  readonly directory: string;
  /** Records in memory, including expired ones that compaction has not dropped yet. */
  readonly records: number;
  readonly logGeneration: number;
  readonly logBytes: number;
  readonly snapshotBytes: number;
  /** Transactions that wrote something since open. */
  readonly transactions: number;
  /** Log appends (each one fsync) since open; fewer than `transactions` when commits were grouped. */
  readonly commits: number;
  readonly compactions: number;
  readonly recovered: ReadonlyArray<RecoveryNote>;
  readonly lastCompactionError?: string;
}

interface Batch {
  readonly sequence: number;
  readonly lines: Array<string>;
  readonly touched: Array<readonly [string, string]>;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: EmbeddedStoreError) => void;
}

interface Capture {
  readonly generation: number;
  readonly data: string;
}

interface RotationRequest {
  readonly resolve: (capture: Capture) => void;
  readonly reject: (error: unknown) => void;
}

const isThenable = (value: unknown): boolean =>
  (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The store holds alert payloads, reports and incident history, so its directory is private to
 * its user: a new one is created 0700, and an existing one this process owns is made 0700. One
 * it cannot change is left as it is, with a warning naming the fix.
 */
const restrictDirectory = async (fs: StoreFileSystem, directory: string, log: StoreLog): Promise<void> => {
  if (process.platform === "win32") return;
  const info = await fs.stat(directory);
  if (!info.isDirectory()) throw new EmbeddedStoreError({ reason: "io", directory, detail: `${directory} is not a directory; point the store at a directory` });
  if ((info.mode & 0o077) === 0) return;
  const current = (info.mode & 0o777).toString(8);
  const uid = process.geteuid?.();
  if (uid !== undefined && info.uid !== uid) {
    log("warn", `the store directory ${directory} has mode ${current}, so other users may read it; it belongs to uid ${info.uid}, not to this process (uid ${uid}), so it was left as it is: run chmod 700 ${directory}`, { directory });
    return;
  }
  try {
    await fs.chmod(directory, DIRECTORY_MODE);
    log("info", `made the store directory ${directory} private (mode ${current} -> 700)`, { directory });
  } catch (e) {
    log("warn", `the store directory ${directory} has mode ${current}, so other users may read it, and it could not be changed (${errorCode(e) ?? describe(e)}): run chmod 700 ${directory}`, { directory });
  }
};

interface DiskState {
  readonly tables: Tables;
  readonly snapshotBytes: number;
  /** The generation of the first log after the snapshot (1 without one). */
  readonly base: number;
  /** Log generations the snapshot already covers: left by a compaction that crashed before deleting them. */
  readonly obsolete: ReadonlyArray<number>;
  readonly temporarySnapshot: boolean;
  /** The logs written since the snapshot, oldest first. */
  readonly live: ReadonlyArray<number>;
  readonly newest: { readonly validBytes: number; readonly fileBytes: number };
}

/** Loads the snapshot and replays the logs written since; only the newest may end in a torn record. */
const readDiskState = async (fs: StoreFileSystem, directory: string): Promise<DiskState> => {
  const tables: Tables = new Map();
  const snapshot = await readSnapshot(fs, directory, tables);
  const base = snapshot?.generation ?? 1;
  const names = await fs.readdir(directory);
  const generations = names.flatMap((n) => {
    const g = logGeneration(n);
    return g === undefined ? [] : [g];
  });
  generations.sort((a, b) => a - b);
  const live = generations.filter((g) => g >= base);
  live.forEach((g, i) => {
    if (g !== base + i) {
      throw new EmbeddedStoreError({
        reason: "corrupt",
        directory,
        file: join(directory, logFileName(base + i)),
        detail: `the store file ${join(directory, logFileName(base + i))} is missing (found generations ${live.join(", ")}); restore it from a backup, or move the store directory aside and start again`
      });
    }
  });
  let newest = { validBytes: 0, fileBytes: 0 };
  for (const [i, g] of live.entries()) newest = await readLog(fs, directory, g, i === live.length - 1, tables);
  return {
    tables,
    snapshotBytes: snapshot?.bytes ?? 0,
    base,
    obsolete: generations.filter((g) => g < base),
    temporarySnapshot: names.includes(`${SNAPSHOT_FILE}.tmp`),
    live,
    newest
  };
};

const later = (a: Batch | undefined, b: Batch | undefined): Batch | undefined =>
  a === undefined ? b : b === undefined ? a : a.sequence >= b.sequence ? a : b;

/**
 * A small durable key-value store for one process: namespaced tables of JSON values, kept in
 * memory and made durable by an append-only, checksummed log that is fsynced before any
 * write is acknowledged. See `README.md` beside `store/` for the format and the guarantees.
 *
 * Everything goes through `transact`: a synchronous function that reads and writes any tables
 * atomically (nothing else runs in between, and its writes reach the log as one record). The
 * promise settles once everything the transaction wrote, and everything it read that another
 * transaction wrote, is on disk, so no caller ever acts on state a crash could take back.
 * Concurrent transactions share fsyncs (group commit). Failures reject with `EmbeddedStoreError`.
 */
export class EmbeddedStore {
  private readonly pendingKeys = new Map<string, Map<string, Batch>>();
  private readonly pendingTables = new Map<string, Batch>();
  private openBatch: Batch;
  private inFlight: Batch | undefined;
  private batchSequence = 0;
  private writer: Promise<void> | undefined;
  private rotation: RotationRequest | undefined;
  private compaction: Promise<void> | undefined;
  private failure: EmbeddedStoreError | undefined;
  private failedSince = 0;
  private failureSummary = "";
  private recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  private recovering: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private transactions = 0;
  private commits = 0;
  private compactions = 0;
  private lastCompactionError: string | undefined;

  private constructor(
    readonly directory: string,
    private readonly tables: Tables,
    private log: LogFile,
    private snapshotBytes: number,
    private readonly lock: DirectoryLock,
    private readonly now: () => number,
    private readonly compactAfterBytes: number,
    compactEveryMs: number,
    private readonly recovered: ReadonlyArray<RecoveryNote>,
    private readonly fs: StoreFileSystem,
    private readonly logger: StoreLog,
    private readonly recoverEveryMs: number
  ) {
    this.openBatch = this.newBatch();
    if (compactEveryMs > 0) {
      this.timer = setInterval(() => this.compactInBackground(), compactEveryMs);
      this.timer.unref();
    }
  }

  /**
   * Opens (or creates) the store in `options.directory`: takes the directory's lock, loads the
   * snapshot, replays the logs written since and cuts off a torn last record.
   */
  static async open(options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
    const directory = resolve(options.directory ?? DEFAULT_STORE_DIRECTORY);
    const fs = options.fs ?? nodeFileSystem;
    const logger: StoreLog = options.log ?? (() => undefined);
    const asStoreError = (e: unknown) => storeErrorFromFs(e, directory, "opening the store");
    let lock: DirectoryLock;
    try {
      await fs.mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
      await restrictDirectory(fs, directory, logger);
      lock = await acquireDirectoryLock(fs, directory, logger);
    } catch (e) {
      throw asStoreError(e);
    }
    try {
      const state = await readDiskState(fs, directory);
      for (const g of state.obsolete) await fs.unlink(join(directory, logFileName(g)));
      if (state.temporarySnapshot) await fs.unlink(join(directory, `${SNAPSHOT_FILE}.tmp`));
      let log: LogFile;
      const recovered: Array<RecoveryNote> = [];
      const newest = state.live.at(-1);
      if (newest === undefined) {
        log = await LogFile.create(fs, directory, state.base);
      } else {
        const { validBytes, fileBytes } = state.newest;
        log = await LogFile.reopen(fs, directory, newest, validBytes, fileBytes);
        if (validBytes < fileBytes) recovered.push({ file: log.path, droppedBytes: fileBytes - validBytes });
      }
      await syncDirectory(fs, directory);
      return new EmbeddedStore(
        directory,
        state.tables,
        log,
        state.snapshotBytes,
        lock,
        options.now ?? Date.now,
        options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES,
        options.compactEveryMs ?? DEFAULT_COMPACT_EVERY_MS,
        recovered,
        fs,
        logger,
        options.recoverEveryMs ?? DEFAULT_RECOVER_EVERY_MS
      );
    } catch (e) {
      await lock.release().catch(() => undefined);
      throw asStoreError(e);
    }
  }

  /**
   * Runs `f` atomically against the store and resolves with its result once the transaction's
   * writes, and any other transaction's writes it read, are durable. If `f` throws, none of its
   * writes happen and the promise rejects with what it threw. `f` must not be async.
   */
  transact<A>(f: (tx: Transaction) => A): Promise<A> {
    try {
      const { result, durable } = this.transactEager(f);
      return durable.then(() => result);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like `transact`, but returns `f`'s result as soon as it is decided — the writes are already
   * visible to every later transaction in this process — with `durable` resolving once they (and
   * what they read) are on disk. For callers whose answer may go out before the fsync (a dedup
   * claim acknowledged to a webhook sender: within one process, the claim is already exclusive).
   * Throws what `f` throws, or the store's refusal, synchronously.
   */
  transactEager<A>(f: (tx: Transaction) => A): { readonly result: A; readonly durable: Promise<void> } {
    const refused = this.refusal();
    if (refused !== undefined) throw refused;
    const now = this.now();
    const ops: Array<string> = [];
    const touched: Array<readonly [string, string]> = [];
    const undo: Array<() => void> = [];
    let waitFor: Batch | undefined;
    let active = true;

    const invalid = (detail: string) => new EmbeddedStoreError({ reason: "invalid", directory: this.directory, detail });
    const guard = () => {
      if (!active) throw invalid("a transaction's tables cannot be used after the transaction function returned");
    };
    const isLive = (entry: IndexEntry | undefined): entry is IndexEntry =>
      entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now);
    const serialise = (value: unknown): string => {
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch (e) {
        throw invalid(`the value cannot be stored as JSON: ${describe(e)}`);
      }
      if (json === undefined) throw invalid(`a ${typeof value} cannot be stored as JSON`);
      return json;
    };
    const expiry = (options: PutOptions | undefined): number | undefined => {
      if (options?.ttlMs === undefined) return undefined;
      if (!Number.isFinite(options.ttlMs) || options.ttlMs < 0) throw invalid(`ttlMs must be a finite number >= 0, got ${options.ttlMs}`);
      return now + options.ttlMs;
    };

    const view = <V>(name: string): TableView<V> => {
      if (typeof name !== "string" || name.length === 0) throw invalid("a table name must be a non-empty string");
      const index = () => this.tables.get(name);
      const observeKey = (key: string) => {
        if (typeof key !== "string") throw invalid("keys must be strings");
        waitFor = later(waitFor, this.pendingKeys.get(name)?.get(key));
      };
      const write = (key: string, entry: IndexEntry | undefined) => {
        let target = index();
        if (target === undefined) {
          target = new SortedIndex();
          this.tables.set(name, target);
        }
        const table = target;
        const previous = entry === undefined ? table.delete(key) : table.set(key, entry);
        undo.push(() => (previous === undefined ? table.delete(key) : table.set(key, previous)));
        ops.push(entry === undefined ? delOpJson(name, key) : putOpJson(name, key, entry));
        touched.push([name, key]);
      };
      const get = (key: string): V | undefined => {
        guard();
        observeKey(key);
        const entry = index()?.get(key);
        return isLive(entry) ? (JSON.parse(entry.json) as V) : undefined;
      };
      const put = (key: string, value: V, options?: PutOptions) => {
        guard();
        observeKey(key);
        write(key, { json: serialise(value), expiresAt: expiry(options) });
      };
      const entries = function* (prefix: string): Generator<readonly [string, IndexEntry]> {
        for (const item of index()?.range(prefix) ?? []) if (isLive(item[1])) yield item;
      };
      return {
        get,
        put,
        scan: (prefix = "", options) => {
          guard();
          waitFor = later(waitFor, this.pendingTables.get(name));
          const out: Array<Entry<V>> = [];
          const limit = options?.limit ?? Number.POSITIVE_INFINITY;
          for (const [key, entry] of entries(prefix)) {
            if (out.length >= limit) break;
            const value = JSON.parse(entry.json) as V;
            out.push(entry.expiresAt === undefined ? { key, value } : { key, value, expiresAt: entry.expiresAt });
          }
          return out;
        },
        count: (prefix = "") => {
          guard();
          waitFor = later(waitFor, this.pendingTables.get(name));
          let n = 0;
          for (const _ of entries(prefix)) n++;
          return n;
        },
        putIfAbsent: (key, value, options) => {
          const existing = get(key);
          if (existing !== undefined) return { claimed: false, existing };
          put(key, value, options);
          return { claimed: true };
        },
        delete: (key) => {
          guard();
          observeKey(key);
          const entry = index()?.get(key);
          if (entry === undefined) return false;
          write(key, undefined);
          return isLive(entry);
        },
        append: (prefix, value, options) => {
          guard();
          const last = index()?.lastKey(prefix);
          const suffix = last?.slice(prefix.length) ?? "0".repeat(SEQUENCE_DIGITS);
          if (!SEQUENCE.test(suffix)) throw invalid(`append needs every key under ${JSON.stringify(prefix)} to end in a sequence number; found ${JSON.stringify(last)}`);
          const key = prefix + String(Number(suffix) + 1).padStart(SEQUENCE_DIGITS, "0");
          put(key, value, options);
          return key;
        }
      };
    };

    let result: A;
    try {
      result = f({ table: view });
      if (isThenable(result)) throw invalid("transaction functions must be synchronous; await outside the transaction");
    } catch (e) {
      for (const step of undo.reverse()) step();
      throw e;
    } finally {
      active = false;
    }
    if (ops.length > 0) waitFor = this.enqueue(ops, touched);
    return { result, durable: waitFor === undefined ? Promise.resolve() : waitFor.done.then(() => undefined) };
  }

  table<V>(name: string): Table<V> {
    const run = <A>(f: (view: TableView<V>) => A) => this.transact((tx) => f(tx.table<V>(name)));
    return {
      name,
      get: (key) => run((t) => t.get(key)),
      scan: (prefix, options) => run((t) => t.scan(prefix, options)),
      count: (prefix) => run((t) => t.count(prefix)),
      put: (key, value, options) => run((t) => t.put(key, value, options)),
      putIfAbsent: (key, value, options) => run((t) => t.putIfAbsent(key, value, options)),
      delete: (key) => run((t) => t.delete(key)),
      append: (prefix, value, options) => run((t) => t.append(prefix, value, options)),
      update: (key, f, options) =>
        run((t) => {
          const next = f(t.get(key));
          if (next !== undefined) t.put(key, next, options);
          return next;
        })
    };
  }

  /**
   * Writes the live state to a new snapshot and deletes the logs it replaces; expired records
   * are left out. Writers are held up only while the next log file is created.
   */
  compact(): Promise<void> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    this.compaction ??= this.runCompaction().finally(() => {
      this.compaction = undefined;
    });
    return this.compaction;
  }

  stats(): EmbeddedStoreStats {
    let records = 0;
    for (const index of this.tables.values()) records += index.size;
    const base = {
      directory: this.directory,
      records,
      logGeneration: this.log.generation,
      logBytes: this.log.bytes,
      snapshotBytes: this.snapshotBytes,
      transactions: this.transactions,
      commits: this.commits,
      compactions: this.compactions,
      recovered: this.recovered
    };
    return this.lastCompactionError === undefined ? base : { ...base, lastCompactionError: this.lastCompactionError };
  }

  /**
   * Whether the store can write. After a write failed it cannot until a retry succeeds
   * (`recoverEveryMs`); a closed store cannot either.
   */
  health(): EmbeddedStoreHealth {
    if (this.failure !== undefined) {
      return {
        ok: false,
        reason: `store writes are failing: ${this.failureSummary}; writes are refused until one succeeds again (what was acknowledged before is safe on disk)`,
        since: this.failedSince
      };
    }
    if (this.closing !== undefined) return { ok: false, reason: "the store is closed", since: this.failedSince };
    return { ok: true };
  }

  /** Waits for pending writes and a running compaction, closes the log and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.recoveryTimer !== undefined) clearTimeout(this.recoveryTimer);
    if (this.failure === undefined) this.failedSince = Date.now();
    while (this.writer !== undefined || this.compaction !== undefined || this.recovering !== undefined) {
      await this.writer;
      await this.compaction?.catch(() => undefined);
      await this.recovering;
    }
    try {
      await this.log.close();
    } finally {
      await this.lock.release();
    }
  }

  private refusal(): EmbeddedStoreError | undefined {
    if (this.closing !== undefined) return new EmbeddedStoreError({ reason: "closed", directory: this.directory, detail: "the store is closed" });
    return this.failure;
  }

  private newBatch(): Batch {
    let resolveBatch!: () => void;
    let rejectBatch!: (error: EmbeddedStoreError) => void;
    const done = new Promise<void>((res, rej) => {
      resolveBatch = res;
      rejectBatch = rej;
    });
    // A failed batch nobody waits on must not become an unhandled rejection.
    done.catch(() => undefined);
    return { sequence: ++this.batchSequence, lines: [], touched: [], done, resolve: resolveBatch, reject: rejectBatch };
  }

  private enqueue(ops: ReadonlyArray<string>, touched: ReadonlyArray<readonly [string, string]>): Batch {
    const batch = this.openBatch;
    batch.lines.push(encodeLine(`[${ops.join(",")}]`));
    for (const entry of touched) {
      const [table, key] = entry;
      batch.touched.push(entry);
      let keys = this.pendingKeys.get(table);
      if (keys === undefined) {
        keys = new Map();
        this.pendingKeys.set(table, keys);
      }
      keys.set(key, batch);
      this.pendingTables.set(table, batch);
    }
    this.transactions++;
    this.scheduleWriter();
    return batch;
  }

  /**
   * One writer drains the queue: while a batch is being written and fsynced, new transactions
   * collect in the next batch, so a burst of writes costs a few fsyncs, not one each.
   */
  private scheduleWriter(): void {
    if (this.writer !== undefined || this.failure !== undefined) return;
    this.writer = new Promise<void>((res) => setImmediate(res))
      .then(() => this.drain())
      .finally(() => {
        this.writer = undefined;
        if (this.openBatch.lines.length > 0 || this.rotation !== undefined) this.scheduleWriter();
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.rotation !== undefined) await this.rotate(this.rotation);
      const batch = this.openBatch;
      if (batch.lines.length === 0) return;
      this.openBatch = this.newBatch();
      this.inFlight = batch;
      try {
        await this.log.append(batch.lines.join(""));
      } catch (e) {
        this.fail(e);
        return;
      }
      this.inFlight = undefined;
      this.commits++;
      this.settle(batch);
      if (this.compaction === undefined && this.log.bytes >= this.compactAfterBytes && this.log.bytes >= this.snapshotBytes) {
        this.compactInBackground();
      }
    }
  }

  private settle(batch: Batch): void {
    for (const [table, key] of batch.touched) {
      const keys = this.pendingKeys.get(table);
      if (keys?.get(key) === batch) keys.delete(key);
      if (this.pendingTables.get(table) === batch) this.pendingTables.delete(table);
    }
    batch.resolve();
  }

  /**
   * After a failed write or fsync, memory may hold writes the disk does not, and the kernel
   * may have dropped the dirty pages, so retrying the fsync proves nothing. The store stops
   * and, every `recoverEveryMs`, tries to start again from what is really on disk (`recover`).
   */
  private fail(cause: unknown): void {
    this.failureSummary = writeFailureSummary(cause);
    this.failedSince = Date.now();
    const retry = this.recoverEveryMs > 0 ? ` (it retries every ${this.recoverEveryMs} ms)` : "";
    this.failure = new EmbeddedStoreError({
      reason: "failed",
      directory: this.directory,
      detail: `writing the log failed (${describe(cause)}); the store refuses further operations until a write succeeds again${retry} or until it is reopened`
    });
    this.logger("error", `the store in ${this.directory} cannot write: ${this.failureSummary}; operations are refused until writing works again`, {
      directory: this.directory,
      error: describe(cause)
    });
    this.inFlight?.reject(this.failure);
    this.openBatch.reject(this.failure);
    this.rotation?.reject(this.failure);
    this.rotation = undefined;
    this.scheduleRecovery();
  }

  private scheduleRecovery(): void {
    if (this.recoverEveryMs <= 0 || this.closing !== undefined || this.recoveryTimer !== undefined) return;
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      this.recovering = this.recover().finally(() => {
        this.recovering = undefined;
      });
    }, this.recoverEveryMs);
    this.recoveryTimer.unref();
  }

  /**
   * Starts writing again after a failure, keeping exactly the acknowledged writes: cut the log
   * back to its last successful append (whatever of the failed one reached the file was never
   * acknowledged), rebuild memory from the files, and start the next log, whose header and
   * fsync prove that writing works again. Until every step succeeds, the store keeps refusing.
   */
  private async recover(): Promise<void> {
    if (this.failure === undefined || this.closing !== undefined) return;
    if (this.writer !== undefined || this.compaction !== undefined) {
      this.scheduleRecovery();
      return;
    }
    let state: DiskState;
    let next: LogFile;
    try {
      await this.log.rollBack();
      state = await readDiskState(this.fs, this.directory);
      next = await LogFile.create(this.fs, this.directory, this.log.generation + 1);
    } catch {
      this.scheduleRecovery();
      return;
    }
    const previous = this.log;
    this.log = next;
    this.tables.clear();
    for (const [name, index] of state.tables) this.tables.set(name, index);
    this.snapshotBytes = state.snapshotBytes;
    this.pendingKeys.clear();
    this.pendingTables.clear();
    this.inFlight = undefined;
    this.openBatch = this.newBatch();
    this.failure = undefined;
    const since = new Date(this.failedSince).toISOString();
    // The previous log is complete and fsynced up to its last acknowledged record.
    await previous.close().catch(() => undefined);
    this.logger("info", `the store in ${this.directory} writes again (writes had failed since ${since}: ${this.failureSummary})`, { directory: this.directory });
  }

  private requestRotation(): Promise<Capture> {
    return new Promise<Capture>((res, rej) => {
      this.rotation = { resolve: res, reject: rej };
      this.scheduleWriter();
    });
  }

  /**
   * Starts the next log between two batches, so every record written before lives in the old
   * logs and every record after in the new one, and captures the state at that point. The
   * capture may include writes still queued for the new log; replaying those over it again is
   * harmless because puts and deletes are idempotent.
   */
  private async rotate(request: RotationRequest): Promise<void> {
    this.rotation = undefined;
    let next: LogFile;
    try {
      next = await LogFile.create(this.fs, this.directory, this.log.generation + 1);
    } catch (e) {
      request.reject(e);
      return;
    }
    const previous = this.log;
    this.log = next;
    const capture = this.capture(next.generation);
    // The old log was fully fsynced before the switch, so a failing close cannot lose anything.
    await previous.close().catch(() => undefined);
    request.resolve(capture);
  }

  private capture(generation: number): Capture {
    const now = this.now();
    const lines: Array<string> = [];
    for (const [table, index] of this.tables) {
      const expired: Array<string> = [];
      for (const [key, entry] of index.range("")) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= now) expired.push(key);
        else lines.push(encodeLine(putOpJson(table, key, entry)));
      }
      for (const key of expired) index.delete(key);
    }
    return { generation, data: encodeLine(snapshotHeaderJson(generation, lines.length, now)) + lines.join("") };
  }

  /**
   * If this fails after the log switch, the old snapshot and every log since it are still in
   * place, so recovery is unaffected and the next compaction simply tries again.
   */
  private async runCompaction(): Promise<void> {
    try {
      const capture = await this.requestRotation();
      await writeFileAtomically(this.fs, this.directory, join(this.directory, SNAPSHOT_FILE), capture.data);
      this.snapshotBytes = Buffer.byteLength(capture.data);
      for (const name of await this.fs.readdir(this.directory)) {
        const g = logGeneration(name);
        if (g !== undefined && g < capture.generation) await this.fs.unlink(join(this.directory, name));
      }
      await syncDirectory(this.fs, this.directory);
      this.compactions++;
      this.lastCompactionError = undefined;
    } catch (e) {
      this.lastCompactionError = describe(e);
      throw storeErrorFromFs(e, this.directory, "compacting the store");
    }
  }

  private compactInBackground(): void {
    if (this.refusal() !== undefined) return;
    // The failure is kept in `stats().lastCompactionError`; the store keeps working without the compaction.
    this.compact().catch(() => undefined);
  }
}
