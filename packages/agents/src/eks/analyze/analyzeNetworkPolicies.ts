import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Pod, Service, ServicePort, StringMap } from "../kube/KubeObjects.js";
import { labelSelectorPredicate, labelSelectorString } from "../kube/selectors.js";
import type { ClusterView } from "../investigate/ClusterView.js";
import type { Analysis, Frame } from "./Analysis.js";
import { backendsOf } from "./analyzeServices.js";
import { isPodReady, kubectl, listNames } from "./podFacts.js";
import { resolveService } from "./resolveService.js";
import { namespaceObjects, type Subject } from "./Subject.js";

/**
 * NetworkPolicy semantics (networking.k8s.io/v1), read-only: which policies isolate a pod and
 * whether they let a given connection through. Unknowns stay unknown (a namespace selector on
 * labels we cannot see, an ipBlock for an address we do not know), so a verdict of `denied` is
 * one the objects prove.
 */
export type Verdict = "allowed" | "denied" | "unknown";

/** One side of a connection. */
export interface Endpoint {
  /** `""` for an address that is no pod's (outside the cluster, a node's network). */
  readonly namespace: string;
  readonly labels?: StringMap;
  readonly ip?: string;
  /** The endpoint's named container ports, to resolve `port: http` in a policy. */
  readonly namedPorts?: ReadonlyMap<string, number>;
}

export interface Connection {
  readonly port: number;
  readonly protocol: "TCP" | "UDP" | "SCTP";
}

const or3 = (values: ReadonlyArray<Verdict>): Verdict => (values.includes("allowed") ? "allowed" : values.includes("unknown") ? "unknown" : "denied");
const and3 = (values: ReadonlyArray<Verdict>): Verdict => (values.includes("denied") ? "denied" : values.includes("unknown") ? "unknown" : "allowed");
const verdictOf = (b: boolean): Verdict => (b ? "allowed" : "denied");

const matches = (selector: LabelSelector | undefined, labels: StringMap | undefined): boolean => labelSelectorPredicate(labelSelectorString(selector ?? {}))(labels ?? {});

/** NetworkPolicies do not apply to pods on the node's own network. */
const policyApplies = (pod: Pod): boolean => pod.spec?.hostNetwork !== true;

export const endpointOfPod = (pod: Pod): Endpoint => {
  const named = new Map<string, number>();
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (typeof p.name === "string" && typeof p.containerPort === "number") named.set(p.name, p.containerPort);
  return { namespace: pod.metadata.namespace ?? "", ...(pod.metadata.labels !== undefined ? { labels: pod.metadata.labels } : {}), ...(pod.status?.podIP !== undefined ? { ip: pod.status.podIP } : {}), namedPorts: named };
};

export const policyTypes = (p: NetworkPolicy): ReadonlyArray<string> =>
  Array.isArray(p.spec?.policyTypes) && p.spec.policyTypes.length > 0 ? p.spec.policyTypes : p.spec?.egress !== undefined ? ["Ingress", "Egress"] : ["Ingress"];

/** The policies of the endpoint's namespace that select it for `direction`: any one of them isolates it. */
export const isolatingPolicies = (view: ClusterView, endpoint: Endpoint, direction: "Ingress" | "Egress"): ReadonlyArray<NetworkPolicy> =>
  namespaceObjects(view, endpoint.namespace).networkpolicies.filter((p) => policyTypes(p).includes(direction) && matches(p.spec?.podSelector, endpoint.labels));

const ipv4 = (ip: string): number | undefined => {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    const v = Number(part);
    if (!/^\d{1,3}$/.test(part) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
};

/** Whether an IPv4 address is inside a CIDR; unknown for anything else (IPv6, malformed). */
export const inCidr = (ip: string, cidr: string): Verdict => {
  const [base, bits] = cidr.split("/");
  const a = ipv4(ip);
  const b = ipv4(base ?? "");
  const n = bits === undefined ? 32 : Number(bits);
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return "unknown";
  const size = 2 ** (32 - n);
  return verdictOf(Math.floor(a / size) === Math.floor(b / size));
};

const portMatches = (ports: ReadonlyArray<NetworkPolicyPort> | undefined, to: Endpoint, c: Connection): Verdict => {
  if (!Array.isArray(ports) || ports.length === 0) return "allowed";
  return or3(
    ports.map((p): Verdict => {
      if ((p.protocol ?? "TCP") !== c.protocol) return "denied";
      if (p.port === undefined) return "allowed";
      if (typeof p.port === "number") return verdictOf(c.port === p.port || (typeof p.endPort === "number" && c.port >= p.port && c.port <= p.endPort));
      const named = to.namedPorts?.get(p.port);
      return named === undefined ? (to.namedPorts === undefined ? "unknown" : "denied") : verdictOf(named === c.port);
    })
  );
};

/** Namespace labels are not read; only the label every namespace carries (its name) can be judged. */
const namespaceMatches = (selector: LabelSelector, namespace: string): Verdict => {
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key ?? "")];
  if (keys.some((k) => k !== "kubernetes.io/metadata.name")) return "unknown";
  return verdictOf(matches(selector, { "kubernetes.io/metadata.name": namespace }));
};

const peerMatches = (peer: NetworkPolicyPeer, policyNamespace: string, other: Endpoint): Verdict => {
  if (peer.ipBlock !== undefined) {
    if (other.ip === undefined || peer.ipBlock.cidr === undefined) return "unknown";
    const inside = inCidr(other.ip, peer.ipBlock.cidr);
    const excepted = or3((peer.ipBlock.except ?? []).map((e) => inCidr(other.ip ?? "", e)));
    return and3([inside, excepted === "allowed" ? "denied" : excepted === "unknown" ? "unknown" : "allowed"]);
  }
  // An address outside every namespace (the internet, a node's network) is matched by ipBlock only.
  if (other.namespace === "") return "denied";
  const pods: Verdict = peer.podSelector === undefined ? "allowed" : other.labels === undefined ? "unknown" : verdictOf(matches(peer.podSelector, other.labels));
  if (peer.namespaceSelector !== undefined) return and3([namespaceMatches(peer.namespaceSelector, other.namespace), pods]);
  return and3([verdictOf(other.namespace === policyNamespace), pods]);
};

const peersMatch = (peers: ReadonlyArray<NetworkPolicyPeer> | undefined, policyNamespace: string, other: Endpoint): Verdict =>
  !Array.isArray(peers) || peers.length === 0 ? "allowed" : or3(peers.map((p) => peerMatches(p, policyNamespace, other)));

export interface PolicyVerdict {
  readonly verdict: Verdict;
  /** The policies that isolate the endpoint in this direction (empty: not isolated, all allowed). */
  readonly isolating: ReadonlyArray<NetworkPolicy>;
}

/** Whether `from`'s own egress policies let it open `c` to `to`. */
export const egressVerdict = (view: ClusterView, from: Endpoint, to: Endpoint, c: Connection): PolicyVerdict => {
  const isolating = isolatingPolicies(view, from, "Egress");
  if (isolating.length === 0) return { verdict: "allowed", isolating };
  const verdict = or3(isolating.flatMap((p) => (p.spec?.egress ?? []).map((rule) => and3([portMatches(rule.ports, to, c), peersMatch(rule.to, p.metadata.namespace ?? from.namespace, to)]))));
  return { verdict, isolating };
};

/** Whether `to`'s ingress policies accept `c` from `from`. */
export const ingressVerdict = (view: ClusterView, to: Endpoint, from: Endpoint, c: Connection): PolicyVerdict => {
  const isolating = isolatingPolicies(view, to, "Ingress");
  if (isolating.length === 0) return { verdict: "allowed", isolating };
  const verdict = or3(isolating.flatMap((p) => (p.spec?.ingress ?? []).map((rule) => and3([portMatches(rule.ports, to, c), peersMatch(rule.from, p.metadata.namespace ?? to.namespace, from)]))));
  return { verdict, isolating };
};

/** What a policy allows, in one line: `ingress on TCP 30644 from anywhere; egress: nothing`. */
export const describePolicy = (p: NetworkPolicy): string => {
  const ports = (ports: ReadonlyArray<NetworkPolicyPort> | undefined) =>
    !Array.isArray(ports) || ports.length === 0 ? "any port" : ports.map((x) => `${x.protocol ?? "TCP"} ${x.port ?? "any"}${x.endPort !== undefined ? `-${x.endPort}` : ""}`).join(", ");
  const peers = (peers: ReadonlyArray<NetworkPolicyPeer> | undefined) =>
    !Array.isArray(peers) || peers.length === 0
      ? "anywhere"
      : peers
          .map((x) =>
            x.ipBlock !== undefined
              ? `ipBlock ${x.ipBlock.cidr ?? "?"}`
              : [x.namespaceSelector !== undefined ? `namespaces ${labelSelectorString(x.namespaceSelector) || "(all)"}` : "", x.podSelector !== undefined ? `pods ${labelSelectorString(x.podSelector) || "(all)"}` : ""].filter((s) => s !== "").join(" ")
          )
          .join(" or ");
  const parts: Array<string> = [`selects ${labelSelectorString(p.spec?.podSelector ?? {}) || "every pod in the namespace"}`];
  const types = policyTypes(p);
  if (types.includes("Ingress")) parts.push(`ingress: ${(p.spec?.ingress ?? []).length === 0 ? "nothing" : (p.spec?.ingress ?? []).map((r) => `${ports(r.ports)} from ${peers(r.from)}`).join("; ")}`);
  if (types.includes("Egress")) parts.push(`egress: ${(p.spec?.egress ?? []).length === 0 ? "nothing" : (p.spec?.egress ?? []).map((r) => `${ports(r.ports)} to ${peers(r.to)}`).join("; ")}`);
  return parts.join("; ");
};

const names = (policies: ReadonlyArray<NetworkPolicy>) => listNames(policies.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`), 3);
const policyWord = (policies: ReadonlyArray<NetworkPolicy>) => (policies.length === 1 ? "NetworkPolicy" : "NetworkPolicies");

/** CoreDNS as policies see it: its pods' labels and ports, or the labels every distribution uses. */
const dnsEndpoint = (view: ClusterView): Endpoint => {
  const pod = namespaceObjects(view, "kube-system").pods.find((p) => p.metadata.labels?.["k8s-app"] === "kube-dns");
  return pod !== undefined ? endpointOfPod(pod) : { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, namedPorts: new Map([["dns", 53], ["dns-tcp", 53]]) };
};

/**
 * Name resolution failing from pods whose egress a NetworkPolicy restricts without a rule for
 * port 53 to CoreDNS: every lookup is dropped and times out. Returns whether it proposed a cause.
 */
export const dnsBlockedByPolicy = (a: Analysis, frame: Frame, subject: Subject, what: string, supporting: ReadonlyArray<string>, dnsServer?: string): boolean => {
  const pod = subject.pods.find((p) => policyApplies(p) && isolatingPolicies(a.view, endpointOfPod(p), "Egress").length > 0);
  if (pod === undefined) return false;
  const from = endpointOfPod(pod);
  // The resolver the lookups asked may be a node-local cache (169.254.20.10) reached without DNAT: a rule for that address counts too.
  const targets: ReadonlyArray<Endpoint> = [dnsEndpoint(a.view), ...(dnsServer !== undefined && !a.view.services.some((s) => s.spec?.clusterIP === dnsServer) ? [{ namespace: "", ip: dnsServer }] : [])];
  const verdictTo = (protocol: "UDP" | "TCP"): PolicyVerdict => {
    const each = targets.map((t) => egressVerdict(a.view, from, t, { port: 53, protocol }));
    return { verdict: or3(each.map((v) => v.verdict)), isolating: each[0]?.isolating ?? [] };
  };
  const udp = verdictTo("UDP");
  const tcp = verdictTo("TCP");
  if (udp.verdict === "allowed" && tcp.verdict === "allowed") return false;
  const verdict = udp.verdict === "denied" && tcp.verdict === "denied" ? "denied" : udp.verdict === "allowed" ? "allowed" : "unknown";
  if (verdict === "allowed") return false;
  const policies = udp.isolating;
  const id = a.evidence.add({
    source: `kubernetes/networkpolicy/${policies[0]?.metadata.namespace ?? subject.ref.namespace}/${policies[0]?.metadata.name ?? ""}`,
    timestamp: a.alertTime,
    severity: verdict === "denied" ? "critical" : "high",
    content: `${policyWord(policies)} ${names(policies)} restrict${policies.length === 1 ? "s" : ""} the egress of ${subject.label}'s pods (${pod.metadata.name}); DNS to CoreDNS (kube-system, port 53) is ${verdict === "denied" ? "allowed by no rule" : "not clearly allowed (a selector on namespace labels that were not read)"}: ${policies.map((p) => `${p.metadata.name}: ${describePolicy(p)}`).join(" | ")}`,
    metadata: { policies: policies.map((p) => p.metadata.name), udp: udp.verdict, tcp: tcp.verdict }
  });
  a.propose(frame, subject.label, {
    key: `netpol-dns:${subject.label}`,
    title: `${policyWord(policies)} ${names(policies)} ${verdict === "denied" ? "blocks" : "may block"} DNS for ${subject.label}: it restricts the pods' egress and ${verdict === "denied" ? "allows nothing" : "allows nothing provable"} to kube-dns on port 53`,
    detail: `${what}. ${policies.map((p) => `${p.metadata.name} ${describePolicy(p)}`).join(". ")}. Once a policy selects a pod for Egress, only what its rules allow leaves the pod, so the DNS queries to CoreDNS (UDP/TCP 53 in kube-system) are dropped and every lookup times out.`,
    confidence: verdict === "denied" ? "high" : "medium",
    depth: 3,
    supporting: [...supporting, id],
    confirmBy: `${kubectl(subject.ref.namespace, `get networkpolicy ${policies.map((p) => p.metadata.name).join(" ")} -o yaml`)}; ${kubectl(subject.ref.namespace, `exec ${pod.metadata.name} -- nslookup kubernetes.default`)}`,
    actions: ["Add an egress rule allowing UDP and TCP 53 to the kube-dns pods: to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]"],
    chain: [`${policyWord(policies)} ${names(policies)} drop${policies.length === 1 ? "s" : ""} DNS egress`, `${subject.label}: ${what}`]
  });
  return true;
};

/** Where a connection through a Service lands: one of its pods, or an address of its Endpoints. */
interface ServiceTarget {
  readonly to: Endpoint;
  readonly port: number;
  /** `pod web-0`, `address 10.0.0.10`. */
  readonly name: string;
  /** The Service has no selector and its endpoints are addresses outside the pod network (the API server's). */
  readonly addresses: boolean;
}

/**
 * The destination a policy sees for a connection to `servicePort` of a Service: kube-proxy has
 * already replaced the Service's address and port by a backend's. For a Service without a
 * selector (default/kubernetes, whose endpoints are the API servers' host addresses, port 6443)
 * the backends are the addresses of its Endpoints.
 */
const serviceTarget = (view: ClusterView, service: Service, servicePort: ServicePort | undefined, backends: ReadonlyArray<Pod>, port: number): ServiceTarget | undefined => {
  const server = backends.find(policyApplies);
  if (server !== undefined) {
    const to = endpointOfPod(server);
    const target = servicePort?.targetPort === undefined ? (servicePort?.port ?? port) : typeof servicePort.targetPort === "number" ? servicePort.targetPort : (to.namedPorts?.get(servicePort.targetPort) ?? port);
    return { to, port: target, name: `pod ${server.metadata.name}`, addresses: false };
  }
  if (backends.length > 0 || (service.spec?.selector !== undefined && Object.keys(service.spec.selector).length > 0)) return undefined;
  const endpoints = namespaceObjects(view, service.metadata.namespace ?? "").endpoints.find((e) => e.metadata.name === service.metadata.name);
  for (const subset of endpoints?.subsets ?? []) {
    const ports = subset.ports ?? [];
    // The Endpoints port of a Service port: the one of its name, else the only one.
    const p = ports.find((x) => servicePort?.name !== undefined && x.name === servicePort.name) ?? (ports.length === 1 ? ports[0] : undefined);
    const address = (subset.addresses ?? []).find((x) => typeof x.ip === "string");
    if (p?.port === undefined || address?.ip === undefined) continue;
    const pod = address.targetRef?.kind === "Pod";
    return { to: { namespace: pod ? (address.targetRef?.namespace ?? service.metadata.namespace ?? "") : "", ip: address.ip, namedPorts: new Map() }, port: p.port, name: `address ${address.ip}`, addresses: !pod };
  }
  return undefined;
};

/** The API server as clients reach it in-cluster: the `kubernetes` Service of `default`. */
const isApiServer = (service: Service): boolean => service.metadata.name === "kubernetes" && (service.metadata.namespace ?? "") === "default";

/**
 * A connection from the subject to a Service's backends that times out, checked against both ends'
 * policies (the client's egress, the server's ingress). Policies see the connection after the
 * Service's translation: to a pod's targetPort, or for the API server to its endpoints' port
 * (6443 on most clusters, behind the Service's 443): an egress rule for 443 alone drops it
 * (cert-manager/cert-manager#5788, sympozium-ai/sympozium#28, arkmq-org/arkmq-org-broker-operator#1382).
 * Returns whether it proposed a cause.
 */
export const connectionBlockedByPolicy = (a: Analysis, frame: Frame, subject: Subject, service: Service, backends: ReadonlyArray<Pod>, port: number, what: string, supporting: ReadonlyArray<string>): boolean => {
  const client = subject.pods.find(policyApplies);
  if (client === undefined) return false;
  const servicePort = (service.spec?.ports ?? []).find((p) => p.port === port) ?? (service.spec?.ports ?? [])[0];
  const target = serviceTarget(a.view, service, servicePort, backends, port);
  if (target === undefined) return false;
  const from = endpointOfPod(client);
  const to = target.to;
  const c: Connection = { port: target.port, protocol: servicePort?.protocol === "UDP" ? "UDP" : servicePort?.protocol === "SCTP" ? "SCTP" : "TCP" };
  const egress = egressVerdict(a.view, from, to, c);
  // Addresses outside the pod network (the API server's) have no policies of their own.
  const ingress: PolicyVerdict = target.addresses ? { verdict: "allowed", isolating: [] } : ingressVerdict(a.view, to, from, c);
  const blocking = egress.verdict === "denied" ? { side: "egress", v: egress, ns: from.namespace } : ingress.verdict === "denied" ? { side: "ingress", v: ingress, ns: to.namespace } : undefined;
  if (blocking === undefined) return false;
  const policies = blocking.v.isolating;
  const serviceLabel = `${service.metadata.namespace ?? ""}/${service.metadata.name}`;
  const destination = isApiServer(service) ? `the Kubernetes API server (${serviceLabel})` : serviceLabel;
  // The classic slip: a rule for the Service's own port, which the policy never sees.
  const servicePortNumber = servicePort?.port;
  const slip =
    blocking.side === "egress" && servicePortNumber !== undefined && servicePortNumber !== c.port
      ? or3(policies.flatMap((p) => (p.spec?.egress ?? []).map((rule) => and3([portMatches(rule.ports, to, { ...c, port: servicePortNumber }), peersMatch(rule.to, p.metadata.namespace ?? from.namespace, to)])))) === "allowed"
      : false;
  const backendText = target.addresses ? `${c.protocol} ${c.port}, ${isApiServer(service) ? "the API server's" : "its endpoints'"} port (endpoints of ${serviceLabel}: ${to.ip ?? "?"}:${c.port})` : `${c.protocol} ${c.port}, the port of its ${target.name}`;
  const id = a.evidence.add({
    source: `kubernetes/networkpolicy/${blocking.ns}/${policies[0]?.metadata.name ?? ""}`,
    timestamp: a.alertTime,
    severity: "critical",
    content: `${policyWord(policies)} ${names(policies)} allow${policies.length === 1 ? "s" : ""} no ${blocking.side} for ${c.protocol} ${c.port} from ${subject.label} (${client.metadata.name}) to ${serviceLabel}'s ${target.name}: ${policies.map((p) => `${p.metadata.name}: ${describePolicy(p)}`).join(" | ")}`,
    metadata: { side: blocking.side, policies: policies.map((p) => p.metadata.name), port: c.port, protocol: c.protocol, servicePort: servicePortNumber ?? null }
  });
  a.propose(frame, subject.label, {
    key: `netpol-conn:${subject.label}:${serviceLabel}:${c.port}`,
    title: slip
      ? `${policyWord(policies)} ${names(policies)} block${policies.length === 1 ? "s" : ""} ${subject.label} → ${destination}: its egress allows ${c.protocol} ${servicePortNumber ?? "?"}, the Service's port, but not ${backendText}`
      : `${policyWord(policies)} ${names(policies)} block${policies.length === 1 ? "s" : ""} ${subject.label} → ${destination} (${c.protocol} ${c.port}, ${blocking.side === "egress" ? "the client's egress" : "the server's ingress"})`,
    detail: `${what}. ${policies.map((p) => `${p.metadata.name} ${describePolicy(p)}`).join(". ")}. A policy sees the connection after kube-proxy has translated the Service's address and port ${servicePortNumber ?? "?"} to a backend's (${to.ip ?? target.name}:${c.port}); no rule allows ${c.protocol} ${c.port} ${blocking.side === "egress" ? `from ${subject.label}'s pods to ${target.addresses ? `the addresses behind ${serviceLabel}` : `the pods behind ${serviceLabel}`}` : `into the pods behind ${serviceLabel} from ${subject.label}'s pods`}, so the packets are dropped (the connection times out) or rejected (refused, as kube-router on k3s answers).`,
    confidence: "high",
    depth: 3,
    supporting: [...supporting, id],
    confirmBy: `${kubectl(blocking.ns, `get networkpolicy ${policies.map((p) => p.metadata.name).join(" ")} -o yaml`)}; ${kubectl(service.metadata.namespace ?? "", `get endpoints ${service.metadata.name}`)}`,
    actions: [
      target.addresses
        ? `Allow egress on ${c.protocol} ${c.port} (the endpoints' port) as well as ${servicePortNumber ?? "the Service's port"} in ${names(policies)}: CNIs differ in whether they check before or after the Service's translation`
        : `Allow ${c.protocol} ${c.port} between ${subject.label} and ${serviceLabel} in ${names(policies)} (policies match the pod's port, after the Service's translation)`
    ],
    chain: [`${policyWord(policies)} ${names(policies)} drop${policies.length === 1 ? "s" : ""} ${subject.label} → ${destination}`, `${subject.label}: ${what}`]
  });
  return true;
};

const targetPortOf = (port: { readonly port?: number; readonly targetPort?: number | string }, pod: Pod): number | undefined =>
  port.targetPort === undefined ? port.port : typeof port.targetPort === "number" ? port.targetPort : endpointOfPod(pod).namedPorts?.get(port.targetPort);

/**
 * Ingress to the subject's pods through its Services, when policies isolate the pods and no rule
 * opens the port the Service sends to, from anyone. A rule on the Service's port or nodePort
 * instead is the classic slip: policies see the pod's port, after the Service's translation.
 */
export const analyzeIngressPolicies = (a: Analysis, frame: Frame, subject: Subject): number => {
  const pod = subject.pods.find((p) => p.status?.phase === "Running" && policyApplies(p)) ?? subject.pods.find(policyApplies);
  if (pod === undefined) return 0;
  const to = endpointOfPod(pod);
  const isolating = isolatingPolicies(a.view, to, "Ingress");
  if (isolating.length === 0) return 0;
  const services = a.view.services.filter((s) => (s.metadata.namespace ?? "") === subject.ref.namespace && s.spec?.selector !== undefined && Object.keys(s.spec.selector).length > 0 && matches({ matchLabels: s.spec.selector }, pod.metadata.labels));
  let problems = 0;
  for (const service of services) {
    for (const sp of service.spec?.ports ?? []) {
      const target = targetPortOf(sp, pod);
      if (target === undefined) continue;
      const c: Connection = { port: target, protocol: sp.protocol === "UDP" ? "UDP" : sp.protocol === "SCTP" ? "SCTP" : "TCP" };
      // Open to anyone at all? Peers aside, a rule must at least name this port.
      const open = or3(isolating.flatMap((p) => (p.spec?.ingress ?? []).map((rule) => portMatches(rule.ports, to, c))));
      if (open !== "denied") continue;
      problems++;
      const rulePorts = isolating.flatMap((p) => (p.spec?.ingress ?? []).flatMap((r) => (r.ports ?? []).map((x) => ({ policy: p, port: x.port }))));
      const slip = rulePorts.find((r) => r.port !== undefined && (r.port === sp.nodePort || (r.port === sp.port && sp.port !== target)));
      const slipText = slip === undefined ? undefined : slip.port === sp.nodePort ? `the nodePort of Service ${service.metadata.name}` : `the port of Service ${service.metadata.name}, not its targetPort`;
      const blamed = slip !== undefined ? [slip.policy] : isolating;
      const ready = subject.pods.filter(isPodReady).length;
      const serviceLabel = `${service.metadata.namespace ?? ""}/${service.metadata.name}`;
      const allowed = rulePorts.map((r) => String(r.port ?? "any")).filter((p, i, all) => all.indexOf(p) === i);
      const id = a.evidence.add({
        source: `kubernetes/networkpolicy/${subject.ref.namespace}/${blamed[0]?.metadata.name ?? ""}`,
        timestamp: a.alertTime,
        severity: "critical",
        content: `${policyWord(isolating)} ${names(isolating)} isolate${isolating.length === 1 ? "s" : ""} ${subject.label}'s pods for ingress; no rule allows ${c.protocol} ${c.port}, where Service ${serviceLabel} (port ${sp.port ?? "?"}${sp.nodePort !== undefined ? `, nodePort ${sp.nodePort}` : ""}) sends its traffic: ${isolating.map((p) => `${p.metadata.name}: ${describePolicy(p)}`).join(" | ")}`,
        metadata: { policies: isolating.map((p) => p.metadata.name), service: serviceLabel, targetPort: c.port, allowedPorts: allowed }
      });
      a.propose(frame, subject.label, {
        key: `netpol-ingress:${subject.label}:${serviceLabel}:${c.port}`,
        title:
          slip !== undefined && slipText !== undefined
            ? `${policyWord(blamed)} ${names(blamed)} blocks traffic to ${subject.label}: it allows ingress on port ${String(slip.port)} (${slipText}), but the pods listen on ${c.port}`
            : `${policyWord(isolating)} ${names(isolating)} block${isolating.length === 1 ? "s" : ""} all ingress to ${subject.label} on port ${c.port}, the targetPort of Service ${serviceLabel}${allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : ""}`,
        detail: `${isolating.map((p) => `${p.metadata.name} ${describePolicy(p)}`).join(". ")}. A policy matches the destination port as the pod sees it, after kube-proxy has translated the Service's port or nodePort to the targetPort (${c.port}); no rule of the policies selecting these pods allows ${c.protocol} ${c.port}, so every connection through ${serviceLabel} is dropped and times out${ready > 0 ? ` although ${ready} pods are ready` : ""}.`,
        // Unreachable yet ready pods are what a blocked port looks like; with pods failing on their own, the policy is one suspect among others.
        confidence: ready > 0 && ready === subject.pods.length ? "high" : "medium",
        depth: 2,
        supporting: [id],
        confirmBy: `${kubectl(subject.ref.namespace, `describe networkpolicy ${blamed.map((p) => p.metadata.name).join(" ")}`)}; ${kubectl(subject.ref.namespace, `get endpoints ${service.metadata.name}`)}`,
        actions: [`Allow port ${c.port} (the pods' port) in ${names(blamed)} instead of ${slip !== undefined ? String(slip.port) : "the ports it names"}`]
      });
    }
  }
  return problems;
};

/**
 * A connection out of the cluster that times out from pods whose egress a policy restricts with no
 * rule that could let it through: only provable when no rule names the port (or there is no rule
 * at all); an ipBlock or a selector we cannot judge leaves it open.
 */
export const externalBlockedByPolicy = (a: Analysis, frame: Frame, subject: Subject, host: string, port: number | undefined, what: string, supporting: ReadonlyArray<string>): boolean => {
  const client = subject.pods.find((p) => policyApplies(p) && isolatingPolicies(a.view, endpointOfPod(p), "Egress").length > 0);
  if (client === undefined || port === undefined) return false;
  const ip = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) ? host : undefined;
  const to: Endpoint = { namespace: "", ...(ip !== undefined ? { ip } : {}), namedPorts: new Map() };
  const v = egressVerdict(a.view, endpointOfPod(client), to, { port, protocol: "TCP" });
  if (v.verdict !== "denied") return false;
  const policies = v.isolating;
  const id = a.evidence.add({
    source: `kubernetes/networkpolicy/${subject.ref.namespace}/${policies[0]?.metadata.name ?? ""}`,
    timestamp: a.alertTime,
    severity: "critical",
    content: `${policyWord(policies)} ${names(policies)} restrict${policies.length === 1 ? "s" : ""} the egress of ${subject.label}'s pods and allow${policies.length === 1 ? "s" : ""} nothing to ${host}:${port}: ${policies.map((p) => `${p.metadata.name}: ${describePolicy(p)}`).join(" | ")}`,
    metadata: { policies: policies.map((p) => p.metadata.name), host, port }
  });
  a.propose(frame, subject.label, {
    key: `netpol-external:${subject.label}:${host}:${port}`,
    title: `${policyWord(policies)} ${names(policies)} block${policies.length === 1 ? "s" : ""} ${subject.label}'s egress to ${host}:${port}`,
    detail: `${what}. ${policies.map((p) => `${p.metadata.name} ${describePolicy(p)}`).join(". ")}. Once a policy selects a pod for Egress, only what its rules allow leaves it; no rule allows TCP ${port} to ${host}, so the connections are dropped and time out.`,
    confidence: "high",
    depth: 3,
    supporting: [...supporting, id],
    confirmBy: kubectl(subject.ref.namespace, `get networkpolicy ${policies.map((p) => p.metadata.name).join(" ")} -o yaml`),
    actions: [`Allow egress to ${host} on TCP ${port} (an ipBlock for its addresses) in ${names(policies)}`],
    chain: [`${policyWord(policies)} ${names(policies)} drop${policies.length === 1 ? "s" : ""} egress to ${host}:${port}`, `${subject.label}: ${what}`]
  });
  return true;
};

/** A connection a pod's own spec declares (a URL or host:port naming a Service) that the policies deny. */
export interface DeniedConnection {
  readonly client: Pod;
  readonly service: Service;
  readonly port: number;
  readonly side: "egress" | "ingress";
  readonly policies: ReadonlyArray<NetworkPolicy>;
  /** Where the spec names it: `arg --prometheus-url=http://prometheus-k8s.monitoring.svc:9090/`, `env DB_HOST`. */
  readonly via: string;
}

const URL_HOST = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^@\s/]*@)?([a-z0-9][a-z0-9.-]*)(?::(\d{1,5}))?/gi;
const HOST_PORT = /(?:^|[=\s,"'])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*):(\d{2,5})\b/gi;
const SCHEME_PORT: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

/** The Service addresses a container's spec names, with the port (the scheme's default for a URL without one). */
const addressesIn = (text: string): ReadonlyArray<{ readonly host: string; readonly port?: number }> => {
  const out: Array<{ host: string; port?: number }> = [];
  for (const m of text.matchAll(URL_HOST)) {
    const port = m[3] !== undefined ? Number(m[3]) : SCHEME_PORT[(m[1] ?? "").toLowerCase()];
    out.push({ host: m[2] ?? "", ...(port !== undefined ? { port } : {}) });
  }
  if (out.length === 0) for (const m of text.matchAll(HOST_PORT)) out.push({ host: m[1] ?? "", port: Number(m[2]) });
  return out;
};

/**
 * The connections pods declare in their own spec (an argument or env value naming a Service:
 * `--prometheus-url=http://prometheus-k8s.monitoring.svc:9090/`) that the NetworkPolicies of either
 * end deny, judged as `connectionBlockedByPolicy` judges a connection a log reports. A policy that
 * admits only some clients to a server cuts off every other client the manifests wire to it
 * (prometheus-operator/kube-prometheus#1764: prometheus-k8s admitted only prometheus and grafana,
 * not prometheus-adapter). Only denials the objects prove are returned.
 */
export const deniedDeclaredConnections = (view: ClusterView, pods: ReadonlyArray<Pod>): ReadonlyArray<DeniedConnection> => {
  const out: Array<DeniedConnection> = [];
  const seen = new Set<string>();
  for (const client of pods) {
    if (!policyApplies(client) || client.status?.phase === "Succeeded" || client.status?.phase === "Failed") continue;
    const namespace = client.metadata.namespace ?? "";
    const texts: Array<{ text: string; via: string }> = [];
    for (const c of client.spec?.containers ?? []) {
      for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) if (typeof arg === "string") texts.push({ text: arg, via: `arg ${arg}` });
      for (const e of c.env ?? []) if (typeof e.value === "string") texts.push({ text: e.value, via: `env ${e.name ?? "?"}` });
    }
    for (const { text, via } of texts) {
      for (const address of addressesIn(text)) {
        const r = resolveService(address.host, namespace, view.services);
        if (r.kind !== "service") continue;
        const service = r.service;
        const ports = service.spec?.ports ?? [];
        const servicePort = address.port !== undefined ? ports.find((p) => p.port === address.port) : ports.length === 1 ? ports[0] : undefined;
        if (servicePort?.port === undefined) continue;
        const key = `${namespace}/${client.metadata.name}>${r.namespace}/${service.metadata.name}:${servicePort.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const target = serviceTarget(view, service, servicePort, backendsOf(view, service), servicePort.port);
        if (target === undefined) continue;
        const from = endpointOfPod(client);
        const c: Connection = { port: target.port, protocol: servicePort.protocol === "UDP" ? "UDP" : servicePort.protocol === "SCTP" ? "SCTP" : "TCP" };
        const egress = egressVerdict(view, from, target.to, c);
        const ingress: PolicyVerdict = target.addresses ? { verdict: "allowed", isolating: [] } : ingressVerdict(view, target.to, from, c);
        if (egress.verdict === "denied") out.push({ client, service, port: servicePort.port, side: "egress", policies: egress.isolating, via });
        else if (ingress.verdict === "denied") out.push({ client, service, port: servicePort.port, side: "ingress", policies: ingress.isolating, via });
      }
    }
  }
  return out;
};
