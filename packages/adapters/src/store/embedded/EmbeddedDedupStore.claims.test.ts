/**
 * The embedded dedup store's claim options, observed from outside: the table its claims live in,
 * TTLs in seconds, refused TTLs, and what answering before the fsync changes when the disk fails
 * (including when nobody listens for the failed write).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { makeEmbeddedDedupStore } from "./EmbeddedDedupStore.js";
import { EmbeddedStore } from "./EmbeddedStore.js";
import { makeFaultyFileSystem } from "./testing/faultyFileSystem.js";

const opened: Array<{ store: EmbeddedStore; directory: string }> = [];
afterEach(async () => {
  for (const { store, directory } of opened.splice(0)) {
    await store.close().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }
});

const open = async (options: { readonly now?: () => number; readonly fs?: ReturnType<typeof makeFaultyFileSystem> } = {}) => {
  const directory = await mkdtemp(join(tmpdir(), "embedded-claims-"));
  const store = await EmbeddedStore.open({ directory, compactEveryMs: 0, ...(options.now !== undefined ? { now: options.now } : {}), ...(options.fs !== undefined ? { fs: options.fs } : {}) });
  opened.push({ store, directory });
  return store;
};
const run = Effect.runPromise;

describe("EmbeddedDedupStore claim options", () => {
  it("keeps claims in the `dedup` table whether or not it answers before the fsync, and in a named table apart", async () => {
    const store = await open();
    const eager = makeEmbeddedDedupStore(store, { answerBeforeDurable: true });
    const durable = makeEmbeddedDedupStore(store);
    expect(await run(eager.putIfAbsent("k", "first", 60))).toEqual({ claimed: true });
    expect(await run(durable.putIfAbsent("k", "second", 60))).toEqual({ claimed: false, existing: "first" });
    expect(await store.table<string>("dedup").get("k")).toBe("first");
    const other = makeEmbeddedDedupStore(store, { table: "claims-b", answerBeforeDurable: true });
    expect(await run(other.putIfAbsent("k", "elsewhere", 60))).toEqual({ claimed: true });
    expect(await store.table<string>("claims-b").get("k")).toBe("elsewhere");
  });

  it("counts TTLs in seconds for claims and for replaced values", async () => {
    let now = 1_700_000_000_000;
    const store = await open({ now: () => now });
    const dedup = makeEmbeddedDedupStore(store);
    const eager = makeEmbeddedDedupStore(store, { answerBeforeDurable: true, table: "eager" });
    await run(dedup.putIfAbsent("claimed", "v", 60));
    await run(eager.putIfAbsent("claimed", "v", 60));
    await run(dedup.put("replaced", "v", 60));
    now += 59_000;
    expect([await run(dedup.get("claimed")), await run(eager.get("claimed")), await run(dedup.get("replaced"))]).toEqual(["v", "v", "v"]);
    now += 1_000;
    expect([await run(dedup.get("claimed")), await run(eager.get("claimed")), await run(dedup.get("replaced"))]).toEqual([undefined, undefined, undefined]);
  });

  it("refuses a negative TTL with a reason, and a zero TTL claims nothing that lasts", async () => {
    const store = await open({ now: () => 1_700_000_000_000 });
    const dedup = makeEmbeddedDedupStore(store);
    const error = await run(Effect.flip(dedup.putIfAbsent("k", "v", -1)));
    expect([error.operation, error.reason]).toEqual(["putIfAbsent", expect.stringContaining("ttlMs must be a finite number >= 0, got -1000")]);
    expect(await run(dedup.putIfAbsent("k", "v", 0))).toEqual({ claimed: true });
    expect(await run(dedup.get("k"))).toBeUndefined();
    // The eager claim and the unconditional put refuse it too, each naming itself.
    const eagerError = await run(Effect.flip(makeEmbeddedDedupStore(store, { answerBeforeDurable: true }).putIfAbsent("e", "v", -1)));
    expect([eagerError.operation, eagerError.reason]).toEqual(["putIfAbsent", expect.stringContaining("ttlMs must be a finite number >= 0, got -1000")]);
    const putError = await run(Effect.flip(dedup.put("p", "v", -2)));
    expect([putError.operation, putError.reason]).toEqual(["put", expect.stringContaining("ttlMs must be a finite number >= 0, got -2000")]);
  });

  it("by default a claim waits for its write: the first claim to meet a failing fsync fails", async () => {
    const fs = makeFaultyFileSystem();
    const store = await open({ fs });
    fs.fault = "EIO";
    const error = await run(Effect.flip(makeEmbeddedDedupStore(store).putIfAbsent("durable", "v", 60)));
    expect([error.operation, error.reason]).toEqual(["putIfAbsent", expect.stringMatching(/EIO|i\/o error/)]);
  });

  it("an eager claim whose write fails with nobody listening still answers, and leaves no unhandled rejection", async () => {
    const fs = makeFaultyFileSystem();
    const store = await open({ fs });
    const unhandled: Array<unknown> = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      fs.fault = "EIO";
      expect(await run(makeEmbeddedDedupStore(store, { answerBeforeDurable: true }).putIfAbsent("eager", "v", 60))).toEqual({ claimed: true });
      // A durable claim after it fails once the store has met the failed write, so by then the eager write has settled.
      const error = await run(Effect.flip(makeEmbeddedDedupStore(store).putIfAbsent("durable", "v", 60)));
      expect(error.reason).toMatch(/EIO|refuses further operations/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("when fsync fails: a durable claim fails, an eager one answers and reports the failed write", async () => {
    const fs = makeFaultyFileSystem();
    const store = await open({ fs });
    const failures: Array<unknown> = [];
    const durable = makeEmbeddedDedupStore(store);
    const eager = makeEmbeddedDedupStore(store, { answerBeforeDurable: true, onDurabilityError: (e) => failures.push(e) });
    fs.fault = "EIO";
    // The eager claim answers at once; the failed write reaches onDurabilityError afterwards.
    expect(await run(eager.putIfAbsent("eager", "v", 60))).toEqual({ claimed: true });
    for (let i = 0; i < 50 && failures.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(failures.length).toBeGreaterThan(0);
    expect(String(failures[0])).toMatch(/EIO|i\/o error/);
    // A durable claim waits for the write, so the failure is its answer.
    const error = await run(Effect.flip(durable.putIfAbsent("durable", "v", 60)));
    expect([error.operation, error.reason]).toEqual(["putIfAbsent", expect.stringMatching(/EIO|refuses further operations/)]);
  });
});
