import { normalizeChatText } from "../parse/normalizeChatText.js";

/**
 * One message, prepared once so every rule reads cheap precomputed views instead of
 * re-scanning the raw text. All views are computed in linear time.
 */
export interface ClassifierInput {
  /** The mention text exactly as the platform delivered it. */
  readonly raw: string;
  /** `normalizeChatText(raw)`: mentions removed, links as `label (url)`, entities decoded. */
  readonly text: string;
  readonly lower: string;
  /**
   * `text` without `@here`/`@channel`/`@handle` mentions and `#channel` references, case kept. Alert-tool formats match
   * here, so a broadcast mention in front of an alert changes nothing.
   */
  readonly body: string;
  /** The first non-empty line of `body`, case kept: where alert tools put the notification's kind and state. */
  readonly title: string;
  /** Lower-case words of `body`, without links, `:emoji:` shortcodes and `#channel` references; `’` is folded to `'`. */
  readonly words: ReadonlyArray<string>;
  /** `words` joined by single spaces: anchored conversational patterns match here. */
  readonly bare: string;
  /** The http(s) URLs in `text`, in order. */
  readonly links: ReadonlyArray<string>;
}

/** `@handle` mentions and `#channel` references (not `#123` incident numbers). */
const MENTION_OR_CHANNEL = /(?<![\p{L}\p{N}_.+-])@[\p{L}\p{N}_][\p{L}\p{N}_.-]*|(?<![\p{L}\p{N}_&])#\p{L}[\p{L}\p{N}_-]*/gu;
const LINK = /\bhttps?:\/\/[^\s<>"'`|()[\]{}]+/gi;
/** Links, `:emoji:` shortcodes and `#channel` references (not `#123` incident numbers) carry no words. */
const LINK_OR_SHORTCODE = /\bhttps?:\/\/[^\s<>"'`|()[\]{}]+|:[a-z0-9_+'-]{1,64}:|(?<![\p{L}\p{N}_&])#\p{L}[\p{L}\p{N}_-]*/giu;
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

const firstLine = (body: string): string => {
  let start = 0;
  while (start < body.length) {
    const end = body.indexOf("\n", start);
    const line = (end === -1 ? body.slice(start) : body.slice(start, end)).trim();
    if (line !== "") return line;
    if (end === -1) break;
    start = end + 1;
  }
  return "";
};

export const makeClassifierInput = (raw: string): ClassifierInput => {
  const text = normalizeChatText(raw);
  const body = text.includes("@") || text.includes("#") ? text.replace(MENTION_OR_CHANNEL, "").trim() : text;
  // Links and shortcodes contain ":", channel references "#": without either there is nothing to blank out.
  const folded = (body.includes(":") || body.includes("#") ? body.replace(LINK_OR_SHORTCODE, " ") : body).toLowerCase();
  const words = (folded.includes("’") ? folded.replaceAll("’", "'") : folded).match(WORD) ?? [];
  return {
    raw,
    text,
    lower: text.toLowerCase(),
    body,
    title: body.includes("\n") ? firstLine(body) : body,
    words,
    bare: words.join(" "),
    links: text.match(LINK) ?? []
  };
};
