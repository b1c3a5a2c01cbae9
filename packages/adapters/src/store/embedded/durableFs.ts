import type { StoreFileHandle, StoreFileSystem } from "./fileSystem.js";

/** Files hold incidents, alert payloads and traces: only the store's own user may read them. */
export const FILE_MODE = 0o600;
export const DIRECTORY_MODE = 0o700;

/** Writes all of `data` at `position` (a short write is not an error, so it loops). */
export const writeAll = async (handle: StoreFileHandle, data: Buffer, position: number): Promise<void> => {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
    offset += bytesWritten;
  }
};

/**
 * Makes creations, renames and deletions inside `directory` durable. Linux needs an fsync of
 * the directory itself for that; Windows cannot open a directory for it and journals the
 * metadata anyway, so there it is skipped.
 */
export const syncDirectory = async (fs: StoreFileSystem, directory: string): Promise<void> => {
  if (process.platform === "win32") return;
  const handle = await fs.open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Replaces `path` with `data` so that after a crash the file holds either the old or the new
 * content, never a mix: write a temporary file, fsync it, rename it over, fsync the directory.
 */
export const writeFileAtomically = async (fs: StoreFileSystem, directory: string, path: string, data: string): Promise<void> => {
  const temporary = `${path}.tmp`;
  const handle = await fs.open(temporary, "w", FILE_MODE);
  try {
    await writeAll(handle, Buffer.from(data, "utf8"), 0);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    // A half-written temporary file would only hold on to the space a full disk lacks.
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw e;
  }
  await handle.close();
  await fs.rename(temporary, path);
  await syncDirectory(fs, directory);
};
