export * from "./runInvestigation.js";
export * from "./takeSnapshot.js";
