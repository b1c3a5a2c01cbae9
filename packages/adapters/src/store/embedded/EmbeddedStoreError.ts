import { Schema } from "effect";

/**
 * Why the embedded store refused or failed an operation:
 * - `locked`: another live process (or this one) has the directory open;
 * - `corrupt`: the files on disk are damaged in a way a crash cannot explain;
 * - `closed`: the store was closed;
 * - `failed`: a write or fsync failed earlier, so memory may be ahead of disk; reopen the store;
 * - `io`: the file system refused an operation;
 * - `invalid`: the caller passed something the store cannot keep (a value that is not JSON, a bad TTL).
 */
export const EmbeddedStoreFailure = Schema.Literals(["locked", "corrupt", "closed", "failed", "io", "invalid"]);
export type EmbeddedStoreFailure = typeof EmbeddedStoreFailure.Type;

export class EmbeddedStoreError extends Schema.TaggedError<EmbeddedStoreError>()("EmbeddedStoreError", {
  reason: EmbeddedStoreFailure,
  directory: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `embedded store ${this.directory}: ${this.detail}`;
  }
}
