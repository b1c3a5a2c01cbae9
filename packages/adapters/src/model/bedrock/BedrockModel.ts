import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  InvokeModelCommand
} from "@aws-sdk/client-bedrock-runtime";
import type { ConverseResponse, EmbedResponse, ModelErrorReason, ModelPortShape } from "@sre-on-call/core";
import { ModelError } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { type BedrockFailure, describeBedrockError } from "./describeBedrockError.js";
import { fromConverseOutput } from "./fromConverseOutput.js";
import {
  DEFAULT_EMBEDDING_MODEL_ID,
  decodeTitanEmbedding,
  isTitanEmbeddingModel,
  type TitanDimensions,
  titanRequestBody
} from "./titanEmbedding.js";
import { type BedrockGuardrail, toConverseInput } from "./toConverseInput.js";

const PROVIDER = "bedrock";

/** The subset of a pino logger this adapter writes to. Prompts and credentials never reach it. */
export interface BedrockModelLogger {
  readonly warn: (fields: Record<string, unknown>, message: string) => void;
  readonly debug: (fields: Record<string, unknown>, message: string) => void;
}

export interface BedrockRetryPolicy {
  /** Retries after the first attempt, for throttling and unavailability only. */
  readonly maxRetries: number;
  /** Delay before the first retry; doubled each time, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BEDROCK_RETRY: BedrockRetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

export interface BedrockModelOptions {
  /** A ready client. When given, region, endpoint and credentials are ignored and its own retry settings stay. */
  readonly client?: BedrockRuntimeClient;
  /** Default: the SDK's region chain (AWS_REGION, profile). */
  readonly region?: string;
  /** Service endpoint override, e.g. a VPC endpoint or the fake server in tests. */
  readonly endpoint?: string;
  /** Default: the SDK's credential chain. Static keys are also cut out of any error text. */
  readonly credentials?: BedrockRuntimeClientConfig["credentials"];
  /** Model id or inference profile used when a request names none. */
  readonly defaultModelId: string;
  /** Default `amazon.titan-embed-text-v2:0`. */
  readonly embeddingModelId?: string;
  /** Titan V2 output size; default the model's own (1024). */
  readonly embeddingDimensions?: TitanDimensions;
  /** Titan embeds one text per call; at most this many calls run at once. Default 4. */
  readonly embedConcurrency?: number;
  readonly guardrail?: BedrockGuardrail;
  readonly retry?: Partial<BedrockRetryPolicy>;
  /** Per attempt. Default 120 s for converse, 30 s per embedding. */
  readonly timeoutMs?: { readonly converse?: number; readonly embed?: number };
  readonly logger?: BedrockModelLogger;
}

/** Failures worth waiting out here; a timeout is left to the caller, who knows its own deadline. */
const RETRIED: ReadonlySet<ModelErrorReason> = new Set(["throttled", "unavailable"]);

const staticSecrets = (credentials: BedrockModelOptions["credentials"]): ReadonlyArray<string> => {
  if (credentials === undefined || typeof credentials === "function") return [];
  return [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken ?? ""].filter((s) => s !== "");
};

/**
 * The ModelPort on Amazon Bedrock: chat through the Converse API, embeddings through Titan
 * with InvokeModel. The SDK's own retries are turned off on a client made here so this
 * adapter owns the policy: throttling and unavailability back off exponentially with jitter
 * (bounded), anything else fails at once as a typed `ModelError`.
 */
export const makeBedrockModel = (options: BedrockModelOptions): ModelPortShape => {
  const policy: BedrockRetryPolicy = { ...DEFAULT_BEDROCK_RETRY, ...options.retry };
  const logger = options.logger;
  const secrets = staticSecrets(options.credentials);
  const client =
    options.client ??
    new BedrockRuntimeClient({
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      maxAttempts: 1
    });
  const embeddingModelId = options.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID;
  const embedConcurrency = Math.max(1, Math.floor(options.embedConcurrency ?? 4));
  const converseTimeoutMs = options.timeoutMs?.converse ?? 120_000;
  const embedTimeoutMs = options.timeoutMs?.embed ?? 30_000;

  const modelError = (operation: string, modelId: string, f: BedrockFailure) =>
    new ModelError({ provider: PROVIDER, reason: f.reason, detail: `${operation} on ${modelId}: ${f.detail}`, retryable: f.retryable });

  const delayBefore = (retry: number): number => {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  };

  /** One SDK call with a per-attempt timeout and the retry policy, failing as a ModelError. */
  const send = <A>(
    operation: string,
    callSite: string,
    modelId: string,
    timeoutMs: number,
    run: (signal: AbortSignal) => Promise<A>
  ): Effect.Effect<A, ModelError> => {
    const once = Effect.tryPromise({ try: run, catch: (e) => describeBedrockError(e, secrets) }).pipe(
      Effect.timeoutOrElse({
        duration: `${timeoutMs} millis`,
        orElse: () => Effect.fail<BedrockFailure>({ reason: "timeout", detail: `no answer within ${timeoutMs} ms`, retryable: true })
      })
    );
    const attempt = (retry: number): Effect.Effect<A, BedrockFailure> =>
      once.pipe(
        Effect.catch((failure) => {
          if (!RETRIED.has(failure.reason)) return Effect.fail(failure);
          if (retry >= policy.maxRetries) {
            return Effect.fail({ ...failure, detail: retry === 0 ? failure.detail : `${failure.detail} (gave up after ${retry} retries)` });
          }
          const delayMs = delayBefore(retry);
          logger?.warn({ operation, callSite, modelId, retry: retry + 1, of: policy.maxRetries, delayMs, reason: failure.reason }, "Bedrock call failed; retrying");
          return Effect.sleep(`${delayMs} millis`).pipe(Effect.andThen(attempt(retry + 1)));
        })
      );
    return attempt(0).pipe(Effect.mapError((f) => modelError(operation, modelId, f)));
  };

  const converse: ModelPortShape["converse"] = (request) =>
    Effect.suspend((): Effect.Effect<ConverseResponse, ModelError> => {
      const mapped = toConverseInput(request, {
        modelId: options.defaultModelId,
        ...(options.guardrail !== undefined ? { guardrail: options.guardrail } : {})
      });
      if (Result.isFailure(mapped)) {
        return Effect.fail(new ModelError({ provider: PROVIDER, reason: "invalid_request", detail: mapped.failure, retryable: false }));
      }
      const { input, structuredTool } = mapped.success;
      const modelId = input.modelId ?? options.defaultModelId;
      return send("converse", request.callSite, modelId, converseTimeoutMs, (signal) =>
        client.send(new ConverseCommand(input), { abortSignal: signal })
      ).pipe(
        Effect.flatMap((output) => {
          const response = fromConverseOutput(output, modelId, structuredTool);
          if (Result.isFailure(response)) return Effect.fail(modelError("converse", modelId, { reason: "bad_response", detail: response.failure, retryable: false }));
          const r = response.success;
          if (r.stopReason === "guardrail") logger?.warn({ callSite: request.callSite, modelId }, "Bedrock guardrail intervened");
          logger?.debug(
            { operation: "converse", callSite: request.callSite, modelId, stopReason: r.stopReason, ...r.usage, latencyMs: output.metrics?.latencyMs },
            "Bedrock converse done"
          );
          return Effect.succeed(r);
        })
      );
    });

  const embed: ModelPortShape["embed"] = (request) =>
    Effect.suspend((): Effect.Effect<EmbedResponse, ModelError> => {
      const modelId = request.modelId ?? embeddingModelId;
      const fail = (reason: ModelErrorReason, detail: string) =>
        Effect.fail(new ModelError({ provider: PROVIDER, reason, detail: `embed on ${modelId}: ${detail}`, retryable: false }));
      if (!isTitanEmbeddingModel(modelId)) return fail("unsupported", "only Amazon Titan text embedding models are supported");
      const blank = request.texts.findIndex((t) => t.trim() === "");
      if (blank >= 0) return fail("invalid_request", `texts[${blank}] is empty; Titan rejects empty input`);
      const dimensions = options.embeddingDimensions;
      const one = (text: string) =>
        send("embed", request.callSite, modelId, embedTimeoutMs, (signal) =>
          client.send(
            new InvokeModelCommand({ modelId, contentType: "application/json", accept: "application/json", body: titanRequestBody(modelId, text, dimensions) }),
            { abortSignal: signal }
          )
        ).pipe(
          Effect.flatMap((out) => {
            const decoded = decodeTitanEmbedding(out.body, dimensions);
            return Result.isFailure(decoded)
              ? Effect.fail(modelError("embed", modelId, { reason: "bad_response", detail: decoded.failure, retryable: false }))
              : Effect.succeed(decoded.success);
          })
        );
      return Effect.forEach(request.texts, one, { concurrency: embedConcurrency }).pipe(
        Effect.map((embeddings) => ({
          modelId,
          vectors: embeddings.map((e) => e.vector),
          usage: { inputTokens: embeddings.reduce((n, e) => n + e.inputTokens, 0), outputTokens: 0 }
        }))
      );
    });

  return { provider: PROVIDER, converse, embed };
};
