import type { Event, PersistentVolumeClaim, Pod } from "../kube/KubeObjects.js";
import { eventCount, eventTime, formatTime } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { parseCreateFailure } from "./parseCreateFailure.js";
import { parseSchedulingMessage, type SchedulingReason } from "./parseSchedulingMessage.js";
import { causeText, clipText, kubectl, kubectlRef, listNames, plural, podSource } from "./podFacts.js";
import type { Subject } from "./Subject.js";

const latest = (events: ReadonlyArray<Event>): Event | undefined => events[events.length - 1];

const requestsOf = (pod: Pod, resource: string): string | undefined => {
  const values = (pod.spec?.containers ?? []).map((c) => c.resources?.requests?.[resource]).filter((v): v is string => v !== undefined);
  return values.length === 0 ? undefined : values.join("+");
};

const obstacleText = (r: SchedulingReason, pod: Pod): string => {
  switch (r.obstacle) {
    case "insufficient-resources": {
      const requested = r.detail !== undefined ? requestsOf(pod, r.detail) : undefined;
      return `no node has enough free ${r.detail ?? "capacity"}${requested !== undefined ? ` for the pod's request of ${requested}` : ""}`;
    }
    case "taint":
      return `the nodes carry taint ${r.detail ?? ""} that the pod does not tolerate`;
    case "node-selector":
      return `no node matches the pod's nodeSelector/node affinity${pod.spec?.nodeSelector !== undefined ? ` (${Object.entries(pod.spec.nodeSelector).map(([k, v]) => `${k}=${v}`).join(", ")})` : ""}`;
    case "pod-affinity":
      return "the pod's (anti-)affinity rules exclude every node";
    case "unbound-pvc":
      return "its PersistentVolumeClaim is not bound";
    case "volume-zone":
      return "its volume is in a zone with no eligible node";
    case "cordoned":
      return "the eligible nodes are cordoned (unschedulable)";
    case "host-ports":
      return "the requested host port is taken on every node";
    case "other":
      return clipText(r.text, 120);
  }
};

const claimsOf = (pod: Pod): ReadonlyArray<string> =>
  (pod.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => typeof c === "string" && c !== "");

/** A claim that cannot get a volume: the deeper cause behind "unbound PersistentVolumeClaims" and FailedMount. */
const analyzeClaim = (a: Analysis, frame: Frame, subject: Subject, claim: PersistentVolumeClaim): string | undefined => {
  if (claim.status?.phase === "Bound") return undefined;
  const events = a.events(subject.ref.namespace)("PersistentVolumeClaim", claim.metadata.name).filter((e) => e.type === "Warning" || e.reason === "ExternalProvisioning" || e.reason === "WaitForFirstConsumer");
  const failure = latest(events.filter((e) => e.reason === "ProvisioningFailed" || e.reason === "FailedBinding")) ?? latest(events);
  const message = failure?.message ?? "";
  const storageClass = claim.spec?.storageClassName ?? "(default)";
  const id = a.evidence.add({
    source: `kubernetes/persistentvolumeclaim/${subject.ref.namespace}/${claim.metadata.name}`,
    timestamp: (failure !== undefined ? eventTime(failure) : undefined) ?? a.alertTime,
    severity: "critical",
    content: `PersistentVolumeClaim ${claim.metadata.name} (storage class ${storageClass}, ${claim.spec?.resources?.requests?.["storage"] ?? "?"}) is ${claim.status?.phase ?? "Pending"}${failure !== undefined ? `: ${failure.reason ?? ""} ×${eventCount(failure)} — ${clipText(message, 300)}` : " with no provisioning event"}`,
    metadata: { claim: claim.metadata.name, phase: claim.status?.phase ?? "Pending", storageClass, reason: failure?.reason ?? null, message: clipText(message, 500) }
  });
  const noClass = /storageclass\.storage\.k8s\.io "[^"]+" not found/i.test(message);
  a.propose(frame, subject.label, {
    key: `pvc:${subject.ref.namespace}/${claim.metadata.name}`,
    title: noClass
      ? `PersistentVolumeClaim ${claim.metadata.name} cannot be provisioned: storage class ${storageClass} does not exist`
      : `PersistentVolumeClaim ${claim.metadata.name} cannot be provisioned${message !== "" ? `: ${causeText(message, 200)}` : ""}`,
    detail: `${subject.label} needs ${claim.metadata.name}, which stays ${claim.status?.phase ?? "Pending"}; until it is bound the pods cannot be scheduled or start.${message !== "" ? ` The provisioner said: ${clipText(message, 300)}` : ""}`,
    confidence: failure !== undefined && failure.reason === "ProvisioningFailed" ? "high" : "medium",
    depth: 3,
    supporting: [id],
    confirmBy: `${kubectl(subject.ref.namespace, `describe pvc ${claim.metadata.name}`)}; kubectl get storageclass; check the EBS CSI controller logs (kube-system/ebs-csi-controller)`,
    actions: [
      noClass ? `Create storage class ${storageClass} or point the claim at an existing one (kubectl get storageclass)` : "Fix the provisioner error (EBS CSI driver permissions, volume quota, zone)",
      `Check the CSI controller: kubectl -n kube-system logs deploy/ebs-csi-controller -c csi-provisioner`
    ]
  });
  return id;
};

/** Pods the scheduler cannot place, with why, plus the claims that block them. */
export const analyzeScheduling = (a: Analysis, frame: Frame, subject: Subject): number => {
  const pending = subject.pods.filter((p) => p.status?.phase === "Pending" && (p.spec?.nodeName === undefined || p.spec.nodeName === ""));
  if (pending.length === 0) return 0;
  const events = a.events(subject.ref.namespace);
  const byMessage = new Map<string, Array<Pod>>();
  const eventsByPod = new Map<string, Event | undefined>();
  for (const pod of pending) {
    const failed = latest(events("Pod", pod.metadata.name).filter((e) => e.reason === "FailedScheduling"));
    eventsByPod.set(pod.metadata.name, failed);
    const condition = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    const message = failed?.message ?? condition?.message ?? "";
    if (message === "") continue;
    const group = byMessage.get(message);
    if (group === undefined) byMessage.set(message, [pod]);
    else group.push(pod);
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
    const blocking = parsed.reasons.filter((r) => r.obstacle !== "other" || parsed.reasons.length === 1);
    const claimIds: Array<string> = [];
    if (blocking.some((r) => r.obstacle === "unbound-pvc")) {
      for (const name of claimsOf(pod)) {
        const claim = subject.objects.persistentvolumeclaims.find((c) => c.metadata.name === name);
        if (claim === undefined) continue;
        const claimId = analyzeClaim(a, { ...frame, downstream: [`${subject.label} pods Pending on claim ${name}`, ...frame.downstream] }, subject, claim);
        if (claimId !== undefined) claimIds.push(claimId);
      }
    }
    const main = blocking.reduce<SchedulingReason | undefined>((best, r) => (best === undefined || (r.nodes ?? 0) > (best.nodes ?? 0) ? r : best), undefined);
    if (main === undefined) continue;
    const reasonsText = blocking.map((r) => `${r.nodes !== undefined ? `${r.nodes} node(s): ` : ""}${obstacleText(r, pod)}`).join("; ");
    a.propose(frame, subject.label, {
      key: `scheduling:${subject.label}:${main.obstacle}:${main.detail ?? ""}`,
      title: `${subject.label} cannot be scheduled: ${obstacleText(main, pod)}`,
      detail: `${plural(pods.length, "pod")} stay Pending. ${parsed.availableNodes !== undefined ? `${parsed.availableNodes} of ${parsed.totalNodes ?? "?"} nodes are available; ` : ""}${reasonsText}.`,
      confidence: "high",
      depth: 2,
      supporting: [id, ...claimIds],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pod ${pod.metadata.name}`)} (Events: FailedScheduling); kubectl describe nodes | grep -A5 'Allocated resources'`,
      actions:
        main.obstacle === "insufficient-resources"
          ? ["Add capacity (scale the node group / check the cluster autoscaler or Karpenter logs)", `Or lower the pod's ${main.detail ?? "resource"} request if it is oversized`]
          : main.obstacle === "taint"
            ? [`Add a toleration for ${main.detail ?? "the taint"} to ${subject.label}, or schedule it on untainted nodes`]
            : main.obstacle === "node-selector"
              ? ["Fix the nodeSelector/affinity or add nodes with the required labels"]
              : ["Fix what the scheduler reports: " + clipText(message, 120)]
    });
  }
  return pending.length;
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
  const last = failures[failures.length - 1]!;
  const id = a.evidence.add({
    source: podSource(pod),
    timestamp: eventTime(last) ?? a.alertTime,
    severity: "critical",
    content: `${last.reason ?? "FailedMount"} ×${failures.reduce((n, e) => n + eventCount(e), 0)} on ${subject.label}: ${clipText(last.message ?? "", 300)}`,
    metadata: { reason: last.reason ?? "FailedMount", message: clipText(last.message ?? "", 500), pod: pod.metadata.name }
  });
  const missing = /(secret|configmap) "([\w.-]+)" not found/i.exec(last.message ?? "");
  a.propose(frame, subject.label, {
    key: `mount:${subject.label}:${last.reason ?? ""}:${missing?.[2] ?? ""}`,
    title: missing !== null ? `${subject.label} cannot mount ${missing[1]} ${missing[2]}: it does not exist` : `${subject.label} cannot ${last.reason === "FailedAttachVolume" ? "attach" : "mount"} a volume`,
    detail: clipText(last.message ?? "", 400),
    confidence: "high",
    depth: 2,
    supporting: [id],
    confirmBy: kubectl(subject.ref.namespace, `describe pod ${pod.metadata.name}`),
    actions: /Multi-Attach/i.test(last.message ?? "") ? ["The volume is still attached to another node: delete the old pod or wait for the detach"] : ["Fix the volume source named in the event"]
  });
};

/** Controllers refused new pods: ResourceQuota and LimitRange rejections (FailedCreate). */
export const analyzeCreateFailures = (a: Analysis, frame: Frame, subject: Subject): void => {
  const events = a.events(subject.ref.namespace);
  const owners: Array<{ kind: string; name: string }> =
    subject.ref.kind === "Deployment" ? subject.replicaSets.slice(0, 2).map((rs) => ({ kind: "ReplicaSet", name: rs.metadata.name })) : [{ kind: subject.ref.kind, name: subject.ref.name }];
  for (const owner of owners) {
    const failures = events(owner.kind, owner.name).filter((e) => e.reason === "FailedCreate" && a.recent(eventTime(e), 24 * 3_600_000));
    const last = latest(failures);
    if (last === undefined) continue;
    const message = last.message ?? "";
    const parsed = parseCreateFailure(message.replace(/^Error creating: /, "").replace(/^pods "[^"]+" is forbidden: /, ""));
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
      const resources = parsed.resources.map((r) => `${r.resource}: requested ${r.requested ?? "?"}, used ${r.used ?? "?"} of ${r.limited ?? quota?.status?.hard?.[r.resource] ?? "?"}`).join("; ");
      a.propose(frame, subject.label, {
        key: `quota:${subject.ref.namespace}:${parsed.quota}`,
        title: `ResourceQuota ${parsed.quota} in ${subject.ref.namespace} is exhausted: ${subject.label} cannot create pods`,
        detail: `The API server rejects new pods of ${subject.label}: ${resources}.`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: kubectl(subject.ref.namespace, `describe resourcequota ${parsed.quota}`),
        actions: [`Raise the quota or free capacity in ${subject.ref.namespace} (kubectl -n ${subject.ref.namespace} describe resourcequota ${parsed.quota})`, "Lower the pods' requests/limits if they are oversized"]
      });
    } else if (parsed.kind === "limit-range") {
      a.propose(frame, subject.label, {
        key: `limitrange:${subject.label}`,
        title: `A LimitRange in ${subject.ref.namespace} rejects ${subject.label}'s pods: ${clipText(parsed.violations[0] ?? "", 120)}`,
        detail: `The API server refuses to create the pods: ${parsed.violations.join("; ")}.`,
        confidence: "high",
        depth: 2,
        supporting: [id],
        confirmBy: kubectl(subject.ref.namespace, "describe limitrange"),
        actions: [`Bring the container resources of ${kubectlRef(subject.ref.kind, subject.ref.name)} within the LimitRange, or change the LimitRange`]
      });
    } else {
      a.propose(frame, subject.label, {
        key: `failedcreate:${subject.label}:${message}`,
        title: `${owner.kind} ${owner.name} cannot create pods: ${clipText(message, 120)}`,
        detail: clipText(message, 400),
        confidence: "medium",
        depth: 2,
        supporting: [id],
        confirmBy: kubectl(subject.ref.namespace, `describe ${owner.kind.toLowerCase()} ${owner.name}`),
        actions: ["Fix what the API server reports (admission webhook, PodSecurity, service account)"]
      });
    }
  }
};
