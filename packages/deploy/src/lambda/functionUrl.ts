import { Result } from "effect";
import { errorResponse, type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from "../http/HttpExchange.js";

/**
 * The Lambda function URL event (payload format 2.0, the same as API Gateway HTTP APIs), as far
 * as intake reads it. Everything is optional here because the event is validated, not trusted.
 */
export interface FunctionUrlEvent {
  readonly version?: string;
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  /** Lower-cased names; repeated headers already joined with ",". */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Format 2.0 moves `Cookie` out of the headers into this list. */
  readonly cookies?: ReadonlyArray<string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly http?: { readonly method?: string; readonly path?: string };
    readonly timeEpoch?: number;
    /** API Gateway stage; `rawPath` carries it as a prefix unless it is `$default`. */
    readonly stage?: string;
    readonly requestId?: string;
  };
}

/** What a function URL expects back. The body is always text (JSON) here, never base64. */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ToHttpRequestOptions {
  /** Decoded body size limit in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Used when the event carries no `requestContext.timeEpoch`. */
  readonly now?: () => number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const malformed = (what: string): HttpResponse => errorResponse(400, "malformed_event", `not a function URL event: ${what}`);

const headersOf = (raw: unknown, cookies: unknown): Result.Result<Record<string, string>, HttpResponse> => {
  const out: Record<string, string> = {};
  if (raw !== undefined && raw !== null) {
    if (!isRecord(raw)) return Result.fail(malformed("headers must be an object"));
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined || value === null) continue;
      if (typeof value !== "string") return Result.fail(malformed(`header ${JSON.stringify(name.slice(0, 64))} is not a string`));
      const key = name.toLowerCase();
      out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === "string")) return Result.fail(malformed("cookies must be a list of strings"));
    if (cookies.length > 0) out["cookie"] = [out["cookie"], ...cookies].filter((c) => c !== undefined).join("; ");
  }
  return Result.succeed(out);
};

const pathOf = (rawPath: string, stage: unknown): string =>
  typeof stage === "string" && stage !== "" && stage !== "$default" && (rawPath === `/${stage}` || rawPath.startsWith(`/${stage}/`))
    ? rawPath.slice(stage.length + 1) || "/"
    : rawPath;

/**
 * Turns a function URL (or HTTP API v2) event into the request both hosts hand to the intake
 * handler. A body over the limit is a 413 and anything that is not such an event a 400, each as
 * the JSON error intake answers with; the body size is checked before it is decoded. Never throws.
 */
export const toHttpRequest = (event: unknown, options: ToHttpRequestOptions = {}): Result.Result<HttpRequest, HttpResponse> => {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  if (!isRecord(event)) return Result.fail(malformed("the event is not an object"));
  const context = event["requestContext"];
  if (!isRecord(context)) return Result.fail(malformed("requestContext is missing"));
  const http = context["http"];
  const method = isRecord(http) ? http["method"] : undefined;
  if (typeof method !== "string" || !/^[A-Za-z]{1,16}$/.test(method)) return Result.fail(malformed("requestContext.http.method is missing"));
  const rawPath = event["rawPath"];
  if (typeof rawPath !== "string" || !rawPath.startsWith("/")) return Result.fail(malformed("rawPath is missing or does not start with /"));
  const rawQuery = event["rawQueryString"];
  if (rawQuery !== undefined && rawQuery !== null && typeof rawQuery !== "string") return Result.fail(malformed("rawQueryString is not a string"));
  const headers = headersOf(event["headers"], event["cookies"]);
  if (Result.isFailure(headers)) return Result.fail(headers.failure);

  const body = event["body"];
  const base64 = event["isBase64Encoded"] === true;
  let rawBody: Buffer;
  if (body === undefined || body === null) {
    rawBody = Buffer.alloc(0);
  } else if (typeof body !== "string") {
    return Result.fail(malformed("body is not a string"));
  } else {
    const size = Buffer.byteLength(body, base64 ? "base64" : "utf8");
    if (size > limit) return Result.fail(errorResponse(413, "body_too_large", `request body exceeds ${limit} bytes`));
    if (base64 && (body.length % 4 !== 0 || !BASE64.test(body))) return Result.fail(errorResponse(400, "malformed_event", "isBase64Encoded is set but the body is not valid base64"));
    rawBody = Buffer.from(body, base64 ? "base64" : "utf8");
  }

  const timeEpoch = context["timeEpoch"];
  return Result.succeed({
    method: method.toUpperCase(),
    path: pathOf(rawPath, context["stage"]),
    query: new URLSearchParams(typeof rawQuery === "string" ? rawQuery : ""),
    headers: headers.success,
    rawBody,
    receivedAt: typeof timeEpoch === "number" && Number.isFinite(timeEpoch) ? timeEpoch : (options.now ?? Date.now)()
  });
};

/** The function URL answer for an intake response. */
export const fromHttpResponse = (response: HttpResponse): FunctionUrlResult => ({
  statusCode: response.status,
  headers: { ...(response.headers ?? {}) },
  body: response.body
});
