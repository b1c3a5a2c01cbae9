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
    ["<@U1> redis OOM again", "investigate"]
  ] as const)("%s → %s", (text, expected) => {
    expect(decide(text)).toBe(expected);
  });
});
