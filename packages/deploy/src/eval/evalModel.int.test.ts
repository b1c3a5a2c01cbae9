import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeOpenAi, startFakeOpenAi } from "@sre-on-call/adapters/model/openai/testing/fakeOpenAi";
import { Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../cli/CliIo.js";
import { runCli } from "../cli/runCli.js";
import { decodeEvalReport } from "./EvalReport.js";

/*
 * A configuration with a model: the evaluation runs the runner's model synthesis step, over the
 * real OpenAI wire format to the in-repo fake server on 127.0.0.1, and bills its tokens.
 */

const SCENARIO = fileURLToPath(new URL("../../../../examples/scenarios/oomkilled/", import.meta.url));
const KEY = "sk-test-0123456789abcdefghij";
const USAGE = { inputTokens: 2_412, outputTokens: 587 };

const capture = (cwd: string, env: Record<string, string> = {}) => {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env, cwd, isTty: false };
  return { io, out: () => out, err: () => err };
};

describe("sre-on-call eval with a synthesis model (fake OpenAI server)", () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: KEY });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("runs model synthesis for the configuration that has a model, and reports its tokens and cost", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "eval-model-"));
    // The deterministic report, whose top hypothesis and evidence the scripted answer cites.
    const base = capture(cwd);
    expect(await runCli(["investigate", "--alert", join(SCENARIO, "alert.json"), "--cluster-dump", join(SCENARIO, "cluster-dump"), "--format", "json", "--model", "none", "-q"], base.io), base.err()).toBe(0);
    const top = (JSON.parse(base.out()) as { hypotheses: ReadonlyArray<{ title: string; evidence: ReadonlyArray<string> }> }).hypotheses[0]!;
    const answer = {
      rootCause: { title: top.title, detail: "The search container needs more than its 256Mi limit.", confidence: "high", citations: top.evidence, chain: [{ text: "container search exceeds 256Mi", citations: top.evidence.slice(0, 1) }], confirmBy: "kubectl top pod" },
      competing: [],
      ruledOut: [],
      impact: { text: "Search requests fail while the pods restart.", citations: top.evidence.slice(0, 1) },
      actions: [{ text: "Raise the memory limit of shop/search", citations: top.evidence.slice(0, 1) }]
    };
    fake.script([{ content: [{ type: "text" as const, text: JSON.stringify(answer) }], stopReason: "end_turn" as const, usage: USAGE }]);

    const set = mkdtempSync(join(tmpdir(), "eval-set-"));
    symlinkSync(SCENARIO, join(set, "oomkilled"), "dir");
    writeFileSync(join(cwd, "a.yaml"), "project: a\n");
    writeFileSync(join(cwd, "b.yaml"), "defaults:\n  model: openai:gpt-4o-mini\n");
    const before = fake.received().length;
    const c = capture(cwd, { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: KEY });
    expect(await runCli(["eval", "--scenarios", set, "--config", "a.yaml", "--config", "b.yaml", "--format", "json", "-q"], c.io), c.err()).toBe(0);
    expect(fake.received().length - before).toBe(1);
    const decoded = decodeEvalReport(JSON.parse(c.out()));
    if (Result.isFailure(decoded)) throw new Error(decoded.failure.message);
    const [a, b] = decoded.success.runs;
    expect(a).toMatchObject({ synthesis: "deterministic", model: null, summary: { hits: 1, tokens: 0, costUsd: 0 } });
    expect(b).toMatchObject({ synthesis: "model", model: "openai:gpt-4o-mini", summary: { hits: 1, inputTokens: 2_412, outputTokens: 587, tokens: 2_999 } });
    expect(b!.summary.costUsd).toBeCloseTo((2_412 * 0.15 + 587 * 0.6) / 1e6, 12);
    // Same hits and wrong answers: the run without model calls is cheaper.
    expect(decoded.success.comparison).toMatchObject({ verdict: "A better", reason: expect.stringMatching(/A is cheaper/) });
  }, 90_000);
});
