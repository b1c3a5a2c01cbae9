import type { Hypothesis, InvestigationReport } from "@sre-on-call/core";
import { hypothesisArb, investigationReportArb, sampleReport } from "@sre-on-call/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ScenarioResult, percentile, summarize } from "./aggregate.js";
import type { Expectation } from "./Expectation.js";
import { CONFIDENCE_VALUE, failedScore, namesCause, scoreReport, termMatches } from "./score.js";

const hyp = (title: string, confidence: Hypothesis["confidence"] = "high", extra: Partial<Hypothesis> = {}): Hypothesis => ({
  id: `h-${title.slice(0, 8)}`,
  title,
  detail: "",
  confidence,
  supportingFindings: [],
  confirmBy: "",
  proposedBy: "eks",
  depth: 1,
  ...extra
});

const report = (hypotheses: ReadonlyArray<Hypothesis>, extra: Partial<InvestigationReport> = {}): InvestigationReport => ({ ...sampleReport, hypotheses, ...extra });

const expecting = (requiredTerms: ReadonlyArray<string>, extra: Partial<Expectation> = {}): Expectation => ({ rootCause: { requiredTerms }, affected: "payments/payments-db", ...extra });

const at = { latencyMs: 12 };

describe("scoreReport", () => {
  it("a top hypothesis with every required term, in any case, in title, detail or chain, is a hit at rank 1", () => {
    const top = hyp("payments/payments-db volume is FULL", "medium", { detail: "PANIC: No Space Left on device", chain: ["volume full", "API cannot reach 172.20.91.7:5432"] });
    const s = scoreReport(expecting(["data-payments-db-0|payments-db", "no space left", "172.20.91.7:5432"]), report([top, hyp("rollout to v2.4.0 broke api", "low")]), at);
    expect(s).toMatchObject({ hit: true, rank: 1, highConfidenceWrong: false, missingTerms: [], affectedFound: true, latencyMs: 12 });
  });

  it("a high-confidence top whose title only restates the symptom is wrong, even when the detail names the cause", () => {
    const symptom = hyp("shop/cart cannot start: the image cannot be pulled", "high", { detail: "Failed to pull image: toomanyrequests: You have reached your pull rate limit" });
    expect(scoreReport(expecting(["toomanyrequests|rate limit"]), report([symptom]), at)).toMatchObject({ hit: false, rank: null, highConfidenceWrong: true, symptomTitle: true });
    // Said with medium confidence, the same hypothesis names the cause in its detail: a hit.
    expect(scoreReport(expecting(["toomanyrequests|rate limit"]), report([{ ...symptom, confidence: "medium" }]), at)).toMatchObject({ hit: true, rank: 1, symptomTitle: false });
    const cause = hyp("shop/cart cannot start: Docker Hub rate-limited the pulls (toomanyrequests)", "high");
    expect(scoreReport(expecting(["toomanyrequests|rate limit"]), report([cause]), at)).toMatchObject({ hit: true, highConfidenceWrong: false });
  });

  it("alternatives: any one of `a|b` satisfies the term; separators are one; empty alternatives are ignored", () => {
    expect(termMatches("rate limit", "docker hub rate-limited the pulls")).toBe(true);
    expect(termMatches("max_pods", "the node's max pods (17) are taken")).toBe(true);
    expect(termMatches("disk full|no space left", "pg: no space left on device")).toBe(true);
    expect(termMatches("disk full|no space left", "pg: disk full")).toBe(true);
    expect(termMatches("disk full|no space left", "pg: out of memory")).toBe(false);
    expect(termMatches(" | ", "anything")).toBe(false);
  });

  it("the true cause ranked second is a miss with rank 2; a wrong high-confidence top is the worst outcome", () => {
    const s = scoreReport(expecting(["volume", "full"]), report([hyp("Rollout of payments/api broke it", "high"), hyp("payments-db volume is full", "medium")]), at);
    expect(s).toMatchObject({ hit: false, rank: 2, highConfidenceWrong: true, missingTerms: ["volume", "full"] });
  });

  it("a wrong top at medium confidence is not high-confidence wrong at the default threshold, but is at 0.5", () => {
    const r = report([hyp("something else", "medium")]);
    expect(scoreReport(expecting(["full"]), r, at).highConfidenceWrong).toBe(false);
    expect(scoreReport(expecting(["full"]), r, at, { highConfidenceThreshold: 0.5 }).highConfidenceWrong).toBe(true);
    expect(scoreReport(expecting(["full"]), r, at, { highConfidenceThreshold: CONFIDENCE_VALUE.high + 0.01 }).highConfidenceWrong).toBe(false);
  });

  it("a forbidden term in the top hypothesis makes it a miss even with every required term; later hypotheses without it rank", () => {
    const r = report([hyp("api rollout to v2.4.0; volume full", "high"), hyp("payments-db volume full", "high")]);
    const s = scoreReport(expecting(["volume full"], { forbidden: ["rollout"] }), r, at);
    expect(s).toMatchObject({ hit: false, rank: 2, highConfidenceWrong: true, forbiddenFound: ["rollout"] });
  });

  it("no hypothesis at all: a miss, no rank, not high-confidence wrong", () => {
    expect(scoreReport(expecting(["full"]), report([]), at)).toMatchObject({ hit: false, rank: null, highConfidenceWrong: false, top: null, missingTerms: ["full"] });
  });

  it("noHighConfidence: a hit when nothing is claimed with high confidence, the worst outcome when something is", () => {
    const healthy = expecting([], { noHighConfidence: true });
    expect(scoreReport(healthy, report([hyp("maybe latency", "low")]), at)).toMatchObject({ hit: true, highConfidenceWrong: false, rank: null });
    expect(scoreReport(healthy, report([hyp("maybe latency", "low"), hyp("db down", "high")]), at)).toMatchObject({ hit: false, highConfidenceWrong: true });
  });

  it("needsModel: naming the cause is a hit; not guessing is an honest abstention (a hit); a wrong high-confidence guess is the worst outcome", () => {
    const hard = expecting(["split brain"], { needsModel: true });
    expect(scoreReport(hard, report([hyp("etcd split brain after the partition", "medium")]), at)).toMatchObject({ hit: true, abstained: false, symptomTitle: false, rank: 1 });
    expect(scoreReport(hard, report([hyp("pods restarting", "medium")]), at)).toMatchObject({ hit: true, abstained: true, highConfidenceWrong: false });
    expect(scoreReport(hard, report([]), at)).toMatchObject({ hit: true, abstained: true });
    expect(scoreReport(hard, report([hyp("OOMKilled", "high")]), at)).toMatchObject({ hit: false, abstained: false, symptomTitle: false, highConfidenceWrong: true });
    // Without the flag, not naming the cause is a plain miss.
    expect(scoreReport(expecting(["split brain"]), report([hyp("pods restarting", "medium")]), at)).toMatchObject({ hit: false, abstained: false });
  });

  it("tokens and cost come from the report's cost lines", () => {
    const cost = { lines: [{ scope: "synthesis", modelId: "m", inputTokens: 1200, outputTokens: 300, costUsd: 0.0042 }], inputTokens: 1200, outputTokens: 300, costUsd: 0.0042 };
    expect(scoreReport(expecting(["x"]), report([], { cost }), at)).toMatchObject({ inputTokens: 1200, outputTokens: 300, tokens: 1500, costUsd: 0.0042 });
  });

  it("a failed pipeline is a miss without a claim", () => {
    expect(failedScore(expecting(["a", "b"]), 5)).toMatchObject({ hit: false, rank: null, highConfidenceWrong: false, missingTerms: ["a", "b"], latencyMs: 5 });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Terms hostile generated text cannot contain by accident. */
const termArb = fc.stringMatching(/^[a-z][a-z0-9-]{2,10}$/).map((t) => `zq${t}`);
const termWithAltsArb = fc.array(termArb, { minLength: 1, maxLength: 3 }).map((alts) => alts.join("|"));
const termsArb = fc.array(termWithAltsArb, { minLength: 1, maxLength: 4 });
const caseArb = fc.constantFrom((s: string) => s, (s: string) => s.toUpperCase(), (s: string) => s[0]!.toUpperCase() + s.slice(1));
const whereArb = fc.constantFrom("title", "detail", "chain");

/**
 * The hypothesis with one alternative of every term written into a random field, in a random
 * case; into the title when the hypothesis is high-confidence (a confident title must name the cause).
 */
const withTerms = (h: Hypothesis, terms: ReadonlyArray<string>, picks: ReadonlyArray<{ alt: number; where: "title" | "detail" | "chain"; cased: (s: string) => string }>): Hypothesis => {
  let out = h;
  terms.forEach((term, i) => {
    const alts = term.split("|");
    const pick = picks[i % picks.length]!;
    const p = h.confidence === "high" ? { ...pick, where: "title" as const } : pick;
    const word = p.cased(alts[p.alt % alts.length]!);
    out = p.where === "chain" ? { ...out, chain: [...(out.chain ?? []), `→ ${word}`] } : { ...out, [p.where]: `${out[p.where]} ${word} ` };
  });
  return out;
};
const picksArb = fc.array(fc.record({ alt: fc.nat(5), where: whereArb, cased: caseArb }), { minLength: 1, maxLength: 4 });

const expectationArb = fc.record({
  requiredTerms: termsArb,
  noHighConfidence: fc.boolean(),
  forbidden: fc.option(fc.array(termArb, { maxLength: 2 }), { nil: undefined })
}).map(({ requiredTerms, noHighConfidence, forbidden }): Expectation => expecting(requiredTerms, { ...(noHighConfidence ? { noHighConfidence: true as const } : {}), ...(forbidden !== undefined ? { forbidden } : {}) }));

describe("scoring properties", () => {
  it("a report whose top hypothesis contains every required term (and no forbidden one) always scores a hit at rank 1", () => {
    fc.assert(
      fc.property(investigationReportArb, hypothesisArb, termsArb, picksArb, (r, h, terms, picks) => {
        const top = withTerms(h, terms, picks);
        const s = scoreReport(expecting(terms), { ...r, hypotheses: [top, ...r.hypotheses] }, at);
        expect(s.hit).toBe(true);
        expect(s.rank).toBe(1);
        expect(s.highConfidenceWrong).toBe(false);
        expect(s.missingTerms).toEqual([]);
      }),
      { numRuns: 40 }
    );
  });

  it("the only hypothesis naming the cause, placed at position k, has rank k + 1; it is a hit only at the top", () => {
    fc.assert(
      fc.property(fc.array(hypothesisArb, { maxLength: 6 }), hypothesisArb, termsArb, picksArb, fc.nat(), (others, h, terms, picks, k) => {
        const position = k % (others.length + 1);
        const hypotheses = [...others.slice(0, position), withTerms(h, terms, picks), ...others.slice(position)];
        const s = scoreReport(expecting(terms), report(hypotheses), at);
        expect(s.rank).toBe(position + 1);
        expect(s.hit).toBe(position === 0);
        expect(s.highConfidenceWrong).toBe(position > 0 && hypotheses[0]!.confidence === "high");
      })
    );
  });

  it("reordering hypotheses moves the rank to the first matching hypothesis in the new order; whether one matches never changes", () => {
    fc.assert(
      fc.property(investigationReportArb, expectationArb, fc.array(fc.nat()), (r, e, keys) => {
        const order = r.hypotheses.map((h, i) => ({ h, key: keys[i] ?? i })).sort((a, b) => a.key - b.key).map((x) => x.h);
        const before = scoreReport(e, r, at);
        const after = scoreReport(e, { ...r, hypotheses: order }, at);
        const first = order.findIndex((h) => namesCause(h, e));
        const expected = e.noHighConfidence === true && e.rootCause.requiredTerms.length === 0 ? null : first >= 0 ? first + 1 : null;
        expect(after.rank).toBe(expected);
        expect(after.rank === null).toBe(before.rank === null);
      }),
      { numRuns: 40 }
    );
  });

  it("a hit is never a high-confidence wrong answer, and raising the threshold never adds one", () => {
    fc.assert(
      fc.property(investigationReportArb, expectationArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (r, e, t1, t2) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const low = scoreReport(e, r, at, { highConfidenceThreshold: lo });
        const high = scoreReport(e, r, at, { highConfidenceThreshold: hi });
        expect(low.hit && low.highConfidenceWrong).toBe(false);
        if (high.highConfidenceWrong) expect(low.highConfidenceWrong).toBe(true);
      }),
      { numRuns: 40 }
    );
  });
});

const resultArb: fc.Arbitrary<ScenarioResult> = fc
  .record({
    scenario: fc.string({ maxLength: 8 }),
    noHighConfidence: fc.boolean(),
    hit: fc.boolean(),
    rank: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
    wrong: fc.boolean(),
    latencyMs: fc.double({ min: 0, max: 60_000, noNaN: true }),
    inputTokens: fc.nat(100_000),
    outputTokens: fc.nat(10_000),
    costUsd: fc.double({ min: 0, max: 2, noNaN: true }),
    error: fc.option(fc.constant("boom"), { nil: null })
  })
  .map(({ wrong, hit, ...r }) => ({
    ...r,
    hit,
    rank: hit && !r.noHighConfidence ? 1 : r.rank,
    highConfidenceWrong: !hit && wrong,
    abstained: false, symptomTitle: false,
    needsModel: false,
    class: null,
    source: null,
    affectedFound: hit,
    top: null,
    missingTerms: [],
    forbiddenFound: [],
    tokens: r.inputTokens + r.outputTokens
  }));

describe("summarize", () => {
  it("accuracy is in [0, 1] and equals hits / n; MRR in [0, 1]; high-confidence wrong ≤ misses; p50 ≤ p95", () => {
    fc.assert(
      fc.property(fc.array(resultArb, { maxLength: 40 }), (results) => {
        const s = summarize(results);
        const hits = results.filter((r) => r.hit).length;
        expect(s.scenarios).toBe(results.length);
        expect(s.hits).toBe(hits);
        expect(s.accuracy).toBeGreaterThanOrEqual(0);
        expect(s.accuracy).toBeLessThanOrEqual(1);
        expect(s.accuracy).toBe(results.length === 0 ? 0 : hits / results.length);
        expect(s.mrr).toBeGreaterThanOrEqual(0);
        expect(s.mrr).toBeLessThanOrEqual(1);
        expect(s.highConfidenceWrong).toBeLessThanOrEqual(results.length - hits);
        expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p95);
        if (s.meanRank !== null) expect(s.meanRank).toBeGreaterThanOrEqual(1);
        expect(s.tokens).toBe(s.inputTokens + s.outputTokens);
      })
    );
  });

  it("counts top-1, top-3, abstentions, real material and per-class outcomes on a worked example", () => {
    const base = { noHighConfidence: false, needsModel: false, class: null, source: null, abstained: false, symptomTitle: false, highConfidenceWrong: false, affectedFound: true, top: null, missingTerms: [], forbiddenFound: [], latencyMs: 10, inputTokens: 0, outputTokens: 0, tokens: 0, costUsd: 0, error: null };
    const s = summarize([
      { ...base, scenario: "a", hit: true, rank: 1, class: "logs", source: "https://example.test/a" },
      { ...base, scenario: "b", hit: false, rank: 3, class: "logs", source: "owner/repo#1" },
      { ...base, scenario: "c", hit: false, rank: 4, class: "scope", highConfidenceWrong: true },
      { ...base, scenario: "d", hit: true, rank: null, needsModel: true, abstained: true, class: "scope" },
      { ...base, scenario: "e", hit: true, rank: null, noHighConfidence: true }
    ]);
    expect(s).toMatchObject({ top1: 1, top3: 2, abstentions: 1, realMaterial: 2 });
    expect(s.byClass).toEqual([
      { class: "logs", scenarios: 2, hits: 1, top1: 1, top3: 2, highConfidenceWrong: 0, abstentions: 0 },
      { class: "scope", scenarios: 2, hits: 1, top1: 0, top3: 0, highConfidenceWrong: 1, abstentions: 1 },
      { class: "unclassified", scenarios: 1, hits: 1, top1: 0, top3: 0, highConfidenceWrong: 0, abstentions: 0 }
    ]);
  });

  it("MRR and mean rank on a worked example", () => {
    const base = { noHighConfidence: false, needsModel: false, class: null, source: null, abstained: false, symptomTitle: false, highConfidenceWrong: false, affectedFound: true, top: null, missingTerms: [], forbiddenFound: [], latencyMs: 10, inputTokens: 0, outputTokens: 0, tokens: 0, costUsd: 0, error: null };
    const s = summarize([
      { ...base, scenario: "a", hit: true, rank: 1 },
      { ...base, scenario: "b", hit: false, rank: 2, highConfidenceWrong: true },
      { ...base, scenario: "c", hit: false, rank: null, latencyMs: 30 },
      { ...base, scenario: "d", hit: true, rank: null, noHighConfidence: true, latencyMs: 20 }
    ]);
    expect(s).toMatchObject({ hits: 2, accuracy: 0.5, meanRank: 1.5, mrr: 0.5, highConfidenceWrong: 1, latencyMs: { p50: 10, p95: 30, total: 70 } });
  });

  it("percentile is the nearest rank: an element of the values, monotonic in p", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), (values, p, q) => {
        expect(values).toContain(percentile(values, p));
        if (p <= q) expect(percentile(values, p)).toBeLessThanOrEqual(percentile(values, q));
      })
    );
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 95)).toBe(0);
  });
});
