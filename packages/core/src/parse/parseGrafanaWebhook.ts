import { Result } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import type { Link } from "../model/primitives.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import type { ParseOptions } from "./AlertFormat.js";
import { alertFromLabels } from "./alertFromLabels.js";
import { AlertParseError } from "./AlertParseError.js";
import { get, isRecord, Problems, readLooseString, unexpected } from "./readPayload.js";
import type { RawAlert, WebhookGroup } from "./readWebhookGroup.js";
import { groupHint, readWebhookGroup } from "./readWebhookGroup.js";

/** A Grafana unified-alerting notification: the envelope and one investigation per alert. */
export interface ParsedGrafanaGroup extends WebhookGroup {
  readonly orgId?: number;
  readonly title: string;
  readonly state: string;
  readonly message: string;
  readonly alerts: ReadonlyArray<AlertContext>;
}

/**
 * Reads a Grafana unified-alerting webhook (payload version 1). Besides what Alertmanager
 * sends, each alert links its silence, dashboard, panel and image, and carries the query
 * values that fired it; those become links and hints. Grafana's `grafana_folder` and
 * `__alert_rule_uid__` labels stay in `labels` and are also spelled out as hints. The extra
 * fields are optional and ignored when malformed. Never throws.
 */
export const parseGrafanaWebhook = (payload: unknown, options: ParseOptions): Result.Result<ParsedGrafanaGroup, AlertParseError> => {
  try {
    const problems = new Problems();
    const read = readWebhookGroup(payload, "1", problems);
    if (read === undefined || problems.any) return Result.fail(new AlertParseError({ format: "grafana", problems: problems.summary() }));
    const { group, fields, alerts, notes } = read;
    const shared = [...groupHint(alerts, group.truncatedAlerts), ...notes];
    const orgId = get(fields, "orgId");
    const contexts = alerts.map((a) =>
      alertFromLabels(
        {
          source: "grafana",
          status: a.status,
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.startsAt,
          ...(a.endsAt === undefined ? {} : { endsAt: a.endsAt }),
          ...(a.fingerprint === undefined ? {} : { fingerprint: a.fingerprint }),
          ...(a.generatorURL === undefined ? {} : { generatorUrl: a.generatorURL }),
          links: grafanaLinks(a, group.externalURL),
          hints: [...grafanaHints(a), ...shared]
        },
        options
      )
    );
    return Result.succeed({
      ...group,
      ...(typeof orgId === "number" && Number.isFinite(orgId) ? { orgId } : {}),
      title: readLooseString(fields, "title") ?? "",
      state: readLooseString(fields, "state") ?? "",
      message: readLooseString(fields, "message") ?? "",
      alerts: contexts
    });
  } catch (cause) {
    return Result.fail(unexpected("grafana", cause));
  }
};

const LINK_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["dashboardURL", "dashboard"],
  ["panelURL", "panel"],
  ["silenceURL", "silence"],
  ["imageURL", "image"]
];

const grafanaLinks = (a: RawAlert, externalURL: string): Array<Link> => {
  const links: Array<Link> = [];
  for (const [field, label] of LINK_FIELDS) {
    const url = readLooseString(a.fields, field);
    if (url !== undefined && /^https?:\/\//i.test(url)) links.push({ label, url });
  }
  if (/^https?:\/\//i.test(externalURL)) links.push({ label: "grafana", url: externalURL });
  return links;
};

const MAX_VALUES = 10;

const grafanaHints = (a: RawAlert): Array<string> => {
  const hints: Array<string> = [];
  const folder = a.labels["grafana_folder"];
  if (folder !== undefined && folder !== "") hints.push(`Grafana folder: ${folder}`);
  const rule = a.labels["__alert_rule_uid__"];
  if (rule !== undefined && rule !== "") hints.push(`Grafana rule uid: ${rule}`);
  const name = a.labels["alertname"];
  if (name === "DatasourceNoData") hints.push("the rule's query returned no data (DatasourceNoData), so the alert may be about the data source, not the service");
  if (name === "DatasourceError") hints.push("the rule's query failed (DatasourceError): check the data source before the service");
  const values = get(a.fields, "values");
  if (isRecord(values)) {
    const shown = Object.entries(values)
      .filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]))
      .slice(0, MAX_VALUES)
      .map(([k, v]) => `${k}=${Number(v.toPrecision(6))}`);
    if (shown.length > 0) hints.push(`query values: ${shown.join(", ")}`);
  } else {
    const valueString = readLooseString(a.fields, "valueString");
    const shownValues = valueString !== undefined && valueString.length > 500 ? redactSecrets(valueString) : valueString;
    if (shownValues !== undefined) hints.push(`query values: ${shownValues.length > 500 ? `${shownValues.slice(0, 499)}…` : shownValues}`);
  }
  return hints;
};
