import { LogSourceError, type LogSourceFailure } from "./LogSource.js";

const BY_NAME: Readonly<Record<string, LogSourceFailure>> = {
  AccessDeniedException: "access-denied",
  AccessDenied: "access-denied",
  UnauthorizedOperation: "access-denied",
  UnrecognizedClientException: "access-denied",
  InvalidSignatureException: "access-denied",
  ExpiredTokenException: "access-denied",
  CredentialsProviderError: "access-denied",
  ThrottlingException: "throttled",
  Throttling: "throttled",
  TooManyRequestsException: "throttled",
  RequestLimitExceeded: "throttled",
  LimitExceededException: "throttled",
  ResourceNotFoundException: "not-found",
  UnknownOperationException: "unavailable",
  UnsupportedOperationException: "unavailable",
  NotImplemented: "unavailable",
  MalformedQueryException: "invalid",
  InvalidParameterException: "invalid",
  ValidationException: "invalid",
  SerializationException: "invalid",
  ServiceUnavailableException: "failed",
  AbortError: "timeout",
  TimeoutError: "timeout"
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

const field = (e: unknown, key: string): unknown => (typeof e === "object" && e !== null ? (e as Record<string, unknown>)[key] : undefined);

/** AWS error messages are safe to show (no credentials), but can be long; keep the first line. */
const firstLine = (s: string) => (s.split("\n")[0] ?? "").slice(0, 300);

/** What a failed AWS SDK call means, as the source's error. Never includes credentials. */
export const describeAwsError = (operation: string, e: unknown): LogSourceError => {
  const name = String(field(e, "name") ?? field(e, "Code") ?? "");
  const code = String(field(e, "code") ?? field(field(e, "cause"), "code") ?? "");
  const status = field(field(e, "$metadata"), "httpStatusCode");
  const message = e instanceof Error ? e.message : String(e);
  const known = BY_NAME[name];
  const reason: LogSourceFailure =
    known ??
    (NETWORK_CODES.has(code) || /ECONNREFUSED|ENOTFOUND|socket hang up/.test(message)
      ? "unreachable"
      : status === 403
        ? "access-denied"
        : status === 429
          ? "throttled"
          : status === 400 && /UnknownOperation|not (?:yet )?implemented|not supported/i.test(message)
            ? "unavailable"
            : "failed");
  const label = name !== "" && name !== "Error" ? `${name}: ` : "";
  return new LogSourceError({ reason, operation, detail: `${label}${firstLine(message) || "no detail"}` });
};
