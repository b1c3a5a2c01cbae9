/**
 * Rendering throughput per dialect, on a realistic small report (one agent answered, one
 * disabled) and a large one (six agents, 240 findings, long log lines, several hypotheses).
 *
 *   node --import tsx bench/renderer.ts [milliseconds per case]
 */
import type { Finding, Hypothesis, InvestigationReport } from "../packages/core/src/model/index.js";
import type { Dialect } from "../packages/core/src/ports/ChatPlatform.js";
import { renderReport } from "../packages/core/src/render/index.js";
import { sampleReport } from "../packages/core/src/testing/samples.js";

const DIALECTS: ReadonlyArray<Dialect> = ["slack", "discord", "markdown", "json"];
const AGENTS = ["eks", "cloudwatch-logs", "prometheus", "slack-scanner", "discord-scanner", "incident-history"];
const T0 = 1_700_000_000_000;

const LOG_LINES = [
  "java.lang.OutOfMemoryError: Java heap space at com.example.payments.LedgerService.reconcile(LedgerService.java:214)",
  "Readiness probe failed: Get \"http://10.0.3.17:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
  "rate(http_requests_total{job=\"api\",code=~\"5..\"}[5m]) rose from 0.2/s to 47/s at 22:11 UTC; p99 latency 4.8 s (SLO 300 ms)",
  "Back-off restarting failed container api in pod api-7d9f8b6c5-x2x9z_payments(3f2a9c1b-…) — 14 restarts in 20 min",
  "@here is anyone looking at payments? checkout is failing for EU customers <!channel> & see [dashboard](https://grafana.example/d/x)"
];

const finding = (agent: string, i: number): Finding => ({
  id: `${agent}:${i}`,
  agent,
  source: `kubernetes/pod/payments/api-7d9f8b6c5-${i.toString(36)}`,
  timestamp: T0 - i * 7_000,
  content: `${LOG_LINES[i % LOG_LINES.length]} (occurrence ${i})`,
  severity: (["critical", "high", "medium", "low", "info"] as const)[i % 5] ?? "info",
  metadata: {},
  ...(i % 3 === 0 ? { deepLink: `https://console.aws.amazon.com/cloudwatch/home#logsV2:log-groups/log-group/$252Faws$252Feks$252Fprod/${i}` } : {})
});

const hypothesis = (i: number): Hypothesis => ({
  id: `synthesis:h${i}`,
  title: ["payments-db disk full", "api memory limit too low", "bad deploy of api v2.3.1", "node ip-10-0-3-17 NotReady"][i % 4] ?? "cause",
  detail: "The database volume reached 100% at 22:09; writes failed and the api returned 5xx until the pods were OOMKilled in retries.",
  confidence: (["high", "medium", "low"] as const)[Math.min(2, i)] ?? "low",
  supportingFindings: [`eks:${i}`, `cloudwatch-logs:${i + 1}`, `prometheus:${i + 2}`],
  confirmBy: "kubectl -n payments exec payments-db-0 -- df -h /var/lib/postgresql; check kubelet_volume_stats_available_bytes",
  proposedBy: "synthesis",
  depth: 3 - Math.min(3, i),
  chain: ["disk full", "db crash", "api 5xx"]
});

const largeReport: InvestigationReport = {
  ...sampleReport,
  kind: "final",
  hypotheses: Array.from({ length: 4 }, (_, i) => hypothesis(i)),
  agents: AGENTS.map((agent, a) => ({ agent, state: "ok" as const, summary: `${agent}: 40 findings`, findings: Array.from({ length: 40 }, (_, i) => finding(agent, i + 1)), durationMs: 800 + a * 4_000 })),
  ruledOut: ["No rollout in the window", "No node pressure on other nodes"],
  actions: ["Expand the payments-db volume", "Restart api once the database accepts writes", "Add an alert on volume usage above 85%"],
  links: [
    { label: "Runbook", url: "https://runbooks.example.com/KubePodCrashLooping" },
    { label: "Dashboard", url: "https://grafana.example/d/payments" }
  ],
  cost: {
    lines: [{ scope: "synthesis", modelId: "us.anthropic.claude-sonnet-4-20250514-v1:0", inputTokens: 48_000, outputTokens: 2_100, costUsd: 0.1755 }],
    inputTokens: 48_000,
    outputTokens: 2_100,
    costUsd: 0.1755
  }
};

const measure = (report: InvestigationReport, dialect: Dialect, budgetMs: number) => {
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 20; i++) renderReport(report, dialect);
    runs += 20;
    elapsed = performance.now() - start;
  }
  const out = renderReport(report, dialect);
  const chars = out.reduce((n, m) => n + m.text.length + (m.blocks === undefined ? 0 : JSON.stringify(m.blocks).length), 0);
  return { perSecond: Math.round((runs / elapsed) * 1000), microseconds: (elapsed * 1000) / runs, messages: out.length, chars };
};

const main = () => {
  const budgetMs = Number(process.argv[2] ?? 1000);
  console.log(`renderReport, ${budgetMs} ms per case, Node ${process.version}\n`);
  // Warm every path up first, so the first case measured does not pay for compilation.
  const warmUntil = performance.now() + Math.min(2000, budgetMs);
  while (performance.now() < warmUntil) for (const dialect of DIALECTS) for (const report of [sampleReport, largeReport]) renderReport(report, dialect);
  console.log(`${"report".padEnd(8)} ${"dialect".padEnd(9)} ${"reports/s".padStart(10)} ${"µs/render".padStart(10)} ${"messages".padStart(9)} ${"chars".padStart(8)}`);
  for (const [name, report] of [
    ["small", sampleReport],
    ["large", largeReport]
  ] as const) {
    for (const dialect of DIALECTS) {
      const r = measure(report, dialect, budgetMs);
      console.log(`${name.padEnd(8)} ${dialect.padEnd(9)} ${String(r.perSecond).padStart(10)} ${r.microseconds.toFixed(1).padStart(10)} ${String(r.messages).padStart(9)} ${String(r.chars).padStart(8)}`);
    }
  }
};

main();
