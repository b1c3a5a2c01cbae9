import { redactSecrets } from "@sre-on-call/core";

export type DependencyFailureKind = "refused" | "timeout" | "reset" | "unreachable" | "dns-nxdomain" | "dns-timeout" | "dns-unreachable" | "dns-error";

export interface DependencyFailure {
  /** Lower-case host name or IP, without a trailing dot. */
  readonly host: string;
  readonly port?: number;
  readonly kind: DependencyFailureKind;
  readonly count: number;
  /** The first line that showed it. */
  readonly sample: string;
  readonly lastTime?: number;
  /** The resolver a failed lookup asked (`lookup x on 172.20.0.10:53`). */
  readonly dnsServer?: string;
}

export interface ErrorSignature {
  /** The line with numbers, ids and addresses blanked, so repeats group together. */
  readonly signature: string;
  readonly sample: string;
  readonly count: number;
  readonly lastTime?: number;
}

/** The fatal error a process died of, with the innermost cause when a stack trace gives one. */
export interface Crash {
  readonly headline: string;
  readonly rootCause?: string;
  readonly time?: number;
}

export interface LogSignals {
  readonly lines: number;
  readonly crash?: Crash;
  /** Error-level lines grouped by signature, most frequent first. */
  readonly errors: ReadonlyArray<ErrorSignature>;
  readonly dependencies: ReadonlyArray<DependencyFailure>;
  readonly diskFull?: { readonly line: string; readonly time?: number };
}

export const isDnsFailure = (kind: DependencyFailureKind) => kind.startsWith("dns-");

const MAX_LINE = 300;
// Samples end up in findings: redacted before the cut, which would leave a secret's prefix unrecognisable.
const clip = (line: string) => {
  const t = redactSecrets(line).trim();
  return t.length > MAX_LINE ? `${t.slice(0, MAX_LINE - 1)}…` : t;
};

const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)(Z|[+-]\d{2}:?\d{2}| UTC)?/;
const JSON_TIME = /"(?:time|ts|timestamp|@timestamp)"\s*:\s*(?:"([^"]+)"|(\d{10}(?:\.\d+)?))/;

/** The time a line was written, when it says so (ISO prefix, JSON `time`/`ts`). Zone-less times are UTC. */
export const lineTime = (line: string): number | undefined => {
  const m = LEADING_TIME.exec(line);
  if (m !== null) {
    const zone = m[2] === undefined || m[2] === " UTC" ? "Z" : m[2];
    const ms = Date.parse(`${(m[1] ?? "").replace(" ", "T").replace(",", ".")}${zone}`);
    return Number.isFinite(ms) ? ms : undefined;
  }
  const j = JSON_TIME.exec(line);
  if (j !== null) {
    if (j[2] !== undefined) return Math.round(Number(j[2]) * 1000);
    const ms = Date.parse(j[1] ?? "");
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
};

type Level = "fatal" | "error" | "warn" | "info";

const LEVEL_WORDS: Readonly<Record<string, Level>> = {
  fatal: "fatal",
  panic: "fatal",
  critical: "fatal",
  crit: "fatal",
  emerg: "fatal",
  alert: "fatal",
  error: "error",
  err: "error",
  severe: "error",
  warn: "warn",
  warning: "warn",
  info: "info",
  notice: "info",
  debug: "info",
  trace: "info",
  log: "info",
  detail: "info",
  hint: "info",
  statement: "info"
};

const STRUCTURED_LEVEL = /"(?:level|severity|lvl)"\s*:\s*"(\w+)"|\blevel=(\w+)/i;
const BRACKET_LEVEL = /\[(FATAL|PANIC|CRITICAL|ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE)\]/i;
const WORD_LEVEL = /\b(FATAL|PANIC|CRITICAL|ERROR|SEVERE|WARN|WARNING|INFO|DEBUG|TRACE|LOG|DETAIL|HINT|STATEMENT)\b:?/;
const KLOG_LEVEL = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/;

/** The line's own severity, from the most to the least explicit notation. */
const levelOf = (line: string): Level | undefined => {
  const s = STRUCTURED_LEVEL.exec(line);
  if (s !== null) return LEVEL_WORDS[(s[1] ?? s[2] ?? "").toLowerCase()];
  const k = KLOG_LEVEL.exec(line);
  if (k !== null) return ({ I: "info", W: "warn", E: "error", F: "fatal" } as const)[k[1] as "I" | "W" | "E" | "F"];
  const b = BRACKET_LEVEL.exec(line);
  if (b !== null) return LEVEL_WORDS[(b[1] ?? "").toLowerCase()];
  const w = WORD_LEVEL.exec(line.slice(0, 80));
  if (w !== null) return LEVEL_WORDS[(w[1] ?? "").toLowerCase()];
  return undefined;
};

const JAVA_EXCEPTION = /^(?:Exception in thread "[^"]*" )?((?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)\b(?::.*)?)$/;
const NODE_ERROR = /^(?:Uncaught )?([A-Z]\w*Error|Error)(?: \[[A-Z_]+\])?: .+$/;
const FRAME = /^\s+(?:at |\.\.\. \d+ (?:more|common frames omitted)|File ")|^\t|^goroutine \d+ \[|^\s*\/.+\.go:\d+|^[\w./*()-]+\(.*\)$/;
const PY_EXCEPTION = /^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning)?(?::.*)?$/;

const stripPrefix = (line: string) =>
  line
    .replace(LEADING_TIME, "")
    .replace(/^[\s\]|:-]+/, "")
    .replace(/^\[\d+\]\s+/, "")
    .trim();

const signatureOf = (line: string) =>
  stripPrefix(line)
    .replace(/"(?:time|ts|timestamp|@timestamp)"\s*:\s*("[^"]*"|[\d.]+),?/g, "")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "#")
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, "#")
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b/gi, "#")
    .replace(/\d+/g, "#")
    .slice(0, 160);

interface Match {
  readonly host: string;
  readonly port?: number;
  readonly kind: DependencyFailureKind;
  readonly dnsServer?: string;
}

const classifyTcp = (text: string): DependencyFailureKind | undefined => {
  const t = text.toLowerCase();
  if (t.includes("refused")) return "refused";
  if (t.includes("reset")) return "reset";
  if (t.includes("no route") || t.includes("unreachable")) return "unreachable";
  if (t.includes("timeout") || t.includes("timed out") || t.includes("deadline exceeded")) return "timeout";
  return undefined;
};

const classifyDns = (text: string): DependencyFailureKind => {
  const t = text.toLowerCase();
  if (t.includes("no such host") || t.includes("not known") || t.includes("nxdomain") || t.includes("nodename nor servname")) return "dns-nxdomain";
  if (t.includes("refused")) return "dns-unreachable";
  if (t.includes("timeout") || t.includes("temporary failure") || t.includes("eai_again") || t.includes("timed out")) return "dns-timeout";
  return "dns-error";
};

const host = (h: string) => h.toLowerCase().replace(/\.$/, "");
const port = (p: string | undefined): { port?: number } => (p === undefined ? {} : { port: Number(p) });

/** Connection and name-resolution failures as Go, Node, libpq, JVM and Python clients word them. */
const DEPENDENCY_PATTERNS: ReadonlyArray<(line: string, next: ReadonlyArray<string>) => Match | undefined> = [
  (line) => {
    const m = /\blookup ([\w.-]+?)\.?(?: on ([\d.]+):53)?: (.+)$/.exec(line);
    return m === null ? undefined : { host: host(m[1] ?? ""), kind: classifyDns(m[3] ?? ""), ...(m[2] !== undefined ? { dnsServer: m[2] } : {}) };
  },
  (line) => {
    const m = /\bdial tcp ([\w.-]+|\[[0-9a-f:]+\]):(\d+): (?:connect: |read: |write: )?([a-z/ ]+)/i.exec(line);
    const kind = m === null ? undefined : classifyTcp(m[3] ?? "");
    return m === null || kind === undefined ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind };
  },
  (line) => {
    const m = /\bgetaddrinfo (ENOTFOUND|EAI_AGAIN) ([\w.-]+)/.exec(line);
    return m === null ? undefined : { host: host(m[2] ?? ""), kind: m[1] === "ENOTFOUND" ? "dns-nxdomain" : "dns-timeout" };
  },
  (line) => {
    const m = /\b(ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH) ([\w.-]+):(\d+)/.exec(line);
    if (m === null) return undefined;
    const kind: DependencyFailureKind = m[1] === "ECONNREFUSED" ? "refused" : m[1] === "ECONNRESET" ? "reset" : m[1] === "ETIMEDOUT" ? "timeout" : "unreachable";
    return { host: host(m[2] ?? ""), ...port(m[3]), kind };
  },
  (line) => {
    const m = /connection to server at "([\w.-]+)"(?: \([\d.:a-f]+\))?, port (\d+) failed: (.+)$/i.exec(line);
    const kind = m === null ? undefined : classifyTcp(m[3] ?? "");
    return m === null || kind === undefined ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind };
  },
  (line) => {
    const m = /could not translate host name "([\w.-]+)" to address: (.+)$/i.exec(line);
    return m === null ? undefined : { host: host(m[1] ?? ""), kind: classifyDns(m[2] ?? "") };
  },
  (line, next) => {
    // Older libpq splits it: "could not connect to server: Connection refused" / "Is the server running on host "db" …" / "TCP/IP connections on port 5432?"
    const m = /could not connect to server: (.+)$/i.exec(line);
    const kind = m === null ? undefined : classifyTcp(m[1] ?? "");
    if (kind === undefined) return undefined;
    const rest = next.slice(0, 3).join(" ");
    const h = /on host "([\w.-]+)"/.exec(rest);
    const p = /on port (\d+)/.exec(rest);
    return h === null ? undefined : { host: host(h[1] ?? ""), ...port(p?.[1]), kind };
  },
  (line) => {
    const m = /java\.net\.UnknownHostException: ([\w.-]+)/.exec(line);
    return m === null ? undefined : { host: host(m[1] ?? ""), kind: "dns-nxdomain" };
  },
  (line) => {
    const m = /Connection to ([\w.-]+):(\d+) refused/.exec(line) ?? /Connect to ([\w.-]+):(\d+)(?: \[[^\]]*\])? failed: ([^;]+)/i.exec(line);
    const kind = m === null ? undefined : m[3] === undefined ? "refused" : classifyTcp(m[3]);
    return m === null || kind === undefined ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind };
  },
  (line) => {
    const m = /HTTPS?ConnectionPool\(host='([\w.-]+)', port=(\d+)\).*?(Connection refused|timed out|Name or service not known|Temporary failure in name resolution|No route to host)/.exec(line);
    if (m === null) return undefined;
    const tail = m[3] ?? "";
    const kind = /name|resolution/i.test(tail) ? classifyDns(tail) : classifyTcp(tail);
    return kind === undefined ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind };
  },
  (line) => {
    const m = /Error -?\d+ connecting to ([\w.-]+):(\d+)\. (.+)$/.exec(line);
    if (m === null) return undefined;
    const tail = m[3] ?? "";
    const kind = /name|resolution/i.test(tail) ? classifyDns(tail) : classifyTcp(tail);
    return kind === undefined ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind };
  }
];

const DISK_FULL = /No space left on device|ENOSPC|disk full|could not extend file|Disk quota exceeded|not enough space on the disk/i;
const FATAL_TEXT = /^(?:panic|fatal error): |\bAPPLICATION FAILED TO START\b|\bUnhandled(?:PromiseRejection| exception)\b/i;

interface MutableFailure {
  host: string;
  port?: number;
  kind: DependencyFailureKind;
  count: number;
  sample: string;
  lastTime?: number;
  dnsServer?: string;
}

/**
 * Reads a container log for what an SRE would grep for: the fatal error and the first cause in
 * its stack trace, repeated error lines, connection and DNS failures to other services, and a
 * full disk. Deterministic: the same text always yields the same signals.
 */
export const scanLog = (text: string): LogSignals => {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const errors = new Map<string, { signature: string; sample: string; count: number; lastTime?: number; first: number }>();
  const failures = new Map<string, MutableFailure>();
  let crash: Crash | undefined;
  let diskFull: LogSignals["diskFull"];
  let lastTime: number | undefined;

  const noteError = (line: string, time: number | undefined, at: number) => {
    const signature = signatureOf(line);
    const seen = errors.get(signature);
    if (seen === undefined) errors.set(signature, { signature, sample: clip(line), count: 1, first: at, ...(time !== undefined ? { lastTime: time } : {}) });
    else {
      seen.count++;
      if (time !== undefined) seen.lastTime = time;
    }
  };

  // Every line's time, carried forward from the last line that had one (stack frames have none).
  const times: Array<number | undefined> = [];
  for (const line of lines) {
    const time = lineTime(line) ?? lastTime;
    if (time !== undefined) lastTime = time;
    times.push(time);
  }

  // Dependencies and a full disk are looked for on every line, stack traces included ("[cause]: Error: connect ECONNREFUSED …").
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const time = times[i];
    const next = lines.slice(i + 1, i + 4);
    for (const pattern of DEPENDENCY_PATTERNS) {
      const m = pattern(line, next);
      if (m === undefined) continue;
      const key = `${m.host}:${m.port ?? ""}:${m.kind}`;
      const seen = failures.get(key);
      if (seen === undefined) failures.set(key, { ...m, count: 1, sample: clip(line), ...(time !== undefined ? { lastTime: time } : {}) });
      else {
        seen.count++;
        if (time !== undefined) seen.lastTime = time;
      }
      break;
    }
    if (diskFull === undefined && DISK_FULL.test(line)) diskFull = { line: clip(line), ...(time !== undefined ? { time } : {}) };
  }

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const time = times[i];
    const body = stripPrefix(line);

    if (body.endsWith("Traceback (most recent call last):")) {
      // Python prints the original exception first and the one that ended the process last.
      let j = i + 1;
      while (j < lines.length && /^\s/.test(lines[j] ?? "")) j++;
      const exception = (lines[j] ?? "").trim();
      if (exception !== "" && PY_EXCEPTION.test(exception)) {
        const chained = /During handling of the above exception|The above exception was the direct cause/.test(lines[i - 1] ?? "");
        const root = chained && crash !== undefined ? (crash.rootCause ?? crash.headline) : undefined;
        crash = { headline: clip(exception), ...(root !== undefined ? { rootCause: root } : {}), ...(time !== undefined ? { time } : {}) };
        noteError(exception, time, i);
        i = j;
      }
      continue;
    }

    const java = JAVA_EXCEPTION.exec(body);
    const node = NODE_ERROR.exec(body);
    if ((java !== null || node !== null) && FRAME.test(lines[i + 1] ?? "")) {
      const headline = java?.[1] ?? body;
      let root: string | undefined;
      let j = i + 1;
      while (j < lines.length && (FRAME.test(lines[j] ?? "") || /^\s*(?:Caused by: |\[cause\]: )/.test(lines[j] ?? ""))) {
        const cause = /^\s*(?:Caused by: |\[cause\]: )(.+)$/.exec(lines[j] ?? "");
        if (cause !== null) root = cause[1];
        j++;
      }
      crash = { headline: clip(headline), ...(root !== undefined ? { rootCause: clip(root) } : {}), ...(time !== undefined ? { time } : {}) };
      noteError(headline, time, i);
      i = j - 1;
      continue;
    }

    const level = levelOf(line);
    if (FATAL_TEXT.test(body) || level === "fatal") {
      crash = { headline: clip(body), ...(time !== undefined ? { time } : {}) };
      noteError(line, time, i);
      continue;
    }
    if (level === "error" || (level === undefined && /\b(?:Exception|ERROR)\b/.test(line))) noteError(line, time, i);
  }

  return {
    lines: lines.length,
    ...(crash !== undefined ? { crash } : {}),
    errors: [...errors.values()]
      .sort((a, b) => b.count - a.count || a.first - b.first)
      .map(({ signature, sample, count, lastTime }) => ({ signature, sample, count, ...(lastTime !== undefined ? { lastTime } : {}) })),
    dependencies: [...failures.values()].sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    ...(diskFull !== undefined ? { diskFull } : {})
  };
};
