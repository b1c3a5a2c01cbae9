import type { ConverseRequest, ModelError } from "@sre-on-call/core";
import { modelPortContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeOpenAiCompatibleModel, type OpenAiCompatibleModelOptions } from "./OpenAiCompatibleModel.js";
import { startFakeOpenAi, type FakeOpenAi } from "./testing/fakeOpenAi.js";

const run = Effect.runPromise;
const fail = <A>(effect: Effect.Effect<A, ModelError>) => run(Effect.flip(effect));
const API_KEY = "sk-test-0123456789abcdefXYZW";
const usage = { inputTokens: 50, outputTokens: 7 };
const ask = (text: string, extra: Partial<ConverseRequest> = {}): ConverseRequest => ({
  callSite: "test",
  messages: [{ role: "user", content: [{ type: "text", text }] }],
  ...extra
});

describe("makeOpenAiCompatibleModel passes the ModelPort contract against the fake OpenAI server", () => {
  for (const c of modelPortContract({
    make: async () => {
      const fake = await startFakeOpenAi({ apiKey: API_KEY });
      return {
        model: makeOpenAiCompatibleModel({ baseUrl: fake.url, apiKey: API_KEY, defaultModelId: "gpt-4o-mini", retry: { baseDelayMs: 1 } }),
        script: fake.script,
        failNext: (failure, count) => fake.failNext(failure, count),
        received: fake.received,
        close: fake.close
      };
    }
  }))
    it(c.name, c.run);
});

describe("makeOpenAiCompatibleModel against the fake OpenAI server", () => {
  let fake: FakeOpenAi;
  beforeEach(async () => {
    fake = await startFakeOpenAi({ apiKey: API_KEY });
  });
  afterEach(() => fake.close());
  const modelFor = (overrides: Partial<OpenAiCompatibleModelOptions> = {}) =>
    makeOpenAiCompatibleModel({ baseUrl: fake.url, apiKey: API_KEY, defaultModelId: "gpt-4o-mini", retry: { baseDelayMs: 1 }, ...overrides });
  const chatBodies = () => fake.requests().filter((r) => r.path === "/chat/completions").map((r) => r.body as Record<string, unknown>);

  it("sends the chat-completions wire format: bearer key, system message, tools, tool_choice and inference settings", async () => {
    fake.script([{ content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage }]);
    const tool = { name: "get_pods", description: "List pods", inputSchema: { type: "object", properties: { namespace: { type: "string" } } } };
    await run(
      modelFor({ headers: { "x-gateway-route": "sre" } }).converse(
        ask("hi", { system: "Be brief.", tools: [tool], toolChoice: { tool: "get_pods" }, maxTokens: 100, temperature: 0.2, stopSequences: ["END"], modelId: "llama3" })
      )
    );
    const [request] = fake.requests();
    expect(request?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers["x-gateway-route"]).toBe("sre");
    expect(request?.body).toEqual({
      model: "llama3",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" }
      ],
      tools: [{ type: "function", function: { name: "get_pods", description: "List pods", parameters: tool.inputSchema } }],
      tool_choice: { type: "function", function: { name: "get_pods" } },
      max_tokens: 100,
      temperature: 0.2,
      stop: ["END"]
    });
  });

  it("runs a full tool round trip: a tool call with null content, then tool results as role=tool messages", async () => {
    fake.script([
      {
        content: [
          { type: "toolUse", id: "call_a", name: "get_pods", input: { namespace: "payments" } },
          { type: "toolUse", id: "call_b", name: "get_events", input: {} }
        ],
        stopReason: "tool_use",
        usage
      },
      { content: [{ type: "text", text: "The api pod is OOMKilled." }], stopReason: "end_turn", usage }
    ]);
    const model = modelFor();
    const tools = [
      { name: "get_pods", description: "pods", inputSchema: { type: "object" } },
      { name: "get_events", description: "events", inputSchema: { type: "object" } }
    ];
    const first = await run(model.converse(ask("why?", { tools, toolChoice: "any" })));
    expect(first.stopReason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "toolUse", id: "call_a", name: "get_pods", input: { namespace: "payments" } },
      { type: "toolUse", id: "call_b", name: "get_events", input: {} }
    ]);
    const second = await run(
      model.converse({
        callSite: "eks",
        tools,
        messages: [
          { role: "user", content: [{ type: "text", text: "why?" }] },
          { role: "assistant", content: first.content },
          {
            role: "user",
            content: [
              { type: "toolResult", toolUseId: "call_a", content: '{"pods":[{"name":"api","reason":"OOMKilled"}]}' },
              { type: "toolResult", toolUseId: "call_b", content: "events API unavailable", isError: true }
            ]
          }
        ]
      })
    );
    expect(second.content).toEqual([{ type: "text", text: "The api pod is OOMKilled." }]);
    const wire = chatBodies();
    expect(wire[0]?.["tool_choice"]).toBe("required");
    expect(wire[1]?.["messages"]).toEqual([
      { role: "user", content: "why?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "get_pods", arguments: '{"namespace":"payments"}' } },
          { id: "call_b", type: "function", function: { name: "get_events", arguments: "{}" } }
        ]
      },
      { role: "tool", tool_call_id: "call_a", content: '{"pods":[{"name":"api","reason":"OOMKilled"}]}' },
      { role: "tool", tool_call_id: "call_b", content: "[tool error] events API unavailable" }
    ]);
    expect(fake.received()[1]?.messages[2]?.content).toEqual([
      { type: "toolResult", toolUseId: "call_a", content: '{"pods":[{"name":"api","reason":"OOMKilled"}]}' },
      { type: "toolResult", toolUseId: "call_b", content: "events API unavailable", isError: true }
    ]);
  });

  const verdict = {
    name: "triage verdict",
    schema: { type: "object", properties: { decision: { type: "string" } }, required: ["decision"], additionalProperties: false }
  };

  it("asks for strict json_schema output and parses it into `structured`", async () => {
    fake.script([{ content: [{ type: "text", text: '{"decision":"investigate"}' }], stopReason: "end_turn", usage }]);
    const r = await run(modelFor().converse(ask("api 5xx", { responseSchema: verdict })));
    expect(r.structured).toEqual({ decision: "investigate" });
    expect(chatBodies()[0]?.["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "triage_verdict", schema: verdict.schema, strict: true } });
  });

  it("falls back to json_object with the schema in the system prompt when the server rejects json_schema, and remembers it", async () => {
    fake.setRejectJsonSchema(true);
    fake.script([
      { content: [{ type: "text", text: '```json\n{"decision":"ignore"}\n```' }], stopReason: "end_turn", usage },
      { content: [{ type: "text", text: '{"decision":"investigate"}' }], stopReason: "end_turn", usage }
    ]);
    const model = modelFor();
    const r = await run(model.converse(ask("disk 91% on db-1", { system: "You triage alerts.", responseSchema: verdict })));
    expect(r.structured).toEqual({ decision: "ignore" });
    const statuses = fake.requests().map((q) => q.status);
    expect(statuses).toEqual([400, 200]);
    const fallback = chatBodies()[1];
    expect(fallback?.["response_format"]).toEqual({ type: "json_object" });
    const system = (fallback?.["messages"] as Array<{ role: string; content: string }>)[0];
    expect(system?.role).toBe("system");
    expect(system?.content.startsWith("You triage alerts.\n\n")).toBe(true);
    expect(system?.content).toContain(JSON.stringify(verdict.schema));
    const again = await run(model.converse(ask("db-1 recovered", { responseSchema: verdict })));
    expect(again.structured).toEqual({ decision: "investigate" });
    expect(fake.requests().map((q) => q.status)).toEqual([400, 200, 200]);
  });

  it("asks with the prompt alone when the server takes no response_format at all", async () => {
    await fake.close();
    fake = await startFakeOpenAi({ rejectResponseFormat: true });
    fake.script([{ content: [{ type: "text", text: '{"decision":"ignore"}' }], stopReason: "end_turn", usage }]);
    const r = await run(makeOpenAiCompatibleModel({ baseUrl: fake.url, defaultModelId: "tgi" }).converse(ask("x", { responseSchema: verdict })));
    expect(r.structured).toEqual({ decision: "ignore" });
    expect(fake.requests().map((q) => q.status)).toEqual([400, 400, 200]);
    const last = chatBodies()[2];
    expect(last?.["response_format"]).toBeUndefined();
    expect(JSON.stringify(last?.["messages"])).toContain("Answer with a single JSON object");
  });

  it("learns a reasoning model's max_completion_tokens and default temperature once, then asks right the first time", async () => {
    await fake.close();
    fake = await startFakeOpenAi({ apiKey: API_KEY, reasoningModel: true });
    fake.script([
      { content: [{ type: "text", text: "a" }], stopReason: "end_turn", usage },
      { content: [{ type: "text", text: "b" }], stopReason: "end_turn", usage }
    ]);
    const model = modelFor({ defaultModelId: "o4-mini" });
    expect((await run(model.converse(ask("x", { maxTokens: 500, temperature: 0 })))).content).toEqual([{ type: "text", text: "a" }]);
    expect(fake.requests().map((q) => q.status)).toEqual([400, 400, 200]);
    expect(chatBodies()[2]).toMatchObject({ model: "o4-mini", max_completion_tokens: 500 });
    expect(chatBodies()[2]).not.toHaveProperty("temperature");
    await run(model.converse(ask("y", { maxTokens: 500, temperature: 0 })));
    expect(fake.requests().map((q) => q.status)).toEqual([400, 400, 200, 200]);
  });

  it("fails with bad_response when structured output was asked for and the answer is not JSON", async () => {
    fake.script([{ content: [{ type: "text", text: "I think you should investigate." }], stopReason: "end_turn", usage }]);
    const e = await fail(modelFor().converse(ask("api 5xx", { responseSchema: verdict })));
    expect(e.reason).toBe("bad_response");
    expect(e.detail).toContain("not JSON");
  });

  it("does not fall back on a 400 that is not about response_format", async () => {
    fake.script([{ content: [{ type: "text", text: "{}" }], stopReason: "end_turn", usage }]);
    const e = await fail(modelFor().converse(ask("x", { responseSchema: verdict, stopSequences: ["a", "b", "c", "d", "e"] })));
    expect(e.reason).toBe("invalid_request");
    expect(e.retryable).toBe(false);
    expect(e.detail).toContain("HTTP 400");
    expect(fake.requests().length).toBe(1);
  });

  it("honours retry-after on 429 and retries 500s, within the retry bound", async () => {
    fake.failNext("throttled", 1, { retryAfterSeconds: 0.05 });
    fake.failNext("server", 1, { append: true });
    fake.script([{ content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage }]);
    const r = await run(modelFor().converse(ask("hi")));
    expect(r.content).toEqual([{ type: "text", text: "ok" }]);
    expect(fake.requests().map((q) => q.status)).toEqual([429, 500, 200]);

    fake.failNext("server", 10);
    const e = await fail(modelFor({ retry: { retries: 2, baseDelayMs: 1 } }).converse(ask("hi")));
    expect(e.reason).toBe("unavailable");
    expect(e.retryable).toBe(true);
    expect(fake.requests().length).toBe(3 + 3);
  });

  it("fails as retryable at once when the server asks to wait longer than allowed", async () => {
    fake.failNext("throttled", 1, { retryAfterSeconds: 60 });
    const e = await fail(modelFor({ retry: { maxDelayMs: 1_000 } }).converse(ask("hi")));
    expect(e.reason).toBe("throttled");
    expect(e.retryable).toBe(true);
    expect(e.detail).toContain("asked to wait 60 s");
    expect(fake.requests().length).toBe(1);
  });

  it("types 401s as auth without leaking the key, even when the server echoes it", async () => {
    const wrongKey = "sk-proj-WRONGkey9876543210abcdefQRST";
    const e = await fail(modelFor({ apiKey: wrongKey }).converse(ask("hi")));
    expect(e.reason).toBe("auth");
    expect(e.retryable).toBe(false);
    expect(e.detail).toContain("HTTP 401");
    expect(e.detail).toContain("Incorrect API key provided");
    const shown = `${e.message} ${e.detail} ${JSON.stringify(e)} ${String(e)}`;
    expect(shown).not.toContain(wrongKey);
    expect(shown).not.toContain(wrongKey.slice(0, 8));
    expect(shown).not.toContain(wrongKey.slice(-4));
    expect(fake.requests().length).toBe(1);

    const missing = await fail(modelFor({ apiKey: "" }).converse(ask("hi")));
    expect(missing.reason).toBe("auth");
    expect(fake.requests()[1]?.authorization).toBeUndefined();
  });

  it("times out a stalled server as a retryable timeout without retrying it", async () => {
    fake.failNext("stall", 1);
    const e = await fail(modelFor({ requestTimeoutMs: 200 }).converse(ask("hi")));
    expect(e.reason).toBe("timeout");
    expect(e.retryable).toBe(true);
    expect(fake.requests().length).toBe(1);
  });

  it("types an unreachable server as unavailable after bounded retries", async () => {
    const url = fake.url;
    await fake.close();
    const e = await fail(makeOpenAiCompatibleModel({ baseUrl: url, defaultModelId: "m", retry: { retries: 1, baseDelayMs: 1 } }).converse(ask("hi")));
    expect(e.reason).toBe("unavailable");
    expect(e.retryable).toBe(true);
    fake = await startFakeOpenAi();
  });

  it("turns a malformed 200 body into bad_response", async () => {
    fake.scriptRaw([{ body: "<html>gateway says hi</html>" }, { body: { choices: "nope" } }, { body: { choices: [] } }]);
    const model = modelFor();
    for (const expected of ["not JSON", "unexpected chat completion", "no choices"]) {
      const e = await fail(model.converse(ask("hi")));
      expect(e.reason).toBe("bad_response");
      expect(e.detail).toContain(expected);
    }
  });

  it("works with a keyless local server that omits usage, ids and finish_reason and says stop with tool calls", async () => {
    await fake.close();
    fake = await startFakeOpenAi();
    fake.scriptRaw([
      {
        body: {
          choices: [
            {
              message: { role: "assistant", content: null, tool_calls: [{ function: { name: "get_pods", arguments: '{"namespace":"web"}' } }] },
              finish_reason: "stop"
            }
          ]
        }
      },
      { body: { choices: [{ message: { content: "done" } }] } }
    ]);
    const model = makeOpenAiCompatibleModel({ baseUrl: fake.url, defaultModelId: "qwen2.5:7b" });
    const first = await run(model.converse(ask("pods?", { tools: [{ name: "get_pods", description: "pods", inputSchema: { type: "object" } }] })));
    expect(first).toEqual({
      modelId: "qwen2.5:7b",
      content: [{ type: "toolUse", id: "call_0", name: "get_pods", input: { namespace: "web" } }],
      stopReason: "tool_use",
      usage: { inputTokens: 0, outputTokens: 0 }
    });
    const second = await run(model.converse(ask("and?")));
    expect(second).toEqual({ modelId: "qwen2.5:7b", content: [{ type: "text", text: "done" }], stopReason: "end_turn", usage: { inputTokens: 0, outputTokens: 0 } });
    expect(fake.requests().map((q) => q.authorization)).toEqual([undefined, undefined]);
  });

  it("maps finish reasons length and content_filter", async () => {
    fake.script([
      { content: [{ type: "text", text: "cut" }], stopReason: "max_tokens", usage },
      { content: [], stopReason: "content_filter", usage }
    ]);
    const model = modelFor();
    expect((await run(model.converse(ask("a")))).stopReason).toBe("max_tokens");
    expect((await run(model.converse(ask("b")))).stopReason).toBe("content_filter");
  });

  it("embeds texts through /embeddings, in input order, with usage", async () => {
    await fake.close();
    fake = await startFakeOpenAi({ apiKey: API_KEY, reverseEmbeddings: true, embeddingDimensions: 8 });
    const texts = ["disk full on db-1", "connection refused", "OOMKilled"];
    const r = await run(modelFor({ embeddingModelId: "text-embedding-3-small" }).embed({ callSite: "memory", texts }));
    expect(r.modelId).toBe("text-embedding-3-small");
    expect(r.vectors).toEqual(texts.map((t) => fake.embeddingOf(t)));
    expect(r.usage).toEqual({ inputTokens: texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0), outputTokens: 0 });
    expect(fake.requests()[0]?.body).toEqual({ model: "text-embedding-3-small", input: texts });
    expect(await run(modelFor().embed({ callSite: "memory", texts: [] }))).toEqual({ modelId: "gpt-4o-mini", vectors: [], usage: { inputTokens: 0, outputTokens: 0 } });
    expect(fake.requests().length).toBe(1);
  });

  it("fails with typed errors for a bad base URL and unserialisable input, without a request", async () => {
    const bad = await fail(makeOpenAiCompatibleModel({ baseUrl: "ftp://user:pw@example", defaultModelId: "m" }).converse(ask("hi")));
    expect(bad.reason).toBe("invalid_request");
    expect(bad.detail).not.toContain("pw");
    const badKey = await fail(modelFor({ apiKey: "sk-line\nbreak-1234567890" }).converse(ask("hi")));
    expect([badKey.reason, badKey.detail.includes("sk-line")]).toEqual(["auth", false]);
    const badHeader = await fail(modelFor({ headers: { "x-key": "secret\r\nvalue-123" } }).embed({ callSite: "m", texts: ["a"] }));
    expect([badHeader.reason, badHeader.detail.includes("secret")]).toEqual(["invalid_request", false]);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    const e = await fail(
      modelFor().converse({ callSite: "x", messages: [{ role: "assistant", content: [{ type: "toolUse", id: "t", name: "n", input: cyclic }] }] })
    );
    expect(e.reason).toBe("invalid_request");
    expect(fake.requests().length).toBe(0);
  });
});
