import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { makeTestMcpServer } from "./testMcpServer.js";

/*
 * The test MCP server over stdio: `node --import tsx stdioTestMcpServer.ts`. Names in
 * `MCP_TEST_EXTRA_TOOLS` (separated by newlines) are listed as extra tools.
 */

const extra = (process.env["MCP_TEST_EXTRA_TOOLS"] ?? "").split("\n").filter((name) => name !== "");
await makeTestMcpServer(extra).connect(new StdioServerTransport());
