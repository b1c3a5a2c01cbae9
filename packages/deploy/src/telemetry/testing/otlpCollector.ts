import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** A span as an OTLP/HTTP JSON export request carries it, with its attributes flattened. */
export interface CollectedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly status: { readonly code?: number; readonly message?: string };
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>;
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface OtlpCollector {
  /** `http://127.0.0.1:<port>/v1/traces` */
  readonly tracesUrl: string;
  /** Every export request received, on any path. */
  readonly requests: () => number;
  readonly spans: () => ReadonlyArray<CollectedSpan>;
  readonly close: () => Promise<void>;
}

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: number | string;
  readonly doubleValue?: number;
  readonly boolValue?: boolean;
}
interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpValue;
}

const value = (v: OtlpValue): unknown => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue;
const flatten = (kvs: ReadonlyArray<OtlpKeyValue> | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

/** An OTLP/HTTP collector on 127.0.0.1 that decodes JSON trace export requests and keeps their spans. */
export const startOtlpCollector = async (): Promise<OtlpCollector> => {
  const spans: Array<CollectedSpan> = [];
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    void readBody(req).then(
      (body) => {
        if (req.method !== "POST" || req.url !== "/v1/traces" || !(req.headers["content-type"] ?? "").startsWith("application/json")) {
          res.writeHead(400).end();
          return;
        }
        const request = JSON.parse(body) as {
          resourceSpans?: ReadonlyArray<{
            resource?: { attributes?: ReadonlyArray<OtlpKeyValue> };
            scopeSpans?: ReadonlyArray<{
              spans?: ReadonlyArray<{
                name: string;
                traceId: string;
                spanId: string;
                parentSpanId?: string;
                attributes?: ReadonlyArray<OtlpKeyValue>;
                status?: { code?: number; message?: string };
                events?: ReadonlyArray<{ name: string; attributes?: ReadonlyArray<OtlpKeyValue> }>;
              }>;
            }>;
          }>;
        };
        for (const rs of request.resourceSpans ?? []) {
          const resource = flatten(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                name: s.name,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId === undefined || s.parentSpanId === "" ? undefined : s.parentSpanId,
                attributes: flatten(s.attributes),
                status: s.status ?? {},
                events: (s.events ?? []).map((e) => ({ name: e.name, attributes: flatten(e.attributes) })),
                resource
              });
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      },
      () => res.writeHead(400).end()
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    requests: () => requests,
    spans: () => [...spans],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
};
