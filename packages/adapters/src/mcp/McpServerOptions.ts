import { Schema } from "effect";

/**
 * One MCP server as an agent's `mcp_servers` entry in `config.yaml` declares it. The first
 * seven keys are the ones `AppConfig.McpServerConfig` already decodes; the rest are optional
 * additions this adapter understands.
 */
export const McpServerOptions = Schema.Struct({
  name: Schema.String,
  transport: Schema.Literals(["stdio", "http"]),
  /** stdio: the executable, looked up on PATH. */
  command: Schema.optionalKey(Schema.String),
  args: Schema.optionalKey(Schema.Array(Schema.String)),
  /** http: the streamable-HTTP endpoint, e.g. `https://gateway.example.com/mcp`. */
  url: Schema.optionalKey(Schema.String),
  /** http: `none` (default), `api_key` (read from `api_key_env`) or `iam` (SigV4-signed requests). */
  auth: Schema.optionalKey(Schema.Literals(["none", "api_key", "iam"])),
  /** The environment variable holding the API key; its value is never logged. */
  api_key_env: Schema.optionalKey(Schema.String),
  /** The header carrying the key. Default `Authorization`, sent as `Bearer <key>`; any other header gets the bare key. */
  api_key_header: Schema.optionalKey(Schema.String),
  /** stdio: extra environment for the child. Only PATH, HOME and a few basics are inherited otherwise. */
  env: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** stdio: working directory of the child. */
  cwd: Schema.optionalKey(Schema.String),
  /** iam: the region to sign for. Default `AWS_REGION` / `AWS_DEFAULT_REGION`. */
  region: Schema.optionalKey(Schema.String),
  /** iam: the service to sign for. Default `bedrock-agentcore` (an AgentCore gateway). */
  service: Schema.optionalKey(Schema.String),
  /** Time to start, connect and list tools. Default the caller's `timeoutMs`. */
  timeout_ms: Schema.optionalKey(Schema.Number.pipe(Schema.check(Schema.isFinite(), Schema.isGreaterThan(0)))),
  /** Only these tools (by the server's own names) are offered; default all. */
  tools: Schema.optionalKey(Schema.Array(Schema.String))
});
export type McpServerOptions = typeof McpServerOptions.Type;
