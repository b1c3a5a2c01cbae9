import type { Service } from "../kube/KubeObjects.js";

export type HostResolution =
  | { readonly kind: "service"; readonly service: Service; readonly namespace: string }
  /** An in-cluster name (`x`, `x.ns`, `x.ns.svc…`) for which no Service exists. */
  | { readonly kind: "missing-service"; readonly name: string; readonly namespace: string; readonly elsewhere: ReadonlyArray<string> }
  | { readonly kind: "external" };

const IP = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * What a host in a log line refers to, the way cluster DNS would resolve it from a pod in
 * `fromNamespace`: a Service by ClusterIP or by `name`, `name.ns`, `name.ns.svc[.cluster.local]`.
 */
export const resolveService = (host: string, fromNamespace: string, services: ReadonlyArray<Service>): HostResolution => {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (IP.test(h)) {
    const service = services.find((s) => s.spec?.clusterIP === h || s.spec?.clusterIPs?.includes(h) === true);
    return service === undefined ? { kind: "external" } : { kind: "service", service, namespace: service.metadata.namespace ?? fromNamespace };
  }
  const parts = h.split(".");
  const inCluster = parts.length === 1 || (parts.length === 2 && !/^(com|net|org|io|dev|internal|local|aws)$/.test(parts[1] ?? "")) || parts[2] === "svc";
  if (!inCluster) return { kind: "external" };
  const name = parts[0] ?? "";
  const namespace = parts.length === 1 ? fromNamespace : (parts[1] ?? fromNamespace);
  const service = services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? "") === namespace);
  if (service !== undefined) return { kind: "service", service, namespace };
  // `name.other` with two labels can also be an external short name; only call it missing when the namespace part is plausible.
  if (parts.length === 2 && !services.some((s) => s.metadata.namespace === namespace)) return { kind: "external" };
  return { kind: "missing-service", name, namespace, elsewhere: services.filter((s) => s.metadata.name === name).map((s) => s.metadata.namespace ?? "") };
};
