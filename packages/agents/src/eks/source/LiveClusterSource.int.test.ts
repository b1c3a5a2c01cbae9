import { readFile } from "node:fs/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { AgentFailure } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { makeEksSpecialist } from "../EksSpecialist.js";
import type { Event, PersistentVolumeClaim, Pod } from "../kube/KubeObjects.js";
import { ClusterFixture } from "../testing/ClusterFixture.js";
import { type FakeKubeApi, startFakeKubeApi } from "../testing/FakeKubeApi.js";
import { makeNode } from "../testing/kubeBuilders.js";
import { makeAlert } from "../testing/makeAlert.js";
import { PAYMENTS_ALERT_TIME, paymentsOutageAlert, paymentsOutageFixture } from "../testing/paymentsOutage.js";
import { withClusterDump } from "../testing/withClusterDump.js";
import type { ClusterSourceError } from "./ClusterSource.js";
import { makeDumpClusterSource } from "./DumpClusterSource.js";
import { makeLiveClusterSource } from "./LiveClusterSource.js";

const alert = makeAlert({ labels: paymentsOutageAlert().alerts[0]!.labels, at: PAYMENTS_ALERT_TIME });

const liveSpecialist = (api: FakeKubeApi) => makeEksSpecialist(makeLiveClusterSource({ kubeConfig: api.kubeConfig(), requestTimeoutMs: 5_000 }));

interface Rule {
  readonly apiGroups: ReadonlyArray<string>;
  readonly resources: ReadonlyArray<string>;
  readonly verbs: ReadonlyArray<string>;
}

/** The ClusterRole documented in RBAC.md, read from the file itself. */
const documentedRules = async (): Promise<ReadonlyArray<Rule>> => {
  const markdown = await readFile(new URL("../RBAC.md", import.meta.url), "utf8");
  const block = /```yaml\n([\s\S]*?)```/.exec(markdown)?.[1] ?? "";
  const role = parseAllDocuments(block)
    .map((d) => d.toJSON() as { kind?: string; rules?: ReadonlyArray<Rule> })
    .find((d) => d.kind === "ClusterRole");
  return role?.rules ?? [];
};

/** What RBAC sees in a request: API group, resource (with subresource) and verb. */
const authorizationOf = (method: string, path: string): { group: string; resource: string; verb: string } | undefined => {
  const m = /^\/(?:api\/v1|apis\/([a-z0-9.]+)\/v1)(?:\/namespaces\/[^/]+)?\/([a-z]+)(?:\/([^/]+)(?:\/([a-z]+))?)?$/.exec(path);
  if (m === null || method !== "GET") return undefined;
  const group = m[1] ?? "";
  const resource = m[4] !== undefined ? `${m[2] ?? ""}/${m[4]}` : (m[2] ?? "");
  return { group, resource, verb: m[3] !== undefined ? "get" : "list" };
};

describe("live source against the fake API server", () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeKubeApi(paymentsOutageFixture());
  });
  afterAll(async () => {
    await api.close();
  });

  for (const c of specialistContract({ make: async () => ({ specialist: liveSpecialist(api), alert }) })) it(c.name, c.run);

  it("finds the same findings and hypotheses as the dump of the same objects", async () => {
    const live = await Effect.runPromise(liveSpecialist(api).investigate(alert, { deadline: Date.now() + 30_000 }));
    const dump = await withClusterDump(paymentsOutageFixture(), (dir) =>
      Effect.runPromise(makeEksSpecialist(makeDumpClusterSource(dir)).investigate(alert, { deadline: Date.now() + 30_000 }))
    );
    expect(live.status).toBe("success");
    expect(live.findings.map((f) => f.content)).toEqual(dump.findings.map((f) => f.content));
    expect(live.hypotheses).toEqual(dump.hypotheses);
    expect(live.hypotheses[0]?.title).toContain("payments/payments-db's volume data-payments-db-0 (20Gi) is full");
  });

  it("reads previous logs with previous=true and only GETs what the documented ClusterRole allows", async () => {
    const fresh = await startFakeKubeApi(paymentsOutageFixture());
    try {
      const specialist = liveSpecialist(fresh);
      await Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 30_000 }));
      await Effect.runPromise(specialist.investigate(makeAlert({ labels: { alertname: "KubeNodeNotReady", node: "ip-10-0-3-77.eu-west-1.compute.internal" }, at: PAYMENTS_ALERT_TIME }), { deadline: Date.now() + 30_000 }));
      await Effect.runPromise(specialist.snapshot({ deadline: Date.now() + 30_000 }));
      const rules = await documentedRules();
      expect(rules.length).toBe(6);
      expect(fresh.requests.length).toBeGreaterThan(20);
      for (const r of fresh.requests) {
        expect(r.method, `${r.method} ${r.path}`).toBe("GET");
        const auth = authorizationOf(r.method, r.path);
        expect(auth, `${r.path} is a resource path`).toBeDefined();
        const allowed = rules.some((rule) => rule.apiGroups.includes(auth!.group) && rule.resources.includes(auth!.resource) && rule.verbs.includes(auth!.verb));
        expect(allowed, `${auth!.verb} ${auth!.group}/${auth!.resource} is granted by RBAC.md`).toBe(true);
        expect(r.query["watch"]).toBeUndefined();
      }
      const logs = fresh.requests.filter((r) => r.path.endsWith("/log"));
      expect(logs.some((r) => r.path === "/api/v1/namespaces/payments/pods/payments-db-0/log" && r.query["previous"] === "true" && r.query["container"] === "postgres")).toBe(true);
      expect(fresh.requests.some((r) => r.path === "/api/v1/pods" && r.query["fieldSelector"] === "spec.nodeName=ip-10-0-3-77.eu-west-1.compute.internal")).toBe(true);
      for (const path of ["/apis/batch/v1/namespaces/payments/jobs", "/apis/batch/v1/namespaces/payments/cronjobs", "/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies"])
        expect(fresh.requests.some((r) => r.path === path), path).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it("an unbound claim: reads the cluster's PersistentVolumes and StorageClasses (granted by RBAC.md) and names the class that does not exist, as the dump with storageclasses.json does", async () => {
    const T = Date.parse("2024-05-01T12:00:00Z");
    const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    const pod: Pod = {
      metadata: { name: "op-scim-bridge-7bd959c5b4-bfksc", namespace: "op-scim", uid: "uid-pod", creationTimestamp: at(T - 20 * 60_000) },
      spec: { containers: [{ name: "app", image: "1password/scim:v2.9" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "op-scim-bridge-pvc" } }] },
      status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }
    };
    const claim: PersistentVolumeClaim = {
      metadata: { name: "op-scim-bridge-pvc", namespace: "op-scim", uid: "uid-pvc", creationTimestamp: at(T - 20 * 60_000) },
      spec: { storageClassName: "do-block-storage", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      status: { phase: "Pending" }
    };
    const scheduling: Event = {
      metadata: { name: "op-scim-bridge.1", namespace: "op-scim", uid: "uid-ev" },
      involvedObject: { kind: "Pod", name: pod.metadata.name, namespace: "op-scim" },
      reason: "FailedScheduling",
      message: "0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.",
      type: "Warning",
      count: 5,
      firstTimestamp: at(T - 19 * 60_000),
      lastTimestamp: at(T - 60_000)
    };
    const fixture = (withClasses: boolean) => {
      const f = new ClusterFixture().addNodes(makeNode("node-1", T - 86_400_000)).add("pods", pod).add("persistentvolumeclaims", claim).add("events", scheduling);
      return withClasses ? f.addStorageClasses({ metadata: { name: "gp2", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, provisioner: "kubernetes.io/aws-ebs" }) : f;
    };
    const scimAlert = makeAlert({ labels: { alertname: "KubePodNotReady", namespace: "op-scim", pod: pod.metadata.name }, at: T });
    const server = await startFakeKubeApi(fixture(true));
    try {
      const live = await Effect.runPromise(liveSpecialist(server).investigate(scimAlert, { deadline: Date.now() + 30_000 }));
      const dump = await withClusterDump(fixture(true), (dir) => Effect.runPromise(makeEksSpecialist(makeDumpClusterSource(dir)).investigate(scimAlert, { deadline: Date.now() + 30_000 })));
      expect(live.hypotheses[0]?.title).toContain("op-scim-bridge-pvc asks for storage class do-block-storage, which does not exist in this cluster (it has gp2 (default))");
      expect(live.hypotheses[0]?.confidence).toBe("high");
      expect(live.hypotheses).toEqual(dump.hypotheses);
      expect(server.requests.some((r) => r.path === "/api/v1/persistentvolumes")).toBe(true);
      expect(server.requests.some((r) => r.path === "/apis/storage.k8s.io/v1/storageclasses")).toBe(true);
      const rules = await documentedRules();
      for (const r of server.requests) {
        const auth = authorizationOf(r.method, r.path);
        expect(auth !== undefined && rules.some((rule) => rule.apiGroups.includes(auth.group) && rule.resources.includes(auth.resource) && rule.verbs.includes(auth.verb)), `${r.path} is granted by RBAC.md`).toBe(true);
      }
    } finally {
      await server.close();
    }
    // A dump without storageclasses.json has not read them: the class is a fact to check, not a cause.
    const unread = await withClusterDump(fixture(false), (dir) => Effect.runPromise(makeEksSpecialist(makeDumpClusterSource(dir)).investigate(scimAlert, { deadline: Date.now() + 30_000 })));
    expect(unread.hypotheses[0]?.title).toContain("StorageClasses were not read");
    expect(unread.hypotheses.some((h) => h.confidence === "high")).toBe(false);
  });

  it("never sends a name that is not a Kubernetes name to the API server: `..` would climb the URL path", async () => {
    const fresh = await startFakeKubeApi(paymentsOutageFixture());
    try {
      const source = makeLiveClusterSource({ kubeConfig: fresh.kubeConfig(), requestTimeoutMs: 5_000 });
      const refused = async <A>(effect: Effect.Effect<A, ClusterSourceError>) => {
        const exit = await Effect.runPromiseExit(effect);
        const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined;
        expect(reason?._tag === "Fail" ? reason.error.reason : "succeeded").toBe("not-found");
        return reason?._tag === "Fail" ? reason.error.detail : "";
      };
      expect(await refused(source.list("pods", ".."))).toContain("is not a valid Kubernetes namespace name");
      await refused(source.list("deployments", "payments/../kube-system"));
      expect(await refused(source.podLogs({ namespace: "payments", pod: "..", container: ".." }))).toContain("is not a valid Kubernetes pod name");
      await refused(source.podLogs({ namespace: "payments", pod: "payments-db-0", container: "postgres\u0000", previous: true }));
      expect(fresh.requests).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("a forbidden list becomes a reported gap, not a failure", async () => {
    const restricted = await startFakeKubeApi(paymentsOutageFixture(), { forbidden: (path) => path === "/api/v1/namespaces/payments/events" });
    try {
      const result = await Effect.runPromise(liveSpecialist(restricted).investigate(alert, { deadline: Date.now() + 30_000 }));
      expect(result.status).toBe("success");
      const gap = result.findings.find((f) => f.content.startsWith("Not read: events in payments"));
      expect(gap?.content).toContain("forbidden: HTTP 403");
      expect(result.hypotheses[0]?.title).toContain("is full (No space left on device)");
    } finally {
      await restricted.close();
    }
  });

  it("refused credentials and an unreachable server are typed failures that do not leak the token", async () => {
    const failureOf = async (kubeConfig: KubeConfig) => {
      const exit = await Effect.runPromiseExit(makeEksSpecialist(makeLiveClusterSource({ kubeConfig, requestTimeoutMs: 2_000 })).investigate(alert, { deadline: Date.now() + 10_000 }));
      expect(Exit.isFailure(exit)).toBe(true);
      const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined;
      const error = reason?._tag === "Fail" ? reason.error : undefined;
      expect(error).toBeInstanceOf(AgentFailure);
      return error as AgentFailure;
    };
    const config = (server: string, token: string) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "c", server, skipTLSVerify: true }],
        users: [{ name: "u", token }],
        contexts: [{ name: "x", cluster: "c", user: "u" }],
        currentContext: "x"
      });
      return kc;
    };
    const unauthorized = await failureOf(config(api.url, "s3cr3t-wrong-token"));
    expect(unauthorized.kind).toBe("unavailable");
    expect(unauthorized.reason).toContain("unauthorized: HTTP 401");
    expect(unauthorized.reason).not.toContain("s3cr3t");

    const closed = await startFakeKubeApi(paymentsOutageFixture());
    await closed.close();
    const down = await failureOf(config(closed.url, "fake-token"));
    expect(down.kind).toBe("unavailable");
    expect(down.reason).toMatch(/^list nodes: unreachable/);
  });

  it("returns partial results when the API is slower than the deadline", async () => {
    const slow = await startFakeKubeApi(paymentsOutageFixture(), { delayMs: 150 });
    try {
      const started = Date.now();
      const result = await Effect.runPromise(liveSpecialist(slow).investigate(alert, { deadline: started + 600 }));
      expect(result.status).toBe("timeout");
      expect(result.summary).toMatch(/^Partial/);
      expect(result.findings.some((f) => f.content.startsWith("Not read:"))).toBe(true);
    } finally {
      await slow.close();
    }
  });
});
