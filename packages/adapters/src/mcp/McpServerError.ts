import { Schema } from "effect";

/** Why an MCP server's tools are missing (or one of them is). */
export const McpServerErrorReason = Schema.Literals([
  /** The entry is incomplete or contradictory (no command, bad URL, no key in the environment…). */
  "invalid_config",
  /** The stdio command could not be started. */
  "start_failed",
  /** The server did not complete the MCP handshake. */
  "connect_failed",
  /** The server refused the credentials (HTTP 401/403). */
  "unauthorized",
  /** `tools/list` failed or answered nonsense. */
  "list_failed",
  /** Starting, connecting and listing took longer than allowed. */
  "timeout",
  /** A tool's name, once prefixed and sanitised, equals another tool's; the later one is left out. */
  "tool_name_collision"
]);
export type McpServerErrorReason = typeof McpServerErrorReason.Type;

export class McpServerError extends Schema.TaggedError<McpServerError>()("McpServerError", {
  server: Schema.String,
  reason: McpServerErrorReason,
  /** Names the command or URL and the cause; never a secret. */
  detail: Schema.String
}) {
  override get message(): string {
    return `MCP server ${JSON.stringify(this.server)}: ${this.reason}: ${this.detail}`;
  }
}
