import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { KubeConfig } from "@kubernetes/client-node";
import { Effect } from "effect";
import { ClusterSourceError, type ClusterSourceFailure } from "../ClusterSource.js";
import { type AwsCredentials, makeEksBearerToken } from "./makeEksBearerToken.js";

export interface EksClusterOptions {
  readonly clusterName: string;
  readonly region: string;
  /** The EKS client for DescribeCluster (default: one for `region` with the default credential chain). */
  readonly client?: EKSClient;
  /** Credentials the token is signed with (default: the Node default credential chain). */
  readonly credentials?: AwsCredentials;
  /** How long a token is reused before a new one is signed (default 10 min; EKS accepts one for 15). */
  readonly tokenLifetimeMs?: number;
}

const AUTH_PROVIDER = "sre-on-call-eks";
const DEFAULT_TOKEN_LIFETIME_MS = 10 * 60_000;

const describeAwsError = (e: unknown): { reason: ClusterSourceFailure; detail: string } => {
  const name = typeof e === "object" && e !== null ? String((e as { name?: unknown }).name ?? "Error") : "Error";
  const detail = `${name}: ${e instanceof Error ? e.message : String(e)}`;
  if (name === "ResourceNotFoundException") return { reason: "not-found", detail };
  if (name === "AccessDeniedException" || name === "UnrecognizedClientException" || name === "ExpiredTokenException") return { reason: "forbidden", detail };
  if (name === "CredentialsProviderError") return { reason: "unauthorized", detail };
  if (name === "TimeoutError") return { reason: "timeout", detail };
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return { reason: "unreachable", detail };
  return { reason: "failed", detail };
};

/**
 * A client-node configuration for an EKS cluster, without the aws CLI: DescribeCluster gives the
 * endpoint and CA; each request carries an IAM bearer token, re-signed before it expires.
 */
export const kubeConfigForEks = (options: EksClusterOptions): Effect.Effect<KubeConfig, ClusterSourceError> =>
  Effect.gen(function* () {
    const client = options.client ?? new EKSClient({ region: options.region });
    const operation = `describe EKS cluster ${options.clusterName} in ${options.region}`;
    const described = yield* Effect.tryPromise({
      try: (signal) => client.send(new DescribeClusterCommand({ name: options.clusterName }), { abortSignal: signal }),
      catch: (e) => new ClusterSourceError({ operation, ...describeAwsError(e) })
    });
    const endpoint = described.cluster?.endpoint;
    if (endpoint === undefined || endpoint === "") {
      return yield* Effect.fail(new ClusterSourceError({ reason: "not-found", operation, detail: `cluster is ${described.cluster?.status ?? "unknown"} and has no endpoint yet` }));
    }
    const credentials = options.credentials ?? defaultProvider();
    const lifetime = options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    let cached: { readonly token: string; readonly signedAt: number } | undefined;
    const token = async () => {
      if (cached === undefined || Date.now() - cached.signedAt > lifetime) {
        const signedAt = Date.now();
        cached = { token: await makeEksBearerToken({ clusterName: options.clusterName, region: options.region, credentials }), signedAt };
      }
      return cached.token;
    };

    const kc = new KubeConfig();
    const name = `eks-${options.region}-${options.clusterName}`;
    const caData = described.cluster?.certificateAuthority?.data;
    kc.loadFromOptions({
      clusters: [{ name, server: endpoint, skipTLSVerify: false, ...(caData !== undefined ? { caData } : {}) }],
      users: [{ name, authProvider: { name: AUTH_PROVIDER } }],
      contexts: [{ name, cluster: name, user: name }],
      currentContext: name
    });
    kc.addAuthenticator({
      isAuthProvider: (user) => (user.authProvider as { name?: unknown } | undefined)?.name === AUTH_PROVIDER,
      applyAuthentication: async (_user, requestOptions) => {
        requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${await token()}` };
      }
    });
    return kc;
  });
