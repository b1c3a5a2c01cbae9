export * from "./chat/slack/index.js";
export * from "./store/dynamodb/index.js";
export * from "./store/embedded/index.js";
export * from "./chat/console/index.js";
export * from "./chat/discord/index.js";
export * from "./store/aws/index.js";
export * from "./model/openai/index.js";
export * from "./model/bedrock/index.js";
