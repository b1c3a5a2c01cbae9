import { Effect, Result, Schema } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import type { Finding } from "../model/Finding.js";
import type { EpochMillis } from "../model/primitives.js";
import { decodeUnknown } from "../model/decode.js";

/*
 * A tool a specialist offers to a model in agent mode: one of its deterministic queries (a
 * Prometheus range query, a pod's log tail, a log-group search), or a tool of an MCP server.
 * Everything a model sends is untrusted: `run` validates its input and answers a typed error
 * the model can read, never a throw.
 */

/** What the tool is called with besides the model's arguments. */
export interface ToolContext {
  readonly alert: AlertContext;
  /** Wall-clock time by which the tool must have answered. */
  readonly deadline: EpochMillis;
}

/** Evidence a tool observed; the agent-mode runner gives it an id (`<agent>:<n>`) and its agent. */
export type ToolFinding = Omit<Finding, "id" | "agent">;

export interface ToolOutput {
  /** What the model reads: compact, data only. */
  readonly text: string;
  /** Findings the answer establishes, kept in the agent's result whatever the model does next. */
  readonly findings?: ReadonlyArray<ToolFinding>;
}

export class ToolError extends Schema.TaggedError<ToolError>()("ToolError", {
  tool: Schema.String,
  /** `invalid_input` (the model's arguments did not validate), `failed`, `timeout` or `unavailable`. */
  reason: Schema.Literals(["invalid_input", "failed", "timeout", "unavailable"]),
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.tool}: ${this.reason}: ${this.detail}`;
  }
}

export interface AgentTool {
  /** `^[A-Za-z0-9_-]{1,64}$`, unique within an agent (Bedrock and OpenAI both require it). */
  readonly name: string;
  readonly description: string;
  /** A JSON Schema object describing the arguments. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** Where the tool comes from: `builtin` or `mcp:<server>`. */
  readonly origin: string;
  readonly run: (input: unknown, context: ToolContext) => Effect.Effect<ToolOutput, ToolError>;
}

export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface SchemaToolSpec<S extends Schema.Top> {
  readonly name: string;
  readonly description: string;
  /** The arguments, as a Schema: its JSON Schema is what the model sees, and it decodes the model's input. */
  readonly args: S;
  readonly run: (args: S["Type"], context: ToolContext) => Effect.Effect<ToolOutput, ToolError>;
}

/** A built-in tool whose arguments are an Effect Schema (decoded before `run` sees them). */
export const schemaTool = <S extends Schema.Codec<unknown, unknown, never, never>>(spec: SchemaToolSpec<S>): AgentTool => {
  if (!TOOL_NAME.test(spec.name)) throw new Error(`tool name ${JSON.stringify(spec.name)} must match ${String(TOOL_NAME)}`);
  const document = Schema.toJsonSchemaDocument(spec.args);
  const decode = decodeUnknown(spec.args, `arguments of ${spec.name}`);
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: document.schema as Readonly<Record<string, unknown>>,
    origin: "builtin",
    run: (input, context) =>
      Effect.suspend(() => {
        const decoded = decode(input ?? {});
        return Result.isSuccess(decoded) ? spec.run(decoded.success, context) : Effect.fail(new ToolError({ tool: spec.name, reason: "invalid_input", detail: decoded.failure.reason }));
      })
  };
};
