import type { AgentFailure, AgentResult, AlertContext } from "@sre-on-call/core";
import { Effect } from "effect";
import { type EksSpecialistOptions, makeEksSpecialist } from "./EksSpecialist.js";
import { makeDumpClusterSource } from "./source/DumpClusterSource.js";

/**
 * Investigates `alert` over a `kubectl cluster-info dump --output-directory` tree: what
 * `sre-on-call investigate --cluster-dump DIR` runs. `deadlineMs` bounds the work (default 60 s).
 */
export const analyzeClusterDump = (
  directory: string,
  alert: AlertContext,
  options: EksSpecialistOptions & { readonly deadlineMs?: number } = {}
): Effect.Effect<AgentResult, AgentFailure> =>
  Effect.suspend(() => makeEksSpecialist(makeDumpClusterSource(directory), options).investigate(alert, { deadline: (options.now ?? Date.now)() + (options.deadlineMs ?? 60_000) }));
