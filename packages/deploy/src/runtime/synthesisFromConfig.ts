import { makeRedactor, mergePriceTables, DEFAULT_PRICE_TABLE } from "@sre-on-call/core";
import { Result } from "effect";
import type { AppConfig } from "../config/AppConfig.js";
import { type Env, StartupError } from "./buildChats.js";
import { modelFromSpec, modelSpecFor } from "./buildModel.js";
import { OPENAI_PRICE_TABLE, type SynthesisModel } from "./InvestigationRunner.js";

export interface HostSynthesis {
  /** The synthesis model (`agents.master.model` → SRE_ON_CALL_MODEL → defaults.model), when one is configured. */
  readonly synthesisModel?: SynthesisModel;
  /** Redacts builtin and `redaction.patterns` secrets in a report before it is rendered. */
  readonly redactDeep: <A>(value: A) => A;
  readonly modelSpec: string;
}

/**
 * What `serve` and the Lambda host synthesise with: the model configured for the synthesis call
 * site (the master agent's model, else the environment, else the default) and the redactor with
 * the configured extra patterns. A bad spec or pattern is a startup error naming the key.
 */
export const synthesisFromConfig = (config: AppConfig, env: Env): HostSynthesis => {
  const redactor = makeRedactor(config.redaction.patterns);
  if (Result.isFailure(redactor)) throw new StartupError(redactor.failure.message);
  const spec = config.agents.master?.model ?? modelSpecFor(config, env, "synthesis");
  const model = modelFromSpec(spec, env, config.agents.master?.model !== undefined ? "agents.master.model" : "defaults.model (synthesis)");
  return {
    modelSpec: model === undefined ? "none" : spec,
    redactDeep: redactor.success.redactDeep,
    ...(model !== undefined
      ? { synthesisModel: { model, redact: redactor.success.redact, priceTable: mergePriceTables(DEFAULT_PRICE_TABLE, OPENAI_PRICE_TABLE) } }
      : {})
  };
};
