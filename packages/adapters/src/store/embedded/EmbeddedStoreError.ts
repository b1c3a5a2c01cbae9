import { Schema } from "effect";

/**
 * Why the embedded store refused or failed an operation:
 * - `locked`: another live process (or this one) has the directory open;
 * - `unwritable`: the directory (or a file in it) may not be written: permissions, or a read-only file system;
 * - `disk_full`: the file system holding the directory has no space left (or the quota is used up);
 * - `corrupt`: the files on disk are damaged in a way a crash cannot explain;
 * - `closed`: the store was closed;
 * - `failed`: a write or fsync failed earlier, so memory may be ahead of disk; the store recovers
 *   by itself once writing works again, or when it is reopened;
 * - `io`: the file system refused an operation for another reason;
 * - `invalid`: the caller passed something the store cannot keep (a value that is not JSON, a bad TTL).
 */
export const EmbeddedStoreFailure = Schema.Literals(["locked", "unwritable", "disk_full", "corrupt", "closed", "failed", "io", "invalid"]);
export type EmbeddedStoreFailure = typeof EmbeddedStoreFailure.Type;

/** `detail` says what is wrong and how to fix it, in one line; it never quotes the content of a store file. */
export class EmbeddedStoreError extends Schema.TaggedError<EmbeddedStoreError>()("EmbeddedStoreError", {
  reason: EmbeddedStoreFailure,
  directory: Schema.String,
  detail: Schema.String,
  /** The file concerned, when one is (a damaged log, the lock). */
  file: Schema.optionalKey(Schema.String),
  /** The process holding the lock, when `reason` is `locked` and the lock names it. */
  pid: Schema.optionalKey(Schema.Number)
}) {
  override get message(): string {
    return `embedded store ${this.directory}: ${this.detail}`;
  }
}
