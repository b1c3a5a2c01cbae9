import { redactSecrets } from "@sre-on-call/core";

/** Longest pattern kept: long enough to read, short enough for a chat message. */
export const MAX_PATTERN_CHARS = 300;
const MAX_INPUT_CHARS = 2_000;

/** Fields structured loggers put the human message in, most specific first (`log` is Fluent Bit's / Container Insights' wrapper). */
const MESSAGE_FIELDS = ["log", "message", "msg", "error", "err", "exception"] as const;
const LEVEL_FIELDS = ["level", "severity", "lvl", "levelname"] as const;

/**
 * The human part of a log line: a JSON line's message field (with its level), else the line
 * itself. Masking a whole JSON object would collapse every structured line into one pattern.
 */
export const messageText = (line: string, depth = 0): string => {
  const trimmed = line.trim();
  if (depth > 2 || !trimmed.startsWith("{") || !trimmed.endsWith("}")) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return trimmed;
  const record = parsed as Record<string, unknown>;
  const text = MESSAGE_FIELDS.map((k) => record[k]).find((v): v is string => typeof v === "string" && v.trim() !== "");
  if (text === undefined) return trimmed;
  const inner = messageText(text, depth + 1);
  const level = LEVEL_FIELDS.map((k) => record[k]).find((v): v is string => typeof v === "string" && v.trim() !== "");
  return level === undefined || inner.toLowerCase().includes(level.toLowerCase()) ? inner : `${level.toUpperCase()} ${inner}`;
};

/**
 * Replacements in order: the earlier ones own characters the later ones would misread (a
 * timestamp's digits are not three numbers; an IP is not four). No placeholder contains a digit
 * or a quote, so masking a masked text changes nothing.
 */
const MASKS: ReadonlyArray<readonly [RegExp, string]> = [
  // ISO-8601 / RFC 3339 and "2026-04-02 09:30:00,123" date-times, then bare clock times and dates.
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<ts>"],
  [/\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\b/g, "<ts>"],
  [/\b\d{1,2}\/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2}(?:\s[+-]\d{4})?/g, "<ts>"],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, "<ts>"],
  [/\b\d{4}[-/]\d{2}[-/]\d{2}\b/g, "<ts>"],
  [/\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g, "<uuid>"],
  // Quoted values: identifiers, user input, SQL literals. Quotes stay, so the shape is still visible.
  [/"(?:[^"\\]|\\.)*"/g, '"<str>"'],
  [/'(?:[^'\\\s]|\\.)(?:[^'\\]|\\.)*'/g, "'<str>'"],
  [/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, "<ip>"],
  // Kubernetes pod names: <workload>-<replicaset hash>-<5 chars>, both from Kubernetes' vowel-free
  // alphabet, so hyphenated words (`read-timeout-retry`) are left alone.
  [/\b([a-z][a-z0-9-]*?)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}\b/g, "$1-<pod>"],
  [/\b0x[0-9a-fA-F]+\b/g, "<hex>"],
  [/\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{12,}\b/g, "<hex>"],
  // Request ids, trace ids, tokens: long words with a digit after a letter (not `250ms`, `512MiB`).
  [/\b(?=[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\b/g, "<id>"],
  [/\d+(?:\.\d+)?/g, "<num>"],
  [/\s+/g, " "]
];

const maskText = (text: string): string => {
  let out = text;
  for (const [re, replacement] of MASKS) out = out.replace(re, replacement);
  out = out.trim();
  return out.length > MAX_PATTERN_CHARS ? `${out.slice(0, MAX_PATTERN_CHARS - 1)}…` : out;
};

/**
 * The pattern key of a log line: numbers, ids, UUIDs, hex, IPs, timestamps and quoted values
 * replaced by placeholders, whitespace collapsed. Lines differing only in those values share
 * a key. Idempotent: `maskMessage(maskMessage(x)) === maskMessage(x)`.
 */
export const maskMessage = (line: string): string => {
  // Bounded input keeps the masks linear in practice; a pattern shows at most MAX_PATTERN_CHARS anyway.
  // Redacted before masking: masking digits out of a key (AKIA…<num>) would leave it unrecognisable.
  let masked = maskText(redactSecrets(messageText(line.length > MAX_INPUT_CHARS ? line.slice(0, MAX_INPUT_CHARS) : line)));
  // Truncation can leave half a quoted value that pairs up differently on a second pass; settle it.
  for (let i = 0; i < 4; i++) {
    const again = maskText(messageText(masked));
    if (again === masked) break;
    masked = again;
  }
  return masked;
};
