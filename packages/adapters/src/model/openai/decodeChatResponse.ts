import type { ContentBlock, ConverseResponse, StopReason, TokenUsage } from "@sre-on-call/core";
import { ModelError } from "@sre-on-call/core";
import { Result, Schema } from "effect";
import { PROVIDER } from "./encodeChatRequest.js";
import { ChatCompletionResponse, EmbeddingsResponse } from "./openAiWire.js";

const badResponse = (detail: string) => new ModelError({ provider: PROVIDER, reason: "bad_response", detail, retryable: false });

const decodeCompletion = Schema.decodeUnknownResult(ChatCompletionResponse);
const decodeEmbeddings = Schema.decodeUnknownResult(EmbeddingsResponse);

const count = (n: number | null | undefined): number => (typeof n === "number" && Number.isFinite(n) && n >= 0 ? Math.round(n) : 0);

/** Servers that omit `usage` (many local ones) cost nothing as far as we can tell. */
export const wireUsage = (usage: { readonly prompt_tokens?: number | null; readonly completion_tokens?: number | null } | null | undefined): TokenUsage => ({
  inputTokens: count(usage?.prompt_tokens),
  outputTokens: count(usage?.completion_tokens)
});

/**
 * `finish_reason` in port terms. Some local servers say `stop` even when the message carries
 * tool calls, so tool calls win.
 */
export const stopReasonOf = (finishReason: string | null | undefined, hasToolCalls: boolean): StopReason => {
  if (hasToolCalls) return "tool_use";
  switch (finishReason) {
    case "length":
      return "max_tokens";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    default:
      return "end_turn";
  }
};

const parseArguments = (name: string, raw: unknown): Result.Result<unknown, ModelError> => {
  if (raw === undefined || raw === null) return Result.succeed({});
  if (typeof raw !== "string") return Result.succeed(raw);
  if (raw.trim() === "") return Result.succeed({});
  try {
    return Result.succeed(JSON.parse(raw));
  } catch {
    return Result.fail(badResponse(`the model called ${JSON.stringify(name)} with arguments that are not JSON: ${JSON.stringify(raw.slice(0, 200))}`));
  }
};

/** Models answering in `json_object` mode (and some in `json_schema` mode) wrap the JSON in a code fence. */
const FENCE = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/;

export const parseStructured = (text: string): Result.Result<unknown, string> => {
  const trimmed = text.trim();
  const unfenced = FENCE.exec(trimmed)?.[1] ?? trimmed;
  try {
    return Result.succeed(JSON.parse(unfenced));
  } catch {
    return Result.fail(trimmed === "" ? "the answer is empty" : `the answer is not JSON: ${JSON.stringify(trimmed.slice(0, 200))}`);
  }
};

export interface DecodeChatOptions {
  readonly requestedModel: string;
  /** Whether the request asked for a `responseSchema`: the text must then be JSON. */
  readonly structured: boolean;
}

/** A chat-completions response body in port terms. */
export const decodeChatResponse = (body: unknown, options: DecodeChatOptions): Result.Result<ConverseResponse, ModelError> => {
  const decoded = decodeCompletion(body, { onExcessProperty: "ignore" });
  if (Result.isFailure(decoded)) return Result.fail(badResponse(`unexpected chat completion: ${decoded.failure.message.slice(0, 500)}`));
  const completion = decoded.success;
  const choice = completion.choices[0];
  if (choice === undefined) return Result.fail(badResponse("the chat completion has no choices"));
  const { message } = choice;

  const text =
    typeof message.content === "string"
      ? message.content
      : (message.content ?? []).flatMap((p) => (p.type === undefined || p.type === null || p.type === "text" ? [p.text ?? ""] : [])).join("");
  const content: Array<ContentBlock> = [];
  const refused = text === "" && typeof message.refusal === "string" && message.refusal !== "";
  if (text !== "") content.push({ type: "text", text });
  else if (refused) content.push({ type: "text", text: message.refusal! });

  const calls = message.tool_calls ?? [];
  for (const [i, call] of calls.entries()) {
    const input = parseArguments(call.function.name, call.function.arguments);
    if (Result.isFailure(input)) return Result.fail(input.failure);
    content.push({ type: "toolUse", id: call.id ?? `call_${i}`, name: call.function.name, input: input.success });
  }

  const stopReason: StopReason = refused ? "content_filter" : stopReasonOf(choice.finish_reason, calls.length > 0);
  const response: ConverseResponse = {
    modelId: completion.model ?? options.requestedModel,
    content,
    stopReason,
    usage: wireUsage(completion.usage)
  };
  // A tool call or a refusal is a legitimate answer without JSON; anything else must be JSON.
  if (!options.structured || calls.length > 0 || refused || stopReason === "content_filter") return Result.succeed(response);
  const structured = parseStructured(text);
  if (Result.isFailure(structured))
    return Result.fail(badResponse(`structured output requested but ${structured.failure}${stopReason === "max_tokens" ? " (cut off at max_tokens)" : ""}`));
  return Result.succeed({ ...response, structured: structured.success });
};

/** An embeddings response body in port terms, one vector per input text in input order. */
export const decodeEmbeddingsResponse = (
  body: unknown,
  options: { readonly requestedModel: string; readonly expected: number }
): Result.Result<{ readonly modelId: string; readonly vectors: ReadonlyArray<ReadonlyArray<number>>; readonly usage: TokenUsage }, ModelError> => {
  const decoded = decodeEmbeddings(body, { onExcessProperty: "ignore" });
  if (Result.isFailure(decoded)) return Result.fail(badResponse(`unexpected embeddings response: ${decoded.failure.message.slice(0, 500)}`));
  const { data } = decoded.success;
  if (data.length !== options.expected) return Result.fail(badResponse(`asked for ${options.expected} embeddings, got ${data.length}`));
  const vectors: Array<ReadonlyArray<number> | undefined> = new Array(options.expected).fill(undefined);
  for (const [i, item] of data.entries()) {
    const at = item.index ?? i;
    if (!Number.isInteger(at) || at < 0 || at >= options.expected || vectors[at] !== undefined)
      return Result.fail(badResponse(`embedding index ${String(at)} is out of range or repeated`));
    vectors[at] = item.embedding;
  }
  return Result.succeed({
    modelId: decoded.success.model ?? options.requestedModel,
    vectors: vectors as ReadonlyArray<ReadonlyArray<number>>,
    usage: { inputTokens: count(decoded.success.usage?.prompt_tokens), outputTokens: 0 }
  });
};
