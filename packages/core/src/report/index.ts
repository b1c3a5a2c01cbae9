export * from "./buildReport.js";
export * from "./rankHypotheses.js";
export * from "./severityFromLabel.js";
export * from "./synthesize.js";
