/** Which store a request went to, named in every reason so an operator knows where to look. */
export interface AwsResource {
  readonly kind: "DynamoDB table" | "S3 bucket";
  readonly name: string;
}

const THROTTLED = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "SlowDown",
  "KMS.ThrottlingException"
]);
const UNAVAILABLE = new Set([
  "InternalServerError",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException"
]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException"
]);
const KMS_UNUSABLE = new Set(["KMS.AccessDeniedException", "KMS.DisabledException", "KMS.NotFoundException", "KMS.KMSInvalidStateException", "KMS.InvalidKeyUsageException"]);
const MISSING = new Set(["ResourceNotFoundException", "NoSuchBucket"]);

/**
 * Anything credential-like an SDK message might echo (a presigned URL, an authorization header,
 * an access key id) is cut out before the text leaves the adapter.
 */
export const redactCredentials = (text: string): string =>
  text
    .replace(/\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, "[redacted]")
    .replace(/(X-Amz-(?:Credential|Signature|Security-Token)=)[^&\s"']+/gi, "$1[redacted]")
    .replace(/((?:Credential|Signature|SignedHeaders)=)[^,\s"']+/g, "$1[redacted]")
    .replace(/((?:aws_?secret_?access_?key|secretAccessKey|sessionToken|x-amz-security-token)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1[redacted]");

const field = (e: object, name: string): unknown => (name in e ? (e as Record<string, unknown>)[name] : undefined);

const MAX_MESSAGE_CHARS = 300;

/**
 * A readable reason for what the AWS SDK threw: missing table or bucket, access denied,
 * throttling and unavailability (both retryable, said so), or the service's own name and
 * message. Only the error's name and message are used, never the request, and those are
 * redacted.
 */
export const describeAwsMemoryError = (resource: AwsResource, e: unknown): string => {
  const where = `${resource.kind} "${resource.name}"`;
  if (typeof e !== "object" || e === null) return `${where}: ${redactCredentials(String(e))}`;
  const name = String(field(e, "name") ?? "Error");
  const raw = String(field(e, "message") ?? "");
  const message = redactCredentials(raw.length > MAX_MESSAGE_CHARS ? `${raw.slice(0, MAX_MESSAGE_CHARS)}…` : raw);
  const code = field(e, "code");
  const metadata = field(e, "$metadata");
  const status = typeof metadata === "object" && metadata !== null ? field(metadata, "httpStatusCode") : undefined;
  const detail = message === "" || message === name ? name : `${name}: ${message}`;
  if (MISSING.has(name) || (resource.kind === "S3 bucket" && name === "NotFound" && status === 404)) {
    return `${where} not found (create it, or check the name and region): ${detail}`;
  }
  if (KMS_UNUSABLE.has(name)) return `the KMS key for ${where} cannot be used (check kmsKeyId and the key policy): ${detail}`;
  if (ACCESS_DENIED.has(name) || status === 403) return `access denied to ${where} (check the IAM policy, bucket policy or KMS key policy): ${detail}`;
  if (THROTTLED.has(name) || status === 429) return `throttled (retryable) by ${where}: ${detail}`;
  if (UNAVAILABLE.has(name) || (typeof status === "number" && status >= 500) || (typeof code === "string" && NETWORK.has(code))) {
    return `unavailable (retryable): ${where}: ${detail}`;
  }
  return `${where}: ${detail}`;
};
