import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAi, type FakeOpenAi } from "./fakeOpenAi.js";

const KEY = "sk-fake-0123456789abcdef";

describe("the fake OpenAI server refuses what OpenAI refuses", () => {
  let fake: FakeOpenAi;
  beforeEach(async () => {
    fake = await startFakeOpenAi({ apiKey: KEY });
  });
  afterEach(() => fake.close());
  const post = async (path: string, body: unknown, key: string | null = KEY) => {
    const r = await fetch(`${fake.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      body: typeof body === "string" ? body : JSON.stringify(body)
    });
    return { status: r.status, body: (await r.json()) as { error?: { message: string; param: string | null } } };
  };
  const user = { role: "user", content: "hi" };

  it("checks the bearer key", async () => {
    expect((await post("/chat/completions", { model: "m", messages: [user] }, null)).status).toBe(401);
    const wrong = await post("/chat/completions", { model: "m", messages: [user] }, "sk-wrong-aaaaaaaaaaaa1234");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toMatch(/provided: sk-wro\*+1234\./);
  });

  it("requires tool messages to answer every tool call of the assistant message before them", async () => {
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    const missing = await post("/chat/completions", { model: "m", messages: [user, { role: "assistant", content: null, tool_calls: [call] }, user] });
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain("c1");
    const stray = await post("/chat/completions", { model: "m", messages: [user, { role: "tool", tool_call_id: "c9", content: "x" }] });
    expect(stray.status).toBe(400);
    const objectArgs = await post("/chat/completions", {
      model: "m",
      messages: [user, { role: "assistant", content: null, tool_calls: [{ ...call, function: { name: "f", arguments: {} } }] }]
    });
    expect(objectArgs.status).toBe(400);
  });

  it("requires the word json for json_object, tools for tool_choice, and a valid schema name", async () => {
    const noJson = await post("/chat/completions", { model: "m", messages: [user], response_format: { type: "json_object" } });
    expect(noJson.body.error?.message).toContain("must contain the word 'json'");
    expect((await post("/chat/completions", { model: "m", messages: [user], tool_choice: "auto" })).status).toBe(400);
    const badName = await post("/chat/completions", {
      model: "m",
      messages: [user],
      response_format: { type: "json_schema", json_schema: { name: "has space", schema: {}, strict: true } }
    });
    expect(badName.body.error?.param).toBe("response_format");
  });

  it("answers scripted turns in order, records every request and decodes answered ones", async () => {
    fake.script([{ content: [{ type: "text", text: "one" }], stopReason: "end_turn", usage: { inputTokens: 3, outputTokens: 1 } }]);
    const first = await post("/chat/completions", { model: "m", messages: [user] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: "chat.completion", model: "m", choices: [{ message: { content: "one" }, finish_reason: "stop" }], usage: { prompt_tokens: 3 } });
    const exhausted = await post("/chat/completions", { model: "m", messages: [user] });
    expect(exhausted.body.error?.message).toContain("no scripted reply");
    expect((await post("/nope", {})).status).toBe(404);
    expect((await post("/chat/completions", "{not json")).status).toBe(400);
    expect(fake.requests().map((r) => r.status)).toEqual([200, 400, 404, 400]);
    expect(fake.received()).toEqual([{ callSite: "", modelId: "m", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }]);
  });
});
