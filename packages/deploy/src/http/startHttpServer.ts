import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { errorResponse, type HttpHandler, type HttpResponse, MAX_BODY_BYTES } from "./HttpExchange.js";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and resolves when open ones have finished. */
  readonly close: () => Promise<void>;
}

export interface HttpServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly maxBodyBytes?: number;
  /**
   * Headers and body must have arrived this long after a request starts, else the client gets
   * 408 and the socket is closed (default 15 s: Slack, Discord and Alertmanager send small
   * bodies at once; Node's own default of 300 s lets slow clients hold connections).
   */
  readonly requestTimeoutMs?: number;
  /** Open connections at most (default 256); see `startHttpServer` for what happens past it. */
  readonly maxConnections?: number;
  /** A socket with no traffic this long while a request is being read or answered is closed (default 60 s). */
  readonly idleTimeoutMs?: number;
  readonly handler: HttpHandler;
  /** Called when the handler itself throws; the client still gets a JSON 500. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_CONNECTIONS = 256;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const TURNED_AWAY_LINGER_MS = 1000;

class BodyTooLarge extends Error {}
/** The client went away (or was timed out) before its body arrived: there is nobody to answer. */
class ClientGone extends Error {}

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    req.on("close", () => {
      if (!req.complete) reject(new ClientGone());
    });
    const declared = Number(req.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Array<Buffer> = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    // A request stream only fails when its connection does (reset, timed out, evicted).
    req.on("error", () => reject(new ClientGone()));
  });

const headersOf = (req: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
};

const send = (res: ServerResponse, response: HttpResponse) => {
  if (res.headersSent) return;
  res.writeHead(response.status, { "content-length": Buffer.byteLength(response.body), ...response.headers });
  res.end(response.body);
};

/** Written on a connection turned away at the cap before Node has parsed anything on it. */
const SERVICE_UNAVAILABLE = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n";

/**
 * A node:http server that reads bodies under a size limit and hands them to the shared handler.
 *
 * Slow clients are bounded: a request whose headers and body have not all arrived within
 * `requestTimeoutMs` gets 408 (Node writes it) and its socket is closed. Past `maxConnections`,
 * the connection that has waited longest without a request in the handler (a stalled upload, a
 * trickle of headers, an idle keep-alive) is closed to make room, so a burst of slow sockets
 * cannot lock out a webhook that sends its request at once; when every connection is in the
 * handler, the new one gets 503.
 */
export const startHttpServer = (options: HttpServerOptions): Promise<RunningServer> => {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  /** Open sockets, oldest first (a Map keeps insertion order), and whether one is in the handler. */
  const sockets = new Map<Socket, { busy: boolean }>();
  /** Connections answered 503 at the cap: whatever they send is not handled. */
  const turnedAway = new WeakSet<Socket>();
  const server: Server = createServer(
    {
      requestTimeout,
      headersTimeout: requestTimeout,
      // How often Node looks for expired requests; its 30 s default would stretch a short timeout.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(requestTimeout / 4)))
    },
    (req, res) => {
      if (turnedAway.has(req.socket)) return;
      const receivedAt = Date.now();
      const url = new URL(req.url ?? "/", "http://localhost");
      const state = sockets.get(req.socket);
      readBody(req, limit)
        .then((rawBody) => {
          if (state !== undefined) state.busy = true;
          return options.handler({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: headersOf(req), rawBody, receivedAt });
        })
        .then(
          (response) => send(res, response),
          (error: unknown) => {
            if (error instanceof ClientGone) return;
            if (error instanceof BodyTooLarge) {
              res.setHeader("connection", "close");
              send(res, errorResponse(413, "body_too_large", `request body exceeds ${limit} bytes`));
              return;
            }
            options.onError?.(error);
            send(res, errorResponse(500, "internal_error", "the request could not be handled; it was logged"));
          }
        )
        .finally(() => {
          if (state === undefined) return;
          state.busy = false;
          // A keep-alive connection goes to the back of the eviction order once answered.
          sockets.delete(req.socket);
          if (!req.socket.destroyed) sockets.set(req.socket, state);
        });
    }
  );
  server.keepAliveTimeout = 65_000;
  server.timeout = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  server.on("connection", (socket: Socket) => {
    sockets.set(socket, { busy: false });
    socket.once("close", () => sockets.delete(socket));
    if (sockets.size <= maxConnections) return;
    const evict = [...sockets.entries()].find(([s, st]) => s !== socket && !st.busy)?.[0];
    if (evict !== undefined) {
      evict.destroy();
      sockets.delete(evict);
      return;
    }
    sockets.delete(socket);
    turnedAway.add(socket);
    // Closing at once could reset the connection before the client reads the answer.
    socket.end(SERVICE_UNAVAILABLE);
    setTimeout(() => socket.destroy(), TURNED_AWAY_LINGER_MS).unref();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      const host = options.host ?? "127.0.0.1";
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          })
      });
    });
  });
};
