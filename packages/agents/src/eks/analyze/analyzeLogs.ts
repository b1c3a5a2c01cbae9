import type { Pod } from "../kube/KubeObjects.js";
import { formatTime } from "../kube/time.js";
import type { Analysis, Frame } from "./Analysis.js";
import { clipText, containersOf, kubectl, listNames, plural, podSource } from "./podFacts.js";
import type { LogSignals } from "./scanLog.js";
import type { Subject } from "./Subject.js";

export interface PodLogSignals {
  readonly pod: Pod;
  readonly container: string;
  readonly previous: boolean;
  readonly signals: LogSignals;
}

/** Every log the view holds for the subject's pods, previous instances first. */
export const subjectLogs = (a: Analysis, subject: Subject): ReadonlyArray<PodLogSignals> => {
  const out: Array<PodLogSignals> = [];
  for (const pod of subject.pods) {
    const names = new Set([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name ?? "").concat(containersOf(pod).map((c) => c.name)));
    for (const container of names) {
      if (!a.hasLogs(pod, container)) continue;
      for (const previous of [true, false]) {
        const signals = a.logSignals(pod, container, previous);
        if (signals !== undefined) out.push({ pod, container, previous, signals });
      }
    }
  }
  return out;
};

const MAX_ERROR_FINDINGS = 3;

/**
 * What the subject's logs say beyond a crash: a full disk (a cause of its own) and the most
 * frequent error lines, as evidence for whoever reads the report.
 */
export const analyzeLogs = (a: Analysis, frame: Frame, subject: Subject): number => {
  const logs = subjectLogs(a, subject);
  let problems = 0;
  const full = logs.filter((l) => l.signals.diskFull !== undefined && (l.signals.diskFull.time === undefined || a.recent(l.signals.diskFull.time, 24 * 3_600_000)));
  if (full.length > 0) {
    problems++;
    const first = full[0]!;
    const disk = first.signals.diskFull!;
    const claims = (first.pod.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => typeof c === "string");
    const claim = claims.map((c) => subject.objects.persistentvolumeclaims.find((p) => p.metadata.name === c)).find((c) => c !== undefined);
    const size = claim?.status?.capacity?.["storage"] ?? claim?.spec?.resources?.requests?.["storage"];
    const volume = claims.length > 0 ? `volume ${claims[0] ?? ""}${size !== undefined ? ` (${size})` : ""}` : "its disk";
    const id = a.evidence.add({
      source: podSource(first.pod),
      timestamp: disk.time ?? a.alertTime,
      severity: "critical",
      content: `${first.container} of ${subject.label} reports a full disk${disk.time !== undefined ? ` at ${formatTime(disk.time)}` : ""} (${plural(full.length, "log")}: ${listNames(full.map((l) => l.pod.metadata.name))}): ${disk.line}`,
      metadata: { pods: full.map((l) => l.pod.metadata.name), line: disk.line, claims, size: size ?? null }
    });
    a.propose(frame, subject.label, {
      key: `disk-full:${subject.label}`,
      title: `${subject.label}'s ${volume} is full (No space left on device)`,
      detail: `${first.container} cannot write: "${clipText(disk.line, 200)}". A process that cannot write its data files or write-ahead log fails or shuts down, and everything that depends on it fails with it.`,
      confidence: "high",
      depth: 3,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `exec ${first.pod.metadata.name} -c ${first.container} -- df -h`)}; kubelet_volume_stats_available_bytes{namespace="${subject.ref.namespace}"${claims[0] !== undefined ? `,persistentvolumeclaim="${claims[0]}"` : ""}}`,
      actions: [
        claims[0] !== undefined
          ? `Expand the volume: ${kubectl(subject.ref.namespace, `patch pvc ${claims[0]} -p '{"spec":{"resources":{"requests":{"storage":"<larger size>"}}}}'`)} (the storage class must allow expansion)`
          : "Free space or give the container a larger volume",
        "Free space safely (old WAL/archives, logs, temp files) and find what filled it"
      ],
      chain: [`${volume} of ${subject.label} full`]
    });
  }
  // The most repeated error lines, so the report shows what the process complains about.
  const errors = new Map<string, { sample: string; count: number; pods: Set<string>; lastTime?: number; pod: Pod }>();
  for (const l of logs) {
    for (const e of l.signals.errors) {
      const seen = errors.get(e.signature);
      if (seen === undefined) errors.set(e.signature, { sample: e.sample, count: e.count, pods: new Set([l.pod.metadata.name]), pod: l.pod, ...(e.lastTime !== undefined ? { lastTime: e.lastTime } : {}) });
      else {
        seen.count += e.count;
        seen.pods.add(l.pod.metadata.name);
        if (e.lastTime !== undefined && (seen.lastTime === undefined || e.lastTime > seen.lastTime)) seen.lastTime = e.lastTime;
      }
    }
  }
  const top = [...errors.values()].filter((e) => e.lastTime === undefined || a.recent(e.lastTime)).sort((x, y) => y.count - x.count).slice(0, MAX_ERROR_FINDINGS);
  for (const e of top) {
    a.evidence.add({
      source: podSource(e.pod),
      timestamp: e.lastTime ?? a.alertTime,
      severity: "medium",
      content: `${subject.label} logged ${e.count}× (${plural(e.pods.size, "pod")}): ${e.sample}`,
      metadata: { count: e.count, pods: [...e.pods], sample: e.sample }
    });
  }
  return problems;
};
