import type { Entities } from "../model/AlertContext.js";
import type { IncidentRecord, SimilarIncident } from "../ports/IncidentMemory.js";

const STOP = new Set(["the", "a", "an", "is", "in", "on", "of", "to", "and", "for", "with", "at", "by", "from", "firing", "resolved"]);

/** Lower-cased word tokens; pod-hash suffixes (`-7d9f8b6c5-x2x9z`) are dropped so replicas match. */
export const incidentTokens = (text: string): ReadonlyArray<string> => {
  const out: Array<string> = [];
  for (const raw of text.toLowerCase().split(/[^a-z0-9_.-]+/)) {
    const word = raw.replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, "").replace(/-[a-z0-9]{5}$/, "").replace(/^[._-]+|[._-]+$/g, "");
    if (word.length < 2 || STOP.has(word) || /^\d+$/.test(word)) continue;
    out.push(word);
    for (const part of word.split(/[._-]/)) if (part !== word && part.length >= 2 && !STOP.has(part)) out.push(part);
  }
  return out;
};

const entityTokens = (entities: Entities): ReadonlyArray<string> =>
  Object.entries(entities).flatMap(([k, v]) => (k === "severity" || v === undefined ? [] : incidentTokens(v)));

const ENTITY_WEIGHT = 2;

const termFrequencies = (text: string, entities: Entities): Map<string, number> => {
  const tf = new Map<string, number>();
  for (const t of incidentTokens(text)) tf.set(t, (tf.get(t) ?? 0) + 1);
  for (const t of entityTokens(entities)) tf.set(t, (tf.get(t) ?? 0) + ENTITY_WEIGHT);
  return tf;
};

/**
 * TF-IDF cosine similarity of a new alert against remembered incidents, no model needed.
 * Scores lie in [0, 1]; results are sorted best first and exclude zero scores.
 */
export const rankSimilarIncidents = (
  query: { readonly text: string; readonly entities: Entities; readonly excludeId?: string },
  records: ReadonlyArray<IncidentRecord>,
  limit: number
): ReadonlyArray<SimilarIncident> => {
  const candidates = records.filter((r) => r.investigationId !== query.excludeId);
  if (candidates.length === 0 || limit <= 0) return [];
  const docs = candidates.map((r) => termFrequencies(`${r.title} ${r.alertText}`, r.entities));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const idf = (t: string) => Math.log(1 + (n + 1) / ((df.get(t) ?? 0) + 1));
  const weigh = (tf: Map<string, number>) => {
    const w = new Map<string, number>();
    let norm = 0;
    for (const [t, f] of tf) {
      const v = (1 + Math.log(f)) * idf(t);
      w.set(t, v);
      norm += v * v;
    }
    return { w, norm: Math.sqrt(norm) };
  };
  const q = weigh(termFrequencies(query.text, query.entities));
  if (q.norm === 0) return [];
  const scored: Array<SimilarIncident> = [];
  docs.forEach((d, i) => {
    const dv = weigh(d);
    if (dv.norm === 0) return;
    let dot = 0;
    for (const [t, v] of q.w) dot += v * (dv.w.get(t) ?? 0);
    const score = Math.min(1, Math.max(0, dot / (q.norm * dv.norm)));
    if (score > 0) scored.push({ record: candidates[i]!, score });
  });
  return scored
    .sort((a, b) => b.score - a.score || b.record.recordedAt - a.record.recordedAt)
    .slice(0, limit);
};
