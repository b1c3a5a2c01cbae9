import { appendFile, mkdtemp, open as openFile, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EmbeddedStoreOptions } from "./EmbeddedStore.js";
import { EmbeddedStore } from "./EmbeddedStore.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";
import { encodeLine } from "./logLine.js";
import { makeFaultyFileSystem } from "./testing/faultyFileSystem.js";

let directory: string;
const opened: Array<EmbeddedStore> = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "embedded-store-"));
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

const open = async (options: Omit<EmbeddedStoreOptions, "directory"> = {}): Promise<EmbeddedStore> => {
  const store = await EmbeddedStore.open({ directory, compactEveryMs: 0, ...options });
  opened.push(store);
  return store;
};

const reopen = async (store: EmbeddedStore, options: Omit<EmbeddedStoreOptions, "directory"> = {}): Promise<EmbeddedStore> => {
  await store.close();
  return open(options);
};

const logFiles = async () => (await readdir(directory)).filter((n) => n.startsWith("log-")).sort();
const newestLog = async () => join(directory, (await logFiles()).at(-1)!);

const rejection = async (promise: Promise<unknown>): Promise<EmbeddedStoreError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(EmbeddedStoreError);
  return error as EmbeddedStoreError;
};

describe("EmbeddedStore", () => {
  it("keeps puts, deletes and tables across close and reopen", async () => {
    let store = await open();
    const users = store.table<{ name: string }>("users");
    const flags = store.table<boolean>("flags");
    await users.put("u1", { name: "Ada" });
    await users.put("u2", { name: "Grace" });
    await users.put("u1", { name: "Ada L." });
    expect(await users.delete("u2")).toBe(true);
    expect(await users.delete("u2")).toBe(false);
    await flags.put("u1", true);

    store = await reopen(store);
    expect(await store.table<{ name: string }>("users").get("u1")).toEqual({ name: "Ada L." });
    expect(await store.table("users").get("u2")).toBeUndefined();
    expect(await store.table<boolean>("flags").get("u1")).toBe(true);
    expect(await store.table("users").count()).toBe(1);
  });

  it("scans a prefix in key order and honours the limit", async () => {
    const store = await open();
    const t = store.table<number>("t");
    for (const key of ["b/2", "a/1", "b/10", "b/1", "c", "b"]) await t.put(key, key.length);
    expect((await t.scan("b/")).map((e) => e.key)).toEqual(["b/1", "b/10", "b/2"]);
    expect((await t.scan()).map((e) => e.key)).toEqual(["a/1", "b", "b/1", "b/10", "b/2", "c"]);
    expect((await t.scan("b", { limit: 2 })).map((e) => e.key)).toEqual(["b", "b/1"]);
    expect(await t.scan("zzz")).toEqual([]);
  });

  it("returns copies, so mutating a value read or written does not change the store", async () => {
    const store = await open();
    const t = store.table<{ list: Array<number> }>("t");
    const value = { list: [1] };
    await t.put("k", value);
    value.list.push(2);
    const read = await t.get("k");
    read?.list.push(3);
    expect(await t.get("k")).toEqual({ list: [1] });
  });

  it("appends under a prefix with increasing sequence keys, also after reopen", async () => {
    let store = await open();
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => store.table<number>("events").append("inv-1/", i)));
    expect(new Set(keys).size).toBe(20);
    await store.table<number>("events").append("inv-10/", 99);
    store = await reopen(store);
    const next = await store.table<number>("events").append("inv-1/", 20);
    const all = await store.table<number>("events").scan("inv-1/");
    expect(all.map((e) => e.key)).toEqual([...keys, next].sort());
    expect(all.at(-1)).toEqual({ key: "inv-1/0000000000000021", value: 20 });
  });

  it("applies all of a transaction or, when it throws, none of it", async () => {
    let store = await open();
    await store.transact((tx) => {
      tx.table<number>("a").put("x", 1);
      tx.table<number>("b").put("y", 2);
    });
    await expect(
      store.transact((tx) => {
        tx.table<number>("a").put("x", 100);
        tx.table<number>("a").delete("x");
        tx.table<number>("b").put("z", 3);
        throw new Error("changed my mind");
      })
    ).rejects.toThrow("changed my mind");
    expect(await store.table("a").get("x")).toBe(1);
    expect(await store.table("b").get("z")).toBeUndefined();

    store = await reopen(store);
    expect(await store.transact((tx) => [tx.table<number>("a").get("x"), tx.table<number>("b").get("y"), tx.table("b").get("z")])).toEqual([1, 2, undefined]);
  });

  it("refuses values that are not JSON and asynchronous transaction functions, changing nothing", async () => {
    const store = await open();
    const t = store.table<unknown>("t");
    expect((await rejection(t.put("k", () => 1))).reason).toBe("invalid");
    expect((await rejection(t.put("k", 1n))).reason).toBe("invalid");
    expect((await rejection(t.put("k", 1, { ttlMs: Number.NaN }))).reason).toBe("invalid");
    expect((await rejection(store.transact(async (tx) => tx.table("t").put("k", 1))))).toMatchObject({ reason: "invalid" });
    expect(await t.get("k")).toBeUndefined();
  });

  describe("crash recovery", () => {
    it("ignores a torn trailing record and keeps everything before it", async () => {
      let store = await open();
      await store.table<string>("t").put("kept", "yes");
      await store.close();
      const full = encodeLine(JSON.stringify([{ o: "put", t: "t", k: "torn", v: "no" }]));
      await appendFile(await newestLog(), full.slice(0, full.length - 9));

      store = await open();
      expect(await store.table("t").get("kept")).toBe("yes");
      expect(await store.table("t").get("torn")).toBeUndefined();
      expect(store.stats().recovered).toEqual([{ file: await newestLog(), droppedBytes: full.length - 9 }]);
      await store.table<string>("t").put("after", "ok");

      store = await reopen(store);
      expect(await store.table("t").scan()).toEqual([
        { key: "after", value: "ok" },
        { key: "kept", value: "yes" }
      ]);
      expect(store.stats().recovered).toEqual([]);
    });

    it("ignores a complete last record whose checksum does not match", async () => {
      let store = await open();
      await store.table<string>("t").put("a", "1");
      await store.table<string>("t").put("b", "2");
      await store.close();
      const path = await newestLog();
      const text = await readFile(path, "utf8");
      await writeFile(path, text.replace(/"v":"2"\}\]\}\n$/, '"v":"3"}]}\n'));

      store = await open();
      expect(await store.table("t").scan()).toEqual([{ key: "a", value: "1" }]);
    });

    it("ignores zeroed pages at the end of the log", async () => {
      let store = await open();
      await store.table<string>("t").put("a", "1");
      await store.close();
      await appendFile(await newestLog(), Buffer.alloc(4096));
      store = await open();
      expect(await store.table("t").get("a")).toBe("1");
    });

    it("refuses to open when a damaged record is followed by intact ones", async () => {
      const store = await open();
      for (const k of ["a", "b", "c"]) await store.table<string>("t").put(k, k);
      await store.close();
      const path = await newestLog();
      const text = await readFile(path, "utf8");
      await writeFile(path, text.replace('"k":"b","v":"b"', '"k":"b","v":"B"'));
      const error = await rejection(EmbeddedStore.open({ directory, compactEveryMs: 0 }));
      expect(error.reason).toBe("corrupt");
      expect(error.message).toContain("intact records follow");
      // The failed open released the lock.
      expect(await readdir(directory)).not.toContain("LOCK");
    });

    it("recovers when a crash hit between starting a new log and installing the snapshot", async () => {
      let store = await open();
      await store.table<string>("t").put("old", "1");
      await store.close();
      const firstLog = await newestLog();
      const firstLogText = await readFile(firstLog, "utf8");

      store = await open();
      await store.compact();
      await store.table<string>("t").put("new", "2");
      await store.close();
      // Put the disk back as it was before the snapshot's rename: no snapshot, the old log still there.
      await rm(join(directory, "snapshot.jsonl"));
      await writeFile(firstLog, firstLogText);

      store = await open();
      expect(await store.table("t").scan()).toEqual([
        { key: "new", value: "2" },
        { key: "old", value: "1" }
      ]);
    });

    it("removes logs and a temporary snapshot that a crashed compaction left behind", async () => {
      let store = await open();
      await store.table<string>("t").put("k", "v");
      await store.close();
      const firstLog = await newestLog();
      const firstLogText = await readFile(firstLog, "utf8");
      store = await open();
      await store.compact();
      await store.close();
      await writeFile(firstLog, firstLogText);
      await writeFile(join(directory, "snapshot.jsonl.tmp"), "half a snap");

      store = await open();
      expect(await store.table("t").get("k")).toBe("v");
      expect(await readdir(directory)).not.toContain("snapshot.jsonl.tmp");
      expect(await logFiles()).toEqual(["log-0000000002.jsonl"]);
    });

    it("refuses a damaged or emptied snapshot", async () => {
      const store = await open();
      await store.table<string>("t").put("k", "v");
      await store.compact();
      await store.close();
      const path = join(directory, "snapshot.jsonl");
      await writeFile(path, (await readFile(path, "utf8")).replace('"v":"v"', '"v":"w"'));
      expect((await rejection(EmbeddedStore.open({ directory, compactEveryMs: 0 }))).reason).toBe("corrupt");
      await writeFile(path, "");
      expect((await rejection(EmbeddedStore.open({ directory, compactEveryMs: 0 }))).message).toContain("no header");
    });
  });

  describe("compaction", () => {
    it("preserves contents, replaces the logs with a snapshot, and survives reopen", async () => {
      let store = await open();
      const t = store.table<{ n: number }>("t");
      for (let i = 0; i < 50; i++) await t.put(`k${i % 10}`, { n: i });
      await t.delete("k3");
      const before = await t.scan();
      await store.compact();
      expect(await store.table("t").scan()).toEqual(before);
      expect(await logFiles()).toEqual(["log-0000000002.jsonl"]);
      expect(await readdir(directory)).toContain("snapshot.jsonl");
      await store.table<{ n: number }>("t").put("after", { n: -1 });

      store = await reopen(store);
      expect(await store.table("t").scan()).toEqual([...before, { key: "after", value: { n: -1 } }].sort((a, b) => (a.key < b.key ? -1 : 1)));
      await store.compact();
      store = await reopen(store);
      expect(await store.table("t").count()).toBe(10);
    });

    it("runs by itself once the log outgrows the threshold, while writes continue", async () => {
      const store = await open({ compactAfterBytes: 4096 });
      const t = store.table<string>("t");
      await Promise.all(Array.from({ length: 300 }, (_, i) => t.put(`k${i % 20}`, "x".repeat(100))));
      for (let i = 0; i < 100; i++) await t.put(`k${i % 20}`, `v${i}`);
      await store.close();
      const reopened = await open();
      expect(reopened.stats().snapshotBytes).toBeGreaterThan(0);
      expect(await reopened.table("t").count()).toBe(20);
      expect(await reopened.table("t").get("k19")).toBe("v99");
    });
  });

  describe("expiry", () => {
    it("reads expired records as absent and drops them when compacting", async () => {
      let clock = 1_000_000;
      const now = () => clock;
      let store = await open({ now });
      const t = store.table<string>("t");
      await t.put("short", "s", { ttlMs: 1_000 });
      await t.put("long", "l", { ttlMs: 60_000 });
      await t.put("forever", "f");
      expect(await t.scan()).toEqual([
        { key: "forever", value: "f" },
        { key: "long", value: "l", expiresAt: 1_060_000 },
        { key: "short", value: "s", expiresAt: 1_001_000 }
      ]);
      clock += 1_000;
      expect(await t.get("short")).toBeUndefined();
      expect(await t.count()).toBe(2);
      expect(await t.putIfAbsent("short", "again", { ttlMs: 10 })).toEqual({ claimed: true });
      clock += 10;
      expect(store.stats().records).toBe(3);

      await store.compact();
      expect(store.stats().records).toBe(2);
      expect(await readFile(join(directory, "snapshot.jsonl"), "utf8")).not.toContain('"short"');

      store = await reopen(store, { now });
      expect((await store.table("t").scan()).map((e) => e.key)).toEqual(["forever", "long"]);
      clock += 60_000;
      store = await reopen(store, { now });
      expect((await store.table("t").scan()).map((e) => e.key)).toEqual(["forever"]);
    });
  });

  describe("concurrency", () => {
    it("lets exactly one of many concurrent putIfAbsent calls claim a key, and groups their commits", async () => {
      const store = await open();
      const t = store.table<string>("claims");
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => t.putIfAbsent("event-1", `worker-${i}`)));
      const winners = results.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      const stored = await t.get("event-1");
      for (const r of results) if (!r.claimed) expect(r.existing).toBe(stored);

      await Promise.all(Array.from({ length: 100 }, (_, i) => t.put(`k${i}`, "v")));
      expect(store.stats().commits).toBeLessThan(store.stats().transactions);
    });

    it("settles reads of another transaction's write only once that write is durable", async () => {
      const store = await open();
      const t = store.table<string>("t");
      const order: Array<string> = [];
      const write = t.put("k", "v").then(() => order.push("write"));
      const read = t.get("k").then((v) => order.push(`read ${v}`));
      await Promise.all([write, read]);
      expect(order).toEqual(["write", "read v"]);
    });
  });

  describe("write failures", () => {
    it("fails the writers and every later operation after an fsync error, until the store is reopened", async () => {
      let store = await open();
      const t = store.table<string>("t");
      await t.put("before", "1");
      const probe = await openFile(join(directory, "probe"), "w");
      const fileHandle = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
      await probe.close();
      const datasync = vi.spyOn(fileHandle, "datasync").mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
      try {
        const write = rejection(t.put("during", "2"));
        const reader = rejection(t.get("during"));
        expect((await write).reason).toBe("failed");
        expect((await reader).reason).toBe("failed");
        expect((await rejection(t.get("before"))).message).toContain("until it is reopened");
        expect((await rejection(store.compact())).reason).toBe("failed");
      } finally {
        datasync.mockRestore();
      }
      store = await reopen(store);
      expect(await store.table("t").get("before")).toBe("1");
      await store.table<string>("t").put("after", "3");
      expect(await store.table("t").get("after")).toBe("3");
    });
  });

  describe("recovery from write failures", () => {
    it("after an fsync error, starts writing again by itself once fsync works, keeping exactly the acknowledged writes", async () => {
      const fs = makeFaultyFileSystem();
      const logs: Array<string> = [];
      const store = await open({ fs, recoverEveryMs: 5, log: (level, message) => logs.push(`${level} ${message}`) });
      const t = store.table<string>("t");
      await t.put("before", "1");
      fs.fault = "EIO";
      expect((await rejection(t.put("during", "2"))).reason).toBe("failed");
      expect(store.health()).toMatchObject({ ok: false, reason: expect.stringContaining("I/O error") });
      expect((await rejection(t.get("before"))).reason).toBe("failed");
      fs.fault = undefined;
      for (let i = 0; i < 500 && !store.health().ok; i++) await new Promise((r) => setTimeout(r, 10));
      expect(store.health()).toEqual({ ok: true });
      expect(await t.get("during")).toBeUndefined();
      await t.put("after", "3");
      const reopened = await reopen(store);
      const r = reopened.table<string>("t");
      expect([await r.get("before"), await r.get("during"), await r.get("after")]).toEqual(["1", undefined, "3"]);
      expect(logs.some((l) => l.startsWith("error ") && l.includes("I/O error"))).toBe(true);
      expect(logs.some((l) => l.startsWith("info ") && l.includes("writes again"))).toBe(true);
    });

    it("with recovery turned off, keeps refusing until reopened", async () => {
      const fs = makeFaultyFileSystem();
      const store = await open({ fs, recoverEveryMs: 0 });
      fs.fault = "ENOSPC";
      expect((await rejection(store.table("t").put("k", "v"))).reason).toBe("failed");
      fs.fault = undefined;
      await new Promise((r) => setTimeout(r, 50));
      expect(store.health().ok).toBe(false);
      const reopened = await reopen(store);
      expect(reopened.health()).toEqual({ ok: true });
      expect(await reopened.table("t").get("k")).toBeUndefined();
    });
  });

  describe("lifecycle", () => {
    it("rejects operations after close, and close is idempotent", async () => {
      const store = await open();
      await store.close();
      await store.close();
      expect((await rejection(store.table("t").get("k"))).reason).toBe("closed");
    });

    it("refuses a second open of the same directory with the holder's pid", async () => {
      await open();
      const error = await rejection(EmbeddedStore.open({ directory, compactEveryMs: 0 }));
      expect(error.reason).toBe("locked");
      expect(error.message).toContain(`pid ${process.pid}`);
    });

    it("takes over a lock left by a process that no longer exists", async () => {
      const deadPid = 2 ** 22 + 12345;
      await writeFile(join(directory, "LOCK"), JSON.stringify({ pid: deadPid, hostname: hostname(), since: "2024-01-01T00:00:00.000Z", token: "t" }));
      const store = await open();
      expect(JSON.parse(await readFile(join(directory, "LOCK"), "utf8"))).toMatchObject({ pid: process.pid });
      await store.close();
      expect(await readdir(directory)).not.toContain("LOCK");
    });
  });
});

describe("EmbeddedStore matches a Map model", () => {
  type Model = Map<string, { readonly value: unknown; readonly expiresAt?: number }>;
  type Command =
    | { readonly op: "put"; readonly key: string; readonly value: unknown; readonly ttlMs: number | undefined }
    | { readonly op: "putIfAbsent"; readonly key: string; readonly value: unknown; readonly ttlMs: number | undefined }
    | { readonly op: "delete"; readonly key: string }
    | { readonly op: "get"; readonly key: string }
    | { readonly op: "scan"; readonly prefix: string }
    | { readonly op: "advance"; readonly ms: number }
    | { readonly op: "reopen" }
    | { readonly op: "compact" };

  const key = fc.constantFrom("a", "ab", "abc", "b", "b/1", "b/2", "ü", "😀", "");
  const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.record({ n: fc.integer(), s: fc.array(fc.string(), { maxLength: 3 }) }));
  const ttl = fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined });
  const command: fc.Arbitrary<Command> = fc.oneof(
    { arbitrary: fc.record({ op: fc.constant("put" as const), key, value, ttlMs: ttl }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant("putIfAbsent" as const), key, value, ttlMs: ttl }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant("delete" as const), key }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant("get" as const), key }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant("scan" as const), prefix: fc.constantFrom("", "a", "b/", "b", "z") }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 3_000 }) }), weight: 1 },
    { arbitrary: fc.constant({ op: "reopen" as const }), weight: 1 },
    { arbitrary: fc.constant({ op: "compact" as const }), weight: 1 }
  );

  const live = (model: Model, now: number) =>
    [...model.entries()]
      .filter(([, e]) => e.expiresAt === undefined || e.expiresAt > now)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  it("for random sequences of operations, reopens and compactions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40 }), fc.boolean(), async (commands, tinyCompactionThreshold) => {
        let clock = 1_700_000_000_000;
        const now = () => clock;
        const options = { now, compactAfterBytes: tinyCompactionThreshold ? 512 : 1024 * 1024 };
        const model: Model = new Map();
        let store = await open(options);
        const t = () => store.table<unknown>("t");
        try {
          for (const c of commands) {
            const entryOf = (v: unknown, ttlMs: number | undefined) => (ttlMs === undefined ? { value: v } : { value: v, expiresAt: clock + ttlMs });
            const current = (k: string) => live(model, clock).find(([mk]) => mk === k)?.[1].value;
            switch (c.op) {
              case "put":
                await t().put(c.key, c.value, c.ttlMs === undefined ? {} : { ttlMs: c.ttlMs });
                model.set(c.key, entryOf(c.value, c.ttlMs));
                break;
              case "putIfAbsent": {
                const expected = current(c.key);
                const got = await t().putIfAbsent(c.key, c.value, c.ttlMs === undefined ? {} : { ttlMs: c.ttlMs });
                expect(got).toEqual(expected === undefined ? { claimed: true } : { claimed: false, existing: expected });
                if (expected === undefined) model.set(c.key, entryOf(c.value, c.ttlMs));
                break;
              }
              case "delete":
                expect(await t().delete(c.key)).toBe(current(c.key) !== undefined);
                model.delete(c.key);
                break;
              case "get":
                expect(await t().get(c.key)).toEqual(current(c.key));
                break;
              case "scan":
                expect((await t().scan(c.prefix)).map((e) => [e.key, e.value])).toEqual(
                  live(model, clock)
                    .filter(([k]) => k.startsWith(c.prefix))
                    .map(([k, e]) => [k, e.value])
                );
                break;
              case "advance":
                clock += c.ms;
                break;
              case "reopen":
                store = await reopen(store, options);
                break;
              case "compact":
                await store.compact();
                break;
            }
          }
          const expected = live(model, clock).map(([k, e]) => [k, e.value]);
          expect((await t().scan()).map((e) => [e.key, e.value])).toEqual(expected);
          store = await reopen(store, options);
          expect((await t().scan()).map((e) => [e.key, e.value])).toEqual(expected);
          await store.compact();
          store = await reopen(store, options);
          expect((await t().scan()).map((e) => [e.key, e.value])).toEqual(expected);
        } finally {
          await store.close();
          await rm(directory, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 }
    );
  });
});
