import type { IncidentMemoryShape, IncidentRecord } from "@sre-on-call/core";
import { MemoryError, rankSimilarIncidents } from "@sre-on-call/core";
import { Option } from "effect";
import { attemptStore } from "./attemptStore.js";
import type { EmbeddedStore } from "./EmbeddedStore.js";

export interface EmbeddedIncidentMemoryOptions {
  /** Default `incidents`. */
  readonly table?: string;
}

/**
 * Past incidents in the embedded store, one record per investigation id. Similarity ranks every
 * remembered incident with the core's TF-IDF, which is fine for the thousands of incidents a
 * single team accumulates.
 */
export const makeEmbeddedIncidentMemory = (store: EmbeddedStore, options: EmbeddedIncidentMemoryOptions = {}): IncidentMemoryShape => {
  const incidents = store.table<IncidentRecord>(options.table ?? "incidents");
  const attempt = attemptStore((operation, reason) => new MemoryError({ operation, reason }));
  return {
    remember: (record) => attempt("remember", () => incidents.put(record.investigationId, record)),
    get: (investigationId) => attempt("get", async () => Option.fromUndefinedOr(await incidents.get(investigationId))),
    similar: (query, limit) =>
      attempt("similar", async () => rankSimilarIncidents(query, (await incidents.scan()).map((e) => e.value), limit)),
    resolve: (investigationId, outcome) =>
      attempt("resolve", async () => (await incidents.update(investigationId, (current) => (current === undefined ? undefined : { ...current, outcome }))) !== undefined),
    count: () => attempt("count", () => incidents.count())
  };
};
