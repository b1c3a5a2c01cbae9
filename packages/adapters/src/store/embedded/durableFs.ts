import { open, rename } from "node:fs/promises";

/**
 * Makes creations, renames and deletions inside `directory` durable. Linux needs an fsync of
 * the directory itself for that; Windows cannot open a directory for it and journals the
 * metadata anyway, so there it is skipped.
 */
export const syncDirectory = async (directory: string): Promise<void> => {
  if (process.platform === "win32") return;
  const handle = await open(directory, "r");
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
export const writeFileAtomically = async (directory: string, path: string, data: string): Promise<void> => {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(data, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(directory);
};
