import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface LoopbackProxyOptions {
  /** Where requests go, e.g. a test Prometheus' URL. */
  readonly target: string;
  /** When set, requests without `Authorization: Bearer <token>` get 401, as an auth proxy in front of Prometheus would. */
  readonly bearerToken?: string;
  /** Requests for which this is true are never answered (until the proxy stops): a hung query. */
  readonly hang?: (path: string, body: string) => boolean;
}

export interface LoopbackProxy {
  readonly url: string;
  /** Authorization headers seen, for asserting what the client sent. */
  readonly authorizations: ReadonlyArray<string>;
  /**
   * Every PromQL expression and series matcher that went through (the `query` and `match[]`
   * parameters of the URL and of form bodies), for asserting what reached Prometheus.
   */
  readonly queries: ReadonlyArray<string>;
  readonly stop: () => Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });

/** A tiny reverse proxy on 127.0.0.1: optional bearer check, optional hanging, otherwise a faithful pass-through. */
export const startLoopbackProxy = async (options: LoopbackProxyOptions): Promise<LoopbackProxy> => {
  const authorizations: Array<string> = [];
  const queries: Array<string> = [];
  const record = (params: URLSearchParams) => queries.push(...params.getAll("query"), ...params.getAll("match[]"));
  const sockets = new Set<Socket>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const authorization = request.headers.authorization ?? "";
    authorizations.push(authorization);
    // Recorded before any check: what was sent counts, whether or not it was answered.
    record(new URL(request.url ?? "/", "http://proxy").searchParams);
    if ((request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) record(new URLSearchParams(body.toString("utf8")));
    if (options.bearerToken !== undefined && authorization !== `Bearer ${options.bearerToken}`) {
      response.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="prometheus"' });
      response.end("401 Unauthorized\n");
      return;
    }
    const path = request.url ?? "/";
    if (options.hang?.(path, body.toString("utf8")) === true) return;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === "string" && !["host", "authorization", "connection", "content-length"].includes(k)) headers[k] = v;
    const method = request.method ?? "GET";
    const upstream = await fetch(`${options.target}${path}`, { method, headers, ...(method === "GET" || method === "HEAD" ? {} : { body }) });
    response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((e: unknown) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`proxy error: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    queries,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopping;
    }
  };
};
