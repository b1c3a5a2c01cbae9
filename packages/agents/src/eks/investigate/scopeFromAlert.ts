import { type AlertContext, entitiesFromLabels } from "@sre-on-call/core";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob";

/** Kinds an alert can name, and that an investigation can start from. */
export type ObjectKind = WorkloadKind | "Pod" | "Node" | "Service" | "PersistentVolumeClaim" | "Container";

/** An object chosen for the investigation once the cluster was read (see `locateScope`). */
export interface Target {
  readonly kind: Exclude<ObjectKind, "Node" | "Container">;
  readonly namespace: string;
  readonly name: string;
}

/** Control-plane components whose alerts are about scraping them, not about a workload. */
export type ControlPlaneComponent = "kube-scheduler" | "kube-controller-manager" | "kube-apiserver" | "etcd" | "kube-proxy";

/** The fields of a scope that hold one name. */
export type NameField = "namespace" | "pod" | "container" | "service" | "node" | "persistentVolumeClaim" | "workload" | "instance";

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
  /**
   * Fields whose name was read from the alert's prose (a chat message, an annotation) rather than
   * from a label: prose is ambiguous, so these are checked against the cluster before use.
   */
  readonly loose?: ReadonlyArray<NameField>;
  /** The alert's own words, where a bare workload, container or Service may be named loosely. */
  readonly prose?: string;
  readonly controlPlane?: ControlPlaneComponent;
  /**
   * Whether the alert is about Kubernetes: `clearly` when it names an object or a Kube rule or
   * uses words only Kubernetes uses (pods, deployments, CrashLoopBackOff…), and only then may the
   * cluster be triaged when nothing it names exists; `possibly` for words other systems share
   * (service, node, job, restarts), enough to look its names up in the cluster.
   */
  readonly aboutKubernetes?: "clearly" | "possibly";
  /** Objects chosen after reading the cluster: investigated as given, with `choice` saying why. */
  readonly targets?: ReadonlyArray<Target>;
  readonly choice?: Choice;
}

/** Why the investigation looks at the objects it looks at, for the report. */
export interface Choice {
  readonly how: "named" | "matched" | "kind" | "triage" | "control-plane";
  readonly content: string;
  readonly alternatives: ReadonlyArray<string>;
}

const nonEmpty = (value: string | undefined) => (value !== undefined && value.trim() !== "" ? value.trim() : undefined);

/**
 * kube-prometheus' and older prometheus-operator rules for control-plane scrape targets
 * (kubernetes-mixin `KubeSchedulerDown`, `KubeControllerManagerDown`, `KubeAPIDown`,
 * `KubeProxyDown`; the 2018 chart's `K8SControllerManagerDown`, `K8SSchedulerDown`,
 * `K8SApiserverDown`; etcd-mixin `etcdMembersDown`/`etcdInsufficientMembers`).
 */
const CONTROL_PLANE: ReadonlyArray<[RegExp, ControlPlaneComponent]> = [
  [/^(?:Kube|K8S)SchedulerDown$/i, "kube-scheduler"],
  [/^(?:Kube|K8S)ControllerManagerDown$/i, "kube-controller-manager"],
  [/^(?:KubeAPIDown|KubeAPIServerDown|K8SApiserverDown|KubeAPIErrorsHigh)$/i, "kube-apiserver"],
  [/^etcd(?:MembersDown|InsufficientMembers|NoLeader)$/i, "etcd"],
  [/^KubeProxyDown$/i, "kube-proxy"]
];

export const controlPlaneOf = (alertname: string | undefined): ControlPlaneComponent | undefined =>
  alertname === undefined ? undefined : CONTROL_PLANE.find(([re]) => re.test(alertname))?.[1];

/** The prose of an alert: a chat message whole; for a labelled alert, its annotations. */
const proseOf = (alert: AlertContext): string => {
  const fromLabels = Object.keys(alert.labels).length > 0;
  const annotations = ["summary", "description", "message", "title"].map((k) => (Object.hasOwn(alert.annotations, k) ? alert.annotations[k] : undefined)).filter((t): t is string => t !== undefined);
  return [...(fromLabels ? [] : [alert.alertText]), ...annotations].join("\n").slice(0, 16_384);
};

export const scopeFromAlert = (alert: AlertContext): Scope => {
  const e = alert.entities;
  // What the labels name is exact; anything else in `entities` was read from prose.
  const exact = entitiesFromLabels(alert.labels);
  const workload: Scope["workload"] =
    nonEmpty(e.deployment) !== undefined
      ? { kind: "Deployment", name: nonEmpty(e.deployment) ?? "" }
      : nonEmpty(e.statefulset) !== undefined
        ? { kind: "StatefulSet", name: nonEmpty(e.statefulset) ?? "" }
        : nonEmpty(e.daemonset) !== undefined
          ? { kind: "DaemonSet", name: nonEmpty(e.daemonset) ?? "" }
          : nonEmpty(e.kubeJob) !== undefined
            ? { kind: "Job", name: nonEmpty(e.kubeJob) ?? "" }
            : nonEmpty(e.cronjob) !== undefined
              ? { kind: "CronJob", name: nonEmpty(e.cronjob) ?? "" }
              : undefined;
  const workloadExact =
    workload !== undefined &&
    [exact.deployment, exact.statefulset, exact.daemonset, exact.kubeJob, exact.cronjob].some((v) => v !== undefined && v.trim() === workload.name);
  const fields: Array<[Exclude<NameField, "workload">, string | undefined, string | undefined]> = [
    ["namespace", nonEmpty(e.namespace), exact.namespace],
    ["pod", nonEmpty(e.pod), exact.pod],
    ["container", nonEmpty(e.container), exact.container],
    ["service", nonEmpty(e.service), exact.service],
    ["node", nonEmpty(e.node), exact.node],
    // kube-state-metrics volume alerts (KubePersistentVolumeFillingUp) carry the claim as a label.
    ["persistentVolumeClaim", nonEmpty(e.persistentvolumeclaim) ?? nonEmpty(alert.labels["persistentvolumeclaim"]), exact.persistentvolumeclaim ?? alert.labels["persistentvolumeclaim"]],
    ["instance", nonEmpty(e.instance), exact.instance]
  ];
  const present = fields.filter(([, v]) => v !== undefined);
  const loose: Array<NameField> = present.filter(([, v, x]) => x === undefined || x.trim() !== v).map(([k]) => k);
  if (workload !== undefined && !workloadExact) loose.push("workload");
  const controlPlane = controlPlaneOf(nonEmpty(e.alertname));
  const prose = proseOf(alert);
  const scope: Scope = {
    ...Object.fromEntries(present.map(([k, v]) => [k, v])),
    ...(workload !== undefined ? { workload } : {}),
    ...(loose.length > 0 ? { loose } : {}),
    ...(prose.trim() !== "" ? { prose } : {}),
    ...(controlPlane !== undefined ? { controlPlane } : {})
  };
  const about = aboutKubernetes(alert, scope);
  return about === undefined ? scope : { ...scope, aboutKubernetes: about };
};

/** Whether a field's name came from prose (and still needs checking against the cluster). */
export const isLoose = (scope: Scope, field: NameField): boolean => scope.loose?.includes(field) === true;

/** Whether the alert names anything the investigation can start from without reading the cluster first. */
export const namesKubernetesObject = (scope: Scope): boolean =>
  scope.namespace !== undefined || scope.pod !== undefined || scope.workload !== undefined || scope.node !== undefined || (scope.targets?.length ?? 0) > 0;

/**
 * Words only Kubernetes uses: an alert that says them is about the cluster even when it names no
 * object, and the cluster's unhealthy objects are worth a look (a bare workload, the failing pods).
 */
const KUBE_WORDS =
  /\b(?:kube[\w-]*|k8s|kubernetes|kubectl|helm|pods?|deployments?|statefulsets?|daemonsets?|replicasets?|cronjobs?|cron ?jobs?|init ?containers?|namespaces?|endpoints|ingress(?:es)?|pvcs?|persistent ?volume ?claims?|networkpolic(?:y|ies)|configmaps?|crash ?loop\w*|oom ?kill\w*|evicted|imagepull\w*|errimage\w*|createcontainer\w*|coredns|kubelet|rollouts?|(?:pods?|nodes?) (?:is |are )?not ?ready)\b/i;

/** Words other systems share: enough to look the alert's names up in the cluster, not to triage it. */
const SHARED_WORDS = /\b(?:eks|gke|aks|deploy|jobs?|containers?|nodes?|services?|svc|secrets?|crash\w*|restart\w*|oom\w*|evict\w*|rolling updates?|replicas?|scheduler|cluster)\b/i;

/** How clearly the alert is about Kubernetes: by the objects it names, its rule, or its words. */
const aboutKubernetes = (alert: AlertContext, scope: Scope): Scope["aboutKubernetes"] => {
  const words = `${alert.entities.alertname ?? ""}\n${scope.prose ?? ""}`;
  const named = namesKubernetesObject(scope) || scope.persistentVolumeClaim !== undefined || scope.controlPlane !== undefined || /^(?:Kube|K8S)/.test(alert.entities.alertname ?? "");
  if (named || KUBE_WORDS.test(words)) return "clearly";
  return scope.service !== undefined || scope.container !== undefined || SHARED_WORDS.test(words) ? "possibly" : undefined;
};

export const describeScope = (scope: Scope): string => {
  const parts: Array<string> = [];
  if (scope.targets !== undefined && scope.targets.length > 0) parts.push(...scope.targets.map((t) => `${t.kind.toLowerCase()} ${t.namespace}/${t.name}`));
  else {
    if (scope.workload !== undefined) parts.push(`${scope.workload.kind.toLowerCase()} ${scope.workload.name}`);
    if (scope.pod !== undefined) parts.push(`pod ${scope.pod}`);
    if (scope.service !== undefined) parts.push(`service ${scope.service}`);
    if (scope.persistentVolumeClaim !== undefined) parts.push(`claim ${scope.persistentVolumeClaim}`);
  }
  if (scope.node !== undefined) parts.push(`node ${scope.node}`);
  if (scope.controlPlane !== undefined && parts.length === 0) parts.push(scope.controlPlane);
  const where = scope.namespace !== undefined && (scope.targets === undefined || scope.targets.length === 0) ? ` in ${scope.namespace}` : "";
  return parts.length === 0 ? (scope.namespace !== undefined ? `namespace ${scope.namespace}` : "nothing") : `${parts.join(", ")}${where}`;
};
