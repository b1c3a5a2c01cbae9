import { ClusterFixture } from "./ClusterFixture.js";
import {
  httpProbe,
  iso,
  makeDaemonSet,
  makeDeployment,
  makeEndpoints,
  makeEvent,
  makeNode,
  makePod,
  makePvc,
  makeReplicaSet,
  makeService,
  makeStatefulSet,
  running,
  terminated,
  waiting
} from "./kubeBuilders.js";

/** When the example's alert fired: 2026-03-12T14:20:00Z. */
export const PAYMENTS_ALERT_TIME = Date.parse("2026-03-12T14:20:00Z");

const T = PAYMENTS_ALERT_TIME;
const min = 60_000;
const NODE_A = "ip-10-0-1-23.eu-west-1.compute.internal";
const NODE_B = "ip-10-0-2-41.eu-west-1.compute.internal";
const NODE_C = "ip-10-0-3-77.eu-west-1.compute.internal";
const DB_IP = "172.20.91.7";

const ts = (ms: number) => new Date(ms).toISOString();

/** A few lines of ordinary output, so healthy pods have logs that say nothing alarming. */
const quietLog = (service: string, from: number, lines = 6) =>
  Array.from({ length: lines }, (_, i) => `${ts(from + i * 47_000)} INFO  ${service}: handled ${180 + i * 13} requests in the last minute (p99 ${41 + i} ms)`).join("\n") + "\n";

/** PostgreSQL's log_line_prefix '%m [%p] ': `2026-03-12 14:17:51.900 UTC [27] `. */
const pg = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", " UTC");

const dbPreviousLog = [
  `${pg(T - 2 * min - 9_000)} [1] LOG:  starting PostgreSQL 15.6 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit`,
  `${pg(T - 2 * min - 9_000)} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432`,
  `${pg(T - 2 * min - 8_900)} [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"`,
  `${pg(T - 2 * min - 8_800)} [27] LOG:  database system was interrupted while in recovery at 2026-03-12 14:03:41 UTC`,
  `${pg(T - 2 * min - 8_800)} [27] HINT:  This probably means that some data is corrupted and you will have to use the last backup for recovery.`,
  `${pg(T - 2 * min - 8_700)} [27] LOG:  database system was not properly shut down; automatic recovery in progress`,
  `${pg(T - 2 * min - 8_600)} [27] LOG:  redo starts at 3/9A000028`,
  `${pg(T - 2 * min - 8_100)} [27] PANIC:  could not write to file "pg_wal/xlogtemp.27": No space left on device`,
  `${pg(T - 2 * min - 8_000)} [1] LOG:  startup process (PID 27) was terminated by signal 6: Aborted`,
  `${pg(T - 2 * min - 8_000)} [1] LOG:  aborting startup due to startup process failure`,
  `${pg(T - 2 * min - 7_900)} [1] LOG:  database system is shut down`
].join("\n") + "\n";

const apiNewPreviousLog = [
  `${ts(T - 3 * min)} INFO  payments-api v2.4.0 starting (node v20.11.1, NODE_ENV=production)`,
  `${ts(T - 3 * min + 120)} INFO  loaded configuration from /etc/payments/config.yaml`,
  `${ts(T - 3 * min + 340)} INFO  running database migrations (target 2024_03_add_refund_reason)`,
  `${ts(T - 3 * min + 3_410)} ERROR migration failed, exiting`,
  `MigrationError: could not run migrations: database unavailable`,
  `    at Migrator.run (/app/dist/db/migrate.js:88:13)`,
  `    at async main (/app/dist/server.js:31:5) {`,
  `  [cause]: Error: connect ECONNREFUSED ${DB_IP}:5432`,
  `      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {`,
  `    errno: -111,`,
  `    code: 'ECONNREFUSED',`,
  `    syscall: 'connect',`,
  `    address: '${DB_IP}',`,
  `    port: 5432`,
  `  }`,
  `}`
].join("\n") + "\n";

const apiOldLog = (pod: number) =>
  [
    `${ts(T - 30 * min + pod * 1_000)} INFO  payments-api v2.3.1 listening on :8080`,
    ...Array.from({ length: 8 }, (_, i) => `${ts(T - 16 * min + i * 110_000 + pod * 700)} ERROR POST /v1/charges -> 500 (connect ECONNREFUSED ${DB_IP}:5432)`),
    ...Array.from({ length: 5 }, (_, i) => `${ts(T - 12 * min + i * 130_000 + pod * 900)} WARN  GET /healthz -> 503 (database ping failed: connect ECONNREFUSED ${DB_IP}:5432)`)
  ].join("\n") + "\n";

/**
 * The bundled example: a small EKS cluster where payments/api pages because its database is
 * down. payments-db's 20Gi volume filled up, PostgreSQL cannot write its WAL and crash-loops,
 * so the API's pods fail readiness and return 500s; a routine rollout of api to 2.4.0 happened
 * in the middle of it, and its new pod crashes running migrations against the dead database.
 * Around it: healthy workloads in payments, checkout, kube-system and monitoring, and a node
 * under memory pressure that evicted an unrelated batch job.
 */
export const paymentsOutageFixture = (): ClusterFixture => {
  const f = new ClusterFixture();
  f.addNodes(
    makeNode(NODE_A, T, { ip: "10.0.1.23", zone: "eu-west-1a" }),
    makeNode(NODE_B, T, { ip: "10.0.2.41", zone: "eu-west-1b" }),
    makeNode(NODE_C, T, { ip: "10.0.3.77", zone: "eu-west-1c", memoryPressure: true, readySince: T - 41 * min })
  );

  // payments/api: revision 7 (2.3.1) serving but failing readiness; revision 8 (2.4.0) rolled out at 14:05, crash-looping.
  const apiContainers = (image: string) => [
    { name: "api", image, memoryLimit: "512Mi", memoryRequest: "256Mi", cpuRequest: "250m", port: 8080, readinessProbe: httpProbe("/healthz", 8080), livenessProbe: httpProbe("/livez", 8080, 6) }
  ];
  const apiDeployment = makeDeployment({
    namespace: "payments",
    name: "api",
    replicas: 3,
    createdAt: T - 90 * 86_400_000,
    revision: 8,
    containers: apiContainers("123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.4.0"),
    status: {
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 4,
      conditions: [
        { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability.", lastUpdateTime: iso(T - 16 * min), lastTransitionTime: iso(T - 16 * min) },
        { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: 'ReplicaSet "api-5c8f7d9b6" is progressing.', lastUpdateTime: iso(T - 15 * min), lastTransitionTime: iso(T - 15 * min) }
      ]
    }
  });
  const apiOld = makeReplicaSet(apiDeployment, {
    revision: 7,
    createdAt: T - 6 * 86_400_000,
    replicas: 3,
    ready: 0,
    containers: apiContainers("123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.3.1")
  });
  const apiNew = makeReplicaSet(apiDeployment, { revision: 8, createdAt: T - 15 * min, replicas: 1, ready: 0 });
  const apiOldPods = [0, 1, 2].map((i) =>
    makePod({ owner: apiOld, ownerKind: "ReplicaSet", ordinal: i, node: i === 1 ? NODE_B : NODE_A, createdAt: T - 6 * 86_400_000 + i * 20_000, statuses: [{ ready: false, state: running(T - 6 * 86_400_000) }] })
  );
  const apiNewPod = makePod({
    owner: apiNew,
    ownerKind: "ReplicaSet",
    ordinal: 7,
    node: NODE_B,
    createdAt: T - 15 * min,
    statuses: [
      {
        ready: false,
        restartCount: 7,
        state: waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container=api"),
        lastState: terminated("Error", 1, T - 3 * min + 3_500, T - 3 * min)
      }
    ]
  });

  // payments/payments-db: PostgreSQL on a full gp3 volume.
  const db = makeStatefulSet({
    namespace: "payments",
    name: "payments-db",
    createdAt: T - 200 * 86_400_000,
    ready: 0,
    containers: [{ name: "postgres", image: "postgres:15.6", memoryLimit: "2Gi", memoryRequest: "1Gi", port: 5432, readinessProbe: { exec: { command: ["pg_isready", "-U", "payments"] }, periodSeconds: 10, failureThreshold: 3 } }],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-payments-db-0" } }]
  });
  const dbPod = makePod({
    owner: db,
    ownerKind: "StatefulSet",
    ordinal: 0,
    node: NODE_A,
    ip: "10.0.1.144",
    createdAt: T - 200 * 86_400_000,
    statuses: [{ ready: false, restartCount: 9, state: waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container=postgres pod=payments-db-0_payments"), lastState: terminated("Error", 1, T - 2 * min - 7_900, T - 2 * min - 9_000) }]
  });

  // payments/ledger-worker: healthy neighbour in the same namespace.
  const ledger = makeDeployment({ namespace: "payments", name: "ledger-worker", replicas: 2, createdAt: T - 40 * 86_400_000, containers: [{ name: "worker", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ledger-worker:1.9.2", memoryLimit: "256Mi" }] });
  const ledgerRs = makeReplicaSet(ledger, { revision: 1, createdAt: T - 40 * 86_400_000, replicas: 2 });
  const ledgerPods = [0, 1].map((i) => makePod({ owner: ledgerRs, ownerKind: "ReplicaSet", ordinal: i, node: i === 0 ? NODE_A : NODE_B, createdAt: T - 40 * 86_400_000 }));

  const apiSvc = makeService({ namespace: "payments", name: "api", selector: { "app.kubernetes.io/name": "api" }, port: 80, targetPort: 8080, clusterIP: "172.20.14.201", createdAt: T - 90 * 86_400_000 });
  const dbSvc = makeService({ namespace: "payments", name: "payments-db", selector: { "app.kubernetes.io/name": "payments-db" }, port: 5432, clusterIP: DB_IP, createdAt: T - 200 * 86_400_000 });

  f.add("deployments", apiDeployment, ledger)
    .add("replicasets", apiOld, apiNew, ledgerRs)
    .add("statefulsets", db)
    .add("pods", ...apiOldPods, apiNewPod, dbPod, ...ledgerPods)
    .add("services", apiSvc, dbSvc)
    .add("endpoints", makeEndpoints(apiSvc, [...apiOldPods, apiNewPod]), makeEndpoints(dbSvc, [dbPod]))
    .add("persistentvolumeclaims", makePvc({ namespace: "payments", name: "data-payments-db-0", storage: "20Gi", phase: "Bound", createdAt: T - 200 * 86_400_000 }));

  f.add(
    "events",
    makeEvent({ namespace: "payments", kind: "Pod", name: dbPod.metadata.name, reason: "BackOff", message: "Back-off restarting failed container postgres in pod payments-db-0_payments(3b1c…)", count: 61, first: T - 15 * min, last: T - 30_000, fieldPath: "spec.containers{postgres}", host: NODE_A }),
    makeEvent({ namespace: "payments", kind: "Pod", name: dbPod.metadata.name, reason: "Unhealthy", message: "Readiness probe failed: /var/run/postgresql:5432 - no response", count: 12, first: T - 17 * min, last: T - 14 * min, host: NODE_A }),
    ...apiOldPods.map((p, i) =>
      makeEvent({ namespace: "payments", kind: "Pod", name: p.metadata.name, reason: "Unhealthy", message: "Readiness probe failed: HTTP probe failed with statuscode: 503", count: 96 + i, first: T - 16 * min, last: T - 10_000, fieldPath: "spec.containers{api}", host: i === 1 ? NODE_B : NODE_A })
    ),
    makeEvent({ namespace: "payments", kind: "Deployment", name: "api", reason: "ScalingReplicaSet", type: "Normal", message: `Scaled up replica set ${apiNew.metadata.name} to 1`, first: T - 15 * min, component: "deployment-controller" }),
    makeEvent({ namespace: "payments", kind: "Pod", name: apiNewPod.metadata.name, reason: "Pulled", type: "Normal", message: 'Successfully pulled image "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.4.0" in 2.118s (2.118s including waiting)', first: T - 15 * min + 4_000, host: NODE_B }),
    makeEvent({ namespace: "payments", kind: "Pod", name: apiNewPod.metadata.name, reason: "BackOff", message: `Back-off restarting failed container api in pod ${apiNewPod.metadata.name}_payments(9e2f…)`, count: 34, first: T - 14 * min, last: T - 20_000, fieldPath: "spec.containers{api}", host: NODE_B })
  );
  f.addLog({ namespace: "payments", pod: dbPod.metadata.name, container: "postgres", previous: dbPreviousLog, current: dbPreviousLog.split("\n").slice(0, 3).join("\n") + "\n" })
    .addLog({ namespace: "payments", pod: apiNewPod.metadata.name, container: "api", previous: apiNewPreviousLog })
    .addLog({ namespace: "payments", pod: ledgerPods[0]!.metadata.name, container: "worker", current: quietLog("ledger-worker", T - 5 * min) })
    .addLog({ namespace: "payments", pod: ledgerPods[1]!.metadata.name, container: "worker", current: quietLog("ledger-worker", T - 5 * min) });
  apiOldPods.forEach((p, i) => f.addLog({ namespace: "payments", pod: p.metadata.name, container: "api", current: apiOldLog(i) }));

  // checkout: healthy, one old restart three days ago.
  const web = makeDeployment({ namespace: "checkout", name: "web", replicas: 3, createdAt: T - 20 * 86_400_000, containers: [{ name: "web", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout-web:5.2.0", memoryLimit: "384Mi", readinessProbe: httpProbe("/ready", 3000) }] });
  const webRs = makeReplicaSet(web, { revision: 12, createdAt: T - 4 * 86_400_000, replicas: 3 });
  const webPods = [0, 1, 2].map((i) =>
    makePod({
      owner: webRs,
      ownerKind: "ReplicaSet",
      ordinal: i,
      node: [NODE_A, NODE_B, NODE_C][i] ?? NODE_A,
      createdAt: T - 4 * 86_400_000,
      ...(i === 2 ? { statuses: [{ restartCount: 1, state: running(T - 3 * 86_400_000), lastState: terminated("Error", 137, T - 3 * 86_400_000 - 5_000) }] } : {})
    })
  );
  const webSvc = makeService({ namespace: "checkout", name: "web", selector: { "app.kubernetes.io/name": "web" }, port: 80, targetPort: 3000, clusterIP: "172.20.33.12", createdAt: T - 20 * 86_400_000 });
  f.add("deployments", web).add("replicasets", webRs).add("pods", ...webPods).add("services", webSvc).add("endpoints", makeEndpoints(webSvc, webPods));
  webPods.forEach((p) => f.addLog({ namespace: "checkout", pod: p.metadata.name, container: "web", current: quietLog("checkout-web", T - 4 * min) }));

  // batch: a job evicted from the node under memory pressure (noise unrelated to payments).
  const reports = makeDeployment({ namespace: "batch", name: "report-generator", replicas: 1, createdAt: T - 9 * 86_400_000, containers: [{ name: "reports", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/report-generator:0.14.1" }] });
  const reportsRs = makeReplicaSet(reports, { revision: 3, createdAt: T - 2 * 86_400_000, replicas: 1 });
  const evicted = makePod({
    owner: reportsRs,
    ownerKind: "ReplicaSet",
    ordinal: 1,
    node: NODE_C,
    createdAt: T - 2 * 86_400_000,
    phase: "Failed",
    reason: "Evicted",
    message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 81720Ki. Container reports was using 5123480Ki, request is 0, has larger consumption of memory.",
    statuses: [{ ready: false, state: terminated("ContainerStatusUnknown", 137, T - 38 * min) }]
  });
  const replacement = makePod({ owner: reportsRs, ownerKind: "ReplicaSet", ordinal: 2, node: NODE_A, createdAt: T - 37 * min });
  f.add("deployments", reports).add("replicasets", reportsRs).add("pods", evicted, replacement);
  f.add(
    "events",
    makeEvent({ namespace: "batch", kind: "Pod", name: evicted.metadata.name, reason: "Evicted", message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 81720Ki.", first: T - 38 * min, host: NODE_C }),
    makeEvent({ namespace: "default", kind: "Node", name: NODE_C, reason: "EvictionThresholdMet", message: "Attempting to reclaim memory", first: T - 41 * min, last: T - 38 * min, host: NODE_C }),
    makeEvent({ namespace: "default", kind: "Node", name: NODE_C, reason: "NodeHasInsufficientMemory", type: "Normal", message: `Node ${NODE_C} status is now: NodeHasInsufficientMemory`, first: T - 41 * min, host: NODE_C })
  );

  // kube-system: CoreDNS, the VPC CNI and kube-proxy, all healthy.
  const coredns = makeDeployment({ namespace: "kube-system", name: "coredns", replicas: 2, labels: { "k8s-app": "kube-dns" }, createdAt: T - 300 * 86_400_000, containers: [{ name: "coredns", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4", memoryLimit: "170Mi" }] });
  const corednsRs = makeReplicaSet(coredns, { revision: 2, createdAt: T - 60 * 86_400_000, replicas: 2 });
  const corednsPods = [0, 1].map((i) => makePod({ owner: corednsRs, ownerKind: "ReplicaSet", ordinal: i, node: i === 0 ? NODE_A : NODE_B, createdAt: T - 60 * 86_400_000 }));
  const kubeDns = makeService({ namespace: "kube-system", name: "kube-dns", selector: { "k8s-app": "kube-dns" }, port: 53, clusterIP: "172.20.0.10", createdAt: T - 300 * 86_400_000 });
  const awsNode = makeDaemonSet({ namespace: "kube-system", name: "aws-node", labels: { "k8s-app": "aws-node" }, desired: 3, createdAt: T - 300 * 86_400_000, containers: [{ name: "aws-node", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.18.1-eksbuild.1" }] });
  const kubeProxy = makeDaemonSet({ namespace: "kube-system", name: "kube-proxy", labels: { "k8s-app": "kube-proxy" }, desired: 3, createdAt: T - 300 * 86_400_000, containers: [{ name: "kube-proxy", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.29.0-minimal-eksbuild.1" }] });
  const dsPods = [awsNode, kubeProxy].flatMap((ds) => [NODE_A, NODE_B, NODE_C].map((node, i) => makePod({ owner: ds, ownerKind: "DaemonSet", ordinal: i, node, createdAt: T - 30 * 86_400_000 })));
  f.add("deployments", coredns).add("replicasets", corednsRs).add("daemonsets", awsNode, kubeProxy).add("pods", ...corednsPods, ...dsPods).add("services", kubeDns).add("endpoints", makeEndpoints(kubeDns, corednsPods));
  corednsPods.forEach((p) => f.addLog({ namespace: "kube-system", pod: p.metadata.name, container: "coredns", current: `.:53\n[INFO] plugin/reload: Running configuration SHA512 = 8a7d59126e7f114ab49c6d2613be93d8ef7d408af8ee61a710210843dc409f03133727e38f64469d9bb180f396c84ebf48a42bde3b3769730865ca9df5eb281c\nCoreDNS-1.11.1\nlinux/amd64, go1.21.9, ae2bbc29\n` }));

  // monitoring: kube-state-metrics, whose labels the alert carries.
  const ksm = makeDeployment({ namespace: "monitoring", name: "kube-prometheus-stack-kube-state-metrics", replicas: 1, createdAt: T - 100 * 86_400_000, containers: [{ name: "kube-state-metrics", image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.10.1" }] });
  const ksmRs = makeReplicaSet(ksm, { revision: 1, createdAt: T - 100 * 86_400_000, replicas: 1 });
  f.add("deployments", ksm)
    .add("replicasets", ksmRs)
    .add("pods", makePod({ owner: ksmRs, ownerKind: "ReplicaSet", node: NODE_B, createdAt: T - 100 * 86_400_000 }))
    .add("services", makeService({ namespace: "monitoring", name: "kube-prometheus-stack-kube-state-metrics", selector: { "app.kubernetes.io/name": "kube-prometheus-stack-kube-state-metrics" }, port: 8080, clusterIP: "172.20.77.3", createdAt: T - 100 * 86_400_000 }));
  return f;
};

/** The Alertmanager (webhook v4) payload that pages for the outage. */
export const paymentsOutageAlert = () => ({
  receiver: "payments-oncall",
  status: "firing",
  alerts: [
    {
      status: "firing",
      labels: {
        alertname: "KubeDeploymentReplicasMismatch",
        cluster: "prod-eu-1",
        deployment: "api",
        namespace: "payments",
        job: "kube-state-metrics",
        service: "kube-prometheus-stack-kube-state-metrics",
        instance: "10.0.2.97:8080",
        severity: "critical"
      },
      annotations: {
        summary: "Deployment has not matched the expected number of replicas.",
        description: "Deployment payments/api has not matched the expected number of replicas for longer than 15 minutes.",
        runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubedeploymentreplicasmismatch"
      },
      startsAt: iso(T),
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.monitoring.svc:9090/graph?g0.expr=kube_deployment_spec_replicas%7Bjob%3D%22kube-state-metrics%22%7D+%3E+kube_deployment_status_replicas_available&g0.tab=1",
      fingerprint: "5e1f3a9c0b7d2e64"
    }
  ],
  groupLabels: { alertname: "KubeDeploymentReplicasMismatch", namespace: "payments" },
  commonLabels: { alertname: "KubeDeploymentReplicasMismatch", cluster: "prod-eu-1", deployment: "api", namespace: "payments", severity: "critical" },
  commonAnnotations: { summary: "Deployment has not matched the expected number of replicas." },
  externalURL: "http://alertmanager.monitoring.svc:9093",
  version: "4",
  groupKey: '{}:{alertname="KubeDeploymentReplicasMismatch", namespace="payments"}',
  truncatedAlerts: 0
});
