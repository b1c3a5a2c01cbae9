import type { OutgoingMessage } from "../ports/ChatPlatform.js";
import { DISCORD_INLINE, type Doc, renderLine } from "./document.js";
import { escapeDiscord } from "./escape.js";
import { clip } from "./format.js";
import { DISCORD_LIMITS, type DiscordLimits } from "./limits.js";
import { splitText } from "./splitText.js";

/** Room for `-# `, ` (123/456)` and the line break around the continuation line. */
const CONTINUATION_OVERHEAD = 20;

const segments = (doc: Doc): ReadonlyArray<string> => {
  const out: Array<string> = [];
  for (const b of doc.blocks) {
    switch (b.k) {
      case "title":
        out.push(`## ${b.emoji} ${escapeDiscord(clip(b.text, 250))}`);
        break;
      case "context": {
        const text = b.lines.map((l) => `-# ${renderLine(DISCORD_INLINE, l).replace(/\n/g, " ")}`).join("\n");
        // Sub-text right under the title reads as its caption.
        const last = out.length - 1;
        if (last >= 0 && out[last]?.startsWith("## ") === true) out[last] = `${out[last]}\n${text}`;
        else out.push(text);
        break;
      }
      case "section":
        out.push([...(b.heading !== undefined ? [renderLine(DISCORD_INLINE, b.heading)] : []), ...b.lines.map((l) => renderLine(DISCORD_INLINE, l))].join("\n"));
        break;
      case "divider":
        break;
    }
  }
  return out;
};

/**
 * Discord messages for a document, each at most `messageLength` characters. Blocks are kept
 * whole when they fit; a longer one is cut by `splitText`. Messages after the first start
 * with a sub-text line saying what they continue.
 */
export const renderDiscordDoc = (doc: Doc, limits: DiscordLimits = DISCORD_LIMITS): ReadonlyArray<OutgoingMessage> => {
  const max = Math.max(1, Math.floor(limits.messageLength));
  const rendered = renderLine(DISCORD_INLINE, doc.continues).replace(/\n/g, " ");
  // Under a tiny limit the continuation line is dropped rather than crowd out the content.
  const continues = rendered.length + CONTINUATION_OVERHEAD <= max / 4 ? rendered : "";
  const reserve = continues === "" ? 0 : continues.length + CONTINUATION_OVERHEAD;
  const budget = Math.max(8, max - reserve);
  const messages: Array<string> = [];
  let current = "";
  for (const segment of segments(doc)) {
    for (const piece of splitText(segment, budget)) {
      const trimmed = piece.trimEnd();
      if (trimmed.trim() === "") continue;
      if (current === "") current = trimmed;
      else if (current.length + 2 + trimmed.length <= budget) current = `${current}\n\n${trimmed}`;
      else {
        messages.push(current);
        current = trimmed;
      }
    }
  }
  if (current !== "") messages.push(current);
  return messages.map((text, i) => ({ text: i === 0 || continues === "" ? text : `-# ${continues} (${i + 1}/${messages.length})\n${text}` }));
};
