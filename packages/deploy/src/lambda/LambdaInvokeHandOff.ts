import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { AlertContext, ChatPlatformShape } from "@sre-on-call/core";
import { Effect } from "effect";
import type { Log } from "../composition/buildApp.js";
import type { InvestigateEvent } from "./InvestigateEvent.js";
import type { InvestigationHandOff } from "./InvestigationHandOff.js";

export interface LambdaInvokeHandOffOptions {
  readonly client: LambdaClient;
  /** Name or ARN of the function that runs investigations (it may be this very function). */
  readonly functionName: string;
  /** The configured chats by name; the event names the chat by its key so the investigator can find it. */
  readonly chats: Readonly<Record<string, ChatPlatformShape | undefined>>;
  readonly log: Log;
  /** Used when the invocation cannot be made, so the alert is still investigated. */
  readonly fallback?: InvestigationHandOff;
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Hands each investigation to the investigator function with an asynchronous (`Event`)
 * invocation: Lambda queues it and answers 202 at once, so intake acknowledges the platform
 * within its deadline while the investigation gets a full invocation of its own. Lambda may
 * deliver an event more than once; the investigator de-duplicates on the investigation id.
 */
export const makeLambdaInvokeHandOff = (options: LambdaInvokeHandOffOptions): InvestigationHandOff => {
  const platformOf = (chat: ChatPlatformShape): string | undefined => Object.entries(options.chats).find(([, c]) => c === chat)?.[0];

  const invoke = (event: InvestigateEvent) =>
    Effect.tryPromise({
      try: async (signal) => {
        const out = await options.client.send(
          new InvokeCommand({ FunctionName: options.functionName, InvocationType: "Event", Payload: new TextEncoder().encode(JSON.stringify(event)) }),
          { abortSignal: signal }
        );
        if (out.StatusCode !== 202) throw new Error(`the asynchronous invocation answered ${out.StatusCode ?? "no status"} instead of 202`);
      },
      catch: describe
    });

  const launch = (alert: AlertContext, chat: ChatPlatformShape): Effect.Effect<void> => {
    const platform = platformOf(chat);
    if (platform === undefined) return Effect.die(new Error(`the chat for ${chat.platform} is not one of the configured chats`));
    return invoke({ kind: "investigate", alert, platform, channel: alert.channelId }).pipe(
      Effect.tap(() => Effect.sync(() => options.log("info", "investigation handed off", { investigationId: alert.investigationId, functionName: options.functionName }))),
      Effect.catch((reason) =>
        Effect.gen(function* () {
          options.log("error", "could not hand the investigation off", {
            investigationId: alert.investigationId,
            functionName: options.functionName,
            reason,
            fallback: options.fallback?.mode ?? "none"
          });
          if (options.fallback === undefined) return yield* Effect.die(new Error(`could not invoke ${options.functionName}: ${reason}`));
          yield* options.fallback.launch(alert, chat);
        })
      )
    );
  };

  return {
    mode: "lambda-invoke",
    launch,
    settle: (budgetMs) => options.fallback?.settle(budgetMs) ?? Promise.resolve()
  };
};
