/**
 * Container log lines as servers really print them: plain text with a time stamp and a level in
 * one of many layouts, JSON (one object per line) or logfmt (`key=value`), unwrapped into the
 * message a person would read, its level and its time.
 */

export type Level = "fatal" | "error" | "warn" | "info";

export interface LogEntry {
  /** The line as the log printed it (for a stack trace taken out of a JSON field: that line of the trace). */
  readonly raw: string;
  /** What it says: the message and the error of a structured line, a plain line without its time stamp. */
  readonly text: string;
  readonly level?: Level;
  readonly time?: number;
}

export interface ParseOptions {
  /** For layouts that print no year (klog, syslog): the time the log is read around, in epoch ms. */
  readonly reference?: number;
}

const LEVEL_WORDS: Readonly<Record<string, Level>> = {
  fatal: "fatal",
  panic: "fatal",
  critical: "fatal",
  crit: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  alert: "fatal",
  ftl: "fatal",
  pnc: "fatal",
  error: "error",
  err: "error",
  severe: "error",
  eror: "error",
  warn: "warn",
  warning: "warn",
  wrn: "warn",
  info: "info",
  inf: "info",
  notice: "info",
  debug: "info",
  dbg: "info",
  trace: "info",
  trc: "info",
  verbose: "info",
  log: "info",
  detail: "info",
  hint: "info",
  statement: "info",
  information: "info"
};

/** Numeric levels of pino/bunyan (10…60) and syslog severities are not mixed up: only pino's range is read. */
const numericLevel = (n: number): Level | undefined => (n >= 60 ? "fatal" : n >= 50 ? "error" : n >= 40 ? "warn" : n >= 10 ? "info" : undefined);

const MONTHS: Readonly<Record<string, number>> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined): number | undefined => {
  const ms = Date.UTC(y, mo, d, h, mi, s, frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000));
  return Number.isFinite(ms) && mo >= 0 && mo < 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61 ? ms : undefined;
};

const zoneOffset = (zone: string | undefined): number => {
  if (zone === undefined || zone === "" || /^(?:Z|UTC|GMT)$/i.test(zone.trim())) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone.trim());
  return m === null ? 0 : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
};

/** A year-less date (`Nov 21 01:37:29`, klog's `E1121 01:37:29`) in the year that puts it closest before `reference`. */
const yearless = (mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, reference: number | undefined): number | undefined => {
  const ref = reference ?? Date.now();
  const year = new Date(ref).getUTCFullYear();
  const t = utc(year, mo, d, h, mi, s, frac);
  if (t === undefined) return undefined;
  return t > ref + 2 * 86_400_000 ? utc(year - 1, mo, d, h, mi, s, frac) : t;
};

interface TimeLayout {
  readonly pattern: RegExp;
  readonly read: (m: RegExpExecArray, reference: number | undefined) => number | undefined;
}

const n = (s: string | undefined) => Number(s ?? "");

/**
 * Leading time stamps, most specific first. Each pattern starts at the beginning of the line
 * (after an optional `[`) so a date inside a message is never taken for the line's time.
 */
const TIME_LAYOUTS: ReadonlyArray<TimeLayout> = [
  // RFC 3339 / ISO 8601 (Go, Java, kubectl --timestamps, MySQL, Log4j `2024-08-13 03:09:09,432`, Python logging `…,587`).
  {
    pattern: /^\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2}| UTC| GMT)?/,
    read: (m) => {
      const t = utc(n(m[1]), n(m[2]) - 1, n(m[3]), n(m[4]), n(m[5]), n(m[6]), m[7]);
      return t === undefined ? undefined : t - zoneOffset(m[8]);
    }
  },
  // Go's log package, nginx's error log: `2019/08/28 07:35:41`.
  {
    pattern: /^\[?(\d{4})\/(\d{2})\/(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/,
    read: (m) => utc(n(m[1]), n(m[2]) - 1, n(m[3]), n(m[4]), n(m[5]), n(m[6]), m[7])
  },
  // klog / glog: `E0112 10:00:00.000000`.
  {
    pattern: /^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s/,
    read: (m, ref) => yearless(n(m[1]) - 1, n(m[2]), n(m[3]), n(m[4]), n(m[5]), m[6], ref)
  },
  // Redis: `1:M 21 Nov 2023 01:37:29.411 #`.
  {
    pattern: /^\d+:[XCSM] (\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/,
    read: (m) => utc(n(m[3]), MONTHS[(m[2] ?? "").toLowerCase()] ?? -1, n(m[1]), n(m[4]), n(m[5]), n(m[6]), m[7])
  },
  // RFC 1123 / HTTP dates: `Mon, 02 Jan 2006 15:04:05 GMT`.
  {
    pattern: /^\[?(?:\w{3}, )?(\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?: (GMT|UTC|Z|[+-]\d{4}))?/,
    read: (m) => {
      const t = utc(n(m[3]), MONTHS[(m[2] ?? "").toLowerCase()] ?? -1, n(m[1]), n(m[4]), n(m[5]), n(m[6]), m[7]);
      return t === undefined ? undefined : t - zoneOffset(m[8]);
    }
  },
  // Apache / C `ctime`: `[Wed Oct 11 14:32:52.123456 2000]`, `Mon Jan  2 15:04:05 2006`.
  {
    pattern: /^\[?\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (\d{4})/,
    read: (m) => utc(n(m[7]), MONTHS[(m[1] ?? "").toLowerCase()] ?? -1, n(m[2]), n(m[3]), n(m[4]), n(m[5]), m[6])
  },
  // Common log format: `[10/Oct/2000:13:55:36 -0700]`.
  {
    pattern: /^\[?(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})/,
    read: (m) => {
      const t = utc(n(m[3]), MONTHS[(m[2] ?? "").toLowerCase()] ?? -1, n(m[1]), n(m[4]), n(m[5]), n(m[6]), undefined);
      return t === undefined ? undefined : t - zoneOffset(m[7]);
    }
  },
  // Tomcat / Java util logging: `13-Aug-2024 03:09:09.432`.
  {
    pattern: /^(\d{2})-(\w{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/,
    read: (m) => utc(n(m[3]), MONTHS[(m[2] ?? "").toLowerCase()] ?? -1, n(m[1]), n(m[4]), n(m[5]), n(m[6]), m[7])
  },
  // syslog: `Nov 21 01:37:29`.
  {
    pattern: /^(\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\b/,
    read: (m, ref) => {
      const mo = MONTHS[(m[1] ?? "").toLowerCase()];
      return mo === undefined ? undefined : yearless(mo, n(m[2]), n(m[3]), n(m[4]), n(m[5]), m[6], ref);
    }
  },
  // Epoch seconds or milliseconds at the start of a line: `1700000000.123 …`.
  {
    pattern: /^(\d{10}(?:\.\d+)?|\d{13})(?=\s)/,
    read: (m) => epoch(m[1] ?? "")
  }
];

const epoch = (value: string | number): number | undefined => {
  const v = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(v) || v <= 0) return undefined;
  // Seconds until 2286, milliseconds after: the two ranges do not overlap for real logs.
  const ms = v >= 1e12 ? v : v * 1000;
  return ms < 1e11 || ms > 1e13 ? undefined : Math.round(ms);
};

/** The time a plain line starts with and the length of that prefix, when it has one of the layouts above. */
const leadingTime = (line: string, reference: number | undefined): { time: number; length: number } | undefined => {
  for (const layout of TIME_LAYOUTS) {
    const m = layout.pattern.exec(line);
    if (m === null) continue;
    const time = layout.read(m, reference);
    if (time !== undefined) return { time, length: m[0].length + (line[m[0].length] === "]" ? 1 : 0) };
  }
  return undefined;
};

/** A time value of a structured field: RFC 3339 text, `2022-01-10 22:44:52`, or epoch seconds/ms. */
const fieldTime = (value: unknown, reference: number | undefined): number | undefined => {
  if (typeof value === "number") return epoch(value);
  if (typeof value !== "string" || value === "") return undefined;
  if (/^\d{10}(?:\.\d+)?$|^\d{13}$/.test(value)) return epoch(value);
  return leadingTime(value, reference)?.time ?? (Number.isFinite(Date.parse(value)) ? Date.parse(value) : undefined);
};

/** The line's time: its leading time stamp, or its JSON/logfmt time field. */
export const lineTime = (line: string, options: ParseOptions = {}): number | undefined => parseLogLine(line, options)[0]?.time;

const REDIS_LEVEL = /^\d+:[XCSM] \d{1,2} \w{3} \d{4} [\d:.]+ ([.\-*#]) /;
const KLOG_LEVEL = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/;
const KLOG_CALLER = /^\d+ [\w./-]+:\d+\] ?/;
const BRACKET_LEVEL = /\[\s*(FATAL|PANIC|CRIT(?:ICAL)?|EMERG|ALERT|ERROR|ERR|SEVERE|WARN(?:ING)?|NOTICE|INFO|DEBUG|TRACE)\s*\]/i;
const WORD_LEVEL = /(?:^|[\s|])(FATAL|PANIC|CRITICAL|ERROR|SEVERE|WARN|WARNING|INFO|NOTICE|DEBUG|TRACE|LOG|DETAIL|HINT|STATEMENT|FTL|PNC|ERR|WRN|INF|DBG|TRC)\b:?/;

/** The level a plain line announces, from the most to the least explicit notation. */
const plainLevel = (line: string): Level | undefined => {
  const r = REDIS_LEVEL.exec(line);
  if (r !== null) return r[1] === "#" ? "warn" : "info";
  const k = KLOG_LEVEL.exec(line);
  if (k !== null) return ({ I: "info", W: "warn", E: "error", F: "fatal" } as const)[k[1] as "I" | "W" | "E" | "F"];
  const head = line.slice(0, 100);
  const b = BRACKET_LEVEL.exec(head);
  if (b !== null) return LEVEL_WORDS[(b[1] ?? "").toLowerCase()];
  const w = WORD_LEVEL.exec(head);
  if (w !== null) return LEVEL_WORDS[(w[1] ?? "").toLowerCase()];
  return undefined;
};

const MESSAGE_KEYS = ["msg", "message", "@m", "event", "text", "log", "@mt"];
const LEVEL_KEYS = ["level", "severity", "lvl", "loglevel", "levelname", "log.level", "@l", "level_name"];
const TIME_KEYS = ["time", "ts", "timestamp", "@timestamp", "@t", "t", "date", "datetime", "asctime"];
/** Fields that hold what went wrong, at any depth (`error`, `data.error`, `error.message`, `err.stack`). */
const ERROR_KEYS = new Set(["error", "err", "exception", "exc_info", "@x", "stack", "stacktrace", "stack_trace", "cause", "error_message", "errormessage", "exc_text", "errors"]);

type Fields = ReadonlyArray<readonly [string, unknown]>;

/** `[path, value]` for every scalar of an object, at most four levels deep. */
const flatten = (value: unknown, path = "", depth = 0, out: Array<[string, unknown]> = []): Array<[string, unknown]> => {
  if (depth > 4 || out.length > 200) return out;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string")) out.push([path, value.join("\n")]);
    else value.slice(0, 10).forEach((v, i) => flatten(v, `${path}.${i}`, depth + 1, out));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, path === "" ? k : `${path}.${k}`, depth + 1, out);
  } else out.push([path, value]);
  return out;
};

const lastKey = (path: string) => (path.split(".").pop() ?? "").toLowerCase();

const field = (fields: Fields, keys: ReadonlyArray<string>): unknown => {
  for (const key of keys) {
    const hit = fields.find(([p]) => p.toLowerCase() === key) ?? fields.find(([p]) => lastKey(p) === key && !p.includes(".error") && !p.startsWith("error"));
    if (hit !== undefined && hit[1] !== "" && hit[1] !== null) return hit[1];
  }
  return undefined;
};

const structuredLevel = (value: unknown): Level | undefined => {
  if (typeof value === "number") return numericLevel(value);
  if (typeof value !== "string") return undefined;
  return LEVEL_WORDS[value.toLowerCase()] ?? (/^\d+$/.test(value) ? numericLevel(Number(value)) : undefined);
};

/** One structured record (JSON or logfmt) as entries: its message and error on one line, any stack trace after it. */
const structuredEntries = (raw: string, fields: Fields, options: ParseOptions): ReadonlyArray<LogEntry> => {
  const messageValue = field(fields, MESSAGE_KEYS);
  const message = typeof messageValue === "string" ? messageValue : messageValue === undefined ? "" : String(messageValue);
  const errors: Array<string> = [];
  for (const [path, value] of fields) {
    if (typeof value !== "string" || value.trim() === "") continue;
    const segments = path.toLowerCase().split(".");
    if (!segments.some((s) => ERROR_KEYS.has(s))) continue;
    if (!errors.includes(value) && !message.includes(value)) errors.push(value);
  }
  const level = structuredLevel(field(fields, LEVEL_KEYS));
  const time = fieldTime(field(fields, TIME_KEYS), options.reference);
  const base = { ...(level !== undefined ? { level } : {}), ...(time !== undefined ? { time } : {}) };
  // A JSON record that wraps a plain line (Docker's `{"log": "…"}`) is that line.
  const wrapped = fields.find(([p]) => p === "log");
  if (typeof wrapped?.[1] === "string" && !fields.some(([p]) => p === "msg" || p === "message") && errors.length === 0) {
    const inner = parseLogLine(wrapped[1].replace(/\n$/, ""), options);
    return inner.map((e) => ({ ...e, raw, ...(e.time === undefined && time !== undefined ? { time } : {}) }));
  }
  // Multi-line values (stack traces, Python's exc_info) continue as lines of their own after the first.
  const [first = "", ...restOfMessage] = message.split("\n");
  const head: Array<string> = [first.trim()];
  const tail: Array<string> = [...restOfMessage];
  for (const e of errors) {
    const [line = "", ...more] = e.split("\n");
    if (line.trim() !== "") head.push(line.trim());
    tail.push(...more);
  }
  const text = head.filter((h) => h !== "").join(": ");
  return [{ raw, text: text === "" ? raw.trim() : text, ...base }, ...tail.filter((t) => t.trim() !== "").map((t) => ({ raw: t, text: t.replace(/\s+$/, ""), ...base }))];
};

const parseJson = (line: string): Fields | undefined => {
  const t = line.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) return undefined;
  try {
    const parsed: unknown = JSON.parse(t);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? flatten(parsed) : undefined;
  } catch {
    return undefined;
  }
};

const LOGFMT_PAIR = /([\w.@-]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)/g;
const LOGFMT_LINE = /^\s*[\w.@-]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+[\w.@-]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]*))+\s*$/;
const LOGFMT_KEYS = new Set(["level", "lvl", "msg", "message", "time", "ts", "t", "err", "error", "caller", "severity"]);

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(["\\])/g, "$1").replace(/\\n/g, "\n").replace(/\\t/g, "\t") : v);

const parseLogfmt = (line: string): Fields | undefined => {
  if (line.length > 10_000 || !LOGFMT_LINE.test(line)) return undefined;
  const fields = [...line.matchAll(LOGFMT_PAIR)].map((m) => [m[1] ?? "", unquote(m[2] ?? "")] as const);
  return fields.filter(([k]) => LOGFMT_KEYS.has(k.toLowerCase())).length >= 2 ? fields : undefined;
};

/** One line of a log as entries (a structured line with a stack trace in a field gives several). */
export const parseLogLine = (line: string, options: ParseOptions = {}): ReadonlyArray<LogEntry> => {
  const fields = parseJson(line) ?? parseLogfmt(line);
  if (fields !== undefined) return structuredEntries(line, fields, options);
  const lead = leadingTime(line, options.reference);
  const rest = lead === undefined ? line : line.slice(lead.length);
  // A structured record behind a time stamp (`2024-… {"level":"error",…}`, kubectl --timestamps).
  const inner = lead !== undefined ? (parseJson(rest) ?? parseLogfmt(rest)) : undefined;
  if (inner !== undefined) return structuredEntries(line, inner, options).map((e) => (e.time === undefined ? { ...e, time: lead!.time } : e));
  const level = plainLevel(line);
  // klog's thread id and caller (`1 main.go:67] `) come before the message, not in it.
  const body = lead === undefined ? line : rest.replace(/^[\s\]|:-]+/, "");
  const text = (KLOG_LEVEL.test(line) ? body.replace(KLOG_CALLER, "") : body).replace(/\s+$/, "");
  return [{ raw: line, text: text.trim() === "" ? line.trim() : text, ...(level !== undefined ? { level } : {}), ...(lead !== undefined ? { time: lead.time } : {}) }];
};

/** Stack frames of the runtimes whose traces follow an error line: never a wrapped message. */
const STACK_FRAME = /^\s+(?:at |File "|from \S+:\d+|\.\.\. \d+ (?:more|common frames omitted)|[\w$.<>]+\(.*\)(?:\s+\S+:\d+)?$)|^\s*\/\S+\.go:\d+|^\s*goroutine \d+ \[/;
/** Lines that continue one error: at most this many are taken into it. */
const MAX_CONTINUATION = 5;

/**
 * An error whose message ends with `:` and goes on over indented lines is one message, as Go's
 * wrapped errors print it: klog's `F0424 … main.go:67] Cloud provider could not be initialized:` /
 * `  hcloud/newCloud: Network default not found` (devantler-tech/ksail#4343), the YAML decoder's
 * `yaml: unmarshal errors:` / `  line 1: field backoff_config not found in type config.Config`
 * inside a logfmt `err` (grafana/loki#420, cortexproject/cortex#1222) or after a plain `ERROR`
 * (jaksi/sshesame#71). Stack frames after it are not part of it.
 */
const joinContinuations = (entries: ReadonlyArray<LogEntry>): ReadonlyArray<LogEntry> => {
  const out: Array<LogEntry> = [];
  for (let i = 0; i < entries.length; i++) {
    const head = entries[i]!;
    if ((head.level !== "error" && head.level !== "fatal") || !head.text.trimEnd().endsWith(":")) {
      out.push(head);
      continue;
    }
    const parts: Array<string> = [];
    const raws: Array<string> = [head.raw];
    let j = i + 1;
    while (j < entries.length && parts.length < MAX_CONTINUATION) {
      const next = entries[j]!;
      if (!/^\s/.test(next.raw) || next.raw.trim() === "" || STACK_FRAME.test(next.raw)) break;
      parts.push(next.text.trim());
      if (next.raw !== raws[raws.length - 1]) raws.push(next.raw);
      j++;
    }
    if (parts.length === 0) {
      out.push(head);
      continue;
    }
    out.push({ ...head, raw: raws.join("\n"), text: `${head.text.trimEnd()} ${parts.join("; ")}` });
    i = j - 1;
  }
  return out;
};

/** Every non-empty line of a log as entries, in order; an error wrapped over indented lines is one entry. */
export const parseLogLines = (text: string, options: ParseOptions = {}): ReadonlyArray<LogEntry> => {
  const out: Array<LogEntry> = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    out.push(...parseLogLine(line.replace(/\r$/, ""), options));
  }
  return joinContinuations(out);
};
