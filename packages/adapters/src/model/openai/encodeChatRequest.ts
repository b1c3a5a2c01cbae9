import type { ContentBlock, ConverseRequest, ToolChoice } from "@sre-on-call/core";
import { ModelError } from "@sre-on-call/core";
import { Result } from "effect";
import type { ChatCompletionRequest, WireContent, WireMessage, WireResponseFormat, WireToolCall, WireToolChoice } from "./openAiWire.js";

export const PROVIDER = "openai";

/**
 * How a `responseSchema` is asked for: `json_schema` (strict structured output) where the
 * server supports it, else `json_object` with the schema spelt out in the system prompt, else
 * (`prompt`) the system prompt alone, for servers that take no `response_format` at all.
 */
export type StructuredMode = "json_schema" | "json_object" | "prompt";

/**
 * What a server turned out not to accept, learnt from its 400s and remembered per model:
 * servers without structured outputs, and OpenAI's reasoning models, which want
 * `max_completion_tokens` and only their default temperature.
 */
export interface WireQuirks {
  readonly structuredMode: StructuredMode;
  readonly maxTokensField: "max_tokens" | "max_completion_tokens";
  readonly omitTemperature: boolean;
}

export const DEFAULT_QUIRKS: WireQuirks = { structuredMode: "json_schema", maxTokensField: "max_tokens", omitTemperature: false };

export interface EncodeOptions {
  readonly modelId: string;
  readonly quirks?: WireQuirks;
}

/** Marks a tool result the tool reported as failed: the wire format has no flag for it. */
export const TOOL_ERROR_PREFIX = "[tool error] ";

const invalid = (detail: string) => new ModelError({ provider: PROVIDER, reason: "invalid_request", detail, retryable: false });

type TextBlock = Extract<ContentBlock, { type: "text" }>;
type ToolUseBlock = Extract<ContentBlock, { type: "toolUse" }>;
type ToolResultBlock = Extract<ContentBlock, { type: "toolResult" }>;

const wireContent = (texts: ReadonlyArray<TextBlock>): WireContent =>
  texts.length === 1 ? texts[0]!.text : texts.map((t) => ({ type: "text" as const, text: t.text }));

const stringifyArguments = (block: ToolUseBlock): Result.Result<string, ModelError> => {
  try {
    const json = JSON.stringify(block.input);
    return json === undefined ? Result.succeed("{}") : Result.succeed(json);
  } catch (e) {
    return Result.fail(invalid(`the input of tool call ${JSON.stringify(block.id)} (${block.name}) is not JSON-serialisable: ${e instanceof Error ? e.message : String(e)}`));
  }
};

/** JSON Schema names on the wire must match `^[a-zA-Z0-9_-]{1,64}$`. */
export const wireSchemaName = (name: string): string => name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "response";

const wireToolChoice = (choice: ToolChoice): WireToolChoice =>
  choice === "auto" ? "auto" : choice === "any" ? "required" : choice === "none" ? "none" : { type: "function", function: { name: choice.tool } };

/** What `json_object` mode adds to the system prompt, since the server never sees the schema. */
export const jsonObjectInstruction = (schema: Readonly<Record<string, unknown>>): string =>
  `Answer with a single JSON object and nothing else (no prose, no code fences). It must match this JSON Schema:\n${JSON.stringify(schema)}`;

const checkNumber = (what: string, value: number | undefined, valid: (n: number) => boolean): ModelError | undefined =>
  value === undefined || valid(value) ? undefined : invalid(`${what} ${String(value)} is out of range`);

/**
 * A port request in the chat-completions wire format. Pure and total: anything the wire
 * format cannot carry is a typed `invalid_request`, never a throw.
 */
export const encodeChatRequest = (request: ConverseRequest, options: EncodeOptions): Result.Result<ChatCompletionRequest, ModelError> => {
  const badNumber =
    checkNumber("maxTokens", request.maxTokens, (n) => Number.isInteger(n) && n > 0) ??
    checkNumber("temperature", request.temperature, (n) => Number.isFinite(n) && n >= 0);
  if (badNumber !== undefined) return Result.fail(badNumber);

  const quirks = options.quirks ?? DEFAULT_QUIRKS;
  const mode = quirks.structuredMode;
  const schemaText =
    request.responseSchema !== undefined && mode !== "json_schema" ? jsonObjectInstruction(request.responseSchema.schema) : undefined;
  const system = [request.system, schemaText].filter((s): s is string => s !== undefined && s !== "").join("\n\n");

  const messages: Array<WireMessage> = system === "" ? [] : [{ role: "system", content: system }];
  for (const [i, message] of request.messages.entries()) {
    const texts = message.content.filter((b): b is TextBlock => b.type === "text");
    const uses = message.content.filter((b): b is ToolUseBlock => b.type === "toolUse");
    const results = message.content.filter((b): b is ToolResultBlock => b.type === "toolResult");
    if (message.role === "user") {
      if (uses.length > 0) return Result.fail(invalid(`message ${i}: a user message cannot contain a tool call`));
      // Tool results must directly follow the assistant message that made the calls.
      for (const r of results)
        messages.push({ role: "tool", tool_call_id: r.toolUseId, content: r.isError === true ? `${TOOL_ERROR_PREFIX}${r.content}` : r.content });
      if (texts.length > 0 || results.length === 0) messages.push({ role: "user", content: texts.length === 0 ? "" : wireContent(texts) });
    } else {
      if (results.length > 0) return Result.fail(invalid(`message ${i}: an assistant message cannot contain a tool result`));
      const calls: Array<WireToolCall> = [];
      for (const u of uses) {
        const args = stringifyArguments(u);
        if (Result.isFailure(args)) return Result.fail(args.failure);
        calls.push({ id: u.id, type: "function", function: { name: u.name, arguments: args.success } });
      }
      messages.push({
        role: "assistant",
        content: texts.length === 0 ? (calls.length > 0 ? null : "") : wireContent(texts),
        ...(calls.length > 0 ? { tool_calls: calls } : {})
      });
    }
  }

  const responseFormat: WireResponseFormat | undefined =
    request.responseSchema === undefined || mode === "prompt"
      ? undefined
      : mode === "json_schema"
        ? { type: "json_schema", json_schema: { name: wireSchemaName(request.responseSchema.name), schema: request.responseSchema.schema, strict: true } }
        : { type: "json_object" };

  const tools = request.tools ?? [];
  return Result.succeed({
    model: request.modelId ?? options.modelId,
    messages,
    ...(tools.length > 0
      ? { tools: tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.inputSchema } })) }
      : {}),
    ...(request.toolChoice !== undefined && tools.length > 0 ? { tool_choice: wireToolChoice(request.toolChoice) } : {}),
    ...(request.maxTokens !== undefined ? { [quirks.maxTokensField]: request.maxTokens } : {}),
    ...(request.temperature !== undefined && !quirks.omitTemperature ? { temperature: request.temperature } : {}),
    ...(request.stopSequences !== undefined && request.stopSequences.length > 0 ? { stop: request.stopSequences } : {}),
    ...(responseFormat !== undefined ? { response_format: responseFormat } : {})
  });
};
