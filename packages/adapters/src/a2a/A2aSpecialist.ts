import { randomUUID } from "node:crypto";
import { AgentFailure, type AgentResult, type AlertContext, type InvestigationReport, type SnapshotSection, type Specialist, type SpecialistCall } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { type A2aReply, type A2aRequest, decodeA2aReply, encodeA2aRequest, parseSendMessageResponse, sendMessageBody } from "./wire.js";

/** One HTTP exchange with an agent: a JSON-RPC body in, the raw answer out. */
export interface A2aExchange {
  readonly body: string;
  /** The investigation id (or a fresh id for a snapshot): A2A context id and AgentCore session. */
  readonly sessionId: string;
  readonly signal: AbortSignal;
}

/**
 * How a request reaches an agent: a plain URL, or AgentCore's InvokeAgentRuntime (in
 * packages/deploy, where the AWS SDK lives). `target` names it in errors and never holds a secret.
 */
export interface A2aTransport {
  readonly target: string;
  readonly send: (exchange: A2aExchange) => Promise<{ readonly status: number; readonly body: string }>;
}

/** Thrown by a transport when the agent cannot be reached at all (refused, DNS, no runtime). */
export class A2aUnreachable extends Error {
  override readonly name = "A2aUnreachable";
}

/** `scheme://host:port/path` of a URL: credentials and query strings never reach an error message. */
export const safeUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "an invalid URL";
  }
};

const causeText = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ?? error.message;
};

/**
 * POSTs JSON-RPC to the agent's A2A endpoint (local multi-process mode, or any A2A server).
 * Credentials in the URL become a Basic Authorization header; no message ever shows them.
 */
export const httpA2aTransport = (url: string): A2aTransport => {
  const target = safeUrl(url);
  let requestUrl = url;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  try {
    const u = new URL(url);
    if (u.username !== "" || u.password !== "") {
      headers["authorization"] = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
      u.username = "";
      u.password = "";
      requestUrl = u.toString();
    }
  } catch {
    // An invalid URL fails on the first call, with a message that does not repeat it.
  }
  const scrub = (text: string) => text.split(url).join(target).split(requestUrl).join(target);
  return {
    target,
    send: async ({ body, signal }) => {
      let res: Response;
      try {
        res = await fetch(requestUrl, { method: "POST", headers, body, signal });
      } catch (error) {
        if (signal.aborted) throw error;
        throw new A2aUnreachable(`cannot reach ${target}: ${scrub(causeText(error))}`);
      }
      return { status: res.status, body: await res.text() };
    }
  };
};

export type A2aEndpoint = { readonly kind: "url"; readonly url: string } | { readonly kind: "transport"; readonly transport: A2aTransport };

export interface A2aSpecialistOptions {
  readonly id: string;
  readonly description: string;
  readonly endpoint: A2aEndpoint;
  /** Upper bound of one call whatever the deadline (default: the deadline alone bounds it). */
  readonly timeoutMs?: number;
}

/** A remote agent's answer, already decoded; transport failures are AgentFailures. */
export const callA2aAgent = (
  agent: string,
  transport: A2aTransport,
  request: A2aRequest,
  sessionId: string,
  timeoutMs?: number
): Effect.Effect<A2aReply, AgentFailure> => {
  const fail = (kind: AgentFailure["kind"], reason: string) => new AgentFailure({ agent, kind, reason });
  const budget = Math.min(request.deadline - Date.now(), timeoutMs ?? Number.POSITIVE_INFINITY);
  if (budget <= 0) return Effect.fail(fail("timeout", `the deadline passed before ${transport.target} was called`));
  const body = sendMessageBody(encodeA2aRequest(request), sessionId, randomUUID());
  return Effect.tryPromise({
    try: async (interrupted) => {
      const controller = new AbortController();
      const onInterrupt = () => controller.abort();
      interrupted.addEventListener("abort", onInterrupt, { once: true });
      const timer = setTimeout(() => controller.abort(), budget);
      try {
        return await transport.send({ body, sessionId, signal: controller.signal });
      } finally {
        clearTimeout(timer);
        interrupted.removeEventListener("abort", onInterrupt);
      }
    },
    catch: (error) => {
      if (error instanceof A2aUnreachable) return fail("unavailable", error.message);
      if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return fail("timeout", `no answer from ${transport.target} within ${Math.round(budget)} ms`);
      return fail("error", `calling ${transport.target} failed: ${causeText(error)}`);
    }
  }).pipe(
    Effect.flatMap(({ status, body: text }) => {
      if (status === 502 || status === 503 || status === 504) return Effect.fail(fail("unavailable", `${transport.target} answered HTTP ${status}`));
      if (status < 200 || status >= 300) {
        const parsed = parseSendMessageResponse(text);
        const detail = parsed._tag === "rpcError" ? `: ${parsed.message}` : "";
        return Effect.fail(fail(status === 404 ? "unavailable" : "error", `${transport.target} answered HTTP ${status}${detail}`));
      }
      const parsed = parseSendMessageResponse(text);
      if (parsed._tag === "rpcError") return Effect.fail(fail("error", `${transport.target} answered A2A error ${parsed.code}: ${parsed.message}`));
      if (parsed._tag === "malformed") return Effect.fail(fail("error", `${transport.target}: ${parsed.reason}`));
      const reply = decodeA2aReply(parsed.data);
      return Result.isSuccess(reply) ? Effect.succeed(reply.success) : Effect.fail(fail("error", `${transport.target} sent a malformed answer: ${reply.failure.reason.slice(0, 500)}`));
    })
  );
};

const expectKind = <K extends A2aReply["kind"]>(agent: string, target: string, reply: A2aReply, kind: K): Effect.Effect<Extract<A2aReply, { kind: K }>, AgentFailure> => {
  if (reply.kind === kind) return Effect.succeed(reply as Extract<A2aReply, { kind: K }>);
  if (reply.kind === "failure") return Effect.fail(new AgentFailure({ agent, kind: reply.failure, reason: reply.reason }));
  return Effect.fail(new AgentFailure({ agent, kind: "error", reason: `${target} answered a ${reply.kind}, not a ${kind}` }));
};

const transportOf = (endpoint: A2aEndpoint): A2aTransport => (endpoint.kind === "url" ? httpA2aTransport(endpoint.url) : endpoint.transport);

/**
 * A specialist that lives in another process or an AgentCore runtime and is reached over A2A.
 * The orchestrator cannot tell it from an in-process one: same results, same typed failures,
 * and the call is aborted at the deadline.
 */
export const makeA2aSpecialist = (options: A2aSpecialistOptions): Specialist => {
  const transport = transportOf(options.endpoint);
  const { id } = options;
  const checkAgent = (result: AgentResult): Effect.Effect<AgentResult, AgentFailure> =>
    result.agent === id ? Effect.succeed(result) : Effect.fail(new AgentFailure({ agent: id, kind: "error", reason: `${transport.target} answered as agent "${result.agent}"` }));
  return {
    id,
    description: options.description,
    investigate: (alert: AlertContext, call: SpecialistCall) =>
      callA2aAgent(id, transport, { kind: "investigate", alert, deadline: call.deadline }, alert.investigationId, options.timeoutMs).pipe(
        Effect.flatMap((reply) => expectKind(id, transport.target, reply, "result")),
        Effect.flatMap((reply) => checkAgent(reply.result))
      ),
    snapshot: (call: SpecialistCall): Effect.Effect<SnapshotSection, AgentFailure> =>
      callA2aAgent(id, transport, { kind: "snapshot", deadline: call.deadline }, `snapshot-${randomUUID()}`, options.timeoutMs).pipe(
        Effect.flatMap((reply) => expectKind(id, transport.target, reply, "snapshot")),
        Effect.map((reply) => reply.section)
      )
  };
};

/** Asks the master agent to run a whole investigation and answer with the report. */
export const investigateRemotely = (
  endpoint: A2aEndpoint,
  alert: AlertContext,
  deadline: number
): Effect.Effect<InvestigationReport, AgentFailure> => {
  const transport = transportOf(endpoint);
  return callA2aAgent("master", transport, { kind: "investigate", alert, deadline }, alert.investigationId).pipe(
    Effect.flatMap((reply) => expectKind("master", transport.target, reply, "report")),
    Effect.map((reply) => reply.report)
  );
};
