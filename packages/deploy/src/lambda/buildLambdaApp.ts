import { join, resolve } from "node:path";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { combineTelemetry, EmbeddedStore, makeAwsIncidentMemory, makeDynamoDedupStore, makeEmbeddedDedupStore } from "@sre-on-call/adapters";
import { type DedupStoreShape, type IncidentMemoryShape, makeIntake, redactingIncidentMemory, redactingTraceStore, type SpecialistsShape, type TelemetryShape } from "@sre-on-call/core";
import { Duration, Effect, Exit, Fiber, Result } from "effect";
import { routeFor } from "../composition/buildApp.js";
import { buildSpecialists, remember } from "../runtime/buildSpecialists.js";
import { modelFromSpec, modelSpecFor } from "../runtime/buildModel.js";
import { makeSnapshotCommand } from "../runtime/snapshotCommand.js";
import { makePostmortemCommand } from "../runtime/postmortemCommand.js";
import { traceStoreFromEnv } from "../runtime/traceArchive.js";
import { telemetryFromConfig } from "../telemetry/telemetryFromConfig.js";
import { investigationSettings, redactorFromConfig, synthesisFromConfig } from "../runtime/synthesisFromConfig.js";
import { gateFromConfig } from "../runtime/gateFromConfig.js";
import { makeExperimentDispatch } from "../runtime/experimentDispatch.js";
import { experimentStoreFromEnv } from "../runtime/experimentStoreFromEnv.js";
import { buildChats, describeWebhookAuth, type Env, envValue as set, type Log, resolveWebhookAuth, StartupError } from "../runtime/buildChats.js";
import type { AppConfig } from "../config/AppConfig.js";
import type { HttpHandler } from "../http/HttpExchange.js";
import { makeInvestigationRunner } from "../runtime/InvestigationRunner.js";
import { makeIntakeHandler } from "../server/intakeHandler.js";
import { decodeInvestigateEvent } from "./InvestigateEvent.js";
import { type InvestigationHandOff, makeInlineHandOff, type RunOutcome, runWithinBudget } from "./InvestigationHandOff.js";
import { makeLambdaInvokeHandOff } from "./LambdaInvokeHandOff.js";
import { makeDynamoClient } from "./makeDynamoClient.js";

export interface LambdaAppOptions {
  readonly config: AppConfig;
  readonly env: Env;
  /** Directory relative paths in the config are resolved against (the function's code directory). */
  readonly cwd: string;
  readonly log: Log;
  /** Where the console chat writes (routes with `platform: console`). Default: the log stream on stdout. */
  readonly consoleWrite?: (text: string) => void;
}

/** What a direct investigate invocation did; returned to the invoker (and logged). */
export type InvestigateResult =
  | { readonly ok: true; readonly investigationId: string; readonly outcome: RunOutcome | "duplicate" }
  | { readonly ok: false; readonly error: string };

export interface LambdaApp {
  /** The shared intake handler (the same routes as `serve`). */
  readonly handler: HttpHandler;
  readonly maxBodyBytes: number;
  readonly handOff: InvestigationHandOff;
  /**
   * Finishes, within `budgetMs`, what intake started after answering (decoding, dedup, the
   * acknowledgement, the hand-off) and then the hand-off's own work. Call it before returning.
   */
  readonly settle: (budgetMs: number) => Promise<void>;
  /** Runs an investigate event (a direct invocation) to its end, within `budgetMs`. */
  readonly investigate: (event: unknown, budgetMs: number) => Promise<InvestigateResult>;
  readonly describe: () => ReadonlyArray<string>;
  /** Sends the spans ended so far (when OTLP tracing is on); call before an invocation returns. */
  readonly flush?: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * Incident history on AWS: DynamoDB index (`SRE_INCIDENT_TABLE`) + S3 records (`SRE_INCIDENT_BUCKET`,
 * SSE-KMS with `SRE_INCIDENT_KMS_KEY`). Without both, incident history is off on Lambda.
 */
const buildIncidentMemory = (env: Env): IncidentMemoryShape | undefined => {
  const table = set(env, "SRE_INCIDENT_TABLE");
  const bucket = set(env, "SRE_INCIDENT_BUCKET");
  if (table === undefined || bucket === undefined) return undefined;
  const region = set(env, "AWS_REGION");
  const endpoint = set(env, "SRE_DYNAMODB_ENDPOINT");
  const s3Endpoint = set(env, "SRE_S3_ENDPOINT");
  const kmsKeyId = set(env, "SRE_INCIDENT_KMS_KEY");
  return makeAwsIncidentMemory({
    dynamo: makeDynamoClient({ ...(region !== undefined ? { region } : {}), ...(endpoint !== undefined ? { endpoint } : {}) }),
    table,
    s3: new S3Client({ ...(region !== undefined ? { region } : {}), ...(s3Endpoint !== undefined ? { endpoint: s3Endpoint, forcePathStyle: true } : {}) }),
    bucket,
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {})
  });
};

interface Dedup {
  readonly store: DedupStoreShape;
  readonly description: string;
  readonly close: () => Promise<void>;
}

/**
 * DynamoDB (`SRE_DEDUP_TABLE`) on Lambda: containers come and go, and only a shared table keeps
 * a retried delivery from being investigated twice. Off Lambda (trying the handler locally) the
 * embedded store in `store.directory` stands in, with a warning; on Lambda a missing table is a
 * startup error, never a silent per-container memory.
 */
const buildDedup = async (config: AppConfig, env: Env, cwd: string, log: Log): Promise<Dedup> => {
  const table = set(env, "SRE_DEDUP_TABLE");
  if (table !== undefined) {
    const endpoint = set(env, "SRE_DYNAMODB_ENDPOINT");
    const region = set(env, "AWS_REGION");
    const client = makeDynamoClient({ ...(region !== undefined ? { region } : {}), ...(endpoint !== undefined ? { endpoint } : {}) });
    return { store: makeDynamoDedupStore({ client, tableName: table }), description: `dedup: DynamoDB table ${table}`, close: () => Promise.resolve(client.destroy()) };
  }
  if (set(env, "AWS_LAMBDA_FUNCTION_NAME") !== undefined) {
    throw new StartupError(
      "SRE_DEDUP_TABLE is not set: on Lambda the dedup store must be a DynamoDB table (key pk: S, TTL attribute expiresAt) shared by every instance; " +
        "set SRE_DEDUP_TABLE to its name and allow dynamodb:PutItem and dynamodb:GetItem on it."
    );
  }
  const directory = join(resolve(cwd, config.store.directory), "store");
  log("warn", "SRE_DEDUP_TABLE is not set; de-duplicating in the embedded store (fine off Lambda only)", { directory });
  const store = await EmbeddedStore.open({ directory });
  return { store: makeEmbeddedDedupStore(store), description: `dedup: embedded store ${directory}`, close: () => store.close() };
};

/** Intake's and the orchestrator's own log lines (store outages, delivery failures) go to the function's log; debug lines are dropped. */
const logTelemetry = (log: Log): TelemetryShape => ({
  log: (level, message, fields) => Effect.sync(() => (level === "debug" ? undefined : log(level, message, fields))),
  span: (_name, _attributes, effect) => effect
});

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The Lambda host's composition: the same pieces as `serve` (chats, specialists, the intake
 * pipeline and its HTTP handler) with a DynamoDB dedup store and an investigation hand-off in
 * place of in-process background fibers, because a Lambda is frozen as soon as it answers.
 * Throws `StartupError` for a configuration that cannot work.
 */
export const buildLambdaApp = async (options: LambdaAppOptions): Promise<LambdaApp> => {
  const { config, env, cwd, log } = options;
  const consoleWrite = options.consoleWrite ?? ((text: string) => void process.stdout.write(text));
  const dedup = await buildDedup(config, env, cwd, log);
  const lambdaClients: Array<LambdaClient> = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    const { chats, slack, discord } = await buildChats(config, env, log, consoleWrite);
    // Nothing is stored unredacted: alert text, evidence, reports, a root cause typed in /postmortem.
    const redactor = redactorFromConfig(config);
    const awsMemory = buildIncidentMemory(env);
    const memory = awsMemory === undefined ? undefined : redactingIncidentMemory(awsMemory, redactor.redactDeep);
    const specialists: SpecialistsShape = await buildSpecialists({ config, cwd, log, chats, env, onClose: (close) => void closers.push(close), ...(memory !== undefined ? { memory } : {}) });
    const classifierModel = config.classifier.tier2 === "auto" ? modelFromSpec(modelSpecFor(config, env, "classifier"), env, "defaults.model (classifier)") : undefined;
    // The trace archive (S3 + DynamoDB) when SRE_TRACE_BUCKET and SRE_TRACE_TABLE are set: /postmortem and `trace show` read it.
    const archive = traceStoreFromEnv(env);
    const trace = archive === undefined ? undefined : redactingTraceStore(archive, redactor.redactDeep);
    // Log lines go to the function's log; spans go to OTLP when telemetry.otlp_endpoint or OTEL_EXPORTER_OTLP_ENDPOINT is set.
    const host = telemetryFromConfig(config, env);
    if (Result.isFailure(host)) throw new StartupError(host.failure.message);
    const telemetry = host.success.tracing ? combineTelemetry(logTelemetry(log), host.success.telemetry) : logTelemetry(log);
    const synthesis = synthesisFromConfig(config, env);
    const runner = makeInvestigationRunner({
      specialists,
      telemetry,
      ...(synthesis.synthesisModel !== undefined ? { synthesisModel: synthesis.synthesisModel } : {}),
      redactReport: synthesis.redactDeep,
      ...(synthesis.route !== undefined ? { route: synthesis.route } : {}),
      ...(trace !== undefined ? { trace } : {}),
      settings: investigationSettings(config, synthesis),
      // A report that could not be delivered is recorded in the function's log, never dropped silently.
      onEvent: (investigationId, event) => {
        if (event.type === "delivery_failed") log("error", "a report could not be delivered", { investigationId, kind: event.kind, error: event.error });
        else if (event.type === "report_posted") log("info", "report posted", { investigationId, kind: event.kind, messages: event.messages });
        else if (event.type === "cutoff") log("warn", "hard cutoff reached; interrupting agents", { investigationId, pending: event.pending });
      },
      // Every finished investigation is remembered for incident history (when the AWS memory is configured).
      onDone: (alert, exit) => {
        if (memory !== undefined && Exit.isSuccess(exit)) void Effect.runPromise(remember(memory, alert, exit.value.final, config, log));
      }
    });
    const experimentTable = experimentStoreFromEnv(env);
    if (experimentTable !== undefined) closers.push(() => Promise.resolve(experimentTable.close()));
    const experiments =
      experimentTable === undefined
        ? undefined
        : makeExperimentDispatch({
            config,
            env,
            log,
            store: experimentTable.store,
            settings: investigationSettings(config, synthesis),
            specialistsFor: (variantConfig) => buildSpecialists({ config: variantConfig, cwd, log, chats, env, onClose: (close) => void closers.push(close), ...(memory !== undefined ? { memory } : {}) }),
            ...(trace !== undefined ? { trace } : {}),
            fallback: runner.launch
          });
    const inline = makeInlineHandOff({ run: runner.runToEnd, log });
    const investigator = set(env, "SRE_INVESTIGATOR_FUNCTION");
    let handOff: InvestigationHandOff = inline;
    if (investigator !== undefined) {
      const endpoint = set(env, "SRE_LAMBDA_ENDPOINT");
      const region = set(env, "AWS_REGION");
      const client = new LambdaClient({
        ...(region !== undefined ? { region } : {}),
        ...(endpoint !== undefined ? { endpoint } : {}),
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 }
      });
      lambdaClients.push(client);
      handOff = makeLambdaInvokeHandOff({ client, functionName: investigator, chats, log, fallback: inline });
    }

    const intake = makeIntake({
      chats,
      dedup: dedup.store,
      launch: handOff.launch,
      telemetry,
      gate: gateFromConfig(config, classifierModel),
      commands: {
        snapshot: makeSnapshotCommand(specialists, Duration.seconds(config.defaults.agent_deadline_seconds)),
        // /postmortem rebuilds the report from the trace archive; without one it is not offered.
        ...(trace !== undefined ? { postmortem: makePostmortemCommand({ trace, redactor, ...(memory !== undefined ? { memory } : {}) }) } : {})
      },
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
    });
    // The function URL is public: without credentials the webhook routes refuse every request
    // (and say why), while Slack and Discord keep working.
    const webhook = resolveWebhookAuth(config.intake.webhook_auth, env, "lambda");
    if (webhook.problem !== undefined) log("error", "the alert webhooks refuse every request until this is fixed", { problem: webhook.problem });

    // Intake work the handler runs after deciding its answer; settled before the invocation returns.
    const pending = new Set<Fiber.Fiber<unknown>>();
    const background = (work: Effect.Effect<unknown>) => {
      const fiber = Effect.runFork(work.pipe(Effect.ignore));
      pending.add(fiber);
      fiber.addObserver(() => pending.delete(fiber));
    };

    const handler = makeIntakeHandler({
      intake,
      ...(slack !== undefined ? { slack } : {}),
      ...(discord !== undefined ? { discord } : {}),
      webhookAuth: webhook.auth,
      redact: synthesis.redact,
      windowMinutes: config.investigation.window_minutes,
      deadlineMs: config.investigation.report_after_seconds * 1000,
      background,
      log
    });

    const settle = async (budgetMs: number) => {
      const started = Date.now();
      const fibers = [...pending];
      if (fibers.length > 0) {
        const done = await Effect.runPromise(
          Fiber.awaitAll(fibers).pipe(Effect.timeoutOption(Duration.millis(Math.max(0, budgetMs))))
        );
        if (done._tag === "None") {
          log("error", "intake work did not finish before the invocation's deadline; it was interrupted", { unfinished: pending.size });
          await Effect.runPromise(Fiber.interruptAll([...pending]));
        }
      }
      await handOff.settle(budgetMs - (Date.now() - started));
    };

    const runKeyTtl = config.intake.dedup_ttl_hours * 3600;
    const investigate = async (event: unknown, budgetMs: number): Promise<InvestigateResult> => {
      const decoded = decodeInvestigateEvent(event);
      if (decoded._tag === "Failure") return { ok: false, error: decoded.failure.message };
      const { alert, platform, channel } = decoded.success;
      if (channel !== alert.channelId) return { ok: false, error: `invalid investigate event: channel ${channel} is not the alert's channel ${alert.channelId}` };
      const chat = chats[platform];
      if (chat === undefined) return { ok: false, error: `no ${platform} chat is configured in this function (check its environment: SLACK_BOT_TOKEN, DISCORD_BOT_TOKEN…)` };
      // Lambda delivers asynchronous events at least once; one report per investigation id.
      const claim = await Effect.runPromise(
        dedup.store.putIfAbsent(`run:${alert.investigationId}`, String(Date.now()), runKeyTtl).pipe(
          Effect.catch((e) =>
            Effect.sync(() => {
              log("warn", "dedup store unavailable; running the investigation without de-duplication", { investigationId: alert.investigationId, error: e.message });
              return { claimed: true as const };
            })
          )
        )
      );
      if (!claim.claimed) return { ok: true, investigationId: alert.investigationId, outcome: "duplicate" };
      // An active A/B experiment (SRE_EXPERIMENT_TABLE) investigates with both variants, within this invocation.
      if (experiments !== undefined) {
        const ab = await Effect.runPromise(
          experiments.runIfActive(alert, chat).pipe(Effect.timeoutOption(Duration.millis(Math.max(0, budgetMs))))
        );
        if (ab._tag === "Some" && ab.value !== undefined) return { ok: true, investigationId: alert.investigationId, outcome: "reported" };
        if (ab._tag === "None") return { ok: true, investigationId: alert.investigationId, outcome: "cut_short" };
      }
      const outcome = await runWithinBudget(runner.runToEnd, alert, chat, budgetMs);
      return { ok: true, investigationId: alert.investigationId, outcome };
    };

    return {
      handler,
      maxBodyBytes: config.intake.max_body_bytes,
      handOff,
      settle,
      investigate,
      describe: () => [
        `chats: ${Object.keys(chats).filter((k) => chats[k] !== undefined).join(", ")}`,
        `specialists: ${specialists.enabled.map((s) => s.id).join(", ") || "none"}${specialists.disabled.length > 0 ? ` (disabled: ${specialists.disabled.join(", ")})` : ""}`,
        `alert webhook auth: ${describeWebhookAuth(webhook.auth)}`,
        dedup.description,
        `trace archive: ${trace !== undefined ? `S3 ${set(env, "SRE_TRACE_BUCKET") ?? ""} + DynamoDB ${set(env, "SRE_TRACE_TABLE") ?? ""}` : "off (SRE_TRACE_BUCKET / SRE_TRACE_TABLE not set)"}`,
        `synthesis: ${synthesis.modelSpec === "none" ? "deterministic (no model configured)" : synthesis.modelSpec}`,
        `tracing: ${host.success.tracing ? "OTLP" : "off"}`,
        `experiments: ${experimentTable !== undefined ? `DynamoDB table ${experimentTable.table}` : "off (SRE_EXPERIMENT_TABLE not set)"}`,
        `investigations: ${investigator !== undefined ? `asynchronous invocation of ${investigator}` : "inline in the intake invocation (SRE_INVESTIGATOR_FUNCTION is not set)"}`
      ],
      flush: host.success.flush,
      close: async () => {
        await host.success.shutdown();
        for (const close of closers) await close().catch(() => undefined);
        for (const client of lambdaClients) client.destroy();
        await dedup.close();
      }
    };
  } catch (error) {
    for (const client of lambdaClients) client.destroy();
    await dedup.close().catch((e: unknown) => log("warn", "could not close the dedup store", { error: errorText(e) }));
    throw error;
  }
};
