import type { ConverseCommandOutput } from "@aws-sdk/client-bedrock-runtime";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { fromConverseOutput } from "./fromConverseOutput.js";

const output = (content: Array<Record<string, unknown>>, stopReason: string, usage: Record<string, number> = { inputTokens: 3, outputTokens: 4 }) =>
  ({ output: { message: { role: "assistant", content } }, stopReason, usage, metrics: { latencyMs: 1 }, $metadata: {} }) as unknown as ConverseCommandOutput;

const ok = (o: ConverseCommandOutput, structured?: { name: string; wrapped: boolean }) => {
  const r = fromConverseOutput(o, "m", structured);
  if (Result.isFailure(r)) throw new Error(r.failure);
  return r.success;
};

describe("fromConverseOutput", () => {
  it.each([
    ["end_turn", "end_turn"],
    ["tool_use", "tool_use"],
    ["max_tokens", "max_tokens"],
    ["stop_sequence", "stop_sequence"],
    ["guardrail_intervened", "guardrail"],
    ["content_filtered", "content_filter"],
    ["model_context_window_exceeded", "max_tokens"]
  ])("maps stop reason %s to %s", (wire, port) => {
    expect(ok(output([{ text: "x" }], wire)).stopReason).toBe(port);
  });

  it("fails on an abnormal or missing stop reason and on a missing message", () => {
    expect(fromConverseOutput(output([], "malformed_model_output"), "m", undefined)).toEqual(Result.fail("the model stopped abnormally (malformed_model_output)"));
    expect(Result.isFailure(fromConverseOutput(output([], ""), "m", undefined))).toBe(true);
    expect(Result.isFailure(fromConverseOutput({ stopReason: "end_turn", $metadata: {} } as unknown as ConverseCommandOutput, "m", undefined))).toBe(true);
    expect(Result.isFailure(fromConverseOutput(output([{ toolUse: { name: "x", input: {} } }], "tool_use"), "m", undefined))).toBe(true);
  });

  it("leaves out block kinds the port has no words for, such as reasoning", () => {
    const r = ok(output([{ reasoningContent: { reasoningText: { text: "thinking" } } }, { text: "answer" }], "end_turn"));
    expect(r.content).toEqual([{ type: "text", text: "answer" }]);
  });

  it("reads missing or broken token counts as zero and adds cache counts only when present", () => {
    expect(ok(output([], "end_turn", {})).usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(ok(output([], "end_turn", { inputTokens: 1, outputTokens: 2, cacheWriteInputTokens: 50 })).usage).toEqual({ inputTokens: 1, outputTokens: 2, cacheWriteTokens: 50 });
  });

  it("keeps other tool calls beside a structured answer, which then still ends in tool_use", () => {
    const r = ok(
      output([{ toolUse: { toolUseId: "a", name: "answer", input: { ok: true } } }, { toolUse: { toolUseId: "b", name: "get_pods", input: {} } }], "tool_use"),
      { name: "answer", wrapped: false }
    );
    expect(r.structured).toEqual({ ok: true });
    expect(r.stopReason).toBe("tool_use");
    expect(r.content).toEqual([{ type: "text", text: '{"ok":true}' }, { type: "toolUse", id: "b", name: "get_pods", input: {} }]);
  });

  it("finds a JSON object inside prose when the model answered in text", () => {
    expect(ok(output([{ text: 'Sure: {"a":1} hope that helps' }], "end_turn"), { name: "answer", wrapped: false }).structured).toEqual({ a: 1 });
  });
});
