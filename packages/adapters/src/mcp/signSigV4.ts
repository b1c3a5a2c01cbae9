import { createHash, createHmac } from "node:crypto";

/*
 * AWS Signature Version 4 for the requests of an MCP client (an AgentCore gateway with IAM
 * auth). Written against node:crypto because the adapters package has no @smithy/signature-v4;
 * the output is the same as that signer's (checked against the AWS test suite's vectors), and
 * `connectMcpServers` takes any `SignRequest`, so the composition root can swap in smithy's.
 */

/** The shape of the AWS SDK's `AwsCredentialIdentity`, so `fromNodeProviderChain()` fits. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface RequestToSign {
  readonly method: string;
  readonly url: URL;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/** The headers to send instead of `request.headers` (the originals plus the signature's). */
export type SignRequest = (request: RequestToSign) => Promise<Record<string, string>>;

export interface SigV4Options {
  readonly region: string;
  readonly service: string;
  readonly credentials: () => Promise<AwsCredentials>;
  /** Adds `x-amz-content-sha256`, as the SDK's signer does by default. Default true. */
  readonly applyChecksum?: boolean;
  /** Signing time; default now. */
  readonly now?: () => Date;
}

/** Headers a proxy may rewrite, so they are sent but never signed (the SDK's list). */
const UNSIGNED = new Set(["authorization", "cache-control", "connection", "expect", "from", "keep-alive", "max-forwards", "pragma", "referer", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"]);

const sha256Hex = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const canonicalPath = (url: URL): string => (url.pathname === "" ? "/" : rfc3986(url.pathname).replace(/%2F/g, "/"));

const canonicalQuery = (url: URL): string =>
  [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");

/** `20150830T123600Z` */
const amzDate = (date: Date): string => date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export const makeSigV4Signer =
  (options: SigV4Options): SignRequest =>
  async (request) => {
    const credentials = await options.credentials();
    const stamp = amzDate((options.now ?? (() => new Date()))());
    const day = stamp.slice(0, 8);
    const payloadHash = sha256Hex(request.body ?? "");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    headers["host"] = request.url.host;
    headers["x-amz-date"] = stamp;
    if (credentials.sessionToken !== undefined && credentials.sessionToken !== "") headers["x-amz-security-token"] = credentials.sessionToken;
    if (options.applyChecksum ?? true) headers["x-amz-content-sha256"] = payloadHash;
    delete headers["authorization"];

    const signed = Object.keys(headers)
      .filter((name) => !UNSIGNED.has(name))
      .sort();
    const canonicalHeaders = signed.map((name) => `${name}:${(headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
    const signedHeaders = signed.join(";");
    const canonicalRequest = [request.method.toUpperCase(), canonicalPath(request.url), canonicalQuery(request.url), canonicalHeaders, signedHeaders, payloadHash].join("\n");
    const scope = `${day}/${options.region}/${options.service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(canonicalRequest)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), options.region), options.service), "aws4_request");
    const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
    headers["authorization"] = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
