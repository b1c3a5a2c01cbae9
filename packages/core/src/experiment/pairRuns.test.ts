import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleExperiment, sampleRun } from "../testing/experimentStoreContract.js";
import type { VariantRun } from "./Experiment.js";
import { pairRuns } from "./pairRuns.js";
import { median, renderExperimentSummary, summarizeExperiment } from "./summarizeExperiment.js";
import type { JudgeVerdict } from "./judgePair.js";

const failed = (investigationId: string, variant: "control" | "treatment"): VariantRun => {
  const { summary: _omit, ...rest } = sampleRun("exp", investigationId, variant, { status: "failed", error: "timed out" });
  return rest;
};

describe("pairRuns", () => {
  it("pairs complete investigations and counts the others with their reason", () => {
    const runs = [
      sampleRun("exp", "inv-1", "control"),
      sampleRun("exp", "inv-1", "treatment"),
      sampleRun("exp", "inv-2", "control"),
      sampleRun("exp", "inv-3", "treatment"),
      sampleRun("exp", "inv-4", "control"),
      failed("inv-4", "treatment"),
      failed("inv-5", "control"),
      sampleRun("exp", "inv-5", "treatment"),
      failed("inv-6", "control"),
      failed("inv-6", "treatment")
    ];
    const { pairs, unpaired } = pairRuns(runs);
    expect(pairs.map((p) => p.investigationId)).toEqual(["inv-1"]);
    expect(pairs[0]?.control.variant).toBe("control");
    expect(pairs[0]?.treatment.variant).toBe("treatment");
    expect(unpaired).toEqual([
      { investigationId: "inv-2", reason: "missing_treatment" },
      { investigationId: "inv-3", reason: "missing_control" },
      { investigationId: "inv-4", reason: "failed_treatment" },
      { investigationId: "inv-5", reason: "failed_control" },
      { investigationId: "inv-6", reason: "both_failed" }
    ]);
  });

  it("takes the latest record when a variant was recorded twice", () => {
    const { pairs } = pairRuns([
      sampleRun("exp", "inv-1", "control", { recordedAt: 5, latencyMs: 1 }),
      sampleRun("exp", "inv-1", "control", { recordedAt: 9, latencyMs: 2 }),
      sampleRun("exp", "inv-1", "control", { recordedAt: 7, latencyMs: 3 }),
      sampleRun("exp", "inv-1", "treatment")
    ]);
    expect(pairs[0]?.control.latencyMs).toBe(2);
  });

  it("every investigation is either paired or unpaired, never both, whatever the input order (distinct record times)", () => {
    const run = fc.record({
      inv: fc.constantFrom("a", "b", "c", "d", "e"),
      variant: fc.constantFrom("control" as const, "treatment" as const),
      ok: fc.boolean()
    });
    fc.assert(
      fc.property(fc.array(run, { maxLength: 30 }), (specs) => {
        const runs = specs.map((s, i) => ({ ...(s.ok ? sampleRun("exp", s.inv, s.variant) : failed(s.inv, s.variant)), recordedAt: i }));
        const { pairs, unpaired } = pairRuns(runs);
        const ids = new Set(specs.map((s) => s.inv));
        expect(pairs.length + unpaired.length).toBe(ids.size);
        for (const p of pairs) {
          expect(p.control.status).toBe("ok");
          expect(p.treatment.status).toBe("ok");
        }
        const shuffled = pairRuns([...runs].reverse());
        expect(shuffled.pairs.map((p) => p.investigationId)).toEqual(pairs.map((p) => p.investigationId));
      })
    );
  });
});

describe("summarizeExperiment", () => {
  const experiment = sampleExperiment("exp");
  const pair = (inv: string, c: Partial<VariantRun>, t: Partial<VariantRun>) => [sampleRun("exp", inv, "control", c), sampleRun("exp", inv, "treatment", t)];

  it("measures latency, tokens and cost over complete pairs only", () => {
    const runs = [
      ...pair("inv-1", { latencyMs: 10_000, costUsd: 0.02, inputTokens: 100, outputTokens: 10 }, { latencyMs: 6_000, costUsd: 0.005, inputTokens: 50, outputTokens: 5 }),
      ...pair("inv-2", { latencyMs: 20_000, costUsd: 0.02, inputTokens: 100, outputTokens: 10 }, { latencyMs: 8_000, costUsd: 0.005, inputTokens: 50, outputTokens: 5 }),
      ...pair("inv-3", { latencyMs: 30_000, costUsd: 0.02, inputTokens: 100, outputTokens: 10 }, { latencyMs: 40_000, costUsd: 0.01, inputTokens: 50, outputTokens: 5 }),
      sampleRun("exp", "inv-4", "control", { latencyMs: 999_000, costUsd: 9 })
    ];
    const s = summarizeExperiment(experiment, pairRuns(runs));
    expect(s.pairs).toBe(3);
    expect(s.unpaired).toBe(1);
    expect(s.unpairedBy).toEqual({ missing_treatment: 1 });
    expect(s.control).toMatchObject({ label: "sonnet", latencyP50Ms: 20_000, latencyMeanMs: 20_000, inputTokens: 300, outputTokens: 30 });
    expect(s.control.costUsd).toBeCloseTo(0.06, 10);
    expect(s.treatment).toMatchObject({ latencyP50Ms: 8_000, latencyMeanMs: 18_000, inputTokens: 150, outputTokens: 15 });
    expect(s.costRatio).toBeCloseTo(0.02 / 0.06, 10);
    expect(s.latencyDeltaP50Ms).toBe(-12_000);
    expect(s.latencyDeltaMeanMs).toBe(-2_000);
    expect(s.judge).toBeUndefined();
    const md = renderExperimentSummary(s);
    expect(md).toMatch(/3 complete pairs; 1 unpaired \(missing treatment: 1\)/);
    expect(md).toMatch(/\| latency p50 \| 20\.0 s \| 8\.0 s \| −12\.0 s \|/);
    expect(md).toMatch(/× 0\.33/);
    expect(md).toMatch(/No judge model: measured figures only/);
  });

  it("has no cost ratio when the control cost nothing", () => {
    const s = summarizeExperiment(experiment, pairRuns(pair("inv-1", { costUsd: 0 }, { costUsd: 0.01 })));
    expect(s.costRatio).toBeUndefined();
    expect(renderExperimentSummary(s)).toMatch(/n\/a \(control cost nothing\)/);
  });

  it("tallies judge verdicts per dimension into win rates over judged pairs", () => {
    const runs = [...pair("inv-1", {}, {}), ...pair("inv-2", {}, {}), ...pair("inv-3", {}, {}), ...pair("inv-4", {}, {})];
    const cost = [{ scope: "judge", modelId: "m", inputTokens: 10, outputTokens: 1, costUsd: 0.001 }];
    const verdicts = new Map<string, JudgeVerdict>([
      ["inv-1", { status: "judged", dimensions: { coverage: "treatment", correctness: "treatment", actionability: "tie", noise: "control" }, orders: [{ coverage: "B", correctness: "B", actionability: "tie", noise: "A" }, { coverage: "A", correctness: "A", actionability: "tie", noise: "B" }], cost }],
      ["inv-2", { status: "judged", dimensions: { coverage: "treatment", correctness: "inconsistent", actionability: "tie", noise: "control" }, orders: [{ coverage: "B", correctness: "A", actionability: "tie", noise: "A" }, { coverage: "A", correctness: "A", actionability: "tie", noise: "B" }], cost }],
      ["inv-3", { status: "no_verdict", reason: "the judge's answer (control first) is not JSON", cost }]
    ]);
    const s = summarizeExperiment(experiment, pairRuns(runs), verdicts);
    expect(s.judge?.judged).toBe(2);
    expect(s.judge?.noVerdict).toBe(1);
    expect(s.judge?.costUsd).toBeCloseTo(0.003, 10);
    expect(s.judge?.dimensions.coverage).toEqual({ control: 0, treatment: 2, tie: 0, inconsistent: 0, treatmentWinRate: 1, controlWinRate: 0 });
    expect(s.judge?.dimensions.correctness).toEqual({ control: 0, treatment: 1, tie: 0, inconsistent: 1, treatmentWinRate: 0.5, controlWinRate: 0 });
    expect(s.judge?.dimensions.noise.controlWinRate).toBe(1);
    expect(s.judge?.noVerdictReasons).toEqual([{ reason: "the judge's answer (control first) is not JSON", count: 1 }]);
    const md = renderExperimentSummary(s);
    expect(md).toMatch(/\| coverage \| 2 \(100%\) \| 0 \(0%\) \| 0 \| 0 \|/);
    expect(md).toMatch(/no verdict ×1: the judge's answer/);
  });

  it("median handles odd, even and empty inputs", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
