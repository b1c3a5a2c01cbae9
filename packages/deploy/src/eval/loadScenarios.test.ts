import { mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect, Exit, Result } from "effect";
import { describe, expect, it } from "vitest";
import { alertOf, EvalError, loadScenario, loadScenarios } from "./loadScenarios.js";

const EXAMPLES = fileURLToPath(new URL("../../../../examples/scenarios/", import.meta.url));

const scenario = (files: Readonly<Record<string, string>>, dirs: ReadonlyArray<string> = []): string => {
  const dir = join(mkdtempSync(join(tmpdir(), "eval-scn-")), "case");
  mkdirSync(dir);
  for (const d of dirs) mkdirSync(join(dir, d));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

const failure = async (dir: string): Promise<EvalError> => {
  const exit = await Effect.runPromiseExit(loadScenario(dir));
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const e = Exit.findErrorOption(exit);
  if (e._tag !== "Some") throw new Error("expected a typed failure");
  return e.value;
};

const expected = JSON.stringify({ rootCause: { requiredTerms: ["disk full|no space left"] }, affected: "shop/db" });

describe("loadScenarios", () => {
  it("reads every example scenario with its alert and cluster dump", async () => {
    const all = await Effect.runPromise(loadScenarios(EXAMPLES));
    expect(all.map((s) => s.name)).toContain("oomkilled");
    expect(all.length).toBe(20);
    for (const s of all) {
      expect(s.clusterDump !== undefined && statSync(s.clusterDump).isDirectory(), s.name).toBe(true);
      expect(Result.isSuccess(alertOf(s, { now: Date.now() })), s.name).toBe(true);
    }
    expect(all.find((s) => s.name === "log-exception")?.alert.kind).toBe("text");
  });

  it("a text alert, logs/ and metrics/: logs are a source, metrics are noted as not read", async () => {
    const dir = scenario({ "expected.json": JSON.stringify({ ...JSON.parse(expected), alertTime: "2026-04-02T09:30:00Z", forbidden: ["rollout"] }), "alert.txt": "db in shop is down\n" }, ["logs", "metrics"]);
    const s = await Effect.runPromise(loadScenario(dir));
    expect(s).toMatchObject({ name: "case", alert: { kind: "text", text: "db in shop is down", postedAt: Date.parse("2026-04-02T09:30:00Z") }, logs: join(dir, "logs"), ignored: ["metrics/"] });
    expect(s.clusterDump).toBeUndefined();
    expect(s.expected.forbidden).toEqual(["rollout"]);
  });

  it("bad scenarios fail with a typed error naming the scenario and the fix", async () => {
    expect((await failure(scenario({}))).message).toBe("scenario case: has no expected.json");
    expect((await failure(scenario({ "expected.json": "{nope" }))).message).toMatch(/^scenario case: expected.json is not JSON/);
    expect((await failure(scenario({ "expected.json": JSON.stringify({ affected: "x" }) }))).message).toMatch(/rootCause/);
    expect((await failure(scenario({ "expected.json": JSON.stringify({ rootCause: { requiredTerms: ["|"] }, affected: "x" }), "alert.txt": "x" }))).message).toMatch(/at least one non-empty term/);
    expect((await failure(scenario({ "expected.json": expected }))).message).toMatch(/neither alert.json nor alert.txt/);
    expect((await failure(scenario({ "expected.json": expected, "alert.txt": "db down" }))).message).toMatch(/alertTime/);
    expect((await failure(scenario({ "expected.json": expected, "alert.txt": "  \n" }))).message).toMatch(/alert.txt is empty/);
    expect((await failure(scenario({ "expected.json": expected, "alert.json": "[1," }))).message).toMatch(/alert.json is not JSON/);
    expect((await failure(scenario({ "expected.json": expected, "alert.json": JSON.stringify({ hello: "world" }) }))).message).toMatch(/^scenario case: alert.json/);
    const error = await failure(scenario({}));
    expect(error).toBeInstanceOf(EvalError);
  });

  it("a root that does not exist or holds no scenario is an error, not an empty run", async () => {
    const missing = await Effect.runPromiseExit(loadScenarios(join(tmpdir(), "no-such-eval-root-x")));
    expect(Exit.isFailure(missing) && String(missing.cause)).toMatch(/cannot list the scenarios \(ENOENT\)/);
    const empty = await Effect.runPromiseExit(loadScenarios(mkdtempSync(join(tmpdir(), "eval-empty-"))));
    expect(Exit.isFailure(empty) && String(empty.cause)).toMatch(/no scenario in it/);
  });
});
