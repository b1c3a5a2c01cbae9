import { Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Hypothesis } from "../model/Hypothesis.js";
import { confidenceRank, CONFIDENCES } from "../model/primitives.js";
import { makeRedactor } from "../redact/makeRedactor.js";
import { redactDeep } from "../redact/redactSecrets.js";
import { plantedSecretArbitrary } from "../testing/plantedSecrets.js";
import { sampleAlert, sampleResult } from "../testing/samples.js";
import { buildReport, reportTitle } from "./buildReport.js";
import { rankHypotheses } from "./rankHypotheses.js";
import { severityFromLabel } from "./severityFromLabel.js";

const hyp = (id: string, title: string, confidence: Hypothesis["confidence"], depth: number, support: ReadonlyArray<string> = ["f:1"]): Hypothesis => ({
  id,
  title,
  detail: "",
  confidence,
  supportingFindings: support,
  confirmBy: "",
  proposedBy: id.split(":")[0] ?? "x",
  depth
});

describe("severityFromLabel", () => {
  it.each([
    ["critical", "critical"],
    ["P1", "critical"],
    ["error", "high"],
    ["warning", "medium"],
    ["WARN", "medium"],
    ["minor", "low"],
    ["info", "info"],
    ["banana", undefined]
  ])("%s → %s", (label, expected) => {
    expect(severityFromLabel(label)).toBe(expected);
  });
});

describe("rankHypotheses", () => {
  it("puts the deeper cause first among equally confident hypotheses", () => {
    const ranked = rankHypotheses([
      hyp("eks:h1", "api returns 5xx", "high", 0),
      hyp("eks:h2", "payments-db disk full", "high", 3),
      hyp("eks:h3", "payments-db crash-looping", "high", 2)
    ]);
    expect(ranked.map((h) => h.title)).toEqual(["payments-db disk full", "payments-db crash-looping", "api returns 5xx"]);
  });

  it("never ranks a less confident hypothesis above a more confident one", () => {
    const arb = fc.array(
      fc.record({ c: fc.constantFrom(...CONFIDENCES), d: fc.integer({ min: 0, max: 5 }), t: fc.string({ minLength: 1, maxLength: 8 }) }),
      { maxLength: 20 }
    );
    fc.assert(
      fc.property(arb, (xs) => {
        const ranked = rankHypotheses(xs.map((x, i) => hyp(`a:h${i}`, x.t, x.c, x.d)));
        for (let i = 1; i < ranked.length; i++) {
          expect(confidenceRank(ranked[i - 1]!.confidence)).toBeLessThanOrEqual(confidenceRank(ranked[i]!.confidence));
        }
      })
    );
  });

  it("merges hypotheses naming the same cause, keeping the stronger confidence and all evidence", () => {
    const ranked = rankHypotheses([
      hyp("eks:h1", "Payments DB: disk full", "medium", 2, ["eks:1"]),
      hyp("logs:h1", "payments db disk full", "high", 1, ["logs:4"])
    ]);
    expect(ranked).toHaveLength(1);
    expect(ranked[0]?.confidence).toBe("high");
    expect(ranked[0]?.supportingFindings).toEqual(["eks:1", "logs:4"]);
    expect(ranked[0]?.proposedBy).toBe("eks, logs");
  });
});

describe("buildReport", () => {
  it("builds the facts from agent outcomes in the given order", () => {
    const r = buildReport({
      alert: sampleAlert,
      kind: "initial",
      generatedAt: 5,
      outcomes: [
        { agent: "eks", state: "ok", result: sampleResult, durationMs: 840 },
        { agent: "prometheus", state: "running" },
        { agent: "cloudwatch-logs", state: "disabled" }
      ]
    });
    expect(r.agents.map((a) => [a.agent, a.state])).toEqual([["eks", "ok"], ["prometheus", "running"], ["cloudwatch-logs", "disabled"]]);
    expect(r.severity).toBe("critical");
    expect(r.hypotheses[0]?.title).toBe(sampleResult.hypotheses[0]?.title);
    expect(r.summary).toContain("Most likely cause");
    expect(r.summary).toContain("1 of 2 agents answered, 1 still running");
    expect(r.affectedServices).toEqual(["payments/api"]);
    expect(r.actions.some((a) => a.startsWith("Confirm:"))).toBe(true);
    expect(r.title).toBe("KubePodCrashLooping — payments/api");
  });

  it("never lists the Prometheus scrape job as the affected service: a down target is its instance, a failed Job its Job", () => {
    // kube-prometheus TargetDown/InstanceDown carry job=<scrape job>; KubeJobFailed carries job_name.
    const down = { ...sampleAlert, entities: { alertname: "InstanceDown", job: "node-exporter", instance: "10.0.3.7:9100" } };
    expect(buildReport({ alert: down, kind: "initial", generatedAt: 1, outcomes: [] }).affectedServices).toEqual(["10.0.3.7:9100"]);
    const job = { ...sampleAlert, entities: { alertname: "KubeJobFailed", job: "kube-state-metrics", namespace: "batch", kubeJob: "nightly-etl-28374650" } };
    expect(buildReport({ alert: job, kind: "initial", generatedAt: 1, outcomes: [] }).affectedServices).toEqual(["batch/nightly-etl-28374650"]);
    const scrapeOnly = { ...sampleAlert, entities: { alertname: "PrometheusTargetMissing", job: "blackbox" } };
    expect(buildReport({ alert: scrapeOnly, kind: "initial", generatedAt: 1, outcomes: [] }).affectedServices).toEqual([]);
  });

  it("counts warnings: a warning alert is medium, and a critical finding raises it", () => {
    const warning = { ...sampleAlert, entities: { ...sampleAlert.entities, severity: "warning" }, labels: { severity: "warning" } };
    const quiet = { ...sampleResult, findings: sampleResult.findings.map((f) => ({ ...f, severity: "low" as const })) };
    expect(buildReport({ alert: warning, kind: "initial", generatedAt: 0, outcomes: [{ agent: "eks", state: "ok", result: quiet }] }).severity).toBe("medium");
    expect(buildReport({ alert: warning, kind: "initial", generatedAt: 0, outcomes: [{ agent: "eks", state: "ok", result: sampleResult }] }).severity).toBe("critical");
  });

  it("says honestly when no cause was established", () => {
    const empty = { ...sampleResult, findings: [], hypotheses: [] };
    const r = buildReport({ alert: sampleAlert, kind: "final", generatedAt: 0, outcomes: [{ agent: "eks", state: "ok", result: empty }, { agent: "logs", state: "error", error: "access denied" }] });
    expect(r.hypotheses).toEqual([]);
    expect(r.summary).toMatch(/^No cause established/);
    expect(r.summary).toContain("1 failed or timed out");
    expect(r.ruledOut).toEqual(["eks: nothing abnormal found in the window"]);
    expect(r.agents[1]?.summary).toBe("failed: access denied");
  });

  it("totals the cost of model calls per agent", () => {
    const withModel = { ...sampleResult, metadata: { ...sampleResult.metadata, modelId: "anthropic.claude-3-5-haiku-20241022-v1:0", inputTokens: 1000, outputTokens: 200, costUsd: 0.0016 } };
    const r = buildReport({
      alert: sampleAlert,
      kind: "initial",
      generatedAt: 0,
      outcomes: [{ agent: "eks", state: "ok", result: withModel }],
      extraCost: [{ scope: "classifier", modelId: "m", inputTokens: 100, outputTokens: 5, costUsd: 0.0001 }]
    });
    expect(r.cost.lines.map((l) => l.scope)).toEqual(["eks", "classifier"]);
    expect(r.cost.inputTokens).toBe(1100);
    expect(r.cost.costUsd).toBeCloseTo(0.0017, 10);
  });

  it("titles an alert without entities by its first line", () => {
    expect(reportTitle({ ...sampleAlert, entities: {}, alertText: "\n  site is down for everyone  \nmore" })).toBe("site is down for everyone");
  });
});

describe("the title is redacted before it is cut", () => {
  /** Any 6 characters of a secret's core are "part of it"; shorter cores must not appear at all. */
  const partsOf = (core: string): ReadonlyArray<string> => (core.length <= 6 ? [core] : [...core].slice(0, core.length - 5).map((_, i) => core.slice(i, i + 6)));
  const oneLine = plantedSecretArbitrary.filter((s) => !s.text.includes("\n"));

  it("a first line cut through a planted secret keeps no part of it, even after the render's redaction (property)", () => {
    fc.assert(
      fc.property(oneLine, fc.integer({ min: 30, max: 79 }), (secret, at) => {
        const alertText = `${"a".repeat(at)} ${secret.text} after`;
        const report = buildReport({ alert: { ...sampleAlert, entities: {}, alertText }, kind: "initial", generatedAt: 0, outcomes: [] });
        const rendered = redactDeep(report).title;
        for (const core of secret.cores) for (const part of partsOf(core)) expect(rendered).not.toContain(part);
      }),
      { numRuns: 1000 }
    );
  });

  it("uses the configured redactor, so a configured secret split by the cut is gone too", () => {
    const r = makeRedactor(["\\b\\d{4}(?:[ -]\\d{4}){3}\\b"]);
    if (Result.isFailure(r)) throw new Error(r.failure.message);
    const alertText = `${"a".repeat(64)} card 4111 1111 1111 1111 declined`;
    const title = buildReport({ alert: { ...sampleAlert, entities: {}, alertText }, kind: "initial", generatedAt: 0, outcomes: [], redact: r.success.redact }).title;
    expect(title).not.toContain("4111");
    expect(title.length).toBeLessThanOrEqual(80);
  });
});

