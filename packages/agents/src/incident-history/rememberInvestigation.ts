import type { IncidentMemoryShape, IncidentOutcome, IncidentRecord, InvestigationReport, MemoryError } from "@sre-on-call/core";
import { Effect, Option } from "effect";
import { INCIDENT_HISTORY_ID } from "./IncidentHistorySpecialist.js";

/** What the report itself does not carry. */
export interface RememberContext {
  /** The alert's text as it arrived; without it the record is compared on the report's title and services. */
  readonly alertText?: string;
  /** A link to the thread the investigation was posted in. */
  readonly threadLink?: string;
}

/**
 * The incident record for a finished investigation. The top hypothesis is the best one not
 * proposed by the incident-history specialist itself, so "same as last time" never echoes
 * into the memory as if it were a new finding.
 */
export const incidentRecordFromReport = (report: InvestigationReport, outcome?: IncidentOutcome, context: RememberContext = {}): IncidentRecord => {
  const top = report.hypotheses.find((h) => h.proposedBy !== INCIDENT_HISTORY_ID);
  const alertText =
    context.alertText !== undefined && context.alertText.trim() !== ""
      ? context.alertText
      : [report.title, ...report.affectedServices].join("\n");
  return {
    investigationId: report.investigationId,
    recordedAt: report.detectedAt,
    title: report.title,
    alertText,
    entities: report.entities,
    severity: report.severity,
    channelId: report.channelId,
    threadId: report.messageId,
    ...(context.threadLink !== undefined && context.threadLink !== "" ? { threadLink: context.threadLink } : {}),
    ...(top !== undefined ? { topHypothesis: { title: top.title, confidence: top.confidence } } : {}),
    ...(outcome !== undefined ? { outcome } : {})
  };
};

/**
 * Remembers a finished investigation (called by the composition root after every report). A
 * later report for the same investigation replaces the record but keeps an outcome already
 * recorded by `/postmortem`, and keeps the alert text and thread link when this call lacks them.
 */
export const rememberInvestigation = (
  memory: IncidentMemoryShape,
  report: InvestigationReport,
  outcome?: IncidentOutcome,
  context: RememberContext = {}
): Effect.Effect<IncidentRecord, MemoryError> =>
  Effect.gen(function* () {
    const existing = Option.getOrUndefined(yield* memory.get(report.investigationId));
    const alertText = context.alertText ?? existing?.alertText;
    const threadLink = context.threadLink ?? existing?.threadLink;
    const record = incidentRecordFromReport(report, outcome ?? existing?.outcome, {
      ...(alertText !== undefined ? { alertText } : {}),
      ...(threadLink !== undefined ? { threadLink } : {})
    });
    yield* memory.remember(record);
    return record;
  });
