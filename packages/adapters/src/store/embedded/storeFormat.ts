import type { IndexEntry } from "./SortedIndex.js";
import { SortedIndex } from "./SortedIndex.js";

export const FORMAT = "sre-on-call/embedded-store";
export const VERSION = 1;
export const SNAPSHOT_FILE = "snapshot.jsonl";

const LOG_NAME = /^log-(\d{10})\.jsonl$/;

export const logFileName = (generation: number): string => `log-${String(generation).padStart(10, "0")}.jsonl`;

export const logGeneration = (fileName: string): number | undefined => {
  const match = LOG_NAME.exec(fileName);
  return match === null ? undefined : Number(match[1]);
};

export type Tables = Map<string, SortedIndex>;

/** One change: `put` carries the value as JSON and its expiry in epoch ms, `del` removes the key. */
export type Op =
  | { readonly o: "put"; readonly t: string; readonly k: string; readonly v: unknown; readonly x?: number }
  | { readonly o: "del"; readonly t: string; readonly k: string };

export const putOpJson = (table: string, key: string, entry: IndexEntry): string =>
  `{"o":"put","t":${JSON.stringify(table)},"k":${JSON.stringify(key)},"v":${entry.json}${entry.expiresAt === undefined ? "" : `,"x":${entry.expiresAt}`}}`;

export const delOpJson = (table: string, key: string): string => `{"o":"del","t":${JSON.stringify(table)},"k":${JSON.stringify(key)}}`;

export const logHeaderJson = (generation: number): string => JSON.stringify({ format: FORMAT, version: VERSION, kind: "log", generation });

export const snapshotHeaderJson = (generation: number, records: number, createdAt: number): string =>
  JSON.stringify({ format: FORMAT, version: VERSION, kind: "snapshot", generation, records, createdAt });

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The header's problem, or undefined when it is a header of this kind, format version and generation. */
export const headerProblem = (body: unknown, kind: "log" | "snapshot", generation?: number): string | undefined => {
  if (!isRecord(body) || body["format"] !== FORMAT || body["kind"] !== kind) return `the first line is not a ${kind} header`;
  const version = body["version"];
  // Only a number is echoed: whatever else sits in the field is file content, which errors never quote.
  if (version !== VERSION) return `${Number.isSafeInteger(version) ? `format version ${String(version)}` : "the format version"} is not supported (this build reads version ${VERSION})`;
  if (typeof body["generation"] !== "number") return "the header has no generation";
  if (generation !== undefined && body["generation"] !== generation) return `the header says generation ${body["generation"]}, the file name ${generation}`;
  return undefined;
};

export const parseOp = (value: unknown): Op | undefined => {
  if (!isRecord(value) || typeof value["t"] !== "string" || typeof value["k"] !== "string") return undefined;
  if (value["o"] === "del") return { o: "del", t: value["t"], k: value["k"] };
  if (value["o"] !== "put" || !("v" in value)) return undefined;
  const x = value["x"];
  if (x === undefined) return { o: "put", t: value["t"], k: value["k"], v: value["v"] };
  return typeof x === "number" && Number.isFinite(x) ? { o: "put", t: value["t"], k: value["k"], v: value["v"], x } : undefined;
};

/** A committed transaction: a non-empty array of ops. */
export const parseTransaction = (body: unknown): ReadonlyArray<Op> | undefined => {
  if (!Array.isArray(body) || body.length === 0) return undefined;
  const ops: Array<Op> = [];
  for (const item of body) {
    const op = parseOp(item);
    if (op === undefined) return undefined;
    ops.push(op);
  }
  return ops;
};

export const applyOp = (tables: Tables, op: Op): void => {
  let index = tables.get(op.t);
  if (index === undefined) {
    index = new SortedIndex();
    tables.set(op.t, index);
  }
  if (op.o === "del") index.delete(op.k);
  else index.set(op.k, { json: JSON.stringify(op.v), expiresAt: op.x });
};
