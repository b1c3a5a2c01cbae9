export * from "./verifyDiscordRequest.js";
export * from "./decodeDiscordInteraction.js";
export * from "./DiscordChat.js";
export * from "./DiscordInteractionResponder.js";
export * from "./splitDiscordContent.js";
export * from "./neutraliseBroadcastMentions.js";
export * from "./snowflake.js";
export { discordMessageText } from "./DiscordMessage.js";
export type { DiscordRestOptions } from "./discordRest.js";
