import { Effect } from "effect";
import { ModelError, type ConverseRequest, type ConverseResponse, type ModelPortShape } from "../../ports/ModelPort.js";
import { retryTransient } from "../../util/retryTransient.js";
import type { ScriptedTurn } from "../modelPortContract.js";

export interface ScriptStep {
  /** What this step expects; a request that does not match is recorded as unexpected. */
  readonly expect?: (request: ConverseRequest) => boolean;
  readonly description?: string;
  readonly reply: ScriptedTurn | { readonly fail: ModelError };
}

export interface ScriptedModel {
  readonly model: ModelPortShape;
  readonly script: (turns: ReadonlyArray<ScriptedTurn>) => void;
  readonly steps: (steps: ReadonlyArray<ScriptStep>) => void;
  readonly failNext: (failure: "throttled" | "auth", count: number) => void;
  readonly received: () => ReadonlyArray<ConverseRequest>;
  /** Throws when a request was unexpected or scripted replies were never asked for. */
  readonly verify: () => void;
}

const tryParseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * A model that replays a conversation script. Any request it was not scripted for fails the
 * call with a non-retryable error and is remembered, so `verify()` fails the test.
 */
export const makeScriptedModel = (options: { readonly modelId?: string; readonly retryDelayMs?: number } = {}): ScriptedModel => {
  const modelId = options.modelId ?? "scripted-model";
  const queue: Array<ScriptStep> = [];
  const received: Array<ConverseRequest> = [];
  const unexpected: Array<string> = [];
  let failure: { kind: "throttled" | "auth"; count: number } | undefined;

  const attempt = (request: ConverseRequest) =>
    Effect.suspend((): Effect.Effect<ConverseResponse, ModelError> => {
      if (failure !== undefined && failure.count > 0) {
        failure.count--;
        return Effect.fail(
          failure.kind === "throttled"
            ? new ModelError({ provider: "scripted", reason: "throttled", detail: "rate exceeded", retryable: true })
            : new ModelError({ provider: "scripted", reason: "auth", detail: "invalid credentials", retryable: false })
        );
      }
      received.push(request);
      const step = queue.shift();
      if (step === undefined || (step.expect !== undefined && !step.expect(request))) {
        const why =
          step === undefined
            ? `unexpected model request from ${request.callSite}: the script is exhausted`
            : `request from ${request.callSite} did not match step "${step.description ?? "unnamed"}"`;
        unexpected.push(why);
        return Effect.fail(new ModelError({ provider: "scripted", reason: "invalid_request", detail: why, retryable: false }));
      }
      if ("fail" in step.reply) return Effect.fail(step.reply.fail);
      const turn = step.reply;
      const text = turn.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
      const structured = request.responseSchema !== undefined ? tryParseJson(text) : undefined;
      return Effect.succeed({
        modelId: request.modelId ?? modelId,
        content: turn.content,
        stopReason: turn.stopReason,
        usage: turn.usage,
        ...(structured !== undefined ? { structured } : {})
      });
    });

  return {
    model: {
      provider: "scripted",
      converse: (request) =>
        attempt(request).pipe(retryTransient({ retries: 3, baseDelay: `${options.retryDelayMs ?? 1} millis` })),
      embed: (request) =>
        Effect.succeed({
          modelId: request.modelId ?? modelId,
          vectors: request.texts.map((t) => hashVector(t)),
          usage: { inputTokens: request.texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0), outputTokens: 0 }
        })
    },
    script: (turns) => queue.push(...turns.map((reply) => ({ reply }))),
    steps: (steps) => queue.push(...steps),
    failNext: (kind, count) => {
      failure = { kind, count };
    },
    received: () => received,
    verify: () => {
      if (unexpected.length > 0) throw new Error(`scripted model: ${unexpected.join("; ")}`);
      if (queue.length > 0) throw new Error(`scripted model: ${queue.length} scripted replies were never requested`);
    }
  };
};

/** A deterministic bag-of-words embedding so similarity tests need no real model. */
const hashVector = (text: string): ReadonlyArray<number> => {
  const v = new Array<number>(64).fill(0);
  for (const w of text.toLowerCase().split(/\W+/)) {
    if (w === "") continue;
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % 64]! += 1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
};
