import type { AlertContext } from "@sre-on-call/core";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet";

/** The Kubernetes objects an alert names; where the investigation starts. */
export interface Scope {
  readonly namespace?: string;
  readonly pod?: string;
  readonly container?: string;
  readonly workload?: { readonly kind: WorkloadKind; readonly name: string };
  readonly service?: string;
  readonly node?: string;
  readonly persistentVolumeClaim?: string;
  /** `host:port` of a scrape target, used to find a node when nothing else names one. */
  readonly instance?: string;
}

const nonEmpty = (value: string | undefined) => (value !== undefined && value.trim() !== "" ? value.trim() : undefined);

export const scopeFromAlert = (alert: AlertContext): Scope => {
  const e = alert.entities;
  const workload: Scope["workload"] =
    nonEmpty(e.deployment) !== undefined
      ? { kind: "Deployment", name: nonEmpty(e.deployment) ?? "" }
      : nonEmpty(e.statefulset) !== undefined
        ? { kind: "StatefulSet", name: nonEmpty(e.statefulset) ?? "" }
        : nonEmpty(e.daemonset) !== undefined
          ? { kind: "DaemonSet", name: nonEmpty(e.daemonset) ?? "" }
          : undefined;
  const fields: Array<[keyof Scope, string | undefined]> = [
    ["namespace", nonEmpty(e.namespace)],
    ["pod", nonEmpty(e.pod)],
    ["container", nonEmpty(e.container)],
    ["service", nonEmpty(e.service)],
    ["node", nonEmpty(e.node)],
    // kube-state-metrics volume alerts (KubePersistentVolumeFillingUp) carry the claim as a label.
    ["persistentVolumeClaim", nonEmpty(alert.labels["persistentvolumeclaim"])],
    ["instance", nonEmpty(e.instance)]
  ];
  return {
    ...Object.fromEntries(fields.filter(([, v]) => v !== undefined)),
    ...(workload !== undefined ? { workload } : {})
  };
};

/** Whether the alert names anything the investigation can start from. */
export const namesKubernetesObject = (scope: Scope): boolean =>
  scope.namespace !== undefined || scope.pod !== undefined || scope.workload !== undefined || scope.node !== undefined;

export const describeScope = (scope: Scope): string => {
  const parts: Array<string> = [];
  if (scope.workload !== undefined) parts.push(`${scope.workload.kind.toLowerCase()} ${scope.workload.name}`);
  if (scope.pod !== undefined) parts.push(`pod ${scope.pod}`);
  if (scope.service !== undefined) parts.push(`service ${scope.service}`);
  if (scope.persistentVolumeClaim !== undefined) parts.push(`claim ${scope.persistentVolumeClaim}`);
  if (scope.node !== undefined) parts.push(`node ${scope.node}`);
  const where = scope.namespace !== undefined ? ` in ${scope.namespace}` : "";
  return parts.length === 0 ? (scope.namespace !== undefined ? `namespace ${scope.namespace}` : "nothing") : `${parts.join(", ")}${where}`;
};
