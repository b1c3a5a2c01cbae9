export * from "./model/index.js";
export * from "./ports/index.js";
export * from "./memory/rankSimilarIncidents.js";
export * from "./util/retryTransient.js";
