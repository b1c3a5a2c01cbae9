import { redactSecrets } from "@sre-on-call/core";
import { CATALOG } from "../signatures/catalog.js";
import { matchSignatures, type SignatureMatch } from "../signatures/matchSignatures.js";
import type { Signature } from "../signatures/Signature.js";
import { type LogEntry, type ParseOptions, parseLogLines } from "./parseLogLines.js";

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

/**
 * Why the process stopped, in its own error lines: the first error of the last run of error lines
 * (what failed first; the lines after it are what failed because of it), unless that line only
 * announces the exit.
 */
export interface ExitReason {
  readonly line: string;
  /** The run's later error lines, which follow from the first (a pipe closed, "Backup failed"). */
  readonly after: ReadonlyArray<string>;
  readonly time?: number;
  /** How many lines the log goes on after the run ends (0: the last thing it said). */
  readonly fromEnd: number;
}

export interface LogSignals {
  readonly lines: number;
  readonly crash?: Crash;
  readonly exitReason?: ExitReason;
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
/**
 * Ruby's uncaught exception when the file prefix is not printed (or was not pasted): `message
 * (ArgumentError)` above its `from file:line` frames, or as the log's last line:
 * AlverezYari/phillips-homelab#285 (`Missing \`secret_key_base\` for 'prod_k8s' environment
 * (ArgumentError)`), rubber/rubber#533 (unicorn's `app error: Missing \`secret_key_base\` …
 * (RuntimeError)`).
 */
const RUBY_BARE_ERROR = /^(.+?) \(((?:[A-Z]\w*::)*[A-Z]\w*(?:Error|Exception|Invalid|NotFound)|Errno::[A-Z]+)\)$/;
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
    // nginx resolves every upstream when it loads its configuration and refuses to start when one
    // does not resolve: pulp/pulp-operator#603, wazuh/wazuh-kubernetes#99, Dynatrace/easytrade#5.
    const m = /\bhost not found in upstream "([\w.-]+?)\.?(?::(\d+))?"/.exec(line);
    return m === null ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind: "dns-nxdomain" };
  },
  (line) => {
    // busybox's and bind's nslookup, as init containers that wait for a Service print them:
    // `nslookup: can't resolve 'firmament-service.kube-system'` (kubernetes-retired/poseidon#125,
    // kubernetes/kubernetes#44314), `** server can't find kubernetes.default.svc.cluster.local: NXDOMAIN` (sandervanvugt/cka#2).
    const m = /nslookup: can't resolve '([\w.-]+?)\.?'/.exec(line) ?? /\*\* server can't find ([\w.-]+?)\.?: (NXDOMAIN|SERVFAIL|REFUSED)/.exec(line);
    return m === null ? undefined : { host: host(m[1] ?? ""), kind: m[2] === undefined || m[2] === "NXDOMAIN" ? "dns-nxdomain" : "dns-error" };
  },
  (line) => {
    // Erlang/Elixir (Postgrex, MyXQL, Redix through DBConnection): `tcp connect (ffs-postgres:5432): non-existing domain - :nxdomain`
    // (open-telemetry/opentelemetry-helm-charts#335), `tcp connect (localhost:5432): connection refused - :econnrefused`.
    const m = /\btcp (?:connect|recv) \(([\w.-]+):(\d+)\): [^:]*? - :(\w+)/.exec(line);
    const atom = m?.[3] ?? "";
    const kind: DependencyFailureKind | undefined =
      atom === "nxdomain" ? "dns-nxdomain" : atom === "econnrefused" ? "refused" : atom === "timeout" || atom === "etimedout" ? "timeout" : atom === "ehostunreach" || atom === "enetunreach" ? "unreachable" : atom === "econnreset" ? "reset" : undefined;
    return m === null || kind === undefined ? undefined : { host: host(m[1] ?? ""), ...port(m[2]), kind };
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

/** A line that says it is an error: its level, or the word (`pg_dump: error:`, `mc: <ERROR>`, `aborting because of …`). */
const STRONG_ERROR = /\b(?:error|fatal|panic|exception|abort(?:ing|ed)?)\b/i;
/** Words of a failure in a line that announces no level. */
const WEAK_ERROR = /\b(?:fail(?:ed|ure|s)?|cannot|can't|could not|couldn't|unable to|not found|no such|denied|refused|invalid|forbidden|unauthori[sz]ed|missing|timed? ?out|mismatch|unsupported|not supported)\b/i;
/** A line that only says the process stops; the reason is in an error before it. */
const ANNOUNCES_EXIT = /^.{0,60}\b(?:cannot proceed|exiting|shutting down|giving up|terminating|stopping|run failed|startup failed|failed to start)\b.{0,20}$/i;
/** Lines from the end read for the exit reason, and the longest run of error lines taken as one. */
const EXIT_TAIL = 40;
const MAX_RUN = 8;

type ErrorStrength = "strong" | "weak" | undefined;

const errorStrength = (e: LogEntry): ErrorStrength => {
  if (e.level === "error" || e.level === "fatal") return "strong";
  if (e.level !== undefined) return undefined;
  if (STRONG_ERROR.test(e.text)) return "strong";
  return WEAK_ERROR.test(e.text) ? "weak" : undefined;
};

/**
 * The error lines that explain why a process stopped. Tools that fail write the error that
 * stopped them first and what broke because of it after: `pg_dump: aborting because of server
 * version mismatch`, then `mc: <ERROR> Unable to write …`, `Backup failed`, `mc: <ERROR> Failed to
 * remove …` (SierraSoftworks/minback-postgres#5); `pg_dumpall: error: aborting because of server
 * version mismatch` before the versions (zalando/postgres-operator#1678). So the reason is the
 * first line of the last run of error lines, preferring one that says it is an error, and never a
 * line that only announces the exit (`Curator cannot proceed. Exiting.`,
 * ministryofjustice/cloud-platform#3255).
 */
const exitReasonOf = (entries: ReadonlyArray<LogEntry>, texts: ReadonlyArray<string>, times: ReadonlyArray<number | undefined>): ExitReason | undefined => {
  const tail: Array<number> = [];
  for (let i = entries.length - 1; i >= 0 && tail.length < EXIT_TAIL; i--) {
    const t = texts[i] ?? "";
    if (t.trim() !== "" && !FRAME.test(t) && !PY_FRAME.test(t) && !CAUSE_LINE.test(t)) tail.unshift(i);
  }
  const strength = tail.map((i) => errorStrength(entries[i]!));
  const last = strength.findLastIndex((x) => x !== undefined);
  if (last < 0) return undefined;
  let first = last;
  while (first > 0 && last - first < MAX_RUN - 1 && strength[first - 1] !== undefined) first--;
  const run = tail.slice(first, last + 1);
  const says = (i: number) => !ANNOUNCES_EXIT.test((texts[i] ?? "").trim());
  let primary = run.find((i, k) => strength[first + k] === "strong" && says(i)) ?? run.find(says);
  if (primary === undefined) {
    for (let k = first - 1; k >= Math.max(0, first - 5) && primary === undefined; k--) if (strength[k] !== undefined && says(tail[k]!)) primary = tail[k];
  }
  const at = primary ?? run[0]!;
  const time = times[at];
  return {
    line: clip((texts[at] ?? "").trim()),
    after: run.filter((i) => i > at).slice(0, 3).map((i) => clip((texts[i] ?? "").trim())),
    ...(time !== undefined ? { time } : {}),
    fromEnd: entries.length - 1 - run[run.length - 1]!
  };
};

/** A `tool:` prefix the lines of one program share (`pg_dumpall:`, `mc:`). */
const PROGRAM_PREFIX = /^([\w.-]+): /;

/**
 * The exit reason as one text: its line, and the lines after it that the same program wrote
 * (`pg_dumpall: error: aborting because of server version mismatch; server version: 14.0 …;
 * pg_dumpall version: 13.4 …`), since those are its details rather than consequences.
 */
export const exitReasonText = (r: ExitReason): string => {
  const program = PROGRAM_PREFIX.exec(r.line)?.[1];
  if (program === undefined) return r.line;
  const same = r.after.filter((l) => l.startsWith(`${program}: `)).slice(0, 2);
  const strip = (l: string) => l.slice(program.length + 2).replace(/^(?:error|fatal|detail): /i, "");
  return same.length === 0 ? r.line : `${r.line}; ${same.map(strip).join("; ")}`;
};

/** The connection or name-resolution failure a text reports, if it is one (a crash that is a dependency's symptom). */
export const dependencyFailureIn = (text: string): { readonly host: string; readonly kind: DependencyFailureKind } | undefined => {
  for (const pattern of DEPENDENCY_PATTERNS) {
    const m = pattern(text, []);
    if (m !== undefined) return { host: m.host, kind: m.kind };
  }
  return undefined;
};
const LAST_LINES = 5;

/** The header of the help a command-line parser prints after rejecting its arguments. */
const USAGE_HEADER = /^(?:Incorrect )?Usage(?: of \S+)?:\s*$|^Usage:\s*$/;
/** What a usage text goes on with: indented flag lines, section headers, the `--help` hint, a paste's `...`. */
const USAGE_BODY = /^\s|^(?:[A-Z][\w ]*(?:Flags|Commands|Options):|Use "[^"]+" for more information|\.\.\.|…)\s*$/;

/**
 * Where a usage text at the end of the log begins (undefined when there is none). Go's flag
 * package prints the error, then `Usage of /manager:` and every flag
 * (DataDog/watermarkpodautoscaler#97, openshift/machine-api-operator#107,
 * opensandbox-group/OpenSandbox#855); cobra prints `Usage:` and `Flags:` sections. The help is
 * part of the error, not something the process did after it: the error stays its last word.
 */
export const trailingUsage = (texts: ReadonlyArray<string>): number | undefined => {
  for (let i = texts.length - 1; i >= Math.max(0, texts.length - 200); i--) {
    const t = texts[i] ?? "";
    if (USAGE_HEADER.test(t.trim()) && !/^\s/.test(t)) return i > 0 ? i : undefined;
    if (!USAGE_BODY.test(t) && t.trim() !== "") return undefined;
  }
  return undefined;
};

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
    const bare = RUBY_BARE_ERROR.exec(body);
    if (bare !== null && (/^\s+from \S+:\d+/.test(texts[i + 1] ?? "") || i === entries.length - 1)) {
      const message = (bare[1] ?? "").replace(new RegExp(`^${bare[2] ?? ""}: `), "");
      const headline = `${bare[2] ?? ""}: ${message}`;
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

  // A usage text the parser printed after the error is not something the process did after it.
  const end = trailingUsage(texts) ?? entries.length;
  const signatures: Array<LogSignature> = matchSignatures(options.catalog ?? CATALOG.signatures, texts).map((m) => {
    const at = times[m.lastIndex];
    return { ...m, ...(at !== undefined ? { time: at } : {}), fromEnd: Math.max(0, end - 1 - m.lastIndex) };
  });
  const full = signatures.find((s) => s.category === "disk-full");
  const fullTime = full === undefined ? undefined : times[full.index];
  const diskFull = full === undefined ? undefined : { line: clip(entries[full.index]?.raw ?? full.line), ...(fullTime !== undefined ? { time: fullTime } : {}) };

  const exitReason = exitReasonOf(entries.slice(0, end), texts.slice(0, end), times.slice(0, end));
  return {
    lines: rawLines,
    ...(crash !== undefined ? { crash } : {}),
    ...(exitReason !== undefined ? { exitReason } : {}),
    errors: [...errors.values()]
      .sort((a, b) => b.count - a.count || a.first - b.first)
      .map(({ signature, sample, count, lastTime }) => ({ signature, sample, count, ...(lastTime !== undefined ? { lastTime } : {}) })),
    dependencies: [...failures.values()].sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    ...(diskFull !== undefined ? { diskFull } : {}),
    signatures,
    lastLines: texts.slice(-LAST_LINES).map((t) => clip(t))
  };
};
