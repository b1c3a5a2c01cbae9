import { AgentFailureKind, AgentResult, AlertContext, decodeUnknown, InvestigationReport, SnapshotSection } from "@sre-on-call/core";
import { Schema } from "effect";

/**
 * What a caller asks an agent, carried as the data part of an A2A `message/send`. The same
 * shape is read by the A2A server (packages/deploy) and written by the client here.
 */
export const A2aRequest = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("investigate"), alert: AlertContext, deadline: Schema.Number }),
  Schema.Struct({ kind: Schema.Literal("snapshot"), deadline: Schema.Number })
]);
export type A2aRequest = typeof A2aRequest.Type;

/** What an agent answers, as the data part of its reply (a short text part sits beside it). */
export const A2aReply = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("result"), result: AgentResult }),
  Schema.Struct({ kind: Schema.Literal("snapshot"), section: SnapshotSection }),
  Schema.Struct({ kind: Schema.Literal("report"), report: InvestigationReport }),
  Schema.Struct({ kind: Schema.Literal("failure"), agent: Schema.String, failure: AgentFailureKind, reason: Schema.String })
]);
export type A2aReply = typeof A2aReply.Type;

export const decodeA2aRequest = decodeUnknown(A2aRequest, "A2A request");
export const decodeA2aReply = decodeUnknown(A2aReply, "A2A reply");
export const encodeA2aRequest = (request: A2aRequest): unknown => Schema.encodeUnknownSync(A2aRequest)(request);
export const encodeA2aReply = (reply: A2aReply): unknown => Schema.encodeUnknownSync(A2aReply)(reply);

/** AgentCore wants a runtime session id of at least 33 characters; the investigation id is stable per investigation. */
export const runtimeSessionIdFor = (sessionId: string): string => {
  // Characters outside [A-Za-z0-9-] are escaped as _XXXX, so distinct ids stay distinct.
  const escaped = sessionId.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const id = `sre-on-call-${escaped}`;
  return id.length >= 33 ? id.slice(0, 256) : id.padEnd(33, "_");
};

/** The JSON-RPC 2.0 body of an A2A v0.3 `message/send` carrying `payload` as one data part. */
export const sendMessageBody = (payload: unknown, contextId: string, messageId: string): string =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: messageId,
    method: "message/send",
    params: {
      message: { kind: "message", role: "user", messageId, contextId, parts: [{ kind: "data", data: payload }] },
      configuration: { blocking: true, acceptedOutputModes: ["application/json", "text/plain"] }
    }
  });

export type RpcOutcome =
  | { readonly _tag: "data"; readonly data: unknown }
  | { readonly _tag: "rpcError"; readonly code: number; readonly message: string }
  | { readonly _tag: "malformed"; readonly reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const dataPartOf = (parts: unknown): unknown => {
  if (!Array.isArray(parts)) return undefined;
  for (const p of parts as ReadonlyArray<unknown>) if (isRecord(p) && p["kind"] === "data" && "data" in p) return p["data"];
  return undefined;
};

/**
 * The data part of a `message/send` answer: the reply message itself, or (when the server made
 * a task of it) the task's artifacts or final status message.
 */
export const parseSendMessageResponse = (text: string): RpcOutcome => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { _tag: "malformed", reason: "the answer is not JSON" };
  }
  if (!isRecord(body) || body["jsonrpc"] !== "2.0") return { _tag: "malformed", reason: "the answer is not a JSON-RPC 2.0 response" };
  const error = body["error"];
  if (isRecord(error)) {
    return { _tag: "rpcError", code: typeof error["code"] === "number" ? error["code"] : 0, message: typeof error["message"] === "string" ? error["message"].slice(0, 300) : "no message" };
  }
  const result = body["result"];
  if (!isRecord(result)) return { _tag: "malformed", reason: "the response has no result" };
  const direct = dataPartOf(result["parts"]);
  if (direct !== undefined) return { _tag: "data", data: direct };
  if (Array.isArray(result["artifacts"])) {
    for (const a of result["artifacts"] as ReadonlyArray<unknown>) {
      const d = isRecord(a) ? dataPartOf(a["parts"]) : undefined;
      if (d !== undefined) return { _tag: "data", data: d };
    }
  }
  const status = result["status"];
  const fromStatus = isRecord(status) && isRecord(status["message"]) ? dataPartOf(status["message"]["parts"]) : undefined;
  if (fromStatus !== undefined) return { _tag: "data", data: fromStatus };
  return { _tag: "malformed", reason: "the answer has no data part" };
};
