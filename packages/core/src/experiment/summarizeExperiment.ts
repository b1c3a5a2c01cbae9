import type { Experiment } from "./Experiment.js";
import { JUDGE_DIMENSIONS, type JudgeDimension, type JudgeVerdict } from "./judgePair.js";
import type { Pairing, UnpairedReason } from "./pairRuns.js";

export interface VariantFigures {
  readonly label: string;
  readonly latencyP50Ms: number;
  readonly latencyMeanMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export interface DimensionTally {
  readonly control: number;
  readonly treatment: number;
  readonly tie: number;
  readonly inconsistent: number;
  /** Wins over judged pairs; 0 when none was judged. */
  readonly treatmentWinRate: number;
  readonly controlWinRate: number;
}

export interface JudgeFigures {
  readonly judged: number;
  readonly noVerdict: number;
  /** Why pairs got no verdict, most frequent first. */
  readonly noVerdictReasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  readonly costUsd: number;
  readonly dimensions: Readonly<Record<JudgeDimension, DimensionTally>>;
}

export interface ExperimentSummary {
  readonly experimentId: string;
  readonly name: string;
  readonly state: Experiment["state"];
  readonly pairs: number;
  readonly unpaired: number;
  readonly unpairedBy: Readonly<Partial<Record<UnpairedReason, number>>>;
  /** Over complete pairs only, so both sides cover the same incidents. */
  readonly control: VariantFigures;
  readonly treatment: VariantFigures;
  /** Treatment cost over control cost; undefined when the control cost nothing. */
  readonly costRatio: number | undefined;
  /** Treatment minus control: negative means the treatment was faster. */
  readonly latencyDeltaP50Ms: number;
  readonly latencyDeltaMeanMs: number;
  /** Absent when no judge ran. */
  readonly judge?: JudgeFigures;
}

/** The median; the mean of the two middle values for an even count; 0 for none. */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const mean = (values: ReadonlyArray<number>): number => (values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length);

const sum = (values: ReadonlyArray<number>) => values.reduce((s, v) => s + v, 0);

/**
 * The experiment's figures: measured ones (latency, tokens, cost) over the complete pairs, and
 * the judge's win rates per dimension when verdicts are given (keyed by investigation id).
 */
export const summarizeExperiment = (
  experiment: Experiment,
  pairing: Pairing,
  verdicts?: ReadonlyMap<string, JudgeVerdict>
): ExperimentSummary => {
  const figures = (role: "control" | "treatment"): VariantFigures => {
    const runs = pairing.pairs.map((p) => p[role]);
    const latencies = runs.map((r) => r.latencyMs);
    return {
      label: experiment[role].label,
      latencyP50Ms: median(latencies),
      latencyMeanMs: mean(latencies),
      inputTokens: sum(runs.map((r) => r.inputTokens)),
      outputTokens: sum(runs.map((r) => r.outputTokens)),
      costUsd: sum(runs.map((r) => r.costUsd))
    };
  };
  const control = figures("control");
  const treatment = figures("treatment");
  const unpairedBy: Partial<Record<UnpairedReason, number>> = {};
  for (const u of pairing.unpaired) unpairedBy[u.reason] = (unpairedBy[u.reason] ?? 0) + 1;

  const judge = verdicts === undefined ? undefined : judgeFigures(pairing, verdicts);
  return {
    experimentId: experiment.id,
    name: experiment.name,
    state: experiment.state,
    pairs: pairing.pairs.length,
    unpaired: pairing.unpaired.length,
    unpairedBy,
    control,
    treatment,
    costRatio: control.costUsd > 0 ? treatment.costUsd / control.costUsd : undefined,
    latencyDeltaP50Ms: treatment.latencyP50Ms - control.latencyP50Ms,
    latencyDeltaMeanMs: treatment.latencyMeanMs - control.latencyMeanMs,
    ...(judge !== undefined ? { judge } : {})
  };
};

const judgeFigures = (pairing: Pairing, verdicts: ReadonlyMap<string, JudgeVerdict>): JudgeFigures => {
  const tallies = Object.fromEntries(JUDGE_DIMENSIONS.map((d) => [d, { control: 0, treatment: 0, tie: 0, inconsistent: 0 }])) as Record<
    JudgeDimension,
    { control: number; treatment: number; tie: number; inconsistent: number }
  >;
  let judged = 0;
  let costUsd = 0;
  const reasons = new Map<string, number>();
  for (const pair of pairing.pairs) {
    const v = verdicts.get(pair.investigationId);
    if (v === undefined) continue;
    costUsd += sum(v.cost.map((c) => c.costUsd));
    if (v.status === "no_verdict") {
      reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
      continue;
    }
    judged++;
    for (const d of JUDGE_DIMENSIONS) tallies[d][v.dimensions[d]]++;
  }
  const noVerdict = sum([...reasons.values()]);
  const dimensions = Object.fromEntries(
    JUDGE_DIMENSIONS.map((d) => {
      const t = tallies[d];
      return [d, { ...t, treatmentWinRate: judged === 0 ? 0 : t.treatment / judged, controlWinRate: judged === 0 ? 0 : t.control / judged }];
    })
  ) as Record<JudgeDimension, DimensionTally>;
  return {
    judged,
    noVerdict,
    noVerdictReasons: [...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ reason, count })),
    costUsd,
    dimensions
  };
};

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const usd = (x: number) => `$${x.toFixed(4)}`;
const ms = (x: number) => `${(x / 1000).toFixed(1)} s`;
const signedMs = (x: number) => `${x > 0 ? "+" : x < 0 ? "−" : "±"}${(Math.abs(x) / 1000).toFixed(1)} s`;

/** The summary as Markdown, for the terminal and for pasting into a review. */
export const renderExperimentSummary = (s: ExperimentSummary): string => {
  const lines = [
    `# A/B ${s.experimentId}: ${s.name} (${s.state})`,
    "",
    `control: ${s.control.label} · treatment: ${s.treatment.label}`,
    `${s.pairs} complete pair${s.pairs === 1 ? "" : "s"}; ${s.unpaired} unpaired${
      s.unpaired === 0 ? "" : ` (${Object.entries(s.unpairedBy).map(([k, n]) => `${k.replace(/_/g, " ")}: ${n}`).join(", ")})`
    }`,
    "",
    "| | control | treatment | treatment vs control |",
    "|---|---|---|---|",
    `| latency p50 | ${ms(s.control.latencyP50Ms)} | ${ms(s.treatment.latencyP50Ms)} | ${signedMs(s.latencyDeltaP50Ms)} |`,
    `| latency mean | ${ms(s.control.latencyMeanMs)} | ${ms(s.treatment.latencyMeanMs)} | ${signedMs(s.latencyDeltaMeanMs)} |`,
    `| tokens in / out | ${s.control.inputTokens} / ${s.control.outputTokens} | ${s.treatment.inputTokens} / ${s.treatment.outputTokens} | |`,
    `| cost | ${usd(s.control.costUsd)} | ${usd(s.treatment.costUsd)} | ${s.costRatio === undefined ? "n/a (control cost nothing)" : `× ${s.costRatio.toFixed(2)}`} |`,
    ""
  ];
  if (s.judge === undefined) {
    lines.push("No judge model: measured figures only (pass --judge-model to compare the reports).", "");
    return lines.join("\n");
  }
  const j = s.judge;
  lines.push(
    `## Judge: ${j.judged} pair${j.judged === 1 ? "" : "s"} judged, ${j.noVerdict} without a verdict, judge cost ${usd(j.costUsd)}`,
    "",
    "Each pair was judged twice with the reports swapped; a dimension counts as won only when both orders agree.",
    "",
    "| dimension | treatment wins | control wins | tie | inconsistent |",
    "|---|---|---|---|---|",
    ...JUDGE_DIMENSIONS.map((d) => {
      const t = j.dimensions[d];
      return `| ${d} | ${t.treatment} (${pct(t.treatmentWinRate)}) | ${t.control} (${pct(t.controlWinRate)}) | ${t.tie} | ${t.inconsistent} |`;
    }),
    ""
  );
  for (const r of j.noVerdictReasons) lines.push(`- no verdict ×${r.count}: ${r.reason}`);
  if (j.noVerdictReasons.length > 0) lines.push("");
  return lines.join("\n");
};
