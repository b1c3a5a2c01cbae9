import type { ConverseRequest, ConverseResponse, EmbedResponse, ModelPortShape } from "@sre-on-call/core";
import { ModelError } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { decodeChatResponse, decodeEmbeddingsResponse } from "./decodeChatResponse.js";
import { describeHttpFailure, learnQuirk, redactSecrets, type HttpFailure } from "./describeOpenAiError.js";
import { DEFAULT_QUIRKS, encodeChatRequest, PROVIDER, type WireQuirks } from "./encodeChatRequest.js";

export interface OpenAiRetryOptions {
  /** Retries after the first attempt, for 429s, 5xx and unreachable servers. Default 3. */
  readonly retries?: number;
  /** Backoff before the first retry when the server names no wait; doubled each time, with jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Longest single wait. A server asking (`retry-after`) for longer fails the call as retryable instead. Default 20 000 ms. */
  readonly maxDelayMs?: number;
}

export interface OpenAiCompatibleModelOptions {
  /** Up to and including the API version, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never logged and never part of an error. Local servers need none. */
  readonly apiKey?: string;
  /** The model when a request names none. */
  readonly defaultModelId: string;
  /** The model for `embed` when a request names none. Default `defaultModelId`. */
  readonly embeddingModelId?: string;
  /** Extra headers, e.g. a gateway's routing or key header. Their values are kept out of errors too. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Time limit of one HTTP attempt, body included. Default 120 000 ms. A timeout fails the call
   * as a retryable `timeout` without retrying here: the caller owns the overall deadline.
   */
  readonly requestTimeoutMs?: number;
  readonly retry?: OpenAiRetryOptions;
  /** The `fetch` to use. Default Node's global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
}

interface CallFailure extends HttpFailure {
  /** The HTTP answer behind the failure, to learn from a 400. Never shown. */
  readonly http?: { readonly status: number; readonly body: string };
}

const failure = (reason: ModelError["reason"], detail: string, retryable: boolean): CallFailure => ({
  error: new ModelError({ provider: PROVIDER, reason, detail, retryable })
});

/** Quirks are remembered per model, so only the first call to a model pays for learning them. */
const MAX_REMEMBERED_MODELS = 64;
/** Each quirk can be learnt once per call. */
const MAX_ADAPTATIONS = 3;

const causeCode = (e: unknown): string => {
  const cause = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String((cause as { code: unknown }).code) : undefined;
  return code === undefined ? "" : ` (${code})`;
};

/** A configured number, or the default when it is missing or nonsense (so `NaN` retries cannot loop forever). */
const setting = (value: number | undefined, fallback: number): number => (value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback);

const checkBaseUrl = (baseUrl: string): Result.Result<string, ModelError> => {
  try {
    const url = new URL(baseUrl);
    if (url.protocol === "http:" || url.protocol === "https:") return Result.succeed(baseUrl.replace(/\/+$/, ""));
  } catch {
    // reported below without echoing the URL, which may carry credentials
  }
  return Result.fail(new ModelError({ provider: PROVIDER, reason: "invalid_request", detail: "the configured base URL is not an http(s) URL", retryable: false }));
};

const buildHeaders = (extra: Readonly<Record<string, string>>, apiKey: string | undefined): Result.Result<Headers, ModelError> => {
  const headers = new Headers({ "content-type": "application/json", accept: "application/json" });
  for (const [name, value] of Object.entries(extra)) {
    try {
      headers.set(name, value);
    } catch {
      // the value is not echoed: it may be a key
      return Result.fail(
        new ModelError({ provider: PROVIDER, reason: "invalid_request", detail: `the configured header ${JSON.stringify(name.slice(0, 60))} is not a valid HTTP header`, retryable: false })
      );
    }
  }
  if (apiKey !== undefined) {
    try {
      headers.set("authorization", `Bearer ${apiKey}`);
    } catch {
      return Result.fail(new ModelError({ provider: PROVIDER, reason: "auth", detail: "the configured API key cannot be sent in an HTTP header", retryable: false }));
    }
  }
  return Result.succeed(headers);
};

/**
 * A `ModelPort` over any OpenAI-compatible chat-completions API: OpenAI itself, gateways
 * (LiteLLM, OpenRouter, Azure-style proxies) and local model servers (vLLM, llama.cpp, Ollama).
 */
export const makeOpenAiCompatibleModel = (options: OpenAiCompatibleModelOptions): ModelPortShape => {
  const base = checkBaseUrl(options.baseUrl);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = setting(options.requestTimeoutMs, 120_000);
  const retries = Math.floor(setting(options.retry?.retries, 3));
  const baseDelayMs = setting(options.retry?.baseDelayMs, 500);
  const maxDelayMs = setting(options.retry?.maxDelayMs, 20_000);
  const apiKey = options.apiKey === undefined || options.apiKey === "" ? undefined : options.apiKey;
  const extraHeaders = options.headers ?? {};
  const secrets = [...(apiKey === undefined ? [] : [apiKey]), ...Object.values(extraHeaders).filter((v) => v.length >= 8)];
  const headers = buildHeaders(extraHeaders, apiKey);
  const quirksByModel = new Map<string, WireQuirks>();

  /** One HTTP attempt: the parsed JSON body of a 2xx, or a typed failure. */
  const postOnce = (path: string, payload: string): Effect.Effect<unknown, CallFailure> => {
    const operation = `POST ${path}`;
    if (Result.isFailure(base)) return Effect.fail({ error: base.failure });
    if (Result.isFailure(headers)) return Effect.fail({ error: headers.failure });
    return Effect.tryPromise({
      try: async (signal) => {
        const response = await fetchFn(`${base.success}${path}`, { method: "POST", headers: headers.success, body: payload, signal });
        return { status: response.status, headers: response.headers, text: await response.text() };
      },
      catch: (e): CallFailure =>
        failure("unavailable", `${operation} could not reach the server: ${redactSecrets(e instanceof Error ? e.message : String(e), secrets)}${causeCode(e)}`, true)
    }).pipe(
      Effect.timeoutOrElse({
        duration: timeoutMs,
        orElse: () => Effect.fail(failure("timeout", `${operation} got no complete answer within ${timeoutMs} ms`, true))
      }),
      Effect.flatMap((answer): Effect.Effect<unknown, CallFailure> => {
        if (answer.status < 200 || answer.status > 299)
          return Effect.fail({
            ...describeHttpFailure(operation, answer.status, answer.text, answer.headers, secrets),
            http: { status: answer.status, body: answer.text }
          });
        try {
          return Effect.succeed(JSON.parse(answer.text));
        } catch {
          return Effect.fail(failure("bad_response", `${operation} answered HTTP ${answer.status} with a body that is not JSON: ${JSON.stringify(redactSecrets(answer.text.slice(0, 120), secrets))}`, false));
        }
      })
    );
  };

  const backoff = (attempt: number) => {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };

  /** Retries throttling and unavailability with bounded backoff, honouring the server's `retry-after`. */
  const post = (path: string, payload: string): Effect.Effect<unknown, CallFailure> => {
    const loop = (attempt: number): Effect.Effect<unknown, CallFailure> =>
      postOnce(path, payload).pipe(
        Effect.catch((f: CallFailure): Effect.Effect<unknown, CallFailure> => {
          const transient = f.error.retryable && (f.error.reason === "throttled" || f.error.reason === "unavailable");
          if (!transient || attempt >= retries) return Effect.fail(f);
          const wait = f.retryAfterMs ?? backoff(attempt);
          if (wait > maxDelayMs) {
            const detail = `${f.error.detail} (the server asked to wait ${Math.ceil(wait / 1000)} s, longer than the ${Math.ceil(maxDelayMs / 1000)} s allowed)`;
            return Effect.fail({ ...f, error: new ModelError({ provider: PROVIDER, reason: f.error.reason, detail, retryable: true }) });
          }
          return Effect.sleep(wait).pipe(Effect.andThen(loop(attempt + 1)));
        })
      );
    return loop(0);
  };

  const serialise = (operation: string, body: unknown): Result.Result<string, ModelError> => {
    try {
      return Result.succeed(JSON.stringify(body));
    } catch (e) {
      return Result.fail(
        new ModelError({
          provider: PROVIDER,
          reason: "invalid_request",
          detail: `${operation}: the request is not JSON-serialisable (${e instanceof Error ? e.message : String(e)})`,
          retryable: false
        })
      );
    }
  };

  const converseWith = (request: ConverseRequest, modelId: string, quirks: WireQuirks): Effect.Effect<ConverseResponse, CallFailure> =>
    Effect.suspend(() => {
      const encoded = encodeChatRequest(request, { modelId, quirks });
      if (Result.isFailure(encoded)) return Effect.fail({ error: encoded.failure });
      const payload = serialise("POST /chat/completions", encoded.success);
      if (Result.isFailure(payload)) return Effect.fail({ error: payload.failure });
      return post("/chat/completions", payload.success).pipe(
        Effect.flatMap((body) =>
          Effect.fromResult(decodeChatResponse(body, { requestedModel: modelId, structured: request.responseSchema !== undefined })).pipe(
            Effect.mapError((error): CallFailure => ({ error }))
          )
        )
      );
    });

  const remember = (modelId: string, quirks: WireQuirks) => {
    if (!quirksByModel.has(modelId) && quirksByModel.size >= MAX_REMEMBERED_MODELS) quirksByModel.delete(quirksByModel.keys().next().value ?? modelId);
    quirksByModel.set(modelId, quirks);
  };

  const converseAdapting = (request: ConverseRequest, modelId: string, quirks: WireQuirks, adaptations: number): Effect.Effect<ConverseResponse, CallFailure> =>
    converseWith(request, modelId, quirks).pipe(
      Effect.catch((f: CallFailure) => {
        const learnt =
          f.http === undefined || adaptations >= MAX_ADAPTATIONS
            ? undefined
            : learnQuirk(f.http.status, f.http.body, quirks, {
                structured: request.responseSchema !== undefined,
                maxTokens: request.maxTokens !== undefined,
                temperature: request.temperature !== undefined
              });
        if (learnt === undefined) return Effect.fail(f);
        remember(modelId, learnt);
        return converseAdapting(request, modelId, learnt, adaptations + 1);
      })
    );

  return {
    provider: PROVIDER,
    converse: (request) => {
      const modelId = request.modelId ?? options.defaultModelId;
      return converseAdapting(request, modelId, quirksByModel.get(modelId) ?? DEFAULT_QUIRKS, 0).pipe(Effect.mapError((f) => f.error));
    },
    embed: (request) => {
      const modelId = request.modelId ?? options.embeddingModelId ?? options.defaultModelId;
      if (request.texts.length === 0) return Effect.succeed<EmbedResponse>({ modelId, vectors: [], usage: { inputTokens: 0, outputTokens: 0 } });
      const payload = serialise("POST /embeddings", { model: modelId, input: request.texts });
      if (Result.isFailure(payload)) return Effect.fail(payload.failure);
      return post("/embeddings", payload.success).pipe(
        Effect.mapError((f) => f.error),
        Effect.flatMap((body) => Effect.fromResult(decodeEmbeddingsResponse(body, { requestedModel: modelId, expected: request.texts.length })))
      );
    }
  };
};
