import { type Doc, MARKDOWN_INLINE, renderLine } from "./document.js";
import { escapeMarkdown } from "./escape.js";

/** Headings are bold already. */
const HEADING_INLINE = { ...MARKDOWN_INLINE, strong: (inner: string) => inner };

/** Hard line break, so lines of one block stay lines instead of merging into a paragraph. */
const BR = "  \n";

/** GitHub-flavoured Markdown for terminals and files: one document, no length limit. */
export const renderMarkdownDoc = (doc: Doc): string =>
  doc.blocks
    .flatMap((b): ReadonlyArray<string> => {
      switch (b.k) {
        case "title":
          return [`# ${b.emoji} ${escapeMarkdown(b.text.replace(/\s+/g, " "))}`];
        case "context":
          return [b.lines.map((l) => renderLine(MARKDOWN_INLINE, l)).join(BR)];
        case "section":
          return [
            [...(b.heading !== undefined ? [`### ${renderLine(HEADING_INLINE, b.heading)}`] : []), b.lines.map((l) => renderLine(MARKDOWN_INLINE, l)).join(BR)]
              .filter((s) => s !== "")
              .join("\n\n")
          ];
        case "divider":
          return ["---"];
      }
    })
    .join("\n\n") + "\n";
