import { type Duration, Effect, Option, Result, Schema } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import { decodeUnknown } from "../model/decode.js";
import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { CostLine } from "../model/InvestigationReport.js";
import { type Confidence, confidenceRank } from "../model/primitives.js";
import type { ConverseResponse, ModelPortShape } from "../ports/ModelPort.js";
import { costLine } from "../pricing/costOf.js";
import type { PriceTable } from "../pricing/PriceTable.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import type { AgentOutcome, Synthesis } from "./buildReport.js";
import { rankHypotheses } from "./rankHypotheses.js";
import { buildSynthesisPrompt, SYNTHESIS_SYSTEM_PROMPT, type SynthesisPromptOptions } from "./synthesisPrompt.js";
import { synthesizeDeterministic } from "./synthesize.js";

/*
 * The model synthesis. The deterministic synthesis is computed first and is always the answer
 * when the model fails, overruns, or says nothing the evidence supports. The model gets one
 * structured call; its answer is decoded item by item and every claim is checked:
 *
 * - Citations: a claim (root cause, chain link, competing hypothesis, ruled-out item, impact,
 *   action) must cite at least one finding id that exists in this investigation; ids that do
 *   not exist are removed, and a claim left with none is dropped. A hypothesis whose only
 *   citations are findings marked ruled out has no support and is dropped too.
 * - Confidence cap (the "evidence ceiling"): a model hypothesis is never more confident than
 *   the most confident deterministic hypothesis that shares a cited finding with it. When no
 *   deterministic hypothesis shares one, the ceiling is `medium` if its citations come from at
 *   least two agents and `low` if they all come from one. In numbers (high 0.9, medium 0.6,
 *   low 0.3): never above the supporting deterministic maximum, and ≤ 0.5 for a single-agent
 *   claim nothing deterministic supports. A numeric confidence from the model is read as
 *   high ≥ 0.75, medium ≥ 0.45, low otherwise, then capped.
 * - Deterministic hypotheses are never deleted: a model hypothesis that mostly cites the
 *   support of a deterministic one (or has its title) enriches it (more evidence, a longer
 *   cited chain) without changing its title or confidence; others are added as `synthesis`
 *   hypotheses. All are then ranked by `rankHypotheses`, with the model's order breaking ties.
 * - Actions are suggestions for a human and must cite evidence too; destructive ones, ones
 *   that name a chat destination, and any text that repeats the instructions are dropped.
 * - The summary is written from the accepted top hypothesis, never taken from the model.
 */

export interface ModelSynthesisOptions extends Omit<SynthesisPromptOptions, "redact"> {
  /** Redacts secrets from text before it reaches the model and from what the model says. */
  readonly redact?: (text: string) => string;
  /** How long the call may take before the deterministic synthesis is used (default 30 s). */
  readonly timeout?: Duration.Input;
  readonly priceTable?: PriceTable;
}

export interface ModelSynthesisRequest {
  readonly alert: AlertContext;
  readonly outcomes: ReadonlyArray<AgentOutcome>;
}

export type ModelSynthesisVerdict =
  | { readonly used: "model"; readonly accepted: number; readonly dropped: ReadonlyArray<string>; readonly capped: ReadonlyArray<string> }
  | { readonly used: "deterministic"; readonly reason: string; readonly dropped: ReadonlyArray<string> };

export interface ModelSynthesisResult {
  readonly synthesis: Synthesis;
  readonly verdict: ModelSynthesisVerdict;
  /** The model call's cost, when the model answered. */
  readonly cost?: CostLine;
}

// ---- decoding

const Text = Schema.String;
const Loose = Schema.Array(Schema.Unknown);
const AnswerShape = Schema.Struct({
  rootCause: Schema.optionalKey(Schema.Unknown),
  competing: Schema.optionalKey(Loose),
  ruledOut: Schema.optionalKey(Loose),
  impact: Schema.optionalKey(Schema.Unknown),
  actions: Schema.optionalKey(Loose)
});
const ClaimShape = Schema.Struct({ text: Text, citations: Schema.optionalKey(Loose) });
const HypothesisShape = Schema.Struct({
  title: Text,
  detail: Schema.optionalKey(Text),
  confidence: Schema.optionalKey(Schema.Union([Schema.String, Schema.Number])),
  citations: Schema.optionalKey(Loose),
  chain: Schema.optionalKey(Loose),
  confirmBy: Schema.optionalKey(Text)
});
const decodeAnswer = decodeUnknown(AnswerShape, "synthesis answer");
const decodeClaim = decodeUnknown(ClaimShape, "synthesis claim");
const decodeHypothesis = decodeUnknown(HypothesisShape, "synthesis hypothesis");

type ClaimIn = typeof ClaimShape.Type;
type HypothesisIn = typeof HypothesisShape.Type;

const asOption = <A, E>(r: Result.Result<A, E>): Option.Option<A> => (Result.isSuccess(r) ? Option.some(r.success) : Option.none());

/** `high`/`medium`/`low` or a probability; anything else is `low`. */
export const readConfidence = (value: string | number | undefined): Confidence => {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0.75 ? "high" : Number.isFinite(value) && value >= 0.45 ? "medium" : "low";
  const v = (value ?? "").trim().toLowerCase();
  return v === "high" || v === "medium" ? v : "low";
};

const weaker = (a: Confidence, b: Confidence): Confidence => (confidenceRank(a) >= confidenceRank(b) ? a : b);
const stronger = (a: Confidence, b: Confidence): Confidence => (confidenceRank(a) <= confidenceRank(b) ? a : b);

// ---- checks on what the model says

const UNSAFE_ACTION: ReadonlyArray<RegExp> = [
  /\b(?:delete|destroy|drop|truncate|terminate|wipe|purge|erase|uninstall|shutdown|shut down|kill)\b/i,
  /\brm\s+-[a-z]*[rf]/i,
  /--force\b|--grace-period[= ]0|--replicas[= ]0\b/i,
  /\b(?:post|send|forward|share|publish|announce)\b[^.]{0,60}(?:#[a-z0-9_-]+|channel|webhook|@[a-z0-9_.-]+|https?:\/\/)/i,
  /(?:^|\s)#[a-z0-9][a-z0-9_-]{1,79}\b/i
];

const words = (t: string) => t.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== "");
const SHINGLE = 7;
const shingles = (t: string): ReadonlySet<string> => {
  const w = words(t);
  const out = new Set<string>();
  for (let i = 0; i + SHINGLE <= w.length; i++) out.add(w.slice(i, i + SHINGLE).join(" "));
  return out;
};
const INSTRUCTION_SHINGLES = shingles(SYNTHESIS_SYSTEM_PROMPT);
/** Whether text repeats the instructions (seven words in a row of the system prompt), as an injection asking to reveal them gets. */
export const leaksInstructions = (text: string): boolean => {
  if (/system prompt|ignore (?:all |any )?(?:previous|prior|above) instructions/i.test(text)) return true;
  for (const s of shingles(text)) if (INSTRUCTION_SHINGLES.has(s)) return true;
  return false;
};
const isUnsafeAction = (text: string) => UNSAFE_ACTION.some((re) => re.test(text));

const clip = (text: string, max: number) => {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
const normalizeTitle = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
const fmtCites = (ids: ReadonlyArray<string>) => ` [${ids.join(", ")}]`;

// ---- deterministic pieces buildReport would otherwise supply (kept when the model overrides)

const explicitRuledOut = (outcomes: ReadonlyArray<AgentOutcome>): ReadonlyArray<string> =>
  outcomes.flatMap((o) => {
    if (o.state !== "ok" || o.result === undefined) return [];
    const explicit = o.result.findings.filter((f) => f.metadata["ruledOut"] === true).map((f) => `${o.agent}: ${f.content}`);
    if (explicit.length > 0) return explicit;
    return o.result.findings.length === 0 ? [`${o.agent}: nothing abnormal found in the window`] : [];
  });

const runbookAction = (alert: AlertContext): ReadonlyArray<string> => {
  const url = alert.links?.find((l) => /runbook/i.test(l.label))?.url ?? alert.annotations["runbook_url"];
  return url !== undefined && url !== "" ? [`Follow the runbook: ${url}`] : [];
};

// ---- the synthesis

interface Checked {
  readonly synthesis: Synthesis;
  readonly accepted: number;
  readonly dropped: ReadonlyArray<string>;
  readonly capped: ReadonlyArray<string>;
}

/** Checks a decoded answer against the evidence and merges it with the deterministic synthesis. Pure. */
export const mergeModelAnswer = (
  request: ModelSynthesisRequest,
  deterministic: Synthesis,
  answer: unknown,
  modelId: string,
  redact: (text: string) => string = (t) => redactSecrets(t)
): Result.Result<Checked, string> => {
  const decoded = decodeAnswer(answer);
  if (Result.isFailure(decoded)) return Result.fail(decoded.failure.message);
  const a = decoded.success;
  const findings = new Map<string, Finding>(request.outcomes.flatMap((o) => (o.result?.findings ?? []).map((f) => [f.id, f] as const)));
  const detHypotheses = deterministic.hypotheses ?? [];
  const dropped: Array<string> = [];
  const capped: Array<string> = [];
  const say = (text: string, max: number) => clip(redact(text), max);

  const validCites = (raw: ReadonlyArray<unknown> | undefined, supportOnly: boolean): ReadonlyArray<string> => {
    const ids = [...new Set((raw ?? []).filter((x): x is string => typeof x === "string").map((x) => x.trim()))];
    return ids.filter((id) => {
      const f = findings.get(id);
      return f !== undefined && (!supportOnly || f.metadata["ruledOut"] !== true);
    });
  };
  const acceptClaim = (raw: unknown, what: string, max: number, supportOnly = false): { text: string; cites: ReadonlyArray<string> } | undefined => {
    const c: Option.Option<ClaimIn> = asOption(decodeClaim(raw));
    if (Option.isNone(c) || c.value.text.trim() === "") {
      dropped.push(`${what}: not a claim`);
      return undefined;
    }
    const cites = validCites(c.value.citations, supportOnly);
    const text = say(c.value.text, max);
    if (cites.length === 0) {
      dropped.push(`${what} "${clip(text, 80)}": cites no existing finding`);
      return undefined;
    }
    if (leaksInstructions(text)) {
      dropped.push(`${what}: repeats the instructions`);
      return undefined;
    }
    return { text, cites };
  };

  // Hypotheses.
  const hasRoot = a.rootCause !== undefined && a.rootCause !== null;
  const raws: ReadonlyArray<unknown> = [...(hasRoot ? [a.rootCause] : []), ...(a.competing ?? [])];
  const enriched = new Map<string, Hypothesis>(detHypotheses.map((h) => [h.id, h]));
  const mentioned: Array<string> = [];
  const added: Array<Hypothesis> = [];
  let accepted = 0;
  raws.slice(0, 8).forEach((raw, i) => {
    const what = i === 0 && hasRoot ? "root cause" : "competing hypothesis";
    const h: Option.Option<HypothesisIn> = asOption(decodeHypothesis(raw));
    if (Option.isNone(h) || h.value.title.trim() === "") {
      dropped.push(`${what}: not a hypothesis`);
      return;
    }
    const title = say(h.value.title, 200);
    const cites = validCites(h.value.citations, true);
    if (cites.length === 0) {
      dropped.push(`${what} "${clip(title, 80)}": cites no existing finding`);
      return;
    }
    if (leaksInstructions(`${title}\n${h.value.detail ?? ""}`)) {
      dropped.push(`${what}: repeats the instructions`);
      return;
    }
    const chain = (h.value.chain ?? []).flatMap((link, j) => {
      const c = acceptClaim(link, `${what} chain link ${j + 1}`, 300);
      return c === undefined ? [] : [c.text];
    });
    const supporters = detHypotheses.filter((d) => d.supportingFindings.some((id) => cites.includes(id)));
    const agents = new Set(cites.map((id) => findings.get(id)?.agent));
    const ceiling: Confidence =
      supporters.length > 0 ? supporters.map((d) => d.confidence).reduce(stronger) : agents.size >= 2 ? "medium" : "low";
    const claimed = readConfidence(h.value.confidence);
    const confidence = weaker(claimed, ceiling);
    if (confidence !== claimed) capped.push(`"${clip(title, 80)}": ${String(h.value.confidence)} capped to ${confidence}`);
    accepted++;

    const match =
      detHypotheses.find((d) => normalizeTitle(d.title) === normalizeTitle(title)) ??
      [...supporters]
        .map((d) => ({ d, shared: cites.filter((id) => d.supportingFindings.includes(id)).length }))
        .filter((x) => x.shared / cites.length > 0.5)
        .sort((x, y) => y.shared - x.shared)[0]?.d;
    if (match !== undefined) {
      const current = enriched.get(match.id) ?? match;
      const longerChain = chain.length >= 2 && chain.length > (current.chain?.length ?? 0);
      enriched.set(match.id, {
        ...current,
        supportingFindings: [...new Set([...current.supportingFindings, ...cites])],
        ...(longerChain ? { chain } : {})
      });
      if (!mentioned.includes(match.id)) mentioned.push(match.id);
      return;
    }
    if (added.length >= 5) return;
    const confirmBy = h.value.confirmBy !== undefined ? say(h.value.confirmBy, 300) : "";
    added.push({
      id: `synthesis:${added.length + 1}`,
      title,
      detail: say(h.value.detail ?? "", 1000),
      confidence,
      supportingFindings: [...cites],
      confirmBy: isUnsafeAction(confirmBy) || leaksInstructions(confirmBy) ? "" : confirmBy,
      proposedBy: "synthesis",
      depth: Math.max(1, chain.length - 1, ...supporters.map((d) => d.depth)),
      ...(chain.length >= 2 ? { chain } : {})
    });
  });

  // Ruled out, impact, actions.
  const ruledOut = (a.ruledOut ?? []).slice(0, 10).flatMap((raw, i) => {
    const c = acceptClaim(raw, `ruled-out item ${i + 1}`, 300);
    return c === undefined ? [] : [`${c.text}${fmtCites(c.cites)}`];
  });
  const impactClaim = a.impact !== undefined && a.impact !== null ? acceptClaim(a.impact, "impact", 500) : undefined;
  const modelActions = (a.actions ?? []).slice(0, 10).flatMap((raw, i) => {
    const c = acceptClaim(raw, `action ${i + 1}`, 300);
    if (c === undefined) return [];
    if (isUnsafeAction(c.text)) {
      dropped.push(`action ${i + 1} "${clip(c.text, 80)}": destructive or names a chat destination`);
      return [];
    }
    return [c.text];
  }).slice(0, 3);
  accepted += ruledOut.length + modelActions.length + (impactClaim !== undefined ? 1 : 0);

  if (accepted === 0) return Result.succeed({ synthesis: deterministic, accepted, dropped, capped });

  const ordered = [
    ...mentioned.flatMap((id) => {
      const h = enriched.get(id);
      return h === undefined ? [] : [h];
    }),
    ...added,
    ...detHypotheses.filter((h) => !mentioned.includes(h.id)).map((h) => enriched.get(h.id) ?? h)
  ];
  const hypotheses = rankHypotheses(ordered);
  const top = hypotheses[0];
  const answered = request.outcomes.filter((o) => o.state === "ok").length;
  const summary =
    top === undefined
      ? deterministic.summary
      : `${top.confidence === "low" ? "No cause established with confidence; best lead" : "Most likely cause"}: ${top.title} (${top.confidence} confidence).` +
        (top.chain !== undefined && top.chain.length > 1 ? ` Causal chain: ${top.chain.join(" → ")}.` : "") +
        ` Evidence: ${top.supportingFindings.slice(0, 6).join(", ")}${top.supportingFindings.length > 6 ? ", …" : ""}.` +
        ` Synthesised by ${modelId}; ${answered} of ${request.outcomes.length} agents answered.`;
  const actions =
    modelActions.length === 0
      ? undefined
      : [...new Set([...(top?.actions ?? []), ...modelActions, ...(top !== undefined && top.confirmBy !== "" ? [`Confirm: ${top.confirmBy}`] : []), ...runbookAction(request.alert)])].slice(0, 5);

  return Result.succeed({
    accepted,
    dropped,
    capped,
    synthesis: {
      ...(summary !== undefined ? { summary } : {}),
      ...(hypotheses.length > 0 ? { hypotheses } : {}),
      ...(ruledOut.length > 0 ? { ruledOut: [...new Set([...ruledOut, ...explicitRuledOut(request.outcomes)])] } : {}),
      ...(impactClaim !== undefined ? { impact: `${impactClaim.text}${fmtCites(impactClaim.cites)}` } : {}),
      ...(actions !== undefined ? { actions } : {})
    }
  });
};

const structuredOf = (response: ConverseResponse): unknown => {
  if (response.structured !== undefined) return response.structured;
  const text = response.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("").trim();
  const body = text.replace(/^```(?:json)?\s*/i, "").replace(/```$/, "").trim();
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const withCost = (s: Synthesis, cost: CostLine | undefined): Synthesis => (cost === undefined ? s : { ...s, cost: [...(s.cost ?? []), cost] });

/**
 * The synthesis with its verdict: which synthesis was used, what was dropped and capped, and
 * the call's cost. Never fails: any model failure gives the deterministic synthesis.
 */
export const synthesizeWithModelDetailed = (
  model: ModelPortShape,
  request: ModelSynthesisRequest,
  options: ModelSynthesisOptions = {}
): Effect.Effect<ModelSynthesisResult> =>
  Effect.gen(function* () {
    const deterministic = synthesizeDeterministic({ outcomes: request.outcomes });
    const redact = options.redact ?? ((t: string) => redactSecrets(t));
    const fallback = (reason: string, cost?: CostLine, dropped: ReadonlyArray<string> = []): ModelSynthesisResult => ({
      synthesis: withCost(deterministic, cost),
      verdict: { used: "deterministic", reason, dropped },
      ...(cost !== undefined ? { cost } : {})
    });
    if (!request.outcomes.some((o) => (o.result?.findings.length ?? 0) > 0)) return fallback("no findings to synthesise");
    const prompt = buildSynthesisPrompt({ alert: request.alert, outcomes: request.outcomes, hypotheses: deterministic.hypotheses ?? [] }, { ...options, redact });
    const call = yield* Effect.suspend(() => model.converse(prompt.request)).pipe(
      Effect.timeoutOption(options.timeout ?? "30 seconds"),
      Effect.map((o) => (Option.isSome(o) ? Result.succeed(o.value) : Result.fail("the model did not answer in time"))),
      Effect.catch((e) => Effect.succeed(Result.fail(`the model call failed (${e.reason})`))),
      Effect.catchCause(() => Effect.succeed(Result.fail("the model call crashed")))
    );
    if (Result.isFailure(call)) return fallback(call.failure);
    const response = call.success;
    const cost = costLine("synthesis", response.modelId, response.usage, options.priceTable);
    const answer = structuredOf(response);
    if (answer === undefined) return fallback("the model's answer is not JSON", cost);
    const merged = mergeModelAnswer(request, deterministic, answer, response.modelId, redact);
    if (Result.isFailure(merged)) return fallback(`the model's answer does not match the schema: ${clip(redact(merged.failure), 200)}`, cost);
    const m = merged.success;
    if (m.accepted === 0) return fallback("no claim of the model cites an existing finding", cost, m.dropped);
    return { synthesis: withCost(m.synthesis, cost), verdict: { used: "model", accepted: m.accepted, dropped: m.dropped, capped: m.capped }, cost };
  });

/**
 * The synthesis with a model: the deterministic synthesis first, then one structured call whose
 * claims are checked against the evidence (see the top of this file). On any model failure,
 * timeout or unusable answer the deterministic synthesis is returned unchanged (plus the cost of
 * the call when it was made). Never fails.
 */
export const synthesizeWithModel = (model: ModelPortShape, request: ModelSynthesisRequest, options: ModelSynthesisOptions = {}): Effect.Effect<Synthesis> =>
  synthesizeWithModelDetailed(model, request, options).pipe(Effect.map((r) => r.synthesis));
