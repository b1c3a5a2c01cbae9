import type { AlertContext, Entities } from "@sre-on-call/core";

const ENTITY_LABELS: ReadonlyArray<keyof Entities> = ["alertname", "severity", "cluster", "namespace", "pod", "container", "deployment", "statefulset", "daemonset", "service", "node", "instance", "job"];

/**
 * An AlertContext as intake builds it from an Alertmanager alert: entities are the labels of
 * the same name. Tests and the bench use it to investigate without the intake pipeline.
 */
export const makeAlert = (o: { readonly labels: Readonly<Record<string, string>>; readonly at: number; readonly annotations?: Readonly<Record<string, string>>; readonly id?: string }): AlertContext => {
  const entities: Record<string, string> = {};
  for (const key of ENTITY_LABELS) {
    const value = o.labels[key];
    if (value !== undefined) entities[key] = value;
  }
  return {
    investigationId: o.id ?? `inv-${o.labels["alertname"] ?? "alert"}-${o.at}`,
    source: "alertmanager",
    channelId: "cli",
    messageId: String(o.at),
    alertText: `[FIRING:1] ${o.labels["alertname"] ?? "alert"} ${o.labels["namespace"] ?? ""}`.trim(),
    alertTimestamp: o.at,
    window: { start: o.at - 30 * 60_000, end: o.at + 5 * 60_000 },
    status: "firing",
    labels: { ...o.labels },
    annotations: { ...(o.annotations ?? {}) },
    entities: entities as Entities,
    hints: [],
    deadline: o.at + 60_000
  };
};
