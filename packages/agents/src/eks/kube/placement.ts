import type { Container, Node, NodeSelectorRequirement, Pod, Taint, Toleration } from "./KubeObjects.js";
import { formatBytes, parseQuantity } from "./quantity.js";

/**
 * Where a pod may run, as the scheduler decides it from the pod's spec and the nodes: the node
 * selector and required node affinity, taints and tolerations, and the pod's resource requests.
 */

const list = <T>(value: ReadonlyArray<T> | undefined): ReadonlyArray<T> => (Array.isArray(value) ? (value as ReadonlyArray<T>).filter((v) => typeof v === "object" && v !== null) : []);

const requirementHolds = (labels: Readonly<Record<string, string>>, r: NodeSelectorRequirement): boolean => {
  const key = r.key ?? "";
  const value = labels[key];
  const values = Array.isArray(r.values) ? r.values : [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const n = Number(value);
      const bound = Number(values[0]);
      return value !== undefined && Number.isFinite(n) && Number.isFinite(bound) && (r.operator === "Gt" ? n > bound : n < bound);
    }
    default:
      return false;
  }
};

/** The required node-affinity terms of a pod (ORed; the expressions of one term are ANDed). */
export const requiredNodeTerms = (pod: Pod): ReadonlyArray<ReadonlyArray<NodeSelectorRequirement>> =>
  list(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).map((t) => list(t.matchExpressions));

/** Whether a node satisfies the pod's nodeSelector and required node affinity. */
export const nodeMatchesPod = (node: Node, pod: Pod): boolean => {
  const labels = node.metadata.labels ?? {};
  const selector = pod.spec?.nodeSelector;
  if (typeof selector === "object" && selector !== null && Object.entries(selector).some(([k, v]) => labels[k] !== v)) return false;
  const terms = requiredNodeTerms(pod);
  return terms.length === 0 || terms.some((t) => t.every((r) => requirementHolds(labels, r)));
};

/** `nodeSelector kubernetes.io/hostname=ip-10-0-0-1`, `node affinity application/clickhouse In (true)`: the pod's own placement rules. */
export const placementText = (pod: Pod): string | undefined => {
  const parts: Array<string> = [];
  const selector = pod.spec?.nodeSelector;
  if (typeof selector === "object" && selector !== null && Object.keys(selector).length > 0)
    parts.push(`nodeSelector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  const terms = requiredNodeTerms(pod).filter((t) => t.length > 0);
  if (terms.length > 0)
    parts.push(
      `node affinity ${terms
        .map((t) => t.map((r) => `${r.key ?? "?"} ${r.operator ?? "?"}${Array.isArray(r.values) && r.values.length > 0 ? ` (${r.values.join(", ")})` : ""}`).join(" and "))
        .join(" or ")}`
    );
  return parts.length === 0 ? undefined : parts.join("; ");
};

const tolerates = (t: Toleration, taint: Taint): boolean => {
  if (t.effect !== undefined && t.effect !== "" && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
};

/** The node's NoSchedule/NoExecute taints none of the pod's tolerations tolerates. */
export const untoleratedTaints = (node: Node, pod: Pod): ReadonlyArray<Taint> =>
  list(node.spec?.taints).filter((taint) => (taint.effect === "NoSchedule" || taint.effect === "NoExecute") && !list(pod.spec?.tolerations).some((t) => tolerates(t, taint)));

/** Nodes carrying a taint the scheduler named (`dedicated=gpu`, `node.kubernetes.io/disk-pressure`): by key, and by value when it gave one. */
export const nodesWithTaint = (nodes: ReadonlyArray<Node>, named: string): ReadonlyArray<Node> => {
  const [key, value] = named.split("=", 2);
  return nodes.filter((n) => list(n.spec?.taints).some((t) => t.key === key && (value === undefined || (t.value ?? "") === value)));
};

/** A cordoned node: `spec.unschedulable`, or the taint the node controller mirrors it to. */
export const isCordoned = (node: Node): boolean => node.spec?.unschedulable === true || list(node.spec?.taints).some((t) => t.key === "node.kubernetes.io/unschedulable");

/** `key=value:Effect`, as `kubectl describe node` prints a taint. */
export const taintText = (t: Taint): string => `${t.key ?? ""}${t.value !== undefined && t.value !== "" ? `=${t.value}` : ""}${t.effect !== undefined ? `:${t.effect}` : ""}`;

/** A container's request as the API server defaults it: a limit without a request is the request too. */
const requestOf = (c: Container, resource: string): string | undefined => c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];

const sumOf = (containers: ReadonlyArray<Container>, resource: string): number | undefined => {
  const values = containers.map((c) => parseQuantity(requestOf(c, resource))).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : values.reduce((s, v) => s + v, 0);
};

/** A pod's request of a resource as the scheduler counts it: the containers' sum, or the largest init container's if larger. */
export const podRequest = (pod: Pod, resource: string): number | undefined => {
  const main = sumOf(list(pod.spec?.containers), resource);
  const init = list(pod.spec?.initContainers)
    .map((c) => parseQuantity(requestOf(c, resource)))
    .filter((v): v is number => v !== undefined);
  const largestInit = init.length === 0 ? undefined : Math.max(...init);
  if (main === undefined) return largestInit;
  return largestInit === undefined ? main : Math.max(main, largestInit);
};

/** A quantity as a manifest writes it: `8`, `500m` for cpu, `32Gi` for bytes. */
export const formatQuantity = (resource: string, value: number): string => {
  if (resource === "cpu") return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  if (resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-")) return formatBytes(value);
  return String(value);
};

/** The request as written when one container makes it (`8`, `32Gi`), otherwise the total formatted. */
export const podRequestText = (pod: Pod, resource: string): string | undefined => {
  const total = podRequest(pod, resource);
  if (total === undefined) return undefined;
  const written = list(pod.spec?.containers)
    .map((c) => requestOf(c, resource))
    .filter((v): v is string => typeof v === "string");
  return written.length === 1 && parseQuantity(written[0]) === total ? written[0] : formatQuantity(resource, total);
};
