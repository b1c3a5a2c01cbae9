import { Result } from "effect";
import { type Log, StartupError } from "../composition/buildApp.js";
import { ConfigError } from "../config/loadConfig.js";
import { errorResponse, type HttpResponse } from "../http/HttpExchange.js";
import type { InvestigateResult, LambdaApp } from "./buildLambdaApp.js";
import { fromHttpResponse, type FunctionUrlResult, toHttpRequest } from "./functionUrl.js";
import { isInvestigateInvocation } from "./InvestigateEvent.js";

/** The part of the Lambda context object the handler uses. */
export interface LambdaContext {
  readonly getRemainingTimeInMillis: () => number;
  readonly awsRequestId?: string;
}

export type LambdaHandler = (event: unknown, context?: LambdaContext) => Promise<FunctionUrlResult | InvestigateResult>;

export interface LambdaHandlerOptions {
  /** The app, built once per container (at module scope); a rejection is the startup error. */
  readonly app: Promise<LambdaApp>;
  readonly log: Log;
  /** Time kept free before the invocation's deadline to return the answer. Default 1 000 ms. */
  readonly safetyMarginMs?: number;
  /** The time budget when no context is passed (running the handler outside Lambda). Default 60 s. */
  readonly defaultBudgetMs?: number;
}

type Ready = { readonly ok: true; readonly app: LambdaApp } | { readonly ok: false; readonly message: string };

/** Startup and config errors are written for operators and hold no secrets; anything else is only logged. */
const startupMessage = (error: unknown): string =>
  error instanceof StartupError || error instanceof ConfigError ? error.message : "sre-on-call could not start; see the function's logs.";

/**
 * The Lambda entry: function URL events go through the shared intake handler and are answered
 * before the invocation's deadline; direct `investigate` invocations (from the intake's
 * asynchronous hand-off) run one investigation to its end. HTTP events never throw: bad input is
 * a 4xx, a failed startup a 503, both as JSON errors. An investigate invocation that cannot run
 * because the function failed to start throws, so Lambda retries it and, after that, hands it to
 * the function's on-failure destination instead of dropping it.
 */
/** Spans must leave before Lambda freezes the container; a slow collector never holds the answer past the deadline. */
const flushWithin = async (app: LambdaApp, budgetMs: number): Promise<void> => {
  if (app.flush === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([app.flush().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, Math.max(0, budgetMs))))]).finally(() => clearTimeout(timer));
};

export const createLambdaHandler = (options: LambdaHandlerOptions): LambdaHandler => {
  const margin = options.safetyMarginMs ?? 1_000;
  const ready: Promise<Ready> = options.app.then(
    (app): Ready => ({ ok: true, app }),
    (error: unknown): Ready => {
      options.log("error", "sre-on-call could not start", { error: error instanceof Error ? error.message : String(error) });
      return { ok: false, message: startupMessage(error) };
    }
  );

  return async (event, context) => {
    const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? options.defaultBudgetMs ?? 60_000) - margin;
    const budget = () => Math.max(0, deadline - Date.now());
    const state = await ready;
    const requestId = context?.awsRequestId;

    if (isInvestigateInvocation(event)) {
      if (!state.ok) throw new Error(state.message);
      const result = await state.app.investigate(event, budget());
      await flushWithin(state.app, budget());
      options.log(result.ok ? "info" : "error", "investigate invocation handled", { ...result, ...(requestId !== undefined ? { requestId } : {}) });
      return result;
    }

    if (!state.ok) return fromHttpResponse(errorResponse(503, "startup_failed", state.message));
    const request = toHttpRequest(event, { maxBodyBytes: state.app.maxBodyBytes });
    if (Result.isFailure(request)) return fromHttpResponse(request.failure);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<HttpResponse>((resolve) => {
      timer = setTimeout(() => resolve(errorResponse(503, "deadline", "intake did not finish before the function's deadline; the sender should retry.")), budget());
    });
    const response = await Promise.race([state.app.handler(request.success), late]).finally(() => clearTimeout(timer));
    if (response.status === 503) options.log("error", "answered 503", { path: request.success.path, body: response.body, ...(requestId !== undefined ? { requestId } : {}) });
    await state.app.settle(budget());
    await flushWithin(state.app, budget());
    return fromHttpResponse(response);
  };
};
