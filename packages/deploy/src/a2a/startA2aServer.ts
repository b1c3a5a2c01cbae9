import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AgentCard, type Part, Role } from "@a2a-js/sdk";
import { type AgentExecutor, DefaultRequestHandler, InMemoryTaskStore } from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import { type A2aReply, type A2aRequest, decodeA2aRequest, encodeA2aReply } from "@sre-on-call/adapters/a2a/wire";
import { Result } from "effect";
import express, { type RequestHandler } from "express";

export interface ServedSkill {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: ReadonlyArray<string>;
}

/** An agent as an A2A server sees it: requests in, replies out (failures are replies too). */
export interface ServedAgent {
  readonly id: string;
  readonly description: string;
  readonly skills: ReadonlyArray<ServedSkill>;
  readonly handle: (request: A2aRequest) => Promise<A2aReply>;
}

export interface A2aServerOptions {
  readonly host: string;
  readonly port: number;
  /** The URL the agent card advertises (AgentCore sets AGENTCORE_RUNTIME_URL); default: where it listens. */
  readonly publicUrl?: string;
  readonly version?: string;
  readonly log?: (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) => void;
}

export interface RunningA2aServer {
  readonly url: string;
  readonly card: AgentCard;
  /** Requests being worked on now (`/ping` says HealthyBusy while this is above zero). */
  readonly busy: () => number;
  readonly close: () => Promise<void>;
}

/** A one-line rendering of a reply, the text part beside the data part. */
export const replySummary = (reply: A2aReply): string => {
  switch (reply.kind) {
    case "result":
      return `${reply.result.agent}: ${reply.result.status}, ${reply.result.findings.length} findings, ${reply.result.hypotheses.length} hypotheses. ${reply.result.summary}`.slice(0, 1000);
    case "snapshot":
      return `${reply.section.agent}: ${reply.section.health}. ${reply.section.summary}`.slice(0, 1000);
    case "report":
      return `${reply.report.title} (${reply.report.severity}): ${reply.report.hypotheses[0]?.title ?? reply.report.summary}`.slice(0, 1000);
    case "failure":
      return `${reply.agent}: ${reply.failure}: ${reply.reason}`.slice(0, 1000);
  }
};

const part = (content: Part["content"], mediaType: string): Part => ({ content, metadata: undefined, filename: "", mediaType });

export const agentCard = (agent: ServedAgent, url: string, version: string): AgentCard => ({
  name: agent.id,
  description: agent.description,
  // v1.0 and v0.3 JSON-RPC on the same path: AgentCore's contract and most clients speak v0.3 (`message/send`).
  supportedInterfaces: [
    { url, protocolBinding: "JSONRPC", protocolVersion: "1.0", tenant: "" },
    { url, protocolBinding: "JSONRPC", protocolVersion: "0.3", tenant: "" }
  ],
  provider: { organization: "sre-on-call", url: "https://github.com/sre-on-call/sre-on-call" },
  version,
  capabilities: { streaming: false, pushNotifications: false, extensions: [] },
  securitySchemes: {},
  securityRequirements: [],
  defaultInputModes: ["application/json"],
  defaultOutputModes: ["application/json", "text/plain"],
  skills: agent.skills.map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
    tags: [...s.tags],
    examples: [],
    inputModes: ["application/json"],
    outputModes: ["application/json", "text/plain"],
    securityRequirements: []
  })),
  signatures: []
});

/**
 * Serves one agent over A2A on AgentCore's contract: JSON-RPC 2.0 on `/`, the agent card at
 * `/.well-known/agent-card.json`, `GET /ping` answering Healthy or HealthyBusy. The request is
 * the data part of `message/send`; the answer is a message with a data part and a text part.
 */
export const startA2aServer = async (agent: ServedAgent, options: A2aServerOptions): Promise<RunningA2aServer> => {
  let busy = 0;
  let lastUpdate = Math.floor(Date.now() / 1000);
  const setBusy = (delta: number) => {
    const before = busy > 0;
    busy += delta;
    if (before !== busy > 0) lastUpdate = Math.floor(Date.now() / 1000);
  };

  const executor: AgentExecutor = {
    execute: async (context, bus) => {
      const data = context.userMessage.parts.find((p) => p.content?.$case === "data")?.content;
      const decoded = decodeA2aRequest(data?.$case === "data" ? data.value : undefined);
      let reply: A2aReply;
      if (Result.isFailure(decoded)) {
        reply = { kind: "failure", agent: agent.id, failure: "error", reason: data === undefined ? "the message has no data part (expected {kind: \"investigate\" | \"snapshot\", …})" : decoded.failure.message.slice(0, 500) };
      } else {
        setBusy(1);
        try {
          reply = await agent.handle(decoded.success);
        } catch (error) {
          options.log?.("error", "agent crashed while handling a request", { agent: agent.id, error: error instanceof Error ? error.message : String(error) });
          reply = { kind: "failure", agent: agent.id, failure: "crashed", reason: "the agent crashed; see its logs" };
        } finally {
          setBusy(-1);
        }
      }
      bus.publish({
        kind: "message",
        data: {
          messageId: randomUUID(),
          contextId: context.contextId,
          taskId: "",
          role: Role.ROLE_AGENT,
          parts: [part({ $case: "data", value: encodeA2aReply(reply) }, "application/json"), part({ $case: "text", value: replySummary(reply) }, "text/plain")],
          metadata: undefined,
          extensions: [],
          referenceTaskIds: []
        }
      });
      bus.finished();
    },
    // Every request is answered in one message; there is no task to cancel.
    cancelTask: async () => undefined
  };

  const app = express();
  app.disable("x-powered-by");
  app.get("/ping", (_req, res) => {
    res.json({ status: busy > 0 ? "HealthyBusy" : "Healthy", time_of_last_update: lastUpdate });
  });
  // The card names the URL, known once listening: until then both routes answer 503.
  const routes: { card?: RequestHandler; rpc?: RequestHandler } = {};
  app.use("/.well-known/agent-card.json", (req, res, next) => (routes.card === undefined ? void res.status(503).end() : routes.card(req, res, next)));
  app.use("/", (req, res, next) => (routes.rpc === undefined ? void res.status(503).end() : routes.rpc(req, res, next)));

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port, options.host, (error?: Error) => (error !== undefined ? reject(error) : resolve(s)));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host === "0.0.0.0" ? "127.0.0.1" : options.host;
  const url = options.publicUrl ?? `http://${host}:${port}/`;
  const card = agentCard(agent, url, options.version ?? "0.1.0");
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  routes.card = agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true } });
  routes.rpc = jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } });
  return {
    url: `http://${host}:${port}/`,
    card,
    busy: () => busy,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
};
