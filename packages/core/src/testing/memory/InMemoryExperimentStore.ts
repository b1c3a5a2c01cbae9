import { Effect, Result } from "effect";
import { compareRuns, type Experiment, ExperimentError, type ExperimentStoreShape, runKey, type VariantRun } from "../../experiment/Experiment.js";
import { activation, decodeVariantRun, definition, notFound, pausing } from "../../experiment/transitions.js";

/** An ExperimentStore in memory, for tests and embedding; each call is one synchronous step, so activation is atomic. */
export const makeInMemoryExperimentStore = (): ExperimentStoreShape => {
  const experiments = new Map<string, Experiment>();
  const runs = new Map<string, Map<string, VariantRun>>();
  let activeId: string | undefined;
  const fromResult = <A>(r: Result.Result<A, ExperimentError>) => (Result.isSuccess(r) ? Effect.succeed(r.success) : Effect.fail(r.failure));

  return {
    define: (input) =>
      Effect.suspend(() => {
        const decoded = definition(input);
        if (Result.isFailure(decoded)) return Effect.fail(decoded.failure);
        const e = decoded.success;
        if (experiments.has(e.id)) return Effect.fail(new ExperimentError({ operation: "define", reason: "already_exists", detail: `experiment ${e.id} already exists` }));
        experiments.set(e.id, e);
        return Effect.succeed(e);
      }),
    get: (id) => Effect.sync(() => experiments.get(id)),
    list: () => Effect.sync(() => [...experiments.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))),
    activate: (id, at) =>
      Effect.suspend(() =>
        fromResult(
          Result.map(activation(id, experiments.get(id), activeId, at), (t) => {
            experiments.set(id, t.experiment);
            activeId = id;
            return t.experiment;
          })
        )
      ),
    pause: (id) =>
      Effect.suspend(() =>
        fromResult(
          Result.map(pausing(id, experiments.get(id)), (t) => {
            experiments.set(id, t.experiment);
            if (activeId === id) activeId = undefined;
            return t.experiment;
          })
        )
      ),
    active: () => Effect.sync(() => (activeId === undefined ? undefined : experiments.get(activeId))),
    recordRun: (input) =>
      Effect.suspend(() => {
        const decoded = decodeVariantRun("recordRun", input);
        if (Result.isFailure(decoded)) return Effect.fail(decoded.failure);
        const run = decoded.success;
        if (!experiments.has(run.experimentId)) return Effect.fail(notFound("recordRun", run.experimentId));
        const of = runs.get(run.experimentId) ?? new Map<string, VariantRun>();
        of.set(runKey(run), run);
        runs.set(run.experimentId, of);
        return Effect.void;
      }),
    runsOf: (experimentId) => Effect.sync(() => [...(runs.get(experimentId)?.values() ?? [])].sort(compareRuns))
  };
};
