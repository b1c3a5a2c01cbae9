import { Effect } from "effect";
import { type ModelPortShape, responseText } from "../ports/ModelPort.js";
import type { Tier2Answer, Tier2Classifier } from "./gate.js";

const SYSTEM = `You triage messages that mention an on-call bot in an operations chat channel.
Decide whether the message reports or forwards a problem that an on-call engineer should investigate now
("investigate"), or is conversation that needs no investigation ("suppress"): greetings, thanks, jokes,
questions about the bot, tests, and reports that a past problem is already fixed.
When unsure, answer "investigate": missing a real page is far worse than one extra investigation.
Answer only with the JSON object {"decision": "investigate" | "suppress", "reason": "<one short sentence>"}.`;

const SCHEMA = {
  type: "object",
  properties: {
    decision: { type: "string", enum: ["investigate", "suppress"] },
    reason: { type: "string", maxLength: 300 }
  },
  required: ["decision", "reason"],
  additionalProperties: false
} as const;

const MAX_CHARS = 4000;

const readAnswer = (value: unknown): Tier2Answer | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const decision = record["decision"];
  const reason = typeof record["reason"] === "string" ? record["reason"].slice(0, 300) : "";
  if (decision !== "investigate" && decision !== "suppress") return undefined;
  return { decision, reason: `model: ${reason || decision}` };
};

const parseJsonObject = (text: string): unknown => {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start === -1 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
};

/**
 * Tier 2 backed by a `ModelPort`: one structured call per undecided message (call site
 * `classifier`). An answer that is not a clear decision is an error, so the gate fails open.
 */
export const modelTier2 = (model: ModelPortShape, options: { readonly modelId?: string } = {}): Tier2Classifier => ({ text }) =>
  model
    .converse({
      callSite: "classifier",
      ...(options.modelId !== undefined ? { modelId: options.modelId } : {}),
      system: SYSTEM,
      messages: [{ role: "user", content: [{ type: "text", text: text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text }] }],
      responseSchema: { name: "triage", schema: SCHEMA },
      maxTokens: 120,
      temperature: 0
    })
    .pipe(
      Effect.flatMap((response) => {
        const answer = readAnswer(response.structured) ?? readAnswer(parseJsonObject(responseText(response)));
        return answer === undefined ? Effect.fail(new Error("the model's answer was not a decision")) : Effect.succeed(answer);
      })
    );
