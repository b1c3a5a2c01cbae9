import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeInMemoryChat, makeInMemoryExperimentStore, sampleAlert, sampleExperiment } from "@sre-on-call/core/testing";
import { type AlertContext, type ChatPlatformShape, ExperimentError, type ExperimentStoreShape } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../config/loadConfig.js";
import { buildSpecialists } from "./buildSpecialists.js";
import { configForVariant, makeExperimentDispatch } from "./experimentDispatch.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const parsed = parseConfigText(`agents:\n  incident-history: { enabled: false }\n  eks:\n    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }\n`, "test");
if (Result.isFailure(parsed)) throw parsed.failure;
const config = parsed.success;
const alert: AlertContext = { ...sampleAlert, deadline: Date.now() + 60_000, alertTimestamp: Date.now(), investigationId: "inv-ab-1", channelId: "C1", messageId: "1700000000.000100", entities: { namespace: "payments", deployment: "api" }, labels: { namespace: "payments", deployment: "api" } };
const settings = { reportAfterSeconds: 10, synthesisReserveSeconds: 1, hardCutoffSeconds: 15 };

const setup = (store: ExperimentStoreShape) => {
  const fallback: Array<string> = [];
  const logs: Array<string> = [];
  const { dispatch, runIfActive } = makeExperimentDispatch({
    config,
    env: {},
    log: (level, message) => void logs.push(`${level} ${message}`),
    store,
    settings,
    specialistsFor: (c) => buildSpecialists({ config: c, cwd: ROOT, log: () => undefined, chats: {}, env: {} }),
    fallback: (a: AlertContext, _chat: ChatPlatformShape) => Effect.sync(() => void fallback.push(a.investigationId))
  });
  return { dispatch, runIfActive, fallback, logs };
};

const waitFor = async <A>(what: string, probe: () => Promise<A | undefined>, ms = 20_000): Promise<A> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("experiment dispatch", () => {
  it("investigates normally when no experiment is active", async () => {
    const { dispatch, fallback } = setup(makeInMemoryExperimentStore());
    await Effect.runPromise(dispatch(alert, makeInMemoryChat().chat));
    expect(fallback).toEqual(["inv-ab-1"]);
  });

  it("runs both variants of the active experiment, posts both labelled reports in the thread and records latency, tokens and cost", async () => {
    const store = makeInMemoryExperimentStore();
    const experiment = sampleExperiment("exp-1", {
      control: { label: "today", overrides: {} },
      treatment: { label: "tighter cycles", overrides: { max_tool_cycles: 2 } }
    });
    await Effect.runPromise(store.define(experiment));
    await Effect.runPromise(store.activate("exp-1", Date.now()));
    const chat = makeInMemoryChat();
    const { dispatch, fallback } = setup(store);
    await Effect.runPromise(dispatch(alert, chat.chat));
    expect(fallback).toEqual([]);
    const runs = await waitFor("both runs", async () => {
      const r = await Effect.runPromise(store.runsOf("exp-1"));
      return r.length === 2 ? r : undefined;
    });
    expect(runs.map((r) => r.variant).sort()).toEqual(["control", "treatment"]);
    for (const run of runs) {
      expect(run.investigationId).toBe("inv-ab-1");
      expect(run.latencyMs).toBeGreaterThanOrEqual(0);
      expect(run.costUsd).toBe(0);
    }
    const posts = chat.log().filter((p) => p.threadId === alert.messageId).map((p) => p.message.text).join("\n");
    // Markdown escapes the brackets of the label.
    expect(posts).toMatch(/\\?\[A\/B control: today\\?\]/);
    expect(posts).toMatch(/\\?\[A\/B treatment: tighter cycles\\?\]/);
    expect(posts).toMatch(/payments-db/);
  });

  it("investigates normally, and says so, when the experiment store cannot be read", async () => {
    const store = makeInMemoryExperimentStore();
    const failing: ExperimentStoreShape = { ...store, active: () => Effect.fail(new ExperimentError({ operation: "active", reason: "unavailable", detail: "the table is throttled" })) };
    const { dispatch, fallback, logs } = setup(failing);
    await Effect.runPromise(dispatch(alert, makeInMemoryChat().chat));
    expect(fallback).toEqual(["inv-ab-1"]);
    expect(logs.join("\n")).toMatch(/experiment store unavailable; investigating without the experiment/);
  });
});

describe("configForVariant", () => {
  it("applies the model, agent modes, tool cycles and synthesis model of a variant", () => {
    const c = configForVariant(config, { label: "t", overrides: { model: "openai:gpt-4o-mini", agent_mode: { eks: "agent" }, max_tool_cycles: 3, synthesis_model: "bedrock:claude" } });
    expect(c.defaults.model).toBe("openai:gpt-4o-mini");
    expect(c.agents.eks?.mode).toBe("agent");
    expect(c.agents.eks?.max_tool_cycles).toBe(3);
    expect(c.agents.master?.model).toBe("bedrock:claude");
    expect(config.agents.eks?.mode).toBeUndefined();
  });
});

describe("experiment dispatch on a host that must finish in its invocation", () => {
  it("runs both variants to the end, or answers undefined when no experiment is active", async () => {
    const store = makeInMemoryExperimentStore();
    const idle = setup(store);
    expect(await Effect.runPromise(idle.runIfActive(alert, makeInMemoryChat().chat))).toBeUndefined();
    await Effect.runPromise(store.define(sampleExperiment("exp-2", { mode: "post-control", control: { label: "today", overrides: {} }, treatment: { label: "t", overrides: { max_tool_cycles: 3 } } })));
    await Effect.runPromise(store.activate("exp-2", Date.now()));
    const chat = makeInMemoryChat();
    const outcome = await Effect.runPromise(setup(store).runIfActive({ ...alert, investigationId: "inv-ab-2" }, chat.chat));
    expect(outcome?.control.delivery).toBe("posted");
    expect(outcome?.treatment.delivery).toBe("archived");
    expect((await Effect.runPromise(store.runsOf("exp-2"))).map((r) => r.variant).sort()).toEqual(["control", "treatment"]);
    const posts = chat.log().map((p) => p.message.text).join("\n");
    expect(posts).toMatch(/A\/B control: today/);
    expect(posts).not.toMatch(/A\/B treatment/);
  });
});
