import type { Finding } from "../model/Finding.js";
import type { Hypothesis } from "../model/Hypothesis.js";
import type { AgentOutcome, Synthesis } from "./buildReport.js";
import { rankHypotheses } from "./rankHypotheses.js";

/*
 * The deterministic synthesis: the floor every report stands on, with or without a model.
 * Each agent reasons about what it sees; this step joins them. A hypothesis one agent proposes
 * is corroborated by another agent's findings that name the same concrete thing (an address,
 * a workload, a volume, an error signature), and a hypothesis that is a link in another's
 * causal chain is folded into it, so "connection refused to 10.0.3.17:5432" from the logs
 * ends up as evidence for "the database's disk is full" instead of competing with it.
 */

/** Concrete things findings and hypotheses can share. Matched case-insensitively. */
const ANCHORS: ReadonlyArray<RegExp> = [
  // ip:port and host:port
  /\b\d{1,3}(?:\.\d{1,3}){3}:\d{2,5}\b/g,
  // namespace/workload
  /\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\b/g,
  // error signatures that name a cause
  /no space left on device|disk (?:is )?full|oomkilled|out of memory|connection refused|econnrefused|timed? ?out|name or service not known|nxdomain|certificate (?:has )?expired|permission denied|access ?denied|too many connections|deadlock/gi,
  // PVC / volume names as the analyzers write them
  /\bdata-[a-z0-9-]+-\d+\b/g
];

const GENERIC = new Set(["and/or", "read/write", "n/a", "tcp/ip", "i/o"]);

/** The anchors of a text, normalised: `econnrefused` and `connection refused` are one thing. */
export const anchorsOf = (text: string): ReadonlySet<string> => {
  const out = new Set<string>();
  const lower = text.toLowerCase();
  for (const re of ANCHORS) {
    for (const m of lower.matchAll(re)) {
      const a = m[0] === "econnrefused" ? "connection refused" : m[0] === "disk is full" || m[0] === "disk full" ? "no space left on device" : m[0];
      if (!GENERIC.has(a)) out.add(a.replace(/\s+/g, " "));
    }
  }
  return out;
};

const hypothesisText = (h: Hypothesis): string => [h.title, h.detail, ...(h.chain ?? [])].join("\n");
const overlap = (a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlyArray<string> => [...a].filter((x) => b.has(x));

/**
 * Whether shared anchors tie two pieces of evidence to the same thing: one specific address or
 * volume does; a workload name or an error signature alone does not (many hypotheses about one
 * workload compete), two of them together do.
 */
const SPECIFIC = /^(?:\d{1,3}(?:\.\d{1,3}){3}:\d{2,5}|data-[a-z0-9-]+-\d+)$/;
const strong = (shared: ReadonlyArray<string>) => shared.some((a) => SPECIFIC.test(a)) || shared.length >= 2;

export interface SynthesisInput {
  readonly outcomes: ReadonlyArray<AgentOutcome>;
}

/**
 * Joins the agents' hypotheses: corroborating findings from other agents are attached, links of
 * another hypothesis's chain are folded into it, and the summary names the chain and who
 * corroborated it. Confidence is never raised — corroboration ranks a hypothesis above equally
 * confident ones through its support, not by claiming more than the evidence does.
 */
export const synthesizeDeterministic = (input: SynthesisInput): Synthesis => {
  const answered = input.outcomes.filter((o) => o.result !== undefined);
  const findings: ReadonlyArray<Finding> = answered.flatMap((o) => o.result?.findings ?? []);
  const ranked = rankHypotheses(answered.flatMap((o) => o.result?.hypotheses ?? []));
  if (ranked.length === 0) return {};

  const findingAnchors = new Map(findings.map((f) => [f.id, anchorsOf(f.content)] as const));
  const corroboratedBy = new Map<string, Set<string>>();

  // 1. Corroboration: findings of *other* agents that name the same concrete thing.
  let hypotheses = ranked.map((h) => {
    const own = anchorsOf(hypothesisText(h));
    const proposers = new Set(h.proposedBy.split(", "));
    const extra = findings.filter((f) => !proposers.has(f.agent) && f.metadata["ruledOut"] !== true && strong(overlap(own, findingAnchors.get(f.id) ?? new Set())));
    if (extra.length === 0) return h;
    corroboratedBy.set(h.id, new Set(extra.map((f) => f.agent)));
    return { ...h, supportingFindings: [...new Set([...h.supportingFindings, ...extra.map((f) => f.id)])] };
  });

  // 2. Folding: a shallower hypothesis that is a link of a deeper one's chain, or a restatement of
  //    its cause (same specific things), is part of it.
  const folded = new Set<string>();
  for (const deep of hypotheses) {
    if (folded.has(deep.id)) continue;
    const chainAnchors = [deep.title, ...(deep.chain ?? []).slice(1)].map(anchorsOf);
    for (const shallow of hypotheses) {
      if (shallow.id === deep.id || folded.has(shallow.id) || shallow.depth >= deep.depth) continue;
      const titleAnchors = anchorsOf(shallow.title);
      if (chainAnchors.some((link) => strong(overlap(titleAnchors, link)))) {
        folded.add(shallow.id);
        const agents = corroboratedBy.get(deep.id) ?? new Set<string>();
        for (const a of shallow.proposedBy.split(", ")) if (!deep.proposedBy.split(", ").includes(a)) agents.add(a);
        corroboratedBy.set(deep.id, agents);
        hypotheses = hypotheses.map((h) =>
          h.id === deep.id ? { ...h, supportingFindings: [...new Set([...h.supportingFindings, ...shallow.supportingFindings])] } : h
        );
      }
    }
  }
  const kept = rankHypotheses(hypotheses.filter((h) => !folded.has(h.id)));
  const top = kept[0];
  if (top === undefined) return {};
  const others = corroboratedBy.get(top.id);
  const chain = top.chain !== undefined && top.chain.length > 1 ? ` Causal chain: ${top.chain.join(" → ")}.` : "";
  const corroboration = others !== undefined && others.size > 0 ? ` Corroborated by ${[...others].sort().join(", ")}.` : "";
  const answeredCount = answered.filter((o) => o.state === "ok").length;
  return {
    hypotheses: kept,
    summary: `Most likely cause: ${top.title} (${top.confidence} confidence).${chain}${corroboration} ${answeredCount} of ${input.outcomes.length} agents answered.`
  };
};
