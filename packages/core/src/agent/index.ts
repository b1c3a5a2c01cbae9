export * from "./AgentTool.js";
