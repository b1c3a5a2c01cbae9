import { type AlertContext, type Finding, type Hypothesis, rankHypotheses } from "@sre-on-call/core";
import { Analysis, type PlacedProposal, ROOT_FRAME, type SubjectDiagnosis } from "../analyze/Analysis.js";
import { analyzeNodePodCapacity, nodeTrouble } from "../analyze/analyzeNodes.js";
import { analyzeNamespaceServices } from "../analyze/analyzeServices.js";
import { analyzeThrottling, throttlingAlert } from "../analyze/analyzeThrottling.js";
import { isPodReady, listNames, plural } from "../analyze/podFacts.js";
import type { ClusterView } from "./ClusterView.js";
import { diagnoseSubject } from "./diagnoseSubject.js";
import { examineControlPlane } from "./examineControlPlane.js";
import { resolveSubjectsSafely } from "./resolveSubjects.js";
import { describeScope, type Scope } from "./scopeFromAlert.js";

export interface ClusterAnalysis {
  readonly findings: ReadonlyArray<Finding>;
  /** Most likely first. */
  readonly hypotheses: ReadonlyArray<Hypothesis>;
  readonly summary: string;
  /** The workloads the alert was matched to, with their state. */
  readonly subjects: ReadonlyArray<{ readonly workload: string; readonly status: string; readonly healthy: boolean }>;
}

const MAX_HYPOTHESES = 8;

const toHypothesis = (agent: string) => (p: PlacedProposal, i: number): Hypothesis => ({
  id: `${agent}:h${i + 1}`,
  title: p.title,
  detail: p.detail,
  confidence: p.confidence,
  supportingFindings: [...p.supporting],
  confirmBy: p.confirmBy,
  proposedBy: agent,
  depth: p.depth,
  ...(p.chain !== undefined && p.chain.length > 1 ? { chain: [...p.chain] } : {}),
  ...(p.actions !== undefined && p.actions.length > 0 ? { actions: [...p.actions] } : {})
});

const analyzeNodeScope = (a: Analysis, nodeName: string): void => {
  const node = a.node(nodeName);
  if (node === undefined) {
    a.evidence.add({ source: `kubernetes/node/${nodeName}`, timestamp: a.alertTime, severity: "medium", content: `Node ${nodeName} named by the alert does not exist (any more) in the cluster`, metadata: { node: nodeName } });
    return;
  }
  const trouble = nodeTrouble(a, node);
  const pods = [...a.view.namespaces.values()].flatMap((o) => o.pods).filter((p) => p.spec?.nodeName === nodeName);
  const down = pods.filter((p) => !isPodReady(p) && p.status?.phase !== "Succeeded");
  const frame = ROOT_FRAME;
  if (trouble.notReady !== undefined) {
    const podsId = a.evidence.add({
      source: `kubernetes/node/${nodeName}`,
      timestamp: trouble.notReady.since ?? a.alertTime,
      severity: "critical",
      content: `${plural(pods.length, "pod")} run on ${nodeName}; ${down.length} are not ready: ${listNames(down.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`), 6)}`,
      metadata: { node: nodeName, pods: pods.length, notReady: down.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`) }
    });
    a.propose(frame, `node/${nodeName}`, {
      key: `node-notready:${nodeName}`,
      title: `Node ${nodeName} is ${trouble.notReady.status === "Unknown" ? "unreachable" : "NotReady"}: ${trouble.notReady.cause.text}`,
      detail: `${trouble.notReady.message}. ${down.length} of its ${pods.length} pods are not ready; they are evicted after the toleration period.`,
      confidence: trouble.notReady.cause.confidence,
      depth: 2,
      supporting: [trouble.notReady.id, podsId],
      confirmBy: `kubectl describe node ${nodeName}; check the EC2 instance status checks and the kubelet logs`,
      actions: [trouble.notReady.cause.action, `kubectl cordon ${nodeName} && kubectl drain ${nodeName} --ignore-daemonsets --delete-emptydir-data`, "Replace the instance if it does not recover"]
    });
  }
  analyzeNodePodCapacity(a, frame, node);
  if (trouble.pressures.length > 0) {
    a.propose(frame, `node/${nodeName}`, {
      key: `node-pressure:${nodeName}`,
      title: `Node ${nodeName} is under ${trouble.pressures.map((p) => p.kind).join(" and ")} pressure`,
      detail: "The kubelet stops admitting pods and evicts running ones until the pressure clears.",
      confidence: "high",
      depth: 2,
      supporting: trouble.pressures.map((p) => p.id),
      confirmBy: `kubectl describe node ${nodeName}; kubectl top pods -A --field-selector spec.nodeName=${nodeName}`,
      actions: ["Find and stop the biggest consumer on the node; cordon and drain it if the pressure persists"]
    });
  }
};

/**
 * The deterministic diagnosis of one alert over a view of the cluster: the alert's workloads
 * and everything their state, events and logs point to, as findings and ranked hypotheses.
 * Healthy workloads produce no hypothesis; when nothing explains the alert, it says so.
 */
export const analyzeClusterView = (view: ClusterView, alert: AlertContext, scope: Scope, agent = "eks"): ClusterAnalysis => {
  const a = new Analysis(view, alert.alertTimestamp, alert.window, agent);
  const since = Math.min(alert.window.start, alert.alertTimestamp) - 3_600_000;
  const resolution = resolveSubjectsSafely(view, scope, since);
  // Which objects were chosen and why, when the alert did not name them exactly: the report says so.
  if (scope.choice !== undefined) {
    const affected = resolution.subjects.map((s) => s.label);
    a.evidence.add({ source: "kubernetes", timestamp: alert.alertTimestamp, severity: "info", content: scope.choice.content, metadata: { chosenBy: scope.choice.how, affected, alternatives: [...scope.choice.alternatives] } });
  }
  for (const note of resolution.notes) a.evidence.add({ source: "kubernetes", timestamp: alert.alertTimestamp, severity: "info", content: note, metadata: {} });
  const diagnoses: Array<SubjectDiagnosis> = resolution.subjects.map((s) => diagnoseSubject(a, ROOT_FRAME, s));
  const throttling = throttlingAlert(alert);
  if (throttling !== undefined) {
    for (const s of resolution.subjects) {
      try {
        analyzeThrottling(a, ROOT_FRAME, s, scope.container, throttling === "cpu");
      } catch (e) {
        a.evidence.add({ source: "kubernetes", timestamp: alert.alertTimestamp, severity: "info", content: `The CPU throttling check skipped ${s.label}: its objects are malformed (${e instanceof Error ? e.message : String(e)})`, metadata: {} });
      }
    }
  }
  if (scope.node !== undefined) {
    const node = scope.node;
    try {
      analyzeNodeScope(a, node);
    } catch (e) {
      a.evidence.add({ source: `kubernetes/node/${node}`, timestamp: alert.alertTimestamp, severity: "info", content: `The node check skipped ${node}: its objects are malformed (${e instanceof Error ? e.message : String(e)})`, metadata: {} });
    }
  }
  if (scope.controlPlane !== undefined) {
    const component = scope.controlPlane;
    try {
      examineControlPlane(a, component, alert.entities.alertname ?? component);
    } catch (e) {
      a.evidence.add({ source: "kubernetes/namespace/kube-system", timestamp: alert.alertTimestamp, severity: "info", content: `The control-plane check skipped ${component}: its objects are malformed (${e instanceof Error ? e.message : String(e)})`, metadata: {} });
    }
  }
  if (resolution.namespace !== undefined) {
    const namespace = resolution.namespace;
    try {
      analyzeNamespaceServices(a, ROOT_FRAME, namespace, scope.service, a.allProposals().length === 0);
    } catch (e) {
      a.evidence.add({ source: `kubernetes/namespace/${namespace}`, timestamp: alert.alertTimestamp, severity: "info", content: `The Service check skipped ${namespace}: its objects are malformed (${e instanceof Error ? e.message : String(e)})`, metadata: {} });
    }
  }
  for (const gap of view.gaps) {
    a.evidence.add({ source: "kubernetes", timestamp: alert.alertTimestamp, severity: "info", content: `Not read: ${gap.what} (${gap.reason})`, metadata: { gap: gap.what, reason: gap.reason } });
  }

  const ranked = rankHypotheses(a.allProposals().map(toHypothesis(agent)));
  const hypotheses = ranked.slice(0, MAX_HYPOTHESES).map((h, i) => ({ ...h, id: `${agent}:h${i + 1}` }));
  const named = describeScope(scope);
  const states = diagnoses.map((d) => `${d.subject.label} ${d.status}`);
  if (hypotheses.length === 0) {
    const healthy = diagnoses.length > 0 && diagnoses.every((d) => d.healthy);
    a.evidence.add({
      source: "kubernetes",
      timestamp: alert.alertTimestamp,
      severity: "info",
      content:
        diagnoses.length === 0
          ? `No Kubernetes workload matched the alert (${named}); nothing to diagnose`
          : healthy
            ? `No Kubernetes-level cause found: ${states.join("; ")}; no crash, scheduling, image, config, node or rollout problem in the window`
            : `No cause found in Kubernetes state, events or logs for ${states.join("; ")}`,
      metadata: { workloads: diagnoses.map((d) => d.subject.label), healthy }
    });
  }
  const top = hypotheses[0];
  const partial = view.gaps.length > 0 ? ` (${plural(view.gaps.length, "read")} incomplete)` : "";
  const summary =
    top !== undefined
      ? `${states.length > 0 ? `${states.join("; ")}. ` : ""}Most likely: ${top.title} (${top.confidence})${partial}`
      : diagnoses.length === 0
        ? `No Kubernetes workload matched ${named}${partial}`
        : `${states.join("; ")}; no Kubernetes-level cause found${partial}`;
  return {
    findings: a.evidence.all(),
    hypotheses,
    summary,
    subjects: diagnoses.map((d) => ({ workload: d.subject.label, status: d.status, healthy: d.healthy }))
  };
};
