/**
 * Escaping of untrusted text (alert bodies, log lines, agent output) for each dialect. Every
 * function here is total: any string in, a string out that renders as the same visible text
 * and can neither ping a crowd, open a link under a fake label, nor take over the layout.
 */

const ZWSP = "\u200b";

/** Line breaks as `\n`; a CR alone would be drawn as a break by some clients and not others. */
export const normalizeNewlines = (text: string): string => text.replace(/\r\n?/g, "\n");

/** `@everyone`, `@here` and `@channel`, in any case, broken with a zero-width space. */
const neutraliseBroadcasts = (text: string): string => text.replace(/@(everyone|here|channel)/gi, `@${ZWSP}$1`);

/**
 * Slack mrkdwn: `&`, `<` and `>` become entities, so `<!channel>`, `<@U123>` and
 * `<https://evil|label>` are shown, not parsed. Broadcast words are broken for clients that
 * link names, and runs of three backticks or tildes are broken so quoted text cannot open a code block.
 */
export const escapeSlack = (text: string): string =>
  neutraliseBroadcasts(
    normalizeNewlines(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/([`~])(?=\1\1)/g, `$1${ZWSP}`)
  );

/** Slack `plain_text` (header blocks): no entities are decoded there, so tokens are broken instead. */
export const escapeSlackPlain = (text: string): string => neutraliseBroadcasts(text.replace(/</g, `<${ZWSP}`));

interface MarkdownFlavor {
  /** What `<` becomes outside URLs. */
  readonly lt: string;
  /** Whether `&name;` would be decoded as an entity. */
  readonly entities: boolean;
  readonly broadcasts: boolean;
}

const DISCORD: MarkdownFlavor = { lt: `<${ZWSP}`, entities: false, broadcasts: true };
const GFM: MarkdownFlavor = { lt: "\\<", entities: true, broadcasts: false };

/**
 * Bare URLs stay unescaped so clients still link them (a backslash would become part of the
 * link). The character class excludes everything that could close or open markup around it.
 */
const URL_RE = /https?:\/\/[^\s<>[\]()`\\"'*|~{}^]+/gi;
const URL_TRAILING = /[.,:;!?_]+$/;

const INLINE_RE = /[\\`*~|[\]<]|&(?=#?[a-z0-9]{1,32};)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/gi;

const escapeInline = (text: string, flavor: MarkdownFlavor): string =>
  text.replace(INLINE_RE, (c) => (c === "<" ? flavor.lt : c === "&" ? (flavor.entities ? "\\&" : "&") : `\\${c}`));

const escapeWithUrls = (text: string, flavor: MarkdownFlavor): string => {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(URL_TRAILING, "");
    if (url.length <= "https://".length) continue;
    out += escapeInline(text.slice(last, m.index), flavor) + url;
    last = m.index + url.length;
  }
  return out + escapeInline(text.slice(last), flavor);
};

/** A character that starts a heading, list, quote, setext underline or sub-text at a line start. */
const BLOCK_MARKER = /^([ \t]*)(?:([#>+=-])|(\d{1,9})([.)]))/;

const escapeMarkdownLine = (line: string, flavor: MarkdownFlavor): string => {
  const m = BLOCK_MARKER.exec(line);
  if (m === null) return escapeWithUrls(line, flavor);
  const [whole, indent = "", marker, digits, dot] = m;
  const escapedMarker = marker !== undefined ? `\\${marker}` : `${digits ?? ""}\\${dot ?? ""}`;
  return indent + escapedMarker + escapeWithUrls(line.slice(whole.length), flavor);
};

const escapeMarkdownFlavor = (text: string, flavor: MarkdownFlavor): string => {
  const escaped = normalizeNewlines(text)
    .split("\n")
    .map((line) => escapeMarkdownLine(line, flavor))
    .join("\n");
  return flavor.broadcasts ? neutraliseBroadcasts(escaped) : escaped;
};

/**
 * Discord markdown: markup characters are backslash-escaped (so `[label](http://evil)` is
 * shown, not masked), `<` is broken so `<@id>`, `<#id>`, `<t:…>` and `<:emoji:id>` stay text,
 * and `@everyone` / `@here` are broken with a zero-width space.
 */
export const escapeDiscord = (text: string): string => escapeMarkdownFlavor(text, DISCORD);

/** GitHub-flavoured Markdown: markup, HTML and entities are escaped; URLs stay linkable. */
export const escapeMarkdown = (text: string): string => escapeMarkdownFlavor(text, GFM);

const singleLine = (text: string): string => normalizeNewlines(text).replace(/\n+/g, " ");

/** Inline code in Slack: backticks cannot be escaped there, so they become a look-alike. */
export const codeSlack = (text: string): string => {
  const v = singleLine(text).replace(/`/g, "ˋ");
  return v.trim() === "" ? escapeSlack(v) : `\`${escapeSlack(v)}\``;
};

const codeSpan = (text: string, flavor: MarkdownFlavor): string => {
  const v = singleLine(text);
  if (v.trim() === "" || /``/.test(v)) return escapeMarkdownFlavor(v, flavor);
  const guarded = flavor.broadcasts ? neutraliseBroadcasts(v.replace(/<(?=[@#!:/]|[ta]:)/g, `<${ZWSP}`)) : v;
  return v.includes("`") ? `\`\` ${guarded} \`\`` : `\`${guarded}\``;
};

/** Inline code in Discord. */
export const codeDiscord = (text: string): string => codeSpan(text, DISCORD);

/** Inline code in GitHub-flavoured Markdown. */
export const codeMarkdown = (text: string): string => codeSpan(text, GFM);

/**
 * A URL fit to sit inside `<…>` or `(…)` markup, or undefined when it is not a web or mail
 * link (a `javascript:` URL is shown as text, never linked).
 */
export const safeUrl = (url: string): string | undefined => {
  const trimmed = url.trim();
  if (!/^(?:https?:\/\/[^/\s]|mailto:)/i.test(trimmed)) return undefined;
  return (
    trimmed
      .replace(/[\s<>|()[\]`"\\^{}\u0000-\u001f\u007f]/g, (c) =>
        c.charCodeAt(0) < 0x80 ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}` : encodeURIComponent(c)
      )
      // `@everyone` inside a link target pings on Discord (the random-seed property run found a deep link ending `&y=2@everyone`):
      // percent-encoded, the link opens the same page and pings nobody.
      .replace(/@(?=(?:everyone|here|channel)(?![\p{L}\p{N}_]))/giu, "%40")
  );
};
