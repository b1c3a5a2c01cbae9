import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { investigateRemotely, makeA2aSpecialist } from "@sre-on-call/adapters/a2a/A2aSpecialist";
import { startFakeAgentCore } from "@sre-on-call/adapters/a2a/testing/fakeAgentCore";
import { runtimeSessionIdFor } from "@sre-on-call/adapters/a2a/wire";
import { makeAlert } from "@sre-on-call/agents/eks/testing/makeAlert";
import type { AgentFailure, AgentResult } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit, Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../config/AppConfig.js";
import { parseConfigText } from "../config/loadConfig.js";
import { agentCoreTransport } from "./agentCoreTransport.js";
import { remoteSpecialistsFromConfig } from "../runtime/remoteSpecialists.js";
import { AgentRefused, serveAgent, type ServingAgent } from "./serveAgent.js";
import { startA2aServer } from "./startA2aServer.js";

const EXAMPLE = fileURLToPath(new URL("../../../../examples/payments-outage/", import.meta.url));
const payload = JSON.parse(readFileSync(join(EXAMPLE, "alert.json"), "utf8")) as { alerts: Array<{ labels: Record<string, string>; startsAt: string }> };
const alert = makeAlert({ labels: payload.alerts[0]!.labels, at: Date.parse(payload.alerts[0]!.startsAt), id: "inv-a2a-1" });
const ARN = "arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/sre_eks-Ab12Cd34Ef";
const DUMMY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret-for-tests" };

const config = (yaml: string): AppConfig => {
  const r = parseConfigText(yaml, "test");
  if (Result.isFailure(r)) throw new Error(r.failure.message);
  return r.success;
};
const eksConfig = config(`agents:\n  eks:\n    data_source: { cluster_dump: ${JSON.stringify(join(EXAMPLE, "cluster-dump"))} }\n`);
const quiet = () => undefined;
const serveOptions = (c: AppConfig, env: Record<string, string> = {}) => ({ config: c, env, cwd: EXAMPLE, host: "127.0.0.1", port: 0, log: quiet });

let eks: ServingAgent;
beforeAll(async () => {
  eks = await serveAgent("eks", serveOptions(eksConfig));
});
afterAll(async () => {
  await eks.close();
});

const failureOf = async <A>(effect: Effect.Effect<A, AgentFailure>): Promise<AgentFailure> => {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const r = exit.cause.reasons.find((x) => x._tag === "Fail");
  if (r === undefined || r._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`);
  return r.error;
};

describe("the EKS agent served over A2A, called by the A2A specialist adapter", () => {
  for (const c of specialistContract({ make: async () => ({ specialist: makeA2aSpecialist({ id: "eks", description: "EKS", endpoint: { kind: "url", url: eks.url } }), alert }) })) it(c.name, c.run);

  it("answers as the in-process specialist does: payments-db's full volume first", async () => {
    const result: AgentResult = await Effect.runPromise(makeA2aSpecialist({ id: "eks", description: "EKS", endpoint: { kind: "url", url: eks.url } }).investigate(alert, { deadline: Date.now() + 20_000 }));
    expect(result.status).toBe("success");
    expect(`${result.hypotheses[0]?.title} ${result.hypotheses[0]?.detail}`).toMatch(/payments-db/);
    expect(JSON.stringify(result.hypotheses[0])).toMatch(/disk|volume|space/i);
  });

  it("publishes an agent card on the well-known path: name, url, skills, JSON input and output", async () => {
    const res = await fetch(new URL("/.well-known/agent-card.json", eks.url));
    expect(res.status).toBe(200);
    const card = (await res.json()) as { name: string; url: string; description: string; skills: Array<{ id: string }>; defaultInputModes: Array<string>; defaultOutputModes: Array<string>; capabilities: unknown };
    expect(card.name).toBe("eks");
    expect(card.url).toBe(eks.url);
    expect(card.description).not.toBe("");
    expect(card.skills.map((s) => s.id)).toEqual(["investigate", "snapshot"]);
    expect(card.defaultInputModes).toContain("application/json");
    expect(card.defaultOutputModes).toEqual(expect.arrayContaining(["application/json", "text/plain"]));
    expect(card.capabilities).toMatchObject({ streaming: false });
  });

  it("answers message/send with a data part and a text rendering beside it", async () => {
    const res = await fetch(eks.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "message/send", params: { message: { kind: "message", role: "user", messageId: "m-1", contextId: "inv-x", parts: [{ kind: "data", data: { kind: "snapshot", deadline: Date.now() + 10_000 } }] } } })
    });
    const body = (await res.json()) as { id: number; result: { contextId: string; parts: Array<{ kind: string; data?: { kind: string }; text?: string }> } };
    expect(body.id).toBe(7);
    expect(body.result.contextId).toBe("inv-x");
    expect(body.result.parts.map((p) => p.kind)).toEqual(["data", "text"]);
    expect(body.result.parts[0]!.data!.kind).toBe("snapshot");
    expect(body.result.parts[1]!.text).toMatch(/^eks: /);
  });

  it("a message without a data part gets a typed failure, not a crash", async () => {
    const res = await fetch(eks.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 8, method: "message/send", params: { message: { kind: "message", role: "user", messageId: "m-2", parts: [{ kind: "text", text: "hello" }] } } })
    });
    const body = (await res.json()) as { result: { parts: Array<{ kind: string; data?: { kind: string; failure: string; reason: string } }> } };
    expect(body.result.parts[0]!.data).toMatchObject({ kind: "failure", failure: "error" });
    expect(body.result.parts[0]!.data!.reason).toMatch(/data part/);
  });
});

describe("GET /ping", () => {
  it("answers Healthy when idle and HealthyBusy while an investigation runs", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const server = await startA2aServer(
      { id: "slow", description: "slow", skills: [], handle: async () => (await gate, { kind: "failure", agent: "slow", failure: "error", reason: "done" }) },
      { host: "127.0.0.1", port: 0 }
    );
    try {
      const ping = async () => (await (await fetch(new URL("/ping", server.url))).json()) as { status: string; time_of_last_update: number };
      const idle = await ping();
      expect(idle.status).toBe("Healthy");
      expect(Number.isInteger(idle.time_of_last_update)).toBe(true);
      const call = Effect.runPromiseExit(makeA2aSpecialist({ id: "slow", description: "slow", endpoint: { kind: "url", url: server.url } }).investigate(alert, { deadline: Date.now() + 20_000 }));
      await expect.poll(async () => (await ping()).status).toBe("HealthyBusy");
      release();
      await call;
      expect((await ping()).status).toBe("Healthy");
    } finally {
      release();
      await server.close();
    }
  });
});

describe("through AgentCore's InvokeAgentRuntime (the real SDK client against a fake data plane)", () => {
  it("passes the specialist contract, with a ≥33-character session per investigation and the qualifier", async () => {
    const agentCore = await startFakeAgentCore();
    try {
      agentCore.register(ARN, eks.url);
      const make = async () => ({
        specialist: makeA2aSpecialist({ id: "eks", description: "EKS", endpoint: { kind: "transport", transport: agentCoreTransport({ runtimeArn: ARN, region: "eu-west-1", endpoint: agentCore.url, qualifier: "DEFAULT", credentials: DUMMY }) } }),
        alert
      });
      for (const c of specialistContract({ make })) await c.run();
      const investigations = agentCore.invocations().filter((i) => i.sessionId === runtimeSessionIdFor(alert.investigationId));
      expect(investigations.length).toBeGreaterThanOrEqual(2);
      for (const i of agentCore.invocations()) {
        expect(i).toMatchObject({ runtimeArn: ARN, qualifier: "DEFAULT", signed: true, status: 200 });
        expect(i.sessionId!.length).toBeGreaterThanOrEqual(33);
      }
    } finally {
      await agentCore.close();
    }
  });

  it("an unknown runtime is unavailable, and a runtime whose container is gone too", async () => {
    const agentCore = await startFakeAgentCore();
    try {
      const specialistFor = (arn: string) => makeA2aSpecialist({ id: "eks", description: "EKS", endpoint: { kind: "transport", transport: agentCoreTransport({ runtimeArn: arn, region: "eu-west-1", endpoint: agentCore.url, credentials: DUMMY }) } });
      const unknown = await failureOf(specialistFor(ARN).investigate(alert, { deadline: Date.now() + 10_000 }));
      expect(unknown.kind).toBe("unavailable");
      expect(unknown.reason).toMatch(/ResourceNotFound/);
      expect(unknown.reason).not.toMatch(/dummy-secret/);
      agentCore.register(ARN, "http://127.0.0.1:1/");
      const gone = await failureOf(specialistFor(ARN).investigate(alert, { deadline: Date.now() + 10_000 }));
      expect(gone.kind).toBe("unavailable");
    } finally {
      await agentCore.close();
    }
  });
});

describe("remote specialists from the environment", () => {
  it("an ARN routes through InvokeAgentRuntime at the configured data-plane endpoint, one session per investigation", async () => {
    const agentCore = await startFakeAgentCore();
    const saved = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };
    process.env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    process.env["AWS_SECRET_ACCESS_KEY"] = "dummy-secret-for-tests";
    try {
      const remote = remoteSpecialistsFromConfig(config("agents: {}\n"), { EKS_AGENT_RUNTIME_ARN: ARN, EKS_AGENT_QUALIFIER: "canary", AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: agentCore.url });
      const exit = await Effect.runPromiseExit(remote("eks")!.investigate(alert, { deadline: Date.now() + 10_000 }));
      expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Fail" && r.error.kind === "unavailable" && /ResourceNotFound/.test(r.error.reason))).toBe(true);
      expect(agentCore.invocations()).toEqual([{ runtimeArn: ARN, qualifier: "canary", sessionId: runtimeSessionIdFor(alert.investigationId), signed: true, status: 404 }]);
    } finally {
      if (saved.id === undefined) delete process.env["AWS_ACCESS_KEY_ID"];
      else process.env["AWS_ACCESS_KEY_ID"] = saved.id;
      if (saved.secret === undefined) delete process.env["AWS_SECRET_ACCESS_KEY"];
      else process.env["AWS_SECRET_ACCESS_KEY"] = saved.secret;
      await agentCore.close();
    }
  });
});

describe("serveAgent", () => {
  it("refuses unknown and disabled agents, and agents without a data source, saying why", async () => {
    await expect(serveAgent("kafka", serveOptions(eksConfig))).rejects.toThrow(AgentRefused);
    await expect(serveAgent("kafka", serveOptions(eksConfig))).rejects.toThrow(/unknown agent "kafka"; the agents are: master, eks/);
    const disabled = config(`agents:\n  eks:\n    enabled: false\n    data_source: { cluster_dump: ${JSON.stringify(join(EXAMPLE, "cluster-dump"))} }\n`);
    await expect(serveAgent("eks", serveOptions(disabled))).rejects.toThrow(/disabled in config.yaml/);
    await expect(serveAgent("prometheus", serveOptions(config("agents: {}\n")))).rejects.toThrow(AgentRefused);
  });

  it("the master runs a whole investigation over remote specialists and answers with the report", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sre-a2a-master-"));
    const master = await serveAgent("master", serveOptions(config(`store: { directory: ${JSON.stringify(dir)} }\ninvestigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1 }\nagents:\n  eks: {}\n`), { EKS_AGENT_URL: eks.url }));
    try {
      const report = await Effect.runPromise(investigateRemotely({ kind: "url", url: master.url }, { ...alert, deadline: Date.now() + 20_000 }, Date.now() + 25_000));
      expect(report.investigationId).toBe(alert.investigationId);
      expect(report.agents.find((a) => a.agent === "eks")?.state).toBe("ok");
      expect(JSON.stringify(report.hypotheses[0])).toMatch(/payments-db/);
    } finally {
      await master.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
