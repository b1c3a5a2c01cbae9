export * from "./verifySlackRequest.js";
export * from "./SlackVerificationError.js";
export * from "./decodeSlackRequest.js";
export * from "./extractSlackText.js";
export * from "./SlackChat.js";
export * from "./describeSlackError.js";
export * from "./slackTs.js";
export type { SlackRequestHeaders } from "./readHeader.js";
export * from "./readSlackBotIdentity.js";
