export { connectMcpServers, checkToolArguments } from "./connectMcpServers.js";
export type { ConnectMcpServersOptions, McpConnection, McpLogger, McpServerSummary } from "./connectMcpServers.js";
export { McpServerError, McpServerErrorReason } from "./McpServerError.js";
export { McpServerOptions } from "./McpServerOptions.js";
export { mcpToolName } from "./mcpToolName.js";
export { makeSigV4Signer } from "./signSigV4.js";
export type { AwsCredentials, RequestToSign, SignRequest, SigV4Options } from "./signSigV4.js";
