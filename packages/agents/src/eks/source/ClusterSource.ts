import type { Effect } from "effect";
import { Schema } from "effect";
import type { NamespacedKind, NamespacedKinds, Node, PersistentVolume, StorageClass } from "../kube/KubeObjects.js";

/**
 * Why a read failed:
 * - `forbidden`: RBAC refused it (403); the documented ClusterRole is missing a rule;
 * - `unauthorized`: the credentials were refused (401): expired token, wrong cluster;
 * - `not-found`: the object or path does not exist (404), or a dump file is absent where it was required;
 *   also a name that breaks Kubernetes' naming rules, or a dump file that resolves outside the dump (never read);
 * - `unreachable`: no connection (DNS, refused, TLS), or the dump directory cannot be read;
 * - `timeout`: no answer within the per-request budget;
 * - `invalid`: the answer was not the JSON expected, or a selector could not be parsed;
 * - `failed`: anything else the server reported (5xx, 429...).
 */
export const ClusterSourceFailure = Schema.Literals(["forbidden", "unauthorized", "not-found", "unreachable", "timeout", "invalid", "failed"]);
export type ClusterSourceFailure = typeof ClusterSourceFailure.Type;

export class ClusterSourceError extends Schema.TaggedError<ClusterSourceError>()("ClusterSourceError", {
  reason: ClusterSourceFailure,
  /** What was being read, e.g. `list pods in payments`. */
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.operation}: ${this.reason}: ${this.detail}`;
  }
}

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface PodLogRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The log of the previous (terminated) instance of the container, as `kubectl logs --previous`. */
  readonly previous?: boolean;
  /** Only the last lines. */
  readonly tailLines?: number;
}

/**
 * Read-only access to one Kubernetes cluster, live or from a dump. Only get/list and pod logs:
 * nothing here can change the cluster.
 */
export interface ClusterSource {
  /** For reports and errors: `cluster dump /tmp/dump`, `cluster https://…`. */
  readonly description: string;
  readonly listNodes: (options?: ListOptions) => Effect.Effect<ReadonlyArray<Node>, ClusterSourceError>;
  /** PersistentVolumes (cluster-scoped): what an unbound claim could bind to. A dump without them reads none. */
  readonly listPersistentVolumes: () => Effect.Effect<ReadonlyArray<PersistentVolume>, ClusterSourceError>;
  /**
   * StorageClasses (cluster-scoped): which class an unbound claim names that does not exist, and whether there is a
   * default. Undefined when the source does not hold them (a dump without `storageclasses.json`): absent is not "none".
   */
  readonly listStorageClasses: () => Effect.Effect<ReadonlyArray<StorageClass> | undefined, ClusterSourceError>;
  /** Objects of a namespaced kind in one namespace, or in every namespace when `namespace` is undefined. */
  readonly list: <K extends NamespacedKind>(
    kind: K,
    namespace: string | undefined,
    options?: ListOptions
  ) => Effect.Effect<ReadonlyArray<NamespacedKinds[K]>, ClusterSourceError>;
  /**
   * The namespaces that hold a ConfigMap called `name` (only the names are kept, never the data):
   * whether one a pod cannot find exists elsewhere. Absent on sources that cannot tell.
   */
  readonly findConfigMaps?: (name: string) => Effect.Effect<ReadonlyArray<string>, ClusterSourceError>;
  /** A container's log, or undefined when there is none (never started, no previous instance, pod gone). */
  readonly podLogs: (request: PodLogRequest) => Effect.Effect<string | undefined, ClusterSourceError>;
}
