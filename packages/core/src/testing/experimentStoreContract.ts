import { Cause, Effect, Exit, Option } from "effect";
import type { Experiment, ExperimentError, ExperimentStoreShape, VariantRun } from "../experiment/Experiment.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface ExperimentStoreHarness {
  /** A fresh, empty store. */
  readonly make: () => Promise<{ readonly store: ExperimentStoreShape; readonly close?: () => Promise<void> }>;
}

const T0 = 1_700_000_000_000;

/** An experiment comparing two models, for contract suites and tests. */
export const sampleExperiment = (id: string, overrides: Partial<Experiment> = {}): Experiment => ({
  id,
  name: `experiment ${id}`,
  control: { label: "sonnet", overrides: { model: "bedrock:anthropic.claude-sonnet" } },
  treatment: { label: "haiku", overrides: { model: "bedrock:anthropic.claude-haiku", agent_mode: { eks: "agent" }, max_tool_cycles: 4 } },
  mode: "post-both",
  state: "defined",
  createdAt: T0,
  ...overrides
});

/** A successful run of one variant, for contract suites and tests. */
export const sampleRun = (experimentId: string, investigationId: string, variant: "control" | "treatment", overrides: Partial<VariantRun> = {}): VariantRun => ({
  experimentId,
  investigationId,
  variant,
  label: variant === "control" ? "sonnet" : "haiku",
  recordedAt: T0 + 1000,
  status: "ok",
  latencyMs: variant === "control" ? 12_000 : 8_000,
  inputTokens: 4000,
  outputTokens: 600,
  costUsd: variant === "control" ? 0.021 : 0.004,
  reportRef: `C1/${investigationId}/${variant}`,
  summary: {
    title: "payments api crash looping",
    severity: "critical",
    summary: "Most likely cause: OOMKilled",
    hypotheses: [{ title: "Container OOMKilled", confidence: "high", evidence: ["eks:1"] }],
    actions: ["Raise the memory limit"],
    ruledOut: [],
    evidence: [{ id: "eks:1", agent: "eks", content: "Last state: OOMKilled (exit 137)" }]
  },
  ...overrides
});

export const experimentStoreContract = (harness: ExperimentStoreHarness): ReadonlyArray<ContractCase> => {
  const withStore = (body: (store: ExperimentStoreShape) => Promise<void>) => withResource(harness.make, ({ store }) => body(store));
  const run = Effect.runPromise;
  const failure = async <A>(effect: Effect.Effect<A, ExperimentError>, what: string): Promise<ExperimentError> => {
    const exit = await Effect.runPromiseExit(effect);
    if (Exit.isSuccess(exit)) throw new Error(`${what}: expected an ExperimentError, it succeeded`);
    const error = Cause.findErrorOption(exit.cause);
    check(Option.isSome(error), `${what}: expected a typed failure, got ${String(exit.cause)}`);
    return error.value;
  };

  return [
    {
      name: "ExperimentStore: a defined experiment reads back as defined, and list returns it",
      run: () =>
        withStore(async (store) => {
          const stored = await run(store.define(sampleExperiment("exp-1", { state: "active", activatedAt: T0, description: "models" })));
          checkEqual(stored.state, "defined", "state of a new experiment");
          checkEqual(stored.activatedAt, undefined, "activatedAt of a new experiment");
          const got = await run(store.get("exp-1"));
          checkEqual(got, stored, "get");
          checkEqual((await run(store.list())).map((e) => e.id), ["exp-1"], "list");
          checkEqual(await run(store.get("exp-missing")), undefined, "unknown id");
          checkEqual(await run(store.active()), undefined, "nothing is active yet");
        })
    },
    {
      name: "ExperimentStore: defining an id twice fails with already_exists and keeps the first",
      run: () =>
        withStore(async (store) => {
          await run(store.define(sampleExperiment("exp-dup")));
          const e = await failure(store.define(sampleExperiment("exp-dup", { name: "other" })), "second define");
          checkEqual(e.reason, "already_exists", "reason");
          checkEqual((await run(store.get("exp-dup")))?.name, "experiment exp-dup", "first definition kept");
        })
    },
    {
      name: "ExperimentStore: an invalid experiment is refused with invalid",
      run: () =>
        withStore(async (store) => {
          const e = await failure(store.define(sampleExperiment("bad id/with slash")), "define");
          checkEqual(e.reason, "invalid", "reason");
          checkEqual((await run(store.list())).length, 0, "nothing stored");
        })
    },
    {
      name: "ExperimentStore: activate, pause and activate again; activating twice is idempotent",
      run: () =>
        withStore(async (store) => {
          await run(store.define(sampleExperiment("exp-a")));
          const active = await run(store.activate("exp-a", T0 + 5));
          checkEqual([active.state, active.activatedAt], ["active", T0 + 5], "activated");
          checkEqual((await run(store.active()))?.id, "exp-a", "active()");
          const again = await run(store.activate("exp-a", T0 + 9));
          checkEqual(again.activatedAt, T0 + 5, "a second activation changes nothing");
          const paused = await run(store.pause("exp-a"));
          checkEqual(paused.state, "paused", "paused");
          checkEqual(await run(store.active()), undefined, "nothing active after pause");
          checkEqual((await run(store.pause("exp-a"))).state, "paused", "pausing twice");
          checkEqual((await run(store.activate("exp-a", T0 + 20))).state, "active", "resumed");
          checkEqual((await run(store.get("exp-a")))?.state, "active", "get after resume");
        })
    },
    {
      name: "ExperimentStore: activating a second experiment is refused and names the active one",
      run: () =>
        withStore(async (store) => {
          await run(store.define(sampleExperiment("exp-a")));
          await run(store.define(sampleExperiment("exp-b", { createdAt: T0 + 1 })));
          await run(store.activate("exp-a", T0));
          const e = await failure(store.activate("exp-b", T0), "second activation");
          checkEqual([e.reason, e.activeId], ["another_active", "exp-a"], "refusal");
          check(e.message.includes("exp-a"), `the message names the active experiment: ${e.message}`);
          checkEqual((await run(store.get("exp-b")))?.state, "defined", "the refused one is unchanged");
          await run(store.pause("exp-a"));
          checkEqual((await run(store.activate("exp-b", T0 + 1))).state, "active", "activation after the pause");
          checkEqual((await run(store.list())).map((x) => `${x.id}:${x.state}`), ["exp-a:paused", "exp-b:active"], "states");
        })
    },
    {
      name: "ExperimentStore: of concurrent activations of different experiments exactly one wins",
      run: () =>
        withStore(async (store) => {
          const ids = Array.from({ length: 8 }, (_, i) => `exp-race-${i}`);
          for (const [i, id] of ids.entries()) await run(store.define(sampleExperiment(id, { createdAt: T0 + i })));
          const exits = await Promise.all(ids.map((id) => Effect.runPromiseExit(store.activate(id, T0 + 100))));
          const winners = exits.flatMap((x) => (Exit.isSuccess(x) ? [x.value.id] : []));
          checkEqual(winners.length, 1, `winners (${winners.join(", ")})`);
          for (const x of exits) {
            if (Exit.isSuccess(x)) continue;
            const error = Cause.findErrorOption(x.cause);
            checkEqual(Option.isSome(error) ? `${error.value.reason}:${error.value.activeId ?? ""}` : String(x.cause), `another_active:${winners[0]}`, "a loser's refusal");
          }
          checkEqual((await run(store.active()))?.id, winners[0], "active()");
          checkEqual((await run(store.list())).filter((e) => e.state === "active").map((e) => e.id), winners, "exactly one is stored active");
        })
    },
    {
      name: "ExperimentStore: unknown ids fail with not_found; a defined experiment cannot be paused",
      run: () =>
        withStore(async (store) => {
          checkEqual((await failure(store.activate("nope", T0), "activate")).reason, "not_found", "activate");
          checkEqual((await failure(store.pause("nope"), "pause")).reason, "not_found", "pause");
          await run(store.define(sampleExperiment("exp-new")));
          checkEqual((await failure(store.pause("exp-new"), "pause defined")).reason, "invalid", "pause of a defined experiment");
          checkEqual((await failure(store.recordRun(sampleRun("nope", "inv-1", "control")), "recordRun")).reason, "not_found", "recordRun");
        })
    },
    {
      name: "ExperimentStore: runs are kept per experiment, ordered, and re-recording replaces",
      run: () =>
        withStore(async (store) => {
          await run(store.define(sampleExperiment("exp-r")));
          await run(store.define(sampleExperiment("exp-other")));
          await run(store.recordRun(sampleRun("exp-r", "inv-2", "treatment")));
          await run(store.recordRun(sampleRun("exp-r", "inv-1", "treatment")));
          await run(store.recordRun(sampleRun("exp-r", "inv-1", "control")));
          await run(store.recordRun(sampleRun("exp-other", "inv-1", "control")));
          const failed: VariantRun = {
            experimentId: "exp-r",
            investigationId: "inv-2",
            variant: "treatment",
            label: "haiku",
            recordedAt: T0 + 2000,
            status: "failed",
            error: "timed out",
            latencyMs: 30_000,
            inputTokens: 0,
            outputTokens: 0,
            costUsd: 0
          };
          await run(store.recordRun(failed));
          const runs = await run(store.runsOf("exp-r"));
          checkEqual(runs.map((r) => `${r.investigationId}/${r.variant}`), ["inv-1/control", "inv-1/treatment", "inv-2/treatment"], "runs");
          checkEqual(runs[0], sampleRun("exp-r", "inv-1", "control"), "a run round-trips");
          checkEqual(runs[2], failed, "the replaced run");
          checkEqual((await run(store.runsOf("exp-other"))).length, 1, "other experiment");
          checkEqual((await run(store.runsOf("exp-none"))).length, 0, "unknown experiment has no runs");
        })
    },
    {
      name: "ExperimentStore: an invalid run is refused with invalid",
      run: () =>
        withStore(async (store) => {
          await run(store.define(sampleExperiment("exp-v")));
          const e = await failure(store.recordRun(sampleRun("exp-v", "inv-1", "control", { latencyMs: -1 })), "recordRun");
          checkEqual(e.reason, "invalid", "reason");
          checkEqual((await run(store.runsOf("exp-v"))).length, 0, "nothing stored");
        })
    }
  ];
};
