import type { DedupStoreShape } from "@sre-on-call/core";
import { DedupError } from "@sre-on-call/core";
import { attemptStore } from "./attemptStore.js";
import type { EmbeddedStore } from "./EmbeddedStore.js";

export interface EmbeddedDedupStoreOptions {
  /** Default `dedup`. */
  readonly table?: string;
  /**
   * Answer a claim as soon as it is decided, before its fsync (default false). Safe for one
   * process (the store's directory lock guarantees that): the claim is already exclusive in
   * memory, and it reaches the disk milliseconds later; a crash in between loses only claims for
   * work that crashed with the process. A failed write is reported to `onDurabilityError`.
   */
  readonly answerBeforeDurable?: boolean;
  readonly onDurabilityError?: (error: unknown) => void;
}

/** Dedup claims in the embedded store; expiry follows the store's clock, and claims survive a restart. */
export const makeEmbeddedDedupStore = (store: EmbeddedStore, options: EmbeddedDedupStoreOptions = {}): DedupStoreShape => {
  const claims = store.table<string>(options.table ?? "dedup");
  const attempt = attemptStore((operation, reason) => new DedupError({ operation, reason }));
  const eagerClaim = (key: string, value: string, ttlSeconds: number) =>
    attempt("putIfAbsent", async () => {
      const { result, durable } = store.transactEager((tx) => tx.table<string>(options.table ?? "dedup").putIfAbsent(key, value, { ttlMs: ttlSeconds * 1000 }));
      durable.catch((e: unknown) => options.onDurabilityError?.(e));
      return result;
    });
  return {
    putIfAbsent: (key, value, ttlSeconds) =>
      options.answerBeforeDurable === true ? eagerClaim(key, value, ttlSeconds) : attempt("putIfAbsent", () => claims.putIfAbsent(key, value, { ttlMs: ttlSeconds * 1000 })),
    get: (key) => attempt("get", () => claims.get(key)),
    put: (key, value, ttlSeconds) => attempt("put", () => claims.put(key, value, { ttlMs: ttlSeconds * 1000 }))
  };
};
