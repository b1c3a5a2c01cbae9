import type { Pod, ReplicaSet } from "../kube/KubeObjects.js";
import { formatDuration, formatTime, toMillis } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { clipText, isPodReady, kubectl, listNames } from "./podFacts.js";
import { revisionOf, type Subject } from "./Subject.js";

const imagesOf = (rs: ReplicaSet): ReadonlyMap<string, string> =>
  new Map((rs.spec?.template?.spec?.containers ?? []).map((c) => [c.name ?? "", c.image ?? ""] as const));

const podsOf = (subject: Subject, rs: ReplicaSet): ReadonlyArray<Pod> =>
  subject.pods.filter((p) => p.metadata.ownerReferences?.some((o) => (o.uid !== undefined && o.uid === rs.metadata.uid) || o.name === rs.metadata.name) === true);

const healthy = (pods: ReadonlyArray<Pod>) => pods.length > 0 && pods.every((p) => isPodReady(p) || p.status?.phase === "Succeeded");
const broken = (pods: ReadonlyArray<Pod>) => pods.length > 0 && pods.every((p) => !isPodReady(p));

export interface RolloutReport {
  /** The change the last rollout made, e.g. `image api: …:2.3.1 → …:2.4.0`. */
  readonly change?: string;
  readonly findingId?: string;
}

/**
 * The deployment's last rollout: what changed (images, old → new), when, which ReplicaSet,
 * whether it is stuck (ProgressDeadlineExceeded), and whether its new pods are the failing ones.
 */
export const analyzeRollout = (a: Analysis, frame: Frame, subject: Subject): RolloutReport => {
  const deployment = subject.deployment;
  if (subject.ref.kind === "StatefulSet") {
    const s = subject.statefulSet?.status;
    if (s?.updateRevision !== undefined && s.currentRevision !== undefined && s.updateRevision !== s.currentRevision && !healthy(subject.pods)) {
      const id = a.evidence.add({
        source: `kubernetes/statefulset/${subject.label}`,
        timestamp: a.alertTime,
        severity: "medium",
        content: `StatefulSet ${subject.label} is mid-rollout: current revision ${s.currentRevision}, update revision ${s.updateRevision}; ${s.readyReplicas ?? 0}/${subject.statefulSet?.spec?.replicas ?? "?"} ready`,
        metadata: { currentRevision: s.currentRevision, updateRevision: s.updateRevision }
      });
      return { findingId: id };
    }
    return {};
  }
  if (deployment === undefined || subject.replicaSets.length === 0) return {};
  const [current, ...older] = subject.replicaSets;
  if (current === undefined) return {};
  const previous = older.find((rs) => revisionOf(rs) < revisionOf(current));
  const at = toMillis(current.metadata.creationTimestamp);
  const progressing = deployment.status?.conditions?.find((c) => c.type === "Progressing");
  const stuck = progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded";
  const newPods = podsOf(subject, current);
  const oldPods = previous === undefined ? [] : subject.pods.filter((p) => !newPods.includes(p));
  const recent = a.recent(at, 2 * 3_600_000);
  if (previous === undefined && !stuck) return {};
  if (!recent && !stuck && !broken(newPods)) return {};

  const before = previous === undefined ? new Map<string, string>() : imagesOf(previous);
  const changes = [...imagesOf(current)].filter(([name, image]) => before.get(name) !== image).map(([name, image]) => `image ${name}: ${before.get(name) ?? "(new container)"} → ${image}`);
  const change = changes.length > 0 ? changes.join("; ") : "pod template changed (same images: configuration, env or resources)";
  const ready = (pods: ReadonlyArray<Pod>) => `${pods.filter(isPodReady).length}/${pods.length} ready`;
  const when = at !== undefined ? `${formatTime(at)}${at <= a.alertTime ? ` (${formatDuration(a.alertTime - at)} before the alert)` : ` (${formatDuration(at - a.alertTime)} after the alert)`}` : "at an unknown time";
  const id = a.evidence.add({
    source: `kubernetes/deployment/${subject.label}`,
    timestamp: at ?? a.alertTime,
    severity: stuck || broken(newPods) ? "high" : "medium",
    content: `Rollout of deployment ${subject.label} to revision ${revisionOf(current)} (ReplicaSet ${current.metadata.name}) at ${when}: ${change}. New ReplicaSet ${ready(newPods)}${previous !== undefined ? `; previous ReplicaSet ${previous.metadata.name} (revision ${revisionOf(previous)}) ${ready(oldPods)}` : ""}${stuck ? `; rollout stuck: ${clipText(progressing.message ?? "ProgressDeadlineExceeded", 200)}` : ""}`,
    metadata: {
      revision: revisionOf(current),
      replicaSet: current.metadata.name,
      previousReplicaSet: previous?.metadata.name ?? null,
      previousRevision: previous === undefined ? null : revisionOf(previous),
      at: at ?? null,
      changes,
      newReady: newPods.filter(isPodReady).length,
      newPods: newPods.length,
      oldReady: oldPods.filter(isPodReady).length,
      oldPods: oldPods.length,
      stuck
    }
  });
  if (!broken(newPods) && !stuck) return { change, findingId: id };

  // The rollout is the cause when the new pods fail and the old ones still serve; when both fail, it merely coincides.
  const oldFine = oldPods.length === 0 || healthy(oldPods) || oldPods.some(isPodReady);
  const undo = kubectl(subject.ref.namespace, `rollout undo deployment/${subject.ref.name}${previous !== undefined ? ` --to-revision=${revisionOf(previous)}` : ""}`);
  a.propose(frame, subject.label, {
    key: `rollout:${subject.label}:${current.metadata.name}`,
    title: `Rollout of ${subject.label} to revision ${revisionOf(current)} broke it: ${clipText(change, 140)}`,
    detail: `ReplicaSet ${current.metadata.name} was created ${when}; its pods are ${ready(newPods)}${previous !== undefined ? ` while the previous ReplicaSet's are ${ready(oldPods)}` : ""}.${stuck ? " The rollout has exceeded its progress deadline." : ""}${oldFine ? "" : " The old pods are failing too, so the rollout may only coincide with a common cause."}`,
    confidence: oldFine ? "high" : "low",
    depth: 2,
    supporting: [id],
    confirmBy: `${kubectl(subject.ref.namespace, `rollout history deployment/${subject.ref.name} --revision=${revisionOf(current)}`)}; compare the failing pods' logs with the previous version's (${listNames(oldPods.map((p) => p.metadata.name), 1) || "no old pods left"})`,
    actions: [`Roll back: ${undo}`, `Then fix the change before re-deploying (${clipText(change, 100)})`],
    chain: [`rollout to revision ${revisionOf(current)}: ${clipText(change, 100)}`, `new pods of ${subject.label} ${ready(newPods)}`]
  });
  return { change, findingId: id };
};
