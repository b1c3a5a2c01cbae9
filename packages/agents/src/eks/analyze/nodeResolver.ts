import type { Pod } from "../kube/KubeObjects.js";

/**
 * Pods that do not ask cluster DNS: Kubernetes gives a pod the node's /etc/resolv.conf when its
 * dnsPolicy is `Default`, and when it runs with `hostNetwork: true` under the default policy
 * `ClusterFirst` (only `ClusterFirstWithHostNet` gives a host-network pod cluster DNS). Such a pod
 * cannot resolve Service names, whatever CoreDNS and the Service look like.
 * Real cases: replicatedhq/kots#299 (hostNetwork migrations pod, `lookup kotsadm-postgres … no such
 * host` while Postgres ran), kubernetes/dns#316 (hostNetwork deployments "can't resolve services by
 * name"; answer: dnsPolicy ClusterFirstWithHostNet), docker/for-mac#2646 (hostNetwork DaemonSet,
 * `ping: bad address 'etcd'`), kubermatic/kubeone#1178 (restic backup addon with hostNetwork).
 */
export interface NodeResolver {
  readonly pods: ReadonlyArray<Pod>;
  /** How the pod spec says it, e.g. `hostNetwork: true, dnsPolicy ClusterFirst (the default)`. */
  readonly why: string;
}

export const usesNodeResolver = (pod: Pod): string | undefined => {
  const policy = pod.spec?.dnsPolicy;
  if (policy === "Default") return "dnsPolicy Default (the node's resolver)";
  if (pod.spec?.hostNetwork === true && (policy === undefined || policy === "ClusterFirst")) return `hostNetwork: true with dnsPolicy ${policy === undefined ? "ClusterFirst (the default, not set)" : "ClusterFirst"}`;
  return undefined;
};

/**
 * Whether a name is one only cluster DNS answers: a bare Service name, `<service>.<namespace>`
 * for a namespace in `namespaces`, or a name under `.svc` / `.cluster.local`.
 */
export const isClusterName = (host: string, namespaces: ReadonlySet<string>): boolean => {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(h) || h === "localhost" || h === "") return false;
  if (!h.includes(".")) return true;
  if (/\.svc(?:\.cluster\.local)?$/.test(h) || h.endsWith(".cluster.local")) return true;
  const parts = h.split(".");
  return parts.length === 2 && namespaces.has(parts[1] ?? "");
};

/** The pods (of those that failed the lookup) that resolve through the node, when all of them do. */
export const nodeResolverOf = (pods: ReadonlyArray<Pod>): NodeResolver | undefined => {
  if (pods.length === 0) return undefined;
  const reasons = pods.map(usesNodeResolver);
  if (reasons.some((r) => r === undefined)) return undefined;
  return { pods, why: reasons[0] ?? "" };
};
