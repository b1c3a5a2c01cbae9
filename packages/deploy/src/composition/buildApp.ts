import "reflect-metadata";
import { join, resolve } from "node:path";
import { EmbeddedStore, makeConsoleChat, makeDiscordChat, makeDiscordInteractionResponder, makeEmbeddedDedupStore, makeEmbeddedTraceStore, makeSlackChat, readSlackBotIdentity } from "@sre-on-call/adapters";
import { makeEksSpecialist, openClusterSource, type ClusterSourceSpec } from "@sre-on-call/agents/eks/index";
import { type AlertContext, type ChatPlatformShape, type DedupStoreShape, makeIntake, type Intake, type Specialist, type SpecialistsShape, type TraceStoreShape } from "@sre-on-call/core";
import { Effect, Exit } from "effect";
import { Container } from "inversify";
import type { AppConfig } from "../config/AppConfig.js";
import type { HttpHandler } from "../http/HttpExchange.js";
import { type InvestigationRunner, makeInvestigationRunner } from "../runtime/InvestigationRunner.js";
import { type DiscordIntakeOptions, makeIntakeHandler, type WebhookAuth } from "../server/intakeHandler.js";

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
  Handler: Symbol.for("sre-on-call/HttpHandler")
} as const;

export type Env = Readonly<Record<string, string | undefined>>;
export type Log = (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** A problem with the environment or config that prevents startup, stated with its fix. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

export interface AppOptions {
  readonly config: AppConfig;
  readonly env: Env;
  /** Directory relative paths in the config are resolved against. */
  readonly cwd: string;
  readonly log: Log;
  /** Where `console` routes and the console chat write. */
  readonly consoleWrite: (text: string) => void;
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

const dataSourceSpec = (config: AppConfig, cwd: string): ClusterSourceSpec | undefined => {
  const ds = config.agents.eks?.data_source;
  if (ds === undefined) return undefined;
  if (ds.cluster_dump !== undefined) return { kind: "dump", directory: resolve(cwd, ds.cluster_dump) };
  if (ds.eks_cluster !== undefined) return { kind: "eks", clusterName: ds.eks_cluster, region: ds.region ?? "" };
  if (ds.in_cluster === true) return { kind: "in-cluster" };
  if (ds.kubeconfig !== undefined || ds.context !== undefined) {
    return { kind: "kubeconfig", ...(ds.kubeconfig !== undefined ? { path: resolve(cwd, ds.kubeconfig) } : {}), ...(ds.context !== undefined ? { context: ds.context } : {}) };
  }
  return undefined;
};

/** The specialists config.yaml enables and this build implements; the others are reported as disabled. */
export const buildSpecialists = async (config: AppConfig, cwd: string, log: Log): Promise<SpecialistsShape> => {
  const enabled: Array<Specialist> = [];
  const disabled: Array<string> = [];
  for (const [id, agent] of Object.entries(config.agents)) {
    if (id === "master" || agent === undefined) continue;
    if (agent.enabled === false) {
      disabled.push(id);
      continue;
    }
    if (id === "eks") {
      const spec = dataSourceSpec(config, cwd);
      if (spec === undefined) {
        log("warn", "agents.eks has no data_source; the Kubernetes specialist is disabled", {});
        disabled.push(id);
        continue;
      }
      const source = await Effect.runPromiseExit(openClusterSource(spec));
      if (Exit.isFailure(source)) {
        throw new StartupError(`agents.eks.data_source: ${String(source.cause).split("\n")[0]}`);
      }
      enabled.push(makeEksSpecialist(source.value, { ...(config.agents.eks?.data_source?.eks_cluster !== undefined ? { clusterName: config.agents.eks.data_source.eks_cluster } : {}) }));
      continue;
    }
    log("warn", `agents.${id} is configured but not available in this build yet; reported as disabled`, {});
    disabled.push(id);
  }
  return { enabled, disabled };
};

const webhookAuth = (env: Env): WebhookAuth => {
  const token = env["SRE_WEBHOOK_TOKEN"];
  if (token !== undefined && token !== "") return { kind: "bearer", token };
  const user = env["SRE_WEBHOOK_USERNAME"];
  const password = env["SRE_WEBHOOK_PASSWORD"];
  if (user !== undefined && password !== undefined) return { kind: "basic", username: user, password };
  return { kind: "none" };
};

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
  const container = new Container();
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Env).toConstantValue(env);
  container.bind(TOKENS.Log).toConstantValue(log);

  const store = await EmbeddedStore.open({ directory: join(resolve(cwd, config.store.directory), "store") });
  container.bind(TOKENS.Store).toConstantValue(store);
  container.bind<DedupStoreShape>(TOKENS.Dedup).toDynamicValue(() => makeEmbeddedDedupStore(store)).inSingletonScope();
  container.bind<TraceStoreShape>(TOKENS.Trace).toDynamicValue(() => makeEmbeddedTraceStore(store)).inSingletonScope();

  const chats: Record<string, ChatPlatformShape | undefined> = { console: makeConsoleChat({ write: options.consoleWrite }) };
  const slackToken = env["SLACK_BOT_TOKEN"];
  const slackSecret = env["SLACK_SIGNING_SECRET"];
  let slackIdentity: { userId?: string; botId?: string } = {};
  if (slackToken !== undefined && slackToken !== "") {
    if (slackSecret === undefined || slackSecret === "") throw new StartupError("SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not; set both (Slack app → Basic Information → Signing Secret).");
    const apiUrl = env["SLACK_API_URL"];
    chats["slack"] = makeSlackChat({ token: slackToken, ...(apiUrl !== undefined ? { apiUrl } : {}) });
    const identity = await Effect.runPromiseExit(readSlackBotIdentity({ token: slackToken, ...(apiUrl !== undefined ? { apiUrl } : {}) }));
    if (Exit.isSuccess(identity)) slackIdentity = { userId: identity.value.userId, ...(identity.value.botId !== undefined ? { botId: identity.value.botId } : {}) };
    else log("warn", "could not read the Slack bot's identity (auth.test); its own messages are recognised from event authorizations instead", {});
  }
  let discordIntake: DiscordIntakeOptions | undefined;
  const discordToken = env["DISCORD_BOT_TOKEN"];
  if (discordToken !== undefined && discordToken !== "") {
    const publicKeyHex = env["DISCORD_PUBLIC_KEY"];
    const applicationId = env["DISCORD_APPLICATION_ID"];
    if (publicKeyHex === undefined || applicationId === undefined) {
      throw new StartupError("DISCORD_BOT_TOKEN is set but DISCORD_PUBLIC_KEY or DISCORD_APPLICATION_ID is not; set all three (Discord developer portal → General Information).");
    }
    const api = env["DISCORD_API_URL"];
    chats["discord"] = makeDiscordChat({ token: discordToken, applicationId, ...(api !== undefined ? { api } : {}) });
    discordIntake = { publicKeyHex, applicationId, responder: makeDiscordInteractionResponder({ applicationId, ...(api !== undefined ? { api } : {}) }) };
  }
  container.bind(TOKENS.Chats).toConstantValue(chats);

  const specialists = await buildSpecialists(config, cwd, log);
  container.bind(TOKENS.Specialists).toConstantValue(specialists);

  container
    .bind<InvestigationRunner>(TOKENS.Runner)
    .toDynamicValue((ctx) =>
      makeInvestigationRunner({
        specialists: ctx.get<SpecialistsShape>(TOKENS.Specialists),
        trace: ctx.get<TraceStoreShape>(TOKENS.Trace),
        settings: {
          reportAfterSeconds: config.investigation.report_after_seconds,
          synthesisReserveSeconds: config.investigation.synthesis_reserve_seconds,
          hardCutoffSeconds: config.investigation.hard_cutoff_seconds
        },
        onDone: (alert, exit) => log(Exit.isSuccess(exit) ? "info" : "error", "investigation finished", { investigationId: alert.investigationId, ok: Exit.isSuccess(exit) })
      })
    )
    .inSingletonScope();

  container
    .bind<Intake>(TOKENS.Intake)
    .toDynamicValue((ctx) =>
      makeIntake({
        chats: ctx.get(TOKENS.Chats),
        dedup: ctx.get<DedupStoreShape>(TOKENS.Dedup),
        launch: ctx.get<InvestigationRunner>(TOKENS.Runner).launch,
        gate: { enabled: config.classifier.enabled },
        settings: {
          windowMinutes: config.investigation.window_minutes,
          deadlineMs: config.investigation.report_after_seconds * 1000,
          dedupTtlSeconds: config.intake.dedup_ttl_hours * 3600,
          chatterHint: config.classifier.chatter_hint,
          route: routeFor(config)
        }
      })
    )
    .inSingletonScope();

  container
    .bind<HttpHandler>(TOKENS.Handler)
    .toDynamicValue((ctx) =>
      makeIntakeHandler({
        intake: ctx.get<Intake>(TOKENS.Intake),
        ...(slackSecret !== undefined && slackSecret !== "" && chats["slack"] !== undefined
          ? { slack: { signingSecret: slackSecret, reactionTrigger: config.classifier.reaction_trigger, ...(slackIdentity.userId !== undefined ? { botUserId: slackIdentity.userId } : {}), ...(slackIdentity.botId !== undefined ? { botId: slackIdentity.botId } : {}) } }
          : {}),
        ...(discordIntake !== undefined ? { discord: discordIntake } : {}),
        webhookAuth: webhookAuth(env),
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
      `alert webhook auth: ${webhookAuth(env).kind}`,
      `store: ${resolve(cwd, config.store.directory)}`
    ],
    close: async () => {
      await runner.drain(10_000);
      await store.close();
    }
  };
};
