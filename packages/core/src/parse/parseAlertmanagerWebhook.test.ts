import { Result, Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertContext } from "../model/AlertContext.js";
import { alertmanagerPayloadArb } from "../testing/alertArbitraries.js";
import type { AlertParseError } from "./AlertParseError.js";
import firingGroup from "./fixtures/alertmanager-firing-group.json" with { type: "json" };
import resolvedGroup from "./fixtures/alertmanager-resolved-group.json" with { type: "json" };
import { alertFingerprint } from "./fnv1a64.js";
import type { ParsedAlertmanagerGroup } from "./parseAlertmanagerWebhook.js";
import { parseAlertmanagerWebhook } from "./parseAlertmanagerWebhook.js";

const NOW = Date.parse("2026-11-25T01:25:00Z");
const MIN = 60_000;

const ok = (payload: unknown, options: Parameters<typeof parseAlertmanagerWebhook>[1] = { now: NOW }): ParsedAlertmanagerGroup => {
  const r = parseAlertmanagerWebhook(payload, options);
  if (Result.isFailure(r)) throw new Error(`expected success, got: ${r.failure.message}`);
  return r.success;
};

const err = (payload: unknown): AlertParseError => {
  const r = parseAlertmanagerWebhook(payload, { now: NOW });
  if (Result.isSuccess(r)) throw new Error("expected a parse error");
  return r.failure;
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const isValidContext = Schema.is(AlertContext);

describe("parseAlertmanagerWebhook: the firing group fixture", () => {
  const group = ok(firingGroup);

  it("keeps the envelope", () => {
    expect(group.receiver).toBe("sre");
    expect(group.status).toBe("firing");
    expect(group.groupKey).toBe('{}:{namespace="payments"}');
    expect(group.groupLabels).toEqual({ namespace: "payments" });
    expect(group.commonLabels["cluster"]).toBe("prod-eu-1");
    expect(group.externalURL).toBe("http://alertmanager.monitoring.svc:9093");
    expect(group.truncatedAlerts).toBe(0);
  });

  it("yields one valid AlertContext per alert, in order, with labels and annotations kept", () => {
    expect(group.alerts.map((a) => a.labels["alertname"])).toEqual(["KubeDeploymentReplicasMismatch", "KubeContainerWaiting", "KubePodCrashLooping"]);
    group.alerts.forEach((a, i) => {
      expect(isValidContext(a)).toBe(true);
      expect(a.labels).toEqual(firingGroup.alerts[i]?.labels);
      expect(a.annotations).toEqual(firingGroup.alerts[i]?.annotations);
      expect(a.source).toBe("alertmanager");
      expect(a.status).toBe("firing");
      expect(a.channelId).toBe("");
      expect(a.messageId).toBe("");
    });
  });

  it("extracts the entities investigators need from the labels", () => {
    const crash = group.alerts[2];
    expect(crash?.entities).toEqual({
      alertname: "KubePodCrashLooping",
      severity: "warning",
      cluster: "prod-eu-1",
      namespace: "payments",
      pod: "api-7d9f8b6c5-x2x9z",
      container: "api",
      deployment: "api",
      instance: "10.0.3.17:8080",
      job: "kube-state-metrics"
    });
    // kube-state-metrics' own Service is the messenger, not the affected service.
    expect(crash?.entities.service).toBeUndefined();
    expect(group.alerts[0]?.entities.deployment).toBe("api");
    expect(group.alerts[0]?.entities.pod).toBeUndefined();
  });

  it("anchors the window on startsAt and ignores Go's zero endsAt", () => {
    const a = group.alerts[2];
    const startsAt = Date.parse("2026-11-25T01:20:33.811Z");
    expect(a?.alertTimestamp).toBe(startsAt);
    expect(a?.window).toEqual({ start: startsAt - 5 * MIN, end: startsAt + 5 * MIN });
    expect(a?.deadline).toBe(NOW + 60_000);
  });

  it("keeps fingerprint, generatorURL and runbook links, and names the group in hints", () => {
    const a = group.alerts[2];
    expect(a?.fingerprint).toBe("59df22975eaa1a3a");
    expect(a?.generatorUrl).toContain("kube_pod_container_status_waiting_reason");
    expect(a?.links).toContainEqual({ label: "runbook", url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping" });
    expect(a?.links).toContainEqual({ label: "alertmanager", url: "http://alertmanager.monitoring.svc:9093" });
    expect(a?.hints).toContain("in a group of 3 alerts (KubeContainerWaiting, KubeDeploymentReplicasMismatch, KubePodCrashLooping)");
  });

  it("writes a readable one-line alertText", () => {
    expect(group.alerts[2]?.alertText).toBe(
      '[FIRING] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z in prod-eu-1 (warning): Pod is crash looping. — Pod payments/api-7d9f8b6c5-x2x9z (api) is in waiting state (reason: "CrashLoopBackOff").'
    );
    for (const a of group.alerts) expect(a.alertText).not.toContain("\n");
  });

  it("gives distinct, stable investigation ids", () => {
    const ids = group.alerts.map((a) => a.investigationId);
    expect(new Set(ids).size).toBe(3);
    expect(ok(clone(firingGroup), { now: NOW + 3_600_000 }).alerts.map((a) => a.investigationId)).toEqual(ids);
  });

  it("honours windowMinutes, deadlineMs, channel and message from the options", () => {
    const g = ok(firingGroup, { now: NOW, windowMinutes: 15, deadlineMs: 30_000, channelId: "C1", messageId: "171.1", hints: ["from the prod webhook"] });
    const a = g.alerts[0];
    expect((a?.window.end ?? 0) - (a?.window.start ?? 0)).toBe(30 * MIN);
    expect(a?.deadline).toBe(NOW + 30_000);
    expect(a?.channelId).toBe("C1");
    expect(a?.messageId).toBe("171.1");
    expect(a?.hints[0]).toBe("from the prod webhook");
  });
});

describe("parseAlertmanagerWebhook: the resolved group fixture", () => {
  const group = ok(resolvedGroup);

  it("stretches the window from startsAt - window to endsAt + window", () => {
    const a = group.alerts[0];
    expect(a?.status).toBe("resolved");
    expect(a?.window).toEqual({
      start: Date.parse("2026-11-25T03:10:25.116Z") - 5 * MIN,
      end: Date.parse("2026-11-25T03:52:40.116Z") + 5 * MIN
    });
    expect(a?.hints).toContain("resolved at 2026-11-25T03:52:40.116Z");
  });

  it("reads timestamps with a numeric offset", () => {
    expect(group.alerts[1]?.alertTimestamp).toBe(Date.parse("2026-11-25T02:31:03.811Z"));
  });

  it("computes the Alertmanager fingerprint when the sender left it out", () => {
    const a = group.alerts[1];
    expect(a?.fingerprint).toBe(alertFingerprint(resolvedGroup.alerts[1]?.labels ?? {}));
  });

  it("sends node alerts to the node, not to the node-exporter pod that reported them", () => {
    const e = group.alerts[0]?.entities;
    expect(e?.node).toBe("ip-10-2-14-77.eu-west-1.compute.internal");
    expect(e?.pod).toBeUndefined();
    expect(e?.namespace).toBeUndefined();
    expect(e?.container).toBeUndefined();
    expect(group.alerts[0]?.alertText).toMatch(/^\[RESOLVED\] NodeFilesystemSpaceFillingUp ip-10-2-14-77/);
  });

  it("gives the resolved notice the id of the firing notice of the same alert", () => {
    const firing = clone(resolvedGroup);
    const alert = firing.alerts[0];
    if (alert === undefined) throw new Error("fixture");
    alert.status = "firing";
    alert.endsAt = "0001-01-01T00:00:00Z";
    expect(ok(firing).alerts[0]?.investigationId).toBe(group.alerts[0]?.investigationId);
  });
});

describe("parseAlertmanagerWebhook: malformed payloads", () => {
  it.each([
    [null, "the payload must be a JSON object, got null"],
    [[], "the payload must be a JSON object, got an array"],
    ["{}", "the payload must be a JSON object, got a string"],
    [{}, "alerts is missing; it must be an array of alerts"],
    [{ alerts: {} }, "alerts must be an array of alerts, got an object"],
    [{ alerts: [1] }, "alerts[0] must be an object, got a number"],
    [{ alerts: [{ startsAt: "2026-11-25T00:00:00Z" }] }, "alerts[0].labels is missing; it must be an object of strings"],
    [{ alerts: [{ labels: ["a"], startsAt: "2026-11-25T00:00:00Z" }] }, "alerts[0].labels must be an object of strings, got an array"],
    [{ alerts: [{ labels: { team: 7 }, startsAt: "2026-11-25T00:00:00Z" }] }, "alerts[0].labels.team must be a string, got a number"],
    [{ alerts: [{ labels: { "a-b": null }, startsAt: "2026-11-25T00:00:00Z" }] }, 'alerts[0].labels["a-b"] must be a string, got null'],
    [{ alerts: [{ labels: {}, annotations: "x", startsAt: "2026-11-25T00:00:00Z" }] }, "alerts[0].annotations must be an object of strings, got a string"],
    [{ alerts: [{ labels: {} }] }, "alerts[0].startsAt is missing; it must be an RFC 3339 timestamp"],
    [{ alerts: [{ labels: {}, startsAt: "0001-01-01T00:00:00Z" }] }, "alerts[0].startsAt is not set (zero time); it must be an RFC 3339 timestamp"],
    [{ alerts: [{ labels: {}, startsAt: "yesterday" }] }, 'alerts[0].startsAt must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got "yesterday"'],
    [{ alerts: [{ labels: {}, startsAt: 1700000000 }] }, "alerts[0].startsAt must be an RFC 3339 timestamp string, got a number"],
    [{ alerts: [{ labels: {}, startsAt: "2026-02-30T00:00:00Z" }] }, 'alerts[0].startsAt must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got "2026-02-30T00:00:00Z"'],
    [{ alerts: [{ labels: {}, startsAt: "2026-11-25T00:00:00Z", endsAt: "soon" }] }, 'alerts[0].endsAt must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got "soon"'],
    [{ alerts: [{ labels: {}, startsAt: "2026-11-25T00:00:00Z", status: "pending" }] }, 'alerts[0].status must be "firing" or "resolved", got "pending"'],
    [{ alerts: [{ labels: {}, startsAt: "2026-11-25T00:00:00Z", fingerprint: 12 }] }, "alerts[0].fingerprint must be a string, got a number"],
    [{ version: true, alerts: [] }, "version must be a string, got a boolean"],
    [{ alerts: [], truncatedAlerts: -1 }, "truncatedAlerts must be a non-negative integer, got -1"],
    [{ alerts: [], commonLabels: [] }, "commonLabels must be an object of strings, got an array"]
  ])("%j → %s", (payload, problem) => {
    const e = err(payload);
    expect(e._tag).toBe("AlertParseError");
    expect(e.format).toBe("alertmanager");
    expect(e.problems).toContain(problem);
    expect(e.message).toContain(problem);
  });

  it("names the failing alert by index in a larger group", () => {
    const bad = clone(firingGroup) as { alerts: Array<Record<string, unknown>> };
    const third = bad.alerts[2];
    if (third === undefined) throw new Error("fixture");
    third["labels"] = { alertname: "X", team: ["a"] };
    expect(err(bad).message).toBe("invalid alertmanager payload: alerts[2].labels.team must be a string, got an array");
  });

  it("lists at most 20 problems and says more were left out", () => {
    const alerts = Array.from({ length: 200 }, () => ({ labels: 5, startsAt: "x" }));
    const e = err({ alerts });
    expect(e.problems.length).toBeLessThanOrEqual(21);
    expect(e.problems.at(-1)).toMatch(/more problems/);
  });

  it("does not quote label values in errors (they may hold secrets)", () => {
    const e = err({ alerts: [{ labels: { token: { secret: "hunter2" } }, startsAt: "2026-11-25T00:00:00Z" }] });
    expect(e.message).not.toContain("hunter2");
  });
});

describe("parseAlertmanagerWebhook: edge cases", () => {
  it("an empty group is valid and yields no alerts", () => {
    const g = ok({ version: "4", status: "firing", alerts: [] });
    expect(g.alerts).toEqual([]);
  });

  it("fills a missing per-alert status from the group, then from endsAt", () => {
    const g = ok({
      status: "resolved",
      alerts: [{ labels: { alertname: "A" }, startsAt: "2026-11-25T00:00:00Z", endsAt: "2026-11-25T00:10:00Z" }]
    });
    expect(g.alerts[0]?.status).toBe("resolved");
    const h = ok({ alerts: [{ labels: { alertname: "A" }, startsAt: "2026-11-25T00:00:00Z" }] });
    expect(h.alerts[0]?.status).toBe("firing");
    expect(h.status).toBe("firing");
  });

  it("ignores an endsAt before startsAt instead of producing an inverted window", () => {
    const g = ok({ alerts: [{ status: "resolved", labels: {}, startsAt: "2026-11-25T00:10:00Z", endsAt: "2026-11-25T00:00:00Z" }] });
    const w = g.alerts[0]?.window;
    expect(w?.start).toBeLessThanOrEqual(w?.end ?? 0);
    expect(g.alerts[0]?.alertTimestamp).toBe(Date.parse("2026-11-25T00:10:00Z"));
  });

  it("keeps a __proto__ label as an ordinary label", () => {
    const payload = JSON.parse('{"alerts":[{"labels":{"__proto__":"x","alertname":"A"},"startsAt":"2026-11-25T00:00:00Z"}]}') as unknown;
    const a = ok(payload).alerts[0];
    expect(Object.hasOwn(a?.labels ?? {}, "__proto__")).toBe(true);
    expect(a?.labels["__proto__"]).toBe("x");
    expect(isValidContext(a)).toBe(true);
  });

  it("notes alerts Alertmanager truncated", () => {
    const g = ok({ ...clone(firingGroup), truncatedAlerts: 7 });
    expect(g.truncatedAlerts).toBe(7);
    expect(g.alerts[0]?.hints).toContain("in a group of 10 alerts (KubeContainerWaiting, KubeDeploymentReplicasMismatch, KubePodCrashLooping)");
    expect(g.alerts[0]?.hints.some((h) => h.includes("7 further alerts"))).toBe(true);
  });

  it("handles a huge group and huge annotations", () => {
    const template = firingGroup.alerts[2];
    const alerts = Array.from({ length: 5_000 }, (_, i) => ({ ...template, labels: { ...template?.labels, pod: `api-7d9f8b6c5-x${i}` }, fingerprint: undefined }));
    const started = performance.now();
    const g = ok({ alerts });
    console.log(`parsed 5000 alerts in ${(performance.now() - started).toFixed(0)} ms`);
    expect(g.alerts).toHaveLength(5_000);
    expect(new Set(g.alerts.map((a) => a.investigationId)).size).toBe(5_000);

    const description = "Pod payments/api-7d9f8b6c5-x2x9z ".repeat(60_000);
    const big = ok({ alerts: [{ labels: { alertname: "Big" }, annotations: { description }, startsAt: "2026-11-25T00:00:00Z" }] }).alerts[0];
    expect(big?.annotations["description"]).toBe(description);
    expect(big?.alertText.length).toBeLessThan(1_500);
    expect(big?.entities.pod).toBe("api-7d9f8b6c5-x2x9z");
  });
});

describe("parseAlertmanagerWebhook: properties", () => {
  it("never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseAlertmanagerWebhook(v, { now: NOW });
        // Arbitrary JSON is never a version-4 group with alerts: refused, saying what is wrong.
        expect(Result.isFailure(r) ? r.failure.problems.length : -1).toBeGreaterThan(0);
      }),
      { numRuns: 500 }
    );
  });

  it("never throws on arbitrary JSON shaped like a group", () => {
    const alertish = fc.record(
      { status: fc.jsonValue(), labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()), annotations: fc.jsonValue(), startsAt: fc.oneof(fc.string(), fc.jsonValue()), endsAt: fc.jsonValue(), fingerprint: fc.jsonValue() },
      { requiredKeys: [] }
    );
    fc.assert(
      fc.property(fc.record({ version: fc.jsonValue(), status: fc.jsonValue(), alerts: fc.array(alertish, { maxLength: 5 }) }, { requiredKeys: ["alerts"] }), (v) => {
        const r = parseAlertmanagerWebhook(v, { now: NOW });
        if (Result.isFailure(r)) expect(r.failure.problems.length).toBeGreaterThan(0);
        else for (const a of r.success.alerts) expect(isValidContext(a)).toBe(true);
      }),
      { numRuns: 500 }
    );
  });

  it("every alert of a valid group yields exactly one valid AlertContext with its labels preserved", () => {
    fc.assert(
      fc.property(alertmanagerPayloadArb, (payload) => {
        const g = ok(payload);
        const sent = payload["alerts"] as ReadonlyArray<Record<string, unknown>>;
        expect(g.alerts).toHaveLength(sent.length);
        g.alerts.forEach((a, i) => {
          expect(isValidContext(a)).toBe(true);
          expect(a.labels).toEqual(sent[i]?.["labels"]);
          expect(a.annotations).toEqual(sent[i]?.["annotations"]);
          expect(a.status).toBe(sent[i]?.["status"]);
          expect(a.fingerprint).toBe(sent[i]?.["fingerprint"]);
        });
        expect(new Set(g.alerts.map((a) => a.investigationId)).size).toBe(sent.length);
      })
    );
  });

  it("ids are stable for the same input and change with fingerprint or startsAt", () => {
    fc.assert(
      fc.property(alertmanagerPayloadArb, fc.integer({ min: 1, max: 10_000_000 }), (payload, shift) => {
        const first = ok(payload).alerts[0];
        expect(ok(clone(payload), { now: NOW + shift }).alerts[0]?.investigationId).toBe(first?.investigationId);

        const otherFp = clone(payload) as { alerts: Array<Record<string, unknown>> };
        const a0 = otherFp.alerts[0];
        if (a0 === undefined) throw new Error("generator");
        a0["fingerprint"] = `${String(a0["fingerprint"])}0`;
        expect(ok(otherFp).alerts[0]?.investigationId).not.toBe(first?.investigationId);

        const later = clone(payload) as { alerts: Array<Record<string, unknown>> };
        const l0 = later.alerts[0];
        if (l0 === undefined || first === undefined) throw new Error("generator");
        l0["startsAt"] = new Date(first.alertTimestamp + shift).toISOString();
        l0["endsAt"] = "0001-01-01T00:00:00Z";
        l0["status"] = "firing";
        expect(ok(later).alerts[0]?.investigationId).not.toBe(first.investigationId);
      })
    );
  });

  it("the window contains the alert time and has the configured width", () => {
    fc.assert(
      fc.property(alertmanagerPayloadArb, fc.integer({ min: 0, max: 24 * 60 }), (payload, minutes) => {
        for (const a of ok(payload, { now: NOW, windowMinutes: minutes }).alerts) {
          expect(a.window.start).toBeLessThanOrEqual(a.alertTimestamp);
          expect(a.window.end).toBeGreaterThanOrEqual(a.alertTimestamp);
          expect(a.alertTimestamp - a.window.start).toBe(minutes * MIN);
          if (a.status === "firing") expect(a.window.end - a.window.start).toBe(2 * minutes * MIN);
          else expect(a.window.end - a.window.start).toBeGreaterThanOrEqual(2 * minutes * MIN);
        }
      })
    );
  });
});

describe("alert text cut to length", () => {
  it("is redacted before the cut, so a summary or description cut through a key keeps no part of it", () => {
    const key = "AKIAQ3EGV7EXAMPL3K3Y";
    for (const [field, at] of [["summary", 290], ["summary", 295], ["description", 590], ["description", 598]] as const) {
      const payload = clone(firingGroup) as { alerts: Array<{ annotations: Record<string, string> }> };
      payload.alerts[0]!.annotations = { [field]: `${"a".repeat(at)} ${key} tail` };
      expect(ok(payload).alerts[0]!.alertText).not.toContain("AKIAQ3");
    }
  });
});

describe("parseAlertmanagerWebhook: what real senders send besides Alertmanager itself", () => {
  it("reads a group with no version, groupKey, endsAt or fingerprint, and names the version it did not expect", () => {
    // woniusnai/alertmanagerTofeishu:test.sh: the test payload of an Alertmanager-to-Feishu relay, verbatim.
    const r = parseAlertmanagerWebhook(
      {
        alerts: [
          {
            status: "firing",
            labels: { alertname: "TestAlert", environment: "lab", severity: "warning", instance: "test-node" },
            annotations: { summary: "测试告警", description: "这是一条手动测试消息" },
            startsAt: "2025-08-21T10:00:00Z"
          }
        ]
      },
      { now: Date.parse("2025-08-21T10:00:05Z") }
    );
    if (Result.isFailure(r)) throw new Error(r.failure.message);
    expect(r.success.alerts).toHaveLength(1);
    expect(r.success.alerts[0]).toMatchObject({ status: "firing", entities: { alertname: "TestAlert", severity: "warning", instance: "test-node" } });
    const old = parseAlertmanagerWebhook({ version: "3", groupKey: 17, alerts: [] }, { now: NOW });
    if (Result.isFailure(old)) throw new Error(old.failure.message);
    expect(old.success.groupKey).toBe("17");
  });

  it("takes a label an alert lacks from commonLabels, and names an alert without alertname after its group", () => {
    // The alert of matjaz99/alertmonitor:docs/testing/Testing.md with its alertname and severity moved
    // to the group, as senders that batch by job do; the values are that file's.
    const r = parseAlertmanagerWebhook(
      {
        version: "4",
        status: "firing",
        groupLabels: { job: "blackbox-icmp", cluster: "edge" },
        commonLabels: { severity: "major" },
        alerts: [{ status: "firing", labels: { instance: "172.29.254.30" }, annotations: { description: "172.29.254.30 does not reply to ICMP pings" }, startsAt: "2019-09-27T16:27:56.612666101Z" }]
      },
      { now: NOW }
    );
    if (Result.isFailure(r)) throw new Error(r.failure.message);
    expect(r.success.alerts[0]!.entities.severity).toBe("major");
    expect(r.success.alerts[0]!.alertText).toMatch(/^\[FIRING\] blackbox-icmp edge /);
  });
});

