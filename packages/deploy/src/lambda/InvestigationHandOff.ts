import type { AlertContext, ChatPlatformShape } from "@sre-on-call/core";
import { Duration, Effect, Exit, Option } from "effect";
import type { Log } from "../composition/buildApp.js";

/**
 * How the Lambda intake gets an investigation run once it has answered the platform. Today:
 * an asynchronous invocation of the investigator function, or inline in this invocation when
 * none is configured. Later the master agent's AgentCore runtime takes this place (issue 7).
 */
export interface InvestigationHandOff {
  readonly mode: string;
  /** Intake's `launch`: must return quickly, well inside the platform's deadline. */
  readonly launch: (alert: AlertContext, chat: ChatPlatformShape) => Effect.Effect<void>;
  /**
   * Called once the HTTP response is ready and before the invocation returns (a Lambda cannot
   * run after it returns): finishes whatever must happen in this invocation, within `budgetMs`.
   */
  readonly settle: (budgetMs: number) => Promise<void>;
}

/** Runs one investigation to its end (the runner's `runToEnd`). */
export type RunInvestigation = (alert: AlertContext, chat: ChatPlatformShape) => Effect.Effect<unknown, unknown>;

export type RunOutcome = "reported" | "failed" | "cut_short";

const NOTICE_BUDGET_MS = 2_000;

/**
 * Runs an investigation to its end, but no longer than `budgetMs`: past that it is interrupted
 * and a notice says so in the alert's thread, instead of the function being killed mid-way
 * with nothing posted. An investigation that fails has already posted its own failure notice.
 */
export const runWithinBudget = async (run: RunInvestigation, alert: AlertContext, chat: ChatPlatformShape, budgetMs: number): Promise<RunOutcome> => {
  const result = await Effect.runPromise(run(alert, chat).pipe(Effect.exit, Effect.timeoutOption(Duration.millis(Math.max(0, budgetMs)))));
  if (Option.isSome(result)) return Exit.isSuccess(result.value) ? "reported" : "failed";
  await Effect.runPromise(
    chat
      .postNotice(
        { channelId: alert.channelId, threadId: alert.messageId },
        `⏱️ Investigation ${alert.investigationId} was stopped before its report was ready: the Lambda function ran out of time. ` +
          "Raise the function's timeout above investigation.hard_cutoff_seconds, or set SRE_INVESTIGATOR_FUNCTION so investigations run in an invocation of their own."
      )
      .pipe(Effect.timeoutOption(Duration.millis(NOTICE_BUDGET_MS)), Effect.ignore)
  );
  return "cut_short";
};

export interface InlineHandOffOptions {
  readonly run: RunInvestigation;
  readonly log: Log;
}

/**
 * The local fallback: investigations are queued by `launch` and run by `settle`, after the
 * response is ready, in the same invocation. Because Lambda freezes the function once it returns,
 * the response is only delivered when the investigation is done or the invocation's remaining
 * time runs out — so the platform sees a late acknowledgement (Slack retries, which the delivery
 * dedup absorbs). Meant for trying the function out; configure SRE_INVESTIGATOR_FUNCTION in
 * production.
 */
export const makeInlineHandOff = (options: InlineHandOffOptions): InvestigationHandOff => {
  const queued: Array<{ readonly alert: AlertContext; readonly chat: ChatPlatformShape }> = [];
  return {
    mode: "inline",
    launch: (alert, chat) => Effect.sync(() => void queued.push({ alert, chat })),
    settle: async (budgetMs) => {
      const batch = queued.splice(0);
      await Promise.all(
        batch.map(async ({ alert, chat }) => {
          const outcome = await runWithinBudget(options.run, alert, chat, budgetMs);
          options.log(outcome === "reported" ? "info" : "error", "inline investigation finished", { investigationId: alert.investigationId, outcome });
        })
      );
    }
  };
};
