import { type ToolContext, ToolError, type ToolFinding, type ToolOutput, redactDeep, redactSecrets } from "@sre-on-call/core";
import { Duration, Effect, Option } from "effect";

/** Most characters of text a tool hands the model (its context is shared with every other tool answer). */
export const MAX_TOOL_TEXT = 4_000;
export const TRUNCATED = "(truncated)";

/** `text` cut to `max` characters, ending with `(truncated)` when anything was dropped. */
export const capText = (text: string, max: number = MAX_TOOL_TEXT): string => {
  if (text.length <= max) return text;
  const keep = Math.max(0, max - TRUNCATED.length - 1);
  return `${text.slice(0, keep)}\n${TRUNCATED}`;
};

export interface GuardOptions {
  readonly maxChars?: number;
}

/**
 * Runs a tool's query under the call's deadline and hands back a safe answer: secrets redacted
 * (the text goes to a model), text capped, a deadline miss a `timeout` ToolError and a defect a
 * `failed` one, so a tool never throws and never outlives its call.
 */
export const guardTool = (tool: string, context: ToolContext, body: Effect.Effect<ToolOutput, ToolError>, options: GuardOptions = {}): Effect.Effect<ToolOutput, ToolError> =>
  Effect.suspend(() => {
    // The deadline is wall-clock time, whatever clock the tool evaluates its queries against.
    const remaining = context.deadline - Date.now();
    const timeout = () => new ToolError({ tool, reason: "timeout", detail: "no answer before the deadline" });
    if (remaining <= 0) return Effect.fail(timeout());
    return body.pipe(
      Effect.timeoutOption(Duration.millis(remaining)),
      Effect.flatMap((answer) => (Option.isSome(answer) ? Effect.succeed(answer.value) : Effect.fail(timeout()))),
      Effect.map((output): ToolOutput => {
        const findings: ReadonlyArray<ToolFinding> | undefined = output.findings === undefined ? undefined : redactDeep(output.findings);
        return { text: capText(redactSecrets(output.text), options.maxChars), ...(findings !== undefined && findings.length > 0 ? { findings } : {}) };
      }),
      Effect.catchDefect((defect) => Effect.fail(new ToolError({ tool, reason: "failed", detail: redactSecrets(defect instanceof Error ? defect.message : String(defect)).slice(0, 300) })))
    );
  });

/** A line clipped for a tool answer; redacted first, because a cut through a secret leaves a prefix no pattern recognises. */
export const clipLine = (line: string, max = 300): string => {
  const t = redactSecrets(line).trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
