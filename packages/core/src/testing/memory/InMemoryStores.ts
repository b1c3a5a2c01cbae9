import { Effect, Option, Redacted } from "effect";
import { rankSimilarIncidents } from "../../memory/rankSimilarIncidents.js";
import type { InvestigationReport } from "../../model/InvestigationReport.js";
import type { DedupStoreShape } from "../../ports/DedupStore.js";
import type { IncidentMemoryShape, IncidentRecord } from "../../ports/IncidentMemory.js";
import { SecretError, type SecretResolverShape } from "../../ports/SecretResolver.js";
import type { TelemetryShape } from "../../ports/Telemetry.js";
import type { TraceEvent, TraceHeader, TraceStoreShape } from "../../ports/TraceStore.js";

/** Dedup in memory; expiry follows `now()`. */
export const makeInMemoryDedupStore = (now: () => number = Date.now): DedupStoreShape => {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    return e !== undefined && e.expiresAt > now() ? e : undefined;
  };
  return {
    putIfAbsent: (key, value, ttlSeconds) =>
      Effect.sync(() => {
        const existing = live(key);
        if (existing) return { claimed: false as const, existing: existing.value };
        entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
        return { claimed: true as const };
      }),
    get: (key) => Effect.sync(() => live(key)?.value),
    put: (key, value, ttlSeconds) =>
      Effect.sync(() => {
        entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
      })
  };
};

export const makeInMemoryTraceStore = (): TraceStoreShape => {
  const headers = new Map<string, TraceHeader>();
  const events = new Map<string, Array<TraceEvent>>();
  const reports = new Map<string, Array<InvestigationReport>>();
  return {
    open: (header) =>
      Effect.sync(() => {
        if (!headers.has(header.investigationId)) headers.set(header.investigationId, header);
      }),
    append: (event) =>
      Effect.sync(() => {
        const list = events.get(event.investigationId) ?? [];
        list.push(event);
        events.set(event.investigationId, list);
      }),
    putReport: (report) =>
      Effect.sync(() => {
        const list = reports.get(report.investigationId) ?? [];
        list.push(report);
        reports.set(report.investigationId, list);
      }),
    get: (id) =>
      Effect.sync(() => {
        const header = headers.get(id);
        if (header === undefined) return Option.none();
        return Option.some({ ...header, events: events.get(id) ?? [], reports: reports.get(id) ?? [] });
      }),
    findByThread: (channelId, threadId) =>
      Effect.sync(() =>
        [...headers.values()]
          .filter((h) => h.channelId === channelId && h.threadId === threadId)
          .sort((a, b) => a.startedAt - b.startedAt)
          .map((h) => h.investigationId)
      )
  };
};

export const makeInMemoryIncidentMemory = (): IncidentMemoryShape => {
  const records = new Map<string, IncidentRecord>();
  return {
    remember: (record) =>
      Effect.sync(() => {
        records.set(record.investigationId, record);
      }),
    get: (id) => Effect.sync(() => Option.fromUndefinedOr(records.get(id))),
    similar: (query, limit) => Effect.sync(() => rankSimilarIncidents(query, [...records.values()], limit)),
    resolve: (id, outcome) =>
      Effect.sync(() => {
        const r = records.get(id);
        if (r === undefined) return false;
        records.set(id, { ...r, outcome });
        return true;
      }),
    count: () => Effect.sync(() => records.size)
  };
};

export const makeStaticSecrets = (secrets: Readonly<Record<string, string>>): SecretResolverShape => ({
  resolve: (name) =>
    Object.hasOwn(secrets, name)
      ? Effect.succeed(Redacted.make(secrets[name]!))
      : Effect.fail(new SecretError({ name, reason: "no such secret is configured" }))
});

/** Telemetry that keeps every log line in memory. */
export const makeCapturingTelemetry = (): { readonly telemetry: TelemetryShape; readonly records: () => ReadonlyArray<Readonly<Record<string, unknown>>> } => {
  const lines: Array<Readonly<Record<string, unknown>>> = [];
  return {
    telemetry: {
      log: (level, message, fields) =>
        Effect.sync(() => {
          lines.push({ ...fields, level, msg: message });
        }),
      span: (_name, _attributes, effect) => effect
    },
    records: () => lines
  };
};
