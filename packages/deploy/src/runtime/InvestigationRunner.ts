import {
  type AlertContext,
  ChatPlatform,
  type ChatPlatformShape,
  type InvestigationOutcome,
  type ProgressEvent,
  redactDeep,
  renderReport,
  synthesizeDeterministic,
  runInvestigation,
  Specialists,
  type SpecialistsShape,
  Telemetry,
  type TelemetryShape,
  TraceStore,
  type TraceStoreShape
} from "@sre-on-call/core";
import type { Exit} from "effect";
import { Duration, Effect, Fiber } from "effect";

export interface InvestigationSettings {
  readonly reportAfterSeconds: number;
  readonly synthesisReserveSeconds: number;
  readonly hardCutoffSeconds: number;
}

export interface InvestigationRunnerOptions {
  readonly specialists: SpecialistsShape;
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

  const program = (alert: AlertContext, chat: ChatPlatformShape) => {
    let effect = runInvestigation(alert, {
      // Secrets in evidence (log lines, annotations, chat) never reach a chat message.
      render: (report, dialect) => renderReport(redactDeep(report), dialect),
      synthesize: (request) => Effect.sync(() => synthesizeDeterministic(request)),
      reportAfter: Duration.seconds(options.settings.reportAfterSeconds),
      synthesisReserve: Duration.seconds(options.settings.synthesisReserveSeconds),
      hardCutoff: Duration.seconds(options.settings.hardCutoffSeconds),
      ...(options.onEvent !== undefined ? { onEvent: (e: ProgressEvent) => Effect.sync(() => options.onEvent?.(alert.investigationId, e)) } : {})
    }).pipe(Effect.provideService(ChatPlatform, chat), Effect.provideService(Specialists, options.specialists));
    if (options.trace !== undefined) effect = effect.pipe(Effect.provideService(TraceStore, options.trace));
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
   * Waits for running investigations, up to `timeoutMs`, then interrupts what is left and
   * returns their ids (the caller records them: nothing in flight disappears silently).
   */
  const drain = async (timeoutMs: number): Promise<ReadonlyArray<string>> => {
    const fibers = [...running.values()];
    if (fibers.length === 0) return [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(fibers.map((f) => Effect.runPromise(Fiber.await(f)))),
      new Promise((r) => {
        timer = setTimeout(r, timeoutMs);
      })
    ]);
    if (timer !== undefined) clearTimeout(timer);
    const left = [...running.entries()];
    await Promise.all(left.map(([, f]) => Effect.runPromise(Fiber.interrupt(f))));
    return left.map(([id]) => id);
  };

  return { launch, runToEnd, drain, running: () => running.size };
};

export type InvestigationRunner = ReturnType<typeof makeInvestigationRunner>;
