import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from "@aws-sdk/client-bedrock-agentcore";
import { A2aUnreachable, type A2aTransport } from "@sre-on-call/adapters/a2a/A2aSpecialist";
import { runtimeSessionIdFor } from "@sre-on-call/adapters/a2a/wire";

export interface AgentCoreEndpoint {
  readonly runtimeArn: string;
  readonly region: string;
  /** Data-plane endpoint override (tests, VPC endpoints). */
  readonly endpoint?: string;
  /** Runtime endpoint name (default: the runtime's DEFAULT endpoint). */
  readonly qualifier?: string;
  /** Explicit credentials; otherwise the default AWS chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

/** The region of a `arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>` ARN. */
export const regionOfRuntimeArn = (arn: string): string | undefined => {
  const m = /^arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]+):\d{12}:runtime\/[A-Za-z0-9_-]+$/.exec(arn);
  return m?.[1];
};

const UNREACHABLE = new Set([404, 424, 429, 502, 503, 504]);

/**
 * A2A through Bedrock AgentCore's InvokeAgentRuntime: the JSON-RPC body is the payload, the
 * runtime session is derived from the investigation id (one microVM per investigation), and
 * the answer stream is the agent's JSON-RPC response.
 */
export const agentCoreTransport = (options: AgentCoreEndpoint): A2aTransport => {
  const client = new BedrockAgentCoreClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {})
  });
  const target = `AgentCore runtime ${options.runtimeArn}${options.qualifier !== undefined ? ` (${options.qualifier})` : ""}`;
  return {
    target,
    send: async ({ body, sessionId, signal }) => {
      try {
        const out = await client.send(
          new InvokeAgentRuntimeCommand({
            agentRuntimeArn: options.runtimeArn,
            runtimeSessionId: runtimeSessionIdFor(sessionId),
            ...(options.qualifier !== undefined ? { qualifier: options.qualifier } : {}),
            contentType: "application/json",
            accept: "application/json",
            payload: new TextEncoder().encode(body)
          }),
          { abortSignal: signal }
        );
        const text = out.response === undefined ? "" : await out.response.transformToString("utf-8");
        return { status: out.statusCode ?? 200, body: text };
      } catch (error) {
        if (signal.aborted) throw error;
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const name = error instanceof Error ? error.name : "Error";
        const message = error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
        if (status === undefined || UNREACHABLE.has(status)) throw new A2aUnreachable(`${target}: ${name}: ${message}`);
        throw new Error(`${target}: ${name} (HTTP ${status}): ${message}`);
      }
    }
  };
};
