import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type AgentResult,
  type AlertContext,
  ChatPlatform,
  decodeUnknown,
  type Hypothesis,
  type InvestigationReport,
  parseAlertPayload,
  parseChatAlert,
  renderReport,
  runInvestigation,
  Specialists
} from "@sre-on-call/core";
import { makeInMemoryChat } from "@sre-on-call/core/testing";
import { Duration, Effect, Result, Schema } from "effect";
import { makeEksSpecialist } from "../EksSpecialist.js";
import type { PodSpec, StringMap } from "../kube/KubeObjects.js";
import { makeDumpClusterSource } from "../source/DumpClusterSource.js";
import { ClusterFixture } from "./ClusterFixture.js";
import {
  type ContainerOptions,
  type ContainerStatusOptions,
  httpProbe,
  iso,
  makeDeployment,
  makeEndpoints,
  makeEvent,
  makeNode,
  makePod,
  makePvc,
  makeReplicaSet,
  makeResourceQuota,
  makeService,
  makeStatefulSet,
  type NodeOptions,
  running,
  terminated,
  waiting
} from "./kubeBuilders.js";
import { writeClusterDump } from "./writeClusterDump.js";

/*
 * Evaluation scenarios: one directory per failure mode, each an alert as it arrives, the
 * cluster as `kubectl cluster-info dump` captured it, and what the true root cause is.
 * `examples/scenarios` is generated from the definitions below (`writeScenarios`), read back
 * by `readScenario`, investigated end to end by `investigateScenario`, and scored by
 * `scoreScenario`; the accuracy test and `bench/investigate.ts` share all four.
 */

// ---------------------------------------------------------------------------------------------
// The expectation format (expected.json)

export const ScenarioExpectation = Schema.Struct({
  rootCause: Schema.Struct({
    /** Every term must appear (case-insensitive) in the top hypothesis's title or detail. */
    requiredTerms: Schema.Array(Schema.String)
  }),
  /** The workload the alert is about, `namespace/name`. */
  affected: Schema.String,
  /** Nothing is wrong: a hit is a report with no high-confidence hypothesis. */
  noHighConfidence: Schema.optionalKey(Schema.Literal(true)),
  /** For people reading the scenario; not scored. */
  description: Schema.optionalKey(Schema.String),
  /** When a plain-text alert (alert.txt, which has no timestamp of its own) was posted, ISO 8601. */
  alertTime: Schema.optionalKey(Schema.String)
});
export type ScenarioExpectation = typeof ScenarioExpectation.Type;

const decodeExpectation = decodeUnknown(ScenarioExpectation, "expected.json");

export class ScenarioError extends Schema.TaggedError<ScenarioError>()("ScenarioError", {
  scenario: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `scenario ${this.scenario}: ${this.reason}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** Every scenario's alert fires at this instant; the dumps are captured a few seconds later. */
export const SCENARIO_TIME = Date.parse("2026-04-02T09:30:00Z");
const T = SCENARIO_TIME;
const min = 60_000;
const day = 86_400_000;
const NODE_A = "ip-10-0-1-23.eu-west-1.compute.internal";
const NODE_B = "ip-10-0-2-41.eu-west-1.compute.internal";
const NODE_C = "ip-10-0-3-77.eu-west-1.compute.internal";
const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const KSM_LABELS = {
  job: "kube-state-metrics",
  service: "kube-prometheus-stack-kube-state-metrics",
  instance: "10.0.2.97:8080",
  endpoint: "http",
  prometheus: "monitoring/kube-prometheus-stack-prometheus"
} as const;

export interface AlertmanagerAlertSpec {
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
  readonly runbook: string;
  readonly expr: string;
  /** When the alert started firing; default 3 minutes before the dump was captured (the scenario time). */
  readonly startsAt?: number;
}

export type ScenarioAlert = { readonly kind: "alertmanager"; readonly alert: AlertmanagerAlertSpec } | { readonly kind: "text"; readonly text: string; readonly postedAt: number };

export interface ScenarioDefinition {
  /** The directory name. */
  readonly name: string;
  /** The failure mode of issue 4 it covers. */
  readonly failureMode: string;
  readonly fixture: () => ClusterFixture;
  /** The alert that pages, given the scenario's cluster (pod names are derived from it). */
  readonly alert: (f: ClusterFixture) => ScenarioAlert;
  readonly expected: Omit<ScenarioExpectation, "alertTime">;
}

const ts = (ms: number) => new Date(ms).toISOString();
const quietLog = (service: string, from = T - 5 * min, lines = 5) =>
  Array.from({ length: lines }, (_, i) => `${ts(from + i * 53_000)} INFO  ${service}: handled ${210 + i * 17} requests in the last minute (p99 ${38 + i} ms)`).join("\n") + "\n";

interface WorkloadSpec {
  readonly namespace: string;
  readonly name: string;
  readonly containers: ReadonlyArray<ContainerOptions>;
  readonly replicas?: number;
  readonly labels?: StringMap;
  readonly createdAt?: number;
  /** When the pods were (re)created; default a week ago. */
  readonly podsSince?: number;
  readonly nodes?: ReadonlyArray<string>;
  readonly statuses?: (i: number) => ReadonlyArray<ContainerStatusOptions> | undefined;
  readonly unschedulable?: string;
  readonly volumes?: PodSpec["volumes"];
  /** Log of each pod's first container: `current` and `previous`. */
  readonly logs?: (podName: string, i: number) => { readonly current?: string; readonly previous?: string } | undefined;
  /** A ClusterIP Service in front of the pods, with its Endpoints. */
  readonly service?: { readonly port: number; readonly targetPort?: number; readonly clusterIP: string; readonly name?: string };
  readonly revision?: number;
}

/** A Deployment with one ReplicaSet, its pods, their logs and optionally a Service, added to `f`. */
const deployment = (f: ClusterFixture, s: WorkloadSpec) => {
  const replicas = s.replicas ?? 2;
  const createdAt = s.createdAt ?? T - 60 * day;
  const d = makeDeployment({
    namespace: s.namespace,
    name: s.name,
    replicas,
    createdAt,
    containers: s.containers,
    revision: s.revision ?? 3,
    ...(s.labels !== undefined ? { labels: s.labels } : {}),
    ...(s.volumes !== undefined ? { volumes: s.volumes } : {})
  });
  const rs = makeReplicaSet(d, { revision: s.revision ?? 3, createdAt: s.podsSince ?? T - 7 * day, replicas });
  const nodes = s.nodes ?? [NODE_A, NODE_B];
  const pods = Array.from({ length: replicas }, (_, i) => {
    const statuses = s.statuses?.(i);
    return makePod({
      owner: rs,
      ownerKind: "ReplicaSet",
      ordinal: i,
      node: nodes[i % nodes.length] ?? NODE_A,
      createdAt: s.podsSince ?? T - 7 * day,
      ...(statuses !== undefined ? { statuses } : {}),
      ...(s.unschedulable !== undefined ? { unschedulable: s.unschedulable } : {})
    });
  });
  f.add("deployments", d).add("replicasets", rs).add("pods", ...pods);
  const container = s.containers[0]?.name ?? s.name;
  pods.forEach((p, i) => {
    const log = s.logs?.(p.metadata.name, i);
    if (log !== undefined) f.addLog({ namespace: s.namespace, pod: p.metadata.name, container, ...log });
  });
  if (s.service !== undefined) {
    const svc = makeService({
      namespace: s.namespace,
      name: s.service.name ?? s.name,
      selector: d.spec?.selector?.matchLabels ?? {},
      port: s.service.port,
      clusterIP: s.service.clusterIP,
      createdAt,
      ...(s.service.targetPort !== undefined ? { targetPort: s.service.targetPort } : {})
    });
    f.add("services", svc).add("endpoints", makeEndpoints(svc, pods));
  }
  return { deployment: d, rs, pods };
};

/**
 * What every scenario's cluster has besides its failure: three nodes, CoreDNS behind kube-dns,
 * kube-state-metrics (whose labels the alerts carry), a healthy storefront, and a batch job
 * crash-looping out of memory in its own namespace: noise that must stay out of the reports.
 */
const cluster = (o: { readonly nodes?: Partial<Record<"a" | "b" | "c", NodeOptions>>; readonly coredns?: (f: ClusterFixture) => void } = {}): ClusterFixture => {
  const f = new ClusterFixture().addNodes(
    makeNode(NODE_A, T, { ip: "10.0.1.23", zone: "eu-west-1a", ...o.nodes?.a }),
    makeNode(NODE_B, T, { ip: "10.0.2.41", zone: "eu-west-1b", ...o.nodes?.b }),
    makeNode(NODE_C, T, { ip: "10.0.3.77", zone: "eu-west-1c", ...o.nodes?.c })
  );
  if (o.coredns !== undefined) o.coredns(f);
  else
    deployment(f, {
      namespace: "kube-system",
      name: "coredns",
      labels: { "k8s-app": "kube-dns" },
      createdAt: T - 300 * day,
      podsSince: T - 40 * day,
      containers: [{ name: "coredns", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4", memoryLimit: "170Mi", port: 53 }],
      service: { name: "kube-dns", port: 53, clusterIP: "172.20.0.10" },
      logs: () => ({ current: ".:53\n[INFO] plugin/reload: Running configuration SHA512 = 8a7d59126e7f114a\nCoreDNS-1.11.1\nlinux/amd64, go1.21.9, ae2bbc29\n" })
    });
  deployment(f, {
    namespace: "monitoring",
    name: "kube-prometheus-stack-kube-state-metrics",
    replicas: 1,
    nodes: [NODE_B],
    containers: [{ name: "kube-state-metrics", image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.10.1", port: 8080 }],
    service: { port: 8080, clusterIP: "172.20.77.3" }
  });
  deployment(f, {
    namespace: "storefront",
    name: "web",
    replicas: 1,
    containers: [{ name: "web", image: `${ECR}/storefront-web:5.2.0`, memoryLimit: "384Mi", port: 3000, readinessProbe: httpProbe("/ready", 3000) }],
    service: { port: 80, targetPort: 3000, clusterIP: "172.20.33.12" },
    logs: () => ({ current: quietLog("storefront-web") })
  });
  deployment(f, {
    namespace: "batch",
    name: "nightly-etl",
    replicas: 1,
    nodes: [NODE_C],
    podsSince: T - 3 * 3_600_000,
    containers: [{ name: "etl", image: `${ECR}/nightly-etl:0.9.4`, memoryLimit: "1Gi" }],
    statuses: () => [{ ready: false, restartCount: 14, state: waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container=etl"), lastState: terminated("OOMKilled", 137, T - 4 * min) }]
  });
  return f;
};

const crashing = (restarts: number, reason: string, exitCode: number, at = T - 2 * min): ReadonlyArray<ContainerStatusOptions> => [
  { ready: false, restartCount: restarts, state: waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container"), lastState: terminated(reason, exitCode, at) }
];

const podAlert = (alertname: string, namespace: string, pod: string, container: string, extra: Partial<AlertmanagerAlertSpec> & Pick<AlertmanagerAlertSpec, "summary" | "description" | "runbook" | "expr">): AlertmanagerAlertSpec => ({
  labels: { alertname, namespace, pod, container, severity: "warning", ...KSM_LABELS, ...(extra.labels ?? {}) },
  summary: extra.summary,
  description: extra.description,
  runbook: extra.runbook,
  expr: extra.expr,
  ...(extra.startsAt !== undefined ? { startsAt: extra.startsAt } : {})
});

const crashLoopingAlert = (namespace: string, pod: string, container: string): AlertmanagerAlertSpec =>
  podAlert("KubePodCrashLooping", namespace, pod, container, {
    summary: "Pod is crash looping.",
    description: `Pod ${namespace}/${pod} (${container}) is in waiting state (reason: "CrashLoopBackOff").`,
    runbook: "kubepodcrashlooping",
    expr: 'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",namespace=~".*",reason="CrashLoopBackOff"}[5m]) >= 1'
  });

const replicasMismatchAlert = (namespace: string, name: string, severity = "warning"): AlertmanagerAlertSpec => ({
  labels: { alertname: "KubeDeploymentReplicasMismatch", namespace, deployment: name, severity, ...KSM_LABELS },
  summary: "Deployment has not matched the expected number of replicas.",
  description: `Deployment ${namespace}/${name} has not matched the expected number of replicas for longer than 15 minutes.`,
  runbook: "kubedeploymentreplicasmismatch",
  expr: 'kube_deployment_spec_replicas{job="kube-state-metrics"} > kube_deployment_status_replicas_available{job="kube-state-metrics"}'
});

const podNotReadyAlert = (namespace: string, pod: string): AlertmanagerAlertSpec => ({
  labels: { alertname: "KubePodNotReady", namespace, pod, severity: "warning", ...KSM_LABELS },
  summary: "Pod has been in a non-ready state for more than 15 minutes.",
  description: `Pod ${namespace}/${pod} has been in a non-ready state for longer than 15 minutes.`,
  runbook: "kubepodnotready",
  expr: 'sum by (namespace, pod, cluster) (max by(namespace, pod, cluster) (kube_pod_status_phase{job="kube-state-metrics", phase=~"Pending|Unknown|Failed"})) > 0'
});

const podName = (f: ClusterFixture, namespace: string, prefix: string, index = 0): string => {
  const pod = f.list("pods", namespace).filter((p) => p.metadata.name.startsWith(`${prefix}-`))[index];
  if (pod === undefined) throw new Error(`scenario fixture has no pod ${namespace}/${prefix}-*`);
  return pod.metadata.name;
};

// ---- one fixture per failure mode

const crashLoopMissingEnv = (): ClusterFixture => {
  const f = cluster();
  deployment(f, {
    namespace: "shop",
    name: "orders",
    replicas: 2,
    podsSince: T - 25 * min,
    containers: [{ name: "orders", image: `${ECR}/orders:3.2.0`, memoryLimit: "768Mi", port: 8080 }],
    statuses: () => crashing(9, "Error", 1),
    service: { port: 80, targetPort: 8080, clusterIP: "172.20.41.8" },
    logs: () => ({
      previous: [
        "2026-04-02 09:27:58.101  INFO 1 --- [           main] c.e.orders.OrdersApplication             : Starting OrdersApplication v3.2.0 using Java 21.0.2",
        "2026-04-02 09:27:59.877 ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application run failed",
        "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'ordersRepository' defined in URL [jar:file:/app/app.jar!/BOOT-INF/classes!/com/example/orders/OrdersRepository.class]",
        "\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.initializeBean(AbstractAutowireCapableBeanFactory.java:1786)",
        "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:1352)",
        "Caused by: java.lang.IllegalStateException: Required property 'ORDERS_DB_PASSWORD' is not set",
        "\tat com.example.orders.config.DbConfig.dataSource(DbConfig.java:41)",
        "\t... 23 common frames omitted"
      ].join("\n") + "\n"
    })
  });
  deployment(f, { namespace: "shop", name: "catalog", containers: [{ name: "catalog", image: `${ECR}/catalog:1.4.2`, port: 8080 }], logs: () => ({ current: quietLog("catalog") }) });
  return f;
};

const crashLoopExitCode = (): ClusterFixture => {
  const f = cluster();
  deployment(f, {
    namespace: "shop",
    name: "invoicer",
    replicas: 2,
    podsSince: T - 20 * min,
    containers: [{ name: "invoicer", image: `${ECR}/invoicer:2.0.1`, memoryLimit: "256Mi" }],
    statuses: () => crashing(8, "Error", 127),
    logs: () => ({ previous: "" })
  });
  deployment(f, { namespace: "shop", name: "catalog", containers: [{ name: "catalog", image: `${ECR}/catalog:1.4.2`, port: 8080 }], logs: () => ({ current: quietLog("catalog") }) });
  return f;
};

const oomKilled = (): ClusterFixture => {
  const f = cluster();
  deployment(f, {
    namespace: "shop",
    name: "search",
    replicas: 3,
    nodes: [NODE_A, NODE_B, NODE_C],
    podsSince: T - 2 * day,
    containers: [{ name: "search", image: `${ECR}/search:4.1.0`, memoryLimit: "256Mi", memoryRequest: "256Mi", port: 9200 }],
    statuses: (i) => (i === 2 ? [{ restartCount: 4, state: running(T - 6 * min), lastState: terminated("OOMKilled", 137, T - 6 * min - 2_000) }] : crashing(5 + i, "OOMKilled", 137, T - 3 * min - i * 20_000)),
    logs: () => ({ current: quietLog("search") })
  });
  return f;
};

const imagePull = (): ClusterFixture => {
  const f = cluster();
  const image = `${ECR}/cart:2.0.0-rc1`;
  const { pods } = deployment(f, {
    namespace: "shop",
    name: "cart",
    replicas: 2,
    podsSince: T - 12 * min,
    containers: [{ name: "cart", image, memoryLimit: "256Mi", port: 8080 }],
    statuses: () => [{ ready: false, state: waiting("ImagePullBackOff", `Back-off pulling image "${image}"`) }]
  });
  for (const p of pods) {
    f.add(
      "events",
      makeEvent({ namespace: "shop", kind: "Pod", name: p.metadata.name, reason: "Pulling", type: "Normal", message: `Pulling image "${image}"`, count: 6, first: T - 12 * min, last: T - 2 * min, fieldPath: "spec.containers{cart}" }),
      makeEvent({
        namespace: "shop",
        kind: "Pod",
        name: p.metadata.name,
        reason: "Failed",
        message: `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
        count: 6,
        first: T - 12 * min,
        last: T - 2 * min,
        fieldPath: "spec.containers{cart}"
      }),
      makeEvent({ namespace: "shop", kind: "Pod", name: p.metadata.name, reason: "BackOff", type: "Normal", message: `Back-off pulling image "${image}"`, count: 41, first: T - 11 * min, last: T - 20_000, fieldPath: "spec.containers{cart}" })
    );
  }
  return f;
};

const configError = (): ClusterFixture => {
  const f = cluster();
  const { pods } = deployment(f, {
    namespace: "shop",
    name: "checkout",
    replicas: 2,
    podsSince: T - 18 * min,
    containers: [
      {
        name: "checkout",
        image: `${ECR}/checkout:7.3.0`,
        memoryLimit: "512Mi",
        port: 8080,
        env: [{ name: "STRIPE_API_KEY", valueFrom: { secretKeyRef: { name: "checkout-secrets", key: "STRIPE_API_KEY" } } }]
      }
    ],
    statuses: () => [{ ready: false, state: waiting("CreateContainerConfigError", "couldn't find key STRIPE_API_KEY in Secret shop/checkout-secrets") }]
  });
  for (const p of pods)
    f.add("events", makeEvent({ namespace: "shop", kind: "Pod", name: p.metadata.name, reason: "Failed", message: "Error: couldn't find key STRIPE_API_KEY in Secret shop/checkout-secrets", count: 80, first: T - 18 * min, last: T - 15_000, fieldPath: "spec.containers{checkout}" }));
  return f;
};

const SCHED_MEMORY = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
const schedulingInsufficient = (): ClusterFixture => {
  const f = cluster();
  const { pods } = deployment(f, {
    namespace: "ml",
    name: "trainer",
    replicas: 1,
    podsSince: T - 25 * min,
    containers: [{ name: "trainer", image: `${ECR}/trainer:0.6.0`, memoryRequest: "24Gi", memoryLimit: "24Gi", cpuRequest: "4" }],
    unschedulable: SCHED_MEMORY
  });
  f.add("events", makeEvent({ namespace: "ml", kind: "Pod", name: pods[0]!.metadata.name, reason: "FailedScheduling", message: SCHED_MEMORY, count: 27, first: T - 25 * min, last: T - min, component: "default-scheduler" }));
  return f;
};

const SCHED_TAINT = "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
const schedulingTaint = (): ClusterFixture => {
  const taints = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }];
  const f = cluster({ nodes: { a: { taints }, b: { taints }, c: { taints } } });
  const { pods } = deployment(f, {
    namespace: "ml",
    name: "inference",
    replicas: 1,
    podsSince: T - 22 * min,
    containers: [{ name: "inference", image: `${ECR}/inference:1.2.0`, memoryRequest: "2Gi" }],
    unschedulable: SCHED_TAINT
  });
  f.add("events", makeEvent({ namespace: "ml", kind: "Pod", name: pods[0]!.metadata.name, reason: "FailedScheduling", message: SCHED_TAINT, count: 19, first: T - 22 * min, last: T - min, component: "default-scheduler" }));
  return f;
};

const SCHED_PVC = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
const schedulingUnboundPvc = (): ClusterFixture => {
  const f = cluster();
  const { pods } = deployment(f, {
    namespace: "shop",
    name: "uploads",
    replicas: 1,
    podsSince: T - 20 * min,
    containers: [{ name: "uploads", image: `${ECR}/uploads:1.0.3` }],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "uploads-data" } }],
    unschedulable: SCHED_PVC
  });
  f.add("persistentvolumeclaims", makePvc({ namespace: "shop", name: "uploads-data", storage: "50Gi", storageClassName: "gp3-encrypted", phase: "Pending", createdAt: T - 20 * min }));
  f.add(
    "events",
    makeEvent({ namespace: "shop", kind: "PersistentVolumeClaim", name: "uploads-data", reason: "ProvisioningFailed", message: 'storageclass.storage.k8s.io "gp3-encrypted" not found', count: 81, first: T - 20 * min, last: T - min, component: "persistentvolume-controller" }),
    makeEvent({ namespace: "shop", kind: "Pod", name: pods[0]!.metadata.name, reason: "FailedScheduling", message: SCHED_PVC, count: 6, first: T - 20 * min, last: T - 2 * min, component: "default-scheduler" })
  );
  return f;
};

const pvcProvisioning = (): ClusterFixture => {
  const f = cluster();
  const sts = makeStatefulSet({
    namespace: "messaging",
    name: "kafka",
    replicas: 1,
    ready: 0,
    createdAt: T - 30 * min,
    containers: [{ name: "kafka", image: "bitnami/kafka:3.7.0", memoryRequest: "2Gi", port: 9092 }],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-kafka-0" } }]
  });
  const message =
    'failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume "pvc-6f1d0c5e-2b8a-4e52-9d1e-3f0a7c9b8e21": could not create volume in EC2: UnauthorizedOperation: You are not authorized to perform this operation. status code: 403, request id: 3c8e2f1a-7b6d-4c0e-9a51-2d4f8e6b1c07';
  const pod = makePod({ owner: sts, ownerKind: "StatefulSet", ordinal: 0, createdAt: T - 30 * min, unschedulable: SCHED_PVC });
  f.add("statefulsets", sts).add("pods", pod);
  f.add("persistentvolumeclaims", makePvc({ namespace: "messaging", name: "data-kafka-0", storage: "100Gi", storageClassName: "gp3", phase: "Pending", createdAt: T - 30 * min }));
  f.add(
    "events",
    makeEvent({ namespace: "messaging", kind: "PersistentVolumeClaim", name: "data-kafka-0", reason: "ExternalProvisioning", type: "Normal", message: "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator.", count: 122, first: T - 30 * min, last: T - 10_000, component: "persistentvolume-controller" }),
    makeEvent({ namespace: "messaging", kind: "PersistentVolumeClaim", name: "data-kafka-0", reason: "ProvisioningFailed", message, count: 17, first: T - 29 * min, last: T - min, component: "ebs.csi.aws.com_ebs-csi-controller-7d9c8b6f5-x2k4q_1b5e0f2c" }),
    makeEvent({ namespace: "messaging", kind: "Pod", name: pod.metadata.name, reason: "FailedScheduling", message: SCHED_PVC, count: 7, first: T - 30 * min, last: T - 3 * min, component: "default-scheduler" })
  );
  return f;
};

const livenessProbe = (): ClusterFixture => {
  const f = cluster();
  const { pods } = deployment(f, {
    namespace: "edge",
    name: "gateway",
    replicas: 2,
    podsSince: T - 3 * day,
    containers: [{ name: "gateway", image: `${ECR}/gateway:7.0.2`, memoryLimit: "512Mi", port: 8080, livenessProbe: httpProbe("/healthz", 8080), readinessProbe: httpProbe("/ready", 8080) }],
    statuses: (i) => [{ ready: i === 1, restartCount: 6 + i, state: running(T - min - i * 30_000), lastState: terminated("Error", 137, T - min - i * 30_000 - 1_000) }],
    logs: (_, i) => ({ current: `${ts(T - min - i * 30_000)} INFO  gateway 7.0.2 listening on :8080\n${ts(T - 40_000)} WARN  upstream pool exhausted: 256/256 connections busy, queueing request\n` })
  });
  pods.forEach((p, i) =>
    f.add(
      "events",
      makeEvent({ namespace: "edge", kind: "Pod", name: p.metadata.name, reason: "Unhealthy", message: `Liveness probe failed: Get "http://10.0.${20 + i}.14:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, count: 18 + i, first: T - 25 * min, last: T - min, fieldPath: "spec.containers{gateway}" }),
      makeEvent({ namespace: "edge", kind: "Pod", name: p.metadata.name, reason: "Killing", type: "Normal", message: "Container gateway failed liveness probe, will be restarted", count: 6 + i, first: T - 25 * min, last: T - min, fieldPath: "spec.containers{gateway}" })
    )
  );
  return f;
};

const readinessProbe = (): ClusterFixture => {
  const f = cluster();
  const { pods } = deployment(f, {
    namespace: "shop",
    name: "pricing",
    replicas: 2,
    podsSince: T - 5 * day,
    containers: [{ name: "pricing", image: `${ECR}/pricing:2.8.1`, memoryLimit: "512Mi", port: 8080, readinessProbe: httpProbe("/ready", 8080) }],
    statuses: () => [{ ready: false, state: running(T - 5 * day) }],
    service: { port: 80, targetPort: 8080, clusterIP: "172.20.52.19" },
    logs: () => ({ current: quietLog("pricing", T - 8 * min, 3) + `${ts(T - 60_000)} WARN  GET /ready -> 503 (rates cache warming: 0/412 currencies loaded)\n` })
  });
  pods.forEach((p, i) =>
    f.add("events", makeEvent({ namespace: "shop", kind: "Pod", name: p.metadata.name, reason: "Unhealthy", message: "Readiness probe failed: HTTP probe failed with statuscode: 503", count: 90 + i, first: T - 16 * min, last: T - 10_000, fieldPath: "spec.containers{pricing}" }))
  );
  return f;
};

const EVICTED_DISK = "The node was low on resource: ephemeral-storage. Threshold quantity: 4281994837, available: 3127732Ki. Container renderer was using 38562716Ki, request is 0, has larger consumption of ephemeral-storage.";
const evictionDiskPressure = (): ClusterFixture => {
  const f = cluster({ nodes: { c: { diskPressure: true, readySince: T - 34 * min, taints: [{ key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule", timeAdded: iso(T - 34 * min) }] } } });
  const d = makeDeployment({ namespace: "media", name: "renderer", replicas: 2, createdAt: T - 50 * day, revision: 4, containers: [{ name: "renderer", image: `${ECR}/renderer:3.1.0`, memoryLimit: "2Gi" }] });
  const rs = makeReplicaSet(d, { revision: 4, createdAt: T - 6 * day, replicas: 2, ready: 1 });
  const evicted = [0, 1].map((i) =>
    makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: i, node: NODE_C, createdAt: T - 6 * day, phase: "Failed", reason: "Evicted", message: EVICTED_DISK, statuses: [{ ready: false, state: terminated("ContainerStatusUnknown", 137, T - (30 - i * 6) * min) }] })
  );
  const replacement = makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: 2, node: NODE_A, createdAt: T - 24 * min });
  const pending = makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: 3, createdAt: T - 24 * min, unschedulable: "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod." });
  f.add("deployments", d).add("replicasets", rs).add("pods", ...evicted, replacement, pending);
  evicted.forEach((p, i) => f.add("events", makeEvent({ namespace: "media", kind: "Pod", name: p.metadata.name, reason: "Evicted", message: EVICTED_DISK.split(" Container")[0] ?? EVICTED_DISK, first: T - (30 - i * 6) * min, host: NODE_C })));
  f.add(
    "events",
    makeEvent({ namespace: "default", kind: "Node", name: NODE_C, reason: "EvictionThresholdMet", message: "Attempting to reclaim ephemeral-storage", count: 3, first: T - 34 * min, last: T - 24 * min, host: NODE_C }),
    makeEvent({ namespace: "default", kind: "Node", name: NODE_C, reason: "NodeHasDiskPressure", type: "Normal", message: `Node ${NODE_C} status is now: NodeHasDiskPressure`, first: T - 34 * min, host: NODE_C }),
    makeEvent({ namespace: "default", kind: "Node", name: NODE_C, reason: "FreeDiskSpaceFailed", message: "Failed to garbage collect required amount of images. Attempted to free 9318461030 bytes, but only found 0 bytes eligible to free.", count: 4, first: T - 33 * min, last: T - 3 * min, host: NODE_C })
  );
  return f;
};

const nodeNotReady = (): ClusterFixture => {
  const f = cluster({ nodes: { b: { ready: "Unknown", readySince: T - 12 * min } } });
  deployment(f, {
    namespace: "finance",
    name: "billing",
    replicas: 2,
    nodes: [NODE_B, NODE_B],
    containers: [{ name: "billing", image: `${ECR}/billing:5.0.3`, memoryLimit: "512Mi", port: 8080 }],
    statuses: () => [{ ready: false, state: running(T - 7 * day) }],
    service: { port: 80, targetPort: 8080, clusterIP: "172.20.61.4" }
  });
  f.add(
    "events",
    makeEvent({ namespace: "default", kind: "Node", name: NODE_B, reason: "NodeNotReady", type: "Normal", message: `Node ${NODE_B} status is now: NodeNotReady`, first: T - 12 * min, component: "node-controller" })
  );
  return f;
};

const quotaFailedCreate = (): ClusterFixture => {
  const f = cluster();
  const spec = {
    namespace: "reports",
    name: "renderer",
    replicas: 3,
    createdAt: T - 90 * day,
    revision: 2,
    containers: [{ name: "renderer", image: `${ECR}/report-renderer:1.3.0`, memoryLimit: "1Gi", memoryRequest: "512Mi" }]
  };
  const rs = makeReplicaSet(makeDeployment(spec), { revision: 2, createdAt: T - 20 * day, replicas: 3, ready: 1 });
  const rejected = `pods "${rs.metadata.name}-x7k2p" is forbidden: exceeded quota: compute, requested: limits.memory=1Gi, used: limits.memory=7Gi, limited: limits.memory=7Gi`;
  const d = makeDeployment({
    ...spec,
    status: {
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      unavailableReplicas: 2,
      conditions: [
        { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability.", lastUpdateTime: iso(T - 15 * min), lastTransitionTime: iso(T - 15 * min) },
        { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: rejected, lastUpdateTime: iso(T - 15 * min), lastTransitionTime: iso(T - 15 * min) }
      ]
    }
  });
  const pod = makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: 0, node: NODE_A, createdAt: T - 20 * day });
  f.add("deployments", d).add("replicasets", rs).add("pods", pod);
  f.add("resourcequotas", makeResourceQuota({ namespace: "reports", name: "compute", hard: { "limits.memory": "7Gi", "requests.cpu": "8" }, used: { "limits.memory": "7Gi", "requests.cpu": "2" }, createdAt: T - 120 * day }));
  f.add(
    "events",
    makeEvent({
      namespace: "reports",
      kind: "ReplicaSet",
      name: rs.metadata.name,
      reason: "FailedCreate",
      component: "replicaset-controller",
      message: `Error creating: ${rejected}`,
      count: 14,
      first: T - 15 * min,
      last: T - min
    })
  );
  // What used up the quota: a batch of report workers someone scaled up.
  deployment(f, { namespace: "reports", name: "worker", replicas: 3, nodes: [NODE_A, NODE_B, NODE_C], podsSince: T - 16 * min, containers: [{ name: "worker", image: `${ECR}/report-worker:1.3.0`, memoryLimit: "2Gi" }] });
  return f;
};

const badRollout = (): ClusterFixture => {
  const f = cluster();
  const d = makeDeployment({
    namespace: "shop",
    name: "api",
    replicas: 3,
    revision: 5,
    createdAt: T - 60 * day,
    containers: [{ name: "api", image: `${ECR}/shop-api:1.8.0`, memoryLimit: "512Mi", port: 8080, readinessProbe: httpProbe("/ready", 8080) }],
    status: {
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 1,
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." },
        { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: "ReplicaSet is progressing.", lastUpdateTime: iso(T - 9 * min) }
      ]
    }
  });
  const old = makeReplicaSet(d, { revision: 4, createdAt: T - 10 * day, replicas: 3, containers: [{ name: "api", image: `${ECR}/shop-api:1.7.3`, memoryLimit: "512Mi", port: 8080, readinessProbe: httpProbe("/ready", 8080) }] });
  const fresh = makeReplicaSet(d, { revision: 5, createdAt: T - 9 * min, replicas: 1, ready: 0 });
  const oldPods = [0, 1, 2].map((i) => makePod({ owner: old, ownerKind: "ReplicaSet", ordinal: i, node: [NODE_A, NODE_B, NODE_C][i] ?? NODE_A, createdAt: T - 10 * day }));
  const newPod = makePod({ owner: fresh, ownerKind: "ReplicaSet", ordinal: 3, node: NODE_B, createdAt: T - 9 * min, statuses: crashing(5, "Error", 2, T - min) });
  f.add("deployments", d).add("replicasets", old, fresh).add("pods", ...oldPods, newPod);
  oldPods.forEach((p) => f.addLog({ namespace: "shop", pod: p.metadata.name, container: "api", current: quietLog("shop-api") }));
  f.addLog({
    namespace: "shop",
    pod: newPod.metadata.name,
    container: "api",
    previous: `${ts(T - min - 900)} INFO  shop-api 1.8.0 starting\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x8c1a2f]\n\ngoroutine 1 [running]:\nmain.loadConfig(...)\n\t/src/cmd/api/main.go:57 +0x2f\nmain.main()\n\t/src/cmd/api/main.go:23 +0x45\n`
  });
  f.add(
    "events",
    makeEvent({ namespace: "shop", kind: "Deployment", name: "api", reason: "ScalingReplicaSet", type: "Normal", message: `Scaled up replica set ${fresh.metadata.name} to 1`, first: T - 9 * min, component: "deployment-controller" }),
    makeEvent({ namespace: "shop", kind: "Pod", name: newPod.metadata.name, reason: "BackOff", message: `Back-off restarting failed container api in pod ${newPod.metadata.name}_shop`, count: 22, first: T - 8 * min, last: T - 20_000, fieldPath: "spec.containers{api}" })
  );
  const svc = makeService({ namespace: "shop", name: "api", selector: d.spec?.selector?.matchLabels ?? {}, port: 80, targetPort: 8080, clusterIP: "172.20.14.201", createdAt: T - 60 * day });
  f.add("services", svc).add("endpoints", makeEndpoints(svc, [...oldPods, newPod]));
  return f;
};

const logException = (): ClusterFixture => {
  const f = cluster();
  deployment(f, {
    namespace: "data",
    name: "ingest-worker",
    replicas: 2,
    podsSince: T - 40 * min,
    containers: [{ name: "worker", image: `${ECR}/ingest-worker:4.0.0`, memoryLimit: "1Gi" }],
    statuses: (i) => crashing(6 + i, "Error", 1, T - 90_000 - i * 20_000),
    logs: () => ({
      previous: [
        `${ts(T - 2 * min)} INFO  ingest-worker 4.0.0 starting, consuming topic events.v2`,
        `${ts(T - 2 * min + 800)} INFO  connected to kafka-0.kafka.messaging.svc.cluster.local:9092`,
        "Traceback (most recent call last):",
        '  File "/app/worker/main.py", line 88, in <module>',
        "    main()",
        '  File "/app/worker/main.py", line 71, in main',
        "    schema = load_schema(settings.SCHEMA_REGISTRY, 'events.v2')",
        '  File "/app/worker/schemas.py", line 19, in load_schema',
        "    return registry[name]['fields']",
        "KeyError: 'fields'"
      ].join("\n") + "\n"
    })
  });
  return f;
};

const diskFull = (): ClusterFixture => {
  const f = cluster();
  const sts = makeStatefulSet({
    namespace: "inventory",
    name: "inventory-db",
    replicas: 1,
    ready: 0,
    createdAt: T - 200 * day,
    containers: [{ name: "postgres", image: "postgres:15.6", memoryLimit: "2Gi", port: 5432 }],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-inventory-db-0" } }]
  });
  const pod = makePod({ owner: sts, ownerKind: "StatefulSet", ordinal: 0, node: NODE_A, createdAt: T - 200 * day, statuses: crashing(7, "Error", 1, T - 3 * min) });
  const pg = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", " UTC");
  const log =
    [
      `${pg(T - 3 * min - 9_000)} [1] LOG:  starting PostgreSQL 15.6 on x86_64-pc-linux-gnu`,
      `${pg(T - 3 * min - 8_800)} [27] LOG:  database system was not properly shut down; automatic recovery in progress`,
      `${pg(T - 3 * min - 8_100)} [27] PANIC:  could not write to file "pg_wal/xlogtemp.27": No space left on device`,
      `${pg(T - 3 * min - 8_000)} [1] LOG:  startup process (PID 27) was terminated by signal 6: Aborted`,
      `${pg(T - 3 * min - 7_900)} [1] LOG:  database system is shut down`
    ].join("\n") + "\n";
  f.add("statefulsets", sts).add("pods", pod);
  f.add("persistentvolumeclaims", makePvc({ namespace: "inventory", name: "data-inventory-db-0", storage: "20Gi", phase: "Bound", createdAt: T - 200 * day }));
  f.addLog({ namespace: "inventory", pod: pod.metadata.name, container: "postgres", previous: log });
  const svc = makeService({ namespace: "inventory", name: "inventory-db", selector: sts.spec?.selector?.matchLabels ?? {}, port: 5432, clusterIP: "172.20.88.5", createdAt: T - 200 * day });
  f.add("services", svc).add("endpoints", makeEndpoints(svc, [pod]));
  return f;
};

const dependencyRefused = (): ClusterFixture => {
  const f = cluster();
  // Someone scaled the cache to zero; the Service stays, with no endpoint behind it.
  const cache = makeDeployment({
    namespace: "shop",
    name: "redis",
    replicas: 0,
    createdAt: T - 120 * day,
    containers: [{ name: "redis", image: "redis:7.2.4", memoryLimit: "1Gi", port: 6379 }],
    status: { replicas: 0, conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }] }
  });
  const cacheRs = makeReplicaSet(cache, { revision: 1, createdAt: T - 120 * day, replicas: 0 });
  const cacheSvc = makeService({ namespace: "shop", name: "redis", selector: cache.spec?.selector?.matchLabels ?? {}, port: 6379, clusterIP: "172.20.66.9", createdAt: T - 120 * day });
  f.add("deployments", cache).add("replicasets", cacheRs).add("services", cacheSvc).add("endpoints", makeEndpoints(cacheSvc, []));
  f.add("events", makeEvent({ namespace: "shop", kind: "Deployment", name: "redis", reason: "ScalingReplicaSet", type: "Normal", message: `Scaled down replica set ${cacheRs.metadata.name} to 0 from 1`, first: T - 21 * min, component: "deployment-controller" }));
  deployment(f, {
    namespace: "shop",
    name: "sessions",
    replicas: 2,
    containers: [{ name: "sessions", image: `${ECR}/sessions:2.2.0`, memoryLimit: "256Mi", port: 8080, readinessProbe: httpProbe("/ready", 8080) }],
    statuses: () => [{ ready: false, state: running(T - 7 * day) }],
    service: { port: 80, targetPort: 8080, clusterIP: "172.20.66.40" },
    logs: (_, i) => ({
      current:
        quietLog("sessions", T - 40 * min, 2) +
        Array.from({ length: 12 }, (_, k) => `${ts(T - 19 * min + k * 90_000 + i * 500)} ERROR session store unavailable: Error: connect ECONNREFUSED 172.20.66.9:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)`).join("\n") +
        "\n"
    })
  });
  return f;
};

const dnsCoreDns = (): ClusterFixture => {
  const f = cluster({
    coredns: (g) =>
      deployment(g, {
        namespace: "kube-system",
        name: "coredns",
        labels: { "k8s-app": "kube-dns" },
        createdAt: T - 300 * day,
        podsSince: T - 40 * day,
        containers: [{ name: "coredns", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4", memoryLimit: "170Mi", port: 53 }],
        statuses: (i) => crashing(9 + i, "OOMKilled", 137, T - 2 * min - i * 15_000),
        service: { name: "kube-dns", port: 53, clusterIP: "172.20.0.10" },
        logs: () => ({ previous: ".:53\n[INFO] plugin/reload: Running configuration SHA512 = 8a7d59126e7f114a\nCoreDNS-1.11.1\nlinux/amd64, go1.21.9, ae2bbc29\n" })
      })
  });
  deployment(f, {
    namespace: "shop",
    name: "orders-db",
    replicas: 1,
    containers: [{ name: "postgres", image: "postgres:15.6", memoryLimit: "2Gi", port: 5432 }],
    service: { name: "postgres", port: 5432, clusterIP: "172.20.5.5" },
    logs: () => ({ current: "2026-04-02 09:20:00.000 UTC [1] LOG:  checkpoint complete\n" })
  });
  deployment(f, {
    namespace: "shop",
    name: "web",
    replicas: 2,
    containers: [{ name: "web", image: `${ECR}/shop-web:9.1.0`, memoryLimit: "384Mi", port: 8080, readinessProbe: httpProbe("/ready", 8080) }],
    statuses: () => [{ ready: false, state: running(T - 7 * day) }],
    service: { port: 80, targetPort: 8080, clusterIP: "172.20.70.2" },
    logs: (_, i) => ({
      current: Array.from({ length: 6 }, (_, k) => `time="${ts(T - 6 * min + k * 55_000 + i * 700)}" level=error msg="db connect failed" error="dial tcp: lookup postgres.shop.svc.cluster.local on 172.20.0.10:53: read udp 10.0.${20 + i}.3:4123${k}->172.20.0.10:53: i/o timeout"`).join("\n") + "\n"
    })
  });
  return f;
};

const healthy = (): ClusterFixture => {
  const f = cluster();
  deployment(f, {
    namespace: "shop",
    name: "catalog",
    replicas: 3,
    nodes: [NODE_A, NODE_B, NODE_C],
    containers: [{ name: "catalog", image: `${ECR}/catalog:1.4.2`, memoryLimit: "512Mi", port: 8080, readinessProbe: httpProbe("/ready", 8080) }],
    service: { port: 80, targetPort: 8080, clusterIP: "172.20.41.30" },
    statuses: (i) => (i === 1 ? [{ restartCount: 1, state: running(T - 4 * day), lastState: terminated("Error", 137, T - 4 * day - 3_000) }] : undefined),
    logs: () => ({ current: quietLog("catalog") })
  });
  return f;
};

export const SCENARIOS: ReadonlyArray<ScenarioDefinition> = [
  {
    name: "crashloop-missing-env",
    failureMode: "CrashLoopBackOff: the first cause of a stack trace",
    fixture: crashLoopMissingEnv,
    alert: (f) => ({ kind: "alertmanager", alert: crashLoopingAlert("shop", podName(f, "shop", "orders"), "orders") }),
    expected: { rootCause: { requiredTerms: ["ORDERS_DB_PASSWORD"] }, affected: "shop/orders", description: "shop/orders crash-loops on start: Spring fails because the ORDERS_DB_PASSWORD property is not set." }
  },
  {
    name: "crashloop-exit-code",
    failureMode: "CrashLoopBackOff: termination reason and exit code, no log",
    fixture: crashLoopExitCode,
    alert: (f) => ({ kind: "alertmanager", alert: crashLoopingAlert("shop", podName(f, "shop", "invoicer"), "invoicer") }),
    expected: { rootCause: { requiredTerms: ["crash-loops", "code 127"] }, affected: "shop/invoicer", description: "shop/invoicer exits with code 127 (command not found) before logging anything." }
  },
  {
    name: "oomkilled",
    failureMode: "OOMKilled against the memory limit",
    fixture: oomKilled,
    alert: (f) => ({
      kind: "alertmanager",
      alert: podAlert("KubeContainerOOMKilled", "shop", podName(f, "shop", "search"), "search", {
        summary: "Container was OOMKilled.",
        description: "Container search in pod shop/search has been OOMKilled 5 times in the last 10 minutes.",
        runbook: "kubecontaineroomkilled",
        expr: '(kube_pod_container_status_restarts_total - kube_pod_container_status_restarts_total offset 10m >= 1) and ignoring (reason) min_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[10m]) == 1'
      })
    }),
    expected: { rootCause: { requiredTerms: ["OOMKilled", "256Mi"] }, affected: "shop/search", description: "shop/search's container exceeds its 256Mi memory limit and is OOMKilled." }
  },
  {
    name: "image-pull",
    failureMode: "ImagePullBackOff/ErrImagePull: the failing image and the registry's answer",
    fixture: imagePull,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("shop", "cart") }),
    expected: { rootCause: { requiredTerms: ["cart:2.0.0-rc1", "cannot be pulled"] }, affected: "shop/cart", description: "shop/cart points at tag 2.0.0-rc1, which does not exist in ECR." }
  },
  {
    name: "create-container-config-error",
    failureMode: "CreateContainerConfigError: a missing Secret key",
    fixture: configError,
    alert: (f) => ({
      kind: "alertmanager",
      alert: podAlert("KubeContainerWaiting", "shop", podName(f, "shop", "checkout"), "checkout", {
        labels: { reason: "CreateContainerConfigError" },
        summary: "Pod container waiting longer than 1 hour",
        description: `pod/${podName(f, "shop", "checkout")} in namespace shop on container checkout has been in waiting state for longer than 15 minutes. (reason: "CreateContainerConfigError").`,
        runbook: "kubecontainerwaiting",
        expr: 'sum by (namespace, pod, container, reason, cluster) (kube_pod_container_status_waiting_reason{job="kube-state-metrics"}) > 0'
      })
    }),
    expected: { rootCause: { requiredTerms: ["checkout-secrets", "STRIPE_API_KEY"] }, affected: "shop/checkout", description: "Secret shop/checkout-secrets has no key STRIPE_API_KEY, which the container's env refers to." }
  },
  {
    name: "scheduling-insufficient-memory",
    failureMode: "FailedScheduling: insufficient resources",
    fixture: schedulingInsufficient,
    alert: (f) => ({ kind: "alertmanager", alert: podNotReadyAlert("ml", podName(f, "ml", "trainer")) }),
    expected: { rootCause: { requiredTerms: ["cannot be scheduled", "memory", "24Gi"] }, affected: "ml/trainer", description: "ml/trainer requests 24Gi of memory; no node has that much free." }
  },
  {
    name: "scheduling-taint",
    failureMode: "FailedScheduling: untolerated taints",
    fixture: schedulingTaint,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("ml", "inference") }),
    expected: { rootCause: { requiredTerms: ["taint", "dedicated=gpu"] }, affected: "ml/inference", description: "Every node is tainted dedicated=gpu:NoSchedule and ml/inference does not tolerate it." }
  },
  {
    name: "scheduling-unbound-pvc",
    failureMode: "FailedScheduling: unbound PersistentVolumeClaim",
    fixture: schedulingUnboundPvc,
    alert: (f) => ({ kind: "alertmanager", alert: podNotReadyAlert("shop", podName(f, "shop", "uploads")) }),
    expected: { rootCause: { requiredTerms: ["uploads-data", "gp3-encrypted"] }, affected: "shop/uploads", description: "The pod waits for claim uploads-data, which names a storage class (gp3-encrypted) that does not exist." }
  },
  {
    name: "pvc-provisioning",
    failureMode: "PVC provisioning failure (EBS CSI driver)",
    fixture: pvcProvisioning,
    alert: () => ({
      kind: "alertmanager",
      alert: {
        labels: { alertname: "KubeStatefulSetReplicasMismatch", namespace: "messaging", statefulset: "kafka", severity: "warning", ...KSM_LABELS },
        summary: "StatefulSet has not matched the expected number of replicas.",
        description: "StatefulSet messaging/kafka has not matched the expected number of replicas for longer than 15 minutes.",
        runbook: "kubestatefulsetreplicasmismatch",
        expr: 'kube_statefulset_status_replicas_ready{job="kube-state-metrics"} != kube_statefulset_status_replicas{job="kube-state-metrics"}'
      }
    }),
    expected: { rootCause: { requiredTerms: ["data-kafka-0", "cannot be provisioned", "UnauthorizedOperation"] }, affected: "messaging/kafka", description: "The EBS CSI driver may not create volumes (UnauthorizedOperation), so data-kafka-0 stays Pending." }
  },
  {
    name: "liveness-probe",
    failureMode: "Failing liveness probe that restarts the container",
    fixture: livenessProbe,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("edge", "gateway") }),
    expected: { rootCause: { requiredTerms: ["liveness probe", "/healthz"] }, affected: "edge/gateway", description: "The gateway's /healthz times out under load and the kubelet keeps restarting it." }
  },
  {
    name: "readiness-probe",
    failureMode: "Failing readiness probe",
    fixture: readinessProbe,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("shop", "pricing") }),
    expected: { rootCause: { requiredTerms: ["readiness probe", "/ready"] }, affected: "shop/pricing", description: "shop/pricing answers 503 on /ready, so no pod is in the Service." }
  },
  {
    name: "eviction-disk-pressure",
    failureMode: "Evictions under node pressure (ephemeral storage)",
    fixture: evictionDiskPressure,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("media", "renderer") }),
    expected: { rootCause: { requiredTerms: ["evicted", "ephemeral-storage"] }, affected: "media/renderer", description: `Node ${NODE_C} ran out of ephemeral storage and evicted media/renderer's pods.` }
  },
  {
    name: "node-not-ready",
    failureMode: "NotReady/unreachable node and the pods on it",
    fixture: nodeNotReady,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("finance", "billing", "critical") }),
    expected: { rootCause: { requiredTerms: [NODE_B, "unreachable"] }, affected: "finance/billing", description: `Node ${NODE_B} stopped reporting 12 minutes before the alert; both billing pods run on it.` }
  },
  {
    name: "quota-failed-create",
    failureMode: "ResourceQuota rejection (FailedCreate)",
    fixture: quotaFailedCreate,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("reports", "renderer") }),
    expected: { rootCause: { requiredTerms: ["ResourceQuota compute", "exhausted"] }, affected: "reports/renderer", description: "ResourceQuota compute in reports is used up (limits.memory 7Gi), so the ReplicaSet cannot create pods." }
  },
  {
    name: "bad-rollout",
    failureMode: "A rollout that coincides with the alert",
    fixture: badRollout,
    alert: () => ({
      kind: "alertmanager",
      alert: {
        labels: { alertname: "KubeDeploymentRolloutStuck", namespace: "shop", deployment: "api", severity: "warning", ...KSM_LABELS },
        summary: "Deployment rollout is not progressing.",
        description: "Rollout of deployment shop/api is not progressing for longer than 15 minutes.",
        runbook: "kubedeploymentrolloutstuck",
        expr: 'kube_deployment_status_condition{condition="Progressing", status="false",job="kube-state-metrics"} != 0',
        startsAt: T - 2 * min
      }
    }),
    expected: { rootCause: { requiredTerms: ["Rollout", "revision 5", "shop-api:1.8.0"] }, affected: "shop/api", description: "shop/api 1.8.0 (revision 5) panics on start while the 1.7.3 pods keep serving; roll back." }
  },
  {
    name: "log-exception",
    failureMode: "An exception in the pods' logs (plain-text alert)",
    fixture: logException,
    alert: () => ({
      kind: "text",
      postedAt: T,
      text: "[FIRING:1] IngestLagHigh (critical)\nConsumer lag on events.v2 above 50k for 10 minutes.\nnamespace=data deployment=ingest-worker\nAnyone looking at this? ingest has been flapping since ~09:10"
    }),
    expected: { rootCause: { requiredTerms: ["KeyError", "fields"] }, affected: "data/ingest-worker", description: "data/ingest-worker crashes on start with a Python KeyError reading its schema." }
  },
  {
    name: "log-disk-full",
    failureMode: "A full volume seen in the logs",
    fixture: diskFull,
    alert: () => ({
      kind: "alertmanager",
      alert: {
        labels: { alertname: "KubeStatefulSetReplicasMismatch", namespace: "inventory", statefulset: "inventory-db", severity: "critical", ...KSM_LABELS },
        summary: "StatefulSet has not matched the expected number of replicas.",
        description: "StatefulSet inventory/inventory-db has not matched the expected number of replicas for longer than 15 minutes.",
        runbook: "kubestatefulsetreplicasmismatch",
        expr: 'kube_statefulset_status_replicas_ready{job="kube-state-metrics"} != kube_statefulset_status_replicas{job="kube-state-metrics"}'
      }
    }),
    expected: { rootCause: { requiredTerms: ["data-inventory-db-0", "full"] }, affected: "inventory/inventory-db", description: "PostgreSQL cannot write its WAL: the 20Gi volume data-inventory-db-0 is full." }
  },
  {
    name: "dependency-refused",
    failureMode: "A dependency refusing connections, followed to the pods behind its Service",
    fixture: dependencyRefused,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("shop", "sessions", "critical") }),
    expected: { rootCause: { requiredTerms: ["shop/redis", "unavailable"] }, affected: "shop/sessions", description: "shop/redis was scaled to zero; sessions gets ECONNREFUSED on 172.20.66.9:6379 and fails readiness." }
  },
  {
    name: "dns-coredns",
    failureMode: "DNS failures traced to CoreDNS in kube-system",
    fixture: dnsCoreDns,
    alert: () => ({ kind: "alertmanager", alert: replicasMismatchAlert("shop", "web", "critical") }),
    expected: { rootCause: { requiredTerms: ["coredns", "OOMKilled"] }, affected: "shop/web", description: "CoreDNS is OOMKilled (170Mi limit), so shop/web cannot resolve postgres.shop.svc.cluster.local." }
  },
  {
    name: "healthy",
    failureMode: "A healthy workload: no high-confidence cause may appear",
    fixture: healthy,
    alert: () => ({
      kind: "alertmanager",
      alert: {
        labels: { alertname: "HighRequestLatency", namespace: "shop", service: "catalog", deployment: "catalog", severity: "warning" },
        summary: "p99 latency above 500ms",
        description: "p99 latency of shop/catalog has been above 500ms for 10 minutes.",
        runbook: "high-request-latency",
        expr: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",service="catalog"}[5m]))) > 0.5',
        startsAt: T - 10 * min
      }
    }),
    expected: { rootCause: { requiredTerms: [] }, affected: "shop/catalog", noHighConfidence: true, description: "shop/catalog is 3/3 ready with no Kubernetes-level trouble; the latency lies elsewhere." }
  }
];

// ---------------------------------------------------------------------------------------------
// Writing

const fingerprint = (labels: Readonly<Record<string, string>>) =>
  createHash("sha256").update(Object.keys(labels).sort().map((k) => `${k}=${labels[k] ?? ""}`).join(",")).digest("hex").slice(0, 16);

/** The Alertmanager webhook (version 4) payload that pages for `spec`. */
export const alertmanagerPayload = (spec: AlertmanagerAlertSpec, receiver = "oncall") => {
  const labels: Readonly<Record<string, string>> = { cluster: "prod-eu-1", ...spec.labels };
  const group = { alertname: labels["alertname"] ?? "", namespace: labels["namespace"] ?? "" };
  const common = Object.fromEntries(Object.entries(labels).filter(([k]) => !["instance", "endpoint", "prometheus"].includes(k)));
  return {
    receiver,
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels,
        annotations: {
          summary: spec.summary,
          description: spec.description,
          runbook_url: spec.runbook.startsWith("http") ? spec.runbook : `https://runbooks.prometheus-operator.dev/runbooks/kubernetes/${spec.runbook}`
        },
        startsAt: iso(spec.startsAt ?? T - 3 * min),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: `http://prometheus.monitoring.svc:9090/graph?g0.expr=${encodeURIComponent(spec.expr)}&g0.tab=1`,
        fingerprint: fingerprint(labels)
      }
    ],
    groupLabels: group,
    commonLabels: common,
    commonAnnotations: { summary: spec.summary },
    externalURL: "http://alertmanager.monitoring.svc:9093",
    version: "4",
    groupKey: `{}:{alertname="${group.alertname}", namespace="${group.namespace}"}`,
    truncatedAlerts: 0
  };
};

/**
 * Writes each scenario as a directory of `directory`: `alert.json` (or `alert.txt`),
 * `cluster-dump/` and `expected.json`. Existing scenario directories are replaced.
 */
export const writeScenarios = async (directory: string, scenarios: ReadonlyArray<ScenarioDefinition> = SCENARIOS): Promise<void> => {
  await mkdir(directory, { recursive: true });
  for (const s of scenarios) {
    const dir = join(directory, s.name);
    await rm(dir, { recursive: true, force: true });
    const fixture = s.fixture();
    const alert = s.alert(fixture);
    await writeClusterDump(fixture, join(dir, "cluster-dump"));
    const expected: ScenarioExpectation = { ...s.expected, ...(alert.kind === "text" ? { alertTime: iso(alert.postedAt) } : {}) };
    if (alert.kind === "text") await writeFile(join(dir, "alert.txt"), `${alert.text}\n`);
    else await writeFile(join(dir, "alert.json"), `${JSON.stringify(alertmanagerPayload(alert.alert), null, 2)}\n`);
    await writeFile(join(dir, "expected.json"), `${JSON.stringify(expected, null, 2)}\n`);
  }
};

// ---------------------------------------------------------------------------------------------
// Reading

export interface Scenario {
  readonly name: string;
  readonly directory: string;
  readonly dump: string;
  readonly alert: AlertContext;
  readonly expected: ScenarioExpectation;
}

const readText = (scenario: string, path: string, what: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) => new ScenarioError({ scenario, reason: `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})` })
  });

const exists = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      (s) => s,
      () => undefined
    )
  );

/**
 * Reads one scenario directory: the alert (an Alertmanager/Grafana webhook in `alert.json`, or
 * chat text in `alert.txt` posted at `expected.alertTime`), the dump and the expectation.
 * `now` is when the alert is received (deadlines are counted from it).
 */
export const readScenario = (directory: string, options: { readonly now?: number } = {}): Effect.Effect<Scenario, ScenarioError> =>
  Effect.gen(function* () {
    const name = basename(directory);
    const fail = (reason: string) => Effect.fail(new ScenarioError({ scenario: name, reason }));
    const now = options.now ?? Date.now();

    const expectedPath = join(directory, "expected.json");
    if ((yield* exists(expectedPath)) === undefined) return yield* fail("has no expected.json");
    let rawExpected: unknown;
    try {
      rawExpected = JSON.parse(yield* readText(name, expectedPath, "expected.json"));
    } catch (e) {
      return yield* fail(`expected.json is not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const decoded = decodeExpectation(rawExpected);
    if (Result.isFailure(decoded)) return yield* fail(decoded.failure.message);
    const expected = decoded.success;

    const dump = join(directory, "cluster-dump");
    if (!(yield* exists(dump))?.isDirectory()) return yield* fail("has no cluster-dump/ directory");

    let alert: AlertContext | undefined;
    const jsonPath = join(directory, "alert.json");
    const textPath = join(directory, "alert.txt");
    if ((yield* exists(jsonPath)) !== undefined) {
      let payload: unknown;
      try {
        payload = JSON.parse(yield* readText(name, jsonPath, "alert.json"));
      } catch (e) {
        return yield* fail(`alert.json is not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      const parsed = parseAlertPayload(payload, { now, channelId: "scenario", messageId: name });
      if (Result.isFailure(parsed)) return yield* fail(`alert.json: ${parsed.failure.message}`);
      alert = parsed.success.alerts.find((a) => a.status === "firing");
      if (alert === undefined) return yield* fail("alert.json has no firing alert");
    } else if ((yield* exists(textPath)) !== undefined) {
      const text = yield* readText(name, textPath, "alert.txt");
      if (text.trim() === "") return yield* fail("alert.txt is empty");
      const postedAt = expected.alertTime !== undefined ? Date.parse(expected.alertTime) : Number.NaN;
      if (!Number.isFinite(postedAt)) return yield* fail('alert.txt needs "alertTime" (ISO 8601) in expected.json: when the message was posted');
      alert = parseChatAlert({ source: "cli", channelId: "scenario", messageId: name, text, timestamp: postedAt, now });
    } else return yield* fail("has neither alert.json nor alert.txt");

    return { name, directory, dump, alert, expected };
  });

/** Every scenario under `root` (each subdirectory with an expected.json), by name. */
export const readScenarios = (root: string, options: { readonly now?: number } = {}): Effect.Effect<ReadonlyArray<Scenario>, ScenarioError> =>
  Effect.gen(function* () {
    const entries = yield* Effect.tryPromise({
      try: () => readdir(root, { withFileTypes: true }),
      catch: (e) => new ScenarioError({ scenario: root, reason: `cannot list the scenarios (${(e as NodeJS.ErrnoException).code ?? String(e)})` })
    });
    const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const withExpectation: Array<string> = [];
    for (const d of dirs) if ((yield* exists(join(root, d, "expected.json"))) !== undefined) withExpectation.push(d);
    return yield* Effect.forEach(withExpectation, (d) => readScenario(join(root, d), options));
  });

// ---------------------------------------------------------------------------------------------
// Investigating and scoring

export interface ScenarioRun {
  readonly scenario: Scenario;
  /** The orchestrator's final report. */
  readonly report: InvestigationReport;
  /** The report as `investigate --format markdown` prints it. */
  readonly markdown: string;
  /** The EKS specialist's own answer (workloads it matched, findings). */
  readonly eks: AgentResult | undefined;
  readonly durationMs: number;
}

/**
 * Investigates the scenario as `sre-on-call investigate --alert … --cluster-dump …` does, in
 * process: the EKS specialist over the dump, the core orchestrator, the Markdown rendering.
 */
export const investigateScenario = (scenario: Scenario): Effect.Effect<ScenarioRun, ScenarioError> =>
  Effect.gen(function* () {
    const started = performance.now();
    const specialist = makeEksSpecialist(makeDumpClusterSource(scenario.dump));
    let eks: AgentResult | undefined;
    const watched = { ...specialist, investigate: (...args: Parameters<typeof specialist.investigate>) => specialist.investigate(...args).pipe(Effect.tap((r) => Effect.sync(() => void (eks = r)))) };
    const chat = makeInMemoryChat({ dialect: "markdown" });
    const outcome = yield* runInvestigation(scenario.alert, {
      render: (report, dialect) => renderReport(report, dialect),
      reportAfter: Duration.seconds(30),
      synthesisReserve: Duration.seconds(1),
      hardCutoff: Duration.seconds(30),
      announce: false
    }).pipe(
      Effect.provideService(ChatPlatform, chat.chat),
      Effect.provideService(Specialists, { enabled: [watched], disabled: [] }),
      Effect.mapError((e) => new ScenarioError({ scenario: scenario.name, reason: e.message }))
    );
    const markdown = renderReport(outcome.final, "markdown").map((c) => c.text).join("\n");
    return { scenario, report: outcome.final, markdown, eks, durationMs: performance.now() - started };
  });

export interface ScenarioScore {
  /** The top hypothesis names the true cause (or, for a healthy scenario, nothing is claimed with high confidence). */
  readonly hit: boolean;
  /** 1-based rank of the first hypothesis naming the true cause, when any does. */
  readonly rank: number | undefined;
  /** A wrong cause was claimed with high confidence: the worst outcome. */
  readonly highConfidenceWrong: boolean;
  /** The expected workload is among the report's affected services or the workloads the EKS agent matched. */
  readonly affectedFound: boolean;
  readonly top: Hypothesis | undefined;
  /** Required terms the top hypothesis lacks. */
  readonly missingTerms: ReadonlyArray<string>;
}

const haystack = (h: Hypothesis) => `${h.title}\n${h.detail}`.toLowerCase();
const missingIn = (h: Hypothesis | undefined, terms: ReadonlyArray<string>) => (h === undefined ? [...terms] : terms.filter((t) => !haystack(h).includes(t.toLowerCase())));

const matchedWorkloads = (eks: AgentResult | undefined): ReadonlyArray<string> => {
  const workloads = eks?.metadata.extra?.["workloads"];
  return Array.isArray(workloads) ? workloads.map((w) => (typeof w === "object" && w !== null && "workload" in w ? String((w as { workload: unknown }).workload) : "")) : [];
};

/** Scores one investigation against the scenario's expectation. Pure. */
export const scoreScenario = (expected: ScenarioExpectation, report: InvestigationReport, eks?: AgentResult): ScenarioScore => {
  const hypotheses = report.hypotheses;
  const top = hypotheses[0];
  const affectedFound = report.affectedServices.includes(expected.affected) || matchedWorkloads(eks).includes(expected.affected);
  if (expected.noHighConfidence === true) {
    const high = hypotheses.some((h) => h.confidence === "high");
    const terms = expected.rootCause.requiredTerms;
    const index = terms.length === 0 ? -1 : hypotheses.findIndex((h) => missingIn(h, terms).length === 0);
    return { hit: !high, rank: index >= 0 ? index + 1 : undefined, highConfidenceWrong: high, affectedFound, top, missingTerms: [] };
  }
  const terms = expected.rootCause.requiredTerms;
  const missingTerms = missingIn(top, terms);
  const index = hypotheses.findIndex((h) => missingIn(h, terms).length === 0);
  const hit = top !== undefined && missingTerms.length === 0;
  return { hit, rank: index >= 0 ? index + 1 : undefined, highConfidenceWrong: !hit && top?.confidence === "high", affectedFound, top, missingTerms };
};
