import type { Hypothesis } from "@sre-on-call/core";
import { analyzeClusterView, type ClusterAnalysis } from "../investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import type { NamespacedKind, NamespacedKinds, Node } from "../kube/KubeObjects.js";
import { makeAlert } from "./makeAlert.js";

export type Objects = { readonly [K in NamespacedKind]?: ReadonlyArray<NamespacedKinds[K]> };

/**
 * Runs the deterministic analysis over objects given as `kubectl get -o json` items (pasted from
 * a real thread, say) without writing a dump: the alert's labels choose the scope as intake would.
 */
export const investigateObjects = (
  o: { readonly nodes?: ReadonlyArray<Node>; readonly objects: Objects },
  labels: Readonly<Record<string, string>>,
  at: number,
  annotations?: Readonly<Record<string, string>>
): ClusterAnalysis => {
  const builder = new ClusterViewBuilder("test");
  builder.setNodes(o.nodes ?? []);
  for (const [kind, items] of Object.entries(o.objects) as Array<[NamespacedKind, ReadonlyArray<NamespacedKinds[NamespacedKind]>]>) builder.add(kind, items);
  builder.setServices(o.objects.services ?? []);
  const alert = makeAlert({ labels, at, ...(annotations !== undefined ? { annotations } : {}) });
  return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert));
};

export const topOf = (r: ClusterAnalysis): Hypothesis => {
  const h = r.hypotheses[0];
  if (h === undefined) throw new Error(`no hypothesis; findings: ${r.findings.map((f) => f.content).join(" | ")}`);
  return h;
};
