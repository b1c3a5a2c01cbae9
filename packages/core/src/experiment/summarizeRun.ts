import type { InvestigationReport } from "../model/InvestigationReport.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import type { RunSummary } from "./Experiment.js";

export interface SummarizeOptions {
  /** Default: the builtin secret patterns. */
  readonly redact?: (text: string) => string;
  readonly maxHypotheses?: number;
  readonly maxEvidence?: number;
  readonly maxEvidenceChars?: number;
}

const clip = (text: string, max: number) => {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/**
 * What a judge needs of a report, small enough to keep with every run: the claims (top
 * hypotheses with their evidence ids, actions, ruled out) and the evidence they cite first,
 * then the rest, every text clipped and redacted.
 */
export const summarizeRun = (report: InvestigationReport, options: SummarizeOptions = {}): RunSummary => {
  const redact = options.redact ?? ((t: string) => redactSecrets(t));
  const say = (t: string, max: number) => clip(redact(t), max);
  const hypotheses = report.hypotheses.slice(0, options.maxHypotheses ?? 5);
  const cited = new Set(hypotheses.flatMap((h) => h.supportingFindings));
  const findings = report.agents.flatMap((a) => a.findings);
  const ordered = [...findings.filter((f) => cited.has(f.id)), ...findings.filter((f) => !cited.has(f.id))];
  return {
    title: say(report.title, 200),
    severity: report.severity,
    summary: say(report.summary, 1000),
    hypotheses: hypotheses.map((h) => ({ title: say(h.title, 200), confidence: h.confidence, evidence: h.supportingFindings.slice(0, 10) })),
    actions: report.actions.slice(0, 8).map((a) => say(a, 300)),
    ruledOut: report.ruledOut.slice(0, 8).map((r) => say(r, 300)),
    evidence: ordered.slice(0, options.maxEvidence ?? 30).map((f) => ({ id: f.id, agent: f.agent, content: say(f.content, options.maxEvidenceChars ?? 300) }))
  };
};
