import { Result } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import type { Link } from "../model/primitives.js";
import type { ParseOptions } from "./AlertFormat.js";
import { alertFromLabels } from "./alertFromLabels.js";
import { AlertParseError } from "./AlertParseError.js";
import { Problems, unexpected } from "./readPayload.js";
import type { WebhookGroup } from "./readWebhookGroup.js";
import { groupHint, readWebhookGroup } from "./readWebhookGroup.js";

/** An Alertmanager notification: the group envelope and one investigation per alert in it. */
export interface ParsedAlertmanagerGroup extends WebhookGroup {
  readonly alerts: ReadonlyArray<AlertContext>;
}

/**
 * Reads an Alertmanager webhook (payload version 4). Every alert in the group becomes an
 * `AlertContext`, firing and resolved alike, in payload order; an empty group is valid and
 * yields none. Anything malformed fails with an `AlertParseError` listing each problem by
 * path. Never throws.
 */
export const parseAlertmanagerWebhook = (
  payload: unknown,
  options: ParseOptions
): Result.Result<ParsedAlertmanagerGroup, AlertParseError> => {
  try {
    const problems = new Problems();
    const read = readWebhookGroup(payload, "4", problems);
    if (read === undefined || problems.any) return Result.fail(new AlertParseError({ format: "alertmanager", problems: problems.summary() }));
    const { group, alerts, notes } = read;
    const shared = [...groupHint(alerts, group.truncatedAlerts), ...notes];
    const links: Array<Link> = /^https?:\/\//i.test(group.externalURL) ? [{ label: "alertmanager", url: group.externalURL }] : [];
    const contexts = alerts.map((a) =>
      alertFromLabels(
        {
          source: "alertmanager",
          status: a.status,
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.startsAt,
          ...(a.endsAt === undefined ? {} : { endsAt: a.endsAt }),
          ...(a.fingerprint === undefined ? {} : { fingerprint: a.fingerprint }),
          ...(a.generatorURL === undefined ? {} : { generatorUrl: a.generatorURL }),
          links,
          hints: shared
        },
        options
      )
    );
    return Result.succeed({ ...group, alerts: contexts });
  } catch (cause) {
    return Result.fail(unexpected("alertmanager", cause));
  }
};
