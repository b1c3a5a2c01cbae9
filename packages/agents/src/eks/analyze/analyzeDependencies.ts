import type { Endpoints, Pod, Service } from "../kube/KubeObjects.js";
import type { Analysis, Frame, SubjectDiagnosis } from "./Analysis.js";
import { subjectLogs } from "./analyzeLogs.js";
import { connectionBlockedByPolicy, dnsBlockedByPolicy, externalBlockedByPolicy } from "./analyzeNetworkPolicies.js";
import { backendsOf, checkService, controllersBehind, readyEndpoints, selectorText } from "./analyzeServices.js";
import { isClusterName, nodeResolverOf } from "./nodeResolver.js";
import { initWaits } from "./initWaits.js";
import { clipText, kubectl, listNames, plural, podSource } from "./podFacts.js";
import { type HostResolution, resolveService } from "./resolveService.js";
import { type DependencyFailure, isDnsFailure } from "./scanLog.js";
import { makeSubject, namespaceObjects, type Subject, subjectsBehindSelector, workloadOf } from "./Subject.js";

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
  /** Read from an init container's wait loop, not from a log line. */
  waiting?: boolean;
}

/** `logged 3× connection refused to db:5432`, or `waits (init container) for kafka:9092`. */
const told = (d: Aggregated, kinds: string): string => (d.waiting === true ? `waits (init container) for ${target(d)}` : `logged ${d.count}× ${kinds} to ${target(d)}`);

const target = (d: Aggregated) => `${d.host}${d.port !== undefined ? `:${d.port}` : ""}`;

/** Where the subject's configuration names a host or a namespace: `api env DB_HOST=db.payments`. */
const envNaming = (subject: Subject, values: ReadonlyArray<string>): ReadonlyArray<string> => {
  const found = new Set<string>();
  for (const pod of subject.pods.slice(0, 1))
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])])
      for (const e of c.env ?? []) {
        const v = typeof e.value === "string" ? e.value.toLowerCase() : "";
        if (v !== "" && values.some((x) => x !== "" && (v === x || v.includes(x)))) found.add(`${c.name ?? ""} env ${e.name ?? ""}=${clipText(e.value ?? "", 80)}`);
      }
  return [...found];
};

const podByIp = (a: Analysis, ip: string): Pod | undefined => {
  if (!/^\d{1,3}(?:\.\d{1,3}){3}$/.test(ip)) return undefined;
  for (const objects of a.view.namespaces.values()) {
    const pod = objects.pods.find((p) => p.status?.podIP === ip && p.spec?.hostNetwork !== true && p.status.phase !== "Succeeded" && p.status.phase !== "Failed");
    if (pod !== undefined) return pod;
  }
  return undefined;
};

/** The Service a name was probably meant for, in words, when it resolves to nothing. */
const missingText = (r: Extract<HostResolution, { kind: "missing-service" }>): string =>
  r.swapped !== undefined
    ? `no Service ${r.name} exists in namespace ${r.namespace}${r.namespaceKnown ? "" : " (no such namespace either)"}, but Service ${r.swapped.metadata.name} exists in namespace ${r.swapped.metadata.namespace ?? ""}: the name has the Service and the namespace swapped`
    : `no Service ${r.name} in namespace ${r.namespace}${r.namespaceKnown ? "" : " (no Service lives in a namespace of that name: it probably does not exist)"}${r.elsewhere.length > 0 ? ` (one exists in ${r.elsewhere.join(", ")})` : ""}${r.prefixed !== undefined ? `, but Service ${r.prefixed.metadata.name} does: the same name with a prefix (a Helm release name)` : ""}`;

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
  // Init containers that loop until another service answers name it in their command, often without a log line.
  for (const w of initWaits(subject.pods)) {
    const key = `${w.host}:${w.port ?? ""}:tcp`;
    const seen = failures.get(key);
    if (seen !== undefined) {
      seen.pods.add(w.pod.metadata.name);
      continue;
    }
    failures.set(key, {
      host: w.host,
      ...(w.port !== undefined ? { port: w.port } : {}),
      dns: false,
      kinds: new Set(["timeout"]),
      count: 1,
      waiting: true,
      sample: `init container ${w.container} is still waiting for ${w.host}${w.port !== undefined ? `:${w.port}` : ""} (${w.command})`,
      pods: new Set([w.pod.metadata.name])
    });
  }
  let problems = 0;
  for (const d of [...failures.values()].sort((x, y) => y.count - x.count)) {
    problems++;
    const kinds = [...d.kinds].map((k) => KIND_TEXT[k]).join(", ");
    const resolution = resolveService(d.host, subject.ref.namespace, a.view.services);
    const firstPod = subject.pods.find((p) => d.pods.has(p.metadata.name)) ?? subject.pods[0]!;
    const symptom = `${subject.label} cannot reach ${target(d)} (${kinds})`;
    const downstream = [symptom, ...frame.downstream];

    // How the pod resolves names comes before what the name points at: a pod on the node's resolver never sees cluster DNS.
    const resolver = d.dns && isClusterName(d.host, new Set(a.view.namespaces.keys())) ? nodeResolverOf(subject.pods.filter((p) => d.pods.has(p.metadata.name))) : undefined;
    if (resolver !== undefined) {
      const id = a.evidence.add({
        source: podSource(firstPod),
        timestamp: d.lastTime ?? a.alertTime,
        severity: "high",
        content: `${subject.label} logged ${d.count}× ${kinds} for ${d.host}; its pod ${firstPod.metadata.name} runs with ${resolver.why}, so it uses the node's /etc/resolv.conf, not cluster DNS. Example: ${d.sample}`,
        metadata: { host: d.host, kinds: [...d.kinds], count: d.count, hostNetwork: firstPod.spec?.hostNetwork === true, dnsPolicy: firstPod.spec?.dnsPolicy ?? null }
      });
      a.propose(frame, subject.label, {
        key: `node-resolver:${subject.label}:${d.host}`,
        title: `${subject.label} cannot resolve ${d.host} (${kinds}): its pods run with ${resolver.why}, so they use the node's resolver, which does not know cluster Service names`,
        detail: `A pod with hostNetwork: true gets cluster DNS only with dnsPolicy ClusterFirstWithHostNet; under ClusterFirst it falls back to the node's /etc/resolv.conf (as does dnsPolicy Default), where ${d.host} does not exist. ${d.count}× in the log, e.g. ${clipText(d.sample, 200)}.`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: `${kubectl(subject.ref.namespace, `get pod ${firstPod.metadata.name} -o jsonpath='{.spec.hostNetwork} {.spec.dnsPolicy}'`)}; ${kubectl(subject.ref.namespace, `exec ${firstPod.metadata.name} -- cat /etc/resolv.conf`)}`,
        actions: [`Set dnsPolicy: ClusterFirstWithHostNet in ${subject.label}'s pod template (or drop hostNetwork if it is not needed)`]
      });
      continue;
    }

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
        content: `${subject.label} ${told(d, kinds)} (${plural(d.pods.size, "pod")}: ${listNames([...d.pods])}) — Service ${ns}/${service.metadata.name} (${service.spec?.clusterIP ?? "no ClusterIP"}) has ${endpointText}. Example: ${d.sample}`,
        metadata: { host: d.host, port: d.port ?? null, kinds: [...d.kinds], count: d.count, service: `${ns}/${service.metadata.name}`, readyEndpoints: ready, notReadyEndpoints: notReady }
      });
      if (d.dns && unpublished(service, endpoints, resolution.pod)) {
        problems += headlessNotReady(a, frame, subject, d, id, diagnose, service, resolution.pod, { ready, notReady, kinds });
        continue;
      }
      if (d.dns) {
        problems += dnsInfrastructure(a, frame, subject, d, id, diagnose, `Service ${ns}/${service.metadata.name} exists, yet ${d.host} does not resolve`);
        continue;
      }
      const withPods = service.spec?.selector === undefined ? [] : subjectsBehindSelector(a.view, ns, service.spec.selector);
      // A controller whose pods were never created (quota, admission) is behind the Service too, with nothing to select.
      const podless = controllersBehind(a.view, service)
        .filter((c) => (c.replicas ?? 1) > 0 && !withPods.some((s) => s.ref.kind === c.kind && s.ref.name === c.name))
        .map((c) => makeSubject({ kind: c.kind, namespace: ns, name: c.name }, namespaceObjects(a.view, ns)));
      const behind = [...withPods, ...podless].filter((s) => !frame.path.includes(`${s.ref.kind}/${s.ref.namespace}/${s.ref.name}`));
      const depFrame: Frame = { depthBase: frame.depthBase + 2, downstream, path: [...frame.path, `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`] };
      const diagnoses = behind.filter((s) => `${s.ref.kind}/${s.ref.namespace}/${s.ref.name}` !== `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`).map((s) => diagnose(a, depFrame, s));
      const down = diagnoses.filter((x) => !x.healthy);
      const serviceLabel = `${ns}/${service.metadata.name}`;
      const backends = backendsOf(a.view, service);
      const serviceDownstream = [`${subject.label} cannot reach ${target(d)} (${kinds})`, ...frame.downstream];
      // The Service's own spec can be why it has nothing behind it: a selector or a targetPort that matches no pod.
      if (service.spec?.selector !== undefined && backends.length === 0) {
        problems += checkService(a, frame, service, { named: true, supporting: [id], downstream: serviceDownstream, depth: 3 });
      } else if (d.kinds.has("refused")) {
        problems += checkService(a, frame, service, { named: true, refused: true, supporting: [id], downstream: serviceDownstream, depth: 3 });
      }
      if (ready === 0 || down.length > 0) {
        // What the client meets first is the endpoints: none ready, or none at all; then why.
        const noneReady = endpoints === undefined || ready > 0 ? undefined : notReady > 0 ? `no ready endpoints, ${notReady} not ready` : "no endpoints";
        const state =
          down.length > 0
            ? [...(noneReady !== undefined ? [noneReady] : []), ...down.map((x) => `${x.subject.label} ${x.status}`)].join("; ")
            : service.spec?.selector !== undefined && backends.length === 0
              ? `no pod matches its selector ${selectorText(service.spec.selector)}`
              : endpointText;
        a.propose(frame, subject.label, {
          key: `dependency-down:${serviceLabel}`,
          title: `${serviceLabel} is unavailable (${state}): ${subject.label} cannot connect to it (${kinds})`,
          detail: `${subject.label} failed ${d.count} times to reach ${target(d)}. The Service has ${endpointText}${diagnoses.length > 0 ? `; behind it: ${diagnoses.map((x) => `${x.subject.label} ${x.status}`).join("; ")}` : service.spec?.selector !== undefined ? "; no pods match its selector" : ""}.`,
          // Its backends, diagnosed in turn, propose why they are down: this link must not outrank that deeper cause by confidence alone.
          confidence: down.length > 0 ? "medium" : "high",
          depth: 2,
          supporting: [id],
          confirmBy: `${kubectl(ns, `get endpoints ${service.metadata.name}`)}; ${kubectl(ns, `get pods -l ${Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",")}`)}`,
          actions: [`Restore ${serviceLabel} first; ${subject.label} should recover once it has ready endpoints`],
          chain: [`${serviceLabel} has ${endpointText}`]
        });
      } else {
        // A policy's drop times out; kube-router (k3s's policy controller) rejects instead, so the
        // client sees "connection refused" with endpoints ready (sympozium-ai/sympozium#28, k3s-io/k3s#6546,
        // fosrl/helm-charts#22): a refusal is checked against the policies too.
        if (d.kinds.has("timeout") || d.kinds.has("unreachable") || d.kinds.has("refused")) connectionBlockedByPolicy(a, frame, subject, service, backends, d.port ?? service.spec?.ports?.[0]?.port ?? 0, `${subject.label} cannot reach ${target(d)} (${kinds})`, [id]);
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
      content: `${subject.label} ${told(d, kinds)} (${plural(d.pods.size, "pod")}: ${listNames([...d.pods])})${resolution.kind === "missing-service" ? ` — ${missingText(resolution)}` : ""}. Example: ${d.sample}`,
      metadata: { host: d.host, port: d.port ?? null, kinds: [...d.kinds], count: d.count, resolution: resolution.kind }
    });
    if (resolution.kind === "missing-service") {
      const swapped = resolution.swapped;
      const env = envNaming(subject, [d.host, ...(swapped !== undefined ? [swapped.metadata.namespace ?? ""] : [])]);
      const prefixed = resolution.prefixed;
      const correct =
        swapped !== undefined
          ? `${swapped.metadata.name}.${swapped.metadata.namespace ?? ""}.svc.cluster.local`
          : resolution.elsewhere.length > 0
            ? `${resolution.name}.${resolution.elsewhere[0] ?? ""}.svc.cluster.local`
            : prefixed !== undefined
              ? prefixed.metadata.name
              : undefined;
      const verb = d.dns ? `cannot resolve ${d.host} (${kinds})` : `connects to ${d.host}`;
      // Without every namespace's Services, "no such Service" is only what the part read shows.
      const servicesIncomplete = a.view.gaps.some((g) => g.what.startsWith("services"));
      a.propose(frame, subject.label, {
        key: `missing-service:${resolution.namespace}/${resolution.name}`,
        title:
          swapped !== undefined
            ? `${subject.label} ${verb}: the name has the Service and the namespace swapped — Service ${swapped.metadata.name} exists in namespace ${swapped.metadata.namespace ?? ""}`
            : prefixed !== undefined
              ? `${subject.label} ${verb}: no Service ${resolution.name} exists in ${resolution.namespace}, but Service ${prefixed.metadata.name} does — the host name lacks the prefix (release name) the Service was created with`
              : `${subject.label} ${verb}, but no Service ${resolution.name} exists in ${resolution.namespace}${resolution.namespaceKnown ? "" : " (no such namespace)"}`,
        detail: `Cluster DNS names a Service <service>.<namespace>.svc.cluster.local; ${missingText(resolution)}.${correct !== undefined ? ` The name that resolves is ${correct}.` : ""}${env.length > 0 ? ` The name comes from the configuration: ${env.join("; ")}.` : ""}`,
        // "No such Service" leaves open whether the name or the deployment is wrong; a swapped name, a Service of that name elsewhere or one with a prefix answers it.
        confidence: !servicesIncomplete && (swapped !== undefined || resolution.elsewhere.length > 0 || prefixed !== undefined) ? "high" : "medium",
        depth: 2,
        supporting: [id],
        confirmBy: `kubectl get svc -A | grep -e ${resolution.name} -e ${swapped?.metadata.name ?? resolution.namespace}; check the host configured in ${subject.label}'s env/ConfigMap`,
        actions: [correct !== undefined ? `Point ${subject.label} at ${correct}${env.length > 0 ? ` (${env[0] ?? ""})` : ""}` : `Create Service ${resolution.name} in ${resolution.namespace} or fix the host name in the configuration`]
      });
      continue;
    }
    if (d.dns) {
      problems += dnsInfrastructure(a, frame, subject, d, id, diagnose, `${d.host} does not resolve`);
      continue;
    }
    // A pod's own IP (a headless Service, a direct connection): follow it to that pod's workload.
    const owner = podByIp(a, d.host);
    // Its own pod's address (a sidecar, a self-check): not a dependency.
    if (owner !== undefined && subject.pods.some((p) => p.metadata.uid === owner.metadata.uid && p.metadata.name === owner.metadata.name)) continue;
    if (owner !== undefined) {
      const objects = namespaceObjects(a.view, owner.metadata.namespace ?? "");
      const dep = makeSubject(workloadOf(owner, objects), objects);
      const depFrame: Frame = { depthBase: frame.depthBase + 2, downstream, path: [...frame.path, `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`] };
      const diagnosis = frame.path.includes(`${dep.ref.kind}/${dep.ref.namespace}/${dep.ref.name}`) ? undefined : diagnose(a, depFrame, dep);
      if (diagnosis !== undefined && !diagnosis.healthy) {
        a.propose(frame, subject.label, {
          key: `dependency-down:${dep.label}`,
          title: `${dep.label} is unavailable (${diagnosis.status}): ${subject.label} cannot connect to its pod ${owner.metadata.name} at ${target(d)} (${kinds})`,
          detail: `${subject.label} failed ${d.count} times to reach ${target(d)}, the IP of pod ${owner.metadata.namespace ?? ""}/${owner.metadata.name} (${dep.label}: ${diagnosis.status}).`,
          confidence: "high",
          depth: 2,
          supporting: [id],
          confirmBy: kubectl(owner.metadata.namespace ?? "", `get pod ${owner.metadata.name} -o wide`),
          actions: [`Restore ${dep.label} first; ${subject.label} should recover once it answers`],
          chain: [`${dep.label} ${diagnosis.status}`]
        });
        continue;
      }
    }
    if (d.kinds.has("timeout") || d.kinds.has("unreachable")) externalBlockedByPolicy(a, frame, subject, d.host, d.port, `${subject.label} cannot reach ${target(d)} (${kinds})`, [id]);
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

/**
 * Whether cluster DNS has no record for a Service name because nothing behind it is ready: a
 * headless Service (clusterIP None) resolves to its ready endpoints' addresses only, and one pod's
 * name (`db-0.db`) to that pod's address only once it is ready, unless the Service sets
 * publishNotReadyAddresses. A Service with a ClusterIP resolves whatever its endpoints.
 */
const unpublished = (service: Service, endpoints: Endpoints | undefined, pod: string | undefined): boolean => {
  if (service.spec?.clusterIP !== "None" || service.spec.publishNotReadyAddresses === true || endpoints === undefined) return false;
  const addresses = (endpoints.subsets ?? []).flatMap((s) => s.addresses ?? []);
  if (pod === undefined) return addresses.length === 0;
  return !addresses.some((x) => x.targetRef?.name === pod || x.hostname === pod);
};

/**
 * A name that does not resolve because the headless Service has no ready endpoint behind it:
 * pulp/pulp-operator#603 (nginx `host not found in upstream "example-pulp-content-svc:24816"`
 * until the content pods are ready; fixed with publishNotReadyAddresses), cadence-workflow/
 * cadence-charts#90 (ringpop bootstrap finds no hosts from the DNS name while no pod is ready),
 * skupperproject/skupper#832. The workloads behind it are diagnosed one level deeper: why they are
 * not ready is the cause below.
 */
const headlessNotReady = (
  a: Analysis,
  frame: Frame,
  subject: Subject,
  d: Aggregated,
  id: string,
  diagnose: Diagnose,
  service: Service,
  pod: string | undefined,
  counts: { readonly ready: number; readonly notReady: number; readonly kinds: string }
): number => {
  const ns = service.metadata.namespace ?? subject.ref.namespace;
  const serviceLabel = `${ns}/${service.metadata.name}`;
  const symptom = `${subject.label} cannot resolve ${d.host} (${counts.kinds})`;
  const depFrame: Frame = { depthBase: frame.depthBase + 2, downstream: [symptom, ...frame.downstream], path: [...frame.path, `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`] };
  const behind = (service.spec?.selector === undefined ? [] : subjectsBehindSelector(a.view, ns, service.spec.selector)).filter(
    (s) => !frame.path.includes(`${s.ref.kind}/${s.ref.namespace}/${s.ref.name}`) && `${s.ref.kind}/${s.ref.namespace}/${s.ref.name}` !== `${subject.ref.kind}/${subject.ref.namespace}/${subject.ref.name}`
  );
  const diagnoses = behind.map((s) => diagnose(a, depFrame, s));
  const state =
    pod !== undefined
      ? `its pod ${pod} is not a ready endpoint`
      : counts.notReady > 0
        ? `no ready endpoints, ${counts.notReady} not ready`
        : "no endpoints at all";
  const backends = diagnoses.length > 0 ? `; behind it: ${diagnoses.map((x) => `${x.subject.label} ${x.status}`).join("; ")}` : service.spec?.selector === undefined ? "" : `; no pod matches its selector ${selectorText(service.spec.selector)}`;
  a.propose(frame, subject.label, {
    key: `headless-not-ready:${serviceLabel}:${pod ?? ""}`,
    title: `${subject.label} cannot resolve ${d.host}: headless Service ${serviceLabel} has ${state} and does not set publishNotReadyAddresses, so cluster DNS has no record for it`,
    detail: `A headless Service (clusterIP: None) resolves to the addresses of its ready endpoints only; with none ready${pod !== undefined ? ` (pod ${pod} included)` : ""}, ${d.host} does not resolve (${counts.kinds}, ${d.count}× in ${subject.label}'s log)${backends}. It resolves once a pod behind it is ready, or at once with spec.publishNotReadyAddresses: true.`,
    confidence: "high",
    depth: 2,
    supporting: [id],
    confirmBy: `${kubectl(ns, `get endpoints ${service.metadata.name} -o yaml`)} (notReadyAddresses); ${kubectl(ns, `get svc ${service.metadata.name} -o jsonpath='{.spec.clusterIP} {.spec.publishNotReadyAddresses}'`)}`,
    actions: [
      `Find why the pods behind ${serviceLabel} are not ready (${diagnoses.map((x) => x.subject.label).join(", ") || "its selector's pods"}); ${subject.label} recovers once one is`,
      `If ${subject.label} must resolve the name before they are ready (peer discovery, an nginx upstream), set spec.publishNotReadyAddresses: true on ${serviceLabel}, or have the client resolve at request time`
    ],
    chain: [`${serviceLabel} has ${state}`]
  });
  return 1;
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
      // With CoreDNS's own pods diagnosed, why they are down is the deeper cause, proposed with them: this link of the chain
      // must not outrank it by confidence alone.
      confidence: down.length > 0 ? "medium" : "high",
      depth: 2,
      supporting: [id, dnsId],
      confirmBy: "kubectl -n kube-system get pods -l k8s-app=kube-dns; kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50",
      actions: ["Restore CoreDNS: kubectl -n kube-system rollout restart deployment/coredns (after reading why it fails)", "Check the EKS CoreDNS add-on version and its ConfigMap (kubectl -n kube-system get configmap coredns -o yaml)"]
    });
  } else {
    dnsBlockedByPolicy(a, frame, subject, `${subject.label} cannot resolve ${d.host} (${[...d.kinds].map((k) => KIND_TEXT[k]).join(", ")})`, [id, dnsId], d.dnsServer);
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
