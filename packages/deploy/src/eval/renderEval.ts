import type { ScenarioResult, Summary } from "./aggregate.js";
import type { Comparison } from "./compare.js";
import type { EvalReport } from "./EvalReport.js";
import type { EvalRun } from "./runEval.js";

export interface EvalOutcome {
  readonly scenariosDir: string;
  readonly highConfidenceThreshold: number;
  readonly runs: ReadonlyArray<EvalRun>;
  readonly comparison: Comparison | null;
  readonly gate: EvalReport["gate"];
}

/** The `--format json` document (`EvalReport`, schemaVersion 1). */
export const toEvalReport = (o: EvalOutcome): EvalReport => ({
  schemaVersion: 1,
  scenariosDir: o.scenariosDir,
  highConfidenceThreshold: o.highConfidenceThreshold,
  runs: o.runs.map((r) => ({ ...r, agents: [...r.agents], notes: [...r.notes], scenarios: r.scenarios.map((s) => ({ ...s, missingTerms: [...s.missingTerms], forbiddenFound: [...s.forbiddenFound] })) })),
  comparison: o.comparison === null ? null : { ...o.comparison, rows: o.comparison.rows.map((row) => ({ ...row })) },
  gate: o.gate
});

export const renderJson = (o: EvalOutcome): string => `${JSON.stringify(toEvalReport(o), null, 2)}\n`;

/** Table cells: one line, no pipes breaking the table. */
const cell = (text: string, max = 140): string => {
  const line = text.replace(/\s+/g, " ").trim();
  return (line.length > max ? `${line.slice(0, max - 1)}…` : line).replace(/\|/g, "\\|");
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => `${Math.round(x)}`;
const usd = (x: number) => `$${x.toFixed(4)}`;
const signed = (x: number, f: (n: number) => string) => (x > 0 ? `+${f(x)}` : x < 0 ? `-${f(-x)}` : f(0));

const outcome = (r: ScenarioResult | null): string => {
  if (r === null) return "—";
  if (r.error !== null) return "error";
  return `${r.abstained ? "✅ abstained (needs a model)" : r.hit ? "✅ hit" : "❌ miss"}${r.highConfidenceWrong ? " ⚠️ high-confidence wrong" : ""}`;
};

const scenarioTable = (results: ReadonlyArray<ScenarioResult>): ReadonlyArray<string> => [
  "| scenario | outcome | rank | top hypothesis | confidence | latency ms | tokens | cost |",
  "|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${cell(r.scenario)} | ${outcome(r)} | ${r.rank ?? "—"} | ${cell(r.error ?? r.top?.title ?? "(no hypothesis)")}${r.missingTerms.length > 0 && !r.hit ? ` (missing: ${cell(r.missingTerms.join(", "))})` : ""}${r.forbiddenFound.length > 0 ? ` (forbidden: ${cell(r.forbiddenFound.join(", "))})` : ""} | ${r.top?.confidence ?? "—"} | ${ms(r.latencyMs)} | ${r.tokens} | ${usd(r.costUsd)} |`
  )
];

const summaryRows = (s: Summary): ReadonlyArray<readonly [string, string]> => [
  ["scenarios", `${s.scenarios}`],
  ["top hits (accuracy)", `${s.hits} (${pct(s.accuracy)})`],
  ["cause named first / in the top 3", `${s.top1} / ${s.top3}`],
  ["honest abstentions (needs a model)", `${s.abstentions}`],
  ["real-material cases (with a source)", `${s.realMaterial}`],
  ["mean rank of the true cause", s.meanRank === null ? "—" : s.meanRank.toFixed(2)],
  ["MRR", s.mrr.toFixed(3)],
  ["high-confidence wrong", `${s.highConfidenceWrong}`],
  ["affected workload found", `${s.affectedFound}`],
  ["pipeline errors", `${s.errors}`],
  ["latency p50 / p95 ms", `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p95)}`],
  ["tokens (in / out)", `${s.tokens} (${s.inputTokens} / ${s.outputTokens})`],
  ["cost", usd(s.costUsd)]
];

const synthesisOf = (r: EvalRun): string => (r.model !== null ? `model (${r.model})` : r.synthesis);
const runHeader = (r: EvalRun): string => (r.config !== null ? `\`${r.config}\`` : "embedded defaults");

/** The `--format markdown` report: per scenario and totals, or side by side with the verdict for two configurations. */
export const renderMarkdown = (o: EvalOutcome): string => {
  const lines: Array<string> = [`# Offline evaluation: ${o.scenariosDir}`, ""];
  const notes = o.runs.flatMap((r) => r.notes.map((n) => `- ${r.label}: ${n}`));
  const [a, b] = o.runs;
  if (o.comparison !== null && a !== undefined && b !== undefined) {
    const c = o.comparison;
    lines.push(`**Verdict: ${c.verdict}** — ${c.reason}`, "", `A: ${runHeader(a)} · B: ${runHeader(b)} · synthesis: ${synthesisOf(a)} / ${synthesisOf(b)}`, "");
    lines.push("| | A | B | Δ (B − A) |", "|---|---|---|---|");
    const ra = summaryRows(a.summary);
    const rb = summaryRows(b.summary);
    const deltas: Readonly<Record<string, string>> = {
      "top hits (accuracy)": `${signed(c.deltas.hits, String)} (${signed(c.deltas.accuracy * 100, (n) => `${n.toFixed(1)} pt`)})`,
      MRR: signed(c.deltas.mrr, (n) => n.toFixed(3)),
      "high-confidence wrong": signed(c.deltas.highConfidenceWrong, String),
      "latency p50 / p95 ms": `${signed(c.deltas.latencyP50Ms, ms)} / ${signed(c.deltas.latencyP95Ms, ms)}`,
      "tokens (in / out)": signed(c.deltas.tokens, String),
      cost: signed(c.deltas.costUsd, usd)
    };
    ra.forEach(([k, v], i) => lines.push(`| ${k} | ${v} | ${rb[i]?.[1] ?? ""} | ${deltas[k] ?? ""} |`));
    lines.push("", "## Side by side", "", "| scenario | A | B | change | A top hypothesis | B top hypothesis |", "|---|---|---|---|---|---|");
    for (const row of c.rows) {
      lines.push(`| ${cell(row.scenario)} | ${outcome(row.a)}${row.a?.rank != null ? ` (#${row.a.rank})` : ""} | ${outcome(row.b)}${row.b?.rank != null ? ` (#${row.b.rank})` : ""} | ${row.change} | ${cell(row.a?.error ?? row.a?.top?.title ?? "—")} | ${cell(row.b?.error ?? row.b?.top?.title ?? "—")} |`);
    }
  } else {
    for (const r of o.runs) {
      lines.push(`Configuration ${r.label}: ${runHeader(r)} · synthesis: ${synthesisOf(r)} · agents: ${r.agents.join(", ") || "none"}`, "", "| | |", "|---|---|");
      for (const [k, v] of summaryRows(r.summary)) lines.push(`| ${k} | ${v} |`);
      if (r.summary.byClass.length > 1) {
        lines.push("", "## By class", "", "| class | cases | hits | top-1 | top-3 | high-confidence wrong | abstentions |", "|---|---|---|---|---|---|---|");
        for (const c of r.summary.byClass) lines.push(`| ${cell(c.class)} | ${c.scenarios} | ${c.hits} | ${c.top1} | ${c.top3} | ${c.highConfidenceWrong} | ${c.abstentions} |`);
      }
      lines.push("", "## Scenarios", "", ...scenarioTable(r.scenarios));
    }
  }
  if (notes.length > 0) lines.push("", "## Notes", "", ...notes);
  lines.push("", `High-confidence threshold: ${o.highConfidenceThreshold} (high = 0.9, medium = 0.6, low = 0.3).`);
  if (o.gate.minAccuracy !== null || o.gate.maxHighConfidenceWrong !== null) {
    lines.push("", `**Gate: ${o.gate.passed ? "passed" : "FAILED"}**${o.gate.failures.length > 0 ? "" : ` (min accuracy ${o.gate.minAccuracy ?? "—"}, max high-confidence wrong ${o.gate.maxHighConfidenceWrong ?? "—"})`}`, ...o.gate.failures.map((f) => `- ${f}`));
  }
  return `${lines.join("\n")}\n`;
};
