import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Entities } from "../model/AlertContext.js";
import { alertmanagerSlackTextArb, alertTextArb, nodeNameArb, podNameArb } from "../testing/alertArbitraries.js";
import { entitiesFromText } from "./entitiesFromText.js";
import { isDeploymentPodName, isNodeName, workloadFromPodName } from "./k8sNames.js";
import { normalizeChatText } from "./normalizeChatText.js";

const fromChat = (raw: string): Entities => entitiesFromText(normalizeChatText(raw));

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
    ["connect ECONNREFUSED 10.0.4.17:8443", { instance: "10.0.4.17:8443" }]
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
    "job!=\"node-exporter\"",
    "at 09:14:33 UTC the backup job batch/db-backup-28374990 failed"
  ])("names nothing it cannot back up: %j", (text) => {
    const e = entitiesFromText(text);
    expect(e.namespace).toBeUndefined();
    expect(e.pod).toBeUndefined();
    expect(e.service).toBeUndefined();
    expect(e.node).toBeUndefined();
    expect(e.job).toBeUndefined();
    expect(e.instance).toBeUndefined();
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
