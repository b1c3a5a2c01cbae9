import { Context, Schema } from "effect";
import type { Effect, Option } from "effect";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import type { EpochMillis, JsonRecord } from "../model/primitives.js";

export type TraceEventType =
  | "received"
  | "classified"
  | "dedup"
  | "dispatched"
  | "agent_request"
  | "agent_response"
  | "decision"
  | "report_posted"
  | "delivery_failed"
  | "failed";

export interface TraceEvent {
  readonly investigationId: string;
  readonly at: EpochMillis;
  readonly type: TraceEventType;
  readonly data: JsonRecord;
}

export interface TraceHeader {
  readonly investigationId: string;
  readonly channelId: string;
  readonly threadId: string;
  readonly startedAt: EpochMillis;
}

export interface Trace extends TraceHeader {
  readonly events: ReadonlyArray<TraceEvent>;
  readonly reports: ReadonlyArray<InvestigationReport>;
}

export class TraceError extends Schema.TaggedError<TraceError>()("TraceError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `trace store ${this.operation} failed: ${this.reason}`;
  }
}

export interface TraceStoreShape {
  /** Registers an investigation so it can be found by its thread. Idempotent. */
  readonly open: (header: TraceHeader) => Effect.Effect<void, TraceError>;
  readonly append: (event: TraceEvent) => Effect.Effect<void, TraceError>;
  readonly putReport: (report: InvestigationReport) => Effect.Effect<void, TraceError>;
  readonly get: (investigationId: string) => Effect.Effect<Option.Option<Trace>, TraceError>;
  /** Investigation ids whose thread is this one, oldest first. */
  readonly findByThread: (channelId: string, threadId: string) => Effect.Effect<ReadonlyArray<string>, TraceError>;
}

export class TraceStore extends Context.Service<TraceStore, TraceStoreShape>()("sre-on-call/TraceStore") {}
