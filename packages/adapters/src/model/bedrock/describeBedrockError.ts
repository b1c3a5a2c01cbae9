import type { ModelErrorReason } from "@sre-on-call/core";

export interface BedrockFailure {
  readonly reason: ModelErrorReason;
  /** Error name and message, scrubbed of anything credential-like and cut short. */
  readonly detail: string;
  readonly retryable: boolean;
}

const THROTTLED = new Set(["ThrottlingException", "TooManyRequestsException", "ServiceQuotaExceededException"]);
/** ModelNotReady comes as a 429 too, but it means a model that is still loading, not a rate limit. */
const UNAVAILABLE = new Set(["ModelNotReadyException", "ServiceUnavailableException", "ServiceUnavailable", "InternalServerException", "InternalFailure", "InternalServerError"]);
const TIMEOUT = new Set(["ModelTimeoutException", "TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]);
const AUTH = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidSignatureException",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "InvalidClientTokenId",
  "CredentialsProviderError"
]);
const INVALID = new Set(["ValidationException", "ResourceNotFoundException", "ConflictException", "SerializationException"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ERR_HTTP2_ERROR", "ERR_HTTP2_STREAM_ERROR", "ERR_HTTP2_SESSION_ERROR"]);

const MAX_DETAIL = 300;

const field = (e: object, name: string): unknown => (name in e ? (e as Record<string, unknown>)[name] : undefined);

/**
 * Cuts credential-shaped text out of a message: AWS access key ids, SigV4 signatures and
 * credential scopes, bearer tokens, and any of the given secrets verbatim.
 */
export const scrubSecrets = (text: string, secrets: ReadonlyArray<string> = []): string => {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out
    .replace(/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, "[redacted]")
    .replace(/(Credential=)[^,\s]+/gi, "$1[redacted]")
    .replace(/(Signature=)[0-9a-f]+/gi, "$1[redacted]")
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]");
};

const clip = (text: string): string => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text);

/**
 * Classifies what the AWS SDK threw into the port's error reasons. Guardrail trouble (an
 * unknown guardrail id or version) gets its own reason so the operator looks at the
 * guardrail configuration rather than at the prompt.
 */
export const describeBedrockError = (e: unknown, secrets: ReadonlyArray<string> = []): BedrockFailure => {
  if (typeof e !== "object" || e === null) return { reason: "unavailable", detail: clip(scrubSecrets(String(e), secrets)), retryable: false };
  const name = String(field(e, "name") ?? "Error");
  const message = String(field(e, "message") ?? "");
  const code = field(e, "code");
  const metadata = field(e, "$metadata");
  const status = typeof metadata === "object" && metadata !== null ? field(metadata, "httpStatusCode") : undefined;
  const detail = clip(scrubSecrets(message === "" ? name : `${name}: ${message}`, secrets));
  const failure = (reason: ModelErrorReason, retryable: boolean): BedrockFailure => ({ reason, detail, retryable });

  if (THROTTLED.has(name)) return failure("throttled", true);
  if (UNAVAILABLE.has(name)) return failure("unavailable", true);
  if (status === 429) return failure("throttled", true);
  if (TIMEOUT.has(name)) return failure("timeout", true);
  if (AUTH.has(name) || status === 401 || status === 403) return failure("auth", false);
  if ((INVALID.has(name) || status === 400 || status === 404) && /guardrail/i.test(message)) return failure("guardrail", false);
  if (INVALID.has(name) && /(?:doesn't|does not|don't) support|not supported|unsupported/i.test(message)) return failure("unsupported", false);
  if (INVALID.has(name) || status === 400 || status === 404 || status === 413) return failure("invalid_request", false);
  if (name === "ModelErrorException") return failure("bad_response", false);
  if ((typeof status === "number" && status >= 500) || (typeof code === "string" && NETWORK.has(code))) {
    return failure("unavailable", true);
  }
  if (status === 200 || /deserializ|parse|unexpected token/i.test(message)) return failure("bad_response", false);
  return failure("unavailable", false);
};
