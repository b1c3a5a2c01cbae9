import { Effect } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../model/Finding.js";
import { confidenceRank } from "../model/primitives.js";
import type { ScriptedTurn } from "../testing/modelPortContract.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { sampleAlert, sampleResult } from "../testing/samples.js";
import { confidenceCap } from "./agentAnswer.js";
import { answerTurn, countingTool, fixedSpecialist, textTurn, toolUseTurn } from "./testing/agentModeFixtures.js";
import { withAgentMode } from "./withAgentMode.js";

const toolName = fc.constantFrom("pod_logs", "events", "delete_deployment", "exec_shell", "");
const toolInput = fc.oneof(fc.record({ pod: fc.string({ maxLength: 8 }) }), fc.anything({ maxDepth: 1 }));
const toolPass = fc.array(fc.record({ name: toolName, input: toolInput }), { minLength: 1, maxLength: 6 }).map((uses) => toolUseTurn(...uses));
const citation = fc.constantFrom("eks:1", "eks:t1", "eks:t2", "eks:t3", "eks:t9", "eks:m1", "prometheus:1", "");
const modelHypothesis = fc.record({
  title: fc.oneof(fc.constantFrom("Heap exhausted", "api is OOMKilled: memory limit 256Mi is too low", "Bad deploy"), fc.string({ maxLength: 30 })),
  detail: fc.string({ maxLength: 30 }),
  confidence: fc.oneof(fc.constantFrom("high", "medium", "low"), fc.string({ maxLength: 5 })),
  supportingFindings: fc.array(citation, { maxLength: 4 }),
  confirmBy: fc.string({ maxLength: 10 }),
  depth: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double())
});
const finalTurn: fc.Arbitrary<ScriptedTurn> = fc.oneof(
  fc.record({ summary: fc.string({ maxLength: 40 }), hypotheses: fc.array(modelHypothesis, { maxLength: 7 }) }).map(answerTurn),
  fc.string({ maxLength: 40 }).map(textTurn),
  fc.anything({ maxDepth: 2 }).map(answerTurn)
);
const script = fc.record({
  passes: fc.array(toolPass, { maxLength: 6 }),
  endWithText: fc.boolean(),
  final: finalTurn,
  maxToolCycles: fc.integer({ min: 1, max: 4 }),
  maxToolsPerPass: fc.integer({ min: 1, max: 3 })
});

describe("withAgentMode properties", () => {
  it("never loses the deterministic result, never runs an unoffered tool, and keeps citations and confidence honest", async () => {
    let runsWithModelHypotheses = 0;
    let toolFindingsSeen = 0;
    await fc.assert(
      fc.asyncProperty(script, async (s) => {
        const logs = countingTool("pod_logs", (pod) => ({
          text: `tail of ${pod}`,
          findings: [{ source: "kubernetes", timestamp: 1, content: `logs of ${pod}`, severity: pod.length % 2 === 0 ? "info" : "high", metadata: {} }]
        }));
        const events = countingTool("events", { text: "no events" });
        const destructive = countingTool("delete_deployment", { text: "deleted" });
        const scripted = makeScriptedModel();
        scripted.script([...s.passes, ...(s.endWithText ? [textTurn("done")] : []), s.final]);
        const agent = withAgentMode({
          specialist: fixedSpecialist(),
          tools: [logs.tool, events.tool],
          model: scripted.model,
          maxToolCycles: s.maxToolCycles,
          maxToolsPerPass: s.maxToolsPerPass
        });
        const r = await Effect.runPromise(agent.investigate(sampleAlert, { deadline: Date.now() + 10_000 }));

        expect(r.findings.slice(0, sampleResult.findings.length)).toEqual(sampleResult.findings);
        expect(r.hypotheses.slice(0, sampleResult.hypotheses.length)).toEqual(sampleResult.hypotheses);
        expect(destructive.runs()).toBe(0);
        expect(logs.runs() + events.runs()).toBeLessThanOrEqual(s.maxToolCycles * s.maxToolsPerPass);

        const byId = new Map<string, Finding>(r.findings.map((f) => [f.id, f]));
        expect(byId.size).toBe(r.findings.length);
        const titles = r.hypotheses.map((h) => h.title.trim().toLowerCase());
        expect(new Set(titles).size).toBe(titles.length);
        if (r.hypotheses.length > sampleResult.hypotheses.length) runsWithModelHypotheses++;
        toolFindingsSeen += r.findings.length - sampleResult.findings.length;
        for (const h of r.hypotheses.slice(sampleResult.hypotheses.length)) {
          expect(h.proposedBy).toBe("eks");
          expect(h.id).toMatch(/^eks:m\d+$/);
          expect(h.supportingFindings.length).toBeGreaterThan(0);
          const cited = h.supportingFindings.map((id) => byId.get(id));
          expect(cited.every((f) => f !== undefined)).toBe(true);
          expect(["high", "medium", "low"]).toContain(h.confidence);
          expect(confidenceRank(h.confidence)).toBeGreaterThanOrEqual(confidenceRank(confidenceCap(cited as Array<Finding>)));
          expect(Number.isInteger(h.depth) && h.depth >= 0 && h.depth <= 10).toBe(true);
        }
        expect(r.metadata.inputTokens).toBeGreaterThanOrEqual(0);
        expect(r.metadata.modelCalls ?? 0).toBeLessThanOrEqual(s.maxToolCycles + 1);
      }),
      { numRuns: 150 }
    );
    // The generators do reach the interesting paths.
    expect(runsWithModelHypotheses).toBeGreaterThan(0);
    expect(toolFindingsSeen).toBeGreaterThan(0);
  });
});
