export * from "./primitives.js";
export * from "./AlertContext.js";
export * from "./Finding.js";
export * from "./Hypothesis.js";
export * from "./AgentResult.js";
export * from "./InvestigationReport.js";
export * from "./CommandRequest.js";
export * from "./decode.js";
