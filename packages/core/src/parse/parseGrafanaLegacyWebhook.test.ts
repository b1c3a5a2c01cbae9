import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { parseAlertPayload } from "./parseAlertPayload.js";
import { TEST_NOTIFICATION_HINT } from "./parseGrafanaLegacyWebhook.js";

const NOW = Date.parse("2026-12-07T10:00:00Z");

/*
 * Real legacy-alerting payloads, verbatim, from other tools' webhook tests:
 * - alerta/alerta tests/test_webhooks.py (grafana_alert_alerting, grafana_alert_ok, grafana_6)
 * - zulip/zulip zerver/webhooks/grafana/fixtures (alert.json: Grafana's own test notification,
 *   no_data_alert_v7.json, alert_paused_v7.json)
 */
const alertaAlerting = {
  evalMatches: [
    {
      value: 97.007606,
      metric: "user",
      tags: {
        __name__: "netdata_cpu_cpu_percentage_average",
        chart: "cpu.cpu0",
        dimension: "user",
        family: "utilization",
        instance: "zeta.domain",
        job: "monitoring",
        "info.host_id": "i-0d0721c7f97545d43"
      }
    }
  ],
  message: "boom!",
  ruleId: 7,
  ruleName: "Zeta CPU alert",
  ruleUrl: "https://grafana.domain.tld/dashboard/db/alarms?fullscreen&edit&tab=alert&panelId=1&orgId=1",
  state: "alerting",
  title: "[Alerting] CPU alert"
};
const alertaOk = { evalMatches: [], message: "boom!", ruleId: 7, ruleName: "Zeta CPU alert", ruleUrl: alertaAlerting.ruleUrl, state: "ok", title: "[OK] CPU alert" };
const alerta6 = {
  evalMatches: [{ value: 23644.5, metric: "Battery Voltage (millivolts)", tags: { environment: "Network", service: "Core", group: "Power" } }],
  message: "Battery Voltage dropped below 23.7 Volts, please investigate",
  ruleId: 58,
  ruleName: "Testing -> Battery Voltage alert",
  ruleUrl: "https://grafana.logreposit.com/d/Rs6E_oHWk/playground?fullscreen&edit&tab=alert&panelId=2&orgId=1",
  state: "alerting",
  tags: { enabled: "true", relay: "7", "on-alerting": "relay-on", "on-ok": "ignore", environment: "Staging", severity: "warning", service: "Physical", group: "BatteryPower" },
  title: "[Alerting] TEST -> Battery Voltage alert"
};
const zulipTest = {
  dashboardId: 1,
  evalMatches: [
    { value: 100, metric: "High value", tags: null },
    { value: 200, metric: "Higher Value", tags: null }
  ],
  imageUrl: "https://grafana.com/assets/img/blog/mixed_styles.png",
  message: "Someone is testing the alert notification within grafana.",
  orgId: 0,
  panelId: 1,
  ruleId: 0,
  ruleName: "Test rule",
  ruleUrl: "http://localhost:3000/",
  state: "alerting",
  tags: {},
  title: "[Alerting] Test notification"
};
const zulipNoData = {
  dashboardId: 2,
  evalMatches: [],
  message: "The panel has no data.",
  orgId: 1,
  panelId: 6,
  ruleId: 3,
  ruleName: "No Data alert",
  ruleUrl: "http://localhost:3000/d/GG2qhR3Wz/alerttest?fullscreen&edit&tab=alert&panelId=6&orgId=1",
  state: "alerting",
  tags: {},
  title: "[Alerting] No Data alert"
};
const zulipPaused = { ...zulipTest, state: "paused", title: "[Paused] Test notification" };
delete (zulipPaused as Partial<typeof zulipTest>).evalMatches;

const parse = (payload: unknown) => {
  const r = parseAlertPayload(payload, { now: NOW });
  if (Result.isFailure(r)) throw new Error(r.failure.message);
  return r.success;
};

describe("Grafana legacy alerting webhooks", () => {
  it("reads an alerting notification: the rule, its message, the shared match tags as labels, the rule URL", () => {
    const { format, alerts } = parse(alertaAlerting);
    expect(format).toBe("grafana-legacy");
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ status: "firing", source: "grafana", generatorUrl: alertaAlerting.ruleUrl, entities: { alertname: "Zeta CPU alert", instance: "zeta.domain" } });
    expect(a.alertText).toContain("CPU alert");
    expect(a.alertText).toContain("boom!");
    expect(a.hints).toContain("eval match: user = 97.007606 {__name__=netdata_cpu_cpu_percentage_average, chart=cpu.cpu0, dimension=user, family=utilization, instance=zeta.domain, job=monitoring, info.host_id=i-0d0721c7f97545d43}");
  });

  it("reads severity and service from the rule's tags", () => {
    const a = parse(alerta6).alerts[0]!;
    expect(a.entities).toMatchObject({ severity: "warning", alertname: "Testing -> Battery Voltage alert" });
    expect(a.labels["service"]).toBe("Physical");
  });

  it("an ok notification resolves the same rule; paused gives nothing; a no-data rule fires", () => {
    const firing = parse(alertaAlerting).alerts[0]!;
    const ok = parse(alertaOk).alerts[0]!;
    expect(ok.status).toBe("resolved");
    expect(ok.fingerprint).toBe(firing.fingerprint);
    expect(parse(zulipPaused).alerts).toEqual([]);
    const noData = parse(zulipNoData).alerts[0]!;
    expect(noData.status).toBe("firing");
    expect(noData.alertText).toContain("The panel has no data.");
  });

  it("marks Grafana's own test notification so intake does not investigate it", () => {
    const a = parse(zulipTest).alerts[0]!;
    expect(a.hints).toContain(TEST_NOTIFICATION_HINT);
    expect(parse(zulipNoData).alerts[0]!.hints).not.toContain(TEST_NOTIFICATION_HINT);
  });

  it("leaves unified-alerting and Alertmanager payloads to their own formats", () => {
    expect(parseAlertPayload({ receiver: "x", status: "firing", orgId: 1, alerts: [], state: "alerting", title: "t" }, { now: NOW }).pipe(Result.map((p) => p.format))).toEqual(Result.succeed("grafana"));
  });
});

describe("Alertmanager payloads older and odder than v4", () => {
  it("reads alerta's version 3 payload, whose groupKey is a number beyond 2^53", () => {
    // alerta/alerta tests/test_webhooks.py prometheus_v3_alert, verbatim.
    const v3 = JSON.parse(`{
      "alerts": [{
        "annotations": { "description": "Connect to host2 fails", "summary": "Connect fail" },
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.host:9090/...",
        "labels": { "__name__": "ping_success", "alertname": "failedConnect", "environment": "Production", "instance": "host2", "job": "pinger",
                    "monitor": "testlab", "service": "System", "severity": "critical", "timeout": "600" },
        "startsAt": "2016-08-01T13:27:08.008+03:00",
        "status": "firing"
      }],
      "commonAnnotations": { "summary": "Connect fail" },
      "commonLabels": { "__name__": "ping_success", "alertname": "failedConnect", "environment": "Production", "job": "pinger",
                        "monitor": "testlab", "service": "System", "severity": "critical", "timeout": "600" },
      "externalURL": "http://alertmanager.host:9093",
      "groupKey": 5615590933959184469,
      "groupLabels": { "alertname": "failedConnect" },
      "receiver": "alerta",
      "status": "firing",
      "version": "3"
    }`) as unknown;
    const { format, alerts } = parse(v3);
    expect(format).toBe("alertmanager");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: "firing", entities: { alertname: "failedConnect", instance: "host2", severity: "critical" } });
    expect(alerts[0]!.hints.some((h) => h.startsWith('payload version "3"'))).toBe(true);
  });
});
