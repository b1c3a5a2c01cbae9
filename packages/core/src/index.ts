export * from "./model/index.js";
export * from "./ports/index.js";
export * from "./memory/rankSimilarIncidents.js";
export * from "./util/retryTransient.js";
export * from "./intake/index.js";
export * from "./report/index.js";
export * from "./orchestrate/index.js";
export * from "./classify/index.js";
