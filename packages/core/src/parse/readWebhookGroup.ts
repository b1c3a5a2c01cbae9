import type { AlertStatus } from "../model/AlertContext.js";
import type { Problems } from "./readPayload.js";
import { describeType, get, isRecord, quote, readCount, readStatus, readString, readStringMap, readTimestamp } from "./readPayload.js";

/** One alert of an Alertmanager-style group, validated but not yet interpreted. */
export interface RawAlert {
  readonly path: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly status: AlertStatus;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: number;
  readonly endsAt: number | undefined;
  readonly generatorURL: string | undefined;
  readonly fingerprint: string | undefined;
}

/** The fields Alertmanager v4 and Grafana webhooks share. */
export interface WebhookGroup {
  readonly receiver: string;
  readonly status: AlertStatus;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly truncatedAlerts: number;
}

/**
 * Reads the group envelope and every alert of an Alertmanager-compatible webhook. Labels,
 * annotations and `startsAt` are required per alert; a missing per-alert `status` falls
 * back to the group's, then to whether the alert has ended. An alert without a label that the
 * group's `commonLabels` carry (a severity, an alertname) takes the group's, and one without an
 * `alertname` is named after its `groupLabels`.
 *
 * The envelope is read leniently, because senders other than Alertmanager imitate it: a `version`
 * that is missing, empty or not the expected one, and an integer `groupKey`, are accepted and
 * reported in `notes` (losing an alert over its envelope helps nobody). Problems go to `problems`.
 */
export const readWebhookGroup = (
  payload: unknown,
  expectedVersion: string,
  problems: Problems
): { readonly group: WebhookGroup; readonly fields: Readonly<Record<string, unknown>>; readonly alerts: ReadonlyArray<RawAlert>; readonly notes: ReadonlyArray<string> } | undefined => {
  if (!isRecord(payload)) {
    problems.add(`the payload must be a JSON object, got ${describeType(payload)}`);
    return undefined;
  }
  const notes: Array<string> = [];
  const rawVersion = get(payload, "version");
  if (typeof rawVersion === "number" || (typeof rawVersion === "string" && rawVersion !== expectedVersion)) {
    notes.push(`payload version ${quote(String(rawVersion))} (expected ${quote(expectedVersion)}); read as version ${expectedVersion}`);
  } else if (rawVersion !== undefined && rawVersion !== null && typeof rawVersion !== "string") {
    problems.add(`version must be a string, got ${describeType(rawVersion)}`);
  }
  const groupStatus = readStatus(payload, "status", "", problems);
  const rawAlerts = get(payload, "alerts");
  const alerts: Array<RawAlert> = [];
  if (rawAlerts === undefined || rawAlerts === null) problems.add("alerts is missing; it must be an array of alerts");
  else if (!Array.isArray(rawAlerts)) problems.add(`alerts must be an array of alerts, got ${describeType(rawAlerts)}`);
  else {
    for (let i = 0; i < rawAlerts.length && !problems.full; i++) {
      const alert = readAlert(rawAlerts[i], `alerts[${i}]`, groupStatus, problems);
      if (alert !== undefined) alerts.push(alert);
      if (problems.full && i + 1 < rawAlerts.length) problems.stop();
    }
  }
  const rawKey = get(payload, "groupKey");
  const groupLabels = readStringMap(payload, "groupLabels", "", problems);
  const commonLabels = readStringMap(payload, "commonLabels", "", problems);
  const group: WebhookGroup = {
    receiver: readString(payload, "receiver", "", problems) ?? "",
    status: groupStatus ?? (alerts.length > 0 && alerts.every((a) => a.status === "resolved") ? "resolved" : "firing"),
    groupKey: typeof rawKey === "number" && Number.isFinite(rawKey) ? String(rawKey) : (readString(payload, "groupKey", "", problems) ?? ""),
    groupLabels,
    commonLabels,
    commonAnnotations: readStringMap(payload, "commonAnnotations", "", problems),
    externalURL: readString(payload, "externalURL", "", problems) ?? "",
    truncatedAlerts: readCount(payload, "truncatedAlerts", "", problems)
  };
  const groupName = Object.values(groupLabels).filter((v) => v.trim() !== "").join(" ");
  const completed = alerts.map((a) => {
    const labels = { ...Object.fromEntries(Object.entries(commonLabels).filter(([k]) => !Object.hasOwn(a.labels, k))), ...a.labels };
    if (!Object.hasOwn(labels, "alertname") && groupName !== "") labels["alertname"] = groupName;
    return { ...a, labels };
  });
  return { group, fields: payload, alerts: completed, notes };
};

const readAlert = (
  raw: unknown,
  path: string,
  groupStatus: AlertStatus | undefined,
  problems: Problems
): RawAlert | undefined => {
  if (!isRecord(raw)) {
    problems.add(`${path} must be an object, got ${describeType(raw)}`);
    return undefined;
  }
  const before = problems.list.length;
  const labels = readStringMap(raw, "labels", path, problems, true);
  const annotations = readStringMap(raw, "annotations", path, problems);
  const status = readStatus(raw, "status", path, problems);
  const startsAt = readTimestamp(raw, "startsAt", path, problems, true);
  const endsAt = readTimestamp(raw, "endsAt", path, problems, false);
  const generatorURL = readString(raw, "generatorURL", path, problems);
  const fingerprint = readString(raw, "fingerprint", path, problems);
  if (problems.list.length > before || startsAt === undefined) return undefined;
  return {
    path,
    fields: raw,
    status: status ?? groupStatus ?? (endsAt === undefined ? "firing" : "resolved"),
    labels,
    annotations,
    startsAt,
    endsAt,
    generatorURL,
    fingerprint
  };
};

/** "in a group of 3 alerts (A, B, C)": tells investigators which alerts fired together. */
export const groupHint = (alerts: ReadonlyArray<RawAlert>, truncated: number): Array<string> => {
  const hints: Array<string> = [];
  const total = alerts.length + truncated;
  if (total > 1) {
    const names = [...new Set(alerts.map((a) => a.labels["alertname"] ?? "").filter((n) => n !== ""))].sort();
    const shown = names.slice(0, 10).join(", ") + (names.length > 10 ? `, and ${names.length - 10} more rules` : "");
    hints.push(`in a group of ${total} alerts${shown === "" ? "" : ` (${shown})`}`);
  }
  if (truncated > 0) hints.push(`${truncated} further alerts of this group were left out of the notification (max_alerts)`);
  return hints;
};
