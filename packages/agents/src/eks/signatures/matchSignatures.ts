import { redactSecrets } from "@sre-on-call/core";
import type { Signature, SignatureCategory, SignatureConfidence } from "./Signature.js";

/** One signature found in a log: the cause it names with the specifics filled in. */
export interface SignatureMatch {
  readonly id: string;
  readonly family: string;
  readonly category: SignatureCategory;
  /** The signature's confidence cap. */
  readonly confidence: SignatureConfidence;
  /** The title template with the captured values. */
  readonly title: string;
  readonly action?: string;
  readonly captures: Readonly<Record<string, string>>;
  /** The (first) matching text, as the log printed it. */
  readonly line: string;
  /** Index of the (first) matching line. */
  readonly index: number;
  /** Index of the last matching line. */
  readonly lastIndex: number;
  readonly count: number;
}

const MAX_CAPTURE = 120;

/** A captured value on one line, redacted and cut: it ends up in a title. */
const cleanCapture = (value: string) => {
  const t = redactSecrets(value).replace(/\s+/g, " ").trim();
  return t.length > MAX_CAPTURE ? `${t.slice(0, MAX_CAPTURE - 1)}…` : t;
};

/**
 * `{name}` replaced by the captured value. `[[…]]` is an optional part: kept (without the
 * brackets) when every group it names captured something, dropped otherwise.
 */
export const renderTemplate = (template: string, captures: Readonly<Record<string, string>>): string =>
  template
    .replace(/\[\[(.*?)\]\]/g, (_, inner: string) => ([...inner.matchAll(/\{(\w+)\}/g)].every((m) => (captures[m[1] ?? ""] ?? "") !== "") ? inner : ""))
    .replace(/\{(\w+)\}/g, (_, name: string) => captures[name] ?? "")
    .replace(/\s+([,;:)])/g, "$1")
    .replace(/\s+\.(?=\s|$)/g, ".")
    .replace(/\(\s*\)/g, "")
    .replace(/\s+/g, " ")
    .trim();

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minutes: 60_000, h: 3_600_000 };

/**
 * A duration as servers print it: Go's `1m2.5s` / `350ms`, `1234.567 ms`, `3 seconds`, or a bare
 * number in `unit`. Undefined when it is none of those.
 */
export const parseDuration = (text: string, unit: "ms" | "s" = "ms"): number | undefined => {
  const t = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t) * (unit === "s" ? 1000 : 1);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|seconds|second|secs|sec|s|minutes|min|m|h)(?![a-z])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("").replace(/\s+/g, "") !== t.replace(/\s+/g, "")) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? ""] ?? 0), 0);
};

const captured = (m: RegExpExecArray): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) out[k] = cleanCapture(v);
  return out;
};

/**
 * The first pattern of `signature` that matches `text`, with its captures; undefined when none
 * does (or a duration is too short). `startsBy`: the match must begin before this offset (a
 * signature spanning lines must start on the first of them).
 */
export const matchSignature = (signature: Signature, text: string, startsBy = Number.POSITIVE_INFINITY): Record<string, string> | undefined => matchWithEnd(signature, text, startsBy)?.captures;

/** `matchSignature`, with where in `text` the match ends (to know how many joined lines it covered). */
const matchWithEnd = (signature: Signature, text: string, startsBy = Number.POSITIVE_INFINITY): { captures: Record<string, string>; end: number } | undefined => {
  for (const pattern of signature.patterns) {
    const m = pattern.exec(text);
    if (m === null || m.index >= startsBy) continue;
    const captures = captured(m);
    if (signature.atLeast !== undefined) {
      const ms = parseDuration(m.groups?.[signature.atLeast.capture] ?? "", signature.atLeast.unit);
      if (ms === undefined || ms < signature.atLeast.milliseconds) continue;
    }
    return { captures, end: m.index + m[0].length };
  }
  return undefined;
};

const MAX_LINE = 300;

/**
 * Every signature found in a log's lines (messages already unwrapped from JSON or logfmt), grouped
 * by the cause they name. A line is named by the first signature in catalog order that matches
 * it, so a specific signature placed before a generic one wins; signatures spanning several lines
 * are tried first, since they need more context to match.
 */
export const matchSignatures = (catalog: ReadonlyArray<Signature>, lines: ReadonlyArray<string>): ReadonlyArray<SignatureMatch> => {
  const out = new Map<string, { -readonly [K in keyof SignatureMatch]: SignatureMatch[K] }>();
  const single = catalog.filter((s) => s.span === 1);
  const multi = catalog.filter((s) => s.span > 1);
  const seen = new Map<string, { signature: Signature; captures: Record<string, string> } | null>();
  const record = (signature: Signature, captures: Record<string, string>, text: string, index: number) => {
    const title = renderTemplate(signature.title, captures);
    const key = `${signature.id}\n${title}`;
    const known = out.get(key);
    if (known !== undefined) {
      known.count++;
      known.lastIndex = index;
      return;
    }
    const line = redactSecrets(text).replace(/\s*\n\s*/g, " ⏎ ").trim();
    out.set(key, {
      id: signature.id,
      family: signature.family,
      category: signature.category,
      confidence: signature.confidence,
      title,
      ...(signature.action !== undefined ? { action: renderTemplate(signature.action, captures) } : {}),
      captures,
      line: line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line,
      index,
      lastIndex: index,
      count: 1
    });
  };
  // Lines a multi-line match already covers are named by it: no single-line signature names them again.
  let coveredUntil = -1;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (text.length < 4) continue;
    // A signature that needs the following lines is the more specific one: tried first.
    let found = false;
    for (const signature of multi) {
      const joined = lines.slice(i, i + signature.span).join("\n");
      const hit = matchWithEnd(signature, joined, text.length);
      if (hit !== undefined) {
        record(signature, hit.captures, joined, i);
        coveredUntil = Math.max(coveredUntil, i + (joined.slice(0, hit.end).match(/\n/g)?.length ?? 0));
        found = true;
        break;
      }
    }
    if (found || i <= coveredUntil) continue;
    // Logs repeat themselves: each distinct text is matched once.
    let hit = seen.get(text);
    if (hit === undefined) {
      hit = null;
      for (const signature of single) {
        const captures = matchSignature(signature, text);
        if (captures !== undefined) {
          hit = { signature, captures };
          break;
        }
      }
      seen.set(text, hit);
    }
    if (hit !== null) record(hit.signature, hit.captures, text, i);
  }
  return [...out.values()];
};
