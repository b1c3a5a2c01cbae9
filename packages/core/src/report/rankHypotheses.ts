import type { Hypothesis } from "../model/Hypothesis.js";
import { confidenceRank, type Confidence } from "../model/primitives.js";

const normalizeTitle = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();

const strongest = (a: Confidence, b: Confidence): Confidence => (confidenceRank(a) <= confidenceRank(b) ? a : b);

/**
 * Merges hypotheses that name the same cause (same normalised title) and orders them:
 * higher confidence first; among equals the deeper cause (a database whose disk is full
 * outranks the 5xx it causes), then the better supported one, then proposal order.
 */
export const rankHypotheses = (hypotheses: ReadonlyArray<Hypothesis>): ReadonlyArray<Hypothesis> => {
  const merged = new Map<string, { h: Hypothesis; order: number }>();
  hypotheses.forEach((h, order) => {
    const key = normalizeTitle(h.title);
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { h, order });
      return;
    }
    const support = [...new Set([...seen.h.supportingFindings, ...h.supportingFindings])];
    const proposers = new Set([...seen.h.proposedBy.split(", "), h.proposedBy]);
    merged.set(key, {
      order: seen.order,
      h: {
        ...seen.h,
        confidence: strongest(seen.h.confidence, h.confidence),
        depth: Math.max(seen.h.depth, h.depth),
        supportingFindings: support,
        proposedBy: [...proposers].join(", "),
        ...(seen.h.chain === undefined && h.chain !== undefined ? { chain: h.chain } : {}),
        ...(seen.h.actions !== undefined || h.actions !== undefined
          ? { actions: [...new Set([...(seen.h.actions ?? []), ...(h.actions ?? [])])] }
          : {})
      }
    });
  });
  return [...merged.values()]
    .sort(
      (a, b) =>
        confidenceRank(a.h.confidence) - confidenceRank(b.h.confidence) ||
        b.h.depth - a.h.depth ||
        b.h.supportingFindings.length - a.h.supportingFindings.length ||
        a.order - b.order
    )
    .map((x) => x.h);
};
