import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { type AgentTool, redactSecrets, ToolError, type ToolOutput } from "@sre-on-call/core";
import { Clock, Effect } from "effect";
import { McpServerError, type McpServerErrorReason } from "./McpServerError.js";
import type { McpServerOptions } from "./McpServerOptions.js";
import { mcpToolName } from "./mcpToolName.js";
import { type AwsCredentials, makeSigV4Signer, type SignRequest } from "./signSigV4.js";

export interface McpLogger {
  readonly warn: (fields: Record<string, unknown>, message: string) => void;
  readonly debug: (fields: Record<string, unknown>, message: string) => void;
}

export interface ConnectMcpServersOptions {
  /** Where `api_key_env`, `AWS_REGION` and (without `credentials`) the AWS keys are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Per server: starting, the handshake and listing tools together. A server's `timeout_ms` overrides it. */
  readonly timeoutMs: number;
  /** Longest single tool call, whatever the caller's deadline. Default 60 000 ms. */
  readonly callTimeoutMs?: number;
  /** Longest tool answer a model reads. Default 4 000 characters. */
  readonly maxOutputChars?: number;
  readonly log?: McpLogger;
  /** AWS credentials for `auth: iam`, e.g. `fromNodeProviderChain()`. Default the `AWS_*` keys of `env`. */
  readonly credentials?: () => Promise<AwsCredentials>;
  /** The SigV4 signer for `auth: iam`. Default a node:crypto SigV4 signer using `credentials`. */
  readonly sign?: (target: { readonly server: string; readonly region: string; readonly service: string }) => SignRequest;
  /** The `fetch` of HTTP transports. Default Node's. */
  readonly fetch?: typeof globalThis.fetch;
}

export interface McpServerSummary {
  readonly name: string;
  /** The names models see, in the server's order. */
  readonly tools: ReadonlyArray<string>;
}

export interface McpConnection {
  /** Every tool of every server that connected, named `<server>__<tool>`. */
  readonly tools: ReadonlyArray<AgentTool>;
  /** Servers (or single tools) left out, and why. */
  readonly failures: ReadonlyArray<McpServerError>;
  readonly servers: ReadonlyArray<McpServerSummary>;
  /** Closes every transport and stops every stdio child. Idempotent. */
  readonly close: Effect.Effect<void>;
}

const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 4_000;
const MAX_LIST_PAGES = 100;
const STDERR_TAIL = 2_000;
const MAX_DETAIL = 600;
/** Shorter values (`info`, `1`) would mangle every message that happens to contain them. */
const MIN_SECRET = 6;

/** A server that answered: what a tool needs to call it. */
interface Live {
  readonly name: string;
  readonly client: Client;
  readonly scrub: (text: string) => string;
  alive: boolean;
  /** Why it stopped, for the `unavailable` a later call answers. */
  exit: string;
  closing: boolean;
}

interface Connected {
  readonly live: Live;
  readonly tools: ReadonlyArray<Tool>;
}

type Attempt = { readonly ok: true; readonly value: Connected } | { readonly ok: false; readonly error: McpServerError };

/** Replaces every known secret value, then the generic patterns; caps the length. */
const makeScrub =
  (secrets: ReadonlyArray<string>) =>
  (text: string): string => {
    let out = text;
    for (const secret of secrets) if (secret.length >= MIN_SECRET) out = out.split(secret).join("[REDACTED]");
    return redactSecrets(out);
  };

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`);

const errorText = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: unknown }).cause;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? ` (${String((cause as { code: unknown }).code)})` : "";
  return `${e.message}${code}`;
};

const systemCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string" ? (e as { code: string }).code : undefined;

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The URL without credentials, query or fragment: safe to show. */
const showUrl = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`;

const quoteCommand = (command: string, args: ReadonlyArray<string>): string => [command, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(" ");

const headersOf = (init: RequestInit | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    out[name] = value;
  });
  return out;
};

/** A `fetch` that signs every request; `host` is signed but left to fetch to send. */
const signingFetch =
  (base: typeof globalThis.fetch, sign: SignRequest): typeof globalThis.fetch =>
  async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === "string" ? init.body : undefined;
    let headers: Record<string, string>;
    try {
      headers = await sign({ method: init?.method ?? "GET", url, headers: headersOf(init), body });
    } catch (e) {
      throw new Error(`SigV4 signing failed: ${errorText(e)}`);
    }
    delete headers["host"];
    return base(url, { ...init, headers });
  };

const envCredentials = (env: ConnectMcpServersOptions["env"]): (() => Promise<AwsCredentials>) | undefined => {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (accessKeyId === undefined || accessKeyId === "" || secretAccessKey === undefined || secretAccessKey === "") return undefined;
  const sessionToken = env["AWS_SESSION_TOKEN"];
  return () => Promise.resolve({ accessKeyId, secretAccessKey, ...(sessionToken !== undefined && sessionToken !== "" ? { sessionToken } : {}) });
};

interface Plan {
  readonly target: string;
  /** Credentials: never shown anywhere. */
  readonly secrets: ReadonlyArray<string>;
  /** Values given to a child's environment: kept out of failure details (a crashing child may print them), not out of answers. */
  readonly envValues?: ReadonlyArray<string>;
  readonly transport: () => Transport;
  readonly stderr?: (transport: Transport) => Readable | null;
}

/** Checks one entry and says how to reach it, or why it cannot be reached. */
const planFor = (config: McpServerOptions, options: ConnectMcpServersOptions): Plan | string => {
  if (config.transport === "stdio") {
    if (config.command === undefined || config.command.trim() === "") return "transport stdio needs a `command`";
    if (config.url !== undefined) return "transport stdio takes a `command`, not a `url`";
    const { command } = config;
    const args = [...(config.args ?? [])];
    const env = { ...(config.env ?? {}) };
    return {
      target: `command ${quoteCommand(command, args)}`,
      secrets: [],
      envValues: Object.values(env),
      transport: () => new StdioClientTransport({ command, args, env, stderr: "pipe", ...(config.cwd !== undefined ? { cwd: config.cwd } : {}) }),
      stderr: (transport) => (transport as StdioClientTransport).stderr as Readable | null
    };
  }
  if (config.url === undefined) return "transport http needs a `url`";
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    return "the `url` is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the url ${showUrl(url)} is not http(s)`;
  if (config.command !== undefined) return "transport http takes a `url`, not a `command`";
  const target = `url ${showUrl(url)}`;
  // A URL may carry a token in its password or query; those never reach a message either.
  const urlSecrets = [safeDecode(url.password), ...url.searchParams.values()].filter((v) => v.length >= MIN_SECRET);
  const baseFetch = options.fetch ?? globalThis.fetch;
  const auth = config.auth ?? "none";
  if (auth === "none") return { target, secrets: urlSecrets, transport: () => new StreamableHTTPClientTransport(url, { fetch: baseFetch }) };
  if (auth === "api_key") {
    if (config.api_key_env === undefined || config.api_key_env === "") return `${target}: auth api_key needs \`api_key_env\`, the environment variable holding the key`;
    const key = options.env[config.api_key_env];
    if (key === undefined || key === "") return `${target}: the environment variable ${config.api_key_env} (api_key_env) is not set`;
    const header = config.api_key_header ?? "Authorization";
    const value = header.toLowerCase() === "authorization" ? `Bearer ${key}` : key;
    try {
      new Headers({ [header]: value });
    } catch {
      return `${target}: ${JSON.stringify(header.slice(0, 60))} (api_key_header) with the key from ${config.api_key_env} is not a valid HTTP header`;
    }
    return { target, secrets: [key, ...urlSecrets], transport: () => new StreamableHTTPClientTransport(url, { fetch: baseFetch, requestInit: { headers: { [header]: value } } }) };
  }
  const region = config.region ?? options.env["AWS_REGION"] ?? options.env["AWS_DEFAULT_REGION"];
  if (region === undefined || region === "") return `${target}: auth iam needs a \`region\` (or AWS_REGION)`;
  const service = config.service ?? "bedrock-agentcore";
  let sign: SignRequest;
  const secrets: string[] = [...urlSecrets];
  if (options.sign !== undefined) sign = options.sign({ server: config.name, region, service });
  else {
    const credentials = options.credentials ?? envCredentials(options.env);
    if (credentials === undefined) return `${target}: auth iam found no AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`;
    for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
      const value = options.env[name];
      if (value !== undefined && value !== "") secrets.push(value);
    }
    sign = makeSigV4Signer({ region, service, credentials });
  }
  return { target, secrets, transport: () => new StreamableHTTPClientTransport(url, { fetch: signingFetch(baseFetch, sign) }) };
};

/** Why the start, handshake or listing failed, as a reason and a cause a person can act on. */
const classify = (e: unknown, stage: "connect" | "list", timeoutMs: number): { reason: McpServerErrorReason; cause: string } => {
  const code = systemCode(e);
  if (code === "ENOENT") return { reason: "start_failed", cause: "the command was not found (ENOENT)" };
  if (code === "EACCES") return { reason: "start_failed", cause: "the command is not executable (EACCES)" };
  if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) return { reason: "timeout", cause: `no answer within ${timeoutMs} ms` };
  if (e instanceof StreamableHTTPError && (e.code === 401 || e.code === 403))
    return { reason: "unauthorized", cause: `the server refused the credentials (HTTP ${e.code})` };
  if (e instanceof McpError && e.code === ErrorCode.ConnectionClosed) return { reason: stage === "connect" ? "connect_failed" : "list_failed", cause: "the server closed the connection" };
  return { reason: stage === "connect" ? "connect_failed" : "list_failed", cause: errorText(e) };
};

const listAll = async (client: Client, signal: AbortSignal, remaining: () => number): Promise<ReadonlyArray<Tool>> => {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, { signal, timeout: remaining() });
    tools.push(...result.tools);
    if (result.nextCursor === undefined) return tools;
    if (seen.has(result.nextCursor)) throw new Error(`tools/list repeated the cursor ${JSON.stringify(result.nextCursor.slice(0, 40))}`);
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  throw new Error(`tools/list did not end after ${MAX_LIST_PAGES} pages`);
};

const connectOne = async (config: McpServerOptions, options: ConnectMcpServersOptions, signal: AbortSignal): Promise<Attempt> => {
  const fail = (reason: McpServerErrorReason, detail: string): Attempt => ({ ok: false, error: new McpServerError({ server: config.name, reason, detail: clip(detail, MAX_DETAIL) }) });
  const plan = planFor(config, options);
  if (typeof plan === "string") return fail("invalid_config", plan);
  const scrub = makeScrub(plan.secrets);
  const scrubDetail = makeScrub([...plan.secrets, ...(plan.envValues ?? [])]);
  const timeoutMs = config.timeout_ms ?? options.timeoutMs;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const transport = plan.transport();
  const client = new Client({ name: "sre-on-call", version: "0.1.0" }, { capabilities: {} });
  const live: Live = { name: config.name, client, scrub, alive: false, exit: "", closing: false };
  let stderr = "";
  const closeQuietly = () => client.close().catch(() => undefined);
  const onAbort = () => void closeQuietly();
  signal.addEventListener("abort", onAbort);
  // The whole attempt is bounded, whether or not the SDK's own request timeouts apply (a child that never spawns, a hung fetch).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), timeoutMs);
  });
  let stage: "connect" | "list" = "connect";
  const work = (async () => {
    const started = client.connect(transport, { signal, timeout: remaining() });
    plan.stderr?.(transport)?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    await started;
    stage = "list";
    return listAll(client, signal, remaining);
  })();
  try {
    const outcome = await Promise.race([work, expired]);
    if (outcome === "expired") {
      work.catch(() => undefined);
      await closeQuietly();
      return fail("timeout", `${plan.target}: no tool list within ${timeoutMs} ms`);
    }
    live.alive = true;
    client.onclose = () => {
      if (live.alive && !live.closing) {
        live.exit = stderr.trim() === "" ? "" : `; its last output: ${scrubDetail(stderr.trim().slice(-300))}`;
        options.log?.warn({ server: config.name }, `MCP server ${config.name} stopped`);
      }
      live.alive = false;
    };
    return { ok: true, value: { live, tools: outcome } };
  } catch (e) {
    await closeQuietly();
    const { reason, cause } = classify(e, stage, timeoutMs);
    const tail = stderr.trim() === "" ? "" : `; stderr: ${stderr.trim().slice(-300)}`;
    return fail(reason, scrubDetail(`${plan.target}: ${cause}${tail}`));
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
};

const jsonType = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;

const typeMatches = (expected: unknown, value: unknown): boolean => {
  const types = Array.isArray(expected) ? expected : [expected];
  if (!types.every((t) => typeof t === "string")) return true;
  const actual = jsonType(value);
  return types.some((t) => t === actual || (t === "number" && actual === "integer"));
};

/** The checks a model's arguments must pass before they are sent: an object, the required keys, the declared primitive types. */
export const checkToolArguments = (schema: Readonly<Record<string, unknown>>, input: unknown): { readonly ok: true; readonly args: Record<string, unknown> } | { readonly ok: false; readonly detail: string } => {
  const value = input ?? {};
  if (jsonType(value) !== "object") return { ok: false, detail: `the arguments must be a JSON object, not ${jsonType(value)}` };
  const args = value as Record<string, unknown>;
  const required = Array.isArray(schema["required"]) ? schema["required"].filter((k): k is string => typeof k === "string") : [];
  const missing = required.filter((k) => args[k] === undefined);
  if (missing.length > 0) return { ok: false, detail: `missing required argument${missing.length > 1 ? "s" : ""} ${missing.map((k) => JSON.stringify(k)).join(", ")}` };
  const properties = typeof schema["properties"] === "object" && schema["properties"] !== null ? (schema["properties"] as Record<string, unknown>) : {};
  for (const [key, arg] of Object.entries(args)) {
    const property = properties[key];
    if (typeof property !== "object" || property === null || !("type" in property) || arg === undefined) continue;
    const expected = (property as { type: unknown }).type;
    if (!typeMatches(expected, arg)) return { ok: false, detail: `argument ${JSON.stringify(key)} must be ${Array.isArray(expected) ? expected.join(" or ") : String(expected)}, not ${jsonType(arg)}` };
  }
  return { ok: true, args };
};

const base64Bytes = (data: string): number => {
  const trimmed = data.replace(/\s/g, "");
  return Math.max(0, Math.floor((trimmed.length * 3) / 4) - (trimmed.endsWith("==") ? 2 : trimmed.endsWith("=") ? 1 : 0));
};

/** What a model reads of a result: text blocks joined, other content named. */
const resultText = (result: CallToolResult): string => {
  const parts = result.content.map((block) => {
    switch (block.type) {
      case "text":
        return block.text;
      case "image":
      case "audio":
        return `[${block.type} ${block.mimeType}, ${base64Bytes(block.data)} bytes]`;
      case "resource":
        return "text" in block.resource ? `[resource ${block.resource.uri}]\n${block.resource.text}` : `[resource ${block.resource.uri}, binary]`;
      case "resource_link":
        return `[resource link ${block.uri}${block.name ? ` (${block.name})` : ""}]`;
      default:
        return "[content of an unknown type]";
    }
  });
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.length === 0 ? "(no content)" : parts.join("\n");
};

const callFailure = (live: Live, tool: string, e: unknown, timeoutMs: number): ToolError => {
  if (!live.alive) return new ToolError({ tool, reason: "unavailable", detail: `MCP server ${live.name} is not running${live.exit}` });
  if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) return new ToolError({ tool, reason: "timeout", detail: `no answer within ${timeoutMs} ms` });
  if (e instanceof McpError && e.code === ErrorCode.ConnectionClosed) return new ToolError({ tool, reason: "unavailable", detail: `MCP server ${live.name} closed the connection` });
  if (e instanceof McpError) return new ToolError({ tool, reason: "failed", detail: clip(live.scrub(e.message), MAX_DETAIL) });
  // Anything else is the transport: a refused or reset HTTP connection, a write to a dead pipe.
  return new ToolError({ tool, reason: "unavailable", detail: clip(live.scrub(`MCP server ${live.name}: ${errorText(e)}`), MAX_DETAIL) });
};

const toAgentTool = (live: Live, tool: Tool, name: string, options: ConnectMcpServersOptions): AgentTool => {
  const inputSchema = tool.inputSchema as Readonly<Record<string, unknown>>;
  const maxOutput = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT;
  const callTimeout = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const description = (tool.description ?? tool.title ?? "").trim();
  return {
    name,
    description: live.scrub(description === "" ? `Tool ${tool.name} of the MCP server ${live.name}.` : description),
    inputSchema,
    origin: `mcp:${live.name}`,
    run: (input, context) =>
      Effect.gen(function* () {
        const checked = checkToolArguments(inputSchema, input);
        if (!checked.ok) return yield* Effect.fail(new ToolError({ tool: name, reason: "invalid_input", detail: checked.detail }));
        if (!live.alive) return yield* Effect.fail(new ToolError({ tool: name, reason: "unavailable", detail: `MCP server ${live.name} is not running${live.exit}` }));
        const now = yield* Clock.currentTimeMillis;
        const budget = Math.min(context.deadline - now, callTimeout);
        if (budget <= 0) return yield* Effect.fail(new ToolError({ tool: name, reason: "timeout", detail: "the deadline passed before the call" }));
        const result = yield* Effect.tryPromise({
          try: (signal) => live.client.callTool({ name: tool.name, arguments: checked.args }, undefined, { signal, timeout: budget }),
          catch: (e) => callFailure(live, name, e, budget)
        });
        const text = clip(live.scrub(resultText(result as CallToolResult)), maxOutput);
        if (result.isError === true) return yield* Effect.fail(new ToolError({ tool: name, reason: "failed", detail: text }));
        return { text } satisfies ToolOutput;
      })
  };
};

/**
 * Connects an agent's MCP servers (stdio children and streamable-HTTP endpoints) at once and
 * merges their tools. A server that cannot be started, reached, authorised or listed is a
 * `McpServerError` in `failures`; the others' tools are still there. Never fails.
 */
export const connectMcpServers = (configs: ReadonlyArray<McpServerOptions>, options: ConnectMcpServersOptions): Effect.Effect<McpConnection> =>
  Effect.gen(function* () {
    const seenServers = new Set<string>();
    const attempts = yield* Effect.forEach(
      configs,
      (config) => {
        if (seenServers.has(config.name))
          return Effect.succeed<Attempt>({ ok: false, error: new McpServerError({ server: config.name, reason: "invalid_config", detail: "another MCP server of this agent has the same name" }) });
        seenServers.add(config.name);
        return Effect.promise((signal) =>
          connectOne(config, options, signal).catch(
            (e: unknown): Attempt => ({ ok: false, error: new McpServerError({ server: config.name, reason: "connect_failed", detail: clip(redactSecrets(errorText(e)), MAX_DETAIL) }) })
          )
        );
      },
      { concurrency: "unbounded" }
    );
    const failures: McpServerError[] = [];
    const tools: AgentTool[] = [];
    const servers: McpServerSummary[] = [];
    const lives: Live[] = [];
    const taken = new Map<string, string>();
    attempts.forEach((attempt, i) => {
      if (!attempt.ok) {
        failures.push(attempt.error);
        options.log?.warn({ server: attempt.error.server, reason: attempt.error.reason }, attempt.error.message);
        return;
      }
      const { live, tools: offered } = attempt.value;
      lives.push(live);
      const allow = configs[i]?.tools;
      const names: string[] = [];
      for (const tool of offered) {
        if (allow !== undefined && !allow.includes(tool.name)) continue;
        const name = mcpToolName(live.name, tool.name);
        const owner = taken.get(name);
        if (owner !== undefined) {
          failures.push(
            new McpServerError({ server: live.name, reason: "tool_name_collision", detail: `tool ${JSON.stringify(tool.name)} would be named ${name}, already the name of ${owner}; it is left out` })
          );
          continue;
        }
        taken.set(name, `tool ${JSON.stringify(tool.name)} of ${live.name}`);
        names.push(name);
        tools.push(toAgentTool(live, tool, name, options));
      }
      const missing = (allow ?? []).filter((t) => !offered.some((o) => o.name === t));
      if (missing.length > 0) options.log?.warn({ server: live.name, missing }, `MCP server ${live.name} offers no tool named ${missing.join(", ")}`);
      servers.push({ name: live.name, tools: names });
      options.log?.debug({ server: live.name, tools: names.length }, `MCP server ${live.name} connected`);
    });
    const close = Effect.promise(() =>
      Promise.all(
        lives.map((live) => {
          live.closing = true;
          live.alive = false;
          return live.client.close().catch(() => undefined);
        })
      )
    ).pipe(Effect.asVoid);
    return { tools, failures, servers, close } satisfies McpConnection;
  });
