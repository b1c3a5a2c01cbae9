export type { ClassifierInput } from "./ClassifierInput.js";
export { makeClassifierInput } from "./ClassifierInput.js";
export type { RuleOutcome, Tier1Rule } from "./Tier1Rule.js";
export type { Decision, Tier, Tier1Decision, Tier1Verdict, Verdict } from "./Verdict.js";
export { BUILTIN_RULES } from "./builtinRules.js";
export { hasAlertSignal } from "./signals.js";
export { classifyMessage, classifyTier1, makeGate, mergeRules } from "./gate.js";
export type { Gate, GateOptions, GateRuntime, Tier2Answer, Tier2Classifier } from "./gate.js";
export { modelTier2 } from "./tier2Model.js";
