import {
  activation,
  compareRuns,
  decodeExperiment,
  decodeVariantRun,
  definition,
  type Experiment,
  ExperimentError,
  type ExperimentStoreShape,
  notFound,
  pausing,
  runKey,
  type VariantRun
} from "@sre-on-call/core";
import { Effect, Result } from "effect";
import type { EmbeddedStore } from "./EmbeddedStore.js";

export interface EmbeddedExperimentStoreOptions {
  /** Table name prefix (default `experiment`): tables `<prefix>s`, `<prefix>-active` and `<prefix>-runs`. */
  readonly tablePrefix?: string;
}

const ACTIVE_KEY = "active";

/** Thrown inside a transaction to abort it with a port error; nothing the transaction wrote happens. */
class Refusal {
  constructor(readonly error: ExperimentError) {}
}

/**
 * Experiments in the embedded store: one record per experiment, one `active` record naming the
 * active experiment, and runs keyed `<experiment id>/<investigation>\0<0|1>`. Every change is
 * one store transaction, so activation checks and claims the `active` record atomically.
 */
export const makeEmbeddedExperimentStore = (store: EmbeddedStore, options: EmbeddedExperimentStoreOptions = {}): ExperimentStoreShape => {
  const prefix = options.tablePrefix ?? "experiment";
  const experimentsTable = `${prefix}s`;
  const activeTable = `${prefix}-active`;
  const runsTable = `${prefix}-runs`;

  const attempt = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, ExperimentError> =>
    Effect.tryPromise({
      try: run,
      catch: (e) =>
        e instanceof Refusal
          ? e.error
          : new ExperimentError({ operation, reason: "unavailable", detail: e instanceof Error ? e.message : String(e) })
    });
  const refuse = (error: ExperimentError): never => {
    throw new Refusal(error);
  };
  const unwrap = <A>(r: Result.Result<A, ExperimentError>): A => (Result.isSuccess(r) ? r.success : refuse(r.failure));
  /** A stored record that no longer decodes is reported, never passed on. */
  const stored = (operation: string, raw: unknown): Experiment => unwrap(decodeExperiment(operation, raw));

  return {
    define: (input) =>
      attempt("define", () =>
        store.transact((tx) => {
          const e = unwrap(definition(input));
          const claimed = tx.table<Experiment>(experimentsTable).putIfAbsent(e.id, e);
          if (!claimed.claimed) refuse(new ExperimentError({ operation: "define", reason: "already_exists", detail: `experiment ${e.id} already exists` }));
          return e;
        })
      ),
    get: (id) =>
      attempt("get", () =>
        store.transact((tx) => {
          const raw = tx.table<unknown>(experimentsTable).get(id);
          return raw === undefined ? undefined : stored("get", raw);
        })
      ),
    list: () =>
      attempt("list", () =>
        store.transact((tx) =>
          tx
            .table<unknown>(experimentsTable)
            .scan()
            .map((entry) => stored("list", entry.value))
            .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        )
      ),
    activate: (id, at) =>
      attempt("activate", () =>
        store.transact((tx) => {
          const experiments = tx.table<unknown>(experimentsTable);
          const active = tx.table<string>(activeTable);
          const raw = experiments.get(id);
          const t = unwrap(activation(id, raw === undefined ? undefined : stored("activate", raw), active.get(ACTIVE_KEY), at));
          if (t.changed) {
            experiments.put(id, t.experiment);
            active.put(ACTIVE_KEY, id);
          }
          return t.experiment;
        })
      ),
    pause: (id) =>
      attempt("pause", () =>
        store.transact((tx) => {
          const experiments = tx.table<unknown>(experimentsTable);
          const active = tx.table<string>(activeTable);
          const raw = experiments.get(id);
          const t = unwrap(pausing(id, raw === undefined ? undefined : stored("pause", raw)));
          if (t.changed) experiments.put(id, t.experiment);
          if (active.get(ACTIVE_KEY) === id) active.delete(ACTIVE_KEY);
          return t.experiment;
        })
      ),
    active: () =>
      attempt("active", () =>
        store.transact((tx) => {
          const id = tx.table<string>(activeTable).get(ACTIVE_KEY);
          const raw = id === undefined ? undefined : tx.table<unknown>(experimentsTable).get(id);
          return raw === undefined ? undefined : stored("active", raw);
        })
      ),
    recordRun: (input) =>
      attempt("recordRun", () =>
        store.transact((tx) => {
          const run = unwrap(decodeVariantRun("recordRun", input));
          if (tx.table<unknown>(experimentsTable).get(run.experimentId) === undefined) refuse(notFound("recordRun", run.experimentId));
          tx.table<VariantRun>(runsTable).put(`${run.experimentId}/${runKey(run)}`, run);
        })
      ),
    runsOf: (experimentId) =>
      attempt("runsOf", () =>
        store.transact((tx) =>
          tx
            .table<unknown>(runsTable)
            .scan(`${experimentId}/`)
            .map((entry) => unwrap(decodeVariantRun("runsOf", entry.value)))
            .sort(compareRuns)
        )
      )
  };
};
