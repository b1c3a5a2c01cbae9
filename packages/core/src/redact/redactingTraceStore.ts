import { Effect, Option } from "effect";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import type { Trace, TraceEvent, TraceStoreShape } from "../ports/TraceStore.js";
import { redactDeep } from "./redactSecrets.js";

/** Every string inside a value redacted (a `Redactor`'s `redactDeep`, with the configured patterns). */
export type DeepRedact = <A>(value: A) => A;

const builtin: DeepRedact = (value) => redactDeep(value);

/**
 * A report with every string redacted but the keys the archive finds it by: the investigation,
 * channel and message ids are ours or the chat platform's, never payload text, and a redacted key
 * would no longer match the trace it belongs to.
 */
const redactReport = (report: InvestigationReport, redact: DeepRedact): InvestigationReport => ({
  ...redact(report),
  investigationId: report.investigationId,
  channelId: report.channelId,
  messageId: report.messageId
});

const redactEvent = (event: TraceEvent, redact: DeepRedact): TraceEvent => ({ ...event, data: redact(event.data) });

/**
 * A trace store that redacts before anything is stored: event data (alert text, agents' summaries
 * and errors) and every text of a report. Reads are redacted again, so a trace archived before
 * redaction reached the store, or with fewer `redaction.patterns`, never prints a secret either
 * (`trace show`, `/postmortem`). Redaction is idempotent, so a store wrapped twice stores the same.
 */
export const redactingTraceStore = (store: TraceStoreShape, redact: DeepRedact = builtin): TraceStoreShape => ({
  open: (header) => store.open(header),
  append: (event) => Effect.suspend(() => store.append(redactEvent(event, redact))),
  putReport: (report) => Effect.suspend(() => store.putReport(redactReport(report, redact))),
  get: (investigationId) =>
    store.get(investigationId).pipe(
      Effect.map(
        Option.map(
          (trace): Trace => ({
            ...trace,
            events: trace.events.map((e) => redactEvent(e, redact)),
            reports: trace.reports.map((r) => redactReport(r, redact))
          })
        )
      )
    ),
  findByThread: (channelId, threadId) => store.findByThread(channelId, threadId)
});
