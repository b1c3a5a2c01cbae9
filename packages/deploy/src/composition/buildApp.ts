import "reflect-metadata";
import { join, resolve } from "node:path";
import { EmbeddedStore, type EmbeddedStoreOptions, makeEmbeddedExperimentStore, makeEmbeddedDedupStore, makeEmbeddedIncidentMemory, makeEmbeddedTraceStore } from "@sre-on-call/adapters";
import { type AlertContext, type ChatPlatformShape, type DedupStoreShape, makeIntake, type Intake, redactingIncidentMemory, redactingTraceStore, type SpecialistsShape, type TelemetryShape, type TraceStoreShape } from "@sre-on-call/core";
import { Duration, Effect, Exit, Result } from "effect";
import { Container } from "inversify";
import type { AppConfig } from "../config/AppConfig.js";
import type { HttpHandler } from "../http/HttpExchange.js";
import { type InvestigationRunner, makeInvestigationRunner } from "../runtime/InvestigationRunner.js";
import { buildChats, describeWebhookAuth, type Env, type Log, resolveWebhookAuth } from "../runtime/buildChats.js";
import { buildSpecialists, remember } from "../runtime/buildSpecialists.js";
import { makeSnapshotCommand } from "../runtime/snapshotCommand.js";
import { makePostmortemCommand } from "../runtime/postmortemCommand.js";
import { modelFromSpec, modelSpecFor } from "../runtime/buildModel.js";
import { makeIntakeHandler } from "../server/intakeHandler.js";
import { telemetryFromConfig } from "../telemetry/telemetryFromConfig.js";
import { investigationSettings, redactorFromConfig, synthesisFromConfig } from "../runtime/synthesisFromConfig.js";
import { gateFromConfig } from "../runtime/gateFromConfig.js";
import { makeExperimentDispatch } from "../runtime/experimentDispatch.js";
import { storeFailureMessage } from "../runtime/storeFailureMessage.js";

/** Service identifiers of the composition root. Only this directory knows about inversify. */
export const TOKENS = {
  Config: Symbol.for("sre-on-call/Config"),
  Env: Symbol.for("sre-on-call/Env"),
  Log: Symbol.for("sre-on-call/Log"),
  Store: Symbol.for("sre-on-call/EmbeddedStore"),
  Dedup: Symbol.for("sre-on-call/DedupStore"),
  Trace: Symbol.for("sre-on-call/TraceStore"),
  Chats: Symbol.for("sre-on-call/Chats"),
  Specialists: Symbol.for("sre-on-call/Specialists"),
  Runner: Symbol.for("sre-on-call/InvestigationRunner"),
  Intake: Symbol.for("sre-on-call/Intake"),
  Handler: Symbol.for("sre-on-call/HttpHandler"),
  Telemetry: Symbol.for("sre-on-call/Telemetry")
} as const;

export { type Env, type Log, StartupError } from "../runtime/buildChats.js";
import { StartupError } from "../runtime/buildChats.js";

export interface AppOptions {
  readonly config: AppConfig;
  readonly env: Env;
  /** Directory relative paths in the config are resolved against. */
  readonly cwd: string;
  readonly log: Log;
  /** Where `console` routes and the console chat write. */
  readonly consoleWrite: (text: string) => void;
  /**
   * Where investigations are dispatched. Default: run in this process (the local server). The
   * distributed runtime hands them to the master agent instead; the intake benchmark to a queue.
   */
  readonly dispatch?: (alert: AlertContext, chat: ChatPlatformShape) => Effect.Effect<void>;
  /** Where the orchestrator's and intake's JSON log lines go (with the investigation id on each). Default standard error. */
  readonly logLine?: (line: string) => void;
  /** How long `close` lets running investigations finish before they post a partial report. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** The embedded store's file system and recovery interval (tests simulate a full disk with them). Default: Node's, 5 s. */
  readonly store?: Pick<EmbeddedStoreOptions, "fs" | "recoverEveryMs">;
}

export interface App {
  readonly handler: HttpHandler;
  readonly intake: Intake;
  readonly runner: InvestigationRunner;
  readonly chats: Readonly<Record<string, ChatPlatformShape | undefined>>;
  readonly specialists: SpecialistsShape;
  readonly describe: () => ReadonlyArray<string>;
  readonly close: () => Promise<void>;
}

/** Matches an alert against `routing.routes` (first match wins), then `routing.default`. */
export const routeFor = (config: AppConfig) => (alert: AlertContext) => {
  for (const r of config.routing.routes) {
    if (Object.entries(r.match).every(([k, v]) => alert.labels[k] === v)) return { platform: r.platform, channelId: r.channel };
  }
  const d = config.routing.default;
  return d === undefined ? undefined : { platform: d.platform, channelId: d.channel };
};

/**
 * The composition root: binds config, stores, chats, specialists, the investigation runner,
 * intake and the HTTP handler in an inversify container and resolves the app from it.
 */
export const buildApp = async (options: AppOptions): Promise<App> => {
  const { config, env, cwd, log } = options;
  // Checked before anything is opened: an open or half-configured webhook is a startup error.
  const webhook = resolveWebhookAuth(config.intake.webhook_auth, env, "serve");
  if (webhook.problem !== undefined) throw new StartupError(`${webhook.problem} See docs/configuration.md#alert-webhook-authentication.`);
  const container = new Container();
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Env).toConstantValue(env);
  container.bind(TOKENS.Log).toConstantValue(log);
  // JSON logs (pino) with the investigation id on every line; OTLP spans when an endpoint is configured.
  const logLine = options.logLine ?? ((line: string) => void process.stderr.write(line));
  const host = telemetryFromConfig(config, env, { destination: { write: logLine } });
  if (Result.isFailure(host)) throw new StartupError(host.failure.message);
  container.bind<TelemetryShape>(TOKENS.Telemetry).toConstantValue(host.success.telemetry);

  const storeDirectory = join(resolve(cwd, config.store.directory), "store");
  const store = await EmbeddedStore.open({ directory: storeDirectory, log, ...options.store }).catch((e: unknown) => {
    throw new StartupError(storeFailureMessage(e, storeDirectory));
  });
  container.bind(TOKENS.Store).toConstantValue(store);
  // One process owns the store (directory lock), so a claim is exclusive as soon as it is made:
  // intake answers before the fsync, which lands milliseconds later.
  container
    .bind<DedupStoreShape>(TOKENS.Dedup)
    .toDynamicValue(() => makeEmbeddedDedupStore(store, { answerBeforeDurable: true, onDurabilityError: (e) => log("error", "a dedup claim could not be written to disk", { error: String(e) }) }))
    .inSingletonScope();
  // Nothing is stored unredacted: alert text, evidence, reports, a root cause typed in /postmortem.
  const redactor = redactorFromConfig(config);
  container.bind<TraceStoreShape>(TOKENS.Trace).toDynamicValue(() => redactingTraceStore(makeEmbeddedTraceStore(store), redactor.redactDeep)).inSingletonScope();

  const { chats, slack: slackIntake, discord: discordIntake } = await buildChats(config, env, log, options.consoleWrite);
  container.bind(TOKENS.Chats).toConstantValue(chats);

  // Tier 2 of the gate: a model for the messages tier 1 cannot decide, when one is configured.
  const classifierModel = config.classifier.tier2 === "auto" ? modelFromSpec(modelSpecFor(config, env, "classifier"), env, "defaults.model (classifier)") : undefined;
  const memory = redactingIncidentMemory(makeEmbeddedIncidentMemory(store), redactor.redactDeep);
  const closers: Array<() => Promise<void>> = [];
  const specialistDeps = {
    onClose: (close: () => Promise<void>) => void closers.push(close),
    config,
    cwd,
    log,
    env,
    chats,
    memory,
    ...(slackIntake?.botUserId !== undefined ? { slackBotUserId: slackIntake.botUserId } : {}),
    ...(discordIntake?.applicationId !== undefined ? { discordBotUserId: discordIntake.applicationId } : {})
  };
  const specialists = await buildSpecialists(specialistDeps);
  container.bind(TOKENS.Specialists).toConstantValue(specialists);
  const synthesis = synthesisFromConfig(config, env);

  container
    .bind<InvestigationRunner>(TOKENS.Runner)
    .toDynamicValue((ctx) =>
      makeInvestigationRunner({
        specialists: ctx.get<SpecialistsShape>(TOKENS.Specialists),
        trace: ctx.get<TraceStoreShape>(TOKENS.Trace),
        telemetry: ctx.get<TelemetryShape>(TOKENS.Telemetry),
        ...(synthesis.synthesisModel !== undefined ? { synthesisModel: synthesis.synthesisModel } : {}),
        redactReport: synthesis.redactDeep,
        ...(synthesis.route !== undefined ? { route: synthesis.route } : {}),
        settings: investigationSettings(config, synthesis),
        onEvent: (investigationId, event) => {
          if (event.type === "delivery_failed") log("error", "a report could not be delivered", { investigationId, kind: event.kind, error: event.error });
          else if (event.type === "report_posted") log("info", "report posted", { investigationId, kind: event.kind, messages: event.messages });
          else if (event.type === "cutoff") log("warn", "hard cutoff reached; interrupting agents", { investigationId, pending: event.pending });
        },
        onDone: (alert, exit) => {
          log(Exit.isSuccess(exit) ? "info" : "error", "investigation finished", { investigationId: alert.investigationId, ok: Exit.isSuccess(exit) });
          // Every finished investigation is remembered, so the next similar alert can be matched with it.
          if (Exit.isSuccess(exit)) void Effect.runPromise(remember(memory, alert, exit.value.final, config, log));
        }
      })
    )
    .inSingletonScope();

  container
    .bind<Intake>(TOKENS.Intake)
    .toDynamicValue((ctx) =>
      makeIntake({
        chats: ctx.get(TOKENS.Chats),
        dedup: ctx.get<DedupStoreShape>(TOKENS.Dedup),
        // While an A/B experiment is active, both variants investigate each alert.
        launch:
          options.dispatch ??
          makeExperimentDispatch({
            config,
            env,
            log,
            store: makeEmbeddedExperimentStore(store),
            settings: investigationSettings(config, synthesis),
            specialistsFor: (variantConfig) =>
              buildSpecialists({ ...specialistDeps, config: variantConfig }),
            trace: ctx.get<TraceStoreShape>(TOKENS.Trace),
            fallback: ctx.get<InvestigationRunner>(TOKENS.Runner).launch
          }).dispatch,
        telemetry: ctx.get<TelemetryShape>(TOKENS.Telemetry),
        commands: {
          snapshot: makeSnapshotCommand(ctx.get<SpecialistsShape>(TOKENS.Specialists), Duration.seconds(config.defaults.agent_deadline_seconds)),
          postmortem: makePostmortemCommand({ trace: ctx.get<TraceStoreShape>(TOKENS.Trace), memory, redactor })
        },
        gate: gateFromConfig(config, classifierModel),
        settings: {
          windowMinutes: config.investigation.window_minutes,
          deadlineMs: config.investigation.report_after_seconds * 1000,
          dedupTtlSeconds: config.intake.dedup_ttl_hours * 3600,
          chatterHint: config.classifier.chatter_hint,
          route: routeFor(config),
          maxAlertsPerPayload: config.intake.max_alerts_per_payload,
          maxInvestigationsPerMinute: config.intake.max_investigations_per_minute
        },
        redact: synthesis.redact
      })
    )
    .inSingletonScope();

  container
    .bind<HttpHandler>(TOKENS.Handler)
    .toDynamicValue((ctx) =>
      makeIntakeHandler({
        intake: ctx.get<Intake>(TOKENS.Intake),
        ...(slackIntake !== undefined ? { slack: slackIntake } : {}),
        ...(env["SLACK_API_URL"] !== undefined && env["SLACK_API_URL"] !== "" ? { slackApiUrl: env["SLACK_API_URL"] } : {}),
        ...(discordIntake !== undefined ? { discord: discordIntake } : {}),
        webhookAuth: webhook.auth,
        health: () => store.health(),
        redact: synthesis.redact,
        windowMinutes: config.investigation.window_minutes,
        deadlineMs: config.investigation.report_after_seconds * 1000,
        background: (work) => void Effect.runFork(work),
        log
      })
    )
    .inSingletonScope();

  const runner = container.get<InvestigationRunner>(TOKENS.Runner);
  return {
    handler: container.get<HttpHandler>(TOKENS.Handler),
    intake: container.get<Intake>(TOKENS.Intake),
    runner,
    chats,
    specialists,
    describe: () => [
      `chats: ${Object.keys(chats).filter((k) => chats[k] !== undefined).join(", ")}`,
      `specialists: ${specialists.enabled.map((s) => s.id).join(", ") || "none"}${specialists.disabled.length > 0 ? ` (disabled: ${specialists.disabled.join(", ")})` : ""}`,
      `alert webhook auth: ${describeWebhookAuth(webhook.auth)}`,
      `classifier tier 2: ${classifierModel !== undefined ? modelSpecFor(config, env, "classifier") : "off (no model configured)"}`,
      `store: ${resolve(cwd, config.store.directory)}`,
      `synthesis: ${synthesis.modelSpec === "none" ? "deterministic (no model configured)" : synthesis.modelSpec}`,
      `tracing: ${host.success.tracing ? "OTLP" : "off (telemetry.otlp_endpoint / OTEL_EXPORTER_OTLP_ENDPOINT not set)"}`
    ],
    close: async () => {
      const { stopped, interrupted } = await runner.drain(options.shutdownGraceMs ?? 10_000);
      const reported = stopped.filter((id) => !interrupted.includes(id));
      if (reported.length > 0) log("warn", "shutdown stopped investigations still running after the grace; they posted a partial report", { investigationIds: reported });
      if (interrupted.length > 0) log("error", "shutdown interrupted investigations that could not post their partial report in time", { investigationIds: interrupted });
      for (const close of closers) await close().catch((e: unknown) => log("warn", "could not close an MCP connection", { error: String(e) }));
      await host.success.shutdown();
      await store.close();
    }
  };
};
