import type { Confidence } from "@sre-on-call/core";
import type { Event, Node, PersistentVolumeClaim, Pod, ResourceRequirements } from "../kube/KubeObjects.js";
import { formatQuantity, isCordoned, nodeMatchesPod, nodesWithTaint, placementText, podRequest, podRequestText, taintText, untoleratedTaints } from "../kube/placement.js";
import { parseQuantity } from "../kube/quantity.js";
import { eventCount, eventTime, formatTime } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { analyzeClaim } from "./analyzeClaim.js";
import { certManagerServices, issuedByCertManager } from "./certManagerSecret.js";
import { configMapElsewhere } from "./configMapElsewhere.js";
import { describeMountFailure } from "./describeMountFailure.js";
import { parseCreateFailure } from "./parseCreateFailure.js";
import { bindingObstacle, INTENT_OBSTACLES, parseSchedulingMessage, type SchedulingFailure, type SchedulingReason } from "./parseSchedulingMessage.js";
import { causeText, clipText, kubectl, kubectlRef, listNames, plural, podSource } from "./podFacts.js";
import { proposeMissingServiceAccount } from "./proposeMissingServiceAccount.js";
import { rollingUpdateHolds } from "./rollingAttach.js";
import { CREATED, failedForRunningPod, supersededBy } from "./selectEvents.js";
import type { Subject } from "./Subject.js";
import { hostPortHolders, hostPortsOf } from "./hostPorts.js";
import { ATTACHER_TIMEOUT, readAttacher } from "./csiAttacher.js";
import { readVolumeAffinity } from "./volumeAffinity.js";
import { readAntiAffinity } from "./antiAffinity.js";
import { readUnboundClaims } from "./unboundClaims.js";

const latest = (events: ReadonlyArray<Event>): Event | undefined => events[events.length - 1];

/** The scheduler's own verdict names every node's obstacle: `0/30 nodes are available: 1 Insufficient memory, …`. */
const SCHEDULER_VERDICT = /\d+\/\d+ nodes are available/i;

/**
 * A pod's FailedScheduling events come from the scheduler and from autoscalers that could not add a
 * node for it (Karpenter files its own FailedScheduling: `Failed to schedule pod, incompatible
 * requirements, …`). The scheduler's verdict says why no existing node fits; the autoscaler's why no
 * new one comes (knowledgesystems/knowledgesystems-k8s-deployment#453: `1 Insufficient memory` on the
 * only node the selector allows, and Karpenter's NodePool without that label; aws/karpenter-provider-aws#5406
 * and kubernetes-sigs/karpenter#932: Karpenter's events about the pod interleaved with the scheduler's
 * `0/N nodes are available: … Insufficient memory`). The verdict is read; the autoscaler's word is kept beside it.
 */
const schedulingEvents = (events: ReadonlyArray<Event>): { readonly verdict?: Event; readonly autoscaler?: Event } => {
  const verdict = latest(events.filter((e) => SCHEDULER_VERDICT.test(e.message ?? ""))) ?? latest(events);
  const autoscaler = latest(events.filter((e) => e !== verdict && !SCHEDULER_VERDICT.test(e.message ?? "") && /karpenter|autoscaler/i.test(`${e.source?.component ?? ""} ${e.reportingComponent ?? ""}`)));
  return { ...(verdict !== undefined ? { verdict } : {}), ...(autoscaler !== undefined ? { autoscaler } : {}) };
};

const claimsOf = (pod: Pod): ReadonlyArray<string> =>
  (Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : []).map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => typeof c === "string" && c !== "");

/** Pods that hold a place on a node (the scheduler counts them against its `pods` capacity). */
const podsOnNode = (a: Analysis, node: string): number =>
  [...a.view.namespaces.values()].reduce((n, o) => n + o.pods.filter((p) => p.spec?.nodeName === node && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed").length, 0);

const OTHER_REQUESTS = ["cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"];

/** ` (ip-10-0-1-5, ip-10-0-2-7)`: the nodes an obstacle lies on, when the nodes read show them and they are few. */
const nodeNames = (nodes: ReadonlyArray<Node>): string => (nodes.length > 0 && nodes.length <= 3 ? ` (${listNames(nodes.map((n) => n.metadata.name))})` : "");

/** What the scheduler's words mean for this pod, with the values that name the cause. */
interface ObstacleReading {
  readonly text: string;
  readonly confidence: Confidence;
  /** Facts from the nodes and the pod's spec that back the reading. */
  readonly facts: ReadonlyArray<string>;
}

const readObstacle = (a: Analysis, r: SchedulingReason, pod: Pod, failure: SchedulingFailure): ObstacleReading => {
  const placement = placementText(pod);
  const intents = failure.reasons.filter((x) => INTENT_OBSTACLES.has(x.obstacle));
  const intent = intents.length > 0;
  const intended = a.view.nodes.filter((n) => nodeMatchesPod(n, pod));
  const one = r.nodes === 1;
  const nodesWord = one ? "node" : "nodes";
  const rule = placement ?? (intents.some((x) => x.obstacle === "pod-affinity") ? "pod affinity" : "node affinity");
  const where = intent ? `the ${nodesWord} its ${rule} allows` : `the ${nodesWord}`;
  const be = one ? "is" : "are";
  switch (r.obstacle) {
    case "insufficient-resources": {
      const resource = r.detail ?? "capacity";
      if (resource === "pods") {
        const pool = intent && a.view.nodes.length > 0 ? intended : a.view.nodes;
        const candidates = pool.filter((n) => n.status?.allocatable?.["pods"] !== undefined);
        const full = candidates.filter((n) => podsOnNode(a, n.metadata.name) >= (parseQuantity(n.status?.allocatable?.["pods"]) ?? Infinity));
        // The scheduler counted r.nodes nodes at capacity: when that is every node read that the pod may use, those are the ones.
        const counted = r.nodes !== undefined && pool.length > 0 && r.nodes === pool.length ? pool : [];
        const shown = full.length > 0 ? full : counted.length > 0 ? counted : candidates;
        const capacities = [...new Set(shown.map((n) => n.status?.allocatable?.["pods"]).filter((c): c is string => c !== undefined))];
        const names = shown.length > 0 && shown.length <= 3 ? listNames(shown.map((n) => n.metadata.name)) : undefined;
        const only = failure.totalNodes === 1 && a.view.nodes.length === 1 && names !== undefined;
        const capacity = capacities.length === 1 ? ` (max ${capacities[0]} pods per node${names !== undefined && !only ? `: ${names}` : ""})` : names !== undefined && !only ? ` (${names})` : "";
        return {
          text: only ? `Too many pods: the cluster's only node, ${names}, is at its pod capacity${capacities.length === 1 ? ` (max ${capacities[0]} pods)` : ""}` : `Too many pods: ${where} ${be} at ${one ? "its" : "their"} pod capacity${capacity}`,
          confidence: "high",
          facts: shown.map((n) => {
            const running = podsOnNode(a, n.metadata.name);
            return `${n.metadata.name}: allocatable pods ${n.status?.allocatable?.["pods"] ?? "not read"}${running > 0 ? `, ${running} pods on it in the namespaces read` : ""}`;
          })
        };
      }
      const requested = podRequestText(pod, resource);
      const others = OTHER_REQUESTS.filter((x) => x !== resource)
        .map((x) => [x, podRequestText(pod, x)] as const)
        .filter((x): x is readonly [string, string] => x[1] !== undefined)
        .map(([x, v]) => `${x} ${v}`);
      const largest = Math.max(...a.view.nodes.map((n) => parseQuantity(n.status?.allocatable?.[resource]) ?? 0));
      // An extended resource no node offers at all: not a shortage, nothing provides it (NVIDIA/k8s-device-plugin#33, #165).
      const provided = resource.includes("/") ? "the device plugin that advertises it is not running on them, or they lack the device" : resource.startsWith("hugepages-") ? "no huge pages are reserved on them" : undefined;
      if (provided !== undefined && a.view.nodes.length > 0 && largest === 0) {
        const complete = failure.totalNodes === undefined || failure.totalNodes === a.view.nodes.length;
        return {
          text: `no node offers ${resource}: none of the ${plural(a.view.nodes.length, "node")} read has any allocatable ${resource} (${provided})`,
          confidence: complete ? "high" : "medium",
          facts: [`the pod asks ${resource} ${podRequestText(pod, resource) ?? "?"}`]
        };
      }
      const total = podRequest(pod, resource);
      const facts = a.view.nodes.length > 0 && largest > 0 ? [`largest allocatable ${resource} of a node: ${formatQuantity(resource, largest)}${total !== undefined && total > largest ? ` — less than the request: it fits on no node even when empty` : ""}`] : [];
      return {
        text:
          requested !== undefined
            ? `${intent ? `${where} ${one ? "lacks" : "lack"}` : "no node has"} enough free ${resource} for the pod's request of ${resource} ${requested}${others.length > 0 ? ` (${others.join(", ")})` : ""}`
            : `${intent ? `${where} ${one ? "lacks" : "lack"}` : "no node has"} enough free ${resource}`,
        confidence: requested !== undefined ? "high" : "medium",
        facts
      };
    }
    case "taint": {
      const onIntended = intent ? intended.flatMap((n) => untoleratedTaints(n, pod).map((t) => `${taintText(t)} on ${n.metadata.name}`)) : [];
      const named = r.detail !== undefined && r.detail !== "" ? `taint ${r.detail}` : onIntended.length > 0 ? `taint ${listNames(onIntended, 2)}` : "a taint";
      if (!intent) {
        const carrying = r.detail !== undefined && r.detail !== "" ? nodesWithTaint(a.view.nodes, r.detail) : [];
        const nodes = carrying.length === 1 ? `the node ${carrying[0]?.metadata.name ?? ""} carries` : `the nodes${nodeNames(carrying)} carry`;
        return { text: `${nodes} ${named} that the pod does not tolerate`, confidence: "high", facts: [] };
      }
      // Since 1.19 the scheduler checks taints before the node selector, so the tainted nodes may not
      // be the ones the pod selects: the nodes read, or a selector pinning one hostname, settle it.
      if (a.view.nodes.length > 0 && intended.length === 0 && placement !== undefined)
        return { text: `no node matches the pod's ${placement} (none of the ${a.view.nodes.length} nodes read matches it)`, confidence: "high", facts: [] };
      const pinned = /kubernetes\.io\/hostname/.test(placement ?? "");
      const settled = onIntended.length > 0 || (a.view.nodes.length === 0 && pinned);
      return {
        text: `${where} ${one ? "carries" : "carry"} ${named} that the pod does not tolerate (no matching toleration)`,
        confidence: settled ? "high" : "medium",
        facts: settled ? onIntended : [...onIntended, "the scheduler checks taints before the node selector, so the tainted nodes may not match the selector either: compare the nodes' labels with it"]
      };
    }
    case "node-condition": {
      const carrying = r.detail !== undefined ? nodesWithTaint(intent ? intended : a.view.nodes, r.detail) : [];
      return { text: `${where}${nodeNames(carrying)} ${carrying.length > 0 ? (carrying.length === 1 ? "is" : "are") : be} unhealthy (${r.detail !== undefined ? `taint ${r.detail}` : causeText(r.text, 80)})`, confidence: !intent || intended.length > 0 ? "high" : "medium", facts: [] };
    }
    case "node-selector": {
      const carrying = a.view.nodes.length > 0 ? ` (${intended.length} of ${a.view.nodes.length} nodes match)` : "";
      return placement !== undefined
        ? { text: `no node matches the pod's ${placement}${carrying}`, confidence: a.view.nodes.length > 0 && intended.length > 0 ? "medium" : "high", facts: [] }
        : { text: "no node matches the pod's nodeSelector/node affinity", confidence: "medium", facts: [] };
    }
    case "pod-affinity":
    case "topology-spread": {
      const reserved = failure.reasons.filter((x) => x.obstacle === "taint").reduce((n, x) => n + (x.nodes ?? 0), 0);
      const rules = r.obstacle === "pod-affinity" ? "the pod's (anti-)affinity rules exclude" : "its topology spread constraints exclude";
      // Which rule, and which pods already hold the nodes, is the cause; "excluded by the rules" alone restates the scheduler.
      const anti = r.obstacle === "pod-affinity" ? readAntiAffinity(a.view, pod, a.view.nodes) : undefined;
      if (anti !== undefined) return { text: anti.text, confidence: anti.settled ? "high" : "medium", facts: [] };
      return { text: `${rules} every node it may use${reserved > 0 ? ` (${reserved} more ${reserved === 1 ? "node is" : "nodes are"} tainted for other workloads)` : ""}`, confidence: "medium", facts: [] };
    }
    case "unbound-pvc":
    {
      // "Not bound" is the symptom; why is the cause. The claim's own class is the next fact (see unboundClaims.ts).
      const namespaceClaims = a.view.namespaces.get(pod.metadata.namespace ?? "")?.persistentvolumeclaims ?? [];
      // A StatefulSet's pod uses `<template>-<pod>`: when the pod's volumes were not read, its claims still carry its name.
      const named = claimsOf(pod);
      const claims = named.length > 0 ? named : namespaceClaims.filter((c) => c.metadata.name.endsWith(`-${pod.metadata.name}`)).map((c) => c.metadata.name);
      const reading = readUnboundClaims(claims, namespaceClaims, a.view.storageClasses);
      if (reading !== undefined) return { text: reading.text, confidence: reading.confidence, facts: [] };
      return {
        text: claims.length === 0 ? "its PersistentVolumeClaims are not bound (which claims, and why, the data read does not show)" : `its PersistentVolumeClaim${claims.length === 1 ? "" : "s"} ${listNames(claims)} ${claims.length === 1 ? "is" : "are"} not bound (the claim was not read, so why is not known)`,
        confidence: "medium",
        facts: []
      };
    }
    case "volume-binding":
      return { text: `its volumes cannot be bound (${causeText(r.text, 100)})`, confidence: "medium", facts: [] };
    case "volume-zone": {
      const claims = claimsOf(pod);
      const zones = [...new Set(a.view.nodes.map((n) => n.metadata.labels?.["topology.kubernetes.io/zone"] ?? n.metadata.labels?.["failure-domain.beta.kubernetes.io/zone"]).filter((z): z is string => z !== undefined))];
      // The volume's own node affinity against the nodes read: a volume no node fits is the cause, named.
      const namespace = pod.metadata.namespace ?? "";
      const readings = claims.flatMap((name) => {
        const claim = a.view.namespaces.get(namespace)?.persistentvolumeclaims.find((c) => c.metadata.name === name);
        const pv = (a.view.persistentVolumes ?? []).find((v) => (claim?.spec?.volumeName !== undefined && v.metadata.name === claim.spec.volumeName) || (v.spec?.claimRef?.name === name && v.spec.claimRef.namespace === namespace));
        const reading = pv === undefined ? undefined : readVolumeAffinity(pv, a.view.nodes);
        return pv === undefined || reading === undefined ? [] : [{ claim: name, pv, reading }];
      });
      const stranded = a.view.nodes.length > 0 ? readings.find((r) => r.reading.fits.length === 0) : undefined;
      if (stranded !== undefined)
        return {
          text: `volume node affinity conflict: its claim ${stranded.claim} is bound to PersistentVolume ${stranded.pv.metadata.name}, whose nodeAffinity requires ${stranded.reading.rule}, and no node of the cluster matches (${plural(a.view.nodes.length, "node")}: ${listNames(a.view.nodes.map((n) => n.metadata.name), 3)})`,
          confidence: "high",
          facts: []
        };
      return {
        text: `volume node affinity conflict: its volume${claims.length === 1 ? ` ${claims[0]} is` : claims.length > 1 ? `s ${listNames(claims)} are` : "s are"} pinned to a zone or node where it cannot run${claims.length > 1 ? ` (it mounts ${claims.length} volumes: if they are in different zones, no node can attach them all)` : ""}${readings.length > 0 ? ` (${readings.map((r) => `${r.pv.metadata.name} requires ${r.reading.rule}`).join("; ")})` : ""}`,
        // Which zone or node the volume wants is the open question unless the volume was read or several volumes pull apart.
        confidence: readings.length > 0 || claims.length > 1 ? "high" : "medium",
        facts: zones.length > 0 ? [`node zones: ${zones.join(", ")}`] : []
      };
    }
    case "volume-limit":
      return { text: "the nodes have reached their limit of attached volumes", confidence: "high", facts: [] };
    case "cordoned": {
      const cordoned = (intent ? intended : a.view.nodes).filter(isCordoned);
      return { text: `${where}${nodeNames(cordoned)} ${cordoned.length > 0 ? (cordoned.length === 1 ? "is" : "are") : be} cordoned (unschedulable)`, confidence: !intent || intended.length > 0 ? "high" : "medium", facts: [] };
    }
    case "host-ports": {
      // Which pod holds the port is the cause; "taken" alone is the scheduler's symptom.
      const holders = hostPortHolders(a.view, pod);
      const asked = hostPortsOf(pod).map((p) => p.replace(/\/TCP$/, ""));
      const held = [...new Set(holders.flatMap((h) => h.ports))].map((p) => p.replace(/\/TCP$/, ""));
      if (holders.length === 0)
        return { text: `the host port${asked.length === 1 ? "" : "s"} it asks for${asked.length > 0 ? ` (${listNames(asked, 6)})` : ""} ${asked.length === 1 ? "is" : "are"} taken on every node it may use; the pod holding ${asked.length === 1 ? "it" : "them"} was not among the pods read`, confidence: "medium", facts: [] };
      const who = listNames(holders.map((h) => `${h.pod.metadata.namespace ?? ""}/${h.pod.metadata.name}${h.pod.spec?.nodeName !== undefined ? ` on ${h.pod.spec.nodeName}` : ""}`), 3);
      return {
        text: `host port${held.length === 1 ? "" : "s"} ${listNames(held, 6)} it asks for ${held.length === 1 ? "is" : "are"} already held by ${who}`,
        confidence: "high",
        facts: holders.slice(0, 3).map((h) => `${h.pod.metadata.namespace ?? ""}/${h.pod.metadata.name} binds ${h.ports.join(", ")}${h.pod.spec?.hostNetwork === true ? " (hostNetwork)" : ""}`)
      };
    }
    case "other":
      return { text: causeText(r.text, 120), confidence: "medium", facts: [] };
  }
};

const actionsFor = (main: SchedulingReason, label: string, message: string): ReadonlyArray<string> => {
  switch (main.obstacle) {
    case "insufficient-resources":
      return main.detail === "pods"
        ? [
            "Add nodes or use larger instance types: a node admits at most its allocatable pods (kubectl describe node | grep -A6 Allocatable)",
            "On EKS, max pods follows the instance type's ENI/IP limit; VPC CNI prefix delegation raises it"
          ]
        : ["Add capacity (scale the node group / check the cluster autoscaler or Karpenter logs)", `Or lower the pod's ${main.detail ?? "resource"} request if it is oversized`];
    case "taint":
      return [`Add a toleration for ${main.detail !== undefined && main.detail !== "" ? main.detail : "the node's taint"} to ${label}, or schedule it on untainted nodes (kubectl describe node | grep Taints)`];
    case "node-selector":
      return ["Label the nodes the pod should run on, or fix the nodeSelector/affinity (kubectl get nodes --show-labels)"];
    case "volume-zone":
      return ["Keep a pod's zonal volumes (EBS) in one availability zone and run nodes there, or restore the volume in the pod's zone", "kubectl get pv -o custom-columns=NAME:.metadata.name,ZONE:.spec.nodeAffinity"];
    case "cordoned":
      return ["Uncordon the nodes (kubectl uncordon) or add schedulable ones"];
    default:
      return ["Fix what the scheduler reports: " + clipText(message, 120)];
  }
};

/** Pods the scheduler cannot place, with the obstacle that blocks them, plus the claims that keep them waiting. */
export const analyzeScheduling = (a: Analysis, frame: Frame, subject: Subject): number => {
  const pending = subject.pods.filter((p) => p.status?.phase === "Pending" && (p.spec?.nodeName === undefined || p.spec.nodeName === ""));
  if (pending.length === 0) return 0;
  const events = a.events(subject.ref.namespace);
  const byMessage = new Map<string, Array<Pod>>();
  const eventsByPod = new Map<string, Event | undefined>();
  const autoscalerByPod = new Map<string, Event>();
  const silent: Array<Pod> = [];
  for (const pod of pending) {
    const { verdict: failed, autoscaler } = schedulingEvents(events("Pod", pod.metadata.name).filter((e) => e.reason === "FailedScheduling"));
    eventsByPod.set(pod.metadata.name, failed);
    if (autoscaler !== undefined) autoscalerByPod.set(pod.metadata.name, autoscaler);
    const condition = Array.isArray(pod.status?.conditions) ? pod.status.conditions.find((c) => c.type === "PodScheduled" && c.status === "False") : undefined;
    const message = failed?.message ?? condition?.message ?? "";
    if (message === "") {
      silent.push(pod);
      continue;
    }
    const group = byMessage.get(message);
    if (group === undefined) byMessage.set(message, [pod]);
    else group.push(pod);
  }
  const claimFrame = (claim: string): Frame => ({ ...frame, downstream: [`${subject.label} pods Pending on claim ${claim}`, ...frame.downstream] });
  const findClaim = (name: string): PersistentVolumeClaim | undefined => subject.objects.persistentvolumeclaims.find((c) => c.metadata.name === name);

  // A pod Pending with no scheduler word may still wait on a claim the provisioner never fills.
  for (const pod of silent)
    for (const name of claimsOf(pod)) {
      const claim = findClaim(name);
      if (claim !== undefined) analyzeClaim(a, claimFrame(name), subject, claim);
    }

  for (const [message, pods] of byMessage) {
    const parsed = parseSchedulingMessage(message);
    const pod = pods[0]!;
    const ev = eventsByPod.get(pod.metadata.name);
    const time = ev !== undefined ? eventTime(ev) : undefined;
    const id = a.evidence.add({
      source: podSource(pod),
      timestamp: time ?? a.alertTime,
      severity: pods.length === subject.pods.length ? "critical" : "high",
      content: `${plural(pods.length, "pod")} of ${subject.label} (${listNames(pods.map((p) => p.metadata.name))}) cannot be scheduled: ${clipText(message, 400)}${ev !== undefined ? ` (FailedScheduling ×${eventCount(ev)}${time !== undefined ? `, last ${formatTime(time)}` : ""})` : ""}`,
      metadata: {
        reason: "FailedScheduling",
        message: clipText(message, 600),
        pods: pods.map((p) => p.metadata.name),
        availableNodes: parsed.availableNodes ?? null,
        totalNodes: parsed.totalNodes ?? null,
        obstacles: parsed.reasons.map((r) => ({ obstacle: r.obstacle, nodes: r.nodes ?? null, text: r.text }))
      }
    });
    const main = bindingObstacle(parsed);
    if (main === undefined) continue;
    const claimIds: Array<string> = [];
    if (main.obstacle === "unbound-pvc" || main.obstacle === "volume-binding") {
      for (const name of claimsOf(pod)) {
        const claim = findClaim(name);
        if (claim === undefined) continue;
        const claimId = analyzeClaim(a, claimFrame(name), subject, claim);
        if (claimId !== undefined) claimIds.push(claimId);
      }
    }
    const reading = readObstacle(a, main, pod, parsed);
    const autoscaler = autoscalerByPod.get(pod.metadata.name);
    const autoscalerText = autoscaler === undefined ? "" : ` ${autoscaler.source?.component ?? autoscaler.reportingComponent ?? "The autoscaler"} could not add a node for it either: ${clipText(autoscaler.message ?? "", 200)}.`;
    const reasonsText = parsed.reasons.map((r) => `${r.nodes !== undefined ? `${r.nodes} node(s): ` : ""}${clipText(r.text, 120)}${INTENT_OBSTACLES.has(r.obstacle) && r !== main ? " (the pod's own placement rules, by design)" : ""}`).join("; ");
    a.propose(frame, subject.label, {
      key: `scheduling:${subject.label}:${main.obstacle}:${main.detail ?? ""}`,
      title: `${subject.label} cannot be scheduled: ${reading.text}`,
      detail: `${plural(pods.length, "pod")} ${pods.length === 1 ? "stays" : "stay"} Pending. ${parsed.availableNodes !== undefined ? `${parsed.availableNodes} of ${parsed.totalNodes ?? "?"} nodes are available; ` : ""}${reasonsText}.${reading.facts.length > 0 ? ` ${reading.facts.join("; ")}.` : ""}${autoscalerText}`,
      confidence: reading.confidence,
      depth: 2,
      supporting: [id, ...claimIds],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pod.metadata.name}`)} (Events: FailedScheduling); kubectl describe nodes | grep -A5 -e Taints -e 'Allocated resources'`,
      actions: actionsFor(main, subject.label, message)
    });
  }
  return pending.length;
};

/** `Multi-Attach error for volume "pvc-…" Volume is already exclusively attached to one node…` / `…already used by pod(s) a, b`. */
const MULTI_ATTACH = /Multi-Attach error for volume "([^"]+)"(?: \(UniqueName: "[^"]*"\))?(?: from node "([^"]+)")?\s*Volume is already (?:used by pod\(s\) ([^\n]+?)(?:\.|$)|exclusively attached)/i;

const MISSING_SOURCE = /(secret|configmap) "([\w.-]+)" not found/i;

/** How much a mount or attach event says about its cause: the most telling one is reported. */
const informative = (e: Event): number => {
  const m = e.message ?? "";
  if (MULTI_ATTACH.test(m)) return 3;
  if (MISSING_SOURCE.test(m)) return 3;
  if (describeMountFailure(m).kind !== "unknown") return 3;
  if (/timed out waiting for the condition\s*$/.test(m) && /Unable to (?:attach or )?mount volumes/i.test(m)) return 0;
  return e.reason === "FailedAttachVolume" ? 2 : 1;
};

/**
 * Where a CSI driver's node plugin runs, from the pods read: a pod with a node-driver-registrar
 * sidecar whose name, image or arguments name the driver. Undefined when none was read.
 */
const nodePluginNote = (a: Analysis, driver: string, node: string | undefined): string | undefined => {
  const hint = driver.split(".")[0] ?? driver;
  const plugins = [...a.view.namespaces.values()].flatMap((o) =>
    o.pods.filter((p) => {
      const containers = Array.isArray(p.spec?.containers) ? p.spec.containers : [];
      if (!containers.some((c) => /node-driver-registrar|driver-registrar/.test(c.image ?? ""))) return false;
      const args = containers.flatMap((c) => [...(Array.isArray(c.args) ? c.args : []), ...(Array.isArray(c.command) ? c.command : [])]).filter((x): x is string => typeof x === "string");
      return p.metadata.name.includes(hint) || containers.some((c) => (c.image ?? "").includes(hint)) || args.some((x) => x.includes(driver));
    })
  );
  if (plugins.length === 0) return undefined;
  const here = plugins.filter((p) => p.spec?.nodeName === node);
  if (here.length > 0) return `Its node plugin ${listNames(here.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`))} runs on ${node ?? "the node"} but the kubelet has not registered the driver: read its node-driver-registrar log.`;
  const elsewhere = [...new Set(plugins.map((p) => p.spec?.nodeName).filter((n): n is string => typeof n === "string" && n !== ""))];
  return `Its node plugin runs on ${elsewhere.length > 0 ? listNames(elsewhere) : "other nodes"}, not on ${node ?? "the pod's node"}: its DaemonSet's nodeSelector or tolerations keep it off that node.`;
};

/** Volumes that fail to attach or mount on scheduled pods (FailedMount, FailedAttachVolume). */
export const analyzeMounts = (a: Analysis, frame: Frame, subject: Subject): void => {
  const events = a.events(subject.ref.namespace);
  const failures = subject.pods.flatMap((p) => events("Pod", p.metadata.name).filter((e) => (e.reason === "FailedMount" || e.reason === "FailedAttachVolume") && a.recent(eventTime(e))));
  if (failures.length === 0) return;
  const pod = subject.pods.find((p) => p.metadata.name === failures[0]?.involvedObject?.name);
  if (pod === undefined || pod.status?.containerStatuses?.every((c) => c.ready === true) === true) return;
  const pending = claimsOf(pod)
    .map((n) => subject.objects.persistentvolumeclaims.find((c) => c.metadata.name === n))
    .filter((c): c is PersistentVolumeClaim => c !== undefined && c.status?.phase !== "Bound");
  for (const claim of pending) analyzeClaim(a, frame, subject, claim);
  const last = failures.reduce((best, e) => (informative(e) > informative(best) || (informative(e) === informative(best) && (eventTime(e) ?? 0) >= (eventTime(best) ?? 0)) ? e : best));
  const message = last.message ?? "";
  const id = a.evidence.add({
    source: podSource(pod),
    timestamp: eventTime(last) ?? a.alertTime,
    severity: "critical",
    content: `${last.reason ?? "FailedMount"} ×${failures.reduce((n, e) => n + eventCount(e), 0)} on ${subject.label}: ${clipText(message, 300)}`,
    metadata: { reason: last.reason ?? "FailedMount", message: clipText(message, 500), pod: pod.metadata.name }
  });
  const multi = MULTI_ATTACH.exec(message);
  if (multi !== null) {
    const volume = multi[1] ?? "";
    const claim = subject.objects.persistentvolumeclaims.find((c) => c.spec?.volumeName === volume);
    const users = (multi[3] ?? "").split(/,\s*/).filter((n) => n !== "");
    const namespacePods = subject.objects.pods;
    const holders = namespacePods.filter(
      (p) => p.metadata.name !== pod.metadata.name && (users.includes(p.metadata.name) || (claim !== undefined && claimsOf(p).includes(claim.metadata.name))) && p.spec?.nodeName !== undefined && p.spec.nodeName !== pod.spec?.nodeName
    );
    const nodes = [...new Set([...(multi[2] !== undefined ? [multi[2]] : []), ...holders.map((p) => p.spec?.nodeName ?? "")])].filter((n) => n !== "");
    const gone = nodes.filter((n) => a.view.nodes.length > 0 && a.node(n) === undefined);
    const where =
      nodes.length > 0
        ? `node ${listNames(nodes)}${gone.length > 0 ? ` (${gone.length === nodes.length ? "gone from the cluster" : `${listNames(gone)} gone`})` : ""}${holders.length > 0 ? `, where ${listNames(holders.map((p) => p.metadata.name))} ${holders.length === 1 ? "uses" : "use"} it` : ""}`
        : users.length > 0
          ? `the node of pod(s) ${listNames(users)}`
          : "another node (its previous pod's)";
    const modes = claim?.spec?.accessModes;
    const rolling = gone.length === 0 ? rollingUpdateHolds(subject.deployment, claim, holders, pod.spec?.nodeName) : undefined;
    a.propose(frame, subject.label, {
      key: `multiattach:${subject.label}:${volume}`,
      title: `${subject.label} cannot start: volume ${volume}${claim !== undefined ? ` (claim ${claim.metadata.name}${Array.isArray(modes) && modes.length > 0 ? `, ${modes.join("/")}` : ""})` : ""} is still attached to ${where} — Multi-Attach${rolling !== undefined ? `: ${rolling.text}` : ""}`,
      detail: `${clipText(message, 300)}. A ReadWriteOnce volume attaches to one node at a time; the attach/detach controller attaches it to ${pod.spec?.nodeName ?? "the new node"} only after it is detached from the old one (it force-detaches about 6 minutes after the old pod is gone).`,
      // Which pod or node holds the volume, or the strategy that made two pods hold it, is the cause; without one of them only the symptom is known.
      confidence: rolling !== undefined || holders.length > 0 || gone.length > 0 ? "high" : "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pod.metadata.name}`)}; kubectl get volumeattachment | grep ${volume}`,
      actions: [
        holders.length > 0 ? `Stop ${listNames(holders.map((p) => p.metadata.name))} (or use strategy Recreate / a ReadWriteMany volume) so the volume can move` : "Wait for the force-detach, or delete the stale VolumeAttachment of the old node",
        "Use strategy: Recreate for single-replica Deployments with ReadWriteOnce volumes"
      ]
    });
    return;
  }
  const misplaced = configMapElsewhere(a, subject.ref.namespace, message);
  if (misplaced !== undefined) {
    a.propose(frame, subject.label, {
      key: `mount:${subject.label}:${last.reason ?? ""}:${misplaced.name}`,
      title: `${subject.label} cannot mount ConfigMap ${misplaced.name}: it does not exist in namespace ${subject.ref.namespace}, but a ConfigMap of that name exists in namespace ${listNames(misplaced.homes)} (created in the wrong namespace)`,
      detail: `${clipText(message, 300)}. A pod can only use ConfigMaps of its own namespace; the one of that name was created in ${listNames(misplaced.homes)} (a chart or manifest that sets no namespace, or applied with another -n).`,
      confidence: "high",
      depth: 2,
      supporting: [id],
      confirmBy: `kubectl get configmap ${misplaced.name} -A`,
      actions: [`Create ConfigMap ${misplaced.name} in ${subject.ref.namespace} (apply it with -n ${subject.ref.namespace}, or set metadata.namespace in its manifest)`]
    });
    return;
  }
  const missing = MISSING_SOURCE.exec(message);
  const issued = missing !== null && /^secret$/i.test(missing[1] ?? "") ? issuedByCertManager(pod, missing[2] ?? "") : undefined;
  if (missing !== null && issued !== undefined) {
    const running = certManagerServices(a.view.services);
    const otherNamespaces = new Set(a.view.services.map((s) => s.metadata.namespace).filter((n) => n !== subject.ref.namespace)).size > 0;
    a.propose(frame, subject.label, {
      key: `mount:${subject.label}:${last.reason ?? ""}:${issued.secret}`,
      title:
        running.length === 0
          ? `${subject.label} cannot mount secret ${issued.secret}: it does not exist because cert-manager, which issues it, is not installed (no cert-manager Service in any namespace read)`
          : `${subject.label} cannot mount secret ${issued.secret}: it does not exist: cert-manager (${listNames(running.map((s) => `${s.metadata.namespace ?? ""}/${s.metadata.name}`))}) has not issued it; check its Certificate and Issuer`,
      detail: `${clipText(message, 300)}. No one creates this Secret by hand: ${issued.why}.`,
      // Absence is only as good as what was read: high when Services of other namespaces were read too.
      confidence: running.length === 0 && otherNamespaces ? "high" : "medium",
      depth: 3,
      supporting: [id],
      confirmBy: `kubectl get pods -A -l app.kubernetes.io/instance=cert-manager; ${kubectl(subject.ref.namespace, "get certificate,certificaterequest")}`,
      actions: [running.length === 0 ? "Install cert-manager (kubectl apply -f https://github.com/cert-manager/cert-manager/releases/latest/download/cert-manager.yaml), then re-apply the manifests so their Certificate is created" : `Read why the Certificate for ${issued.secret} is not ready: ${kubectl(subject.ref.namespace, "describe certificate")} (its Issuer must exist and be ready)`]
    });
    return;
  }
  if (missing !== null) {
    a.propose(frame, subject.label, {
      key: `mount:${subject.label}:${last.reason ?? ""}:${missing[2] ?? ""}`,
      title: `${subject.label} cannot mount ${missing[1]} ${missing[2]}: it does not exist (who was to create it is not shown by the data read)`,
      detail: `${clipText(message, 400)}. The event names the missing object, not why it is missing: a manifest or chart step not applied, another controller (cert-manager, an operator, external-secrets) that has not created it, or a name that differs from the one created.`,
      // True but shallow: who should have created it stays open (jaconi-io/helm-charts#50: cert-manager was to issue it).
      confidence: "medium",
      depth: 2,
      supporting: [id],
      confirmBy: kubectl(subject.ref.namespace, `describe pod ${pod.metadata.name}`),
      actions: ["Fix the volume source named in the event"]
    });
    return;
  }
  // The kubelet waited for the CSI driver's external-attacher: its own log says why it never reported the attachment.
  const attacherDriver = ATTACHER_TIMEOUT.exec(message)?.[1];
  const attacher = attacherDriver !== undefined ? readAttacher(a.view) : undefined;
  if (attacher !== undefined) {
    const where = `${attacher.pod.metadata.namespace ?? ""}/${attacher.pod.metadata.name}`;
    const f = attacher.forbidden;
    const logId = a.evidence.add({
      source: podSource(attacher.pod),
      timestamp: a.alertTime,
      severity: "critical",
      content: `${attacher.container} of ${where} (the ${attacherDriver ?? ""} CSI driver's external-attacher) logs: ${clipText(attacher.line, 400)}`,
      metadata: { pod: where, container: attacher.container, ...(f !== undefined ? { user: f.user, verb: f.verb, resource: f.resource } : {}) }
    });
    a.propose(frame, subject.label, {
      key: `mount:${subject.label}:attacher:${where}`,
      title:
        f !== undefined
          ? `${subject.label} cannot attach its volume: the ${attacherDriver ?? ""} CSI driver's external-attacher (${where}) is forbidden to ${f.verb} ${f.resource}${f.group !== "" ? ` in ${f.group}` : ""} — the ClusterRole of ${f.user} lacks that permission (RBAC)`
          : `${subject.label} cannot attach its volume: the ${attacherDriver ?? ""} CSI driver's external-attacher (${where}) fails: ${clipText(attacher.line, 160)}`,
      detail: `${clipText(message, 300)}. The kubelet waits for the external-attacher to mark the VolumeAttachment attached; the attacher's log says: ${clipText(attacher.line, 400)}.${f !== undefined ? " Newer Kubernetes versions require the attacher to patch volumeattachments/status; a driver release whose RBAC predates that cannot." : ""}`,
      confidence: f !== undefined ? "high" : "medium",
      depth: 3,
      supporting: [id, logId],
      confirmBy: `kubectl -n ${attacher.pod.metadata.namespace ?? ""} logs ${attacher.pod.metadata.name} -c ${attacher.container} --tail=50${f !== undefined ? `; kubectl auth can-i ${f.verb} ${f.resource.split("/")[0] ?? ""} --subresource=${f.resource.split("/")[1] ?? ""} --as=${f.user}` : ""}`,
      actions: [f !== undefined ? `Grant ${f.verb} on ${f.resource} (API group ${f.group}) to ${f.user}'s ClusterRole, or upgrade the CSI driver to a release whose RBAC has it` : "Fix the error the external-attacher reports"]
    });
    return;
  }
  // The mount ran on the pod's node: the kubelet that reported it names it too.
  const node = pod.spec?.nodeName ?? last.source?.host;
  const runtime = a.node(node)?.status?.nodeInfo?.containerRuntimeVersion;
  const failure = describeMountFailure(message, {
    ...(node !== undefined && node !== "" ? { node } : {}),
    ...(typeof runtime === "string" && runtime !== "" ? { runtime } : {}),
    ...(Array.isArray(pod.spec?.volumes) ? { volumes: pod.spec.volumes } : {})
  });
  const driver = failure.kind === "csi-driver-not-registered" ? /driver name (\S+) not found/.exec(message)?.[1] : undefined;
  const note = driver !== undefined ? nodePluginNote(a, driver, node) : undefined;
  a.propose(frame, subject.label, {
    key: `mount:${subject.label}:${last.reason ?? ""}:${failure.kind}:${failure.volume ?? ""}`,
    title:
      failure.kind === "unknown"
        ? `${subject.label} cannot ${last.reason === "FailedAttachVolume" ? "attach" : "mount"} a volume: ${failure.cause}`
        : `${subject.label} cannot start: ${failure.cause}`,
    detail: [clipText(message, 400).replace(/([^.…])$/, "$1."), failure.why, note].filter((x): x is string => x !== undefined).join(" "),
    confidence: failure.certain ? "high" : "medium",
    depth: 2,
    supporting: [id],
    confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pod.metadata.name}`)}${node !== undefined ? `; the kubelet's log on ${node} (journalctl -u kubelet)` : ""}`,
    actions: [failure.action]
  });
};

const exhaustedText = (resources: ReadonlyArray<{ readonly resource: string; readonly requested?: string; readonly used?: string; readonly limited?: string }>): string => {
  const over = resources.filter((r) => {
    const requested = parseQuantity(r.requested);
    const used = parseQuantity(r.used);
    const limited = parseQuantity(r.limited);
    return requested === undefined || used === undefined || limited === undefined || used + requested > limited;
  });
  return (over.length > 0 ? over : resources).map((r) => `${r.resource} ${r.used ?? "?"}/${r.limited ?? "?"} used, the pod asks ${r.requested ?? "?"}`).join("; ");
};

/** What a quota's `must specify` list asks for, in words: `resource requests`, `resource limits`, or both. */
const declared = (resources: ReadonlyArray<string>): string => {
  const requests = resources.some((r) => !r.startsWith("limits."));
  const limits = resources.some((r) => r.startsWith("limits."));
  return requests && limits ? "resource requests or limits" : limits ? "resource limits" : "resource requests";
};

/** Containers of the pods a controller would create, from the newest ReplicaSet or the workload's template. */
const templateSpec = (subject: Subject) =>
  subject.replicaSets[0]?.spec?.template?.spec ?? subject.deployment?.spec?.template?.spec ?? subject.statefulSet?.spec?.template?.spec ?? subject.daemonSet?.spec?.template?.spec ?? subject.pods[0]?.spec;

/** The pod template's containers, init containers first (a quota counts them too: bitpoke/mysql-operator#908). */
const templateContainers = (subject: Subject): ReadonlyArray<{ readonly name?: string; readonly resources?: ResourceRequirements; readonly init: boolean }> => {
  const spec = templateSpec(subject);
  return [...(spec?.initContainers ?? []).map((c) => ({ ...c, init: true })), ...(spec?.containers ?? []).map((c) => ({ ...c, init: false }))];
};

/** A compute resource a quota tracks: every new container must then declare it (`cpu` means `requests.cpu`). */
const COMPUTE = /^(?:(requests|limits)\.)?(cpu|memory|ephemeral-storage)$/;

/**
 * A workload short of pods in a namespace whose ResourceQuota tracks compute resources its pod
 * template does not declare: the API server rejects every pod it would create ("must specify"),
 * even when the FailedCreate event is not at hand (kubernetes/kubernetes#96634: requests.cpu and
 * requests.memory quota, an nginx template without resources, 0/3 and no event pasted; with the
 * event: m3o/backend#378, hmcts/cnp-flux-config#13765, kserve/kserve#1242). A LimitRange default
 * would fill the values in, and LimitRanges are not read: medium.
 */
const inferQuotaRejection = (a: Analysis, frame: Frame, subject: Subject): void => {
  const desired = subject.deployment?.spec?.replicas ?? subject.statefulSet?.spec?.replicas;
  const live = subject.pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed").length;
  if (desired === undefined || live >= desired) return;
  const containers = templateContainers(subject);
  if (containers.length === 0) return;
  for (const quota of subject.objects.resourcequotas) {
    const required = Object.keys(quota.spec?.hard ?? quota.status?.hard ?? {}).flatMap((k) => {
      const m = COMPUTE.exec(k);
      return m === null ? [] : [`${m[1] ?? "requests"}.${m[2] ?? ""}`];
    });
    const lacking = containers.filter((c) => required.some((r) => ((r.startsWith("limits.") ? c.resources?.limits : c.resources?.requests)?.[r.replace(/^\w+\./, "")]) === undefined));
    if (required.length === 0 || lacking.length === 0) continue;
    const id = a.evidence.add({
      source: `kubernetes/resourcequota/${subject.ref.namespace}/${quota.metadata.name}`,
      timestamp: a.alertTime,
      severity: "high",
      content: `ResourceQuota ${quota.metadata.name} in ${subject.ref.namespace} tracks ${required.join(", ")}; ${subject.label} has ${live} of ${desired} pods and its template's container${lacking.length === 1 ? "" : "s"} ${listNames(lacking.map((c) => c.name ?? "?"))} declare${lacking.length === 1 ? "s" : ""} none of them`,
      metadata: { quota: quota.metadata.name, required, lacking: lacking.map((c) => c.name ?? "?"), desired, live }
    });
    a.propose(frame, subject.label, {
      key: `quota-must-specify:${subject.ref.namespace}:${quota.metadata.name}:${subject.label}`,
      title: `ResourceQuota ${quota.metadata.name} in ${subject.ref.namespace} makes every container specify ${required.join(", ")}, and ${subject.label}'s container${lacking.length === 1 ? "" : "s"} ${listNames(lacking.map((c) => c.name ?? "?"))} ${lacking.length === 1 ? "has" : "have"} no ${declared(required)}: the API server rejects its pods (${live} of ${desired} exist)`,
      detail: `A quota on compute resources rejects every pod that does not declare them ("failed quota: ${quota.metadata.name}: must specify …"). No FailedCreate event was read to confirm it, and a LimitRange with defaults in ${subject.ref.namespace} (not read) would supply the values.`,
      confidence: "medium",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe ${kubectlRef(subject.ref.kind, subject.ref.name)}`)} and its ReplicaSet's events (FailedCreate); ${kubectl(subject.ref.namespace, "get limitrange")}`,
      actions: [`Set ${required.join(", ")} on ${subject.label}'s containers, or add a LimitRange with defaults to ${subject.ref.namespace}`]
    });
  }
};

/** Controllers refused new pods: ResourceQuota and LimitRange rejections (FailedCreate). */
export const analyzeCreateFailures = (a: Analysis, frame: Frame, subject: Subject): void => {
  const events = a.events(subject.ref.namespace);
  const owners: Array<{ kind: string; name: string }> =
    subject.ref.kind === "Deployment" ? subject.replicaSets.slice(0, 2).map((rs) => ({ kind: "ReplicaSet", name: rs.metadata.name })) : [{ kind: subject.ref.kind, name: subject.ref.name }];
  let refused = false;
  for (const owner of owners) {
    const failures = events(owner.kind, owner.name).filter((e) => e.reason === "FailedCreate" && a.recent(eventTime(e), 24 * 3_600_000));
    const last = latest(failures);
    refused ||= last !== undefined;
    // A FailedCreate followed by a SuccessfulCreate, or one about a StatefulSet pod that runs, is over.
    if (last === undefined || supersededBy(last, events(owner.kind, owner.name), CREATED) !== undefined || failedForRunningPod(last, subject.pods)) continue;
    const message = last.message ?? "";
    const parsed = parseCreateFailure(message);
    const count = failures.reduce((n, e) => n + eventCount(e), 0);
    const id = a.evidence.add({
      source: `kubernetes/${owner.kind.toLowerCase()}/${subject.ref.namespace}/${owner.name}`,
      timestamp: eventTime(last) ?? a.alertTime,
      severity: "critical",
      content: `${owner.kind} ${owner.name} cannot create pods (FailedCreate ×${count}): ${clipText(message, 400)}`,
      metadata: { reason: "FailedCreate", owner: `${owner.kind}/${owner.name}`, message: clipText(message, 600), parsed: JSON.parse(JSON.stringify(parsed)) as unknown }
    });
    if (parsed.kind === "quota") {
      const quota = subject.objects.resourcequotas.find((q) => q.metadata.name === parsed.quota);
      const resources = parsed.resources.map((r) => ({ ...r, limited: r.limited ?? quota?.status?.hard?.[r.resource] ?? "?" }));
      const exhausted = exhaustedText(resources);
      a.propose(frame, subject.label, {
        key: `quota:${subject.ref.namespace}:${parsed.quota}`,
        title: `ResourceQuota ${parsed.quota} in ${subject.ref.namespace} is exhausted: ${clipText(exhausted, 140)}, so ${subject.label} cannot create pods`,
        detail: `The API server rejects new pods of ${subject.label}: ${resources.map((r) => `${r.resource}: requested ${r.requested ?? "?"}, used ${r.used ?? "?"} of ${r.limited}`).join("; ")}. During a rolling update the surge pods count against the quota too.`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: kubectl(subject.ref.namespace, `describe resourcequota ${parsed.quota}`),
        actions: [
          `Raise the quota or free capacity in ${subject.ref.namespace} (kubectl -n ${subject.ref.namespace} describe resourcequota ${parsed.quota})`,
          "Lower the pods' requests/limits if they are oversized, or set the rolling update's maxSurge to 0 so a rollout fits in the quota"
        ]
      });
    } else if (parsed.kind === "quota-must-specify") {
      const containers = templateContainers(subject);
      const lacking = containers.filter((c) => parsed.resources.some((r) => {
        const [kind, resource] = r.includes(".") ? (r.split(".", 2) as [string, string]) : ["requests", r];
        return (kind === "limits" ? c.resources?.limits : c.resources?.requests)?.[resource] === undefined;
      }));
      a.propose(frame, subject.label, {
        key: `quota-must-specify:${subject.ref.namespace}:${parsed.quota}:${subject.label}`,
        // The API server's own words first ("must specify …"), then which containers lack them: a cut title keeps the cause.
        title: `ResourceQuota ${parsed.quota} in ${subject.ref.namespace} rejects ${subject.label}'s pods: every container must specify ${parsed.resources.join(", ")}${lacking.length > 0 ? `, and ${listNames(lacking.map((c) => `${c.init ? "init container" : "container"} ${c.name ?? "?"}`))} ${lacking.length === 1 ? "has" : "have"} no ${declared(parsed.resources)}` : ""}`,
        detail: `A quota on compute resources makes every new pod declare them, init containers included: "${clipText(message, 240)}" (FailedCreate ×${count}).`,
        // Which container lacks them is the fix; without the template read it stays open.
        confidence: lacking.length > 0 ? "high" : "medium",
        depth: 2,
        supporting: [id],
        confirmBy: `${kubectl(subject.ref.namespace, `describe resourcequota ${parsed.quota}`)}; ${kubectl(subject.ref.namespace, `get ${kubectlRef(subject.ref.kind, subject.ref.name)} -o jsonpath='{..resources}'`)}`,
        actions: [`Set ${parsed.resources.join(", ")} on ${subject.label}'s containers, or add a LimitRange with defaults to ${subject.ref.namespace}`]
      });
    } else if (parsed.kind === "pod-security") {
      const checks = parsed.violations.map((v) => v.check);
      a.propose(frame, subject.label, {
        key: `pod-security:${subject.label}`,
        title: `Pod Security admission rejects ${subject.label}'s pods: namespace ${subject.ref.namespace} enforces the "${parsed.level}" level and the pod template violates it (${listNames(checks, 4)})`,
        detail: `The API server refuses every pod (FailedCreate ×${count}): ${parsed.violations.map((v) => `${v.check}${v.detail !== undefined ? ` — ${v.detail}` : ""}`).join("; ")}. The level comes from the namespace label pod-security.kubernetes.io/enforce (or the cluster's admission default).`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: `kubectl get namespace ${subject.ref.namespace} --show-labels; ${kubectl(subject.ref.namespace, `get ${kubectlRef(subject.ref.kind, subject.ref.name)} -o jsonpath='{..securityContext}'`)}`,
        actions: [
          `Set the securityContext fields the "${parsed.level}" level asks for on ${subject.label}'s pod template (${listNames(parsed.violations.map((v) => v.detail ?? v.check), 2)})`,
          `Or, if the workload needs more privileges, label namespace ${subject.ref.namespace} with a lower level: kubectl label ns ${subject.ref.namespace} pod-security.kubernetes.io/enforce=baseline --overwrite`
        ]
      });
    } else if (parsed.kind === "limit-range") {
      a.propose(frame, subject.label, {
        key: `limitrange:${subject.label}`,
        title: `A LimitRange in ${subject.ref.namespace} rejects ${subject.label}'s pods: ${causeText(parsed.violations[0] ?? "", 120)}`,
        detail: `The API server refuses to create the pods: ${parsed.violations.join("; ")}.`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: kubectl(subject.ref.namespace, "describe limitrange"),
        actions: [`Bring the container resources of ${kubectlRef(subject.ref.kind, subject.ref.name)} within the LimitRange, or change the LimitRange`]
      });
    } else if (!proposeMissingServiceAccount(a, frame, subject, owner, message, id)) {
      a.propose(frame, subject.label, {
        key: `failedcreate:${subject.label}:${message}`,
        title: `${owner.kind} ${owner.name} cannot create pods: ${causeText(parsed.message, 160)}`,
        detail: clipText(message, 400),
        confidence: "medium",
        depth: 2,
        supporting: [id],
        confirmBy: kubectl(subject.ref.namespace, `describe ${owner.kind.toLowerCase()} ${owner.name}`),
        actions: ["Fix what the API server reports (admission webhook, PodSecurity, service account)"]
      });
    }
  }
  if (!refused) inferQuotaRejection(a, frame, subject);
};
