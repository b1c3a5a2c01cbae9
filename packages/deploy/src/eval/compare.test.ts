import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ScenarioResult, type Summary, summarize } from "./aggregate.js";
import { compareRuns, verdictOf } from "./compare.js";

const summary = (o: Partial<Omit<Summary, "latencyMs">> & { readonly p50?: number } = {}): Summary => ({
  scenarios: 10,
  hits: 8,
  top1: 8,
  top3: 9,
  abstentions: 0,
  realMaterial: 0,
  byClass: [],
  accuracy: 0.8,
  meanRank: 1.2,
  mrr: 0.85,
  highConfidenceWrong: 1,
  affectedFound: 10,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  tokens: 0,
  costUsd: 0,
  ...o,
  latencyMs: { p50: o.p50 ?? 200, p95: 400, total: 2000 }
});

describe("verdictOf", () => {
  it("more top hits without more high-confidence wrong answers wins", () => {
    expect(verdictOf(summary(), summary({ hits: 9 })).verdict).toBe("B better");
    expect(verdictOf(summary({ hits: 9 }), summary()).verdict).toBe("A better");
    expect(verdictOf(summary(), summary({ hits: 9, highConfidenceWrong: 0 })).verdict).toBe("B better");
  });

  it("as many hits with fewer high-confidence wrong answers wins", () => {
    expect(verdictOf(summary(), summary({ highConfidenceWrong: 0 })).verdict).toBe("B better");
    expect(verdictOf(summary(), summary({ highConfidenceWrong: 3 })).verdict).toBe("A better");
  });

  it("more hits bought with more high-confidence wrong answers is mixed", () => {
    const v = verdictOf(summary(), summary({ hits: 9, highConfidenceWrong: 2 }));
    expect(v.verdict).toBe("mixed");
    expect(v.reason).toMatch(/B has more top hits/);
  });

  it("equal quality: the cheaper wins, then the clearly faster; otherwise no difference", () => {
    expect(verdictOf(summary({ costUsd: 0.5 }), summary({ costUsd: 0.2 })).verdict).toBe("B better");
    expect(verdictOf(summary({ costUsd: 0.2, p50: 100 }), summary({ costUsd: 0.5, p50: 50 })).verdict).toBe("A better");
    expect(verdictOf(summary({ p50: 1000 }), summary({ p50: 600 })).verdict).toBe("B better");
    expect(verdictOf(summary({ p50: 200 }), summary({ p50: 150 })).verdict).toBe("no difference");
    expect(verdictOf(summary({ p50: 1000 }), summary({ p50: 900 })).verdict).toBe("no difference");
  });

  const summaryArb = fc
    .record({ hits: fc.nat(10), wrong: fc.nat(10), costUsd: fc.constantFrom(0, 0.01, 0.5), p50: fc.double({ min: 0, max: 5000, noNaN: true }) })
    .map(({ hits, wrong, costUsd, p50 }) => summary({ hits, highConfidenceWrong: Math.min(wrong, 10 - hits), costUsd, p50, accuracy: hits / 10 }));

  it("swapping A and B swaps the verdict; a run compared with itself makes no difference", () => {
    const swap = { "A better": "B better", "B better": "A better", mixed: "mixed", "no difference": "no difference" } as const;
    fc.assert(
      fc.property(summaryArb, summaryArb, (a, b) => {
        expect(verdictOf(b, a).verdict).toBe(swap[verdictOf(a, b).verdict]);
        expect(verdictOf(a, a).verdict).toBe("no difference");
      })
    );
  });

  it("B never wins with fewer top hits and never loses with more hits and no more high-confidence wrong answers", () => {
    fc.assert(
      fc.property(summaryArb, summaryArb, (a, b) => {
        const v = verdictOf(a, b).verdict;
        if (b.hits < a.hits) expect(v).not.toBe("B better");
        if (b.hits > a.hits && b.highConfidenceWrong <= a.highConfidenceWrong) expect(v).toBe("B better");
      })
    );
  });
});

const result = (scenario: string, hit: boolean, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  scenario,
  noHighConfidence: false,
  needsModel: false,
  class: null,
  source: null,
  abstained: false,
  symptomTitle: false,
  hit,
  rank: hit ? 1 : null,
  highConfidenceWrong: false,
  affectedFound: true,
  top: null,
  missingTerms: [],
  forbiddenFound: [],
  latencyMs: 100,
  inputTokens: 0,
  outputTokens: 0,
  tokens: 0,
  costUsd: 0,
  error: null,
  ...extra
});

describe("compareRuns", () => {
  it("lines scenarios up by name, marks what B fixed and broke, and gives B − A deltas", () => {
    const a = [result("oom", true), result("disk", false), result("dns", true), result("only-a", true)];
    const b = [result("dns", false, { highConfidenceWrong: true }), result("oom", true), result("disk", true, { rank: 1, tokens: 500, inputTokens: 400, outputTokens: 100, costUsd: 0.01 })];
    const c = compareRuns({ results: a, summary: summarize(a) }, { results: b, summary: summarize(b) });
    expect(c.rows.map((r) => [r.scenario, r.change])).toEqual([
      ["disk", "fixed"],
      ["dns", "broke"],
      ["only-a", "broke"],
      ["oom", "same hit"]
    ]);
    expect(c.rows.find((r) => r.scenario === "only-a")?.b).toBeNull();
    expect(c.deltas).toMatchObject({ hits: -1, highConfidenceWrong: 1, tokens: 500, costUsd: 0.01 });
    expect(c.verdict).toBe("A better");
  });
});
