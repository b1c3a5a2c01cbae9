import { resolve } from "node:path";
import {
  chatHistoryConfig,
  type ClusterSourceSpec,
  makeChatHistorySpecialist,
  makeEksSpecialist,
  makeCloudWatchLogsSpecialist,
  makeIncidentHistorySpecialist,
  makeOfflineLogsSpecialist,
  makePrometheusSpecialist,
  makeChatHistoryTools,
  makeCloudWatchLogsTools,
  makeEksTools,
  makeIncidentHistoryTools,
  makeOfflineLogsTools,
  makePrometheusTools,
  type PrometheusAuth,
  messageLinker,
  openClusterSource,
  rememberInvestigation
} from "@sre-on-call/agents";
import { decodeUnknown, redactingIncidentMemory } from "@sre-on-call/core";
import type { AgentTool, AlertContext, ChatPlatformShape, IncidentMemoryShape, InvestigationReport, Specialist, SpecialistsShape } from "@sre-on-call/core";
import { Effect, Exit, Result, Schema } from "effect";
import type { AppConfig } from "../config/AppConfig.js";
import { type Env, envValue, type Log, StartupError } from "./buildChats.js";
import { remoteSpecialistsFromConfig } from "./remoteSpecialists.js";
import { applyConfiguredAgentMode, type BuiltSpecialist } from "./configuredAgentMode.js";
import { redactorFromConfig } from "./synthesisFromConfig.js";

/** The order agents appear in every report's evidence, whatever order config.yaml lists them in. */
export const SPECIALIST_ORDER = ["eks", "prometheus", "cloudwatch-logs", "slack-history", "discord-history", "incident-history"] as const;
export type SpecialistId = (typeof SPECIALIST_ORDER)[number];

export interface SpecialistDeps {
  readonly config: AppConfig;
  readonly cwd: string;
  readonly log: Log;
  readonly chats: Readonly<Record<string, ChatPlatformShape | undefined>>;
  readonly memory?: IncidentMemoryShape;
  readonly slackBotUserId?: string;
  readonly discordBotUserId?: string;
  /** Secrets named by config (`token_env`, `password_env`) and PROMETHEUS_URL are read from here. */
  readonly env?: Env;
  /** Receives what must be closed on shutdown (MCP connections of agents in agent mode). */
  readonly onClose?: (close: () => Promise<void>) => void;
}

const PositiveInt = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThan(0)));

/** `agents.prometheus.data_source`. Credentials are never written here: they name environment variables. */
export const PrometheusDataSource = Schema.Struct({
  url: Schema.optionalKey(Schema.String),
  auth: Schema.optionalKey(
    Schema.Union([
      Schema.Struct({ type: Schema.Literal("bearer"), token_env: Schema.String }),
      Schema.Struct({ type: Schema.Literal("basic"), username: Schema.String, password_env: Schema.String })
    ])
  ),
  headers: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  graph_url: Schema.optionalKey(Schema.String),
  request_timeout_ms: Schema.optionalKey(PositiveInt),
  max_series: Schema.optionalKey(PositiveInt),
  max_points: Schema.optionalKey(PositiveInt),
  concurrency: Schema.optionalKey(PositiveInt)
});

/** `agents.cloudwatch-logs.data_source`. Credentials come from the default AWS chain, never from here. */
export const CloudWatchLogsDataSource = Schema.Struct({
  region: Schema.optionalKey(Schema.String),
  endpoint: Schema.optionalKey(Schema.String),
  log_group_prefixes: Schema.optionalKey(Schema.Array(Schema.String)),
  log_groups: Schema.optionalKey(Schema.Array(Schema.String)),
  logs_dir: Schema.optionalKey(Schema.String),
  insights: Schema.optionalKey(Schema.Boolean),
  max_groups: Schema.optionalKey(PositiveInt),
  max_listed_groups: Schema.optionalKey(PositiveInt),
  max_lines: Schema.optionalKey(PositiveInt),
  request_timeout_ms: Schema.optionalKey(PositiveInt),
  snapshot_window_ms: Schema.optionalKey(PositiveInt)
});
export const decodeCloudWatchLogsDataSource = decodeUnknown(CloudWatchLogsDataSource, "agents.cloudwatch-logs.data_source");

/**
 * The CloudWatch Logs specialist: offline over a directory of exports when `logsDirOverride` or
 * `logs_dir` is set, else live in `region` (or AWS_REGION).
 */
export const buildCloudWatchLogs = (deps: Pick<SpecialistDeps, "config" | "env" | "cwd">, logsDirOverride?: string): Built | undefined => {
  const agent = deps.config.agents["cloudwatch-logs"];
  if (agent === undefined && logsDirOverride === undefined) return undefined;
  if (agent?.enabled === false && logsDirOverride === undefined) return { disabled: "disabled in config.yaml" };
  const decoded = decodeCloudWatchLogsDataSource(agent?.data_source ?? {});
  if (Result.isFailure(decoded)) throw new StartupError(decoded.failure.message);
  const ds = decoded.success;
  const common = {
    ...(ds.log_group_prefixes !== undefined ? { logGroupPrefixes: ds.log_group_prefixes } : {}),
    ...(ds.log_groups !== undefined ? { logGroups: ds.log_groups } : {}),
    ...(ds.max_groups !== undefined ? { maxGroups: ds.max_groups } : {}),
    ...(ds.snapshot_window_ms !== undefined ? { snapshotWindowMs: ds.snapshot_window_ms } : {})
  };
  const dir = logsDirOverride ?? ds.logs_dir;
  if (dir !== undefined) return { specialist: makeOfflineLogsSpecialist(resolve(deps.cwd, dir), common), tools: () => makeOfflineLogsTools(resolve(deps.cwd, dir), common) };
  const region = ds.region ?? envValue(deps.env ?? {}, "AWS_REGION");
  if (region === undefined) return { disabled: "no region (agents.cloudwatch-logs.data_source.region or AWS_REGION)" };
  const live = {
    region,
    ...common,
    ...(ds.endpoint !== undefined ? { endpoint: ds.endpoint } : {}),
    ...(ds.insights !== undefined ? { insights: ds.insights } : {}),
    ...(ds.max_listed_groups !== undefined ? { maxListedGroups: ds.max_listed_groups } : {}),
    ...(ds.max_lines !== undefined ? { maxLines: ds.max_lines } : {}),
    ...(ds.request_timeout_ms !== undefined ? { requestTimeoutMs: ds.request_timeout_ms } : {})
  };
  return { specialist: makeCloudWatchLogsSpecialist(live), tools: () => makeCloudWatchLogsTools(live) };
};

/** Validates `agents.prometheus.data_source` (without reading secrets); the error names the key. */
export const decodePrometheusDataSource = decodeUnknown(PrometheusDataSource, "agents.prometheus.data_source");

/** The Prometheus specialist when a URL is known (`urlOverride`, config.yaml or PROMETHEUS_URL). */
export const buildPrometheus = (deps: Pick<SpecialistDeps, "config" | "env">, urlOverride?: string): Built | undefined => {
  const env = deps.env ?? {};
  const agent = deps.config.agents.prometheus;
  if (agent?.enabled === false && urlOverride === undefined) return { disabled: "disabled in config.yaml" };
  const decoded = decodePrometheusDataSource(agent?.data_source ?? {});
  if (Result.isFailure(decoded)) throw new StartupError(decoded.failure.message);
  const ds = decoded.success;
  // Enabled wherever a URL is configured, in config.yaml or as PROMETHEUS_URL.
  const url = urlOverride ?? ds.url ?? envValue(env, "PROMETHEUS_URL");
  if (url === undefined) return agent === undefined ? undefined : { disabled: "no Prometheus URL (agents.prometheus.data_source.url or PROMETHEUS_URL)" };
  if (!/^https?:\/\//i.test(url)) throw new StartupError(`agents.prometheus.data_source.url must be an http(s) URL, not ${JSON.stringify(url.slice(0, 80))}`);
  let auth: PrometheusAuth | undefined;
  if (ds.auth?.type === "bearer") {
    const token = envValue(env, ds.auth.token_env);
    if (token === undefined) throw new StartupError(`agents.prometheus.data_source.auth.token_env names ${ds.auth.token_env}, which is not set in the environment.`);
    auth = { type: "bearer", token };
  } else if (ds.auth?.type === "basic") {
    const password = envValue(env, ds.auth.password_env);
    if (password === undefined) throw new StartupError(`agents.prometheus.data_source.auth.password_env names ${ds.auth.password_env}, which is not set in the environment.`);
    auth = { type: "basic", username: ds.auth.username, password };
  } else {
    const token = envValue(env, "PROMETHEUS_TOKEN");
    if (token !== undefined) auth = { type: "bearer", token };
  }
  const options = {
    url,
    ...(auth !== undefined ? { auth } : {}),
    ...(ds.headers !== undefined ? { headers: ds.headers } : {}),
    ...(ds.graph_url !== undefined ? { graphUrl: ds.graph_url } : {}),
    ...(ds.request_timeout_ms !== undefined ? { requestTimeoutMs: ds.request_timeout_ms } : {}),
    ...(ds.max_series !== undefined ? { maxSeries: ds.max_series } : {}),
    ...(ds.max_points !== undefined ? { maxPoints: ds.max_points } : {}),
    ...(ds.concurrency !== undefined ? { concurrency: ds.concurrency } : {})
  };
  return { specialist: makePrometheusSpecialist(options), tools: () => makePrometheusTools(options) };
};

/** The Kubernetes data source config.yaml names, resolved against `cwd`. */
export const eksSourceSpec = (config: AppConfig, cwd: string): ClusterSourceSpec | undefined => {
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

/**
 * A specialist, with its tools for agent mode (built only when the agent runs in agent mode:
 * they share the specialist's clients and data source), or the reason it is disabled.
 */
export type Built = { readonly specialist: Specialist; readonly tools?: () => ReadonlyArray<AgentTool> } | { readonly disabled: string };

export const buildChatHistory = (id: "slack-history" | "discord-history", deps: SpecialistDeps): Built => {
  const platform = id === "slack-history" ? "slack" : "discord";
  const chat = deps.chats[platform];
  if (chat === undefined) return { disabled: `${platform} is not connected (set the ${platform === "slack" ? "SLACK_*" : "DISCORD_*"} environment variables)` };
  const options = chatHistoryConfig(id, deps.config.agents[id]?.data_source);
  if (Result.isFailure(options)) throw new StartupError(options.failure.message);
  const botUserId = id === "slack-history" ? deps.slackBotUserId : deps.discordBotUserId;
  const specialistOptions = { id, chat, ...options.success, ...(botUserId !== undefined ? { botUserId } : {}) };
  return { specialist: makeChatHistorySpecialist(specialistOptions), tools: () => makeChatHistoryTools(specialistOptions) };
};

/** One specialist built in this process (what `sre-on-call agent serve --id <id>` serves); undefined when config.yaml does not mention it. */
export const buildOneSpecialist = async (id: SpecialistId, deps: SpecialistDeps): Promise<Built | undefined> => {
  const { config, log } = deps;
  const agent = config.agents[id];
  if (agent?.enabled === false) return { disabled: "disabled in config.yaml" };
  switch (id) {
    case "eks": {
      if (agent === undefined) return undefined;
      const spec = eksSourceSpec(config, deps.cwd);
      if (spec === undefined) return { disabled: "agents.eks has no data_source" };
      const source = await Effect.runPromiseExit(openClusterSource(spec));
      if (Exit.isFailure(source)) throw new StartupError(`agents.eks.data_source: ${String(source.cause).split("\n")[0]}`);
      const cluster = config.agents.eks?.data_source?.eks_cluster;
      return { specialist: makeEksSpecialist(source.value, cluster !== undefined ? { clusterName: cluster } : {}), tools: () => makeEksTools(source.value) };
    }
    case "prometheus":
      return buildPrometheus(deps);
    case "cloudwatch-logs":
      return buildCloudWatchLogs(deps);
    case "slack-history":
    case "discord-history":
      return agent === undefined ? undefined : buildChatHistory(id, deps);
    case "incident-history":
      // On by default: it needs nothing but the store every deployment has.
      return deps.memory === undefined ? { disabled: "no incident store" } : { specialist: makeIncidentHistorySpecialist({ memory: deps.memory }), tools: () => makeIncidentHistoryTools({ memory: deps.memory! }) };
    default:
      if (agent === undefined) return undefined;
      log("warn", `agents.${id} is configured but not available in this build yet; reported as disabled`, {});
      return { disabled: "not available in this build" };
  }
};

/**
 * The specialists config.yaml enables and this build implements, in report order; the rest are
 * reported as disabled. An agent with an A2A endpoint (`agents.<id>.url`/`runtime_arn`, or
 * `<AGENT>_AGENT_URL`/`<AGENT>_AGENT_RUNTIME_ARN`) is reached there instead of built here.
 */
export const buildSpecialists = async (deps: SpecialistDeps): Promise<SpecialistsShape> => {
  const enabled: Array<BuiltSpecialist> = [];
  const disabled: Array<string> = [];
  const remote = remoteSpecialistsFromConfig(deps.config, deps.env ?? {});
  for (const id of SPECIALIST_ORDER) {
    const remoteSpecialist = deps.config.agents[id]?.enabled === false ? undefined : remote(id);
    const built = remoteSpecialist !== undefined ? { specialist: remoteSpecialist } : await buildOneSpecialist(id, deps);
    if (built === undefined) continue;
    if ("specialist" in built) enabled.push(built);
    else {
      if (deps.config.agents[id] !== undefined) deps.log("warn", `agents.${id}: ${built.disabled}; reported as disabled`, {});
      disabled.push(id);
    }
  }
  // `mode: agent` agents get their tools, skills and MCP servers offered to their model.
  return applyConfiguredAgentMode(enabled, disabled, { config: deps.config, env: deps.env ?? {}, log: deps.log, ...(deps.onClose !== undefined ? { onClose: deps.onClose } : {}) });
};

/**
 * Remembers a finished investigation in the incident memory (fail-open: a store error is logged),
 * redacted with the builtin and configured patterns: the alert text is stored as it arrived.
 */
export const remember = (memory: IncidentMemoryShape, alert: AlertContext, report: InvestigationReport, config: AppConfig, log: Log): Effect.Effect<void> => {
  const slackWorkspace = config.agents["slack-history"]?.data_source?.["workspace_url"];
  const guildId = config.agents["discord-history"]?.data_source?.["guild_id"];
  const platform = alert.source === "discord" ? "discord" : alert.source === "slack" ? "slack" : undefined;
  const link =
    platform === undefined || alert.messageId === ""
      ? undefined
      : messageLinker(platform, {
          ...(typeof slackWorkspace === "string" ? { workspaceUrl: slackWorkspace } : {}),
          ...(typeof guildId === "string" ? { guildId } : {})
        })({ channelId: alert.channelId, messageId: alert.messageId });
  return rememberInvestigation(redactingIncidentMemory(memory, redactorFromConfig(config).redactDeep), report, undefined, { alertText: alert.alertText, ...(link !== undefined ? { threadLink: link } : {}) }).pipe(
    Effect.asVoid,
    Effect.catch((e) => Effect.sync(() => log("warn", "could not remember the investigation", { investigationId: report.investigationId, error: e.message })))
  );
};
