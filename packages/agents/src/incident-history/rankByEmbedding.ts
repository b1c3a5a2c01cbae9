import { type EmbedResponse, ModelError, type ModelPortShape, type SimilarIncident } from "@sre-on-call/core";
import { Effect } from "effect";

/** Embedding inputs are cut to this many characters: the alert's head carries what matters. */
const MAX_TEXT = 2_000;

/** What a past incident is compared on: its title and the alert text. */
export const incidentText = (title: string, alertText: string): string => (title === "" ? alertText : `${title}\n${alertText}`).slice(0, MAX_TEXT);

const cosine = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number | undefined => {
  if (a.length === 0 || a.length !== b.length) return undefined;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (!Number.isFinite(dot) || na === 0 || nb === 0) return undefined;
  return Math.min(1, Math.max(0, dot / Math.sqrt(na * nb)));
};

export interface EmbeddingRanking {
  readonly ranked: ReadonlyArray<SimilarIncident>;
  readonly response: EmbedResponse;
}

/**
 * Re-scores candidates by the cosine similarity of their embeddings to the new alert's. The
 * candidates come from the memory's own (lexical) ranking, so embeddings reorder and filter
 * them; a model answer that does not fit (wrong count, mismatched dimensions) is a `ModelError`.
 */
export const rankByEmbedding = (
  model: ModelPortShape,
  query: string,
  candidates: ReadonlyArray<SimilarIncident>,
  options: { readonly callSite: string; readonly modelId?: string }
): Effect.Effect<EmbeddingRanking, ModelError> =>
  Effect.gen(function* () {
    const texts = [query.slice(0, MAX_TEXT), ...candidates.map((c) => incidentText(c.record.title, c.record.alertText))];
    const response = yield* model.embed({ callSite: options.callSite, texts, ...(options.modelId !== undefined ? { modelId: options.modelId } : {}) });
    const bad = (detail: string) => Effect.fail(new ModelError({ provider: model.provider, reason: "bad_response", detail, retryable: false }));
    if (response.vectors.length !== texts.length) return yield* bad(`asked for ${texts.length} embeddings, got ${response.vectors.length}`);
    const [q, ...docs] = response.vectors;
    const ranked: Array<SimilarIncident> = [];
    for (let i = 0; i < candidates.length; i++) {
      const score = cosine(q!, docs[i]!);
      if (score === undefined) return yield* bad("embeddings of different or zero length");
      ranked.push({ record: candidates[i]!.record, score });
    }
    ranked.sort((a, b) => b.score - a.score || b.record.recordedAt - a.record.recordedAt);
    return { ranked, response };
  });
