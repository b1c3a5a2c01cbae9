import type { Unit } from "./format.js";
import { type Comparison, duration, type Matcher, renderMatchers, selector } from "./promql.js";
import type { PromScope } from "./scopeFromAlert.js";

export type SignalId =
  | "alert-expression"
  | "error-ratio"
  | "traffic"
  | "latency-p99"
  | "latency-p50"
  | "cpu-throttling"
  | "memory-vs-limit"
  | "memory-working-set"
  | "restarts"
  | "restart-reasons"
  | "volume-usage"
  | "node-filesystem";

/** One PromQL query the specialist runs over the alert window (and the same window a day earlier). */
export interface SignalPlan {
  readonly id: SignalId;
  /** How a sentence names it: `5xx ratio`, `p99 latency`. */
  readonly title: string;
  readonly unit: Unit;
  readonly expr: string;
  /** Labels naming one series' subject (`namespace`, `pod`, `container`); none for a single aggregate. */
  readonly subjectLabels: ReadonlyArray<string>;
  /** Whether the same window a day earlier is queried for comparison. */
  readonly dayEarlier: boolean;
  /** For the alert's own expression: the threshold it is compared with. */
  readonly comparison?: Comparison;
}

/** Request counters by common instrumentation (Prometheus clients, Spring/Micrometer, OpenTelemetry). */
const REQUEST_COUNTERS = ["http_requests_total", "http_server_requests_seconds_count", "http_server_requests_total", "http_server_request_duration_seconds_count"];
/** Labels that carry the HTTP status code in those libraries. */
const STATUS_LABELS = ["code", "status", "status_code", "response_code", "http_status_code", "http_response_status_code"];
/** Latency histograms; the unit is in the name. */
const LATENCY_HISTOGRAMS = ["http_request_duration_seconds_bucket", "http_server_requests_seconds_bucket", "http_server_request_duration_seconds_bucket", "http_request_duration_milliseconds_bucket"];
const CONTAINER_METRICS = [
  "container_cpu_cfs_throttled_periods_total",
  "container_cpu_cfs_periods_total",
  "container_memory_working_set_bytes",
  "kube_pod_container_resource_limits",
  "kube_pod_container_resource_limits_memory_bytes",
  "kube_pod_container_status_restarts_total",
  "kube_pod_container_status_last_terminated_reason"
];
const VOLUME_METRICS = ["kubelet_volume_stats_available_bytes", "kubelet_volume_stats_capacity_bytes"];
const NODE_METRICS = ["node_filesystem_avail_bytes", "node_filesystem_size_bytes"];
const PSEUDO_FILESYSTEMS = "tmpfs|ramfs|overlay|squashfs|nsfs|devtmpfs|fuse.lxcfs|autofs|proc|sysfs";

const nameRegex = (names: ReadonlyArray<string>) => ({ label: "__name__", op: "=~", value: names.join("|") }) as const;

/**
 * Selectors for one `/api/v1/label/__name__/values` call that tells which candidate metrics
 * exist for this alert, so absent ones are skipped without a query each.
 */
export const discoveryMatchers = (scope: PromScope): ReadonlyArray<string> => {
  const out: Array<string> = [];
  const add = (names: ReadonlyArray<string>, matchers: ReadonlyArray<Matcher>) => out.push(`{${renderMatchers([nameRegex(names), ...matchers])}}`);
  if (scope.http !== undefined) add([...REQUEST_COUNTERS, ...LATENCY_HISTOGRAMS], scope.http);
  if (scope.container !== undefined) add(CONTAINER_METRICS, scope.container);
  if (scope.volume !== undefined) add(VOLUME_METRICS, scope.volume);
  for (const alternative of scope.node ?? []) add(NODE_METRICS, alternative);
  return out;
};

export interface PlanOptions {
  /** Metric names known to exist, or `all` when discovery was not possible. */
  readonly available: ReadonlySet<string> | "all";
  /** The range of `rate()`: at least 5 minutes and a few steps. */
  readonly rateWindowMs: number;
}

/** The golden-signal queries for the scope, only for metrics that exist. */
export const planSignals = (scope: PromScope, options: PlanOptions): ReadonlyArray<SignalPlan> => {
  const has = (name: string) => options.available === "all" || options.available.has(name);
  const first = (names: ReadonlyArray<string>) => names.find(has);
  const r = duration(options.rateWindowMs);
  const plans: Array<SignalPlan> = [];

  if (scope.http !== undefined) {
    const s = scope.http;
    const counter = first(REQUEST_COUNTERS);
    if (counter !== undefined) {
      const total = `sum(rate(${selector(counter, s)}[${r}]))`;
      const errors = [...STATUS_LABELS.map((l) => `sum(rate(${selector(counter, [...s, { label: l, op: "=~", value: "5.." }])}[${r}]))`), "vector(0)"].join(" or ");
      plans.push({ id: "error-ratio", title: "5xx ratio", unit: "ratio", expr: `(${errors}) / ${total}`, subjectLabels: [], dayEarlier: true });
      plans.push({ id: "traffic", title: "request rate", unit: "perSecond", expr: total, subjectLabels: [], dayEarlier: true });
    }
    const histogram = first(LATENCY_HISTOGRAMS);
    if (histogram !== undefined) {
      const scale = histogram.includes("milliseconds") ? " / 1000" : "";
      for (const [id, q] of [["latency-p99", "0.99"], ["latency-p50", "0.5"]] as const) {
        plans.push({ id, title: `${id === "latency-p99" ? "p99" : "p50"} latency`, unit: "seconds", expr: `histogram_quantile(${q}, sum by (le) (rate(${selector(histogram, s)}[${r}])))${scale}`, subjectLabels: [], dayEarlier: true });
      }
    }
  }

  if (scope.container !== undefined) {
    const c = [...scope.container, { label: "container", op: "!=", value: "" }, { label: "container", op: "!=", value: "POD" }] as const;
    const by = "by (namespace, pod, container)";
    const subjectLabels = ["namespace", "pod", "container"];
    if (has("container_cpu_cfs_throttled_periods_total") && has("container_cpu_cfs_periods_total")) {
      plans.push({
        id: "cpu-throttling",
        title: "CPU throttling",
        unit: "ratio",
        expr: `sum ${by} (rate(${selector("container_cpu_cfs_throttled_periods_total", c)}[${r}])) / sum ${by} (rate(${selector("container_cpu_cfs_periods_total", c)}[${r}]))`,
        subjectLabels,
        dayEarlier: true
      });
    }
    if (has("container_memory_working_set_bytes")) {
      const workingSet = `max ${by} (${selector("container_memory_working_set_bytes", c)})`;
      const limit = has("kube_pod_container_resource_limits")
        ? selector("kube_pod_container_resource_limits", [...scope.container, { label: "resource", op: "=", value: "memory" }])
        : has("kube_pod_container_resource_limits_memory_bytes")
          ? selector("kube_pod_container_resource_limits_memory_bytes", scope.container)
          : undefined;
      plans.push(
        limit === undefined
          ? { id: "memory-working-set", title: "memory working set", unit: "bytes", expr: workingSet, subjectLabels, dayEarlier: true }
          : { id: "memory-vs-limit", title: "memory working set vs limit", unit: "ratio", expr: `${workingSet} / max ${by} (${limit})`, subjectLabels, dayEarlier: true }
      );
    }
    if (has("kube_pod_container_status_restarts_total")) {
      plans.push({ id: "restarts", title: "restarts", unit: "count", expr: `max ${by} (${selector("kube_pod_container_status_restarts_total", scope.container)})`, subjectLabels, dayEarlier: true });
      if (has("kube_pod_container_status_last_terminated_reason")) {
        plans.push({
          id: "restart-reasons",
          title: "last termination reason",
          unit: "count",
          expr: `max by (namespace, pod, container, reason) (${selector("kube_pod_container_status_last_terminated_reason", scope.container)})`,
          subjectLabels: [...subjectLabels, "reason"],
          dayEarlier: false
        });
      }
    }
  }

  if (scope.volume !== undefined && has("kubelet_volume_stats_available_bytes") && has("kubelet_volume_stats_capacity_bytes")) {
    const v = scope.volume;
    plans.push({
      id: "volume-usage",
      title: "volume usage",
      unit: "ratio",
      expr: `max by (namespace, persistentvolumeclaim) (1 - ${selector("kubelet_volume_stats_available_bytes", v)} / ${selector("kubelet_volume_stats_capacity_bytes", v)})`,
      subjectLabels: ["namespace", "persistentvolumeclaim"],
      dayEarlier: true
    });
  }

  if (scope.node !== undefined && has("node_filesystem_avail_bytes") && has("node_filesystem_size_bytes")) {
    const parts = scope.node.map((alternative) => {
      const m = [...alternative, { label: "fstype", op: "!~", value: PSEUDO_FILESYSTEMS } as const];
      return `max by (instance, mountpoint) (1 - ${selector("node_filesystem_avail_bytes", m)} / ${selector("node_filesystem_size_bytes", m)})`;
    });
    plans.push({ id: "node-filesystem", title: "filesystem usage", unit: "ratio", expr: parts.join(" or "), subjectLabels: ["instance", "mountpoint"], dayEarlier: true });
  }
  return plans;
};
