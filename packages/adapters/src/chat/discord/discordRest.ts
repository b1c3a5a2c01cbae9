import { REST } from "@discordjs/rest";
import type { RequestData, RouteLike } from "@discordjs/rest";
import type { ChatError } from "@sre-on-call/core";
import { retryTransient } from "@sre-on-call/core";
import type { Duration } from "effect";
import { Effect, Result, Schema } from "effect";
import { describeDiscordError } from "./describeDiscordError.js";

export interface DiscordRestOptions {
  /** Base URL without the version, as `@discordjs/rest` takes it. Default `https://discord.com/api`. */
  readonly api?: string;
  /** Retries after the first attempt for 5xx, network failures and over-long rate limits. Default 3. */
  readonly retries?: number;
  /** Delay before the first retry, doubled each time with jitter. Default 500 ms. */
  readonly retryBaseDelay?: Duration.Input;
  /** Time limit of one HTTP attempt in milliseconds. Default 15 000. */
  readonly requestTimeoutMs?: number;
  /** Time limit of one call, rate-limit waits included, in milliseconds. Default 60 000. */
  readonly deadlineMs?: number;
  /** A rate limit asking to wait longer than this (ms) fails the call as retryable instead of waiting. Default 30 000. */
  readonly maxRateLimitWaitMs?: number;
}

export type Method = "get" | "post" | "patch";

export interface DiscordRest {
  /** One Discord REST call; its JSON response decoded with `schema`. */
  readonly call: <S extends Schema.ConstraintDecoder<unknown>>(
    operation: string,
    method: Method,
    route: RouteLike,
    schema: S,
    data?: Omit<RequestData, "signal">,
    /** Further values to keep out of error reasons (an interaction token). */
    extraSecrets?: ReadonlyArray<string>
  ) => Effect.Effect<S["Type"], ChatError>;
}

/**
 * A `@discordjs/rest` client wrapped for the adapters. The client itself waits out 429s
 * (`Retry-After`) and keeps to the bucket limits Discord announces; waits longer than
 * `maxRateLimitWaitMs` and everything retryable it gives up on are retried here with backoff
 * (its own 5xx retries, which have no backoff, are off), and the deadline bounds a server that
 * answers 429 forever.
 */
export const makeDiscordRest = (options: DiscordRestOptions & { readonly token?: string; readonly secrets?: ReadonlyArray<string> }): DiscordRest => {
  const maxWait = options.maxRateLimitWaitMs ?? 30_000;
  const rest = new REST({
    version: "10",
    api: options.api ?? "https://discord.com/api",
    retries: 0,
    timeout: options.requestTimeoutMs ?? 15_000,
    rejectOnRateLimit: (limit) => limit.retryAfter > maxWait || limit.timeToReset > maxWait
  });
  if (options.token !== undefined) rest.setToken(options.token);
  const secrets = [...(options.token === undefined ? [] : [options.token]), ...(options.secrets ?? [])];
  const deadline = options.deadlineMs ?? 60_000;
  const retry = retryTransient({ retries: options.retries ?? 3, baseDelay: options.retryBaseDelay ?? "500 millis" });

  return {
    call: (operation, method, route, schema, data = {}, extraSecrets = []) => {
      const secretsHere = [...secrets, ...extraSecrets];
      const decode = Schema.decodeUnknownResult(schema);
      return Effect.tryPromise({
        try: (signal) => rest[method](route, { ...data, signal }),
        catch: (e) => describeDiscordError(operation, e, secretsHere)
      }).pipe(
        Effect.timeoutOrElse({
          duration: deadline,
          orElse: () => Effect.fail(describeDiscordError(operation, Object.assign(new Error(`no answer within ${deadline} ms`), { name: "TimeoutError" })))
        }),
        retry,
        Effect.flatMap((body) => {
          const decoded = decode(body, { onExcessProperty: "ignore" });
          return Result.isSuccess(decoded)
            ? Effect.succeed(decoded.success)
            : Effect.fail(describeDiscordError(operation, new Error(`unexpected response from Discord: ${decoded.failure.message}`), secretsHere));
        })
      );
    }
  };
};
