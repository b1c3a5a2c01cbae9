import type { DedupStoreShape } from "@sre-on-call/core";
import { DedupError } from "@sre-on-call/core";
import { attemptStore } from "./attemptStore.js";
import type { EmbeddedStore } from "./EmbeddedStore.js";

export interface EmbeddedDedupStoreOptions {
  /** Default `dedup`. */
  readonly table?: string;
}

/** Dedup claims in the embedded store; expiry follows the store's clock, and claims survive a restart. */
export const makeEmbeddedDedupStore = (store: EmbeddedStore, options: EmbeddedDedupStoreOptions = {}): DedupStoreShape => {
  const claims = store.table<string>(options.table ?? "dedup");
  const attempt = attemptStore((operation, reason) => new DedupError({ operation, reason }));
  return {
    putIfAbsent: (key, value, ttlSeconds) => attempt("putIfAbsent", () => claims.putIfAbsent(key, value, { ttlMs: ttlSeconds * 1000 })),
    get: (key) => attempt("get", () => claims.get(key)),
    put: (key, value, ttlSeconds) => attempt("put", () => claims.put(key, value, { ttlMs: ttlSeconds * 1000 }))
  };
};
