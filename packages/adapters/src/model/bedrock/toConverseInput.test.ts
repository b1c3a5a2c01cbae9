import type { ContentBlock, ConverseRequest, ModelMessage, ToolChoice, ToolSpec } from "@sre-on-call/core";
import { Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { converseBodyToPort, validateConverseBody } from "./testing/fakeBedrock.js";
import { structuredToolName, toConverseInput } from "./toConverseInput.js";

const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

/** The body the SDK puts on the wire: everything but the model id (which goes in the path), as JSON. */
const wireBody = (input: object): unknown => {
  const { modelId: _modelId, ...body } = input as Record<string, unknown>;
  return JSON.parse(JSON.stringify(body));
};

const cyclic = fc.constant(null).map(() => {
  const o: Record<string, unknown> = { a: 1 };
  o["self"] = o;
  return o;
});
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.bigInt(),
  fc.double(),
  fc.anything(),
  cyclic,
  fc.constant(() => 1)
);
const validName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/);
const anyName = fc.oneof(validName, fc.string({ maxLength: 70 }));
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", " ", "\n\t ", "```json\n{}\n```")
);

const textBlock = anyText.map((text): ContentBlock => ({ type: "text", text }));
const toolUseBlock = fc
  .record({ id: fc.oneof(validName, fc.string()), name: fc.oneof({ weight: 4, arbitrary: validName }, { weight: 1, arbitrary: anyName }), input: weirdValue })
  .map(({ id, name, input }): ContentBlock => ({ type: "toolUse", id, name, input }));
const toolResultBlock = fc
  .record({ toolUseId: fc.oneof(validName, fc.string()), content: anyText, isError: fc.boolean() }, { requiredKeys: ["toolUseId", "content"] })
  .map((r): ContentBlock => ({ type: "toolResult", ...r }));
/** Mostly what each role really sends, sometimes what it must not. */
const blocksFor = (main: fc.Arbitrary<ContentBlock>, misplaced: fc.Arbitrary<ContentBlock>) =>
  fc.array(fc.oneof({ weight: 20, arbitrary: textBlock }, { weight: 6, arbitrary: main }, { weight: 1, arbitrary: misplaced }), { maxLength: 4 });
const anyMessage: fc.Arbitrary<ModelMessage> = fc.oneof(
  blocksFor(toolResultBlock, toolUseBlock).map((content): ModelMessage => ({ role: "user", content })),
  blocksFor(toolUseBlock, toolResultBlock).map((content): ModelMessage => ({ role: "assistant", content }))
);
const anyTool: fc.Arbitrary<ToolSpec> = fc.record({
  name: fc.oneof({ weight: 6, arbitrary: validName }, { weight: 1, arbitrary: anyName }),
  description: anyText,
  inputSchema: fc.oneof(fc.constant({ type: "object", properties: {} }), fc.dictionary(fc.string(), weirdValue, { maxKeys: 3 }))
});
const anyChoice: fc.Arbitrary<ToolChoice> = fc.oneof(fc.constantFrom("auto" as const, "any" as const, "none" as const), anyName.map((tool) => ({ tool })));

const anyRequest: fc.Arbitrary<ConverseRequest> = fc.record(
  {
    callSite: fc.string(),
    modelId: fc.oneof({ weight: 8, arbitrary: fc.constant(MODEL) }, { weight: 1, arbitrary: fc.string() }),
    system: anyText,
    messages: fc
      .tuple(textBlock.map((b): ModelMessage => ({ role: "user", content: [b] })), fc.array(anyMessage, { maxLength: 6 }), fc.integer({ min: 0, max: 4 }).map((n) => n > 0))
      .map(([first, rest, startWithUser]) => (startWithUser ? [first, ...rest] : rest)),
    tools: fc.array(anyTool, { maxLength: 3 }),
    toolChoice: anyChoice,
    responseSchema: fc.record({
      name: fc.string(),
      schema: fc.oneof(fc.dictionary(fc.string(), weirdValue, { maxKeys: 3 }), fc.constant({ type: "array", items: { type: "string" } }))
    }),
    maxTokens: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 200_000 }) }, { weight: 1, arbitrary: fc.double() }),
    temperature: fc.oneof({ weight: 8, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.double() }),
    stopSequences: fc.array(fc.string(), { maxLength: 3 })
  },
  { requiredKeys: ["callSite", "messages"] }
);

/** Every non-blank text block in order, with its role: what must reach the model. */
const texts = (messages: ReadonlyArray<ModelMessage>): Array<[string, string]> =>
  messages.flatMap((m) => m.content.flatMap((b): Array<[string, string]> => (b.type === "text" && b.text.trim() !== "" ? [[m.role, b.text]] : [])));

describe("toConverseInput (property)", () => {
  it("never throws on arbitrary port requests; what it maps Bedrock accepts, with every text intact", () => {
    fc.assert(
      fc.property(anyRequest, (request) => {
        const mapped = toConverseInput(request, { modelId: MODEL });
        if (Result.isFailure(mapped)) {
          expect(mapped.failure.length).toBeGreaterThan(0);
          return;
        }
        const body = wireBody(mapped.success.input);
        expect(validateConverseBody(body)).toBeUndefined();
        const decoded = converseBodyToPort(MODEL, body);
        expect(texts(decoded.messages)).toEqual(texts(request.messages));
        if (request.system !== undefined && request.system.trim() !== "") expect(decoded.system).toBe(request.system);
      }),
      { numRuns: 2_000 }
    );
  });
});

describe("toConverseInput", () => {
  const ok = (request: ConverseRequest) => {
    const mapped = toConverseInput(request, { modelId: MODEL });
    if (Result.isFailure(mapped)) throw new Error(mapped.failure);
    return mapped.success;
  };
  const problem = (request: ConverseRequest) => {
    const mapped = toConverseInput(request, { modelId: MODEL });
    if (Result.isSuccess(mapped)) throw new Error("expected a failure");
    return mapped.failure;
  };
  const user = (text: string): ModelMessage => ({ role: "user", content: [{ type: "text", text }] });

  it("sends the guardrail with its trace setting", () => {
    const mapped = toConverseInput({ callSite: "x", messages: [user("hi")] }, { modelId: MODEL, guardrail: { id: "gr-1", version: "DRAFT" } });
    expect(Result.isSuccess(mapped) && mapped.success.input.guardrailConfig).toEqual({ guardrailIdentifier: "gr-1", guardrailVersion: "DRAFT", trace: "disabled" });
  });

  it("cleans the call site into Bedrock's metadata alphabet", () => {
    expect(ok({ callSite: "agent/eks→synthesis", messages: [user("hi")] }).input.requestMetadata).toEqual({ callSite: "agent/eks_synthesis" });
  });

  it("turns a schema name into a valid tool name", () => {
    expect(structuredToolName("root cause (v2)")).toBe("root_cause_v2_");
    expect(structuredToolName("ünïcödé")).toBe("_n_c_d_");
    expect(structuredToolName("日本語")).toBe("structured_output");
    expect(structuredToolName("x".repeat(100))).toHaveLength(64);
  });

  it("names what is wrong without quoting the prompt", () => {
    const secret = "password=hunter2 in the prompt";
    expect(problem({ callSite: "x", messages: [{ role: "assistant", content: [{ type: "text", text: secret }] }] })).not.toContain("hunter2");
    expect(problem({ callSite: "x", messages: [] })).toMatch(/no message/);
    expect(problem({ callSite: "x", messages: [user("a")], toolChoice: "any" })).toMatch(/no tools/);
    expect(problem({ callSite: "x", messages: [user("a")], tools: [{ name: "t", description: "d", inputSchema: {} }], toolChoice: { tool: "u" } })).toMatch(/not offered/);
    expect(problem({ callSite: "x", messages: [user("a")], maxTokens: 0 })).toMatch(/maxTokens/);
    expect(problem({ callSite: "x", modelId: " ", messages: [user("a")] })).toMatch(/model id/);
    expect(
      problem({ callSite: "x", messages: [user("a"), { role: "assistant", content: [{ type: "toolUse", id: "1", name: "t", input: 1n }] }], tools: [{ name: "t", description: "d", inputSchema: {} }] })
    ).toMatch(/not representable as JSON/);
    expect(problem({ callSite: "x", messages: [{ role: "user", content: [{ type: "toolUse", id: "1", name: "t", input: {} }] }] })).toMatch(/only the assistant/);
  });

  it("keeps structured output and offered tools apart", () => {
    const tool = { name: "verdict", description: "d", inputSchema: {} };
    expect(problem({ callSite: "x", messages: [user("a")], tools: [tool], responseSchema: { name: "verdict", schema: { type: "object" } } })).toMatch(/clashes/);
    const mapped = ok({ callSite: "x", messages: [user("a")], tools: [{ ...tool, name: "get_pods" }], toolChoice: "none", responseSchema: { name: "verdict", schema: { type: "object" } } });
    expect(mapped.structuredTool).toEqual({ name: "verdict", wrapped: false });
    expect(mapped.input.toolConfig?.toolChoice).toEqual({ tool: { name: "verdict" } });
    expect(mapped.input.toolConfig?.tools?.map((t) => t.toolSpec?.name)).toEqual(["get_pods", "verdict"]);
  });
});
