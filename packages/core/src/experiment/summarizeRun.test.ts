import { describe, expect, it } from "vitest";
import { sampleReport } from "../testing/samples.js";
import { summarizeRun } from "./summarizeRun.js";

describe("summarizeRun", () => {
  it("keeps the claims and puts the cited evidence first, redacted and clipped", () => {
    const base = sampleReport.agents[0]!;
    const report = {
      ...sampleReport,
      summary: "token ghp_0123456789abcdefghijklmnopqrstuvwxyz01 leaked",
      agents: [
        {
          ...base,
          findings: [
            { ...base.findings[0]!, id: "eks:9", content: "x".repeat(1000) },
            ...base.findings
          ]
        }
      ]
    };
    const s = summarizeRun(report, { maxEvidenceChars: 50 });
    expect(s.summary).not.toContain("ghp_0123456789");
    expect(s.hypotheses.map((h) => h.title)).toEqual(sampleReport.hypotheses.slice(0, 5).map((h) => h.title));
    const cited = new Set(sampleReport.hypotheses.flatMap((h) => h.supportingFindings));
    expect(cited.has(s.evidence[0]!.id)).toBe(true);
    expect(s.evidence.at(-1)?.id).toBe("eks:9");
    expect(s.evidence.at(-1)?.content.length).toBeLessThanOrEqual(50);
  });
});
