import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_SPLIT_LIMIT, splitText, splitTextParts } from "./splitText.js";

const rebuilt = (text: string, limit: number) => splitTextParts(text, limit).map((c) => c.body).join("");

describe("splitText", () => {
  it("gives nothing for empty text and one chunk for text that fits exactly", () => {
    expect(splitText("", 10)).toEqual([]);
    expect(splitText("0123456789", 10)).toEqual(["0123456789"]);
    expect(splitText("0123456789\n", 10)).toEqual(["0123456789", "\n"]);
  });

  it("cuts between lines, filling each chunk", () => {
    expect(splitText("aaaa\nbbbb\ncccc\n", 10)).toEqual(["aaaa\nbbbb\n", "cccc\n"]);
  });

  it("keeps CRLF together", () => {
    const chunks = splitText("aaaaaaa\r\nbbbbbbb\r\n", 9);
    expect(chunks).toEqual(["aaaaaaa\r\n", "bbbbbbb\r\n"]);
    for (const c of splitText("x".repeat(8) + "\r\n" + "y".repeat(8), 9)) expect(c.startsWith("\n")).toBe(false);
  });

  it("cuts a long line after a space when there is one", () => {
    const chunks = splitText("alpha beta gamma delta epsilon", 12);
    expect(chunks.every((c) => c.length <= 12)).toBe(true);
    expect(chunks[0]).toBe("alpha beta ");
    expect(chunks.join("")).toBe("alpha beta gamma delta epsilon");
  });

  it("hard-cuts a line with no space", () => {
    const chunks = splitText("x".repeat(25), 10);
    expect(chunks).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
  });

  it("never cuts inside a link or URL that fits in a chunk", () => {
    const slack = "see <https://example.com/very/long/path|the dashboard> now";
    for (const c of splitText(slack, 50)) expect(c.includes("<") === c.includes(">")).toBe(true);
    const md = "go to [the runbook](https://runbooks.example.com/x) first";
    expect(splitText(md, 52).some((c) => c.includes("[the runbook](https://runbooks.example.com/x)"))).toBe(true);
    const bare = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa https://example.com/abcdefghij";
    expect(splitText(bare, 40)).toContain("https://example.com/abcdefghij");
  });

  it("cuts a URL longer than a chunk rather than exceed the limit", () => {
    const url = `https://example.com/${"a".repeat(60)}`;
    const chunks = splitText(url, 20);
    expect(chunks.every((c) => c.length <= 20)).toBe(true);
    expect(chunks.join("")).toBe(url);
  });

  it("never cuts an entity, an escape or a surrogate pair", () => {
    for (const c of splitText("a&amp;b&lt;c&gt;d".repeat(4), 9)) expect(c).not.toMatch(/&[a-z]*$|^[a-z]*;/);
    for (const c of splitText("\\*".repeat(20), 9)) expect(c.endsWith("\\") && !c.endsWith("\\\\")).toBe(false);
    for (const c of splitText("😀".repeat(20), 9)) expect(c).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
  });

  it("never cuts an entity even where links and line starts leave no better place (found by the rendering property)", () => {
    const token = fc.constantFrom("&gt;", "&lt;", "&amp;", "a", "b ", "> ", "- ", "https://x.example/", "<https://y.example/p|y>", "\\*", "#");
    // Inline-code spans overlapping across the window left no strict cut; the fallback cut `&gt;` in two.
    const found = "[7xK#k:paQK~t6BQRuCna_YOv^!^JKZ)QM?H `0'kd=tU*YHpM{fK\"fBZsqXI/&lt;|.aSgeJUHN](MC)ZWZgu,|PB7E264.\"+a-MFqyx1Yy^INP&amp;#R@H5E-f;ZTutsWih;6jf:0)#EJ6?a9YCJgq_eEZZ?xPrr_a+mRRt.&amp;X5Jv2!l0}Fy&gt;_s}l@Ws&gt;Ha-yc\\1y3S\\N+H#vokNP/`5p-|ivZNx;-sh!6f oPQ^)syDh2l:f{GK6Zzf:b1 Hi;:&gt;X.vQDc!\\`,Hy|VWZ8)diBE,;.#CNsUpmX-rdUJcM\"e_kv=WZ9`C_=2p&amp;sE.Exw]4&amp;-iaqJJR4WOL8j85XjaMYn^)e{&gt;dXMq ";
    const parts = splitText(found, 188);
    expect(parts.join("")).toBe(found);
    for (const c of parts) expect(c).not.toMatch(/&(?:[a-z]{1,3})?$|^(?:g|l|am|amp|t|p|mp)?;/);
    const property = fc.property(fc.array(token, { minLength: 1, maxLength: 120 }), fc.integer({ min: MIN_SPLIT_LIMIT, max: 60 }), (tokens, limit) => {
      const text = tokens.join("");
      const chunks = splitTextParts(text, limit);
      expect(chunks.map((c) => c.body).join("")).toBe(text);
      for (const c of chunks) expect(c.body).not.toMatch(/&(?:[a-z]{1,3})?$|^(?:g|l|am|amp|t|p|mp)?;/);
    });
    // A bug found once is checked on the same cases in every run (fixed seed), and on new ones (random seed).
    fc.assert(property, { numRuns: 300, seed: 0x5a09e1f });
    fc.assert(property, { numRuns: 300 });
  });

  it("closes a code block at a cut and reopens it with the same fence in the next chunk", () => {
    const text = "before\n```sql\n" + Array.from({ length: 8 }, (_, i) => `select ${i};\n`).join("") + "```\nafter\n";
    const parts = splitTextParts(text, 48);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(48);
    const inner = parts.filter((p) => p.reopen !== "");
    expect(inner.length).toBeGreaterThan(0);
    for (const p of inner) expect(p.reopen).toBe("```sql\n");
    for (const p of parts.slice(0, -1)) {
      const fences = (p.text.match(/^```/gm) ?? []).length;
      expect(fences % 2).toBe(0);
    }
    expect(parts.map((p) => p.body).join("")).toBe(text);
  });

  it("does not start a chunk with a fence or heading cut out of the middle of a line", () => {
    for (const c of splitText(`${"x".repeat(9)}\`\`\`${"y".repeat(9)}`, 10)) expect(c.startsWith("```")).toBe(false);
    for (const c of splitText("see issue # 12 and 1. first", 10)) expect(c).not.toMatch(/^(?:# |1\. )/);
  });

  it("treats ~~~ fences and longer backtick fences like ```", () => {
    const text = "~~~~\n" + "line\n".repeat(30) + "~~~~\n";
    const parts = splitTextParts(text, 40);
    expect(parts.slice(1).every((p) => p.reopen === "~~~~\n" || p.reopen === "")).toBe(true);
    expect(parts.slice(0, -1).every((p) => p.close.endsWith("~~~~"))).toBe(true);
  });

  it("raises silly limits instead of failing", () => {
    for (const limit of [0, -5, Number.NaN, 3.7]) {
      const chunks = splitText("hello world, this is text", limit);
      expect(chunks.every((c) => c.length <= MIN_SPLIT_LIMIT)).toBe(true);
      expect(chunks.join("")).toBe("hello world, this is text");
    }
    expect(splitText("abc", Number.POSITIVE_INFINITY)).toEqual(["abc"]);
  });

  const textArb = fc
    .array(
      fc.oneof(
        fc.string({ unit: "grapheme", maxLength: 30 }),
        fc.string({ unit: "binary", maxLength: 5 }),
        fc.constantFrom("\n", "\r\n", "```", "```js\n", "\n```\n", "~~~\n", "https://example.com/a/b?c=d", "<https://x.example|x>", "[a](https://b.example)", "&amp;", "\\", " ", "😀", "e\u0301")
      ),
      { maxLength: 60 }
    )
    .map((xs) => xs.join(""));

  it("property: chunks fit, bodies rebuild the input, markers are the only additions", () => {
    fc.assert(
      fc.property(textArb, fc.integer({ min: 1, max: 200 }), (text, limit) => {
        const parts = splitTextParts(text, limit);
        const max = Math.max(limit, MIN_SPLIT_LIMIT);
        for (const p of parts) {
          expect(p.text.length).toBeLessThanOrEqual(max);
          expect(p.body).not.toBe("");
          expect(p.text).toBe(p.reopen + p.body + p.close);
        }
        expect(rebuilt(text, limit)).toBe(text);
        for (let i = 1; i < parts.length; i++) {
          const prev = parts[i - 1]?.body ?? "";
          const next = parts[i]?.body ?? "";
          const a = prev.charCodeAt(prev.length - 1);
          const b = next.charCodeAt(0);
          expect(a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff).toBe(false);
          expect(prev.endsWith("\r") && next.startsWith("\n")).toBe(false);
        }
      }),
      { numRuns: 400 }
    );
  });

  it("property: text whose lines all fit is only cut between lines", () => {
    const linesArb = fc.array(fc.string({ unit: "grapheme-ascii", maxLength: 30 }).map((s) => s.replace(/[\n\r`~]/g, "")), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(linesArb, (lines) => {
        const text = lines.map((l) => `${l}\n`).join("");
        for (const c of splitText(text, 40)) expect(c.endsWith("\n")).toBe(true);
      })
    );
  });
});
