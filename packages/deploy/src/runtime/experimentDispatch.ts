import {
  type AlertContext,
  type ChatPlatformShape,
  type Experiment,
  type ExperimentStoreShape,
  type InvestigationReport,
  renderReport,
  type SpecialistsShape,
  type TraceStoreShape,
  type Variant
} from "@sre-on-call/core";
import { Effect } from "effect";
import type { AppConfig } from "../config/AppConfig.js";
import type { Env, Log } from "./buildChats.js";
import { type InvestigationSettings, makeInvestigationRunner } from "./InvestigationRunner.js";
import { type ExperimentAlertOutcome, runExperimentForAlert, type VariantResult } from "./experimentRunner.js";
import { synthesisFromConfig } from "./synthesisFromConfig.js";

/** The configuration a variant runs with: config.yaml with the variant's overrides applied. */
export const configForVariant = (config: AppConfig, variant: Variant): AppConfig => {
  const o = variant.overrides;
  const agents = { ...config.agents } as Record<string, Record<string, unknown> | undefined>;
  for (const [id, mode] of Object.entries(o.agent_mode ?? {})) agents[id] = { ...agents[id], mode };
  if (o.max_tool_cycles !== undefined) for (const id of Object.keys(agents)) if (agents[id] !== undefined) agents[id] = { ...agents[id], max_tool_cycles: o.max_tool_cycles };
  const synthesis = o.synthesis_model ?? o.model;
  if (synthesis !== undefined) agents["master"] = { ...agents["master"], model: synthesis };
  return {
    ...config,
    defaults: { ...config.defaults, ...(o.model !== undefined ? { model: o.model } : {}) },
    agents: agents as AppConfig["agents"]
  };
};

/** A chat that keeps what a variant's investigation would have posted: the experiment posts (or archives) the labelled report itself. */
const silentChat = (like: ChatPlatformShape): ChatPlatformShape => {
  const posted = (channelId: string) => Effect.succeed({ channelId, messageId: `variant-${Date.now()}` });
  return {
    ...like,
    postMessage: (channelId) => posted(channelId),
    postInThread: (thread) => posted(thread.channelId),
    updateMessage: () => Effect.void,
    postNotice: (thread) => posted(thread.channelId)
  };
};

export interface ExperimentDispatchDeps {
  readonly config: AppConfig;
  readonly env: Env;
  readonly log: Log;
  readonly store: ExperimentStoreShape;
  readonly settings: InvestigationSettings;
  /** Specialists for a variant's configuration (built once per variant and cached). */
  readonly specialistsFor: (config: AppConfig) => Promise<SpecialistsShape>;
  /** Where a post-control experiment keeps the treatment's report (the trace archive). */
  readonly trace?: TraceStoreShape;
  /** Investigations when no experiment is active. */
  readonly fallback: (alert: AlertContext, chat: ChatPlatformShape) => Effect.Effect<void>;
}

/**
 * Intake's dispatch while experiments exist: with no active experiment, the normal
 * investigation; with one, both variants investigate the alert at once, and their labelled
 * reports are posted in the thread (or only the control's, the treatment's archived), with
 * latency, tokens and cost recorded per variant. A store that cannot be read investigates
 * normally (fail-open: an alert is never lost to the experiment machinery).
 */
export const makeExperimentDispatch = (deps: ExperimentDispatchDeps) => {
  const specialists = new Map<string, Promise<SpecialistsShape>>();
  const variantSpecialists = (key: string, config: AppConfig) => {
    let found = specialists.get(key);
    if (found === undefined) {
      found = deps.specialistsFor(config);
      specialists.set(key, found);
    }
    return found;
  };

  const runVariant = (experimentId: string, chat: ChatPlatformShape) => (variant: Variant, role: string, alert: AlertContext) =>
    Effect.gen(function* () {
      const config = configForVariant(deps.config, variant);
      const shape = yield* Effect.promise(() => variantSpecialists(`${experimentId}:${role}`, config));
      const synthesis = synthesisFromConfig(config, deps.env);
      // The same runner as every investigation, with the variant's synthesis, posting into a sink.
      const runner = makeInvestigationRunner({
        specialists: shape,
        ...(synthesis.synthesisModel !== undefined ? { synthesisModel: synthesis.synthesisModel } : {}),
        ...(synthesis.route !== undefined ? { route: synthesis.route } : {}),
        redactReport: synthesis.redactDeep,
        settings: deps.settings
      });
      const started = Date.now();
      const outcome = yield* runner.runToEnd(alert, silentChat(chat));
      const report = synthesis.redactDeep(outcome.final);
      return {
        report,
        latencyMs: Date.now() - started,
        tokens: { input: report.cost.inputTokens, output: report.cost.outputTokens },
        costUsd: report.cost.costUsd
      } satisfies VariantResult;
    });

  const post = (chat: ChatPlatformShape, alert: AlertContext) => (report: InvestigationReport) =>
    Effect.gen(function* () {
      const thread = { channelId: alert.channelId, threadId: alert.messageId };
      let first: string | undefined;
      for (const message of renderReport(report, chat.dialect)) {
        const posted = yield* chat.postInThread(thread, message);
        first ??= posted.messageId;
      }
      return first;
    });

  const archive = (report: InvestigationReport) =>
    deps.trace === undefined ? Effect.succeed(undefined) : deps.trace.putReport(report).pipe(Effect.as(`trace:${report.investigationId}`));

  const logProblems = (alert: AlertContext) => (outcome: ExperimentAlertOutcome) =>
    Effect.sync(() => {
      for (const side of [outcome.control, outcome.treatment]) {
        if (side.errors.length > 0) deps.log("warn", `experiment ${side.role} had problems`, { investigationId: alert.investigationId, errors: side.errors });
      }
    });

  /** The active experiment, or undefined (also when the store cannot be read: the alert is investigated normally). */
  const activeExperiment = (alert: AlertContext) =>
    deps.store.active().pipe(
      Effect.catch((e) =>
        Effect.sync(() => deps.log("error", "experiment store unavailable; investigating without the experiment", { investigationId: alert.investigationId, error: e.message })).pipe(Effect.as(undefined))
      )
    );

  const runBoth = (experiment: Experiment, alert: AlertContext, chat: ChatPlatformShape) => {
    deps.log("info", "investigating with both variants of the active experiment", { investigationId: alert.investigationId, experimentId: experiment.id });
    return runExperimentForAlert({ store: deps.store, runVariant: runVariant(experiment.id, chat), post: post(chat, alert), archive }, experiment, alert).pipe(Effect.tap(logProblems(alert)));
  };

  /** For a host that answers first (serve): starts both variants in the background, or the normal investigation. */
  const dispatch = (alert: AlertContext, chat: ChatPlatformShape): Effect.Effect<void> =>
    activeExperiment(alert).pipe(
      Effect.flatMap((experiment) => (experiment === undefined ? deps.fallback(alert, chat) : Effect.sync(() => void Effect.runFork(runBoth(experiment, alert, chat)))))
    );

  /** For a host that must finish within its invocation (Lambda): runs both variants to the end; undefined when no experiment is active. */
  const runIfActive = (alert: AlertContext, chat: ChatPlatformShape): Effect.Effect<ExperimentAlertOutcome | undefined> =>
    activeExperiment(alert).pipe(Effect.flatMap((experiment) => (experiment === undefined ? Effect.succeed(undefined) : runBoth(experiment, alert, chat))));

  return { dispatch, runIfActive };
};
