import {
  type AlertContext,
  ChatPlatform,
  type ChatPlatformShape,
  type InvestigationOutcome,
  type ModelPortShape,
  type PriceTable,
  type ProgressEvent,
  redactDeep,
  redactingTraceStore,
  renderReport,
  type OrchestratorOptions,
  type Synthesis,
  type SynthesisRequest,
  synthesizeDeterministic,
  synthesizeWithModel,
  runInvestigation,
  Specialists,
  type SpecialistsShape,
  Telemetry,
  type TelemetryShape,
  TraceStore,
  type TraceStoreShape
} from "@sre-on-call/core";
import type { Exit} from "effect";
import { Deferred, Duration, Effect, Fiber } from "effect";

/** How long a shutdown waits for the partial reports of stopped investigations before interrupting them. */
export const STOP_REPORT_MS = 5_000;

export interface InvestigationSettings {
  readonly reportAfterSeconds: number;
  readonly synthesisReserveSeconds: number;
  readonly hardCutoffSeconds: number;
}

/**
 * The models bare `--model bedrock` and `--model openai` mean: Claude Sonnet 4.5 through Bedrock's
 * global cross-region inference profile (on-demand Sonnet 4.5 needs an inference profile), and
 * OpenAI's small, cheap gpt-4o-mini.
 */
export const DEFAULT_SYNTHESIS_MODELS = {
  bedrock: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
  openai: "gpt-4o-mini"
} as const;

/**
 * OpenAI list prices (USD per 1M tokens, standard tier, from https://openai.com/api/pricing),
 * for the cost footer of `--model openai`; the core's table holds the Bedrock prices.
 */
export const OPENAI_PRICE_TABLE: PriceTable = {
  "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6, cacheReadPerMTok: 0.075 },
  "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 },
  "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6, cacheReadPerMTok: 0.1 },
  "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.5 }
};

/** The model used for the synthesis step, with what bounds it. */
export interface SynthesisModel {
  readonly model: ModelPortShape;
  /** Redacts secrets (builtin and configured patterns) before text reaches the model. */
  readonly redact?: (text: string) => string;
  /** Prices for the cost line; default the core's Bedrock table. */
  readonly priceTable?: PriceTable;
  /**
   * How long the call may take; default 80% of the synthesis reserve, so that on a timeout the
   * deterministic synthesis still makes it into the report the reserve was kept for.
   */
  readonly timeoutMs?: number;
}

/**
 * The synthesis step of an investigation: with a model, `synthesizeWithModel` (the deterministic
 * synthesis when the model fails or overruns); without one, the deterministic synthesis.
 */
export const synthesisStep = (
  synthesis: SynthesisModel | undefined,
  reserveSeconds: number
): ((request: SynthesisRequest) => Effect.Effect<Synthesis | undefined>) => {
  if (synthesis === undefined) return (request) => Effect.sync(() => synthesizeDeterministic(request));
  const timeoutMs = Math.max(1, Math.floor(synthesis.timeoutMs ?? reserveSeconds * 800));
  // The orchestrator synthesises every report it cuts; when nothing changed since the last one
  // (all agents answered before the initial report), the final report reuses that synthesis
  // instead of paying for the same call twice.
  let last: { readonly outcomes: SynthesisRequest["outcomes"]; readonly synthesis: Synthesis } | undefined;
  const unchanged = (a: SynthesisRequest["outcomes"], b: SynthesisRequest["outcomes"]) =>
    a.length === b.length && a.every((o, i) => o.agent === b[i]?.agent && o.state === b[i]?.state && o.result === b[i]?.result && o.error === b[i]?.error);
  return (request) => {
    if (last !== undefined && unchanged(last.outcomes, request.outcomes)) return Effect.succeed(last.synthesis);
    return synthesizeWithModel(synthesis.model, request, {
      timeout: Duration.millis(timeoutMs),
      ...(synthesis.redact !== undefined ? { redact: synthesis.redact } : {}),
      ...(synthesis.priceTable !== undefined ? { priceTable: synthesis.priceTable } : {})
    }).pipe(Effect.tap((result) => Effect.sync(() => void (last = { outcomes: request.outcomes, synthesis: result }))));
  };
};

export interface InvestigationRunnerOptions {
  readonly specialists: SpecialistsShape;
  /** A model for the synthesis step; without one the synthesis is deterministic. */
  readonly synthesisModel?: SynthesisModel;
  /** Redacts secrets in a report before it is rendered (builtin patterns plus configured ones). Default: builtin only. */
  readonly redactReport?: <A>(value: A) => A;
  /** Which specialists to dispatch (model routing); default all. */
  readonly route?: OrchestratorOptions["route"];
  readonly settings: InvestigationSettings;
  readonly trace?: TraceStoreShape;
  readonly telemetry?: TelemetryShape;
  readonly onEvent?: (investigationId: string, event: ProgressEvent) => void;
  readonly onDone?: (alert: AlertContext, exit: Exit.Exit<InvestigationOutcome, unknown>) => void;
}

/**
 * Runs investigations in the background (intake returns at once) and keeps track of them so a
 * shutdown can wait for reports already promised. One runner per process.
 */
export const makeInvestigationRunner = (options: InvestigationRunnerOptions) => {
  const running = new Map<string, Fiber.Fiber<InvestigationOutcome, unknown>>();
  /** Completed by `drain` when the grace is over: investigations still running post what they have. */
  const stopping = Deferred.makeUnsafe<void>();

  const program = (alert: AlertContext, chat: ChatPlatformShape) => {
    let effect = runInvestigation(alert, {
      // Secrets in evidence (log lines, annotations, chat) never reach a chat message.
      render: (report, dialect) => renderReport((options.redactReport ?? redactDeep)(report), dialect),
      // Nor a title or crash message the orchestrator cuts: redacted before the cut.
      redact: (text: string) => (options.redactReport ?? redactDeep)(text),
      synthesize: synthesisStep(options.synthesisModel, options.settings.synthesisReserveSeconds),
      ...(options.route !== undefined ? { route: options.route } : {}),
      reportAfter: Duration.seconds(options.settings.reportAfterSeconds),
      synthesisReserve: Duration.seconds(options.settings.synthesisReserveSeconds),
      hardCutoff: Duration.seconds(options.settings.hardCutoffSeconds),
      stop: Deferred.await(stopping),
      ...(options.onEvent !== undefined ? { onEvent: (e: ProgressEvent) => Effect.sync(() => options.onEvent?.(alert.investigationId, e)) } : {})
    }).pipe(Effect.provideService(ChatPlatform, chat), Effect.provideService(Specialists, options.specialists));
    // Nor the trace archive (alert text, agents' errors and summaries, reports).
    if (options.trace !== undefined) effect = effect.pipe(Effect.provideService(TraceStore, redactingTraceStore(options.trace, options.redactReport ?? redactDeep)));
    if (options.telemetry !== undefined) effect = effect.pipe(Effect.provideService(Telemetry, options.telemetry));
    return effect;
  };

  /** Starts an investigation in the background. */
  const launch = (alert: AlertContext, chat: ChatPlatformShape): Effect.Effect<void> =>
    Effect.sync(() => {
      const fiber = Effect.runFork(program(alert, chat));
      running.set(alert.investigationId, fiber);
      fiber.addObserver((exit) => {
        running.delete(alert.investigationId);
        options.onDone?.(alert, exit);
      });
    });

  /** Runs one investigation to its end (CLI, the Lambda investigator); `onDone` sees its exit too. */
  const runToEnd = (alert: AlertContext, chat: ChatPlatformShape) =>
    program(alert, chat).pipe(Effect.onExit((exit) => Effect.sync(() => options.onDone?.(alert, exit))));

  /**
   * Waits for running investigations, up to `graceMs`; then tells those left to stop, which
   * posts a partial report of what their agents have answered, and waits up to `reportWithinMs`
   * for that; whatever is still running then is interrupted. Returns the ids of both (the caller
   * records them: nothing in flight disappears silently).
   */
  const drain = async (graceMs: number, reportWithinMs = STOP_REPORT_MS): Promise<{ readonly stopped: ReadonlyArray<string>; readonly interrupted: ReadonlyArray<string> }> => {
    const settledWithin = async (ms: number) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([...running.values()].map((f) => Effect.runPromise(Fiber.await(f)))),
        new Promise((r) => {
          timer = setTimeout(r, ms);
        })
      ]);
      if (timer !== undefined) clearTimeout(timer);
    };
    if (running.size === 0) return { stopped: [], interrupted: [] };
    await settledWithin(graceMs);
    const stopped = [...running.keys()];
    if (stopped.length === 0) return { stopped: [], interrupted: [] };
    Deferred.doneUnsafe(stopping, Effect.void);
    await settledWithin(reportWithinMs);
    const left = [...running.entries()];
    await Promise.all(left.map(([, f]) => Effect.runPromise(Fiber.interrupt(f))));
    return { stopped, interrupted: left.map(([id]) => id) };
  };

  return { launch, runToEnd, drain, running: () => running.size };
};

export type InvestigationRunner = ReturnType<typeof makeInvestigationRunner>;
