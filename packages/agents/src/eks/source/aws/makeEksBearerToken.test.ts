import { describe, expect, it } from "vitest";
import { EKS_TOKEN_PREFIX, makeEksBearerToken } from "./makeEksBearerToken.js";

describe("EKS bearer token", () => {
  it("is a presigned STS GetCallerIdentity URL bound to the cluster name, as aws eks get-token makes it", async () => {
    const token = await makeEksBearerToken({
      clusterName: "prod-eu-1",
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session-token" },
      signingDate: new Date("2026-03-12T14:20:00Z")
    });
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).not.toMatch(/[=+/]/);
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString("utf8"));
    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("Version")).toBe("2011-06-15");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20260312/eu-west-1/sts/aws4_request");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20260312T142000Z");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("session-token");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    const again = await makeEksBearerToken({ clusterName: "other", region: "eu-west-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session-token" }, signingDate: new Date("2026-03-12T14:20:00Z") });
    expect(again).not.toBe(token);
  });
});
