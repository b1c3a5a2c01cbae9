import { describe, expect, it } from "vitest";
import type { ClusterView } from "../investigate/ClusterView.js";
import { Analysis, type Frame, type Proposal, ROOT_FRAME } from "./Analysis.js";

/** `propose` never reads the view: an empty one keeps the test about placement alone. */
const analysis = () => new Analysis({} as ClusterView, 0, { start: 0, end: 0 }, "eks");

const diskFull: Proposal = {
  key: "pvc-full:payments/data-payments-db-0",
  title: "payments-db's volume is full",
  detail: "",
  confidence: "medium",
  depth: 1,
  supporting: ["eks:1"],
  confirmBy: "kubectl -n payments exec payments-db-0 -- df -h /var/lib/postgresql"
};
/** payments-db seen as a dependency of payments/api: two levels further down the chain. */
const viaApi: Frame = { depthBase: 2, downstream: ["payments/api cannot reach payments-db:5432"], path: ["Deployment/payments/api"] };

describe("Analysis.propose: a cause reached twice", () => {
  it("keeps the deeper placement, whichever path reached it first, with all the evidence and the stronger confidence", () => {
    for (const order of ["shallow first", "deep first"] as const) {
      const a = analysis();
      const shallow = () => a.propose(ROOT_FRAME, "StatefulSet/payments/payments-db", diskFull);
      const deep = () => a.propose(viaApi, "Deployment/payments/api", { ...diskFull, confidence: "high", supporting: ["eks:7", "eks:1"] });
      if (order === "shallow first") {
        shallow();
        deep();
      } else {
        deep();
        shallow();
      }
      const [only, ...rest] = a.allProposals();
      expect(rest, order).toEqual([]);
      expect(only, order).toMatchObject({
        depth: 3,
        subject: "Deployment/payments/api",
        chain: ["payments-db's volume is full", "payments/api cannot reach payments-db:5432"],
        confidence: "high",
        order: 0
      });
      expect([...(only?.supporting ?? [])].sort(), order).toEqual(["eks:1", "eks:7"]);
    }
  });

  it("keeps the first placement when both are equally deep, and the stronger confidence of either", () => {
    const a = analysis();
    a.propose(ROOT_FRAME, "StatefulSet/payments/payments-db", { ...diskFull, confidence: "high" });
    a.propose(ROOT_FRAME, "Pod/payments/payments-db-0", { ...diskFull, confidence: "low", chain: ["another wording"] });
    expect(a.allProposals()).toEqual([
      expect.objectContaining({ depth: 1, subject: "StatefulSet/payments/payments-db", chain: ["payments-db's volume is full"], confidence: "high", order: 0 })
    ]);
  });

  it("places a first proposal under its frame and keeps proposal order across keys", () => {
    const a = analysis();
    a.propose(viaApi, "Deployment/payments/api", { ...diskFull, key: "a", chain: ["disk full", "db down"] });
    a.propose(ROOT_FRAME, "Deployment/payments/api", { ...diskFull, key: "b" });
    expect(a.allProposals().map((p) => [p.key, p.depth, p.order, p.chain])).toEqual([
      ["a", 3, 0, ["disk full", "db down", "payments/api cannot reach payments-db:5432"]],
      ["b", 1, 1, ["payments-db's volume is full"]]
    ]);
  });
});
