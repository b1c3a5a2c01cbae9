import { Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertContext } from "../model/AlertContext.js";
import { alertTextArb, chatterArb, mentionedArb, unicodeNoiseArb } from "../testing/alertArbitraries.js";
import slackTemplate from "./fixtures/slack-alertmanager-template.json" with { type: "json" };
import { investigationIdFor } from "./investigationIdFor.js";
import type { ChatAlertInput } from "./parseChatAlert.js";
import { parseChatAlert } from "./parseChatAlert.js";

const isValidContext = Schema.is(AlertContext);
const T = 1_764_033_633_811;
const MIN = 60_000;

const chat = (text: string, extra: Partial<ChatAlertInput> = {}): AlertContext =>
  parseChatAlert({ source: "slack", channelId: "C1", messageId: "1764033633.811200", text, timestamp: T, ...extra });

describe("parseChatAlert", () => {
  it("reads Alertmanager's Slack template: entities, links, window, id", () => {
    const a = parseChatAlert(slackTemplate as ChatAlertInput);
    expect(isValidContext(a)).toBe(true);
    expect(a.investigationId).toBe(investigationIdFor("slack", "C04ALERTS01", "1764033633.811200"));
    expect(a.source).toBe("slack");
    expect(a.status).toBe("firing");
    expect(a.entities).toEqual({
      alertname: "KubePodCrashLooping",
      severity: "critical",
      cluster: "prod-us-east-1",
      namespace: "payments",
      pod: "api-7d9f8b6c5-x2x9z",
      container: "api",
      deployment: "api"
    });
    expect(a.links).toEqual([
      {
        label: "Alertmanager",
        url: "https://alertmanager.prod.example.com/#/alerts?receiver=slack-critical&filter=%7Balertname%3D%22KubePodCrashLooping%22%7D"
      },
      { label: "Runbook", url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping" }
    ]);
    expect(a.alertText.startsWith("@here [FIRING:1] KubePodCrashLooping")).toBe(true);
    expect(a.alertText).not.toContain("<@U06SREBOT1>");
    expect(a.window).toEqual({ start: slackTemplate.timestamp - 5 * MIN, end: slackTemplate.timestamp + 5 * MIN });
    expect(a.labels).toEqual({});
  });

  it("normalises Slack and Discord markup before reading the text", () => {
    expect(chat("<@U06SREBOT1> 5xx on <#C0PAY|payments> &gt; 10% &amp; rising").alertText).toBe("5xx on #payments > 10% & rising");
    const d = chat("<@1187365012345678901> pod/kafka-2 in ns streaming is OOMKilled", { source: "discord" });
    expect(d.alertText).toBe("pod/kafka-2 in ns streaming is OOMKilled");
    expect(d.entities).toMatchObject({ pod: "kafka-2", namespace: "streaming", statefulset: "kafka" });
  });

  it("keeps bare links from Discord and CLI text", () => {
    const a = chat("checkout is down, see https://grafana.example.com/d/checkout?orgId=1.", { source: "cli" });
    expect(a.links).toEqual([{ label: "link", url: "https://grafana.example.com/d/checkout?orgId=1" }]);
  });

  it("marks resolved notices resolved, but not a group that is still firing", () => {
    expect(chat("[RESOLVED] HighErrorRate checkout").status).toBe("resolved");
    expect(chat("[RESOLVED] HighErrorRate checkout").hints).toContain("the message reports the alert as resolved");
    expect(chat(":white_check_mark: CloudWatch Alarm | api-5xx | Alarm state changed from ALARM to OK").status).toBe("resolved");
    expect(chat("[FIRING:1 | RESOLVED:2] HighMemoryUsage (cache)").status).toBe("firing");
    expect(chat("api is down, not resolved yet").status).toBe("firing");
  });

  it("uses the configured window, deadline and hints", () => {
    const a = chat("db down", { windowMinutes: 30, deadlineMs: 45_000, now: T + 2_000, hints: ["reaction trigger"] });
    expect(a.window).toEqual({ start: T - 30 * MIN, end: T + 30 * MIN });
    expect(a.deadline).toBe(T + 2_000 + 45_000);
    expect(a.hints).toEqual(["reaction trigger"]);
  });

  it("falls back to defaults for nonsense options instead of producing an invalid context", () => {
    const a = chat("db down", { windowMinutes: Number.NaN, deadlineMs: -5 });
    expect(isValidContext(a)).toBe(true);
    expect(a.window.end - a.window.start).toBe(10 * MIN);
    expect(a.deadline).toBe(T + 60_000);
    const b = chat("db down", { timestamp: Number.POSITIVE_INFINITY, now: Number.NaN });
    expect(isValidContext(b)).toBe(true);
    expect(b.alertTimestamp).toBe(0);
  });

  it("bounds the text of a pasted log dump", () => {
    const a = chat(`api 502s\n${"x".repeat(200_000)}`);
    expect(a.alertText.length).toBeLessThanOrEqual(8_000);
    expect(a.alertText.startsWith("api 502s")).toBe(true);
  });

  it("the id depends only on platform, channel and message", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (channelId, messageId, t1, t2) => {
        const a = parseChatAlert({ source: "slack", channelId, messageId, text: t1, timestamp: T });
        const b = parseChatAlert({ source: "slack", channelId, messageId, text: t2, timestamp: T + 1 });
        expect(a.investigationId).toBe(b.investigationId);
        expect(parseChatAlert({ source: "discord", channelId, messageId, text: t1, timestamp: T }).investigationId).not.toBe(a.investigationId);
      })
    );
  });

  it("never throws and always yields a valid context, on any Unicode", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 3_000 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (text, timestamp) => {
        const a = chat(text, { timestamp });
        expect(isValidContext(a)).toBe(true);
        expect(a.window.start).toBeLessThanOrEqual(timestamp);
        expect(a.window.end).toBeGreaterThanOrEqual(timestamp);
      }),
      { numRuns: 300 }
    );
  });

  it("yields a valid context for every generated alert, chatter, mention and noise combination", () => {
    fc.assert(
      fc.property(mentionedArb(fc.oneof(alertTextArb, chatterArb)), unicodeNoiseArb, (text, noise) => {
        const a = chat(`${noise}${text}${noise}`);
        expect(isValidContext(a)).toBe(true);
        expect(a.alertText).not.toMatch(/<@!?&?[A-Z0-9]+(\|[^>]*)?>/);
      })
    );
  });
});

describe("a chat alert cut to length", () => {
  it("is redacted before the cut, so a key at the cut leaves no part of it", () => {
    for (const at of [7_990, 7_995, 7_998]) expect(chat(`${"a".repeat(at)} AKIAQ3EGV7EXAMPL3K3Y`).alertText).not.toContain("AKIAQ3");
  });
});
