import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";

/** The part of an open file the store uses. */
export interface StoreFileHandle {
  readonly write: (buffer: Uint8Array, offset: number, length: number, position: number) => Promise<{ readonly bytesWritten: number }>;
  readonly sync: () => Promise<void>;
  readonly datasync: () => Promise<void>;
  readonly truncate: (length: number) => Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * The file-system calls the store makes, so a host (or a test) can put a layer in between:
 * a full disk or a read-only mount cannot be produced on demand without root, but an
 * operation failing with `ENOSPC` or `EROFS` can. Failures must look like Node's (`code`, `path`).
 */
export interface StoreFileSystem {
  readonly mkdir: (path: string, options: { readonly recursive: true; readonly mode: number }) => Promise<unknown>;
  readonly open: (path: string, flags: "r" | "r+" | "w" | "wx", mode?: number) => Promise<StoreFileHandle>;
  readonly readFile: (path: string) => Promise<Buffer>;
  readonly readdir: (path: string) => Promise<ReadonlyArray<string>>;
  readonly stat: (path: string) => Promise<{ readonly mode: number; readonly uid: number; readonly mtimeMs: number; readonly isDirectory: () => boolean }>;
  readonly chmod: (path: string, mode: number) => Promise<void>;
  readonly rename: (from: string, to: string) => Promise<void>;
  readonly unlink: (path: string) => Promise<void>;
  readonly rm: (path: string, options: { readonly force: true }) => Promise<void>;
}

export const nodeFileSystem: StoreFileSystem = {
  mkdir: (path, options) => mkdir(path, options),
  open: (path, flags, mode) => open(path, flags, mode),
  readFile: (path) => readFile(path),
  readdir: (path) => readdir(path),
  stat: (path) => stat(path),
  chmod: (path, mode) => chmod(path, mode),
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  rm: (path, options) => rm(path, options)
};
