import { describe, expect, it } from "vitest";
import { describeBedrockError, scrubSecrets } from "./describeBedrockError.js";

const sdkError = (name: string, message: string, status?: number): Error =>
  Object.assign(new Error(message), { name, ...(status !== undefined ? { $metadata: { httpStatusCode: status } } : {}) });

describe("describeBedrockError", () => {
  it.each([
    ["ThrottlingException", 429, "throttled", true],
    ["ServiceQuotaExceededException", 400, "throttled", true],
    ["ModelNotReadyException", 429, "unavailable", true],
    ["ServiceUnavailableException", 503, "unavailable", true],
    ["InternalServerException", 500, "unavailable", true],
    ["ModelTimeoutException", 408, "timeout", true],
    ["AccessDeniedException", 403, "auth", false],
    ["UnrecognizedClientException", 403, "auth", false],
    ["ExpiredTokenException", 403, "auth", false],
    ["CredentialsProviderError", undefined, "auth", false],
    ["ValidationException", 400, "invalid_request", false],
    ["ResourceNotFoundException", 404, "invalid_request", false],
    ["ModelErrorException", 424, "bad_response", false],
    ["SomethingNew", 502, "unavailable", true],
    ["SomethingNew", 429, "throttled", true]
  ] as const)("%s (HTTP %s) is %s, retryable %s", (name, status, reason, retryable) => {
    expect(describeBedrockError(sdkError(name, "m", status))).toMatchObject({ reason, retryable });
  });

  it("tells guardrail and unsupported-feature validation errors apart from other bad requests", () => {
    expect(describeBedrockError(sdkError("ValidationException", "The guardrail identifier or version provided in the request does not exist.", 400)).reason).toBe("guardrail");
    expect(describeBedrockError(sdkError("ValidationException", "This model doesn't support tool use.", 400)).reason).toBe("unsupported");
  });

  it("treats network failures as unavailable and retryable", () => {
    expect(describeBedrockError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).toMatchObject({ reason: "unavailable", retryable: true });
  });

  it("copes with anything thrown", () => {
    expect(describeBedrockError("boom")).toMatchObject({ reason: "unavailable", detail: "boom" });
    expect(describeBedrockError(null).reason).toBe("unavailable");
  });

  it("keeps the detail short and free of credentials", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const e = describeBedrockError(
      sdkError("UnrecognizedClientException", `bad Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/bedrock/aws4_request, Signature=abcdef0123 ${secret} ${"x".repeat(500)}`, 403),
      [secret]
    );
    expect(e.detail).not.toMatch(/AKIAIOSFODNN7EXAMPLE|abcdef0123|wJalrXUtnFEMI/);
    expect(e.detail.length).toBeLessThanOrEqual(301);
  });
});

describe("scrubSecrets", () => {
  it("removes access key ids, bearer tokens and given secrets", () => {
    expect(scrubSecrets("key ASIAABCDEFGHIJKLMNOP and Bearer abc.def-ghi, token s3cr3t-token", ["s3cr3t-token"])).toBe(
      "key [redacted] and Bearer [redacted], token [redacted]"
    );
  });
});
