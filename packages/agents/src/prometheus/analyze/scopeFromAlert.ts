import type { AlertContext } from "@sre-on-call/core";
import { type Matcher, regexLiteral } from "./promql.js";

/**
 * Label matchers for each family of golden signals, from the alert's entities. Each family is
 * present only when the alert names enough to select it without scanning the whole fleet.
 */
export interface PromScope {
  /** What the alert is about, for sentences: `payments/api`, `node ip-10-0-3-77`. */
  readonly subject: string;
  /** Request metrics (traffic, errors, latency): namespace plus service, job, pod or workload. */
  readonly http?: ReadonlyArray<Matcher>;
  /** cAdvisor and kube-state-metrics container series: namespace plus pod (or the workload's pods) and container. */
  readonly container?: ReadonlyArray<Matcher>;
  /** kubelet volume stats: every PVC of the namespace, since a full volume anywhere in it is a prime suspect. */
  readonly volume?: ReadonlyArray<Matcher>;
  /** node_exporter filesystems: alternatives (`node=` or `instance=~`), any of which may match. */
  readonly node?: ReadonlyArray<ReadonlyArray<Matcher>>;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v.trim());

/** Pod-name patterns of a workload's pods, as the Kubernetes controllers name them. */
export const workloadPodPattern = (e: AlertContext["entities"]): string | undefined => {
  const deployment = nonEmpty(e.deployment);
  if (deployment !== undefined) return `${regexLiteral(deployment)}-[a-z0-9]{5,10}-[a-z0-9]{5}`;
  const statefulset = nonEmpty(e.statefulset);
  if (statefulset !== undefined) return `${regexLiteral(statefulset)}-[0-9]+`;
  const daemonset = nonEmpty(e.daemonset);
  if (daemonset !== undefined) return `${regexLiteral(daemonset)}-[a-z0-9]{5}`;
  return undefined;
};

export const scopeFromAlert = (alert: AlertContext): PromScope => {
  const e = alert.entities;
  const namespace = nonEmpty(e.namespace);
  const service = nonEmpty(e.service);
  const job = nonEmpty(e.job);
  const pod = nonEmpty(e.pod);
  const container = nonEmpty(e.container);
  const node = nonEmpty(e.node);
  const instance = nonEmpty(e.instance);
  const workload = workloadPodPattern(e);
  const ns: Array<Matcher> = namespace === undefined ? [] : [{ label: "namespace", op: "=", value: namespace }];

  const httpSubject: Matcher | undefined =
    service !== undefined
      ? { label: "service", op: "=", value: service }
      : job !== undefined
        ? { label: "job", op: "=", value: job }
        : pod !== undefined
          ? { label: "pod", op: "=", value: pod }
          : workload !== undefined
            ? { label: "pod", op: "=~", value: workload }
            : undefined;
  const http = httpSubject !== undefined ? [...ns, httpSubject] : namespace !== undefined ? ns : instance !== undefined && node === undefined ? [{ label: "instance", op: "=", value: instance } as const] : undefined;

  // A service's pods are usually its deployment's or statefulset's, named after it.
  const podMatcher: Matcher | undefined =
    pod !== undefined
      ? { label: "pod", op: "=", value: pod }
      : workload !== undefined
        ? { label: "pod", op: "=~", value: workload }
        : service !== undefined
          ? { label: "pod", op: "=~", value: `${regexLiteral(service)}-([a-z0-9]{5,10}-[a-z0-9]{5}|[0-9]+)` }
          : undefined;
  const containerScope =
    namespace === undefined && podMatcher === undefined
      ? undefined
      : [...ns, ...(podMatcher === undefined ? [] : [podMatcher]), ...(container === undefined ? [] : [{ label: "container", op: "=", value: container } as const])];

  const nodeScope: Array<Array<Matcher>> = [];
  if (node !== undefined) nodeScope.push([{ label: "node", op: "=", value: node }], [{ label: "instance", op: "=~", value: `${regexLiteral(node)}(:[0-9]+)?` }]);
  else if (instance !== undefined) nodeScope.push([{ label: "instance", op: "=", value: instance }]);

  const subject =
    [namespace, service ?? e.deployment ?? e.statefulset ?? e.daemonset ?? pod ?? job].filter((s): s is string => s !== undefined && s !== "").join("/") || (node !== undefined ? `node ${node}` : instance !== undefined ? `instance ${instance}` : "the alert");

  return {
    subject,
    ...(http === undefined ? {} : { http }),
    ...(containerScope === undefined ? {} : { container: containerScope }),
    ...(namespace === undefined ? {} : { volume: ns }),
    ...(nodeScope.length === 0 ? {} : { node: nodeScope })
  };
};

export const scopeIsEmpty = (scope: PromScope): boolean => scope.http === undefined && scope.container === undefined && scope.volume === undefined && scope.node === undefined;
