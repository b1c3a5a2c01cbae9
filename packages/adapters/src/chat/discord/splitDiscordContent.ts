/** Discord rejects message content longer than this (in characters; UTF-16 units are never fewer). */
export const DISCORD_MESSAGE_LIMIT = 2000;

/** The smallest limit that always leaves room for a re-opened fence, its closer and some text. */
const MIN_LIMIT = 512;
/** An opening fence line longer than this is re-opened as a bare fence (its info string is dropped). */
const MAX_OPENER = 200;
const FENCE = /^ {0,3}```/;
const CLOSER = "\n```";
const ZERO_WIDTH = "\u200b";
/** How far back from a hard cut to look for a space to cut at instead. */
const SOFT_CUT_WINDOW = 200;

/** A line that opens or closes a code block. */
export const isFenceLine = (line: string): boolean => FENCE.test(line);

export interface ContentPiece {
  /** The slice of the original text this message carries; all slices concatenated give the original back. */
  readonly slice: string;
  /** The fence line repeated at the start because the slice begins inside a code block. */
  readonly reopened?: string;
  /** A zero-width space was put first so a line cut in two cannot start with a fence. */
  readonly guarded: boolean;
  /** A fence was appended because the slice ends inside a code block. */
  readonly closed: boolean;
  /** The message content: the slice (minus its final newline) wrapped as above. */
  readonly content: string;
}

const dropFinalNewline = (s: string): string => (s.endsWith("\n") ? s.slice(0, -1) : s);

const renderedLength = (opener: string | undefined, slice: string, guarded: boolean, closed: boolean): number =>
  (opener === undefined ? 0 : opener.length + 1) + (guarded ? 1 : 0) + dropFinalNewline(slice).length + (closed ? CLOSER.length : 0);

const render = (opener: string | undefined, slice: string, guarded: boolean, closed: boolean): ContentPiece => ({
  slice,
  ...(opener === undefined ? {} : { reopened: opener }),
  guarded,
  closed,
  content: `${opener === undefined ? "" : `${opener}\n`}${guarded ? ZERO_WIDTH : ""}${dropFinalNewline(slice)}${closed ? CLOSER : ""}`
});

/** Where to cut `text` so the first part has at most `budget` units: after a space when one is near, never inside a surrogate pair. */
const cutPoint = (text: string, budget: number): number => {
  let n = Math.min(budget, text.length);
  if (n >= text.length) return n;
  const code = text.charCodeAt(n - 1);
  if (code >= 0xd800 && code <= 0xdbff && n > 1) n -= 1;
  const space = text.lastIndexOf(" ", n - 1);
  return space >= 0 && space + 1 >= n - SOFT_CUT_WINDOW ? space + 1 : n;
};

/**
 * Splits text into pieces that each fit one Discord message. Cuts fall between lines where
 * possible, and inside an over-long line (after a space when one is near) only when a line alone
 * is too long. A code block cut in two is closed at the end of one message and re-opened with the
 * same fence line at the start of the next, so no message leaves a fence dangling.
 */
export const splitDiscordContentPieces = (text: string, limit: number = DISCORD_MESSAGE_LIMIT): ReadonlyArray<ContentPiece> => {
  const max = Math.max(MIN_LIMIT, Math.floor(limit));
  const pieces: Array<ContentPiece> = [];
  /** The open fence line at the current position, if inside a code block. */
  let fence: string | undefined;
  let chunkOpener: string | undefined;
  let chunkGuarded = false;
  let current = "";

  const flush = () => {
    pieces.push(render(chunkOpener, current, chunkGuarded, fence !== undefined));
    chunkOpener = fence;
    chunkGuarded = false;
    current = "";
  };

  for (const line of text.split(/(?<=\n)/)) {
    let rest = line;
    let first = true;
    while (rest !== "") {
      const fenceAfter: string | undefined = first && isFenceLine(line) ? (fence === undefined ? openerOf(line) : undefined) : fence;
      const guarded: boolean = current === "" ? chunkGuarded || (!first && isFenceLine(rest)) : chunkGuarded;
      if (renderedLength(chunkOpener, current + rest, guarded, fenceAfter !== undefined) <= max) {
        current += rest;
        chunkGuarded = guarded;
        fence = fenceAfter;
        rest = "";
        break;
      }
      if (current !== "") {
        flush();
        continue;
      }
      const budget = max - renderedLength(chunkOpener, "", guarded, fenceAfter !== undefined);
      const n = cutPoint(rest, budget);
      current = rest.slice(0, n);
      chunkGuarded = guarded;
      fence = fenceAfter;
      rest = rest.slice(n);
      first = false;
      flush();
    }
  }
  if (current !== "") flush();
  return pieces;
};

const openerOf = (line: string): string => {
  const bare = dropFinalNewline(line);
  return bare.length <= MAX_OPENER ? bare : "```";
};

/** The message contents for `text`, each at most `limit` characters; blank pieces are dropped. */
export const splitDiscordContent = (text: string, limit: number = DISCORD_MESSAGE_LIMIT): ReadonlyArray<string> =>
  splitDiscordContentPieces(text, limit)
    .map((p) => p.content)
    .filter((c) => c.trim() !== "");
