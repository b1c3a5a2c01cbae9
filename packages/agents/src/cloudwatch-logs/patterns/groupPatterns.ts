import { redactSecrets } from "@sre-on-call/core";
import type { LogLine } from "../source/LogSource.js";
import { maskMessage } from "./maskMessage.js";

/**
 * Lines whose masks differ only in which kind of value was masked (`job 691917556044` is a
 * number, `job 9da771c2ff77` hex) belong together: the grouping key folds those placeholders.
 */
export const canonicalPattern = (masked: string): string => masked.replace(/<(?:num|id|hex)>/g, "<*>");

export interface LogPattern {
  /** The masked message of the pattern's lines (their most frequent variant when masks differ in kind, see `canonicalPattern`). */
  readonly key: string;
  readonly count: number;
  readonly firstSeen?: number;
  readonly lastSeen?: number;
  /** Up to `exemplars` distinct raw lines, earliest first. */
  readonly exemplars: ReadonlyArray<string>;
  /** Where the lines came from, most lines first. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly count: number }>;
}

export interface GroupOptions {
  readonly exemplars?: number;
  /** Longest exemplar kept (default 500 characters). */
  readonly exemplarChars?: number;
}

interface Acc {
  variants: Map<string, number>;
  /** Set when near-duplicates were merged in: the key with the varying token as `<*>`. */
  display?: string;
  count: number;
  firstSeen: number | undefined;
  lastSeen: number | undefined;
  exemplars: Array<{ text: string; at: number }>;
  groups: Map<string, number>;
}

// Exemplars end up in findings: redacted before the cut, which would leave a secret's prefix unrecognisable.
const clip = (text: string, max: number) => {
  const s = redactSecrets(text);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/**
 * Groups log lines into patterns (lines that differ only in numbers, ids, timestamps… share
 * one), most frequent first. Every line lands in exactly one pattern, so counts sum to the
 * number of lines.
 */
export const groupPatterns = (lines: Iterable<LogLine>, options: GroupOptions = {}): ReadonlyArray<LogPattern> => {
  const keep = options.exemplars ?? 2;
  const maxChars = options.exemplarChars ?? 500;
  const byKey = new Map<string, Acc>();
  for (const line of lines) {
    const masked = maskMessage(line.message);
    const key = canonicalPattern(masked);
    let acc = byKey.get(key);
    if (acc === undefined) {
      acc = { variants: new Map(), count: 0, firstSeen: undefined, lastSeen: undefined, exemplars: [], groups: new Map() };
      byKey.set(key, acc);
    }
    acc.count++;
    acc.variants.set(masked, (acc.variants.get(masked) ?? 0) + 1);
    const t = line.timestamp;
    const at = t ?? Number.POSITIVE_INFINITY;
    if (t !== undefined) {
      if (acc.firstSeen === undefined || t < acc.firstSeen) acc.firstSeen = t;
      if (acc.lastSeen === undefined || t > acc.lastSeen) acc.lastSeen = t;
    }
    acc.groups.set(line.group, (acc.groups.get(line.group) ?? 0) + 1);
    const text = clip(line.message.trim(), maxChars);
    if (keep > 0 && !acc.exemplars.some((e) => e.text === text)) {
      acc.exemplars.push({ text, at });
      if (acc.exemplars.length > keep) {
        acc.exemplars.sort((a, b) => a.at - b.at);
        acc.exemplars.pop();
      }
    }
  }
  const merged = mergeSimilar([...byKey.values()], keep);
  return merged
    .map((acc): LogPattern => ({
      key: acc.display ?? [...acc.variants.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0],
      count: acc.count,
      ...(acc.firstSeen !== undefined ? { firstSeen: acc.firstSeen } : {}),
      ...(acc.lastSeen !== undefined ? { lastSeen: acc.lastSeen } : {}),
      exemplars: [...acc.exemplars].sort((a, b) => a.at - b.at).map((e) => e.text),
      groups: [...acc.groups.entries()].map(([group, count]) => ({ group, count })).sort((a, b) => b.count - a.count || a.group.localeCompare(b.group))
    }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
};

const PLACEHOLDER = /<(?:ts|uuid|ip|pod|hex|id|num|str|\*)>/;
/** Most patterns compared pairwise when merging near-duplicates; beyond that they stay apart. */
const MERGE_BOUND = 3_000;

/**
 * Whether two tokens in the same position are two values of one variable: both already
 * masked in part (`<num>aqtx<num>` and `<id>`), or the same `key=`/`key:` with a masked value
 * (`id=<hex>` and `id=aaaaaaaaaabb`). Words differing outright (`refused` / `reset`) are not.
 */
const sameVariable = (a: string, b: string): string | undefined => {
  const sep = /^([^=:]+[=:])/;
  const pa = sep.exec(a)?.[1];
  const pb = sep.exec(b)?.[1];
  if (pa !== undefined && pa === pb && (PLACEHOLDER.test(a.slice(pa.length)) || PLACEHOLDER.test(b.slice(pb.length)))) return `${pa}<*>`;
  if (PLACEHOLDER.test(a) && PLACEHOLDER.test(b) && pa === pb) return `${pa ?? ""}<*>`;
  return undefined;
};

/**
 * Second pass for values the masks cannot recognise (short or letter-only ids): a pattern that
 * differs from a more frequent one in a single token holding the same variable joins it, and
 * the token shows as `<*>`.
 */
const mergeSimilar = (accs: ReadonlyArray<Acc>, keep: number): ReadonlyArray<Acc> => {
  const entries = accs
    .map((acc) => ({ acc, tokens: ([...acc.variants.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "").split(" "), absorbed: false }))
    .sort((a, b) => b.acc.count - a.acc.count);
  const byLength = new Map<number, Array<(typeof entries)[number]>>();
  for (const e of entries.slice(0, MERGE_BOUND)) byLength.set(e.tokens.length, [...(byLength.get(e.tokens.length) ?? []), e]);
  for (const bucket of byLength.values()) {
    for (let i = 0; i < bucket.length; i++) {
      const head = bucket[i]!;
      if (head.absorbed) continue;
      for (let j = i + 1; j < bucket.length; j++) {
        const other = bucket[j]!;
        if (other.absorbed) continue;
        let at = -1;
        let generalized: string | undefined;
        let ok = true;
        for (let k = 0; k < head.tokens.length && ok; k++) {
          const a = head.tokens[k]!;
          const b = other.tokens[k]!;
          if (a === b) continue;
          const v = at === -1 ? sameVariable(a, b) : undefined;
          if (v === undefined) ok = false;
          else {
            at = k;
            generalized = v;
          }
        }
        if (!ok || at === -1 || generalized === undefined) continue;
        head.tokens[at] = generalized;
        head.acc.display = head.tokens.join(" ");
        absorb(head.acc, other.acc, keep);
        other.absorbed = true;
      }
    }
  }
  return entries.filter((e) => !e.absorbed).map((e) => e.acc);
};

const absorb = (into: Acc, from: Acc, keep: number) => {
  into.count += from.count;
  for (const [k, v] of from.variants) into.variants.set(k, (into.variants.get(k) ?? 0) + v);
  if (from.firstSeen !== undefined && (into.firstSeen === undefined || from.firstSeen < into.firstSeen)) into.firstSeen = from.firstSeen;
  if (from.lastSeen !== undefined && (into.lastSeen === undefined || from.lastSeen > into.lastSeen)) into.lastSeen = from.lastSeen;
  for (const [g, c] of from.groups) into.groups.set(g, (into.groups.get(g) ?? 0) + c);
  for (const e of from.exemplars) if (into.exemplars.length < keep && !into.exemplars.some((x) => x.text === e.text)) into.exemplars.push(e);
};
