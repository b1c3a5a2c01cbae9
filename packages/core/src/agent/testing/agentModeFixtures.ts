import { Effect, Schema } from "effect";
import { AgentFailure, type AgentResult } from "../../model/AgentResult.js";
import type { ContentBlock, TokenUsage } from "../../ports/ModelPort.js";
import type { Specialist } from "../../ports/Specialist.js";
import type { ScriptedTurn } from "../../testing/modelPortContract.js";
import { sampleResult } from "../../testing/samples.js";
import { type AgentTool, schemaTool, type ToolOutput } from "../AgentTool.js";

/*
 * Building blocks for agent-mode tests: a deterministic specialist with a fixed result, a few
 * tools that count their runs, and scripted model turns.
 */

export const USAGE: TokenUsage = { inputTokens: 1_000, outputTokens: 100 };

export const toolUseTurn = (...uses: ReadonlyArray<{ readonly name: string; readonly input?: unknown; readonly id?: string }>): ScriptedTurn => ({
  content: uses.map((u, i): ContentBlock => ({ type: "toolUse", id: u.id ?? `tu-${i}-${u.name}`, name: u.name, input: u.input ?? {} })),
  stopReason: "tool_use",
  usage: USAGE
});

export const textTurn = (text: string): ScriptedTurn => ({ content: [{ type: "text", text }], stopReason: "end_turn", usage: USAGE });

export const answerTurn = (answer: unknown): ScriptedTurn => textTurn(JSON.stringify(answer));

/** A deterministic specialist answering `result` (default: the sample EKS result), or failing / dying / hanging. */
export const fixedSpecialist = (
  behaviour: { readonly kind: "result"; readonly result?: AgentResult } | { readonly kind: "fail" } | { readonly kind: "die" } | { readonly kind: "hang" } = { kind: "result" }
): Specialist & { readonly deadlines: ReadonlyArray<number> } => {
  const deadlines: Array<number> = [];
  return {
    id: "eks",
    description: "Kubernetes workloads, events and logs.",
    investigate: (_alert, call) =>
      Effect.suspend(() => {
        deadlines.push(call.deadline);
        switch (behaviour.kind) {
          case "result":
            return Effect.succeed(behaviour.result ?? sampleResult);
          case "fail":
            return Effect.fail(new AgentFailure({ agent: "eks", kind: "unhealthy", reason: "cluster API unreachable" }));
          case "die":
            return Effect.die(new Error("boom"));
          case "hang":
            return Effect.never;
        }
      }),
    snapshot: () => Effect.succeed({ agent: "eks", state: "ok", health: "healthy", summary: "eks fine", findings: [] }),
    deadlines
  };
};

export interface CountingTool {
  readonly tool: AgentTool;
  readonly runs: () => number;
}

/** A tool answering `output` for a valid `{ pod }` argument, counting how often it really ran. */
export const countingTool = (name: string, output: ToolOutput | ((pod: string) => ToolOutput), options: { readonly hang?: boolean } = {}): CountingTool => {
  let runs = 0;
  return {
    tool: schemaTool({
      name,
      description: `${name} of a pod`,
      args: Schema.Struct({ pod: Schema.String }),
      run: (args) =>
        Effect.suspend(() => {
          runs++;
          if (options.hang === true) return Effect.never;
          return Effect.succeed(typeof output === "function" ? output(args.pod) : output);
        })
    }),
    runs: () => runs
  };
};
