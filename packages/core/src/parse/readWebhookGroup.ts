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
 * back to the group's, then to whether the alert has ended. Problems go to `problems`.
 */
export const readWebhookGroup = (
  payload: unknown,
  expectedVersion: string,
  problems: Problems
): { readonly group: WebhookGroup; readonly fields: Readonly<Record<string, unknown>>; readonly alerts: ReadonlyArray<RawAlert> } | undefined => {
  if (!isRecord(payload)) {
    problems.add(`the payload must be a JSON object, got ${describeType(payload)}`);
    return undefined;
  }
  const version = readString(payload, "version", "", problems);
  if (version !== undefined && version !== expectedVersion) {
    problems.add(`version must be ${quote(expectedVersion)}, got ${quote(version)}`);
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
  const group: WebhookGroup = {
    receiver: readString(payload, "receiver", "", problems) ?? "",
    status: groupStatus ?? (alerts.length > 0 && alerts.every((a) => a.status === "resolved") ? "resolved" : "firing"),
    groupKey: readString(payload, "groupKey", "", problems) ?? "",
    groupLabels: readStringMap(payload, "groupLabels", "", problems),
    commonLabels: readStringMap(payload, "commonLabels", "", problems),
    commonAnnotations: readStringMap(payload, "commonAnnotations", "", problems),
    externalURL: readString(payload, "externalURL", "", problems) ?? "",
    truncatedAlerts: readCount(payload, "truncatedAlerts", "", problems)
  };
  return { group, fields: payload, alerts };
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
