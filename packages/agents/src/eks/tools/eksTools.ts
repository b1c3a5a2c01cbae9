import { type AgentTool, schemaTool, ToolError, type ToolFinding } from "@sre-on-call/core";
import { Effect, Schema } from "effect";
import { clipLine, guardTool } from "../../skills/guardTool.js";
import { containersOf, exitCodeMeaning, isPodReady, lastTerminated, podSource } from "../analyze/podFacts.js";
import { scanLog } from "../analyze/scanLog.js";
import type { Condition, LabelSelector, Node, Pod, StringMap } from "../kube/KubeObjects.js";
import { parseQuantity, formatBytes } from "../kube/quantity.js";
import { KUBE_NAME_RULES, type KubeNameKind } from "../kube/names.js";
import { labelSelectorString } from "../kube/selectors.js";
import { eventCount, eventTime, formatTime, toMillis } from "../kube/time.js";
import type { ClusterSource, ClusterSourceError } from "../source/ClusterSource.js";

export interface EksToolsOptions {
  /** Largest answer text (default 4,000 characters). */
  readonly maxChars?: number;
  readonly now?: () => number;
}

export const EKS_TOOL_NAMES = ["describe_workload", "pod_logs", "list_events", "describe_node"] as const;

/** A name as Kubernetes validates it for that kind: the source turns names into dump paths and API URLs. */
const KubeName = (kind: KubeNameKind) => {
  const rule = KUBE_NAME_RULES[kind];
  return Schema.String.pipe(Schema.check(Schema.isMaxLength(rule.maxLength), Schema.isPattern(rule.pattern)));
};
const Namespace = KubeName("namespace");
const ObjectName = KubeName("pod");
const WorkloadKind = Schema.Literals(["deployment", "statefulset", "daemonset", "pod"]);
const Tail = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 500 })));

const toolError = (tool: string) => (e: ClusterSourceError) =>
  new ToolError({
    tool,
    reason: e.reason === "timeout" ? "timeout" : e.reason === "unreachable" || e.reason === "unauthorized" || e.reason === "forbidden" ? "unavailable" : "failed",
    detail: e.message
  });

const condition = (c: Condition) => `${c.type ?? "?"}=${c.status ?? "?"}${c.reason !== undefined ? ` (${c.reason}${c.message !== undefined ? `: ${clipLine(c.message, 160)}` : ""})` : ""}`;

/** One line per container of a pod: what `kubectl get pod` and `describe` show that matters. */
const podLines = (pod: Pod): Array<string> => {
  const head = `pod ${pod.metadata.name}: phase ${pod.status?.phase ?? "unknown"}${pod.status?.reason !== undefined ? ` (${pod.status.reason})` : ""}, ${isPodReady(pod) ? "ready" : "not ready"}${pod.spec?.nodeName !== undefined ? `, node ${pod.spec.nodeName}` : ""}`;
  const containers = containersOf(pod).map((c) => {
    const waiting = c.status.state?.waiting?.reason;
    const last = lastTerminated(c.status);
    const meaning = exitCodeMeaning(last?.exitCode);
    return `  ${c.init ? "init " : ""}container ${c.name}: restarts ${c.status.restartCount ?? 0}${waiting !== undefined ? `, waiting ${waiting}` : c.status.state?.running !== undefined ? ", running" : ""}${
      last !== undefined ? `, last terminated ${last.reason ?? "?"} exit ${last.exitCode ?? "?"}${meaning !== undefined ? ` (${meaning})` : ""}${toMillis(last.finishedAt) !== undefined ? ` at ${formatTime(toMillis(last.finishedAt) ?? 0)}` : ""}` : ""
    }`;
  });
  return [head, ...containers];
};

const oomFindings = (pods: ReadonlyArray<Pod>, at: number): Array<ToolFinding> =>
  pods.flatMap((pod) =>
    containersOf(pod)
      .filter((c) => lastTerminated(c.status)?.reason === "OOMKilled")
      .map((c) => ({
        source: podSource(pod),
        timestamp: toMillis(lastTerminated(c.status)?.finishedAt) ?? at,
        content: `Container ${c.name} of ${pod.metadata.namespace ?? ""}/${pod.metadata.name} was OOMKilled (restarts ${c.status.restartCount ?? 0}${c.spec?.resources?.limits?.["memory"] !== undefined ? `, memory limit ${c.spec.resources.limits["memory"]}` : ""})`,
        severity: "high" as const,
        metadata: { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name, container: c.name, reason: "OOMKilled" }
      }))
  );

const selectorOf = (selector: LabelSelector | undefined): string | undefined => {
  if (selector === undefined) return undefined;
  const s = labelSelectorString(selector);
  return s === "" ? undefined : s;
};

const sumRequests = (pods: ReadonlyArray<Pod>, resource: string): number =>
  pods
    .filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed")
    .flatMap((p) => p.spec?.containers ?? [])
    .reduce((sum, c) => sum + (parseQuantity(c.resources?.requests?.[resource]) ?? 0), 0);

const pct = (part: number, whole: number | undefined) => (whole === undefined || whole <= 0 ? "" : ` (${Math.round((100 * part) / whole)}%)`);
const cpu = (cores: number) => (cores < 10 ? `${Math.round(cores * 1000)}m` : String(Math.round(cores)));

/**
 * The EKS specialist's tools over its cluster source (a live API server or a cluster dump):
 * read-only queries a model can call in agent mode, each answering compact text.
 */
export const eksTools = (source: ClusterSource, options: EksToolsOptions = {}): ReadonlyArray<AgentTool> => {
  const now = options.now ?? Date.now;
  const guard = (tool: string, context: Parameters<AgentTool["run"]>[1], body: Effect.Effect<{ readonly text: string; readonly findings?: ReadonlyArray<ToolFinding> }, ToolError>) =>
    guardTool(tool, context, body, options.maxChars !== undefined ? { maxChars: options.maxChars } : {});

  const describeWorkload = schemaTool({
    name: "describe_workload",
    description: "Describe a Deployment, StatefulSet, DaemonSet or Pod: desired/ready replicas, conditions, and each pod's phase, restarts and last termination reason.",
    args: Schema.Struct({ namespace: Namespace, name: ObjectName, kind: Schema.optionalKey(WorkloadKind) }),
    run: (args, context) =>
      guard(
        "describe_workload",
        context,
        Effect.gen(function* () {
          const fail = toolError("describe_workload");
          const kinds = args.kind !== undefined ? [args.kind] : (["deployment", "statefulset", "daemonset", "pod"] as const);
          const byName = { fieldSelector: `metadata.name=${args.name}` };
          const lines: Array<string> = [];
          let selector: string | undefined;
          let found: string | undefined;
          for (const kind of kinds) {
            if (kind === "pod") {
              const pods = yield* source.list("pods", args.namespace, byName).pipe(Effect.mapError(fail));
              const pod = pods[0];
              if (pod === undefined) continue;
              found = "pod";
              lines.push(`pod ${args.namespace}/${args.name} (from ${source.description})`, ...podLines(pod));
              const conditions = (pod.status?.conditions ?? []).filter((c) => c.status !== "True").map(condition);
              if (conditions.length > 0) lines.push(`conditions not true: ${conditions.join("; ")}`);
              return { text: lines.join("\n"), findings: oomFindings([pod], now()) };
            }
            if (kind === "deployment") {
              const [d] = yield* source.list("deployments", args.namespace, byName).pipe(Effect.mapError(fail));
              if (d === undefined) continue;
              found = "deployment";
              lines.push(
                `deployment ${args.namespace}/${args.name}: desired ${d.spec?.replicas ?? 1}, ready ${d.status?.readyReplicas ?? 0}, updated ${d.status?.updatedReplicas ?? 0}, available ${d.status?.availableReplicas ?? 0}, unavailable ${d.status?.unavailableReplicas ?? 0}`
              );
              const conditions = (d.status?.conditions ?? []).map(condition);
              if (conditions.length > 0) lines.push(`conditions: ${conditions.join("; ")}`);
              selector = selectorOf(d.spec?.selector);
            } else if (kind === "statefulset") {
              const [s] = yield* source.list("statefulsets", args.namespace, byName).pipe(Effect.mapError(fail));
              if (s === undefined) continue;
              found = "statefulset";
              lines.push(`statefulset ${args.namespace}/${args.name}: desired ${s.spec?.replicas ?? 1}, ready ${s.status?.readyReplicas ?? 0}, current revision ${s.status?.currentRevision ?? "?"}, update revision ${s.status?.updateRevision ?? "?"}`);
              selector = selectorOf(s.spec?.selector);
            } else {
              const [ds] = yield* source.list("daemonsets", args.namespace, byName).pipe(Effect.mapError(fail));
              if (ds === undefined) continue;
              found = "daemonset";
              lines.push(`daemonset ${args.namespace}/${args.name}: desired ${ds.status?.desiredNumberScheduled ?? 0}, ready ${ds.status?.numberReady ?? 0}, unavailable ${ds.status?.numberUnavailable ?? 0}`);
              selector = selectorOf(ds.spec?.selector);
            }
            break;
          }
          if (found === undefined) return { text: `No ${args.kind ?? "deployment, statefulset, daemonset or pod"} named ${args.name} in namespace ${args.namespace} (${source.description}).` };
          if (selector === undefined) return { text: [...lines, "no pod selector: pods not listed"].join("\n") };
          const pods = yield* source.list("pods", args.namespace, { labelSelector: selector }).pipe(Effect.mapError(fail));
          lines.push(`${pods.length} pod${pods.length === 1 ? "" : "s"} (selector ${selector}):`);
          for (const pod of pods.slice(0, 30)) lines.push(...podLines(pod));
          if (pods.length > 30) lines.push(`… ${pods.length - 30} more pods`);
          return { text: lines.join("\n"), findings: oomFindings(pods, now()) };
        })
      )
  });

  const podLogs = schemaTool({
    name: "pod_logs",
    description: "The last lines of a pod container's log (or of its previous, crashed instance), with the fatal error, repeated errors, failing dependencies and a full disk found in them.",
    args: Schema.Struct({ namespace: Namespace, pod: ObjectName, container: Schema.optionalKey(KubeName("container")), previous: Schema.optionalKey(Schema.Boolean), tail: Schema.optionalKey(Tail) }),
    run: (args, context) =>
      guard(
        "pod_logs",
        context,
        Effect.gen(function* () {
          const fail = toolError("pod_logs");
          let container = args.container;
          if (container === undefined) {
            const [pod] = yield* source.list("pods", args.namespace, { fieldSelector: `metadata.name=${args.pod}` }).pipe(Effect.mapError(fail));
            if (pod === undefined) return { text: `No pod ${args.namespace}/${args.pod} (${source.description}).` };
            const names = (pod.spec?.containers ?? []).map((c) => c.name);
            container = names[0];
            if (container === undefined) return { text: `Pod ${args.namespace}/${args.pod} has no containers.` };
          }
          const tail = args.tail ?? 200;
          const previous = args.previous === true;
          const log = yield* source.podLogs({ namespace: args.namespace, pod: args.pod, container, previous, tailLines: tail }).pipe(Effect.mapError(fail));
          const which = `${previous ? "previous " : ""}log of ${args.namespace}/${args.pod}/${container}`;
          if (log === undefined || log.trim() === "") return { text: `No ${which}${previous ? " (the container has not restarted, or its previous log is gone)" : ""}.` };
          const all = log.split("\n").filter((l) => l.trim() !== "");
          const lines = all.slice(-tail);
          const signals = scanLog(lines.join("\n"));
          const out: Array<string> = [`${which}: last ${lines.length} lines`];
          const findings: Array<ToolFinding> = [];
          const source_ = `kubernetes/pod/${args.namespace}/${args.pod}`;
          const at = now();
          if (signals.diskFull !== undefined) {
            out.push(`DISK FULL: ${signals.diskFull.line}`);
            findings.push({ source: source_, timestamp: signals.diskFull.time ?? at, content: `${which} reports a full disk: ${signals.diskFull.line}`, severity: "critical", metadata: { namespace: args.namespace, pod: args.pod, container, signal: "disk-full" } });
          }
          if (signals.crash !== undefined) {
            out.push(`crash: ${signals.crash.headline}${signals.crash.rootCause !== undefined ? ` (caused by ${signals.crash.rootCause})` : ""}`);
            findings.push({ source: source_, timestamp: signals.crash.time ?? at, content: `${which} ends in a crash: ${signals.crash.headline}${signals.crash.rootCause !== undefined ? ` (caused by ${signals.crash.rootCause})` : ""}`, severity: "high", metadata: { namespace: args.namespace, pod: args.pod, container, signal: "crash" } });
          }
          for (const d of signals.dependencies.slice(0, 5)) out.push(`dependency ${d.host}${d.port !== undefined ? `:${d.port}` : ""} ${d.kind} ×${d.count}: ${d.sample}`);
          for (const e of signals.errors.slice(0, 5)) out.push(`error ×${e.count}: ${e.sample}`);
          out.push("--- last lines ---", ...lines.slice(-40).map((l) => clipLine(l)));
          return { text: out.join("\n"), findings };
        })
      )
  });

  const listEvents = schemaTool({
    name: "list_events",
    description: "Recent Kubernetes events of a namespace, newest first, optionally only those about one object and only warnings.",
    args: Schema.Struct({ namespace: Namespace, involved: Schema.optionalKey(ObjectName), warnings_only: Schema.optionalKey(Schema.Boolean) }),
    run: (args, context) =>
      guard(
        "list_events",
        context,
        Effect.gen(function* () {
          const events = yield* source.list("events", args.namespace).pipe(Effect.mapError(toolError("list_events")));
          const warningsOnly = args.warnings_only ?? true;
          const chosen = events
            .filter((e) => !warningsOnly || e.type === "Warning")
            .filter((e) => args.involved === undefined || e.involvedObject?.name === args.involved || (e.involvedObject?.name ?? "").startsWith(`${args.involved}-`))
            .map((e) => ({ e, t: eventTime(e) ?? 0 }))
            .sort((a, b) => b.t - a.t);
          const what = `${warningsOnly ? "warning " : ""}events in ${args.namespace}${args.involved !== undefined ? ` about ${args.involved}` : ""}`;
          if (chosen.length === 0) return { text: `No ${what} (${source.description}).` };
          const lines = chosen.slice(0, 50).map(({ e, t }) => {
            const obj = `${(e.involvedObject?.kind ?? "?").toLowerCase()}/${e.involvedObject?.name ?? "?"}`;
            const count = eventCount(e);
            return `${t > 0 ? formatTime(t) : "?"} ${e.type ?? "?"} ${e.reason ?? "?"} ${obj}: ${clipLine(e.message ?? "", 240)}${count > 1 ? ` (×${count})` : ""}`;
          });
          return { text: [`${chosen.length} ${what}, newest first:`, ...lines, ...(chosen.length > 50 ? [`… ${chosen.length - 50} older`] : [])].join("\n") };
        })
      )
  });

  const describeNode = schemaTool({
    name: "describe_node",
    description: "Describe a node: conditions (Ready, memory/disk/PID pressure), taints, and allocatable CPU and memory against what its pods request.",
    args: Schema.Struct({ name: KubeName("node") }),
    run: (args, context) =>
      guard(
        "describe_node",
        context,
        Effect.gen(function* () {
          const fail = toolError("describe_node");
          const nodes = yield* source.listNodes({ fieldSelector: `metadata.name=${args.name}` }).pipe(Effect.mapError(fail));
          const node: Node | undefined = nodes.find((n) => n.metadata.name === args.name);
          if (node === undefined) return { text: `No node named ${args.name} (${source.description}).` };
          const pods = yield* source.list("pods", undefined, { fieldSelector: `spec.nodeName=${args.name}` }).pipe(Effect.mapError(fail));
          const onNode = pods.filter((p) => p.spec?.nodeName === args.name);
          const conditions = node.status?.conditions ?? [];
          const ready = conditions.find((c) => c.type === "Ready");
          const pressure = conditions.filter((c) => /Pressure$|Unavailable$/.test(c.type ?? "") && c.status === "True");
          const alloc: StringMap = node.status?.allocatable ?? {};
          const cpuAlloc = parseQuantity(alloc["cpu"]);
          const memAlloc = parseQuantity(alloc["memory"]);
          const cpuReq = sumRequests(onNode, "cpu");
          const memReq = sumRequests(onNode, "memory");
          const lines = [
            `node ${args.name}: Ready=${ready?.status ?? "Unknown"}${ready?.reason !== undefined ? ` (${ready.reason})` : ""}${node.spec?.unschedulable === true ? ", cordoned (unschedulable)" : ""}`,
            `pressure: ${pressure.length === 0 ? "none" : pressure.map(condition).join("; ")}`,
            `taints: ${(node.spec?.taints ?? []).map((t) => `${t.key ?? "?"}${t.value !== undefined ? `=${t.value}` : ""}:${t.effect ?? "?"}`).join(", ") || "none"}`,
            `cpu: requested ${cpu(cpuReq)} of allocatable ${cpuAlloc !== undefined ? cpu(cpuAlloc) : "?"}${pct(cpuReq, cpuAlloc)}`,
            `memory: requested ${formatBytes(memReq)} of allocatable ${memAlloc !== undefined ? formatBytes(memAlloc) : "?"}${pct(memReq, memAlloc)}`,
            `pods: ${onNode.length}${alloc["pods"] !== undefined ? ` of ${alloc["pods"]}` : ""}`
          ];
          const findings: Array<ToolFinding> = [];
          const at = now();
          if (ready?.status !== undefined && ready.status !== "True")
            findings.push({ source: `kubernetes/node/${args.name}`, timestamp: toMillis(ready.lastTransitionTime) ?? at, content: `Node ${args.name} is not ready (Ready=${ready.status}${ready.reason !== undefined ? `, ${ready.reason}` : ""})`, severity: "critical", metadata: { node: args.name } });
          for (const p of pressure)
            findings.push({ source: `kubernetes/node/${args.name}`, timestamp: toMillis(p.lastTransitionTime) ?? at, content: `Node ${args.name} has ${p.type}${p.message !== undefined ? `: ${clipLine(p.message, 200)}` : ""}`, severity: "high", metadata: { node: args.name, condition: p.type ?? "" } });
          return { text: lines.join("\n"), findings };
        })
      )
  });

  return [describeWorkload, podLogs, listEvents, describeNode];
};

/** The tools from the same arguments `makeEksSpecialist` takes (its cluster source). */
export const makeEksTools = (source: ClusterSource, options: EksToolsOptions = {}): ReadonlyArray<AgentTool> => eksTools(source, options);
