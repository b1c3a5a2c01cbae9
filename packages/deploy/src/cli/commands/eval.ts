import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DEFAULT_PRICE_TABLE, makeRedactor, mergePriceTables } from "@sre-on-call/core";
import { Effect, Exit, Result } from "effect";
import type { AppConfig } from "../../config/AppConfig.js";
import { loadConfigFile } from "../../config/loadConfig.js";
import { floorFailures } from "../../eval/aggregate.js";
import { compareRuns } from "../../eval/compare.js";
import { loadScenarios } from "../../eval/loadScenarios.js";
import { type EvalOutcome, renderJson, renderMarkdown } from "../../eval/renderEval.js";
import { type EvalConfig, type EvalRun, runEval } from "../../eval/runEval.js";
import { DEFAULT_HIGH_CONFIDENCE } from "../../eval/score.js";
import { StartupError } from "../../runtime/buildChats.js";
import { modelFromSpec, modelSpecFor } from "../../runtime/buildModel.js";
import { OPENAI_PRICE_TABLE } from "../../runtime/InvestigationRunner.js";
import { type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";
import { emptyConfig } from "./cliSpecialists.js";
import { expandModelSpec } from "./investigate.js";

const usage = `Usage:
  sre-on-call eval --scenarios DIR [--config A.yaml [--config B.yaml]] [options]

Runs the investigation pipeline over every scenario in DIR (each a directory with an
expected.json, an alert.json or alert.txt, and offline data: cluster-dump/, logs/) and scores
each report: does the top hypothesis name the true cause, at which rank the true cause is, was a
wrong cause claimed with high confidence, latency, tokens, cost. With two --config files, both
run and are compared side by side with a verdict. Progress goes to stderr, the report to stdout.

Options:
  --scenarios DIR                 the scenarios (e.g. examples/scenarios)
  --config FILE                   a configuration to evaluate; give two to compare A and B
                                  (default: ./config.yaml if present, else embedded defaults).
                                  Its agents.<id>.enabled decides which offline sources are used
                                  (data sources come from each scenario); its model
                                  (defaults.model, or SRE_ON_CALL_MODEL) runs the synthesis step,
                                  as with investigate --model; redaction.patterns apply.
  --format FORMAT                 markdown (default) or json
  --out FILE                      write the report to FILE instead of stdout
  --min-accuracy X                fail (exit 1) when a configuration's accuracy is below X (0..1)
  --max-high-confidence-wrong N   fail (exit 1) when a configuration has more than N
                                  high-confidence wrong answers
  --high-confidence X             confidence value from which a claim counts as high-confidence
                                  (default ${DEFAULT_HIGH_CONFIDENCE}; high = 0.9, medium = 0.6, low = 0.3)
  --concurrency N                 scenarios investigated at once (default 4)
  --quiet                         no progress on stderr
  -h, --help                      show this help

Exit status: 0 evaluated, every floor met; 1 a floor was not met (the reason is printed);
2 usage error, or unreadable scenarios or configuration.

Verdict (B against A): more top hits without more high-confidence wrong answers wins; equal
quality: the cheaper wins, then the faster (p50 latency more than 25 % and 100 ms apart);
otherwise "no difference", or "mixed" when more hits come with more high-confidence wrong answers.

Example:
  sre-on-call eval --scenarios examples/scenarios --min-accuracy 0.95
  sre-on-call eval --scenarios examples/scenarios --config a.yaml --config b.yaml --format json
`;

const FORMATS = ["markdown", "json"] as const;
type Format = (typeof FORMATS)[number];

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const fraction = (flag: string, raw: string | undefined, max: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > max) throw new UsageError(`--${flag} must be a number from 0 to ${max}, not ${JSON.stringify(raw)}.`);
  return n;
};

const count = (flag: string, raw: string | undefined, min: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min) throw new UsageError(`--${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ""}, not ${JSON.stringify(raw)}.`);
  return n;
};

const loadConfig = async (path: string, cwd: string): Promise<AppConfig> => {
  const loaded = await loadConfigFile(resolve(cwd, path));
  if (Result.isFailure(loaded)) throw new CommandFailed(`--config ${path}: ${loaded.failure.message}`, 2);
  return loaded.success;
};

const PRICES = mergePriceTables(DEFAULT_PRICE_TABLE, OPENAI_PRICE_TABLE);

/** A configuration as the pipeline runs it: its synthesis model (defaults.model, SRE_ON_CALL_MODEL) and its redaction. */
const evalConfig = (label: string, path: string | null, config: AppConfig, env: Readonly<Record<string, string | undefined>>): EvalConfig => {
  const where = path ?? "the embedded defaults";
  const redactor = makeRedactor(config.redaction.patterns);
  if (Result.isFailure(redactor)) throw new CommandFailed(`${where}: ${redactor.failure.message}`, 2);
  const { redact, redactDeep } = redactor.success;
  const spec = expandModelSpec(modelSpecFor(config, env, "synthesis"));
  let model;
  try {
    model = modelFromSpec(spec, env, `${where}: defaults.model`);
  } catch (error) {
    if (error instanceof StartupError) throw new CommandFailed(error.message, 2);
    throw error;
  }
  return { label, path, config, redactDeep, ...(model !== undefined ? { synthesisModel: { model, redact, priceTable: PRICES }, modelSpec: spec } : {}) };
};

export const evalCommand: Command = {
  name: "eval",
  summary: "score the investigation pipeline over a directory of scenarios (and compare two configs)",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, {
      scenarios: { type: "string", short: "s" },
      config: { type: "string", short: "c", multiple: true },
      format: { type: "string", short: "f" },
      out: { type: "string", short: "o" },
      "min-accuracy": { type: "string" },
      "max-high-confidence-wrong": { type: "string" },
      "high-confidence": { type: "string" },
      concurrency: { type: "string" },
      quiet: { type: "boolean", short: "q" }
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}".`);
    const scenariosDir = str(values["scenarios"]);
    if (scenariosDir === undefined) throw new UsageError("--scenarios DIR is required.");
    const format = (str(values["format"]) ?? "markdown") as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}.`);
    const configPaths = (Array.isArray(values["config"]) ? values["config"] : []).filter((v): v is string => typeof v === "string");
    if (configPaths.length > 2) throw new UsageError("give at most two --config files (A and B).");
    const minAccuracy = fraction("min-accuracy", str(values["min-accuracy"]), 1.01);
    const maxWrong = count("max-high-confidence-wrong", str(values["max-high-confidence-wrong"]), 0);
    const threshold = fraction("high-confidence", str(values["high-confidence"]), 1) ?? DEFAULT_HIGH_CONFIDENCE;
    const concurrency = count("concurrency", str(values["concurrency"]), 1) ?? 4;
    const progress = (line: string) => {
      if (values["quiet"] !== true) io.stderr(`${line}\n`);
    };

    const configs: Array<EvalConfig> = [];
    if (configPaths.length === 0) {
      const fromEnv = io.env["SRE_ON_CALL_CONFIG"];
      const implicit = fromEnv ?? ((await readFile(resolve(io.cwd, "config.yaml")).then(() => true, () => false)) ? "config.yaml" : undefined);
      configs.push(evalConfig("A", implicit ?? null, implicit === undefined ? emptyConfig : await loadConfig(implicit, io.cwd), io.env));
    } else {
      for (const [i, path] of configPaths.entries()) configs.push(evalConfig(i === 0 ? "A" : "B", path, await loadConfig(path, io.cwd), io.env));
    }

    const loaded = await Effect.runPromiseExit(loadScenarios(resolve(io.cwd, scenariosDir)));
    if (Exit.isFailure(loaded)) {
      const error = Exit.findErrorOption(loaded);
      throw new CommandFailed(`--scenarios ${scenariosDir}: ${error._tag === "Some" ? error.value.message : String(loaded.cause).split("\n")[0]}`, 2);
    }
    const scenarios = loaded.value;
    progress(`${scenarios.length} scenario(s) in ${scenariosDir}; ${configs.length === 1 ? "1 configuration" : "configurations A and B"}`);

    const runs: Array<EvalRun> = [];
    for (const config of configs) {
      runs.push(await Effect.runPromise(runEval(scenarios, config, { highConfidenceThreshold: threshold, concurrency, env: io.env, cwd: io.cwd, onProgress: progress })));
    }
    const [a, b] = runs;
    const comparison = a !== undefined && b !== undefined ? compareRuns({ results: a.scenarios, summary: a.summary }, { results: b.scenarios, summary: b.summary }) : null;
    const floors = { ...(minAccuracy !== undefined ? { minAccuracy } : {}), ...(maxWrong !== undefined ? { maxHighConfidenceWrong: maxWrong } : {}) };
    const failures = runs.flatMap((r) => floorFailures(r.label, r.summary, floors));
    const outcome: EvalOutcome = {
      scenariosDir,
      highConfidenceThreshold: threshold,
      runs,
      comparison,
      gate: { minAccuracy: minAccuracy ?? null, maxHighConfidenceWrong: maxWrong ?? null, passed: failures.length === 0, failures }
    };
    const text = format === "json" ? renderJson(outcome) : renderMarkdown(outcome);
    const out = str(values["out"]);
    if (out === undefined) io.stdout(text);
    else {
      try {
        await writeFile(resolve(io.cwd, out), text);
      } catch (error) {
        throw new CommandFailed(`--out ${out}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 2);
      }
      progress(`report written to ${out}`);
    }
    for (const r of runs) progress(`${r.label}: accuracy ${r.summary.accuracy.toFixed(3)} (${r.summary.hits}/${r.summary.scenarios}), ${r.summary.highConfidenceWrong} high-confidence wrong`);
    if (comparison !== null) progress(`verdict: ${comparison.verdict} — ${comparison.reason}`);
    if (failures.length > 0) {
      io.stderr(`sre-on-call eval: the gate failed:\n${failures.map((f) => `  ${f}\n`).join("")}`);
      return 1;
    }
    return 0;
  }
};
