import { type AgentTool, formatUtc, type IncidentMemoryShape, type MemoryError, schemaTool, ToolError, type ToolFinding } from "@sre-on-call/core";
import { Effect, Schema } from "effect";
import { clipLine, guardTool } from "../../skills/guardTool.js";
import type { IncidentHistorySpecialistOptions } from "../IncidentHistorySpecialist.js";

export interface IncidentHistoryToolsOptions {
  /** Lowest similarity reported (default 0.2: the model decides what is relevant, but noise is left out). */
  readonly minScore?: number;
  /** Similarity from which a remembered, confirmed root cause is kept as a finding (default 0.7). */
  readonly strongScore?: number;
  /** Largest answer text (default 4,000 characters). */
  readonly maxChars?: number;
}

export const INCIDENT_HISTORY_TOOL_NAMES = ["similar_incidents"] as const;

const Text = Schema.String.pipe(Schema.check(Schema.isMinLength(3), Schema.isMaxLength(2_000)));
const Limit = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 10 })));

const pct = (score: number) => `${Math.round(score * 100)}%`;

/**
 * The incident-history specialist's tool: past incidents similar to a description, with their
 * confirmed or suspected cause and thread, ranked by the incident memory (TF-IDF over titles,
 * alert texts and the alert's entities).
 */
export const incidentHistoryTools = (memory: IncidentMemoryShape, options: IncidentHistoryToolsOptions = {}): ReadonlyArray<AgentTool> => {
  const minScore = options.minScore ?? 0.2;
  const strong = Math.max(minScore, options.strongScore ?? 0.7);
  const similarIncidents = schemaTool({
    name: "similar_incidents",
    description: "Past incidents similar to a text (an alert, a symptom, an error line), most similar first, with their cause and thread link.",
    args: Schema.Struct({ text: Text, limit: Schema.optionalKey(Limit) }),
    run: (args, context) =>
      guardTool(
        "similar_incidents",
        context,
        Effect.gen(function* () {
          const limit = args.limit ?? 5;
          const found = yield* memory
            .similar({ text: args.text, entities: context.alert.entities, excludeId: context.alert.investigationId }, limit)
            .pipe(Effect.mapError((e: MemoryError) => new ToolError({ tool: "similar_incidents", reason: "unavailable", detail: e.message })));
          const kept = found.filter((s) => s.score >= minScore).slice(0, limit);
          if (kept.length === 0) return { text: `No remembered incident is similar to that text (${found.length} below ${pct(minScore)} similarity).` };
          const findings: Array<ToolFinding> = [];
          const lines = kept.map(({ record: r, score }) => {
            const root = r.outcome?.rootCause?.trim();
            const cause = root !== undefined && root !== "" ? `confirmed cause: ${clipLine(root, 200)}` : r.topHypothesis !== undefined ? `suspected (not confirmed): ${clipLine(r.topHypothesis.title, 200)} (${r.topHypothesis.confidence})` : "no cause recorded";
            if (root !== undefined && root !== "" && score >= strong)
              findings.push({
                source: "incident-memory",
                timestamp: r.recordedAt,
                content: `A ${pct(score)} similar incident on ${formatUtc(r.recordedAt).slice(0, 10)} ("${clipLine(r.title, 120)}") had the confirmed cause: ${clipLine(root, 200)}`,
                severity: "info",
                metadata: { investigationId: r.investigationId, score, ...(r.threadLink !== undefined ? { threadLink: r.threadLink } : {}) },
                ...(r.threadLink !== undefined ? { deepLink: r.threadLink } : {})
              });
            return `${pct(score)} ${formatUtc(r.recordedAt)} [${r.severity}] ${clipLine(r.title, 160)}; ${cause}${r.outcome !== undefined ? `; resolved ${formatUtc(r.outcome.resolvedAt)}` : "; not marked resolved"}${r.threadLink !== undefined ? ` <${r.threadLink}>` : ""}`;
          });
          return { text: [`${kept.length} similar incident${kept.length === 1 ? "" : "s"}, most similar first:`, ...lines].join("\n"), findings };
        }),
        options.maxChars !== undefined ? { maxChars: options.maxChars } : {}
      )
  });
  return [similarIncidents];
};

/** The tools from the same options `makeIncidentHistorySpecialist` takes. */
export const makeIncidentHistoryTools = (options: Pick<IncidentHistorySpecialistOptions, "memory">, toolOptions: IncidentHistoryToolsOptions = {}): ReadonlyArray<AgentTool> =>
  incidentHistoryTools(options.memory, toolOptions);
