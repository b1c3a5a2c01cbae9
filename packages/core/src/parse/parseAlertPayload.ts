import { Result, Schema } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import { AlertContext as AlertContextSchema } from "../model/AlertContext.js";
import { decodeUnknown } from "../model/decode.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import type { AlertFormat, ParseOptions } from "./AlertFormat.js";
import { AlertParseError } from "./AlertParseError.js";
import { parseAlertmanagerWebhook } from "./parseAlertmanagerWebhook.js";
import { isGrafanaLegacyPayload, parseGrafanaLegacyWebhook } from "./parseGrafanaLegacyWebhook.js";
import { parseGrafanaWebhook } from "./parseGrafanaWebhook.js";
import { describeType, get, isRecord, unexpected } from "./readPayload.js";

const GRAFANA_ALERT_FIELDS = ["silenceURL", "dashboardURL", "panelURL", "values", "valueString", "imageURL"];

/** Grafana sends `orgId`, payload version "1", or per-alert silence/dashboard/panel links. */
export const grafanaFormat: AlertFormat = {
  name: "grafana",
  detect: (payload) => {
    if (!isRecord(payload) || !Array.isArray(get(payload, "alerts"))) return false;
    if (get(payload, "orgId") !== undefined || get(payload, "version") === "1") return true;
    const alerts = get(payload, "alerts") as ReadonlyArray<unknown>;
    const first = alerts[0];
    return isRecord(first) && GRAFANA_ALERT_FIELDS.some((f) => Object.hasOwn(first, f));
  },
  parse: (payload, options) => Result.map(parseGrafanaWebhook(payload, options), (g) => g.alerts)
};

/** Anything else that carries `alerts`, a v4 `version` or a `groupKey` is read as Alertmanager, so its problems get named. */
export const alertmanagerFormat: AlertFormat = {
  name: "alertmanager",
  detect: (payload) =>
    isRecord(payload) && (get(payload, "alerts") !== undefined || get(payload, "version") === "4" || typeof get(payload, "groupKey") === "string"),
  parse: (payload, options) => Result.map(parseAlertmanagerWebhook(payload, options), (g) => g.alerts)
};

/** Grafana's legacy alerting (≤ 10): a rule, its state and eval matches, no `alerts` array. */
export const grafanaLegacyFormat: AlertFormat = {
  name: "grafana-legacy",
  detect: isGrafanaLegacyPayload,
  parse: parseGrafanaLegacyWebhook
};

export const BUILTIN_FORMATS: ReadonlyArray<AlertFormat> = [grafanaFormat, grafanaLegacyFormat, alertmanagerFormat];

export interface ParsedPayload {
  /** The name of the format that read the payload. */
  readonly format: string;
  readonly alerts: ReadonlyArray<AlertContext>;
}

const decodeContexts = decodeUnknown(Schema.Array(AlertContextSchema), "alert contexts");

/**
 * Reads any supported webhook payload. The caller's `formats` are tried first, in order,
 * then Grafana, then Alertmanager; the first whose `detect` accepts the payload parses it
 * (its error is reported as is, later formats are not tried). A custom format's output is
 * checked against the `AlertContext` schema, and a custom format that throws is reported as
 * an `AlertParseError`. Never throws.
 */
export const parseAlertPayload = (
  payload: unknown,
  options: ParseOptions & { readonly formats?: ReadonlyArray<AlertFormat> }
): Result.Result<ParsedPayload, AlertParseError> => {
  const custom = options.formats ?? [];
  for (const format of custom) {
    const name = formatName(format);
    let detected: boolean;
    try {
      detected = format.detect(payload) === true;
    } catch (cause) {
      return Result.fail(new AlertParseError({ format: name, problems: [`detect() threw ${errorName(cause)}`] }));
    }
    if (detected) return runCustom(format, name, payload, options);
  }
  try {
    for (const format of BUILTIN_FORMATS) {
      if (format.detect(payload)) return Result.map(format.parse(payload, options), (alerts) => ({ format: format.name, alerts }));
    }
  } catch (cause) {
    // Only a hostile object (a throwing getter, a revoked proxy) gets here: JSON never does.
    return Result.fail(unexpected("unknown", cause));
  }
  const tried = [...custom.map(formatName), ...BUILTIN_FORMATS.map((f) => f.name)].join(", ");
  const problem = isRecord(payload)
    ? `no alert format recognised the object (tried ${tried}); an Alertmanager or Grafana webhook has an "alerts" array, a legacy Grafana one a "state" and a "ruleName"`
    : `the payload must be a JSON object, got ${describeType(payload)} (tried ${tried})`;
  return Result.fail(new AlertParseError({ format: "unknown", problems: [problem] }));
};

const runCustom = (
  format: AlertFormat,
  name: string,
  payload: unknown,
  options: ParseOptions
): Result.Result<ParsedPayload, AlertParseError> => {
  let result: unknown;
  try {
    result = format.parse(payload, options);
  } catch (cause) {
    return Result.fail(new AlertParseError({ format: name, problems: [`parse() threw ${errorName(cause)}`] }));
  }
  if (!Result.isResult(result)) return Result.fail(new AlertParseError({ format: name, problems: ["parse() did not return a Result"] }));
  if (Result.isFailure(result)) {
    const e = result.failure;
    return Result.fail(e instanceof AlertParseError ? e : new AlertParseError({ format: name, problems: [`parse() failed with ${errorName(e)}`] }));
  }
  const decoded = decodeContexts(result.success);
  if (Result.isFailure(decoded)) {
    return Result.fail(new AlertParseError({ format: name, problems: [`parse() returned alerts that are not valid AlertContexts: ${decoded.failure.reason}`] }));
  }
  return Result.succeed({ format: name, alerts: decoded.success });
};

const formatName = (format: AlertFormat): string => (typeof format.name === "string" && format.name !== "" ? format.name : "custom");

// A custom format's error may quote the payload: redacted before it is cut.
const errorName = (cause: unknown): string =>
  cause instanceof Error ? `${cause.name}: ${redactSecrets(cause.message).slice(0, 200)}` : typeof cause === "string" ? redactSecrets(cause).slice(0, 200) : describeType(cause);
