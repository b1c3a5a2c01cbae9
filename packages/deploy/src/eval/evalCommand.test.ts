import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { investigateScenario, readScenario, readScenarios, scoreScenario } from "@sre-on-call/agents/eks/testing/writeScenarios";
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../cli/CliIo.js";
import { runCli } from "../cli/runCli.js";
import { decodeEvalReport, type EvalReport } from "./EvalReport.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SCENARIOS = join(ROOT, "examples/scenarios");
const PAYMENTS = join(ROOT, "examples/payments-outage");

/** A working directory without config.yaml, so runs use the embedded defaults unless told otherwise. */
const capture = (cwd = mkdtempSync(join(tmpdir(), "eval-cwd-"))) => {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdinLines: async function* () {},
    stdinText: () => Promise.resolve(""),
    env: {},
    cwd,
    isTty: false
  };
  return { io, cwd, out: () => out, err: () => err };
};

/** A scenario set of links to some example scenarios, plus payments-outage with its alert, dump, logs and a written expectation. */
const scenarioSet = (names: ReadonlyArray<string>, withPayments = false): string => {
  const root = mkdtempSync(join(tmpdir(), "eval-set-"));
  for (const n of names) symlinkSync(join(SCENARIOS, n), join(root, n), "dir");
  if (withPayments) {
    const p = join(root, "payments-outage");
    mkdirSync(p);
    symlinkSync(join(PAYMENTS, "alert.json"), join(p, "alert.json"));
    symlinkSync(join(PAYMENTS, "cluster-dump"), join(p, "cluster-dump"), "dir");
    symlinkSync(join(PAYMENTS, "logs"), join(p, "logs"), "dir");
    writeFileSync(join(p, "expected.json"), JSON.stringify({ rootCause: { requiredTerms: ["data-payments-db-0", "full|no space left"] }, affected: "payments/api", forbidden: ["v2.4.0"] }));
  }
  return root;
};

const decoded = (text: string): EvalReport => {
  const r = decodeEvalReport(JSON.parse(text));
  if (Result.isFailure(r)) throw new Error(r.failure.message);
  return r.success;
};

describe("sre-on-call eval", () => {
  it("scores every example scenario and the payments outage; each verdict agrees with scoreScenario on its own run", async () => {
    const set = scenarioSet([], true);
    for (const n of (await Effect.runPromise(readScenarios(SCENARIOS))).map((s) => s.name)) symlinkSync(join(SCENARIOS, n), join(set, n), "dir");
    const c = capture();
    expect(await runCli(["eval", "--scenarios", set, "--format", "json"], c.io), c.err()).toBe(0);
    const report = decoded(c.out());
    const run = report.runs[0]!;
    expect(report.runs).toHaveLength(1);
    expect(run.scenarios).toHaveLength(21);
    expect(run.synthesis).toBe("deterministic");
    expect(run.agents).toEqual(["eks", "cloudwatch-logs"]);
    expect(c.err()).toMatch(/\[1\/21\] A: /);
    expect(c.err()).toMatch(/\[21\/21\] A: /);

    // The reference: each EKS scenario investigated on its own and scored by the EKS scenarios' scorer
    // (which knows neither `a|b` alternatives nor forbidden terms, so payments-outage is checked on its own).
    const eksScenarios = run.scenarios.filter((s) => s.scenario !== "payments-outage");
    const individual = await Effect.runPromise(Effect.forEach(eksScenarios, (s) => readScenario(join(set, s.scenario)).pipe(Effect.flatMap(investigateScenario))));
    const reference = new Map(individual.map((r) => [r.scenario.name, scoreScenario(r.scenario.expected, r.report, r.eks)]));
    expect(reference.size).toBe(20);
    for (const s of eksScenarios) {
      const ref = reference.get(s.scenario)!;
      expect(s.hit, s.scenario).toBe(ref.hit);
      expect(s.rank, s.scenario).toBe(ref.rank ?? null);
      expect(s.highConfidenceWrong, s.scenario).toBe(ref.highConfidenceWrong);
    }
    const payments = run.scenarios.find((s) => s.scenario === "payments-outage");
    expect(payments).toMatchObject({ hit: true, rank: 1, affectedFound: true, forbiddenFound: [], top: { confidence: "high", title: expect.stringMatching(/data-payments-db-0 .* is full/) } });
    const hits = [...reference.values()].filter((r) => r.hit).length + (payments?.hit === true ? 1 : 0);
    expect(run.summary.hits).toBe(hits);
    expect(run.summary.accuracy).toBe(hits / 21);
    expect(run.summary.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.gate).toEqual({ minAccuracy: null, maxHighConfidenceWrong: null, passed: true, failures: [] });
  }, 180_000);

  it("prints Markdown tables by default and writes --out", async () => {
    const set = scenarioSet(["oomkilled", "healthy"]);
    const c = capture();
    expect(await runCli(["eval", "--scenarios", set, "--out", "eval.md", "--min-accuracy", "0.5", "--max-high-confidence-wrong", "0"], c.io), c.err()).toBe(0);
    expect(c.out()).toBe("");
    const md = readFileSync(join(c.cwd, "eval.md"), "utf8");
    expect(md).toMatch(/\| top hits \(accuracy\) \| 2 \(100\.0%\) \|/);
    expect(md).toMatch(/\| oomkilled \| ✅ hit \| 1 \| shop\/search is OOMKilled/);
    expect(md).toMatch(/\*\*Gate: passed\*\*/);
    expect(c.err()).toMatch(/report written to eval.md/);
  }, 60_000);

  it("--min-accuracy above what is reached exits 1 and says why", async () => {
    const c = capture();
    expect(await runCli(["eval", "--scenarios", scenarioSet(["oomkilled", "image-pull"]), "--min-accuracy", "1.01", "--quiet"], c.io)).toBe(1);
    expect(c.err()).toMatch(/the gate failed:\n {2}A: accuracy 1\.000 \(2\/2\) is below the floor 1\.01/);
    expect(c.out()).toMatch(/\*\*Gate: FAILED\*\*/);
  }, 60_000);

  it("two configurations: B without the EKS agent loses, side by side, with the verdict", async () => {
    const c = capture();
    writeFileSync(join(c.cwd, "a.yaml"), "project: eval-a\n");
    writeFileSync(join(c.cwd, "b.yaml"), "project: eval-b\nagents:\n  eks:\n    enabled: false\n");
    const set = scenarioSet(["oomkilled", "image-pull", "healthy"]);
    expect(await runCli(["eval", "--scenarios", set, "--config", "a.yaml", "--config", "b.yaml", "--format", "json", "--max-high-confidence-wrong", "0"], c.io), c.err()).toBe(0);
    const report = decoded(c.out());
    expect(report.runs.map((r) => [r.label, r.config, r.summary.hits])).toEqual([
      ["A", "a.yaml", 3],
      ["B", "b.yaml", 1]
    ]);
    expect(report.runs[1]!.agents).toEqual([]);
    expect(report.comparison).toMatchObject({ verdict: "A better", deltas: { hits: -2, highConfidenceWrong: 0 } });
    expect(report.comparison!.rows.map((r) => [r.scenario, r.change])).toEqual([
      ["healthy", "same hit"],
      ["image-pull", "broke"],
      ["oomkilled", "broke"]
    ]);
    expect(c.err()).toMatch(/verdict: A better/);

    const m = capture(c.cwd);
    expect(await runCli(["eval", "--scenarios", set, "--config", "a.yaml", "--config", "b.yaml", "-q"], m.io)).toBe(0);
    expect(m.out()).toMatch(/\*\*Verdict: A better\*\*/);
    expect(m.out()).toMatch(/\| oomkilled \| ✅ hit \(#1\) \| ❌ miss \| broke \|/);
    expect(m.out()).toMatch(/\| top hits \(accuracy\) \| 3 \(100\.0%\) \| 1 \(33\.3%\) \| -2 \(-66\.7 pt\) \|/);
  }, 90_000);

  it("a configuration whose model names no known provider is refused with exit 2", async () => {
    const c = capture();
    writeFileSync(join(c.cwd, "m.yaml"), "defaults:\n  model: acme:gpt-test\n");
    expect(await runCli(["eval", "--scenarios", scenarioSet(["oomkilled"]), "--config", "m.yaml", "-q"], c.io)).toBe(2);
    expect(c.err()).toMatch(/m\.yaml: defaults\.model: unknown model provider "acme"/);
  }, 60_000);

  it("usage mistakes and unreadable inputs exit 2 with a message naming the fix", async () => {
    const set = scenarioSet(["oomkilled"]);
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [[], /--scenarios DIR is required/],
      [["--scenarios", set, "--format", "xml"], /--format must be one of markdown, json/],
      [["--scenarios", set, "--min-accuracy", "high"], /--min-accuracy must be a number from 0 to 1.01/],
      [["--scenarios", set, "--max-high-confidence-wrong=-1"], /--max-high-confidence-wrong must be a whole number/],
      [["--scenarios", set, "--concurrency", "0"], /--concurrency must be a whole number of at least 1/],
      [["--scenarios", set, "--high-confidence", "2"], /--high-confidence must be a number from 0 to 1/],
      [["--scenarios", set, "-c", "a.yaml", "-c", "b.yaml", "-c", "c.yaml"], /at most two --config/],
      [["--scenarios", set, "--config", "missing.yaml"], /--config missing.yaml/],
      [["--scenarios", join(set, "nope")], /cannot list the scenarios \(ENOENT\)/],
      [["--scenarios", set, "extra"], /unexpected argument "extra"/]
    ];
    for (const [args, message] of cases) {
      const c = capture();
      expect(await runCli(["eval", ...args], c.io), args.join(" ")).toBe(2);
      expect(c.err(), args.join(" ")).toMatch(message);
    }
    const h = capture();
    expect(await runCli(["eval", "--help"], h.io)).toBe(0);
    expect(h.out()).toMatch(/--min-accuracy X/);
  }, 60_000);
});
