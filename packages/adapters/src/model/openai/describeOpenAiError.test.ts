import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_QUIRKS } from "./encodeChatRequest.js";
import { describeHttpFailure, learnQuirk, redactSecrets, retryAfterMs } from "./describeOpenAiError.js";

const openAiError = (message: string, code: string | null = null, param: string | null = null, type = "invalid_request_error") =>
  JSON.stringify({ error: { message, type, param, code } });

describe("describeHttpFailure", () => {
  const describe_ = (status: number, body: string, headers: Record<string, string> = {}) =>
    describeHttpFailure("POST /chat/completions", status, body, new Headers(headers), ["sk-secret-key-123456"]);

  it("types statuses: auth, throttled, unavailable, timeout, invalid_request", () => {
    const rows = [401, 403, 429, 500, 502, 503, 408, 400, 404, 422].map((s) => {
      const { error } = describe_(s, openAiError("x"));
      return `${s} ${error.reason} ${error.retryable}`;
    });
    expect(rows).toEqual([
      "401 auth false",
      "403 auth false",
      "429 throttled true",
      "500 unavailable true",
      "502 unavailable true",
      "503 unavailable true",
      "408 timeout true",
      "400 invalid_request false",
      "404 invalid_request false",
      "422 invalid_request false"
    ]);
  });

  it("does not retry a 429 that means the account is out of credit, and types filtered prompts as guardrail", () => {
    const quota = describe_(429, openAiError("You exceeded your current quota", "insufficient_quota", null, "insufficient_quota")).error;
    expect([quota.reason, quota.retryable]).toEqual(["throttled", false]);
    expect(describe_(400, openAiError("The response was filtered", "content_filter")).error.reason).toBe("guardrail");
    expect(describeHttpFailure("POST /embeddings", 404, "Not Found", new Headers(), []).error.reason).toBe("unsupported");
  });

  it("carries the server's wait and message, whatever the body shape", () => {
    expect(describe_(429, "{}", { "retry-after-ms": "250" }).retryAfterMs).toBe(250);
    expect(describe_(400, JSON.stringify({ error: "model not loaded" })).error.detail).toBe("POST /chat/completions answered HTTP 400: model not loaded");
    expect(describe_(502, "<html>Bad Gateway</html>").error.detail).toContain("Bad Gateway");
    expect(describe_(422, JSON.stringify({ detail: "field required" })).error.detail).toContain("field required");
  });
});

describe("retryAfterMs", () => {
  it("prefers retry-after-ms, then reads seconds or an HTTP date, and ignores garbage", () => {
    const at = (h: Record<string, string>) => retryAfterMs(new Headers(h), Date.parse("2025-01-01T00:00:00Z"));
    expect(at({ "retry-after-ms": "120", "retry-after": "9" })).toBe(120);
    expect(at({ "retry-after": "2" })).toBe(2000);
    expect(at({ "retry-after": "0.5" })).toBe(500);
    expect(at({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" })).toBe(3000);
    expect(at({ "retry-after": "soon" })).toBeUndefined();
    expect(at({ "retry-after": "-1" })).toBeUndefined();
    expect(at({})).toBeUndefined();
  });
});

describe("learnQuirk", () => {
  const all = { structured: true, maxTokens: true, temperature: true };
  const learn = (status: number, body: string, quirks = DEFAULT_QUIRKS, request = all) => learnQuirk(status, body, quirks, request);

  it("steps structured output down from json_schema to json_object to the prompt alone", () => {
    const refusal = openAiError("'response_format.type' must be 'json_object' or 'text'", null, "response_format");
    const once = learn(400, refusal);
    expect(once).toEqual({ ...DEFAULT_QUIRKS, structuredMode: "json_object" });
    expect(learn(400, refusal, once)).toEqual({ ...DEFAULT_QUIRKS, structuredMode: "prompt" });
    expect(learn(400, refusal, { ...DEFAULT_QUIRKS, structuredMode: "prompt" })).toBeUndefined();
    expect(learn(400, openAiError("Invalid schema for response_format 'x': additionalProperties must be false"))?.structuredMode).toBe("json_object");
    expect(learn(422, JSON.stringify({ detail: "json_schema is not supported" }))?.structuredMode).toBe("json_object");
    expect(learn(400, refusal, DEFAULT_QUIRKS, { ...all, structured: false })).toBeUndefined();
  });

  it("switches to max_completion_tokens and drops an unsupported temperature, as OpenAI's reasoning models ask", () => {
    const maxTokens = openAiError(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      "unsupported_parameter",
      "max_tokens"
    );
    expect(learn(400, maxTokens)).toEqual({ ...DEFAULT_QUIRKS, maxTokensField: "max_completion_tokens" });
    const temperature = openAiError(
      "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
      "unsupported_value",
      "temperature"
    );
    expect(learn(400, temperature)).toEqual({ ...DEFAULT_QUIRKS, omitTemperature: true });
  });

  it("learns nothing from other failures", () => {
    expect(learn(400, openAiError("max_tokens is too large: 999999", null, "max_tokens"))).toBeUndefined();
    expect(learn(400, openAiError("temperature must be at most 2", null, "temperature"))).toBeUndefined();
    expect(learn(500, openAiError("response_format broke us"))).toBeUndefined();
    expect(learn(401, openAiError("Incorrect API key"))).toBeUndefined();
  });
});

describe("redactSecrets", () => {
  const key = fc.stringMatching(/^sk-[A-Za-z0-9]{20,48}$/);
  it("removes the key, whole or as an OpenAI-style masked echo, from any text", () => {
    fc.assert(
      fc.property(key, fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (k, before, after) => {
        const masked = `${k.slice(0, 6)}${"*".repeat(k.length - 10)}${k.slice(-4)}`;
        const out = redactSecrets(`${before} ${k} ${before}Incorrect API key provided: ${masked}.${after} Bearer ${k}`, [k]);
        expect(out).not.toContain(k);
        expect(out).not.toContain(k.slice(0, 6));
        expect(out).not.toContain(k.slice(-6));
      }),
      { numRuns: 300 }
    );
  });

  it("leaves text without secrets alone", () => {
    expect(redactSecrets("Rate limit reached for gpt-4o in organization org-abc", ["sk-zzzzzzzzzzzzzzzzzzzz"])).toBe(
      "Rate limit reached for gpt-4o in organization org-abc"
    );
  });
});
