import type { Confidence } from "@sre-on-call/core";
import type { Event } from "../kube/KubeObjects.js";
import { eventCount, eventTime, formatDuration, toMillis } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { causeText, clipText, isPodReady, kubectl, listNames, plural, podSource } from "./podFacts.js";
import type { Subject } from "./Subject.js";

interface SandboxCause {
  readonly key: string;
  readonly text: string;
  readonly action: string;
  /** Whether the message names the cause, so a failure that persists can be claimed with high confidence. */
  readonly specific: boolean;
}

/**
 * What the kubelet's FailedCreatePodSandBox message says about the pod network: the AWS VPC CNI's
 * `add cmd: failed to assign an IP address` (ipamd has no free IP on the node), host-local IPAM's
 * `no IP addresses available in range set: a-b` (the node's pod CIDR is used up), or a CNI that
 * is not running on the node.
 */
export const sandboxCause = (message: string, node: string): SandboxCause => {
  if (/failed to assign an IP address/i.test(message))
    return {
      key: "ip-vpc-cni",
      text: `the CNI failed to assign an IP address on ${node}: no free IP for pods there (IP exhaustion: the node's ENIs are full or its subnet has no free IPs)`,
      action: "Check free IPs of the node's subnet (aws ec2 describe-subnets … AvailableIpAddressCount) and the aws-node (ipamd) logs; use larger subnets, VPC CNI prefix delegation or custom networking, or fewer pods per node",
      specific: true
    };
  const range = /no IP addresses available in range set:?\s*([\w.:/-]+)/i.exec(message);
  if (range !== null || /failed to allocate for range/i.test(message))
    return {
      key: "ip-range",
      text: `the CNI has no free IP address in ${node}'s pod range${range !== null ? ` ${range[1] ?? ""}` : ""} (IP exhaustion)`,
      action: "Look for leaked IP reservations on the node (/var/lib/cni/networks) and how many pods it runs against its pod CIDR; drain and recycle the node",
      specific: true
    };
  // Each CNI's own words for "my agent is not running on this node" (flannel: kubernetes/kubernetes#65526,
  // flannel-io/flannel#2253, k3s-io/k3s#122; calico: kubernetes/kubernetes#62451, projectcalico/calico#2841).
  if (/\/run\/flannel\/subnet\.env: no such file or directory/i.test(message))
    return {
      key: "flannel-not-running",
      text: `flannel has not set up ${node}: /run/flannel/subnet.env is missing (its kube-flannel pod is not running there, or the cluster gave flannel no pod CIDR)`,
      action: `Check the kube-flannel pod on ${node} (kubectl -n kube-flannel get pods -o wide; its logs) and that the node has a podCIDR (kubeadm init --pod-network-cidr must match flannel's net-conf)`,
      specific: true
    };
  if (/\/var\/lib\/calico\/nodename: no such file or directory/i.test(message))
    return {
      key: "calico-not-running",
      text: `calico-node is not running on ${node} (stat /var/lib/calico/nodename: no such file or directory)`,
      action: `Check the calico-node pod on ${node} (kubectl -n kube-system get pods -l k8s-app=calico-node -o wide; its logs and init containers)`,
      specific: true
    };
  // A bridge left from an earlier pod CIDR (kubeadm reset, a re-joined node): kubernetes/kubernetes#76070, inclavare-containers/inclavare-containers#1364.
  const bridge = /failed to set bridge addr: \\?"([\w-]+)\\?" already has an IP address different from ([\d./]+)/.exec(message);
  if (bridge !== null)
    return {
      key: "stale-bridge",
      text: `the ${bridge[1] ?? "cni0"} bridge on ${node} still has an address outside the node's pod range ${bridge[2] ?? ""} (left from an earlier network setup)`,
      action: `On ${node}: ip link set ${bridge[1] ?? "cni0"} down && ip link delete ${bridge[1] ?? "cni0"} (the CNI recreates it with the right address), then delete the stuck pods`,
      specific: true
    };
  if (/cni plugin not initialized|network plugin is not ready|cni config uninitialized|failed to find plugin|no networks found/i.test(message))
    return {
      key: "cni-not-ready",
      text: `the CNI plugin is not ready on ${node} (${clipText(/cni plugin not initialized|network plugin is not ready[^:]*|cni config uninitialized|failed to find plugin "[^"]*"|no networks found[^:]*/i.exec(message)?.[0] ?? "", 80)})`,
      action: "Check the CNI DaemonSet pod on the node (kubectl -n kube-system get pods -o wide | grep <node>) and /etc/cni/net.d there",
      specific: true
    };
  return { key: "other", text: `the pod sandbox cannot be created on ${node}: ${causeText(message, 160)}`, action: "Read the kubelet and container runtime logs on the node", specific: false };
};

/** A sandbox failure this persistent is no transient ENI attachment or CNI restart. */
const PERSISTENT_COUNT = 10;
const PERSISTENT_MS = 10 * 60_000;

/** Pods that were placed but cannot get a sandbox (network namespace, IP address): FailedCreatePodSandBox. */
export const analyzePodSandbox = (a: Analysis, frame: Frame, subject: Subject): void => {
  const events = a.events(subject.ref.namespace);
  const stuck = subject.pods.filter((p) => !isPodReady(p) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && p.spec?.nodeName !== undefined && p.spec.nodeName !== "");
  const failures = stuck.flatMap((p) => events("Pod", p.metadata.name).filter((e) => e.reason === "FailedCreatePodSandBox" && a.recent(eventTime(e))).map((e) => ({ pod: p, e })));
  if (failures.length === 0) return;
  const groups = new Map<string, Array<{ pod: (typeof stuck)[number]; e: Event }>>();
  for (const f of failures) {
    const key = sandboxCause(f.e.message ?? "", f.pod.spec?.nodeName ?? "").key;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [f]);
    else list.push(f);
  }
  for (const group of groups.values()) {
    const last = group.reduce((b, f) => ((eventTime(f.e) ?? 0) >= (eventTime(b.e) ?? 0) ? f : b));
    const nodes = [...new Set(group.map((f) => f.pod.spec?.nodeName ?? ""))];
    const cause = sandboxCause(last.e.message ?? "", listNames(nodes));
    const count = group.reduce((n, f) => n + eventCount(f.e), 0);
    const first = Math.min(...group.map((f) => toMillis(f.e.firstTimestamp) ?? eventTime(f.e) ?? a.alertTime));
    const span = Math.max(...group.map((f) => eventTime(f.e) ?? a.alertTime)) - first;
    const persistent = count >= PERSISTENT_COUNT || span >= PERSISTENT_MS;
    const capacity = nodes
      .map((n) => a.node(n))
      .filter((n) => n !== undefined)
      .map((n) => `${n.metadata.name}: allocatable pods ${n.status?.allocatable?.["pods"] ?? "?"}${n.metadata.labels?.["node.kubernetes.io/instance-type"] ?? n.metadata.labels?.["beta.kubernetes.io/instance-type"] ? `, instance type ${n.metadata.labels?.["node.kubernetes.io/instance-type"] ?? n.metadata.labels?.["beta.kubernetes.io/instance-type"] ?? ""}` : ""}`);
    const pods = [...new Set(group.map((f) => f.pod.metadata.name))];
    const id = a.evidence.add({
      source: podSource(last.pod),
      timestamp: eventTime(last.e) ?? a.alertTime,
      severity: "critical",
      content: `FailedCreatePodSandBox ×${count}${span > 0 ? ` over ${formatDuration(span)}` : ""} on ${plural(pods.length, "pod")} of ${subject.label} (${listNames(pods)}) on ${listNames(nodes)}: ${clipText(last.e.message ?? "", 400)}`,
      metadata: { reason: "FailedCreatePodSandBox", pods, nodes, count, message: clipText(last.e.message ?? "", 600) }
    });
    const confidence: Confidence = cause.specific && persistent ? "high" : "medium";
    a.propose(frame, subject.label, {
      key: `sandbox:${subject.label}:${cause.key}`,
      title: `${subject.label}'s pods cannot start: ${cause.text}`,
      detail: `The kubelet cannot create the pod sandbox ×${count}${span > 0 ? ` over ${formatDuration(span)}` : ""}${persistent ? "" : " (recently: it may still recover)"}: ${clipText(last.e.message ?? "", 300)}.${capacity.length > 0 ? ` ${capacity.join("; ")}.` : ""}`,
      confidence,
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${last.pod.metadata.name}`)}; kubectl describe node ${nodes[0] ?? ""}`,
      actions: [cause.action]
    });
  }
};
