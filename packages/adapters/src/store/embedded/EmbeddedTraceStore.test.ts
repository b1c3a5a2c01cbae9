import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleReport, traceStoreContract } from "@sre-on-call/core/testing";
import { Effect, Option } from "effect";
import { describe, expect, it } from "vitest";
import { EmbeddedStore } from "./EmbeddedStore.js";
import { makeEmbeddedTraceStore } from "./EmbeddedTraceStore.js";

const withDirectory = async (body: (directory: string) => Promise<void>) => {
  const directory = await mkdtemp(join(tmpdir(), "embedded-trace-"));
  try {
    await body(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

describe("EmbeddedTraceStore", () => {
  for (const c of traceStoreContract({
    make: async () => {
      const directory = await mkdtemp(join(tmpdir(), "embedded-trace-"));
      const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      return {
        store: makeEmbeddedTraceStore(store),
        close: async () => {
          await store.close();
          await rm(directory, { recursive: true, force: true });
        }
      };
    }
  })) {
    it(c.name, c.run);
  }

  it("keeps traces across a restart and a compaction, and ids with slashes stay apart", () =>
    withDirectory(async (directory) => {
      const header = { investigationId: "inv/1", channelId: "C/1", threadId: "17/00", startedAt: 5 };
      const first = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      const traces = makeEmbeddedTraceStore(first);
      await Effect.runPromise(traces.open(header));
      await Effect.runPromise(traces.open({ investigationId: "inv", channelId: "C", threadId: "1/17/00", startedAt: 1 }));
      await Effect.runPromise(traces.append({ investigationId: "inv/1", at: 6, type: "received", data: { text: "x" } }));
      await Effect.runPromise(traces.putReport({ ...sampleReport, investigationId: "inv/1" }));
      await first.compact();
      await Effect.runPromise(traces.append({ investigationId: "inv/1", at: 7, type: "decision", data: {} }));
      await first.close();

      const second = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      try {
        const reopened = makeEmbeddedTraceStore(second);
        const trace = await Effect.runPromise(reopened.get("inv/1"));
        expect(Option.isSome(trace)).toBe(true);
        if (Option.isSome(trace)) {
          expect(trace.value.events.map((e) => e.type)).toEqual(["received", "decision"]);
          expect(trace.value.reports).toEqual([{ ...sampleReport, investigationId: "inv/1" }]);
        }
        expect(await Effect.runPromise(reopened.findByThread("C/1", "17/00"))).toEqual(["inv/1"]);
        expect(await Effect.runPromise(reopened.findByThread("C", "1/17/00"))).toEqual(["inv"]);
        expect(Option.isSome(await Effect.runPromise(reopened.get("inv")))).toBe(true);
      } finally {
        await second.close();
      }
    }));
});
