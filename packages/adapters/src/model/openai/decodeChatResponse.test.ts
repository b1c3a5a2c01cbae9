import { Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeChatResponse, decodeEmbeddingsResponse, parseStructured, stopReasonOf } from "./decodeChatResponse.js";

const opts = { requestedModel: "asked-for", structured: false };
const completion = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ choices: [{ message, ...extra }] });
const ok = (r: ReturnType<typeof decodeChatResponse>) => {
  if (Result.isFailure(r)) throw new Error(r.failure.detail);
  return r.success;
};
const err = (r: Result.Result<unknown, { readonly reason: string; readonly detail: string }>) => {
  if (Result.isSuccess(r)) throw new Error("expected a failure");
  return r.failure;
};

describe("decodeChatResponse", () => {
  it("maps finish reasons, letting tool calls win over a server's `stop`", () => {
    expect(
      [
        ["stop", false],
        ["tool_calls", false],
        ["function_call", false],
        ["length", false],
        ["content_filter", false],
        [null, false],
        ["eos", false],
        ["stop", true]
      ].map(([f, calls]) => stopReasonOf(f as string | null, calls as boolean))
    ).toEqual(["end_turn", "tool_use", "tool_use", "max_tokens", "content_filter", "end_turn", "end_turn", "tool_use"]);
  });

  it("reads text parts, arguments sent as objects or empty strings, and missing usage", () => {
    const r = ok(
      decodeChatResponse(
        completion(
          {
            content: [
              { type: "text", text: "a" },
              { type: "image_url", text: "ignored" },
              { type: "text", text: "b" }
            ],
            tool_calls: [
              { id: "x", function: { name: "f", arguments: { ns: "web" } } },
              { function: { name: "g", arguments: "" } }
            ]
          },
          { finish_reason: "tool_calls" }
        ),
        opts
      )
    );
    expect(r).toEqual({
      modelId: "asked-for",
      content: [
        { type: "text", text: "ab" },
        { type: "toolUse", id: "x", name: "f", input: { ns: "web" } },
        { type: "toolUse", id: "call_1", name: "g", input: {} }
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 0, outputTokens: 0 }
    });
  });

  it("reports a refusal as content_filter with its text, and does not demand JSON for it", () => {
    const r = ok(decodeChatResponse(completion({ content: null, refusal: "I can't help with that." }, { finish_reason: "stop" }), { ...opts, structured: true }));
    expect(r.stopReason).toBe("content_filter");
    expect(r.content).toEqual([{ type: "text", text: "I can't help with that." }]);
    expect(r.structured).toBeUndefined();
  });

  it("parses structured output, fenced or not, and names truncation when it is cut off", () => {
    expect(ok(decodeChatResponse(completion({ content: ' {"a":1} ' }), { ...opts, structured: true })).structured).toEqual({ a: 1 });
    expect(Result.getOrThrow(parseStructured('```json\n{"a":[1,2]}\n```'))).toEqual({ a: [1, 2] });
    const cut = err(decodeChatResponse(completion({ content: '{"a":' }, { finish_reason: "length" }), { ...opts, structured: true }));
    expect(cut.reason).toBe("bad_response");
    expect(cut.detail).toContain("cut off at max_tokens");
    expect(err(decodeChatResponse(completion({ content: "" }), { ...opts, structured: true })).detail).toContain("empty");
  });

  it("keeps token usage and clamps nonsense counts to zero", () => {
    const r = ok(decodeChatResponse({ model: "served", ...completion({ content: "x" }), usage: { prompt_tokens: 12, completion_tokens: -3 } }, opts));
    expect(r.modelId).toBe("served");
    expect(r.usage).toEqual({ inputTokens: 12, outputTokens: 0 });
  });

  it("fails with bad_response on tool arguments that are not JSON, naming the tool", () => {
    const e = err(decodeChatResponse(completion({ tool_calls: [{ id: "1", function: { name: "get_pods", arguments: "{namespace: web" } }] }), opts));
    expect(e.reason).toBe("bad_response");
    expect(e.detail).toContain('"get_pods"');
  });

  it("never throws on arbitrary bodies: a response or a bad_response", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), fc.record({ choices: fc.array(fc.record({ message: fc.dictionary(fc.string(), fc.jsonValue()) })) })), fc.boolean(), (body, structured) => {
        const r = decodeChatResponse(body, { ...opts, structured });
        if (Result.isFailure(r)) expect(r.failure.reason).toBe("bad_response");
      }),
      { numRuns: 500 }
    );
  });
});

describe("decodeEmbeddingsResponse", () => {
  it("orders vectors by index and rejects missing or repeated ones", () => {
    const body = { data: [{ index: 1, embedding: [0, 1] }, { index: 0, embedding: [1, 0] }], usage: { prompt_tokens: 4 } };
    expect(Result.getOrThrow(decodeEmbeddingsResponse(body, { requestedModel: "e", expected: 2 }))).toEqual({
      modelId: "e",
      vectors: [
        [1, 0],
        [0, 1]
      ],
      usage: { inputTokens: 4, outputTokens: 0 }
    });
    expect(err(decodeEmbeddingsResponse(body, { requestedModel: "e", expected: 3 })).detail).toContain("asked for 3 embeddings, got 2");
    const repeated = { data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }] };
    expect(err(decodeEmbeddingsResponse(repeated, { requestedModel: "e", expected: 2 })).reason).toBe("bad_response");
  });
});
