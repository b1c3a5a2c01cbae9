export * from "./redactSecrets.js";
export * from "./redactingModel.js";
export * from "./makeRedactor.js";
export * from "./redactingTraceStore.js";
export * from "./redactingIncidentMemory.js";
