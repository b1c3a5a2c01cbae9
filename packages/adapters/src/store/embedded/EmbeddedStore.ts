import { mkdir, readdir, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DirectoryLock } from "./directoryLock.js";
import { acquireDirectoryLock } from "./directoryLock.js";
import { syncDirectory, writeFileAtomically } from "./durableFs.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";
import { LogFile } from "./LogFile.js";
import { encodeLine } from "./logLine.js";
import { readLog, readSnapshot } from "./replay.js";
import type { IndexEntry } from "./SortedIndex.js";
import { SortedIndex } from "./SortedIndex.js";
import type { Tables } from "./storeFormat.js";
import { delOpJson, logFileName, logGeneration, putOpJson, SNAPSHOT_FILE, snapshotHeaderJson } from "./storeFormat.js";

/** Where the local server keeps its state unless the host says otherwise (relative to the working directory). */
export const DEFAULT_STORE_DIRECTORY = ".sre-on-call/store";

const DEFAULT_COMPACT_AFTER_BYTES = 8 * 1024 * 1024;
const DEFAULT_COMPACT_EVERY_MS = 60 * 60 * 1000;
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
}

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
    private readonly recovered: ReadonlyArray<RecoveryNote>
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
    const asStoreError = (e: unknown) =>
      e instanceof EmbeddedStoreError ? e : new EmbeddedStoreError({ reason: "io", directory, detail: `open failed: ${describe(e)}` });
    let lock: DirectoryLock;
    try {
      await mkdir(directory, { recursive: true });
      lock = await acquireDirectoryLock(directory);
    } catch (e) {
      throw asStoreError(e);
    }
    try {
      const tables: Tables = new Map();
      const snapshot = await readSnapshot(directory, tables);
      const base = snapshot?.generation ?? 1;
      const names = await readdir(directory);
      const generations = names.flatMap((n) => {
        const g = logGeneration(n);
        return g === undefined ? [] : [g];
      });
      generations.sort((a, b) => a - b);
      for (const g of generations.filter((g) => g < base)) await unlink(join(directory, logFileName(g)));
      if (names.includes(`${SNAPSHOT_FILE}.tmp`)) await unlink(join(directory, `${SNAPSHOT_FILE}.tmp`));
      const live = generations.filter((g) => g >= base);
      live.forEach((g, i) => {
        if (g !== base + i) {
          throw new EmbeddedStoreError({ reason: "corrupt", directory, detail: `log generation ${base + i} is missing (found ${live.join(", ")})` });
        }
      });
      let log: LogFile;
      const recovered: Array<RecoveryNote> = [];
      if (live.length === 0) {
        log = await LogFile.create(directory, base);
      } else {
        let last = { validBytes: 0, fileBytes: 0 };
        for (const [i, g] of live.entries()) last = await readLog(directory, g, i === live.length - 1, tables);
        const newest = live[live.length - 1]!;
        log = await LogFile.reopen(directory, newest, last.validBytes, last.fileBytes);
        if (last.validBytes < last.fileBytes) recovered.push({ file: log.path, droppedBytes: last.fileBytes - last.validBytes });
      }
      await syncDirectory(directory);
      return new EmbeddedStore(
        directory,
        tables,
        log,
        snapshot?.bytes ?? 0,
        lock,
        options.now ?? Date.now,
        options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES,
        options.compactEveryMs ?? DEFAULT_COMPACT_EVERY_MS,
        recovered
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

  /** Waits for pending writes and a running compaction, closes the log and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    while (this.writer !== undefined || this.compaction !== undefined) {
      await this.writer;
      await this.compaction?.catch(() => undefined);
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
   * may have dropped the dirty pages, so retrying the fsync proves nothing. The store stops;
   * reopening it rebuilds memory from what is really on disk.
   */
  private fail(cause: unknown): void {
    this.failure = new EmbeddedStoreError({
      reason: "failed",
      directory: this.directory,
      detail: `writing the log failed (${describe(cause)}); the store refuses further operations until it is reopened`
    });
    this.inFlight?.reject(this.failure);
    this.openBatch.reject(this.failure);
    this.rotation?.reject(this.failure);
    this.rotation = undefined;
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
      next = await LogFile.create(this.directory, this.log.generation + 1);
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
      await writeFileAtomically(this.directory, join(this.directory, SNAPSHOT_FILE), capture.data);
      this.snapshotBytes = Buffer.byteLength(capture.data);
      for (const name of await readdir(this.directory)) {
        const g = logGeneration(name);
        if (g !== undefined && g < capture.generation) await unlink(join(this.directory, name));
      }
      await syncDirectory(this.directory);
      this.compactions++;
      this.lastCompactionError = undefined;
    } catch (e) {
      this.lastCompactionError = describe(e);
      throw e instanceof EmbeddedStoreError
        ? e
        : new EmbeddedStoreError({ reason: "io", directory: this.directory, detail: `compaction failed: ${describe(e)}` });
    }
  }

  private compactInBackground(): void {
    if (this.refusal() !== undefined) return;
    // The failure is kept in `stats().lastCompactionError`; the store keeps working without the compaction.
    this.compact().catch(() => undefined);
  }
}
