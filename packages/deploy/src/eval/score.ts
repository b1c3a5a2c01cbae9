import type { Confidence, Hypothesis, InvestigationReport } from "@sre-on-call/core";
import type { Expectation } from "./Expectation.js";

/*
 * Scoring of one investigation against its scenario's expectation. Pure: the pipeline measures
 * latency and hands it in, so every function here is property-testable.
 */

/**
 * Hypotheses carry a confidence level, not a probability; for the high-confidence threshold
 * each level counts as this number. With the default threshold of 0.7 only `high` counts.
 */
export const CONFIDENCE_VALUE: Readonly<Record<Confidence, number>> = { high: 0.9, medium: 0.6, low: 0.3 };

export const DEFAULT_HIGH_CONFIDENCE = 0.7;

export interface ScoreOptions {
  /** A hypothesis whose confidence value is at least this is a high-confidence claim (default 0.7). */
  readonly highConfidenceThreshold?: number;
}

/** What the pipeline measured besides the report. */
export interface Measured {
  readonly latencyMs: number;
}

export interface ScenarioScore {
  /** The top hypothesis names the true cause (for a `noHighConfidence` scenario: nothing is claimed with high confidence). */
  readonly hit: boolean;
  /** 1-based rank of the first hypothesis naming the true cause; null when none does (or the scenario has no cause). */
  readonly rank: number | null;
  /** The top hypothesis is wrong and claimed with high confidence: the worst outcome. */
  readonly highConfidenceWrong: boolean;
  /**
   * A `needsModel` scenario the pipeline did not solve and did not guess at: nothing wrong was
   * claimed with high confidence (the honest "needs a model" outcome, counted as a hit).
   */
  readonly abstained: boolean;
  /** The expected workload is among the report's affected services or named by the top hypothesis. */
  readonly affectedFound: boolean;
  readonly top: { readonly title: string; readonly confidence: Confidence } | null;
  /** Required terms the top hypothesis lacks. */
  readonly missingTerms: ReadonlyArray<string>;
  /** Forbidden terms the top hypothesis names. */
  readonly forbiddenFound: ReadonlyArray<string>;
  /** The top hypothesis holds every required term, but is high-confidence and its title lacks one: a confident symptom, counted as wrong. */
  readonly symptomTitle: boolean;
  readonly latencyMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly tokens: number;
  readonly costUsd: number;
}

/** The text a hypothesis is matched against: title, detail and chain, lower-cased. */
export const hypothesisText = (h: Hypothesis): string => [h.title, h.detail, ...(h.chain ?? [])].join("\n").toLowerCase();

/** The alternatives of a term (`"disk full|no space left"`), trimmed, empty ones dropped. */
export const alternatives = (term: string): ReadonlyArray<string> =>
  term
    .split("|")
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== "");

/** Hyphens, underscores and runs of spaces are one separator: "rate-limited" names "rate limit". */
const normalize = (text: string): string => text.replace(/[\s_-]+/g, " ");

/** A term matches a lower-cased text when any of its alternatives occurs in it. A term with no alternative never matches. */
export const termMatches = (term: string, lowerText: string): boolean => {
  const text = normalize(lowerText);
  return alternatives(term).some((a) => text.includes(normalize(a)));
};

export const missingTerms = (h: Hypothesis | undefined, terms: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (h === undefined) return [...terms];
  const text = hypothesisText(h);
  return terms.filter((t) => !termMatches(t, text));
};

export const forbiddenTerms = (h: Hypothesis | undefined, terms: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (h === undefined) return [];
  const text = hypothesisText(h);
  return terms.filter((t) => termMatches(t, text));
};

/** Whether a hypothesis names the expected root cause: every required term, no forbidden one. */
export const namesCause = (h: Hypothesis, expected: Expectation, threshold = DEFAULT_HIGH_CONFIDENCE): boolean =>
  missingTerms(h, expected.rootCause.requiredTerms).length === 0 &&
  forbiddenTerms(h, expected.forbidden ?? []).length === 0 &&
  // Said with high confidence, the title itself must name the cause, not restate the symptom.
  !(isHighConfidence(h, threshold) && expected.rootCause.requiredTerms.some((t) => !termMatches(t, h.title.toLowerCase())));

export const isHighConfidence = (h: Hypothesis, threshold: number): boolean => CONFIDENCE_VALUE[h.confidence] >= threshold;

/** Scores one report against the scenario's expectation. */
export const scoreReport = (expected: Expectation, report: InvestigationReport, measured: Measured, options: ScoreOptions = {}): ScenarioScore => {
  const threshold = options.highConfidenceThreshold ?? DEFAULT_HIGH_CONFIDENCE;
  const hypotheses = report.hypotheses;
  const top = hypotheses[0];
  const affected = expected.affected.toLowerCase();
  const affectedFound = report.affectedServices.some((s) => s.toLowerCase() === affected) || (top !== undefined && hypothesisText(top).includes(affected));
  const terms = expected.rootCause.requiredTerms;
  const cost = {
    latencyMs: measured.latencyMs,
    inputTokens: report.cost.inputTokens,
    outputTokens: report.cost.outputTokens,
    tokens: report.cost.inputTokens + report.cost.outputTokens,
    costUsd: report.cost.costUsd
  };
  const topSummary = top === undefined ? null : { title: top.title, confidence: top.confidence };
  if (expected.noHighConfidence === true) {
    const high = hypotheses.some((h) => isHighConfidence(h, threshold));
    const index = terms.length === 0 ? -1 : hypotheses.findIndex((h) => namesCause(h, expected, threshold));
    return { hit: !high, rank: index >= 0 ? index + 1 : null, highConfidenceWrong: high, abstained: false, affectedFound, top: topSummary, missingTerms: [], forbiddenFound: [], symptomTitle: false, ...cost };
  }
  const missing = missingTerms(top, terms);
  const forbidden = forbiddenTerms(top, expected.forbidden ?? []);
  // A confident title must itself name the cause: a high-confidence title that only restates the
  // symptom ("the image cannot be pulled") sends the engineer off even when the detail holds the cause.
  const symptomTitle = top !== undefined && missing.length === 0 && isHighConfidence(top, threshold) && terms.some((t) => !termMatches(t, top.title.toLowerCase()));
  const named = top !== undefined && missing.length === 0 && forbidden.length === 0 && !symptomTitle;
  const index = hypotheses.findIndex((h) => namesCause(h, expected, threshold));
  const highConfidenceWrong = !named && top !== undefined && isHighConfidence(top, threshold);
  // Where only a model can reach the cause, not guessing is the right deterministic answer.
  const abstained = expected.needsModel === true && !named && !highConfidenceWrong;
  return {
    hit: named || abstained,
    rank: index >= 0 ? index + 1 : null,
    highConfidenceWrong,
    abstained,
    affectedFound,
    top: topSummary,
    missingTerms: missing,
    forbiddenFound: forbidden,
    symptomTitle,
    ...cost
  };
};

/** The score of a scenario whose investigation could not run: a miss, never a high-confidence claim. */
export const failedScore = (expected: Expectation, latencyMs: number): ScenarioScore => ({
  hit: false,
  rank: null,
  highConfidenceWrong: false,
  abstained: false,
  affectedFound: false,
  top: null,
  missingTerms: [...expected.rootCause.requiredTerms],
  forbiddenFound: [],
  symptomTitle: false,
  latencyMs,
  inputTokens: 0,
  outputTokens: 0,
  tokens: 0,
  costUsd: 0
});
