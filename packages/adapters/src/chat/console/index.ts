export * from "./ConsoleChat.js";
export * from "./terminalSafe.js";
