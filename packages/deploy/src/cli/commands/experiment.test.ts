import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedStore, makeEmbeddedExperimentStore } from "@sre-on-call/adapters";
import type { VariantRun } from "@sre-on-call/core";
import { makeScriptedModel, sampleRun } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIo, CommandEntry } from "../CliIo.js";
import { runCli } from "../runCli.js";
import { type ExperimentCommandOptions, makeExperimentCommand } from "./experiment.js";

describe("sre-on-call experiment", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sre-experiment-"));
    writeFileSync(join(dir, "config.yaml"), `store: { directory: ${JSON.stringify(join(dir, "state"))} }\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (argv: ReadonlyArray<string>, options: ExperimentCommandOptions = {}) => {
    let out = "";
    let err = "";
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd: dir, isTty: false };
    const entry: CommandEntry = { name: "experiment", summary: "", load: () => Promise.resolve(makeExperimentCommand({ now: () => 1_700_000_000_000, ...options })) };
    const code = await runCli(["experiment", ...argv], io, [entry]);
    return { code, out, err };
  };
  const seed = async (runs: ReadonlyArray<VariantRun>) => {
    const store = await EmbeddedStore.open({ directory: join(dir, "state", "store"), compactEveryMs: 0 });
    try {
      for (const r of runs) await Effect.runPromise(makeEmbeddedExperimentStore(store).recordRun(r));
    } finally {
      await store.close();
    }
  };

  it("defines, lists, activates, refuses a second activation naming the active one, and pauses", async () => {
    const a = await cli(["define", "--name", "Haiku vs Sonnet", "--id", "models-1", "--control-model", "bedrock:sonnet", "--treatment-model", "bedrock:haiku", "--treatment-agent-mode", "eks=agent", "--treatment-max-tool-cycles", "4"]);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toMatch(/defined models-1 {2}defined {2}post-both/);
    expect(a.out).toMatch(/treatment: bedrock:haiku \(model bedrock:haiku, eks=agent, max 4 tool cycles\)/);
    expect((await cli(["define", "--name", "Agent mode", "--id", "agent-1", "--mode", "post-control", "--treatment-agent-mode", "eks=agent"])).code).toBe(0);

    expect((await cli(["activate", "models-1"])).out).toBe("models-1 is active\n");
    const refused = await cli(["activate", "agent-1"]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/cannot activate agent-1: experiment models-1 is active; pause it first/);

    const list = await cli(["list"]);
    expect(list.out).toMatch(/models-1 {2}active/);
    expect(list.out).toMatch(/agent-1 {2}defined {2}post-control/);
    expect((await cli(["pause", "models-1"])).out).toBe("models-1 is paused\n");
    expect((await cli(["activate", "agent-1"])).code).toBe(0);
    const json = JSON.parse((await cli(["list", "--json"])).out) as Array<{ id: string; state: string }>;
    expect(json.map((e) => `${e.id}:${e.state}`)).toEqual(["agent-1:active", "models-1:paused"]);
  });

  it.each([
    [["define", "--control-model", "x"], /--name is required/],
    [["define", "--name", "n"], /the control and the treatment are the same/],
    [["define", "--name", "n", "--treatment-agent-mode", "eks"], /write AGENT=agent or AGENT=deterministic/],
    [["define", "--name", "n", "--treatment-model", "m", "--mode", "both"], /--mode must be post-both or post-control/],
    [["define", "--name", "n", "--treatment-model", "m", "--id", "bad id"], /--id "bad id": use letters, digits/],
    [["activate"], /use "experiment activate ID"/],
    [["activate", "nope"], /no experiment "nope"/],
    [["report", "nope"], /no experiment "nope"/],
    [["report", "x", "--format", "yaml"], /--format must be markdown or json/],
    [["report", "x", "--judge-model", "gemini:pro"], /unknown model provider "gemini"/],
    [["frobnicate"], /unknown action "frobnicate"/]
  ])("%j exits 2 with a clear message", async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("prints the usage with --help", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/experiment report ID \[--judge-model SPEC\]/);
  });

  describe("report", () => {
    const runs = [
      sampleRun("m", "inv-1", "control", { latencyMs: 14_000, costUsd: 0.03 }),
      sampleRun("m", "inv-1", "treatment", { latencyMs: 6_000, costUsd: 0.006 }),
      sampleRun("m", "inv-2", "control", { latencyMs: 10_000, costUsd: 0.02 }),
      sampleRun("m", "inv-2", "treatment", { latencyMs: 7_000, costUsd: 0.004 }),
      sampleRun("m", "inv-3", "control", { latencyMs: 12_000, costUsd: 0.025 })
    ];

    it("gives the measured figures without a judge", async () => {
      await cli(["define", "--name", "Models", "--id", "m", "--control-label", "sonnet", "--control-model", "bedrock:s", "--treatment-label", "haiku", "--treatment-model", "bedrock:h"]);
      await seed(runs);
      const md = await cli(["report", "m"]);
      expect(md.code, md.err).toBe(0);
      expect(md.out).toMatch(/2 complete pairs; 1 unpaired \(missing treatment: 1\)/);
      expect(md.out).toMatch(/\| latency p50 \| 12\.0 s \| 6\.5 s \| −5\.5 s \|/);
      expect(md.out).toMatch(/No judge model/);
      const json = JSON.parse((await cli(["report", "m", "--format", "json"])).out) as { pairs: number; costRatio: number };
      expect(json.pairs).toBe(2);
      expect(json.costRatio).toBeCloseTo(0.01 / 0.05, 10);
    });

    it("judges every pair twice with a scripted judge and reports win rates", async () => {
      await cli(["define", "--name", "Models", "--id", "m", "--control-label", "sonnet", "--control-model", "bedrock:s", "--treatment-label", "haiku", "--treatment-model", "bedrock:h"]);
      await seed(runs);
      const judge = makeScriptedModel({ modelId: "anthropic.claude-3-haiku-20240307-v1:0" });
      const reply = (answer: Record<string, string>) => ({ content: [{ type: "text" as const, text: JSON.stringify(answer) }], stopReason: "end_turn" as const, usage: { inputTokens: 900, outputTokens: 30 } });
      judge.script([
        // inv-1: consistent for the treatment on coverage; position-biased (always A) on the rest.
        reply({ coverage: "B", correctness: "A", actionability: "A", noise: "tie" }),
        reply({ coverage: "A", correctness: "A", actionability: "A", noise: "tie" }),
        // inv-2: malformed second answer.
        reply({ coverage: "B", correctness: "B", actionability: "B", noise: "B" }),
        { content: [{ type: "text", text: "Report B is better." }], stopReason: "end_turn", usage: { inputTokens: 900, outputTokens: 5 } }
      ]);
      const r = await cli(["report", "m", "--judge-model", "scripted", "--judge-concurrency", "1"], { judgeModel: () => judge.model });
      expect(r.code, r.err).toBe(0);
      judge.verify();
      expect(r.out).toMatch(/1 pair judged, 1 without a verdict/);
      expect(r.out).toMatch(/\| coverage \| 1 \(100%\) \| 0 \(0%\) \| 0 \| 0 \|/);
      expect(r.out).toMatch(/\| correctness \| 0 \(0%\) \| 0 \(0%\) \| 0 \| 1 \|/);
      expect(r.out).toMatch(/\| noise \| 0 \(0%\) \| 0 \(0%\) \| 1 \| 0 \|/);
      expect(r.out).toMatch(/no verdict ×1: the judge's answer \(treatment first\) is not JSON/);
    });
  });
});
