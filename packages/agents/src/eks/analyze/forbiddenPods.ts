import { logKey } from "../investigate/ClusterView.js";
import type { Analysis, Frame } from "./Analysis.js";
import { type CreateFailure, parseCreateFailure } from "./parseCreateFailure.js";
import { clipText, kubectl, podSource } from "./podFacts.js";
import type { Subject } from "./Subject.js";

/**
 * Pods a workload creates itself (a spawner, an operator, a Spark driver) are refused by the API
 * server in the creator's own log, not in any event: no controller of Kubernetes files a
 * FailedCreate for them. The API's words are the cause:
 * - jupyterhub/kubespawner#669: `pods "jupyter-appopenshift" is forbidden: failed quota: compute-resources: must specify limits.memory`
 *   (the single-user pods had no memory limit);
 * - kubeflow/spark-operator#810: `pods "pyspark-pi-1581596092621-exec-1" is forbidden: failed quota: system-resourcequota: must specify limits.cpu.`
 *   (the executor pods had no CPU limit);
 * - apache/airflow#70513: `pods "arrow-spark-…-driver" is forbidden: exceeded quota: spark-demo-quota, requested: count/pods=1, used: count/pods=3, limited: count/pods=3. Received status: …`.
 */
export interface ForbiddenPod {
  readonly pod: string;
  readonly failure: Extract<CreateFailure, { readonly kind: "quota" | "quota-must-specify" }>;
  readonly line: string;
}

const FORBIDDEN = /pods? \\?"([^"\\]+)\\?" is forbidden: ((?:exceeded|failed) quota: .*?)(?=\.\s+[A-Z]|\.?\\?"|\.?\s*$)/;

export const forbiddenPodIn = (line: string): ForbiddenPod | undefined => {
  if (line.length > 8000) return undefined;
  const m = FORBIDDEN.exec(line);
  if (m === null) return undefined;
  const failure = parseCreateFailure(`pods "${m[1] ?? ""}" is forbidden: ${m[2] ?? ""}`);
  if (failure.kind !== "quota" && failure.kind !== "quota-must-specify") return undefined;
  return { pod: m[1] ?? "", failure, line: line.trim() };
};

const quotaText = (f: ForbiddenPod["failure"]): string =>
  f.kind === "quota-must-specify"
    ? `every container must specify ${f.resources.join(", ")}, and the pod it creates does not`
    : `the quota is used up (${f.resources.map((r) => `${r.resource}: ${r.used ?? "?"} used of ${r.limited ?? "?"}, the pod asks ${r.requested ?? "?"}`).join("; ")})`;

/** Quota rejections of the pods the subject creates, from its containers' logs. */
export const analyzeForbiddenPods = (a: Analysis, frame: Frame, subject: Subject): number => {
  const found = new Map<string, { f: ForbiddenPod; pod: (typeof subject.pods)[number]; container: string; count: number }>();
  for (const pod of subject.pods) {
    for (const c of pod.spec?.containers ?? []) {
      const log = a.view.logs.get(logKey(pod.metadata.namespace ?? subject.ref.namespace, pod.metadata.name, c.name ?? ""));
      for (const text of [log?.previous, log?.current]) {
        if (text === undefined || !text.includes("is forbidden")) continue;
        for (const line of text.split("\n")) {
          const f = forbiddenPodIn(line);
          if (f === undefined) continue;
          const key = `${f.failure.quota}\n${f.failure.kind}`;
          const seen = found.get(key);
          found.set(key, seen === undefined ? { f, pod, container: c.name ?? "", count: 1 } : { ...seen, count: seen.count + 1 });
        }
      }
    }
  }
  for (const { f, pod, container, count } of found.values()) {
    const id = a.evidence.add({
      source: podSource(pod),
      timestamp: a.alertTime,
      severity: "critical",
      content: `${container} of ${subject.label} logged ${count}× the API server's refusal to create pod ${f.pod}: ${clipText(f.line, 300)}`,
      metadata: { pod: f.pod, quota: f.failure.quota, kind: f.failure.kind, count }
    });
    a.propose(frame, subject.label, {
      key: `forbidden-pod:${subject.label}:${f.failure.quota}`,
      title: `ResourceQuota ${f.failure.quota} rejects pod ${f.pod} that ${subject.label} creates: ${quotaText(f.failure)}`,
      detail: `The API server refused the pod (${clipText(f.line, 250)}). ${subject.label} creates these pods itself, so no controller event records the refusal: only its log does.`,
      confidence: "high",
      depth: 3,
      supporting: [id],
      confirmBy: `${kubectl(subject.ref.namespace, `describe resourcequota ${f.failure.quota}`)}; ${kubectl(subject.ref.namespace, `logs ${pod.metadata.name} -c ${container}`)}`,
      actions: [
        f.failure.kind === "quota-must-specify"
          ? `Set ${f.failure.resources.join(", ")} on the pods ${subject.label} creates (its configuration of their resources), or add a LimitRange with defaults to the namespace`
          : `Raise ResourceQuota ${f.failure.quota} or free what it counts`
      ]
    });
  }
  return found.size;
};
