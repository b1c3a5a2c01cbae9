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
   * `text` without `@here`/`@channel`/`@handle` mentions, case kept. Alert-tool formats match
   * here, so a broadcast mention in front of an alert changes nothing.
   */
  readonly body: string;
  /** Lower-case words of `body`, without links and `:emoji:` shortcodes; `’` is folded to `'`. */
  readonly words: ReadonlyArray<string>;
  /** `words` joined by single spaces: anchored conversational patterns match here. */
  readonly bare: string;
  /** The http(s) URLs in `text`, in order. */
  readonly links: ReadonlyArray<string>;
}

const MENTION = /(?<![\p{L}\p{N}_.+-])@[\p{L}\p{N}_][\p{L}\p{N}_.-]*/gu;
const LINK = /\bhttps?:\/\/[^\s<>"'`|()[\]{}]+/gi;
const LINK_OR_SHORTCODE = /\bhttps?:\/\/[^\s<>"'`|()[\]{}]+|:[a-z0-9_+'-]{1,64}:/gi;
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

export const makeClassifierInput = (raw: string): ClassifierInput => {
  const text = normalizeChatText(raw);
  const body = text.includes("@") ? text.replace(MENTION, "").trim() : text;
  const folded = body.replace(LINK_OR_SHORTCODE, " ").toLowerCase();
  const words = (folded.includes("’") ? folded.replaceAll("’", "'") : folded).match(WORD) ?? [];
  return {
    raw,
    text,
    lower: text.toLowerCase(),
    body,
    words,
    bare: words.join(" "),
    links: text.match(LINK) ?? []
  };
};
