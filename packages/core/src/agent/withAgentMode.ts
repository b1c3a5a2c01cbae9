import { Cause, Duration, Effect, Exit, Option, Result } from "effect";
import { AgentFailure, type AgentResult } from "../model/AgentResult.js";
import type { AlertContext } from "../model/AlertContext.js";
import { decodeUnknown } from "../model/decode.js";
import { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { ContentBlock, ConverseRequest, ConverseResponse, ModelMessage, ModelPortShape, ToolSpec } from "../ports/ModelPort.js";
import { responseText } from "../ports/ModelPort.js";
import type { Specialist, SpecialistCall } from "../ports/Specialist.js";
import { costOf } from "../pricing/costOf.js";
import type { PriceTable } from "../pricing/PriceTable.js";
import { type RedactOptions, redactSecrets } from "../redact/redactSecrets.js";
import { decodeFinalAnswer, validateModelHypotheses } from "./agentAnswer.js";
import {
  type AgentSkill,
  agentInvestigationPrompt,
  agentSystemPrompt,
  dataBlock,
  type DeterministicOutcome,
  FINAL_ANSWER_JSON_SCHEMA,
  finalAnswerRequest
} from "./agentPrompt.js";
import { type AgentTool, TOOL_NAME, type ToolError, type ToolOutput } from "./AgentTool.js";

/*
 * Agent mode: a deterministic specialist whose tools are also offered to a model.
 *
 * Guarantees, whatever the model does:
 * - the deterministic run comes first and its findings and hypotheses are in the result verbatim
 *   (a model error, timeout or nonsense answer only costs the model's additions);
 * - only the tools given here can run; a call to any other name is answered with an error and
 *   nothing runs; every tool call is bounded by the time left;
 * - no model pass starts after `deadline − reserve`, and the final answer is cut off before the deadline;
 * - model hypotheses must cite existing findings and have their confidence capped by them;
 * - the wrapper holds no chat, store or network handle of its own: the only effects a model can
 *   cause are the offered (read-only) tools. Nothing it says is posted except through the
 *   result, which the orchestrator renders like any other.
 */

export interface AgentModeOptions {
  readonly specialist: Specialist;
  /** The tools offered to the model: the specialist's deterministic queries and any MCP tools. */
  readonly tools: ReadonlyArray<AgentTool>;
  readonly model: ModelPortShape;
  /** Passed on every request; the adapter's default model when unset. */
  readonly modelId?: string;
  /** Instructions per tool (or general), joined into the system prompt. */
  readonly skills?: ReadonlyArray<AgentSkill>;
  /** Model passes that may call tools (config `max_tool_cycles`). Default 4. */
  readonly maxToolCycles?: number;
  /** Tool calls run per pass; further calls in the same pass are answered with an error. Default 5. */
  readonly maxToolsPerPass?: number;
  /** The agent's own time limit (config `deadline_seconds`): it answers by `min(call deadline, start + budgetMs)`. */
  readonly budgetMs?: number;
  /** Time kept before the deadline for the final answer. Default 20% of the budget, within 1–10 s. */
  readonly reserveMs?: number;
  /** Share of the budget the deterministic run is told it has (its deadline). Default 0.5. */
  readonly deterministicShare?: number;
  /** Characters of a tool's output the model reads. Default 8000. */
  readonly maxToolOutputChars?: number;
  /** `maxTokens` of each model call. Default 2048. */
  readonly maxTokens?: number;
  readonly priceTable?: PriceTable;
  readonly redact?: RedactOptions;
}

export const DEFAULT_MAX_TOOL_CYCLES = 4;
export const DEFAULT_MAX_TOOLS_PER_PASS = 5;
const MAX_FINDINGS_PER_TOOL_CALL = 20;
const MAX_TOOL_CALL_RECORDS = 100;

/** The reserve for a budget: the option when given, else 20% of the budget within 1–10 s; never more than the budget. */
export const agentReserveMs = (budgetMs: number, reserveMs?: number): number => {
  const wanted = reserveMs ?? Math.min(10_000, Math.max(1_000, budgetMs * 0.2));
  return Math.max(0, Math.min(budgetMs, wanted));
};

export interface ToolCallRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

export type AgentStop = "end_turn" | "max_tool_cycles" | "deadline" | "model_error" | "no_model_pass";

const decodeFinding = decodeUnknown(Finding, "tool finding");
const currentTime = Effect.clockWith((c) => c.currentTimeMillis);
const within = <A, E>(ms: number, effect: Effect.Effect<A, E>): Effect.Effect<Option.Option<A>, E> =>
  ms <= 0 ? Effect.succeed(Option.none()) : effect.pipe(Effect.timeoutOption(Duration.millis(ms)));

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}\n… [truncated ${text.length - max} characters]`);

/** Wraps a deterministic specialist so that, given a model, it investigates with its tools too. */
export const withAgentMode = (options: AgentModeOptions): Specialist => {
  const { specialist, model } = options;
  const agentId = specialist.id;
  const names = new Set<string>();
  for (const t of options.tools) {
    if (!TOOL_NAME.test(t.name)) throw new Error(`agent ${agentId}: tool name ${JSON.stringify(t.name)} must match ${String(TOOL_NAME)}`);
    if (names.has(t.name)) throw new Error(`agent ${agentId}: two tools are named ${t.name}; tool names must be unique within an agent`);
    names.add(t.name);
  }
  const tools = new Map(options.tools.map((t) => [t.name, t] as const));
  const specs: ReadonlyArray<ToolSpec> = options.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
  const maxToolCycles = Math.max(0, Math.floor(options.maxToolCycles ?? DEFAULT_MAX_TOOL_CYCLES));
  const maxToolsPerPass = Math.max(1, Math.floor(options.maxToolsPerPass ?? DEFAULT_MAX_TOOLS_PER_PASS));
  const share = Math.min(1, Math.max(0, options.deterministicShare ?? 0.5));
  const maxOutput = options.maxToolOutputChars ?? 8_000;
  const redact = options.redact ?? {};
  const system = agentSystemPrompt({ agentId, description: specialist.description, toolNames: [...names], skills: options.skills ?? [], maxToolCycles });
  let answerName = "final_answer";
  while (names.has(answerName)) answerName = `${answerName}_`;

  const request = (messages: ReadonlyArray<ModelMessage>, extra: Partial<ConverseRequest>): ConverseRequest => ({
    callSite: agentId,
    ...(options.modelId !== undefined ? { modelId: options.modelId } : {}),
    system,
    // A copy: the conversation goes on growing after the request is made.
    messages: [...messages],
    maxTokens: options.maxTokens ?? 2_048,
    temperature: 0,
    ...(specs.length > 0 ? { tools: specs } : {}),
    ...extra
  });

  const investigate = (alert: AlertContext, call: SpecialistCall): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.gen(function* () {
      const start = yield* currentTime;
      const deadline = options.budgetMs !== undefined && Number.isFinite(options.budgetMs) ? Math.min(call.deadline, start + Math.max(0, options.budgetMs)) : call.deadline;
      const budget = Math.max(0, deadline - start);
      const reserve = agentReserveMs(budget, options.reserveMs);
      const stopAt = deadline - reserve;
      // The final answer must be in before the orchestrator cuts the agent off at the deadline.
      const answerBy = deadline - Math.min(500, reserve / 5);

      // 1. The deterministic floor. It is told it has `share` of the budget but is only cut off
      // at `stopAt`: a slow deterministic result is worth more than a model pass.
      const detDeadline = start + Math.floor(budget * share);
      const detExit = yield* Effect.exit(within(stopAt - start, Effect.suspend(() => specialist.investigate(alert, { deadline: detDeadline }))));
      const det: DeterministicOutcome = Exit.isSuccess(detExit)
        ? Option.isSome(detExit.value)
          ? { kind: "result", result: detExit.value.value }
          : { kind: "failed", reason: "the deterministic analysis did not answer in time" }
        : { kind: "failed", reason: describeCause(detExit.cause) };
      const detFailure: AgentFailure | undefined = Exit.isFailure(detExit)
        ? Option.getOrElse(Cause.findErrorOption(detExit.cause), () => new AgentFailure({ agent: agentId, kind: "crashed", reason: describeCause(detExit.cause) }))
        : Option.isNone(detExit.value)
          ? new AgentFailure({ agent: agentId, kind: "timeout", reason: "the deterministic analysis did not answer in time" })
          : undefined;

      // 2. The model loop. State lives here so that whatever fails later, what was found stays.
      const toolFindings: Array<Finding> = [];
      const toolCalls: Array<ToolCallRecord> = [];
      const usage = { inputTokens: 0, outputTokens: 0, calls: 0 };
      let modelId = options.modelId;
      let passes = 0;
      let stoppedBy: AgentStop = "no_model_pass";
      let note: string | undefined;
      const messages: Array<ModelMessage> = [{ role: "user", content: [{ type: "text", text: agentInvestigationPrompt(alert, det, redact) }] }];

      const converse = (req: ConverseRequest, until: number) =>
        Effect.gen(function* () {
          const now = yield* currentTime;
          const response = yield* within(until - now, Effect.suspend(() => model.converse(req)));
          if (Option.isSome(response)) {
            usage.calls++;
            usage.inputTokens += response.value.usage.inputTokens;
            usage.outputTokens += response.value.usage.outputTokens;
            modelId = response.value.modelId;
          }
          return response;
        });

      const runTool = (block: Extract<ContentBlock, { type: "toolUse" }>, index: number): Effect.Effect<ContentBlock> =>
        Effect.gen(function* () {
          const errorResult = (text: string): ContentBlock => ({ type: "toolResult", toolUseId: block.id, content: text, isError: true });
          const tool = tools.get(block.name);
          if (tool === undefined) {
            toolCalls.push({ name: block.name.slice(0, 64), ok: false, error: "unknown tool", ms: 0 });
            return errorResult(`unknown tool ${JSON.stringify(block.name.slice(0, 64))}: it was not run. The only tools are: ${[...names].join(", ") || "none"}.`);
          }
          if (index >= maxToolsPerPass) {
            toolCalls.push({ name: tool.name, ok: false, error: "over the per-pass limit", ms: 0 });
            return errorResult(`not run: at most ${maxToolsPerPass} tool calls per round.`);
          }
          const t0 = yield* currentTime;
          const exit = yield* Effect.exit(within(stopAt - t0, Effect.suspend(() => tool.run(block.input, { alert, deadline: stopAt }))));
          const ms = (yield* currentTime) - t0;
          if (Exit.isSuccess(exit) && Option.isSome(exit.value)) {
            const output: ToolOutput = exit.value.value;
            const ids = addToolFindings(output, toolFindings, agentId);
            toolCalls.push({ name: tool.name, ok: true, ms });
            const cited = ids.length > 0 ? `\nFindings recorded from this result (cite them by id): ${ids.join(", ")}` : "";
            return { type: "toolResult", toolUseId: block.id, content: `${dataBlock(`tool ${tool.name}`, clip(redactSecrets(output.text, redact), maxOutput), redact)}${cited}` };
          }
          const error = Exit.isSuccess(exit) ? "timeout: no answer before the agent's deadline" : describeToolCause(exit.cause);
          // Redacted before the cut: a cut through a secret leaves a prefix no pattern recognises.
          const redacted = redactSecrets(error, redact);
          toolCalls.push({ name: tool.name, ok: false, error: redacted.slice(0, 200), ms });
          return errorResult(dataBlock(`tool ${tool.name} error`, redacted.slice(0, 1_000), redact));
        });

      const loop = Effect.gen(function* () {
        while (passes < maxToolCycles) {
          if ((yield* currentTime) >= stopAt) {
            stoppedBy = "deadline";
            return;
          }
          const response: Option.Option<ConverseResponse> = yield* converse(request(messages, { toolChoice: "auto" }), stopAt);
          if (Option.isNone(response)) {
            stoppedBy = "deadline";
            return;
          }
          passes++;
          const content = response.value.content;
          // Providers reject an empty assistant turn in the history of the next request.
          messages.push({ role: "assistant", content: content.length > 0 ? content : [{ type: "text", text: "(no answer)" }] });
          const uses = content.filter((b): b is Extract<ContentBlock, { type: "toolUse" }> => b.type === "toolUse");
          if (uses.length === 0) {
            stoppedBy = "end_turn";
            return;
          }
          let known = 0;
          const results = yield* Effect.forEach(
            uses.map((u) => ({ u, index: tools.has(u.name) ? known++ : -1 })),
            ({ u, index }) => runTool(u, Math.max(index, 0)),
            { concurrency: 4 }
          );
          messages.push({ role: "user", content: results });
        }
        stoppedBy = "max_tool_cycles";
      });

      const loopExit = yield* Effect.exit(loop);
      if (Exit.isFailure(loopExit)) {
        stoppedBy = "model_error";
        note = `model unavailable, deterministic result only: ${describeCause(loopExit.cause)}`;
      }

      // 3. The final, structured answer.
      const knownFindings: Array<Finding> = [...(det.kind === "result" ? det.result.findings : []), ...toolFindings];
      let modelHypotheses: ReadonlyArray<Hypothesis> = [];
      let modelSummary: string | undefined;
      let dropped: ReadonlyArray<string> = [];
      if (note === undefined && knownFindings.length > 0) {
        const ask: ContentBlock = { type: "text", text: finalAnswerRequest(knownFindings.map((f) => f.id)) };
        const last = messages[messages.length - 1];
        if (last !== undefined && last.role === "user") messages[messages.length - 1] = { role: "user", content: [...last.content, ask] };
        else messages.push({ role: "user", content: [ask] });
        const finalExit = yield* Effect.exit(
          converse(request(messages, { toolChoice: "none", responseSchema: { name: answerName, schema: FINAL_ANSWER_JSON_SCHEMA } }), answerBy)
        );
        if (Exit.isFailure(finalExit)) note = `model unavailable for the final answer: ${describeCause(finalExit.cause)}`;
        else if (Option.isNone(finalExit.value)) note = "no final answer before the deadline";
        else {
          const decoded = decodeFinalAnswer(finalExit.value.value.structured, responseText(finalExit.value.value));
          if (Result.isFailure(decoded)) note = `the final answer was unusable: ${decoded.failure}`;
          else {
            const validated = validateModelHypotheses(decoded.success.hypotheses, {
              agentId,
              findings: knownFindings,
              existing: det.kind === "result" ? det.result.hypotheses : [],
              redact
            });
            modelHypotheses = validated.hypotheses;
            dropped = [...decoded.success.rejected, ...validated.dropped];
            const s = decoded.success.summary?.trim();
            if (s !== undefined && s !== "") modelSummary = clip(redactSecrets(s, redact), 1_000);
          }
        }
      } else if (note === undefined) note = "no findings to cite, so no model hypotheses";

      // 4. Deterministic result ∪ what agent mode added.
      const end = yield* currentTime;
      if (det.kind === "failed" && toolFindings.length === 0 && modelHypotheses.length === 0 && detFailure !== undefined) {
        return yield* Effect.fail(new AgentFailure({ agent: agentId, kind: detFailure.kind, reason: `${detFailure.reason}; agent mode found nothing either${note !== undefined ? ` (${note})` : ""}` }));
      }
      const cost = modelId !== undefined ? costOf(modelId, usage.inputTokens, usage.outputTokens, options.priceTable) : ({ usd: 0, priced: false, reason: "no model call answered" } as const);
      const base = det.kind === "result" ? det.result : undefined;
      const agentMode = {
        passes,
        stoppedBy,
        toolCalls: toolCalls.slice(0, MAX_TOOL_CALL_RECORDS),
        ...(toolCalls.length > MAX_TOOL_CALL_RECORDS ? { toolCallsOmitted: toolCalls.length - MAX_TOOL_CALL_RECORDS } : {}),
        ...(note !== undefined ? { note } : {}),
        ...(dropped.length > 0 ? { dropped } : {}),
        ...(det.kind === "failed" ? { deterministicFailed: det.reason } : {}),
        ...(!cost.priced && usage.calls > 0 ? { unpriced: cost.reason } : {})
      };
      const summaryParts = [
        base !== undefined ? base.summary : `Deterministic analysis failed (${det.kind === "failed" ? det.reason : ""}); ${toolFindings.length} ${toolFindings.length === 1 ? "finding" : "findings"} from tools.`,
        ...(modelSummary !== undefined ? [`Agent: ${modelSummary}`] : []),
        ...(note !== undefined ? [`(agent mode: ${note})`] : [])
      ];
      return {
        agent: agentId,
        status: base?.status ?? "success",
        findings: [...(base?.findings ?? []), ...toolFindings],
        hypotheses: [...(base?.hypotheses ?? []), ...modelHypotheses],
        summary: summaryParts.join(" "),
        ...(base?.error !== undefined ? { error: base.error } : {}),
        durationMs: Math.max(0, end - start),
        metadata: {
          ...(modelId !== undefined ? { modelId } : base?.metadata.modelId !== undefined ? { modelId: base.metadata.modelId } : {}),
          startedAt: start,
          endedAt: end,
          inputTokens: (base?.metadata.inputTokens ?? 0) + usage.inputTokens,
          outputTokens: (base?.metadata.outputTokens ?? 0) + usage.outputTokens,
          costUsd: (base?.metadata.costUsd ?? 0) + cost.usd,
          modelCalls: (base?.metadata.modelCalls ?? 0) + usage.calls,
          extra: { ...base?.metadata.extra, agentMode }
        }
      } satisfies AgentResult;
    });

  return {
    id: agentId,
    description: specialist.description,
    ...(specialist.skipReason !== undefined ? { skipReason: specialist.skipReason } : {}),
    investigate,
    snapshot: (call) => specialist.snapshot(call)
  };
};

/** Adds a tool output's findings (validated, ids `<agent>:t<n>`) and returns their ids. */
const addToolFindings = (output: ToolOutput, into: Array<Finding>, agentId: string): ReadonlyArray<string> => {
  const ids: Array<string> = [];
  for (const tf of (output.findings ?? []).slice(0, MAX_FINDINGS_PER_TOOL_CALL)) {
    const id = `${agentId}:t${into.length + 1}`;
    const decoded = decodeFinding({ ...tf, id, agent: agentId });
    if (Result.isSuccess(decoded)) {
      into.push(decoded.success);
      ids.push(id);
    }
  }
  return ids;
};

const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.findErrorOption(cause);
  if (Option.isSome(error)) return errorText(error.value);
  return Cause.hasInterruptsOnly(cause) ? "interrupted" : `crashed: ${errorText(Cause.squash(cause))}`;
};

const describeToolCause = (cause: Cause.Cause<ToolError>): string => {
  const error = Cause.findErrorOption(cause);
  return Option.isSome(error) ? error.value.message : `failed: the tool crashed (${errorText(Cause.squash(cause)).slice(0, 200)})`;
};

// Error texts end up in metadata and summaries: redacted (then cut), in case a provider echoed a credential.
const errorText = (e: unknown): string => redactSecrets(e instanceof Error ? e.message : typeof e === "string" ? e : "unknown error").slice(0, 500);
