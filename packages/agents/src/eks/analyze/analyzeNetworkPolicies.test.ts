import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Endpoints, NetworkPolicy, Pod, Service } from "../kube/KubeObjects.js";
import { hypothesesFor, viewOfObjects } from "../testing/investigateObjects.js";
import { egressVerdict, type Endpoint, inCidr, ingressVerdict } from "./analyzeNetworkPolicies.js";

/*
 * NetworkPolicies as public threads pasted them (source above each case): the policies verbatim,
 * the pods, IPs and nodes around them neutral.
 */

const investigate = hypothesesFor;
const viewOf = viewOfObjects;

const runningPod = (ns: string, name: string, labels: Record<string, string>, ports: Array<{ name?: string; containerPort: number; protocol?: string }>, o: { owner?: string; ip?: string; container?: string } = {}): Pod => ({
  metadata: { name, namespace: ns, labels, ...(o.owner !== undefined ? { ownerReferences: [{ kind: "ReplicaSet", name: o.owner, controller: true }] } : {}) },
  spec: { containers: [{ name: o.container ?? "main", image: "registry.example.com/app:1", ports }] },
  status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], ...(o.ip !== undefined ? { podIP: o.ip } : {}), containerStatuses: [{ name: o.container ?? "main", ready: true, restartCount: 0, state: { running: { startedAt: "2024-01-01T00:00:00Z" } } }] }
});

const coredns = (): ReadonlyArray<Pod> => [runningPod("kube-system", "coredns-5d78c9869d-abcde", { "k8s-app": "kube-dns" }, [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns-tcp", containerPort: 53, protocol: "TCP" }], { owner: "coredns-5d78c9869d", ip: "10.0.5.10" })];
const kubeDns: Service = { metadata: { name: "kube-dns", namespace: "kube-system" }, spec: { clusterIP: "10.96.0.10", selector: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP" }] } };
const kubeDnsEndpoints: Endpoints = { metadata: { name: "kube-dns", namespace: "kube-system" }, subsets: [{ addresses: [{ ip: "10.0.5.10" }] }] };

describe("egress policies that leave out DNS", () => {
  it("an Egress policy allowing only Redis blocks CoreDNS (argoproj-labs/argocd-agent#617)", () => {
    // install/kubernetes/agent/agent-networkpolicy-redis.yaml at 4e4ee60f, verbatim; the log line is the PR's.
    const policy: NetworkPolicy = {
      metadata: { name: "agent-allow-redis-egress", namespace: "argocd" },
      spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "argocd-agent-agent" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "argocd-redis" } } }], ports: [{ port: 6379, protocol: "TCP" }] }] }
    };
    const agent = runningPod("argocd", "argocd-agent-agent-6c9f7d8b94-qh2vd", { "app.kubernetes.io/name": "argocd-agent-agent" }, [], { owner: "argocd-agent-agent-6c9f7d8b94", container: "argocd-agent-agent" });
    const redis: Service = { metadata: { name: "argocd-redis", namespace: "argocd" }, spec: { clusterIP: "10.96.20.5", selector: { "app.kubernetes.io/name": "argocd-redis" }, ports: [{ port: 6379 }] } };
    const hs = investigate(
      { networkpolicies: [policy], pods: [agent, ...coredns()], services: [redis, kubeDns], endpoints: [kubeDnsEndpoints] },
      { alertname: "RedisUnreachable", namespace: "argocd", pod: agent.metadata.name },
      "2025-10-14T08:30:00Z",
      [{ namespace: "argocd", pod: agent.metadata.name, container: "argocd-agent-agent", current: "redis: connection pool: failed to dial after 5 attempts: dial tcp: lookup argocd-redis: i/o timeout" }]
    );
    expect(hs[0]?.title).toContain("agent-allow-redis-egress");
    expect(hs[0]?.title).toContain("kube-dns on port 53");
    expect(hs[0]?.confidence).toBe("high");
  });

  it("the default deny-all egress policy of the documentation blocks DNS too (kubernetes/website#38267, aws/aws-network-policy-agent#230)", () => {
    // The "default-deny-egress" policy of the NetworkPolicy concept page that #38267 applied; the lookup line is a neutral Go resolver error.
    const policy: NetworkPolicy = { metadata: { name: "default-deny-egress", namespace: "np" }, spec: { podSelector: {}, policyTypes: ["Egress"] } };
    const app = runningPod("np", "web-7d4b9c-x1", { app: "web" }, [{ containerPort: 8080 }], { owner: "web-7d4b9c" });
    const hs = investigate(
      { networkpolicies: [policy], pods: [app, ...coredns()], services: [kubeDns], endpoints: [kubeDnsEndpoints] },
      { alertname: "Errors", namespace: "np", pod: app.metadata.name },
      "2024-01-01T00:10:00Z",
      [{ namespace: "np", pod: app.metadata.name, container: "main", current: "2024-01-01T00:09:00Z ERROR dial tcp: lookup api.example.com on 10.96.0.10:53: read udp 10.0.1.5:40000->10.96.0.10:53: i/o timeout" }]
    );
    expect(hs[0]?.title).toContain("default-deny-egress");
    expect(hs[0]?.title).toContain("DNS");
  });

  it("a policy that allows port 53 to kube-system leaves DNS alone (the fix in aws/aws-network-policy-agent#230)", () => {
    const policy: NetworkPolicy = {
      metadata: { name: "allow-dns", namespace: "np" },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }]
      }
    };
    const app = runningPod("np", "web-7d4b9c-x1", { app: "web" }, [{ containerPort: 8080 }], { owner: "web-7d4b9c" });
    const hs = investigate(
      { networkpolicies: [policy], pods: [app, ...coredns()], services: [kubeDns], endpoints: [kubeDnsEndpoints] },
      { alertname: "Errors", namespace: "np", pod: app.metadata.name },
      "2024-01-01T00:10:00Z",
      [{ namespace: "np", pod: app.metadata.name, container: "main", current: "2024-01-01T00:09:00Z ERROR dial tcp: lookup api.example.com on 10.96.0.10:53: i/o timeout" }]
    );
    expect(hs.some((h) => h.title.includes("allow-dns"))).toBe(false);
  });
});

describe("egress to outside the cluster", () => {
  it("a deny-all egress policy drops connections to an external API (kubernetes/website#38267)", () => {
    // The documentation's default-deny-egress policy; the timeout line is a neutral Go client error.
    const policy: NetworkPolicy = { metadata: { name: "default-deny-egress", namespace: "np" }, spec: { podSelector: {}, policyTypes: ["Egress"] } };
    const app = runningPod("np", "web-7d4b9c-x1", { app: "web" }, [{ containerPort: 8080 }], { owner: "web-7d4b9c" });
    const hs = investigate({ networkpolicies: [policy], pods: [app] }, { alertname: "Errors", namespace: "np", pod: app.metadata.name }, "2024-01-01T00:10:00Z", [
      { namespace: "np", pod: app.metadata.name, container: "main", current: "2024-01-01T00:09:00Z ERROR dial tcp 52.94.236.248:443: i/o timeout" }
    ]);
    expect(hs[0]?.title).toMatch(/^NetworkPolicy np\/default-deny-egress blocks .*'s egress to 52\.94\.236\.248:443$/);
  });

  it("an ipBlock that may cover the address is not blamed", () => {
    const policy: NetworkPolicy = { metadata: { name: "allow-internet", namespace: "np" }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }] } };
    const app = runningPod("np", "web-7d4b9c-x1", { app: "web" }, [{ containerPort: 8080 }], { owner: "web-7d4b9c" });
    const hs = investigate({ networkpolicies: [policy], pods: [app] }, { alertname: "Errors", namespace: "np", pod: app.metadata.name }, "2024-01-01T00:10:00Z", [
      { namespace: "np", pod: app.metadata.name, container: "main", current: "2024-01-01T00:09:00Z ERROR dial tcp api.example.com:443: i/o timeout" }
    ]);
    expect(hs.some((h) => h.title.includes("allow-internet"))).toBe(false);
  });
});

describe("ingress rules on the Service's port instead of the pod's", () => {
  it("a rule on the nodePort blocks the pod port (projectcalico/felix#2836)", () => {
    // The reporter's NetworkPolicy lzf-access and Service kubia1, verbatim.
    const policy: NetworkPolicy = { metadata: { name: "lzf-access", namespace: "lzf" }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 30644, protocol: "TCP" }] }], policyTypes: ["Ingress", "Egress"] } };
    const service: Service = { metadata: { name: "kubia1", namespace: "lzf" }, spec: { type: "NodePort", clusterIP: "10.233.20.17", selector: { app: "kubia" }, ports: [{ name: "http", port: 8080, targetPort: 8080, nodePort: 30644, protocol: "TCP" }] } };
    const pods = ["kubia-deploy-6d4b9f8c7b-5gk2x", "kubia-deploy-6d4b9f8c7b-8zq4m"].map((n) => runningPod("lzf", n, { app: "kubia", "pod-template-hash": "6d4b9f8c7b" }, [{ name: "http", containerPort: 8080, protocol: "TCP" }], { owner: "kubia-deploy-6d4b9f8c7b" }));
    const hs = investigate({ networkpolicies: [policy], services: [service], pods }, { alertname: "ServiceDown", namespace: "lzf", deployment: "kubia-deploy" }, "2021-06-01T08:00:00Z");
    expect(hs[0]?.title).toContain("lzf-access");
    expect(hs[0]?.title).toContain("30644");
    expect(hs[0]?.title).toContain("8080");
    expect(hs[0]?.confidence).toBe("high");
  });

  it("a rule on the Service port 443 blocks the webhook's pod port 9443 (apache/apisix-ingress-controller#2812)", () => {
    // "The allow-webhook-traffic NetworkPolicy opens ingress on port 443, but the webhook server pod listens on containerPort: 9443".
    const policy: NetworkPolicy = { metadata: { name: "allow-webhook-traffic", namespace: "apisix" }, spec: { podSelector: { matchLabels: { "control-plane": "controller-manager" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 443, protocol: "TCP" }] }] } };
    const service: Service = { metadata: { name: "webhook-service", namespace: "apisix" }, spec: { selector: { "control-plane": "controller-manager" }, ports: [{ port: 443, targetPort: 9443, protocol: "TCP" }] } };
    const pod = runningPod("apisix", "apisix-ingress-controller-5c9f-abcde", { "control-plane": "controller-manager" }, [{ name: "webhook-server", containerPort: 9443, protocol: "TCP" }], { owner: "apisix-ingress-controller-5c9f" });
    const hs = investigate({ networkpolicies: [policy], services: [service], pods: [pod] }, { alertname: "WebhookErrors", namespace: "apisix", pod: pod.metadata.name }, "2026-07-19T10:00:00Z");
    expect(hs[0]?.title).toContain("allow-webhook-traffic");
    expect(hs[0]?.title).toContain("port 443 (the port of Service webhook-service, not its targetPort)");
    expect(hs[0]?.title).toContain("9443");
  });

  it("a policy that opens the pod port is not blamed", () => {
    const policy: NetworkPolicy = { metadata: { name: "lzf-access", namespace: "lzf" }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 8080, protocol: "TCP" }] }], policyTypes: ["Ingress"] } };
    const service: Service = { metadata: { name: "kubia1", namespace: "lzf" }, spec: { selector: { app: "kubia" }, ports: [{ port: 8080, targetPort: 8080, nodePort: 30644 }] } };
    const pod = runningPod("lzf", "kubia-deploy-6d4b9f8c7b-5gk2x", { app: "kubia" }, [{ containerPort: 8080 }], { owner: "kubia-deploy-6d4b9f8c7b" });
    expect(investigate({ networkpolicies: [policy], services: [service], pods: [pod] }, { alertname: "ServiceDown", namespace: "lzf", deployment: "kubia-deploy" }, "2021-06-01T08:00:00Z")).toEqual([]);
  });
});

describe("a connection to a Service that a policy drops", () => {
  it("egress allowed on the Service port 80, but the pods listen on 8080 (projectcalico/calico#8049)", () => {
    // #8049's policy verbatim (egress to app=db1 on TCP 80; "exposed container port: 8080, k8s svc port: 80"); the timeout line is neutral.
    const policy: NetworkPolicy = { metadata: { name: "np-backend", namespace: "project-snake" }, spec: { podSelector: { matchLabels: { app: "backend" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "db1" } } }], ports: [{ protocol: "TCP", port: 80 }] }] } };
    const db: Service = { metadata: { name: "db1", namespace: "project-snake" }, spec: { clusterIP: "10.105.90.11", selector: { app: "db1" }, ports: [{ port: 80, targetPort: 8080 }] } };
    const dbPod = runningPod("project-snake", "db1-0", { app: "db1" }, [{ containerPort: 8080 }], { ip: "10.44.0.12" });
    const backend = runningPod("project-snake", "backend-0", { app: "backend" }, [{ containerPort: 80 }], { ip: "10.44.0.10" });
    const endpoints: Endpoints = { metadata: { name: "db1", namespace: "project-snake" }, subsets: [{ addresses: [{ ip: "10.44.0.12" }], ports: [{ port: 8080 }] }] };
    const hs = investigate({ networkpolicies: [policy], services: [db], pods: [dbPod, backend], endpoints: [endpoints] }, { alertname: "Errors", namespace: "project-snake", pod: "backend-0" }, "2023-09-25T10:00:00Z", [
      { namespace: "project-snake", pod: "backend-0", container: "main", current: "2023-09-25T09:59:00Z ERROR dial tcp 10.105.90.11:80: i/o timeout" }
    ]);
    expect(hs[0]?.title).toContain("np-backend");
    expect(hs[0]?.title).toContain("TCP 8080");
  });
});

describe("egress to the Kubernetes API server: the endpoints' port, not the Service's", () => {
  // default/kubernetes as `kubectl get svc kubernetes -oyaml` shows it in cert-manager/cert-manager#5788 (443 → 6443), with its Endpoints.
  const apiServer = (targetPort: number, clusterIP: string): { service: Service; endpoints: Endpoints } => ({
    service: { metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } }, spec: { type: "ClusterIP", clusterIP, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort }] } },
    endpoints: { metadata: { name: "kubernetes", namespace: "default" }, subsets: [{ addresses: [{ ip: "10.0.0.10" }, { ip: "10.0.0.11" }], ports: [{ name: "https", port: targetPort, protocol: "TCP" }] }] }
  });
  const egressOn = (ns: string, name: string, selector: Record<string, string>, ports: ReadonlyArray<number>, cidr = "0.0.0.0/0"): NetworkPolicy => ({
    metadata: { name, namespace: ns },
    spec: { podSelector: { matchLabels: selector }, policyTypes: ["Egress"], egress: [{ ports: ports.map((port) => ({ port, protocol: "TCP" })), to: [{ ipBlock: { cidr } }] }] }
  });

  it("a chart's egress policy opens 443 only; the API server listens on 6443 (cert-manager/cert-manager#5788)", () => {
    // The chart's default egress ports (80, 443, 53/TCP, 53/UDP) and the webhook's pasted error line, verbatim.
    const { service, endpoints } = apiServer(6443, "172.30.0.1");
    const labels = { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "webhook" };
    const policy: NetworkPolicy = {
      metadata: { name: "cert-manager-webhook-allow-egress", namespace: "cert-manager" },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 80, protocol: "TCP" }, { port: 443, protocol: "TCP" }, { port: 53, protocol: "TCP" }, { port: 53, protocol: "UDP" }], to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }
    };
    const webhook = runningPod("cert-manager", "cert-manager-webhook-5b8d7c6f9c-2vw7n", labels, [{ containerPort: 10250 }], { owner: "cert-manager-webhook-5b8d7c6f9c", ip: "10.128.0.20", container: "cert-manager-webhook" });
    const hs = investigate({ networkpolicies: [policy], services: [service], endpoints: [endpoints], pods: [webhook] }, { alertname: "Errors", namespace: "cert-manager", pod: webhook.metadata.name }, "2023-02-09T12:00:00Z", [
      { namespace: "cert-manager", pod: webhook.metadata.name, container: "cert-manager-webhook", current: "E0209 11:59:00.000000       1 webhook.go:120] webhook: error building admission chain: Get \"https://172.30.0.1:443/api\": dial tcp 172.30.0.1:443: i/o timeout" }
    ]);
    expect(hs[0]?.title).toMatch(
      /^NetworkPolicy cert-manager\/cert-manager-webhook-allow-egress blocks cert-manager\/cert-manager-webhook\S* → the Kubernetes API server \(default\/kubernetes\): its egress allows TCP 443, the Service's port, but not TCP 6443, the API server's port \(endpoints of default\/kubernetes: 10\.0\.0\.10:6443\)$/
    );
    expect(hs[0]?.confidence).toBe("high");
  });

  it("a port list that guesses 443 and 6443 misses a cluster whose API server listens on 8443 (arkmq-org/arkmq-org-broker-operator#1382)", () => {
    // "the API server listens on non-standard ports (e.g. minikube uses 8443), causing the operator pod to crash-loop with i/o timeouts"
    const { service, endpoints } = apiServer(8443, "10.96.0.1");
    const policy = egressOn("arkmq", "operator", { name: "operator" }, [443, 6443, 53, 8161, 8778]);
    const operator = runningPod("arkmq", "operator-7d9f8b6c5d-x2k4p", { name: "operator" }, [{ containerPort: 8081 }], { owner: "operator-7d9f8b6c5d", ip: "10.244.0.7" });
    const hs = investigate({ networkpolicies: [policy], services: [service], endpoints: [endpoints], pods: [operator] }, { alertname: "Errors", namespace: "arkmq", pod: operator.metadata.name }, "2026-04-14T12:00:00Z", [
      { namespace: "arkmq", pod: operator.metadata.name, container: "main", current: "2026-04-14T11:59:00Z ERROR Get \"https://10.96.0.1:443/api?timeout=32s\": dial tcp 10.96.0.1:443: i/o timeout" }
    ]);
    expect(hs[0]?.title).toContain("but not TCP 8443, the API server's port");
  });

  it("kube-router (k3s) rejects what a policy denies: a refused connection with endpoints ready is checked too (fosrl/helm-charts#22, sympozium-ai/sympozium#28)", () => {
    // fosrl/helm-charts#22: the controller's egress allows DNS and its server only; its pasted error line is verbatim.
    // sympozium-ai/sympozium#28: "The connection to the server 10.43.0.1:443 was refused" under an egress policy on k3s.
    const { service, endpoints } = apiServer(6443, "10.43.0.1");
    const labels = { "app.kubernetes.io/name": "pangolin", "app.kubernetes.io/instance": "pangolin", "app.kubernetes.io/component": "controller" };
    const policy: NetworkPolicy = {
      metadata: { name: "pangolin-controller-egress", namespace: "pangolin" },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ["Egress"],
        egress: [
          { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
          { to: [{ podSelector: { matchLabels: { ...labels, "app.kubernetes.io/component": "server" } } }], ports: [{ protocol: "TCP", port: 3001 }] }
        ]
      }
    };
    const controller = runningPod("pangolin", "pangolin-kube-controller-6d5f7c8b9-w4xzt", labels, [{ containerPort: 8080 }], { owner: "pangolin-kube-controller-6d5f7c8b9", ip: "10.42.0.15", container: "controller" });
    const hs = investigate({ networkpolicies: [policy], services: [service], endpoints: [endpoints], pods: [controller] }, { alertname: "Errors", namespace: "pangolin", pod: controller.metadata.name }, "2025-06-01T12:00:00Z", [
      { namespace: "pangolin", pod: controller.metadata.name, container: "controller", current: 'level=error msg="application error: CRD validation failed: required CRD \\"middlewares.traefik.io\\" not found: Get \\"https://10.43.0.1:443/apis/apiextensions.k8s.io/v1/customresourcedefinitions/middlewares.traefik.io\\": dial tcp 10.43.0.1:443: connect: connection refused"' }
    ]);
    expect(hs[0]?.title).toBe("NetworkPolicy pangolin/pangolin-controller-egress blocks pangolin/pangolin-kube-controller-6d5f7c8b9 → the Kubernetes API server (default/kubernetes) (TCP 6443, the client's egress)");
    expect(hs[0]?.confidence).toBe("high");
  });

  it("a policy that allows the endpoints' address and port is not blamed (kubermatic/kubermatic#12874: the drop was Cilium's, not the rule's)", () => {
    const { service, endpoints } = apiServer(6443, "10.96.0.1");
    const policy = egressOn("cluster-x", "seed-apiserver-allow", { app: "apiserver" }, [443, 6443], "10.0.0.10/32");
    const pod = runningPod("cluster-x", "apiserver-54f99cfff7-kkjf4", { app: "apiserver" }, [{ containerPort: 6443 }], { owner: "apiserver-54f99cfff7", ip: "10.244.1.9" });
    const hs = investigate({ networkpolicies: [policy], services: [service], endpoints: [endpoints], pods: [pod] }, { alertname: "Errors", namespace: "cluster-x", pod: pod.metadata.name }, "2023-12-01T08:00:00Z", [
      { namespace: "cluster-x", pod: pod.metadata.name, container: "main", current: "2023-12-01T07:59:00Z ERROR dial tcp 10.96.0.1:443: i/o timeout" }
    ]);
    expect(hs.some((h) => /NetworkPolic/.test(h.title))).toBe(false);
  });
});

describe("the verdict functions", () => {
  const pod: Endpoint = { namespace: "a", labels: { app: "x" }, ip: "10.0.0.5", namedPorts: new Map([["http", 8080]]) };
  const other: Endpoint = { namespace: "b", labels: { app: "y" }, ip: "10.0.1.5", namedPorts: new Map() };
  const view = (policies: ReadonlyArray<NetworkPolicy>) => viewOf({ networkpolicies: policies });

  it("a pod no policy selects is not isolated", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.constantFrom("TCP" as const, "UDP" as const), (port, protocol) => {
        expect(egressVerdict(view([]), pod, other, { port, protocol }).verdict).toBe("allowed");
        expect(ingressVerdict(view([]), pod, other, { port, protocol }).verdict).toBe("allowed");
      })
    );
  });

  it("a policy without rules denies every port; one with an empty rule allows every port", () => {
    const deny: NetworkPolicy = { metadata: { name: "deny", namespace: "a" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } };
    const all: NetworkPolicy = { metadata: { name: "all", namespace: "a" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] } };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
        expect(egressVerdict(view([deny]), pod, other, { port, protocol: "TCP" }).verdict).toBe("denied");
        expect(ingressVerdict(view([deny]), pod, other, { port, protocol: "TCP" }).verdict).toBe("denied");
        expect(egressVerdict(view([deny, all]), pod, other, { port, protocol: "TCP" }).verdict).toBe("allowed");
      })
    );
  });

  it("named ports resolve on the destination; a namespace selector on unknown labels stays unknown", () => {
    const named: NetworkPolicy = { metadata: { name: "named", namespace: "a" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: "http" }] }] } };
    expect(ingressVerdict(view([named]), pod, other, { port: 8080, protocol: "TCP" }).verdict).toBe("allowed");
    expect(ingressVerdict(view([named]), pod, other, { port: 9090, protocol: "TCP" }).verdict).toBe("denied");
    const team: NetworkPolicy = { metadata: { name: "team", namespace: "a" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "web" } } }] }] } };
    expect(ingressVerdict(view([team]), pod, other, { port: 8080, protocol: "TCP" }).verdict).toBe("unknown");
  });

  it("inCidr: an address is in its own /32 and in 0.0.0.0/0", () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(inCidr(ip, `${ip}/32`)).toBe("allowed");
        expect(inCidr(ip, "0.0.0.0/0")).toBe("allowed");
      })
    );
    expect(inCidr("10.0.0.10", "192.168.0.0/16")).toBe("denied");
    expect(inCidr("fd00::1", "10.0.0.0/8")).toBe("unknown");
  });
});
