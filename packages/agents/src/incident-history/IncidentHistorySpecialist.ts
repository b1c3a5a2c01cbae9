import {
  AgentFailure,
  type AgentResult,
  type AlertContext,
  costOfUsage,
  type Finding,
  formatDuration,
  formatUtc,
  type Hypothesis,
  type IncidentMemoryShape,
  type IncidentRecord,
  ModelError,
  type ModelPortShape,
  type PriceTable,
  reportTitle,
  type SimilarIncident,
  type SnapshotSection,
  type Specialist,
  type SpecialistCall
} from "@sre-on-call/core";
import { Duration, Effect, Option } from "effect";
import { rankByEmbedding } from "./rankByEmbedding.js";

export const INCIDENT_HISTORY_ID = "incident-history";

export interface SimilarityThresholds {
  /** Lowest score reported as a similar incident. */
  readonly similar: number;
  /** Score from which a past incident with a confirmed cause becomes a hypothesis. */
  readonly strong: number;
}

/**
 * Calibrated on alert texts: the same alert on another pod of the workload scores about 0.9
 * lexically, another alert on the same workload about 0.6, unrelated alerts under 0.3.
 */
const LEXICAL: SimilarityThresholds = { similar: 0.35, strong: 0.7 };
const EMBEDDING: SimilarityThresholds = { similar: 0.7, strong: 0.85 };
const thresholds = (defaults: SimilarityThresholds, given: Partial<SimilarityThresholds> | undefined): SimilarityThresholds => {
  const similar = given?.similar ?? defaults.similar;
  return { similar, strong: Math.max(similar, given?.strong ?? defaults.strong) };
};

export interface IncidentHistorySpecialistOptions {
  readonly memory: IncidentMemoryShape;
  /** With a model, candidates are re-ranked by embedding similarity (`ModelPort.embed`). */
  readonly model?: ModelPortShape;
  /** The embedding model to ask for (e.g. `amazon.titan-embed-text-v2:0`); default the port's. */
  readonly embeddingModelId?: string;
  /** Prices for the embedding cost line (default core's table). */
  readonly prices?: PriceTable;
  /** Most similar incidents reported (default 3). */
  readonly limit?: number;
  /** Cut-offs for the memory's lexical (TF-IDF) scores (default 0.35 / 0.7). */
  readonly lexicalThresholds?: Partial<SimilarityThresholds>;
  /** Cut-offs for embedding cosine similarity (default 0.7 / 0.85). */
  readonly embeddingThresholds?: Partial<SimilarityThresholds>;
  /** Candidates taken from the memory for embedding re-ranking (default 20). */
  readonly candidates?: number;
  /** Time kept to answer when the model is slow (default 150 ms). */
  readonly answerReserveMs?: number;
  readonly description?: string;
  readonly now?: () => number;
}

const MAX_CAUSE_HYPOTHESES = 2;

const day = (ms: number) => formatUtc(ms).slice(0, 10);
const pct = (score: number) => `${Math.round(score * 100)}%`;
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** What the incident's cause was, and whether someone confirmed it. */
const causeOf = (r: IncidentRecord): { readonly text: string; readonly confirmed: boolean } | undefined => {
  const root = r.outcome?.rootCause;
  if (root !== undefined && root.trim() !== "") return { text: oneLine(root), confirmed: true };
  if (r.topHypothesis !== undefined && r.topHypothesis.title.trim() !== "") return { text: oneLine(r.topHypothesis.title), confirmed: false };
  return undefined;
};

/**
 * The incident-history specialist: the most similar remembered incidents, what caused them and
 * where they were handled. Similarity is the memory's own lexical (TF-IDF) ranking, re-ranked
 * by embeddings when a model is configured; a strong match whose cause was confirmed becomes a
 * medium-confidence hypothesis.
 */
export const makeIncidentHistorySpecialist = (options: IncidentHistorySpecialistOptions): Specialist => {
  const id = INCIDENT_HISTORY_ID;
  const { memory, model } = options;
  const now = options.now ?? Date.now;
  const limit = Math.max(1, Math.floor(options.limit ?? 3));
  const lexicalCut = thresholds(LEXICAL, options.lexicalThresholds);
  const embeddingCut = thresholds(EMBEDDING, options.embeddingThresholds);
  const pool = Math.max(limit, Math.floor(options.candidates ?? 20));
  const reserve = Math.max(0, options.answerReserveMs ?? 150);
  const fail = (kind: AgentFailure["kind"], reason: string) => new AgentFailure({ agent: id, kind, reason });

  const investigate = (alert: AlertContext, call: SpecialistCall): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const remaining = () => Math.max(0, call.deadline - now() - reserve);
      const text = `${reportTitle(alert)}\n${alert.alertText}`;
      const sameThread = (s: SimilarIncident) => s.record.channelId === alert.channelId && s.record.threadId === alert.messageId;
      const read = yield* Effect.all([memory.similar({ text, entities: alert.entities, excludeId: alert.investigationId }, model !== undefined ? pool : limit + 2), memory.count()]).pipe(
        Effect.mapError((e) => fail("unavailable", e.message)),
        Effect.timeoutOption(Duration.millis(remaining()))
      );
      if (Option.isNone(read)) return yield* Effect.fail(fail("timeout", "the incident memory did not answer before the deadline"));
      const [lexical, remembered] = read.value;
      const candidates = lexical.filter((s) => !sameThread(s));

      let ranked: ReadonlyArray<SimilarIncident> = candidates;
      let method: "tf-idf" | "embeddings" = "tf-idf";
      let note: string | undefined;
      let usage = { modelId: undefined as string | undefined, inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };
      if (model !== undefined && candidates.length > 0) {
        const embedded = yield* rankByEmbedding(model, text, candidates, { callSite: id, ...(options.embeddingModelId !== undefined ? { modelId: options.embeddingModelId } : {}) }).pipe(
          Effect.timeoutOption(Duration.millis(remaining())),
          Effect.map((o) => (Option.isSome(o) ? o.value : ("timeout" as const))),
          Effect.catch((e) => Effect.succeed(e))
        );
        if (embedded === "timeout") note = "the embedding model did not answer in time; ranked by text similarity";
        else if (embedded instanceof ModelError) note = `embeddings failed (${embedded.message}); ranked by text similarity`;
        else {
          ranked = embedded.ranked;
          method = "embeddings";
          const cost = costOfUsage(embedded.response.modelId, embedded.response.usage, options.prices);
          usage = { modelId: embedded.response.modelId, inputTokens: embedded.response.usage.inputTokens, outputTokens: embedded.response.usage.outputTokens, costUsd: cost.usd, calls: 1 };
        }
      }
      const { similar: floor, strong: top } = method === "embeddings" ? embeddingCut : lexicalCut;
      const similar = ranked.filter((s) => s.score >= floor).slice(0, limit);

      const findings: Array<Finding> = [];
      const findingOf = new Map<string, string>();
      for (const s of similar) {
        const r = s.record;
        const cause = causeOf(r);
        const resolved = r.outcome !== undefined && r.outcome.resolvedAt >= r.recordedAt ? `, resolved after ${formatDuration(r.outcome.resolvedAt - r.recordedAt)}` : "";
        const causeText = cause === undefined ? "; cause not recorded" : cause.confirmed ? `; root cause: ${cause.text}` : `; suspected then (not confirmed): ${cause.text}`;
        const fid = `${id}:${findings.length + 1}`;
        findingOf.set(r.investigationId, fid);
        findings.push({
          id: fid,
          agent: id,
          source: "incident-memory",
          timestamp: r.recordedAt,
          content: `Similar past incident on ${day(r.recordedAt)} (${pct(s.score)} match): ${oneLine(r.title)}${causeText}${resolved}${r.outcome?.notes !== undefined && r.outcome.notes.trim() !== "" ? `. Notes: ${oneLine(r.outcome.notes).slice(0, 200)}` : ""}`,
          severity: "info",
          metadata: {
            investigationId: r.investigationId,
            score: Math.round(s.score * 1000) / 1000,
            method,
            recordedAt: r.recordedAt,
            severity: r.severity,
            ...(cause !== undefined ? { cause: cause.text, causeConfirmed: cause.confirmed } : {}),
            ...(r.outcome !== undefined ? { resolvedAt: r.outcome.resolvedAt } : {}),
            ...(r.threadLink !== undefined ? { threadLink: r.threadLink } : {})
          },
          ...(r.threadLink !== undefined ? { deepLink: r.threadLink } : {})
        });
      }

      // One hypothesis per distinct confirmed cause among the strong matches.
      const byCause = new Map<string, Array<SimilarIncident>>();
      for (const s of similar) {
        const cause = causeOf(s.record);
        if (s.score < top || cause === undefined || !cause.confirmed) continue;
        const key = cause.text.toLowerCase();
        byCause.set(key, [...(byCause.get(key) ?? []), s]);
      }
      const hypotheses: Array<Hypothesis> = [...byCause.values()].slice(0, MAX_CAUSE_HYPOTHESES).map((group, i) => {
        const best = group[0]!;
        const cause = causeOf(best.record)!.text;
        const more = group.length > 1 ? ` (and ${group.length - 1} more)` : "";
        const link = best.record.threadLink;
        return {
          id: `${id}:same-as-${i + 1}`,
          title: `Same as ${day(best.record.recordedAt)} incident${more}: ${cause}`,
          detail: `The ${day(best.record.recordedAt)} incident "${oneLine(best.record.title)}" matches this alert at ${pct(best.score)}, and its root cause was confirmed as: ${cause}.`,
          confidence: "medium",
          supportingFindings: group.map((s) => findingOf.get(s.record.investigationId)!),
          confirmBy: `Check whether the same cause is present now (${cause}).`,
          proposedBy: id,
          depth: 1,
          actions: [
            ...(link !== undefined ? [`Read how the ${day(best.record.recordedAt)} incident was handled: ${link}`] : []),
            ...(best.record.outcome?.notes !== undefined && best.record.outcome.notes.trim() !== "" ? [`Last time: ${oneLine(best.record.outcome.notes).slice(0, 200)}`] : [])
          ]
        };
      });

      if (similar.length === 0) {
        const best = ranked[0];
        findings.push({
          id: `${id}:${findings.length + 1}`,
          agent: id,
          source: "incident-memory",
          timestamp: startedAt,
          content:
            remembered === 0
              ? "No past incidents remembered yet"
              : `No similar past incident among ${remembered} remembered${best !== undefined ? ` (closest: ${pct(best.score)}, ${oneLine(best.record.title)})` : ""}`,
          severity: "info",
          metadata: { remembered, method, threshold: floor }
        });
      }

      const summary =
        hypotheses[0] !== undefined
          ? `${hypotheses[0].title}.${similar.length > 1 ? ` ${similar.length} similar incidents in all.` : ""}`
          : similar.length > 0
            ? `${similar.length} similar past incident${similar.length === 1 ? "" : "s"}, the closest on ${day(similar[0]!.record.recordedAt)} (${pct(similar[0]!.score)}): ${oneLine(similar[0]!.record.title)}.`
            : `No similar past incident among ${remembered} remembered.`;
      const endedAt = Math.max(now(), startedAt);
      return {
        agent: id,
        status: "success",
        findings,
        hypotheses,
        summary: note !== undefined ? `${summary} (${note})` : summary,
        durationMs: endedAt - startedAt,
        metadata: {
          ...(usage.modelId !== undefined ? { modelId: usage.modelId } : {}),
          startedAt,
          endedAt,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          costUsd: usage.costUsd,
          modelCalls: usage.calls,
          extra: { method, remembered, candidates: candidates.length, threshold: floor, strongThreshold: top, ...(note !== undefined ? { note } : {}) }
        }
      } satisfies AgentResult;
    });

  const snapshot = (call: SpecialistCall): Effect.Effect<SnapshotSection, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const counted = yield* memory.count().pipe(
        Effect.mapError((e) => fail("unavailable", e.message)),
        Effect.timeoutOption(Duration.millis(Math.max(0, call.deadline - startedAt)))
      );
      if (Option.isNone(counted)) return yield* Effect.fail(fail("timeout", "the incident memory did not answer before the deadline"));
      const n = counted.value;
      return {
        agent: id,
        state: "ok",
        health: "healthy",
        summary: `${n} past incident${n === 1 ? "" : "s"} remembered; similarity by ${model !== undefined ? "embeddings" : "text (TF-IDF)"}`,
        findings: [],
        durationMs: Math.max(0, now() - startedAt)
      } satisfies SnapshotSection;
    });

  return {
    id,
    description: options.description ?? "Past incidents: the most similar remembered incidents, their causes and threads",
    investigate,
    snapshot
  };
};
