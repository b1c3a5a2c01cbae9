import { Result } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import type { Link } from "../model/primitives.js";
import type { ParseOptions } from "./AlertFormat.js";
import { alertFromLabels } from "./alertFromLabels.js";
import { AlertParseError } from "./AlertParseError.js";
import { get, isRecord, readLooseString, unexpected } from "./readPayload.js";

/**
 * The hint that marks Grafana's own contact-point test: intake acknowledges it and investigates
 * nothing (the person clicking "Test" wants to see the pipeline work, not an incident).
 */
export const TEST_NOTIFICATION_HINT = "test notification: Grafana's contact point test, not an alert";

/** Legacy alerting states: `alerting` and `no_data` are trouble, `ok` a recovery, `paused` and `pending` neither. */
const STATUS: Readonly<Record<string, "firing" | "resolved" | undefined>> = { alerting: "firing", no_data: "firing", ok: "resolved" };

/** What Grafana's legacy "Test" button sends (zulip/zulip zerver/webhooks/grafana/fixtures/alert.json, grafana docs). */
const LEGACY_TEST_MESSAGE = /^Someone is testing the alert notification within grafana\.?$/i;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined);

/** `tags` and an eval match's `tags`: an object of strings (numbers kept as text); anything else is none. */
const stringMap = (v: unknown): Record<string, string> => {
  if (!isRecord(v)) return {};
  const out: Array<[string, string]> = [];
  for (const [k, x] of Object.entries(v)) {
    const s = str(x);
    if (s !== undefined && k.trim() !== "") out.push([k, s]);
  }
  return Object.fromEntries(out);
};

/** `metric=value {tags}` for each eval match, as the hint an investigator reads. */
const matchHints = (matches: ReadonlyArray<unknown>): Array<string> =>
  matches.slice(0, 10).flatMap((m) => {
    if (!isRecord(m)) return [];
    const tags = Object.entries(stringMap(get(m, "tags")))
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    return [`eval match: ${str(get(m, "metric")) ?? "value"} = ${str(get(m, "value")) ?? "?"}${tags === "" ? "" : ` {${tags}}`}`];
  });

/** Grafana's legacy alerting webhook carries a rule, its state and eval matches, without an `alerts` array. */
export const isGrafanaLegacyPayload = (payload: unknown): boolean =>
  isRecord(payload) &&
  !Array.isArray(get(payload, "alerts")) &&
  typeof get(payload, "state") === "string" &&
  (typeof get(payload, "ruleName") === "string" || Array.isArray(get(payload, "evalMatches")));

/**
 * Reads a Grafana legacy-alerting webhook (Grafana ≤ 10: `ruleName`, `ruleId`, `state`,
 * `evalMatches`, `tags`, `ruleUrl`): one alert per notification. `alerting` and `no_data` fire,
 * `ok` resolves, `paused`/`pending` yield nothing. The rule's `tags` and, when every eval match
 * agrees on them, the matches' tags become labels; the title and message its summary and
 * description. Legacy notifications carry no start time, so the alert starts when it is received.
 * Never throws.
 */
export const parseGrafanaLegacyWebhook = (payload: unknown, options: ParseOptions): Result.Result<ReadonlyArray<AlertContext>, AlertParseError> => {
  try {
    if (!isRecord(payload)) return Result.fail(new AlertParseError({ format: "grafana-legacy", problems: ["the payload must be a JSON object"] }));
    const state = (str(get(payload, "state")) ?? "").toLowerCase();
    const status = STATUS[state];
    if (status === undefined) return Result.succeed([]);
    const ruleName = str(get(payload, "ruleName")) ?? str(get(payload, "title"))?.replace(/^\[[^\]]*\]\s*/, "") ?? "Grafana alert";
    const rawMatches = get(payload, "evalMatches");
    const matches = Array.isArray(rawMatches) ? rawMatches : [];
    const matchTags = matches.map((m) => (isRecord(m) ? stringMap(get(m, "tags")) : {}));
    // A tag every match shares describes the alert (its instance, namespace); one that differs does not.
    const shared = Object.fromEntries(Object.entries(matchTags[0] ?? {}).filter(([k, v]) => !k.startsWith("__") && matchTags.every((t) => t[k] === v)));
    const labels = { ...shared, ...stringMap(get(payload, "tags")), alertname: ruleName };
    const title = str(get(payload, "title"))?.replace(/^\[[^\]]*\]\s*/, "");
    const message = str(get(payload, "message"));
    const annotations: Record<string, string> = {};
    if (title !== undefined && title !== ruleName) annotations["summary"] = title;
    if (message !== undefined) annotations["description"] = message;
    const ruleUrl = readLooseString(payload, "ruleUrl");
    const imageUrl = readLooseString(payload, "imageUrl");
    const links: Array<Link> = imageUrl !== undefined && /^https?:\/\//i.test(imageUrl) ? [{ label: "image", url: imageUrl }] : [];
    const test = LEGACY_TEST_MESSAGE.test(message ?? "") && (str(get(payload, "ruleId")) ?? "0") === "0";
    const identity = ["grafana-legacy", str(get(payload, "orgId")) ?? "", str(get(payload, "dashboardId")) ?? "", str(get(payload, "panelId")) ?? "", str(get(payload, "ruleId")) ?? "", ruleName].join("\u0000");
    return Result.succeed([
      alertFromLabels(
        {
          source: "grafana",
          status,
          labels,
          annotations,
          startsAt: options.now,
          fingerprint: identity,
          ...(ruleUrl !== undefined && /^https?:\/\//i.test(ruleUrl) ? { generatorUrl: ruleUrl } : {}),
          links,
          hints: [
            "Grafana legacy alerting notification",
            ...(state === "no_data" ? ["the rule's query returned no data"] : []),
            ...matchHints(matches),
            ...(test ? [TEST_NOTIFICATION_HINT] : [])
          ]
        },
        options
      )
    ]);
  } catch (cause) {
    return Result.fail(unexpected("grafana-legacy", cause));
  }
};
