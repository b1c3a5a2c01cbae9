export * from "./EmbeddedStore.js";
export * from "./EmbeddedStoreError.js";
export * from "./EmbeddedDedupStore.js";
export * from "./EmbeddedTraceStore.js";
export * from "./EmbeddedIncidentMemory.js";
export * from "./scopedEmbeddedStore.js";
