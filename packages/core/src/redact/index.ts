export * from "./redactSecrets.js";
export * from "./redactingModel.js";
