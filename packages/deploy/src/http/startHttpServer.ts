import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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
  readonly handler: HttpHandler;
  /** Called when the handler itself throws; the client still gets a JSON 500. */
  readonly onError?: (error: unknown) => void;
}

class BodyTooLarge extends Error {}

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
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
    req.on("error", reject);
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

/** A node:http server that reads bodies under a size limit and hands them to the shared handler. */
export const startHttpServer = (options: HttpServerOptions): Promise<RunningServer> => {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const server: Server = createServer((req, res) => {
    const receivedAt = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    readBody(req, limit)
      .then((rawBody) =>
        options.handler({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: headersOf(req), rawBody, receivedAt })
      )
      .then(
        (response) => send(res, response),
        (error: unknown) => {
          if (error instanceof BodyTooLarge) {
            res.setHeader("connection", "close");
            send(res, errorResponse(413, "body_too_large", `request body exceeds ${limit} bytes`));
            return;
          }
          options.onError?.(error);
          send(res, errorResponse(500, "internal_error", "the request could not be handled; it was logged"));
        }
      );
  });
  server.keepAliveTimeout = 65_000;
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
