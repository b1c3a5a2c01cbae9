import type {
  ContentBlock as WireBlock,
  ConverseCommandInput,
  GuardrailTrace,
  Message,
  Tool,
  ToolChoice as WireToolChoice
} from "@aws-sdk/client-bedrock-runtime";
import type { ContentBlock, ConverseRequest, ModelMessage, ToolSpec } from "@sre-on-call/core";
import { Result } from "effect";
import { isJsonObject, type JsonObject, toJsonValue } from "./json.js";

export interface BedrockGuardrail {
  /** Guardrail id or ARN. */
  readonly id: string;
  /** A version number or `DRAFT`. */
  readonly version: string;
  /** Ask Bedrock for the guardrail's assessment trace. Default off. */
  readonly trace?: boolean;
}

/** A port request as a Converse call, and how to read the answer back. */
export interface ConverseMapping {
  readonly input: ConverseCommandInput;
  /** The tool forced for structured output; its input is the structured answer. */
  readonly structuredTool?: StructuredTool;
}

export interface StructuredTool {
  readonly name: string;
  /** The schema was not an object, so it was wrapped in `{ value }`, which must be unwrapped. */
  readonly wrapped: boolean;
}

/** Bedrock's pattern for tool names. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Bedrock's pattern for `requestMetadata` values; its `\s` is Java's, ASCII whitespace only. */
const METADATA_UNSAFE = /[^a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,.-]/g;

/** Bedrock rejects text blocks that are empty or only whitespace. */
const isBlank = (text: string): boolean => text.trim() === "";

/** A tool name Bedrock accepts, derived from a schema name such as `root cause`. */
export const structuredToolName = (schemaName: string): string => {
  const cleaned = schemaName.replace(/[^a-zA-Z0-9_-]+/g, "_").slice(0, 64);
  return /[a-zA-Z0-9]/.test(cleaned) ? cleaned : "structured_output";
};

type Mapped<A> = Result.Result<A, string>;

const blockToWire = (block: ContentBlock, where: string): Mapped<WireBlock | undefined> => {
  switch (block.type) {
    case "text":
      return Result.succeed(isBlank(block.text) ? undefined : { text: block.text });
    case "toolUse": {
      if (!TOOL_NAME.test(block.name)) return Result.fail(`${where}: tool call names a tool Bedrock cannot accept (${describeName(block.name)})`);
      if (block.id === "") return Result.fail(`${where}: tool call has an empty id`);
      const input = block.input === undefined ? {} : toJsonValue(block.input);
      if (input === undefined) return Result.fail(`${where}: the input of the call to ${block.name} is not representable as JSON`);
      return Result.succeed({ toolUse: { toolUseId: block.id, name: block.name, input } });
    }
    case "toolResult":
      if (block.toolUseId === "") return Result.fail(`${where}: tool result has an empty toolUseId`);
      return Result.succeed({
        toolResult: {
          toolUseId: block.toolUseId,
          // A tool that printed nothing still answered; Bedrock rejects a blank text block.
          content: [{ text: isBlank(block.content) ? "(no output)" : block.content }],
          ...(block.isError === true ? { status: "error" as const } : {})
        }
      });
  }
};

const describeName = (name: string): string => (name.length > 40 ? `${JSON.stringify(name.slice(0, 40))}…` : JSON.stringify(name));

/**
 * Bedrock wants a conversation that starts with the user and alternates roles, with no blank
 * text. Blank text blocks are dropped, messages left empty vanish, and neighbours of the same
 * role are merged; nothing with content is lost.
 */
const messagesToWire = (messages: ReadonlyArray<ModelMessage>): Mapped<Array<Message>> => {
  const out: Array<Message> = [];
  for (const [i, message] of messages.entries()) {
    if (message.role !== "user" && message.role !== "assistant") return Result.fail(`messages[${i}]: unknown role`);
    const blocks: Array<WireBlock> = [];
    for (const [j, block] of message.content.entries()) {
      if (block.type === "toolUse" && message.role !== "assistant") return Result.fail(`messages[${i}].content[${j}]: only the assistant calls tools`);
      if (block.type === "toolResult" && message.role !== "user") return Result.fail(`messages[${i}].content[${j}]: tool results go in a user message`);
      const mapped = blockToWire(block, `messages[${i}].content[${j}]`);
      if (Result.isFailure(mapped)) return Result.fail(mapped.failure);
      if (mapped.success !== undefined) blocks.push(mapped.success);
    }
    if (blocks.length === 0) continue;
    const previous = out[out.length - 1];
    if (previous !== undefined && previous.role === message.role) previous.content = [...(previous.content ?? []), ...blocks];
    else out.push({ role: message.role, content: blocks });
  }
  if (out.length === 0) return Result.fail("the request has no message with content");
  if (out[0]?.role !== "user") return Result.fail("the conversation must start with a user message");
  return Result.succeed(out);
};

const hasToolBlocks = (messages: ReadonlyArray<Message>): boolean =>
  messages.some((m) => (m.content ?? []).some((b) => b.toolUse !== undefined || b.toolResult !== undefined));

const toolToWire = (tool: ToolSpec, i: number): Mapped<Tool> => {
  if (!TOOL_NAME.test(tool.name)) return Result.fail(`tools[${i}]: Bedrock tool names are 1-64 letters, digits, _ or - (got ${describeName(tool.name)})`);
  const schema = toJsonValue(tool.inputSchema);
  if (!isJsonObject(schema)) return Result.fail(`tools[${i}] (${tool.name}): the input schema is not a JSON object`);
  return Result.succeed({
    toolSpec: {
      name: tool.name,
      // Bedrock rejects an empty description; the name is the best fallback.
      description: tool.description.trim() === "" ? tool.name : tool.description,
      inputSchema: { json: schema }
    }
  });
};

const structuredToolFor = (
  responseSchema: NonNullable<ConverseRequest["responseSchema"]>
): Mapped<{ readonly tool: Tool; readonly structured: StructuredTool }> => {
  const schema = toJsonValue(responseSchema.schema);
  if (!isJsonObject(schema)) return Result.fail(`responseSchema ${describeName(responseSchema.name)}: the schema is not a JSON object`);
  const name = structuredToolName(responseSchema.name);
  // Tool inputs are always objects, so any other schema travels wrapped in `{ value }`.
  const wrapped = schema["type"] !== "object";
  const json: JsonObject = wrapped ? { type: "object", properties: { value: schema }, required: ["value"] } : schema;
  return Result.succeed({
    tool: {
      toolSpec: {
        name,
        description: `Give your final answer by calling this tool once with the complete ${responseSchema.name} as its input.`,
        inputSchema: { json }
      }
    },
    structured: { name, wrapped }
  });
};

const validInferenceConfig = (request: ConverseRequest): Mapped<ConverseCommandInput["inferenceConfig"]> => {
  const { maxTokens, temperature, stopSequences } = request;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) return Result.fail(`maxTokens must be a positive integer (got ${maxTokens})`);
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= 1)) {
    return Result.fail(`temperature must be between 0 and 1 for Converse (got ${temperature})`);
  }
  const stops = (stopSequences ?? []).filter((s) => s !== "");
  if (maxTokens === undefined && temperature === undefined && stops.length === 0) return Result.succeed(undefined);
  return Result.succeed({
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(stops.length > 0 ? { stopSequences: stops } : {})
  });
};

/**
 * Maps a port request to a Converse call. Never throws: a request Bedrock would reject for
 * its shape comes back as a failure saying what is wrong (and never quoting the prompt).
 *
 * Structured output is a forced call of a tool named after the schema, whose input is the
 * answer; it takes precedence over `toolChoice`. `toolChoice: "none"` has no Converse equivalent: the tools are left out, unless the
 * conversation already holds tool blocks, which Bedrock only accepts with the tool config.
 */
export const toConverseInput = (
  request: ConverseRequest,
  options: { readonly modelId: string; readonly guardrail?: BedrockGuardrail }
): Result.Result<ConverseMapping, string> => {
  const modelId = request.modelId ?? options.modelId;
  if (modelId.trim() === "") return Result.fail("no model id: set one in the request or the adapter's defaultModelId");
  const messages = messagesToWire(request.messages);
  if (Result.isFailure(messages)) return Result.fail(messages.failure);
  const inferenceConfig = validInferenceConfig(request);
  if (Result.isFailure(inferenceConfig)) return Result.fail(inferenceConfig.failure);

  const tools: Array<Tool> = [];
  for (const [i, tool] of (request.tools ?? []).entries()) {
    const mapped = toolToWire(tool, i);
    if (Result.isFailure(mapped)) return Result.fail(mapped.failure);
    if (tools.some((t) => t.toolSpec?.name === tool.name)) return Result.fail(`tools[${i}]: the tool name ${tool.name} is offered twice`);
    tools.push(mapped.success);
  }

  let toolChoice: WireToolChoice | undefined;
  let structuredTool: StructuredTool | undefined;
  const choice = request.toolChoice ?? "auto";
  if (request.responseSchema !== undefined) {
    const structured = structuredToolFor(request.responseSchema);
    if (Result.isFailure(structured)) return Result.fail(structured.failure);
    if (tools.some((t) => t.toolSpec?.name === structured.success.structured.name)) {
      return Result.fail(`responseSchema ${describeName(request.responseSchema.name)} clashes with a tool of the same name`);
    }
    tools.push(structured.success.tool);
    structuredTool = structured.success.structured;
    toolChoice = { tool: { name: structuredTool.name } };
  } else if (choice === "any" || typeof choice === "object") {
    if (tools.length === 0) return Result.fail("toolChoice asks for a tool call but no tools are offered");
    if (choice === "any") toolChoice = { any: {} };
    else if (!tools.some((t) => t.toolSpec?.name === choice.tool)) return Result.fail(`toolChoice names a tool that is not offered (${describeName(choice.tool)})`);
    else toolChoice = { tool: { name: choice.tool } };
  }
  const sendTools = tools.length > 0 && (choice !== "none" || structuredTool !== undefined || hasToolBlocks(messages.success));
  if (!sendTools && hasToolBlocks(messages.success)) return Result.fail("the conversation holds tool calls or results but no tools are offered");

  const system = request.system !== undefined && !isBlank(request.system) ? [{ text: request.system }] : undefined;
  const callSite = request.callSite.replace(METADATA_UNSAFE, "_").slice(0, 256);
  const guardrail = options.guardrail;
  const trace: GuardrailTrace = guardrail?.trace === true ? "enabled" : "disabled";

  const input: ConverseCommandInput = {
    modelId,
    messages: messages.success,
    ...(system !== undefined ? { system } : {}),
    ...(inferenceConfig.success !== undefined ? { inferenceConfig: inferenceConfig.success } : {}),
    ...(sendTools ? { toolConfig: { tools, ...(toolChoice !== undefined ? { toolChoice } : {}) } } : {}),
    ...(guardrail !== undefined
      ? { guardrailConfig: { guardrailIdentifier: guardrail.id, guardrailVersion: guardrail.version, trace } }
      : {}),
    // Lets Bedrock's invocation logs be filtered by who asked, with no prompt text in it.
    ...(callSite !== "" ? { requestMetadata: { callSite } } : {})
  };
  return Result.succeed(structuredTool !== undefined ? { input, structuredTool } : { input });
};
