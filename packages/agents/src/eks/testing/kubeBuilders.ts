import { createHash } from "node:crypto";
import type {
  Container,
  ContainerState,
  DaemonSet,
  Deployment,
  Endpoints,
  Event,
  Node,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  Probe,
  ReplicaSet,
  ResourceQuota,
  Service,
  StatefulSet,
  StringMap,
  Taint
} from "../kube/KubeObjects.js";

/**
 * Builders of Kubernetes objects in the API's real JSON shape, with the wiring a cluster has
 * (owner references with uids, `pod-template-hash`, revisions, endpoints), so fixtures read like
 * `kubectl get -o json` output without hundreds of lines each.
 */

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const uid = (...parts: ReadonlyArray<string>): string => {
  const h = createHash("sha1").update(parts.join("/")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const hashOf = (...parts: ReadonlyArray<string>): string => {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const digest = createHash("sha1").update(parts.join("/")).digest();
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join("");
};

const suffix = (...parts: ReadonlyArray<string>): string => hashOf("pod", ...parts).slice(0, 5);

export const running = (startedAt: number): ContainerState => ({ running: { startedAt: iso(startedAt) } });
export const waiting = (reason: string, message?: string): ContainerState => ({ waiting: { reason, ...(message !== undefined ? { message } : {}) } });
export const terminated = (reason: string, exitCode: number, finishedAt: number, startedAt = finishedAt - 5_000): ContainerState => ({
  terminated: { reason, exitCode, startedAt: iso(startedAt), finishedAt: iso(finishedAt) }
});

export interface NodeOptions {
  readonly ready?: "True" | "False" | "Unknown";
  readonly readySince?: number;
  readonly memoryPressure?: boolean;
  readonly diskPressure?: boolean;
  readonly pidPressure?: boolean;
  readonly taints?: ReadonlyArray<Taint>;
  readonly unschedulable?: boolean;
  readonly cpu?: string;
  readonly memory?: string;
  readonly zone?: string;
  readonly instanceType?: string;
  readonly ip?: string;
  readonly createdAt?: number;
}

export const makeNode = (name: string, at: number, o: NodeOptions = {}): Node => {
  const since = iso(o.readySince ?? at - 86_400_000);
  const pressure = (type: string, on: boolean | undefined, reason: string, okReason: string, message: string, okMessage: string) => ({
    type,
    status: on === true ? "True" : "False",
    reason: on === true ? reason : okReason,
    message: on === true ? message : okMessage,
    lastHeartbeatTime: iso(at - 20_000),
    lastTransitionTime: on === true ? since : iso(at - 86_400_000)
  });
  const ready = o.ready ?? "True";
  return {
    metadata: {
      name,
      uid: uid("node", name),
      creationTimestamp: iso(o.createdAt ?? at - 7 * 86_400_000),
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": o.instanceType ?? "m6i.large",
        "topology.kubernetes.io/zone": o.zone ?? "eu-west-1a",
        "eks.amazonaws.com/nodegroup": "general"
      }
    },
    spec: {
      providerID: `aws:///${o.zone ?? "eu-west-1a"}/i-0${hashOf("i", name).slice(0, 16)}`,
      ...(o.taints !== undefined ? { taints: o.taints } : {}),
      ...(o.unschedulable === true ? { unschedulable: true } : {})
    },
    status: {
      capacity: { cpu: o.cpu ?? "2", memory: o.memory ?? "7934412Ki", pods: "29", "ephemeral-storage": "83873772Ki" },
      allocatable: { cpu: o.cpu === undefined ? "1930m" : o.cpu, memory: o.memory ?? "7244236Ki", pods: "29", "ephemeral-storage": "76224326324" },
      addresses: [
        { type: "InternalIP", address: o.ip ?? "10.0.1.10" },
        { type: "Hostname", address: name }
      ],
      conditions: [
        pressure("MemoryPressure", o.memoryPressure, "KubeletHasInsufficientMemory", "KubeletHasSufficientMemory", "kubelet has insufficient memory available", "kubelet has sufficient memory available"),
        pressure("DiskPressure", o.diskPressure, "KubeletHasDiskPressure", "KubeletHasNoDiskPressure", "kubelet has disk pressure", "kubelet has no disk pressure"),
        pressure("PIDPressure", o.pidPressure, "KubeletHasInsufficientPID", "KubeletHasSufficientPID", "kubelet has insufficient PID available", "kubelet has sufficient PID available"),
        {
          type: "Ready",
          status: ready,
          reason: ready === "True" ? "KubeletReady" : ready === "Unknown" ? "NodeStatusUnknown" : "KubeletNotReady",
          message:
            ready === "True"
              ? "kubelet is posting ready status"
              : ready === "Unknown"
                ? "Kubelet stopped posting node status."
                : "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
          lastHeartbeatTime: iso(ready === "Unknown" ? (o.readySince ?? at) - 40_000 : at - 20_000),
          lastTransitionTime: since
        }
      ]
    }
  };
};

export interface ContainerOptions {
  readonly name: string;
  readonly image: string;
  readonly memoryLimit?: string;
  readonly memoryRequest?: string;
  readonly cpuRequest?: string;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly env?: Container["env"];
  readonly port?: number;
}

export const makeContainer = (o: ContainerOptions): Container => {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (o.memoryLimit !== undefined) limits["memory"] = o.memoryLimit;
  if (o.memoryRequest !== undefined) requests["memory"] = o.memoryRequest;
  if (o.cpuRequest !== undefined) requests["cpu"] = o.cpuRequest;
  return {
    name: o.name,
    image: o.image,
    resources: { ...(Object.keys(limits).length > 0 ? { limits } : {}), ...(Object.keys(requests).length > 0 ? { requests } : {}) },
    ...(o.livenessProbe !== undefined ? { livenessProbe: o.livenessProbe } : {}),
    ...(o.readinessProbe !== undefined ? { readinessProbe: o.readinessProbe } : {}),
    ...(o.env !== undefined ? { env: o.env } : {}),
    ...(o.port !== undefined ? { ports: [{ containerPort: o.port, protocol: "TCP" }] } : {})
  };
};

export interface WorkloadOptions {
  readonly namespace: string;
  readonly name: string;
  readonly containers: ReadonlyArray<ContainerOptions>;
  readonly replicas?: number;
  readonly labels?: StringMap;
  readonly createdAt: number;
  readonly volumes?: PodSpec["volumes"];
  readonly nodeSelector?: StringMap;
}

const selectorLabels = (o: WorkloadOptions): StringMap => o.labels ?? { "app.kubernetes.io/name": o.name };

export const makeDeployment = (o: WorkloadOptions & { readonly revision?: number; readonly status?: Deployment["status"] }): Deployment => ({
  metadata: {
    name: o.name,
    namespace: o.namespace,
    uid: uid("deploy", o.namespace, o.name),
    generation: o.revision ?? 1,
    creationTimestamp: iso(o.createdAt),
    labels: selectorLabels(o),
    annotations: { "deployment.kubernetes.io/revision": String(o.revision ?? 1) }
  },
  spec: {
    replicas: o.replicas ?? 1,
    selector: { matchLabels: selectorLabels(o) },
    progressDeadlineSeconds: 600,
    template: {
      metadata: { labels: selectorLabels(o) },
      spec: {
        containers: o.containers.map(makeContainer),
        ...(o.volumes !== undefined ? { volumes: o.volumes } : {}),
        ...(o.nodeSelector !== undefined ? { nodeSelector: o.nodeSelector } : {})
      }
    }
  },
  status: o.status ?? {
    replicas: o.replicas ?? 1,
    updatedReplicas: o.replicas ?? 1,
    readyReplicas: o.replicas ?? 1,
    availableReplicas: o.replicas ?? 1,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." },
      { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet has successfully progressed.` }
    ]
  }
});

export const templateHash = (deployment: Deployment, revision: number): string => hashOf(deployment.metadata.name, String(revision), JSON.stringify(deployment.spec?.template ?? {})).slice(0, 10);

/** A ReplicaSet of `deployment` for a revision, with the template it had then (`containers` overrides the images). */
export const makeReplicaSet = (
  deployment: Deployment,
  o: { readonly revision: number; readonly createdAt: number; readonly replicas: number; readonly ready?: number; readonly containers?: ReadonlyArray<ContainerOptions> }
): ReplicaSet => {
  const hash = templateHash(deployment, o.revision);
  const labels = { ...(deployment.spec?.selector?.matchLabels ?? {}), "pod-template-hash": hash };
  const template = deployment.spec?.template;
  return {
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace ?? "default",
      uid: uid("rs", deployment.metadata.namespace ?? "", deployment.metadata.name, hash),
      creationTimestamp: iso(o.createdAt),
      labels,
      annotations: { "deployment.kubernetes.io/revision": String(o.revision), "deployment.kubernetes.io/desired-replicas": String(deployment.spec?.replicas ?? 1) },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name, uid: deployment.metadata.uid ?? "", controller: true }]
    },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { ...(template?.spec ?? {}), ...(o.containers !== undefined ? { containers: o.containers.map(makeContainer) } : {}) }
      }
    },
    status: { replicas: o.replicas, readyReplicas: o.ready ?? o.replicas, availableReplicas: o.ready ?? o.replicas }
  };
};

export const makeStatefulSet = (o: WorkloadOptions & { readonly ready?: number; readonly volumeClaim?: { readonly name: string; readonly storage: string } }): StatefulSet => ({
  metadata: { name: o.name, namespace: o.namespace, uid: uid("sts", o.namespace, o.name), creationTimestamp: iso(o.createdAt), labels: selectorLabels(o), generation: 1 },
  spec: {
    replicas: o.replicas ?? 1,
    serviceName: o.name,
    selector: { matchLabels: selectorLabels(o) },
    template: { metadata: { labels: selectorLabels(o) }, spec: { containers: o.containers.map(makeContainer), ...(o.volumes !== undefined ? { volumes: o.volumes } : {}) } }
  },
  status: { replicas: o.replicas ?? 1, readyReplicas: o.ready ?? o.replicas ?? 1, currentRevision: `${o.name}-${hashOf(o.name).slice(0, 10)}`, updateRevision: `${o.name}-${hashOf(o.name).slice(0, 10)}` }
});

export const makeDaemonSet = (o: WorkloadOptions & { readonly desired?: number; readonly ready?: number }): DaemonSet => ({
  metadata: { name: o.name, namespace: o.namespace, uid: uid("ds", o.namespace, o.name), creationTimestamp: iso(o.createdAt), labels: selectorLabels(o) },
  spec: { selector: { matchLabels: selectorLabels(o) }, template: { metadata: { labels: selectorLabels(o) }, spec: { containers: o.containers.map(makeContainer) } } },
  status: { desiredNumberScheduled: o.desired ?? 1, numberReady: o.ready ?? o.desired ?? 1, numberUnavailable: (o.desired ?? 1) - (o.ready ?? o.desired ?? 1) }
});

export interface ContainerStatusOptions {
  readonly name?: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

export interface PodOptions {
  /** A ReplicaSet, StatefulSet or DaemonSet; the pod copies its template and labels. */
  readonly owner: ReplicaSet | StatefulSet | DaemonSet;
  readonly ownerKind: "ReplicaSet" | "StatefulSet" | "DaemonSet";
  readonly name?: string;
  readonly ordinal?: number;
  readonly node?: string;
  readonly ip?: string;
  readonly createdAt: number;
  readonly phase?: string;
  readonly reason?: string;
  readonly message?: string;
  /** Per container, in template order; missing entries are running and ready since `createdAt`. */
  readonly statuses?: ReadonlyArray<ContainerStatusOptions>;
  /** PodScheduled=False with this message (the pod is Pending and has no node). */
  readonly unschedulable?: string;
}

export const makePod = (o: PodOptions): Pod => {
  const template = o.owner.spec?.template;
  const namespace = o.owner.metadata.namespace ?? "default";
  const name =
    o.name ?? (o.ownerKind === "StatefulSet" ? `${o.owner.metadata.name}-${o.ordinal ?? 0}` : `${o.owner.metadata.name}-${suffix(o.owner.metadata.name, String(o.ordinal ?? 0))}`);
  const containers = template?.spec?.containers ?? [];
  const scheduled = o.unschedulable === undefined;
  const statuses = containers.map((c, i) => {
    const s = o.statuses?.[i] ?? {};
    const state = s.state ?? (scheduled ? running(o.createdAt + 3_000) : undefined);
    return {
      name: c.name ?? `c${i}`,
      image: c.image ?? "",
      imageID: state?.running !== undefined ? `${(c.image ?? "").split(":")[0] ?? ""}@sha256:${hashOf(c.image ?? "").padEnd(64, "0").slice(0, 64)}` : "",
      ready: s.ready ?? state?.running !== undefined,
      started: state?.running !== undefined,
      restartCount: s.restartCount ?? 0,
      ...(state !== undefined ? { state } : {}),
      lastState: s.lastState ?? {}
    };
  });
  const allReady = scheduled && statuses.every((s) => s.ready);
  const phase = o.phase ?? (scheduled ? "Running" : "Pending");
  const labels = { ...(template?.metadata?.labels ?? {}), ...(o.ownerKind === "StatefulSet" ? { "statefulset.kubernetes.io/pod-name": name } : {}) };
  const created = iso(o.createdAt);
  return {
    metadata: {
      name,
      namespace,
      uid: uid("pod", namespace, name),
      creationTimestamp: created,
      labels,
      ownerReferences: [{ apiVersion: "apps/v1", kind: o.ownerKind, name: o.owner.metadata.name, uid: o.owner.metadata.uid ?? "", controller: true }]
    },
    spec: { ...(template?.spec ?? {}), ...(scheduled ? { nodeName: o.node ?? "ip-10-0-1-10.eu-west-1.compute.internal" } : {}) },
    status: {
      phase,
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
      ...(o.message !== undefined ? { message: o.message } : {}),
      conditions: scheduled
        ? [
            { type: "Initialized", status: "True", lastTransitionTime: created },
            { type: "Ready", status: allReady ? "True" : "False", lastTransitionTime: created, ...(allReady ? {} : { reason: "ContainersNotReady" }) },
            { type: "ContainersReady", status: allReady ? "True" : "False", lastTransitionTime: created },
            { type: "PodScheduled", status: "True", lastTransitionTime: created }
          ]
        : [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: o.unschedulable, lastTransitionTime: created }],
      ...(scheduled ? { hostIP: "10.0.1.10", podIP: o.ip ?? `10.0.${(o.ordinal ?? 0) + 20}.${(name.length * 7) % 250}`, containerStatuses: statuses } : {}),
      startTime: created
    }
  };
};

export interface EventOptions {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly reason: string;
  readonly message: string;
  readonly type?: "Normal" | "Warning";
  readonly count?: number;
  readonly first: number;
  readonly last?: number;
  readonly component?: string;
  readonly fieldPath?: string;
  readonly host?: string;
}

export const makeEvent = (o: EventOptions): Event => {
  const last = o.last ?? o.first;
  const name = `${o.name}.${(o.first * 1000 + o.reason.length).toString(16).slice(-16)}`;
  return {
    metadata: { name, namespace: o.namespace, uid: uid("event", o.namespace, name, o.reason, o.message), creationTimestamp: iso(o.first) },
    involvedObject: {
      kind: o.kind,
      namespace: o.kind === "Node" ? "" : o.namespace,
      name: o.name,
      uid: uid(o.kind.toLowerCase(), o.namespace, o.name),
      ...(o.fieldPath !== undefined ? { fieldPath: o.fieldPath } : {})
    },
    reason: o.reason,
    message: o.message,
    type: o.type ?? "Warning",
    count: o.count ?? 1,
    firstTimestamp: iso(o.first),
    lastTimestamp: iso(last),
    eventTime: null,
    source: { component: o.component ?? "kubelet", ...(o.host !== undefined ? { host: o.host } : {}) },
    reportingComponent: o.component ?? "kubelet"
  };
};

export const makeService = (o: {
  readonly namespace: string;
  readonly name: string;
  readonly selector: StringMap;
  readonly port: number;
  readonly targetPort?: number;
  readonly clusterIP: string;
  readonly createdAt: number;
}): Service => ({
  metadata: { name: o.name, namespace: o.namespace, uid: uid("svc", o.namespace, o.name), creationTimestamp: iso(o.createdAt) },
  spec: {
    type: "ClusterIP",
    clusterIP: o.clusterIP,
    clusterIPs: [o.clusterIP],
    selector: o.selector,
    ports: [{ name: "tcp", port: o.port, targetPort: o.targetPort ?? o.port, protocol: "TCP" }]
  }
});

/** The Endpoints the endpoints controller keeps for `service`: ready pods as addresses, others as not ready. */
export const makeEndpoints = (service: Service, pods: ReadonlyArray<Pod>): Endpoints => {
  const address = (p: Pod) => ({
    ip: p.status?.podIP ?? "",
    ...(p.spec?.nodeName !== undefined ? { nodeName: p.spec.nodeName } : {}),
    targetRef: { kind: "Pod", namespace: p.metadata.namespace ?? "", name: p.metadata.name, uid: p.metadata.uid ?? "" }
  });
  const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
  const ready = pods.filter((p) => p.status?.podIP !== undefined && isReady(p)).map(address);
  const notReady = pods.filter((p) => p.status?.podIP !== undefined && !isReady(p)).map(address);
  const port = service.spec?.ports?.[0];
  return {
    metadata: { name: service.metadata.name, namespace: service.metadata.namespace ?? "default", uid: uid("ep", service.metadata.namespace ?? "", service.metadata.name) },
    subsets:
      ready.length + notReady.length === 0
        ? []
        : [
            {
              ...(ready.length > 0 ? { addresses: ready } : {}),
              ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
              ports: [{ name: port?.name ?? "tcp", port: Number(port?.targetPort ?? port?.port ?? 80), protocol: "TCP" }]
            }
          ]
  };
};

export const makePvc = (o: {
  readonly namespace: string;
  readonly name: string;
  readonly storage: string;
  readonly storageClassName?: string;
  readonly phase: "Bound" | "Pending" | "Lost";
  readonly createdAt: number;
}): PersistentVolumeClaim => ({
  metadata: { name: o.name, namespace: o.namespace, uid: uid("pvc", o.namespace, o.name), creationTimestamp: iso(o.createdAt) },
  spec: {
    storageClassName: o.storageClassName ?? "gp3",
    resources: { requests: { storage: o.storage } },
    ...(o.phase === "Bound" ? { volumeName: `pvc-${uid("pv", o.namespace, o.name)}` } : {})
  },
  status: { phase: o.phase, ...(o.phase === "Bound" ? { capacity: { storage: o.storage } } : {}) }
});

export const makeResourceQuota = (o: { readonly namespace: string; readonly name: string; readonly hard: StringMap; readonly used: StringMap; readonly createdAt: number }): ResourceQuota => ({
  metadata: { name: o.name, namespace: o.namespace, uid: uid("quota", o.namespace, o.name), creationTimestamp: iso(o.createdAt) },
  spec: { hard: o.hard },
  status: { hard: o.hard, used: o.used }
});

export const httpProbe = (path: string, port: number, failureThreshold = 3): Probe => ({ httpGet: { path, port, scheme: "HTTP" }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold });
