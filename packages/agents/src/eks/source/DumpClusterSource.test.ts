import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Exit } from "effect";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ClusterSourceError } from "./ClusterSource.js";
import { makeDumpClusterSource } from "./DumpClusterSource.js";
import { paymentsOutageFixture } from "../testing/paymentsOutage.js";
import { withClusterDump } from "../testing/withClusterDump.js";

const run = Effect.runPromise;

const failure = async <A>(effect: Effect.Effect<A, ClusterSourceError>): Promise<ClusterSourceError> => {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure");
  return reason.error;
};

const withDir = async (body: (dir: string) => Promise<void>) => {
  const dir = await mkdtemp(join(tmpdir(), "dump-src-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

describe("cluster dump source", () => {
  it("reads kubectl's layout: nodes, namespaced lists, selectors, per-container logs and previous logs", () =>
    withClusterDump(paymentsOutageFixture(), async (dir) => {
      const source = makeDumpClusterSource(dir);
      expect((await run(source.listNodes())).map((n) => n.metadata.name)).toHaveLength(3);
      const pods = await run(source.list("pods", "payments"));
      expect(pods.map((p) => p.metadata.name)).toContain("payments-db-0");
      expect((await run(source.list("pods", undefined, { labelSelector: "k8s-app=kube-dns" }))).map((p) => p.metadata.namespace)).toEqual(["kube-system", "kube-system"]);
      expect(await run(source.list("pods", undefined, { fieldSelector: "metadata.name=payments-db-0" }))).toHaveLength(1);
      expect(await run(source.list("events", undefined, { fieldSelector: "involvedObject.kind=Node,reason!=EvictionThresholdMet" }))).toHaveLength(1);
      expect(await run(source.list("statefulsets", "checkout"))).toEqual([]);
      const previous = await run(source.podLogs({ namespace: "payments", pod: "payments-db-0", container: "postgres", previous: true, tailLines: 3 }));
      expect(previous?.split("\n").filter((l) => l !== "")).toHaveLength(3);
      expect(previous).toContain("database system is shut down");
      const current = await run(source.podLogs({ namespace: "payments", pod: "payments-db-0", container: "postgres" }));
      expect(current).toContain("starting PostgreSQL 15.6");
      expect(current).not.toContain("==== START");
      const web = pods.find((p) => p.metadata.name.startsWith("api-"))!;
      expect(await run(source.podLogs({ namespace: "payments", pod: web.metadata.name, container: "nope" }))).toBeUndefined();
      expect(await run(source.podLogs({ namespace: "payments", pod: "gone", container: "api" }))).toBeUndefined();
      expect((await failure(source.list("pods", undefined, { labelSelector: "a in (b" }))).reason).toBe("invalid");
    }));

  it("reads jobs.json, cronjobs.json and networkpolicies.json when a namespace has them; kubectl's own dump has none", () =>
    withDir(async (dir) => {
      await mkdir(join(dir, "argocd"), { recursive: true });
      await writeFile(join(dir, "argocd", "pods.json"), JSON.stringify({ kind: "PodList", apiVersion: "v1", items: [] }));
      await writeFile(
        join(dir, "argocd", "networkpolicies.json"),
        JSON.stringify({ kind: "NetworkPolicyList", apiVersion: "v1", items: [{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "agent-allow-redis-egress", namespace: "argocd" }, spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "argocd-agent-agent" } }, policyTypes: ["Egress"] } }] })
      );
      await writeFile(join(dir, "argocd", "cronjobs.yaml"), stringify({ kind: "CronJobList", apiVersion: "batch/v1", items: [{ metadata: { name: "ip-reconciler", namespace: "argocd" }, spec: { schedule: "*/5 * * * *" } }] }));
      const source = makeDumpClusterSource(dir);
      expect((await run(source.list("networkpolicies", "argocd"))).map((p) => p.spec?.policyTypes)).toEqual([["Egress"]]);
      expect((await run(source.list("cronjobs", undefined))).map((c) => c.metadata.name)).toEqual(["ip-reconciler"]);
      expect(await run(source.list("jobs", "argocd"))).toEqual([]);
    }));

  it("tolerates missing files, reads a logs.txt without markers and a YAML dump", () =>
    withDir(async (dir) => {
      await mkdir(join(dir, "shop", "web-1"), { recursive: true });
      await writeFile(join(dir, "shop", "pods.yaml"), stringify({ kind: "PodList", apiVersion: "v1", items: [{ metadata: { name: "web-1", namespace: "shop" } }, { notAnObject: true }] }));
      await writeFile(join(dir, "shop", "web-1", "logs.txt"), "plain kubectl logs output\n");
      const source = makeDumpClusterSource(dir);
      expect(await run(source.listNodes())).toEqual([]);
      expect((await run(source.list("pods", "shop"))).map((p) => p.metadata.name)).toEqual(["web-1"]);
      expect(await run(source.list("deployments", "shop"))).toEqual([]);
      expect(await run(source.podLogs({ namespace: "shop", pod: "web-1", container: "web" }))).toBe("plain kubectl logs output\n");
    }));

  it("refuses names that would leave the dump (../, absolute, NUL, encoded separators): not found, with the rule", () =>
    withDir(async (root) => {
      const dump = join(root, "dump");
      const outside = join(root, "outside");
      await mkdir(join(dump, "shop", "web-1"), { recursive: true });
      await mkdir(join(outside, "secret-0"), { recursive: true });
      await writeFile(join(dump, "shop", "pods.json"), JSON.stringify({ items: [{ metadata: { name: "web-1", namespace: "shop" } }] }));
      await writeFile(join(dump, "shop", "web-1", "logs.txt"), "web log\n");
      await writeFile(join(outside, "pods.json"), JSON.stringify({ items: [{ metadata: { name: "secret-0", namespace: "outside" } }] }));
      await writeFile(join(outside, "secret-0", "logs.txt"), "SECRET LOG\n");
      await writeFile(join(dump, "logs-x-previous.txt"), "SECRET PREVIOUS\n");
      const source = makeDumpClusterSource(dump);
      for (const namespace of ["../outside", "..", ".", outside, "/etc", "shop/../../outside", "shop\u0000", "..%2Foutside", "%2e%2e", "..\\outside", "Shop", ""]) {
        const e = await failure(source.list("pods", namespace));
        expect(e.reason, namespace).toBe("not-found");
        expect(e.detail).toContain("is not a valid Kubernetes namespace name");
      }
      const logs = [
        { namespace: "..", pod: "outside/secret-0", container: "c" },
        { namespace: "shop", pod: "../../outside/secret-0", container: "c" },
        { namespace: "shop", pod: "web-1", container: "../../../x" },
        { namespace: "shop", pod: "..", container: "x", previous: true },
        { namespace: "shop", pod: "web-1\u0000", container: "c" }
      ];
      for (const request of logs) expect((await failure(source.podLogs(request))).reason).toBe("not-found");
      expect((await failure(source.podLogs({ namespace: "shop", pod: "..", container: "x", previous: true }))).detail).toContain("is not a valid Kubernetes pod name");
      // Valid names still read.
      expect(await run(source.podLogs({ namespace: "shop", pod: "web-1", container: "web" }))).toBe("web log\n");
    }));

  it("refuses symbolic links that resolve outside the dump, and follows those that stay inside", () =>
    withDir(async (root) => {
      const dump = join(root, "dump");
      const outside = join(root, "outside");
      await mkdir(join(dump, "shop", "web-1"), { recursive: true });
      await mkdir(join(dump, "mirror"), { recursive: true });
      await mkdir(outside, { recursive: true });
      await writeFile(join(dump, "shop", "pods.json"), JSON.stringify({ items: [{ metadata: { name: "web-1", namespace: "shop" } }] }));
      await writeFile(join(outside, "pods.json"), JSON.stringify({ items: [{ metadata: { name: "secret-0", namespace: "outside" } }] }));
      await writeFile(join(outside, "logs.txt"), "SECRET LOG\n");
      await symlink(outside, join(dump, "linked"));
      await mkdir(join(dump, "loose"));
      await symlink(join(outside, "pods.json"), join(dump, "loose", "pods.json"));
      await symlink(join(outside, "logs.txt"), join(dump, "shop", "web-1", "logs.txt"));
      await symlink(join(dump, "shop", "pods.json"), join(dump, "mirror", "pods.json"));
      const source = makeDumpClusterSource(dump);
      for (const namespace of ["linked", "loose"]) {
        const e = await failure(source.list("pods", namespace));
        expect(e.reason).toBe("not-found");
        expect(e.detail).toContain("outside the cluster dump");
        expect(e.detail).not.toContain("SECRET");
      }
      const log = await failure(source.podLogs({ namespace: "shop", pod: "web-1", container: "web" }));
      expect(log.reason).toBe("not-found");
      expect(log.detail).toContain("outside the cluster dump");
      expect((await run(source.list("pods", "mirror"))).map((p) => p.metadata.name)).toEqual(["web-1"]);
    }));

  it("refuses what is not a dump, with a readable error", () =>
    withDir(async (dir) => {
      await writeFile(join(dir, "notes.txt"), "x");
      const notDump = await failure(makeDumpClusterSource(dir).listNodes());
      expect(notDump.reason).toBe("invalid");
      expect(notDump.message).toContain(`${dir} is not a cluster dump`);
      expect((await failure(makeDumpClusterSource(join(dir, "missing")).listNodes())).reason).toBe("unreachable");
      expect((await failure(makeDumpClusterSource(join(dir, "notes.txt")).listNodes())).message).toContain("is not a directory");
      await writeFile(join(dir, "nodes.json"), "{ not json");
      const broken = await failure(makeDumpClusterSource(dir).listNodes());
      expect(broken.reason).toBe("invalid");
      expect(broken.detail).toMatch(/nodes\.json: not JSON/);
    }));
});
