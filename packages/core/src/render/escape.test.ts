import { describe, expect, it } from "vitest";
import { unescapeMarkdown, unescapeSlack } from "../testing/reportArbitraries.js";
import { codeDiscord, codeMarkdown, codeSlack, escapeDiscord, escapeMarkdown, escapeSlack, safeUrl } from "./escape.js";

const ZWSP = "\u200b";

describe("escapeSlack", () => {
  it("turns control sequences into entities", () => {
    expect(escapeSlack("<!channel> <!here> <@U1> a & b <https://evil|good>")).toBe(
      "&lt;!channel&gt; &lt;!here&gt; &lt;@U1&gt; a &amp; b &lt;https://evil|good&gt;"
    );
  });

  it("breaks broadcast words and triple backticks", () => {
    expect(escapeSlack("ping @here and @channel and @Everyone")).toBe(`ping @${ZWSP}here and @${ZWSP}channel and @${ZWSP}Everyone`);
    expect(escapeSlack("```rm -rf```")).not.toContain("```");
  });

  it("normalises CRLF and lone CR to LF", () => {
    expect(escapeSlack("a\r\nb\rc")).toBe("a\nb\nc");
  });

  it("round-trips through the reader's view", () => {
    const s = "&amp; <b> `x` ```y``` @here";
    expect(unescapeSlack(escapeSlack(s))).toBe(s);
  });
});

describe("escapeDiscord", () => {
  it("breaks @everyone and @here", () => {
    const out = escapeDiscord("hey @everyone and @here");
    expect(out).not.toMatch(/@everyone|@here/);
    expect(unescapeMarkdown(out)).toBe("hey @everyone and @here");
  });

  it("shows a masked link instead of hiding the address behind a label", () => {
    const out = escapeDiscord("[label](http://evil)");
    expect(out).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
    expect(out.startsWith("\\[label\\]")).toBe(true);
    expect(unescapeMarkdown(out)).toBe("[label](http://evil)");
  });

  it("keeps user, role, channel and timestamp tokens as text", () => {
    for (const token of ["<@123>", "<@&456>", "<#789>", "<t:0:R>", "<:pepe:1>", "</cmd:1>"]) {
      expect(escapeDiscord(token)).toBe(`<${ZWSP}${token.slice(1)}`);
    }
  });

  it("escapes markup and line-start structure", () => {
    expect(escapeDiscord("**bold** __u__ ~~s~~ ||spoiler|| `code`")).toBe("\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`");
    expect(escapeDiscord("# big\n-# small\n> quote\n1. item\n  - item")).toBe("\\# big\n\\-# small\n\\> quote\n1\\. item\n  \\- item");
  });

  it("leaves snake_case and bare URLs alone so they still read and link", () => {
    expect(escapeDiscord("container_memory_working_set_bytes")).toBe("container_memory_working_set_bytes");
    expect(escapeDiscord("see https://grafana.example/d/a_b?x=1&y=2.")).toBe("see https://grafana.example/d/a_b?x=1&y=2.");
  });

  it("does not let a URL swallow a masked link", () => {
    const out = escapeDiscord("http://a.example/x[y](http://evil)");
    expect(out).toContain("\\[y\\]");
  });

  it("escapes backslashes so an escape cannot be undone", () => {
    expect(escapeDiscord("\\*not bold*")).toBe("\\\\\\*not bold\\*");
    expect(unescapeMarkdown(escapeDiscord("\\*not bold*"))).toBe("\\*not bold*");
  });
});

describe("escapeMarkdown", () => {
  it("escapes HTML, entities and markup but not text", () => {
    expect(escapeMarkdown("<script>x</script> &amp; a & b")).toBe("\\<script>x\\</script> \\&amp; a & b");
    expect(escapeMarkdown("[a](javascript:x) | *b*")).toBe("\\[a\\](javascript:x) \\| \\*b\\*");
  });

  it("does not break @mentions (no chat pings in files)", () => {
    expect(escapeMarkdown("@here")).toBe("@here");
  });

  it("escapes setext underlines and headings", () => {
    expect(escapeMarkdown("title\n===\n---\n## x")).toBe("title\n\\===\n\\---\n\\## x");
  });
});

describe("code spans", () => {
  it("wraps ids in code, choosing a fence longer than any backtick inside", () => {
    expect(codeDiscord("eks:1")).toBe("`eks:1`");
    expect(codeMarkdown("a`b")).toBe("`` a`b ``");
    expect(codeDiscord("a``b")).toBe("a\\`\\`b");
    expect(codeSlack("a`b<c>")).toBe("`aˋb&lt;c&gt;`");
  });

  it("still breaks pings inside code", () => {
    expect(codeDiscord("@everyone <@1>")).not.toMatch(/@everyone|<@/);
  });
});

describe("safeUrl", () => {
  it("percent-encodes the @ of a broadcast inside a link target (found by the random-seed property run, seed -304661362)", () => {
    expect(safeUrl("https://example.com/a_b?x=1&y=2@everyone")).toBe("https://example.com/a_b?x=1&y=2%40everyone");
    expect(safeUrl("https://example.com/@Here/x")).toBe("https://example.com/%40Here/x");
    expect(safeUrl("https://example.com/@channels")).toBe("https://example.com/@channels");
    expect(safeUrl("mailto:oncall@example.com")).toBe("mailto:oncall@example.com");
  });

  it("accepts web and mail links and encodes characters that would end the markup", () => {
    expect(safeUrl("https://x.example/a b|c>(d)")).toBe("https://x.example/a%20b%7Cc%3E%28d%29");
    expect(safeUrl("mailto:oncall@example.com")).toBe("mailto:oncall@example.com");
  });

  it.each(["javascript:alert(1)", "data:text/html,x", "ftp://x", "", "https://", "//evil.example"])("refuses %j", (url) => {
    expect(safeUrl(url)).toBeUndefined();
  });
});
