import { Effect } from "effect";

/**
 * Lifts a store promise into an Effect whose failure is the port's error, built from the
 * operation's name and what went wrong, so nothing the engine rejects with crosses the port.
 */
export const attemptStore =
  <E>(toError: (operation: string, reason: string) => E) =>
  <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, E> =>
    Effect.tryPromise({ try: run, catch: (e) => toError(operation, e instanceof Error ? e.message : String(e)) });
