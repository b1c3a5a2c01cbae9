import { Schema } from "effect";
import { Finding } from "./Finding.js";
import { Hypothesis } from "./Hypothesis.js";
import { EpochMillis, JsonRecord, NonEmptyString, NonNegative } from "./primitives.js";

/** Cost and provenance of one agent's work. */
export const AgentMetadata = Schema.Struct({
  modelId: Schema.optionalKey(Schema.String),
  startedAt: EpochMillis,
  endedAt: EpochMillis,
  inputTokens: NonNegative,
  outputTokens: NonNegative,
  costUsd: NonNegative,
  modelCalls: Schema.optionalKey(NonNegative),
  extra: Schema.optionalKey(JsonRecord)
});
export type AgentMetadata = typeof AgentMetadata.Type;

/** Metadata of a run that called no model (deterministic analysis): zero tokens, zero cost. */
export const deterministicMetadata = (startedAt: number, endedAt: number, extra?: AgentMetadata["extra"]): AgentMetadata => ({
  startedAt,
  endedAt,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  modelCalls: 0,
  ...(extra !== undefined ? { extra } : {})
});

export const AgentStatus = Schema.Literals(["success", "error", "unhealthy", "timeout"]);
export type AgentStatus = typeof AgentStatus.Type;

export const AgentResult = Schema.Struct({
  agent: NonEmptyString,
  status: AgentStatus,
  findings: Schema.Array(Finding),
  hypotheses: Schema.Array(Hypothesis),
  summary: Schema.String,
  error: Schema.optionalKey(Schema.String),
  durationMs: NonNegative,
  metadata: AgentMetadata
});
export type AgentResult = typeof AgentResult.Type;

export const AgentFailureKind = Schema.Literals(["error", "unhealthy", "timeout", "crashed", "unavailable"]);
export type AgentFailureKind = typeof AgentFailureKind.Type;

/** Why an agent produced no result. Typed error of `Specialist.investigate`. */
export class AgentFailure extends Schema.TaggedError<AgentFailure>()("AgentFailure", {
  agent: Schema.String,
  kind: AgentFailureKind,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.agent}: ${this.kind}: ${this.reason}`;
  }
}
