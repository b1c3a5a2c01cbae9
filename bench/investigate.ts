/**
 * Times `investigate` in process (read the alert and the cluster dump, analyse, orchestrate,
 * render Markdown; process start excluded) over every scenario of examples/scenarios, prints
 * whether the top hypothesis names the true cause and the accuracy, then times synthetic dumps
 * of 500 and 5,000 pods against the target of under 1 s per investigation on 500 pods.
 *
 *   node --import tsx bench/investigate.ts          # BENCH_RUNS=N runs per case (default 5)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import type { AlertContext } from "../packages/core/src/index.js";
import { ClusterFixture } from "../packages/agents/src/eks/testing/ClusterFixture.js";
import { makeDeployment, makeEndpoints, makeEvent, makeNode, makePod, makePvc, makeReplicaSet, makeService, makeStatefulSet, terminated, waiting } from "../packages/agents/src/eks/testing/kubeBuilders.js";
import { writeClusterDump } from "../packages/agents/src/eks/testing/writeClusterDump.js";
import {
  alertmanagerPayload,
  investigateScenario,
  readScenario,
  readScenarios,
  type Scenario,
  type ScenarioExpectation,
  scoreScenario
} from "../packages/agents/src/eks/testing/writeScenarios.js";
import { median } from "./support/timing.js";

const RUNS = Math.max(1, Number(process.env["BENCH_RUNS"] ?? 5) || 5);
const TARGET_MS = 1_000;
const ROOT = fileURLToPath(new URL("../examples/scenarios/", import.meta.url));

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

/** One investigation end to end from the scenario directory: alert and expectation read, dump read, analysed, orchestrated, rendered. */
const investigateOnce = async (directory: string) => {
  const started = performance.now();
  const scenario = await Effect.runPromise(readScenario(directory));
  const run = await Effect.runPromise(investigateScenario(scenario));
  return { ms: performance.now() - started, scenario, run };
};

const timeScenario = async (directory: string) => {
  const first = await investigateOnce(directory);
  const samples: Array<number> = [];
  for (let i = 0; i < RUNS; i++) samples.push((await investigateOnce(directory)).ms);
  return { first, samples };
};

/** The same alert, fired `minutes` earlier: as when the dump is captured that long after the page. */
const firedEarlier = (alert: AlertContext, minutes: number): AlertContext => {
  const shift = minutes * 60_000;
  return { ...alert, alertTimestamp: alert.alertTimestamp - shift, window: { start: alert.window.start - shift, end: alert.window.end - shift } };
};

// ---- synthetic clusters

const T = Date.parse("2026-04-02T09:30:00Z");
const day = 86_400_000;

/**
 * `pods` pods in one namespace (the worst case: the alert's whole namespace is read), 20 per
 * deployment, each behind a Service, two logs per deployment; one deployment crash-loops
 * because it cannot reach its database in another namespace, whose volume is full.
 */
const syntheticFixture = (pods: number): ClusterFixture => {
  const f = new ClusterFixture();
  const nodes = Math.max(3, Math.ceil(pods / 25));
  const nodeName = (i: number) => `ip-10-0-${i % 250}-${10 + Math.floor(i / 250)}.eu-west-1.compute.internal`;
  for (let n = 0; n < nodes; n++) f.addNodes(makeNode(nodeName(n), T, { ip: `10.0.${n % 250}.${10 + Math.floor(n / 250)}` }));
  const deployments = Math.ceil(pods / 20);
  const broken = Math.floor(deployments / 2);
  for (let d = 0; d < deployments; d++) {
    const name = `svc-${String(d).padStart(3, "0")}`;
    const replicas = Math.min(20, pods - d * 20);
    const deployment = makeDeployment({ namespace: "platform", name, replicas, createdAt: T - 30 * day, containers: [{ name: "app", image: `registry.example.com/${name}:1.${d}.0`, memoryLimit: "512Mi", port: 8080 }] });
    const rs = makeReplicaSet(deployment, { revision: 1, createdAt: T - 30 * day, replicas });
    const list = Array.from({ length: replicas }, (_, i) =>
      makePod({
        owner: rs,
        ownerKind: "ReplicaSet",
        ordinal: i,
        node: nodeName((d + i) % nodes),
        createdAt: T - day,
        ...(d === broken ? { statuses: [{ ready: false, restartCount: 8, state: waiting("CrashLoopBackOff"), lastState: terminated("Error", 1, T - 60_000) }] } : {})
      })
    );
    const svc = makeService({ namespace: "platform", name, selector: { "app.kubernetes.io/name": name }, port: 80, targetPort: 8080, clusterIP: `172.20.${1 + Math.floor(d / 250)}.${d % 250}`, createdAt: T - 30 * day });
    f.add("deployments", deployment).add("replicasets", rs).add("pods", ...list).add("services", svc).add("endpoints", makeEndpoints(svc, list));
    f.add("events", makeEvent({ namespace: "platform", kind: "Pod", name: list[0]!.metadata.name, reason: "Pulled", type: "Normal", message: `Container image "registry.example.com/${name}:1.${d}.0" already present on machine`, first: T - day }));
    for (const p of list.slice(0, 2))
      f.addLog({ namespace: "platform", pod: p.metadata.name, container: "app", current: Array.from({ length: 200 }, (_, i) => `2026-04-02T09:${String(i % 30).padStart(2, "0")}:00Z INFO request ok id=${i}`).join("\n") + "\n" });
    if (d === broken)
      for (const p of list)
        f.addLog({
          namespace: "platform",
          pod: p.metadata.name,
          container: "app",
          previous: `2026-04-02T09:28:58Z INFO ${name} starting\n2026-04-02T09:29:00Z FATAL cannot open database: dial tcp 172.20.200.5:5432: connect: connection refused\n`
        });
  }
  const db = makeStatefulSet({ namespace: "data", name: "postgres", createdAt: T - 200 * day, ready: 0, containers: [{ name: "postgres", image: "postgres:15.6", memoryLimit: "2Gi", port: 5432 }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-postgres-0" } }] });
  const dbPod = makePod({ owner: db, ownerKind: "StatefulSet", ordinal: 0, node: nodeName(0), createdAt: T - 200 * day, statuses: [{ ready: false, restartCount: 6, state: waiting("CrashLoopBackOff"), lastState: terminated("Error", 1, T - 2 * 60_000) }] });
  const dbSvc = makeService({ namespace: "data", name: "postgres", selector: { "app.kubernetes.io/name": "postgres" }, port: 5432, clusterIP: "172.20.200.5", createdAt: T - 200 * day });
  f.add("statefulsets", db).add("pods", dbPod).add("services", dbSvc).add("endpoints", makeEndpoints(dbSvc, [dbPod]));
  f.add("persistentvolumeclaims", makePvc({ namespace: "data", name: "data-postgres-0", storage: "50Gi", phase: "Bound", createdAt: T - 200 * day }));
  f.addLog({ namespace: "data", pod: dbPod.metadata.name, container: "postgres", previous: '2026-04-02 09:27:51.900 UTC [27] PANIC:  could not write to file "pg_wal/xlogtemp.27": No space left on device\n' });
  return f;
};

const syntheticScenario = async (pods: number, directory: string): Promise<{ directory: string; deployment: string }> => {
  await writeClusterDump(syntheticFixture(pods), join(directory, "cluster-dump"));
  const deployment = `svc-${String(Math.floor(Math.ceil(pods / 20) / 2)).padStart(3, "0")}`;
  const payload = alertmanagerPayload({
    labels: { alertname: "KubeDeploymentReplicasMismatch", namespace: "platform", deployment, severity: "critical" },
    summary: "Deployment has not matched the expected number of replicas.",
    description: `Deployment platform/${deployment} has not matched the expected number of replicas for longer than 15 minutes.`,
    runbook: "kubedeploymentreplicasmismatch",
    expr: "kube_deployment_spec_replicas > kube_deployment_status_replicas_available"
  });
  const expected: ScenarioExpectation = { rootCause: { requiredTerms: ["data-postgres-0", "full"] }, affected: `platform/${deployment}` };
  await writeFile(join(directory, "alert.json"), JSON.stringify(payload));
  await writeFile(join(directory, "expected.json"), JSON.stringify(expected));
  return { directory, deployment };
};

const main = async () => {
  console.log(`examples/scenarios: one investigation each (read alert + dump, analyse, orchestrate, render Markdown), median of ${RUNS} runs after a first run`);
  const dirs = (await Effect.runPromise(readScenarios(ROOT))).map((s: Scenario) => s.directory);
  let hits = 0;
  let wrongHigh = 0;
  const medians: Array<number> = [];
  for (const dir of dirs) {
    const { first, samples } = await timeScenario(dir);
    const score = scoreScenario(first.scenario.expected, first.run.report, first.run.eks);
    if (score.hit) hits++;
    if (score.highConfidenceWrong) wrongHigh++;
    const m = median(samples);
    medians.push(m);
    console.log(
      `  ${pad(first.scenario.name, 32)} ${pad(`${m.toFixed(1)} ms`, 10)} (first ${first.ms.toFixed(1)} ms)  ${score.hit ? "hit " : "MISS"}` +
        `${score.rank !== undefined && score.rank > 1 ? ` (true cause ranked ${score.rank})` : ""}${score.highConfidenceWrong ? " HIGH-CONFIDENCE WRONG" : ""}  top: ${first.run.report.hypotheses[0]?.title.slice(0, 90) ?? "(none)"}`
    );
  }
  console.log(`accuracy of the top hypothesis: ${hits}/${dirs.length} (${((100 * hits) / Math.max(1, dirs.length)).toFixed(0)}%), high-confidence wrong answers: ${wrongHigh}`);
  console.log(`per-scenario median: ${median(medians).toFixed(1)} ms, slowest ${Math.max(...medians).toFixed(1)} ms`);

  // Robustness: the same dumps with the alert fired 15 minutes before the capture (dumps are often taken well after the page).
  let lateHits = 0;
  for (const dir of dirs) {
    const scenario = await Effect.runPromise(readScenario(dir));
    const late = { ...scenario, alert: firedEarlier(scenario.alert, 15) };
    const run = await Effect.runPromise(investigateScenario(late));
    if (scoreScenario(scenario.expected, run.report, run.eks).hit) lateHits++;
    else console.log(`  late capture miss: ${scenario.name} → ${run.report.hypotheses[0]?.title.slice(0, 100) ?? "(no hypothesis)"}`);
  }
  console.log(`accuracy when the dump is captured 15 min after the alert fired: ${lateHits}/${dirs.length}`);

  for (const pods of [500, 5_000]) {
    const directory = await mkdtemp(join(tmpdir(), `investigate-bench-${pods}-`));
    try {
      const writeStart = performance.now();
      await syntheticScenario(pods, directory);
      const written = performance.now() - writeStart;
      const { first, samples } = await timeScenario(directory);
      const score = scoreScenario(first.scenario.expected, first.run.report, first.run.eks);
      const m = median(samples);
      const verdict = pods === 500 ? (m < TARGET_MS && first.ms < TARGET_MS ? "  PASS: under 1 s" : "  FAIL: target is under 1 s") : "";
      console.log(
        `synthetic ${pods.toLocaleString("en")} pods (dump written in ${written.toFixed(0)} ms): median ${m.toFixed(1)} ms, first ${first.ms.toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms over ${RUNS} runs; ${score.hit ? "hit" : "MISS"} (top: ${first.run.report.hypotheses[0]?.title.slice(0, 80) ?? "(none)"})${verdict}`
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }
};

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
