import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

export type AwsCredentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

export interface EksTokenRequest {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** When the token is signed (default now); tests pin it. */
  readonly signingDate?: Date;
}

export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
/** What `aws eks get-token` uses: the presigned URL must be used within a minute. */
const PRESIGN_EXPIRY_SECONDS = 60;

/**
 * The bearer token EKS accepts (what `aws eks get-token` prints), made without the aws CLI:
 * an STS GetCallerIdentity URL presigned with SigV4, with the cluster name as the signed
 * `x-k8s-aws-id` header, base64url-encoded without padding behind `k8s-aws-v1.`. The API server
 * replays the URL against STS to learn the caller's IAM identity.
 */
export const makeEksBearerToken = async (request: EksTokenRequest): Promise<string> => {
  const hostname = `sts.${request.region}.amazonaws.com`;
  const signer = new SignatureV4({ credentials: request.credentials, region: request.region, service: "sts", sha256: Hash.bind(null, "sha256") });
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname, "x-k8s-aws-id": request.clusterName }
    },
    { expiresIn: PRESIGN_EXPIRY_SECONDS, ...(request.signingDate !== undefined ? { signingDate: request.signingDate } : {}) }
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([k, v]) => (v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)))
    .join("&");
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url");
};
