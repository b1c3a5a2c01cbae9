import type { ScenarioScore } from "./score.js";

/** One scenario's outcome in a run: its score, and why the pipeline failed when it did. */
export interface ScenarioResult extends ScenarioScore {
  readonly scenario: string;
  /** Whether the scenario expects no high-confidence claim (no root cause to rank). */
  readonly noHighConfidence: boolean;
  readonly error: string | null;
}

export interface Summary {
  readonly scenarios: number;
  readonly hits: number;
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
  return {
    scenarios: n,
    hits,
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
