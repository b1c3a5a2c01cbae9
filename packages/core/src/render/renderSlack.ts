import type { OutgoingMessage } from "../ports/ChatPlatform.js";
import { type Doc, renderLine, SLACK_INLINE } from "./document.js";
import { escapeSlackPlain } from "./escape.js";
import { clip } from "./format.js";
import { SLACK_LIMITS, type SlackLimits } from "./limits.js";
import { splitText } from "./splitText.js";

/** A Block Kit block as this renderer emits them. */
export type SlackBlock =
  | { readonly type: "header"; readonly text: { readonly type: "plain_text"; readonly text: string; readonly emoji: true } }
  | { readonly type: "section"; readonly text: { readonly type: "mrkdwn"; readonly text: string } }
  | { readonly type: "context"; readonly elements: ReadonlyArray<{ readonly type: "mrkdwn"; readonly text: string }> }
  | { readonly type: "divider" };

const pieces = (text: string, limit: number): ReadonlyArray<string> =>
  splitText(text, limit)
    .map((p) => p.trimEnd())
    .filter((p) => p.trim() !== "");

const section = (text: string): SlackBlock => ({ type: "section", text: { type: "mrkdwn", text } });
const context = (text: string): SlackBlock => ({ type: "context", elements: [{ type: "mrkdwn", text }] });

const blockText = (b: SlackBlock): number =>
  b.type === "header" || b.type === "section" ? b.text.text.length : b.type === "context" ? b.elements.reduce((n, e) => n + e.text.length, 0) : 0;

/**
 * Per-block limits shrunk, if need be, so that any one block plus a continuation line always
 * fits in a message's text budget.
 */
const effective = (limits: SlackLimits): SlackLimits => {
  const messageText = Math.max(64, Math.floor(limits.messageText));
  return {
    ...limits,
    messageText,
    sectionText: Math.min(limits.sectionText, Math.floor(messageText / 2)),
    headerText: Math.min(limits.headerText, Math.floor(messageText / 8)),
    contextText: Math.min(limits.contextText, Math.floor(messageText / 4))
  };
};

const toBlocks = (doc: Doc, limits: SlackLimits): ReadonlyArray<SlackBlock> =>
  doc.blocks.flatMap((b): ReadonlyArray<SlackBlock> => {
    switch (b.k) {
      case "title": {
        const text = clip(escapeSlackPlain(`${b.emoji} ${b.text}`), limits.headerText);
        return text === "" ? [] : [{ type: "header", text: { type: "plain_text", text, emoji: true } }];
      }
      case "section": {
        const body = [...(b.heading !== undefined ? [renderLine(SLACK_INLINE, b.heading)] : []), ...b.lines.map((l) => renderLine(SLACK_INLINE, l))].join("\n");
        return pieces(body, limits.sectionText).map(section);
      }
      case "context":
        return pieces(b.lines.map((l) => renderLine(SLACK_INLINE, l)).join("\n"), limits.contextText).map(context);
      case "divider":
        return [{ type: "divider" }];
    }
  });

const withoutEdgeDividers = (blocks: ReadonlyArray<SlackBlock>): ReadonlyArray<SlackBlock> => {
  let start = 0;
  let end = blocks.length;
  while (start < end && blocks[start]?.type === "divider") start++;
  while (end > start && blocks[end - 1]?.type === "divider") end--;
  return blocks.slice(start, end);
};

/**
 * Slack messages for a document: Block Kit blocks (header, mrkdwn sections of at most
 * `sectionText` characters, context, dividers), at most `blocksPerMessage` blocks and
 * `messageText` characters of block text per message; every
 * message after the first starts with a context line saying what it continues. `text` is the
 * mrkdwn fallback Slack shows in notifications.
 */
export const renderSlackDoc = (doc: Doc, given: SlackLimits = SLACK_LIMITS): ReadonlyArray<OutgoingMessage> => {
  const limits = effective(given);
  const perMessage = Math.max(2, Math.floor(limits.blocksPerMessage));
  const groups: Array<ReadonlyArray<SlackBlock>> = [];
  let group: Array<SlackBlock> = [];
  let chars = 0;
  const flush = () => {
    const kept = withoutEdgeDividers(group);
    if (kept.length > 0) groups.push(kept);
    group = [];
    chars = 0;
  };
  for (const block of toBlocks(doc, limits)) {
    // Later messages start with a continuation line, so they keep room for one more block.
    const room = groups.length === 0 ? perMessage : perMessage - 1;
    const textRoom = groups.length === 0 ? limits.messageText : limits.messageText - limits.contextText;
    if (group.length > 0 && (group.length >= room || chars + blockText(block) > textRoom)) flush();
    group.push(block);
    chars += blockText(block);
  }
  flush();
  const continues = renderLine(SLACK_INLINE, doc.continues);
  return groups.map((blocks, i) => {
    if (i === 0) return { text: clip(renderLine(SLACK_INLINE, doc.fallback), limits.fallbackText), blocks };
    const counted = `${continues} (${i + 1}/${groups.length})`;
    const label = counted.length <= Math.min(limits.contextText, limits.fallbackText) ? counted : `↪ continued (${i + 1}/${groups.length})`;
    return { text: label, blocks: [context(label), ...blocks] };
  });
};
