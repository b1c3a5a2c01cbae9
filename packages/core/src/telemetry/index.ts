export * from "./tracedModel.js";
