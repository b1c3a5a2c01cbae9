import { entitiesFromLabels, type Hypothesis } from "@sre-on-call/core";
import { analyzeClusterView, type ClusterAnalysis } from "../investigate/analyzeClusterView.js";
import { type ClusterView, ClusterViewBuilder, type ContainerLog } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import type { NamespacedKind, NamespacedKinds, Node, StorageClass } from "../kube/KubeObjects.js";
import { makeAlert } from "./makeAlert.js";

export type Objects = { readonly [K in NamespacedKind]?: ReadonlyArray<NamespacedKinds[K]> };

/**
 * Runs the deterministic analysis over objects given as `kubectl get -o json` items (pasted from
 * a real thread, say) without writing a dump: the alert's labels choose the scope as intake would.
 */
export const investigateObjects = (
  o: { readonly nodes?: ReadonlyArray<Node>; readonly objects: Objects; readonly storageClasses?: ReadonlyArray<StorageClass> },
  labels: Readonly<Record<string, string>>,
  at: number,
  annotations?: Readonly<Record<string, string>>
): ClusterAnalysis => {
  const builder = new ClusterViewBuilder("test");
  builder.setNodes(o.nodes ?? []);
  for (const [kind, items] of Object.entries(o.objects) as Array<[NamespacedKind, ReadonlyArray<NamespacedKinds[NamespacedKind]>]>) builder.add(kind, items);
  builder.setServices(o.objects.services ?? []);
  if (o.storageClasses !== undefined) builder.setStorageClasses(o.storageClasses);
  const alert = makeAlert({ labels, at, ...(annotations !== undefined ? { annotations } : {}) });
  return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert));
};

export const topOf = (r: ClusterAnalysis): Hypothesis => {
  const h = r.hypotheses[0];
  if (h === undefined) throw new Error(`no hypothesis; findings: ${r.findings.map((f) => f.content).join(" | ")}`);
  return h;
};

/** A view of the given objects and container logs, with no node list (as a namespace-only dump has none). */
export const viewOfObjects = (objects: Objects, logs: ReadonlyArray<ContainerLog> = []): ClusterView => {
  const builder = new ClusterViewBuilder("test");
  for (const [kind, items] of Object.entries(objects) as Array<[NamespacedKind, ReadonlyArray<NamespacedKinds[NamespacedKind]>]>) builder.add(kind, items);
  builder.setServices(objects.services ?? []);
  for (const l of logs) builder.setLog(l);
  return builder.build();
};

/**
 * The ranked hypotheses for objects and logs pasted from a thread, at an ISO time. With
 * `entitiesFromLabels`, the alert carries the entities intake derives from its labels (job_name,
 * cronjob…), not only the ones makeAlert sets.
 */
export const hypothesesFor = (
  objects: Objects,
  labels: Readonly<Record<string, string>>,
  at: string,
  logs: ReadonlyArray<ContainerLog> = [],
  options: { readonly entitiesFromLabels?: boolean } = {}
): ReadonlyArray<Hypothesis> => {
  const made = makeAlert({ labels, at: Date.parse(at) });
  const alert = options.entitiesFromLabels === true ? { ...made, entities: { ...made.entities, ...entitiesFromLabels(labels) } } : made;
  return analyzeClusterView(viewOfObjects(objects, logs), alert, scopeFromAlert(alert)).hypotheses;
};
