import { Effect } from "effect";
import type { Point } from "../analyze/classifyChange.js";
import { redactLabels, redactLabelValues } from "../safety/secretLabels.js";
import { PrometheusError, type PrometheusFailure } from "./PrometheusError.js";

export type PrometheusAuth =
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string };

export interface PrometheusClientOptions {
  /**
   * Base of the query API: `http://prometheus:9090`, `https://thanos-query.example.com`,
   * `https://mimir.example.com/prometheus`, `http://victoria:8428`. Credentials written in the URL
   * (`https://user:pass@host`) are used as basic auth and never shown.
   */
  readonly url: string;
  readonly auth?: PrometheusAuth;
  /** Extra request headers, e.g. `X-Scope-OrgID` for a Mimir or Cortex tenant. Their values are treated as secrets. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Budget of each request (default 10 s); past it the request is aborted and fails with `timeout`. */
  readonly requestTimeoutMs?: number;
  /** Series kept from one answer (default 100); the rest are dropped and the answer marked truncated. */
  readonly maxSeries?: number;
  /** Samples per series of a range query (default 500): the step grows to stay under it. */
  readonly maxPoints?: number;
  /** Largest answer read (default 16 MiB); a larger one fails with `limited`. */
  readonly maxResponseBytes?: number;
  readonly fetch?: typeof fetch;
}

export type Labels = Readonly<Record<string, string>>;

export interface RangeSeries {
  readonly labels: Labels;
  readonly points: ReadonlyArray<Point>;
}

export interface InstantSample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

export interface Answer<A> {
  readonly series: ReadonlyArray<A>;
  /** The server returned more series than `maxSeries`; only the first ones are kept. */
  readonly truncated: boolean;
  /** Warnings the server attached (Thanos partial responses, Mimir/VictoriaMetrics notices). */
  readonly warnings: ReadonlyArray<string>;
}

export interface TimeRange {
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
}

/**
 * Read-only client for the Prometheus HTTP query API, as Prometheus, Thanos, Mimir and
 * VictoriaMetrics serve it. Label values that look like secrets come back as `[REDACTED]`.
 * It runs any PromQL it is given: PromQL we did not write goes through `validatePromql` first.
 */
export interface PrometheusClient {
  /** The API base without credentials, for reports and errors. */
  readonly description: string;
  readonly query: (expr: string, time: number) => Effect.Effect<Answer<InstantSample>, PrometheusError>;
  /** `stepMs` is a wish: it is raised to keep each series under `maxPoints` samples and to at least 1 s. */
  readonly queryRange: (expr: string, range: TimeRange, stepMs?: number) => Effect.Effect<Answer<RangeSeries> & { readonly stepMs: number }, PrometheusError>;
  readonly series: (matchers: ReadonlyArray<string>, range: TimeRange) => Effect.Effect<Answer<Labels>, PrometheusError>;
  readonly labelValues: (label: string, matchers: ReadonlyArray<string>, range: TimeRange) => Effect.Effect<Answer<string>, PrometheusError>;
}

const DEFAULTS = { requestTimeoutMs: 10_000, maxSeries: 100, maxPoints: 500, maxResponseBytes: 16 * 1024 * 1024 };
const NETWORK_CODES = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|ETIMEDOUT|CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|UND_ERR_SOCKET|UND_ERR_CONNECT/;

interface Endpoint {
  readonly base: string;
  readonly description: string;
  readonly urlAuth?: PrometheusAuth;
}

/** Splits credentials off the URL; `undefined` when it is not an http(s) URL. */
const parseEndpoint = (raw: string): Endpoint | undefined => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const urlAuth: PrometheusAuth | undefined = url.username !== "" || url.password !== "" ? { type: "basic", username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  const base = url.toString().replace(/\/+$/, "");
  return { base, description: base, ...(urlAuth === undefined ? {} : { urlAuth }) };
};

/** The configured URL without credentials, query or fragment; for links and messages. */
export const publicBaseUrl = (raw: string): string | undefined => parseEndpoint(raw)?.base;

const parseValue = (raw: unknown): number => {
  if (typeof raw === "number") return raw;
  if (typeof raw !== "string") return Number.NaN;
  if (raw === "+Inf" || raw === "Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  return raw.trim() === "" ? Number.NaN : Number(raw);
};

const parseSample = (pair: unknown): Point | undefined => {
  if (!Array.isArray(pair) || pair.length < 2) return undefined;
  const t = typeof pair[0] === "number" ? pair[0] : Number(pair[0]);
  if (!Number.isFinite(t)) return undefined;
  return { t: Math.round(t * 1000), v: parseValue(pair[1]) };
};

/**
 * Labels as every answer hands them on. Whatever a series carries may end up in a finding, a
 * model prompt or a chat message, so secret-looking values are redacted here, where they enter.
 */
const parseLabels = (raw: unknown): Labels => {
  const out: Record<string, string> = {};
  if (typeof raw === "object" && raw !== null) for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[k] = v;
  return redactLabels(out);
};

const asArray = (raw: unknown): ReadonlyArray<unknown> => (Array.isArray(raw) ? raw : []);

const stringsOf = (raw: unknown): ReadonlyArray<string> => asArray(raw).filter((w): w is string => typeof w === "string");

const ERROR_TYPES: Readonly<Record<string, PrometheusFailure>> = {
  bad_data: "bad-query",
  execution: "bad-query",
  timeout: "timeout",
  canceled: "timeout",
  too_many_samples: "limited",
  unavailable: "failed",
  internal: "failed",
  not_found: "unreachable"
};

const LIMIT_WORDS = /exceed|too many|limit|too large|rate.?limit|throttl/i;

const reasonForStatus = (status: number, errorType: string | undefined, error: string): PrometheusFailure => {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "limited";
  if (errorType !== undefined && errorType in ERROR_TYPES) {
    const reason = ERROR_TYPES[errorType]!;
    return reason === "bad-query" && LIMIT_WORDS.test(error) ? "limited" : reason;
  }
  if (status === 404) return "unreachable";
  if (status === 400 || status === 422) return LIMIT_WORDS.test(error) ? "limited" : "bad-query";
  if (status === 408 || status === 504) return "timeout";
  return "failed";
};

class TooLarge extends Error {}

const readCapped = async (response: Response, cap: number): Promise<string> => {
  const declared = Number(response.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    throw new TooLarge();
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Array<Uint8Array> = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
};

const truncate = (text: string, max = 300): string => (text.length > max ? `${text.slice(0, max)}…` : text);

export const makePrometheusClient = (options: PrometheusClientOptions): PrometheusClient => {
  const endpoint = parseEndpoint(options.url);
  const timeoutMs = Math.max(1, options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
  const maxSeries = Math.max(1, Math.floor(options.maxSeries ?? DEFAULTS.maxSeries));
  const maxPoints = Math.max(2, Math.floor(options.maxPoints ?? DEFAULTS.maxPoints));
  const maxBytes = Math.max(1024, options.maxResponseBytes ?? DEFAULTS.maxResponseBytes);
  const doFetch = options.fetch ?? fetch;
  const auth = options.auth ?? endpoint?.urlAuth;
  const description = endpoint?.description ?? "(invalid Prometheus URL)";

  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/x-www-form-urlencoded" };
  const secrets: Array<string> = [];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
    secrets.push(value);
  }
  if (auth?.type === "bearer") {
    headers["authorization"] = `Bearer ${auth.token}`;
    secrets.push(auth.token);
  } else if (auth?.type === "basic") {
    const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
    headers["authorization"] = `Basic ${encoded}`;
    secrets.push(auth.password, encoded);
  }
  const { "content-type": _form, ...getHeaders } = headers;
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join("***");
    return out;
  };

  const fail = (reason: PrometheusFailure, operation: string, detail: string) => new PrometheusError({ reason, operation: redact(operation), detail: redact(detail) });

  const describeFetchError = (operation: string, e: unknown): PrometheusError => {
    if (e instanceof TooLarge) return fail("limited", operation, `the answer is larger than ${maxBytes} bytes; narrow the query`);
    const name = typeof e === "object" && e !== null ? String((e as { name?: unknown }).name ?? "") : "";
    const cause = typeof e === "object" && e !== null ? (e as { cause?: unknown }).cause : undefined;
    const causeText = cause instanceof Error ? `${(cause as { code?: unknown }).code ?? ""} ${cause.message}` : "";
    const message = e instanceof Error ? e.message : String(e);
    if (name === "AbortError" || name === "TimeoutError") return fail("timeout", operation, `no answer from ${description} within ${timeoutMs} ms`);
    if (NETWORK_CODES.test(causeText) || NETWORK_CODES.test(message) || message === "fetch failed") return fail("unreachable", operation, `cannot connect to ${description}: ${(causeText.trim() || message).trim()}`);
    return fail("failed", operation, message);
  };

  /**
   * Calls `/api/v1/<path>` and returns the API's `data`, or the typed reason it failed. Queries
   * are POSTed as forms (long expressions); label values accept only GET.
   */
  const call = (path: string, operation: string, params: URLSearchParams, method: "GET" | "POST" = "POST"): Effect.Effect<{ data: unknown; warnings: ReadonlyArray<string> }, PrometheusError> => {
    if (endpoint === undefined) return Effect.fail(fail("unreachable", operation, "the configured Prometheus URL is not a valid http(s) URL"));
    const request = Effect.tryPromise({
      try: async (signal) => {
        const response =
          method === "POST"
            ? await doFetch(`${endpoint.base}/api/v1/${path}`, { method, headers, body: params.toString(), signal, redirect: "follow" })
            : await doFetch(`${endpoint.base}/api/v1/${path}?${params.toString()}`, { method, headers: getHeaders, signal, redirect: "follow" });
        return { status: response.status, text: await readCapped(response, maxBytes) };
      },
      catch: (e) => describeFetchError(operation, e)
    }).pipe(
      Effect.timeoutOrElse({ duration: timeoutMs, orElse: () => Effect.fail(fail("timeout", operation, `no answer from ${description} within ${timeoutMs} ms`)) })
    );
    return Effect.flatMap(request, ({ status, text }) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const json = typeof body === "object" && body !== null ? (body as { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown; warnings?: unknown; infos?: unknown }) : undefined;
      if (json?.status === "success" && status >= 200 && status < 300) return Effect.succeed({ data: json.data, warnings: [...stringsOf(json.warnings), ...stringsOf(json.infos)] });
      const errorText = typeof json?.error === "string" ? json.error : truncate(text.trim());
      const errorType = typeof json?.errorType === "string" ? json.errorType : undefined;
      if (status >= 200 && status < 300) return Effect.fail(fail("invalid", operation, `${description} answered HTTP ${status} without the query API's JSON: ${truncate(text.trim(), 120)}`));
      const reason = reasonForStatus(status, errorType, errorText);
      const detail =
        reason === "auth"
          ? `${description} refused the credentials (HTTP ${status})`
          : reason === "unreachable"
            ? `no Prometheus query API at ${description} (HTTP ${status}${errorText === "" ? "" : `: ${truncate(errorText, 120)}`})`
            : `HTTP ${status}${errorType === undefined ? "" : ` ${errorType}`}: ${errorText}`;
      return Effect.fail(fail(reason, operation, detail));
    });
  };

  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const serverTimeout = `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`;
  const cap = <A>(items: ReadonlyArray<A>, warnings: ReadonlyArray<string>): Answer<A> => ({ series: items.slice(0, maxSeries), truncated: items.length > maxSeries, warnings });
  const describeExpr = (kind: string, expr: string) => `${kind} ${truncate(expr.replace(/\s+/g, " "), 160)}`;

  const query: PrometheusClient["query"] = (expr, time) =>
    call("query", describeExpr("query", expr), new URLSearchParams({ query: expr, time: seconds(time), timeout: serverTimeout })).pipe(
      Effect.map(({ data, warnings }) => {
        const d = (data ?? {}) as { resultType?: unknown; result?: unknown };
        if (d.resultType === "scalar") {
          const sample = parseSample(d.result);
          return cap(sample === undefined ? [] : [{ labels: {}, t: sample.t, v: sample.v }], warnings);
        }
        const samples: Array<InstantSample> = [];
        for (const item of asArray(d.result)) {
          const entry = (item ?? {}) as { metric?: unknown; value?: unknown; values?: unknown };
          const sample = d.resultType === "matrix" ? parseSample(asArray(entry.values).at(-1)) : parseSample(entry.value);
          if (sample !== undefined) samples.push({ labels: parseLabels(entry.metric), t: sample.t, v: sample.v });
        }
        return cap(samples, warnings);
      })
    );

  const queryRange: PrometheusClient["queryRange"] = (expr, range, stepMs) => {
    const span = Math.max(0, range.end - range.start);
    const step = Math.max(1000, Math.ceil(Math.max(stepMs ?? 0, span / (maxPoints - 1)) / 1000) * 1000);
    const params = new URLSearchParams({ query: expr, start: seconds(range.start), end: seconds(range.end), step: `${step / 1000}`, timeout: serverTimeout });
    return call("query_range", describeExpr("query_range", expr), params).pipe(
      Effect.map(({ data, warnings }) => {
        const d = (data ?? {}) as { resultType?: unknown; result?: unknown };
        const series: Array<RangeSeries> = [];
        for (const item of asArray(d.result)) {
          const entry = (item ?? {}) as { metric?: unknown; values?: unknown };
          const points: Array<Point> = [];
          for (const pair of asArray(entry.values)) {
            const sample = parseSample(pair);
            if (sample !== undefined) points.push(sample);
          }
          series.push({ labels: parseLabels(entry.metric), points });
        }
        return { ...cap(series, warnings), stepMs: step };
      })
    );
  };

  const withMatchers = (matchers: ReadonlyArray<string>, range: TimeRange) => {
    const params = new URLSearchParams({ start: seconds(range.start), end: seconds(range.end), limit: String(maxSeries + 1) });
    for (const m of matchers) params.append("match[]", m);
    return params;
  };

  return {
    description,
    query,
    queryRange,
    series: (matchers, range) => call("series", `series ${truncate(matchers.join(", "), 160)}`, withMatchers(matchers, range)).pipe(Effect.map(({ data, warnings }) => cap(asArray(data).map(parseLabels), warnings))),
    labelValues: (label, matchers, range) =>
      call(`label/${encodeURIComponent(label)}/values`, `label values ${label}`, withMatchers(matchers, range), "GET").pipe(Effect.map(({ data, warnings }) => cap(redactLabelValues(label, stringsOf(data)), warnings)))
  };
};
