import { describe, it } from "vitest";
import { experimentStoreContract } from "../experimentStoreContract.js";
import { makeInMemoryExperimentStore } from "./InMemoryExperimentStore.js";

describe("InMemoryExperimentStore", () => {
  for (const c of experimentStoreContract({ make: () => Promise.resolve({ store: makeInMemoryExperimentStore() }) })) it(c.name, c.run);
});
