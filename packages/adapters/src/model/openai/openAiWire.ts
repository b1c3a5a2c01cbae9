import { Schema } from "effect";

/**
 * The OpenAI chat-completions and embeddings wire format, as far as the adapter writes and
 * reads it. Local model servers and gateways omit optional fields or send them as `null`,
 * so everything the adapter can live without is optional on the way in.
 */

export interface WireTextPart {
  readonly type: "text";
  readonly text: string;
}

/** A single text block goes as a string (every server reads it); several as text parts. */
export type WireContent = string | ReadonlyArray<WireTextPart>;

export interface WireToolCall {
  readonly id: string;
  readonly type: "function";
  readonly function: { readonly name: string; readonly arguments: string };
}

export type WireMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: WireContent }
  | { readonly role: "assistant"; readonly content: WireContent | null; readonly tool_calls?: ReadonlyArray<WireToolCall> }
  | { readonly role: "tool"; readonly tool_call_id: string; readonly content: string };

export interface WireTool {
  readonly type: "function";
  readonly function: { readonly name: string; readonly description: string; readonly parameters: Readonly<Record<string, unknown>> };
}

export type WireToolChoice = "auto" | "required" | "none" | { readonly type: "function"; readonly function: { readonly name: string } };

export type WireResponseFormat =
  | {
      readonly type: "json_schema";
      readonly json_schema: { readonly name: string; readonly schema: Readonly<Record<string, unknown>>; readonly strict: true };
    }
  | { readonly type: "json_object" };

export interface ChatCompletionRequest {
  readonly model: string;
  readonly messages: ReadonlyArray<WireMessage>;
  readonly tools?: ReadonlyArray<WireTool>;
  readonly tool_choice?: WireToolChoice;
  readonly max_tokens?: number;
  /** What OpenAI's reasoning models take instead of `max_tokens`. */
  readonly max_completion_tokens?: number;
  readonly temperature?: number;
  readonly stop?: ReadonlyArray<string>;
  readonly response_format?: WireResponseFormat;
}

export interface EmbeddingsRequest {
  readonly model: string;
  readonly input: ReadonlyArray<string>;
}

const Nullable = <S extends Schema.Constraint>(s: S) => Schema.optionalKey(Schema.NullOr(s));

const WireUsage = Schema.Struct({
  prompt_tokens: Nullable(Schema.Number),
  completion_tokens: Nullable(Schema.Number)
});

const ResponseToolCall = Schema.Struct({
  id: Nullable(Schema.String),
  type: Nullable(Schema.String),
  function: Schema.Struct({
    name: Schema.String,
    /** A JSON string per the spec; a few servers send the object itself. */
    arguments: Nullable(Schema.Unknown)
  })
});

const ResponseContent = Schema.Union([
  Schema.String,
  Schema.Array(Schema.Struct({ type: Nullable(Schema.String), text: Nullable(Schema.String) }))
]);

export const ChatCompletionResponse = Schema.Struct({
  model: Nullable(Schema.String),
  choices: Schema.Array(
    Schema.Struct({
      message: Schema.Struct({
        content: Nullable(ResponseContent),
        tool_calls: Nullable(Schema.Array(ResponseToolCall)),
        refusal: Nullable(Schema.String)
      }),
      finish_reason: Nullable(Schema.String)
    })
  ),
  usage: Nullable(WireUsage)
});
export type ChatCompletionResponse = typeof ChatCompletionResponse.Type;

export const EmbeddingsResponse = Schema.Struct({
  model: Nullable(Schema.String),
  data: Schema.Array(Schema.Struct({ index: Nullable(Schema.Number), embedding: Schema.Array(Schema.Number) })),
  usage: Nullable(WireUsage)
});
export type EmbeddingsResponse = typeof EmbeddingsResponse.Type;

/** OpenAI's error body; gateways sometimes send `error` as a bare string. */
export const WireErrorBody = Schema.Struct({
  error: Nullable(
    Schema.Union([
      Schema.String,
      Schema.Struct({
        message: Nullable(Schema.String),
        type: Nullable(Schema.String),
        code: Nullable(Schema.Union([Schema.String, Schema.Number])),
        param: Nullable(Schema.String)
      })
    ])
  ),
  message: Nullable(Schema.String),
  detail: Nullable(Schema.String)
});
export type WireErrorBody = typeof WireErrorBody.Type;
