import fc from "fast-check";
import type { AgentResult } from "../model/AgentResult.js";
import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { AgentEvidence, CostLine, EvidenceState, InvestigationReport, SnapshotReport, SnapshotSection } from "../model/InvestigationReport.js";
import { CONFIDENCES, SEVERITIES } from "../model/primitives.js";
import type { Dialect, OutgoingMessage } from "../ports/ChatPlatform.js";

/**
 * Text an attacker or a noisy log could put in a report: chat mentions and broadcasts,
 * masked links, markup of every dialect, fences, entities, CRLF, zero-width and bidi
 * characters, combining marks, emoji sequences and lone surrogates.
 */
export const HOSTILE_FRAGMENTS: ReadonlyArray<string> = [
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "@everyone",
  "@here",
  "@channel",
  "<@U123ABC>",
  "<#C123|general>",
  "<@&987654321>",
  "<t:0:R>",
  "[click here](http://evil.example/x)",
  "![img](http://evil.example/i.png)",
  "<http://evil.example|https://good.example>",
  "https://example.com/a_b?x=1&y=2",
  "http://x.example/(paren)_",
  "```",
  "```js\n",
  "~~~",
  "&amp;",
  "&lt;",
  "&#64;",
  "*bold*",
  "**strong**",
  "_it_",
  "__under__",
  "~~strike~~",
  "||spoiler||",
  "`code`",
  "# heading",
  "-# sub",
  "> quote",
  ">>> quote",
  "1. item",
  "- item",
  "===",
  "|a|b|",
  "\\",
  "\\*",
  "\r\n",
  "\r",
  "\n",
  "\n\n",
  "\t",
  "\u200b",
  "\u202e",
  "\u00a0",
  "👩‍👩‍👧‍👦",
  "👍🏽",
  "🇺🇸",
  "e\u0301",
  "\ud83d",
  "\udc00",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "    indented",
  ":"
];

export interface TextOptions {
  readonly maxFragments?: number;
}

/** Arbitrary text mixing hostile fragments with arbitrary graphemes and code units. */
export const hostileTextArb = (options: TextOptions = {}): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
        { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }) },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
        { weight: 2, arbitrary: fc.constantFrom(" ", "  ", "pod api-7d9 ", "OOMKilled ", "exit 137 ") }
      ),
      { maxLength: options.maxFragments ?? 12 }
    )
    .map((parts) => parts.join(""));

/** Usually short, sometimes a wall of text long enough to force cutting a line. */
const contentArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: hostileTextArb() },
  { weight: 1, arbitrary: hostileTextArb({ maxFragments: 400 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 3100, maxLength: 4200 }) }
);

const nonEmpty = (arb: fc.Arbitrary<string>) => arb.map((s) => (s === "" ? "x" : s));
const epochArb = fc.integer({ min: 0, max: 4_102_444_800_000 });
const severityArb = fc.constantFrom(...SEVERITIES);

export const findingArb = (agent?: string, index?: number): fc.Arbitrary<Finding> =>
  fc
    .record({
      agent: agent !== undefined ? fc.constant(agent) : nonEmpty(hostileTextArb({ maxFragments: 2 })),
      n: index !== undefined ? fc.constant(index) : fc.nat(999),
      source: hostileTextArb({ maxFragments: 3 }),
      timestamp: epochArb,
      content: contentArb,
      severity: severityArb,
      ruledOut: fc.boolean(),
      deepLink: fc.option(fc.oneof(fc.webUrl(), hostileTextArb({ maxFragments: 2 })), { nil: undefined })
    })
    .map(({ agent: a, n, source, timestamp, content, severity, ruledOut, deepLink }) => ({
      id: `${a}:${n}`,
      agent: a,
      source,
      timestamp,
      content,
      severity,
      metadata: ruledOut ? { ruledOut: true } : {},
      ...(deepLink !== undefined ? { deepLink } : {})
    }));

export const hypothesisArb: fc.Arbitrary<Hypothesis> = fc
  .record({
    id: nonEmpty(hostileTextArb({ maxFragments: 2 })),
    title: hostileTextArb({ maxFragments: 4 }),
    detail: hostileTextArb(),
    confidence: fc.constantFrom(...CONFIDENCES),
    supportingFindings: fc.array(hostileTextArb({ maxFragments: 2 }), { maxLength: 4 }),
    confirmBy: hostileTextArb(),
    proposedBy: hostileTextArb({ maxFragments: 2 }),
    depth: fc.integer({ min: 0, max: 5 }),
    chain: fc.option(fc.array(hostileTextArb({ maxFragments: 2 }), { maxLength: 4 }), { nil: undefined }),
    actions: fc.option(fc.array(hostileTextArb({ maxFragments: 3 }), { maxLength: 3 }), { nil: undefined })
  })
  .map(({ chain, actions, ...h }) => ({ ...h, ...(chain !== undefined ? { chain } : {}), ...(actions !== undefined ? { actions } : {}) }));

const agentNameArb = fc.oneof(
  fc.constantFrom("eks", "cloudwatch-logs", "prometheus", "slack-scanner", "discord-scanner", "incident-history"),
  nonEmpty(hostileTextArb({ maxFragments: 2 }))
);

const findingsOf = (agent: string, maxLength: number): fc.Arbitrary<ReadonlyArray<Finding>> =>
  fc
    .integer({ min: 0, max: maxLength })
    .chain((n): fc.Arbitrary<ReadonlyArray<Finding>> => fc.tuple(...Array.from({ length: n }, (_, i) => findingArb(agent, i + 1))));

export const agentResultArb: fc.Arbitrary<AgentResult> = agentNameArb.chain((agent) =>
  fc
    .record({
      status: fc.constantFrom("success", "error", "unhealthy", "timeout"),
      findings: findingsOf(agent, 12),
      hypotheses: fc.array(hypothesisArb, { maxLength: 3 }),
      summary: hostileTextArb(),
      error: fc.option(hostileTextArb(), { nil: undefined }),
      durationMs: fc.nat(600_000),
      startedAt: epochArb,
      tokens: fc.tuple(fc.nat(200_000), fc.nat(20_000))
    })
    .map(({ error, startedAt, tokens, ...r }) => ({
      agent,
      ...r,
      ...(error !== undefined ? { error } : {}),
      metadata: { startedAt, endedAt: startedAt + r.durationMs, inputTokens: tokens[0], outputTokens: tokens[1], costUsd: 0 }
    }))
);

const evidenceStateArb: fc.Arbitrary<EvidenceState> = fc.constantFrom("ok", "ok", "ok", "running", "error", "unhealthy", "timeout", "disabled", "skipped", "interrupted");

export const agentEvidenceArb = (agent: string, maxFindings = 30): fc.Arbitrary<AgentEvidence> =>
  fc
    .record({
      state: evidenceStateArb,
      summary: hostileTextArb(),
      findings: findingsOf(agent, maxFindings),
      durationMs: fc.option(fc.nat(600_000), { nil: undefined }),
      error: fc.option(hostileTextArb(), { nil: undefined })
    })
    .map(({ durationMs, error, state, findings, summary }) => ({
      agent,
      state,
      summary,
      findings: state === "ok" || state === "error" ? findings : [],
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(error !== undefined ? { error } : {})
    }));

const costLineArb: fc.Arbitrary<CostLine> = fc.record({
  scope: fc.constantFrom("eks", "classifier", "synthesis"),
  modelId: fc.oneof(
    fc.constantFrom("anthropic.claude-3-5-haiku-20241022-v1:0", "us.anthropic.claude-sonnet-4-20250514-v1:0", "unknown.model-x"),
    hostileTextArb({ maxFragments: 2 })
  ),
  inputTokens: fc.nat(1_000_000),
  outputTokens: fc.nat(100_000),
  costUsd: fc.double({ min: 0, max: 50, noNaN: true })
});

/** Distinct agent names, in a stable order as the orchestrator reports them. */
const agentNamesArb = (max: number) => fc.uniqueArray(agentNameArb, { maxLength: max });

export const investigationReportArb: fc.Arbitrary<InvestigationReport> = agentNamesArb(6).chain((agents) =>
  fc
    .record({
      investigationId: nonEmpty(hostileTextArb({ maxFragments: 2 })),
      kind: fc.constantFrom("initial", "final", "enrichment"),
      title: hostileTextArb({ maxFragments: 5 }),
      severity: severityArb,
      status: fc.constantFrom("firing", "resolved"),
      source: fc.constantFrom("slack", "discord", "alertmanager", "grafana", "cli"),
      channelId: fc.string({ maxLength: 12 }),
      messageId: fc.string({ maxLength: 20 }),
      detectedAt: epochArb,
      generatedAt: epochArb,
      summary: hostileTextArb(),
      affectedServices: fc.array(hostileTextArb({ maxFragments: 2 }), { maxLength: 4 }),
      hypotheses: fc.array(hypothesisArb, { maxLength: 5 }),
      agents: agents.length === 0 ? fc.constant([]) : fc.tuple(...agents.map((a) => agentEvidenceArb(a))),
      ruledOut: fc.array(hostileTextArb(), { maxLength: 4 }),
      impact: hostileTextArb(),
      actions: fc.array(hostileTextArb(), { maxLength: 5 }),
      links: fc.array(fc.record({ label: hostileTextArb({ maxFragments: 3 }), url: fc.oneof(fc.webUrl(), hostileTextArb({ maxFragments: 2 })) }), { maxLength: 4 }),
      costLines: fc.array(costLineArb, { maxLength: 4 })
    })
    .map(({ costLines, ...r }) => ({
      ...r,
      entities: {},
      cost: {
        lines: costLines,
        inputTokens: costLines.reduce((n, l) => n + l.inputTokens, 0),
        outputTokens: costLines.reduce((n, l) => n + l.outputTokens, 0),
        costUsd: costLines.reduce((n, l) => n + l.costUsd, 0)
      }
    }))
);

export const snapshotReportArb: fc.Arbitrary<SnapshotReport> = agentNamesArb(6).chain((agents) =>
  fc.record({
    snapshotId: nonEmpty(hostileTextArb({ maxFragments: 2 })),
    generatedAt: epochArb,
    health: fc.constantFrom("healthy", "degraded", "unhealthy", "unknown"),
    sections:
      agents.length === 0
        ? fc.constant([])
        : fc.tuple(
            ...agents.map((agent) =>
              fc
                .tuple(agentEvidenceArb(agent, 10), fc.constantFrom("healthy", "degraded", "unhealthy", "unknown"))
                .map(([e, health]): SnapshotSection => ({ ...e, health }))
            )
          )
  })
);

const ZWSP = /\u200b/g;

/** Slack mrkdwn as the reader sees it: entities decoded, zero-width spaces dropped. */
export const unescapeSlack = (text: string): string =>
  text.replace(ZWSP, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** Discord or GitHub markdown as the reader sees it: backslash escapes resolved, zero-width spaces dropped. */
export const unescapeMarkdown = (text: string): string => text.replace(ZWSP, "").replace(/\\([!-/:-@[-`{-~])/g, "$1");

/** For comparing text that went through escaping and cutting: no whitespace, no zero-width spaces. */
export const normalizeForComparison = (text: string): string => text.replace(ZWSP, "").replace(/\s+/g, "");

const CONTINUATION = /^-# ↪ continued[^\n]*\n/;

interface BlockLike {
  readonly type?: unknown;
  readonly text?: { readonly text?: unknown };
  readonly elements?: ReadonlyArray<{ readonly text?: unknown }>;
}

/** Every string a message shows, markup included: `text` and the text of every block. */
export const allRenderedStrings = (messages: ReadonlyArray<OutgoingMessage>): ReadonlyArray<string> =>
  messages.flatMap((m) => [
    m.text,
    ...(m.blocks ?? []).flatMap((b) => {
      const block = b as BlockLike;
      return [
        ...(typeof block.text?.text === "string" ? [block.text.text] : []),
        ...(block.elements ?? []).flatMap((e) => (typeof e.text === "string" ? [e.text] : []))
      ];
    })
  ]);

/**
 * The body a reader would piece together from consecutive messages, unescaped: Slack section
 * texts in order, Discord messages without their continuation lines, markdown as is.
 */
export const readableBody = (messages: ReadonlyArray<OutgoingMessage>, dialect: Dialect): string => {
  switch (dialect) {
    case "slack":
      return unescapeSlack(
        messages
          .flatMap((m) => (m.blocks ?? []).flatMap((b) => ((b as BlockLike).type === "section" && typeof (b as BlockLike).text?.text === "string" ? [String((b as BlockLike).text?.text)] : [])))
          .join("\n")
      );
    case "discord":
      return unescapeMarkdown(messages.map((m) => m.text.replace(CONTINUATION, "")).join("\n"));
    case "markdown":
      return unescapeMarkdown(messages.map((m) => m.text).join("\n"));
    case "json":
      return messages.map((m) => m.text).join("\n");
  }
};
