import { Result, Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertContext } from "../model/AlertContext.js";
import { alertmanagerPayloadArb, grafanaPayloadArb } from "../testing/alertArbitraries.js";
import type { AlertFormat } from "./AlertFormat.js";
import { alertFromLabels } from "./alertFromLabels.js";
import { AlertParseError } from "./AlertParseError.js";
import amFiring from "./fixtures/alertmanager-firing-group.json" with { type: "json" };
import grafanaFiring from "./fixtures/grafana-firing.json" with { type: "json" };
import type { ParsedPayload } from "./parseAlertPayload.js";
import { parseAlertPayload } from "./parseAlertPayload.js";
import { parseTimestamp } from "./parseTimestamp.js";

const NOW = Date.parse("2026-11-25T01:25:00Z");
const isValidContext = Schema.is(AlertContext);

const ok = (r: Result.Result<ParsedPayload, AlertParseError>): ParsedPayload => {
  if (Result.isFailure(r)) throw new Error(`expected success, got: ${r.failure.message}`);
  return r.success;
};
const fail = (r: Result.Result<ParsedPayload, AlertParseError>): AlertParseError => {
  if (Result.isSuccess(r)) throw new Error("expected failure");
  return r.failure;
};

/** A team's Datadog webhook: `{ "event_type": "...", "tags": "k:v,...", "date": ms, "title": "...", "id": "..." }`. */
const datadog: AlertFormat = {
  name: "datadog",
  detect: (p) => typeof p === "object" && p !== null && "event_type" in p && "tags" in p,
  parse: (p, options) => {
    const { tags, date, title, id, alert_transition } = p as Record<string, unknown>;
    if (typeof tags !== "string" || typeof date !== "number" || typeof title !== "string") {
      return Result.fail(new AlertParseError({ format: "datadog", problems: ["tags must be a string, date a number and title a string"] }));
    }
    const labels = Object.fromEntries(tags.split(",").map((t) => t.split(":", 2) as [string, string]).filter((kv) => kv.length === 2));
    return Result.succeed([
      alertFromLabels(
        {
          source: "cli",
          status: alert_transition === "Recovered" ? "resolved" : "firing",
          labels: { alertname: title, ...labels },
          annotations: { summary: title },
          startsAt: date,
          ...(typeof id === "string" ? { fingerprint: id } : {})
        },
        options
      )
    ]);
  }
};

const datadogPayload = {
  event_type: "metric_alert_monitor",
  alert_transition: "Triggered",
  id: "8123456",
  date: Date.parse("2026-11-25T01:20:00Z"),
  title: "High error rate on checkout",
  tags: "kube_namespace:checkout,kube_deployment:checkout-api,kube_cluster_name:prod-eu-1,env:prod"
};

describe("parseAlertPayload", () => {
  it("recognises Alertmanager and Grafana payloads", () => {
    const am = ok(parseAlertPayload(amFiring, { now: NOW }));
    expect(am.format).toBe("alertmanager");
    expect(am.alerts).toHaveLength(3);
    const gr = ok(parseAlertPayload(grafanaFiring, { now: NOW }));
    expect(gr.format).toBe("grafana");
    expect(gr.alerts.every((a) => a.source === "grafana")).toBe(true);
  });

  it("recognises Grafana without orgId or version by its per-alert fields", () => {
    const { orgId: _o, version: _v, ...rest } = grafanaFiring;
    expect(ok(parseAlertPayload(rest, { now: NOW })).format).toBe("grafana");
  });

  it("tries custom formats first and builds contexts the same way as the built-ins", () => {
    const r = ok(parseAlertPayload(datadogPayload, { now: NOW, formats: [datadog] }));
    expect(r.format).toBe("datadog");
    const a = r.alerts[0];
    expect(isValidContext(a)).toBe(true);
    expect(a?.entities).toMatchObject({ namespace: "checkout", deployment: "checkout-api", cluster: "prod-eu-1", alertname: "High error rate on checkout" });
    expect(a?.fingerprint).toBe("8123456");
    expect(a?.window.end).toBe(datadogPayload.date + 5 * 60_000);
  });

  it("a custom format can claim a payload a built-in would also read", () => {
    const claimAll: AlertFormat = { name: "mine", detect: () => true, parse: () => Result.succeed([]) };
    expect(ok(parseAlertPayload(amFiring, { now: NOW, formats: [claimAll] }))).toEqual({ format: "mine", alerts: [] });
  });

  it("reports the detected custom format's own error", () => {
    const e = fail(parseAlertPayload({ ...datadogPayload, date: "yesterday" }, { now: NOW, formats: [datadog] }));
    expect(e.format).toBe("datadog");
    expect(e.message).toBe("invalid datadog payload: tags must be a string, date a number and title a string");
  });

  it("turns a throwing or misbehaving custom format into an AlertParseError", () => {
    const throwsOnDetect: AlertFormat = {
      name: "flaky",
      detect: () => {
        throw new TypeError("boom");
      },
      parse: () => Result.succeed([])
    };
    expect(fail(parseAlertPayload({}, { now: NOW, formats: [throwsOnDetect] })).message).toBe("invalid flaky payload: detect() threw TypeError: boom");

    const throwsOnParse: AlertFormat = {
      name: "flaky",
      detect: () => true,
      parse: () => {
        throw new Error("nope");
      }
    };
    expect(fail(parseAlertPayload({}, { now: NOW, formats: [throwsOnParse] })).problems).toEqual(["parse() threw Error: nope"]);

    const notAResult = { name: "odd", detect: () => true, parse: () => [] } as unknown as AlertFormat;
    expect(fail(parseAlertPayload({}, { now: NOW, formats: [notAResult] })).problems).toEqual(["parse() did not return a Result"]);

    const invalid: AlertFormat = { name: "sloppy", detect: () => true, parse: () => Result.succeed([{ investigationId: "" } as unknown as AlertContext]) };
    const e = fail(parseAlertPayload({}, { now: NOW, formats: [invalid] }));
    expect(e.format).toBe("sloppy");
    expect(e.problems[0]).toMatch(/^parse\(\) returned alerts that are not valid AlertContexts/);
  });

  it("explains what it expected when nothing recognises the payload", () => {
    expect(fail(parseAlertPayload({ text: "hello" }, { now: NOW, formats: [datadog] })).message).toBe(
      'invalid alert payload: no alert format recognised the object (tried datadog, grafana, grafana-legacy, alertmanager); an Alertmanager or Grafana webhook has an "alerts" array, a legacy Grafana one a "state" and a "ruleName"'
    );
    expect(fail(parseAlertPayload("[FIRING:1] X", { now: NOW })).message).toBe(
      "invalid alert payload: the payload must be a JSON object, got a string (tried grafana, grafana-legacy, alertmanager)"
    );
  });

  it("never throws on arbitrary JSON or arbitrary values", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (v) => {
        const r = parseAlertPayload(v, { now: NOW, formats: [datadog] });
        if (Result.isSuccess(r)) for (const a of r.success.alerts) expect(isValidContext(a)).toBe(true);
        else expect(r.failure.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 1_000 }
    );
  });

  it("never throws even on hostile objects", () => {
    const hostile = Object.defineProperty({}, "alerts", {
      enumerable: true,
      get: () => {
        throw new Error("gotcha");
      }
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const p of [hostile, revoked.proxy]) {
      expect(() => parseAlertPayload(p, { now: NOW })).not.toThrow();
      expect(Result.isFailure(parseAlertPayload(p, { now: NOW }))).toBe(true);
    }
  });

  it("never throws on a valid payload with any one field replaced by arbitrary JSON", () => {
    const mutated = fc.tuple(fc.oneof(alertmanagerPayloadArb, grafanaPayloadArb), fc.nat(), fc.nat(), fc.jsonValue()).map(([p, i, j, junk]) => {
      const copy = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
      const alerts = copy["alerts"] as Array<Record<string, unknown>>;
      const alert = alerts[i % alerts.length] ?? {};
      const keys = Object.keys(alert);
      const key = keys[j % keys.length] ?? "labels";
      alert[key] = junk;
      return copy;
    });
    fc.assert(
      fc.property(mutated, (p) => {
        const r = parseAlertPayload(p, { now: NOW });
        if (Result.isSuccess(r)) for (const a of r.success.alerts) expect(isValidContext(a)).toBe(true);
        else expect(r.failure.problems[0]).toMatch(/^alerts\[\d+\]\./);
      })
    );
  });

  it("every alert of a generated payload yields exactly one context at its startsAt", () => {
    fc.assert(
      fc.property(fc.oneof(alertmanagerPayloadArb, grafanaPayloadArb), (p) => {
        const r = ok(parseAlertPayload(p, { now: NOW }));
        const sent = p["alerts"] as ReadonlyArray<Record<string, unknown>>;
        expect(r.alerts.map((a) => a.alertTimestamp)).toEqual(
          sent.map((s) => {
            const t = parseTimestamp(s["startsAt"] as string);
            return t._tag === "At" ? t.millis : Number.NaN;
          })
        );
      })
    );
  });
});
