import type { AlertContext } from "@sre-on-call/core";
import { parseQuantity } from "../kube/quantity.js";
import type { Analysis, Frame } from "./Analysis.js";
import { containersOf, kubectl, listNames, podSource } from "./podFacts.js";
import type { Subject } from "./Subject.js";

/**
 * How sure the alert is about CPU throttling: kube-prometheus' CPUThrottlingHigh or words that
 * say CPU are; "throttling" of a container without "CPU" most likely is (nothing else throttles
 * a container) but not surely; throttling of anything else (API rate limits) is not.
 */
export const throttlingAlert = (alert: AlertContext): "cpu" | "container" | undefined => {
  if (alert.entities.alertname === "CPUThrottlingHigh" || alert.labels["alertname"] === "CPUThrottlingHigh") return "cpu";
  const text = [alert.alertText, alert.annotations["summary"] ?? "", alert.annotations["description"] ?? "", alert.annotations["message"] ?? ""].join("\n");
  const sentences = text.split(/[.!?\n]+/).filter((s) => /\bthrottl(?:ed|ing|e)\b/i.test(s));
  if (sentences.some((s) => /\bcpu\b|\bcfs\b/i.test(s))) return "cpu";
  if (sentences.some((s) => /\bcontainers?\b/i.test(s) && !/rate.?limit|\bapi\b|\b429\b|requests/i.test(s))) return "container";
  return undefined;
};

export const isThrottlingAlert = (alert: AlertContext): boolean => throttlingAlert(alert) !== undefined;

/** `20m (0.02 cores)`. */
const cores = (q: string): string => {
  const v = parseQuantity(q);
  return v === undefined ? q : `${q} (${Number(v.toFixed(3))} of a core)`;
};

/**
 * CPU throttling comes from a container's CPU limit: the CFS quota lets it use `limit` cores per
 * 100 ms period and stops it for the rest of the period once spent, however idle the node is. So
 * the cause to report is the limit (and the request beside it), which the pod spec holds.
 */
export const analyzeThrottling = (a: Analysis, frame: Frame, subject: Subject, container?: string, sure = true): void => {
  const candidates = subject.pods
    .flatMap((p) => containersOf(p).filter((c) => !c.init && (container === undefined || c.name === container)))
    .filter((c) => c.spec !== undefined);
  const byName = new Map<string, (typeof candidates)[number]>();
  for (const c of candidates) if (!byName.has(c.name)) byName.set(c.name, c);
  const limited = [...byName.values()].filter((c) => typeof c.spec?.resources?.limits?.["cpu"] === "string");
  if (limited.length === 0) {
    if (byName.size === 0) return;
    const names = [...byName.keys()];
    const id = a.evidence.add({
      source: podSource(subject.pods[0]!),
      timestamp: a.alertTime,
      severity: "medium",
      content: `No CPU limit on ${listNames(names)} of ${subject.label} in the data read: the CFS quota that throttles a container comes from its CPU limit`,
      metadata: { containers: names }
    });
    a.propose(frame, subject.label, {
      key: `throttling:${subject.label}`,
      title: `${subject.label} reports CPU throttling, but ${listNames(names)} ${names.length === 1 ? "has" : "have"} no CPU limit in the data read (symptom only)`,
      detail: "Throttling needs a CPU limit; the pod spec read has none, so the limit may come from a LimitRange default or the alert may concern another container.",
      confidence: "low",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, "describe limitrange")}; ${kubectl(subject.ref.namespace, `get pod ${subject.pods[0]?.metadata.name ?? ""} -o jsonpath='{..resources}'`)}`
    });
    return;
  }
  // Ready pods that do not restart show no harm the throttling does: the rule fires on short
  // bursts while the average use is far below the limit (kubernetes-sigs/kubernetes-mixin#108,
  // ministryofjustice/cloud-platform#801: 0.02 cores used under a 0.5 limit, sighupio/module-monitoring#36).
  const healthy = subject.pods.length > 0 && subject.pods.every((p) => containersOf(p).every((c) => c.init || (c.status.ready === true && (c.status.restartCount ?? 0) === 0)));
  for (const c of limited) {
    const limit = c.spec?.resources?.limits?.["cpu"] ?? "";
    const request = c.spec?.resources?.requests?.["cpu"];
    const id = a.evidence.add({
      source: podSource(c.pod),
      timestamp: a.alertTime,
      severity: "high",
      content: `Container ${c.name} of ${subject.label}: CPU limit ${limit}, request ${request ?? "none"}`,
      metadata: { container: c.name, cpuLimit: limit, cpuRequest: request ?? null }
    });
    a.propose(frame, subject.label, {
      key: `throttling:${subject.label}:${c.name}`,
      title: healthy
        ? `${subject.label}: container ${c.name} is CPU-throttled by its ${limit} CPU limit (request ${request ?? "none"}); its pods are ready and do not restart, so the throttling is not shown to be a capacity problem (usage not read)`
        : `${subject.label}: container ${c.name} is CPU-throttled by its ${limit} CPU limit (request ${request ?? "none"})`,
      detail: `The container may use ${cores(limit)} per scheduling period; any burst above that is throttled for the rest of the period, however idle the node is. Compare its usage with the limit: rate(container_cpu_usage_seconds_total{container="${c.name}"}[5m]) against ${limit}, and container_cpu_cfs_throttled_periods_total.${healthy ? " CPUThrottlingHigh also fires for short bursts when the average use is far below the limit; with healthy pods it is often a false alarm." : ""}${sure ? "" : " The alert speaks of throttling without saying CPU; CPU is the only resource a container is throttled on."}`,
      // Throttling is the limit at work, never by itself a confirmed cause of harm: the usage that
      // would show it is in metrics, not in the objects read.
      confidence: "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `kubectl top pod -n ${subject.ref.namespace} --containers; ${kubectl(subject.ref.namespace, `get pod ${c.pod.metadata.name} -o jsonpath='{.spec.containers[?(@.name=="${c.name}")].resources}'`)}`,
      actions: [`Raise (or remove) the CPU limit of ${c.name} above its burst usage, keeping the request near its typical usage`, "If the throttling does not hurt (an idle loop), silence CPUThrottlingHigh for this container instead"]
    });
  }
};
