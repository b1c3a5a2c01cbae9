export { makeChatHistorySpecialist, type ChatHistoryAgentId, type ChatHistorySpecialistOptions } from "./ChatHistorySpecialist.js";
export { analyzeHistory, type ChannelRead, type HistoryAnalysis, type HistoryInput } from "./correlate/analyzeHistory.js";
export { discordMessageLink, messageLinker, type MessageLinker, type MessageLinkOptions, normalizeWorkspaceUrl, slackMessageLink } from "./messageLink.js";
export { ChatHistoryDataSource, chatHistoryConfig, type ChatHistoryConfig } from "./chatHistoryConfig.js";
