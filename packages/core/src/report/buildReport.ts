import type { AgentResult } from "../model/AgentResult.js";
import type { AlertContext } from "../model/AlertContext.js";
import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type {
  AgentEvidence,
  CostLine,
  EvidenceState,
  InvestigationReport,
  ReportKind
} from "../model/InvestigationReport.js";
import { type EpochMillis, type Link, worstSeverity } from "../model/primitives.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import { rankHypotheses } from "./rankHypotheses.js";
import { severityFromLabel } from "./severityFromLabel.js";

/** Where one agent stands when a report is cut. */
export interface AgentOutcome {
  readonly agent: string;
  readonly state: EvidenceState;
  /** The agent's answer, when it gave one (a result may itself report status error). */
  readonly result?: AgentResult;
  readonly error?: string;
  readonly durationMs?: number;
}

/** What a synthesis step (deterministic or model) may decide instead of the defaults. */
export interface Synthesis {
  readonly summary?: string;
  readonly hypotheses?: ReadonlyArray<Hypothesis>;
  readonly ruledOut?: ReadonlyArray<string>;
  readonly impact?: string;
  readonly actions?: ReadonlyArray<string>;
  readonly cost?: ReadonlyArray<CostLine>;
}

export interface ReportInput {
  readonly alert: AlertContext;
  readonly kind: ReportKind;
  readonly generatedAt: EpochMillis;
  /** One per agent, in the stable report order. */
  readonly outcomes: ReadonlyArray<AgentOutcome>;
  readonly synthesis?: Synthesis;
  /** Cost of model calls made outside the agents (classifier, routing). */
  readonly extraCost?: ReadonlyArray<CostLine>;
  /** Redacts untrusted text before it is cut (the title); default the builtin patterns. */
  readonly redact?: (text: string) => string;
}

const MAX_ACTIONS = 5;

/**
 * The alertname, else the alert text's first line cut to 80 characters. The text is redacted
 * before the cut: a cut through a secret leaves a prefix that no pattern recognises any more.
 */
export const reportTitle = (alert: AlertContext, redact: (text: string) => string = redactSecrets): string => {
  const e = alert.entities;
  const what = e.alertname ?? firstLine(redact(alert.alertText), 80);
  const where = e.deployment ?? e.statefulset ?? e.daemonset ?? e.service ?? e.pod ?? e.node;
  const scope = [e.namespace, where].filter((x) => x !== undefined && x !== "").join("/");
  return scope === "" ? what : `${what} — ${scope}`;
};

const firstLine = (text: string, max: number): string => {
  const line = (text.split("\n").find((l) => l.trim() !== "") ?? "").trim();
  if (line === "") return "Alert";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export const affectedServices = (alert: AlertContext, findings: ReadonlyArray<Finding>): ReadonlyArray<string> => {
  const e = alert.entities;
  const out = new Set<string>();
  const workload = e.deployment ?? e.statefulset ?? e.daemonset ?? e.service;
  if (workload !== undefined) out.add(e.namespace !== undefined ? `${e.namespace}/${workload}` : workload);
  else if (e.namespace !== undefined && e.pod !== undefined) out.add(`${e.namespace}/${e.pod}`);
  else if (e.kubeJob !== undefined || e.cronjob !== undefined) {
    const job = (e.kubeJob ?? e.cronjob)!;
    out.add(e.namespace !== undefined ? `${e.namespace}/${job}` : job);
  }
  // The `job` label is the Prometheus scrape job, never the affected service: a down target is named by its instance.
  else if (e.instance !== undefined) out.add(e.instance);
  for (const f of findings) {
    const affected = f.metadata["affected"];
    if (Array.isArray(affected)) for (const a of affected) if (typeof a === "string" && a !== "") out.add(a);
  }
  return [...out];
};

const evidenceOf = (o: AgentOutcome): AgentEvidence => ({
  agent: o.agent,
  state: o.state,
  summary: o.result?.summary ?? describeState(o.state, o.error),
  findings: o.result?.findings ?? [],
  ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
  ...(o.error !== undefined ? { error: o.error } : o.result?.error !== undefined ? { error: o.result.error } : {})
});

const describeState = (state: EvidenceState, error: string | undefined): string => {
  switch (state) {
    case "ok":
      return "answered";
    case "running":
      return "still running when this report was cut";
    case "timeout":
      return "did not answer before the cutoff";
    case "interrupted":
      return "the server shut down before it answered";
    case "disabled":
      return "disabled in the configuration";
    case "skipped":
      return error ?? "not relevant to this alert";
    case "unhealthy":
      return `unhealthy${error !== undefined ? `: ${error}` : ""}`;
    case "error":
      return `failed${error !== undefined ? `: ${error}` : ""}`;
  }
};

const costLines = (outcomes: ReadonlyArray<AgentOutcome>): ReadonlyArray<CostLine> =>
  outcomes.flatMap((o) => {
    const m = o.result?.metadata;
    if (m === undefined || m.modelId === undefined) return [];
    return [{ scope: o.agent, modelId: m.modelId, inputTokens: m.inputTokens, outputTokens: m.outputTokens, costUsd: m.costUsd }];
  });

const defaultSummary = (top: Hypothesis | undefined, outcomes: ReadonlyArray<AgentOutcome>): string => {
  const dispatched = outcomes.filter((o) => o.state !== "disabled" && o.state !== "skipped");
  const answered = dispatched.filter((o) => o.state === "ok").length;
  const running = dispatched.filter((o) => o.state === "running").length;
  const stopped = dispatched.filter((o) => o.state === "interrupted").length;
  const failed = dispatched.length - answered - running - stopped;
  const status =
    `${answered} of ${dispatched.length} agents answered` +
    (running > 0 ? `, ${running} still running` : "") +
    (stopped > 0 ? `, ${stopped} stopped by shutdown` : "") +
    (failed > 0 ? `, ${failed} failed or timed out` : "") +
    ".";
  if (top === undefined) return `No cause established from the evidence gathered. ${status}`;
  const chain = top.chain !== undefined && top.chain.length > 1 ? ` Causal chain: ${top.chain.join(" → ")}.` : "";
  if (top.confidence === "low") return `No cause established with confidence; best lead: ${top.title} (low confidence).${chain} ${status}`;
  return `Most likely cause: ${top.title} (${top.confidence} confidence).${chain} ${status}`;
};

const defaultRuledOut = (outcomes: ReadonlyArray<AgentOutcome>): ReadonlyArray<string> =>
  outcomes.flatMap((o) => {
    if (o.state !== "ok" || o.result === undefined) return [];
    const explicit = o.result.findings.filter((f) => f.metadata["ruledOut"] === true).map((f) => `${o.agent}: ${f.content}`);
    if (explicit.length > 0) return explicit;
    return o.result.findings.length === 0 ? [`${o.agent}: nothing abnormal found in the window`] : [];
  });

const defaultActions = (alert: AlertContext, ranked: ReadonlyArray<Hypothesis>): ReadonlyArray<string> => {
  const actions: Array<string> = [];
  const top = ranked[0];
  if (top !== undefined) {
    actions.push(...(top.actions ?? []));
    if (top.confirmBy !== "") actions.push(`Confirm: ${top.confirmBy}`);
  }
  const runbook = alert.links?.find((l) => /runbook/i.test(l.label)) ?? (alert.annotations["runbook_url"] ? { url: alert.annotations["runbook_url"] } : undefined);
  if (runbook !== undefined) actions.push(`Follow the runbook: ${runbook.url}`);
  if (top === undefined || top.confidence === "low") actions.push("Check what changed around the alert time (deploys, config, traffic).");
  return [...new Set(actions)].slice(0, MAX_ACTIONS);
};

const defaultImpact = (alert: AlertContext, services: ReadonlyArray<string>): string => {
  const declared = alert.annotations["impact"] ?? alert.labels["impact"];
  if (declared !== undefined && declared !== "") return declared;
  if (services.length === 0) return "Unknown: the alert names no service.";
  return `${services.join(", ")} ${alert.status === "resolved" ? "was" : "is"} affected; user impact not yet measured.`;
};

const links = (alert: AlertContext): ReadonlyArray<Link> => {
  const out: Array<Link> = [...(alert.links ?? [])];
  if (alert.generatorUrl !== undefined && !out.some((l) => l.url === alert.generatorUrl)) out.push({ label: "Alert rule", url: alert.generatorUrl });
  return out;
};

/** Turns agent outcomes into the facts every dialect renders. Pure. */
export const buildReport = (input: ReportInput): InvestigationReport => {
  const { alert, outcomes, synthesis } = input;
  const answered = outcomes.filter((o) => o.result !== undefined);
  const findings = answered.flatMap((o) => o.result?.findings ?? []);
  const ranked = synthesis?.hypotheses ?? rankHypotheses(answered.flatMap((o) => o.result?.hypotheses ?? []));
  const declared = severityFromLabel(alert.entities.severity ?? alert.labels["severity"]);
  const severity = worstSeverity(
    [...(declared !== undefined ? [declared] : []), ...findings.filter((f) => f.metadata["ruledOut"] !== true).map((f) => f.severity)],
    declared ?? "info"
  );
  const services = affectedServices(alert, findings);
  const cost = [...costLines(outcomes), ...(input.extraCost ?? []), ...(synthesis?.cost ?? [])];
  return {
    investigationId: alert.investigationId,
    kind: input.kind,
    title: reportTitle(alert, input.redact),
    severity,
    status: alert.status,
    source: alert.source,
    channelId: alert.channelId,
    messageId: alert.messageId,
    entities: alert.entities,
    detectedAt: alert.alertTimestamp,
    generatedAt: input.generatedAt,
    summary: synthesis?.summary ?? defaultSummary(ranked[0], outcomes),
    affectedServices: services,
    hypotheses: ranked,
    agents: outcomes.map(evidenceOf),
    ruledOut: synthesis?.ruledOut ?? defaultRuledOut(outcomes),
    impact: synthesis?.impact ?? defaultImpact(alert, services),
    actions: synthesis?.actions ?? defaultActions(alert, ranked),
    links: links(alert),
    cost: {
      lines: cost,
      inputTokens: cost.reduce((n, c) => n + c.inputTokens, 0),
      outputTokens: cost.reduce((n, c) => n + c.outputTokens, 0),
      costUsd: cost.reduce((n, c) => n + c.costUsd, 0)
    }
  };
};
