export * from "./DynamoDedupStore.js";
export * from "./ensureDedupTable.js";
export * from "./describeDynamoError.js";
