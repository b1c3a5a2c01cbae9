import { Effect, Option } from "effect";
import type { IncidentMemoryShape, IncidentRecord } from "../ports/IncidentMemory.js";
import { redactDeep } from "./redactSecrets.js";
import type { DeepRedact } from "./redactingTraceStore.js";

const builtin: DeepRedact = (value) => redactDeep(value);

/** A record with every string redacted but its keys (ids we or the chat platform assigned). */
const redactRecord = (record: IncidentRecord, redact: DeepRedact): IncidentRecord => ({
  ...redact(record),
  investigationId: record.investigationId,
  channelId: record.channelId,
  threadId: record.threadId
});

/**
 * Incident memory that redacts before anything is stored: the alert text, title, hypothesis and
 * a root cause or notes typed by a human in `/postmortem`. Records read back are redacted again
 * (records stored before, or with fewer `redaction.patterns`), and so is the text a similarity
 * query compares, which must look like what is stored.
 */
export const redactingIncidentMemory = (memory: IncidentMemoryShape, redact: DeepRedact = builtin): IncidentMemoryShape => ({
  remember: (record) => Effect.suspend(() => memory.remember(redactRecord(record, redact))),
  get: (investigationId) => memory.get(investigationId).pipe(Effect.map(Option.map((r) => redactRecord(r, redact)))),
  similar: (query, limit) =>
    Effect.suspend(() => memory.similar({ ...query, text: redact(query.text) }, limit)).pipe(
      Effect.map((found) => found.map((s) => ({ ...s, record: redactRecord(s.record, redact) })))
    ),
  resolve: (investigationId, outcome) => Effect.suspend(() => memory.resolve(investigationId, redact(outcome))),
  count: () => memory.count()
});
