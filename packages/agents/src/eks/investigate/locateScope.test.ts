import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AlertContext, parseChatAlert } from "@sre-on-call/core";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { makeDumpClusterSource } from "../source/DumpClusterSource.js";
import { makeAlert } from "../testing/makeAlert.js";
import { ClusterViewBuilder } from "./ClusterView.js";
import { chooseScope, locateScope, needsInventory, readInventory } from "./locateScope.js";
import { resolveSubjects } from "./resolveSubjects.js";
import { type Scope, scopeFromAlert } from "./scopeFromAlert.js";

/** The real-incident benchmark's cases: each dump is what was pasted in the thread its SOURCE.md names. */
const REAL = fileURLToPath(new URL("../../../../../examples/real-incidents/", import.meta.url));

const textCase = (name: string): { alert: AlertContext; dump: string } => {
  const dir = join(REAL, name);
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { alertTime: string };
  const at = Date.parse(expected.alertTime);
  const alert = parseChatAlert({ source: "cli", text: readFileSync(join(dir, "alert.txt"), "utf8").trim(), timestamp: at, channelId: "test", messageId: name, now: at });
  return { alert, dump: join(dir, "cluster-dump") };
};

const locate = async (alert: AlertContext, dump: string): Promise<Scope> =>
  Effect.runPromise(locateScope(makeDumpClusterSource(dump), scopeFromAlert(alert), Math.min(alert.window.start, alert.alertTimestamp) - 3_600_000));

const targetsOf = (scope: Scope) => (scope.targets ?? []).map((t) => `${t.kind} ${t.namespace}/${t.name}`);

describe("locateScope: the objects a loosely worded alert means, found in the cluster", () => {
  it.each<[string, ReadonlyArray<string>, string]>([
    ["imagepull-no-latest-tag-gh-webgrid-50", ["Deployment default/example-webgrid-api"], "matched"],
    ["ccce-secret-not-found-gh-openmetadata-helm-charts-46", ["Deployment default/openmetadata-dependencies-scheduler", "Deployment default/openmetadata-dependencies-web"], "matched"],
    ["oomkilled-zookeeper-logs-silent-gh-ibm-event-streams-7", ["StatefulSet eventstreams/eventstreams-zookeeper"], "matched"],
    ["oomkilled-kafka-heap-above-limit-gh-stafftastic-jitsu-chart-76", ["StatefulSet jitsu/jitsu-kafka-controller"], "matched"],
    ["quota-exceeded-rolling-update-gh-moj-cloud-platform-590", ["Deployment offender-management-staging/allocation-manager"], "matched"],
    ["pvc-ebs-csi-driver-missing-gh-waypoint-4401", ["StatefulSet default/waypoint-runner"], "matched"],
    ["eviction-ephemeral-storage-no-request-gh-tanguille-cluster-4607", ["Deployment media/fileflows"], "matched"],
    // A pod found by a label value the text writes whole (prow.k8s.io/job).
    ["scheduling-insufficient-cpu-gh-test-infra-26060", ["Pod test-pods/5b1f9a4e-c16a-11ec-9d64-0242ac120002"], "matched"],
    // The text talks about a kind without naming it, and the cluster holds one of it.
    ["cronjob-too-many-missed-starts-gh-whereabouts-255", ["CronJob kube-system/ip-reconciler"], "kind"],
    ["job-init-container-typo-gh-k8s-77644", ["Job default/pi-with-ttl2"], "kind"]
  ])("%s → %j", async (name, targets, how) => {
    const { alert, dump } = textCase(name);
    const scope = await locate(alert, dump);
    expect(targetsOf(scope)).toEqual(targets);
    expect(scope.choice?.how).toBe(how);
  });

  it("a question about evictions finds the evicted pods' workload though the evictions are older than the window (libero/reviewer#977)", async () => {
    const { alert, dump } = textCase("eviction-flux-helm-operator-ephemeral-storage-8gi-gh-libero-reviewer-977");
    const scope = await locate(alert, dump);
    expect(targetsOf(scope)).toEqual(["Deployment flux/flux-helm-operator"]);
  });

  it("the container a question names is kept with its pod's workload (vmware/pinniped#2161)", async () => {
    const { alert, dump } = textCase("cpu-throttling-20m-limit-sleeper-gh-pinniped-2161");
    const scope = await locate(alert, dump);
    expect(targetsOf(scope)).toEqual(["Deployment pinniped-concierge/pinniped-concierge-kube-cert-agent"]);
    expect(scope.container).toBe("sleeper");
  });

  it("a healthy CronJob named by the words joins the failing Job that the same words name (ministryofjustice/cloud-platform#3255)", async () => {
    const { alert, dump } = textCase("job-curator-unsupported-elasticsearch-gh-moj-cloud-platform-3255");
    const scope = await locate(alert, dump);
    expect(targetsOf(scope)).toEqual(["CronJob logging/elasticsearch-curator-cronjob", "Job logging/test-curator"]);
    expect(scope.choice?.content).toMatch(/Job logging\/test-curator: its name matches "curator" in the alert \(crash-looping\)/);
  });

  it("the object a sentence is about comes first; the one it connects to follows (openservicemesh/osm#4072, argoproj-labs/argocd-agent#617)", async () => {
    const osm = textCase("no-such-host-service-namespace-swapped-gh-osm-4072");
    expect(targetsOf(await locate(osm.alert, osm.dump))[0]).toBe("Deployment sim-run-bd6eace2-2398-4b73-8182-d20880aa2e10-bookstore/bookstore-v1");
    const argo = textCase("networkpolicy-egress-blocks-dns-gh-argocd-agent-617");
    expect(targetsOf(await locate(argo.alert, argo.dump))).toContain("Deployment argocd/argocd-agent-agent");
  });

  it("invents nothing from prose and says what it chose (coredns/coredns#4211)", async () => {
    const { alert, dump } = textCase("healthy-coredns-hinfo-timeout-gh-coredns-4211");
    const scope = await locate(alert, dump);
    expect(scope.node).toBeUndefined();
    expect(scope.namespace).toBe("kube-system");
    expect(targetsOf(scope)).toEqual(["Deployment kube-system/coredns"]);
  });

  it("a Service named without a namespace is found where it is (TheK8sBook#47)", async () => {
    const { alert, dump } = textCase("service-wrong-targetport-gh-thek8sbook-47");
    const scope = await locate(alert, dump);
    expect(scope).toMatchObject({ namespace: "default", service: "svc-test" });
    expect(scope.choice?.how).toBe("named");
  });

  it("a Service the text talks about, whose selector matches no pod, is chosen by its state (kubernetes/kubernetes#47711)", async () => {
    const { alert, dump } = textCase("service-selector-mismatch-gh-k8s-47711");
    const scope = await locate(alert, dump);
    expect(scope).toMatchObject({ namespace: "default", service: "nginx-ing-svc" });
  });

  it("KubeJobFailed's job_name is the Job, and needs no inventory (rustyrazorblade/easy-db-lab#733)", () => {
    const alert = makeAlert({ labels: { alertname: "KubeJobFailed", namespace: "default", job_name: "cassandra-stress", job: "kube-state-metrics" }, at: Date.parse("2026-07-08T11:58:00Z") });
    const scope = scopeFromAlert({ ...alert, entities: { ...alert.entities, kubeJob: "cassandra-stress" } });
    expect(scope.workload).toEqual({ kind: "Job", name: "cassandra-stress" });
    expect(scope.loose).toBeUndefined();
    expect(needsInventory(scope)).toBe(false);
  });

  it("a control-plane alert is examined in kube-system (prometheus-operator/prometheus-operator#2437)", async () => {
    const alert = makeAlert({ labels: { alertname: "KubeSchedulerDown", severity: "critical" }, at: Date.parse("2019-02-26T12:00:00Z") });
    const scope = await locate(alert, join(REAL, "healthy-kube-scheduler-down-eks-gh-prometheus-operator-2437", "cluster-dump"));
    expect(scope).toMatchObject({ namespace: "kube-system", controlPlane: "kube-scheduler" });
  });

  it("a container label alone, or a claim label alone, finds the workload behind it", async () => {
    const container = makeAlert({ labels: { alertname: "CPUThrottlingHigh", container: "sleeper" }, at: Date.parse("2024-12-16T09:00:00Z") });
    const byContainer = await locate(container, join(REAL, "cpu-throttling-20m-limit-sleeper-gh-pinniped-2161", "cluster-dump"));
    expect(byContainer).toMatchObject({ namespace: "pinniped-concierge", container: "sleeper" });
    expect(targetsOf(byContainer)).toEqual(["Deployment pinniped-concierge/pinniped-concierge-kube-cert-agent"]);
    const claim = makeAlert({ labels: { alertname: "KubePersistentVolumeFillingUp", persistentvolumeclaim: "data-waypoint-runner-0" }, at: Date.parse("2023-01-13T12:00:00Z") });
    const byClaim = await locate(claim, join(REAL, "pvc-ebs-csi-driver-missing-gh-waypoint-4401", "cluster-dump"));
    expect(targetsOf(byClaim)).toEqual(["PersistentVolumeClaim default/data-waypoint-runner-0"]);
    const view = await Effect.runPromise(readInventory(makeDumpClusterSource(join(REAL, "pvc-ebs-csi-driver-missing-gh-waypoint-4401", "cluster-dump")), false));
    expect(resolveSubjects(view, byClaim, 0).subjects.map((x) => x.label)).toEqual(["default/waypoint-runner"]);
  });

  it("a scrape target's instance is the node with that name or address", async () => {
    const alert = makeAlert({ labels: { alertname: "NodeFilesystemSpaceFillingUp", instance: "ip-192-168-101-17:9100" }, at: Date.parse("2019-02-26T12:00:00Z") });
    const scope = await locate(alert, join(REAL, "healthy-kube-scheduler-down-eks-gh-prometheus-operator-2437", "cluster-dump"));
    expect(scope.node).toBe("ip-192-168-101-17.us-west-2.compute.internal");
  });

  it("an alert about something outside the cluster is not pinned on the cluster's unhealthy pods", async () => {
    const alert = makeAlert({ labels: { alertname: "MySQLDown", instance: "10.9.9.9:9104" }, at: Date.parse("2022-06-09T09:57:00Z") });
    const scope = await locate(alert, join(REAL, "crashloop-python-modulenotfound-cv2-gh-kubeedge-sedna-320", "cluster-dump"));
    expect(scope.targets ?? []).toEqual([]);
    expect(scope.choice?.content).toMatch(/no node or pod has the address of 10\.9\.9\.9:9104/);
  });

  it("words other systems share (service, restarts) look names up but never pin the alert on unrelated pods", async () => {
    const at = Date.parse("2022-06-09T09:57:00Z");
    const alert = parseChatAlert({ source: "cli", text: "the payment service restarts every hour", timestamp: at, channelId: "test", messageId: "1", now: at });
    const scope = await locate(alert, join(REAL, "crashloop-python-modulenotfound-cv2-gh-kubeedge-sedna-320", "cluster-dump"));
    expect(scope.targets ?? []).toEqual([]);
    expect(scope.choice?.content).toBe("Nothing the alert names is in the cluster");
  });

  it("on the gate corpus' real alert texts, every object chosen is one the cluster holds, and chatter-like words never triage", () => {
    const corpus = readFileSync(fileURLToPath(new URL("../../../../core/src/classify/fixtures/corpus.jsonl", import.meta.url)), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { text: string; label: string });
    const empty = new ClusterViewBuilder("empty").build();
    for (const { text } of corpus) {
      const scope = scopeFromAlert(parseChatAlert({ source: "cli", text, timestamp: 0, channelId: "c", messageId: "m" }));
      const chosen = chooseScope(empty, scope, 0);
      expect(chosen.targets ?? [], text).toEqual([]);
      expect(chosen.loose ?? [], text).toEqual([]);
      if (scope.aboutKubernetes !== "clearly") expect(chosen.choice?.how, text).not.toBe("triage");
    }
  });

  it("pods in a namespace the question names: that namespace's unhealthy objects, not the cluster's", async () => {
    const at = Date.parse("2022-06-09T09:57:00Z");
    const alert = parseChatAlert({ source: "cli", text: "the pods in namespace sedna keep restarting", timestamp: at, channelId: "test", messageId: "1", now: at });
    const scope = await locate(alert, join(REAL, "crashloop-python-modulenotfound-cv2-gh-kubeedge-sedna-320", "cluster-dump"));
    expect(scope).toMatchObject({ namespace: "sedna", choice: { how: "named" } });
    expect(targetsOf(scope)).toEqual(["Deployment sedna/kb"]);
    const elsewhere = parseChatAlert({ source: "cli", text: "the pods in namespace payments keep restarting", timestamp: at, channelId: "test", messageId: "1", now: at });
    expect((await locate(elsewhere, join(REAL, "crashloop-python-modulenotfound-cv2-gh-kubeedge-sedna-320", "cluster-dump"))).choice?.content).toMatch(/^The alert's text mentions namespace payments, but the cluster has no such object; ignored\. The alert names no object the cluster has; triaged/);
  });

  it("with nothing named, the cluster is triaged: its unhealthy objects, worst first", async () => {
    const at = Date.parse("2022-06-09T09:57:00Z");
    const alert = parseChatAlert({ source: "cli", text: "pods keep restarting since this morning, can someone look?", timestamp: at, channelId: "test", messageId: "1", now: at });
    const scope = await locate(alert, join(REAL, "crashloop-python-modulenotfound-cv2-gh-kubeedge-sedna-320", "cluster-dump"));
    expect(scope.choice?.how).toBe("triage");
    expect(targetsOf(scope)).toEqual(["Deployment sedna/kb"]);
    expect(scope.choice?.content).toMatch(/Deployment sedna\/kb \(crash-looping\)/);
  });
});
