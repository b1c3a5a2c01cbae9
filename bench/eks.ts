/**
 * Times the Kubernetes/EKS specialist's deterministic investigation (reading the dump and
 * analysing it) over the bundled example and over a synthetic dump of 5,000 pods.
 *
 *   node --import tsx bench/eks.ts
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import { analyzeClusterDump } from "../packages/agents/src/eks/analyzeClusterDump.js";
import { ClusterFixture } from "../packages/agents/src/eks/testing/ClusterFixture.js";
import { makeDeployment, makeEvent, makeNode, makePod, makeReplicaSet, makeService, terminated, waiting } from "../packages/agents/src/eks/testing/kubeBuilders.js";
import { makeAlert } from "../packages/agents/src/eks/testing/makeAlert.js";
import { writeClusterDump } from "../packages/agents/src/eks/testing/writeClusterDump.js";
import { describeTimes, timeRuns } from "./support/timing.js";

const RUNS = 5;
const T = Date.parse("2026-03-12T14:20:00Z");


const time = async (label: string, directory: string, labels: Record<string, string>, at: number) => {
  const alert = makeAlert({ labels, at });
  const t = await timeRuns(RUNS, () => Effect.runPromise(analyzeClusterDump(directory, alert)));
  console.log(`${label}: ${describeTimes(t)}`);
  console.log(`  top hypothesis: ${t.last.hypotheses[0]?.title ?? "(no hypothesis)"}`);
};

/** 5,000 pods: 250 deployments of 20 pods in one namespace (the worst case: the whole namespace is read), one of them crash-looping. */
const syntheticFixture = (): ClusterFixture => {
  const f = new ClusterFixture();
  for (let n = 0; n < 40; n++) f.addNodes(makeNode(`ip-10-0-${n}-10.eu-west-1.compute.internal`, T));
  for (let d = 0; d < 250; d++) {
    const name = `svc-${String(d).padStart(3, "0")}`;
    const deployment = makeDeployment({ namespace: "platform", name, replicas: 20, createdAt: T - 30 * 86_400_000, containers: [{ name: "app", image: `registry.example.com/${name}:1.${d}.0`, memoryLimit: "512Mi" }] });
    const rs = makeReplicaSet(deployment, { revision: 1, createdAt: T - 30 * 86_400_000, replicas: 20 });
    const broken = d === 137;
    const pods = Array.from({ length: 20 }, (_, i) =>
      makePod({
        owner: rs,
        ownerKind: "ReplicaSet",
        ordinal: i,
        node: `ip-10-0-${(d + i) % 40}-10.eu-west-1.compute.internal`,
        createdAt: T - 86_400_000,
        ...(broken ? { statuses: [{ ready: false, restartCount: 12, state: waiting("CrashLoopBackOff"), lastState: terminated("OOMKilled", 137, T - 60_000) }] } : {})
      })
    );
    f.add("deployments", deployment).add("replicasets", rs).add("pods", ...pods);
    f.add("services", makeService({ namespace: "platform", name, selector: { "app.kubernetes.io/name": name }, port: 80, clusterIP: `172.20.${Math.floor(d / 250)}.${d % 250}`, createdAt: T - 30 * 86_400_000 }));
    f.add("events", makeEvent({ namespace: "platform", kind: "Pod", name: pods[0]!.metadata.name, reason: "Pulled", type: "Normal", message: `Container image "registry.example.com/${name}" already present on machine`, first: T - 86_400_000 }));
    for (const p of pods.slice(0, 2)) f.addLog({ namespace: "platform", pod: p.metadata.name, container: "app", current: Array.from({ length: 200 }, (_, i) => `2026-03-12T14:${String(i % 60).padStart(2, "0")}:00Z INFO request ok id=${i}`).join("\n") });
  }
  return f;
};

const main = async () => {
  const example = fileURLToPath(new URL("../examples/payments-outage/", import.meta.url));
  const payload = JSON.parse(await readFile(join(example, "alert.json"), "utf8")) as { alerts: Array<{ labels: Record<string, string>; startsAt: string }> };
  const first = payload.alerts[0];
  if (first === undefined) throw new Error("alert.json has no alert");
  await time("examples/payments-outage (20 pods)", join(example, "cluster-dump"), first.labels, Date.parse(first.startsAt));

  const directory = await mkdtemp(join(tmpdir(), "eks-bench-"));
  try {
    const started = performance.now();
    await writeClusterDump(syntheticFixture(), directory);
    console.log(`synthetic dump written in ${(performance.now() - started).toFixed(0)} ms`);
    await time("synthetic 5,000 pods, alert on the broken deployment", directory, { alertname: "KubePodCrashLooping", namespace: "platform", deployment: "svc-137" }, T);
    await time("synthetic 5,000 pods, namespace-only alert", directory, { alertname: "KubeNamespaceDegraded", namespace: "platform" }, T);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
