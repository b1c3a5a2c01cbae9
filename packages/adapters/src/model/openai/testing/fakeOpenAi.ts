import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ContentBlock, ConverseRequest, ModelMessage, StopReason, ToolChoice, ToolSpec } from "@sre-on-call/core";
import type { ScriptedTurn } from "@sre-on-call/core/testing";
import { TOOL_ERROR_PREFIX } from "../encodeChatRequest.js";

/** A reply given verbatim, for what a scripted turn cannot express (odd servers, broken bodies). */
export interface RawReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a string as is. */
  readonly body: string | object;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path without the `/v1` prefix and the query, e.g. `/chat/completions`. */
  readonly path: string;
  /** `ok` for the right bearer key (or any when the fake needs none), `missing` or `wrong`. */
  readonly auth: "ok" | "missing" | "wrong";
  /** The raw `Authorization` header, so tests can check what went over the wire. */
  readonly authorization: string | undefined;
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>;
  readonly body: unknown;
  readonly status: number;
}

export interface FakeOpenAiOptions {
  /** When set, every request must carry `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Answer `response_format: json_schema` with a 400, as servers without structured outputs do. */
  readonly rejectJsonSchema?: boolean;
  /** Answer any `response_format` with a 400, as servers without JSON modes do. */
  readonly rejectResponseFormat?: boolean;
  /** Behave like OpenAI's reasoning models: `max_tokens` and a temperature other than 1 are 400s. */
  readonly reasoningModel?: boolean;
  /** Length of the deterministic embedding vectors. Default 16. */
  readonly embeddingDimensions?: number;
  /** Return embeddings in reverse order (with their `index`), which the spec allows. */
  readonly reverseEmbeddings?: boolean;
}

export type FakeFailure = "throttled" | "auth" | "server" | "stall";

export interface FakeOpenAi {
  /** The base URL to configure, ending in `/v1`. */
  readonly url: string;
  readonly apiKey: string | undefined;
  /** Queue chat-completion replies in port terms, in order. */
  readonly script: (turns: ReadonlyArray<ScriptedTurn>) => void;
  /** Queue chat-completion replies on the wire level. */
  readonly scriptRaw: (replies: ReadonlyArray<RawReply>) => void;
  /**
   * The next `count` requests fail: `throttled` with a 429 and `retry-after` headers (default
   * 5 ms), `auth` with a 401 echoing the key masked as OpenAI does, `server` with a 500,
   * `stall` by never answering. Replaces failures still pending unless `append` is set.
   */
  readonly failNext: (
    failure: FakeFailure,
    count: number,
    options?: { readonly retryAfterSeconds?: number; readonly retryAfterMs?: number; readonly append?: boolean }
  ) => void;
  readonly setRejectJsonSchema: (reject: boolean) => void;
  readonly requests: () => ReadonlyArray<RecordedRequest>;
  /** The chat completions the fake answered with a 200, decoded back into port terms. */
  readonly received: () => ReadonlyArray<ConverseRequest>;
  /** The vector the fake returns for `text`. */
  readonly embeddingOf: (text: string) => ReadonlyArray<number>;
  readonly close: () => Promise<void>;
}

type Fault = { readonly failure: FakeFailure; readonly retryAfterSeconds?: number; readonly retryAfterMs?: number };
type Queued = { readonly turn: ScriptedTurn } | { readonly raw: RawReply };

class WireError {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = "invalid_request_error"
  ) {}
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** How OpenAI shows a key in an error: a prefix and the last four characters. */
const maskKey = (key: string) => (key.length <= 10 ? "*".repeat(key.length) : `${key.slice(0, 6)}${"*".repeat(key.length - 10)}${key.slice(-4)}`);

const finishReasonOf = (stop: StopReason): string =>
  stop === "tool_use" ? "tool_calls" : stop === "max_tokens" ? "length" : stop === "content_filter" || stop === "guardrail" ? "content_filter" : "stop";

/** The chat completion OpenAI would send for a scripted turn. */
export const wireCompletion = (turn: ScriptedTurn, model: string, id: string) => {
  const text = turn.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
  const calls = turn.content.flatMap((b) =>
    b.type === "toolUse" ? [{ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } }] : []
  );
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text === "" && calls.length > 0 ? null : text, refusal: null, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
        logprobs: null,
        finish_reason: finishReasonOf(turn.stopReason)
      }
    ],
    usage: {
      prompt_tokens: turn.usage.inputTokens,
      completion_tokens: turn.usage.outputTokens,
      total_tokens: turn.usage.inputTokens + turn.usage.outputTokens
    }
  };
};

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((p) => (isObject(p) && typeof p["text"] === "string" ? p["text"] : "")).join("")
      : "";

/** Checks a chat-completions body the way OpenAI does, so adapter bugs surface as the 400s they would cause. */
const validateChat = (body: Record<string, unknown>, rejectJsonSchema: boolean, options: FakeOpenAiOptions): void => {
  if (typeof body["model"] !== "string" || body["model"] === "") throw new WireError(400, "you must provide a model parameter", "model");
  const messages = body["messages"];
  if (!Array.isArray(messages) || messages.length === 0) throw new WireError(400, "'messages' must be a non-empty array", "messages");
  let pending = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (!isObject(m)) throw new WireError(400, `messages[${i}] must be an object`, `messages[${i}]`);
    const role = m["role"];
    if (role !== "tool" && pending.size > 0)
      throw new WireError(400, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(", ")}`, "messages");
    if (role === "system" || role === "user") {
      const c = m["content"];
      if (typeof c !== "string" && !(Array.isArray(c) && c.every((p) => isObject(p) && p["type"] === "text" && typeof p["text"] === "string")))
        throw new WireError(400, `Invalid value for 'content' in messages[${i}]`, `messages[${i}].content`);
    } else if (role === "assistant") {
      const calls = m["tool_calls"];
      if (calls !== undefined) {
        if (!Array.isArray(calls) || calls.length === 0) throw new WireError(400, `messages[${i}].tool_calls must be a non-empty array`, `messages[${i}].tool_calls`);
        for (const c of calls) {
          if (!isObject(c) || typeof c["id"] !== "string" || c["type"] !== "function" || !isObject(c["function"]))
            throw new WireError(400, `Invalid tool call in messages[${i}]`, `messages[${i}].tool_calls`);
          const fn = c["function"];
          if (typeof fn["name"] !== "string" || typeof fn["arguments"] !== "string")
            throw new WireError(400, `messages[${i}].tool_calls: function.arguments must be a string`, `messages[${i}].tool_calls`);
        }
        pending = new Set(calls.map((c) => String((c as Record<string, unknown>)["id"])));
      } else if (typeof m["content"] !== "string" && !Array.isArray(m["content"]))
        throw new WireError(400, `messages[${i}]: an assistant message needs content or tool_calls`, `messages[${i}].content`);
    } else if (role === "tool") {
      const id = m["tool_call_id"];
      if (typeof id !== "string" || !pending.has(id))
        throw new WireError(400, `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`, `messages[${i}].role`);
      if (typeof m["content"] !== "string") throw new WireError(400, `messages[${i}].content must be a string`, `messages[${i}].content`);
      pending.delete(id);
    } else throw new WireError(400, `Invalid value for 'role' in messages[${i}]`, `messages[${i}].role`);
  }
  if (pending.size > 0) throw new WireError(400, "An assistant message with 'tool_calls' must be followed by tool messages", "messages");

  const tools = body["tools"];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw new WireError(400, "'tools' must be an array", "tools");
    for (const t of tools)
      if (!isObject(t) || t["type"] !== "function" || !isObject(t["function"]) || typeof t["function"]["name"] !== "string")
        throw new WireError(400, "Invalid tool definition", "tools");
  }
  const choice = body["tool_choice"];
  if (choice !== undefined) {
    if (tools === undefined) throw new WireError(400, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice");
    const named = isObject(choice) && choice["type"] === "function" && isObject(choice["function"]) && typeof choice["function"]["name"] === "string";
    if (!named && choice !== "auto" && choice !== "required" && choice !== "none") throw new WireError(400, "Invalid value for 'tool_choice'", "tool_choice");
  }
  const stop = body["stop"];
  if (stop !== undefined && !(typeof stop === "string" || (Array.isArray(stop) && stop.length <= 4 && stop.every((s) => typeof s === "string"))))
    throw new WireError(400, "'stop' must be a string or up to 4 strings", "stop");
  if (options.reasoningModel === true) {
    if (body["max_tokens"] !== undefined)
      throw new WireError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter");
    if (body["temperature"] !== undefined && body["temperature"] !== 1)
      throw new WireError(400, `Unsupported value: 'temperature' does not support ${String(body["temperature"])} with this model. Only the default (1) value is supported.`, "temperature", "unsupported_value");
  }
  const format = body["response_format"];
  if (format !== undefined) {
    if (options.rejectResponseFormat === true) throw new WireError(400, "response_format is not supported by this server", "response_format");
    if (!isObject(format)) throw new WireError(400, "Invalid 'response_format'", "response_format");
    if (format["type"] === "json_schema") {
      if (rejectJsonSchema) throw new WireError(400, "'response_format.type' must be 'json_object' or 'text'", "response_format");
      const js = format["json_schema"];
      if (!isObject(js) || typeof js["name"] !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(js["name"]) || !isObject(js["schema"]))
        throw new WireError(400, "Invalid 'response_format.json_schema'", "response_format");
    } else if (format["type"] === "json_object") {
      if (!messages.some((m) => isObject(m) && /json/i.test(textOf(m["content"]))))
        throw new WireError(400, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");
    } else if (format["type"] !== "text") throw new WireError(400, "Invalid 'response_format.type'", "response_format");
  }
};

const textBlocks = (content: unknown): Array<ContentBlock> =>
  typeof content === "string"
    ? content === ""
      ? []
      : [{ type: "text", text: content }]
    : Array.isArray(content)
      ? content.flatMap((p): Array<ContentBlock> => (isObject(p) && typeof p["text"] === "string" ? [{ type: "text", text: p["text"] }] : []))
      : [];

const parseArgs = (raw: unknown): unknown => {
  try {
    return typeof raw === "string" ? JSON.parse(raw) : raw;
  } catch {
    return raw;
  }
};

/**
 * A chat-completions body decoded back into port terms, the inverse of the adapter's mapping:
 * tool messages and the user text after them form one user message, and the wire does not
 * carry `callSite`, so it is empty.
 */
export const decodeWireChatRequest = (body: Record<string, unknown>): ConverseRequest => {
  const system: Array<string> = [];
  const messages: Array<{ role: "user" | "assistant"; content: Array<ContentBlock>; fromTools: boolean }> = [];
  for (const m of Array.isArray(body["messages"]) ? body["messages"] : []) {
    if (!isObject(m)) continue;
    const last = messages[messages.length - 1];
    if (m["role"] === "system") system.push(textOf(m["content"]));
    else if (m["role"] === "tool") {
      const raw = typeof m["content"] === "string" ? m["content"] : "";
      const isError = raw.startsWith(TOOL_ERROR_PREFIX);
      const block: ContentBlock = {
        type: "toolResult",
        toolUseId: String(m["tool_call_id"]),
        content: isError ? raw.slice(TOOL_ERROR_PREFIX.length) : raw,
        ...(isError ? { isError: true } : {})
      };
      if (last?.role === "user" && last.fromTools) last.content.push(block);
      else messages.push({ role: "user", content: [block], fromTools: true });
    } else if (m["role"] === "user") {
      if (last?.role === "user" && last.fromTools) {
        last.content.push(...textBlocks(m["content"]));
        last.fromTools = false;
      } else messages.push({ role: "user", content: textBlocks(m["content"]), fromTools: false });
    } else if (m["role"] === "assistant") {
      const calls = Array.isArray(m["tool_calls"]) ? m["tool_calls"] : [];
      messages.push({
        role: "assistant",
        fromTools: false,
        content: [
          ...textBlocks(m["content"]),
          ...calls.flatMap((c): Array<ContentBlock> =>
            isObject(c) && isObject(c["function"])
              ? [{ type: "toolUse", id: String(c["id"]), name: String(c["function"]["name"]), input: parseArgs(c["function"]["arguments"]) }]
              : []
          )
        ]
      });
    }
  }
  const tools: Array<ToolSpec> = (Array.isArray(body["tools"]) ? body["tools"] : []).flatMap((t) =>
    isObject(t) && isObject(t["function"])
      ? [
          {
            name: String(t["function"]["name"]),
            description: typeof t["function"]["description"] === "string" ? t["function"]["description"] : "",
            inputSchema: isObject(t["function"]["parameters"]) ? t["function"]["parameters"] : {}
          }
        ]
      : []
  );
  const choice = body["tool_choice"];
  const toolChoice: ToolChoice | undefined =
    choice === "auto" ? "auto" : choice === "required" ? "any" : choice === "none" ? "none" : isObject(choice) && isObject(choice["function"]) ? { tool: String(choice["function"]["name"]) } : undefined;
  const format = body["response_format"];
  const jsonSchema = isObject(format) && format["type"] === "json_schema" && isObject(format["json_schema"]) ? format["json_schema"] : undefined;
  const stop = body["stop"];
  return {
    callSite: "",
    ...(typeof body["model"] === "string" ? { modelId: body["model"] } : {}),
    ...(system.length > 0 ? { system: system.join("\n\n") } : {}),
    messages: messages.map((m): ModelMessage => ({ role: m.role, content: m.content })),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(jsonSchema !== undefined && isObject(jsonSchema["schema"]) ? { responseSchema: { name: String(jsonSchema["name"]), schema: jsonSchema["schema"] } } : {}),
    ...(typeof body["max_tokens"] === "number" ? { maxTokens: body["max_tokens"] } : {}),
    ...(typeof body["temperature"] === "number" ? { temperature: body["temperature"] } : {}),
    ...(typeof stop === "string" ? { stopSequences: [stop] } : Array.isArray(stop) ? { stopSequences: stop.map(String) } : {})
  };
};

const hashEmbedding = (text: string, dims: number): ReadonlyArray<number> => {
  const v = new Array<number>(dims).fill(0);
  for (const w of text.toLowerCase().split(/\W+/)) {
    if (w === "") continue;
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % dims]! += 1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
};

const MAX_BODY = 10_000_000;

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new WireError(413, "request body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

/**
 * An OpenAI-compatible server on 127.0.0.1 for tests: `/v1/chat/completions` answering
 * scripted turns (or raw wire replies), `/v1/embeddings` with deterministic vectors, bearer-key
 * checks, OpenAI's error bodies, injectable 429/401/500/stalls, an option to refuse
 * `json_schema` response formats, and a record of every request.
 */
export const startFakeOpenAi = async (options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> => {
  const queue: Array<Queued> = [];
  const faults: Array<Fault> = [];
  const recorded: Array<RecordedRequest> = [];
  const answered: Array<ConverseRequest> = [];
  const dims = options.embeddingDimensions ?? 16;
  let rejectJsonSchema = options.rejectJsonSchema ?? false;
  let completions = 0;

  const send = (res: ServerResponse, status: number, body: string | object, headers: Readonly<Record<string, string>> = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json", ...headers });
    res.end(text);
  };
  const sendError = (res: ServerResponse, e: WireError, headers: Readonly<Record<string, string>> = {}) =>
    send(res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: e.code } }, headers);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number | undefined> => {
    const path = (req.url ?? "/").split("?")[0]!.replace(/^\/v1(?=\/)/, "");
    const authorization = req.headers.authorization;
    const presented = authorization?.startsWith("Bearer ") === true ? authorization.slice(7) : undefined;
    const auth = options.apiKey === undefined || presented === options.apiKey ? "ok" : authorization === undefined ? "missing" : "wrong";
    let body: unknown;
    const record = (status: number) => {
      recorded.push({ method: req.method ?? "", path, auth, authorization, headers: { ...req.headers }, body, status });
      return status;
    };
    const raw = await readBody(req);
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }

    const fault = faults[0];
    if (fault !== undefined) {
      faults.shift();
      if (fault.failure === "stall") {
        record(0);
        return undefined;
      }
      if (fault.failure === "throttled") {
        const headers: Record<string, string> = { "retry-after": String(fault.retryAfterSeconds ?? 0) };
        if (fault.retryAfterSeconds === undefined || fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs ?? 5);
        sendError(res, new WireError(429, "Rate limit reached for requests. Please try again shortly.", null, "rate_limit_exceeded", "requests"), headers);
        return record(429);
      }
      if (fault.failure === "auth") {
        sendError(res, new WireError(401, `Incorrect API key provided: ${maskKey(presented ?? "")}. You can find your API key at https://platform.openai.com/account/api-keys.`, null, "invalid_api_key"));
        return record(401);
      }
      sendError(res, new WireError(500, "The server had an error while processing your request. Sorry about that!", null, null, "server_error"));
      return record(500);
    }
    if (auth === "missing") {
      sendError(res, new WireError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null, null));
      return record(401);
    }
    if (auth === "wrong") {
      sendError(res, new WireError(401, `Incorrect API key provided: ${maskKey(presented ?? authorization ?? "")}. You can find your API key at https://platform.openai.com/account/api-keys.`, null, "invalid_api_key"));
      return record(401);
    }
    if (req.method !== "POST" || (path !== "/chat/completions" && path !== "/embeddings")) {
      sendError(res, new WireError(404, `Unknown request URL: ${req.method} ${req.url}`, null, "unknown_url"));
      return record(404);
    }
    if (!isObject(body)) {
      sendError(res, new WireError(400, "We could not parse the JSON body of your request."));
      return record(400);
    }

    if (path === "/embeddings") {
      const input = body["input"];
      const texts = typeof input === "string" ? [input] : Array.isArray(input) && input.every((t) => typeof t === "string") ? (input as Array<string>) : undefined;
      if (typeof body["model"] !== "string" || texts === undefined || texts.length === 0) {
        sendError(res, new WireError(400, "'input' must be a string or a non-empty array of strings, and 'model' is required", "input"));
        return record(400);
      }
      const data = texts.map((t, index) => ({ object: "embedding", index, embedding: hashEmbedding(t, dims) }));
      const tokens = texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
      send(res, 200, {
        object: "list",
        data: options.reverseEmbeddings === true ? data.reverse() : data,
        model: body["model"],
        usage: { prompt_tokens: tokens, total_tokens: tokens }
      });
      return record(200);
    }

    try {
      validateChat(body, rejectJsonSchema, options);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      sendError(res, e);
      return record(e.status);
    }
    const next = queue.shift();
    if (next === undefined) {
      sendError(res, new WireError(400, "fake OpenAI server: no scripted reply left for this request"));
      return record(400);
    }
    if ("raw" in next) {
      const status = next.raw.status ?? 200;
      send(res, status, next.raw.body, next.raw.headers);
      if (status === 200) answered.push(decodeWireChatRequest(body));
      return record(status);
    }
    send(res, 200, wireCompletion(next.turn, String(body["model"]), `chatcmpl-fake${++completions}`));
    answered.push(decodeWireChatRequest(body));
    return record(200);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else if (e instanceof WireError) sendError(res, e);
      else sendError(res, new WireError(500, `fake OpenAI server failed: ${e instanceof Error ? e.message : String(e)}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey: options.apiKey,
    script: (turns) => queue.push(...turns.map((turn) => ({ turn }))),
    scriptRaw: (replies) => queue.push(...replies.map((raw) => ({ raw }))),
    failNext: (failure, count, { append = false, ...wait } = {}) => {
      if (!append) faults.length = 0;
      for (let i = 0; i < count; i++) faults.push({ failure, ...wait });
    },
    setRejectJsonSchema: (reject) => {
      rejectJsonSchema = reject;
    },
    requests: () => recorded,
    received: () => answered,
    embeddingOf: (text) => hashEmbedding(text, dims),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
};
