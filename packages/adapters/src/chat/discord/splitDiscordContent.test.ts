import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neutraliseBroadcastMentions } from "./neutraliseBroadcastMentions.js";
import { DISCORD_MESSAGE_LIMIT, isFenceLine, splitDiscordContent, splitDiscordContentPieces } from "./splitDiscordContent.js";

const fenceLines = (content: string) => content.split("\n").filter(isFenceLine).length;

const char = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("a", "b", " ", "`", "x", "1", ":") },
  { weight: 1, arbitrary: fc.constantFrom("😀", "é", "\u200b", "@everyone", "\t") }
);
const line = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("```", "```yaml", "  ```", "```json", "", "- item", "**Severity:** critical") },
  { weight: 4, arbitrary: fc.array(char, { maxLength: 120 }).map((cs) => cs.join("")) },
  { weight: 1, arbitrary: fc.array(char, { minLength: 1500, maxLength: 4500 }).map((cs) => cs.join("")) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom("😀", "a", "`"), { minLength: 1500, maxLength: 4500 }).map((cs) => cs.join("")) }
);
const text = fc.array(line, { maxLength: 120 }).map((ls) => ls.join("\n"));

const isSurrogateSplit = (s: string) => {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return (first >= 0xdc00 && first <= 0xdfff) || (last >= 0xd800 && last <= 0xdbff);
};

describe("splitDiscordContent", () => {
  it("leaves a message that fits alone", () => {
    const t = "**[FIRING:1] HighErrorRate**\n```\nrate > 5%\n```";
    expect(splitDiscordContent(t)).toEqual([t]);
  });

  it("cuts between lines and re-opens a code block cut in two with its fence line", () => {
    const block = Array.from({ length: 120 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const t = `Evidence:\n\`\`\`yaml\n${block}\n\`\`\`\nDone.`;
    const chunks = splitDiscordContent(t);
    expect(chunks.length).toBe(2);
    expect(chunks[0]?.endsWith("\n```")).toBe(true);
    expect(chunks[1]?.startsWith("```yaml\nline ")).toBe(true);
    expect(chunks[1]?.endsWith("```\nDone.")).toBe(true);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
      expect(fenceLines(c) % 2).toBe(0);
      for (const l of c.split("\n")) expect(l.startsWith("line ") || !/^line/.test(l)).toBe(true);
    }
  });

  it("cuts a line longer than a message after a space", () => {
    const words = Array.from({ length: 600 }, (_, i) => `w${i}`).join(" ");
    const chunks = splitDiscordContent(words);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks.slice(0, -1)) expect(c.endsWith(" ")).toBe(true);
    expect(chunks.join("")).toBe(words);
  });

  it("never starts a continued line with a fence", () => {
    const t = `${"a".repeat(1999)}\`\`\`sh oops`;
    const chunks = splitDiscordContent(t);
    for (const c of chunks) expect(fenceLines(c) % 2).toBe(0);
  });

  it("property: pieces put together give the text back; each message fits, keeps its fences balanced and never splits a surrogate pair", () => {
    fc.assert(
      fc.property(text, fc.constantFrom(DISCORD_MESSAGE_LIMIT, 1000, 512), (t, limit) => {
        const pieces = splitDiscordContentPieces(t, limit);
        expect(pieces.map((p) => p.slice).join("")).toBe(t);
        for (const p of pieces) {
          expect(p.content.length).toBeLessThanOrEqual(limit);
          expect(fenceLines(p.content) % 2).toBe(0);
          if (p.slice.length > 0) expect(isSurrogateSplit(p.slice)).toBe(false);
          const body = p.slice.endsWith("\n") ? p.slice.slice(0, -1) : p.slice;
          expect(p.content).toBe(`${p.reopened === undefined ? "" : `${p.reopened}\n`}${p.guarded ? "\u200b" : ""}${body}${p.closed ? "\n```" : ""}`);
        }
        for (const c of splitDiscordContent(t, limit)) {
          expect(c.length).toBeLessThanOrEqual(limit);
          expect(c.trim()).not.toBe("");
        }
      }),
      { numRuns: 300 }
    );
  });
});

describe("neutraliseBroadcastMentions", () => {
  it("breaks @everyone and @here so they cannot ping", () => {
    const out = neutraliseBroadcastMentions("@everyone the db is down, @here too (email: ops@herebymail.io)");
    expect(out).not.toMatch(/@everyone|@here/);
    expect(out).toContain("@\u200beveryone");
    expect(out).toContain("@\u200bhere");
  });

  it("property: no broadcast mention survives, it is idempotent, and only zero-width spaces are added", () => {
    const s = fc.array(fc.oneof(fc.constantFrom("@everyone", "@here", "@", "every", "one", "here", "@\u200bhere"), fc.string({ maxLength: 5 })), { maxLength: 30 }).map((a) => a.join(""));
    fc.assert(
      fc.property(s, (t) => {
        const out = neutraliseBroadcastMentions(t);
        expect(out).not.toMatch(/@(everyone|here)/);
        expect(neutraliseBroadcastMentions(out)).toBe(out);
        expect(out.replaceAll("\u200b", "")).toBe(t.replaceAll("\u200b", ""));
      }),
      { numRuns: 500 }
    );
  });
});
