/**
 * Times the Prometheus specialist's investigation (discovery, the range queries of every golden
 * signal over the alert window and a day earlier, and the analysis) against Debian's real
 * `prometheus` loaded with the test scenarios, plus its snapshot.
 *
 *   node --import tsx bench/prometheus.ts            # summary per scenario
 *   BENCH_VERBOSE=1 node --import tsx bench/prometheus.ts   # and every finding
 */
import { Effect } from "effect";
import { makePrometheusSpecialist } from "../packages/agents/src/prometheus/PrometheusSpecialist.js";
import { prometheusAvailable, PROMETHEUS_SKIP_REASON, startPrometheus } from "../packages/agents/src/prometheus/testing/PrometheusServer.js";
import { ALERTS, NOW, scenarioSeries } from "../packages/agents/src/prometheus/testing/scenarios.js";
import { describeTimes, median, timeRuns } from "./support/timing.js";

const RUNS = Number(process.env["BENCH_RUNS"] ?? 10);
const verbose = process.env["BENCH_VERBOSE"] !== undefined;

const main = async () => {
  if (!prometheusAvailable()) {
    console.log(`skipped: ${PROMETHEUS_SKIP_REASON}`);
    return;
  }
  const series = scenarioSeries();
  const started = performance.now();
  const server = await startPrometheus(series);
  console.log(`prometheus ready with ${series.length} series (${series.reduce((a, s) => a + s.samples.length, 0)} samples) in ${(performance.now() - started).toFixed(0)} ms`);
  try {
    const specialist = makePrometheusSpecialist({ url: server.url, now: () => NOW });
    for (const [name, make] of Object.entries(ALERTS)) {
      const alert = make();
      const t = await timeRuns(RUNS, () => Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 30_000 })));
      const last = t.last;
      const extra = last.metadata.extra as { queries?: { planned: number } } | undefined;
      console.log(
        `${name}: ${describeTimes(t)}; ${extra?.queries?.planned ?? 0} range queries, ${last?.findings.length ?? 0} findings, ${last?.hypotheses.length ?? 0} hypotheses`
      );
      console.log(`  summary: ${last?.summary ?? ""}`);
      if (verbose) {
        for (const f of last?.findings ?? []) console.log(`  [${f.severity}] ${f.content}`);
        for (const h of last?.hypotheses ?? []) console.log(`  hypothesis (${h.confidence}): ${h.title}`);
      }
    }
    const samples: Array<number> = [];
    let summary = "";
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      summary = (await Effect.runPromise(specialist.snapshot({ deadline: Date.now() + 10_000 }))).summary;
      samples.push(performance.now() - t0);
    }
    console.log(`snapshot: median ${median(samples).toFixed(1)} ms over ${RUNS} runs; ${summary}`);
  } finally {
    await server.stop();
  }
};

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
