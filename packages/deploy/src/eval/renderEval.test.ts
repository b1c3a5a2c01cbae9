import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { type ScenarioResult, summarize } from "./aggregate.js";
import { compareRuns } from "./compare.js";
import { decodeEvalReport } from "./EvalReport.js";
import { type EvalOutcome, renderJson, renderMarkdown } from "./renderEval.js";
import type { EvalRun } from "./runEval.js";

const result = (scenario: string, hit: boolean, title: string): ScenarioResult => ({
  scenario,
  noHighConfidence: false,
  needsModel: false,
  class: null,
  source: null,
  abstained: false,
  symptomTitle: false,
  hit,
  rank: hit ? 1 : null,
  highConfidenceWrong: !hit,
  affectedFound: true,
  top: { title, confidence: "high" },
  missingTerms: hit ? [] : ["full"],
  forbiddenFound: [],
  latencyMs: 12.5,
  inputTokens: 10,
  outputTokens: 5,
  tokens: 15,
  costUsd: 0.001,
  error: null
});

const run = (label: string, results: ReadonlyArray<ScenarioResult>): EvalRun => ({ label, config: `${label.toLowerCase()}.yaml`, synthesis: "deterministic", model: null, agents: ["eks"], notes: ["a note"], scenarios: results, summary: summarize(results) });

const single = (results: ReadonlyArray<ScenarioResult>): EvalOutcome => ({
  scenariosDir: "scn",
  highConfidenceThreshold: 0.7,
  runs: [run("A", results)],
  comparison: null,
  gate: { minAccuracy: 0.9, maxHighConfidenceWrong: null, passed: false, failures: ["A: accuracy 0.500 (1/2) is below the floor 0.9"] }
});

describe("renderers", () => {
  it("Markdown keeps one table row per scenario whatever the title holds (pipes, newlines, length)", () => {
    const md = renderMarkdown(single([result("a", true, "x | y\nz"), result("b", false, "w".repeat(400))]));
    const rows = md.split("\n").filter((l) => /^\| [ab] \|/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("x \\| y z");
    expect(rows[1]).toMatch(/w{100,}… \(missing: full\)/);
    expect(rows[1]).toContain("⚠️ high-confidence wrong");
    expect(md).toMatch(/\*\*Gate: FAILED\*\*\n- A: accuracy 0\.500/);
    expect(md).toMatch(/- A: a note/);
  });

  it("JSON decodes with the published schema, for one run and for a comparison", () => {
    const a = [result("a", true, "t"), result("b", false, "u")];
    const b = [result("a", true, "t"), result("b", true, "v")];
    const one = decodeEvalReport(JSON.parse(renderJson(single(a))));
    expect(Result.isSuccess(one) && one.success.runs[0]?.summary.accuracy).toBe(0.5);
    const ab: EvalOutcome = { ...single(a), runs: [run("A", a), run("B", b)], comparison: compareRuns({ results: a, summary: summarize(a) }, { results: b, summary: summarize(b) }) };
    const two = decodeEvalReport(JSON.parse(renderJson(ab)));
    expect(Result.isSuccess(two) && two.success.comparison?.verdict).toBe("B better");
    expect(renderMarkdown(ab)).toMatch(/\*\*Verdict: B better\*\*/);
  });

  it("the schema rejects a document that breaks it", () => {
    const doc = JSON.parse(renderJson(single([result("a", true, "t")]))) as { runs: Array<{ summary: { accuracy: number } }> };
    doc.runs[0]!.summary.accuracy = 1.5;
    expect(Result.isFailure(decodeEvalReport(doc))).toBe(true);
  });
});
