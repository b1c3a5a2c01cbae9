import type { FileHandle } from "node:fs/promises";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { syncDirectory } from "./durableFs.js";
import { encodeLine } from "./logLine.js";
import { logFileName, logHeaderJson } from "./storeFormat.js";

/** The append-only log being written: one generation, appended at `bytes`, every append fsynced. */
export class LogFile {
  private constructor(
    readonly generation: number,
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number
  ) {}

  /** Creates a new generation's log with its header and makes its directory entry durable. */
  static async create(directory: string, generation: number): Promise<LogFile> {
    const path = join(directory, logFileName(generation));
    const handle = await open(path, "wx");
    const log = new LogFile(generation, path, handle, 0);
    try {
      await log.append(encodeLine(logHeaderJson(generation)));
      await syncDirectory(directory);
    } catch (e) {
      await handle.close();
      // The store keeps appending to the previous log, so this half-made one must not outlive the failure.
      await rm(path, { force: true });
      throw e;
    }
    return log;
  }

  /**
   * Reopens an existing log for appending after recovery read its first `validBytes`. A torn
   * tail is cut off first, so new records never follow garbage; a log torn inside its header
   * gets a fresh header.
   */
  static async reopen(directory: string, generation: number, validBytes: number, fileBytes: number): Promise<LogFile> {
    const path = join(directory, logFileName(generation));
    const handle = await open(path, "r+");
    const log = new LogFile(generation, path, handle, validBytes);
    try {
      if (validBytes < fileBytes) {
        await handle.truncate(validBytes);
        await handle.sync();
      }
      if (validBytes === 0) await log.append(encodeLine(logHeaderJson(generation)));
    } catch (e) {
      await handle.close();
      throw e;
    }
    return log;
  }

  get bytes(): number {
    return this.size;
  }

  /** Writes `text` at the end and returns once it is on stable storage. */
  async append(text: string): Promise<void> {
    const data = Buffer.from(text, "utf8");
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset, this.size + offset);
      offset += bytesWritten;
    }
    await this.handle.datasync();
    this.size += data.length;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
