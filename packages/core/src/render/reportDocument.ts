import { untrustedLink } from "./notice.js";
import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { AgentEvidence, InvestigationReport, ReportCost, SnapshotReport, SnapshotSection } from "../model/InvestigationReport.js";
import { DEFAULT_PRICE_TABLE, findModelPrice, type PriceTable } from "../pricing/PriceTable.js";
import { code, type Doc, type DocBlock, em, type Inline, type Line, link, raw, strong, time } from "./document.js";
import {
  CONFIDENCE_EMOJI,
  clip,
  displayModel,
  formatCount,
  formatDuration,
  formatUsd,
  HEALTH_EMOJI,
  SEVERITY_EMOJI,
  STATE_MARKER
} from "./format.js";

export interface DocumentOptions {
  /** Tells which models in the cost footer have no known price (default: the Bedrock table). */
  readonly priceTable?: PriceTable;
}

const SEP = raw(" · ");
const TITLE_MAX = 250;
const ID_MAX = 80;

const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, " ").trim();

const kindLabel = (r: InvestigationReport): string =>
  r.kind === "initial" ? "initial analysis" : r.kind === "final" ? "final analysis" : "update";

const titleBlock = (r: InvestigationReport): DocBlock => ({
  k: "title",
  emoji: r.kind === "enrichment" ? "➕" : SEVERITY_EMOJI[r.severity] ?? "⚪",
  text: `${r.kind === "enrichment" ? "Update — " : `${r.severity.toUpperCase()} — `}${clip(r.title, TITLE_MAX) || "Alert"}${r.status === "resolved" ? " (resolved)" : ""}`
});

const contextBlock = (r: InvestigationReport): DocBlock => ({
  k: "context",
  lines: [
    [
      raw(kindLabel(r)),
      ...(r.kind === "enrichment" ? [SEP, raw(`${SEVERITY_EMOJI[r.severity] ?? "⚪"} ${r.severity}`)] : []),
      SEP,
      raw("investigation "),
      code(clip(r.investigationId, ID_MAX)),
      SEP,
      raw(r.status === "resolved" ? "resolved" : "firing"),
      raw(", detected "),
      time(r.detectedAt),
      raw(" via "),
      clip(r.source, 40)
    ]
  ]
});

const confidenceText = (h: Hypothesis): string => `${h.confidence} confidence`;

const citations = (ids: ReadonlyArray<string>): Array<Inline> =>
  ids.flatMap((id, i) => (i === 0 ? [code(clip(id, ID_MAX))] : [raw(", "), code(clip(id, ID_MAX))]));

const topHypothesisLines = (h: Hypothesis): ReadonlyArray<Line> => {
  const lines: Array<Line> = [
    [raw(`${CONFIDENCE_EMOJI[h.confidence] ?? "❔"} `), strong(oneLine(h.title) || "(untitled)"), raw(` — ${confidenceText(h)}`), ...(h.proposedBy !== "" ? [raw(", proposed by "), oneLine(h.proposedBy)] : [])]
  ];
  if (h.detail.trim() !== "") lines.push([h.detail]);
  if (h.chain !== undefined && h.chain.length > 1) lines.push([em(raw("Causal chain:")), raw(" "), h.chain.map(oneLine).join(" → ")]);
  lines.push([strong(raw("What would confirm it:")), raw(" "), h.confirmBy.trim() !== "" ? h.confirmBy : raw("no check was suggested")]);
  if (h.supportingFindings.length > 0) lines.push([raw("Supporting evidence: "), ...citations(h.supportingFindings)]);
  if (h.confidence === "low") lines.push([em(raw("Low confidence: treat this as a lead to check, not a diagnosis."))]);
  return lines;
};

const hypothesisBlocks = (r: InvestigationReport): ReadonlyArray<DocBlock> => {
  const [top, ...others] = r.hypotheses;
  if (top === undefined) {
    return [
      {
        k: "section",
        heading: [strong(raw("Root cause"))],
        lines: [[raw("❔ No root-cause hypothesis: the evidence gathered so far does not point to a cause. Check the evidence below and what changed around the alert time.")]]
      }
    ];
  }
  const blocks: Array<DocBlock> = [{ k: "section", heading: [strong(raw("Most likely cause"))], lines: topHypothesisLines(top) }];
  if (others.length > 0) {
    blocks.push({
      k: "section",
      heading: [strong(raw("Other hypotheses"))],
      lines: others.flatMap((h, i): ReadonlyArray<Line> => [
        [raw(`${i + 2}. `), strong(oneLine(h.title) || "(untitled)"), raw(` — ${confidenceText(h)}`), ...(h.supportingFindings.length > 0 ? [raw(" · evidence "), ...citations(h.supportingFindings)] : [])],
        ...(h.confirmBy.trim() !== "" ? [[raw("    Confirm: "), h.confirmBy] satisfies Line] : [])
      ])
    });
  }
  return blocks;
};

const findingLine = (f: Finding): Line => [
  raw(`• ${SEVERITY_EMOJI[f.severity] ?? "⚪"} `),
  ...(f.metadata["ruledOut"] === true ? [em(raw("ruled out:")), raw(" ")] : []),
  f.content,
  raw(" — "),
  ...(f.deepLink !== undefined && f.deepLink !== "" ? [link(clip(f.source, 200) || "source", f.deepLink)] : [clip(f.source, 200)]),
  SEP,
  time(f.timestamp, "time"),
  SEP,
  code(clip(f.id, ID_MAX))
];

interface EvidenceLike {
  readonly agent: string;
  readonly state: AgentEvidence["state"];
  readonly summary: string;
  readonly findings: ReadonlyArray<Finding>;
  readonly durationMs?: number;
  readonly error?: string;
}

const evidenceHeading = (e: EvidenceLike, prefix: ReadonlyArray<Inline> = []): Line => {
  const marker = STATE_MARKER[e.state] ?? { emoji: "❔", label: e.state };
  return [
    ...prefix,
    raw(`${marker.emoji} `),
    strong(clip(e.agent, ID_MAX)),
    raw(` — ${marker.label}`),
    ...(e.durationMs !== undefined ? [raw(` in ${formatDuration(e.durationMs)}`)] : []),
    ...(e.findings.length > 0 ? [raw(` · ${e.findings.length} finding${e.findings.length === 1 ? "" : "s"}`)] : [])
  ];
};

const evidenceLines = (e: EvidenceLike): ReadonlyArray<Line> => {
  const lines: Array<Line> = [];
  if (e.summary.trim() !== "") lines.push([e.summary]);
  if (e.error !== undefined && e.error.trim() !== "" && !e.summary.includes(e.error)) lines.push([strong(raw("Error:")), raw(" "), e.error]);
  for (const f of e.findings) lines.push(findingLine(f));
  if (e.state === "ok" && e.findings.length === 0) lines.push([raw("Nothing abnormal found.")]);
  return lines;
};

const evidenceBlock = (e: EvidenceLike, prefix?: ReadonlyArray<Inline>): DocBlock => ({ k: "section", heading: evidenceHeading(e, prefix), lines: evidenceLines(e) });

const listSection = (heading: string, items: ReadonlyArray<Line>): ReadonlyArray<DocBlock> =>
  items.length === 0 ? [] : [{ k: "section", heading: [strong(raw(heading))], lines: items }];

/** `claude-3-5-haiku-20241022 · 1,100 in / 205 out tokens · $0.0017 · took 4.2 s`. */
export const costFooter = (cost: ReportCost, tookMs: number | undefined, table: PriceTable): Line => {
  const models = [...new Set(cost.lines.map((l) => displayModel(l.modelId)).filter((m) => m !== ""))];
  const unpriced = [
    ...new Set(cost.lines.filter((l) => l.costUsd === 0 && l.inputTokens + l.outputTokens > 0 && findModelPrice(l.modelId, table) === undefined).map((l) => displayModel(l.modelId)))
  ];
  const parts: Array<Inline> = [raw("🧾 ")];
  if (models.length === 0 && cost.inputTokens + cost.outputTokens === 0) parts.push(raw("no model calls (deterministic analysis)"));
  else {
    parts.push(clip(models.join(" + "), 200) || raw("unknown model"));
    parts.push(SEP, raw(`${formatCount(cost.inputTokens)} in / ${formatCount(cost.outputTokens)} out tokens`));
  }
  parts.push(SEP, raw(formatUsd(cost.costUsd)));
  if (unpriced.length > 0) parts.push(raw(" (no price known for "), clip(unpriced.join(", "), 200), raw(")"));
  if (tookMs !== undefined) parts.push(SEP, raw(`took ${formatDuration(tookMs)}`));
  return parts;
};

/** The agents run in parallel, so the slowest one bounds how long the investigation took. */
const tookMs = (agents: ReadonlyArray<AgentEvidence>): number | undefined => {
  const durations = agents.flatMap((a) => (a.durationMs !== undefined && Number.isFinite(a.durationMs) ? [a.durationMs] : []));
  return durations.length === 0 ? undefined : Math.max(...durations);
};

const fallbackLine = (r: InvestigationReport): Line => {
  const top = r.hypotheses[0];
  return [
    raw(`${r.kind === "enrichment" ? "➕ Update: " : `${SEVERITY_EMOJI[r.severity] ?? "⚪"} ${r.severity.toUpperCase()}: `}`),
    clip(r.title, 150),
    raw(" — "),
    ...(top !== undefined ? [raw("most likely "), clip(top.title, 200), raw(` (${top.confidence} confidence)`)] : [raw("no cause established yet")]),
    raw(" · "),
    code(clip(r.investigationId, ID_MAX))
  ];
};

/** The layout of an investigation report, shared by every chat dialect. */
export const reportDocument = (r: InvestigationReport, options: DocumentOptions = {}): Doc => {
  const table = options.priceTable ?? DEFAULT_PRICE_TABLE;
  const footer: DocBlock = { k: "context", lines: [costFooter(r.cost, tookMs(r.agents), table)] };
  const continues: Line = [raw("↪ continued: "), clip(r.title, 60), SEP, code(clip(r.investigationId, 60))];
  if (r.kind === "enrichment") {
    return {
      fallback: fallbackLine(r),
      continues,
      blocks: [
        titleBlock(r),
        contextBlock(r),
        { k: "section", heading: [strong(raw("What changed"))], lines: [[r.summary.trim() !== "" ? r.summary : raw("New evidence arrived.")]] },
        ...hypothesisBlocks(r),
        { k: "divider" },
        ...r.agents.map((a) => evidenceBlock(a, [raw("New evidence: ")])),
        { k: "divider" },
        footer
      ]
    };
  }
  return {
    fallback: fallbackLine(r),
    continues,
    blocks: [
      titleBlock(r),
      contextBlock(r),
      {
        k: "section",
        heading: [strong(raw("Summary"))],
        lines: [
          [r.summary.trim() !== "" ? r.summary : raw("No summary.")],
          [strong(raw("Affected:")), raw(" "), r.affectedServices.length > 0 ? r.affectedServices.map(oneLine).join(", ") : raw("no service identified")],
          [strong(raw("Impact:")), raw(" "), r.impact.trim() !== "" ? r.impact : raw("not known yet")]
        ]
      },
      ...hypothesisBlocks(r),
      { k: "divider" },
      ...(r.agents.length > 0 ? r.agents.map((a) => evidenceBlock(a)) : [{ k: "section", lines: [[raw("No agent was asked: no evidence.")]] } satisfies DocBlock]),
      ...listSection("Ruled out", r.ruledOut.map((x): Line => [raw("• "), x])),
      ...listSection("Recommended actions", r.actions.map((a, i): Line => [raw(`${i + 1}. `), a])),
      // Report links come from the alert or the chat message: real host shown, http(s) only.
      ...listSection("Links", r.links.map((l): Line => [raw("• "), untrustedLink(l.label, l.url)])),
      { k: "divider" },
      footer
    ]
  };
};

const snapshotSectionBlock = (s: SnapshotSection): DocBlock => evidenceBlock(s, [raw(`${HEALTH_EMOJI[s.health] ?? "⚪"} ${s.health} · `)]);

/** The layout of a health snapshot. */
export const snapshotDocument = (s: SnapshotReport): Doc => {
  const counts = (["unhealthy", "degraded", "healthy", "unknown"] as const)
    .map((h) => [h, s.sections.filter((x) => x.health === h).length] as const)
    .filter(([, n]) => n > 0)
    .map(([h, n]) => `${n} ${h}`)
    .join(", ");
  return {
    fallback: [raw(`${HEALTH_EMOJI[s.health] ?? "⚪"} Health snapshot: ${s.health}`), ...(counts !== "" ? [raw(` (${counts})`)] : []), raw(" · "), code(clip(s.snapshotId, ID_MAX))],
    continues: [raw("↪ continued: health snapshot "), code(clip(s.snapshotId, ID_MAX))],
    blocks: [
      { k: "title", emoji: HEALTH_EMOJI[s.health] ?? "⚪", text: `Health snapshot — ${s.health}` },
      { k: "context", lines: [[raw("snapshot "), code(clip(s.snapshotId, ID_MAX)), SEP, raw("taken "), time(s.generatedAt), ...(counts !== "" ? [SEP, raw(counts)] : [])]] },
      ...(s.sections.length > 0 ? s.sections.map(snapshotSectionBlock) : [{ k: "section", lines: [[raw("No agent reported: nothing to show.")]] } satisfies DocBlock])
    ]
  };
};

/** A failed investigation, said plainly with the id to quote. */
export interface FailureNotice {
  readonly investigationId: string;
  readonly reason: string;
}

export const failureDocument = (f: FailureNotice): Doc => {
  const line: Line = [raw("⚠️ Investigation "), code(clip(f.investigationId, ID_MAX)), raw(" failed: "), clip(f.reason, 500) || raw("unknown reason"), raw(". Quote this id when reporting the problem.")];
  return { fallback: line, continues: line, blocks: [{ k: "section", lines: [line] }] };
};
