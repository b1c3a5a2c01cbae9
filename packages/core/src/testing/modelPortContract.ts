import { Effect } from "effect";
import type { ContentBlock, ConverseRequest, ModelPortShape, StopReason, TokenUsage } from "../ports/ModelPort.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

/** One reply the (fake) model server will give, in port terms. */
export interface ScriptedTurn {
  readonly content: ReadonlyArray<ContentBlock>;
  readonly stopReason: StopReason;
  readonly usage: TokenUsage;
}

export interface ModelPortHarness {
  readonly make: () => Promise<{
    readonly model: ModelPortShape;
    /** Queue the replies the server gives, in order. */
    readonly script: (turns: ReadonlyArray<ScriptedTurn>) => void;
    /** The next `count` calls are answered with this failure (as the real service would signal it). */
    readonly failNext: (failure: "throttled" | "auth", count: number) => void;
    /** What the server received, decoded back into port terms. */
    readonly received: () => ReadonlyArray<ConverseRequest>;
    readonly close?: () => Promise<void>;
  }>;
}

const usage = { inputTokens: 120, outputTokens: 30 };

export const modelPortContract = (harness: ModelPortHarness): ReadonlyArray<ContractCase> => {
  const run = Effect.runPromise;
  return [
    {
      name: "ModelPort: a text reply carries its text, stop reason and token usage; the request carries system and messages",
      run: () =>
        withResource(harness.make, async ({ model, script, received }) => {
          script([{ content: [{ type: "text", text: "Likely OOMKilled." }], stopReason: "end_turn", usage }]);
          const r = await run(
            model.converse({
              callSite: "synthesis",
              system: "You are an SRE.",
              messages: [{ role: "user", content: [{ type: "text", text: "Why is api crash-looping?" }] }],
              maxTokens: 256,
              temperature: 0
            })
          );
          checkEqual(r.content, [{ type: "text", text: "Likely OOMKilled." }], "content");
          checkEqual(r.stopReason, "end_turn", "stop reason");
          checkEqual(r.usage, usage, "usage");
          check(r.modelId.length > 0, "model id");
          const req = received()[0];
          check(req !== undefined, "the server received a request");
          checkEqual(req.system, "You are an SRE.", "system prompt");
          checkEqual(req.messages, [{ role: "user", content: [{ type: "text", text: "Why is api crash-looping?" }] }], "messages");
        })
    },
    {
      name: "ModelPort: tools are offered, a tool call comes back with its input, and a tool result goes out",
      run: () =>
        withResource(harness.make, async ({ model, script, received }) => {
          const tool = {
            name: "get_pods",
            description: "List pods in a namespace",
            inputSchema: { type: "object", properties: { namespace: { type: "string" } }, required: ["namespace"] }
          };
          script([
            { content: [{ type: "toolUse", id: "tu_1", name: "get_pods", input: { namespace: "payments" } }], stopReason: "tool_use", usage },
            { content: [{ type: "text", text: "done" }], stopReason: "end_turn", usage }
          ]);
          const first = await run(
            model.converse({ callSite: "eks", messages: [{ role: "user", content: [{ type: "text", text: "check pods" }] }], tools: [tool] })
          );
          checkEqual(first.stopReason, "tool_use", "stop reason");
          checkEqual(first.content, [{ type: "toolUse", id: "tu_1", name: "get_pods", input: { namespace: "payments" } }], "tool call");
          checkEqual(received()[0]?.tools?.map((t) => t.name), ["get_pods"], "offered tools");
          checkEqual(received()[0]?.tools?.[0]?.inputSchema, tool.inputSchema, "tool schema");
          await run(
            model.converse({
              callSite: "eks",
              tools: [tool],
              messages: [
                { role: "user", content: [{ type: "text", text: "check pods" }] },
                { role: "assistant", content: first.content },
                { role: "user", content: [{ type: "toolResult", toolUseId: "tu_1", content: '{"pods":[]}' }] }
              ]
            })
          );
          const second = received()[1];
          check(second !== undefined, "second request received");
          checkEqual(second.messages[2]?.content, [{ type: "toolResult", toolUseId: "tu_1", content: '{"pods":[]}' }], "tool result");
        })
    },
    {
      name: "ModelPort: a structured reply is parsed into `structured`",
      run: () =>
        withResource(harness.make, async ({ model, script }) => {
          const answer = { decision: "investigate", reason: "a 5xx spike" };
          script([{ content: [{ type: "text", text: JSON.stringify(answer) }], stopReason: "end_turn", usage }]);
          const r = await run(
            model.converse({
              callSite: "classifier",
              messages: [{ role: "user", content: [{ type: "text", text: "api 5xx spiking" }] }],
              responseSchema: {
                name: "verdict",
                schema: {
                  type: "object",
                  properties: { decision: { type: "string" }, reason: { type: "string" } },
                  required: ["decision", "reason"]
                }
              }
            })
          );
          checkEqual(r.structured, answer, "structured output");
        })
    },
    {
      name: "ModelPort: a throttled call is retried and then succeeds",
      run: () =>
        withResource(harness.make, async ({ model, script, failNext }) => {
          failNext("throttled", 1);
          script([{ content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage }]);
          const r = await run(model.converse({ callSite: "x", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }));
          checkEqual(r.content, [{ type: "text", text: "ok" }], "content after retry");
        })
    },
    {
      name: "ModelPort: persistent throttling ends in a retryable ModelError, auth failure in a non-retryable one",
      run: () =>
        withResource(harness.make, async ({ model, failNext }) => {
          failNext("throttled", 100);
          const e = await run(Effect.flip(model.converse({ callSite: "x", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] })));
          checkEqual(e._tag, "ModelError", "tag");
          checkEqual(e.reason, "throttled", "reason");
          check(e.retryable, "retryable");
          failNext("auth", 100);
          const a = await run(Effect.flip(model.converse({ callSite: "x", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] })));
          checkEqual(a.reason, "auth", "auth reason");
          check(!a.retryable, "auth is not retryable");
        })
    }
  ];
};
