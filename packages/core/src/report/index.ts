export * from "./buildReport.js";
export * from "./rankHypotheses.js";
export * from "./severityFromLabel.js";
export * from "./synthesize.js";
export * from "./synthesisPrompt.js";
export * from "./synthesizeWithModel.js";
export * from "./routeSpecialists.js";
