import { Result, Schema } from "effect";
import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import { decodeUnknown } from "../model/decode.js";
import { type Confidence, confidenceRank } from "../model/primitives.js";
import { type RedactOptions, redactSecrets } from "../redact/redactSecrets.js";

/*
 * The model's final answer is untrusted output: it is decoded hypothesis by hypothesis (one bad
 * entry does not cost the others), every citation is checked against the findings that exist,
 * confidence is capped by the evidence, and text is redacted and clipped before it can reach a
 * report.
 */

const ModelHypothesis = Schema.Struct({
  title: Schema.String,
  detail: Schema.optionalKey(Schema.String),
  confidence: Schema.Literals(["high", "medium", "low"]),
  supportingFindings: Schema.Array(Schema.String),
  confirmBy: Schema.optionalKey(Schema.String),
  depth: Schema.optionalKey(Schema.Number),
  chain: Schema.optionalKey(Schema.Array(Schema.String)),
  actions: Schema.optionalKey(Schema.Array(Schema.String))
});
type ModelHypothesis = typeof ModelHypothesis.Type;
const decodeHypothesis = decodeUnknown(ModelHypothesis, "hypothesis");

export const MAX_MODEL_HYPOTHESES = 5;
const MAX_TITLE = 200;
const MAX_TEXT = 2_000;
const MAX_LIST = 8;
const MAX_DEPTH = 10;

export interface FinalAnswer {
  readonly summary: string | undefined;
  readonly hypotheses: ReadonlyArray<ModelHypothesis>;
  /** Why entries were discarded while decoding (bad shape), for the run's metadata. */
  readonly rejected: ReadonlyArray<string>;
}

/** The answer from a structured response or, failing that, from JSON in its text. Never throws. */
export const decodeFinalAnswer = (structured: unknown, text: string): Result.Result<FinalAnswer, string> => {
  const value = isRecord(structured) ? structured : parseJsonObject(text);
  if (value === undefined) return Result.fail("the final answer is not a JSON object");
  const summary = typeof value["summary"] === "string" ? value["summary"] : undefined;
  const raw = value["hypotheses"];
  if (raw !== undefined && !Array.isArray(raw)) return Result.fail("hypotheses is not an array");
  const hypotheses: Array<ModelHypothesis> = [];
  const rejected: Array<string> = [];
  for (const [i, item] of (raw ?? []).entries()) {
    const decoded = decodeHypothesis(item);
    if (Result.isSuccess(decoded)) hypotheses.push(decoded.success);
    else rejected.push(`hypothesis ${i}: ${decoded.failure.reason.slice(0, 300)}`);
  }
  return Result.succeed({ summary, hypotheses, rejected });
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start === -1 || end <= start) return undefined;
  try {
    const v: unknown = JSON.parse(text.slice(start, end + 1));
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The highest confidence a hypothesis may claim given what it cites (the documented cap):
 * - `high` needs at least two distinct existing findings, not all of severity `info`;
 * - otherwise (one finding, or only `info` findings) it is at most `medium`.
 */
export const confidenceCap = (cited: ReadonlyArray<Finding>): Confidence => {
  const distinct = new Set(cited.map((f) => f.id));
  if (distinct.size >= 2 && cited.some((f) => f.severity !== "info")) return "high";
  return "medium";
};

/** The lower (more cautious) of two confidences. */
export const capConfidence = (claimed: Confidence, cap: Confidence): Confidence => (confidenceRank(claimed) >= confidenceRank(cap) ? claimed : cap);

const normalizeTitle = (title: string): string => title.trim().toLowerCase().replace(/\s+/g, " ");

export interface ValidateOptions {
  readonly agentId: string;
  /** Every finding that exists: deterministic and tool findings. */
  readonly findings: ReadonlyArray<Finding>;
  /** Hypotheses already made (deterministic): a model hypothesis with the same title is dropped. */
  readonly existing: ReadonlyArray<Hypothesis>;
  readonly redact?: RedactOptions;
}

export interface ValidatedHypotheses {
  readonly hypotheses: ReadonlyArray<Hypothesis>;
  /** Why model hypotheses were dropped. */
  readonly dropped: ReadonlyArray<string>;
}

const clean = (text: string, max: number, redact: RedactOptions): string => {
  const r = redactSecrets(text.trim(), redact);
  return r.length <= max ? r : `${r.slice(0, max - 1)}…`;
};

/**
 * Model hypotheses made safe to report: citations restricted to existing findings (none left →
 * dropped), confidence capped by `confidenceCap`, duplicates of earlier titles dropped, text
 * redacted and clipped, ids `<agent>:m<n>` and `proposedBy` set to the agent, whatever the model said.
 */
export const validateModelHypotheses = (proposed: ReadonlyArray<ModelHypothesis>, options: ValidateOptions): ValidatedHypotheses => {
  const redact = options.redact ?? {};
  const byId = new Map(options.findings.map((f) => [f.id, f] as const));
  const seenTitles = new Set(options.existing.map((h) => normalizeTitle(h.title)));
  const hypotheses: Array<Hypothesis> = [];
  const dropped: Array<string> = [];
  for (const h of proposed) {
    const title = clean(h.title, MAX_TITLE, redact);
    if (hypotheses.length >= MAX_MODEL_HYPOTHESES) {
      dropped.push(`more than ${MAX_MODEL_HYPOTHESES} hypotheses`);
      break;
    }
    const citedIds = [...new Set(h.supportingFindings)].filter((id) => byId.has(id));
    if (title === "") {
      dropped.push("a hypothesis without a title");
      continue;
    }
    if (citedIds.length === 0) {
      dropped.push(`"${title.slice(0, 80)}" cites no existing finding`);
      continue;
    }
    const key = normalizeTitle(title);
    if (seenTitles.has(key)) {
      dropped.push(`"${title.slice(0, 80)}" repeats an earlier hypothesis`);
      continue;
    }
    seenTitles.add(key);
    const cited = citedIds.map((id) => byId.get(id)).filter((f): f is Finding => f !== undefined);
    const depth = h.depth !== undefined && Number.isFinite(h.depth) ? Math.min(MAX_DEPTH, Math.max(0, Math.round(h.depth))) : 1;
    const list = (xs: ReadonlyArray<string> | undefined) => (xs ?? []).slice(0, MAX_LIST).map((x) => clean(x, MAX_TITLE, redact)).filter((x) => x !== "");
    const chain = list(h.chain);
    const actions = list(h.actions);
    hypotheses.push({
      id: `${options.agentId}:m${hypotheses.length + 1}`,
      title,
      detail: clean(h.detail ?? "", MAX_TEXT, redact),
      confidence: capConfidence(h.confidence, confidenceCap(cited)),
      supportingFindings: citedIds,
      confirmBy: clean(h.confirmBy ?? "", MAX_TEXT, redact),
      proposedBy: options.agentId,
      depth,
      ...(chain.length > 0 ? { chain } : {}),
      ...(actions.length > 0 ? { actions } : {})
    });
  }
  return { hypotheses, dropped };
};
