import { Context } from "effect";
import type { Effect } from "effect";
import type { AgentFailure, AgentResult } from "../model/AgentResult.js";
import type { AlertContext } from "../model/AlertContext.js";
import type { SnapshotSection } from "../model/InvestigationReport.js";
import type { EpochMillis } from "../model/primitives.js";

export interface SpecialistCall {
  /** Absolute time by which the specialist must have answered. */
  readonly deadline: EpochMillis;
}

/**
 * A specialist agent, in-process or remote. It must answer by its deadline; the
 * orchestrator also enforces it, so a specialist that overruns is simply cut off.
 */
export interface Specialist {
  readonly id: string;
  readonly description: string;
  /** A reason to skip this alert (no data source for it, not relevant), or undefined to dispatch. */
  readonly skipReason?: (alert: AlertContext) => string | undefined;
  readonly investigate: (alert: AlertContext, call: SpecialistCall) => Effect.Effect<AgentResult, AgentFailure>;
  readonly snapshot: (call: SpecialistCall) => Effect.Effect<SnapshotSection, AgentFailure>;
}

/** The agents an investigation may use: the enabled ones in report order, and the disabled ids. */
export interface SpecialistsShape {
  readonly enabled: ReadonlyArray<Specialist>;
  readonly disabled: ReadonlyArray<string>;
}

export class Specialists extends Context.Service<Specialists, SpecialistsShape>()("sre-on-call/Specialists") {}
