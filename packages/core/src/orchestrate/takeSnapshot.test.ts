import { Duration, Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import type { SnapshotSection } from "../model/InvestigationReport.js";
import { AgentFailure, type Specialist } from "../index.js";
import { overallHealth, takeSnapshot } from "./takeSnapshot.js";

const section = (agent: string, health: SnapshotSection["health"]): SnapshotSection => ({ agent, state: "ok", health, summary: `${agent} is ${health}`, findings: [] });
const specialist = (id: string, snapshot: Specialist["snapshot"]): Specialist => ({
  id,
  description: id,
  investigate: () => Effect.fail(new AgentFailure({ agent: id, kind: "error", reason: "unused" })),
  snapshot
});

describe("takeSnapshot", () => {
  it("collects every section, keeps a failing or hung agent as a section saying so, and rates the worst health", async () => {
    const program = Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        takeSnapshot(
          {
            enabled: [
              specialist("eks", () => Effect.succeed(section("eks", "degraded"))),
              specialist("prometheus", () => Effect.fail(new AgentFailure({ agent: "prometheus", kind: "unavailable", reason: "connection refused" }))),
              specialist("cloudwatch-logs", () => Effect.never)
            ],
            disabled: ["slack-history"]
          },
          { snapshotId: "snap-1", deadline: Duration.seconds(10) }
        )
      );
      yield* TestClock.adjust(Duration.seconds(11));
      return yield* Fiber.join(fiber);
    });
    const report = await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())));
    expect(report.sections.map((s) => [s.agent, s.state])).toEqual([
      ["eks", "ok"],
      ["prometheus", "error"],
      ["cloudwatch-logs", "timeout"],
      ["slack-history", "disabled"]
    ]);
    expect(report.sections[1]!.error).toMatch(/connection refused/);
    expect(report.health).toBe("degraded");
  });

  it("rates health by the worst section, unknown when there is none", () => {
    expect(overallHealth([])).toBe("unknown");
    expect(overallHealth([section("a", "healthy"), section("b", "unhealthy"), section("c", "degraded")])).toBe("unhealthy");
    expect(overallHealth([section("a", "healthy")])).toBe("healthy");
  });
});
