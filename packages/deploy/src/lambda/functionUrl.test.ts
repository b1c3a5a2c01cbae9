import fc from "fast-check";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { json } from "../http/HttpExchange.js";
import { fromHttpResponse, type FunctionUrlEvent, toHttpRequest } from "./functionUrl.js";

const event = (overrides: Partial<FunctionUrlEvent> = {}): FunctionUrlEvent => ({
  version: "2.0",
  rawPath: "/slack/events",
  rawQueryString: "",
  headers: { "content-type": "application/json", "x-slack-signature": "v0=abc" },
  requestContext: { http: { method: "POST", path: "/slack/events" }, timeEpoch: 1_700_000_000_123 },
  isBase64Encoded: false,
  ...overrides
});

const ok = (e: unknown, options = {}) => {
  const r = toHttpRequest(e, options);
  if (Result.isFailure(r)) throw new Error(`expected a request, got ${r.failure.status} ${r.failure.body}`);
  return r.success;
};

const rejected = (e: unknown, options = {}) => {
  const r = toHttpRequest(e, options);
  if (Result.isSuccess(r)) throw new Error("expected a rejection");
  return { status: r.failure.status, error: (JSON.parse(r.failure.body) as { error: { code: string; message: string } }).error };
};

describe("toHttpRequest", () => {
  it("maps a plain-body event: method, path, query, headers, body and the receive time", () => {
    const req = ok(event({ body: '{"a":1}', rawQueryString: "x=1&y=two%20words" }));
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/slack/events");
    expect(req.query.get("y")).toBe("two words");
    expect(req.headers["x-slack-signature"]).toBe("v0=abc");
    expect(req.rawBody.toString("utf8")).toBe('{"a":1}');
    expect(req.receivedAt).toBe(1_700_000_000_123);
  });

  it("decodes a base64 body byte for byte (form bodies arrive this way)", () => {
    const bytes = Buffer.from("command=%2Fsre-snapshot&text=caf%C3%A9 ✓", "utf8");
    const req = ok(event({ body: bytes.toString("base64"), isBase64Encoded: true }));
    expect(req.rawBody.equals(bytes)).toBe(true);
  });

  it("lower-cases header names, joins duplicates and moves format-2.0 cookies back into a cookie header", () => {
    const req = ok(event({ headers: { "X-Forwarded-For": "1.2.3.4", "x-forwarded-for": "5.6.7.8" }, cookies: ["a=1", "b=2"] }));
    expect(req.headers["x-forwarded-for"]).toBe("1.2.3.4, 5.6.7.8");
    expect(req.headers["cookie"]).toBe("a=1; b=2");
  });

  it("strips an API Gateway stage prefix but not a $default stage", () => {
    expect(ok(event({ rawPath: "/prod/slack/events", requestContext: { http: { method: "POST" }, stage: "prod" } })).path).toBe("/slack/events");
    expect(ok(event({ rawPath: "/prod/slack/events", requestContext: { http: { method: "POST" }, stage: "$default" } })).path).toBe("/prod/slack/events");
    expect(ok(event({ rawPath: "/production/x", requestContext: { http: { method: "POST" }, stage: "prod" } })).path).toBe("/production/x");
  });

  it("uses the clock when the event has no timeEpoch, and takes an empty body for a missing one", () => {
    const req = ok(event({ requestContext: { http: { method: "get" } } }), { now: () => 42 });
    expect(req.receivedAt).toBe(42);
    expect(req.method).toBe("GET");
    expect(req.rawBody.length).toBe(0);
  });

  it("answers 413 for a body over the limit, measured after base64 decoding, and accepts one at the limit", () => {
    const limit = 1024;
    expect(rejected(event({ body: "x".repeat(limit + 1) }), { maxBodyBytes: limit })).toMatchObject({ status: 413, error: { code: "body_too_large" } });
    expect(rejected(event({ body: Buffer.alloc(limit + 1).toString("base64"), isBase64Encoded: true }), { maxBodyBytes: limit }).status).toBe(413);
    expect(ok(event({ body: Buffer.alloc(limit).toString("base64"), isBase64Encoded: true }), { maxBodyBytes: limit }).rawBody.length).toBe(limit);
    expect(ok(event({ body: "é".repeat(limit / 2) }), { maxBodyBytes: limit }).rawBody.length).toBe(limit);
    expect(rejected(event({ body: "é".repeat(limit / 2 + 1) }), { maxBodyBytes: limit }).status).toBe(413);
  });

  it("defaults the limit to 1 MiB", () => {
    expect(rejected(event({ body: "x".repeat(1024 * 1024 + 1) })).status).toBe(413);
    expect(ok(event({ body: "x".repeat(1024 * 1024) })).rawBody.length).toBe(1024 * 1024);
  });

  it.each([
    ["null", null],
    ["a string", "GET /"],
    ["an array", [1]],
    ["no requestContext", { rawPath: "/x" }],
    ["no method", { rawPath: "/x", requestContext: { http: {} } }],
    ["no rawPath", { requestContext: { http: { method: "POST" } } }],
    ["a relative rawPath", { rawPath: "x", requestContext: { http: { method: "POST" } } }],
    ["non-string headers", { rawPath: "/x", headers: { a: 1 }, requestContext: { http: { method: "POST" } } }],
    ["a non-string body", { rawPath: "/x", body: { a: 1 }, requestContext: { http: { method: "POST" } } }],
    ["invalid base64", { rawPath: "/x", body: "not base64!", isBase64Encoded: true, requestContext: { http: { method: "POST" } } }],
    ["bad cookies", { rawPath: "/x", cookies: "a=1", requestContext: { http: { method: "POST" } } }]
  ])("answers 400 for %s", (_what, e) => {
    const r = rejected(e);
    expect(r.status).toBe(400);
    expect(r.error.code).toBe("malformed_event");
    expect(r.error.message.length).toBeGreaterThan(10);
  });

  it("never throws: any JSON value is a request or a 400/413 answer", () => {
    const anyEvent = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          rawPath: fc.oneof(fc.string(), fc.constant("/slack/events")),
          rawQueryString: fc.oneof(fc.string(), fc.jsonValue()),
          headers: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
          cookies: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
          body: fc.oneof(fc.string(), fc.base64String(), fc.jsonValue()),
          isBase64Encoded: fc.oneof(fc.boolean(), fc.jsonValue()),
          requestContext: fc.oneof(fc.record({ http: fc.record({ method: fc.oneof(fc.constantFrom("GET", "POST"), fc.string()) }), timeEpoch: fc.jsonValue(), stage: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue())
        },
        { requiredKeys: [] }
      )
    );
    fc.assert(
      fc.property(anyEvent, (e) => {
        const r = toHttpRequest(e, { maxBodyBytes: 64 });
        if (Result.isFailure(r)) {
          expect([400, 413]).toContain(r.failure.status);
          expect(JSON.parse(r.failure.body)).toHaveProperty("error.code");
        } else {
          expect(r.success.path.startsWith("/")).toBe(true);
          expect(r.success.rawBody.length).toBeLessThanOrEqual(64);
        }
      }),
      { numRuns: 2_000 }
    );
  });
});

describe("fromHttpResponse", () => {
  it("carries status, headers and body", () => {
    expect(fromHttpResponse(json(401, { error: { code: "invalid_signature", message: "bad" } }, { "x-extra": "1" }))).toEqual({
      statusCode: 401,
      headers: { "content-type": "application/json; charset=utf-8", "x-extra": "1" },
      body: '{"error":{"code":"invalid_signature","message":"bad"}}'
    });
    expect(fromHttpResponse({ status: 204, body: "" })).toEqual({ statusCode: 204, headers: {}, body: "" });
  });
});
