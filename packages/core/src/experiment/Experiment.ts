import { Context, Schema } from "effect";
import type { Effect } from "effect";
import { EpochMillis, NonNegative } from "../model/primitives.js";

/*
 * An online A/B experiment: while one is active, every alert is investigated by both variants
 * and both runs are recorded, so the variants can be compared on the same incidents.
 */

/** Ids travel in store keys and CLI arguments: letters, digits, `.`, `_`, `-`, at most 64. */
export const ExperimentId = Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)));
export type ExperimentId = typeof ExperimentId.Type;

const Label = Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(80)));
const ModelSpec = Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(300)));

export const AgentMode = Schema.Literals(["agent", "deterministic"]);
export type AgentMode = typeof AgentMode.Type;

/** What a variant changes relative to the running configuration; absent keys keep it. */
export const VariantOverrides = Schema.Struct({
  model: Schema.optionalKey(ModelSpec),
  /** Per agent id. */
  agent_mode: Schema.optionalKey(Schema.Record(Schema.String, AgentMode)),
  max_tool_cycles: Schema.optionalKey(Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 })))),
  synthesis_model: Schema.optionalKey(ModelSpec)
});
export type VariantOverrides = typeof VariantOverrides.Type;

export const Variant = Schema.Struct({ label: Label, overrides: VariantOverrides });
export type Variant = typeof Variant.Type;

export const ExperimentMode = Schema.Literals(["post-both", "post-control"]);
export type ExperimentMode = typeof ExperimentMode.Type;

export const ExperimentState = Schema.Literals(["defined", "active", "paused"]);
export type ExperimentState = typeof ExperimentState.Type;

export const Experiment = Schema.Struct({
  id: ExperimentId,
  name: Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  description: Schema.optionalKey(Schema.String),
  control: Variant,
  treatment: Variant,
  /** `post-both`: both reports go to the thread; `post-control`: the treatment's report is archived only. */
  mode: ExperimentMode,
  state: ExperimentState,
  createdAt: EpochMillis,
  activatedAt: Schema.optionalKey(EpochMillis)
});
export type Experiment = typeof Experiment.Type;

export const VariantRole = Schema.Literals(["control", "treatment"]);
export type VariantRole = typeof VariantRole.Type;

/** One piece of evidence a report rests on, as the judge sees it. */
export const EvidenceItem = Schema.Struct({ id: Schema.String, agent: Schema.String, content: Schema.String });
export type EvidenceItem = typeof EvidenceItem.Type;

export const SummaryHypothesis = Schema.Struct({
  title: Schema.String,
  confidence: Schema.String,
  evidence: Schema.Array(Schema.String)
});
export type SummaryHypothesis = typeof SummaryHypothesis.Type;

/** What the judge compares: the report's claims and the evidence it collected, clipped and redacted. */
export const RunSummary = Schema.Struct({
  title: Schema.String,
  severity: Schema.String,
  summary: Schema.String,
  hypotheses: Schema.Array(SummaryHypothesis),
  actions: Schema.Array(Schema.String),
  ruledOut: Schema.Array(Schema.String),
  evidence: Schema.Array(EvidenceItem)
});
export type RunSummary = typeof RunSummary.Type;

export const VariantRun = Schema.Struct({
  experimentId: ExperimentId,
  investigationId: Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(300))),
  variant: VariantRole,
  label: Schema.String,
  recordedAt: EpochMillis,
  /** `failed`: the variant produced no report (`error` says why); it never pairs. */
  status: Schema.Literals(["ok", "failed"]),
  error: Schema.optionalKey(Schema.String),
  latencyMs: NonNegative,
  inputTokens: NonNegative,
  outputTokens: NonNegative,
  costUsd: NonNegative,
  /** Where the report went: a chat message reference, or an archive reference. */
  reportRef: Schema.optionalKey(Schema.String),
  summary: Schema.optionalKey(RunSummary)
});
export type VariantRun = typeof VariantRun.Type;

export const ExperimentErrorReason = Schema.Literals(["not_found", "already_exists", "another_active", "invalid", "unavailable"]);
export type ExperimentErrorReason = typeof ExperimentErrorReason.Type;

export class ExperimentError extends Schema.TaggedError<ExperimentError>()("ExperimentError", {
  operation: Schema.String,
  reason: ExperimentErrorReason,
  detail: Schema.String,
  /** With `another_active`: the experiment that is active. */
  activeId: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return `experiment ${this.operation} failed (${this.reason}): ${this.detail}`;
  }
}

export interface ExperimentStoreShape {
  /** Stores a new experiment; an id already taken fails with `already_exists`. */
  readonly define: (experiment: Experiment) => Effect.Effect<Experiment, ExperimentError>;
  readonly get: (id: string) => Effect.Effect<Experiment | undefined, ExperimentError>;
  /** Every experiment, oldest first. */
  readonly list: () => Effect.Effect<ReadonlyArray<Experiment>, ExperimentError>;
  /**
   * Makes the experiment the active one. Atomic: of any number of concurrent activations of
   * different experiments exactly one succeeds; the others fail with `another_active` naming it.
   * Activating the active experiment again succeeds and changes nothing.
   */
  readonly activate: (id: string, at: number) => Effect.Effect<Experiment, ExperimentError>;
  /** Stops an active experiment (it can be activated again); pausing a paused one changes nothing. */
  readonly pause: (id: string) => Effect.Effect<Experiment, ExperimentError>;
  readonly active: () => Effect.Effect<Experiment | undefined, ExperimentError>;
  /** Records one variant's run; recording the same experiment, investigation and variant again replaces it. */
  readonly recordRun: (run: VariantRun) => Effect.Effect<void, ExperimentError>;
  /** The experiment's runs ordered by investigation id, control before treatment. */
  readonly runsOf: (experimentId: string) => Effect.Effect<ReadonlyArray<VariantRun>, ExperimentError>;
}

export class ExperimentStore extends Context.Service<ExperimentStore, ExperimentStoreShape>()("sre-on-call/ExperimentStore") {}

/** The key a run is stored under within its experiment; orders runs as `runsOf` promises. */
export const runKey = (run: Pick<VariantRun, "investigationId" | "variant">): string => `${run.investigationId}\u0000${run.variant === "control" ? "0" : "1"}`;

/** Orders runs as `runsOf` promises. */
export const compareRuns = (a: VariantRun, b: VariantRun): number => {
  const ka = runKey(a);
  const kb = runKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
