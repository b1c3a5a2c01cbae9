import type { Node, PersistentVolume } from "../kube/KubeObjects.js";

type Expression = { readonly key?: string; readonly operator?: string; readonly values?: ReadonlyArray<string> };

const matches = (node: Node, e: Expression): boolean => {
  const value = node.metadata.labels?.[e.key ?? ""];
  switch (e.operator) {
    case "In":
      return value !== undefined && (e.values ?? []).includes(value);
    case "NotIn":
      return value === undefined || !(e.values ?? []).includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    default:
      return false;
  }
};

const termText = (expressions: ReadonlyArray<Expression>): string =>
  expressions.map((e) => (e.operator === "In" || e.operator === "NotIn" ? `${e.key ?? ""} ${e.operator === "In" ? "in" : "not in"} [${(e.values ?? []).join(", ")}]` : `${e.key ?? ""} ${e.operator ?? ""}`)).join(" and ");

export interface VolumeAffinityReading {
  /** `kubernetes.io/hostname in [worker-node01]` (terms joined by "or"). */
  readonly rule: string;
  /** The nodes read that satisfy it. */
  readonly fits: ReadonlyArray<Node>;
}

/**
 * A PersistentVolume's required node affinity against the nodes read: which nodes may use it. A local volume created for
 * a node another cluster had (devopsjourney1/jenkins-101#6: `kubernetes.io/hostname in [worker-node01]` on a minikube
 * cluster) fits none. Undefined when the volume sets no affinity.
 */
export const readVolumeAffinity = (pv: PersistentVolume, nodes: ReadonlyArray<Node>): VolumeAffinityReading | undefined => {
  const terms = (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).map((t) => t.matchExpressions ?? []).filter((t) => t.length > 0);
  if (terms.length === 0) return undefined;
  return {
    rule: terms.map(termText).join(" or "),
    fits: nodes.filter((n) => terms.some((t) => t.every((e) => matches(n, e))))
  };
};
