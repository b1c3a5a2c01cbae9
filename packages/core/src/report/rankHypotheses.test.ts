import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Hypothesis } from "../model/Hypothesis.js";
import { rankHypotheses } from "./rankHypotheses.js";

const h = (id: string, fields: Partial<Hypothesis> = {}): Hypothesis => ({
  id,
  title: `cause ${id}`,
  detail: "",
  confidence: "medium",
  supportingFindings: [],
  confirmBy: "",
  proposedBy: "eks",
  depth: 0,
  ...fields
});

const ids = (hs: ReadonlyArray<Hypothesis>) => hs.map((x) => x.id);

describe("rankHypotheses", () => {
  it("orders by confidence, then depth, then support, then proposal order", () => {
    const ranked = rankHypotheses([
      h("low-deep", { confidence: "low", depth: 9 }),
      h("medium-shallow", { depth: 0 }),
      h("medium-deep", { depth: 2 }),
      h("medium-deep-supported", { depth: 2, supportingFindings: ["f1", "f2"] }),
      h("high", { confidence: "high" }),
      h("medium-deep-second", { depth: 2 })
    ]);
    expect(ids(ranked)).toEqual(["high", "medium-deep-supported", "medium-deep", "medium-deep-second", "medium-shallow", "low-deep"]);
  });

  it("keeps proposal order among otherwise equal hypotheses, for any number of them", () => {
    const equal = Array.from({ length: 7 }, (_, i) => h(`h${i}`));
    expect(ids(rankHypotheses(equal))).toEqual(equal.map((x) => x.id));
    expect(ids(rankHypotheses([h("a", { supportingFindings: ["x"] }), h("b", { supportingFindings: ["x", "y", "z"] }), h("c", { supportingFindings: ["x", "y"] })]))).toEqual(["b", "c", "a"]);
  });

  it("merges titles that differ only in case and punctuation, keeping the stronger confidence and the deeper placement", () => {
    const [merged, ...rest] = rankHypotheses([
      h("shallow", { title: "Disk full on payments-db", confidence: "low", depth: 1, supportingFindings: ["f1"], proposedBy: "eks" }),
      h("deep", { title: "  disk FULL, on payments db! ", confidence: "high", depth: 3, supportingFindings: ["f2", "f1"], proposedBy: "prometheus" })
    ]);
    expect(rest).toEqual([]);
    expect(merged).toMatchObject({ id: "shallow", confidence: "high", depth: 3, supportingFindings: ["f1", "f2"], proposedBy: "eks, prometheus" });
    // The first proposal's confidence wins when it is the stronger one, whichever comes second.
    expect(rankHypotheses([h("a", { title: "x", confidence: "high" }), h("b", { title: "x", confidence: "low" })])[0]?.confidence).toBe("high");
    expect(rankHypotheses([h("a", { title: "x", confidence: "medium" }), h("b", { title: "x", confidence: "medium", depth: 0 })])[0]?.confidence).toBe("medium");
    // The deeper placement is kept whichever of the two proposals reached it.
    expect(rankHypotheses([h("a", { title: "x", depth: 4 }), h("b", { title: "x", depth: 1 })])[0]?.depth).toBe(4);
    // Titles with different words stay apart.
    expect(rankHypotheses([h("a", { title: "disk full" }), h("b", { title: "diskfull" })])).toHaveLength(2);
  });

  it("merges proposers once each, chains first-come, and actions as a union without duplicates", () => {
    const [merged] = rankHypotheses([
      h("a", { title: "t", proposedBy: "eks" }),
      h("b", { title: "t", proposedBy: "prometheus", chain: ["disk full", "db down"] }),
      h("c", { title: "t", proposedBy: "eks", chain: ["other chain"], actions: ["free disk"] }),
      h("d", { title: "t", proposedBy: "synthesis", actions: ["free disk", "page dba"] })
    ]);
    expect(merged).toMatchObject({ proposedBy: "eks, prometheus, synthesis", chain: ["disk full", "db down"], actions: ["free disk", "page dba"] });
    // Neither proposal has a chain or actions: the merge adds none.
    const [plain] = rankHypotheses([h("a", { title: "t" }), h("b", { title: "t" })]);
    expect(plain).not.toHaveProperty("chain");
    expect(plain).not.toHaveProperty("actions");
    // Only the first has actions; only the second has a chain.
    const [mixed] = rankHypotheses([h("a", { title: "t", actions: ["restart"] }), h("b", { title: "t", chain: ["root", "symptom"] })]);
    expect(mixed).toMatchObject({ actions: ["restart"], chain: ["root", "symptom"] });
    const [first] = rankHypotheses([h("a", { title: "t", chain: ["kept"] }), h("b", { title: "t" })]);
    expect(first?.chain).toEqual(["kept"]);
    // Only the first has actions, one of them twice: the merge still lists it once.
    const [repeated] = rankHypotheses([h("a", { title: "t", actions: ["restart", "page dba", "restart"] }), h("b", { title: "t" })]);
    expect(repeated?.actions).toEqual(["restart", "page dba"]);
  });

  it("properties: a permutation of distinct titles ranks the same, and merging never loses support", () => {
    const arb = fc.array(
      fc.record({
        title: fc.constantFrom("disk full", "oom kill", "bad deploy", "dns failure", "quota"),
        confidence: fc.constantFrom("high" as const, "medium" as const, "low" as const),
        depth: fc.integer({ min: 0, max: 4 }),
        supportingFindings: fc.uniqueArray(fc.constantFrom("f1", "f2", "f3", "f4"), { maxLength: 4 })
      }),
      { maxLength: 12 }
    );
    fc.assert(
      fc.property(arb, (raw) => {
        const hs = raw.map((r, i) => h(`h${i}`, r));
        const ranked = rankHypotheses(hs);
        expect(new Set(ranked.map((x) => x.title)).size).toBe(ranked.length);
        expect(ranked.length).toBe(new Set(hs.map((x) => x.title)).size);
        for (const x of hs) {
          const m = ranked.find((r) => r.title === x.title)!;
          for (const f of x.supportingFindings) expect(m.supportingFindings).toContain(f);
          expect(m.depth).toBeGreaterThanOrEqual(x.depth);
        }
        for (let i = 1; i < ranked.length; i++) {
          const [a, b] = [ranked[i - 1]!, ranked[i]!];
          const order = ["high", "medium", "low"];
          expect(order.indexOf(a.confidence)).toBeLessThanOrEqual(order.indexOf(b.confidence));
        }
      }),
      { numRuns: 200 }
    );
  });
});
