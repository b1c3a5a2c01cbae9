import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hypothesis, InvestigationReport } from "@sre-on-call/core";
import { sampleReport } from "@sre-on-call/core/testing";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { investigateScenario, readScenario, readScenarios, type Scenario, ScenarioError, type ScenarioExpectation, SCENARIOS, type ScenarioRun, scoreScenario, writeScenarios } from "./writeScenarios.js";

const ROOT = fileURLToPath(new URL("../../../../../examples/scenarios/", import.meta.url));

/**
 * Scenarios whose top hypothesis is known to be wrong, with why. Each still runs: it must keep
 * missing (`it.fails`), so the day the analyzer is fixed this list has to shrink.
 */
const KNOWN_MISSES: Readonly<Record<string, string>> = {};

/** The failure modes issue 4 lists, each with the scenario that covers it. */
const FAILURE_MODES: ReadonlyArray<readonly [string, string]> = [
  ["CrashLoopBackOff (exit code, first cause of the stack trace)", "crashloop-missing-env"],
  ["CrashLoopBackOff without logs", "crashloop-exit-code"],
  ["OOMKilled against the memory limit", "oomkilled"],
  ["ImagePullBackOff/ErrImagePull", "image-pull"],
  ["CreateContainerConfigError", "create-container-config-error"],
  ["FailedScheduling: insufficient resources", "scheduling-insufficient-memory"],
  ["FailedScheduling: taints", "scheduling-taint"],
  ["FailedScheduling: unbound PVC", "scheduling-unbound-pvc"],
  ["liveness probe restarts", "liveness-probe"],
  ["readiness probe failures", "readiness-probe"],
  ["evictions and node pressure", "eviction-disk-pressure"],
  ["NotReady/unreachable node", "node-not-ready"],
  ["ResourceQuota rejection (FailedCreate)", "quota-failed-create"],
  ["PVC provisioning failure", "pvc-provisioning"],
  ["bad rollout", "bad-rollout"],
  ["exception in the logs", "log-exception"],
  ["full volume in the logs", "log-disk-full"],
  ["dependency refusing connections", "dependency-refused"],
  ["DNS failures and CoreDNS", "dns-coredns"],
  ["healthy cluster", "healthy"]
];

/** Noise every scenario's cluster carries in other namespaces; none of it may reach a report. */
const NOISE = ["nightly-etl", "storefront"];

const filesUnder = async (dir: string): Promise<ReadonlyArray<string>> => {
  const out: Array<string> = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
};

const failureOf = <A>(exit: Exit.Exit<A, ScenarioError>): ScenarioError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure");
  return reason.error;
};

describe("examples/scenarios", () => {
  it("has one scenario per failure mode of issue 4, and nothing undefined", async () => {
    const dirs = (await readdir(ROOT, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(dirs).toEqual(SCENARIOS.map((s) => s.name).sort());
    for (const [, name] of FAILURE_MODES) expect(dirs).toContain(name);
  });

  it("is what writeScenarios generates, byte for byte (regenerate it after changing a scenario)", async () => {
    const fresh = await mkdtemp(join(tmpdir(), "scenarios-"));
    try {
      await writeScenarios(fresh);
      const committed = (await filesUnder(ROOT)).filter((f) => f !== "README.md");
      const generated = await filesUnder(fresh);
      expect(committed).toEqual(generated);
      for (const file of generated) expect(await readFile(join(ROOT, file), "utf8"), file).toBe(await readFile(join(fresh, file), "utf8"));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});

describe("accuracy gate: the EKS specialist and the orchestrator over every scenario", () => {
  const runs = new Map<string, ScenarioRun>();
  let scenarios: ReadonlyArray<Scenario> = [];

  beforeAll(async () => {
    scenarios = await Effect.runPromise(readScenarios(ROOT));
    for (const s of scenarios) runs.set(s.name, await Effect.runPromise(investigateScenario(s)));
  });

  const run = (name: string): ScenarioRun => {
    const r = runs.get(name);
    if (r === undefined) throw new Error(`scenario ${name} was not investigated`);
    return r;
  };

  for (const definition of SCENARIOS) {
    const name = definition.name;
    const known = KNOWN_MISSES[name];
    const check = () => {
      const r = run(name);
      const score = scoreScenario(r.scenario.expected, r.report, r.eks);
      const top = r.report.hypotheses[0];
      const context = `top: ${top?.title ?? "(none)"}; missing ${score.missingTerms.join(", ")}`;
      expect(score.hit, context).toBe(true);
      expect(score.highConfidenceWrong).toBe(false);
      if (r.scenario.expected.noHighConfidence === true) expect(r.report.hypotheses.filter((h) => h.confidence === "high")).toEqual([]);
      else expect(score.rank).toBe(1);
    };
    if (known !== undefined) it.fails(`${name}: known miss (${known})`, check);
    else it(`${name}: ${definition.failureMode}`, check);
  }

  it("every investigation completes, matches the affected workload and renders a Markdown report naming it", () => {
    for (const s of scenarios) {
      const r = run(s.name);
      expect(r.report.agents.map((a) => `${a.agent}=${a.state}`), s.name).toEqual(["eks=ok"]);
      expect(scoreScenario(s.expected, r.report, r.eks).affectedFound, `${s.name}: affected ${s.expected.affected}`).toBe(true);
      const top = r.report.hypotheses[0];
      if (top !== undefined) expect(r.markdown, s.name).toContain(top.title.slice(0, 40));
    }
  });

  it("the known misses still rank the true cause among the hypotheses", () => {
    for (const name of Object.keys(KNOWN_MISSES)) {
      const r = run(name);
      expect(scoreScenario(r.scenario.expected, r.report, r.eks).rank, name).toBeGreaterThan(1);
    }
  });

  it("the noise in other namespaces stays out of every report", () => {
    for (const s of scenarios) {
      const r = run(s.name);
      const text = JSON.stringify({ hypotheses: r.report.hypotheses, findings: r.eks?.findings ?? [] });
      for (const noise of NOISE) expect(text, `${s.name} mentions ${noise}`).not.toContain(noise);
    }
  });

  it("the plain-text scenario is read from alert.txt with the time in expected.json", () => {
    const s = scenarios.find((x) => x.name === "log-exception");
    expect(s?.alert.source).toBe("cli");
    expect(s?.alert.entities).toMatchObject({ namespace: "data", deployment: "ingest-worker" });
    expect(s?.alert.alertTimestamp).toBe(Date.parse("2026-04-02T09:30:00Z"));
  });
});

describe("scoreScenario", () => {
  const h = (title: string, confidence: Hypothesis["confidence"], detail = ""): Hypothesis => ({ id: title, title, detail, confidence, supportingFindings: [], confirmBy: "", proposedBy: "eks", depth: 1 });
  const report = (...hypotheses: ReadonlyArray<Hypothesis>): InvestigationReport => ({ ...sampleReport, affectedServices: ["shop/api"], hypotheses });
  const expected: ScenarioExpectation = { rootCause: { requiredTerms: ["OOMKilled", "256Mi"] }, affected: "shop/api" };

  it("a hit needs every term in the top hypothesis's title or detail, case-insensitively", () => {
    const s = scoreScenario(expected, report(h("shop/api is oomkilled", "high", "limit 256mi")));
    expect(s).toMatchObject({ hit: true, rank: 1, highConfidenceWrong: false, affectedFound: true, missingTerms: [] });
  });

  it("a true cause ranked second is a miss with its rank; a confident wrong top is the worst outcome", () => {
    const s = scoreScenario(expected, report(h("Node is unreachable", "high"), h("OOMKilled at 256Mi", "medium")));
    expect(s).toMatchObject({ hit: false, rank: 2, highConfidenceWrong: true, missingTerms: ["OOMKilled", "256Mi"] });
    expect(scoreScenario(expected, report(h("OOMKilled", "low"))).highConfidenceWrong).toBe(false);
  });

  it("no hypothesis at all is a miss, never a confident wrong answer", () => {
    expect(scoreScenario(expected, report())).toMatchObject({ hit: false, rank: undefined, highConfidenceWrong: false, top: undefined });
  });

  it("a healthy scenario is hit only when nothing is claimed with high confidence", () => {
    const healthy: ScenarioExpectation = { rootCause: { requiredTerms: [] }, affected: "shop/api", noHighConfidence: true };
    expect(scoreScenario(healthy, report()).hit).toBe(true);
    expect(scoreScenario(healthy, report(h("maybe the cache", "low"))).hit).toBe(true);
    expect(scoreScenario(healthy, report(h("Database down", "high")))).toMatchObject({ hit: false, highConfidenceWrong: true });
  });

  it("the affected workload can come from the report or from the workloads the EKS agent matched", () => {
    const other: ScenarioExpectation = { ...expected, affected: "shop/worker" };
    expect(scoreScenario(other, report(h("x", "low"))).affectedFound).toBe(false);
    const eks = { agent: "eks", status: "success", findings: [], hypotheses: [], summary: "", durationMs: 1, metadata: { startedAt: 0, endedAt: 1, inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 0, extra: { workloads: [{ workload: "shop/worker", status: "0/1 ready", healthy: false }] } } } as const;
    expect(scoreScenario(other, report(h("x", "low")), eks).affectedFound).toBe(true);
  });
});

describe("readScenario rejects broken scenarios with a readable, typed error", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bad-scenarios-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const scenario = async (name: string, files: Readonly<Record<string, string>>, dump = true) => {
    const d = join(dir, name);
    await mkdir(dump ? join(d, "cluster-dump") : d, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(d, file), text);
    return d;
  };
  const valid = JSON.stringify({ rootCause: { requiredTerms: ["x"] }, affected: "a/b" });
  const alert = JSON.stringify({ version: "4", status: "firing", alerts: [{ status: "firing", labels: { alertname: "X", namespace: "a" }, annotations: {}, startsAt: "2026-04-02T09:30:00Z" }] });
  const reason = async (d: string) => {
    const e = failureOf(await Effect.runPromiseExit(readScenario(d)));
    expect(e).toBeInstanceOf(ScenarioError);
    return e.message;
  };

  it("names what is missing or malformed", async () => {
    expect(await reason(await scenario("no-expected", { "alert.json": alert }))).toBe("scenario no-expected: has no expected.json");
    expect(await reason(await scenario("bad-json", { "expected.json": "{", "alert.json": alert }))).toMatch(/^scenario bad-json: expected\.json is not JSON/);
    expect(await reason(await scenario("bad-shape", { "expected.json": JSON.stringify({ rootCause: { requiredTerms: "x" } }), "alert.json": alert }))).toMatch(/^scenario bad-shape: invalid expected\.json: /);
    expect(await reason(await scenario("no-dump", { "expected.json": valid, "alert.json": alert }, false))).toBe("scenario no-dump: has no cluster-dump/ directory");
    expect(await reason(await scenario("no-alert", { "expected.json": valid }))).toBe("scenario no-alert: has neither alert.json nor alert.txt");
    expect(await reason(await scenario("not-a-webhook", { "expected.json": valid, "alert.json": "[1,2]" }))).toMatch(/^scenario not-a-webhook: alert\.json: /);
    expect(await reason(await scenario("resolved", { "expected.json": valid, "alert.json": alert.replaceAll('"firing"', '"resolved"') }))).toBe("scenario resolved: alert.json has no firing alert");
    expect(await reason(await scenario("text-no-time", { "expected.json": valid, "alert.txt": "pods of deploy/b in namespace a crash" }))).toMatch(/alert\.txt needs "alertTime"/);
  });

  it("a directory of scenarios that cannot be listed is an error too", async () => {
    const e = failureOf(await Effect.runPromiseExit(readScenarios(join(dir, "nope"))));
    expect(e.message).toMatch(/cannot list the scenarios \(ENOENT\)/);
  });

  it("reads a well-formed one, the text alert at its posting time", async () => {
    const d = await scenario("ok-text", { "expected.json": JSON.stringify({ rootCause: { requiredTerms: [] }, affected: "shop/orders", alertTime: "2026-04-02T09:00:00Z" }), "alert.txt": "pods of deploy/orders in namespace shop crash\n" });
    const s = await Effect.runPromise(readScenario(d));
    expect(s.alert.alertTimestamp).toBe(Date.parse("2026-04-02T09:00:00Z"));
    expect(s.alert.entities).toMatchObject({ namespace: "shop", deployment: "orders" });
    expect(s.dump).toBe(join(d, "cluster-dump"));
  });
});
