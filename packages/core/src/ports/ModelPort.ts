import { Context, Schema } from "effect";
import type { Effect } from "effect";

export type ContentBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "toolUse"; readonly id: string; readonly name: string; readonly input: unknown }
  | {
      readonly type: "toolResult";
      readonly toolUseId: string;
      readonly content: string;
      readonly isError?: boolean;
    };

export interface ModelMessage {
  readonly role: "user" | "assistant";
  readonly content: ReadonlyArray<ContentBlock>;
}

/** A tool offered to the model; `inputSchema` is a JSON Schema object. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export type ToolChoice = "auto" | "any" | "none" | { readonly tool: string };

export interface ConverseRequest {
  /** Who is calling (`classifier`, `synthesis`, an agent id): used for model choice and cost lines. */
  readonly callSite: string;
  readonly modelId?: string;
  readonly system?: string;
  readonly messages: ReadonlyArray<ModelMessage>;
  readonly tools?: ReadonlyArray<ToolSpec>;
  readonly toolChoice?: ToolChoice;
  /** Ask for a JSON object matching this JSON Schema; the parsed object is in `structured`. */
  readonly responseSchema?: { readonly name: string; readonly schema: Readonly<Record<string, unknown>> };
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly stopSequences?: ReadonlyArray<string>;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "guardrail" | "content_filter";

export interface ConverseResponse {
  readonly modelId: string;
  readonly content: ReadonlyArray<ContentBlock>;
  readonly stopReason: StopReason;
  readonly usage: TokenUsage;
  /** The parsed JSON object when `responseSchema` was requested and the model produced one. */
  readonly structured?: unknown;
}

export interface EmbedRequest {
  readonly callSite: string;
  readonly modelId?: string;
  readonly texts: ReadonlyArray<string>;
}

export interface EmbedResponse {
  readonly modelId: string;
  readonly vectors: ReadonlyArray<ReadonlyArray<number>>;
  readonly usage: TokenUsage;
}

export const ModelErrorReason = Schema.Literals([
  "throttled",
  "timeout",
  "auth",
  "invalid_request",
  "unavailable",
  "bad_response",
  "unsupported",
  "guardrail"
]);
export type ModelErrorReason = typeof ModelErrorReason.Type;

export class ModelError extends Schema.TaggedError<ModelError>()("ModelError", {
  provider: Schema.String,
  reason: ModelErrorReason,
  detail: Schema.String,
  retryable: Schema.Boolean
}) {
  override get message(): string {
    return `${this.provider} model call failed (${this.reason}): ${this.detail}`;
  }
}

export interface ModelPortShape {
  readonly provider: string;
  readonly converse: (request: ConverseRequest) => Effect.Effect<ConverseResponse, ModelError>;
  readonly embed: (request: EmbedRequest) => Effect.Effect<EmbedResponse, ModelError>;
}

export class ModelPort extends Context.Service<ModelPort, ModelPortShape>()("sre-on-call/ModelPort") {}

/** Concatenated text blocks of a response. */
export const responseText = (response: ConverseResponse): string =>
  response.content
    .filter((b): b is Extract<ContentBlock, { type: "text" }> => b.type === "text")
    .map((b) => b.text)
    .join("");
