import { decodeUnknown } from "@sre-on-call/core";
import { Schema } from "effect";

/*
 * The stable JSON of `sre-on-call eval --format json` (schemaVersion 1). Fields are only ever
 * added; a change of meaning bumps schemaVersion. docs/measuring-changes.md documents it.
 */

const Count = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0)));
const NonNegative = Schema.Number.pipe(Schema.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(0)));
const Ratio = Schema.Number.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(1)));

export const ScenarioResultJson = Schema.Struct({
  scenario: Schema.String,
  noHighConfidence: Schema.Boolean,
  needsModel: Schema.Boolean,
  class: Schema.NullOr(Schema.String),
  source: Schema.NullOr(Schema.String),
  hit: Schema.Boolean,
  rank: Schema.NullOr(Count),
  highConfidenceWrong: Schema.Boolean,
  abstained: Schema.Boolean,
  affectedFound: Schema.Boolean,
  top: Schema.NullOr(Schema.Struct({ title: Schema.String, confidence: Schema.Literals(["high", "medium", "low"]) })),
  missingTerms: Schema.Array(Schema.String),
  forbiddenFound: Schema.Array(Schema.String),
  symptomTitle: Schema.Boolean,
  latencyMs: NonNegative,
  inputTokens: NonNegative,
  outputTokens: NonNegative,
  tokens: NonNegative,
  costUsd: NonNegative,
  error: Schema.NullOr(Schema.String)
});

const ClassSummaryJson = Schema.Struct({
  class: Schema.String,
  scenarios: Count,
  hits: Count,
  top1: Count,
  top3: Count,
  highConfidenceWrong: Count,
  abstentions: Count
});

export const SummaryJson = Schema.Struct({
  scenarios: Count,
  hits: Count,
  top1: Count,
  top3: Count,
  abstentions: Count,
  realMaterial: Count,
  byClass: Schema.Array(ClassSummaryJson),
  accuracy: Ratio,
  meanRank: Schema.NullOr(NonNegative),
  mrr: Ratio,
  highConfidenceWrong: Count,
  affectedFound: Count,
  errors: Count,
  latencyMs: Schema.Struct({ p50: NonNegative, p95: NonNegative, total: NonNegative }),
  inputTokens: NonNegative,
  outputTokens: NonNegative,
  tokens: NonNegative,
  costUsd: NonNegative
});

export const RunJson = Schema.Struct({
  /** `A`, `B`, or `default` for a single run. */
  label: Schema.String,
  /** The config file, as given; null for the embedded defaults. */
  config: Schema.NullOr(Schema.String),
  /** How hypotheses were synthesized. */
  synthesis: Schema.Literals(["deterministic", "model"]),
  /** The synthesis model spec (e.g. `openai:gpt-4o-mini`); null when deterministic. */
  model: Schema.NullOr(Schema.String),
  /** Agents the run used (per scenario, the ones with a data source). */
  agents: Schema.Array(Schema.String),
  notes: Schema.Array(Schema.String),
  scenarios: Schema.Array(ScenarioResultJson),
  summary: SummaryJson
});

export const ComparisonJson = Schema.Struct({
  rows: Schema.Array(
    Schema.Struct({
      scenario: Schema.String,
      a: Schema.NullOr(ScenarioResultJson),
      b: Schema.NullOr(ScenarioResultJson),
      change: Schema.Literals(["fixed", "broke", "same hit", "same miss"])
    })
  ),
  deltas: Schema.Struct({
    hits: Schema.Number,
    accuracy: Schema.Number,
    highConfidenceWrong: Schema.Number,
    mrr: Schema.Number,
    latencyP50Ms: Schema.Number,
    latencyP95Ms: Schema.Number,
    tokens: Schema.Number,
    costUsd: Schema.Number
  }),
  verdict: Schema.Literals(["A better", "B better", "no difference", "mixed"]),
  reason: Schema.String
});

export const EvalReport = Schema.Struct({
  schemaVersion: Schema.Literal(1),
  scenariosDir: Schema.String,
  highConfidenceThreshold: Ratio,
  runs: Schema.Array(RunJson),
  comparison: Schema.NullOr(ComparisonJson),
  gate: Schema.Struct({
    minAccuracy: Schema.NullOr(Schema.Number),
    maxHighConfidenceWrong: Schema.NullOr(Schema.Number),
    passed: Schema.Boolean,
    failures: Schema.Array(Schema.String)
  })
});
export type EvalReport = typeof EvalReport.Type;
export type RunJson = typeof RunJson.Type;

export const decodeEvalReport = decodeUnknown(EvalReport, "eval report");
