import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { json, type HttpHandler } from "./HttpExchange.js";
import { type HttpServerOptions, type RunningServer, startHttpServer } from "./startHttpServer.js";

/** A raw loopback client: what it received, and a promise settled when the server closes it. */
interface RawClient {
  readonly socket: Socket;
  readonly received: () => string;
  readonly closed: Promise<string>;
}

const sockets: Array<Socket> = [];
const servers: Array<RunningServer> = [];
const releases: Array<() => void> = [];

const rawClient = (port: number, first = ""): Promise<RawClient> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    let data = "";
    socket.on("data", (chunk: Buffer) => void (data += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    const closed = new Promise<string>((done) => socket.on("close", () => done(data)));
    socket.once("connect", () => {
      if (first !== "") socket.write(first);
      resolve({ socket, received: () => data, closed });
    });
    socket.once("error", reject);
  });

const start = async (options: Partial<HttpServerOptions> & { readonly handler?: HttpHandler }) => {
  const server = await startHttpServer({ handler: async () => json(200, { ok: true }), ...options });
  servers.push(server);
  return server;
};

const waitUntil = async (what: string, probe: () => boolean) => {
  for (let i = 0; i < 400; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

describe("startHttpServer under slow and abusive clients", () => {
  it("answers a slowloris (headers trickled a byte at a time) with 408 and closes it, serving others meanwhile", async () => {
    const server = await start({ requestTimeoutMs: 400 });
    const slow = await rawClient(server.port, "P");
    let stop = false;
    const trickle = (async () => {
      for (const ch of "OST /webhooks/alertmanager HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") {
        if (stop || slow.socket.destroyed) return;
        slow.socket.write(ch);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const normal = await fetch(`${server.url}/healthz`);
    expect(normal.status).toBe(200);
    const answer = await slow.closed;
    stop = true;
    await trickle;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers a body that arrives too slowly with 408 and closes the socket, without calling the handler or reporting an error", async () => {
    let handled = 0;
    const errors: Array<unknown> = [];
    const server = await start({ requestTimeoutMs: 400, handler: async () => (handled++, json(200, {})), onError: (e) => errors.push(e) });
    const slow = await rawClient(server.port, "POST /webhooks/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"alerts\":");
    const normal = await fetch(`${server.url}/healthz`, { method: "POST", body: "{}" });
    expect(normal.status).toBe(200);
    const answer = await slow.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(handled).toBe(1);
    expect(errors).toEqual([]);
  });

  it("closes a connection that never sends a byte", async () => {
    const server = await start({ requestTimeoutMs: 300 });
    const idle = await rawClient(server.port);
    expect(await idle.closed).toMatch(/^HTTP\/1\.1 408 /);
    expect(idle.socket.destroyed).toBe(true);
  });

  it("past the connection cap, drops the oldest stalled connection so a normal request still gets through", async () => {
    // A long timeout: only the cap, not the timeout, can explain a freed slot.
    const server = await start({ requestTimeoutMs: 30_000, maxConnections: 4 });
    const stalled: Array<RawClient> = [];
    for (let i = 0; i < 10; i++) stalled.push(await rawClient(server.port, "POST /webhooks/alertmanager HTTP/1.1\r\nHost: x\r\n"));
    await waitUntil("the server to shed the excess", () => stalled.filter((c) => !c.socket.destroyed).length <= 4);
    for (let round = 0; round < 3; round++) {
      const normal = await fetch(`${server.url}/healthz`, { headers: { connection: "close" } });
      expect(normal.status).toBe(200);
    }
    // The newest stalled connections were kept: the oldest went first.
    expect(stalled.slice(0, 6).every((c) => c.socket.destroyed)).toBe(true);
  });

  it("when every connection is busy in the handler, a new one gets 503 instead of an unbounded queue", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    releases.push(() => release());
    let started = 0;
    const server = await start({
      maxConnections: 2,
      handler: async () => {
        started++;
        await gate;
        return json(200, { ok: true });
      }
    });
    const busy = [fetch(`${server.url}/a`), fetch(`${server.url}/b`)];
    await waitUntil("both requests in the handler", () => started === 2);
    const extra = await rawClient(server.port, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await extra.closed).toMatch(/^HTTP\/1\.1 503 /);
    expect(started).toBe(2);
    release();
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200]);
    expect((await fetch(`${server.url}/d`)).status).toBe(200);
  });
});
