import type { Confidence } from "@sre-on-call/core";
import type { Container, Event, PersistentVolumeClaim, StorageClass } from "../kube/KubeObjects.js";
import { eventCount, eventTime, formatDuration, toMillis } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { claimClassOf, matchVolumes, requestOf, volumeClassOf } from "./matchVolumes.js";
import { causeText, clipText, kubectl, listNames } from "./podFacts.js";
import type { Subject } from "./Subject.js";

const DEFAULT_CLASS_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

/** A StorageClass marked default by either annotation Kubernetes honours. */
export const isDefaultClass = (c: StorageClass): boolean => DEFAULT_CLASS_ANNOTATIONS.some((a) => c.metadata.annotations?.[a] === "true");

/** The class a claim asks for: `spec.storageClassName`, or the beta annotation older charts still write. */
export const storageClassOf = (claim: PersistentVolumeClaim): string | undefined => {
  const spec = claim.spec?.storageClassName;
  if (typeof spec === "string") return spec;
  const annotation = claim.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"];
  return typeof annotation === "string" ? annotation : undefined;
};

const classSource = (claim: PersistentVolumeClaim): string =>
  typeof claim.spec?.storageClassName === "string" ? "spec.storageClassName" : "the volume.beta.kubernetes.io/storage-class annotation";

/** The provisioner the PersistentVolume controller waits for: from the claim's annotations or its ExternalProvisioning event. */
const provisionerOf = (claim: PersistentVolumeClaim, events: ReadonlyArray<Event>): string | undefined => {
  const fromEvent = events.map((e) => /external provisioner "([^"]+)"/.exec(e.message ?? "")?.[1]).find((p) => p !== undefined);
  return fromEvent ?? claim.metadata.annotations?.["volume.kubernetes.io/storage-provisioner"] ?? claim.metadata.annotations?.["volume.beta.kubernetes.io/storage-provisioner"];
};

/** A claim waited this long without the provisioner reacting: provisioning starts within seconds when one runs. */
const STUCK_MS = 15 * 60_000;

const PROVISIONER_EVENTS = new Set(["Provisioning", "ProvisioningFailed", "ProvisioningSucceeded"]);

interface ClaimCause {
  readonly title: string;
  readonly detail: string;
  readonly confidence: Confidence;
  readonly actions: ReadonlyArray<string>;
}

/** The pods in the view that run an external provisioner (a CSI controller's `csi-provisioner` sidecar). */
const provisionerPods = (a: Analysis, provisioner: string) => {
  const hint = provisioner.split(/[./]/)[0] ?? provisioner;
  return [...a.view.namespaces.values()].flatMap((o) =>
    o.pods.filter((p) => {
      const containers = Array.isArray(p.spec?.containers) ? p.spec.containers : [];
      const names = (c: Container) => (Array.isArray(c.args) ? (c.args as ReadonlyArray<unknown>) : []).some((arg) => typeof arg === "string" && arg.includes(provisioner));
      const sidecar = containers.some((c) => /csi-provisioner|external-provisioner/.test(c.image ?? "") || names(c));
      return sidecar && (p.metadata.name.includes(hint) || containers.some((c) => (c.image ?? "").includes(hint) || names(c)));
    })
  );
};

/**
 * Why a claim stays unbound, from the PersistentVolume controller's and the provisioner's events
 * (Normal ones included: `FailedBinding … no storage class is set` and `ExternalProvisioning`
 * are Normal). Undefined when the claim only waits for its pod to be scheduled.
 */
const claimCause = (a: Analysis, subject: Subject, claim: PersistentVolumeClaim, events: ReadonlyArray<Event>): ClaimCause | undefined => {
  const name = claim.metadata.name;
  const storageClass = storageClassOf(claim);
  const mismatch = volumeMismatch(a, claim, events);
  if (mismatch !== undefined) return mismatch;
  const failed = [...events].reverse().find((e) => e.reason === "ProvisioningFailed" || e.reason === "FailedBinding");
  const message = failed?.message ?? "";
  const missingClass = /storageclass\.storage\.k8s\.io "([^"]+)" not found/i.exec(message)?.[1];
  if (missingClass !== undefined)
    return {
      title: `PersistentVolumeClaim ${name} cannot be provisioned: storage class ${missingClass} does not exist`,
      detail: `${subject.label} needs ${name}, which asks for storage class ${missingClass} (${classSource(claim)}); no StorageClass of that name exists, so no volume is provisioned and the claim stays Pending.`,
      confidence: "high",
      actions: [`Create storage class ${missingClass} or point the claim at an existing one (kubectl get storageclass)`, `A claim's class cannot be changed in place: delete and recreate ${name} (for a StatefulSet, fix volumeClaimTemplates first)`]
    };
  if (/no storage class is set/i.test(message)) {
    const emptyClass = claim.spec?.storageClassName === "";
    return {
      title: emptyClass
        ? `PersistentVolumeClaim ${name} cannot bind: its storageClassName is "" (no storage class, no dynamic provisioning) and no PersistentVolume matches it`
        : `PersistentVolumeClaim ${name} cannot bind: it names no storage class, no default StorageClass applied to it, and no PersistentVolume matches it`,
      detail: `The PersistentVolume controller reports "${clipText(message, 160)}" ×${eventCount(failed!)}: ${emptyClass ? "an empty storageClassName turns dynamic provisioning off" : "the claim has no storageClassName and the cluster had no default StorageClass when it was created"}, and no pre-created PersistentVolume fits its size and access modes.${emptyClass ? "" : " Whether the cluster should have a default class or the claim should name one (a chart value that did not reach its template) is not in the evidence read."}`,
      // "" is a choice written in the claim; a claim without class leaves open whether the claim or the cluster is wrong
      // (komodorio/helm-charts#146: the chart ignored its storageClass value), unless the classes read settle it.
      confidence: emptyClass || (a.view.storageClasses !== undefined && a.view.storageClasses.length > 0 && !a.view.storageClasses.some(isDefaultClass)) ? "high" : "medium",
      actions: [
        "Mark a StorageClass as default (storageclass.kubernetes.io/is-default-class: \"true\") or set storageClassName on the claim (kubectl get storageclass)",
        `Or create a PersistentVolume that matches ${name}; then recreate the claim if it was created before the default class existed`
      ]
    };
  }
  if (failed !== undefined)
    return {
      title: `PersistentVolumeClaim ${name} cannot be provisioned: ${causeText(message, 200)}`,
      detail: `${subject.label} needs ${name} (storage class ${storageClass ?? "(default)"}), which stays ${claim.status?.phase ?? "Pending"}. ${failed.reason ?? ""}: ${clipText(message, 300)}`,
      confidence: failed.reason === "ProvisioningFailed" ? "high" : "medium",
      actions: ["Fix the provisioner error (driver permissions, volume quota, zone, parameters of the class)", `${kubectl(subject.ref.namespace, `describe pvc ${name}`)}`]
    };

  const waiting = events.filter((e) => e.reason === "ExternalProvisioning");
  const provisioner = provisionerOf(claim, events);
  if (waiting.length > 0 && provisioner !== undefined) {
    const reacted = events.some((e) => PROVISIONER_EVENTS.has(e.reason ?? ""));
    const first = Math.min(...[toMillis(claim.metadata.creationTimestamp), ...waiting.map((e) => toMillis(e.firstTimestamp) ?? eventTime(e))].filter((t): t is number => t !== undefined));
    const last = Math.max(...waiting.map((e) => eventTime(e) ?? a.alertTime));
    const waited = Number.isFinite(first) ? Math.max(last, a.alertTime) - first : 0;
    const count = waiting.reduce((n, e) => n + eventCount(e), 0);
    const controllers = provisionerPods(a, provisioner);
    const kubeSystemRead = a.view.namespaces.has("kube-system");
    const seen =
      controllers.length > 0
        ? ` Provisioner pods in the data read: ${listNames(controllers.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`))}.`
        : kubeSystemRead
          ? " No pod running a provisioner for it was found in the namespaces read."
          : " kube-system was not read, so whether a controller for it is deployed was not checked.";
    if (controllers.length > 0 || reacted)
      return {
        title: `PersistentVolumeClaim ${name} waits for provisioner ${provisioner}, which runs but has not created its volume`,
        detail: `The PersistentVolume controller is waiting ×${count} for ${provisioner} to create a volume for ${name}.${seen}`,
        confidence: "medium",
        actions: [`Read the provisioner's logs (kubectl logs … -c csi-provisioner) for ${name}`]
      };
    const stuck = waited >= STUCK_MS;
    return {
      title: `PersistentVolumeClaim ${name} stays Pending: no provisioner ${provisioner} is running (its CSI driver is not installed or its controller is down)`,
      detail: `For ${formatDuration(waited)} (×${count}) the PersistentVolume controller has been "waiting for a volume to be created, either by external provisioner "${provisioner}" or manually", and no event from ${provisioner} itself (Provisioning, ProvisioningFailed) exists: a running provisioner reacts within seconds.${seen}`,
      confidence: stuck ? "high" : "medium",
      actions: [
        /ebs\.csi\.aws\.com/.test(provisioner)
          ? "Install the Amazon EBS CSI driver (EKS add-on aws-ebs-csi-driver) with an IAM role allowed to create volumes (EKS 1.23+ no longer provisions gp2 in-tree)"
          : `Install or restart the CSI driver / provisioner ${provisioner}`,
        `Check: kubectl get csidrivers; kubectl get pods -A | grep -i ${provisioner.split(".")[0] ?? provisioner}`
      ]
    };
  }
  return volumesCause(a, claim, events);
};

const classText = (c: string) => (c === "" ? 'none ("")' : c);

/*
 * A claim that names its volume (spec.volumeName) and does not match it: the PersistentVolume
 * controller says why in a VolumeMismatch event, `Cannot bind to requested volume "X": <reason>`
 * (kubernetes/kubernetes#58522: requested PV is too small, storageClassName does not match,
 * incompatible volumeMode/accessMode). The class is the usual one: a claim without
 * storageClassName gets the default class, a PersistentVolume without one has none
 * (testdrivenio/flask-vue-kubernetes#1, awslabs/mountpoint-s3-csi-driver#182, k8spatterns/examples#65).
 */
const volumeMismatch = (a: Analysis, claim: PersistentVolumeClaim, events: ReadonlyArray<Event>): ClaimCause | undefined => {
  const last = [...events].reverse().find((e) => e.reason === "VolumeMismatch");
  const m = /Cannot bind to requested volume "([^"]+)": (.+)$/.exec((last?.message ?? "").trim());
  if (last === undefined || m === null) return undefined;
  const volumeName = m[1] ?? "";
  const reason = (m[2] ?? "").trim();
  const pv = a.view.persistentVolumes?.find((v) => v.metadata.name === volumeName);
  const claimClass = claimClassOf(claim);
  const facts = /storageClass/i.test(reason)
    ? ` (the claim: storageClassName ${typeof claim.spec?.storageClassName === "string" || claimClass !== "" ? classText(claimClass) : "not set, so the cluster's default class if it has one"}; the volume: ${pv !== undefined ? classText(volumeClassOf(pv)) : "not read"})`
    : /too small/i.test(reason)
      ? ` (the claim asks ${requestOf(claim) ?? "?"}; the volume holds ${pv?.spec?.capacity?.["storage"] ?? "an amount not read"})`
      : /accessMode/i.test(reason)
        ? ` (the claim asks ${(claim.spec?.accessModes ?? []).join(", ") || "?"}; the volume offers ${(pv?.spec?.accessModes ?? []).join(", ") || "modes not read"})`
        : "";
  return {
    title: `PersistentVolumeClaim ${claim.metadata.name} cannot bind to the PersistentVolume it names, ${volumeName}: ${reason}${facts}`,
    detail: `The PersistentVolume controller reports "${clipText(last.message ?? "", 200)}" ×${eventCount(last)}. A claim with spec.volumeName binds only that volume, and only when the class, size, access modes and volume mode agree.`,
    confidence: "high",
    actions: [
      /storageClass/i.test(reason)
        ? `Set the same storageClassName on the claim and on ${volumeName} (storageClassName: "" on both for a volume without class); a claim's class cannot be changed in place, so recreate ${claim.metadata.name}`
        : `Make ${volumeName} match the claim (${reason}) or point the claim at a volume that does`
    ]
  };
};

/**
 * Without a word from the controller, the volumes read say why a claim stays unbound: none of
 * them fits (class, access modes, size, selector), or the one that would is held by another
 * claim that asked for less (IBM/core-dump-handler#78: the 1Gi claim bound the 10Gi volume, and
 * the 10Gi claim was left with a 1Gi one; fixed by reserving each volume with claimRef).
 */
const volumesCause = (a: Analysis, claim: PersistentVolumeClaim, events: ReadonlyArray<Event>): ClaimCause | undefined => {
  const volumes = a.view.persistentVolumes;
  if (volumes === undefined || volumes.length === 0) return undefined;
  // A controller still provisioning or waiting for the pod's node (WaitForFirstConsumer) is not stuck on the volumes.
  if (events.some((e) => /WaitForFirstConsumer|waiting for first consumer|ExternalProvisioning|Provisioning/i.test(`${e.reason ?? ""} ${e.message ?? ""}`))) return undefined;
  const claims = [...a.view.namespaces.values()].flatMap((o) => o.persistentvolumeclaims);
  const match = matchVolumes(claim, volumes, claims);
  if (match.fits.length > 0) return undefined;
  const name = claim.metadata.name;
  const asked = `${requestOf(claim) ?? "?"}, class ${classText(claimClassOf(claim))}`;
  const taken = match.takenBySmaller;
  const others = match.reasons.filter((r) => r.volume !== taken?.volume).map((r) => r.why);
  const title =
    taken !== undefined
      ? `PersistentVolumeClaim ${name} (${asked}) cannot bind: the volume that would fit it, ${taken.volume.metadata.name} (${taken.volume.spec?.capacity?.["storage"] ?? "?"}), is bound to claim ${taken.claim}, which asked only ${taken.asked}${others.length > 0 ? `; ${listNames(others, 2)}` : ""}`
      : `PersistentVolumeClaim ${name} (${asked}) cannot bind: no PersistentVolume read fits it${match.reasons.length > 0 ? ` — ${listNames(match.reasons.map((r) => r.why), 3)}` : " (none of its class exists)"}`;
  return {
    title,
    detail: `${volumes.length} PersistentVolumes were read; the controller binds a claim to an Available volume of the same class whose access modes, volume mode, size and labels fit it, the smallest first.${taken !== undefined ? ` ${taken.claim} was bound first and got ${taken.volume.metadata.name}, larger than it asked for, so nothing left fits ${name}.` : ""}${events.length === 0 ? " No event of the PersistentVolume controller was read for the claim." : ""}`,
    // The volumes read may not be all of them, and a provisioner may still act: the objects suggest, the controller did not say.
    confidence: "medium",
    actions: [
      taken !== undefined
        ? `Reserve each volume for its claim (spec.claimRef on the PersistentVolume, or spec.volumeName on the claim); then free ${taken.volume.metadata.name} (delete ${taken.claim} and clear the volume's claimRef) so the claims rebind`
        : `Create a PersistentVolume that fits ${name} (${asked}), or use a StorageClass that provisions one`
    ]
  };
};

/**
 * A claim that cannot get a volume: the deeper cause behind "unbound PersistentVolumeClaims",
 * a Pending pod with no scheduler message, and FailedMount. Returns the finding's id, or
 * undefined when the claim is bound or only waits for its pod to be scheduled.
 */
export const analyzeClaim = (a: Analysis, frame: Frame, subject: Subject, claim: PersistentVolumeClaim): string | undefined => {
  if (claim.status?.phase === "Bound") return undefined;
  const events = a.events(subject.ref.namespace)("PersistentVolumeClaim", claim.metadata.name);
  const last = events[events.length - 1];
  const storageClass = storageClassOf(claim) ?? "(default)";
  const id = a.evidence.add({
    source: `kubernetes/persistentvolumeclaim/${subject.ref.namespace}/${claim.metadata.name}`,
    timestamp: (last !== undefined ? eventTime(last) : undefined) ?? a.alertTime,
    severity: "critical",
    content: `PersistentVolumeClaim ${claim.metadata.name} (storage class ${storageClass}, ${claim.spec?.resources?.requests?.["storage"] ?? "?"}) is ${claim.status?.phase ?? "Pending"}${
      events.length > 0 ? `: ${[...new Map(events.map((e) => [`${e.reason ?? ""}|${e.message ?? ""}`, e])).values()].slice(-3).map((e) => `${e.type ?? ""} ${e.reason ?? ""} ×${eventCount(e)} — ${clipText(e.message ?? "", 200)}`).join("; ")}` : " with no events"
    }`,
    metadata: { claim: claim.metadata.name, phase: claim.status?.phase ?? "Pending", storageClass, reason: last?.reason ?? null, message: clipText(last?.message ?? "", 500) }
  });
  const cause = claimCause(a, subject, claim, events);
  if (cause === undefined) {
    if (events.length > 0) return undefined;
    a.propose(frame, subject.label, {
      key: `pvc:${subject.ref.namespace}/${claim.metadata.name}`,
      title: `PersistentVolumeClaim ${claim.metadata.name} is Pending (storage class ${storageClass}) with no event saying why`,
      detail: `${subject.label} needs ${claim.metadata.name}, which is not bound; the data read holds no event of the PersistentVolume controller or a provisioner about it (events expire after an hour).`,
      confidence: "low",
      depth: 3,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe pvc ${claim.metadata.name}`)}; kubectl get storageclass`
    });
    return id;
  }
  a.propose(frame, subject.label, {
    key: `pvc:${subject.ref.namespace}/${claim.metadata.name}`,
    title: cause.title,
    detail: cause.detail,
    confidence: cause.confidence,
    depth: 3,
    supporting: [id],
    confirmBy: `${kubectl(subject.ref.namespace, `describe pvc ${claim.metadata.name}`)}; kubectl get storageclass`,
    actions: cause.actions
  });
  return id;
};
