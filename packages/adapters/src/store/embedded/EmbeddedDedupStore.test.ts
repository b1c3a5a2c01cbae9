import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dedupStoreContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeEmbeddedDedupStore } from "./EmbeddedDedupStore.js";
import { EmbeddedStore } from "./EmbeddedStore.js";

const freshStore = async (now: () => number) => {
  const directory = await mkdtemp(join(tmpdir(), "embedded-dedup-"));
  const store = await EmbeddedStore.open({ directory, now, compactEveryMs: 0 });
  return {
    store: makeEmbeddedDedupStore(store),
    close: async () => {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    }
  };
};

describe("EmbeddedDedupStore", () => {
  for (const c of dedupStoreContract({ make: freshStore })) it(c.name, c.run);

  describe("answering before the fsync", () => {
    const eagerStore = async (now: () => number) => {
      const directory = await mkdtemp(join(tmpdir(), "embedded-dedup-eager-"));
      const store = await EmbeddedStore.open({ directory, now, compactEveryMs: 0 });
      return { store: makeEmbeddedDedupStore(store, { answerBeforeDurable: true }), close: async () => { await store.close(); await rm(directory, { recursive: true, force: true }); }, directory, raw: store };
    };
    for (const c of dedupStoreContract({ make: eagerStore })) it(`${c.name} (answerBeforeDurable)`, c.run);

    it("keeps a claim exclusive under concurrency and durable across a restart", async () => {
      const { store, raw, directory } = await eagerStore(Date.now);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => Effect.runPromise(store.putIfAbsent("k", `v${i}`, 60))));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      await raw.close();
      const reopened = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      expect(await Effect.runPromise(makeEmbeddedDedupStore(reopened).get("k"))).toMatch(/^v\d+$/);
      await reopened.close();
      await rm(directory, { recursive: true, force: true });
    });
  });

  describe("across a restart", () => {
    let directory: string;
    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), "embedded-dedup-restart-"));
    });
    afterEach(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it("a claimed key is still claimed, with its value and TTL, after the directory is reopened", async () => {
      let clock = 1_700_000_000_000;
      const now = () => clock;
      const first = await EmbeddedStore.open({ directory, now, compactEveryMs: 0 });
      const claims = await Promise.all(
        Array.from({ length: 50 }, (_, i) => Effect.runPromise(makeEmbeddedDedupStore(first).putIfAbsent("am:fp1:2024-01-01T00:00:00Z", `inv-${i}`, 600)))
      );
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      const winner = await Effect.runPromise(makeEmbeddedDedupStore(first).get("am:fp1:2024-01-01T00:00:00Z"));
      await first.close();

      const second = await EmbeddedStore.open({ directory, now, compactEveryMs: 0 });
      try {
        const dedup = makeEmbeddedDedupStore(second);
        expect(await Effect.runPromise(dedup.putIfAbsent("am:fp1:2024-01-01T00:00:00Z", "inv-late", 600))).toEqual({ claimed: false, existing: winner });
        clock += 601_000;
        expect(await Effect.runPromise(dedup.putIfAbsent("am:fp1:2024-01-01T00:00:00Z", "inv-later", 600))).toEqual({ claimed: true });
      } finally {
        await second.close();
      }
    });

    it("turns a store failure into a DedupError", async () => {
      const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      await store.close();
      const error = await Effect.runPromise(Effect.flip(makeEmbeddedDedupStore(store).get("k")));
      expect(error._tag).toBe("DedupError");
      expect(error.operation).toBe("get");
      expect(error.reason).toContain("closed");
    });
  });
});
