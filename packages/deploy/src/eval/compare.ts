import type { ScenarioResult, Summary } from "./aggregate.js";

export type Verdict = "A better" | "B better" | "no difference" | "mixed";

export type Change = "fixed" | "broke" | "same hit" | "same miss";

export interface ComparisonRow {
  readonly scenario: string;
  readonly a: ScenarioResult | null;
  readonly b: ScenarioResult | null;
  /** From A to B: a miss that became a hit is `fixed`, a hit that became a miss `broke`. */
  readonly change: Change;
}

export interface Deltas {
  readonly hits: number;
  readonly accuracy: number;
  readonly highConfidenceWrong: number;
  readonly mrr: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly tokens: number;
  readonly costUsd: number;
}

export interface Comparison {
  readonly rows: ReadonlyArray<ComparisonRow>;
  /** B minus A. */
  readonly deltas: Deltas;
  readonly verdict: Verdict;
  readonly reason: string;
}

/**
 * Latency differences below this share of the slower p50, or below `LATENCY_MIN_MS`, are noise: two
 * runs of the same deterministic pipeline differ by that much.
 */
export const LATENCY_MIN_SHARE = 0.25;
export const LATENCY_MIN_MS = 100;
/** Cost differences below this are rounding. */
export const COST_EPSILON_USD = 0.000_001;

/**
 * The verdict, B against A, in this order:
 * 1. Quality: more top hits without more high-confidence wrong answers wins (or as many hits with
 *    fewer high-confidence wrong answers). More hits bought with more high-confidence wrong
 *    answers (or fewer of both) is `mixed`.
 * 2. Same hits and high-confidence wrong answers: the cheaper run wins.
 * 3. Same cost: the faster run wins when the p50 latencies differ by more than 25 % (of the slower) and 100 ms.
 * 4. Otherwise `no difference`.
 */
export const verdictOf = (a: Summary, b: Summary): { readonly verdict: Verdict; readonly reason: string } => {
  const dHits = b.hits - a.hits;
  const dWrong = b.highConfidenceWrong - a.highConfidenceWrong;
  const hits = (s: Summary) => `${s.hits}/${s.scenarios} top hits, ${s.highConfidenceWrong} high-confidence wrong`;
  if (dHits !== 0 || dWrong !== 0) {
    if (dHits >= 0 && dWrong <= 0) return { verdict: "B better", reason: `B: ${hits(b)}; A: ${hits(a)}` };
    if (dHits <= 0 && dWrong >= 0) return { verdict: "A better", reason: `A: ${hits(a)}; B: ${hits(b)}` };
    return { verdict: "mixed", reason: `${dHits > 0 ? "B" : "A"} has more top hits but also more high-confidence wrong answers (A: ${hits(a)}; B: ${hits(b)})` };
  }
  const dCost = b.costUsd - a.costUsd;
  if (Math.abs(dCost) > COST_EPSILON_USD) {
    return { verdict: dCost < 0 ? "B better" : "A better", reason: `same accuracy; ${dCost < 0 ? "B" : "A"} is cheaper ($${a.costUsd.toFixed(4)} vs $${b.costUsd.toFixed(4)})` };
  }
  const dLatency = b.latencyMs.p50 - a.latencyMs.p50;
  if (Math.abs(dLatency) > LATENCY_MIN_MS && Math.abs(dLatency) > LATENCY_MIN_SHARE * Math.max(a.latencyMs.p50, b.latencyMs.p50)) {
    return { verdict: dLatency < 0 ? "B better" : "A better", reason: `same accuracy and cost; ${dLatency < 0 ? "B" : "A"} is faster (p50 ${Math.round(a.latencyMs.p50)} ms vs ${Math.round(b.latencyMs.p50)} ms)` };
  }
  return { verdict: "no difference", reason: "same top hits, high-confidence wrong answers and cost; latency within noise" };
};

const changeOf = (a: ScenarioResult | null, b: ScenarioResult | null): Change => {
  const ha = a?.hit === true;
  const hb = b?.hit === true;
  return ha === hb ? (ha ? "same hit" : "same miss") : hb ? "fixed" : "broke";
};

/** Side by side, scenario by scenario (the union of both runs, by name), with the deltas and the verdict. Pure. */
export const compareRuns = (a: { readonly results: ReadonlyArray<ScenarioResult>; readonly summary: Summary }, b: { readonly results: ReadonlyArray<ScenarioResult>; readonly summary: Summary }): Comparison => {
  const names = [...new Set([...a.results.map((r) => r.scenario), ...b.results.map((r) => r.scenario)])].sort();
  const rows = names.map((scenario) => {
    const ra = a.results.find((r) => r.scenario === scenario) ?? null;
    const rb = b.results.find((r) => r.scenario === scenario) ?? null;
    return { scenario, a: ra, b: rb, change: changeOf(ra, rb) };
  });
  const sa = a.summary;
  const sb = b.summary;
  return {
    rows,
    deltas: {
      hits: sb.hits - sa.hits,
      accuracy: sb.accuracy - sa.accuracy,
      highConfidenceWrong: sb.highConfidenceWrong - sa.highConfidenceWrong,
      mrr: sb.mrr - sa.mrr,
      latencyP50Ms: sb.latencyMs.p50 - sa.latencyMs.p50,
      latencyP95Ms: sb.latencyMs.p95 - sa.latencyMs.p95,
      tokens: sb.tokens - sa.tokens,
      costUsd: sb.costUsd - sa.costUsd
    },
    ...verdictOf(sa, sb)
  };
};
