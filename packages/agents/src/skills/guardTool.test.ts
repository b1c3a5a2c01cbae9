import { type ToolContext, ToolError } from "@sre-on-call/core";
import { sampleAlert } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capText, clipLine, guardTool, MAX_TOOL_TEXT } from "./guardTool.js";

const context = (deadline = Date.now() + 5_000): ToolContext => ({ alert: sampleAlert, deadline });

describe("guardTool", () => {
  it("clips a line after redacting it, so the cut never leaves a key's prefix", () => {
    for (const at of [280, 290, 295]) expect(clipLine(`${"a".repeat(at)} xoxb-1234567890-abcdefghijklmnop`)).not.toContain("xoxb-12");
  });

  it("caps text at the limit, marking the cut", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 20, max: 200 }), (text, max) => {
        const out = capText(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, text.length <= max ? text.length : 0));
        if (text.length <= max) expect(out).toBe(text);
        else {
          expect(out.endsWith("\n(truncated)")).toBe(true);
          expect(text.startsWith(out.slice(0, -"\n(truncated)".length))).toBe(true);
        }
      })
    );
    expect(capText("x".repeat(10_000)).length).toBe(MAX_TOOL_TEXT);
  });

  it("redacts secrets in the text and in findings", async () => {
    const out = await Effect.runPromise(
      guardTool(
        "t",
        context(),
        Effect.succeed({ text: "Authorization: Bearer abcdefghijklmnop123", findings: [{ source: "s", timestamp: 1, content: "password=hunter22", severity: "low" as const, metadata: { line: "api_key=xyz12345" } }] })
      )
    );
    expect(out.text).toBe("Authorization: Bearer [REDACTED]");
    expect(out.findings?.[0]?.content).toBe("password=[REDACTED]");
    expect(out.findings?.[0]?.metadata["line"]).toBe("api_key=[REDACTED]");
  });

  it("a body slower than the deadline is a timeout; a passed deadline never runs the body", async () => {
    const slow = await Effect.runPromise(Effect.flip(guardTool("t", context(Date.now() + 50), Effect.sleep("5 seconds").pipe(Effect.as({ text: "late" })))));
    expect(slow).toEqual(new ToolError({ tool: "t", reason: "timeout", detail: "no answer before the deadline" }));
    let ran = false;
    const passed = await Effect.runPromise(Effect.flip(guardTool("t", context(Date.now() - 1), Effect.sync(() => ((ran = true), { text: "x" })))));
    expect(passed.reason).toBe("timeout");
    expect(ran).toBe(false);
  });

  it("a defect becomes a failed ToolError with a redacted detail, never a throw", async () => {
    const err = await Effect.runPromise(Effect.flip(guardTool("t", context(), Effect.sync(() => { throw new Error("boom token=abc123def456ghi"); }))));
    expect(err.reason).toBe("failed");
    expect(err.detail).toBe("boom token=[REDACTED]");
  });
});
