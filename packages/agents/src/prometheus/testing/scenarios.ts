import type { AlertContext, Entities } from "@sre-on-call/core";
import type { SeriesData } from "./openMetrics.js";

/**
 * Test data for the Prometheus specialist: a morning in a small cluster, as real exporters
 * (kube-state-metrics, cAdvisor, kubelet, node_exporter, an HTTP middleware) would have
 * recorded it. Each scenario is a story an alert at `ALERT_AT` asks about, plus the same
 * window a day earlier where everything was quiet.
 */
export const ALERT_AT = Date.parse("2026-03-12T14:20:00Z");
/** The clock the specialist runs with: the end of the alert window. */
export const NOW = ALERT_AT + 5 * 60_000;
const MIN = 60_000;
const DAY = 86_400_000;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** When the payments API started failing, and when payments-db's volume filled up. */
export const ERRORS_START = Date.parse("2026-03-12T14:03:00Z");
export const VOLUME_FULL_AT = Date.parse("2026-03-12T14:02:00Z");
/** checkout's latency spike. */
export const SPIKE_START = Date.parse("2026-03-12T14:10:00Z");
export const SPIKE_END = Date.parse("2026-03-12T14:12:00Z");
/** orders/worker's OOM kills. */
export const OOM_KILLS = [Date.parse("2026-03-12T14:02:00Z"), Date.parse("2026-03-12T14:09:00Z"), Date.parse("2026-03-12T14:16:00Z")];

/** Sample times: 100 minutes before the alert to 10 after, today and a day earlier. */
const segments = (): ReadonlyArray<ReadonlyArray<number>> =>
  [ALERT_AT, ALERT_AT - DAY].map((anchor) => Array.from({ length: 111 }, (_, i) => anchor - 100 * MIN + i * MIN));

const today = (t: number) => t > ALERT_AT - DAY / 2;

const gauge = (name: string, labels: Record<string, string>, value: (t: number) => number): SeriesData => ({
  name,
  labels,
  samples: segments().flatMap((times) => times.map((t) => [t, value(t)] as const))
});

/** A counter whose per-second rate at time t is `rate(t)`; it restarts from 0 in each segment, as after a restart. */
const counter = (name: string, labels: Record<string, string>, rate: (t: number) => number): SeriesData => ({
  name,
  labels,
  samples: segments().flatMap((times) => {
    let total = 0;
    return times.map((t) => {
      total += rate(t) * 60;
      return [t, Math.round(total * 1000) / 1000] as const;
    });
  })
});

/** Deterministic jitter in [-1, 1], so the series look measured without a random seed. */
const jitter = (t: number, salt: number) => Math.sin(t / MIN / 3.1 + salt) * 0.6 + Math.sin(t / MIN / 1.3 + salt * 2) * 0.4;

const BUCKETS = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"];
/** Share of requests at or under each bucket bound. */
const NORMAL = [0.3, 0.8, 0.97, 0.995, 0.999, 1, 1, 1];
const SLOW = [0.05, 0.2, 0.4, 0.6, 0.75, 0.98, 1, 1];

const httpService = (o: { namespace: string; service: string; rps: number; errorRatio: (t: number) => number; slow?: (t: number) => boolean }): Array<SeriesData> => {
  const labels = { namespace: o.namespace, service: o.service, job: o.service };
  const out: Array<SeriesData> = [
    counter("http_requests_total", { ...labels, code: "200" }, (t) => o.rps * (1 - o.errorRatio(t)) * (1 + 0.02 * jitter(t, 1))),
    counter("http_requests_total", { ...labels, code: "500" }, (t) => o.rps * o.errorRatio(t) * (1 + 0.02 * jitter(t, 1)))
  ];
  BUCKETS.forEach((le, i) => {
    out.push(counter("http_request_duration_seconds_bucket", { ...labels, le }, (t) => o.rps * (o.slow?.(t) === true ? SLOW[i]! : NORMAL[i]!)));
  });
  out.push(counter("http_request_duration_seconds_count", labels, () => o.rps));
  return out;
};

const podContainer = (o: {
  namespace: string;
  pod: string;
  container: string;
  node: string;
  memoryLimit: number;
  workingSet: (t: number) => number;
  throttled: (t: number) => number;
  restartsAt?: ReadonlyArray<number>;
  lastTerminated?: { reason: string; since: number };
}): Array<SeriesData> => {
  const labels = { namespace: o.namespace, pod: o.pod, container: o.container };
  const out: Array<SeriesData> = [
    gauge("container_memory_working_set_bytes", { ...labels, node: o.node, image: `registry.example.com/${o.container}:1.4.2` }, o.workingSet),
    gauge("kube_pod_container_resource_limits", { ...labels, node: o.node, resource: "memory", unit: "byte" }, () => o.memoryLimit),
    counter("container_cpu_cfs_periods_total", { ...labels, node: o.node }, () => 10),
    counter("container_cpu_cfs_throttled_periods_total", { ...labels, node: o.node }, (t) => 10 * o.throttled(t)),
    gauge("kube_pod_container_status_restarts_total", labels, (t) => (o.restartsAt ?? []).filter((r) => r <= t).length + 2),
    gauge("kube_pod_info", { namespace: o.namespace, pod: o.pod, node: o.node }, () => 1)
  ];
  if (o.lastTerminated !== undefined) {
    const { reason, since } = o.lastTerminated;
    const terminated = gauge("kube_pod_container_status_last_terminated_reason", { ...labels, reason }, () => 1);
    out.push({ ...terminated, samples: terminated.samples.filter(([t]) => t >= since) });
  }
  return out;
};

/** Secrets planted in label values of `app_build_info`: none may reach a finding, a tool answer or a report. */
export const PLANTED_SECRETS = { password: "hunter2-Xq9v", dsn: "postgres://app:S3cr3tPw-71@payments-db:5432/payments" } as const;

/** Every series of the test morning. */
export const scenarioSeries = (): ReadonlyArray<SeriesData> => [
  // payments: the API starts failing at 14:03 because payments-db's volume filled up at 14:02.
  ...httpService({ namespace: "payments", service: "api", rps: 50, errorRatio: (t) => (today(t) && t >= ERRORS_START ? 0.124 : 0.002) }),
  gauge("kubelet_volume_stats_capacity_bytes", { namespace: "payments", persistentvolumeclaim: "data-payments-db-0" }, () => 20 * GiB),
  gauge("kubelet_volume_stats_available_bytes", { namespace: "payments", persistentvolumeclaim: "data-payments-db-0" }, (t) =>
    today(t) ? Math.max(0, (VOLUME_FULL_AT - t) * ((6 * GiB) / (82 * MIN))) : 9 * GiB - (t - (ALERT_AT - DAY - 100 * MIN)) * 100
  ),
  gauge("kubelet_volume_stats_capacity_bytes", { namespace: "payments", persistentvolumeclaim: "backup-payments-db-0" }, () => 50 * GiB),
  gauge("kubelet_volume_stats_available_bytes", { namespace: "payments", persistentvolumeclaim: "backup-payments-db-0" }, () => 41 * GiB),
  // shop/checkout: p99 latency spikes for two minutes at 14:10, nothing else moves.
  ...httpService({ namespace: "shop", service: "checkout", rps: 20, errorRatio: () => 0.001, slow: (t) => today(t) && t >= SPIKE_START && t < SPIKE_END }),
  ...podContainer({ namespace: "shop", pod: "checkout-6f8b9d7c5d-k2x9p", container: "checkout", node: "ip-10-0-1-23", memoryLimit: 1024 * MiB, workingSet: (t) => 410 * MiB + 5 * MiB * jitter(t, 3), throttled: () => 0.02 }),
  // shop/catalog: healthy, today as yesterday.
  ...httpService({ namespace: "shop", service: "catalog", rps: 30, errorRatio: () => 0.001 }),
  ...podContainer({ namespace: "shop", pod: "catalog-7c9d8b6f4-q8w2n", container: "catalog", node: "ip-10-0-1-23", memoryLimit: 512 * MiB, workingSet: (t) => 205 * MiB + 3 * MiB * jitter(t, 5), throttled: () => 0.03 }),
  // orders/worker: memory climbs to its 512Mi limit and the container is OOM-killed three times.
  ...podContainer({
    namespace: "orders",
    pod: "worker-5d8f7c9b4-x2x7q",
    container: "worker",
    node: "ip-10-0-2-41",
    memoryLimit: 512 * MiB,
    workingSet: (t) => {
      if (!today(t) || t < OOM_KILLS[0]! - 30 * MIN) return 250 * MiB + 4 * MiB * jitter(t, 7);
      const lastKill = [...OOM_KILLS].reverse().find((k) => k <= t);
      const since = lastKill === undefined ? t - (OOM_KILLS[0]! - 30 * MIN) : t - lastKill;
      const from = lastKill === undefined ? 250 * MiB : 200 * MiB;
      return Math.min(508 * MiB, from + (since / MIN) * (lastKill === undefined ? 8.8 * MiB : 50 * MiB));
    },
    throttled: () => 0.01,
    restartsAt: OOM_KILLS,
    lastTerminated: { reason: "OOMKilled", since: OOM_KILLS[0]! }
  }),
  // A node whose root filesystem is slowly filling up.
  gauge("node_filesystem_size_bytes", { instance: "ip-10-0-3-77:9100", node: "ip-10-0-3-77", mountpoint: "/", fstype: "ext4", device: "/dev/nvme0n1p1" }, () => 100 * GiB),
  gauge("node_filesystem_avail_bytes", { instance: "ip-10-0-3-77:9100", node: "ip-10-0-3-77", mountpoint: "/", fstype: "ext4", device: "/dev/nvme0n1p1" }, (t) =>
    today(t) ? 15 * GiB - (t - (ALERT_AT - 100 * MIN)) * ((8 * GiB) / (110 * MIN)) : 30 * GiB
  ),
  gauge("node_filesystem_avail_bytes", { instance: "ip-10-0-3-77:9100", node: "ip-10-0-3-77", mountpoint: "/run", fstype: "tmpfs", device: "tmpfs" }, () => 0),
  // Build info whose labels carry what must never be posted: a password label and a DSN with credentials.
  gauge("app_build_info", { namespace: "payments", service: "api", version: "2.4.0", db_password: PLANTED_SECRETS.password, dsn: PLANTED_SECRETS.dsn }, () => 1),
  // Targets and alerts, for the snapshot.
  gauge("up", { job: "api", instance: "10.0.1.10:8080" }, () => 1),
  gauge("up", { job: "api", instance: "10.0.1.11:8080" }, () => 1),
  gauge("up", { job: "kube-state-metrics", instance: "10.0.2.5:8080" }, () => 1),
  gauge("up", { job: "node-exporter", instance: "10.0.3.77:9100" }, () => 0),
  gauge("up", { job: "node-exporter", instance: "10.0.1.23:9100" }, () => 1),
  gauge("ALERTS", { alertname: "PaymentsHigh5xxRatio", alertstate: "firing", severity: "critical", namespace: "payments" }, (t) => (today(t) && t >= ERRORS_START + 5 * MIN ? 1 : Number.NaN)),
  gauge("ALERTS", { alertname: "KubePodCrashLooping", alertstate: "firing", severity: "warning", namespace: "orders" }, (t) => (today(t) ? 1 : Number.NaN)),
  gauge("ALERTS", { alertname: "NodeFilesystemSpaceFillingUp", alertstate: "pending", severity: "warning" }, () => 1)
].map((s) => ({ ...s, samples: s.samples.filter(([, v]) => !Number.isNaN(v)) }));

/** The expression of the payments 5xx alert rule, as Prometheus would link it. */
export const PAYMENTS_5XX_EXPR =
  'sum(rate(http_requests_total{namespace="payments",service="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="payments",service="api"}[5m])) > 0.05';

export const generatorUrlFor = (expr: string) => `http://prometheus.example.internal:9090/graph?g0.expr=${encodeURIComponent(expr).replace(/%20/g, "+")}&g0.tab=1`;

const ENTITY_LABELS: ReadonlyArray<keyof Entities> = ["alertname", "severity", "cluster", "namespace", "pod", "container", "deployment", "statefulset", "daemonset", "service", "node", "instance", "job"];

/** An AlertContext as intake builds it from an Alertmanager alert firing at `ALERT_AT`; `authenticated` as intake sets `authenticatedSource`. */
export const makePromAlert = (labels: Readonly<Record<string, string>>, o: { readonly generatorUrl?: string; readonly at?: number; readonly authenticated?: boolean } = {}): AlertContext => {
  const at = o.at ?? ALERT_AT;
  const entities: Record<string, string> = {};
  for (const key of ENTITY_LABELS) if (labels[key] !== undefined) entities[key] = labels[key];
  return {
    investigationId: `inv-${labels["alertname"] ?? "alert"}-${at}`,
    source: "alertmanager",
    channelId: "cli",
    messageId: String(at),
    alertText: `[FIRING:1] ${labels["alertname"] ?? "alert"}`,
    alertTimestamp: at,
    window: { start: at - 30 * MIN, end: at + 5 * MIN },
    status: "firing",
    labels: { ...labels },
    annotations: {},
    entities: entities as Entities,
    hints: [],
    deadline: at + 60_000,
    ...(o.generatorUrl === undefined ? {} : { generatorUrl: o.generatorUrl }),
    ...(o.authenticated === undefined ? {} : { authenticatedSource: o.authenticated })
  };
};

export const ALERTS = {
  /** From Alertmanager through the authenticated webhook, so its expression may run. */
  payments5xx: () => makePromAlert({ alertname: "PaymentsHigh5xxRatio", severity: "critical", namespace: "payments", service: "api" }, { generatorUrl: generatorUrlFor(PAYMENTS_5XX_EXPR), authenticated: true }),
  paymentsApi: () => makePromAlert({ alertname: "PaymentsHigh5xxRatio", severity: "critical", namespace: "payments", service: "api" }),
  checkoutLatency: () => makePromAlert({ alertname: "CheckoutHighLatency", severity: "warning", namespace: "shop", service: "checkout" }),
  workerCrashLoop: () => makePromAlert({ alertname: "KubePodCrashLooping", severity: "warning", namespace: "orders", pod: "worker-5d8f7c9b4-x2x7q", container: "worker" }),
  catalogHealthy: () => makePromAlert({ alertname: "CatalogLatencyWatch", severity: "info", namespace: "shop", service: "catalog" }),
  nodeDisk: () => makePromAlert({ alertname: "NodeFilesystemSpaceFillingUp", severity: "warning", node: "ip-10-0-3-77", instance: "ip-10-0-3-77:9100" }),
  ghost: () => makePromAlert({ alertname: "GhostDown", severity: "warning", namespace: "nowhere", service: "ghost" })
} as const;
