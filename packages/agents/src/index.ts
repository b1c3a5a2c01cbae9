export * from "./eks/index.js";
export * from "./chat-history/index.js";
export * from "./incident-history/index.js";
export * from "./prometheus/index.js";
export * from "./cloudwatch-logs/index.js";
