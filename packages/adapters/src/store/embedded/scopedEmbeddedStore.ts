import { Effect } from "effect";
import type { EmbeddedStoreOptions } from "./EmbeddedStore.js";
import { EmbeddedStore } from "./EmbeddedStore.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";

/**
 * Opens the store for the lifetime of the surrounding scope (a Layer, a `ManagedRuntime`) and
 * closes it, releasing the directory lock, when the scope ends.
 */
export const scopedEmbeddedStore = (options: EmbeddedStoreOptions = {}) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => EmbeddedStore.open(options),
      catch: (e) =>
        e instanceof EmbeddedStoreError ? e : new EmbeddedStoreError({ reason: "io", directory: options.directory ?? "", detail: String(e) })
    }),
    // Every acknowledged write is already durable; a close that fails at most leaves a lock the next open finds stale.
    (store) => Effect.ignore(Effect.tryPromise(() => store.close()))
  );
