/** Untrusted JSON: anything may be missing or of the wrong type. */
type Json = unknown;

const MAX_DEPTH = 12;
/** Keeps a hostile payload from turning one event into megabytes of text. */
const MAX_CHARS = 40_000;
/** Bounds the duplicate check, which compares each part with the ones kept before it. */
const MAX_PARTS = 500;
/** A shorter part inside an earlier one ("t" in "TargetDown") is a coincidence, not a repeat. */
const MIN_CONTAINED = 16;

const isRecord = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: Json): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const list = (v: Json): ReadonlyArray<Json> => (Array.isArray(v) ? v : []);

/** One rich_text leaf in Slack mrkdwn, so `normalizeChatText` can read it like message text. */
const richLeaf = (el: Record<string, Json>): string => {
  switch (el["type"]) {
    case "text":
      return typeof el["text"] === "string" ? el["text"] : "";
    case "link": {
      const url = str(el["url"]);
      if (url === undefined) return "";
      const label = str(el["text"]);
      return label === undefined ? `<${url}>` : `<${url}|${label}>`;
    }
    case "user":
      return str(el["user_id"]) !== undefined ? `<@${String(el["user_id"])}>` : "";
    case "usergroup":
      return str(el["usergroup_id"]) !== undefined ? `<!subteam^${String(el["usergroup_id"])}>` : "";
    case "channel":
      return str(el["channel_id"]) !== undefined ? `<#${String(el["channel_id"])}>` : "";
    case "broadcast":
      return str(el["range"]) !== undefined ? `<!${String(el["range"])}>` : "";
    case "emoji":
      return str(el["name"]) !== undefined ? `:${String(el["name"])}:` : "";
    case "date":
      return str(el["fallback"]) ?? "";
    default:
      return "";
  }
};

const richText = (el: Json, depth: number): string => {
  if (!isRecord(el) || depth > MAX_DEPTH) return "";
  switch (el["type"]) {
    case "rich_text_section":
    case "rich_text_preformatted":
    case "rich_text_quote":
      return list(el["elements"])
        .map((e) => (isRecord(e) ? richLeaf(e) : ""))
        .join("");
    case "rich_text_list":
      return list(el["elements"])
        .map((e) => `- ${richText(e, depth + 1)}`)
        .join("\n");
    default:
      return richLeaf(el);
  }
};

const textObject = (v: Json): string | undefined => (isRecord(v) ? str(v["text"]) : undefined);

/** Text of the Block Kit blocks people and alert tools use for content; images, dividers and buttons carry none. */
const blockTexts = (blocks: Json, depth: number): Array<string> => {
  const out: Array<string> = [];
  if (depth > MAX_DEPTH) return out;
  for (const block of list(blocks)) {
    if (!isRecord(block)) continue;
    switch (block["type"]) {
      case "rich_text": {
        const text = list(block["elements"])
          .map((e) => richText(e, depth + 1))
          .join("\n");
        if (text.trim() !== "") out.push(text);
        break;
      }
      case "section":
      case "header": {
        const text = textObject(block["text"]);
        if (text !== undefined) out.push(text);
        for (const field of list(block["fields"])) {
          const f = textObject(field);
          if (f !== undefined) out.push(f);
        }
        break;
      }
      case "context": {
        const text = list(block["elements"])
          .map(textObject)
          .filter((t): t is string => t !== undefined)
          .join(" ");
        if (text !== "") out.push(text);
        break;
      }
      case "markdown": {
        const text = str(block["text"]);
        if (text !== undefined) out.push(text);
        break;
      }
      default:
        break;
    }
  }
  return out;
};

/** Legacy attachments (Alertmanager's and Grafana's Slack notifiers use them), `fallback` only when nothing richer is there. */
const attachmentTexts = (attachments: Json, depth: number): Array<string> => {
  const out: Array<string> = [];
  for (const a of list(attachments)) {
    if (!isRecord(a)) continue;
    const parts: Array<string> = [];
    for (const key of ["pretext", "title", "text"]) {
      const v = str(a[key]);
      if (v !== undefined) parts.push(v);
    }
    for (const field of list(a["fields"])) {
      if (!isRecord(field)) continue;
      const title = str(field["title"]);
      const value = str(field["value"]);
      if (title !== undefined && value !== undefined) parts.push(`${title}: ${value}`);
      else if (title !== undefined || value !== undefined) parts.push(title ?? value ?? "");
    }
    parts.push(...blockTexts(a["blocks"], depth + 1));
    if (parts.length === 0) {
      const fallback = str(a["fallback"]);
      if (fallback !== undefined) parts.push(fallback);
    }
    out.push(...parts);
  }
  return out;
};

const squash = (s: string): string => s.replace(/\s+/g, " ").trim();

/**
 * Everything a person would read in a Slack message: `text`, then attachments, then blocks,
 * one part per line. Parts an earlier part already says are dropped, because Slack sends
 * typed text both as `text` and as a `rich_text` block, and attachments often repeat the
 * message. Never throws, whatever the input.
 */
export const extractSlackText = (message: Json): string => {
  if (!isRecord(message)) return "";
  const candidates = [str(message["text"]) ?? "", ...attachmentTexts(message["attachments"], 0), ...blockTexts(message["blocks"], 0)];
  const kept: Array<string> = [];
  const seen: Array<string> = [];
  let length = 0;
  for (const part of candidates.slice(0, MAX_PARTS)) {
    const key = squash(part);
    if (key === "" || seen.some((s) => s === key || (key.length >= MIN_CONTAINED && s.includes(key)))) continue;
    const trimmed = part.trim();
    const room = MAX_CHARS - length;
    if (room <= 0) break;
    const piece = trimmed.length > room ? trimmed.slice(0, room) : trimmed;
    kept.push(piece);
    seen.push(key);
    length += piece.length + 1;
  }
  return kept.join("\n");
};
