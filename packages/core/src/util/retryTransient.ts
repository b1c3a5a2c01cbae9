import type { Duration} from "effect";
import { Effect, Schedule } from "effect";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** Delay before the first retry; doubled each time, with jitter. */
  readonly baseDelay: Duration.Input;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelay: "250 millis" };

/**
 * Retries failures marked `retryable` (rate limits, 5xx, throttling) with exponential
 * backoff and jitter; anything else fails at once.
 */
export const retryTransient =
  (policy: RetryPolicy = DEFAULT_RETRY) =>
  <A, E extends { readonly retryable: boolean }, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    self.pipe(
      Effect.retry({
        while: (e: E) => e.retryable,
        schedule: Schedule.exponential(policy.baseDelay).pipe(Schedule.jittered),
        times: policy.retries
      })
    );
