export * from "./runInvestigation.js";
