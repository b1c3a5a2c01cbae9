import type { Container, EnvVar, Pod, ReplicaSet } from "../kube/KubeObjects.js";
import { formatDuration, formatTime, toMillis } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { isCodeDefect, namedCauses } from "./analyzeContainers.js";
import { clipText, isPodReady, kubectl, listNames } from "./podFacts.js";
import { revisionOf, type Subject } from "./Subject.js";

const imagesOf = (rs: ReplicaSet): ReadonlyMap<string, string> =>
  new Map((rs.spec?.template?.spec?.containers ?? []).map((c) => [c.name ?? "", c.image ?? ""] as const));

const containersOfTemplate = (rs: ReplicaSet | undefined): ReadonlyMap<string, Container> => {
  const containers: ReadonlyArray<Container> = Array.isArray(rs?.spec?.template?.spec?.containers) ? rs.spec.template.spec.containers : [];
  return new Map(containers.map((c) => [c.name ?? "", c] as const));
};
const envOf = (c: Container): ReadonlyArray<EnvVar> => (Array.isArray(c.env) ? c.env : []);

/** Where an env var's value comes from, without the value itself (it may be a secret). */
const envSource = (e: EnvVar): string =>
  e.valueFrom?.secretKeyRef !== undefined
    ? `Secret ${e.valueFrom.secretKeyRef.name ?? "?"} key ${e.valueFrom.secretKeyRef.key ?? "?"}`
    : e.valueFrom?.configMapKeyRef !== undefined
      ? `ConfigMap ${e.valueFrom.configMapKeyRef.name ?? "?"} key ${e.valueFrom.configMapKeyRef.key ?? "?"}`
      : "a value";

/**
 * What else the rollout changed in each container besides its image: env variables added,
 * removed or changed (names and sources, never values), the command, the resources. A renamed
 * variable shows as one removed and one added (AlverezYari/phillips-homelab#285:
 * SECRET_KEY_BASE removed, RAILS_SECRET_KEY_BASE added from a Secret).
 */
const templateChanges = (before: ReplicaSet | undefined, after: ReplicaSet): ReadonlyArray<string> => {
  if (before === undefined) return [];
  const old = containersOfTemplate(before);
  const out: Array<string> = [];
  for (const [name, c] of containersOfTemplate(after)) {
    const o = old.get(name);
    if (o === undefined) continue;
    const oldEnv = new Map(envOf(o).map((e) => [e.name ?? "", e] as const));
    const newEnv = new Map(envOf(c).map((e) => [e.name ?? "", e] as const));
    const removed = [...oldEnv.keys()].filter((k) => !newEnv.has(k));
    const added = [...newEnv.entries()].filter(([k]) => !oldEnv.has(k)).map(([k, e]) => `${k} (from ${envSource(e)})`);
    const changed = [...newEnv.entries()].filter(([k, e]) => oldEnv.has(k) && JSON.stringify(oldEnv.get(k)) !== JSON.stringify(e)).map(([k]) => k);
    const parts = [
      ...(removed.length > 0 ? [`removed env ${listNames(removed, 4)}`] : []),
      ...(added.length > 0 ? [`added env ${listNames(added, 4)}`] : []),
      ...(changed.length > 0 ? [`changed env ${listNames(changed, 4)}`] : []),
      ...(JSON.stringify([o.command, o.args]) !== JSON.stringify([c.command, c.args]) ? ["changed command/args"] : []),
      ...(JSON.stringify(o.resources) !== JSON.stringify(c.resources) ? ["changed resources"] : [])
    ];
    if (parts.length > 0) out.push(`${name}: ${parts.join(", ")}`);
  }
  return out;
};

const podsOf = (subject: Subject, rs: ReplicaSet): ReadonlyArray<Pod> =>
  subject.pods.filter((p) => p.metadata.ownerReferences?.some((o) => (o.uid !== undefined && o.uid === rs.metadata.uid) || o.name === rs.metadata.name) === true);

const healthy = (pods: ReadonlyArray<Pod>) => pods.length > 0 && pods.every((p) => isPodReady(p) || p.status?.phase === "Succeeded");
const broken = (pods: ReadonlyArray<Pod>) => pods.length > 0 && pods.every((p) => !isPodReady(p));

/**
 * What the new pods' own evidence says is wrong, apart from a defect in the program: the causes
 * analyzeContainers named for them (a missing Secret, a termination message, a crash line) and the
 * catalog signatures in their logs. A cause about an image the rollout introduced is the rollout's.
 */
const ownCauses = (a: Analysis, subject: Subject, newPods: ReadonlyArray<Pod>, newImages: ReadonlySet<string>): ReadonlyArray<string> => {
  const names = new Set(newPods.map((p) => p.metadata.name));
  const named = namedCauses(a, subject)
    .filter((c) => c.pods.some((p) => names.has(p)) && !c.codeDefect && !c.images.some((i) => newImages.has(i)))
    .map((c) => c.title);
  const signed = newPods.flatMap((p) =>
    [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].flatMap((c) =>
      [true, false].flatMap((previous) => (a.logSignals(p, c.name ?? "", previous)?.signatures ?? []).filter((s) => s.category !== "bug" && s.category !== "slow" && !isCodeDefect(s.line)).map((s) => s.title))
    )
  );
  return [...new Set([...named, ...signed])];
};

/*
 * A new pod that cannot start while the old one still runs, because the old one holds something
 * only one instance may hold: a lock file, a database lock, a client id. RollingUpdate starts the
 * new pod before it stops the old one, so the new one crash-loops and the old one is never
 * stopped. Seen in devtron-labs/devtron#627 (`panic: errstan: clientID already registered`),
 * pipe-cd/pipecd#2348 and lisenet/kubernetes-homelab#7 (Prometheus `lock DB directory: resource
 * temporarily unavailable`), helm/charts#17737 (LMDB `Resource temporarily unavailable`),
 * m88i/nexus-operator#191 (`/nexus-data/lock`), milvus-io/milvus-helm#79 (`Could not get lock`),
 * kunobi-ninja/kache#767 (`is already locked by another process`), pocket-id/pocket-id#1398 (`already
 * one instance of Pocket ID running`).
 */
const HELD_BY_ANOTHER =
  /resource temporarily unavailable|already (?:registered|locked|running|in use|taken)|locked by another|another (?:process|instance)|one instance|(?:could not|cannot|can't|unable to|failed to) (?:get|acquire|obtain) (?:the |a )?lock/i;
/**
 * A lock that cannot be taken for want of permission is the volume's problem, not the old pod's
 * (`lock DB directory: open /prometheus/lock: permission denied`); a port in use is the pod's own
 * (pods do not share a network namespace).
 */
const NOT_HELD = /permission denied|read-only file system|operation not permitted|address already in use|port is already (?:allocated|in use)/i;

/** The words of a failure without the title or log line around them (`… crashes on start: X`, `level=error err="X"`). */
const heldWords = (text: string): string => /\b(?:err|error|msg)="([^"]+)"/.exec(text)?.[1] ?? text.replace(/^.*?(?:crashes on start|fails|after the error): /, "");

/** The new pods' own failure text, for the held-by-the-old-pod check: the causes named for them and their logs' last words. */
const newPodFailures = (a: Analysis, subject: Subject, newPods: ReadonlyArray<Pod>): ReadonlyArray<string> => {
  const names = new Set(newPods.map((p) => p.metadata.name));
  const named = namedCauses(a, subject)
    .filter((c) => c.pods.some((p) => names.has(p)))
    .map((c) => c.title);
  const said = newPods.flatMap((p) =>
    (p.spec?.containers ?? []).flatMap((c) =>
      [true, false].flatMap((previous) => {
        const signals = a.logSignals(p, c.name ?? "", previous);
        return signals === undefined ? [] : [...(signals.crash !== undefined ? [signals.crash.rootCause ?? signals.crash.headline] : []), ...(signals.lastLines ?? [])];
      })
    )
  );
  return [...named, ...said];
};

/** A `conflict` signature of the catalog in the new pods' logs: analyzeLogs already names that cause. */
const conflictSigned = (a: Analysis, newPods: ReadonlyArray<Pod>): boolean =>
  newPods.some((p) => (p.spec?.containers ?? []).some((c) => [true, false].some((previous) => (a.logSignals(p, c.name ?? "", previous)?.signatures ?? []).some((s) => s.category === "conflict"))));

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
  const other = templateChanges(previous, current);
  const change = changes.length > 0 || other.length > 0 ? [...changes, ...other].join("; ") : "pod template changed (same images: configuration, volumes or labels)";
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
  const rolling = deployment.spec?.strategy?.type !== "Recreate";
  const held = rolling && oldPods.some(isPodReady) && !conflictSigned(a, newPods) ? newPodFailures(a, subject, newPods).find((t) => HELD_BY_ANOTHER.test(t) && !NOT_HELD.test(t)) : undefined;
  if (held !== undefined) {
    a.propose(frame, subject.label, {
      key: `rollout-held:${subject.label}:${current.metadata.name}`,
      title: `New pods of ${subject.label} fail while an old pod still runs and holds what they need: ${clipText(heldWords(held), 140)}`,
      detail: `The rollout to revision ${revisionOf(current)} (${clipText(change, 100)}) uses the RollingUpdate strategy: new pods start before the old ones stop. The old pods (${listNames(oldPods.filter(isPodReady).map((p) => p.metadata.name), 2)}) are still ready, and the new pods fail with ${clipText(held, 200)}: a lock, a registration or an id only one instance can hold. The old pod is never stopped because the new one never becomes ready.`,
      confidence: "high",
      depth: 2,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `get pods -l ${Object.entries(deployment.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`)}; the old pod runs while the new one crash-loops`,
      actions: [
        `Delete the old pod so the new one can take over (${kubectl(subject.ref.namespace, `delete pod ${oldPods.find(isPodReady)?.metadata.name ?? ""}`)})`,
        `Set strategy.type: Recreate on deployment/${subject.ref.name} (or maxSurge: 0) so the old pod stops first`
      ],
      chain: [`old pod of ${subject.label} still holds it`, `new pods of ${subject.label} ${ready(newPods)}`]
    });
  }
  // The new pods' own evidence naming another cause (a missing Secret, a termination message, a
  // crash line that is not a defect of the program) outranks the coincidence of a rollout.
  const own = held !== undefined ? [held] : ownCauses(a, subject, newPods, new Set(imagesOf(current).values()));
  a.propose(frame, subject.label, {
    key: `rollout:${subject.label}:${current.metadata.name}`,
    title:
      own.length > 0
        ? `Rollout of ${subject.label} to revision ${revisionOf(current)} preceded the failure: ${clipText(change, 140)}`
        : `Rollout of ${subject.label} to revision ${revisionOf(current)} broke it: ${clipText(change, 140)}`,
    detail: `ReplicaSet ${current.metadata.name} was created ${when} (${clipText(change, 400)}); its pods are ${ready(newPods)}${previous !== undefined ? ` while the previous ReplicaSet's are ${ready(oldPods)}` : ""}.${stuck ? " The rollout has exceeded its progress deadline." : ""}${oldFine ? "" : " The old pods are failing too, so the rollout may only coincide with a common cause."}${own.length > 0 ? ` The new pods' own evidence names the cause: ${clipText(own[0] ?? "", 200)}; the rollout is when it started.` : ""}`,
    confidence: !oldFine ? "low" : own.length > 0 ? "medium" : "high",
    depth: 2,
    supporting: [id],
    confirmBy: `${kubectl(subject.ref.namespace, `rollout history deployment/${subject.ref.name} --revision=${revisionOf(current)}`)}; compare the failing pods' logs with the previous version's (${listNames(oldPods.map((p) => p.metadata.name), 1) || "no old pods left"})`,
    actions: [`Roll back: ${undo}`, `Then fix the change before re-deploying (${clipText(change, 100)})`],
    chain: [`rollout to revision ${revisionOf(current)}: ${clipText(change, 100)}`, `new pods of ${subject.label} ${ready(newPods)}`]
  });
  return { change, findingId: id };
};
