import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { experimentStoreContract, sampleExperiment, sampleRun } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { EmbeddedStore } from "./EmbeddedStore.js";
import { makeEmbeddedExperimentStore } from "./EmbeddedExperimentStore.js";

const freshStore = async () => {
  const directory = await mkdtemp(join(tmpdir(), "embedded-experiments-"));
  const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
  return {
    store: makeEmbeddedExperimentStore(store),
    close: async () => {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    }
  };
};

describe("EmbeddedExperimentStore", () => {
  for (const c of experimentStoreContract({ make: freshStore })) it(c.name, c.run);

  it("keeps experiments, the active one and runs across a restart", async () => {
    const directory = await mkdtemp(join(tmpdir(), "embedded-experiments-restart-"));
    try {
      const first = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      const a = makeEmbeddedExperimentStore(first);
      await Effect.runPromise(a.define(sampleExperiment("exp-1")));
      await Effect.runPromise(a.define(sampleExperiment("exp-2")));
      await Effect.runPromise(a.activate("exp-1", 42));
      await Effect.runPromise(a.recordRun(sampleRun("exp-1", "inv-1", "control")));
      await first.close();

      const second = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      try {
        const b = makeEmbeddedExperimentStore(second);
        expect((await Effect.runPromise(b.active()))?.id).toBe("exp-1");
        expect(await Effect.runPromise(b.runsOf("exp-1"))).toEqual([sampleRun("exp-1", "inv-1", "control")]);
        const refused = await Effect.runPromise(Effect.flip(b.activate("exp-2", 43)));
        expect(refused.reason).toBe("another_active");
        expect(refused.activeId).toBe("exp-1");
      } finally {
        await second.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("turns a closed store into an ExperimentError", async () => {
    const { store, close } = await freshStore();
    await close();
    const error = await Effect.runPromise(Effect.flip(store.list()));
    expect(error._tag).toBe("ExperimentError");
    expect(error.reason).toBe("unavailable");
  });
});
