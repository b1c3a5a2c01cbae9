import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractSlackText } from "./extractSlackText.js";

describe("extractSlackText", () => {
  it("renders rich_text in Slack markup: users, links, channels, broadcasts, emoji and lists", () => {
    const message = {
      text: "",
      blocks: [
        {
          type: "rich_text",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "broadcast", range: "here" },
                { type: "text", text: " " },
                { type: "user", user_id: "U0SREBOT" },
                { type: "text", text: " see " },
                { type: "link", url: "https://grafana.example/d/abc", text: "dashboard" },
                { type: "text", text: " in " },
                { type: "channel", channel_id: "C0INC" },
                { type: "emoji", name: "fire" }
              ]
            },
            { type: "rich_text_list", style: "bullet", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "p99 4s" }] }] },
            { type: "rich_text_preformatted", elements: [{ type: "text", text: "OOMKilled" }] }
          ]
        }
      ]
    };
    expect(extractSlackText(message)).toBe("<!here> <@U0SREBOT> see <https://grafana.example/d/abc|dashboard> in <#C0INC>:fire:\n- p99 4s\nOOMKilled");
  });

  it("keeps text first and drops block text that repeats it", () => {
    expect(
      extractSlackText({
        text: "disk full on db-1",
        blocks: [{ type: "rich_text", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "disk  full on db-1" }] }] }]
      })
    ).toBe("disk full on db-1");
  });

  it("uses an attachment's fallback only when it has nothing richer", () => {
    expect(extractSlackText({ attachments: [{ fallback: "[FIRING:2] TargetDown" }, { fallback: "ignored", title: "t", fields: [{ title: "env", value: "prod" }, { value: "solo" }] }] })).toBe(
      "[FIRING:2] TargetDown\nt\nenv: prod\nsolo"
    );
  });

  it("is empty for anything that is not a message", () => {
    for (const v of [null, 3, "text", [], { text: 5, blocks: "x", attachments: {} }]) expect(extractSlackText(v)).toBe("");
  });

  it("never throws and stays bounded on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.jsonValue({ maxDepth: 8 }), fc.jsonValue(), (blocks, attachments, text) => {
        const out = extractSlackText({ text, blocks, attachments });
        expect(typeof out).toBe("string");
        expect(out.length).toBeLessThanOrEqual(40_000);
      })
    );
  });

  it("caps the text of a huge message", () => {
    const fields = Array.from({ length: 2000 }, (_, i) => ({ title: `f${i}`, value: "x".repeat(100) }));
    expect(extractSlackText({ attachments: [{ fields }] }).length).toBeLessThanOrEqual(40_000);
  });
});
