import type { ConverseCommandOutput } from "@aws-sdk/client-bedrock-runtime";
import type { ContentBlock, ConverseResponse, StopReason } from "@sre-on-call/core";
import { Result } from "effect";
import { isJsonObject, parseJsonAnswer, type JsonValue } from "./json.js";
import type { StructuredTool } from "./toConverseInput.js";

const STOP_REASONS: Readonly<Record<string, StopReason>> = {
  end_turn: "end_turn",
  tool_use: "tool_use",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  guardrail_intervened: "guardrail",
  content_filtered: "content_filter",
  // The answer was cut off by the context window rather than by maxTokens; for the caller the effect is the same.
  model_context_window_exceeded: "max_tokens"
};

const count = (n: number | undefined): number => (typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : 0);

/** Token counts with prompt-cache reads and writes, which the price table bills separately. */
export interface BedrockUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
}

const usageOf = (usage: ConverseCommandOutput["usage"]): BedrockUsage => {
  const cacheRead = count(usage?.cacheReadInputTokens);
  const cacheWrite = count(usage?.cacheWriteInputTokens);
  return {
    inputTokens: count(usage?.inputTokens),
    outputTokens: count(usage?.outputTokens),
    ...(cacheRead > 0 ? { cacheReadTokens: cacheRead } : {}),
    ...(cacheWrite > 0 ? { cacheWriteTokens: cacheWrite } : {})
  };
};

const unwrap = (input: JsonValue, tool: StructuredTool): JsonValue | undefined =>
  tool.wrapped ? (isJsonObject(input) ? input["value"] : undefined) : input;

/**
 * Reads a Converse answer back into port terms. Reasoning, citations and other block kinds
 * the port has no words for are left out. When structured output was asked for, the forced
 * tool call becomes the answer: its input is `structured`, its JSON the text, and the turn
 * ends normally — callers asked for an answer, not a tool call. A model that answered in
 * plain JSON text instead (some Bedrock models ignore forced tool choice) is accepted too.
 */
export const fromConverseOutput = (
  output: ConverseCommandOutput,
  modelId: string,
  structuredTool: StructuredTool | undefined
): Result.Result<ConverseResponse, string> => {
  const message = output.output?.message;
  if (message === undefined) return Result.fail("the response has no output message");
  const rawStop = output.stopReason ?? "";
  const mappedStop = STOP_REASONS[rawStop];
  if (mappedStop === undefined) {
    return Result.fail(rawStop === "" ? "the response has no stop reason" : `the model stopped abnormally (${rawStop.slice(0, 60)})`);
  }
  let stopReason = mappedStop;

  let content: Array<ContentBlock> = [];
  let structured: JsonValue | undefined;
  for (const block of message.content ?? []) {
    if (typeof block.text === "string") content.push({ type: "text", text: block.text });
    else if (block.toolUse !== undefined) {
      const { toolUseId, name, input } = block.toolUse;
      if (typeof toolUseId !== "string" || typeof name !== "string") return Result.fail("a tool call in the response has no id or name");
      if (structuredTool !== undefined && name === structuredTool.name && structured === undefined) {
        structured = unwrap((input ?? null) as JsonValue, structuredTool);
      } else content.push({ type: "toolUse", id: toolUseId, name, input: input ?? {} });
    }
  }
  if (structured !== undefined) {
    // Any text beside the forced call is preamble; the answer's text is its JSON alone.
    content = [{ type: "text", text: JSON.stringify(structured) }, ...content.filter((b) => b.type !== "text")];
  } else if (structuredTool !== undefined) {
    structured = parseJsonAnswer(content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join(""));
  }
  if (structured !== undefined && stopReason === "tool_use" && !content.some((b) => b.type === "toolUse")) stopReason = "end_turn";

  return Result.succeed({
    modelId,
    content,
    stopReason,
    usage: usageOf(output.usage),
    ...(structured !== undefined ? { structured } : {})
  });
};
