import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyTier1 } from "./gate.js";

interface Labelled {
  readonly text: string;
  readonly label: "alert" | "chatter";
  readonly category: string;
}

const corpus: ReadonlyArray<Labelled> = readFileSync(new URL("./fixtures/corpus.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Labelled);

const alerts = corpus.filter((c) => c.label === "alert");
const chatter = corpus.filter((c) => c.label === "chatter");
const decide = (text: string) => {
  const v = classifyTier1(text);
  // Tier 1 alone: an undecided message is investigated (fail-open).
  return v.decision === "undecided" ? "investigate" : v.decision;
};

describe("tier-1 classifier on the labelled corpus", () => {
  it("has at least 150 realistic messages covering every source and chatter kind", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const categories = new Set(corpus.map((c) => c.category));
    for (const c of ["alertmanager", "grafana", "datadog", "cloudwatch", "pagerduty", "opsgenie", "sentry", "uptime", "kubernetes", "human", "override"]) {
      expect(categories, c).toContain(c);
    }
    for (const c of ["greeting", "thanks", "emoji", "test", "ping", "smalltalk", "recovery", "resolved", "mention", "usage"]) {
      expect(categories, c).toContain(c);
    }
  });

  it("investigates every alert (100% recall), terse human reports included", () => {
    const missed = alerts.filter((a) => decide(a.text) !== "investigate").map((a) => a.text);
    expect(missed).toEqual([]);
    const terse = alerts.filter((a) => a.category === "human" && a.text.replace(/<[^>]*>/g, "").trim().split(/\s+/).length <= 4);
    expect(terse.length).toBeGreaterThanOrEqual(15);
  });

  it("decides every alert in tier 1 itself rather than by falling open", () => {
    const undecided = alerts.filter((a) => classifyTier1(a.text).decision === "undecided").map((a) => a.text);
    expect(undecided).toEqual([]);
  });

  it("suppresses at least 95% of chatter, long polite recovery messages included", () => {
    const suppressed = chatter.filter((c) => decide(c.text) === "suppress");
    const noisy = chatter.filter((c) => decide(c.text) !== "suppress").map((c) => c.text);
    expect(suppressed.length / chatter.length, `investigated: ${JSON.stringify(noisy, null, 1)}`).toBeGreaterThanOrEqual(0.95);
    const longRecovery = chatter.filter((c) => c.category === "recovery" && c.text.split(/\s+/).length > 10);
    expect(longRecovery.length).toBeGreaterThanOrEqual(8);
    expect(longRecovery.filter((c) => decide(c.text) !== "suppress").map((c) => c.text)).toEqual([]);
  });

  it("gives every verdict a rule and a readable reason", () => {
    for (const c of corpus) {
      const v = classifyTier1(c.text);
      expect(v.reasons.length, c.text).toBeGreaterThan(0);
      expect(v.reasons[0]!.length, c.text).toBeGreaterThan(10);
    }
  });
});

describe("tier-1 classifier on hard cases", () => {
  it.each([
    ["<@U1> thanks! though now the api is down again", "investigate"],
    ["<@U1> thanks for the earlier summary, but the api is still 502ing", "investigate"],
    ["<@U1> thanks, the OOM from last night is fixed now, all green", "suppress"],
    ["<@U1> pods stuck in Pending", "investigate"],
    ["<@U1> kafka lag", "investigate"],
    ["<@U1> ok, prod is down", "investigate"],
    ["<@U1> hi", "suppress"],
    ["<@U1> hi, checkout is broken", "investigate"],
    ["<@U1> [FIRING:1 | RESOLVED:2] HighMemoryUsage", "investigate"],
    ["<@U1> [RESOLVED] HighMemoryUsage", "suppress"],
    ["<@U1> Regression in *web*: issue was marked resolved and reappeared", "investigate"],
    ["<@U1> :rotating_light:", "investigate"],
    ["<@U1> :tada:", "suppress"],
    ["<@U1> rolled back and pods are running again", "suppress"],
    ["<@U1> redis OOM again", "investigate"],
    // Words are not verdicts: the current state, counts, negation, tense, and what "stopped".
    ["<@U1> Alarm Name: `api-5xx`\nOld State: `ALARM`\nCurrent State: `OK`", "suppress"],
    ["<@U1> Alarm Name: `api-5xx`\nOld State: `OK`\nCurrent State: `ALARM`", "investigate"],
    ["<@U1> 2 firing, 0 resolved\n**Firing**\nLabels:\n - alertname = HighLatency", "investigate"],
    ["<@U1> does not look down for me", "suppress"],
    ["<@U1> will update this thread once it's resolved", "undecided"],
    ["<@U1> the nightly export has stopped", "investigate"],
    ["<@U1> the 502s have stopped since the rollback", "suppress"],
    ["<@U1> fixed the config, now checkout returns 502", "investigate"],
    ["<@U1> error rate is up now", "investigate"],
    ["<@U1> Hi, we are encountering problems reaching the tiles server since this morning. Is it under maintenance?", "investigate"],
    ["<@U1> is anyone else having trouble logging in to the VPN?", "investigate"],
    ["<@U1> CPU is 99% on db-1", "investigate"],
    ["<@U1> disk still full on the build host", "investigate"],
    ["<@U1> same here", "undecided"],
    ["<@U1> same here, it's happening on my laptop too", "investigate"],
    ["<@U1> works for me now, thanks!", "suppress"],
    ["<@U1> oops, wrong channel", "suppress"],
    ["<@U1> we're looking into it", "suppress"],
    ["<@U1> Merry Christmas and a happy new year everyone!", "suppress"],
    ["<@U1> [FIRING:1] Watchdog (monitoring/k8s none)", "suppress"],
    ["<@U1> [FIRING:2] (prod)\nLabels:\n - alertname = Watchdog\nLabels:\n - alertname = KubePodCrashLooping", "investigate"],
    ["<@U1> Helm upgrade succeeded for release payments/api.v7 with chart api@1.4.0", "suppress"],
    ["<@U1> Helm test failed for release payments/api.v7 with chart api@1.4.0: pod api-test failed", "investigate"]
  ] as const)("%s → %s", (text, expected) => {
    expect(expected === "undecided" ? classifyTier1(text).decision : decide(text)).toBe(expected);
  });
});
