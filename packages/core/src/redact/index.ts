export * from "./redactSecrets.js";
export * from "./redactingModel.js";
export * from "./makeRedactor.js";
