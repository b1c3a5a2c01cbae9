import {
  type AgentFailureKind,
  AgentFailure,
  type AgentResult,
  type AlertContext,
  type Finding,
  type Hypothesis,
  type SnapshotSection,
  type Specialist,
  type SpecialistCall,
  deterministicMetadata
} from "@sre-on-call/core";
import { Duration, Effect, Option } from "effect";
import { containersOf, isPodDone, isPodReady, listNames, plural } from "./analyze/podFacts.js";
import { analyzeClusterView } from "./investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "./investigate/ClusterView.js";
import { loadClusterView, type LoadOptions } from "./investigate/loadClusterView.js";
import { locateScope } from "./investigate/locateScope.js";
import { describeScope, type Scope, scopeFromAlert } from "./investigate/scopeFromAlert.js";
import type { Node, Pod } from "./kube/KubeObjects.js";
import type { ClusterSource, ClusterSourceError } from "./source/ClusterSource.js";

export interface EksSpecialistOptions {
  /** Agent id used in findings and reports (default `eks`). */
  readonly id?: string;
  readonly description?: string;
  /** The cluster this source reads; alerts labelled with another `cluster` are skipped. */
  readonly clusterName?: string;
  readonly load?: Omit<Partial<LoadOptions>, "since">;
  /** Time kept for the analysis when reading is cut by the deadline (default 250 ms). */
  readonly analysisReserveMs?: number;
  readonly now?: () => number;
}

/** Whether the objects investigated were picked by triage, not by anything the alert says. */
const triaged = (scope: Scope): boolean => scope.choice?.how === "triage";

/**
 * A cause found on an object triage picked is a cause of that object; whether it is the alert's
 * is a guess, so it is never claimed with high confidence.
 */
const unsure = (h: Hypothesis): Hypothesis =>
  h.confidence === "high" ? { ...h, confidence: "medium", detail: `${h.detail} (Found by triage: the alert names no object, so this may not be what it is about.)` } : h;

const failureKind = (e: ClusterSourceError): AgentFailureKind =>
  e.reason === "unreachable" || e.reason === "unauthorized" || e.reason === "forbidden" ? "unavailable" : e.reason === "timeout" ? "timeout" : "error";

/**
 * The Kubernetes/EKS specialist: reads the alert's workloads from a live cluster or a dump and
 * diagnoses them deterministically (no model calls). Read-only by construction: its source
 * only lists objects and reads logs.
 */
export const makeEksSpecialist = (source: ClusterSource, options: EksSpecialistOptions = {}): Specialist => {
  const id = options.id ?? "eks";
  const now = options.now ?? Date.now;
  const reserve = options.analysisReserveMs ?? 250;
  const fail = (e: ClusterSourceError) => new AgentFailure({ agent: id, kind: failureKind(e), reason: e.message });

  const investigate = (alert: AlertContext, call: SpecialistCall): Effect.Effect<AgentResult, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const since = Math.min(alert.window.start, alert.alertTimestamp) - 3_600_000;
      const budget = Math.max(0, call.deadline - startedAt - reserve);
      // Names the alert gives loosely (prose, no namespace) or not at all are found in the cluster
      // first; half the budget at most, so the chosen objects can still be read.
      const asked = scopeFromAlert(alert);
      const located = yield* locateScope(source, asked, since).pipe(Effect.timeoutOption(Duration.millis(budget / 2)));
      const scope = Option.isSome(located) ? located.value : asked;
      const builder = new ClusterViewBuilder(source.description);
      if (Option.isNone(located)) builder.gap("the objects the alert names loosely", "not found before the deadline");
      const loaded = yield* loadClusterView(source, scope, builder, { ...options.load, since }).pipe(
        Effect.timeoutOption(Duration.millis(Math.max(0, call.deadline - now() - reserve))),
        Effect.mapError(fail)
      );
      const complete = Option.isSome(loaded);
      const view = builder.build();
      const analysis = yield* Effect.try({
        try: () => analyzeClusterView(view, alert, scope, id),
        catch: (e) => new AgentFailure({ agent: id, kind: "crashed", reason: `analysis failed: ${e instanceof Error ? e.message : String(e)}` })
      });
      const endedAt = Math.max(now(), startedAt);
      return {
        agent: id,
        status: complete ? "success" : "timeout",
        findings: analysis.findings,
        hypotheses: triaged(scope) ? analysis.hypotheses.map(unsure) : analysis.hypotheses,
        summary: complete ? analysis.summary : `Partial (deadline reached while reading ${source.description}): ${analysis.summary}`,
        ...(complete ? {} : { error: "deadline reached before the cluster was fully read" }),
        durationMs: endedAt - startedAt,
        metadata: deterministicMetadata(startedAt, endedAt, { source: source.description, scope: describeScope(scope), workloads: analysis.subjects.map((s) => ({ ...s })), gaps: view.gaps.map((g) => ({ ...g })) })
      } satisfies AgentResult;
    });

  const snapshot = (call: SpecialistCall): Effect.Effect<SnapshotSection, AgentFailure> =>
    Effect.gen(function* () {
      const startedAt = now();
      const read = Effect.all([source.listNodes(), source.list("pods", undefined)], { concurrency: 2 });
      const result = yield* read.pipe(Effect.mapError(fail), Effect.timeoutOption(Duration.millis(Math.max(0, call.deadline - startedAt))));
      if (Option.isNone(result)) return yield* Effect.fail(new AgentFailure({ agent: id, kind: "timeout", reason: `${source.description} did not answer before the deadline` }));
      const [nodes, pods] = result.value;
      return yield* Effect.try({
        try: () => summarizeCluster(nodes, pods, startedAt),
        catch: (e) => new AgentFailure({ agent: id, kind: "error", reason: `the cluster's objects are malformed: ${e instanceof Error ? e.message : String(e)}` })
      });
    });

  const summarizeCluster = (nodes: ReadonlyArray<Node>, pods: ReadonlyArray<Pod>, startedAt: number): SnapshotSection => {
      const findings: Array<Finding> = [];
      const add = (content: string, severity: Finding["severity"], metadata: Finding["metadata"], src = "kubernetes") =>
        findings.push({ id: `${id}:${findings.length + 1}`, agent: id, source: src, timestamp: startedAt, content, severity, metadata });
      const notReady = nodes.filter((n) => n.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True");
      const pressured = nodes.filter((n) => n.status?.conditions?.some((c) => /Pressure$/.test(c.type ?? "") && c.status === "True") === true);
      if (notReady.length > 0) add(`${plural(notReady.length, "node")} of ${nodes.length} not ready: ${listNames(notReady.map((n) => n.metadata.name), 5)}`, "critical", { nodes: notReady.map((n) => n.metadata.name) });
      if (pressured.length > 0) add(`${plural(pressured.length, "node")} under resource pressure: ${listNames(pressured.map((n) => n.metadata.name), 5)}`, "high", { nodes: pressured.map((n) => n.metadata.name) });
      const live = pods.filter((p) => !isPodDone(p) && p.status?.reason !== "Evicted");
      const crashing = live.filter((p) => containersOf(p).some((c) => c.status.state?.waiting?.reason === "CrashLoopBackOff" || /ImagePull|ErrImage|CreateContainer/.test(c.status.state?.waiting?.reason ?? "")));
      const pending = live.filter((p) => p.status?.phase === "Pending" && !crashing.includes(p));
      const unready = live.filter((p) => !isPodReady(p) && !crashing.includes(p) && !pending.includes(p));
      const byNamespace = (list: typeof live) => listNames(list.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`), 5);
      if (crashing.length > 0) add(`${plural(crashing.length, "pod")} failing to run (crash loop, image or config error): ${byNamespace(crashing)}`, "high", { pods: crashing.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`) });
      if (pending.length > 0) add(`${plural(pending.length, "pod")} pending: ${byNamespace(pending)}`, "medium", { pods: pending.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`) });
      if (unready.length > 0) add(`${plural(unready.length, "pod")} running but not ready: ${byNamespace(unready)}`, "medium", { pods: unready.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`) });
      const health = notReady.length > 0 ? "unhealthy" : crashing.length + pending.length + unready.length + pressured.length > 0 ? "degraded" : "healthy";
      const summary = `${nodes.length - notReady.length}/${nodes.length} nodes ready; ${live.filter(isPodReady).length}/${live.length} pods ready${crashing.length > 0 ? `, ${crashing.length} failing` : ""}${pending.length > 0 ? `, ${pending.length} pending` : ""}`;
      if (findings.length === 0) add(summary, "info", { nodes: nodes.length, pods: live.length });
      return { agent: id, state: "ok", health, summary, findings, durationMs: Math.max(0, now() - startedAt) } satisfies SnapshotSection;
  };

  return {
    id,
    description: options.description ?? `Kubernetes/EKS: pods, workloads, events, nodes and logs from ${source.description}`,
    // Never skipped for naming nothing: a bare workload name in a question, a scrape target's
    // address or Kubernetes words are looked up in the cluster (and only an alert that clearly is
    // about Kubernetes gets the cluster triaged); an alert about something else is answered
    // "nothing it names is in the cluster".
    skipReason: (alert) => {
      const cluster = alert.entities.cluster;
      if (options.clusterName !== undefined && cluster !== undefined && cluster !== options.clusterName) return `the alert is about cluster ${cluster}, not ${options.clusterName}`;
      return undefined;
    },
    investigate,
    snapshot
  };
};
