import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertFingerprint } from "../parse/fnv1a64.js";
import { normalizeChatText } from "../parse/normalizeChatText.js";
import { parseTimestamp } from "../parse/parseTimestamp.js";
import {
  ALERT_TEXT_FORMATS,
  alertmanagerPayloadArb,
  alertTextArbFor,
  applyMention,
  chatterArb,
  formattedAlertTextArb,
  grafanaPayloadArb,
  mentionWrapperArb,
  rfc3339Arb,
  unicodeNoiseArb
} from "./alertArbitraries.js";

/** What makes a text an alert: a state, a severity, a failure word or an alert rule name. */
const ALERT_SIGNAL =
  /\b(?:FIRING|CRITICAL|ALARM|Triggered|Re-Triggered|Warn|DOWN|down|No Data|Alerting|firing|failed|failing|failure|error|errors|exhausted|unreachable|OOMKilled|OOM|BackOff|NotReady|FailedScheduling|Pending|timing out|broken|expired|5\d\d|5\d\ds|P[0-3]|New issue|Error spike|fire|can't log in|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+)\b/;

/** Words no chatter message may contain: anything that could make a classifier think of an incident. */
const FAILURE_WORD =
  /\b(?:alert|alerts|alarm|firing|fired|critical|warning|error|errors|fail|failed|failing|failure|down|outage|incident|broken|crash|crashing|crashloop|oom|timeout|timing|latency|slow|lag|5\d\d|sev\d?|p[0-4]|page|paged|degraded|unhealthy|unreachable|investigate|help|issue|problem|spike|fire|on fire)\b/i;

describe("alert arbitraries", () => {
  it.each(ALERT_TEXT_FORMATS)("every %s text carries an alert signal", (format) => {
    fc.assert(
      fc.property(alertTextArbFor(format), (text) => {
        expect(normalizeChatText(text)).toMatch(ALERT_SIGNAL);
      })
    );
  });

  it("covers every format", () => {
    const seen = new Set(fc.sample(formattedAlertTextArb, { numRuns: 2_000, seed: 7 }).map((t) => t.format));
    expect([...seen].sort()).toEqual([...ALERT_TEXT_FORMATS].sort());
  });

  it("chatter never contains a failure word, even normalised and mention-wrapped", () => {
    fc.assert(
      fc.property(mentionWrapperArb, chatterArb, unicodeNoiseArb, (w, text, noise) => {
        expect(text).not.toMatch(FAILURE_WORD);
        expect(normalizeChatText(applyMention(w, `${noise}${text}`))).not.toMatch(FAILURE_WORD);
      })
    );
  });

  it("the mention wrapper disappears under normalisation, apart from broadcasts and channel links", () => {
    fc.assert(
      fc.property(mentionWrapperArb, fc.stringMatching(/^[a-z][a-z ]{0,30}[a-z]$/), (w, text) => {
        const normalized = normalizeChatText(applyMention(w, text)).replace(/@(here|channel|everyone)|#incidents/g, "");
        const stripped = (w.after.includes(" cc ") ? normalized.replace(/\s*cc$/, "") : normalized).replace(/\s+/g, " ").trim();
        expect(stripped).toBe(text.replace(/\s+/g, " ").trim());
      })
    );
  });

  it("noise has no letters or digits", () => {
    fc.assert(
      fc.property(unicodeNoiseArb, (n) => {
        expect(n).not.toMatch(/[\p{L}\p{N}]/u);
      })
    );
  });

  it("timestamps in every RFC 3339 form denote the generated millisecond", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }).chain((at) => rfc3339Arb(at).map((s) => [at, s] as const)),
        ([at, s]) => {
          expect(parseTimestamp(s)).toEqual({ _tag: "At", millis: at });
        }
      )
    );
  });

  it("Alertmanager payloads are consistent groups: real fingerprints, distinct alerts, common labels shared by all", () => {
    fc.assert(
      fc.property(alertmanagerPayloadArb, (p) => {
        const alerts = p["alerts"] as ReadonlyArray<{ labels: Record<string, string>; fingerprint: string; status: string; endsAt: string }>;
        expect(p["version"]).toBe("4");
        expect(alerts.length).toBeGreaterThan(0);
        expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(alerts.length);
        for (const a of alerts) {
          expect(a.fingerprint).toBe(alertFingerprint(a.labels));
          expect(a.status === "firing").toBe(a.endsAt === "0001-01-01T00:00:00Z");
          for (const [k, v] of Object.entries(p["commonLabels"] as Record<string, string>)) expect(a.labels[k]).toBe(v);
        }
        expect(p["status"]).toBe(alerts.some((a) => a.status === "firing") ? "firing" : "resolved");
      })
    );
  });

  it("Grafana payloads carry Grafana's envelope and per-alert fields", () => {
    fc.assert(
      fc.property(grafanaPayloadArb, (p) => {
        expect(p["version"]).toBe("1");
        expect(typeof p["orgId"]).toBe("number");
        for (const a of p["alerts"] as ReadonlyArray<Record<string, unknown>>) {
          expect(typeof a["silenceURL"]).toBe("string");
          expect(typeof (a["labels"] as Record<string, string>)["grafana_folder"]).toBe("string");
        }
      })
    );
  });
});
