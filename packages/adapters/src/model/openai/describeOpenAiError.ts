import { ModelError } from "@sre-on-call/core";
import { Result, Schema } from "effect";
import { PROVIDER, type WireQuirks } from "./encodeChatRequest.js";
import { WireErrorBody } from "./openAiWire.js";

const decodeErrorBody = Schema.decodeUnknownResult(WireErrorBody);

/** Fragments this long of a secret are enough to treat a word as leaking it. */
const FRAGMENT = 6;

/**
 * Removes secrets from text that came back from a server. Servers echo keys back in part
 * (OpenAI's "Incorrect API key provided: sk-abc***xyz"), so a word sharing any fragment of a
 * secret goes as a whole, and so does anything after `Bearer`.
 */
export const redactSecrets = (text: string, secrets: ReadonlyArray<string>): string => {
  const usable = secrets.filter((s) => s.length > 0);
  let out = text;
  for (const s of usable) out = out.split(s).join("[redacted]");
  const fragments = new Set<string>();
  for (const s of usable) for (let i = 0; i + FRAGMENT <= s.length; i++) fragments.add(s.slice(i, i + FRAGMENT));
  out = out.replace(/[^\s"'`,;()[\]{}<>]+/g, (word) => {
    if (word.length < FRAGMENT) return word;
    for (let i = 0; i + FRAGMENT <= word.length; i++) if (fragments.has(word.slice(i, i + FRAGMENT))) return "[redacted]";
    return word;
  });
  return out.replace(/\b(Bearer|Basic)\s+[^\s"']+/gi, "$1 [redacted]");
};

/**
 * How long the server asked us to wait, in ms: `retry-after-ms` (OpenAI, Azure) first, then
 * `retry-after` as seconds or an HTTP date.
 */
export const retryAfterMs = (headers: Headers, now: number = Date.now()): number | undefined => {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(after);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

export interface ServerError {
  readonly message: string;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly type: string | undefined;
}

/** The message and code out of an error body, whatever shape the server chose. */
export const readServerError = (bodyText: string): ServerError => {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return { message: bodyText.trim().slice(0, 300), code: undefined, param: undefined, type: undefined };
  }
  const decoded = decodeErrorBody(json, { onExcessProperty: "ignore" });
  if (Result.isFailure(decoded)) return { message: bodyText.trim().slice(0, 300), code: undefined, param: undefined, type: undefined };
  const { error, message, detail } = decoded.success;
  if (typeof error === "string") return { message: error, code: undefined, param: undefined, type: undefined };
  return {
    message: error?.message ?? message ?? detail ?? "",
    code: error?.code === undefined || error.code === null ? undefined : String(error.code),
    param: error?.param ?? undefined,
    type: error?.type ?? undefined
  };
};

export interface HttpFailure {
  readonly error: ModelError;
  /** Set when the server said how long to wait before retrying. */
  readonly retryAfterMs?: number;
}

/** A non-2xx answer as a typed `ModelError`, with secrets removed from whatever the server said. */
export const describeHttpFailure = (
  operation: string,
  status: number,
  bodyText: string,
  headers: Headers,
  secrets: ReadonlyArray<string>
): HttpFailure => {
  const server = readServerError(bodyText);
  const said = server.message === "" ? "" : `: ${redactSecrets(server.message, secrets).slice(0, 300)}`;
  const detail = `${operation} answered HTTP ${status}${said}`;
  const fail = (reason: ModelError["reason"], retryable: boolean, wait?: number): HttpFailure => ({
    error: new ModelError({ provider: PROVIDER, reason, detail, retryable }),
    ...(wait === undefined ? {} : { retryAfterMs: wait })
  });
  if (status === 401 || status === 403) return fail("auth", false);
  if (status === 429) {
    // OpenAI answers 429 when the account is out of credit too; waiting does not help.
    if (server.code === "insufficient_quota" || server.type === "insufficient_quota") return fail("throttled", false);
    return fail("throttled", true, retryAfterMs(headers));
  }
  if (status === 408) return fail("timeout", true);
  if (status >= 500) return fail("unavailable", true, retryAfterMs(headers));
  // Azure-style gateways refuse filtered prompts with a 400 and this code.
  if (server.code === "content_filter" || server.code === "content_policy_violation") return fail("guardrail", false);
  if (status === 404 && operation.includes("embeddings")) return fail("unsupported", false);
  return fail("invalid_request", false);
};

/**
 * The quirks that get past a 400, when the server refused something the request can do
 * without: `json_schema` (then `json_object` with the schema in the prompt, then the prompt
 * alone), `max_tokens`
 * (then `max_completion_tokens`) or a non-default `temperature` (then none). Undefined when
 * the 400 is about anything else.
 */
export const learnQuirk = (
  status: number,
  bodyText: string,
  quirks: WireQuirks,
  request: { readonly structured: boolean; readonly maxTokens: boolean; readonly temperature: boolean }
): WireQuirks | undefined => {
  if (status !== 400 && status !== 422) return undefined;
  const server = readServerError(bodyText);
  const text = `${server.param ?? ""} ${server.message} ${server.code ?? ""}`.toLowerCase();
  if (request.structured && quirks.structuredMode !== "prompt" && (text.includes("response_format") || text.includes("json_schema") || text.includes("json_object")))
    return { ...quirks, structuredMode: quirks.structuredMode === "json_schema" ? "json_object" : "prompt" };
  if (request.maxTokens && quirks.maxTokensField === "max_tokens" && text.includes("max_completion_tokens"))
    return { ...quirks, maxTokensField: "max_completion_tokens" };
  if (request.temperature && !quirks.omitTemperature && (server.param === "temperature" || text.includes("'temperature'")) && /unsupported|not support|only the default/.test(text))
    return { ...quirks, omitTemperature: true };
  return undefined;
};
