import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncidentRecord } from "@sre-on-call/core";
import { incidentMemoryContract } from "@sre-on-call/core/testing";
import { Effect, Option } from "effect";
import { describe, expect, it } from "vitest";
import { makeEmbeddedIncidentMemory } from "./EmbeddedIncidentMemory.js";
import { EmbeddedStore } from "./EmbeddedStore.js";

describe("EmbeddedIncidentMemory", () => {
  for (const c of incidentMemoryContract({
    make: async () => {
      const directory = await mkdtemp(join(tmpdir(), "embedded-memory-"));
      const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      return {
        memory: makeEmbeddedIncidentMemory(store),
        close: async () => {
          await store.close();
          await rm(directory, { recursive: true, force: true });
        }
      };
    }
  })) {
    it(c.name, c.run);
  }

  it("remembers incidents and their outcomes across a restart", async () => {
    const directory = await mkdtemp(join(tmpdir(), "embedded-memory-"));
    const record: IncidentRecord = {
      investigationId: "inv-1",
      recordedAt: 1_700_000_000_000,
      title: "checkout OOMKilled",
      alertText: "KubePodCrashLooping checkout OOMKilled",
      entities: { namespace: "shop", deployment: "checkout" },
      severity: "high",
      channelId: "C1",
      threadId: "T1"
    };
    try {
      const first = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      await Effect.runPromise(makeEmbeddedIncidentMemory(first).remember(record));
      await Effect.runPromise(makeEmbeddedIncidentMemory(first).resolve("inv-1", { resolvedAt: 1_700_000_100_000, rootCause: "memory limit" }));
      await first.close();

      const second = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      try {
        const memory = makeEmbeddedIncidentMemory(second);
        expect(await Effect.runPromise(memory.get("inv-1"))).toEqual(Option.some({ ...record, outcome: { resolvedAt: 1_700_000_100_000, rootCause: "memory limit" } }));
        const similar = await Effect.runPromise(memory.similar({ text: "checkout OOMKilled again", entities: { namespace: "shop" } }, 3));
        expect(similar.map((s) => s.record.investigationId)).toEqual(["inv-1"]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
