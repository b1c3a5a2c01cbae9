import { Context, Schema } from "effect";
import type { Effect, Option } from "effect";
import type { Entities } from "../model/AlertContext.js";
import type { Confidence, EpochMillis, Severity } from "../model/primitives.js";

export interface IncidentOutcome {
  readonly resolvedAt: EpochMillis;
  readonly rootCause?: string;
  readonly notes?: string;
}

export interface IncidentRecord {
  readonly investigationId: string;
  readonly recordedAt: EpochMillis;
  readonly title: string;
  readonly alertText: string;
  readonly entities: Entities;
  readonly severity: Severity;
  readonly channelId: string;
  readonly threadId: string;
  readonly threadLink?: string;
  readonly topHypothesis?: { readonly title: string; readonly confidence: Confidence };
  readonly outcome?: IncidentOutcome;
}

export interface SimilarIncident {
  readonly record: IncidentRecord;
  /** Similarity in [0, 1]; 1 is identical. */
  readonly score: number;
}

export class MemoryError extends Schema.TaggedError<MemoryError>()("MemoryError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `incident memory ${this.operation} failed: ${this.reason}`;
  }
}

export interface IncidentMemoryShape {
  /** Stores or replaces the record with this investigation id. */
  readonly remember: (record: IncidentRecord) => Effect.Effect<void, MemoryError>;
  readonly get: (investigationId: string) => Effect.Effect<Option.Option<IncidentRecord>, MemoryError>;
  /** Most similar first, at most `limit`, never the incident itself. */
  readonly similar: (
    query: { readonly text: string; readonly entities: Entities; readonly excludeId?: string },
    limit: number
  ) => Effect.Effect<ReadonlyArray<SimilarIncident>, MemoryError>;
  /** Records how an incident ended. False when no such incident is remembered. */
  readonly resolve: (investigationId: string, outcome: IncidentOutcome) => Effect.Effect<boolean, MemoryError>;
  readonly count: () => Effect.Effect<number, MemoryError>;
}

export class IncidentMemory extends Context.Service<IncidentMemory, IncidentMemoryShape>()("sre-on-call/IncidentMemory") {}
