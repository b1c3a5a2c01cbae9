import { describe, expect, it } from "vitest";
import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { AgentOutcome } from "./buildReport.js";
import { anchorsOf, synthesizeDeterministic } from "./synthesize.js";

const finding = (id: string, agent: string, content: string): Finding => ({ id, agent, source: agent, timestamp: 0, content, severity: "high", metadata: {} });
const hyp = (id: string, agent: string, title: string, extra: Partial<Hypothesis> = {}): Hypothesis => ({
  id,
  title,
  detail: "",
  confidence: "high",
  supportingFindings: [],
  confirmBy: "",
  proposedBy: agent,
  depth: 1,
  ...extra
});
const outcome = (agent: string, findings: ReadonlyArray<Finding>, hypotheses: ReadonlyArray<Hypothesis>): AgentOutcome => ({
  agent,
  state: "ok",
  result: { agent, status: "success", findings, hypotheses, summary: "", durationMs: 1, metadata: { startedAt: 0, endedAt: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 } }
});

describe("deterministic synthesis", () => {
  const eks = outcome(
    "eks",
    [finding("eks:1", "eks", "postgres of payments/payments-db: No space left on device"), finding("eks:2", "eks", "payments/api: connect ECONNREFUSED 172.20.91.7:5432")],
    [
      hyp("h1", "eks", "payments/payments-db's volume data-payments-db-0 (20Gi) is full", {
        depth: 3,
        supportingFindings: ["eks:1"],
        chain: ["volume data-payments-db-0 of payments/payments-db full", "payments/api cannot reach 172.20.91.7:5432 (connection refused)"]
      }),
      hyp("h2", "eks", "payments/api crashes on start: connect ECONNREFUSED 172.20.91.7:5432", { depth: 1, supportingFindings: ["eks:2"] }),
      hyp("h3", "eks", "Rollout of payments/api to revision 8 broke it", { confidence: "low", depth: 1 })
    ]
  );
  const logs = outcome(
    "cloudwatch-logs",
    [finding("cwl:1", "cloudwatch-logs", "162 error lines: POST /v1/charges -> 500 (connect ECONNREFUSED 172.20.91.7:5432)"), finding("cwl:2", "cloudwatch-logs", "GET /healthz 200")],
    [hyp("c1", "cloudwatch-logs", "payments/api: Connections to 172.20.91.7:5432 are refused", { depth: 1, supportingFindings: ["cwl:1"] })]
  );

  it("folds links of the deepest cause's chain into it and attaches other agents' corroborating findings", () => {
    const s = synthesizeDeterministic({ outcomes: [eks, logs] });
    const titles = (s.hypotheses ?? []).map((h) => h.title);
    expect(titles[0]).toMatch(/volume data-payments-db-0 .* is full/);
    expect(titles.some((t) => /crashes on start/.test(t))).toBe(false);
    expect(titles.some((t) => /Connections to 172.20.91.7:5432 are refused/.test(t))).toBe(false);
    expect(s.hypotheses?.[0]?.supportingFindings).toEqual(expect.arrayContaining(["eks:1", "eks:2", "cwl:1"]));
    expect(s.hypotheses?.[0]?.supportingFindings).not.toContain("cwl:2");
    expect(s.summary).toMatch(/Causal chain: volume .* → payments\/api cannot reach 172\.20\.91\.7:5432/);
    expect(s.summary).toMatch(/Corroborated by cloudwatch-logs/);
  });

  it("keeps competing hypotheses that only share a workload name, and never raises confidence", () => {
    const s = synthesizeDeterministic({ outcomes: [eks, logs] });
    const rollout = (s.hypotheses ?? []).find((h) => /Rollout/.test(h.title));
    expect(rollout?.confidence).toBe("low");
    for (const h of s.hypotheses ?? []) {
      const original = [...(eks.result?.hypotheses ?? []), ...(logs.result?.hypotheses ?? [])].find((o) => o.id === h.id);
      expect(h.confidence).toBe(original?.confidence);
    }
  });

  it("says nothing when no agent proposed a hypothesis", () => {
    expect(synthesizeDeterministic({ outcomes: [outcome("eks", [finding("eks:1", "eks", "all healthy")], [])] })).toEqual({});
  });

  it("normalises anchors so that the same thing said two ways matches", () => {
    expect([...anchorsOf("connect ECONNREFUSED 10.0.0.1:5432")]).toEqual(expect.arrayContaining(["10.0.0.1:5432", "connection refused"]));
    expect(anchorsOf("the disk is full").has("no space left on device")).toBe(true);
    expect(anchorsOf("read/write and/or n/a").size).toBe(0);
  });
});
