import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { NAMESPACED_KINDS, type NamespacedKind } from "../kube/KubeObjects.js";
import { tailLines } from "../kube/tailLines.js";
import type { ClusterFixture } from "./ClusterFixture.js";
import { FakeSelectorError, parseFieldSelector, parseLabelSelector } from "./fakeKubeSelectors.js";

export interface RecordedRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

export interface FakeKubeApi {
  readonly url: string;
  /** Every request received, in order, whatever its method or path. */
  readonly requests: ReadonlyArray<RecordedRequest>;
  /** A client-node configuration for this server, with the expected bearer token. */
  readonly kubeConfig: () => KubeConfig;
  readonly close: () => Promise<void>;
}

export interface FakeKubeApiOptions {
  /** Bearer token required on every request (default `fake-token`). */
  readonly token?: string;
  /** Paths answered with 403 Forbidden, as RBAC would for a missing rule. */
  readonly forbidden?: (path: string) => boolean;
  /** Delay before each answer, to exercise deadlines. */
  readonly delayMs?: number;
}

const CORE: ReadonlySet<string> = new Set(["pods", "events", "services", "endpoints", "persistentvolumeclaims", "resourcequotas"]);
const APPS: ReadonlySet<string> = new Set(["deployments", "replicasets", "statefulsets", "daemonsets"]);
/** The resources of each named API group, served under `/apis/{group}/v1`. */
const GROUPS: Readonly<Record<string, ReadonlySet<string>>> = { apps: APPS, batch: new Set(["jobs", "cronjobs"]), "networking.k8s.io": new Set(["networkpolicies"]) };
const KINDS: Readonly<Record<string, string>> = {
  nodes: "Node",
  pods: "Pod",
  events: "Event",
  services: "Service",
  endpoints: "Endpoints",
  persistentvolumeclaims: "PersistentVolumeClaim",
  resourcequotas: "ResourceQuota",
  deployments: "Deployment",
  replicasets: "ReplicaSet",
  statefulsets: "StatefulSet",
  daemonsets: "DaemonSet",
  jobs: "Job",
  cronjobs: "CronJob",
  networkpolicies: "NetworkPolicy",
  persistentvolumes: "PersistentVolume",
  storageclasses: "StorageClass"
};

/** A list's `continue` token: where the next page starts, and the query it belongs to. Opaque to clients, as the server's are. */
const continueToken = (offset: number, query: string) => Buffer.from(JSON.stringify({ offset, query })).toString("base64url");
const readContinue = (token: string, query: string): number | undefined => {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset?: unknown; query?: unknown };
    return typeof parsed.offset === "number" && Number.isInteger(parsed.offset) && parsed.offset >= 0 && parsed.query === query ? parsed.offset : undefined;
  } catch {
    return undefined;
  }
};

const status = (res: ServerResponse, code: number, reason: string, message: string) => {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
};

/**
 * A Kubernetes API server for tests: plain HTTP on 127.0.0.1 and a random port, serving the
 * fixture's objects at the real REST paths (core, apps, batch and networking lists, per namespace and cluster-wide;
 * the cluster-scoped PersistentVolumes and StorageClasses;
 * label and field selectors read by its own parser with only the fields each kind supports, `limit`
 * and `continue` paging, pod logs with `container`, `previous` and `tailLines`). It answers
 * only GET (405 otherwise, like a server that would refuse the verb) and records every request,
 * so a test can prove a client never sent anything but reads.
 */
export const startFakeKubeApi = async (fixture: ClusterFixture, options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> => {
  const token = options.token ?? "fake-token";
  const requests: Array<RecordedRequest> = [];

  const list = (res: ServerResponse, resource: string, group: string, items: ReadonlyArray<unknown>, query: URLSearchParams) => {
    let filtered: ReadonlyArray<unknown>;
    try {
      const labels = parseLabelSelector(query.get("labelSelector") ?? "");
      const fields = parseFieldSelector(resource, query.get("fieldSelector") ?? "");
      filtered = items.filter((o) => labels(((o as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {})) && fields(o));
    } catch (e) {
      if (e instanceof FakeSelectorError) return status(res, 400, "BadRequest", e.message);
      throw e;
    }
    // Pages: `limit` bounds a page; `continue` (from the previous page, same query) resumes it.
    const limitParam = query.get("limit");
    const limit = limitParam === null || limitParam === "" ? undefined : Number(limitParam);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) return status(res, 400, "BadRequest", `invalid limit "${limitParam}"`);
    const identity = `${resource}|${query.get("labelSelector") ?? ""}|${query.get("fieldSelector") ?? ""}`;
    const token = query.get("continue");
    const offset = token === null || token === "" ? 0 : readContinue(token, identity);
    if (offset === undefined) return status(res, 400, "BadRequest", "continue key is not valid: the token does not belong to this list");
    const end = limit === undefined || limit === 0 ? filtered.length : Math.min(filtered.length, offset + limit);
    const page = filtered.slice(offset, end);
    const more = end < filtered.length;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: `${KINDS[resource] ?? "Unknown"}List`,
        apiVersion: group,
        metadata: { resourceVersion: "48213377", ...(more ? { continue: continueToken(end, identity), remainingItemCount: filtered.length - end } : {}) },
        items: page.map((o) => ({ kind: KINDS[resource], apiVersion: group, ...(o as object) }))
      })
    );
  };

  const podLog = (res: ServerResponse, namespace: string, name: string, query: URLSearchParams) => {
    const pod = fixture.list("pods", namespace).find((p) => p.metadata.name === name);
    if (pod === undefined) return status(res, 404, "NotFound", `pods "${name}" not found`);
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name ?? "");
    const container = query.get("container") ?? (containers.length === 1 ? containers[0] : undefined);
    if (container === undefined) return status(res, 400, "BadRequest", `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]`);
    if (!containers.includes(container)) return status(res, 400, "BadRequest", `container ${container} is not valid for pod ${name}`);
    const log = fixture.log(namespace, name, container);
    const previous = query.get("previous") === "true";
    const text = previous ? log?.previous : log?.current;
    if (text === undefined) {
      const waitingReason = pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.waiting?.reason;
      return status(
        res,
        400,
        "BadRequest",
        previous
          ? `previous terminated container "${container}" in pod "${name}" not found`
          : waitingReason !== undefined
            ? `container "${container}" in pod "${name}" is waiting to start: ${waitingReason}`
            : `container "${container}" in pod "${name}" has no logs`
      );
    }
    const tail = query.get("tailLines");
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(tailLines(text, tail === null ? undefined : Number(tail)));
  };

  const route = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.replace(/\/+$/, "");
    requests.push({ method: req.method ?? "", path, query: Object.fromEntries(url.searchParams) });
    if (req.method !== "GET") return status(res, 405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, "Unauthorized", "Unauthorized");
    if (options.forbidden?.(path) === true) {
      const resource =
        path
          .split("/")
          .filter((p) => p !== "")
          .find((p) => CORE.has(p) || Object.values(GROUPS).some((g) => g.has(p)) || p === "nodes" || p === "persistentvolumes" || p === "storageclasses") ?? "resource";
      return status(res, 403, "Forbidden", `${resource} is forbidden: User "system:serviceaccount:sre:sre-on-call" cannot list resource "${resource}" in API group "" at the cluster scope`);
    }
    const parts = path.split("/").filter((p) => p !== "");
    const q = url.searchParams;
    // /api/v1/nodes
    if (parts.length === 3 && parts[0] === "api" && parts[1] === "v1" && parts[2] === "nodes") return list(res, "nodes", "v1", fixture.nodes, q);
    // Cluster-scoped: /api/v1/persistentvolumes, /apis/storage.k8s.io/v1/storageclasses
    if (parts.length === 3 && parts[0] === "api" && parts[1] === "v1" && parts[2] === "persistentvolumes") return list(res, "persistentvolumes", "v1", fixture.persistentVolumes, q);
    if (parts.length === 4 && parts[0] === "apis" && parts[1] === "storage.k8s.io" && parts[2] === "v1" && parts[3] === "storageclasses")
      return list(res, "storageclasses", "storage.k8s.io/v1", fixture.storageClasses ?? [], q);
    const core = parts[0] === "api" && parts[1] === "v1";
    const group = parts[0] === "apis" && parts[2] === "v1" ? parts[1] : undefined;
    const rest = core ? parts.slice(2) : group !== undefined && GROUPS[group] !== undefined ? parts.slice(3) : undefined;
    const known = core ? CORE : (GROUPS[group ?? ""] ?? new Set<string>());
    const apiVersion = core ? "v1" : `${group ?? ""}/v1`;
    if (rest !== undefined) {
      // /api/v1/{resource} or /apis/{group}/v1/{resource} (all namespaces)
      if (rest.length === 1 && known.has(rest[0] ?? "")) return list(res, rest[0] ?? "", apiVersion, fixture.list(rest[0] as NamespacedKind), q);
      // /api/v1/namespaces/{ns}/{resource}
      if (rest.length === 3 && rest[0] === "namespaces" && known.has(rest[2] ?? "") && NAMESPACED_KINDS.includes(rest[2] as NamespacedKind)) {
        return list(res, rest[2] ?? "", apiVersion, fixture.list(rest[2] as NamespacedKind, rest[1]), q);
      }
      // /api/v1/namespaces/{ns}/pods/{name}/log
      if (core && rest.length === 5 && rest[0] === "namespaces" && rest[2] === "pods" && rest[4] === "log") return podLog(res, rest[1] ?? "", rest[3] ?? "", q);
    }
    return status(res, 404, "NotFound", `the server could not find the requested resource (get ${path})`);
  };

  const server = createServer((req, res) => {
    const answer = () => {
      try {
        route(req, res);
      } catch (e) {
        status(res, 500, "InternalError", e instanceof Error ? e.message : String(e));
      }
    };
    // Drain any body so the connection can be reused.
    req.resume();
    if (options.delayMs !== undefined) setTimeout(answer, options.delayMs);
    else answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    kubeConfig: () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "fake", server: url, skipTLSVerify: true }],
        users: [{ name: "fake", token }],
        contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
        currentContext: "fake"
      });
      return kc;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
};
