import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One `Invoke` call as the fake received it. */
export interface FakeInvocation {
  readonly functionName: string;
  readonly invocationType: string;
  /** The payload parsed as JSON (`undefined` when it was not JSON). */
  readonly payload: unknown;
  readonly rawPayload: string;
  /** Whether the request carried a SigV4 `Authorization` header (its value is never kept). */
  readonly signed: boolean;
  readonly status: number;
}

export interface FakeLambdaApiOptions {
  /** Functions that exist; invoking another one is a 404 `ResourceNotFoundException`. Default: any. */
  readonly functions?: ReadonlyArray<string>;
}

export interface FakeLambdaApi {
  /** For the SDK client's `endpoint`. */
  readonly url: string;
  readonly invocations: () => ReadonlyArray<FakeInvocation>;
  /** The next `times` invocations answer with this HTTP status and a Lambda service error. */
  readonly failNext: (status: number, times?: number) => void;
  readonly close: () => Promise<void>;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

const serviceError = (res: ServerResponse, status: number, type: string, message: string) => {
  const body = JSON.stringify({ Type: status >= 500 ? "Service" : "User", message });
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
};

/**
 * The Lambda `Invoke` API on 127.0.0.1, as the AWS SDK speaks it:
 * `POST /2015-03-31/functions/{name}/invocations` with `X-Amz-Invocation-Type`. An `Event`
 * (asynchronous) invocation is recorded and answered 202 with an empty body, like Lambda
 * queueing it; nothing is run. Other invocation types are refused, since intake never waits for
 * an investigation.
 */
export const startFakeLambdaApi = async (options: FakeLambdaApiOptions = {}): Promise<FakeLambdaApi> => {
  const invocations: Array<FakeInvocation> = [];
  let failures: { status: number; times: number } | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const rawPayload = await readBody(req);
      const url = new URL(req.url ?? "/", "http://localhost");
      const match = INVOKE.exec(url.pathname);
      if (req.method !== "POST" || match === null) {
        serviceError(res, 404, "UnknownOperationException", `no operation ${req.method} ${url.pathname}`);
        return;
      }
      const functionName = decodeURIComponent(match[1]!);
      const invocationType = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
      let payload: unknown;
      try {
        payload = JSON.parse(rawPayload);
      } catch {
        payload = undefined;
      }
      const record = (status: number) => invocations.push({ functionName, invocationType, payload, rawPayload, signed: typeof req.headers["authorization"] === "string", status });
      if (failures !== undefined && failures.times > 0) {
        failures.times -= 1;
        record(failures.status);
        serviceError(res, failures.status, failures.status >= 500 ? "ServiceException" : "InvalidRequestContentException", "injected failure");
        return;
      }
      if (options.functions !== undefined && !options.functions.includes(functionName)) {
        record(404);
        serviceError(res, 404, "ResourceNotFoundException", `Function not found: ${functionName}`);
        return;
      }
      if (invocationType !== "Event") {
        record(400);
        serviceError(res, 400, "InvalidParameterValueException", `this fake only queues asynchronous (Event) invocations, not ${invocationType}`);
        return;
      }
      record(202);
      res.writeHead(202, { "content-length": "0", "x-amzn-requestid": `fake-${invocations.length}` });
      res.end();
    })().catch(() => serviceError(res, 500, "ServiceException", "the fake failed"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations: () => [...invocations],
    failNext: (status, times = 1) => {
      failures = { status, times };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
};
