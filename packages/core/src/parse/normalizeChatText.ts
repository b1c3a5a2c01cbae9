/** Anything the whitespace passes would change: a tab, a no-break space, two spaces, or a line break. */
const SPACING = /[\t\u00a0\n]| {2}/;

/**
 * Turns Slack mrkdwn / Discord markup into plain text an investigator (or the classifier)
 * can read: user and role mentions disappear, channel links become `#name`, broadcast
 * mentions become `@here`/`@channel`/`@everyone`, links keep their label and URL, and
 * HTML entities Slack escapes are decoded. Runs in linear time on any input.
 */
export const normalizeChatText = (raw: string): string => {
  const text = raw.includes("<") ? raw.replace(/<([^<>\n]{1,2000})>/g, (_whole, inner: string) => replaceAngle(inner)) : raw;
  const decoded = text.includes("&") ? decodeEntities(text) : text;
  // Most chat lines have single spaces and no line breaks: skip the two whitespace passes for them.
  if (!SPACING.test(decoded)) return decoded.trim();
  return decoded
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .trim();
};

const replaceAngle = (inner: string): string => {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  // Slack: <@U123>, <@U123|name>; Discord: <@123>, <@!123>, <@&123>
  if (/^@[!&]?[A-Za-z0-9]+$/.test(target)) return "";
  // Slack: <#C123|general>; Discord: <#123>
  if (target.startsWith("#")) return label !== undefined && label !== "" ? `#${label}` : "#channel";
  // Slack: <!here>, <!channel>, <!everyone>, <!subteam^S1|@sre>, <!date^…|fallback>
  if (target.startsWith("!")) {
    const name = target.slice(1);
    if (name === "here" || name === "channel" || name === "everyone") return `@${name}`;
    return label ?? "";
  }
  // Discord custom emoji <:name:id> / <a:name:id>, timestamps <t:123:R>
  const emoji = /^a?:([A-Za-z0-9_~-]+):\d+$/.exec(inner);
  if (emoji) return `:${emoji[1]}:`;
  if (/^t:-?\d+(:[tTdDfFR])?$/.test(inner)) return `<${inner}>`;
  // Links: <https://x|label>, <mailto:a@b|a@b>, <https://x>
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (label === undefined || label === "" || label === target) return target;
    return `${label} (${target})`;
  }
  return `<${inner}>`;
};

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

const decodeEntities = (text: string): string =>
  text.replace(/&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-z]{2,6});/g, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name] ?? whole;
  });
