import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostileTextArb } from "../testing/reportArbitraries.js";
import { code, raw } from "./document.js";
import { httpHost, renderNotice, untrustedLink } from "./notice.js";

/** The only `<…>` a Slack notice may carry: a link whose URL the renderer checked. */
const SLACK_OWN_LINK = /<https?:[^<>|\s]*\|[^<>]*>/g;
const BROADCAST = /<!channel>|<!here>|<!everyone>|@everyone|@here|@channel/i;

describe("httpHost", () => {
  it("is the host a browser would open, not what the text suggests", () => {
    expect(httpHost("https://grafana.example.com/d/abc?x=1")).toBe("grafana.example.com");
    expect(httpHost("http://prometheus.internal:9090/graph?g0.expr=up")).toBe("prometheus.internal:9090");
    expect(httpHost("https://grafana.example.com@evil.test/d/abc")).toBe("evil.test");
    expect(httpHost("https://evil.test\\@grafana.example.com/")).toBe("evil.test");
    expect(httpHost("HTTPS://Grafana.Example.COM")).toBe("grafana.example.com");
    expect(httpHost("https://[fd00::1]:3000/x")).toBe("[fd00::1]:3000");
  });

  it("refuses everything that is not http(s) with a plain host", () => {
    for (const url of ["javascript:alert(1)", "data:text/html,hi", "mailto:a@b.c", "ftp://x.test/", "https://", "https:///path", "https://ex ample.com/", "//evil.test/x", "https://exa<mple.com"]) {
      expect(httpHost(url)).toBeUndefined();
    }
  });
});

describe("renderNotice", () => {
  it("escapes an alert line that tries to ping, link or format in every dialect", () => {
    const hostile = "<!channel> <!here> <#C0123> <@U999> <https://evil.test|Grafana dashboard> [Grafana](https://evil.test) @everyone ```";
    const slack = renderNotice("slack", [raw("🚨 "), hostile]);
    expect(slack.startsWith("🚨 ")).toBe(true);
    expect(slack).not.toMatch(/[<>]/);
    const discord = renderNotice("discord", [raw("🚨 "), hostile]);
    expect(discord).not.toMatch(/@everyone|<#|<@|(?<!\\)\]\(https/);
    const markdown = renderNotice("markdown", [hostile]);
    expect(markdown).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
    expect(renderNotice("json", [raw("✅ "), hostile])).toBe(`✅ ${hostile}`);
  });

  it("keeps what intake itself writes (code spans, emoji, a checked mention)", () => {
    expect(renderNotice("slack", [raw("Say "), code("investigate"), raw(" by <@U123>")])).toBe("Say `investigate` by <@U123>");
    expect(renderNotice("discord", [raw("Say "), code("investigate")])).toBe("Say `investigate`");
  });

  it("never lets untrusted text ping or link on Slack or Discord (property)", () => {
    fc.assert(
      fc.property(hostileTextArb(), fc.oneof(fc.webUrl(), hostileTextArb({ maxFragments: 2 })), hostileTextArb({ maxFragments: 2 }), (text, url, label) => {
        const line = [raw("🚨 [FIRING] "), text, raw(" · "), untrustedLink(label, url)];
        const slack = renderNotice("slack", line);
        expect(slack).not.toMatch(BROADCAST);
        expect(slack.replace(SLACK_OWN_LINK, "")).not.toMatch(/[<>]/);
        for (const m of slack.matchAll(SLACK_OWN_LINK)) {
          const inner = m[0].slice(1, -1);
          const target = inner.slice(0, inner.indexOf("|"));
          const shown = inner.slice(inner.indexOf("|") + 1);
          const host = httpHost(target.replace(/&amp;/g, "&"));
          expect(host).toBeDefined();
          // The visible label names the host the link really opens.
          expect(shown.toLowerCase()).toContain(host!);
        }
        const discord = renderNotice("discord", line);
        expect(discord).not.toMatch(BROADCAST);
        // A masked link needs an unescaped `](` outside code spans; the escaper writes `\](`.
        expect(discord.replace(/\\./g, "").replace(/``[^`]*``|`[^`]*`/g, "")).not.toMatch(/<@|<#|<:|\]\(/);
      }),
      { numRuns: 500 }
    );
  });
});

describe("untrustedLink", () => {
  it("shows the real host beside any label, and never links a non-web URL", () => {
    expect(renderNotice("slack", [untrustedLink("Grafana dashboard", "https://evil.test/x")])).toBe("<https://evil.test/x|Grafana dashboard (evil.test)>");
    expect(renderNotice("slack", [untrustedLink("", "https://grafana.example.com/d/1")])).toBe("<https://grafana.example.com/d/1|grafana.example.com>");
    expect(renderNotice("slack", [untrustedLink("runbook", "javascript:alert(1)")])).toBe("`javascript:alert(1)`");
    expect(renderNotice("markdown", [untrustedLink("x", "https://a.test/?q=1&b=2")])).toBe("[x (a.test)](https://a.test/?q=1&b=2)");
  });
});
