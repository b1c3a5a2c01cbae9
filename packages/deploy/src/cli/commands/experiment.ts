import { join, resolve } from "node:path";
import { EmbeddedStore, makeEmbeddedExperimentStore } from "@sre-on-call/adapters";
import {
  DEFAULT_PRICE_TABLE,
  type Experiment,
  ExperimentError,
  type ExperimentStoreShape,
  judgePair,
  type JudgeVerdict,
  mergePriceTables,
  type ModelPortShape,
  pairRuns,
  renderExperimentSummary,
  summarizeExperiment,
  type Variant,
  type VariantOverrides
} from "@sre-on-call/core";
import { Cause, Effect, Exit, Option, Result } from "effect";
import { decodeConfig, loadConfigFile } from "../../config/loadConfig.js";
import type { Env } from "../../runtime/buildChats.js";
import { modelFromSpec } from "../../runtime/buildModel.js";
import { OPENAI_PRICE_TABLE } from "../../runtime/InvestigationRunner.js";
import { type CliIo, type Command, CommandFailed, UsageError } from "../CliIo.js";
import { experimentStoreFromEnv } from "../../runtime/experimentStoreFromEnv.js";
import { parseOptions } from "../parseOptions.js";
import { storeFailureMessage, storeWarnings } from "../../runtime/storeFailureMessage.js";

const usage = `Usage:
  sre-on-call experiment define --name NAME [--id ID] [--description TEXT] [--mode post-both|post-control]
        [--control-label L] [--control-model SPEC] [--control-synthesis-model SPEC]
        [--control-agent-mode AGENT=agent|deterministic]... [--control-max-tool-cycles N]
        [--treatment-label L] [--treatment-model SPEC] [--treatment-synthesis-model SPEC]
        [--treatment-agent-mode AGENT=agent|deterministic]... [--treatment-max-tool-cycles N]
  sre-on-call experiment activate ID
  sre-on-call experiment pause ID
  sre-on-call experiment list [--json]
  sre-on-call experiment report ID [--judge-model SPEC] [--judge-concurrency N] [--format markdown|json]
  Every form takes --config FILE (default config.yaml, or SRE_ON_CALL_CONFIG).

An online A/B experiment: while it is active, every alert is investigated by both variants
(control and treatment). With --mode post-both (the default) both reports are posted in the
alert's thread, labelled "[A/B control: <label>]" and "[A/B treatment: <label>]"; with
post-control only the control's report is posted and the treatment's is archived. Latency,
tokens and cost of every run are recorded. At most one experiment is active at a time:
activating a second one is refused until the first is paused.

A variant overrides the running configuration: its model (SPEC is bedrock:<id>, openai:<id>
or none), the synthesis model, the mode of agents (eks=agent), the maximum tool cycles.
Labels default to the variant's model, else "control"/"treatment".

report pairs the runs by investigation (only alerts both variants answered count; the others
are counted as unpaired) and prints latency p50/mean and their delta, token totals and the cost
ratio treatment/control. With --judge-model, a model compares the two reports of every pair
on coverage, correctness against the evidence, actionability and noise, twice with the reports
swapped; a dimension is won only when both orders agree, which cancels position bias.

Experiments live in the embedded store (store.directory in config.yaml), or in the DynamoDB table
SRE_EXPERIMENT_TABLE names (on AWS, where the Lambda intake reads the active one).

Exit status: 0 done, 1 the store cannot be opened or read, 2 usage error or refused
(unknown id, id taken, another experiment active).
`;

export interface ExperimentCommandOptions {
  /** The judge for a --judge-model spec; default the configured adapters (Bedrock, OpenAI-compatible). */
  readonly judgeModel?: (spec: string, env: Env) => ModelPortShape | undefined;
  readonly now?: () => number;
}

const COMMON = { config: { type: "string", short: "c" } } as const;
const VARIANT_OPTIONS = (role: "control" | "treatment") =>
  ({
    [`${role}-label`]: { type: "string" },
    [`${role}-model`]: { type: "string" },
    [`${role}-synthesis-model`]: { type: "string" },
    [`${role}-agent-mode`]: { type: "string", multiple: true },
    [`${role}-max-tool-cycles`]: { type: "string" }
  }) as const;

type Values = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;
const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? values[key] : undefined);

const variantFrom = (values: Values, role: "control" | "treatment"): Variant => {
  const model = str(values, `${role}-model`);
  const synthesis = str(values, `${role}-synthesis-model`);
  const cyclesText = str(values, `${role}-max-tool-cycles`);
  const modes = (values[`${role}-agent-mode`] as Array<string> | undefined) ?? [];
  const agentMode: Record<string, "agent" | "deterministic"> = {};
  for (const m of modes) {
    const match = /^([A-Za-z0-9_-]+)=(agent|deterministic)$/.exec(m.trim());
    if (match === null) throw new UsageError(`--${role}-agent-mode ${JSON.stringify(m)}: write AGENT=agent or AGENT=deterministic, e.g. eks=agent.`);
    agentMode[match[1]!] = match[2] as "agent" | "deterministic";
  }
  let cycles: number | undefined;
  if (cyclesText !== undefined) {
    cycles = Number(cyclesText);
    if (!Number.isInteger(cycles) || cycles < 1 || cycles > 100) throw new UsageError(`--${role}-max-tool-cycles must be a whole number from 1 to 100, not ${JSON.stringify(cyclesText)}.`);
  }
  const overrides: VariantOverrides = {
    ...(model !== undefined ? { model } : {}),
    ...(Object.keys(agentMode).length > 0 ? { agent_mode: agentMode } : {}),
    ...(cycles !== undefined ? { max_tool_cycles: cycles } : {}),
    ...(synthesis !== undefined ? { synthesis_model: synthesis } : {})
  };
  return { label: str(values, `${role}-label`) ?? model ?? role, overrides };
};

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "experiment";

/** A refusal of the store is the caller's to fix (exit 2); a store that cannot be read is not (exit 1). */
const failed = (error: ExperimentError): CommandFailed => new CommandFailed(error.detail, error.reason === "unavailable" ? 1 : 2);

const runStore = async <A>(effect: Effect.Effect<A, ExperimentError>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) return exit.value;
  const error = Cause.findErrorOption(exit.cause);
  if (Option.isSome(error)) throw failed(error.value);
  throw new CommandFailed(`the experiment store failed: ${String(Cause.squash(exit.cause))}`);
};

const openStore = async (configFlag: string | undefined, io: CliIo): Promise<{ store: ExperimentStoreShape; close: () => Promise<void> }> => {
  // On AWS the experiments live in DynamoDB, shared with the running intake.
  const aws = experimentStoreFromEnv(io.env);
  if (aws !== undefined) return { store: aws.store, close: () => Promise.resolve(aws.close()) };
  const configPath = configFlag ?? io.env["SRE_ON_CALL_CONFIG"];
  const loaded =
    configPath !== undefined
      ? await loadConfigFile(resolve(io.cwd, configPath))
      : await loadConfigFile(resolve(io.cwd, "config.yaml")).then((r) => (Result.isSuccess(r) ? r : decodeConfig({}, "defaults")));
  if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
  const directory = join(resolve(io.cwd, loaded.success.store.directory), "store");
  let store: EmbeddedStore;
  try {
    store = await EmbeddedStore.open({ directory, log: storeWarnings(io, "experiment") });
  } catch (error) {
    throw new CommandFailed(storeFailureMessage(error, directory));
  }
  return { store: makeEmbeddedExperimentStore(store), close: () => store.close() };
};

const describeExperiment = (e: Experiment): string => {
  const overrides = (v: Variant) => {
    const o = v.overrides;
    const parts = [
      ...(o.model !== undefined ? [`model ${o.model}`] : []),
      ...(o.synthesis_model !== undefined ? [`synthesis ${o.synthesis_model}`] : []),
      ...Object.entries(o.agent_mode ?? {}).map(([agent, mode]) => `${agent}=${mode}`),
      ...(o.max_tool_cycles !== undefined ? [`max ${o.max_tool_cycles} tool cycles`] : [])
    ];
    return `${v.label}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
  };
  return `${e.id}  ${e.state}  ${e.mode}  "${e.name}"\n    control:   ${overrides(e.control)}\n    treatment: ${overrides(e.treatment)}\n`;
};

export const makeExperimentCommand = (options: ExperimentCommandOptions = {}): Command => ({
  name: "experiment",
  summary: "define, activate, pause and report online A/B experiments (two variants on every alert)",
  usage,
  run: async (args, io) => {
    const now = options.now ?? Date.now;
    const [action, ...rest] = args;
    switch (action) {
      case "define": {
        const { values, positionals } = parseOptions(rest, {
          ...COMMON,
          name: { type: "string" },
          id: { type: "string" },
          description: { type: "string" },
          mode: { type: "string" },
          ...VARIANT_OPTIONS("control"),
          ...VARIANT_OPTIONS("treatment")
        });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}.`);
        const name = str(values, "name");
        if (name === undefined || name.trim() === "") throw new UsageError("--name is required.");
        const mode = str(values, "mode") ?? "post-both";
        if (mode !== "post-both" && mode !== "post-control") throw new UsageError(`--mode must be post-both or post-control, not ${JSON.stringify(mode)}.`);
        const control = variantFrom(values, "control");
        const treatment = variantFrom(values, "treatment");
        if (JSON.stringify(control.overrides) === JSON.stringify(treatment.overrides)) {
          throw new UsageError("the control and the treatment are the same; give the treatment at least one different option (e.g. --treatment-model).");
        }
        if (control.label === treatment.label) throw new UsageError(`both variants are labelled ${JSON.stringify(control.label)}; pass --control-label or --treatment-label.`);
        const explicitId = str(values, "id");
        if (explicitId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(explicitId)) {
          throw new UsageError(`--id ${JSON.stringify(explicitId.slice(0, 80))}: use letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit).`);
        }
        const createdAt = now();
        const description = str(values, "description");
        const experiment: Experiment = {
          id: explicitId ?? `${slug(name)}-${createdAt.toString(36)}`,
          name,
          ...(description !== undefined ? { description } : {}),
          control,
          treatment,
          mode,
          state: "defined",
          createdAt
        };
        const { store, close } = await openStore(str(values, "config"), io);
        try {
          const stored = await runStore(store.define(experiment));
          io.stdout(`defined ${describeExperiment(stored)}activate it with: sre-on-call experiment activate ${stored.id}\n`);
          return 0;
        } finally {
          await close();
        }
      }
      case "activate":
      case "pause": {
        const { values, positionals } = parseOptions(rest, COMMON);
        if (positionals.length !== 1) throw new UsageError(`use "experiment ${action} ID".`);
        const id = positionals[0]!;
        const { store, close } = await openStore(str(values, "config"), io);
        try {
          const e = await runStore(action === "activate" ? store.activate(id, now()) : store.pause(id));
          io.stdout(`${e.id} is ${e.state}\n`);
          return 0;
        } finally {
          await close();
        }
      }
      case "list": {
        const { values, positionals } = parseOptions(rest, { ...COMMON, json: { type: "boolean" } });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}.`);
        const { store, close } = await openStore(str(values, "config"), io);
        try {
          const all = await runStore(store.list());
          if (values["json"] === true) io.stdout(`${JSON.stringify(all)}\n`);
          else io.stdout(all.length === 0 ? "no experiments; define one with: sre-on-call experiment define --name …\n" : all.map(describeExperiment).join(""));
          return 0;
        } finally {
          await close();
        }
      }
      case "report": {
        const { values, positionals } = parseOptions(rest, {
          ...COMMON,
          "judge-model": { type: "string" },
          "judge-concurrency": { type: "string" },
          format: { type: "string" }
        });
        if (positionals.length !== 1) throw new UsageError('use "experiment report ID".');
        const format = str(values, "format") ?? "markdown";
        if (format !== "markdown" && format !== "json") throw new UsageError(`--format must be markdown or json, not ${JSON.stringify(format)}.`);
        const concurrencyText = str(values, "judge-concurrency") ?? "4";
        const concurrency = Number(concurrencyText);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new UsageError(`--judge-concurrency must be a whole number from 1 to 32, not ${JSON.stringify(concurrencyText)}.`);
        const judgeSpec = str(values, "judge-model");
        let judge: ModelPortShape | undefined;
        if (judgeSpec !== undefined) {
          try {
            judge = (options.judgeModel ?? ((spec, env) => modelFromSpec(spec, env, "--judge-model")))(judgeSpec, io.env);
          } catch (error) {
            throw new UsageError(error instanceof Error ? error.message : String(error));
          }
          if (judge === undefined) throw new UsageError('--judge-model none names no judge; leave the option out for the measured figures only.');
        }
        const id = positionals[0]!;
        const { store, close } = await openStore(str(values, "config"), io);
        let experiment: Experiment | undefined;
        let runs;
        try {
          experiment = await runStore(store.get(id));
          if (experiment === undefined) throw failed(new ExperimentError({ operation: "report", reason: "not_found", detail: `no experiment ${JSON.stringify(id)}; see "sre-on-call experiment list"` }));
          runs = await runStore(store.runsOf(id));
        } finally {
          await close();
        }
        const pairing = pairRuns(runs);
        let verdicts: Map<string, JudgeVerdict> | undefined;
        if (judge !== undefined) {
          const model = judge;
          const priceTable = mergePriceTables(DEFAULT_PRICE_TABLE, OPENAI_PRICE_TABLE);
          const judged = await Effect.runPromise(
            Effect.forEach(pairing.pairs, (pair) => Effect.map(judgePair(model, pair, { priceTable }), (v) => [pair.investigationId, v] as const), { concurrency })
          );
          verdicts = new Map(judged);
        }
        const summary = summarizeExperiment(experiment, pairing, verdicts);
        io.stdout(format === "json" ? `${JSON.stringify(summary)}\n` : renderExperimentSummary(summary));
        return 0;
      }
      default:
        throw new UsageError(
          action === undefined ? "name an action: define, activate, pause, list or report." : `unknown action ${JSON.stringify(action)}; use define, activate, pause, list or report.`
        );
    }
  }
});

export const experimentCommand: Command = makeExperimentCommand();
