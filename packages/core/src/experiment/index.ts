export * from "./Experiment.js";
export * from "./transitions.js";
export * from "./summarizeRun.js";
export * from "./pairRuns.js";
export * from "./judgePair.js";
export * from "./summarizeExperiment.js";
