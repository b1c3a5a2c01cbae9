import { Result } from "effect";
import { decodeUnknown } from "../model/decode.js";
import { Experiment, ExperimentError, VariantRun } from "./Experiment.js";

/*
 * The state machine every ExperimentStore adapter applies inside its own atomic step:
 * defined → active ⇄ paused, with at most one experiment active.
 */

const decodeExperimentResult = decodeUnknown(Experiment, "experiment");
const decodeRunResult = decodeUnknown(VariantRun, "experiment run");

/** Decodes an experiment, failing with an `invalid` ExperimentError that names the problem. */
export const decodeExperiment = (operation: string, input: unknown): Result.Result<Experiment, ExperimentError> =>
  Result.mapError(decodeExperimentResult(input), (e) => new ExperimentError({ operation, reason: "invalid", detail: e.message }));

export const decodeVariantRun = (operation: string, input: unknown): Result.Result<VariantRun, ExperimentError> =>
  Result.mapError(decodeRunResult(input), (e) => new ExperimentError({ operation, reason: "invalid", detail: e.message }));

export const notFound = (operation: string, id: string): ExperimentError =>
  new ExperimentError({ operation, reason: "not_found", detail: `no experiment ${JSON.stringify(id.slice(0, 100))}` });

export const anotherActive = (id: string, activeId: string): ExperimentError =>
  new ExperimentError({
    operation: "activate",
    reason: "another_active",
    detail: `cannot activate ${id}: experiment ${activeId} is active; pause it first`,
    activeId
  });

export interface Transition {
  readonly experiment: Experiment;
  /** False when the call changes nothing (activating the active one, pausing a paused one). */
  readonly changed: boolean;
}

/** What activating `target` does, given the id the store records as active. */
export const activation = (id: string, target: Experiment | undefined, activeId: string | undefined, at: number): Result.Result<Transition, ExperimentError> => {
  if (target === undefined) return Result.fail(notFound("activate", id));
  if (activeId !== undefined && activeId !== id) return Result.fail(anotherActive(id, activeId));
  if (activeId === id && target.state === "active") return Result.succeed({ experiment: target, changed: false });
  return Result.succeed({ experiment: { ...target, state: "active", activatedAt: at }, changed: true });
};

/** What pausing `target` does. A defined experiment that never ran cannot be paused. */
export const pausing = (id: string, target: Experiment | undefined): Result.Result<Transition, ExperimentError> => {
  if (target === undefined) return Result.fail(notFound("pause", id));
  if (target.state === "paused") return Result.succeed({ experiment: target, changed: false });
  if (target.state === "defined") return Result.fail(new ExperimentError({ operation: "pause", reason: "invalid", detail: `experiment ${id} is not active` }));
  return Result.succeed({ experiment: { ...target, state: "paused" }, changed: true });
};

/** A new experiment always starts `defined`, whatever the caller said. */
export const definition = (input: Experiment): Result.Result<Experiment, ExperimentError> =>
  Result.map(decodeExperiment("define", input), (e) => ({
    id: e.id,
    name: e.name,
    ...(e.description !== undefined ? { description: e.description } : {}),
    control: e.control,
    treatment: e.treatment,
    mode: e.mode,
    state: "defined" as const,
    createdAt: e.createdAt
  }));
