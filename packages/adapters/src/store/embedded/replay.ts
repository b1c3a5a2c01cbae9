import { join } from "node:path";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";
import type { StoreFileSystem } from "./fileSystem.js";
import { errorCode } from "./storeFsError.js";
import { decodeLine } from "./logLine.js";
import type { Tables } from "./storeFormat.js";
import { applyOp, headerProblem, logFileName, parseOp, parseTransaction, SNAPSHOT_FILE } from "./storeFormat.js";

const NEWLINE = 0x0a;

const RESTORE = "move the store directory aside (keep it to find out what happened) or restore it from a backup, then start again";

/** Names the file and where it is damaged, never what it holds: a store file carries alerts and reports. */
const corrupt = (directory: string, file: string, problem: string, fix: string = RESTORE) =>
  new EmbeddedStoreError({ reason: "corrupt", directory, file, detail: `the store file ${file} is damaged: ${problem}; ${fix}` });

const readIfPresent = async (fs: StoreFileSystem, path: string): Promise<Buffer | undefined> => {
  try {
    return await fs.readFile(path);
  } catch (e) {
    if (errorCode(e) === "ENOENT") return undefined;
    throw e;
  }
};

/** Newline-terminated lines from `offset` on, with the byte offset just past each. */
function* lines(buffer: Buffer, offset: number): Generator<{ readonly text: string; readonly start: number; readonly end: number }> {
  let start = offset;
  while (start < buffer.length) {
    const newline = buffer.indexOf(NEWLINE, start);
    if (newline === -1) return;
    yield { text: buffer.toString("utf8", start, newline), start, end: newline + 1 };
    start = newline + 1;
  }
}

/**
 * Loads the snapshot into `tables`. It was written to a temporary file and renamed into place,
 * so any damage is corruption, never a crash: it must be whole, with the record count its
 * header promises.
 */
export const readSnapshot = async (fs: StoreFileSystem, directory: string, tables: Tables): Promise<{ readonly generation: number; readonly bytes: number } | undefined> => {
  const path = join(directory, SNAPSHOT_FILE);
  const buffer = await readIfPresent(fs, path);
  if (buffer === undefined) return undefined;
  const fail = (problem: string) => corrupt(directory, path, problem);
  let header: { readonly generation: number; readonly records: number } | undefined;
  let records = 0;
  let end = 0;
  for (const line of lines(buffer, 0)) {
    const decoded = decodeLine(line.text);
    if (decoded === undefined) throw fail(`the record at byte ${line.start} fails its checksum`);
    if (header === undefined) {
      const problem = headerProblem(decoded.body, "snapshot");
      if (problem !== undefined) throw fail(problem);
      const body = decoded.body as { generation: number; records: unknown };
      if (typeof body.records !== "number") throw fail("the header has no record count");
      header = { generation: body.generation, records: body.records };
    } else {
      const op = parseOp(decoded.body);
      if (op === undefined || op.o !== "put") throw fail(`the record at byte ${line.start} is not a stored value`);
      applyOp(tables, op);
      records++;
    }
    end = line.end;
  }
  if (header === undefined) throw fail("the file has no header");
  if (end !== buffer.length || records !== header.records) throw fail(`the header promises ${header.records} records, the file holds ${records}`);
  return { generation: header.generation, bytes: buffer.length };
};

export interface LogReplay {
  /** Bytes from the start of the file up to the end of its last intact record. */
  readonly validBytes: number;
  readonly fileBytes: number;
  readonly transactions: number;
}

/**
 * Replays one log into `tables`, transaction by transaction. Only the newest log may end in
 * a torn record (a crash mid-append, never acknowledged to anyone): that tail is ignored. A
 * bad record followed by good ones is not a torn append but damage, and so is a bad record
 * in an older log, which was complete and fsynced before the next one was started.
 */
export const readLog = async (fs: StoreFileSystem, directory: string, generation: number, newest: boolean, tables: Tables): Promise<LogReplay> => {
  const path = join(directory, logFileName(generation));
  const buffer = await fs.readFile(path);
  const fail = (problem: string, fix?: string) => corrupt(directory, path, problem, fix);
  let validBytes = 0;
  let transactions = 0;
  let headerSeen = false;
  for (const line of lines(buffer, 0)) {
    const decoded = decodeLine(line.text);
    if (decoded === undefined) break;
    if (!headerSeen) {
      const problem = headerProblem(decoded.body, "log", generation);
      if (problem !== undefined) throw fail(problem);
      headerSeen = true;
    } else {
      const ops = parseTransaction(decoded.body);
      if (ops === undefined) throw fail(`the record at byte ${line.start} passes its checksum but is not a transaction`);
      for (const op of ops) applyOp(tables, op);
      transactions++;
    }
    validBytes = line.end;
  }
  if (validBytes < buffer.length) {
    if (!newest) throw fail(`the record at byte ${validBytes} is damaged in a log that was complete`);
    const firstBad = buffer.indexOf(NEWLINE, validBytes);
    if (firstBad !== -1) {
      for (const line of lines(buffer, firstBad + 1)) {
        if (decodeLine(line.text) !== undefined) {
          throw fail(
            `the record at byte ${validBytes} is damaged but intact records follow it, so this is not a torn write`,
            `keep a copy, then truncate the file to ${validBytes} bytes to open the store without the records after it`
          );
        }
      }
    }
  }
  return { validBytes, fileBytes: buffer.length, transactions };
};
