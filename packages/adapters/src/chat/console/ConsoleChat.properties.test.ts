import { Effect } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeConsoleChat } from "./ConsoleChat.js";

/** Any control character a terminal acts on: C0 but newline and tab, DEL, C1. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Text an attacker would put in an alert: printable runs mixed with escape sequences and raw controls. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.constantFrom(
        "\u001b[31m",
        "\u001b[0m",
        "\u001b[2J\u001b[H",
        "\u001b]0;pwned\u0007",
        "\u001b]8;;http://evil.example/\u001b\\click\u001b]8;;\u001b\\",
        "\u001bP+q\u001b\\",
        "\u009b31m",
        "\u009d0;title\u009c",
        "\u001bc",
        "\r",
        "\b",
        "\u0007",
        "\u0000",
        "\u007f",
        "\n",
        "\t"
      ),
      fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c))
    ),
    { maxLength: 20 }
  )
  .map((parts) => parts.join(""));

const written = (dialect: "markdown" | "json", text: string): string => {
  let out = "";
  const chat = makeConsoleChat({ write: (t) => void (out += t), dialect, showUpdates: true });
  const thread = { channelId: "console", threadId: "t1" };
  Effect.runSync(
    Effect.gen(function* () {
      const posted = yield* chat.postMessage("console", { text });
      yield* chat.postInThread(thread, { text });
      yield* chat.postNotice(thread, text);
      yield* chat.updateMessage(posted, { text });
    })
  );
  return out;
};

describe("console chat output is safe for a terminal", () => {
  it.each(["markdown", "json"] as const)("%s: no escape, BEL or other control character but newline and tab, whatever the text", (dialect) => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(written(dialect, text)).not.toMatch(TERMINAL_CONTROL);
      }),
      { numRuns: 500 }
    );
  });

  it("markdown: escape sequences vanish whole, plain text (with newlines and tabs) is untouched", () => {
    expect(written("markdown", "\u001b[1;31mred\u001b[0m \u001b]0;pwned\u0007ok\u009b2Jx\tline\nnext")).toBe("red okx\tline\nnext\n".repeat(4));
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !TERMINAL_CONTROL.test(s)), (text) => {
        expect(written("markdown", text)).toBe(`${text}\n`.repeat(4));
      })
    );
  });

  it("json: every line still parses back to exactly the text posted", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const lines = written("json", text).split("\n").filter((l) => l !== "");
        expect(lines).toHaveLength(4);
        for (const line of lines) expect((JSON.parse(line) as { text: string }).text).toBe(text);
      }),
      { numRuns: 300 }
    );
  });
});
