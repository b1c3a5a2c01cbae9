export * from "./eks/index.js";
