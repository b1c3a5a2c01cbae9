export * from "./ChatPlatform.js";
export * from "./ModelPort.js";
export * from "./Specialist.js";
export * from "./DedupStore.js";
export * from "./TraceStore.js";
export * from "./IncidentMemory.js";
export * from "./SecretResolver.js";
export * from "./Telemetry.js";
