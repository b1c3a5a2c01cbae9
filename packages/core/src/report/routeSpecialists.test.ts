import { type Duration, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { ModelError, type ModelPortShape } from "../ports/ModelPort.js";
import { outageAlert } from "../testing/injection.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { routeSpecialists, ROUTING_SCHEMA_NAME } from "./routeSpecialists.js";

const candidates = [
  { id: "eks", description: "Kubernetes objects, events and pod logs" },
  { id: "cloudwatch-logs", description: "CloudWatch Logs Insights" },
  { id: "prometheus", description: "Prometheus metrics" },
  { id: "slack-scanner", description: "recent messages in the team's channels" }
];
const reply = (text: string) => ({ content: [{ type: "text" as const, text }], stopReason: "end_turn" as const, usage: { inputTokens: 300, outputTokens: 20 } });
const route = (model: ModelPortShape, timeout: Duration.Input = "2 seconds") => Effect.runPromise(routeSpecialists(model, outageAlert, candidates, { timeout }));

describe("routeSpecialists", () => {
  it("dispatches the model's choice, in candidate order, and bills the call", async () => {
    const s = makeScriptedModel({ modelId: "gpt-4o-mini" });
    s.script([reply('{"agents": ["prometheus", "eks"], "reason": "a workload alert"}')]);
    const d = await route(s.model);
    s.verify();
    expect(d).toMatchObject({ agents: ["eks", "prometheus"], routed: true, reason: "a workload alert", cost: { scope: "routing", modelId: "gpt-4o-mini", inputTokens: 300, outputTokens: 20 } });
    const sent = s.received()[0];
    expect(sent?.responseSchema?.name).toBe(ROUTING_SCHEMA_NAME);
    expect(sent?.tools).toBeUndefined();
  });

  it.each([
    ["an empty choice", '{"agents": [], "reason": "nothing"}', "chose no agent"],
    ["an unknown agent", '{"agents": ["eks", "delete_deployment"], "reason": "x"}', "unknown agents"],
    ["an answer of another shape", '{"agent": "eks"}', "does not match"],
    ["text", "eks and prometheus", "does not match"]
  ])("fails open to every candidate on %s", async (_name, text, reason) => {
    const s = makeScriptedModel();
    s.script([reply(text)]);
    const d = await route(s.model);
    expect(d.agents).toEqual(candidates.map((c) => c.id));
    expect(d.routed).toBe(false);
    expect(d.reason).toContain(reason);
  });

  it("fails open on a model error, a crash and a timeout", async () => {
    const s = makeScriptedModel();
    s.steps([{ reply: { fail: new ModelError({ provider: "scripted", reason: "auth", detail: "no", retryable: false }) } }]);
    expect(await route(s.model)).toMatchObject({ routed: false, agents: candidates.map((c) => c.id), reason: "the model call failed (auth)" });
    const crash: ModelPortShape = { provider: "x", converse: () => Effect.die(new Error("boom")), embed: () => Effect.die(new Error("boom")) };
    expect((await route(crash)).routed).toBe(false);
    const hang: ModelPortShape = { provider: "x", converse: () => Effect.never, embed: () => Effect.never };
    expect(await route(hang, "20 millis")).toMatchObject({ routed: false, reason: "the model did not answer in time" });
  });

  it("asks nothing when there is only one candidate", async () => {
    const s = makeScriptedModel();
    const d = await Effect.runPromise(routeSpecialists(s.model, outageAlert, candidates.slice(0, 1)));
    expect(d).toMatchObject({ agents: ["eks"], routed: false });
    expect(s.received()).toHaveLength(0);
  });
});
