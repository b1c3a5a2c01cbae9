export * from "./AgentTool.js";
export * from "./agentPrompt.js";
export * from "./agentAnswer.js";
export * from "./withAgentMode.js";
export * from "./testing/promptInjection.js";
