import { randomUUID } from "node:crypto";
import { createServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import type { ContentBlock, ConverseRequest, ModelMessage, StopReason, ToolChoice, ToolSpec } from "@sre-on-call/core";
import type { ScriptedTurn } from "@sre-on-call/core/testing";

/**
 * A Bedrock Runtime stand-in on 127.0.0.1 for tests, driven through the real AWS SDK with
 * `endpoint: fake.url` and `credentials: fake.credentials`. It speaks what the SDK speaks to
 * Bedrock: HTTP/2 (the client's default handler is `NodeHttp2Handler`, cleartext here), the
 * restJson1 protocol with the model id URL-encoded in the path, SigV4-signed requests, and
 * errors named by the `x-amzn-errortype` header. Requests are validated the way Bedrock does
 * for their shape, so an adapter that builds a request Bedrock would refuse fails here too.
 */

type Json = unknown;
type JsonRecord = Record<string, Json>;
const isRecord = (v: Json): v is JsonRecord => typeof v === "object" && v !== null && !Array.isArray(v);

/** A content block in Bedrock's own shape (`{ text }`, `{ toolUse }`, `{ toolResult }`, …). */
export type WireContentBlock = JsonRecord;

/** One reply of `POST /model/{modelId}/converse`, in Bedrock's field names. */
export interface FakeConverseReply {
  readonly content: ReadonlyArray<WireContentBlock>;
  /** `end_turn`, `tool_use`, `max_tokens`, `stop_sequence`, `guardrail_intervened`, `content_filtered`, … */
  readonly stopReason: string;
  readonly usage: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly cacheReadInputTokens?: number;
    readonly cacheWriteInputTokens?: number;
  };
}

/** An error as Bedrock answers it: status, `x-amzn-errortype`, and `{ message }`. */
export interface FakeBedrockFailure {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** The failures Bedrock Runtime really gives, with its own messages. */
export const BEDROCK_FAILURES = {
  throttled: { status: 429, type: "ThrottlingException", message: "Too many requests, please wait before trying again." },
  modelNotReady: { status: 429, type: "ModelNotReadyException", message: "Model is not ready for inference. Wait and try your request again." },
  serviceUnavailable: { status: 503, type: "ServiceUnavailableException", message: "Service is temporarily unavailable." },
  internal: { status: 500, type: "InternalServerException", message: "The server encountered an internal error." },
  accessDenied: { status: 403, type: "AccessDeniedException", message: "You don't have access to the model with the specified model ID." },
  unrecognizedClient: { status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid." },
  expiredToken: { status: 403, type: "ExpiredTokenException", message: "The security token included in the request is expired" },
  validation: { status: 400, type: "ValidationException", message: "The provided request is not valid" },
  modelTimeout: { status: 408, type: "ModelTimeoutException", message: "Model has timed out in processing the request." }
} as const satisfies Record<string, FakeBedrockFailure>;

export interface FakeBedrockRequest {
  readonly operation: "converse" | "invoke";
  /** Decoded from the path. */
  readonly modelId: string;
  /** The JSON body as sent. */
  readonly body: Json;
  /** The status the fake answered with. */
  readonly status: number;
  /** The error type it answered with, if any. */
  readonly errorType?: string;
}

export interface FakeBedrockOptions {
  /** The static credentials requests must be signed with. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Guardrails that exist; a request naming another one gets Bedrock's ValidationException. Default: any. */
  readonly guardrails?: ReadonlyArray<{ readonly id: string; readonly version: string }>;
  /** Hold every answer this long, to observe concurrency and client timeouts. Default 0. */
  readonly latencyMs?: number;
}

export interface FakeBedrock {
  /** For the SDK's `endpoint`. */
  readonly url: string;
  readonly region: string;
  /** For the SDK's `credentials`. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Queue converse replies in Bedrock's shape. */
  readonly reply: (...replies: ReadonlyArray<FakeConverseReply>) => void;
  /** Queue converse replies given in port terms. */
  readonly script: (turns: ReadonlyArray<ScriptedTurn>) => void;
  /** The next `times` requests (of any operation) get this failure. */
  readonly failNext: (failure: FakeBedrockFailure, times?: number) => void;
  /** Every request received, failures included, in order. */
  readonly requests: () => ReadonlyArray<FakeBedrockRequest>;
  /** The converse requests that were answered, decoded back into port terms. */
  readonly converseRequests: () => ReadonlyArray<ConverseRequest>;
  /** Requests that found no scripted reply or failed validation, with the reason. */
  readonly unexpected: () => ReadonlyArray<string>;
  /** The most requests that were being answered at the same time. */
  readonly maxInFlight: () => number;
  readonly close: () => Promise<void>;
}

const PORT_TO_WIRE_STOP: Readonly<Record<StopReason, string>> = {
  end_turn: "end_turn",
  tool_use: "tool_use",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  guardrail: "guardrail_intervened",
  content_filter: "content_filtered"
};

/** A scripted turn in port terms as Bedrock would have answered it. */
export const turnToWire = (turn: ScriptedTurn): FakeConverseReply => ({
  content: turn.content.map((b): WireContentBlock => {
    switch (b.type) {
      case "text":
        return { text: b.text };
      case "toolUse":
        return { toolUse: { toolUseId: b.id, name: b.name, input: b.input } };
      case "toolResult":
        return { toolResult: { toolUseId: b.toolUseId, content: [{ text: b.content }], ...(b.isError === true ? { status: "error" } : {}) } };
    }
  }),
  stopReason: PORT_TO_WIRE_STOP[turn.stopReason],
  usage: turn.usage
});

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
// Bedrock's patterns are Java regexes, whose `\s` is ASCII whitespace only.
const METADATA = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,.-]{0,256}$/;
const METADATA_KEY = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,.-]{1,256}$/;
const BLOCK_KINDS = ["text", "toolUse", "toolResult", "image", "document", "video", "guardContent", "cachePoint", "reasoningContent"];

const blankText = (where: string) => `The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`;

/**
 * Checks a Converse request body the way Bedrock does for its shape; returns Bedrock's
 * ValidationException message, or undefined when the body is acceptable.
 */
export const validateConverseBody = (body: Json): string | undefined => {
  if (!isRecord(body)) return "Malformed input request, please reformat your input and try again.";
  const messages = body["messages"];
  if (!Array.isArray(messages) || messages.length === 0) return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  let toolBlocks = false;
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || (m["role"] !== "user" && m["role"] !== "assistant")) return `messages.${i}.role: Value must be one of [user, assistant]`;
    if (i === 0 && m["role"] !== "user") return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (i > 0 && isRecord(messages[i - 1]) && (messages[i - 1] as JsonRecord)["role"] === m["role"]) {
      return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    }
    const content = m["content"];
    if (!Array.isArray(content) || content.length === 0) return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    for (const [j, b] of content.entries()) {
      const where = `messages.${i}.content.${j}`;
      if (!isRecord(b)) return `${where}: malformed content block`;
      const kinds = Object.keys(b).filter((k) => BLOCK_KINDS.includes(k));
      if (kinds.length !== 1 || Object.keys(b).length !== 1) return `${where}: a ContentBlock must have exactly one member set`;
      if ("text" in b && (typeof b["text"] !== "string" || b["text"].trim() === "")) return blankText(where);
      const toolUse = b["toolUse"];
      if (toolUse !== undefined) {
        toolBlocks = true;
        if (m["role"] !== "assistant") return `${where}: toolUse blocks may only appear in assistant messages`;
        if (!isRecord(toolUse) || typeof toolUse["toolUseId"] !== "string" || typeof toolUse["name"] !== "string" || !("input" in toolUse)) {
          return `${where}.toolUse: toolUseId, name and input are required`;
        }
      }
      const toolResult = b["toolResult"];
      if (toolResult !== undefined) {
        toolBlocks = true;
        if (m["role"] !== "user") return `${where}: toolResult blocks may only appear in user messages`;
        if (!isRecord(toolResult) || typeof toolResult["toolUseId"] !== "string" || !Array.isArray(toolResult["content"])) {
          return `${where}.toolResult: toolUseId and content are required`;
        }
        for (const [k, c] of toolResult["content"].entries()) {
          if (isRecord(c) && typeof c["text"] === "string" && c["text"].trim() === "") return blankText(`${where}.toolResult.content.${k}`);
        }
        const status = toolResult["status"];
        if (status !== undefined && status !== "success" && status !== "error") return `${where}.toolResult.status: Value must be one of [success, error]`;
      }
    }
  }
  const system = body["system"];
  if (system !== undefined) {
    if (!Array.isArray(system)) return "system: must be a list";
    for (const [i, s] of system.entries()) {
      if (!isRecord(s) || (typeof s["text"] === "string" && s["text"].trim() === "")) return blankText(`system.${i}`);
    }
  }
  const toolConfig = body["toolConfig"];
  if (toolBlocks && toolConfig === undefined) return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  if (toolConfig !== undefined) {
    if (!isRecord(toolConfig) || !Array.isArray(toolConfig["tools"]) || toolConfig["tools"].length === 0) return "toolConfig.tools: must have at least 1 tool";
    const names = new Set<string>();
    for (const [i, t] of toolConfig["tools"].entries()) {
      const spec = isRecord(t) ? t["toolSpec"] : undefined;
      if (!isRecord(spec) || typeof spec["name"] !== "string" || !TOOL_NAME.test(spec["name"])) {
        return `toolConfig.tools.${i}.toolSpec.name: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+ and have length 1-64`;
      }
      if (typeof spec["description"] !== "string" || spec["description"] === "") return `toolConfig.tools.${i}.toolSpec.description: must have length greater than or equal to 1`;
      const schema = spec["inputSchema"];
      if (!isRecord(schema) || !isRecord(schema["json"])) return `toolConfig.tools.${i}.toolSpec.inputSchema.json: a JSON object is required`;
      if (names.has(spec["name"])) return `The tool name ${spec["name"]} is duplicated in toolConfig.tools`;
      names.add(spec["name"]);
    }
    const choice = toolConfig["toolChoice"];
    if (choice !== undefined) {
      if (!isRecord(choice) || Object.keys(choice).length !== 1) return "toolConfig.toolChoice: exactly one of auto, any, tool must be set";
      const tool = choice["tool"];
      if (tool !== undefined && !(isRecord(tool) && typeof tool["name"] === "string" && names.has(tool["name"]))) {
        return "toolConfig.toolChoice.tool.name: the tool is not defined in toolConfig.tools";
      }
    }
  }
  const inference = body["inferenceConfig"];
  if (inference !== undefined) {
    if (!isRecord(inference)) return "inferenceConfig: malformed";
    const { maxTokens, temperature, stopSequences } = inference;
    if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1)) return "inferenceConfig.maxTokens: Member must have value greater than or equal to 1";
    if (temperature !== undefined && !(typeof temperature === "number" && temperature >= 0 && temperature <= 1)) {
      return "inferenceConfig.temperature: Member must have value between 0 and 1";
    }
    if (stopSequences !== undefined && !(Array.isArray(stopSequences) && stopSequences.every((s) => typeof s === "string" && s !== ""))) {
      return "inferenceConfig.stopSequences: each stop sequence must be a non-empty string";
    }
  }
  const guardrail = body["guardrailConfig"];
  if (guardrail !== undefined) {
    if (!isRecord(guardrail) || typeof guardrail["guardrailIdentifier"] !== "string" || typeof guardrail["guardrailVersion"] !== "string") {
      return "guardrailConfig: guardrailIdentifier and guardrailVersion are required";
    }
  }
  const metadata = body["requestMetadata"];
  if (metadata !== undefined) {
    if (!isRecord(metadata)) return "requestMetadata: must be a map of strings";
    for (const [k, v] of Object.entries(metadata)) {
      if (!METADATA_KEY.test(k) || typeof v !== "string" || !METADATA.test(v)) return "requestMetadata: keys and values must satisfy the pattern [a-zA-Z0-9\\s:_@$#=/+,.-]";
    }
  }
  return undefined;
};

const wireBlockToPort = (b: Json): ContentBlock | undefined => {
  if (!isRecord(b)) return undefined;
  if (typeof b["text"] === "string") return { type: "text", text: b["text"] };
  const use = b["toolUse"];
  if (isRecord(use)) return { type: "toolUse", id: String(use["toolUseId"]), name: String(use["name"]), input: use["input"] };
  const result = b["toolResult"];
  if (isRecord(result)) {
    const parts = Array.isArray(result["content"]) ? result["content"] : [];
    const content = parts.map((c) => (isRecord(c) && typeof c["text"] === "string" ? c["text"] : isRecord(c) ? JSON.stringify(c["json"]) : "")).join("");
    return { type: "toolResult", toolUseId: String(result["toolUseId"]), content, ...(result["status"] === "error" ? { isError: true } : {}) };
  }
  return undefined;
};

/** Reads a Converse request body back into port terms (the call site from `requestMetadata`). */
export const converseBodyToPort = (modelId: string, body: Json): ConverseRequest => {
  const b = isRecord(body) ? body : {};
  const metadata = isRecord(b["requestMetadata"]) ? b["requestMetadata"] : {};
  const system = Array.isArray(b["system"]) ? b["system"].flatMap((s) => (isRecord(s) && typeof s["text"] === "string" ? [s["text"]] : [])) : [];
  const messages: Array<ModelMessage> = (Array.isArray(b["messages"]) ? b["messages"] : []).flatMap((m) =>
    isRecord(m) && (m["role"] === "user" || m["role"] === "assistant")
      ? [{ role: m["role"], content: (Array.isArray(m["content"]) ? m["content"] : []).flatMap((c) => wireBlockToPort(c) ?? []) }]
      : []
  );
  const toolConfig = isRecord(b["toolConfig"]) ? b["toolConfig"] : undefined;
  const tools: Array<ToolSpec> = (Array.isArray(toolConfig?.["tools"]) ? toolConfig["tools"] : []).flatMap((t) => {
    const spec = isRecord(t) ? t["toolSpec"] : undefined;
    if (!isRecord(spec)) return [];
    const schema = isRecord(spec["inputSchema"]) && isRecord(spec["inputSchema"]["json"]) ? spec["inputSchema"]["json"] : {};
    return [{ name: String(spec["name"]), description: String(spec["description"] ?? ""), inputSchema: schema }];
  });
  const choice = isRecord(toolConfig?.["toolChoice"]) ? toolConfig["toolChoice"] : undefined;
  const toolChoice: ToolChoice | undefined =
    choice === undefined
      ? undefined
      : "auto" in choice
        ? "auto"
        : "any" in choice
          ? "any"
          : isRecord(choice["tool"])
            ? { tool: String(choice["tool"]["name"]) }
            : undefined;
  const inference = isRecord(b["inferenceConfig"]) ? b["inferenceConfig"] : {};
  const maxTokens = inference["maxTokens"];
  const temperature = inference["temperature"];
  const stops = inference["stopSequences"];
  return {
    callSite: typeof metadata["callSite"] === "string" ? metadata["callSite"] : "",
    modelId,
    ...(system.length > 0 ? { system: system.join("") } : {}),
    messages,
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(typeof maxTokens === "number" ? { maxTokens } : {}),
    ...(typeof temperature === "number" ? { temperature } : {}),
    ...(Array.isArray(stops) ? { stopSequences: stops.map(String) } : {})
  };
};

const TITAN_V2_KEYS = new Set(["inputText", "dimensions", "normalize", "embeddingTypes"]);

/** A deterministic unit vector per text, so similar tests get stable answers. */
const fakeEmbedding = (text: string, dimensions: number, normalize: boolean): Array<number> => {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().split(/\W+/)) {
    if (word === "") continue;
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimensions]! += 1;
  }
  if (!v.some((x) => x !== 0)) v[0] = 1;
  const norm = normalize ? Math.sqrt(v.reduce((s, x) => s + x * x, 0)) : 1;
  return v.map((x) => x / norm);
};

type Answer = { readonly status: number; readonly body: Json; readonly errorType?: string };

const titanAnswer = (modelId: string, body: Json): Answer => {
  const invalid = (message: string): Answer => ({ status: 400, body: { message }, errorType: "ValidationException" });
  if (!/titan-embed/i.test(modelId)) return invalid("The provided model identifier is invalid.");
  if (!isRecord(body)) return invalid("Malformed input request, please reformat your input and try again.");
  const v2 = /titan-embed-text-v2/i.test(modelId);
  for (const key of Object.keys(body)) {
    if (!(v2 ? TITAN_V2_KEYS.has(key) : key === "inputText")) return invalid(`Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`);
  }
  const text = body["inputText"];
  if (typeof text !== "string" || text.length === 0) return invalid("Malformed input request: expected minLength: 1, actual: 0, please reformat your input and try again.");
  const dimensions = body["dimensions"] ?? (v2 ? 1024 : 1536);
  if (typeof dimensions !== "number" || (v2 && ![256, 512, 1024].includes(dimensions))) {
    return invalid("Malformed input request: #/dimensions: only values 256, 512, 1024 are permitted, please reformat your input and try again.");
  }
  const embedding = fakeEmbedding(text, dimensions, body["normalize"] !== false);
  return { status: 200, body: { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: Math.max(1, Math.ceil(text.length / 4)) } };
};

export const startFakeBedrock = async (options: FakeBedrockOptions = {}): Promise<FakeBedrock> => {
  const credentials = { accessKeyId: options.accessKeyId ?? "AKIAFAKEBEDROCK00001", secretAccessKey: options.secretAccessKey ?? "fake-bedrock-secret" };
  const region = "us-east-1";
  const replies: Array<FakeConverseReply> = [];
  const requests: Array<FakeBedrockRequest> = [];
  const answered: Array<ConverseRequest> = [];
  const unexpected: Array<string> = [];
  let failure: { failure: FakeBedrockFailure; times: number } | undefined;

  const converseAnswer = (modelId: string, body: Json): Answer => {
    const problem = validateConverseBody(body);
    if (problem !== undefined) {
      unexpected.push(`invalid converse request: ${problem}`);
      return { status: 400, body: { message: problem }, errorType: "ValidationException" };
    }
    const guardrail = isRecord(body) ? body["guardrailConfig"] : undefined;
    if (
      isRecord(guardrail) &&
      options.guardrails !== undefined &&
      !options.guardrails.some((g) => g.id === guardrail["guardrailIdentifier"] && g.version === guardrail["guardrailVersion"])
    ) {
      return { status: 400, body: { message: "The guardrail identifier or version provided in the request does not exist." }, errorType: "ValidationException" };
    }
    const reply = replies.shift();
    if (reply === undefined) {
      unexpected.push("a converse request came with no scripted reply left");
      return { status: 400, body: { message: "fake Bedrock: no scripted reply left for this request" }, errorType: "ValidationException" };
    }
    answered.push(converseBodyToPort(modelId, body));
    const { inputTokens, outputTokens } = reply.usage;
    return {
      status: 200,
      body: {
        output: { message: { role: "assistant", content: reply.content } },
        stopReason: reply.stopReason,
        usage: { ...reply.usage, totalTokens: inputTokens + outputTokens },
        metrics: { latencyMs: 42 }
      }
    };
  };

  const send = (res: Http2ServerResponse, answer: Answer) => {
    res.writeHead(answer.status, {
      "content-type": "application/json",
      "x-amzn-requestid": randomUUID(),
      ...(answer.errorType !== undefined ? { "x-amzn-errortype": `${answer.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {})
    });
    res.end(JSON.stringify(answer.body));
  };

  const handle = (req: Http2ServerRequest, res: Http2ServerResponse, raw: string) => {
    const match = /^\/model\/([^/]+)\/(converse|invoke)$/.exec((req.url ?? "").split("?")[0] ?? "");
    if (req.method !== "POST" || match === null) {
      send(res, { status: 404, body: { message: "Not Found" }, errorType: "UnknownOperationException" });
      return;
    }
    const operation = match[2] as "converse" | "invoke";
    let modelId: string;
    let body: Json;
    try {
      modelId = decodeURIComponent(match[1] ?? "");
      body = JSON.parse(raw);
    } catch {
      send(res, { status: 400, body: { message: "Malformed input request, please reformat your input and try again." }, errorType: "ValidationException" });
      return;
    }
    const record = (answer: Answer) => {
      requests.push({ operation, modelId, body, status: answer.status, ...(answer.errorType !== undefined ? { errorType: answer.errorType } : {}) });
      send(res, answer);
    };
    const authorization = String(req.headers["authorization"] ?? "");
    if (!authorization.startsWith(`AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/`) || !authorization.includes(`/${region}/bedrock/aws4_request`)) {
      record({ status: 403, body: { message: BEDROCK_FAILURES.unrecognizedClient.message }, errorType: BEDROCK_FAILURES.unrecognizedClient.type });
      return;
    }
    if (failure !== undefined && failure.times > 0) {
      failure.times--;
      record({ status: failure.failure.status, body: { message: failure.failure.message }, errorType: failure.failure.type });
      return;
    }
    record(operation === "converse" ? converseAnswer(modelId, body) : titanAnswer(modelId, body));
  };

  let inFlight = 0;
  let maxInFlight = 0;
  const latencyMs = options.latencyMs ?? 0;
  const sessions = new Set<ServerHttp2Session>();
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = () => {
        inFlight--;
        if (!res.stream.destroyed) handle(req, res, Buffer.concat(chunks).toString("utf8"));
      };
      if (latencyMs > 0) setTimeout(answer, latencyMs);
      else answer();
    });
  });
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    credentials,
    reply: (...more) => replies.push(...more),
    script: (turns) => replies.push(...turns.map(turnToWire)),
    failNext: (f, times = 1) => {
      failure = { failure: f, times };
    },
    requests: () => requests,
    converseRequests: () => answered,
    unexpected: () => unexpected,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      })
  };
};
