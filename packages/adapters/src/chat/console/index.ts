export * from "./ConsoleChat.js";
