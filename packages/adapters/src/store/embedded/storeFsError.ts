import { dirname, sep } from "node:path";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";

export const errorCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;

const errorPath = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "path" in e && typeof e.path === "string" ? e.path : undefined;

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const isWithin = (path: string, directory: string) => path.startsWith(directory + sep);

/** The user the operator has to grant access to, named the way `chown` wants it. */
const thisUser = (): string => {
  const uid = process.geteuid?.();
  return uid === undefined ? "the user running sre-on-call" : `the user running sre-on-call (uid ${uid})`;
};

/**
 * What a failed file-system call means for the store, as one line that says what is wrong and
 * how to fix it. `doing` completes "… while <doing>", e.g. "opening the store".
 */
export const storeErrorFromFs = (e: unknown, directory: string, doing: string): EmbeddedStoreError => {
  if (e instanceof EmbeddedStoreError) return e;
  const code = errorCode(e);
  const path = errorPath(e) ?? directory;
  switch (code) {
    case "EACCES":
    case "EPERM": {
      // Creating a directory needs write access to its parent; anything inside the store needs the store directory.
      const target = path === directory || directory.startsWith(path + sep) ? dirname(path) : directory;
      const object = isWithin(path, directory) ? ` and read and write permission on ${path}` : "";
      return new EmbeddedStoreError({
        reason: "unwritable",
        directory,
        detail: `permission denied (${code}) on ${path} while ${doing}: ${thisUser()} needs read, write and execute permission on ${target}${object}; change the owner (chown) or the mode (chmod u+rwx ${target}), or use a directory that user can write`
      });
    }
    case "EROFS":
      return new EmbeddedStoreError({
        reason: "unwritable",
        directory,
        detail: `${directory} is on a read-only file system (EROFS, on ${path} while ${doing}); mount it read-write, or use a directory on a writable file system`
      });
    case "ENOSPC":
    case "EDQUOT":
      return new EmbeddedStoreError({
        reason: "disk_full",
        directory,
        detail: `the disk holding ${directory} is full (${code}) while ${doing}; nothing was lost: every acknowledged write is on disk and the store's files were left as they were; free some space${code === "EDQUOT" ? " or raise the disk quota" : ""} and try again`
      });
    default:
      return new EmbeddedStoreError({ reason: "io", directory, detail: `${doing} failed: ${describe(e)}` });
  }
};

/** Why writing fails, for a health check anyone may read: no path, nothing from a file. */
export const writeFailureSummary = (e: unknown): string => {
  switch (errorCode(e)) {
    case "ENOSPC":
      return "the disk is full (ENOSPC)";
    case "EDQUOT":
      return "the disk quota is used up (EDQUOT)";
    case "EROFS":
      return "the file system is read-only (EROFS)";
    case "EACCES":
    case "EPERM":
      return "permission denied on the store directory";
    case "EIO":
      return "the device reported an I/O error (EIO)";
    default:
      return "a file-system error";
  }
};
