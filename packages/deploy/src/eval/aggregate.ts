import type { ScenarioScore } from "./score.js";

/** One scenario's outcome in a run: its score, and why the pipeline failed when it did. */
export interface ScenarioResult extends ScenarioScore {
  readonly scenario: string;
  /** Whether the scenario expects no high-confidence claim (no root cause to rank). */
  readonly noHighConfidence: boolean;
  /** Whether only a model is expected to reach the cause (`needsModel`). */
  readonly needsModel: boolean;
  /** The scenario's failure class (`expected.json` `class`), null when it names none. */
  readonly class: string | null;
  /** Where a real-material case comes from; null for generated scenarios. */
  readonly source: string | null;
  readonly error: string | null;
}

/** The outcomes of one failure class (or of one kind of material). */
export interface ClassSummary {
  readonly class: string;
  readonly scenarios: number;
  readonly hits: number;
  readonly top1: number;
  readonly top3: number;
  readonly highConfidenceWrong: number;
  readonly abstentions: number;
}

export interface Summary {
  readonly scenarios: number;
  readonly hits: number;
  /** Scenarios with a cause whose top hypothesis names it. */
  readonly top1: number;
  /** Scenarios with a cause named by one of the first three hypotheses. */
  readonly top3: number;
  /** `needsModel` scenarios answered with an honest abstention. */
  readonly abstentions: number;
  /** Scenarios that record a source: real material, the only kind an accuracy claim may rest on. */
  readonly realMaterial: number;
  /** Per failure class, sorted by class name; scenarios without a class under `unclassified`. */
  readonly byClass: ReadonlyArray<ClassSummary>;
  /** hits / scenarios, in [0, 1]; 0 for no scenarios. */
  readonly accuracy: number;
  /** Mean rank of the true cause over the scenarios where some hypothesis names it; null when none does. */
  readonly meanRank: number | null;
  /** Mean reciprocal rank over the scenarios that have a cause (not `noHighConfidence`): 1/rank, 0 when unranked. */
  readonly mrr: number;
  readonly highConfidenceWrong: number;
  readonly affectedFound: number;
  readonly errors: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly total: number };
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly tokens: number;
  readonly costUsd: number;
}

/** Nearest-rank percentile (p in (0, 100]) of the values; 0 for none. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1;
  return sorted[index] ?? 0;
};

const sum = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0);

/** The totals of a run. Pure. */
export const summarize = (results: ReadonlyArray<ScenarioResult>): Summary => {
  const n = results.length;
  const hits = results.filter((r) => r.hit).length;
  const ranks = results.flatMap((r) => (r.rank === null ? [] : [r.rank]));
  const withCause = results.filter((r) => !r.noHighConfidence);
  const latencies = results.map((r) => r.latencyMs);
  const isTop = (r: ScenarioResult, k: number) => !r.noHighConfidence && r.rank !== null && r.rank <= k;
  const classes = [...new Set(results.map((r) => r.class ?? "unclassified"))].sort();
  return {
    scenarios: n,
    hits,
    top1: results.filter((r) => isTop(r, 1)).length,
    top3: results.filter((r) => isTop(r, 3)).length,
    abstentions: results.filter((r) => r.abstained).length,
    realMaterial: results.filter((r) => r.source !== null).length,
    byClass: classes.map((c) => {
      const of = results.filter((r) => (r.class ?? "unclassified") === c);
      return {
        class: c,
        scenarios: of.length,
        hits: of.filter((r) => r.hit).length,
        top1: of.filter((r) => isTop(r, 1)).length,
        top3: of.filter((r) => isTop(r, 3)).length,
        highConfidenceWrong: of.filter((r) => r.highConfidenceWrong).length,
        abstentions: of.filter((r) => r.abstained).length
      };
    }),
    accuracy: n === 0 ? 0 : hits / n,
    meanRank: ranks.length === 0 ? null : sum(ranks) / ranks.length,
    mrr: withCause.length === 0 ? 0 : sum(withCause.map((r) => (r.rank === null ? 0 : 1 / r.rank))) / withCause.length,
    highConfidenceWrong: results.filter((r) => r.highConfidenceWrong).length,
    affectedFound: results.filter((r) => r.affectedFound).length,
    errors: results.filter((r) => r.error !== null).length,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), total: Math.round(sum(latencies) * 10) / 10 },
    inputTokens: sum(results.map((r) => r.inputTokens)),
    outputTokens: sum(results.map((r) => r.outputTokens)),
    tokens: sum(results.map((r) => r.tokens)),
    costUsd: sum(results.map((r) => r.costUsd))
  };
};

export interface Floors {
  /** Each run's accuracy must be at least this. */
  readonly minAccuracy?: number;
  /** Each run may have at most this many high-confidence wrong answers. */
  readonly maxHighConfidenceWrong?: number;
}

/** Why a run fails the floors; empty when it meets them. */
export const floorFailures = (label: string, summary: Summary, floors: Floors): ReadonlyArray<string> => {
  const out: Array<string> = [];
  if (floors.minAccuracy !== undefined && summary.accuracy < floors.minAccuracy) {
    out.push(`${label}: accuracy ${summary.accuracy.toFixed(3)} (${summary.hits}/${summary.scenarios}) is below the floor ${floors.minAccuracy}`);
  }
  if (floors.maxHighConfidenceWrong !== undefined && summary.highConfidenceWrong > floors.maxHighConfidenceWrong) {
    out.push(`${label}: ${summary.highConfidenceWrong} high-confidence wrong answer(s), more than the ${floors.maxHighConfidenceWrong} allowed`);
  }
  return out;
};
