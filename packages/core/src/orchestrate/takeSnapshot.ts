import { Clock, Duration, Effect, Option } from "effect";
import type { HealthState, SnapshotReport, SnapshotSection } from "../model/InvestigationReport.js";
import type { SpecialistsShape } from "../ports/Specialist.js";

const RANK: Readonly<Record<HealthState, number>> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

/** The worst health of the sections; a snapshot with no section says nothing: unknown. */
export const overallHealth = (sections: ReadonlyArray<SnapshotSection>): HealthState =>
  sections.length === 0 ? "unknown" : sections.reduce<HealthState>((worst, s) => (RANK[s.health] > RANK[worst] ? s.health : worst), "healthy");

/**
 * `/sre-snapshot`: every enabled specialist's snapshot at once, each bounded by `deadline`;
 * one that fails or overruns becomes a section saying so, never a missing one. Disabled agents
 * are listed as disabled. Never fails.
 */
export const takeSnapshot = (
  specialists: SpecialistsShape,
  options: { readonly snapshotId: string; readonly deadline: Duration.Input }
): Effect.Effect<SnapshotReport> =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis;
    const budget = Duration.toMillis(Duration.fromInputUnsafe(options.deadline));
    const sections = yield* Effect.forEach(
      specialists.enabled,
      (s) =>
        s.snapshot({ deadline: startedAt + budget }).pipe(
          Effect.timeoutOption(Duration.millis(budget)),
          Effect.map(
            (o): SnapshotSection =>
              Option.isSome(o)
                ? o.value
                : { agent: s.id, state: "timeout", health: "unknown", summary: `no answer within ${Math.round(budget / 1000)} s`, findings: [] }
          ),
          Effect.catchCause((cause) =>
            Effect.succeed<SnapshotSection>({
              agent: s.id,
              state: "error",
              health: "unknown",
              summary: "the snapshot failed",
              findings: [],
              error: String(cause).split("\n")[0] ?? "failed"
            })
          )
        ),
      { concurrency: "unbounded" }
    );
    const disabled = specialists.disabled.map((agent): SnapshotSection => ({ agent, state: "disabled", health: "unknown", summary: "disabled", findings: [] }));
    const generatedAt = yield* Clock.currentTimeMillis;
    return { snapshotId: options.snapshotId, generatedAt, health: overallHealth(sections), sections: [...sections, ...disabled] };
  });
