/**
 * The renderers' limits and splitting at their edges, with limits far below the production
 * ones so that every budget is reached with small documents (issue #16, mutation survivors).
 */
import { describe, expect, it } from "vitest";
import type { Doc, DocBlock, Line } from "./document.js";
import type { SlackLimits } from "./limits.js";
import { renderDiscordDoc } from "./renderDiscord.js";
import { renderSlackDoc, type SlackBlock } from "./renderSlack.js";
import { MIN_SPLIT_LIMIT, splitText, splitTextParts, type TextChunk } from "./splitText.js";

const doc = (blocks: ReadonlyArray<DocBlock>, continues: Line = ["the report"], fallback: Line = ["fallback"]): Doc => ({ blocks, fallback, continues });
const section = (...lines: ReadonlyArray<string>): DocBlock => ({ k: "section", lines: lines.map((l) => [l]) });
const context = (...lines: ReadonlyArray<string>): DocBlock => ({ k: "context", lines: lines.map((l) => [l]) });
const divider: DocBlock = { k: "divider" };

const WIDE: SlackLimits = { sectionText: 3000, headerText: 150, contextText: 2000, blocksPerMessage: 50, messageText: 10_000, fallbackText: 3000 };
const limits = (l: Partial<SlackLimits>): SlackLimits => ({ ...WIDE, ...l });

const textOf = (b: SlackBlock): string =>
  b.type === "header" || b.type === "section" ? b.text.text : b.type === "context" ? b.elements.map((e) => e.text).join("") : "";
const blocksOf = (m: { readonly blocks?: ReadonlyArray<unknown> }) => (m.blocks ?? []) as ReadonlyArray<SlackBlock>;
const blockText = (m: { readonly blocks?: ReadonlyArray<unknown> }) => blocksOf(m).reduce((n, b) => n + textOf(b).length, 0);

describe("renderSlackDoc — blocks", () => {
  it("gives a section of blank lines no block, and cuts trailing blanks but not indentation", () => {
    const [m] = renderSlackDoc(doc([section("first"), section("   ", "  "), section("  indented   ", "")]));
    expect(blocksOf(m ?? { text: "" }).map(textOf)).toEqual(["first", "  indented"]);
  });

  it("leaves out a title with nothing visible, and keeps a title's emoji and text", () => {
    const [m] = renderSlackDoc(doc([{ k: "title", emoji: "", text: "   " }, section("body")]));
    expect(blocksOf(m ?? { text: "" })).toEqual([{ type: "section", text: { type: "mrkdwn", text: "body" } }]);
    const [t] = renderSlackDoc(doc([{ k: "title", emoji: "🔴", text: "Disk full" }]));
    expect(blocksOf(t ?? { text: "" })).toEqual([{ type: "header", text: { type: "plain_text", text: "🔴 Disk full", emoji: true } }]);
  });

  it("puts a section's heading on its first line and a context's lines in one element", () => {
    const [m] = renderSlackDoc(doc([{ k: "section", heading: ["Heading"], lines: [["one"], ["two"]] }, context("c1", "c2"), divider, section("after")]));
    expect(blocksOf(m ?? { text: "" })).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "Heading\none\ntwo" } },
      { type: "context", elements: [{ type: "mrkdwn", text: "c1\nc2" }] },
      { type: "divider" },
      { type: "section", text: { type: "mrkdwn", text: "after" } }
    ]);
  });

  it("never starts or ends a message with a divider, and keeps dividers between blocks", () => {
    const out = renderSlackDoc(doc([divider, divider, section("a"), divider, section("b"), divider, divider]));
    expect(out).toHaveLength(1);
    expect(blocksOf(out[0] ?? { text: "" }).map((b) => b.type)).toEqual(["section", "divider", "section"]);
    // Dividers only: nothing to post.
    expect(renderSlackDoc(doc([divider, divider]))).toEqual([]);
  });
});

describe("renderSlackDoc — limits", () => {
  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

  it("shrinks the block limits to fit a small message budget: a section to half, a header to an eighth, a context to a quarter", () => {
    const out = renderSlackDoc(doc([{ k: "title", emoji: "🔴", text: words(40) }, context(words(40)), section(words(200))]), limits({ messageText: 200 }));
    const all = out.flatMap((m) => blocksOf(m));
    const header = all.find((b) => b.type === "header");
    expect(textOf(header!).length).toBeLessThanOrEqual(25);
    expect(textOf(header!).length).toBeGreaterThan(20);
    for (const b of all.filter((b) => b.type === "section")) expect(textOf(b).length).toBeLessThanOrEqual(100);
    expect(Math.max(...all.filter((b) => b.type === "section").map((b) => textOf(b).length))).toBeGreaterThan(90);
    // The first context is the document's own (later ones are continuation lines).
    const ctx = all.filter((b) => b.type === "context").map(textOf);
    expect(ctx[0]!.length).toBeLessThanOrEqual(50);
    expect(ctx[0]!.length).toBeGreaterThan(40);
    for (const m of out) expect(blockText(m)).toBeLessThanOrEqual(200);
  });

  it("raises a message budget below 64 characters to 64", () => {
    const out = renderSlackDoc(doc([section(words(60))]), limits({ messageText: 10 }));
    const sections = out.flatMap((m) => blocksOf(m)).filter((b) => b.type === "section");
    expect(Math.max(...sections.map((b) => textOf(b).length))).toBeGreaterThan(20);
    for (const b of sections) expect(textOf(b).length).toBeLessThanOrEqual(32);
  });

  it("fills a message up to exactly its text budget, and leaves room for the continuation line after the first", () => {
    const hundred = (c: string) => section(c.repeat(100));
    // messageText 200: sections of at most 100, a continuation line of at most 50.
    const out = renderSlackDoc(doc([hundred("a"), hundred("b"), hundred("c"), hundred("d"), hundred("e")], ["x"]), limits({ messageText: 200 }));
    expect(out.map((m) => blocksOf(m).map((b) => (b.type === "section" ? textOf(b).charAt(0) : b.type)))).toEqual([
      ["a", "b"],
      ["context", "c"],
      ["context", "d"],
      ["context", "e"]
    ]);
    for (const m of out) expect(blockText(m)).toBeLessThanOrEqual(200);
  });

  it("counts a context block's text against the message budget", () => {
    const out = renderSlackDoc(doc([context("c".repeat(50)), section("a".repeat(100)), section("b".repeat(100))]), limits({ messageText: 200 }));
    expect(out).toHaveLength(2);
    for (const m of out) expect(blockText(m)).toBeLessThanOrEqual(200);
  });

  it("counts a header's text against the message budget", () => {
    const out = renderSlackDoc(doc([{ k: "title", emoji: "🔴", text: "t".repeat(40) }, section("a".repeat(100)), section("b".repeat(100))]), limits({ messageText: 200 }));
    expect(out).toHaveLength(2);
    for (const m of out) expect(blockText(m)).toBeLessThanOrEqual(200);
  });

  it("puts at least two blocks in a message however low the block limit", () => {
    const out = renderSlackDoc(doc([section("a"), section("b"), section("c"), section("d")]), limits({ blocksPerMessage: 1 }));
    expect(out.map((m) => blocksOf(m).map((b) => (b.type === "section" ? textOf(b) : b.type)))).toEqual([
      ["a", "b"],
      ["context", "c"],
      ["context", "d"]
    ]);
  });

  it("keeps the block limit, continuation line included", () => {
    const out = renderSlackDoc(doc(Array.from({ length: 11 }, (_, i) => section(`s${i}`))), limits({ blocksPerMessage: 4 }));
    // 4, then a continuation line and 3 more each time.
    expect(out.map((m) => blocksOf(m).length)).toEqual([4, 4, 4, 2]);
  });

  it("numbers continuation messages and gives the first the clipped fallback", () => {
    const out = renderSlackDoc(doc([section("a"), section("b"), section("c")], ["the report"], ["f".repeat(50)]), limits({ blocksPerMessage: 2, fallbackText: 20 }));
    expect(out.map((m) => m.text)).toEqual([`${"f".repeat(19)}…`, "the report (2/2)"]);
    expect(blocksOf(out[1]!)[0]).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: "the report (2/2)" }] });
  });

  it("uses the counted continuation line when it fits exactly, and a short one when it fits neither the context nor the fallback limit", () => {
    const three = doc([section("a"), section("b"), section("c")], ["abcdefghi"]);
    // "abcdefghi (2/2)" is 15 characters.
    expect(renderSlackDoc(three, limits({ blocksPerMessage: 2, contextText: 15 }))[1]?.text).toBe("abcdefghi (2/2)");
    expect(renderSlackDoc(three, limits({ blocksPerMessage: 2, contextText: 14 }))[1]?.text).toBe("↪ continued (2/2)");
    expect(renderSlackDoc(three, limits({ blocksPerMessage: 2, fallbackText: 15 }))[1]?.text).toBe("abcdefghi (2/2)");
    expect(renderSlackDoc(three, limits({ blocksPerMessage: 2, fallbackText: 14 }))[1]?.text).toBe("↪ continued (2/2)");
  });
});

describe("renderDiscordDoc", () => {
  it("writes a context line's line breaks as spaces, and sets it apart unless it captions the title", () => {
    const [m] = renderDiscordDoc(doc([section("body"), context("first\nsecond")]));
    expect(m?.text).toBe("body\n\n-# first second");
    const [t] = renderDiscordDoc(doc([{ k: "title", emoji: "🔴", text: "Title" }, context("caption", "second caption")]));
    expect(t?.text).toBe("## 🔴 Title\n-# caption\n-# second caption");
  });

  it("posts nothing for a document with nothing visible", () => {
    expect(renderDiscordDoc(doc([divider, section("   "), divider]))).toEqual([]);
  });

  it("writes a continuation line's line breaks as spaces", () => {
    const out = renderDiscordDoc(doc([section("a".repeat(70)), section("b".repeat(70))], ["the\nreport"]), { messageLength: 160 });
    expect(out.map((m) => m.text)).toEqual(["a".repeat(70), `-# the report (2/2)\n${"b".repeat(70)}`]);
  });

  it("clips a title to 250 characters", () => {
    const [m] = renderDiscordDoc(doc([{ k: "title", emoji: "🔴", text: "t".repeat(400) }]));
    expect(m?.text).toBe(`## 🔴 ${"t".repeat(249)}…`);
  });

  it("joins blocks with a blank line, leaves out blank pieces, and cuts trailing blanks but not indentation", () => {
    const [m, ...rest] = renderDiscordDoc(doc([{ k: "section", heading: ["Heading"], lines: [["one"]] }, section("   "), divider, section("   indented   ")]));
    expect(rest).toEqual([]);
    expect(m?.text).toBe("Heading\none\n\n   indented");
  });

  it("joins two blocks that fit the message exactly, and no more", () => {
    // The continuation line is too long for a 30-character message, so the whole message is the budget.
    const long = ["c".repeat(40)];
    expect(renderDiscordDoc(doc([section("a".repeat(14)), section("b".repeat(14))], long), { messageLength: 30 }).map((m) => m.text)).toEqual([`${"a".repeat(14)}\n\n${"b".repeat(14)}`]);
    const split = renderDiscordDoc(doc([section("a".repeat(14)), section("b".repeat(15))], long), { messageLength: 30 });
    expect(split.map((m) => m.text)).toEqual(["a".repeat(14), "b".repeat(15)]);
  });

  it("keeps the continuation line only when it takes at most a quarter of a message", () => {
    const blocks = [section("a".repeat(30)), section("b".repeat(30)), section("c".repeat(30))];
    // "x" plus its 20 characters of overhead is 21: a quarter of 84, which leaves 63 for the text.
    const kept = renderDiscordDoc(doc(blocks, ["x"]), { messageLength: 84 });
    expect(kept.map((m) => m.text)).toEqual([`${"a".repeat(30)}\n\n${"b".repeat(30)}`, `-# x (2/2)\n${"c".repeat(30)}`]);
    const dropped = renderDiscordDoc(doc(blocks, ["x"]), { messageLength: 83 });
    expect(dropped.map((m) => m.text)).toEqual([`${"a".repeat(30)}\n\n${"b".repeat(30)}`, "c".repeat(30)]);
  });

  it("keeps every message within the limit, continuation line included", () => {
    const blocks = Array.from({ length: 30 }, (_, i) => section(`${String(i).padStart(2, "0")} ${"z".repeat(30)}`));
    // 38 characters, 58 with the overhead: kept from a 232-character limit on.
    const cont = ["continued: a long name for the report"];
    for (const messageLength of [232, 300]) {
      const out = renderDiscordDoc(doc(blocks, cont), { messageLength });
      expect(out.length).toBeGreaterThan(3);
      for (const m of out) expect(m.text.length).toBeLessThanOrEqual(messageLength);
      for (const [i, m] of out.entries()) if (i > 0) expect(m.text.startsWith(`-# continued: a long name for the report (${i + 1}/${out.length})\n`)).toBe(true);
      // Nothing lost, nothing split that fitted.
      for (let i = 0; i < 30; i++) expect(out.filter((m) => m.text.includes(`${String(i).padStart(2, "0")} ${"z".repeat(30)}`))).toHaveLength(1);
    }
  });

  it("fills a message with as many blocks as fit", () => {
    const blocks = Array.from({ length: 6 }, (_, i) => section(`block ${i} ${"q".repeat(10)}`));
    const out = renderDiscordDoc(doc(blocks, ["x".repeat(60)]), { messageLength: 100 });
    // 18 characters a block, 2 between: five fit in 100.
    expect(out.map((m) => m.text.split("\n\n").length)).toEqual([5, 1]);
  });
});

describe("splitText — limits, fences and safe cuts", () => {
  const lines = (n: number) => "line\n".repeat(n);
  const bodies = (parts: ReadonlyArray<TextChunk>) => parts.map((p) => p.body).join("");

  it("treats an infinite limit as no limit, and a negative infinite one as the smallest", () => {
    const text = "x".repeat(30);
    expect(splitText(text, Number.POSITIVE_INFINITY)).toEqual([text]);
    const chunks = splitText(text, Number.NEGATIVE_INFINITY);
    expect(chunks.join("")).toBe(text);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(MIN_SPLIT_LIMIT);
  });

  it("repeats a fence's info string when the repetition takes at most a quarter of a chunk, and the bare fence otherwise", () => {
    // 80 characters: the opener, its line break, the closing fence and its line break fit in 20.
    const full = splitTextParts(`\`\`\`abcdefghijkl\n${lines(20)}\`\`\`\n`, 80);
    expect(full[1]?.reopen).toBe("```abcdefghijkl\n");
    const bare = splitTextParts(`\`\`\`abcdefghijklm\n${lines(20)}\`\`\`\n`, 80);
    expect(bare[1]?.reopen).toBe("```\n");
    expect(bare[0]?.close).toBe("```");
    // Nine backticks, bare, take 20; ten take 22 and the block is not tracked at all.
    const nine = "`".repeat(9);
    const tracked = splitTextParts(`${nine}x\n${lines(20)}${nine}\n`, 80);
    expect(tracked[1]?.reopen).toBe(`${nine}\n`);
    expect(tracked[0]?.close).toBe(nine);
    const ten = "`".repeat(10);
    const untracked = splitTextParts(`${ten}x\n${lines(20)}${ten}\n`, 80);
    expect(untracked.length).toBeGreaterThan(1);
    for (const p of untracked) expect([p.reopen, p.close]).toEqual(["", ""]);
  });

  it("repeats a fence line without its trailing blanks", () => {
    const parts = splitTextParts(`\`\`\` sql  \n${lines(20)}\`\`\`\n`, 80);
    expect(parts[1]?.reopen).toBe("``` sql\n");
  });

  it("does not take for a fence a backtick run whose info string has a backtick, a run in mid-line, or fewer than three", () => {
    for (const first of ["``` a`b", "text ``` more", "`unterminated code", "~~strike~~ through", "``two``"]) {
      const parts = splitTextParts(`${first}\n${lines(20)}`, 40);
      expect(parts.length).toBeGreaterThan(1);
      for (const p of parts) expect([p.reopen, p.close]).toEqual(["", ""]);
    }
  });

  it("closes a block only with a bare fence of the same kind, at least as long", () => {
    for (const [open, inner] of [
      ["```", "~~~"],
      ["````", "```"],
      ["```", "``` js"]
    ] as const) {
      const parts = splitTextParts(`${open}\n${lines(10)}${inner}\n${lines(10)}${open}\n`, 40);
      // Every chunk after the first is still inside the block, so each reopens it.
      expect(parts.length).toBeGreaterThan(2);
      for (const p of parts.slice(1)) expect(p.reopen).toBe(`${open}\n`);
      expect(bodies(parts)).toBe(`${open}\n${lines(10)}${inner}\n${lines(10)}${open}\n`);
    }
  });

  it("reads fence lines that end in CRLF, closing fences with trailing blanks, and tilde fences whose info has a backtick", () => {
    const crlf = splitTextParts(`\`\`\`sql\r\n${"line\r\n".repeat(20)}\`\`\`\r\nafter\r\n`, 80);
    expect(crlf[1]?.reopen).toBe("```sql\n");
    expect(crlf[0]?.close).toBe("```");
    // A closing fence followed by blanks closes the block: nothing after it is reopened.
    const closed = splitTextParts(`\`\`\`\n${lines(4)}\`\`\`   \n${lines(20)}`, 40);
    expect(closed.length).toBeGreaterThan(1);
    for (const p of closed) expect([p.reopen, p.close]).toEqual(["", ""]);
    // A text whose last line is a closing fence ending in a lone CR ends closed.
    const lastCr = splitTextParts(`\`\`\`\n${lines(10)}\`\`\`\r`, 40);
    expect(lastCr.length).toBeGreaterThan(1);
    expect(lastCr[lastCr.length - 1]?.close).toBe("");
    const tilde = splitTextParts(`~~~ a\`b\n${lines(20)}~~~\n`, 80);
    expect(tilde[1]?.reopen).toBe("~~~ a`b\n");
  });

  it("closes a block cut in mid-line on a line of its own", () => {
    const text = `\`\`\`\n${"x".repeat(60)}\n\`\`\`\n`;
    const parts = splitTextParts(text, 40);
    expect(parts.map((p) => p.close)).toEqual(["```", "\n```", ""]);
    expect(parts.map((p) => p.reopen)).toEqual(["", "```\n", "```\n"]);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(40);
    expect(bodies(parts)).toBe(text);
  });

  it("does not cut inside inline code or an http URL that fits", () => {
    expect(splitText("aaaaaaaaaa `bb cc dd` eeeeeeee", 20)[0]).toBe("aaaaaaaaaa ");
    expect(splitText("go see http://example.com/abcdefghij now", 30)).toContain("http://example.com/abcdefghij ");
  });

  it("cuts after a space or tab only in the second half of the chunk", () => {
    expect(splitText("aaaa bbbbbbbbbbbbbb", 10)).toEqual(["aaaa ", "bbbbbbbbbb", "bbbb"]);
    expect(splitText("aaaa\tbbbbbbbbbbbbbb", 10)).toEqual(["aaaa\t", "bbbbbbbbbb", "bbbb"]);
    expect(splitText("aaa bbbbbbbbbbbbbbb", 10)).toEqual(["aaa bbbbbb", "bbbbbbbbb"]);
  });

  it("does not start a piece with a quote, list or heading marker from the middle of a line", () => {
    expect(splitText("alpha beta > gamma delta", 12)).toEqual(["alpha ", "beta > ", "gamma delta"]);
    const markers = ["> ", "- ", "+ ", "* ", "# ", "## ", "###### ", "-# ", "1. ", "12. ", "3) ", "```", "~~~"];
    const startsWithMarker = /^ {0,3}(?:> ?|[-+*] |#{1,6} |-# |\d{1,9}[.)] |```|~~~)/;
    for (const marker of markers) {
      for (let k = 4; k <= 12; k++) {
        for (const limit of [10, 12, 14, 16]) {
          const text = `${"w".repeat(k)} ${marker}tail words go here`;
          const chunks = splitText(text, limit);
          expect(chunks.join("")).toBe(text);
          for (const c of chunks.slice(1)) expect(c).not.toMatch(startsWithMarker);
        }
      }
    }
  });

  it("never separates the two halves of a surrogate pair, at the edges of both ranges", () => {
    for (const pair of ["\ud800\udc00", "\udbff\udfff", "\ud800\udfff", "\udbff\udc00"]) {
      const chunks = splitText(pair.repeat(20), 9);
      expect(chunks.join("")).toBe(pair.repeat(20));
      for (const c of chunks) expect(c).toMatch(/^(?:[\ud800-\udbff][\udc00-\udfff])+$/);
    }
  });

  it("fills a chunk next to a lone surrogate, where there is no pair to keep", () => {
    for (const unit of ["a\udc00", "\ue000\udc00", "\ud800a", "\ud800\ue000"]) {
      const chunks = splitText(unit.repeat(10), 9);
      expect(chunks.map((c) => c.length)).toEqual([9, 9, 2]);
    }
  });

  it("cuts a run of backslashes between escape pairs", () => {
    expect(splitText("\\".repeat(20), 9)).toEqual(["\\".repeat(8), "\\".repeat(8), "\\".repeat(4)]);
    expect(splitText(`a${"\\".repeat(19)}`, 9)).toEqual([`a${"\\".repeat(8)}`, "\\".repeat(8), "\\".repeat(3)]);
    // An escape right at the limit moves the cut before its backslash.
    expect(splitText("abcdefgh\\ijklmnop", 9)).toEqual(["abcdefgh", "\\ijklmnop"]);
  });

  it("does not cut right after a zero-width joiner", () => {
    const family = "👨‍👩‍👧";
    expect(splitText(family.repeat(3), 11)).toEqual([family, family, family]);
  });

  it("sends a text that fits as it is, even with a code block it leaves open", () => {
    for (const text of ["```js\nx", `\`\`\`\n${"x".repeat(36)}`]) expect(splitTextParts(text, 40)).toEqual([{ text, body: text, reopen: "", close: "" }]);
  });

  it("lets a chunk end right after a lone CR", () => {
    expect(splitText("aaaaaaaa\rbbbbbbbb", 9)).toEqual(["aaaaaaaa\r", "bbbbbbbb"]);
  });

  it("fills a chunk up to the end of inline code, a link or an entity", () => {
    expect(splitText("aaaa`code`bbbbbbbbbb", 10)).toEqual(["aaaa`code`", "bbbbbbbbbb"]);
    expect(splitText("[l](https://z.example)&gt;", 22)[0]).toBe("[l](https://z.example)");
    expect(splitText("[l](https://z.example)&gt;&gt;x", 27)[0]).toBe("[l](https://z.example)&gt;");
  });

  it("does not cut a markdown link inside a label of several words", () => {
    const link = "[see the runbook now](https://r.example/x)";
    const chunks = splitText(`${"x".repeat(10)} ${link} tail`, 45);
    expect(chunks.join("")).toBe(`${"x".repeat(10)} ${link} tail`);
    expect(chunks.some((c) => c.includes(link))).toBe(true);
  });

  it("starts a new chunk before a URL that fits in one, even one character in", () => {
    const url = "https://a.example/abcd";
    expect(splitText(`x${url} tail`, url.length)).toContain(url);
  });

  it("does not leave chunks short for a link longer than a chunk", () => {
    const link = "<https://y.example/p|y>";
    expect(splitText(link, 8)).toHaveLength(Math.ceil(link.length / 8));
  });

  it("keeps entities whole, pieces from starting with a joiner or a quote marker, where links leave no strict cut (inputs found by fuzzing)", () => {
    const entityCut = /&(?:#?[a-z0-9]{0,31})$|^#?[a-z0-9]{0,31};/;
    for (const [text, limit] of [
      ["<https://y.example/p|y>\u200d&gt;", 22],
      ["<https://y.example/p|y>&gt;", 21],
      ["&gt;\u200d&gt;>", 8],
      ["&gt;>\u200d&gt;>", 8],
      // Every cut is bad here: a combining mark cut from its letter is the lesser evil than a quote marker.
      [">- - - >\u0301>", 9]
    ] as const) {
      const chunks = splitText(text, limit);
      expect(chunks.join("")).toBe(text);
      for (const c of chunks) expect(c).not.toMatch(entityCut);
      for (const c of chunks.slice(1)) {
        expect(c.startsWith("\u200d")).toBe(false);
        expect(c.startsWith(">")).toBe(false);
      }
    }
  });

  it("may cut before an emoji that is not a skin tone, like before any character", () => {
    expect(splitText("🌍🌍🌍a🌍🌍🌍", 9)[0]).toBe("🌍🌍🌍a🌍");
  });

  it("keeps skin tones, combining marks, variation selectors and joined emoji with what they modify", () => {
    expect(splitText("👍🏽".repeat(10), 9)).toEqual(Array.from({ length: 5 }, () => "👍🏽👍🏽"));
    // At 10 the cut would fall between 👍 and its skin tone.
    expect(splitText("👍🏽".repeat(5), 10)).toEqual(["👍🏽👍🏽", "👍🏽👍🏽", "👍🏽"]);
    expect(splitText("e\u0301".repeat(10), 9)).toEqual(["e\u0301".repeat(4), "e\u0301".repeat(4), "e\u0301".repeat(2)]);
    expect(splitText("👨‍👩‍👧".repeat(4), 9)).toEqual(Array.from({ length: 4 }, () => "👨‍👩‍👧"));
    expect(splitText("❤\ufe0f".repeat(10), 9)).toEqual(["❤\ufe0f".repeat(4), "❤\ufe0f".repeat(4), "❤\ufe0f".repeat(2)]);
  });
});
