import { compilePatternRules, type GateOptions, type ModelPortShape, modelTier2 } from "@sre-on-call/core";
import { Result } from "effect";
import type { AppConfig } from "../config/AppConfig.js";
import { StartupError } from "./buildChats.js";

/**
 * The classification gate as config.yaml sets it: the kill switch, the team's own
 * `classifier.rules` (checked like `config validate` checks them) and tier 2 when a model is given.
 */
export const gateFromConfig = (config: Pick<AppConfig, "classifier">, classifierModel?: ModelPortShape): GateOptions => {
  const rules = compilePatternRules(config.classifier.rules);
  if (Result.isFailure(rules)) throw new StartupError(`${rules.failure.message}; see docs/configuration.md (classifier.rules).`);
  return {
    enabled: config.classifier.enabled,
    ...(rules.success.length > 0 ? { rules: rules.success } : {}),
    ...(classifierModel !== undefined ? { tier2: modelTier2(classifierModel) } : {})
  };
};
