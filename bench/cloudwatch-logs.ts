/**
 * Times the CloudWatch Logs specialist and its log-pattern grouping: how long an investigation
 * takes and how many patterns (and findings) the grouping makes out of how many raw lines.
 *
 *   node --import tsx bench/cloudwatch-logs.ts
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentResult, Specialist } from "@sre-on-call/core";
import { Effect } from "effect";
import { makeCloudWatchLogsSpecialist, makeOfflineLogsSpecialist } from "../packages/agents/src/cloudwatch-logs/CloudWatchLogsSpecialist.js";
import { groupPatterns } from "../packages/agents/src/cloudwatch-logs/patterns/groupPatterns.js";
import { FakeCloudWatchLogs } from "../packages/agents/src/cloudwatch-logs/testing/FakeCloudWatchLogs.js";
import { motoAvailable, motoClientConfig, startMotoServer } from "../packages/agents/src/cloudwatch-logs/testing/motoServer.js";
import { seedLogGroup } from "../packages/agents/src/cloudwatch-logs/testing/seedCloudWatchLogs.js";
import { paymentsOutageLines } from "../packages/agents/src/cloudwatch-logs/testing/syntheticLogs.js";
import { makeAlert } from "../packages/agents/src/eks/testing/makeAlert.js";
import { describeTimes, median, timeRuns } from "./support/timing.js";

const RUNS = 5;
const fmt = (n: number) => n.toLocaleString("en-US");

const timeInvestigation = async (label: string, specialist: Specialist, at: number) => {
  const alert = makeAlert({ labels: { alertname: "PaymentsApiErrors", namespace: "payments", deployment: "api", cluster: "prod" }, at });
  const t = await timeRuns(RUNS, () => Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 60_000 })));
  const last: AgentResult | undefined = t.last;
  const extra = (last?.metadata.extra ?? {}) as { lines?: number; matched?: number; patterns?: number; method?: string };
  console.log(`${label}: ${describeTimes(t)} (${extra.method ?? "?"})`);
  console.log(`  ${fmt(extra.lines ?? 0)} error lines → ${fmt(extra.patterns ?? 0)} patterns → ${last?.findings.length ?? 0} findings, ${last?.hypotheses.length ?? 0} hypothesis; top: ${last?.hypotheses[0]?.title ?? "(none)"}`);
};

const main = async () => {
  const T = Date.now() - 60_000;
  const start = T - 20 * 60_000;

  // The grouping alone, on every line (errors and INFO alike), at growing sizes.
  for (const n of [10_000, 100_000]) {
    const lines = paymentsOutageLines({ lines: n, start, end: T, errorShare: 0.7 }).map((l) => ({ group: "/ecs/api", ...l }));
    const samples: Array<number> = [];
    let patterns = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      patterns = groupPatterns(lines).length;
      samples.push(performance.now() - started);
    }
    console.log(`groupPatterns: ${fmt(n)} raw lines → ${fmt(patterns)} patterns in median ${median(samples).toFixed(1)} ms (${((n / median(samples)) * 1000).toFixed(0)} lines/s)`);
  }

  const lines = paymentsOutageLines({ lines: 10_000, start, end: T });

  // Offline: one `aws logs filter-log-events` export of 10,000 events.
  const dir = await mkdtemp(join(tmpdir(), "cwl-bench-"));
  try {
    await writeFile(join(dir, "%2Fecs%2Fapi.json"), JSON.stringify({ events: lines.map((l, i) => ({ logStreamName: l.stream, timestamp: l.timestamp, message: l.message, ingestionTime: l.timestamp, eventId: String(i) })) }));
    await timeInvestigation("offline directory, 10,000 events", makeOfflineLogsSpecialist(dir), T);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // Live protocol, Logs Insights (fake endpoint on loopback, evaluating the query).
  const fake = new FakeCloudWatchLogs().addGroup("/ecs/api", lines);
  for (let i = 0; i < 200; i++) fake.addGroup(`/aws/lambda/other-${i}`);
  const server = await fake.start();
  try {
    const connection = { endpoint: server.endpoint, region: "eu-west-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } };
    await timeInvestigation("Logs Insights (AWS JSON fake), 10,000 events, 201 groups listed", makeCloudWatchLogsSpecialist({ ...connection, pollIntervalMs: 20 }), T);
    await timeInvestigation("FilterLogEvents (AWS JSON fake), 10,000 events", makeCloudWatchLogsSpecialist({ ...connection, insights: false }), T);
  } finally {
    await server.close();
  }

  if (!motoAvailable()) {
    console.log("moto_server not available: the moto case is skipped");
    return;
  }
  const moto = await startMotoServer();
  try {
    await seedLogGroup(moto.endpoint, "/ecs/api", "api", lines);
    await timeInvestigation("FilterLogEvents (moto_server), 10,000 events", makeCloudWatchLogsSpecialist({ ...motoClientConfig(moto.endpoint), insights: false }), T);
  } finally {
    await moto.stop();
  }
};

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
