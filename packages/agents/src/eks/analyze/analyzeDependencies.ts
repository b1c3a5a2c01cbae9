import type { Endpoints, Service } from "../kube/KubeObjects.js";
import type { Analysis, Frame, SubjectDiagnosis } from "./Analysis.js";
import { subjectLogs } from "./analyzeLogs.js";
import { clipText, kubectl, listNames, plural, podSource } from "./podFacts.js";
import { resolveService } from "./resolveService.js";
import { type DependencyFailure, isDnsFailure } from "./scanLog.js";
import { namespaceObjects, type Subject, subjectsBehindSelector } from "./Subject.js";

export type Diagnose = (a: Analysis, frame: Frame, subject: Subject) => SubjectDiagnosis;

export const COREDNS_SELECTOR = { "k8s-app": "kube-dns" } as const;

const KIND_TEXT: Readonly<Record<DependencyFailure["kind"], string>> = {
  refused: "connection refused",
  timeout: "connection timeout",
  reset: "connection reset",
  unreachable: "host unreachable",
  "dns-nxdomain": "DNS: no such host",
  "dns-timeout": "DNS lookup timeout",
  "dns-unreachable": "DNS server unreachable",
  "dns-error": "DNS lookup failure"
};

interface Aggregated {
  readonly host: string;
  readonly port?: number;
  readonly dns: boolean;
  kinds: Set<DependencyFailure["kind"]>;
  count: number;
  sample: string;
  pods: Set<string>;
  lastTime?: number;
  dnsServer?: string;
}

const readyEndpoints = (endpoints: Endpoints | undefined): { ready: number; notReady: number } => ({
  ready: (endpoints?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0),
  notReady: (endpoints?.subsets ?? []).reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0)
});

const target = (d: Aggregated) => `${d.host}${d.port !== undefined ? `:${d.port}` : ""}`;

/**
 * Follows the connection and DNS failures in the subject's logs to what they point at: the
 * Service and the workloads behind it (diagnosed in turn, one level deeper in the causal
 * chain), a Service that does not exist, or CoreDNS when names stop resolving.
 */
export const analyzeDependencies = (a: Analysis, frame: Frame, subject: Subject, diagnose: Diagnose): number => {
  const failures = new Map<string, Aggregated>();
  for (const l of subjectLogs(a, subject)) {
    for (const d of l.signals.dependencies) {
      if (d.lastTime !== undefined && !a.recent(d.lastTime)) continue;
      const dns = isDnsFailure(d.kind);
      const key = `${d.host}:${dns ? "" : (d.port ?? "")}:${dns ? "dns" : "tcp"}`;
      const seen = failures.get(key);
      if (seen === undefined) {
        failures.set(key, {
          host: d.host,
          ...(d.port !== undefined && !dns ? { port: d.port } : {}),
          dns,
          kinds: new Set([d.kind]),
          count: d.count,
          sample: d.sample,
          pods: new Set([l.pod.metadata.name]),
          ...(d.lastTime !== undefined ? { lastTime: d.lastTime } : {}),
          ...(d.dnsServer !== undefined ? { dnsServer: d.dnsServer } : {})
        });
      } else {
        seen.kinds.add(d.kind);
        seen.count += d.count;
        seen.pods.add(l.pod.metadata.name);
        if (d.lastTime !== undefined && (seen.lastTime === undefined || d.lastTime > seen.lastTime)) seen.lastTime = d.lastTime;
      }
    }
  }
  let problems = 0;
  for (const d of [...failures.values()].sort((x, y) => y.count - x.count)) {
    problems++;
    const kinds = [...d.kinds].map((k) => KIND_TEXT[k]).join(", ");
    const resolution = resolveService(d.host, subject.ref.namespace, a.view.services);
    const firstPod = subject.pods.find((p) => d.pods.has(p.metadata.name)) ?? subject.pods[0]!;
    const symptom = `${subject.label} cannot reach ${target(d)} (${kinds})`;
    const downstream = [symptom, ...frame.downstream];

    if (resolution.kind === "service") {
      const service = resolution.service;
      const ns = resolution.namespace;
      const endpoints = namespaceObjects(a.view, ns).endpoints.find((e) => e.metadata.name === service.metadata.name);
      const { ready, notReady } = readyEndpoints(endpoints);
      const endpointText = endpoints === undefined ? "endpoints not loaded" : `${ready} ready endpoint${ready === 1 ? "" : "s"}${notReady > 0 ? `, ${notReady} not ready` : ""}`;
      const id = a.evidence.add({
        source: podSource(firstPod),
        timestamp: d.lastTime ?? a.alertTime,
        severity: "high",
        content: `${subject.label} logged ${d.count}× ${kinds} to ${target(d)} (${plural(d.pods.size, "pod")}: ${listNames([...d.pods])}) — Service ${ns}/${service.metadata.name} (${service.spec?.clusterIP ?? "no ClusterIP"}) has ${endpointText}. Example: ${d.sample}`,
        metadata: { host: d.host, port: d.port ?? null, kinds: [...d.kinds], count: d.count, service: `${ns}/${service.metadata.name}`, readyEndpoints: ready, notReadyEndpoints: notReady }
      });
      if (d.dns) {
        problems += dnsInfrastructure(a, frame, subject, d, id, diagnose, `Service ${ns}/${service.metadata.name} exists, yet ${d.host} does not resolve`);
        continue;
      }
      const behind = service.spec?.selector === undefined ? [] : subjectsBehindSelector(a.view, ns, service.spec.selector).filter((s) => !frame.path.includes(`${s.ref.kind}/${s.ref.namespace}/${s.ref.name}`));
      const depFrame: Frame = { depthBase: frame.depthBase + 2, downstream, path: [...frame.path, `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`] };
      const diagnoses = behind.filter((s) => `${s.ref.kind}/${s.ref.namespace}/${s.ref.name}` !== `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`).map((s) => diagnose(a, depFrame, s));
      const down = diagnoses.filter((x) => !x.healthy);
      const serviceLabel = `${ns}/${service.metadata.name}`;
      if (ready === 0 || down.length > 0) {
        a.propose(frame, subject.label, {
          key: `dependency-down:${serviceLabel}`,
          title: `${serviceLabel} is unavailable: ${subject.label} cannot connect to it (${kinds})`,
          detail: `${subject.label} failed ${d.count} times to reach ${target(d)}. The Service has ${endpointText}${diagnoses.length > 0 ? `; behind it: ${diagnoses.map((x) => `${x.subject.label} ${x.status}`).join("; ")}` : service.spec?.selector !== undefined ? "; no pods match its selector" : ""}.`,
          confidence: "high",
          depth: 2,
          supporting: [id],
          confirmBy: `${kubectl(ns, `get endpoints ${service.metadata.name}`)}; ${kubectl(ns, `get pods -l ${Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",")}`)}`,
          actions: [`Restore ${serviceLabel} first; ${subject.label} should recover once it has ready endpoints`],
          chain: [`${serviceLabel} has ${endpointText}`]
        });
      } else {
        a.propose(frame, subject.label, {
          key: `dependency-flaky:${serviceLabel}:${d.port ?? ""}`,
          title: `${subject.label} cannot reach ${serviceLabel} although it has ${ready} ready endpoints (${kinds})`,
          detail: `${d.kinds.has("refused") ? "Connections are refused: check that the Service port/targetPort matches the port the pods listen on." : "Connections time out: check NetworkPolicies between the namespaces and whether the backend is overloaded."} Example: ${clipText(d.sample, 200)}`,
          confidence: "medium",
          depth: 2,
          supporting: [id],
          confirmBy: `${kubectl(ns, `describe service ${service.metadata.name}`)} (Port/TargetPort/Endpoints); kubectl get networkpolicy -n ${ns}`,
          actions: ["Compare the Service's targetPort with the containers' ports; test from the client pod with nc -zv"]
        });
      }
      continue;
    }

    const id = a.evidence.add({
      source: podSource(firstPod),
      timestamp: d.lastTime ?? a.alertTime,
      severity: "high",
      content: `${subject.label} logged ${d.count}× ${kinds} to ${target(d)} (${plural(d.pods.size, "pod")}: ${listNames([...d.pods])})${resolution.kind === "missing-service" ? ` — no Service ${resolution.name} in namespace ${resolution.namespace}${resolution.elsewhere.length > 0 ? ` (one exists in ${resolution.elsewhere.join(", ")})` : ""}` : ""}. Example: ${d.sample}`,
      metadata: { host: d.host, port: d.port ?? null, kinds: [...d.kinds], count: d.count, resolution: resolution.kind }
    });
    if (resolution.kind === "missing-service") {
      a.propose(frame, subject.label, {
        key: `missing-service:${resolution.namespace}/${resolution.name}`,
        title: `${subject.label} connects to ${d.host}, but no Service ${resolution.name} exists in ${resolution.namespace}`,
        detail: `The name cannot resolve because nothing serves it${resolution.elsewhere.length > 0 ? `; a Service named ${resolution.name} exists in ${resolution.elsewhere.join(", ")}, so the configuration probably lacks the namespace (${resolution.name}.${resolution.elsewhere[0] ?? ""})` : ""}.`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: `kubectl get svc -A | grep ${resolution.name}; check the host configured in ${subject.label}'s env/ConfigMap`,
        actions: [resolution.elsewhere.length > 0 ? `Point ${subject.label} at ${resolution.name}.${resolution.elsewhere[0] ?? ""}.svc.cluster.local` : `Create Service ${resolution.name} in ${resolution.namespace} or fix the host name in the configuration`]
      });
      continue;
    }
    if (d.dns) {
      problems += dnsInfrastructure(a, frame, subject, d, id, diagnose, `${d.host} does not resolve`);
      continue;
    }
    a.propose(frame, subject.label, {
      key: `external:${target(d)}`,
      title: `${subject.label} cannot reach ${target(d)} outside the cluster (${kinds})`,
      detail: `${d.count} failures, e.g. ${clipText(d.sample, 200)}. The host is not a Service of this cluster: check the external endpoint, security groups, NAT and egress NetworkPolicies.`,
      confidence: "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `exec ${firstPod.metadata.name} -- nc -zv ${d.host} ${d.port ?? 443}`)}; check the dependency's own health page`,
      actions: ["Check the external dependency's status and the VPC egress path (security groups, NAT gateway, egress NetworkPolicy)"]
    });
  }
  return problems;
};

/** Name resolution failing: CoreDNS (kube-system, `k8s-app=kube-dns`) is checked like any workload. */
const dnsInfrastructure = (a: Analysis, frame: Frame, subject: Subject, d: Aggregated, id: string, diagnose: Diagnose, what: string): number => {
  const corednsSubjects = subjectsBehindSelector(a.view, "kube-system", COREDNS_SELECTOR);
  const depFrame: Frame = {
    depthBase: frame.depthBase + 2,
    downstream: [`${subject.label}: ${what}`, ...frame.downstream],
    path: [...frame.path, `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`]
  };
  const diagnoses = corednsSubjects.map((s) => diagnose(a, depFrame, s));
  const down = diagnoses.filter((x) => !x.healthy);
  const service: Service | undefined = a.view.services.find((s) => s.metadata.namespace === "kube-system" && s.metadata.name === "kube-dns");
  const endpoints = namespaceObjects(a.view, "kube-system").endpoints.find((e) => e.metadata.name === "kube-dns");
  const { ready } = readyEndpoints(endpoints);
  const dnsId = a.evidence.add({
    source: "kubernetes/service/kube-system/kube-dns",
    timestamp: a.alertTime,
    severity: down.length > 0 || (endpoints !== undefined && ready === 0) ? "critical" : "info",
    content:
      corednsSubjects.length === 0
        ? "No CoreDNS pods (k8s-app=kube-dns) were found in kube-system"
        : `CoreDNS: ${diagnoses.map((x) => `${x.subject.label} ${x.status}`).join("; ")}; Service kube-dns ${service?.spec?.clusterIP ?? ""} has ${endpoints === undefined ? "unknown" : ready} ready endpoints${d.dnsServer !== undefined ? `; the failing lookups asked ${d.dnsServer}` : ""}`,
    metadata: { corednsPods: corednsSubjects.reduce((n, s) => n + s.pods.length, 0), readyEndpoints: ready, unhealthy: down.map((x) => x.subject.label) }
  });
  if (down.length > 0 || (endpoints !== undefined && ready === 0)) {
    a.propose(frame, subject.label, {
      key: "coredns-down",
      title: `CoreDNS is unavailable: cluster names do not resolve (${subject.label} fails to look up ${d.host})`,
      detail: `${what}. ${down.map((x) => `${x.subject.label} ${x.status}`).join("; ") || "The kube-dns Service has no ready endpoints"}.`,
      confidence: "high",
      depth: 2,
      supporting: [id, dnsId],
      confirmBy: "kubectl -n kube-system get pods -l k8s-app=kube-dns; kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50",
      actions: ["Restore CoreDNS: kubectl -n kube-system rollout restart deployment/coredns (after reading why it fails)", "Check the EKS CoreDNS add-on version and its ConfigMap (kubectl -n kube-system get configmap coredns -o yaml)"]
    });
  } else {
    a.propose(frame, subject.label, {
      key: `dns:${d.host}`,
      title: `${subject.label} cannot resolve ${d.host} although CoreDNS looks healthy`,
      detail: `${what}. CoreDNS has ready endpoints, so the lookup path is the suspect: a NetworkPolicy blocking port 53 to kube-system, node-local DNS, conntrack exhaustion, or an upstream resolver failing for external names.`,
      confidence: "medium",
      depth: 2,
      supporting: [id, dnsId],
      confirmBy: `${kubectl(subject.ref.namespace, `exec <pod> -- nslookup ${d.host}`)}; kubectl -n kube-system logs -l k8s-app=kube-dns --tail=100 | grep -i error`,
      actions: ["Test resolution from the failing pod and from another namespace; check NetworkPolicies for egress to kube-dns on UDP/TCP 53"]
    });
  }
  return 1;
};
