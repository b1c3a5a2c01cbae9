import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeTerminalControls, stripTerminalControls, terminalJson } from "./terminalSafe.js";

const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0x2fff }).map((c) => String.fromCharCode(c)), maxLength: 60 });

describe("terminal-safe text", () => {
  it("stripTerminalControls leaves no control but newline and tab, keeps other text, and is idempotent", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = stripTerminalControls(text);
        expect(out).not.toMatch(TERMINAL_CONTROL);
        expect(stripTerminalControls(out)).toBe(out);
        if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) expect(out).toBe(text);
      }),
      { numRuns: 1000 }
    );
  });

  it("removes colour, screen, title, hyperlink and device-control sequences whole", () => {
    expect(stripTerminalControls("\u001b[1;31mred\u001b[0m")).toBe("red");
    expect(stripTerminalControls("a\u001b[2J\u001b[Hb")).toBe("ab");
    expect(stripTerminalControls("\u001b]0;owned\u0007title")).toBe("title");
    expect(stripTerminalControls("\u001b]8;;https://evil.example\u001b\\docs\u001b]8;;\u001b\\")).toBe("docs");
    expect(stripTerminalControls("\u001bP$q\"p\u001b\\x")).toBe("x");
    expect(stripTerminalControls("\u009b31mred\u009d2;t\u009c!")).toBe("red!");
    // An unterminated string stops at the end of its line.
    expect(stripTerminalControls("\u001b]0;never ends\nnext line")).toBe("\nnext line");
    expect(stripTerminalControls("over\rwrite\b\u0007\u0000\u007f\ttab\n")).toBe("overwrite\ttab\n");
  });

  it("terminalJson and escapeTerminalControls keep JSON lossless and free of raw controls", () => {
    fc.assert(
      fc.property(fc.jsonValue(), anyText, fc.constantFrom(undefined, 2), (value, text, indent) => {
        const doc = { value, text };
        const out = terminalJson(doc, indent);
        expect(out).not.toMatch(TERMINAL_CONTROL);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(doc)));
        expect(escapeTerminalControls(`${JSON.stringify(doc)}\n`)).toBe(`${terminalJson(doc)}\n`);
      }),
      { numRuns: 500 }
    );
  });
});
