import type { Pod } from "../kube/KubeObjects.js";
import type { ClusterView } from "../investigate/ClusterView.js";

/**
 * The host ports a pod binds on its node: every `hostPort` of its containers, and with `hostNetwork: true` every
 * `containerPort` (the container listens on the node's own network). As `port/PROTOCOL`, TCP when unset.
 */
export const hostPortsOf = (pod: Pod): ReadonlyArray<string> => {
  const ports = new Set<string>();
  const hostNetwork = pod.spec?.hostNetwork === true;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      const port = typeof p.hostPort === "number" && p.hostPort > 0 ? p.hostPort : hostNetwork && typeof p.containerPort === "number" ? p.containerPort : undefined;
      if (port !== undefined) ports.add(`${port}/${(p.protocol ?? "TCP").toUpperCase()}`);
    }
  }
  return [...ports];
};

/** A pod that holds a host port: placed on a node and not finished. */
const holds = (pod: Pod): boolean => typeof pod.spec?.nodeName === "string" && pod.spec.nodeName !== "" && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

export interface HostPortHolder {
  readonly pod: Pod;
  /** The ports it holds that the pending pod asks for. */
  readonly ports: ReadonlyArray<string>;
}

/**
 * The pods in the view (every namespace read) that already hold a host port `pod` asks for: the scheduler's "didn't have
 * free ports for the requested pod ports" names no holder (k3d-io/k3d#104: k3s's svclb-traefik holds 80 and 443 that
 * Istio's svclb pod asks for; a second node-exporter's hostPort 9100 against the platform's own).
 */
export const hostPortHolders = (view: ClusterView, pod: Pod): ReadonlyArray<HostPortHolder> => {
  const wanted = new Set(hostPortsOf(pod));
  if (wanted.size === 0) return [];
  const holders: Array<HostPortHolder> = [];
  for (const objects of view.namespaces.values()) {
    for (const other of objects.pods) {
      if (other === pod || (other.metadata.name === pod.metadata.name && other.metadata.namespace === pod.metadata.namespace) || !holds(other)) continue;
      const ports = hostPortsOf(other).filter((p) => wanted.has(p));
      if (ports.length > 0) holders.push({ pod: other, ports });
    }
  }
  return holders;
};

/** The scheduler's words for a host-port conflict, in the message of a FailedScheduling event. */
export const HOST_PORT_CONFLICT = /free ports for the requested pod ports|\bNodePorts\b|PodFitsHostPorts/;

/**
 * A pod on its node's network (or with host ports) that cannot bind a port "already in use": the other pods on the same
 * node that hold that port (projectcontour/contour#4343: a second node-exporter DaemonSet on 9100 beside the
 * monitoring namespace's own). Undefined when the log names no port or no holder was read.
 */
export const portHolderOnNode = (view: ClusterView, pod: Pod, port: number): ReadonlyArray<Pod> => {
  const node = pod.spec?.nodeName;
  if (node === undefined || !hostPortsOf(pod).some((p) => p.startsWith(`${port}/`))) return [];
  const found: Array<Pod> = [];
  for (const objects of view.namespaces.values())
    for (const other of objects.pods)
      if (other !== pod && other.spec?.nodeName === node && !(other.metadata.name === pod.metadata.name && other.metadata.namespace === pod.metadata.namespace) && holds(other) && hostPortsOf(other).some((p) => p.startsWith(`${port}/`)))
        found.push(other);
  return found;
};
