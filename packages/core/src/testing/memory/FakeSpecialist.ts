import { Duration, Effect } from "effect";
import { AgentFailure, type AgentResult } from "../../model/AgentResult.js";
import type { AlertContext } from "../../model/AlertContext.js";
import type { Specialist } from "../../ports/Specialist.js";

export type FakeBehaviour =
  | { readonly kind: "succeed"; readonly after?: Duration.Input; readonly result?: Partial<AgentResult> }
  | { readonly kind: "fail"; readonly after?: Duration.Input; readonly failure?: AgentFailure["kind"]; readonly reason?: string }
  | { readonly kind: "crash"; readonly after?: Duration.Input }
  | { readonly kind: "hang" };

/**
 * A specialist whose behaviour is scripted: answers after a delay (on Effect's clock, so
 * `TestClock` controls it), fails, crashes with a defect, or never answers. It never looks
 * at the deadline, so the orchestrator's own enforcement is what gets tested.
 */
export const makeFakeSpecialist = (id: string, behaviour: FakeBehaviour, options: { readonly skipReason?: (a: AlertContext) => string | undefined } = {}): Specialist & { readonly calls: () => number } => {
  let calls = 0;
  const delay = (after: Duration.Input | undefined) => (after === undefined ? Effect.void : Effect.sleep(after));
  const investigate = (alert: AlertContext): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.suspend(() => {
      calls++;
      switch (behaviour.kind) {
        case "succeed":
          return delay(behaviour.after).pipe(
            Effect.andThen(Effect.clockWith((c) => c.currentTimeMillis)),
            Effect.map((now) => ({
              agent: id,
              status: "success" as const,
              findings: [
                {
                  id: `${id}:1`,
                  agent: id,
                  source: id,
                  timestamp: now,
                  content: `${id} looked at ${alert.entities.namespace ?? "the alert"}`,
                  severity: "info" as const,
                  metadata: {}
                }
              ],
              hypotheses: [],
              summary: `${id} done`,
              durationMs: behaviour.after === undefined ? 0 : Duration.toMillis(behaviour.after),
              metadata: { startedAt: now, endedAt: now, inputTokens: 0, outputTokens: 0, costUsd: 0 },
              ...behaviour.result
            }))
          );
        case "fail":
          return delay(behaviour.after).pipe(
            Effect.andThen(
              Effect.fail(new AgentFailure({ agent: id, kind: behaviour.failure ?? "error", reason: behaviour.reason ?? "simulated failure" }))
            )
          );
        case "crash":
          return delay(behaviour.after).pipe(Effect.andThen(Effect.die(new Error(`${id} crashed`))));
        case "hang":
          return Effect.never;
      }
    });
  return {
    id,
    description: `fake ${id}`,
    ...(options.skipReason ? { skipReason: options.skipReason } : {}),
    investigate,
    snapshot: () =>
      Effect.succeed({ agent: id, state: "ok" as const, health: "healthy" as const, summary: `${id} ok`, findings: [] }),
    calls: () => calls
  };
};
