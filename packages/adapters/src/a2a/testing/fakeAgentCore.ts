import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One InvokeAgentRuntime call as the data plane saw it. */
export interface FakeAgentCoreInvocation {
  readonly runtimeArn: string;
  readonly qualifier: string | undefined;
  readonly sessionId: string | undefined;
  /** The request was SigV4-signed (an Authorization header naming AWS4-HMAC-SHA256). */
  readonly signed: boolean;
  readonly status: number;
}

export interface FakeAgentCore {
  /** Pass as the SDK client's `endpoint`. */
  readonly url: string;
  /** Routes a runtime ARN to the A2A server that plays it (the runtime's port 9000). */
  readonly register: (runtimeArn: string, agentUrl: string) => void;
  readonly invocations: () => ReadonlyArray<FakeAgentCoreInvocation>;
  readonly close: () => Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

const awsError = (res: ServerResponse, status: number, type: string, message: string) => {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
  res.end(JSON.stringify({ message }));
};

/**
 * A stand-in for the Bedrock AgentCore data plane: speaks InvokeAgentRuntime's HTTP shape
 * (`POST /runtimes/{arn}/invocations?qualifier=…` with the runtime session header) and forwards
 * the payload to the agent's A2A server, as AgentCore forwards it to the container's port 9000.
 * Errors use AWS's JSON error shape so the real SDK client maps them to its exceptions.
 */
export const startFakeAgentCore = async (): Promise<FakeAgentCore> => {
  const runtimes = new Map<string, string>();
  const seen: Array<FakeAgentCoreInvocation> = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const match = /^\/runtimes\/([^/]+)\/invocations(\/\.well-known\/agent-card\.json)?$/.exec(url.pathname);
      if (match === null) return awsError(res, 404, "UnknownOperationException", `no operation at ${url.pathname}`);
      const runtimeArn = decodeURIComponent(match[1] ?? "");
      const isCard = match[2] !== undefined;
      const sessionHeader = req.headers["x-amzn-bedrock-agentcore-runtime-session-id"];
      const sessionId = typeof sessionHeader === "string" ? sessionHeader : undefined;
      const qualifier = url.searchParams.get("qualifier") ?? undefined;
      const signed = /^AWS4-HMAC-SHA256 /.test(req.headers.authorization ?? "");
      const record = (status: number) => seen.push({ runtimeArn, qualifier, sessionId, signed, status });
      const body = await readBody(req);
      const target = runtimes.get(runtimeArn);
      if (target === undefined) {
        record(404);
        return awsError(res, 404, "ResourceNotFoundException", `No agent runtime found for ${runtimeArn}`);
      }
      if (!isCard && (sessionId === undefined || sessionId.length < 33)) {
        record(400);
        return awsError(res, 400, "ValidationException", "runtimeSessionId must be at least 33 characters");
      }
      let upstream: Response;
      try {
        upstream = isCard
          ? await fetch(new URL("/.well-known/agent-card.json", target))
          : await fetch(target, { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "application/json" }, body });
      } catch {
        // The runtime's container is gone: AgentCore answers 424 with a RuntimeClientError.
        record(424);
        return awsError(res, 424, "RuntimeClientError", "The agent runtime did not respond");
      }
      const answer = Buffer.from(await upstream.arrayBuffer());
      record(upstream.status);
      res.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
        ...(sessionId !== undefined ? { "x-amzn-bedrock-agentcore-runtime-session-id": sessionId } : {})
      });
      res.end(answer);
    })().catch(() => {
      if (!res.headersSent) awsError(res, 500, "InternalServerException", "fake AgentCore failed");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    register: (arn, agentUrl) => void runtimes.set(arn, agentUrl),
    invocations: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
};
