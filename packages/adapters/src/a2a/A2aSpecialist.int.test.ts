import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentFailure } from "@sre-on-call/core";
import { AgentResult } from "@sre-on-call/core";
import { sampleAlert, sampleResult } from "@sre-on-call/core/testing";
import { Effect, Exit, Fiber, Schema } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { makeA2aSpecialist } from "./A2aSpecialist.js";
import { decodeA2aRequest } from "./wire.js";

type Handler = (body: unknown, req: IncomingMessage, res: ServerResponse) => void;

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A loopback JSON-RPC server whose answers each test scripts. */
const serve = async (handler: Handler) => {
  const requests: Array<unknown> = [];
  let closedEarly = 0;
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      requests.push(body);
      res.on("close", () => {
        if (!res.writableEnded) closedEarly++;
      });
      handler(body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  const running = {
    url: `http://127.0.0.1:${port}/`,
    requests,
    closedEarly: () => closedEarly,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
  servers.push(running);
  return running;
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

const reply = (id: unknown, data: unknown) => ({
  jsonrpc: "2.0",
  id,
  result: { kind: "message", role: "agent", messageId: "m1", parts: [{ kind: "data", data }, { kind: "text", text: "summary" }] }
});

const idOf = (body: unknown) => (body as { id: unknown }).id;
const encodedResult = Schema.encodeUnknownSync(AgentResult)(sampleResult);
const failureOf = async (effect: Effect.Effect<unknown, AgentFailure>): Promise<AgentFailure> => {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a typed failure, got ${String(exit.cause)}`);
  return reason.error as AgentFailure;
};
const specialistAt = (url: string, timeoutMs?: number) =>
  makeA2aSpecialist({ id: "eks", description: "Kubernetes", endpoint: { kind: "url", url }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });

describe("makeA2aSpecialist over a URL", () => {
  it("sends message/send with the alert as a data part (context id = investigation id) and decodes the result", async () => {
    const server = await serve((body, _req, res) => json(res, 200, reply(idOf(body), { kind: "result", result: encodedResult })));
    const deadline = Date.now() + 10_000;
    const result = await Effect.runPromise(specialistAt(server.url).investigate(sampleAlert, { deadline }));
    expect(result).toEqual(sampleResult);
    const sent = server.requests[0] as { method: string; params: { message: { contextId: string; parts: Array<{ kind: string; data: unknown }> } } };
    expect(sent.method).toBe("message/send");
    expect(sent.params.message.contextId).toBe(sampleAlert.investigationId);
    const part = sent.params.message.parts[0]!;
    expect(part.kind).toBe("data");
    const decoded = decodeA2aRequest(part.data);
    expect(decoded._tag).toBe("Success");
    expect(part.data).toMatchObject({ kind: "investigate", deadline, alert: { investigationId: sampleAlert.investigationId } });
  });

  it("reads the data part from a task's artifacts too", async () => {
    const server = await serve((body, _req, res) =>
      json(res, 200, { jsonrpc: "2.0", id: idOf(body), result: { kind: "task", id: "t1", contextId: "c", status: { state: "completed" }, artifacts: [{ artifactId: "a", parts: [{ kind: "data", data: { kind: "result", result: encodedResult } }] }] } })
    );
    expect(await Effect.runPromise(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() + 10_000 }))).toEqual(sampleResult);
  });

  it("a remote AgentFailure keeps its kind and reason", async () => {
    const server = await serve((body, _req, res) => json(res, 200, reply(idOf(body), { kind: "failure", agent: "eks", failure: "unhealthy", reason: "cluster API unreachable" })));
    const failure = await failureOf(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() + 10_000 }));
    expect(failure).toMatchObject({ agent: "eks", kind: "unhealthy", reason: "cluster API unreachable" });
  });

  it("an answer attributed to another agent is an error", async () => {
    const server = await serve((body, _req, res) => json(res, 200, reply(idOf(body), { kind: "result", result: { ...encodedResult, agent: "prometheus" } })));
    const failure = await failureOf(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() + 10_000 }));
    expect(failure.kind).toBe("error");
    expect(failure.reason).toMatch(/prometheus/);
  });

  it("maps JSON-RPC errors, HTTP errors, non-JSON and schema mismatches to typed failures", async () => {
    const cases: ReadonlyArray<[Handler, AgentFailure["kind"], RegExp]> = [
      [(b, _q, r) => json(r, 200, { jsonrpc: "2.0", id: idOf(b), error: { code: -32601, message: "Method not found" } }), "error", /-32601: Method not found/],
      [(_b, _q, r) => json(r, 503, "busy"), "unavailable", /HTTP 503/],
      [(_b, _q, r) => json(r, 500, "boom"), "error", /HTTP 500/],
      [(_b, _q, r) => json(r, 200, "<html>"), "error", /not JSON/],
      [(b, _q, r) => json(r, 200, reply(idOf(b), { kind: "result", result: { agent: "eks" } })), "error", /malformed answer/],
      [(b, _q, r) => json(r, 200, { jsonrpc: "2.0", id: idOf(b), result: { kind: "message", parts: [{ kind: "text", text: "hi" }] } }), "error", /no data part/]
    ];
    for (const [handler, kind, reason] of cases) {
      const server = await serve(handler);
      const failure = await failureOf(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() + 10_000 }));
      expect(failure.kind).toBe(kind);
      expect(failure.reason).toMatch(reason);
    }
  });

  it("an agent that is not listening is unavailable, and the error never shows credentials or query strings", async () => {
    const server = await serve(() => undefined);
    await server.close();
    const url = new URL(server.url);
    url.username = "user";
    url.password = "s3cr3t-pass";
    url.search = "?token=s3cr3t-token";
    const failure = await failureOf(specialistAt(url.toString()).investigate(sampleAlert, { deadline: Date.now() + 10_000 }));
    expect(failure.kind).toBe("unavailable");
    expect(failure.reason).toMatch(/ECONNREFUSED/);
    expect(failure.reason).not.toMatch(/s3cr3t/);
  });

  it("credentials in the URL are sent as Basic auth, not in the request line", async () => {
    let authorization: string | undefined;
    let path: string | undefined;
    const server = await serve((b, req, r) => {
      authorization = req.headers.authorization;
      path = req.url;
      json(r, 200, reply(idOf(b), { kind: "result", result: encodedResult }));
    });
    const url = new URL(server.url);
    url.username = "agent";
    url.password = "p@ss";
    await Effect.runPromise(specialistAt(url.toString()).investigate(sampleAlert, { deadline: Date.now() + 10_000 }));
    expect(authorization).toBe(`Basic ${Buffer.from("agent:p@ss").toString("base64")}`);
    expect(path).toBe("/");
  });

  it("a slow agent is cut off at the deadline: timeout, and the HTTP request is aborted", async () => {
    const server = await serve(() => undefined);
    const failure = await failureOf(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() + 200 }));
    expect(failure.kind).toBe("timeout");
    await expect.poll(() => server.closedEarly()).toBe(1);
  });

  it("timeoutMs bounds a call whose deadline is far away", async () => {
    const server = await serve(() => undefined);
    const failure = await failureOf(specialistAt(server.url, 100).investigate(sampleAlert, { deadline: Date.now() + 60_000 }));
    expect(failure.kind).toBe("timeout");
  });

  it("a deadline already past fails at once without calling the agent", async () => {
    const server = await serve((b, _q, r) => json(r, 200, reply(idOf(b), { kind: "result", result: encodedResult })));
    const failure = await failureOf(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() - 1 }));
    expect(failure.kind).toBe("timeout");
    expect(server.requests).toHaveLength(0);
  });

  it("interrupting the call aborts the HTTP request", async () => {
    const server = await serve(() => undefined);
    const fiber = Effect.runFork(specialistAt(server.url).investigate(sampleAlert, { deadline: Date.now() + 60_000 }));
    await expect.poll(() => server.requests.length).toBe(1);
    await Effect.runPromise(Fiber.interrupt(fiber));
    await expect.poll(() => server.closedEarly()).toBe(1);
  });

  it("snapshot sends a snapshot request and decodes the section", async () => {
    const section = { agent: "eks", state: "ok", health: "degraded", summary: "1 pod not ready", findings: [] };
    const server = await serve((b, _q, r) => json(r, 200, reply(idOf(b), { kind: "snapshot", section })));
    expect(await Effect.runPromise(specialistAt(server.url).snapshot({ deadline: Date.now() + 10_000 }))).toEqual(section);
    expect((server.requests[0] as { params: { message: { parts: Array<{ data: unknown }> } } }).params.message.parts[0]!.data).toMatchObject({ kind: "snapshot" });
  });
});
