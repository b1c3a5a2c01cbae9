import { Result } from "effect";
import { describe, expect, it } from "vitest";
import type { Finding } from "../model/Finding.js";
import { sampleResult } from "../testing/samples.js";
import { capConfidence, confidenceCap, decodeFinalAnswer, validateModelHypotheses } from "./agentAnswer.js";

const finding = (id: string, severity: Finding["severity"] = "high"): Finding => ({ id, agent: "eks", source: "k8s", timestamp: 1, content: id, severity, metadata: {} });

describe("confidence cap", () => {
  it("allows high only with two distinct findings that are not all info", () => {
    expect(confidenceCap([finding("a")])).toBe("medium");
    expect(confidenceCap([finding("a"), finding("a")])).toBe("medium");
    expect(confidenceCap([finding("a", "info"), finding("b", "info")])).toBe("medium");
    expect(confidenceCap([finding("a", "info"), finding("b", "critical")])).toBe("high");
    expect(capConfidence("high", "medium")).toBe("medium");
    expect(capConfidence("low", "high")).toBe("low");
  });
});

describe("decodeFinalAnswer", () => {
  it("prefers the structured answer, falls back to JSON in the text, and keeps good entries when others are malformed", () => {
    const r = decodeFinalAnswer(undefined, 'Here you go: {"summary":"s","hypotheses":[{"title":"t","confidence":"low","supportingFindings":["eks:1"]},{"title":3}]} thanks');
    expect(Result.isSuccess(r) && r.success.hypotheses).toHaveLength(1);
    expect(Result.isSuccess(r) && r.success.rejected[0]).toMatch(/hypothesis 1/);
    expect(Result.isSuccess(decodeFinalAnswer({ summary: "x", hypotheses: [] }, "not json"))).toBe(true);
  });

  it("rejects answers that are not an object or whose hypotheses are not a list", () => {
    expect(Result.isFailure(decodeFinalAnswer(undefined, "the heap, probably"))).toBe(true);
    expect(Result.isFailure(decodeFinalAnswer([1, 2], "[1,2]"))).toBe(true);
    expect(Result.isFailure(decodeFinalAnswer({ hypotheses: "many" }, ""))).toBe(true);
  });
});

describe("validateModelHypotheses", () => {
  it("keeps only existing citations, redacts and clips text, and sets id and author itself", () => {
    const { hypotheses, dropped } = validateModelHypotheses(
      [
        { title: "  Heap   exhausted ", detail: "password=hunter2xyz in env", confidence: "high", supportingFindings: ["eks:1", "ghost", "eks:1"], depth: 99.4, chain: ["a", ""], actions: ["x".repeat(500)] },
        { title: "heap exhausted", confidence: "low", supportingFindings: ["eks:1"] },
        { title: "", confidence: "low", supportingFindings: ["eks:1"] }
      ],
      { agentId: "eks", findings: sampleResult.findings, existing: [] }
    );
    expect(hypotheses).toHaveLength(1);
    expect(hypotheses[0]).toMatchObject({ id: "eks:m1", proposedBy: "eks", title: "Heap   exhausted", confidence: "medium", supportingFindings: ["eks:1"], depth: 10, chain: ["a"] });
    expect(hypotheses[0]?.detail).not.toContain("hunter2xyz");
    expect(hypotheses[0]?.actions?.[0]?.length).toBeLessThanOrEqual(200);
    expect(dropped).toEqual(['"heap exhausted" repeats an earlier hypothesis', "a hypothesis without a title"]);
  });

  it("keeps at most five", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ title: `h${i}`, confidence: "low" as const, supportingFindings: ["eks:1"] }));
    expect(validateModelHypotheses(many, { agentId: "eks", findings: sampleResult.findings, existing: [] }).hypotheses).toHaveLength(5);
  });
});
