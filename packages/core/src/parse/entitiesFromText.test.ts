import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Entities } from "../model/AlertContext.js";
import { alertmanagerSlackTextArb, alertTextArb, nodeNameArb, podNameArb } from "../testing/alertArbitraries.js";
import { entitiesFromText } from "./entitiesFromText.js";
import { isDeploymentPodName, isNodeName, workloadFromPodName } from "./k8sNames.js";
import { normalizeChatText } from "./normalizeChatText.js";

const fromChat = (raw: string): Entities => entitiesFromText(normalizeChatText(raw));
const corpus = readFileSync(new URL("../classify/fixtures/corpus.jsonl", import.meta.url), "utf8");

describe("entitiesFromText", () => {
  it.each<[string, Entities]>([
    [
      "[FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)",
      { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", severity: "critical", deployment: "api" }
    ],
    [
      "[FIRING:3] HighErrorRate checkout\n*Alert:* HighErrorRate - `critical`\n • *alertname:* `HighErrorRate`\n • *service:* `checkout-svc`",
      { alertname: "HighErrorRate", service: "checkout-svc", severity: "critical" }
    ],
    ['*[FIRING:1] TargetDown* — 2/6 targets in job "node-exporter" are down\nCluster: prod-us-east-1 | Severity: warning', { alertname: "TargetDown", job: "node-exporter", cluster: "prod-us-east-1", severity: "warning" }],
    ["pod=api-7d9f8b6c5-x2x9z ns=payments container=api", { pod: "api-7d9f8b6c5-x2x9z", namespace: "payments", container: "api", deployment: "api" }],
    ['up{instance="host-1.prod:9100", job="node-exporter"} == 0', { instance: "host-1.prod:9100", job: "node-exporter" }],
    ["namespace: billing, deployment/billing-worker is failing", { namespace: "billing", deployment: "billing-worker" }],
    ["statefulset/orders-db lost quorum in cluster prod-eu-1", { statefulset: "orders-db", cluster: "prod-eu-1" }],
    ["Deployment `search/indexer` has not matched the expected number of replicas", { namespace: "search", deployment: "indexer" }],
    ["Node ip-10-0-33-12.eu-west-1.compute.internal status is now: NodeNotReady", { node: "ip-10-0-33-12.eu-west-1.compute.internal" }],
    ["disk filling on ip-10-2-14-77.ec2.internal", { node: "ip-10-2-14-77.ec2.internal" }],
    ["Warning FailedMount pod/kafka-2 MountVolume.SetUp failed", { pod: "kafka-2", statefulset: "kafka", severity: "warning" }],
    ["ImagePullBackOff on deploy/billing-worker (ns billing)", { deployment: "billing-worker", namespace: "billing" }],
    ["[Triggered on {host:web-prod-14}] CPU load is high", { node: "web-prod-14" }],
    ["errors from arn:aws:eks:us-east-1:123456789012:cluster/prod-main", { cluster: "prod-main" }],
    ["[FIRING:1] InstanceDown (node-7.prod:9100 node critical)", { alertname: "InstanceDown", instance: "node-7.prod:9100", severity: "critical" }],
    ["Opsgenie: [P2] Disk usage above 90% on kafka-broker-2", { severity: "p2" }],
    ["sev-1: checkout is down", { severity: "sev-1" }],
    ["Labels:\n - alertname = API p99 latency\n - namespace = auth\n - pod = auth-5f8d7c9b4-wq7zt", { alertname: "API p99 latency", namespace: "auth", pod: "auth-5f8d7c9b4-wq7zt", deployment: "auth" }],
    ["connect ECONNREFUSED 10.0.4.17:8443", { instance: "10.0.4.17:8443" }],
    // kubernetes-mixin's KubeJobFailed description: "Job {{ $labels.namespace }}/{{ $labels.job_name }} failed to complete."
    [
      "Job keptn/job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1 failed to complete. Removing failed job after investigation should clear this alert.",
      { namespace: "keptn", kubeJob: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1" }
    ],
    ["at 09:14:33 UTC the backup job batch/db-backup-28374990 failed", { namespace: "batch", kubeJob: "db-backup-28374990" }],
    // kubectl's `kind/name` is never a namespace: the gate corpus' NodeHasDiskPressure event.
    ["Warning NodeHasDiskPressure node/ip-10-0-7-201 Node ip-10-0-7-201 status is now: NodeHasDiskPressure", { node: "ip-10-0-7-201", severity: "warning" }],
    // The kubelet's `<pod>_<namespace>(<uid>)`: kubernetes/kubernetes#23672, kubernetes/kubernetes#54760, vmware-tanzu/kubeapps#933.
    [
      'Warning FailedSync Error syncing pod, skipping: failed to "StartContainer" for "c-taf-com-tlinux" with CrashLoopBackOff: "Back-off 20s restarting failed container=c-taf-com-tlinux pod=taf-com-tlinux_default(bdfa8741-f70a-11e5-bf51-00269e2bd23c)"',
      { container: "c-taf-com-tlinux", pod: "taf-com-tlinux", namespace: "default", severity: "warning" }
    ],
    [
      'E1029 13:16:48.471488    4919 pod_workers.go:182] Error syncing pod cc89ef7c-bc47-11e7-85ce-901b0edee6b6 ("alpine-368057524-bgt0m_default(cc89ef7c-bc47-11e7-85ce-901b0edee6b6)"), skipping: failed to "StartContainer" for "alpine" with CrashLoopBackOff',
      { pod: "alpine-368057524-bgt0m", namespace: "default" }
    ],
    [
      'Error syncing pod 8342124b-1bf2-11e9-a9ee-f8bc124413fc ("apprepo-sync-stable-1547906400-k8xb7_kubeapps(8342124b-1bf2-11e9-a9ee-f8bc124413fc)"), skipping: failed to "StartContainer" for "sync" with CrashLoopBackOff: "Back-off 2m40s restarting failed container=sync pod=apprepo-sync-stable-1547906400-k8xb7_kubeapps(8342124b-1bf2-11e9-a9ee-f8bc124413fc)"',
      { container: "sync", pod: "apprepo-sync-stable-1547906400-k8xb7", namespace: "kubeapps" }
    ],
    ["pod/ledger-api-0 in ns ledger: CreateContainerConfigError", { pod: "ledger-api-0", statefulset: "ledger-api", namespace: "ledger" }],
    // Flux's health checks name objects `Kind/namespace/name` (helm-controller and kustomize-controller messages).
    [
      "Helm install failed for release podinfo/podinfo with chart podinfo@6.15.0: timeout waiting for: [Deployment/podinfo/podinfo-redis status: 'InProgress']",
      { namespace: "podinfo", deployment: "podinfo-redis" }
    ],
    ["Health check failed after 30.004470633s, timeout waiting for: [Deployment/test/backend status: 'Failed']", { namespace: "test", deployment: "backend" }],
    ["payments/Deployment/api is degraded", { namespace: "payments", deployment: "api" }],
    ["StatefulSet/kafka/kafka-broker is not ready", { namespace: "kafka", statefulset: "kafka-broker" }]
  ])("%j", (text, expected) => {
    expect(entitiesFromText(text)).toEqual(expected);
  });

  it.each([
    "the service is slow since 10:05",
    "pods stuck in Pending",
    "nodes NotReady",
    "0/14 nodes are available: 6 Insufficient memory",
    "the namespace is missing a quota",
    "see https://grafana.example.com/d/abc?namespace=payments&pod=api-7d9f8b6c5-x2x9z",
    "job!=\"node-exporter\""
  ])("names nothing it cannot back up: %j", (text) => {
    const e = entitiesFromText(text);
    expect(e.namespace).toBeUndefined();
    expect(e.pod).toBeUndefined();
    expect(e.service).toBeUndefined();
    expect(e.node).toBeUndefined();
    expect(e.job).toBeUndefined();
    expect(e.instance).toBeUndefined();
  });

  // Prose from real questions and pages, where words after a kind word or around a slash were
  // once taken for objects: "Pod didn", "Node selectors", namespace "0", "Node dns", namespace "i"
  // with deployment "o", Service "environment", Service "port", deployment "finished".
  it.each([
    // kubernetes/test-infra#26060 (a quoted scheduler message)
    "There are no nodes that your pod can schedule to - check your requests, tolerations, and node selectors (0/57 nodes are available: 18 Insufficient memory, 3 node(s) had taint {dedicated: greenhouse}, that the pod didn’t tolerate, 54 Insufficient cpu.)",
    // kube-scheduler's FailedScheduling line as `kubectl describe pod` prints it (danisla/kubefunc#10)
    "Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate.",
    // coredns/coredns#4211
    "coredns startup and throw error 'read node dns adress i/o timeout'\ncoredns ip 192.168.209.17\nnode dns:20.128.8.8\nother features: pod in cluster can normal know addresses",
    // ministryofjustice/cloud-platform#590 (the issue template's fields)
    "Service name: Offender Management Allocation Manager && Offender Manager Allocation API\nService environment: Staging\n\nImpact on the service: Rolling updates are not working",
    // projectcalico/felix#2836
    "[calico3.13.6] Ingress traffic of networkpolicy is restricted to service port, access timeout",
    // the gate corpus (chatter and a plain-words page)
    "never mind, the deploy finished and the errors are gone",
    "the deploy is hanging at 3/10 pods",
    "dial tcp 10.96.0.1:443: i/o timeout while the pods start"
  ])("invents no object from prose: %j", (text) => {
    const e = entitiesFromText(text);
    for (const key of ["namespace", "pod", "deployment", "statefulset", "daemonset", "service", "node", "kubeJob", "cronjob"] as const) expect(e[key], key).toBeUndefined();
  });

  it("takes no contraction, number or Kubernetes noun after a kind word for a name", () => {
    const kinds = ["pod", "node", "service", "deployment", "namespace", "container", "job", "statefulset"];
    const nouns = ["port", "selectors", "account", "environment", "dns", "affinity", "taints", "endpoints", "resources"];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.oneof(
          fc.constantFrom(...nouns),
          fc.stringMatching(/^[a-z]{2,8}$/).map((w) => `${w}’t`),
          fc.stringMatching(/^[a-z]{2,8}$/).map((w) => `${w}'t`),
          fc.integer({ min: 0, max: 99_999 }).map(String)
        ),
        fc.constantFrom("", "The ", "the "),
        (kind, word, lead) => {
          const e = entitiesFromText(`${lead}${kind} ${word} something happened`);
          expect(Object.keys(e).filter((k) => k !== "severity" && k !== "alertname")).toEqual([]);
        }
      )
    );
  });

  it("reads no namespace/name pair from fractions or one-letter words", () => {
    const fraction = fc.tuple(fc.nat(999), fc.nat(999)).map(([a, b]) => `${a}/${b}`);
    const letters = fc.tuple(fc.stringMatching(/^[a-z]$/), fc.stringMatching(/^[a-z]$/)).map(([a, b]) => `${a}/${b}`);
    fc.assert(
      fc.property(fc.oneof(fraction, letters), (pair) => {
        const e = entitiesFromText(`pods report ${pair} timeout while the rollout runs`);
        expect(e.namespace).toBeUndefined();
        expect(e.deployment).toBeUndefined();
      })
    );
  });

  it("every name it reads from the gate corpus is written in the message", () => {
    for (const line of corpus.split("\n").filter((l) => l.trim() !== "")) {
      const text = (JSON.parse(line) as { text: string }).text;
      const e = entitiesFromText(text);
      for (const key of ["namespace", "pod", "service", "node", "kubeJob", "cronjob", "container"] as const) {
        const v = e[key];
        if (v !== undefined) expect(text, `${key}=${v}`).toContain(v);
      }
    }
  });

  it("explicit keys win over shapes and prose", () => {
    expect(entitiesFromText("pod api-7d9f8b6c5-x2x9z restarted; pod=web-6f7b8c9d4-lq4zn").pod).toBe("web-6f7b8c9d4-lq4zn");
  });

  it("reads Slack markup once normalised", () => {
    expect(fromChat("<!here> <@U1> *namespace:* `payments` &amp; *pod:* `api-7d9f8b6c5-x2x9z`")).toMatchObject({ namespace: "payments", pod: "api-7d9f8b6c5-x2x9z" });
  });

  it("recovers the entities the Alertmanager Slack template names", () => {
    fc.assert(
      fc.property(alertmanagerSlackTextArb, (t) => {
        const e = entitiesFromText(t.text);
        expect(e.alertname).toBe(t.alertname);
        expect(e.namespace).toBe(t.namespace);
        expect(e.pod).toBe(t.pod);
        expect(e.severity).toBe(t.severity);
        expect(e.cluster).toBe(t.cluster);
      })
    );
  });

  it("finds generated pod and node names anywhere in prose", () => {
    fc.assert(
      fc.property(podNameArb(), nodeNameArb, fc.constantFrom("", "restarts of ", "look at "), (pod, node, lead) => {
        const e = entitiesFromText(`${lead}${pod} keeps dying on ${node}.`);
        expect(e.pod).toBe(pod);
        expect(e.node).toBe(node);
        expect(e.deployment).toBe(workloadFromPodName(pod)?.name);
      })
    );
  });

  it("never throws and returns only strings, on alert texts and on arbitrary Unicode", () => {
    fc.assert(
      fc.property(fc.oneof(alertTextArb, fc.string({ unit: "binary", maxLength: 2_000 })), (text) => {
        for (const v of Object.values(entitiesFromText(text))) expect(typeof v).toBe("string");
      }),
      { numRuns: 500 }
    );
  });

  it("stays fast on adversarial input", () => {
    const inputs = ["a".repeat(100_000), "pod ".repeat(50_000), "a=".repeat(50_000), "-".repeat(100_000), `${"ab-".repeat(30_000)}x`, "[FIRING:1] ".repeat(10_000)];
    for (const input of inputs) {
      const started = performance.now();
      entitiesFromText(input);
      console.log(`entitiesFromText on ${input.slice(0, 8)}… x${input.length}: ${(performance.now() - started).toFixed(1)} ms`);
    }
    expect(entitiesFromText(`${"x ".repeat(100_000)}pod=api-7d9f8b6c5-x2x9z`).pod).toBeUndefined();
  });
});

describe("k8s name shapes", () => {
  it.each(["api-7d9f8b6c5-x2x9z", "checkout-api-6b8d7f9c4-q7w2x", "worker-6c5d9-kq2lp", "etl-runner-5b7c9-mm2xq"])("%s is a Deployment pod", (n) => {
    expect(isDeploymentPodName(n)).toBe(true);
  });
  it.each(["nightly-reconcile-28374650-x2x9z", "kafka-2", "ingest-worker-batch-queue", "fluent-bit-x7k2p", "api-bcdfg-hjklm", "Api-7d9f8b6c5-x2x9z"])("%s is not", (n) => {
    expect(isDeploymentPodName(n)).toBe(false);
  });
  it.each(["ip-10-2-14-77", "ip-10-2-14-77.ec2.internal", "gke-prod-default-pool-1a2b3c4d-xyz1", "aks-nodepool1-12345678-vmss000000"])("%s is a node", (n) => {
    expect(isNodeName(n)).toBe(true);
  });
  it("guesses the workload from the pod name", () => {
    expect(workloadFromPodName("api-7d9f8b6c5-x2x9z")).toEqual({ kind: "deployment", name: "api" });
    expect(workloadFromPodName("orders-db-0")).toEqual({ kind: "statefulset", name: "orders-db" });
    expect(workloadFromPodName("standalone")).toBeUndefined();
  });
});
