import { type AlertContext, type InvestigationReport, ModelError, type VariantRole } from "@sre-on-call/core";
import { makeInMemoryExperimentStore, sampleAlert, sampleExperiment, sampleReport } from "@sre-on-call/core/testing";
import { Deferred, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { type ExperimentRunnerDeps, runExperimentForAlert, type VariantResult } from "./experimentRunner.js";

const result = (report: InvestigationReport, latencyMs: number, costUsd: number): VariantResult => ({
  report,
  latencyMs,
  tokens: { input: 1000, output: 100 },
  costUsd
});

const setup = async (mode: "post-both" | "post-control", runVariant?: ExperimentRunnerDeps["runVariant"]) => {
  const store = makeInMemoryExperimentStore();
  const experiment = await Effect.runPromise(store.define(sampleExperiment("exp-1", { mode })));
  const posted: Array<{ role: VariantRole; title: string }> = [];
  const archived: Array<{ role: VariantRole; title: string }> = [];
  const deps: ExperimentRunnerDeps = {
    store,
    runVariant:
      runVariant ??
      ((variant, role) => Effect.succeed(result({ ...sampleReport, summary: `by ${variant.label}` }, role === "control" ? 9000 : 4000, role === "control" ? 0.02 : 0.005))),
    post: (report, role) => Effect.sync(() => (posted.push({ role, title: report.title }), `C1/${posted.length}`)),
    archive: (report, role) => Effect.sync(() => (archived.push({ role, title: report.title }), `archive/${role}`)),
    now: () => 1_700_000_000_000
  };
  return { store, experiment, deps, posted, archived };
};

describe("runExperimentForAlert", () => {
  it("post-both: posts both labelled reports and records both runs with their figures", async () => {
    const { store, experiment, deps, posted, archived } = await setup("post-both");
    const outcome = await Effect.runPromise(runExperimentForAlert(deps, experiment, sampleAlert));
    expect(posted.map((p) => p.role).sort()).toEqual(["control", "treatment"]);
    expect(posted.find((p) => p.role === "control")?.title).toBe(`[A/B control: sonnet] ${sampleReport.title}`);
    expect(posted.find((p) => p.role === "treatment")?.title).toBe(`[A/B treatment: haiku] ${sampleReport.title}`);
    expect(archived).toEqual([]);
    expect(outcome.control).toMatchObject({ delivery: "posted", recorded: true, errors: [] });
    expect(outcome.treatment).toMatchObject({ delivery: "posted", recorded: true, errors: [] });
    const runs = await Effect.runPromise(store.runsOf("exp-1"));
    expect(runs.map((r) => [r.investigationId, r.variant, r.status, r.latencyMs, r.costUsd, r.inputTokens])).toEqual([
      [sampleAlert.investigationId, "control", "ok", 9000, 0.02, 1000],
      [sampleAlert.investigationId, "treatment", "ok", 4000, 0.005, 1000]
    ]);
    expect(runs[0]?.summary?.summary).toBe("by sonnet");
    expect(runs[0]?.reportRef).toMatch(/^C1\//);
  });

  it("post-control: posts the control and archives the treatment", async () => {
    const { store, experiment, deps, posted, archived } = await setup("post-control");
    const outcome = await Effect.runPromise(runExperimentForAlert(deps, experiment, sampleAlert));
    expect(posted).toEqual([{ role: "control", title: `[A/B control: sonnet] ${sampleReport.title}` }]);
    expect(archived).toEqual([{ role: "treatment", title: `[A/B treatment: haiku] ${sampleReport.title}` }]);
    expect(outcome.treatment).toMatchObject({ delivery: "archived", reportRef: "archive/treatment" });
    expect((await Effect.runPromise(store.runsOf("exp-1"))).map((r) => r.reportRef)).toEqual(["C1/1", "archive/treatment"]);
  });

  it("runs the variants concurrently (each waits for the other to start)", async () => {
    const started = { control: Deferred.makeUnsafe<void>(), treatment: Deferred.makeUnsafe<void>() };
    const { experiment, deps, posted } = await setup("post-both", (_variant, role) =>
      Effect.gen(function* () {
        yield* Deferred.succeed(started[role], undefined);
        yield* Deferred.await(started[role === "control" ? "treatment" : "control"]);
        return result(sampleReport, 1, 0);
      })
    );
    await Effect.runPromise(runExperimentForAlert(deps, experiment, sampleAlert));
    expect(posted).toHaveLength(2);
  });

  it.each([
    ["fails", () => Effect.fail(new ModelError({ provider: "bedrock", reason: "throttled", detail: "token sk-ant-abcdefghijklmnopqrstuvwxyz rejected", retryable: true }))],
    ["crashes", () => Effect.die(new Error("boom password=hunter22"))]
  ])("a treatment that %s never affects the control's report", async (_what, failing) => {
    const { store, experiment, deps, posted } = await setup("post-both", (variant, role) =>
      role === "treatment" ? failing() : Effect.succeed(result({ ...sampleReport, summary: `by ${variant.label}` }, 9000, 0.02))
    );
    const outcome = await Effect.runPromise(runExperimentForAlert(deps, experiment, sampleAlert as AlertContext));
    expect(posted).toEqual([{ role: "control", title: `[A/B control: sonnet] ${sampleReport.title}` }]);
    expect(outcome.control).toMatchObject({ delivery: "posted", recorded: true, errors: [] });
    expect(outcome.treatment.delivery).toBe("failed");
    expect(outcome.treatment.errors[0]?.stage).toBe("run");
    const runs = await Effect.runPromise(store.runsOf("exp-1"));
    expect(runs.map((r) => `${r.variant}:${r.status}`)).toEqual(["control:ok", "treatment:failed"]);
    const error = runs[1]?.error ?? "";
    expect(error).not.toMatch(/sk-ant-abcdefghij|hunter22/);
    expect(error.length).toBeGreaterThan(0);
  });

  it("a failed post or store write is reported per branch, not thrown", async () => {
    const { experiment, deps } = await setup("post-both");
    const outcome = await Effect.runPromise(
      runExperimentForAlert(
        {
          ...deps,
          post: (report, role) => (role === "treatment" ? Effect.fail(new Error("slack: channel_not_found")) : deps.post(report, role)),
          store: { ...deps.store, recordRun: () => Effect.die(new Error("disk full")) }
        },
        experiment,
        sampleAlert
      )
    );
    expect(outcome.control).toMatchObject({ delivery: "posted", recorded: false });
    expect(outcome.control.errors.map((e) => e.stage)).toEqual(["record"]);
    expect(outcome.treatment.delivery).toBe("failed");
    expect(outcome.treatment.errors.map((e) => `${e.stage}: ${e.message}`)).toEqual(["deliver: slack: channel_not_found", "record: crashed: disk full"]);
  });
});
