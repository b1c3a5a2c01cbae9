import type { Service } from "../kube/KubeObjects.js";

export type HostResolution =
  | {
      readonly kind: "service";
      readonly service: Service;
      readonly namespace: string;
      /** `db-0` of `db-0.db-headless.ns.svc…`: one pod of a StatefulSet, through its headless Service. */
      readonly pod?: string;
    }
  /** An in-cluster name (`x`, `x.ns`, `x.ns.svc…`) for which no Service exists. */
  | {
      readonly kind: "missing-service";
      readonly name: string;
      readonly namespace: string;
      /** Namespaces where a Service of that name does exist. */
      readonly elsewhere: ReadonlyArray<string>;
      /** `ns.name.svc…` written for `name.ns.svc…`: the Service that the name means with its two labels swapped. */
      readonly swapped?: Service;
      /** Whether any Service lives in the namespace the name points at (none: the namespace probably does not exist). */
      readonly namespaceKnown: boolean;
      /**
       * The one Service of that namespace named `<prefix>-<name>`: the name without the release prefix a Helm chart puts on
       * its Services (open-telemetry/opentelemetry-helm-charts#335: `ffs-postgres` for `mydemo-ffs-postgres`).
       */
      readonly prefixed?: Service;
    }
  | { readonly kind: "external" };

const IP = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * What a host in a log line refers to, the way cluster DNS would resolve it from a pod in
 * `fromNamespace`: a Service by ClusterIP or by `name`, `name.ns`, `name.ns.svc[.cluster.local]`,
 * or one pod of a headless Service (`pod.name[.ns[.svc…]]`).
 * A name that resolves to nothing is checked for the usual slip: namespace and Service swapped.
 */
export const resolveService = (host: string, fromNamespace: string, services: ReadonlyArray<Service>): HostResolution => {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (IP.test(h)) {
    const service = services.find((s) => s.spec?.clusterIP === h || s.spec?.clusterIPs?.includes(h) === true);
    return service === undefined ? { kind: "external" } : { kind: "service", service, namespace: service.metadata.namespace ?? fromNamespace };
  }
  const all = h.split(".");
  // `pod.service[.namespace[.svc…]]` names one pod behind a headless Service (a StatefulSet's):
  // the search path completes the short forms, as in `mysql-1.mysql` from the StatefulSet tutorial.
  const headless = (service: string | undefined, namespace: string | undefined) =>
    services.some((s) => s.metadata.name === service && (s.metadata.namespace ?? "") === namespace && s.spec?.clusterIP === "None");
  const pod =
    all.length >= 4 && all[3] === "svc"
      ? all[0]
      : (all.length === 2 && headless(all[1], fromNamespace)) || (all.length === 3 && all[2] !== "svc" && headless(all[1], all[2]))
        ? all[0]
        : undefined;
  const parts = pod !== undefined ? all.slice(1) : all;
  const inCluster = parts.length === 1 || (parts.length === 2 && !/^(com|net|org|io|dev|internal|local|aws)$/.test(parts[1] ?? "")) || parts[2] === "svc";
  if (!inCluster) return { kind: "external" };
  const name = parts[0] ?? "";
  const namespace = parts.length === 1 ? fromNamespace : (parts[1] ?? fromNamespace);
  const service = services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? "") === namespace);
  if (service !== undefined) return { kind: "service", service, namespace, ...(pod !== undefined ? { pod } : {}) };
  const swapped = parts.length >= 2 ? services.find((s) => s.metadata.name === namespace && (s.metadata.namespace ?? "") === name) : undefined;
  const namespaceKnown = parts.length === 1 || namespace === fromNamespace || services.some((s) => s.metadata.namespace === namespace);
  // `name.other` with two labels can also be an external short name; only call it missing when the namespace part is plausible.
  if (parts.length === 2 && !namespaceKnown && swapped === undefined) return { kind: "external" };
  const prefixed = swapped === undefined && name.length >= 3 ? services.filter((s) => (s.metadata.namespace ?? "") === namespace && s.metadata.name.endsWith(`-${name}`)) : [];
  return {
    kind: "missing-service",
    name,
    namespace,
    elsewhere: services.filter((s) => s.metadata.name === name).map((s) => s.metadata.namespace ?? ""),
    namespaceKnown,
    ...(swapped !== undefined ? { swapped } : {}),
    ...(prefixed.length === 1 && prefixed[0] !== undefined ? { prefixed: prefixed[0] } : {})
  };
};
