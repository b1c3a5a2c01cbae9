import { Schema } from "effect";
import { AlertStatus, Entities } from "./AlertContext.js";
import { Finding } from "./Finding.js";
import { Hypothesis } from "./Hypothesis.js";
import { EpochMillis, Link, NonEmptyString, NonNegative, Platform, Severity } from "./primitives.js";

/**
 * What the report says about one agent. `ok` means it answered; `running` that it had not
 * answered when the report was cut; `timeout` that it never answered before the hard cutoff;
 * `interrupted` that the server shut down before it answered.
 */
export const EvidenceState = Schema.Literals(["ok", "running", "error", "unhealthy", "timeout", "disabled", "skipped", "interrupted"]);
export type EvidenceState = typeof EvidenceState.Type;

export const AgentEvidence = Schema.Struct({
  agent: NonEmptyString,
  state: EvidenceState,
  summary: Schema.String,
  findings: Schema.Array(Finding),
  durationMs: Schema.optionalKey(NonNegative),
  error: Schema.optionalKey(Schema.String)
});
export type AgentEvidence = typeof AgentEvidence.Type;

/** Tokens and dollars for one model call site (an agent, the classifier, synthesis). */
export const CostLine = Schema.Struct({
  scope: Schema.String,
  modelId: Schema.String,
  inputTokens: NonNegative,
  outputTokens: NonNegative,
  costUsd: NonNegative
});
export type CostLine = typeof CostLine.Type;

export const ReportCost = Schema.Struct({
  lines: Schema.Array(CostLine),
  inputTokens: NonNegative,
  outputTokens: NonNegative,
  costUsd: NonNegative
});
export type ReportCost = typeof ReportCost.Type;

export const ReportKind = Schema.Literals(["initial", "final", "enrichment"]);
export type ReportKind = typeof ReportKind.Type;

export const InvestigationReport = Schema.Struct({
  investigationId: NonEmptyString,
  kind: ReportKind,
  title: Schema.String,
  severity: Severity,
  status: AlertStatus,
  source: Platform,
  channelId: Schema.String,
  messageId: Schema.String,
  entities: Entities,
  detectedAt: EpochMillis,
  generatedAt: EpochMillis,
  summary: Schema.String,
  affectedServices: Schema.Array(Schema.String),
  /** Most likely first. */
  hypotheses: Schema.Array(Hypothesis),
  /** One entry per agent, in the stable agent order. */
  agents: Schema.Array(AgentEvidence),
  ruledOut: Schema.Array(Schema.String),
  impact: Schema.String,
  actions: Schema.Array(Schema.String),
  links: Schema.Array(Link),
  cost: ReportCost
});
export type InvestigationReport = typeof InvestigationReport.Type;

export const HealthState = Schema.Literals(["healthy", "degraded", "unhealthy", "unknown"]);
export type HealthState = typeof HealthState.Type;

export const SnapshotSection = Schema.Struct({
  agent: NonEmptyString,
  state: EvidenceState,
  health: HealthState,
  summary: Schema.String,
  findings: Schema.Array(Finding),
  durationMs: Schema.optionalKey(NonNegative),
  error: Schema.optionalKey(Schema.String)
});
export type SnapshotSection = typeof SnapshotSection.Type;

export const SnapshotReport = Schema.Struct({
  snapshotId: NonEmptyString,
  generatedAt: EpochMillis,
  health: HealthState,
  sections: Schema.Array(SnapshotSection)
});
export type SnapshotReport = typeof SnapshotReport.Type;
