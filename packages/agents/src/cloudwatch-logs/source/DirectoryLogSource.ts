import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { Effect } from "effect";
import { errorLinesQuery, isErrorLine, textQuery } from "../investigate/queries.js";
import { type ActivityReport, type ErrorSearch, type GroupActivity, type LogGap, type LogGroupInfo, type LogLine, type LogSource, LogSourceError } from "./LogSource.js";

export interface DirectoryLogSourceOptions {
  /** Most files read (default 500). */
  readonly maxFiles?: number;
  /** Largest file read whole; a larger one is read up to this size (default 64 MiB). */
  readonly maxFileBytes?: number;
}

interface Loaded {
  readonly groups: ReadonlyArray<{ readonly info: LogGroupInfo; readonly lines: ReadonlyArray<LogLine> }>;
  readonly gaps: ReadonlyArray<LogGap>;
}

const LOG_EXTENSIONS = /\.(?:log|txt|out|json|jsonl|ndjson)$/i;

/**
 * The log group a file stands for: its path under the directory without the extension,
 * percent-decoded, so `%2Faws%2Flambda%2Fcheckout.json` and `aws/lambda/checkout.log` both name
 * `/aws/lambda/checkout`, and `payments-api.log` names `payments-api`.
 */
export const groupNameOfFile = (relativePath: string): string => {
  const parts = relativePath.replace(LOG_EXTENSIONS, "").split(sep).join("/").split("/");
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const name = decoded.join("/");
  return decoded.length > 1 && !name.startsWith("/") ? `/${name}` : name;
};

const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)/;
const JSON_TIME_FIELDS = ["timestamp", "time", "ts", "@timestamp", "datetime"] as const;

const parseTime = (text: string): number | undefined => {
  const iso = text.replace(" ", "T").replace(",", ".");
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const t = Date.parse(zoned);
  return Number.isFinite(t) ? t : undefined;
};

/** The time a plain log line starts with (ISO-8601, assumed UTC without a zone), or a JSON line's time field. */
export const timeOfLine = (line: string): number | undefined => {
  const leading = LEADING_TIME.exec(line.trimStart());
  if (leading?.[1] !== undefined) return parseTime(leading[1]);
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const record = JSON.parse(trimmed) as Record<string, unknown>;
    for (const key of JSON_TIME_FIELDS) {
      const v = record[key];
      if (typeof v === "number" && Number.isFinite(v)) return v > 1e14 ? Math.floor(v / 1000) : v < 1e11 ? v * 1000 : v;
      if (typeof v === "string") {
        const t = parseTime(v);
        if (t !== undefined) return t;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
};

/** Lines of a plain log file; a continuation line (stack frame, wrapped text) takes its event's time. */
const plainLines = (group: string, text: string): Array<LogLine> => {
  const out: Array<LogLine> = [];
  let last: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "") continue;
    const own = timeOfLine(raw);
    if (own !== undefined) last = own;
    const timestamp = own ?? (/^\s/.test(raw) || /^(?:at |Caused by|\.\.\.)/.test(raw) ? last : undefined);
    out.push({ group, message: raw, ...(timestamp !== undefined ? { timestamp } : {}) });
  }
  return out;
};

/** `aws logs filter-log-events` output: `{"events":[{logStreamName,timestamp,message,…}]}` (or the bare array). */
const exportLines = (group: string, parsed: unknown): { lines: Array<LogLine>; skipped: number } | undefined => {
  const events = Array.isArray(parsed) ? parsed : typeof parsed === "object" && parsed !== null ? (parsed as { events?: unknown }).events : undefined;
  if (!Array.isArray(events)) return undefined;
  const lines: Array<LogLine> = [];
  let skipped = 0;
  for (const e of events as ReadonlyArray<unknown>) {
    const r = typeof e === "object" && e !== null ? (e as Record<string, unknown>) : {};
    if (typeof r["message"] !== "string") {
      skipped++;
      continue;
    }
    const timestamp = typeof r["timestamp"] === "number" && Number.isFinite(r["timestamp"]) ? r["timestamp"] : undefined;
    lines.push({ group, message: r["message"], ...(typeof r["logStreamName"] === "string" ? { stream: r["logStreamName"] } : {}), ...(timestamp !== undefined ? { timestamp } : {}) });
  }
  return { lines, skipped };
};

const walk = async (root: string, dir: string, out: Array<string>, bound: number): Promise<void> => {
  const entries: Array<Dirent> = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (out.length >= bound) return;
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, path, out, bound);
    // Links are listed too: `load` reads one only when it resolves to a file inside the directory.
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, path));
  }
};

const fsReason = (e: unknown) => {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return code === "ENOENT" ? "not-found" : code === "ENOTDIR" ? "invalid" : code === "EACCES" || code === "EPERM" ? "access-denied" : "unreachable";
};

const load = async (dir: string, maxFiles: number, maxBytes: number): Promise<Loaded> => {
  const files: Array<string> = [];
  await walk(dir, dir, files, maxFiles);
  const top = await realpath(dir);
  const inside = (real: string) => real === top || real.startsWith(top.endsWith(sep) ? top : top + sep);
  const groups = new Map<string, { info: LogGroupInfo; lines: Array<LogLine> }>();
  const gaps: Array<LogGap> = [];
  for (const file of files) {
    const path = join(dir, file);
    const group = groupNameOfFile(file);
    let size = 0;
    let text: string;
    try {
      const real = await realpath(path);
      if (!inside(real)) {
        gaps.push({ operation: `read ${file}`, reason: "access-denied", detail: "it links outside the log directory; only files inside it are read", group });
        continue;
      }
      const info = await stat(real);
      // A link to a directory inside is walked already under its own name.
      if (!info.isFile()) continue;
      size = info.size;
      const buffer = await readFile(real);
      text = buffer.subarray(0, maxBytes).toString("utf8");
      if (size > maxBytes) gaps.push({ operation: `read ${file}`, reason: "invalid", detail: `only the first ${maxBytes} of ${size} bytes were read`, group });
    } catch (e) {
      gaps.push({ operation: `read ${file}`, reason: fsReason(e), detail: e instanceof Error ? e.message : String(e), group });
      continue;
    }
    if (text.includes("\u0000")) continue;
    let lines: Array<LogLine>;
    const trimmed = text.trimStart();
    const looksJson = (trimmed.startsWith("{") || trimmed.startsWith("[")) && extname(file).toLowerCase() === ".json";
    if (looksJson) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        gaps.push({ operation: `read ${file}`, reason: "invalid", detail: `not valid JSON (${e instanceof Error ? e.message : String(e)}); expected the output of aws logs filter-log-events`, group });
        continue;
      }
      const exported = exportLines(group, parsed);
      if (exported === undefined) {
        gaps.push({ operation: `read ${file}`, reason: "invalid", detail: 'JSON without an "events" array; expected the output of aws logs filter-log-events', group });
        continue;
      }
      if (exported.skipped > 0) gaps.push({ operation: `read ${file}`, reason: "invalid", detail: `${exported.skipped} events without a message were skipped`, group });
      lines = exported.lines;
    } else lines = plainLines(group, text);
    const existing = groups.get(group);
    if (existing === undefined) groups.set(group, { info: { name: group, storedBytes: size }, lines });
    else {
      existing.lines.push(...lines);
      existing.info = { name: group, storedBytes: (existing.info.storedBytes ?? 0) + size };
    }
  }
  return { groups: [...groups.values()], gaps };
};

/**
 * Logs from a directory: files of `aws logs filter-log-events` JSON output and plain log
 * files, one log group per file (see `groupNameOfFile`). Read once, on first use.
 */
export const makeDirectoryLogSource = (dir: string, options: DirectoryLogSourceOptions = {}): LogSource => {
  const maxFiles = options.maxFiles ?? 500;
  const maxBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  let loading: Promise<Loaded> | undefined;

  const loaded = Effect.tryPromise({
    try: async () => {
      const info = await stat(dir);
      if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "ENOTDIR" });
      loading ??= load(dir, maxFiles, maxBytes);
      return loading;
    },
    catch: (e) => new LogSourceError({ reason: fsReason(e), operation: `read log directory ${dir}`, detail: e instanceof Error ? e.message : String(e) })
  }).pipe(
    Effect.flatMap((l) =>
      l.groups.length === 0 && l.gaps.length === 0
        ? Effect.fail(new LogSourceError({ reason: "invalid", operation: `read log directory ${dir}`, detail: "it holds no log files (aws logs filter-log-events JSON or plain log files)" }))
        : Effect.succeed(l)
    )
  );

  const inWindow = (l: LogLine, start: number, end: number) => l.timestamp === undefined || (l.timestamp >= start && l.timestamp <= end);

  return {
    description: `log directory ${dir}`,
    curated: true,
    listGroups: () => Effect.map(loaded, (l) => ({ groups: l.groups.map((g) => g.info), complete: true, gaps: l.gaps })),
    searchErrors: (request) =>
      Effect.map(loaded, (l): ErrorSearch => {
        const wanted = new Set(request.groups);
        const lines = l.groups.filter((g) => wanted.has(g.info.name)).flatMap((g) => g.lines.filter((x) => inWindow(x, request.start, request.end) && isErrorLine(x.message)));
        return { lines, complete: true, deadlineReached: false, method: "files", gaps: [], query: errorLinesQuery() };
      }),
    searchText: (request) =>
      Effect.map(loaded, (l): ErrorSearch => {
        const wanted = new Set(request.groups);
        const words = request.words.map((w) => w.toLowerCase());
        const lines = l.groups
          .filter((g) => wanted.has(g.info.name))
          .flatMap((g) => g.lines.filter((x) => inWindow(x, request.start, request.end) && words.every((w) => x.message.toLowerCase().includes(w))));
        return { lines, complete: true, deadlineReached: false, method: "files", gaps: [], query: textQuery(request.words) };
      }),
    activity: (request) =>
      Effect.map(loaded, (l): ActivityReport => {
        let until = 0;
        for (const g of l.groups) for (const x of g.lines) if (x.timestamp !== undefined && x.timestamp > until) until = x.timestamp;
        const wanted = new Set(request.groups.map((g) => g.name));
        const groups = l.groups
          .filter((g) => wanted.has(g.info.name))
          .map((g): GroupActivity => {
            const recent = g.lines.filter((x) => x.timestamp !== undefined && x.timestamp > until - request.sinceMs && x.timestamp <= until);
            return { group: g.info.name, events: recent.length, bytes: recent.reduce((s, x) => s + x.message.length, 0), errors: recent.filter((x) => isErrorLine(x.message)).length, capped: false };
          })
          .filter((g) => g.events > 0)
          .sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || b.events - a.events)
          .slice(0, request.top);
        return { groups, method: "files", complete: true, deadlineReached: false, gaps: l.gaps, until };
      })
  };
};
