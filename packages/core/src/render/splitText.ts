/** One piece of a text cut to fit a message limit. */
export interface TextChunk {
  /** What to send: `reopen + body + close`, never longer than the limit. */
  readonly text: string;
  /** The slice of the input this chunk carries; all bodies concatenated give the input back. */
  readonly body: string;
  /** The opening fence line repeated first, because the body starts inside a code block. */
  readonly reopen: string;
  /** A closing fence added last, because the body ends inside a code block. */
  readonly close: string;
}

/** Limits below this are raised to it: a chunk must always hold a whole character. */
export const MIN_SPLIT_LIMIT = 8;

interface Fence {
  readonly char: string;
  readonly length: number;
  /** The line to repeat when a chunk starts inside this block. */
  readonly opener: string;
}

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

const normalizeLimit = (limit: number): number => {
  if (Number.isNaN(limit)) return MIN_SPLIT_LIMIT;
  if (!Number.isFinite(limit)) return limit > 0 ? Number.MAX_SAFE_INTEGER : MIN_SPLIT_LIMIT;
  return Math.max(MIN_SPLIT_LIMIT, Math.floor(limit));
};

/**
 * The code-block state after a line (CommonMark fences). An opener whose repetition would
 * eat more than a quarter of a chunk is repeated bare, without its info string; one whose
 * bare fence is still too long is not tracked at all.
 */
const afterLine = (state: Fence | undefined, line: string, limit: number): Fence | undefined => {
  const m = FENCE_RE.exec(line.replace(/\r?\n$/, "").replace(/\r$/, ""));
  if (m === null) return state;
  const run = m[1] ?? "";
  const info = m[2] ?? "";
  const char = run.charAt(0);
  if (state !== undefined) return char === state.char && run.length >= state.length && info.trim() === "" ? undefined : state;
  if (char === "`" && info.includes("`")) return undefined;
  const opener = `${run}${info.trimEnd()}`;
  const overhead = (o: string) => o.length + 1 + run.length + 1;
  if (overhead(opener) <= limit / 4) return { char, length: run.length, opener };
  if (overhead(run) <= limit / 4) return { char, length: run.length, opener: run };
  return undefined;
};

const closeFor = (state: Fence | undefined, body: string): string =>
  state === undefined ? "" : `${body === "" || body.endsWith("\n") ? "" : "\n"}${state.char.repeat(state.length)}`;

/** Spans a cut should not fall inside: links, URLs, mentions, entities, inline code. */
const PROTECTED: ReadonlyArray<RegExp> = [
  /<[^<>\n]{1,2000}>/g,
  /!?\[[^[\]\n]{0,500}\]\([^()\s]{0,2000}\)/g,
  /https?:\/\/[^\s<>]+/gi,
  /&#?[a-z0-9]{1,32};/gi,
  /`[^`\n]{1,500}`/g
];
const ENTITY = /&#?[a-z0-9]{1,32};/gi;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const JOINS_PREVIOUS = /^(?:\p{M}|\u200d|[\ufe00-\ufe0f]|[\u{1f3fb}-\u{1f3ff}])/u;

/** Cutting at `p` keeps every character, escape and CRLF whole. */
const keepsCharacters = (s: string, p: number): boolean => {
  const before = s.charCodeAt(p - 1);
  const at = s.charCodeAt(p);
  if (isHigh(before) && isLow(at)) return false;
  if (before === 13 && at === 10) return false;
  let backslashes = 0;
  for (let i = p - 1; i >= 0 && s.charCodeAt(i) === 92; i--) backslashes++;
  return backslashes % 2 === 0;
};

const keepsGraphemes = (s: string, p: number): boolean => s.charCodeAt(p - 1) !== 0x200d && !JOINS_PREVIOUS.test(s.slice(p, p + 2));

/**
 * A piece cut from the middle of a line starts a new message, so it must not begin with a
 * fence, heading, quote or list marker the line never had there.
 */
const startsBlock = (s: string, p: number): boolean => /^ {0,3}(?:```|~~~|#{1,6}\s|-#\s|>|[-+*]\s|\d{1,9}[.)]\s)/.test(s.slice(p, p + 14));

/**
 * Where to cut a line too long for a chunk, at most `budget` characters in: after a space if
 * one is in the second half, never inside a link or an escape, and never inside a character.
 */
const safeCut = (s: string, budget: number): number => {
  const hi = Math.min(budget, s.length - 1);
  if (hi < 1) return Math.min(s.length, Math.max(1, budget));
  const window = s.slice(0, Math.min(s.length, hi + budget + 1));
  const spans: Array<readonly [number, number]> = [];
  for (const re of PROTECTED) {
    for (const m of window.matchAll(re)) if (m[0].length <= budget) spans.push([m.index, m.index + m[0].length]);
  }
  const outsideSpans = (p: number) => spans.every(([a, b]) => p <= a || p >= b);
  // An entity (`&gt;`) is a few characters: it is never cut, even when a long link leaves no other place.
  const entities = [...window.matchAll(ENTITY)].map((m) => [m.index, m.index + m[0].length] as const);
  const outsideEntities = (p: number) => entities.every(([a, b]) => p <= a || p >= b);
  const strict = (p: number) => keepsCharacters(s, p) && keepsGraphemes(s, p) && !startsBlock(s, p) && outsideSpans(p);
  for (let p = hi; p >= Math.ceil(hi / 2); p--) {
    const prev = s.charAt(p - 1);
    if ((prev === " " || prev === "\t") && strict(p)) return p;
  }
  const rules: ReadonlyArray<(p: number) => boolean> = [
    strict,
    (p) => keepsCharacters(s, p) && keepsGraphemes(s, p) && !startsBlock(s, p) && outsideEntities(p),
    (p) => keepsCharacters(s, p) && !startsBlock(s, p) && outsideEntities(p),
    (p) => keepsCharacters(s, p) && outsideEntities(p),
    (p) => keepsCharacters(s, p),
    (p) => !(isHigh(s.charCodeAt(p - 1)) && isLow(s.charCodeAt(p)))
  ];
  for (const rule of rules) for (let p = hi; p >= 1; p--) if (rule(p)) return p;
  return hi;
};

const LINE_RE = /[^\n]*\n|[^\n]+$/g;

/**
 * Cuts `text` into chunks of at most `limit` characters (UTF-16 units, which are never fewer
 * than the characters a platform counts). Cuts fall between lines when they can; a line too
 * long for one chunk is cut at a safe position (see `safeCut`). A chunk that ends inside a
 * ``` block closes it, and the next chunk opens it again with the same fence line. Never
 * throws; an empty text gives no chunks.
 */
export const splitTextParts = (text: string, limit: number): ReadonlyArray<TextChunk> => {
  const max = normalizeLimit(limit);
  if (text === "") return [];
  if (text.length <= max) return [{ text, body: text, reopen: "", close: "" }];
  const chunks: Array<TextChunk> = [];
  let state: Fence | undefined;
  let reopen = "";
  let body = "";
  const flush = () => {
    if (body !== "") {
      const close = closeFor(state, body);
      chunks.push({ text: reopen + body + close, body, reopen, close });
    }
    reopen = state === undefined ? "" : `${state.opener}\n`;
    body = "";
  };
  for (const m of text.matchAll(LINE_RE)) {
    const after = afterLine(state, m[0], max);
    let rest = m[0];
    while (rest !== "") {
      const candidate = body + rest;
      if (reopen.length + candidate.length + closeFor(after, candidate).length <= max) {
        body = candidate;
        state = after;
        break;
      }
      if (body !== "") {
        flush();
        continue;
      }
      const budget = max - reopen.length - closeFor(state, "x").length;
      const cut = safeCut(rest, budget);
      body = rest.slice(0, cut);
      rest = rest.slice(cut);
      flush();
    }
  }
  flush();
  return chunks;
};

/** `splitTextParts`, as the strings to send. */
export const splitText = (text: string, limit: number): ReadonlyArray<string> => splitTextParts(text, limit).map((c) => c.text);
