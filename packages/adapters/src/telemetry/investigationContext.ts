import { Context, Effect } from "effect";
import type { Attributes } from "@sre-on-call/core";

/**
 * The investigation the current fiber works on. Fiber-local, so every log line written inside
 * `withInvestigationId(id)` — or inside a telemetry span whose attributes carry an
 * `investigationId` — names it, without each call site passing it along.
 */
export const CurrentInvestigationId = Context.Reference<string | undefined>("sre-on-call/telemetry/CurrentInvestigationId", {
  defaultValue: () => undefined
});

/** Runs `effect` with `id` as the current investigation of its fiber and every fiber it forks. */
export const withInvestigationId =
  (id: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, CurrentInvestigationId, id);

/** The investigation a span is about, when its attributes say. */
export const investigationIdOf = (attributes: Attributes): string | undefined => {
  const id = attributes["investigationId"];
  return typeof id === "string" && id !== "" ? id : undefined;
};

/** `effect`, inside the span's investigation when the attributes name one. */
export const inSpanInvestigation = <A, E, R>(attributes: Attributes, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const id = investigationIdOf(attributes);
  return id === undefined ? effect : withInvestigationId(id)(effect);
};
