import type { VariantRun } from "./Experiment.js";

export interface RunPair {
  readonly investigationId: string;
  readonly control: VariantRun;
  readonly treatment: VariantRun;
}

export type UnpairedReason = "missing_control" | "missing_treatment" | "failed_control" | "failed_treatment" | "both_failed";

export interface UnpairedRun {
  readonly investigationId: string;
  readonly reason: UnpairedReason;
}

export interface Pairing {
  /** Investigations where both variants produced a report, ordered by investigation id. */
  readonly pairs: ReadonlyArray<RunPair>;
  readonly unpaired: ReadonlyArray<UnpairedRun>;
}

const unpairedReason = (control: VariantRun | undefined, treatment: VariantRun | undefined): UnpairedReason | undefined => {
  if (control === undefined) return "missing_control";
  if (treatment === undefined) return "missing_treatment";
  const c = control.status === "failed";
  const t = treatment.status === "failed";
  return c && t ? "both_failed" : c ? "failed_control" : t ? "failed_treatment" : undefined;
};

/**
 * Groups runs by investigation. Only complete pairs — both variants ran and reported — are
 * compared; every other investigation is counted with the reason it did not pair. When a
 * variant was recorded more than once for an investigation the latest record counts.
 */
export const pairRuns = (runs: ReadonlyArray<VariantRun>): Pairing => {
  const byInvestigation = new Map<string, { control?: VariantRun; treatment?: VariantRun }>();
  for (const run of runs) {
    const slot = byInvestigation.get(run.investigationId) ?? {};
    const current = slot[run.variant];
    if (current === undefined || run.recordedAt >= current.recordedAt) slot[run.variant] = run;
    byInvestigation.set(run.investigationId, slot);
  }
  const pairs: Array<RunPair> = [];
  const unpaired: Array<UnpairedRun> = [];
  for (const investigationId of [...byInvestigation.keys()].sort()) {
    const { control, treatment } = byInvestigation.get(investigationId)!;
    const reason = unpairedReason(control, treatment);
    if (reason !== undefined || control === undefined || treatment === undefined) unpaired.push({ investigationId, reason: reason ?? "missing_control" });
    else pairs.push({ investigationId, control, treatment });
  }
  return { pairs, unpaired };
};
