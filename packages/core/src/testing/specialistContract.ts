import { Effect, Exit, Schema } from "effect";
import { AgentResult } from "../model/AgentResult.js";
import type { AlertContext } from "../model/AlertContext.js";
import { SnapshotSection } from "../model/InvestigationReport.js";
import type { Specialist } from "../ports/Specialist.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface SpecialistHarness {
  /** A specialist with data to look at, and an alert it can investigate. */
  readonly make: () => Promise<{
    readonly specialist: Specialist;
    readonly alert: AlertContext;
    readonly close?: () => Promise<void>;
  }>;
  /** Extra time allowed past a deadline for the answer to arrive (default 2 s). */
  readonly deadlineSlackMs?: number;
}

export const specialistContract = (harness: SpecialistHarness): ReadonlyArray<ContractCase> => {
  const slack = harness.deadlineSlackMs ?? 2_000;
  return [
    {
      name: "Specialist: a result is well-formed, attributed to the agent, and its hypotheses cite real findings",
      run: () =>
        withResource(harness.make, async ({ specialist, alert }) => {
          const result = await Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 30_000 }));
          const encoded = Schema.encodeUnknownSync(AgentResult)(result);
          checkEqual(Schema.decodeUnknownSync(AgentResult)(JSON.parse(JSON.stringify(encoded))), result, "JSON round-trip");
          checkEqual(result.agent, specialist.id, "agent id");
          const ids = new Set<string>();
          for (const f of result.findings) {
            checkEqual(f.agent, specialist.id, `finding ${f.id} agent`);
            check(!ids.has(f.id), `finding id ${f.id} is unique`);
            ids.add(f.id);
          }
          for (const h of result.hypotheses) {
            check(h.supportingFindings.length > 0, `hypothesis ${h.id} cites evidence`);
            for (const ref of h.supportingFindings) check(ids.has(ref), `hypothesis ${h.id} cites existing finding ${ref}`);
          }
          check(result.durationMs >= 0, "duration");
        })
    },
    {
      name: "Specialist: it answers (or fails typed) by a tight deadline",
      run: () =>
        withResource(harness.make, async ({ specialist, alert }) => {
          const started = Date.now();
          const deadline = started + 300;
          const exit = await Effect.runPromiseExit(specialist.investigate(alert, { deadline }));
          const elapsed = Date.now() - started;
          check(elapsed <= 300 + slack, `answered ${elapsed - 300} ms after the deadline`);
          if (Exit.isFailure(exit)) {
            const failure = exit.cause.reasons.find((r) => r._tag === "Fail");
            check(failure !== undefined, "a failure is a typed AgentFailure, not a defect");
          }
        })
    },
    {
      name: "Specialist: a snapshot section is well-formed and attributed",
      run: () =>
        withResource(harness.make, async ({ specialist }) => {
          const exit = await Effect.runPromiseExit(specialist.snapshot({ deadline: Date.now() + 30_000 }));
          if (Exit.isSuccess(exit)) {
            Schema.decodeUnknownSync(SnapshotSection)(exit.value);
            checkEqual(exit.value.agent, specialist.id, "snapshot agent");
          } else {
            check(exit.cause.reasons.some((r) => r._tag === "Fail"), "a snapshot failure is typed");
          }
        })
    }
  ];
};
