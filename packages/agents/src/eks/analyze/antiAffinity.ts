import type { LabelSelector, Node, Pod } from "../kube/KubeObjects.js";
import { labelSelectorString, selectsLabels } from "../kube/selectors.js";
import type { ClusterView } from "../investigate/ClusterView.js";

interface Term {
  readonly labelSelector?: LabelSelector;
  readonly topologyKey?: string;
}

const requiredTerms = (pod: Pod): ReadonlyArray<Term> => {
  const anti = (pod.spec?.affinity as { readonly podAntiAffinity?: { readonly requiredDuringSchedulingIgnoredDuringExecution?: unknown } } | undefined)?.podAntiAffinity;
  const terms = anti?.requiredDuringSchedulingIgnoredDuringExecution;
  return Array.isArray(terms) ? (terms as ReadonlyArray<Term>).filter((t) => typeof t === "object" && t !== null) : [];
};

export interface AntiAffinityReading {
  readonly text: string;
  /** Every node read is taken by a pod the rule keeps away. */
  readonly settled: boolean;
}

/**
 * A pod's required podAntiAffinity against the pods already placed: which pods the rule keeps it away from and on which
 * nodes (neo4j/helm-charts#94: three single-replica "core" releases share one neo4j.name, the chart's required
 * anti-affinity per hostname allows one of them per node, and the cluster has one node). Undefined when the pod has no
 * required anti-affinity term.
 */
export const readAntiAffinity = (view: ClusterView, pod: Pod, nodes: ReadonlyArray<Node>): AntiAffinityReading | undefined => {
  const terms = requiredTerms(pod);
  if (terms.length === 0) return undefined;
  const placed = [...view.namespaces.values()].flatMap((o) => o.pods).filter((p) => p !== pod && p.metadata.name !== pod.metadata.name && typeof p.spec?.nodeName === "string" && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const parts: Array<string> = [];
  const blockedNodes = new Set<string>();
  for (const t of terms) {
    const key = t.topologyKey ?? "kubernetes.io/hostname";
    const holders = placed.filter((p) => t.labelSelector !== undefined && selectsLabels(t.labelSelector, p.metadata.labels));
    for (const h of holders) {
      const node = nodes.find((n) => n.metadata.name === h.spec?.nodeName);
      const domain = key === "kubernetes.io/hostname" ? h.spec?.nodeName : node?.metadata.labels?.[key];
      for (const n of nodes) if ((key === "kubernetes.io/hostname" ? n.metadata.name : n.metadata.labels?.[key]) === domain) blockedNodes.add(n.metadata.name);
    }
    const per = key === "kubernetes.io/hostname" ? "node" : `${key} domain`;
    parts.push(
      `its required podAntiAffinity allows one pod matching ${labelSelectorString(t.labelSelector)} per ${per}${holders.length > 0 ? `, and ${holders.slice(0, 3).map((h) => `${h.metadata.namespace ?? ""}/${h.metadata.name} (on ${h.spec?.nodeName ?? "?"})`).join(", ")} already ${holders.length === 1 ? "matches" : "match"}` : ""}`
    );
  }
  const settled = nodes.length > 0 && nodes.every((n) => blockedNodes.has(n.metadata.name));
  return {
    text: `${parts.join("; ")}${nodes.length > 0 ? ` — the cluster has ${nodes.length === 1 ? "a single node" : `${nodes.length} nodes`}${settled ? ", all taken" : ""}` : ""}`,
    settled
  };
};
