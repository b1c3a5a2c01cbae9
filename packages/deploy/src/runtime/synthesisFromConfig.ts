import { type AlertContext, DEFAULT_PRICE_TABLE, makeRedactor, mergePriceTables, type Redactor, type RouteDecision, routeSpecialists, type Specialist } from "@sre-on-call/core";
import { type Effect, Result } from "effect";
import { type AppConfig, synthesisReserveSeconds } from "../config/AppConfig.js";
import { type Env, StartupError } from "./buildChats.js";
import { modelFromSpec, modelSpecFor } from "./buildModel.js";
import { type InvestigationSettings, OPENAI_PRICE_TABLE, type SynthesisModel } from "./InvestigationRunner.js";

export interface HostSynthesis {
  /** The synthesis model (`agents.master.model` → SRE_ON_CALL_MODEL → defaults.model), when one is configured. */
  readonly synthesisModel?: SynthesisModel;
  /** Redacts builtin and `redaction.patterns` secrets in a report before it is rendered. */
  readonly redactDeep: <A>(value: A) => A;
  /** The same redactor for one text (notices, echoes, logs). */
  readonly redact: (text: string) => string;
  readonly modelSpec: string;
  /** With `investigation.routing: model` and a model: which specialists to dispatch (fail-open to all). */
  readonly route?: (alert: AlertContext, candidates: ReadonlyArray<Specialist>) => Effect.Effect<RouteDecision>;
}

/**
 * The redactor with the builtin patterns and `redaction.patterns`: for reports, the trace archive,
 * incident memory and everything printed. An unusable pattern is a startup error naming it.
 */
export const redactorFromConfig = (config: AppConfig): Redactor => {
  const redactor = makeRedactor(config.redaction.patterns);
  if (Result.isFailure(redactor)) throw new StartupError(redactor.failure.message);
  return redactor.success;
};

/**
 * What `serve` and the Lambda host synthesise with: the model configured for the synthesis call
 * site (the master agent's model, else the environment, else the default) and the redactor with
 * the configured extra patterns. A bad spec or pattern is a startup error naming the key.
 */
export const synthesisFromConfig = (config: AppConfig, env: Env): HostSynthesis => {
  const redactor = redactorFromConfig(config);
  const spec = config.agents.master?.model ?? modelSpecFor(config, env, "synthesis");
  const model = modelFromSpec(spec, env, config.agents.master?.model !== undefined ? "agents.master.model" : "defaults.model (synthesis)");
  const priceTable = mergePriceTables(DEFAULT_PRICE_TABLE, OPENAI_PRICE_TABLE);
  const redact = redactor.redact;
  return {
    ...(model !== undefined && config.investigation.routing === "model"
      ? { route: (alert: AlertContext, candidates: ReadonlyArray<Specialist>) => routeSpecialists(model, alert, candidates, { redact, priceTable }) }
      : {}),
    modelSpec: model === undefined ? "none" : spec,
    redactDeep: redactor.redactDeep,
    redact,
    ...(model !== undefined
      ? { synthesisModel: { model, redact, priceTable } }
      : {})
  };
};

/** The orchestrator's timings from config.yaml; the synthesis reserve follows whether a model synthesises. */
export const investigationSettings = (config: AppConfig, synthesis: Pick<HostSynthesis, "synthesisModel">): InvestigationSettings => ({
  reportAfterSeconds: config.investigation.report_after_seconds,
  synthesisReserveSeconds: synthesisReserveSeconds(config, synthesis.synthesisModel !== undefined),
  hardCutoffSeconds: config.investigation.hard_cutoff_seconds
});
