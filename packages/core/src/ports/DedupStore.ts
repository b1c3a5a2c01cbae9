import { Context, Schema } from "effect";
import type { Effect } from "effect";

export class DedupError extends Schema.TaggedError<DedupError>()("DedupError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `dedup store ${this.operation} failed: ${this.reason}`;
  }
}

export type PutResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly existing: string };

export interface DedupStoreShape {
  /**
   * Atomically claims `key` for `ttlSeconds` with `value`. Exactly one of any number of
   * concurrent callers with the same key gets `claimed: true`; the others see the value
   * stored by the winner. An expired key can be claimed again.
   */
  readonly putIfAbsent: (key: string, value: string, ttlSeconds: number) => Effect.Effect<PutResult, DedupError>;
  /** The value stored under an unexpired key. */
  readonly get: (key: string) => Effect.Effect<string | undefined, DedupError>;
  /** Replaces the value of a key (keeps it claimed), e.g. to record the thread an alert was posted in. */
  readonly put: (key: string, value: string, ttlSeconds: number) => Effect.Effect<void, DedupError>;
}

export class DedupStore extends Context.Service<DedupStore, DedupStoreShape>()("sre-on-call/DedupStore") {}
