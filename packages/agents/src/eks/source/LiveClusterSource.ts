import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, type KubeConfig, NetworkingV1Api, StorageV1Api, Observable, type ConfigurationOptions, type RequestContext } from "@kubernetes/client-node";
import { Effect } from "effect";
import { asKubeObjects, type KubeObject, type NamespacedKind, type NamespacedKinds, type Node, type PersistentVolume, type StorageClass } from "../kube/KubeObjects.js";
import { type KubeNameKind, kubeNameProblem } from "../kube/names.js";
import { type ClusterSource, ClusterSourceError, type ClusterSourceFailure, type ListOptions } from "./ClusterSource.js";

export interface LiveClusterSourceOptions {
  /** Which cluster and credentials; see `kubeConfigFromFile`, `kubeConfigInCluster`, `kubeConfigForEks`. */
  readonly kubeConfig: KubeConfig;
  /** Budget of each API request (default 10 s); a request past it is aborted and fails with `timeout`. */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ETIMEDOUT", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN"]);

const statusMessage = (body: unknown): string | undefined => {
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === "" ? undefined : body.trim().slice(0, 300);
    }
  }
  const message = typeof parsed === "object" && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
  return typeof message === "string" ? message : undefined;
};

const reasonForStatus = (code: number): ClusterSourceFailure =>
  code === 401 ? "unauthorized" : code === 403 ? "forbidden" : code === 404 ? "not-found" : code === 400 || code === 422 ? "invalid" : code === 408 || code === 504 ? "timeout" : "failed";

/** What a failed client-node call means, as the port's error. */
export const describeKubeError = (operation: string, e: unknown): ClusterSourceError => {
  if (e instanceof ApiException) {
    const code = e.code;
    return new ClusterSourceError({ reason: reasonForStatus(code), operation, detail: `HTTP ${code}: ${statusMessage(e.body) ?? e.message.split("\n")[0] ?? ""}` });
  }
  const name = typeof e === "object" && e !== null ? String((e as { name?: unknown }).name ?? "") : "";
  const code = typeof e === "object" && e !== null ? String((e as { code?: unknown }).code ?? "") : "";
  const message = e instanceof Error ? e.message : String(e);
  if (name === "AbortError") return new ClusterSourceError({ reason: "timeout", operation, detail: "request aborted at its deadline" });
  if (NETWORK_CODES.has(code) || name === "FetchError") return new ClusterSourceError({ reason: "unreachable", operation, detail: message });
  return new ClusterSourceError({ reason: "failed", operation, detail: message });
};

/** Per-call options that let an interrupted Effect abort the HTTP request. */
const abortable = (signal: AbortSignal): ConfigurationOptions => ({
  middleware: [
    {
      pre: (context: RequestContext) => {
        context.setSignal(signal);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response))
    }
  ],
  middlewareMergeStrategy: "append"
});

/** client-node turns timestamps into `Date`s; the analyzers read the wire format, as in a dump. */
const toWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

type Selectors = { labelSelector?: string; fieldSelector?: string };
type Lister = (namespace: string | undefined, selectors: Selectors, options: ConfigurationOptions) => Promise<{ readonly items: ReadonlyArray<unknown> }>;

/**
 * A live cluster through `@kubernetes/client-node`. Strictly read-only: it only ever lists
 * objects and reads pod logs (HTTP GET), which the README's ClusterRole allows and nothing more.
 */
export const makeLiveClusterSource = (options: LiveClusterSourceOptions): ClusterSource => {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const apps = options.kubeConfig.makeApiClient(AppsV1Api);
  const batch = options.kubeConfig.makeApiClient(BatchV1Api);
  const networking = options.kubeConfig.makeApiClient(NetworkingV1Api);
  const storage = options.kubeConfig.makeApiClient(StorageV1Api);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const server = options.kubeConfig.getCurrentCluster()?.server ?? "(no current cluster)";

  const listers: Readonly<Record<NamespacedKind, Lister>> = {
    pods: (ns, s, o) => (ns === undefined ? core.listPodForAllNamespaces(s, o) : core.listNamespacedPod({ namespace: ns, ...s }, o)),
    events: (ns, s, o) => (ns === undefined ? core.listEventForAllNamespaces(s, o) : core.listNamespacedEvent({ namespace: ns, ...s }, o)),
    services: (ns, s, o) => (ns === undefined ? core.listServiceForAllNamespaces(s, o) : core.listNamespacedService({ namespace: ns, ...s }, o)),
    endpoints: (ns, s, o) => (ns === undefined ? core.listEndpointsForAllNamespaces(s, o) : core.listNamespacedEndpoints({ namespace: ns, ...s }, o)),
    persistentvolumeclaims: (ns, s, o) =>
      ns === undefined ? core.listPersistentVolumeClaimForAllNamespaces(s, o) : core.listNamespacedPersistentVolumeClaim({ namespace: ns, ...s }, o),
    resourcequotas: (ns, s, o) =>
      ns === undefined ? core.listResourceQuotaForAllNamespaces(s, o) : core.listNamespacedResourceQuota({ namespace: ns, ...s }, o),
    deployments: (ns, s, o) => (ns === undefined ? apps.listDeploymentForAllNamespaces(s, o) : apps.listNamespacedDeployment({ namespace: ns, ...s }, o)),
    replicasets: (ns, s, o) => (ns === undefined ? apps.listReplicaSetForAllNamespaces(s, o) : apps.listNamespacedReplicaSet({ namespace: ns, ...s }, o)),
    statefulsets: (ns, s, o) =>
      ns === undefined ? apps.listStatefulSetForAllNamespaces(s, o) : apps.listNamespacedStatefulSet({ namespace: ns, ...s }, o),
    daemonsets: (ns, s, o) => (ns === undefined ? apps.listDaemonSetForAllNamespaces(s, o) : apps.listNamespacedDaemonSet({ namespace: ns, ...s }, o)),
    jobs: (ns, s, o) => (ns === undefined ? batch.listJobForAllNamespaces(s, o) : batch.listNamespacedJob({ namespace: ns, ...s }, o)),
    cronjobs: (ns, s, o) => (ns === undefined ? batch.listCronJobForAllNamespaces(s, o) : batch.listNamespacedCronJob({ namespace: ns, ...s }, o)),
    networkpolicies: (ns, s, o) =>
      ns === undefined ? networking.listNetworkPolicyForAllNamespaces(s, o) : networking.listNamespacedNetworkPolicy({ namespace: ns, ...s }, o)
  };

  const call = <A>(operation: string, request: (options: ConfigurationOptions) => Promise<A>): Effect.Effect<A, ClusterSourceError> =>
    Effect.tryPromise({ try: (signal) => request(abortable(signal)), catch: (e) => describeKubeError(operation, e) }).pipe(
      Effect.timeoutOrElse({
        duration: timeoutMs,
        orElse: () => Effect.fail(new ClusterSourceError({ reason: "timeout", operation, detail: `no answer from ${server} within ${timeoutMs} ms` }))
      })
    );

  // client-node encodes each name, but `..` survives encoding and the URL resolves it: `namespaces/../pods` lists every namespace.
  const checkNames = (operation: string, names: ReadonlyArray<readonly [KubeNameKind, string]>): Effect.Effect<void, ClusterSourceError> => {
    const problem = names.map(([kind, value]) => kubeNameProblem(kind, value)).find((p) => p !== undefined);
    return problem === undefined ? Effect.void : Effect.fail(new ClusterSourceError({ reason: "not-found", operation, detail: `${problem}; nothing was requested` }));
  };

  const selectors = (options: ListOptions | undefined): Selectors => ({
    ...(options?.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}),
    ...(options?.fieldSelector !== undefined ? { fieldSelector: options.fieldSelector } : {})
  });
  const items = <T extends KubeObject>(list: { readonly items: ReadonlyArray<unknown> }) => asKubeObjects<T>(toWire(list.items));

  return {
    description: `cluster ${server}`,
    listNodes: (options) => call("list nodes", (o) => core.listNode(selectors(options), o)).pipe(Effect.map((l) => items<Node>(l))),
    listPersistentVolumes: () => call("list persistentvolumes", (o) => core.listPersistentVolume({}, o)).pipe(Effect.map((l) => items<PersistentVolume>(l))),
    listStorageClasses: () => call("list storageclasses", (o) => storage.listStorageClass({}, o)).pipe(Effect.map((l) => items<StorageClass>(l))),
    list: <K extends NamespacedKind>(kind: K, namespace: string | undefined, options?: ListOptions) => {
      const operation = `list ${kind}${namespace === undefined ? " in all namespaces" : ` in ${namespace}`}`;
      return checkNames(operation, namespace === undefined ? [] : [["namespace", namespace]]).pipe(
        Effect.andThen(call(operation, (o) => listers[kind](namespace, selectors(options), o))),
        Effect.map((l) => items<NamespacedKinds[K]>(l))
      );
    },
    podLogs: (request) => {
      const operation = `${request.previous === true ? "previous " : ""}logs of ${request.namespace}/${request.pod} container ${request.container}`;
      const read = call(operation, (o) =>
        core.readNamespacedPodLog(
          {
            name: request.pod,
            namespace: request.namespace,
            container: request.container,
            ...(request.previous === true ? { previous: true } : {}),
            ...(request.tailLines !== undefined ? { tailLines: request.tailLines } : {})
          },
          o
        )
      ).pipe(
        Effect.map((text): string | undefined => (text === "" ? undefined : text)),
        // 400 is how the API server says there is no such log (container waiting, no previous instance); 404 that the pod is gone.
        Effect.catchIf(
          (e) => e.reason === "invalid" || e.reason === "not-found",
          () => Effect.succeed(undefined)
        )
      );
      return checkNames(operation, [
        ["namespace", request.namespace],
        ["pod", request.pod],
        ["container", request.container]
      ]).pipe(Effect.andThen(read));
    }
  };
};
