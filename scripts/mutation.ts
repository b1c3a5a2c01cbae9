/**
 * `pnpm mutation [module…] [--full] [--list]`: Stryker on the critical modules, one module at a
 * time, each with only the test files that cover it. Incremental by default (a module whose code
 * and tests did not change re-runs nothing); `--full` discards the previous results. Prints the
 * mutation score per module and writes the HTML report to reports/mutation/<module>.html.
 * See docs/mutation-testing.md for the modules, the target and the survivors accepted.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Stryker } from "@stryker-mutator/core";

type PartialStrykerOptions = NonNullable<ConstructorParameters<typeof Stryker>[0]>;
type MutantResult = Awaited<ReturnType<Stryker["runMutationTest"]>>[number];

interface Module {
  readonly description: string;
  /** Files (or Stryker `file:from-to` line ranges) to mutate. */
  readonly mutate: ReadonlyArray<string>;
  /** The test files that cover them; nothing else runs. */
  readonly tests: ReadonlyArray<string>;
  /** Stryker mutator names left out (data a corpus test measures directly, e.g. a rule catalog's regular expressions). */
  readonly excludedMutations?: ReadonlyArray<string>;
  /** Hours long: run only when named (`pnpm mutation gate-rules`), never as part of `pnpm mutation`. */
  readonly onlyWhenNamed?: boolean;
}

const TARGET = 85;

/**
 * `file:from-to`, the lines from the first containing `start` to the next containing `end`: a
 * part of a large file, found by its text so the range follows edits.
 */
const linesOf = (file: string, start: string, end: string): string => {
  const lines = readFileSync(file, "utf8").split("\n");
  const from = lines.findIndex((l) => l.includes(start));
  const to = lines.findIndex((l, i) => i >= from && l.includes(end));
  if (from === -1 || to === -1) throw new Error(`${file}: no lines from ${JSON.stringify(start)} to ${JSON.stringify(end)}; update scripts/mutation.ts`);
  return `${file}:${from + 1}-${to + 1}`;
};
const EMBEDDED_STORE = "packages/adapters/src/store/embedded/EmbeddedStore.ts";

const MODULES: Readonly<Record<string, Module>> = {
  "slack-signature": {
    description: "Slack request signature verification",
    mutate: ["packages/adapters/src/chat/slack/verifySlackRequest.ts"],
    tests: ["packages/adapters/src/chat/slack/verifySlackRequest.test.ts"]
  },
  "discord-signature": {
    description: "Discord interaction signature verification",
    mutate: ["packages/adapters/src/chat/discord/verifyDiscordRequest.ts"],
    tests: ["packages/adapters/src/chat/discord/verifyDiscordRequest.test.ts"]
  },
  intake: {
    description: "intake: claims, retries, commands",
    mutate: ["packages/core/src/intake/processIntake.ts"],
    tests: [
      "packages/core/src/intake/processIntake.test.ts",
      "packages/core/src/intake/processIntake.mutation.test.ts",
      "packages/core/src/intake/processIntake.survivors.test.ts",
      "test/intake-concurrency.test.ts"
    ]
  },
  redaction: {
    description: "secret redaction and the redacting ports",
    mutate: ["packages/core/src/redact/*.ts", "!packages/core/src/redact/*.test.ts", "!packages/core/src/redact/index.ts"],
    tests: ["packages/core/src/redact/*.test.ts"]
  },
  render: {
    description: "rendering limits and splitting (Slack, Discord)",
    mutate: ["packages/core/src/render/renderSlack.ts", "packages/core/src/render/renderDiscord.ts", "packages/core/src/render/splitText.ts"],
    // Not the rendering properties: at ~15 s a run they would take hours over ~600 mutants; the
    // unit tests, the splitting properties and the fake Slack API's limits stand in for them here.
    tests: [
      "packages/core/src/render/escape.test.ts",
      "packages/core/src/render/notice.test.ts",
      "packages/core/src/render/renderReport.test.ts",
      "packages/core/src/render/splitText.test.ts",
      "packages/core/src/render/render.survivors.test.ts",
      "packages/adapters/src/chat/slack/renderedReports.int.test.ts"
    ]
  },
  orchestrator: {
    description: "the orchestrator's deadlines and partial results",
    mutate: ["packages/core/src/orchestrate/runInvestigation.ts"],
    tests: [
      "packages/core/src/orchestrate/*.test.ts",
      "packages/core/src/telemetry/spans.test.ts",
      "packages/core/src/testing/injection.test.ts",
      "packages/deploy/src/runtime/InvestigationRunner.test.ts"
    ]
  },
  ranking: {
    description: "hypothesis ranking",
    mutate: ["packages/core/src/report/rankHypotheses.ts"],
    tests: ["packages/core/src/report/rankHypotheses.test.ts", "packages/core/src/report/buildReport.test.ts"]
  },
  gate: {
    description: "the gate: guards, tier 2 fail-open, pattern rules from config (the rule catalog is gate-rules)",
    mutate: ["packages/core/src/classify/gate.ts", "packages/core/src/classify/patternRules.ts", "packages/core/src/classify/tier2Model.ts"],
    tests: [
      "packages/core/src/classify/gate.test.ts",
      "packages/core/src/classify/tier2Failures.test.ts",
      "packages/core/src/classify/patternRules.test.ts",
      "packages/core/src/classify/properties.test.ts",
      "packages/core/src/classify/gate.survivors.test.ts"
    ]
  },
  "gate-rules": {
    description: "the gate's tier-1 rule catalog and signals, without its regex and string data (hours long: run only when named)",
    mutate: ["packages/core/src/classify/builtinRules.ts", "packages/core/src/classify/signals.ts"],
    // The regular expressions and word lists are the catalog itself, measured text by text by the corpus tests
    // (realCorpus, corpus, round2Rules…): mutating them one by one re-runs every test for each of ~1,400 mutants.
    excludedMutations: ["Regex", "StringLiteral"],
    // The real-corpus test is the strongest check of the rules; the properties guard their edges.
    tests: ["packages/core/src/classify/*.test.ts"],
    onlyWhenNamed: true
  },
  "store-claims": {
    description: "dedup claims in the embedded store and DynamoDB",
    mutate: [
      "packages/adapters/src/store/embedded/EmbeddedDedupStore.ts",
      "packages/adapters/src/store/dynamodb/DynamoDedupStore.ts",
      // The embedded store's part of a claim: liveness, expiry, and the conditional put.
      linesOf(EMBEDDED_STORE, "const isLive =", "entry.expiresAt > now"),
      linesOf(EMBEDDED_STORE, "const expiry =", "return now + options.ttlMs"),
      linesOf(EMBEDDED_STORE, "putIfAbsent: (key, value, options) => {", "return { claimed: true }")
    ],
    tests: [
      "packages/adapters/src/store/embedded/EmbeddedDedupStore.test.ts",
      "packages/adapters/src/store/embedded/EmbeddedDedupStore.claims.test.ts",
      "packages/adapters/src/store/embedded/EmbeddedStore.test.ts",
      "packages/adapters/src/store/dynamodb/DynamoDedupStore.claims.test.ts",
      "packages/adapters/src/store/dynamodb/DynamoDedupStore.test.ts",
      "packages/adapters/src/store/dynamodb/DynamoDedupStore.int.test.ts"
    ]
  }
};

const args = process.argv.slice(2);
if (args.includes("--list")) {
  for (const [name, m] of Object.entries(MODULES)) console.log(`${name.padEnd(18)} ${m.description}${m.excludedMutations !== undefined ? ` [without ${m.excludedMutations.join(", ")} mutants]` : ""}`);
  process.exit(0);
}
const full = args.includes("--full");
const names = args.filter((a) => !a.startsWith("--"));
const unknown = names.filter((n) => !(n in MODULES));
if (unknown.length > 0) {
  console.error(`unknown module ${unknown.join(", ")}; one of: ${Object.keys(MODULES).join(", ")}`);
  process.exit(2);
}
const selected = names.length > 0 ? names : Object.keys(MODULES).filter((n) => MODULES[n]?.onlyWhenNamed !== true);
const skipped = names.length > 0 ? [] : Object.keys(MODULES).filter((n) => MODULES[n]?.onlyWhenNamed === true);
if (skipped.length > 0) console.log(`not run (hours long; name them to run them): ${skipped.join(", ")}`);

const REPORTS = "reports/mutation";
mkdirSync(REPORTS, { recursive: true });

/** Stryker's mutation score: detected (killed or timed out) over detected plus undetected (survived or not covered). */
const score = (results: ReadonlyArray<MutantResult>) => {
  const count = (...statuses: ReadonlyArray<MutantResult["status"]>) => results.filter((r) => statuses.includes(r.status)).length;
  const detected = count("Killed", "Timeout");
  const undetected = count("Survived", "NoCoverage");
  return { detected, undetected, score: detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected) };
};

const options = (name: string, m: Module): PartialStrykerOptions => ({
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: [...m.mutate],
  ...(m.excludedMutations !== undefined ? { mutator: { excludedMutations: [...m.excludedMutations] } } : {}),
  coverageAnalysis: "perTest",
  // The machine is shared: one test process at a time.
  concurrency: 1,
  incremental: !full,
  force: full,
  incrementalFile: join(REPORTS, `${name}.incremental.json`),
  reporters: ["html", "progress"],
  htmlReporter: { fileName: join(REPORTS, `${name}.html`) },
  thresholds: { high: 90, low: TARGET, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: ["dist", "coverage", "reports", "bench/results", ".sre-on-call", ".sst", "examples/*/node_modules"],
  timeoutMS: 10_000,
  logLevel: "warn" as NonNullable<PartialStrykerOptions["logLevel"]>,
  fileLogLevel: "off" as NonNullable<PartialStrykerOptions["fileLogLevel"]>
});

const rows: Array<{ name: string; score: number; detected: number; undetected: number; survivors: ReadonlyArray<MutantResult> }> = [];
for (const name of selected) {
  const m = MODULES[name]!;
  console.log(`\n== ${name}: ${m.description}`);
  process.env["MUTATION_TESTS"] = m.tests.join(",");
  const results = await new Stryker(options(name, m)).runMutationTest();
  const s = score(results);
  const survivors = results.filter((r) => r.status === "Survived" || r.status === "NoCoverage");
  rows.push({ name, ...s, survivors });
  for (const r of survivors) {
    console.log(`  ${r.status.padEnd(10)} ${r.fileName}:${r.location.start.line}:${r.location.start.column + 1} ${r.mutatorName}: ${(r.replacement ?? "").replace(/\s+/g, " ").slice(0, 100)}`);
  }
}

console.log("\nmutation score per module (target ≥ " + TARGET + " %):");
for (const r of rows) {
  const mark = r.score >= TARGET ? "ok " : "LOW";
  console.log(`  ${mark} ${r.name.padEnd(18)} ${r.score.toFixed(1).padStart(5)} %  (${r.detected} detected, ${r.undetected} undetected)  ${join(REPORTS, `${r.name}.html`)}`);
}
process.exitCode = rows.every((r) => r.score >= TARGET) ? 0 : 1;
