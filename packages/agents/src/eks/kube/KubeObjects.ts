/**
 * The parts of Kubernetes API objects the analyzers read, in their JSON wire shape (field names
 * exactly as the API server and `kubectl get -o json` spell them). Everything but `metadata.name`
 * is optional because dumps and API servers of different versions omit fields freely.
 * Timestamps are RFC 3339 strings.
 */

export type StringMap = Readonly<Record<string, string>>;

export interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly ownerReferences?: ReadonlyArray<OwnerReference>;
  readonly generation?: number;
  readonly resourceVersion?: string;
}

export interface KubeObject {
  readonly metadata: ObjectMeta;
}

export interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly lastUpdateTime?: string;
  readonly lastHeartbeatTime?: string;
}

export interface ResourceRequirements {
  readonly limits?: StringMap;
  readonly requests?: StringMap;
}

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string; readonly scheme?: string };
  readonly tcpSocket?: { readonly port?: number | string };
  readonly exec?: { readonly command?: ReadonlyArray<string> };
  readonly grpc?: { readonly port?: number };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface EnvVar {
  readonly name?: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name?: string; readonly key?: string; readonly optional?: boolean };
    readonly configMapKeyRef?: { readonly name?: string; readonly key?: string; readonly optional?: boolean };
  };
}

export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly env?: ReadonlyArray<EnvVar>;
  readonly envFrom?: ReadonlyArray<{ readonly secretRef?: { readonly name?: string }; readonly configMapRef?: { readonly name?: string } }>;
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort?: number; readonly hostPort?: number; readonly protocol?: string }>;
  readonly resources?: ResourceRequirements;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly command?: ReadonlyArray<string>;
  readonly args?: ReadonlyArray<string>;
  readonly volumeMounts?: ReadonlyArray<{ readonly name?: string; readonly mountPath?: string; readonly subPath?: string; readonly readOnly?: boolean }>;
  readonly securityContext?: SecurityContext;
}

export interface SecurityContext {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly runAsNonRoot?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  /** Pod level only: the group that owns the pod's volumes. */
  readonly fsGroup?: number;
  /** Container level only: Linux capabilities added to or dropped from the runtime's default set. */
  readonly capabilities?: { readonly add?: ReadonlyArray<string>; readonly drop?: ReadonlyArray<string> };
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
}

export interface Volume {
  readonly name?: string;
  readonly persistentVolumeClaim?: { readonly claimName?: string };
  readonly secret?: { readonly secretName?: string };
  readonly configMap?: { readonly name?: string };
  /** `type` is checked by the kubelet before mounting: Directory and File must already exist on the node. */
  readonly hostPath?: { readonly path?: string; readonly type?: string };
  readonly emptyDir?: { readonly medium?: string };
  readonly nfs?: { readonly server?: string; readonly path?: string };
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  readonly key?: string;
  readonly operator?: string;
  readonly values?: ReadonlyArray<string>;
}

/** The parts of `spec.affinity` that say where a pod may run. */
export interface Affinity {
  readonly nodeAffinity?: {
    readonly requiredDuringSchedulingIgnoredDuringExecution?: {
      readonly nodeSelectorTerms?: ReadonlyArray<{ readonly matchExpressions?: ReadonlyArray<NodeSelectorRequirement>; readonly matchFields?: ReadonlyArray<NodeSelectorRequirement> }>;
    };
  };
  readonly podAffinity?: unknown;
  readonly podAntiAffinity?: unknown;
}

export interface PodSpec {
  readonly nodeName?: string;
  readonly affinity?: Affinity;
  readonly restartPolicy?: string;
  /** Pods on the node's network are outside NetworkPolicy. */
  readonly hostNetwork?: boolean;
  /** `ClusterFirst` (the default), `ClusterFirstWithHostNet`, `Default` (the node's resolver) or `None`. */
  readonly dnsPolicy?: string;
  /** `false` stops the kubelet injecting `<SERVICE>_PORT=tcp://…` and friends for every Service of the namespace (default true). */
  readonly enableServiceLinks?: boolean;
  readonly containers?: ReadonlyArray<Container>;
  readonly initContainers?: ReadonlyArray<Container>;
  readonly volumes?: ReadonlyArray<Volume>;
  readonly nodeSelector?: StringMap;
  readonly tolerations?: ReadonlyArray<Toleration>;
  readonly securityContext?: SecurityContext;
  readonly serviceAccountName?: string;
  readonly imagePullSecrets?: ReadonlyArray<{ readonly name?: string }>;
}

export interface ContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: {
    readonly reason?: string;
    readonly message?: string;
    readonly exitCode?: number;
    readonly signal?: number;
    readonly startedAt?: string;
    readonly finishedAt?: string;
  };
}

export interface ContainerStatus {
  readonly name?: string;
  readonly ready?: boolean;
  readonly started?: boolean;
  readonly restartCount?: number;
  readonly image?: string;
  readonly imageID?: string;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

export interface Pod extends KubeObject {
  readonly spec?: PodSpec;
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly conditions?: ReadonlyArray<Condition>;
    readonly containerStatuses?: ReadonlyArray<ContainerStatus>;
    readonly initContainerStatuses?: ReadonlyArray<ContainerStatus>;
    readonly hostIP?: string;
    readonly podIP?: string;
    readonly startTime?: string;
  };
}

export interface Taint {
  readonly key?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly timeAdded?: string;
}

export interface Node extends KubeObject {
  readonly spec?: { readonly unschedulable?: boolean; readonly taints?: ReadonlyArray<Taint>; readonly providerID?: string };
  readonly status?: {
    readonly conditions?: ReadonlyArray<Condition>;
    readonly allocatable?: StringMap;
    readonly capacity?: StringMap;
    readonly addresses?: ReadonlyArray<{ readonly type?: string; readonly address?: string }>;
    readonly nodeInfo?: { readonly architecture?: string; readonly operatingSystem?: string; readonly containerRuntimeVersion?: string };
  };
}

export interface ObjectReference {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly fieldPath?: string;
}

/** A core/v1 Event, the kind `kubectl cluster-info dump` writes to `events.json`. */
export interface Event extends KubeObject {
  readonly involvedObject?: ObjectReference;
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
  readonly count?: number;
  readonly firstTimestamp?: string | null;
  readonly lastTimestamp?: string | null;
  readonly eventTime?: string | null;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string };
  readonly source?: { readonly component?: string; readonly host?: string };
  readonly reportingComponent?: string;
}

export interface LabelSelector {
  readonly matchLabels?: StringMap;
  readonly matchExpressions?: ReadonlyArray<{ readonly key?: string; readonly operator?: string; readonly values?: ReadonlyArray<string> }>;
}

export interface PodTemplate {
  readonly metadata?: { readonly labels?: StringMap; readonly annotations?: StringMap };
  readonly spec?: PodSpec;
}

export interface Deployment extends KubeObject {
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelector;
    readonly template?: PodTemplate;
    readonly progressDeadlineSeconds?: number;
    /** `RollingUpdate` (the default) or `Recreate`. */
    readonly strategy?: { readonly type?: string };
  };
  readonly status?: {
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly unavailableReplicas?: number;
    readonly conditions?: ReadonlyArray<Condition>;
  };
}

export interface ReplicaSet extends KubeObject {
  readonly spec?: { readonly replicas?: number; readonly selector?: LabelSelector; readonly template?: PodTemplate };
  readonly status?: {
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly conditions?: ReadonlyArray<Condition>;
  };
}

export interface StatefulSet extends KubeObject {
  readonly spec?: { readonly replicas?: number; readonly selector?: LabelSelector; readonly template?: PodTemplate; readonly serviceName?: string };
  readonly status?: {
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly currentRevision?: string;
    readonly updateRevision?: string;
  };
}

export interface DaemonSet extends KubeObject {
  readonly spec?: { readonly selector?: LabelSelector; readonly template?: PodTemplate };
  readonly status?: { readonly desiredNumberScheduled?: number; readonly numberReady?: number; readonly numberUnavailable?: number };
}

export interface ServicePort {
  readonly name?: string;
  readonly port?: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly protocol?: string;
}

export interface Service extends KubeObject {
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: ReadonlyArray<string>;
    readonly selector?: StringMap;
    readonly ports?: ReadonlyArray<ServicePort>;
    /** DNS publishes not-ready endpoints too (a headless Service's name resolves before its pods are ready). */
    readonly publishNotReadyAddresses?: boolean;
  };
}

export interface EndpointAddress {
  readonly ip?: string;
  /** A StatefulSet pod's hostname: its DNS name under a headless Service. */
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly targetRef?: ObjectReference;
}

export interface Endpoints extends KubeObject {
  readonly subsets?: ReadonlyArray<{
    readonly addresses?: ReadonlyArray<EndpointAddress>;
    readonly notReadyAddresses?: ReadonlyArray<EndpointAddress>;
    readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port?: number; readonly protocol?: string }>;
  }>;
}

export interface PersistentVolumeClaim extends KubeObject {
  readonly spec?: {
    readonly storageClassName?: string;
    readonly volumeName?: string;
    readonly accessModes?: ReadonlyArray<string>;
    readonly resources?: ResourceRequirements;
    readonly selector?: LabelSelector;
    readonly volumeMode?: string;
  };
  readonly status?: { readonly phase?: string; readonly capacity?: StringMap; readonly conditions?: ReadonlyArray<Condition> };
}

/** Cluster-scoped: `kubectl get pv -o json`; `kubectl cluster-info dump` does not write them. */
export interface PersistentVolume extends KubeObject {
  readonly spec?: {
    readonly storageClassName?: string;
    readonly capacity?: StringMap;
    readonly accessModes?: ReadonlyArray<string>;
    readonly volumeMode?: string;
    readonly claimRef?: ObjectReference;
    readonly persistentVolumeReclaimPolicy?: string;
    readonly hostPath?: { readonly path?: string };
    /** Where the volume can be used: a local or zonal volume's nodes. */
    readonly nodeAffinity?: {
      readonly required?: {
        readonly nodeSelectorTerms?: ReadonlyArray<{ readonly matchExpressions?: ReadonlyArray<{ readonly key?: string; readonly operator?: string; readonly values?: ReadonlyArray<string> }> }>;
      };
    };
  };
  readonly status?: { readonly phase?: string; readonly reason?: string; readonly message?: string };
}

/**
 * Cluster-scoped: `kubectl get storageclass -o json`; `kubectl cluster-info dump` does not write them.
 * The default class carries `storageclass.kubernetes.io/is-default-class: "true"` (or the beta annotation).
 */
export interface StorageClass extends KubeObject {
  readonly provisioner?: string;
  readonly volumeBindingMode?: string;
  readonly reclaimPolicy?: string;
  readonly parameters?: StringMap;
}

export interface ResourceQuota extends KubeObject {
  readonly spec?: { readonly hard?: StringMap };
  readonly status?: { readonly hard?: StringMap; readonly used?: StringMap };
}

export interface JobSpec {
  readonly parallelism?: number;
  readonly completions?: number;
  readonly backoffLimit?: number;
  readonly activeDeadlineSeconds?: number;
  readonly suspend?: boolean;
  readonly selector?: LabelSelector;
  readonly template?: PodTemplate;
}

/** A batch/v1 Job; `status.conditions` carry `Failed` (BackoffLimitExceeded, DeadlineExceeded) and `Complete`. */
export interface Job extends KubeObject {
  readonly spec?: JobSpec;
  readonly status?: {
    readonly active?: number;
    readonly succeeded?: number;
    readonly failed?: number;
    readonly startTime?: string;
    readonly completionTime?: string;
    readonly conditions?: ReadonlyArray<Condition>;
  };
}

export interface CronJob extends KubeObject {
  readonly spec?: {
    readonly schedule?: string;
    readonly suspend?: boolean;
    readonly concurrencyPolicy?: string;
    readonly startingDeadlineSeconds?: number;
    readonly jobTemplate?: { readonly metadata?: { readonly labels?: StringMap }; readonly spec?: JobSpec };
  };
  readonly status?: {
    readonly active?: ReadonlyArray<ObjectReference>;
    readonly lastScheduleTime?: string;
    readonly lastSuccessfulTime?: string;
  };
}

export interface NetworkPolicyPort {
  readonly protocol?: string;
  /** A number, or the name of a container port on the selected pods. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr?: string; readonly except?: ReadonlyArray<string> };
}

/** A networking.k8s.io/v1 NetworkPolicy: which pods it isolates and what traffic it allows them. */
export interface NetworkPolicy extends KubeObject {
  readonly spec?: {
    readonly podSelector?: LabelSelector;
    readonly policyTypes?: ReadonlyArray<string>;
    readonly ingress?: ReadonlyArray<{ readonly from?: ReadonlyArray<NetworkPolicyPeer>; readonly ports?: ReadonlyArray<NetworkPolicyPort> }>;
    readonly egress?: ReadonlyArray<{ readonly to?: ReadonlyArray<NetworkPolicyPeer>; readonly ports?: ReadonlyArray<NetworkPolicyPort> }>;
  };
}

/** Namespaced resources a source can list, by their REST resource name. */
export interface NamespacedKinds {
  readonly pods: Pod;
  readonly events: Event;
  readonly deployments: Deployment;
  readonly replicasets: ReplicaSet;
  readonly statefulsets: StatefulSet;
  readonly daemonsets: DaemonSet;
  readonly services: Service;
  readonly endpoints: Endpoints;
  readonly persistentvolumeclaims: PersistentVolumeClaim;
  readonly resourcequotas: ResourceQuota;
  readonly jobs: Job;
  readonly cronjobs: CronJob;
  readonly networkpolicies: NetworkPolicy;
}

export type NamespacedKind = keyof NamespacedKinds;

export const NAMESPACED_KINDS: ReadonlyArray<NamespacedKind> = [
  "pods",
  "events",
  "deployments",
  "replicasets",
  "statefulsets",
  "daemonsets",
  "services",
  "endpoints",
  "persistentvolumeclaims",
  "resourcequotas",
  "jobs",
  "cronjobs",
  "networkpolicies"
];

/** Keeps list items that are objects with a `metadata.name`: anything else cannot be referred to. */
export const asKubeObjects = <T extends KubeObject>(items: unknown): ReadonlyArray<T> =>
  Array.isArray(items)
    ? (items.filter((item: unknown) => {
        if (typeof item !== "object" || item === null) return false;
        const metadata = (item as { metadata?: unknown }).metadata;
        return typeof metadata === "object" && metadata !== null && typeof (metadata as { name?: unknown }).name === "string";
      }) as Array<T>)
    : [];
