import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeSigV4Signer } from "./signSigV4.js";

/* Vectors from the AWS SigV4 test suite (service `service`, us-east-1, 2015-08-30T12:36:00Z). */
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const signer = (extra: { applyChecksum?: boolean } = { applyChecksum: false }) =>
  makeSigV4Signer({ region: "us-east-1", service: "service", credentials: () => Promise.resolve(credentials), now: () => new Date("2015-08-30T12:36:00Z"), ...extra });

describe("makeSigV4Signer", () => {
  it("signs the suite's get-vanilla request", async () => {
    const headers = await signer()({ method: "GET", url: new URL("https://example.amazonaws.com/"), headers: {}, body: undefined });
    expect(headers["authorization"]).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
    expect(headers["x-amz-date"]).toBe("20150830T123600Z");
  });

  it("signs the suite's get-vanilla-query-order-key-case request (query sorted)", async () => {
    const headers = await signer()({ method: "GET", url: new URL("https://example.amazonaws.com/?Param2=value2&Param1=value1"), headers: {}, body: undefined });
    expect(headers["authorization"]).toContain("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  });

  it("signs the suite's post-vanilla request", async () => {
    const headers = await signer()({ method: "POST", url: new URL("https://example.amazonaws.com/"), headers: {}, body: undefined });
    expect(headers["authorization"]).toContain("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  });

  it("adds the payload hash and session token, and signs them, by default", async () => {
    const sign = makeSigV4Signer({ region: "eu-west-1", service: "bedrock-agentcore", credentials: () => Promise.resolve({ ...credentials, sessionToken: "token-1" }) });
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    const headers = await sign({ method: "POST", url: new URL("https://gw.example.com/mcp"), headers: { "content-type": "application/json", "user-agent": "x", authorization: "Bearer stale" }, body });
    expect(headers["x-amz-content-sha256"]).toBe(createHash("sha256").update(body).digest("hex"));
    expect(headers["x-amz-security-token"]).toBe("token-1");
    expect(headers["user-agent"]).toBe("x");
    expect(headers["authorization"]).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock-agentcore\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/
    );
  });

  it("changes the signature when the body changes", async () => {
    const sign = signer({ applyChecksum: true });
    const a = await sign({ method: "POST", url: new URL("https://gw.example.com/mcp"), headers: {}, body: "a" });
    const b = await sign({ method: "POST", url: new URL("https://gw.example.com/mcp"), headers: {}, body: "b" });
    expect(a["authorization"]).not.toBe(b["authorization"]);
  });
});
