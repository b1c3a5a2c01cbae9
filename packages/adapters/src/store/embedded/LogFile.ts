import { join } from "node:path";
import { FILE_MODE, syncDirectory, writeAll } from "./durableFs.js";
import type { StoreFileHandle, StoreFileSystem } from "./fileSystem.js";
import { encodeLine } from "./logLine.js";
import { logFileName, logHeaderJson } from "./storeFormat.js";

/** The append-only log being written: one generation, appended at `bytes`, every append fsynced. */
export class LogFile {
  private constructor(
    readonly generation: number,
    readonly path: string,
    private readonly handle: StoreFileHandle,
    private size: number
  ) {}

  /** Creates a new generation's log with its header and makes its directory entry durable. */
  static async create(fs: StoreFileSystem, directory: string, generation: number): Promise<LogFile> {
    const path = join(directory, logFileName(generation));
    const handle = await fs.open(path, "wx", FILE_MODE);
    const log = new LogFile(generation, path, handle, 0);
    try {
      await log.append(encodeLine(logHeaderJson(generation)));
      await syncDirectory(fs, directory);
    } catch (e) {
      await handle.close();
      // The store keeps appending to the previous log, so this half-made one must not outlive the failure.
      await fs.rm(path, { force: true });
      throw e;
    }
    return log;
  }

  /**
   * Reopens an existing log for appending after recovery read its first `validBytes`. A torn
   * tail is cut off first, so new records never follow garbage; a log torn inside its header
   * gets a fresh header.
   */
  static async reopen(fs: StoreFileSystem, directory: string, generation: number, validBytes: number, fileBytes: number): Promise<LogFile> {
    const path = join(directory, logFileName(generation));
    const handle = await fs.open(path, "r+");
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
    await writeAll(this.handle, data, this.size);
    await this.handle.datasync();
    this.size += data.length;
  }

  /**
   * Cuts the file back to what the appends that succeeded wrote, and makes that durable: after
   * a failed append, whatever part of it reached the file was never acknowledged.
   */
  async rollBack(): Promise<void> {
    await this.handle.truncate(this.size);
    await this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
