import type { ContentBlock, ConverseRequest, ModelMessage } from "@sre-on-call/core";
import { Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_QUIRKS, encodeChatRequest, jsonObjectInstruction, TOOL_ERROR_PREFIX, wireSchemaName } from "./encodeChatRequest.js";
import type { WireContent, WireMessage } from "./openAiWire.js";
import { decodeWireChatRequest } from "./testing/fakeOpenAi.js";

const contentText = (c: WireContent | null): Array<string> => (c === null ? [] : typeof c === "string" ? [c] : c.map((p) => p.text));

/** Every text the wire request carries, in order: message contents and tool results. */
const wireTexts = (messages: ReadonlyArray<WireMessage>): Array<string> =>
  messages.flatMap((m) => (m.role === "system" ? [] : m.role === "tool" ? [m.content] : contentText(m.content)));

const portTexts = (request: ConverseRequest): Array<string> =>
  request.messages.flatMap((m) =>
    [...m.content]
      // tool results go first on the wire: they must follow the assistant's tool calls
      .sort((a, b) => Number(b.type === "toolResult") - Number(a.type === "toolResult"))
      .flatMap((b) => (b.type === "text" ? [b.text] : b.type === "toolResult" ? [`${b.isError === true ? TOOL_ERROR_PREFIX : ""}${b.content}`] : []))
  );

const text = fc.string({ unit: "grapheme", maxLength: 40 });
const textBlock = text.map((t): ContentBlock => ({ type: "text", text: t }));
const toolUse = fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), name: fc.stringMatching(/^[a-z_]{1,12}$/), input: fc.jsonValue() }).map(
  (u): ContentBlock => ({ type: "toolUse", ...u })
);
const toolResult = fc
  .record({ toolUseId: fc.string({ minLength: 1, maxLength: 8 }), content: text, isError: fc.boolean() })
  .map(({ isError, ...r }): ContentBlock => ({ type: "toolResult", ...r, ...(isError ? { isError: true } : {}) }));

const userMessage = fc.array(fc.oneof(textBlock, toolResult), { maxLength: 4 }).map((content): ModelMessage => ({ role: "user", content }));
const assistantMessage = fc.array(fc.oneof(textBlock, toolUse), { maxLength: 4 }).map((content): ModelMessage => ({ role: "assistant", content }));

const request = fc.record(
  {
    callSite: fc.constantFrom("classifier", "synthesis", "eks"),
    modelId: fc.string({ maxLength: 20 }),
    system: text,
    messages: fc.array(fc.oneof(userMessage, assistantMessage), { maxLength: 6 }),
    tools: fc.array(fc.record({ name: fc.string({ maxLength: 10 }), description: text, inputSchema: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()) }), {
      maxLength: 3
    }),
    toolChoice: fc.oneof(fc.constantFrom("auto" as const, "any" as const, "none" as const), fc.record({ tool: fc.string({ maxLength: 10 }) })),
    responseSchema: fc.record({ name: fc.string({ maxLength: 80 }), schema: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()) }),
    maxTokens: fc.oneof(fc.integer(), fc.double()),
    temperature: fc.double(),
    stopSequences: fc.array(text, { maxLength: 5 })
  },
  { requiredKeys: ["callSite", "messages"] }
);

describe("encodeChatRequest", () => {
  it("never throws: any port request becomes a wire request or a typed invalid_request", () => {
    fc.assert(
      fc.property(request, fc.record({ structuredMode: fc.constantFrom("json_schema" as const, "json_object" as const, "prompt" as const), maxTokensField: fc.constantFrom("max_tokens" as const, "max_completion_tokens" as const), omitTemperature: fc.boolean() }), (r, quirks) => {
        const encoded = encodeChatRequest(r, { modelId: "default", quirks });
        if (Result.isFailure(encoded)) {
          expect(encoded.failure.reason).toBe("invalid_request");
          expect(encoded.failure.retryable).toBe(false);
        } else expect(() => JSON.stringify(encoded.success)).not.toThrow();
      }),
      { numRuns: 500 }
    );
  });

  it("preserves every text, tool result and the system prompt, in order", () => {
    const wellFormed = request.map((r): ConverseRequest => {
      const { maxTokens: _m, temperature: _t, ...rest } = r;
      return {
        ...rest,
        messages: r.messages.map((m) => ({ ...m, content: m.content.filter((b) => (m.role === "user" ? b.type !== "toolUse" : b.type !== "toolResult")) }))
      };
    });
    fc.assert(
      fc.property(wellFormed, (r) => {
        const encoded = encodeChatRequest(r, { modelId: "default" });
        if (Result.isFailure(encoded)) throw new Error(encoded.failure.detail);
        const wire = encoded.success;
        const expectedTexts = portTexts(r);
        // an empty user message still goes out (as ""), to keep the turns alternating
        const sent = wireTexts(wire.messages);
        expect(sent.filter((t) => t !== "")).toEqual(expectedTexts.filter((t) => t !== ""));
        const system = wire.messages.filter((m) => m.role === "system");
        expect(system).toEqual(r.system === undefined || r.system === "" ? [] : [{ role: "system", content: r.system }]);
        expect(wire.model).toBe(r.modelId ?? "default");
      }),
      { numRuns: 500 }
    );
  });

  it("round-trips through the wire format back to the same conversation", () => {
    const nonEmpty = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((t) => !t.startsWith("[tool error] "));
    const turnPair = fc
      .record({
        results: fc.array(fc.record({ toolUseId: fc.string({ minLength: 1, maxLength: 6 }), content: nonEmpty, isError: fc.boolean() }), { maxLength: 2 }),
        userTexts: fc.array(nonEmpty, { minLength: 1, maxLength: 2 }),
        assistantTexts: fc.array(nonEmpty, { maxLength: 2 }),
        calls: fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 6 }), name: fc.stringMatching(/^[a-z_]{1,10}$/), input: fc.jsonValue() }), { maxLength: 2 })
      })
      .filter((p) => p.assistantTexts.length + p.calls.length > 0)
      .map((p): Array<ModelMessage> => [
        {
          role: "user",
          content: [
            ...p.results.map((r): ContentBlock => ({ type: "toolResult", toolUseId: r.toolUseId, content: r.content, ...(r.isError ? { isError: true } : {}) })),
            ...p.userTexts.map((t): ContentBlock => ({ type: "text", text: t }))
          ]
        },
        {
          role: "assistant",
          content: [
            ...p.assistantTexts.map((t): ContentBlock => ({ type: "text", text: t })),
            ...p.calls.map((c): ContentBlock => ({ type: "toolUse", ...c, input: JSON.parse(JSON.stringify(c.input)) as unknown }))
          ]
        }
      ]);
    fc.assert(
      fc.property(fc.array(turnPair, { minLength: 1, maxLength: 3 }), nonEmpty, (pairs, system) => {
        const r: ConverseRequest = { callSite: "", modelId: "m", system, messages: pairs.flat(), maxTokens: 64, temperature: 0.5, stopSequences: ["\n\n"] };
        const encoded = encodeChatRequest(r, { modelId: "default" });
        if (Result.isFailure(encoded)) throw new Error(encoded.failure.detail);
        const decoded = decodeWireChatRequest(JSON.parse(JSON.stringify(encoded.success)) as Record<string, unknown>);
        expect(decoded).toEqual(r);
      }),
      { numRuns: 300 }
    );
  });

  it("maps tool choices, sanitises the schema name and spells out the schema in json_object mode", () => {
    const tools = [{ name: "get_pods", description: "d", inputSchema: { type: "object" } }];
    const choices = (["auto", "any", "none", { tool: "get_pods" }] as const).map((toolChoice) => {
      const e = encodeChatRequest({ callSite: "x", messages: [], tools, toolChoice }, { modelId: "m" });
      return Result.isSuccess(e) ? e.success.tool_choice : undefined;
    });
    expect(choices).toEqual(["auto", "required", "none", { type: "function", function: { name: "get_pods" } }]);
    expect(wireSchemaName("triage verdict/v2")).toBe("triage_verdict_v2");
    expect(wireSchemaName("")).toBe("response");
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const e = encodeChatRequest({ callSite: "x", messages: [], responseSchema: { name: "a", schema } }, { modelId: "m", quirks: { ...DEFAULT_QUIRKS, structuredMode: "json_object" } });
    expect(Result.isSuccess(e) && e.success.messages).toEqual([{ role: "system", content: jsonObjectInstruction(schema) }]);
    expect(Result.isSuccess(e) && e.success.response_format).toEqual({ type: "json_object" });
    const p = encodeChatRequest({ callSite: "x", messages: [], responseSchema: { name: "a", schema } }, { modelId: "m", quirks: { ...DEFAULT_QUIRKS, structuredMode: "prompt" } });
    expect(Result.isSuccess(p) && p.success.messages).toEqual([{ role: "system", content: jsonObjectInstruction(schema) }]);
    expect(Result.isSuccess(p) && "response_format" in p.success).toBe(false);
  });

  it("sends max_completion_tokens and leaves out temperature when the model's quirks say so", () => {
    const r: ConverseRequest = { callSite: "x", messages: [], maxTokens: 300, temperature: 0 };
    const e = encodeChatRequest(r, { modelId: "o4-mini", quirks: { ...DEFAULT_QUIRKS, maxTokensField: "max_completion_tokens", omitTemperature: true } });
    expect(Result.isSuccess(e) && e.success).toEqual({ model: "o4-mini", messages: [], max_completion_tokens: 300 });
  });

  it("refuses what the wire cannot carry with a readable invalid_request", () => {
    const cases: Array<[ConverseRequest, string]> = [
      [{ callSite: "x", messages: [{ role: "user", content: [{ type: "toolUse", id: "1", name: "n", input: {} }] }] }, "user message cannot contain a tool call"],
      [{ callSite: "x", messages: [{ role: "assistant", content: [{ type: "toolResult", toolUseId: "1", content: "" }] }] }, "assistant message cannot contain a tool result"],
      [{ callSite: "x", messages: [{ role: "assistant", content: [{ type: "toolUse", id: "1", name: "n", input: 1n }] }] }, "not JSON-serialisable"],
      [{ callSite: "x", messages: [], maxTokens: 0 }, "maxTokens 0"],
      [{ callSite: "x", messages: [], temperature: Number.NaN }, "temperature NaN"]
    ];
    for (const [r, message] of cases) {
      const e = encodeChatRequest(r, { modelId: "m" });
      expect(Result.isFailure(e) && e.failure.detail).toContain(message);
    }
  });
});
