import { McpServerOptions } from "@sre-on-call/adapters/mcp/McpServerOptions";
import { Effect, Schema } from "effect";

const Seconds = Schema.Number.pipe(Schema.check(Schema.isFinite(), Schema.isGreaterThan(0)));
const PositiveInt = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThan(0)));
const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)));

export const AGENT_IDS = ["master", "eks", "cloudwatch-logs", "prometheus", "slack-history", "discord-history", "incident-history"] as const;
export type AgentId = (typeof AGENT_IDS)[number];

export const NetworkMode = Schema.Literals(["PUBLIC", "VPC"]);

/** An agent's MCP server (`agents.<id>.mcp_servers[]`): the adapter's own schema, so config and adapter never disagree. */
export const McpServerConfig = McpServerOptions;

export const EksDataSource = Schema.Struct({
  cluster_dump: Schema.optionalKey(Schema.String),
  kubeconfig: Schema.optionalKey(Schema.String),
  context: Schema.optionalKey(Schema.String),
  in_cluster: Schema.optionalKey(Schema.Boolean),
  eks_cluster: Schema.optionalKey(Schema.String),
  region: Schema.optionalKey(Schema.String),
  /** The EKS API endpoint is private: the agent needs VPC network mode to reach it. */
  private_endpoint: Schema.optionalKey(Schema.Boolean),
  log_tail_lines: Schema.optionalKey(PositiveInt)
});

const agentFields = {
  enabled: Schema.optionalKey(Schema.Boolean),
  deadline_seconds: Schema.optionalKey(Seconds),
  mode: Schema.optionalKey(Schema.Literals(["deterministic", "agent"])),
  model: Schema.optionalKey(Schema.String),
  max_tool_cycles: Schema.optionalKey(PositiveInt),
  network_mode: Schema.optionalKey(NetworkMode),
  skills: Schema.optionalKey(Schema.Array(Schema.String)),
  mcp_servers: Schema.optionalKey(Schema.Array(McpServerConfig)),
  runtime_arn: Schema.optionalKey(Schema.String),
  url: Schema.optionalKey(Schema.String)
};

export const GenericAgentConfig = Schema.Struct({
  ...agentFields,
  data_source: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
});

export const EksAgentConfig = Schema.Struct({ ...agentFields, data_source: Schema.optionalKey(EksDataSource) });

export const RouteConfig = Schema.Struct({
  match: withDefault(Schema.Record(Schema.String, Schema.String), {}),
  platform: Schema.Literals(["slack", "discord", "console"]),
  channel: Schema.String
});

export const AppConfig = Schema.Struct({
  project: withDefault(Schema.String, "sre-on-call"),
  environment: withDefault(Schema.String, "local"),
  defaults: withDefault(
    Schema.Struct({
      model: withDefault(Schema.String, "none"),
      network_mode: withDefault(NetworkMode, "PUBLIC"),
      agent_deadline_seconds: withDefault(Seconds, 50)
    }),
    {}
  ),
  investigation: withDefault(
    Schema.Struct({
      report_after_seconds: withDefault(Seconds, 60),
      /** Default: 5 s without a synthesis model, 20 s with one (a structured model call needs the time). See `synthesisReserveSeconds`. */
      synthesis_reserve_seconds: Schema.optionalKey(Seconds),
      hard_cutoff_seconds: withDefault(Seconds, 300),
      window_minutes: withDefault(Seconds, 5),
      /** `all` dispatches every enabled specialist; `model` lets the synthesis model pick the relevant ones (fail-open to all). */
      routing: withDefault(Schema.Literals(["all", "model"]), "all")
    }),
    {}
  ),
  classifier: withDefault(
    Schema.Struct({
      enabled: withDefault(Schema.Boolean, true),
      tier2: withDefault(Schema.Literals(["auto", "off"]), "auto"),
      reaction_trigger: withDefault(Schema.String, "eyes"),
      chatter_hint: withDefault(Schema.Boolean, true),
      /**
       * A team's own tier-1 rules: `{name, pattern, decision: investigate|suppress, priority, reason}`.
       * The pattern is matched case-insensitively against the message without its mentions; lower
       * priority runs first (the builtins use 100–399); a name equal to a builtin's replaces it.
       */
      rules: withDefault(
        Schema.Array(
          Schema.Struct({
            name: Schema.String,
            pattern: Schema.String,
            decision: Schema.Literals(["investigate", "suppress"]),
            priority: Schema.Number,
            reason: Schema.optionalKey(Schema.String)
          })
        ),
        []
      )
    }),
    {}
  ),
  intake: withDefault(
    Schema.Struct({
      dedup_ttl_hours: withDefault(Seconds, 24),
      max_body_bytes: withDefault(PositiveInt, 1024 * 1024),
      /** Headers and body of a request must arrive within this; slower clients get 408 and are disconnected. */
      request_timeout_seconds: withDefault(Seconds, 15),
      /** Open connections at most; past it the longest-stalled one is dropped (503 when every one is busy). */
      max_connections: withDefault(PositiveInt, 256),
      /**
       * `required`: the alert webhooks accept only the credentials in SRE_WEBHOOK_TOKEN or
       * SRE_WEBHOOK_USERNAME/PASSWORD, and startup fails without them; `disabled`: the webhook routes
       * answer 404 (Slack/Discord only); `none`: anyone who can reach them may post alerts (a private
       * network only; refused on Lambda).
       */
      webhook_auth: withDefault(Schema.Literals(["required", "disabled", "none"]), "required"),
      /** At most this many alerts of one webhook delivery are investigated (most severe first); the rest are listed in one notice. */
      max_alerts_per_payload: withDefault(PositiveInt, 20),
      /** At most this many investigations start per minute from one source (alertmanager, grafana, slack, discord). */
      max_investigations_per_minute: withDefault(PositiveInt, 30),
      /** Discord channels whose messages `/investigate` and `/postmortem` may read through a message link, besides the command's own channel. */
      discord_allowed_link_channels: withDefault(Schema.Array(Schema.String), [])
    }),
    {}
  ),
  routing: withDefault(
    Schema.Struct({
      default: Schema.optionalKey(Schema.Struct({ platform: Schema.Literals(["slack", "discord", "console"]), channel: Schema.String })),
      routes: withDefault(Schema.Array(RouteConfig), [])
    }),
    {}
  ),
  store: withDefault(Schema.Struct({ directory: withDefault(Schema.String, ".sre-on-call") }), {}),
  /** Extra secret patterns (JavaScript regular expressions) redacted, besides the built-in ones, before text reaches a model or a chat message. */
  redaction: withDefault(Schema.Struct({ patterns: withDefault(Schema.Array(Schema.String), []) }), {}),
  telemetry: withDefault(
    Schema.Struct({
      log_level: withDefault(Schema.Literals(["debug", "info", "warn", "error"]), "info"),
      /** OTLP/HTTP traces endpoint (e.g. http://localhost:4318/v1/traces); off when unset. OTEL_EXPORTER_OTLP_ENDPOINT also enables it. */
      otlp_endpoint: Schema.optionalKey(Schema.String),
      service_name: withDefault(Schema.String, "sre-on-call")
    }),
    {}
  ),
  agents: withDefault(
    Schema.Struct({
      master: Schema.optionalKey(GenericAgentConfig),
      eks: Schema.optionalKey(EksAgentConfig),
      "cloudwatch-logs": Schema.optionalKey(GenericAgentConfig),
      prometheus: Schema.optionalKey(GenericAgentConfig),
      "slack-history": Schema.optionalKey(GenericAgentConfig),
      "discord-history": Schema.optionalKey(GenericAgentConfig),
      "incident-history": Schema.optionalKey(GenericAgentConfig)
    }),
    {}
  )
});
export type AppConfig = typeof AppConfig.Type;
export type AgentConfig = typeof GenericAgentConfig.Type;

/** Seconds kept for the synthesis before a report is due: the configured value, else 20 with a synthesis model and 5 without. */
export const synthesisReserveSeconds = (config: Pick<AppConfig, "investigation">, hasModel: boolean): number =>
  config.investigation.synthesis_reserve_seconds ?? (hasModel ? 20 : 5);

/** The settings every agent shares (`agents.<id>`), by id, or undefined when config.yaml does not list it. */
export const agentConfigOf = (config: Pick<AppConfig, "agents">, id: string): AgentConfig | undefined => (config.agents as Readonly<Record<string, AgentConfig | undefined>>)[id];
