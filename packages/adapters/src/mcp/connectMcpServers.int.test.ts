import { fileURLToPath } from "node:url";
import { type AgentTool, TOOL_NAME, type ToolContext, type ToolError, type ToolOutput } from "@sre-on-call/core";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { connectMcpServers, type ConnectMcpServersOptions, type McpConnection } from "./connectMcpServers.js";
import type { McpServerOptions } from "./McpServerOptions.js";
import { mcpToolName } from "./mcpToolName.js";
import { RUNBOOKS, startTestMcpHttpServer, type TestMcpHttpServer } from "./testing/testMcpServer.js";

const SERVER_SCRIPT = fileURLToPath(new URL("./testing/stdioTestMcpServer.ts", import.meta.url));
const API_KEY = "mcp-key-7f3a9c2e5b8d1046";
const LOG: Array<{ level: string; message: string }> = [];
const log: ConnectMcpServersOptions["log"] = {
  warn: (_fields, message) => LOG.push({ level: "warn", message }),
  debug: (_fields, message) => LOG.push({ level: "debug", message })
};

const stdio = (name: string, extra: Partial<McpServerOptions> = {}): McpServerOptions => ({
  name,
  transport: "stdio",
  command: process.execPath,
  args: ["--import", "tsx", SERVER_SCRIPT],
  ...extra
});

const context = (ms = 10_000): ToolContext => ({
  alert: { id: "a1", source: "test", title: "payments 5xx", labels: {}, annotations: {}, startsAt: 0, receivedAt: 0, severity: "critical", raw: {} } as unknown as ToolContext["alert"],
  deadline: Date.now() + ms
});

let connections: McpConnection[] = [];
let servers: TestMcpHttpServer[] = [];
afterEach(async () => {
  await Promise.all(connections.map((c) => Effect.runPromise(c.close)));
  await Promise.all(servers.map((s) => s.close()));
  connections = [];
  servers = [];
  LOG.length = 0;
});

const connect = async (configs: ReadonlyArray<McpServerOptions>, options: Partial<ConnectMcpServersOptions> = {}) => {
  const connection = await Effect.runPromise(connectMcpServers(configs, { env: {}, timeoutMs: 20_000, log, ...options }));
  connections.push(connection);
  return connection;
};
const http = async (options: Parameters<typeof startTestMcpHttpServer>[0] = {}) => {
  const server = await startTestMcpHttpServer(options);
  servers.push(server);
  return server;
};

const tool = (connection: McpConnection, name: string): AgentTool => {
  const found = connection.tools.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tool ${name} in ${connection.tools.map((t) => t.name).join(", ")}`);
  return found;
};
const call = (t: AgentTool, input: unknown, ctx = context()): Promise<ToolOutput> => Effect.runPromise(t.run(input, ctx));
const callFails = (t: AgentTool, input: unknown, ctx = context()): Promise<ToolError> => Effect.runPromise(Effect.flip(t.run(input, ctx)));
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = async (connection: McpConnection, server: string): Promise<number> =>
  (JSON.parse((await call(tool(connection, `${server}__server_info`), {})).text) as { pid: number }).pid;

describe("connectMcpServers over stdio", () => {
  it("lists every page of tools and offers them as AgentTools named <server>__<tool>", async () => {
    const c = await connect([stdio("runbooks")]);
    expect(c.failures).toEqual([]);
    expect(c.tools.map((t) => t.name)).toEqual([
      "runbooks__runbook_lookup",
      "runbooks__echo",
      "runbooks__fail",
      "runbooks__explode",
      "runbooks__slow",
      "runbooks__mixed",
      "runbooks__server_info",
      mcpToolName("runbooks", "get.status")
    ]);
    expect(c.servers).toEqual([{ name: "runbooks", tools: c.tools.map((t) => t.name) }]);
    for (const t of c.tools) {
      expect(t.name).toMatch(TOOL_NAME);
      expect(t.origin).toBe("mcp:runbooks");
    }
    const lookup = tool(c, "runbooks__runbook_lookup");
    expect(lookup.description).toBe("The runbook of a service.");
    expect(lookup.inputSchema).toEqual({ type: "object", properties: { service: { type: "string" } }, required: ["service"] });
    expect(await call(lookup, { service: "payments" })).toEqual({ text: RUNBOOKS["payments"] });
    expect((await call(tool(c, mcpToolName("runbooks", "get.status")), {})).text).toBe("ok");
  });

  it("starts the child with the configured environment", async () => {
    const c = await connect([stdio("env", { env: { MCP_TEST_GREETING: "hello from config" } })]);
    expect(JSON.parse((await call(tool(c, "env__server_info"), undefined)).text)).toMatchObject({ greeting: "hello from config" });
  });

  it("turns an isError result and a JSON-RPC error into ToolError failed", async () => {
    const c = await connect([stdio("rb")]);
    const failed = await callFails(tool(c, "rb__fail"), {});
    expect(failed).toMatchObject({ _tag: "ToolError", tool: "rb__fail", reason: "failed", detail: "database connection refused" });
    const missing = await callFails(tool(c, "rb__runbook_lookup"), { service: "ledger" });
    expect(missing).toMatchObject({ reason: "failed", detail: "no runbook for ledger" });
    const exploded = await callFails(tool(c, "rb__explode"), {});
    expect(exploded.reason).toBe("failed");
    expect(exploded.detail).toContain("the runbook index is corrupt");
  });

  it("rejects arguments that do not fit the tool's schema before sending them", async () => {
    const c = await connect([stdio("rb")]);
    const lookup = tool(c, "rb__runbook_lookup");
    expect(await callFails(lookup, {})).toMatchObject({ reason: "invalid_input", detail: 'missing required argument "service"' });
    expect(await callFails(lookup, "payments")).toMatchObject({ reason: "invalid_input", detail: "the arguments must be a JSON object, not string" });
    expect(await callFails(lookup, [1])).toMatchObject({ reason: "invalid_input" });
    expect(await callFails(lookup, { service: 42 })).toMatchObject({ reason: "invalid_input", detail: 'argument "service" must be string, not integer' });
    expect(await callFails(tool(c, "rb__echo"), { text: "x", times: 1.5 })).toMatchObject({ reason: "invalid_input" });
    expect((await call(tool(c, "rb__echo"), { text: "x", times: 2 })).text).toBe("xx");
  });

  it("answers timeout when a slow tool outlives the deadline, and the server stays usable", async () => {
    const c = await connect([stdio("rb")]);
    const slow = await callFails(tool(c, "rb__slow"), { ms: 30_000 }, context(300));
    expect(slow).toMatchObject({ tool: "rb__slow", reason: "timeout" });
    expect(await callFails(tool(c, "rb__slow"), { ms: 1 }, context(-1))).toMatchObject({ reason: "timeout", detail: "the deadline passed before the call" });
    expect((await call(tool(c, "rb__slow"), { ms: 1 })).text).toBe("slept 1 ms");
  });

  it("caps long answers and summarises content that is not text", async () => {
    const c = await connect([stdio("rb")]);
    const long = await call(tool(c, "rb__echo"), { text: "0123456789", times: 1_000 });
    expect(long.text.startsWith("0123456789".repeat(400))).toBe(true);
    expect(long.text).toContain("[6000 more characters]");
    expect(long.text.length).toBeLessThan(4_100);
    const capped = await connect([stdio("small")], { maxOutputChars: 50 });
    expect((await call(tool(capped, "small__echo"), { text: "ab", times: 100 })).text).toBe(`${"ab".repeat(25)}… [150 more characters]`);
    expect((await call(tool(c, "rb__mixed"), {})).text).toBe("graph attached\n[image image/png, 16 bytes]\n[resource runbook://payments]\ninline runbook");
  });

  it("redacts secrets in answers before a model reads them", async () => {
    const c = await connect([stdio("rb")]);
    const token = "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx";
    const answer = await call(tool(c, "rb__echo"), { text: `token ${token} leaked` });
    expect(answer.text).not.toContain(token);
    expect(answer.text).toContain("[REDACTED]");
  });

  it("answers unavailable once the server process dies mid-investigation", async () => {
    const c = await connect([stdio("rb"), stdio("other")]);
    const pid = await pidOf(c, "rb");
    process.kill(pid, "SIGKILL");
    const error = await callFails(tool(c, "rb__runbook_lookup"), { service: "payments" });
    expect(error).toMatchObject({ tool: "rb__runbook_lookup", reason: "unavailable" });
    expect(error.detail).toContain("rb");
    expect(await callFails(tool(c, "rb__echo"), { text: "again" })).toMatchObject({ reason: "unavailable", detail: "MCP server rb is not running" });
    expect(LOG).toContainEqual({ level: "warn", message: "MCP server rb stopped" });
    expect((await call(tool(c, "other__echo"), { text: "still here" })).text).toBe("still here");
  });

  it("reports a command that does not exist, naming it, and keeps the other servers' tools", async () => {
    const c = await connect([stdio("ghost", { command: "sre-no-such-mcp-server", args: ["--port", "1"] }), stdio("rb")]);
    expect(c.failures).toHaveLength(1);
    const [failure] = c.failures;
    expect(failure).toMatchObject({ _tag: "McpServerError", server: "ghost", reason: "start_failed" });
    expect(failure?.message).toBe('MCP server "ghost": start_failed: command sre-no-such-mcp-server --port 1: the command was not found (ENOENT)');
    expect(c.tools.every((t) => t.origin === "mcp:rb")).toBe(true);
    expect((await call(tool(c, "rb__echo"), { text: "hi" })).text).toBe("hi");
    expect(LOG.some((l) => l.level === "warn" && l.message.includes("ghost"))).toBe(true);
  });

  it("reports a server that exits before the handshake with its stderr, and one that never answers as a timeout", async () => {
    const c = await connect(
      [
        { name: "crashy", transport: "stdio", command: process.execPath, args: ["-e", "console.error('fatal: RUNBOOK_DIR is not set'); process.exit(3)"] },
        { name: "mute", transport: "stdio", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"], timeout_ms: 500 }
      ],
      { timeoutMs: 10_000 }
    );
    const crashy = c.failures.find((f) => f.server === "crashy");
    expect(crashy?.reason).toBe("connect_failed");
    expect(crashy?.detail).toContain("fatal: RUNBOOK_DIR is not set");
    expect(crashy?.detail).toContain(`command ${process.execPath} -e`);
    expect(c.failures.find((f) => f.server === "mute")).toMatchObject({ reason: "timeout" });
    expect(c.tools).toEqual([]);
  });

  it("reports entries that cannot work without starting anything", async () => {
    const c = await connect([
      { name: "nocmd", transport: "stdio" },
      { name: "nourl", transport: "http" },
      { name: "badurl", transport: "http", url: "not a url" },
      { name: "ftp", transport: "http", url: "ftp://files.example.com/mcp" },
      { name: "nokey", transport: "http", url: "http://127.0.0.1:9/mcp", auth: "api_key" },
      stdio("dup"),
      stdio("dup")
    ]);
    expect(c.failures.map((f) => [f.server, f.reason])).toEqual([
      ["nocmd", "invalid_config"],
      ["nourl", "invalid_config"],
      ["badurl", "invalid_config"],
      ["ftp", "invalid_config"],
      ["nokey", "invalid_config"],
      ["dup", "invalid_config"]
    ]);
    expect(c.failures[0]?.detail).toContain("command");
    expect(c.failures[5]?.detail).toContain("same name");
    expect(c.servers.map((s) => s.name)).toEqual(["dup"]);
  });

  it("offers only the allow-listed tools", async () => {
    const c = await connect([stdio("rb", { tools: ["runbook_lookup", "echo", "not_there"] })]);
    expect(c.tools.map((t) => t.name)).toEqual(["rb__runbook_lookup", "rb__echo"]);
    expect(LOG.some((l) => l.message.includes("not_there"))).toBe(true);
  });

  it("reports tools whose names collide and keeps the first", async () => {
    const long = "runbook_".repeat(8);
    // Two distinct long names that shorten to the same prefix and whose 32-bit hashes collide.
    const [a, b] = [`${long}18996`, `${long}1520430`];
    expect(mcpToolName("ops", a)).toBe(mcpToolName("ops", b));
    const c = await connect([stdio("ops", { env: { MCP_TEST_EXTRA_TOOLS: [a, b, "twice", "twice"].join("\n") }, tools: [a, b, "twice"] })]);
    expect(c.tools.map((t) => t.name)).toEqual([mcpToolName("ops", a), "ops__twice"]);
    expect(c.failures.map((f) => f.reason)).toEqual(["tool_name_collision", "tool_name_collision"]);
    expect(c.failures[0]?.detail).toContain(b);
    expect((await call(tool(c, mcpToolName("ops", a)), {})).text).toBe(`extra ${a}`);
  });

  it("close() stops every child process and later calls answer unavailable", async () => {
    const c = await connect([stdio("one"), stdio("two")]);
    const pids = [await pidOf(c, "one"), await pidOf(c, "two")];
    expect(pids.every(isRunning)).toBe(true);
    await Effect.runPromise(c.close);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(await callFails(tool(c, "one__echo"), { text: "x" })).toMatchObject({ reason: "unavailable" });
    await Effect.runPromise(c.close);
  });
});

describe("connectMcpServers over streamable HTTP", () => {
  it("connects without auth and calls tools", async () => {
    const server = await http();
    const c = await connect([{ name: "web", transport: "http", url: server.url }]);
    expect(c.failures).toEqual([]);
    expect(c.tools).toHaveLength(8);
    expect((await call(tool(c, "web__runbook_lookup"), { service: "checkout" })).text).toBe(RUNBOOKS["checkout"]);
    expect(await callFails(tool(c, "web__fail"), {})).toMatchObject({ reason: "failed" });
    expect(await callFails(tool(c, "web__slow"), { ms: 30_000 }, context(300))).toMatchObject({ reason: "timeout" });
  });

  it("sends the API key from the named environment variable as a bearer token", async () => {
    const server = await http({ apiKey: API_KEY });
    const c = await connect([{ name: "gw", transport: "http", url: server.url, auth: "api_key", api_key_env: "GW_KEY" }], { env: { GW_KEY: API_KEY } });
    expect(c.failures).toEqual([]);
    expect((await call(tool(c, "gw__echo"), { text: "authorised" })).text).toBe("authorised");
    expect(server.received().every((r) => r.headers["authorization"] === `Bearer ${API_KEY}`)).toBe(true);
  });

  it("sends the key in a configured header", async () => {
    const server = await http({ apiKey: API_KEY, apiKeyHeader: "x-api-key" });
    const c = await connect([{ name: "gw", transport: "http", url: server.url, auth: "api_key", api_key_env: "GW_KEY", api_key_header: "X-Api-Key" }], { env: { GW_KEY: API_KEY } });
    expect(c.failures).toEqual([]);
    expect(server.received()[0]?.headers["x-api-key"]).toBe(API_KEY);
  });

  it("reports a wrong or missing key clearly, without the key", async () => {
    const server = await http({ apiKey: API_KEY });
    const wrong = "mcp-key-wrong-0000000000";
    const c = await connect(
      [
        { name: "wrong", transport: "http", url: `${server.url}?token=${wrong}`, auth: "api_key", api_key_env: "WRONG_KEY" },
        { name: "none", transport: "http", url: server.url },
        { name: "unset", transport: "http", url: server.url, auth: "api_key", api_key_env: "UNSET_KEY" }
      ],
      { env: { WRONG_KEY: wrong } }
    );
    expect(c.failures.map((f) => [f.server, f.reason])).toEqual([
      ["wrong", "unauthorized"],
      ["none", "unauthorized"],
      ["unset", "invalid_config"]
    ]);
    expect(c.failures[0]?.message).toBe(`MCP server "wrong": unauthorized: url ${server.url}: the server refused the credentials (HTTP 401)`);
    expect(c.failures[2]?.detail).toContain("UNSET_KEY");
    for (const f of c.failures) {
      expect(f.message).not.toContain(wrong);
      expect(f.message).not.toContain(API_KEY);
    }
    expect(LOG.map((l) => l.message).join("\n")).not.toContain(wrong);
  });

  it("signs every request with SigV4 for auth iam", async () => {
    const server = await http();
    const env = { AWS_ACCESS_KEY_ID: "AKIDTESTMCP0000000000", AWS_SECRET_ACCESS_KEY: "testSecretKey/0123456789abcdefghijklmnopqrs", AWS_SESSION_TOKEN: "test-session-token", AWS_REGION: "eu-west-1" };
    const c = await connect([{ name: "agentcore", transport: "http", url: server.url, auth: "iam" }], { env });
    expect(c.failures).toEqual([]);
    expect((await call(tool(c, "agentcore__echo"), { text: "signed" })).text).toBe("signed");
    const posts = server.received().filter((r) => r.method === "POST");
    expect(posts.length).toBeGreaterThanOrEqual(3);
    const host = new URL(server.url).host;
    for (const { headers } of posts) {
      const match = /^AWS4-HMAC-SHA256 Credential=AKIDTESTMCP0000000000\/(\d{8})\/eu-west-1\/bedrock-agentcore\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(headers["authorization"] ?? "");
      expect(match, headers["authorization"]).not.toBeNull();
      expect(match?.[2]?.split(";")).toEqual(expect.arrayContaining(["host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "content-type"]));
      expect(headers["host"]).toBe(host);
      expect(headers["x-amz-date"]?.slice(0, 8)).toBe(match?.[1]);
      expect(headers["x-amz-security-token"]).toBe("test-session-token");
    }
  });

  it("uses an injected signer with the server's region and service", async () => {
    const server = await http();
    const targets: unknown[] = [];
    const c = await connect([{ name: "gw", transport: "http", url: server.url, auth: "iam", region: "us-west-2", service: "execute-api" }], {
      sign: (target) => {
        targets.push(target);
        return (request) => Promise.resolve({ ...request.headers, authorization: `custom ${request.method}` });
      }
    });
    expect(c.failures).toEqual([]);
    expect(targets).toEqual([{ server: "gw", region: "us-west-2", service: "execute-api" }]);
    expect(server.received()[0]?.headers["authorization"]).toBe("custom POST");
  });

  it("reports iam without credentials or region, and credentials that cannot be loaded", async () => {
    const server = await http();
    const missing = await connect([
      { name: "noregion", transport: "http", url: server.url, auth: "iam" },
      { name: "nocreds", transport: "http", url: server.url, auth: "iam", region: "eu-west-1" }
    ]);
    expect(missing.failures.map((f) => [f.server, f.reason])).toEqual([
      ["noregion", "invalid_config"],
      ["nocreds", "invalid_config"]
    ]);
    expect(missing.failures[0]?.detail).toContain("region");
    expect(missing.failures[1]?.detail).toContain("no AWS credentials");
    const broken = await connect([{ name: "broken", transport: "http", url: server.url, auth: "iam", region: "eu-west-1" }], {
      credentials: () => Promise.reject(new Error("no web identity token file"))
    });
    expect(broken.failures).toHaveLength(1);
    expect(broken.failures[0]?.reason).toBe("connect_failed");
    expect(broken.failures[0]?.detail).toContain("SigV4 signing failed: no web identity token file");
    expect(server.received()).toEqual([]);
  });

  it("reports an unreachable URL and answers unavailable when the server goes away later", async () => {
    const server = await http();
    const gone = await http();
    const goneUrl = gone.url;
    await gone.close();
    const c = await connect([
      { name: "web", transport: "http", url: server.url },
      { name: "down", transport: "http", url: goneUrl }
    ]);
    expect(c.failures).toHaveLength(1);
    expect(c.failures[0]).toMatchObject({ server: "down", reason: "connect_failed" });
    expect(c.failures[0]?.detail).toContain(`url ${goneUrl}`);
    expect(c.failures[0]?.detail).toContain("ECONNREFUSED");
    await server.close();
    expect(await callFails(tool(c, "web__echo"), { text: "x" })).toMatchObject({ reason: "unavailable" });
  });
});
