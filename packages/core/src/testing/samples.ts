import type { AgentResult } from "../model/AgentResult.js";
import type { AlertContext } from "../model/AlertContext.js";
import type { InvestigationReport } from "../model/InvestigationReport.js";

const T0 = 1_700_000_000_000;

/** A realistic alert for tests: an Alertmanager page about a crash-looping deployment. */
export const sampleAlert: AlertContext = {
  investigationId: "inv-sample-1",
  source: "alertmanager",
  channelId: "C0ALERTS",
  messageId: "1700000000.000100",
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)",
  alertTimestamp: T0,
  window: { start: T0 - 300_000, end: T0 + 300_000 },
  status: "firing",
  labels: {
    alertname: "KubePodCrashLooping",
    severity: "critical",
    namespace: "payments",
    pod: "api-7d9f8b6c5-x2x9z",
    container: "api",
    cluster: "prod-eu-1"
  },
  annotations: { summary: "Pod payments/api-7d9f8b6c5-x2x9z is crash looping" },
  entities: {
    alertname: "KubePodCrashLooping",
    severity: "critical",
    cluster: "prod-eu-1",
    namespace: "payments",
    pod: "api-7d9f8b6c5-x2x9z",
    container: "api",
    deployment: "api"
  },
  hints: [],
  deadline: T0 + 60_000,
  fingerprint: "3f2a9c1b7d6e5f40"
};

export const sampleResult: AgentResult = {
  agent: "eks",
  status: "success",
  findings: [
    {
      id: "eks:1",
      agent: "eks",
      source: "kubernetes/pod/payments/api-7d9f8b6c5-x2x9z",
      timestamp: T0 - 60_000,
      content: "Container api is in CrashLoopBackOff: last terminated OOMKilled (exit 137), 14 restarts; memory limit 256Mi.",
      severity: "critical",
      metadata: { restarts: 14, exitCode: 137, reason: "OOMKilled", limit: "256Mi" }
    }
  ],
  hypotheses: [
    {
      id: "eks:h1",
      title: "api is OOMKilled: memory limit 256Mi is too low",
      detail: "The container exceeded its 256Mi memory limit and was killed 14 times.",
      confidence: "high",
      supportingFindings: ["eks:1"],
      confirmBy: "kubectl -n payments describe pod api-7d9f8b6c5-x2x9z; check container_memory_working_set_bytes against the limit",
      proposedBy: "eks",
      depth: 2
    }
  ],
  summary: "1 pod crash-looping with OOMKilled",
  durationMs: 840,
  metadata: { startedAt: T0, endedAt: T0 + 840, inputTokens: 0, outputTokens: 0, costUsd: 0 }
};

export const sampleReport: InvestigationReport = {
  investigationId: sampleAlert.investigationId,
  kind: "initial",
  title: "KubePodCrashLooping in payments",
  severity: "critical",
  status: "firing",
  source: "alertmanager",
  channelId: sampleAlert.channelId,
  messageId: sampleAlert.messageId,
  entities: sampleAlert.entities,
  detectedAt: T0,
  generatedAt: T0 + 5_000,
  summary: "api in payments is crash-looping because it is OOMKilled.",
  affectedServices: ["payments/api"],
  hypotheses: sampleResult.hypotheses,
  agents: [
    {
      agent: "eks",
      state: "ok",
      summary: sampleResult.summary,
      findings: sampleResult.findings,
      durationMs: 840
    },
    { agent: "prometheus", state: "disabled", summary: "not configured", findings: [] }
  ],
  ruledOut: ["No rollout in the window"],
  impact: "payments API unavailable for some requests",
  actions: ["Raise the memory limit of api or fix the leak", "Check recent memory growth"],
  links: [{ label: "Runbook", url: "https://runbooks.example.com/KubePodCrashLooping" }],
  cost: { lines: [], inputTokens: 0, outputTokens: 0, costUsd: 0 }
};
