const THROTTLED = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"]);
const UNAVAILABLE = new Set(["InternalServerError", "ServiceUnavailable", "ServiceUnavailableException", "TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

export interface DynamoFailure {
  /** True when the same request may succeed later: throttling, a 5xx, a network failure. */
  readonly retryable: boolean;
  /** What to put in the port error's reason; retryable failures say so. */
  readonly reason: string;
}

const field = (e: object, name: string): unknown => (name in e ? (e as Record<string, unknown>)[name] : undefined);

/**
 * Classifies what the AWS SDK threw. The SDK has already retried within its own budget by the
 * time this sees a throttle, so the caller decides whether to try again later.
 */
export const describeDynamoError = (e: unknown): DynamoFailure => {
  if (typeof e !== "object" || e === null) return { retryable: false, reason: String(e) };
  const name = String(field(e, "name") ?? "Error");
  const message = String(field(e, "message") ?? "");
  const code = field(e, "code");
  const metadata = field(e, "$metadata");
  const status = typeof metadata === "object" && metadata !== null ? field(metadata, "httpStatusCode") : undefined;
  if (THROTTLED.has(name)) return { retryable: true, reason: `throttled (retryable): ${name}: ${message}` };
  if (UNAVAILABLE.has(name) || (typeof status === "number" && status >= 500) || (typeof code === "string" && NETWORK.has(code))) {
    return { retryable: true, reason: `unavailable (retryable): ${name}: ${message}` };
  }
  if (name === "ResourceNotFoundException") return { retryable: false, reason: `table not found: ${message}` };
  return { retryable: false, reason: `${name}: ${message}` };
};
