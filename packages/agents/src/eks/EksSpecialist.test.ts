import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AgentFailure, parseChatAlert } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit } from "effect";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeClusterDump } from "./analyzeClusterDump.js";
import { makeEksSpecialist } from "./EksSpecialist.js";
import { makeDumpClusterSource } from "./source/DumpClusterSource.js";
import { makeAlert } from "./testing/makeAlert.js";

const EXAMPLE = fileURLToPath(new URL("../../../../examples/payments-outage/", import.meta.url));
const REAL = fileURLToPath(new URL("../../../../examples/real-incidents/", import.meta.url));
const payload = JSON.parse(readFileSync(join(EXAMPLE, "alert.json"), "utf8")) as { alerts: Array<{ labels: Record<string, string>; startsAt: string }> };
const exampleAlert = makeAlert({ labels: payload.alerts[0]!.labels, at: Date.parse(payload.alerts[0]!.startsAt) });
const dumpDir = join(EXAMPLE, "cluster-dump");

describe("EKS specialist over the bundled payments-outage example", () => {
  for (const c of specialistContract({ make: async () => ({ specialist: makeEksSpecialist(makeDumpClusterSource(dumpDir)), alert: exampleAlert }) })) it(c.name, c.run);

  it("puts the true root cause first: payments-db's volume is full", async () => {
    const result = await Effect.runPromise(analyzeClusterDump(dumpDir, exampleAlert));
    expect(result.status).toBe("success");
    const [first, ...rest] = result.hypotheses;
    expect(first?.title).toBe("payments/payments-db's volume data-payments-db-0 (20Gi) is full (No space left on device)");
    expect(first?.confidence).toBe("high");
    expect(first?.actions?.[0]).toContain("kubectl -n payments patch pvc data-payments-db-0");
    expect(first?.chain?.at(-1)).toBe("payments/api cannot reach 172.20.91.7:5432 (connection refused)");
    // The coinciding rollout is reported, but as a low-confidence suspect since the old pods fail too.
    const rollout = rest.find((h) => h.title.startsWith("Rollout of payments/api to revision 8"));
    expect(rollout?.confidence).toBe("low");
    expect(rollout?.actions?.[0]).toBe("Roll back: kubectl -n payments rollout undo deployment/api --to-revision=7");
    expect(result.summary).toMatch(/^payments\/api 0\/3 ready, 1 pod crash-looping\. Most likely: payments\/payments-db's volume/);
  });

  it("keeps the healthy neighbours and the noisy node out of the report", async () => {
    const result = await Effect.runPromise(analyzeClusterDump(dumpDir, exampleAlert));
    const text = JSON.stringify({ findings: result.findings, hypotheses: result.hypotheses });
    for (const noise of ["report-generator", "checkout", "ledger-worker", "ip-10-0-3-77", "MemoryPressure", "coredns"]) expect(text).not.toContain(noise);
  });

  it("a healthy workload of the example yields no hypothesis", async () => {
    const result = await Effect.runPromise(analyzeClusterDump(dumpDir, makeAlert({ labels: { alertname: "HighLatency", namespace: "checkout", deployment: "web" }, at: exampleAlert.alertTimestamp })));
    expect(result.hypotheses).toEqual([]);
    expect(result.findings.at(-1)?.content).toMatch(/^No Kubernetes-level cause found: checkout\/web 3\/3 ready/);
  });

  it("a directory that is not a dump is a typed, readable failure", async () => {
    const dir = await mkdtemp(join(tmpdir(), "not-a-dump-"));
    try {
      await writeFile(join(dir, "README.md"), "hello");
      const exit = await Effect.runPromiseExit(analyzeClusterDump(dir, exampleAlert));
      expect(Exit.isFailure(exit)).toBe(true);
      const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined;
      const error = reason?._tag === "Fail" ? reason.error : undefined;
      expect(error).toBeInstanceOf(AgentFailure);
      expect((error as AgentFailure).reason).toContain("is not a cluster dump: it has no nodes.json and no <namespace>/pods.json");
      const missing = await Effect.runPromiseExit(analyzeClusterDump(join(dir, "nope"), exampleAlert));
      expect(Exit.isFailure(missing)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("skips alerts about another cluster", () => {
    const specialist = makeEksSpecialist(makeDumpClusterSource(dumpDir), { clusterName: "prod-eu-1" });
    expect(specialist.skipReason?.(makeAlert({ labels: { alertname: "X", namespace: "a", cluster: "staging" }, at: 0 }))).toBe("the alert is about cluster staging, not prod-eu-1");
    expect(specialist.skipReason?.(exampleAlert)).toBeUndefined();
  });

  it("an alert naming a namespace, pod or node that is not a Kubernetes name reads nothing for it and says why, once", async () => {
    const alert = makeAlert({ labels: { alertname: "KubePodCrashLooping", namespace: "../../../../etc", pod: "../passwd", node: "/etc/shadow" }, at: exampleAlert.alertTimestamp });
    const result = await Effect.runPromise(makeEksSpecialist(makeDumpClusterSource(dumpDir)).investigate(alert, { deadline: Date.now() + 20_000 }));
    expect(result.status).toBe("success");
    const notRead = result.findings.map((f) => f.content).filter((c) => c.startsWith("Not read:"));
    expect(notRead).toEqual([
      expect.stringMatching(/^Not read: the alert's namespace \(not-found: "\.\.\/\.\.\/\.\.\/\.\.\/etc" is not a valid Kubernetes namespace name/),
      expect.stringMatching(/^Not read: the alert's pod \(not-found: "\.\.\/passwd" is not a valid Kubernetes pod name/),
      expect.stringMatching(/^Not read: the alert's node \(not-found: "\/etc\/shadow" is not a valid Kubernetes node name/)
    ]);
  });

  it("a deadline already passed still answers, marked partial", async () => {
    const result = await Effect.runPromise(makeEksSpecialist(makeDumpClusterSource(dumpDir)).investigate(exampleAlert, { deadline: Date.now() - 1 }));
    expect(result.status).toBe("timeout");
    expect(result.summary).toMatch(/^Partial/);
  });

  it("investigates an alert that names nothing: its words are looked up in the cluster", async () => {
    const specialist = makeEksSpecialist(makeDumpClusterSource(dumpDir));
    const chat = (text: string) => parseChatAlert({ source: "cli", text, timestamp: 0, channelId: "c", messageId: "m" });
    // IBM/event-streams#7 and TilBlechschmidt/WebGrid#50, in their reporters' words.
    expect(specialist.skipReason?.(chat("When running IBM Event Streams 2018.3.0, the zookeeper pods repeatedly restart"))).toBeUndefined();
    expect(specialist.skipReason?.(chat("Using helm chart failed to pull images (webgrid-api, webgrid-manager), facing ImagePullBackOff error."))).toBeUndefined();
    expect(specialist.skipReason?.(makeAlert({ labels: { alertname: "KubeSchedulerDown" }, at: 0 }))).toBeUndefined();
    expect(specialist.skipReason?.(makeAlert({ labels: { alertname: "NodeFilesystemSpaceFillingUp", instance: "10.0.1.5:9100" }, at: 0 }))).toBeUndefined();
    const unrelated = chat("the invoice export to the accounting system is late again");
    expect(specialist.skipReason?.(unrelated)).toBeUndefined();
    const result = await Effect.runPromise(specialist.investigate(unrelated, { deadline: Date.now() + 20_000 }));
    expect(result.hypotheses).toEqual([]);
    expect(result.findings.map((f) => f.content)).toContain("Nothing the alert names is in the cluster");
    const silent = await Effect.runPromise(specialist.investigate(makeAlert({ labels: { alertname: "HighBilling" }, at: 0 }), { deadline: Date.now() + 20_000 }));
    expect(silent.findings.map((f) => f.content)).toContain("The alert names no Kubernetes object and has no words to look up in the cluster");
  });

  it("a cause found on an object triage picked is never claimed with high confidence", async () => {
    const dir = join(REAL, "crashloop-python-modulenotfound-cv2-gh-kubeedge-sedna-320");
    const at = Date.parse("2022-06-09T09:57:00Z");
    const specialist = makeEksSpecialist(makeDumpClusterSource(join(dir, "cluster-dump")));
    const named = await Effect.runPromise(specialist.investigate(makeAlert({ labels: JSON.parse(readFileSync(join(dir, "alert.json"), "utf8")).alerts[0].labels, at }), { deadline: Date.now() + 20_000 }));
    const vague = await Effect.runPromise(specialist.investigate(parseChatAlert({ source: "cli", text: "pods keep restarting since this morning", timestamp: at, channelId: "c", messageId: "m", now: at }), { deadline: Date.now() + 20_000 }));
    expect(named.hypotheses[0]?.confidence).toBe("high");
    expect(vague.hypotheses[0]).toMatchObject({ title: named.hypotheses[0]?.title, confidence: "medium" });
    expect(vague.hypotheses[0]?.detail).toMatch(/Found by triage/);
    const choice = vague.findings.find((f) => f.metadata["chosenBy"] === "triage");
    expect(choice?.content).toMatch(/^The alert names no object the cluster has; triaged the cluster instead/);
    expect(choice?.metadata["affected"]).toEqual(["sedna/kb"]);
  });

  it("a control-plane alert on a managed control plane says there is no Kubernetes-level cause, at low confidence (prometheus-operator/prometheus-operator#2437, #2295)", async () => {
    for (const [name, alertname, at] of [
      ["healthy-kube-scheduler-down-eks-gh-prometheus-operator-2437", "KubeSchedulerDown", "2019-02-26T12:00:00Z"],
      ["healthy-controller-manager-down-aws-gh-prometheus-operator-2295", "K8SControllerManagerDown", "2019-01-14T12:00:00Z"]
    ] as const) {
      const specialist = makeEksSpecialist(makeDumpClusterSource(join(REAL, name, "cluster-dump")));
      const result = await Effect.runPromise(specialist.investigate(makeAlert({ labels: { alertname, severity: "critical" }, at: Date.parse(at) }), { deadline: Date.now() + 20_000 }));
      expect(result.hypotheses.map((h) => h.confidence)).toEqual(["low"]);
      expect(result.hypotheses[0]?.title).toMatch(/^No Kubernetes-level cause: kube-(scheduler|controller-manager) runs in the EKS \(AWS\) managed control plane/);
      expect(result.findings.map((f) => f.content).join("\n")).toMatch(/none of the 3 nodes is a control-plane node/);
    }
  });

  it("the snapshot reports the cluster's health", async () => {
    const section = await Effect.runPromise(makeEksSpecialist(makeDumpClusterSource(dumpDir)).snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.health).toBe("degraded");
    expect(section.summary).toMatch(/^3\/3 nodes ready; \d+\/\d+ pods ready, 2 failing/);
    expect(section.findings.map((f) => f.content).join("\n")).toContain("under resource pressure: ip-10-0-3-77");
  });
});
