import { codeDiscord, codeMarkdown, codeSlack, escapeDiscord, escapeMarkdown, escapeSlack, safeUrl } from "./escape.js";
import { formatUtc } from "./format.js";

/**
 * A dialect-neutral report layout. Plain strings are untrusted and escaped by each dialect;
 * only `raw` text (emoji, bullets, separators written here) goes out verbatim.
 */
export type Inline =
  | string
  | { readonly k: "raw"; readonly v: string }
  | { readonly k: "strong"; readonly c: ReadonlyArray<Inline> }
  | { readonly k: "em"; readonly c: ReadonlyArray<Inline> }
  | { readonly k: "code"; readonly v: string }
  | { readonly k: "link"; readonly label: string; readonly url: string }
  | { readonly k: "time"; readonly ms: number; readonly style: "full" | "time" };

export type Line = ReadonlyArray<Inline>;

export type DocBlock =
  | { readonly k: "title"; readonly emoji: string; readonly text: string }
  | { readonly k: "section"; readonly heading?: Line; readonly lines: ReadonlyArray<Line> }
  | { readonly k: "context"; readonly lines: ReadonlyArray<Line> }
  | { readonly k: "divider" };

export interface Doc {
  readonly blocks: ReadonlyArray<DocBlock>;
  /** One line for notifications and previews. */
  readonly fallback: Line;
  /** What a continuation message says it continues. */
  readonly continues: Line;
}

export const raw = (v: string): Inline => ({ k: "raw", v });
export const strong = (...c: ReadonlyArray<Inline>): Inline => ({ k: "strong", c });
export const em = (...c: ReadonlyArray<Inline>): Inline => ({ k: "em", c });
export const code = (v: string): Inline => ({ k: "code", v });
export const link = (label: string, url: string): Inline => ({ k: "link", label, url });
export const time = (ms: number, style: "full" | "time" = "full"): Inline => ({ k: "time", ms, style });

/** How one dialect writes inline markup. */
export interface InlineDialect {
  readonly text: (s: string) => string;
  readonly strong: (inner: string) => string;
  readonly em: (inner: string) => string;
  readonly code: (s: string) => string;
  readonly link: (label: string, url: string) => string;
  readonly time: (ms: number, style: "full" | "time") => string;
}

const validSeconds = (ms: number): number | undefined =>
  Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15 ? Math.floor(ms / 1000) : undefined;

const utcTime = (ms: number): string => formatUtc(ms).slice(11);

const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

export const SLACK_INLINE: InlineDialect = {
  text: escapeSlack,
  strong: (inner) => (inner.trim() === "" ? inner : `*${inner}*`),
  em: (inner) => (inner.trim() === "" ? inner : `_${inner}_`),
  code: codeSlack,
  link: (label, url) => {
    const safe = safeUrl(url);
    const text = escapeSlack(oneLine(label).trim() === "" ? url : oneLine(label));
    if (safe === undefined) return `${text} (${escapeSlack(oneLine(url))})`;
    return `<${safe.replace(/&/g, "&amp;")}|${text}>`;
  },
  time: (ms, style) => {
    const s = validSeconds(ms);
    if (s === undefined) return "unknown time";
    return style === "full"
      ? `<!date^${s}^{date_short_pretty} {time_secs}|${formatUtc(ms)}>`
      : `<!date^${s}^{time_secs}|${utcTime(ms)}>`;
  }
};

export const DISCORD_INLINE: InlineDialect = {
  text: escapeDiscord,
  strong: (inner) => (inner.trim() === "" ? inner : `**${inner}**`),
  em: (inner) => (inner.trim() === "" ? inner : `*${inner}*`),
  code: codeDiscord,
  // Never a masked link: the label is untrusted, so the real address is always shown.
  link: (label, url) => {
    const safe = safeUrl(url);
    const text = escapeDiscord(oneLine(label));
    if (safe === undefined) return `${text} (${escapeDiscord(oneLine(url))})`;
    return text.trim() === "" || label.trim() === url.trim() ? `<${safe}>` : `${text}: <${safe}>`;
  },
  time: (ms, style) => {
    const s = validSeconds(ms);
    return s === undefined ? "unknown time" : `<t:${s}:${style === "full" ? "f" : "T"}>`;
  }
};

export const MARKDOWN_INLINE: InlineDialect = {
  text: (s) => escapeMarkdown(s).replace(/\n/g, "  \n"),
  strong: (inner) => (inner.trim() === "" ? inner : `**${inner}**`),
  em: (inner) => (inner.trim() === "" ? inner : `*${inner}*`),
  code: codeMarkdown,
  link: (label, url) => {
    const safe = safeUrl(url);
    const text = escapeMarkdown(oneLine(label).trim() === "" ? url : oneLine(label));
    return safe === undefined ? `${text} (${escapeMarkdown(oneLine(url))})` : `[${text}](${safe})`;
  },
  time: (ms, style) => (style === "full" ? formatUtc(ms) : utcTime(ms))
};

export const renderInline = (d: InlineDialect, inline: Inline): string => {
  if (typeof inline === "string") return d.text(inline);
  switch (inline.k) {
    case "raw":
      return inline.v;
    case "strong":
      return d.strong(renderLine(d, inline.c));
    case "em":
      return d.em(renderLine(d, inline.c));
    case "code":
      return d.code(inline.v);
    case "link":
      return d.link(inline.label, inline.url);
    case "time":
      return d.time(inline.ms, inline.style);
  }
};

export const renderLine = (d: InlineDialect, line: Line): string => line.map((i) => renderInline(d, i)).join("");

/** The visible words of a line without markup, for plain-text places (Slack headers). */
export const plainLine = (line: Line): string =>
  line
    .map((i): string => {
      if (typeof i === "string") return i;
      switch (i.k) {
        case "raw":
        case "code":
          return i.v;
        case "strong":
        case "em":
          return plainLine(i.c);
        case "link":
          return i.label;
        case "time":
          return formatUtc(i.ms);
      }
    })
    .join("");
