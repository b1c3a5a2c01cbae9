import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, McpError, ErrorCode, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";

/*
 * A small MCP server speaking the real protocol, for tests and local trials: over stdio (run
 * `stdioTestMcpServer.ts` with `node --import tsx`) or streamable HTTP on 127.0.0.1. Its
 * tools cover what an adapter must handle: a normal answer, an `isError` answer, a JSON-RPC
 * error, a slow call, mixed content, a name that needs sanitising, and paginated listing.
 */

export const RUNBOOKS: Readonly<Record<string, string>> = {
  payments: "Runbook payments-api: 1. Check the pods' restarts. 2. Check the database connection pool. 3. Roll back the last deploy if errors began with it.",
  checkout: "Runbook checkout: 1. Check the payments dependency. 2. Check the queue depth."
};

const TOOLS: ReadonlyArray<Tool> = [
  {
    name: "runbook_lookup",
    description: "The runbook of a service.",
    inputSchema: { type: "object", properties: { service: { type: "string" } }, required: ["service"] }
  },
  {
    name: "echo",
    description: "Answers its text, repeated `times` times.",
    inputSchema: { type: "object", properties: { text: { type: "string" }, times: { type: "integer" } }, required: ["text"] }
  },
  { name: "fail", description: "Always answers an error result.", inputSchema: { type: "object", properties: {} } },
  { name: "explode", description: "Always fails with a JSON-RPC error.", inputSchema: { type: "object", properties: {} } },
  {
    name: "slow",
    description: "Answers after `ms` milliseconds.",
    inputSchema: { type: "object", properties: { ms: { type: "number" } }, required: ["ms"] }
  },
  { name: "mixed", description: "Answers text, an image and a resource.", inputSchema: { type: "object", properties: {} } },
  { name: "server_info", description: "The server's process id and the MCP_TEST_GREETING it was started with.", inputSchema: { type: "object", properties: {} } },
  { name: "get.status", description: "A tool whose name needs sanitising.", inputSchema: { type: "object", properties: {} } }
];

/** Tools per `tools/list` page, so clients must follow `nextCursor`. */
const PAGE_SIZE = 3;

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: "text", text: t }], ...(isError ? { isError: true } : {}) });

const call = async (name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> => {
  switch (name) {
    case "runbook_lookup": {
      const service = String(args["service"]);
      const runbook = RUNBOOKS[service];
      return runbook === undefined ? text(`no runbook for ${service}`, true) : text(runbook);
    }
    case "echo":
      return text(String(args["text"]).repeat(typeof args["times"] === "number" ? Math.max(1, Math.min(args["times"], 100_000)) : 1));
    case "fail":
      return text("database connection refused", true);
    case "explode":
      throw new McpError(ErrorCode.InternalError, "the runbook index is corrupt");
    case "slow": {
      const ms = Number(args["ms"]);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return text(`slept ${ms} ms`);
    }
    case "mixed":
      return {
        content: [
          { type: "text", text: "graph attached" },
          { type: "image", data: Buffer.from("not really a png").toString("base64"), mimeType: "image/png" },
          { type: "resource", resource: { uri: "runbook://payments", text: "inline runbook", mimeType: "text/plain" } }
        ]
      };
    case "server_info":
      return text(JSON.stringify({ pid: process.pid, greeting: process.env["MCP_TEST_GREETING"] ?? null }));
    case "get.status":
      return text("ok");
    default:
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}`);
  }
};

/**
 * `extraTools` are listed after the fixed ones and answer like `echo`; duplicates are kept, to
 * play a server that lists a name twice.
 */
export const makeTestMcpServer = (extraTools: ReadonlyArray<string> = []): Server => {
  const all: ReadonlyArray<Tool> = [...TOOLS, ...extraTools.map((name) => ({ name, description: `Extra tool ${name}.`, inputSchema: { type: "object" as const, properties: {} } }))];
  const server = new Server({ name: "sre-test-mcp", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const start = request.params?.cursor === undefined ? 0 : Number(request.params.cursor);
    const end = start + PAGE_SIZE;
    return { tools: all.slice(start, end), ...(end < all.length ? { nextCursor: String(end) } : {}) };
  });
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    extraTools.includes(request.params.name) ? text(`extra ${request.params.name}`) : call(request.params.name, request.params.arguments ?? {}, extra.signal)
  );
  return server;
};

export interface TestMcpHttpOptions {
  /** Requests must carry this key, as `Authorization: Bearer <key>` or in `apiKeyHeader`. */
  readonly apiKey?: string;
  /** Lower-case header name for the key; default `authorization` with a Bearer prefix. */
  readonly apiKeyHeader?: string;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TestMcpHttpServer {
  readonly url: string;
  /** Headers of every request, in order. */
  readonly received: () => ReadonlyArray<ReceivedRequest>;
  readonly close: () => Promise<void>;
}

const flatHeaders = (req: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
};

/** The test server over streamable HTTP (stateless) on 127.0.0.1, port chosen by the OS. */
export const startTestMcpHttpServer = async (options: TestMcpHttpOptions = {}): Promise<TestMcpHttpServer> => {
  const received: ReceivedRequest[] = [];
  const http = createServer((req, res) => {
    const headers = flatHeaders(req);
    received.push({ method: req.method ?? "", headers });
    if (options.apiKey !== undefined) {
      const header = options.apiKeyHeader ?? "authorization";
      const expected = header === "authorization" ? `Bearer ${options.apiKey}` : options.apiKey;
      if (headers[header] !== expected) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid api key" }));
        return;
      }
    }
    const server = makeTestMcpServer();
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    received: () => [...received],
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      })
  };
};
