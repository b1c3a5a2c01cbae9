import { makeConsoleChat } from "@sre-on-call/adapters";
import { makeEksSpecialist, openClusterSource } from "@sre-on-call/agents";
import { ChatPlatform, redactDeep as redactDeepBuiltin, renderReport, runInvestigation, type Specialist, Specialists } from "@sre-on-call/core";
import { Duration, Effect, Exit, Option, Result } from "effect";
import { type AppConfig, synthesisReserveSeconds } from "../config/AppConfig.js";
import type { Env } from "../runtime/buildChats.js";
import { modelSpecFor } from "../runtime/buildModel.js";
import { buildCloudWatchLogs } from "../runtime/buildSpecialists.js";
import { type SynthesisModel, synthesisStep } from "../runtime/InvestigationRunner.js";
import { type ScenarioResult, type Summary, summarize } from "./aggregate.js";
import { alertOf, type EvalScenario } from "./loadScenarios.js";
import { DEFAULT_HIGH_CONFIDENCE, failedScore, scoreReport } from "./score.js";

/** One configuration to evaluate. */
export interface EvalConfig {
  /** `A`, `B`, or `default`. */
  readonly label: string;
  /** The file it came from, as given; null for the embedded defaults. */
  readonly path: string | null;
  readonly config: AppConfig;
  /** The model of the synthesis step (the runner's `synthesisStep`); deterministic synthesis without one. */
  readonly synthesisModel?: SynthesisModel;
  /** The model spec `synthesisModel` was built from, for the report (e.g. `openai:gpt-4o-mini`). */
  readonly modelSpec?: string;
  /** Redaction of reports before they are scored and printed (the configured patterns); default the built-in patterns. */
  readonly redactDeep?: <A>(value: A) => A;
}

export interface EvalRunOptions {
  readonly highConfidenceThreshold?: number;
  /** Scenarios investigated at once (default 1). */
  readonly concurrency?: number;
  /** For model specs (`SRE_ON_CALL_MODEL`) and the CloudWatch Logs specialist. */
  readonly env?: Env;
  readonly cwd: string;
  /** One line per finished scenario. */
  readonly onProgress?: (line: string) => void;
}

export interface EvalRun {
  readonly label: string;
  readonly config: string | null;
  readonly synthesis: "deterministic" | "model";
  /** The synthesis model spec; null when deterministic. */
  readonly model: string | null;
  readonly agents: ReadonlyArray<string>;
  readonly notes: ReadonlyArray<string>;
  readonly scenarios: ReadonlyArray<ScenarioResult>;
  readonly summary: Summary;
}

/** What the evaluation notes about a configuration before running it. */
export const configNotes = (run: EvalConfig, env: Env): ReadonlyArray<string> => {
  const notes: Array<string> = [];
  const config = run.config;
  const spec = modelSpecFor(config, env, "synthesis");
  if (run.synthesisModel === undefined && spec !== "none") notes.push(`model ${spec} is configured, but no synthesis model was given to the evaluation: this run is deterministic, with no model calls`);
  for (const [id, agent] of Object.entries(config.agents)) {
    if (agent?.mode === "agent") notes.push(`agents.${id}.mode is agent; offline evaluation runs the specialists' deterministic analysis`);
  }
  if (config.agents["incident-history"]?.enabled !== false) notes.push("incident-history is not used: remembered investigations would leak answers between scenarios");
  return notes;
};

const eksEnabled = (config: AppConfig) => config.agents.eks?.enabled !== false;
const logsEnabled = (config: AppConfig) => config.agents["cloudwatch-logs"]?.enabled !== false;

interface Pipeline {
  readonly specialists: { readonly enabled: ReadonlyArray<Specialist>; readonly disabled: ReadonlyArray<string> };
}

/** The specialists of one scenario under one configuration: each offline source the scenario has and the config enables. */
const pipelineFor = (scenario: EvalScenario, run: EvalConfig, options: EvalRunOptions): Effect.Effect<Pipeline, string> =>
  Effect.gen(function* () {
    const enabled: Array<Specialist> = [];
    const disabled: Array<string> = [];
    if (scenario.clusterDump !== undefined) {
      if (eksEnabled(run.config)) {
        const source = yield* openClusterSource({ kind: "dump", directory: scenario.clusterDump }).pipe(Effect.mapError((e) => `cluster-dump: ${e.message}`));
        enabled.push(makeEksSpecialist(source));
      } else disabled.push("eks");
    }
    if (scenario.logs !== undefined) {
      if (logsEnabled(run.config)) {
        const logsDir = scenario.logs;
        const built = yield* Effect.try({
          try: () => buildCloudWatchLogs({ config: run.config, env: options.env ?? {}, cwd: options.cwd }, logsDir),
          catch: (e) => `logs: ${e instanceof Error ? e.message : String(e)}`
        });
        if (built !== undefined && "specialist" in built) enabled.push(built.specialist);
        else disabled.push("cloudwatch-logs");
      } else disabled.push("cloudwatch-logs");
    }
    return { specialists: { enabled, disabled } };
  });

/** Investigates one scenario with one configuration and scores it. Never fails: a broken pipeline is a scored miss with its error. */
export const runScenario = (scenario: EvalScenario, run: EvalConfig, options: EvalRunOptions): Effect.Effect<ScenarioResult> =>
  Effect.gen(function* () {
    const started = performance.now();
    // Tenths of a millisecond: finer is noise, and keeps the JSON readable.
    const elapsed = () => Math.round(Math.max(0, performance.now() - started) * 10) / 10;
    const base = {
      scenario: scenario.name,
      noHighConfidence: scenario.expected.noHighConfidence === true,
      needsModel: scenario.expected.needsModel === true,
      class: scenario.expected.class ?? null,
      source: scenario.expected.source ?? null
    };
    const failed = (error: string): ScenarioResult => ({ ...base, ...failedScore(scenario.expected, elapsed()), error });
    const reportAfter = run.config.investigation.report_after_seconds;
    const alert = alertOf(scenario, { now: Date.now(), windowMinutes: run.config.investigation.window_minutes, deadlineMs: reportAfter * 1000 });
    if (Result.isFailure(alert)) return failed(alert.failure.reason);
    const pipeline = yield* Effect.exit(pipelineFor(scenario, run, options));
    if (Exit.isFailure(pipeline)) return failed(Option.getOrElse(Exit.findErrorOption(pipeline), () => "the pipeline could not be built"));
    const chat = makeConsoleChat({ write: () => undefined });
    const redactDeep = run.redactDeep ?? redactDeepBuiltin;
    const reserve = Math.min(synthesisReserveSeconds(run.config, run.synthesisModel !== undefined), reportAfter / 2);
    const outcome = yield* Effect.exit(
      runInvestigation(alert.success, {
        render: (report, dialect) => renderReport(redactDeep(report), dialect),
        // One step per scenario: the step remembers its last synthesis to skip repeating a call.
        synthesize: synthesisStep(run.synthesisModel, reserve),
        reportAfter: Duration.seconds(reportAfter),
        synthesisReserve: Duration.seconds(reserve),
        hardCutoff: Duration.seconds(reportAfter),
        announce: false
      }).pipe(Effect.provideService(ChatPlatform, chat), Effect.provideService(Specialists, pipeline.value.specialists))
    );
    if (Exit.isFailure(outcome)) return failed(`investigation failed: ${String(outcome.cause).split("\n")[0]}`);
    const latencyMs = elapsed();
    const report = redactDeep(outcome.value.final);
    return { ...base, ...scoreReport(scenario.expected, report, { latencyMs }, { highConfidenceThreshold: options.highConfidenceThreshold ?? DEFAULT_HIGH_CONFIDENCE }), error: null };
  });

const outcomeLine = (r: ScenarioResult): string =>
  r.error !== null ? `error — ${r.error}` : `${r.hit ? "hit" : "miss"}${r.rank !== null ? ` (rank ${r.rank})` : ""}${r.highConfidenceWrong ? ", HIGH-CONFIDENCE WRONG" : ""} in ${Math.round(r.latencyMs)} ms`;

/** Runs every scenario with one configuration, in scenario order, and summarizes. */
export const runEval = (scenarios: ReadonlyArray<EvalScenario>, run: EvalConfig, options: EvalRunOptions): Effect.Effect<EvalRun> =>
  Effect.gen(function* () {
    let done = 0;
    const results = yield* Effect.forEach(
      scenarios,
      (scenario) =>
        runScenario(scenario, run, options).pipe(
          Effect.tap((r) =>
            Effect.sync(() => {
              done += 1;
              options.onProgress?.(`[${done}/${scenarios.length}] ${run.label}: ${scenario.name}: ${outcomeLine(r)}`);
            })
          )
        ),
      { concurrency: Math.max(1, options.concurrency ?? 1) }
    );
    const agents = new Set<string>();
    if (eksEnabled(run.config) && scenarios.some((s) => s.clusterDump !== undefined)) agents.add("eks");
    if (logsEnabled(run.config) && scenarios.some((s) => s.logs !== undefined)) agents.add("cloudwatch-logs");
    const ignored = [...new Set(scenarios.flatMap((s) => s.ignored.map((i) => `${s.name}/${i}`)))];
    const notes = [...configNotes(run, options.env ?? {}), ...(ignored.length > 0 ? [`not read by the evaluation: ${ignored.join(", ")}`] : [])];
    const model = run.synthesisModel !== undefined ? (run.modelSpec ?? "model") : null;
    return { label: run.label, config: run.path, synthesis: model !== null ? "model" : "deterministic", model, agents: [...agents], notes, scenarios: results, summary: summarize(results) };
  });
