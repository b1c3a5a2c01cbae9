import { redactSecrets } from "@sre-on-call/core";
import { CATALOG } from "../signatures/catalog.js";
import { matchSignatures, type SignatureMatch } from "../signatures/matchSignatures.js";
import type { Signature } from "../signatures/Signature.js";
import { type ParseOptions, parseLogLines } from "./parseLogLines.js";

export { lineTime } from "./parseLogLines.js";

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

/** A failure signature of the catalog found in a log. */
export interface LogSignature extends SignatureMatch {
  /** When its last occurrence was written. */
  readonly time?: number;
  /** How many lines the log goes on after its last occurrence (0: the last thing it said). */
  readonly fromEnd: number;
}

export interface LogSignals {
  readonly lines: number;
  readonly crash?: Crash;
  /** Error-level lines grouped by signature, most frequent first. */
  readonly errors: ReadonlyArray<ErrorSignature>;
  readonly dependencies: ReadonlyArray<DependencyFailure>;
  readonly diskFull?: { readonly line: string; readonly time?: number };
  /** Causes the signature catalog recognised, in the order the log first showed them. */
  readonly signatures: ReadonlyArray<LogSignature>;
  /** The last lines the process wrote: what it said before it exited. */
  readonly lastLines: ReadonlyArray<string>;
}

export const isDnsFailure = (kind: DependencyFailureKind) => kind.startsWith("dns-");

const MAX_LINE = 300;
// Samples end up in findings: redacted before the cut, which would leave a secret's prefix unrecognisable.
const clip = (line: string) => {
  const t = redactSecrets(line).trim();
  return t.length > MAX_LINE ? `${t.slice(0, MAX_LINE - 1)}…` : t;
};

const JAVA_EXCEPTION = /^(?:Exception in thread "[^"]*" )?((?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)\b(?::.*)?)$/;
const NODE_ERROR = /^(?:Uncaught )?([A-Z]\w*Error|Error)(?: \[[A-Z_]+\])?: .+$/;
/** Ruby's `app.rb:10:in `start': message (Errno::ENOENT)`. */
const RUBY_ERROR = /^\S+:\d+:in [`'][^']*': (.+) \(([A-Z][\w:]*)\)$/;
const FRAME = /^\s+(?:at |\.\.\. \d+ (?:more|common frames omitted)|File "|from \S+:\d+)|^\t|^goroutine \d+ \[|^\s*\/.+\.go:\d+|^[\w./*()-]+\(.*\)$/;
const PY_EXCEPTION = /^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning)?(?::.*)?$/;
/** The exception line that ends a traceback whose header was cut off (a paste that starts at `...`). */
const PY_TAIL = /^(?:[a-z_]\w*\.)*[A-Z]\w*(?:: .*)?$/;
const PY_FRAME = /^\s+File "[^"]+", line \d+/;
const CAUSE_LINE = /^\s*(?:Caused by: |\[cause\]: |---> |Inner exception: )(.+)$/;
/** Java's `…; nested exception is X: y` and .NET's `X: y ---> Z: w` nest the cause in the message itself. */
const NESTED = /; nested exception is |\s--->\s/;

/** The innermost cause a one-line exception message nests. */
export const innermostCause = (message: string): string => {
  const parts = message.split(NESTED);
  return (parts[parts.length - 1] ?? message).trim();
};

/** Fatal lines that only announce the end; the cause is in the error logged just before. */
const GENERIC_FATAL = /\b(?:cannot proceed|exiting|shutting down|run failed|startup failed|failed to start|aborting|terminating|stopping|giving up)\b/i;

const signatureOf = (text: string) =>
  text
    .trim()
    .replace(/^\[\d+\]\s+/, "")
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

const FATAL_TEXT = /^(?:panic|fatal error): |\bAPPLICATION FAILED TO START\b|\bUnhandled(?:PromiseRejection| exception)\b/i;
const LAST_LINES = 5;

interface MutableFailure {
  host: string;
  port?: number;
  kind: DependencyFailureKind;
  count: number;
  sample: string;
  lastTime?: number;
  dnsServer?: string;
}

export interface ScanOptions extends ParseOptions {
  /** The failure signatures to look for (default: the catalog under `eks/signatures`). */
  readonly catalog?: ReadonlyArray<Signature>;
}

/**
 * Reads a container log for what an SRE would grep for: the fatal error and the innermost cause
 * in its stack trace, the failure signatures of the catalog, repeated error lines, connection and
 * DNS failures to other services, a full disk, and the last words before the process exited.
 * Structured lines (JSON, logfmt) are read for their message and error fields. Deterministic:
 * the same text always yields the same signals.
 */
export const scanLog = (text: string, options: ScanOptions = {}): LogSignals => {
  const rawLines = text.split("\n").filter((l) => l.trim() !== "").length;
  const entries = parseLogLines(text, options);
  const errors = new Map<string, { signature: string; sample: string; count: number; lastTime?: number; first: number }>();
  const failures = new Map<string, MutableFailure>();
  let crash: Crash | undefined;

  const noteError = (line: string, time: number | undefined, at: number) => {
    const signature = signatureOf(line);
    const seen = errors.get(signature);
    if (seen === undefined) errors.set(signature, { signature, sample: clip(line), count: 1, first: at, ...(time !== undefined ? { lastTime: time } : {}) });
    else {
      seen.count++;
      if (time !== undefined) seen.lastTime = time;
    }
  };

  // Every entry's time, carried forward from the last one that had one (stack frames have none).
  const times: Array<number | undefined> = [];
  let lastTime: number | undefined;
  for (const e of entries) {
    const time = e.time ?? lastTime;
    if (time !== undefined) lastTime = time;
    times.push(time);
  }
  const texts = entries.map((e) => e.text);

  // Dependencies are looked for on every line, stack traces included ("[cause]: Error: connect ECONNREFUSED …").
  for (let i = 0; i < entries.length; i++) {
    const line = texts[i] ?? "";
    const time = times[i];
    const next = texts.slice(i + 1, i + 4);
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
  }

  const causeBefore = (i: number): string | undefined => {
    for (let j = i - 1; j >= Math.max(0, i - 5); j--) {
      const e = entries[j];
      if (e?.level === "error" || e?.level === "fatal") return e.text.trim();
    }
    return undefined;
  };

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const time = times[i];
    const body = entry.text.trim();

    const headerless = PY_TAIL.test(body) && /^\s/.test(texts[i - 1] ?? "") && texts.slice(Math.max(0, i - 6), i).some((t) => PY_FRAME.test(t));
    if (body.endsWith("Traceback (most recent call last):") || headerless) {
      // Python prints the original exception first and the one that ended the process last.
      let j = i;
      if (!headerless) {
        j = i + 1;
        while (j < entries.length && /^\s/.test(texts[j] ?? "")) j++;
      }
      const exception = (texts[j] ?? "").trim();
      if (exception !== "" && PY_EXCEPTION.test(exception)) {
        const chained = !headerless && /During handling of the above exception|The above exception was the direct cause/.test(texts[i - 1] ?? "");
        const root = chained && crash !== undefined ? (crash.rootCause ?? crash.headline) : undefined;
        const at = times[j];
        crash = { headline: clip(exception), ...(root !== undefined ? { rootCause: root } : {}), ...(at !== undefined ? { time: at } : {}) };
        noteError(exception, times[j], j);
        i = j;
      }
      continue;
    }

    const java = JAVA_EXCEPTION.exec(body);
    const node = NODE_ERROR.exec(body);
    if ((java !== null || node !== null) && FRAME.test(texts[i + 1] ?? "")) {
      const headline = java?.[1] ?? body;
      let root: string | undefined;
      let j = i + 1;
      while (j < entries.length && (FRAME.test(texts[j] ?? "") || CAUSE_LINE.test(texts[j] ?? ""))) {
        const cause = CAUSE_LINE.exec(texts[j] ?? "");
        if (cause !== null) root = cause[1];
        j++;
      }
      const innermost = innermostCause(root ?? headline);
      const rootCause = root !== undefined || innermost !== headline ? innermost : undefined;
      crash = { headline: clip(headline), ...(rootCause !== undefined ? { rootCause: clip(rootCause) } : {}), ...(time !== undefined ? { time } : {}) };
      noteError(headline, time, i);
      i = j - 1;
      continue;
    }

    const ruby = RUBY_ERROR.exec(body);
    if (ruby !== null && (FRAME.test(texts[i + 1] ?? "") || i === entries.length - 1)) {
      const headline = `${ruby[2] ?? ""}: ${ruby[1] ?? ""}`;
      crash = { headline: clip(headline), ...(time !== undefined ? { time } : {}) };
      noteError(headline, time, i);
      continue;
    }

    if (FATAL_TEXT.test(body) || entry.level === "fatal") {
      const innermost = innermostCause(body);
      const before = GENERIC_FATAL.test(body) && innermost === body ? causeBefore(i) : undefined;
      const rootCause = innermost !== body ? innermost : before;
      crash = { headline: clip(body), ...(rootCause !== undefined ? { rootCause: clip(rootCause) } : {}), ...(time !== undefined ? { time } : {}) };
      noteError(body, time, i);
      continue;
    }
    if (entry.level === "error" || (entry.level === undefined && /\b(?:Exception|ERROR)\b/.test(body))) noteError(body, time, i);
  }

  const signatures: Array<LogSignature> = matchSignatures(options.catalog ?? CATALOG.signatures, texts).map((m) => {
    const at = times[m.lastIndex];
    return { ...m, ...(at !== undefined ? { time: at } : {}), fromEnd: entries.length - 1 - m.lastIndex };
  });
  const full = signatures.find((s) => s.category === "disk-full");
  const fullTime = full === undefined ? undefined : times[full.index];
  const diskFull = full === undefined ? undefined : { line: clip(entries[full.index]?.raw ?? full.line), ...(fullTime !== undefined ? { time: fullTime } : {}) };

  return {
    lines: rawLines,
    ...(crash !== undefined ? { crash } : {}),
    errors: [...errors.values()]
      .sort((a, b) => b.count - a.count || a.first - b.first)
      .map(({ signature, sample, count, lastTime }) => ({ signature, sample, count, ...(lastTime !== undefined ? { lastTime } : {}) })),
    dependencies: [...failures.values()].sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    ...(diskFull !== undefined ? { diskFull } : {}),
    signatures,
    lastLines: texts.slice(-LAST_LINES).map((t) => clip(t))
  };
};
