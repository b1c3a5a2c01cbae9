import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeChatText } from "./normalizeChatText.js";

describe("normalizeChatText", () => {
  it.each([
    ["<@U024BE7LH> pods crashlooping", "pods crashlooping"],
    ["<@U024BE7LH|alice> hi", "hi"],
    ["see <#C123ABC|incidents>", "see #incidents"],
    ["<!here> db down", "@here db down"],
    ["<!subteam^S012|@sre-team> look", "@sre-team look"],
    ["<https://grafana.example.com/d/abc|Grafana dashboard>", "Grafana dashboard (https://grafana.example.com/d/abc)"],
    ["<https://example.com>", "https://example.com"],
    ["5xx &gt; 10% &amp; rising &lt;now&gt;", "5xx > 10% & rising <now>"],
    ["<@123456789012345678> api is down", "api is down"],
    ["<@!123456789012345678> <@&998877> ping", "ping"],
    ["<:fire:112233> prod", ":fire: prod"],
    ["at <t:1700000000:R>", "at <t:1700000000:R>"],
    ["a < b > c", "a < b > c"]
  ])("%j → %j", (input, expected) => {
    expect(normalizeChatText(input)).toBe(expected);
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 2000 }), (s) => {
        const out = normalizeChatText(s);
        expect(typeof out).toBe("string");
      })
    );
  });

  it("a bare mention normalizes to nothing", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[UW][A-Z0-9]{8,11}$/), (id) => {
        expect(normalizeChatText(`<@${id}>`)).toBe("");
        expect(normalizeChatText(`  <@${id}>  `)).toBe("");
      })
    );
  });
});
