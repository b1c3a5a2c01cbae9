import { causeText } from "./podFacts.js";

/** An image reference split the way the container runtime resolves it. */
export interface ImageRef {
  /** `docker.io` when the reference names no registry host. */
  readonly registry: string;
  readonly repository: string;
  /** `latest` when neither a tag nor a digest is given: what the runtime pulls. */
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

export const isDockerHub = (host: string): boolean => DOCKER_HUB.has(host.toLowerCase());

export const parseImageRef = (image: string): ImageRef => {
  const trimmed = image.trim();
  const at = trimmed.indexOf("@");
  const digest = at >= 0 ? trimmed.slice(at + 1) : undefined;
  const named = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const slash = named.indexOf("/");
  const first = slash >= 0 ? named.slice(0, slash) : "";
  // Docker's rule: the first component is a registry host when it has a dot or a port, or is localhost.
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasHost ? first : "docker.io";
  const path = hasHost ? named.slice(slash + 1) : named;
  const colon = path.lastIndexOf(":");
  const repository = colon > path.lastIndexOf("/") && colon >= 0 ? path.slice(0, colon) : path;
  const tag = colon > path.lastIndexOf("/") && colon >= 0 ? path.slice(colon + 1) : digest === undefined ? "latest" : undefined;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
};

export type PullFailureKind =
  | "platform"
  | "rate-limited"
  | "tls"
  | "dns"
  | "missing-or-private"
  | "unauthorized"
  | "not-found"
  | "unreachable"
  | "invalid-reference"
  | "unknown";

export interface PullFailure {
  readonly kind: PullFailureKind;
  /** What to put after "Image X cannot be pulled: ": the cause in the registry's or runtime's words. */
  readonly cause: string;
  /** The message names the cause outright (true) or only the symptom or an either/or (false). */
  readonly certain: boolean;
  /** The registry host the failure concerns. */
  readonly registry: string;
  readonly action: string;
}

export interface PullContext {
  readonly image: string;
  /** The node's `kubernetes.io/arch`, when known. */
  readonly nodeArch?: string;
  /** The pod's imagePullSecrets. */
  readonly pullSecrets?: ReadonlyArray<string>;
}

/** The registry host the message talks to (`https://host/v2/…`, `lookup host`), else the image's. */
const hostOf = (message: string, ref: ImageRef): string => {
  // Registry API paths only: messages also carry help links (`https://www.docker.com/increase-rate-limit`).
  const url = /https?:\/\/([^/\s"']+)\/v[12]\//.exec(message)?.[1];
  if (url !== undefined) return url;
  return ref.registry;
};

const hubName = (host: string) => (isDockerHub(host) ? `Docker Hub (${host === "docker.io" ? "docker.io" : `docker.io, ${host}`})` : `registry ${host}`);

/** The tail of the message from `marker` on, cut without losing the end (Go errors keep their cause last). */
const tail = (message: string, marker: RegExp, max = 120): string => {
  const m = marker.exec(message);
  const from = m === null ? message : message.slice(m.index);
  return causeText(from.replace(/,?\s*(?:visit )?https?:\/\/\S+.*$/, "").replace(/["\\]+$/, ""), max);
};

/** Cloud registries that accept the node's cloud identity, and what that identity is. */
const CLOUD_REGISTRY: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/i, "the node's IAM role (ECR pull permissions, e.g. AmazonEC2ContainerRegistryReadOnly)"],
  [/(?:^|\.)gcr\.io$|-docker\.pkg\.dev$/i, "the node VM's service account or its OAuth access scopes (devstorage.read_only for GCR)"],
  [/\.azurecr\.io$/i, "the node pool's managed identity (AcrPull on the registry, az aks update --attach-acr)"]
];

const secretsText = (secrets: ReadonlyArray<string> | undefined) =>
  secrets === undefined || secrets.length === 0 ? "the pod has no imagePullSecrets" : `the pod uses imagePullSecrets ${secrets.join(", ")}`;

/*
 * Each branch was written from kubelet events people pasted (the sources are in the tests):
 * platform (FoundationDB/fdb-kubernetes-operator#2294, k3s-io/k3s#5445, cilium/image-tools#61),
 * rate limits (dell/csi-baremetal#391, red-hat-storage/ocs-ci#4494), TLS (kubernetes/kubernetes#43924,
 * kubernetes/community#760), DNS (rancher-sandbox/rancher-desktop#579, hjacobs/kube-ops-view#176),
 * "repository does not exist or may require 'docker login'" (octarinesec/octarine-operator#15,
 * kubernetes/website#14257), credentials (rancher/rke#167, helm/helm#12189, kubernetes/kubernetes#110678),
 * missing tags (Stirling-Tools/Stirling-PDF#1209, TilBlechschmidt/WebGrid#50).
 */
export const describePullFailure = (message: string, context: PullContext): PullFailure => {
  const ref = parseImageRef(context.image);
  const host = hostOf(message, ref);
  const m = message;
  const platform = /no matching manifest for ([\w/.-]+) in the manifest list entries/i.exec(m)?.[1];
  if (platform !== undefined || /no match for platform in manifest/i.test(m)) {
    const target = platform ?? (context.nodeArch !== undefined ? `linux/${context.nodeArch}` : undefined);
    return {
      kind: "platform",
      cause: `the image has no build for the node's architecture${target !== undefined ? ` ${target}` : ""} (${platform !== undefined ? "no matching manifest" : "no match for platform in manifest"})`,
      certain: true,
      registry: host,
      action: `Use a tag published for ${target ?? "the node's architecture"} (check \`docker manifest inspect ${context.image}\`), or schedule the pod on nodes of an architecture the image supports (nodeSelector kubernetes.io/arch)`
    };
  }
  if (/toomanyrequests|429 Too Many Requests|pull rate limit/i.test(m)) {
    return {
      kind: "rate-limited",
      cause: `${hubName(host)} rate limit reached (429 toomanyrequests)`,
      certain: true,
      registry: host,
      action: isDockerHub(host)
        ? "Authenticate the pulls (imagePullSecrets with a Docker Hub account), or mirror the image to a registry you control (ECR pull-through cache)"
        : `Ask the operator of ${host} about its limits, or mirror the image`
    };
  }
  const x509 = /x509: ([^"\\\n]+)/.exec(m)?.[1]?.trim();
  if (x509 !== undefined) {
    const what = /unknown authority/i.test(x509)
      ? `the node does not trust the TLS certificate of registry ${host}`
      : /expired|not yet valid/i.test(x509)
        ? `the TLS certificate of registry ${host} has expired or is not yet valid`
        : /valid for|doesn't contain any IP SANs|not valid for any names/i.test(x509)
          ? `the TLS certificate of registry ${host} does not match its address`
          : `TLS verification of registry ${host} fails`;
    return {
      kind: "tls",
      cause: `${what} (x509: ${causeText(x509, 80)})`,
      certain: true,
      registry: host,
      action: `Install the CA of ${host} into the container runtime's trust store on every node (e.g. /etc/containerd/certs.d/${host}/ca.crt), or fix the registry's certificate`
    };
  }
  const dns = /lookup ([^\s:]+)(?: on ([^\s:]+(?::\d+)?))?: ([^"\\\n]+)/i.exec(m);
  if (dns !== null) {
    const lookedUp = dns[1] ?? host;
    return {
      kind: "dns",
      cause: `DNS lookup of registry host ${lookedUp} fails on the node (lookup ${lookedUp}${dns[2] !== undefined ? ` on ${dns[2]}` : ""}: ${causeText(dns[3] ?? "", 60)})`,
      certain: true,
      registry: lookedUp,
      action: `Check the node's resolver (/etc/resolv.conf, the VPC or upstream DNS) from the node itself: \`nslookup ${lookedUp}\``
    };
  }
  if (/repository does not exist or may require ['"]?docker login/i.test(m)) {
    return {
      kind: "missing-or-private",
      cause: `repository ${ref.repository} does not exist on ${host} or needs credentials (pull access denied); ${secretsText(context.pullSecrets)}`,
      certain: false,
      registry: host,
      action: `Check the repository name ${ref.repository}; if it is private, give the pod an imagePullSecret for ${host}`
    };
  }
  /*
   * A bare 403 (or `denied`) is not a statement about credentials: registries answer it alike for
   * a private repository pulled without credentials and for a repository or tag that does not
   * exist (k0sproject/k0sctl#981: a misspelt repository, `403 (Forbidden)`; constructorfabric/insight#1878:
   * a tag never pushed, `403 Forbidden` from a mirror; oblien/openship#255 and LeoMartinDev/voy#3:
   * private packages, the same 403). Only a 401 or a request for credentials says which.
   */
  if (/\b403\b|forbidden|\bdenied\b/i.test(m) && !/unauthorized|authentication required|no basic auth credentials|\b401\b/i.test(m)) {
    const what = ref.digest !== undefined ? `digest ${ref.digest}` : `tag ${ref.tag ?? "latest"}`;
    return {
      kind: "missing-or-private",
      cause: `registry ${host} refused the pull (${tail(m, /\b403\b|forbidden|denied/i, 60)}): a private repository pulled without valid credentials and a repository or ${what} that does not exist are both refused this way; ${secretsText(context.pullSecrets)}`,
      certain: false,
      registry: host,
      action: `Check that ${ref.repository}:${ref.tag ?? ref.digest ?? "latest"} exists in ${host} (list its tags, compare with the tags the other workloads use), then the pod's credentials for ${host}`
    };
  }
  /*
   * A refusal of credentials is the symptom: which credentials are wrong is not in the message. A
   * cloud registry (ECR, GCR/Artifact Registry, ACR) authenticates a pod without imagePullSecrets
   * by its node's cloud identity, whose permissions no Kubernetes object shows:
   * kubeflow/kubeflow#1432 (GKE nodes without the devstorage.read_only scope), aws/amazon-vpc-cni-k8s#708
   * (a node role without ECR pull rights), helm/helm#12189 (ACR).
   */
  if (/unauthorized|authentication required|no basic auth credentials|\b401\b|\b403\b|forbidden|denied: requested access|access denied/i.test(m)) {
    const cloud = CLOUD_REGISTRY.find(([pattern]) => pattern.test(host))?.[1];
    const bySecret = (context.pullSecrets ?? []).length > 0;
    /*
     * "no basic auth credentials" (and the old kubelet's "there are no credentials on this request")
     * says the runtime sent none: a registry that asks for them was pulled from by a pod without
     * imagePullSecrets. That is the cause, not an either/or (kubernetes/kubernetes#54850: solved by
     * creating the pull secret; docker/for-mac#3381 and kubernetes/minikube#9161: Nexus registries,
     * pods without imagePullSecrets; distr-sh/distr#1868: a CronJob template without them). With
     * secrets on the pod (kubernetes/kubernetes#95231) the secret does not match the host: still unsure.
     */
    if (!bySecret && cloud === undefined && /no basic auth credentials|no credentials on this request/i.test(m)) {
      return {
        kind: "unauthorized",
        cause: `the pod has no imagePullSecrets, so no credentials were sent to private registry ${host} (${tail(m, /no basic auth credentials|no credentials on this request/i, 60)})`,
        certain: true,
        registry: host,
        action: `Give the pod an imagePullSecret for ${host} (in its template, or on its ServiceAccount): kubectl create secret docker-registry <name> --docker-server=${host} …`
      };
    }
    return {
      kind: "unauthorized",
      cause: `registry ${host} refused the pull (${tail(m, /unauthorized|authentication required|no basic auth credentials|\b40[13]\b|forbidden|denied/i, 60)}); ${secretsText(context.pullSecrets)}${
        cloud !== undefined && !bySecret ? `, so the node's own credentials are used: ${cloud} may lack permission to pull from ${host} (a permission outside the cluster)` : ""
      }`,
      certain: false,
      registry: host,
      action: `Check the imagePullSecrets of the pod (their registry host must be ${host} and the credentials valid), or the node role's registry permissions`
    };
  }
  if (/manifest unknown|manifest for \S+ not found|: not found\b|NotFound desc|not found: manifest|\bnot found$/i.test(m.trim())) {
    const what = ref.digest !== undefined ? `digest ${ref.digest}` : `tag ${ref.tag ?? "latest"}`;
    return {
      kind: "not-found",
      cause: `${what} of ${ref.repository} does not exist in ${isDockerHub(host) ? "docker.io" : host} (not found)`,
      certain: true,
      registry: host,
      action: `Push ${context.image} or point the manifest at a tag that exists (list the tags of ${ref.repository} in the registry)`
    };
  }
  /*
   * containers/image (CRI-O, podman) writes `Error reading manifest <tag> in <repository>: <reason>`
   * (raffaelespazzoli/credscontroller#10 and containers/podman#6595: `…: manifest unknown: manifest
   * unknown`); credentials and network reasons are read above. A message cut before its reason
   * (concourse/concourse-chart#30: `Error reading manifest 8.4.1`, a tag that was never published)
   * still says the registry had no manifest to give for that reference: most often the tag is missing.
   */
  const reading = /Error reading manifest (\S+?)(?: in \S+?)?(?::\s*(.*))?\s*$/i.exec(m.trim());
  if (reading !== null) {
    const what = ref.digest !== undefined ? `digest ${ref.digest}` : `tag ${ref.tag ?? reading[1] ?? "latest"}`;
    const reason = (reading[2] ?? "").trim();
    return {
      kind: "not-found",
      cause: `the registry gave no manifest for ${what} of ${ref.repository} (Error reading manifest ${reading[1] ?? ""}${reason !== "" ? `: ${causeText(reason, 60)}` : ""}): the tag most likely does not exist in ${isDockerHub(host) ? "docker.io" : host}${reason === "" ? " (the message is cut before the registry's reason)" : ""}`,
      certain: false,
      registry: host,
      action: `List the tags of ${ref.repository} and point the manifest at one that exists (or push ${context.image})`
    };
  }
  const unreachable = /(dial tcp [^\s:]+(?::\d+)?: (?:i\/o timeout|connect: [a-z ]+)|Client\.Timeout exceeded[^"\\\n]*|TLS handshake timeout|context deadline exceeded)/i.exec(m)?.[1];
  if (unreachable !== undefined) {
    return {
      kind: "unreachable",
      cause: `registry ${host} cannot be reached from the node (${causeText(unreachable, 80)})`,
      certain: false,
      registry: host,
      action: `Check the node's route to ${host}: NAT gateway, proxy, firewall or security groups, and whether the registry is up`
    };
  }
  if (/invalid reference format|InvalidImageName|couldn't parse image reference/i.test(m)) {
    return { kind: "invalid-reference", cause: `the image reference "${context.image}" is malformed (invalid reference format)`, certain: true, registry: host, action: "Fix the image reference in the manifest" };
  }
  if (m.trim() === "") {
    // Only the state is known: say what the pod's spec tells about the pull, and that it is not the registry's answer.
    const secrets = context.pullSecrets ?? [];
    return {
      kind: "unknown",
      cause:
        secrets.length === 0
          ? `the kubelet's events do not say why (only the ImagePullBackOff state is known); the pod has no imagePullSecrets, so if repository ${ref.repository} on ${isDockerHub(host) ? "docker.io" : host} is private the pull is refused without credentials (a wrong repository name or tag looks the same)`
          : `the kubelet's events do not say why (only the ImagePullBackOff state is known); the pod uses imagePullSecrets ${secrets.join(", ")}: they may not hold valid credentials for ${isDockerHub(host) ? "docker.io" : host}, or ${ref.repository}:${ref.tag ?? ref.digest ?? "latest"} may not exist`,
      certain: false,
      registry: host,
      action:
        secrets.length === 0
          ? `Read the kubelet's pull error (kubectl describe pod, Events; or crictl pull ${context.image} on the node); if ${ref.repository} is private, create an imagePullSecret for ${host} and reference it from the pod or its service account`
          : `Read the kubelet's pull error (kubectl describe pod, Events); check that the secrets ${secrets.join(", ")} are for ${host} and still valid, and that the tag exists`
    };
  }
  return {
    kind: "unknown",
    cause: `the kubelet reports: ${causeText(m, 140)}`,
    certain: false,
    registry: host,
    action: `Check that ${context.image} exists and that the nodes can pull it (credentials, network)`
  };
};
