import type { StoreFileHandle, StoreFileSystem } from "../fileSystem.js";
import { nodeFileSystem } from "../fileSystem.js";

/**
 * How the file system misbehaves:
 * - `ENOSPC`: the disk is full: files open and read, but writing bytes into them fails;
 * - `EIO`: the device fails: writing works, every fsync fails;
 * - `EROFS` / `EACCES`: a read-only mount, or a directory the process may not write: every call
 *   that would change something (create, write, truncate, rename, delete, mkdir, chmod) fails.
 */
export type FileSystemFault = "ENOSPC" | "EIO" | "EROFS" | "EACCES";

export interface FaultyFileSystem extends StoreFileSystem {
  /** The current fault; `undefined` makes the file system healthy again. Takes effect on the next call. */
  fault: FileSystemFault | undefined;
  /** When set, `chmod` fails with this code (a directory this process may not change the mode of). */
  chmodFault: "EPERM" | undefined;
}

const MESSAGES: Readonly<Record<FileSystemFault | "EPERM", string>> = {
  ENOSPC: "no space left on device",
  EIO: "i/o error",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted"
};

/** An error shaped like the one Node raises for a failed system call. */
export const errnoError = (code: FileSystemFault | "EPERM", syscall: string, path?: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${MESSAGES[code]}, ${syscall}${path === undefined ? "" : ` '${path}'`}`), {
    code,
    syscall,
    ...(path === undefined ? {} : { path })
  });

/**
 * A test seam: the real file system (`base`, default Node's) with faults switched on and off at
 * will, so a full disk or a read-only mount can be simulated without root or a special mount.
 */
export const makeFaultyFileSystem = (base: StoreFileSystem = nodeFileSystem): FaultyFileSystem => {
  const self: FaultyFileSystem = {
    fault: undefined,
    chmodFault: undefined,
    // As on Linux, a directory that already exists is no error even where nothing may be created.
    mkdir: async (path, options) => (refusesChanges() && !(await exists(path)) ? reject("mkdir", path) : base.mkdir(path, options)),
    open: async (path, flags, mode) => {
      if (flags !== "r" && refusesChanges()) return reject("open", path);
      return wrap(await base.open(path, flags, mode), path);
    },
    readFile: (path) => base.readFile(path),
    readdir: (path) => base.readdir(path),
    stat: (path) => base.stat(path),
    chmod: (path, mode) =>
      self.chmodFault !== undefined ? Promise.reject(errnoError(self.chmodFault, "chmod", path)) : refusesChanges() ? reject("chmod", path) : base.chmod(path, mode),
    rename: (from, to) => (refusesChanges() ? reject("rename", from) : base.rename(from, to)),
    unlink: (path) => (refusesChanges() ? reject("unlink", path) : base.unlink(path)),
    rm: (path, options) => (refusesChanges() ? reject("rm", path) : base.rm(path, options))
  };
  const exists = (path: string) => base.stat(path).then(
    () => true,
    () => false
  );
  const refusesChanges = () => self.fault === "EROFS" || self.fault === "EACCES";
  const reject = (syscall: string, path: string) => Promise.reject(errnoError(self.fault!, syscall, path));
  const wrap = (handle: StoreFileHandle, path: string): StoreFileHandle => ({
    write: (buffer, offset, length, position) =>
      self.fault === "ENOSPC" || refusesChanges() ? Promise.reject(errnoError(self.fault!, "write")) : handle.write(buffer, offset, length, position),
    sync: () => (self.fault === "EIO" ? Promise.reject(errnoError("EIO", "fsync")) : handle.sync()),
    datasync: () => (self.fault === "EIO" ? Promise.reject(errnoError("EIO", "fdatasync")) : handle.datasync()),
    truncate: (length) => (refusesChanges() ? reject("ftruncate", path) : handle.truncate(length)),
    close: () => handle.close()
  });
  return self;
};
