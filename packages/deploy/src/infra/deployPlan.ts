import { Result, Schema } from "effect";
import { AGENT_IDS, type AgentId, type AppConfig } from "../config/AppConfig.js";

/** A configuration the deployment cannot be built from; `problems` each name the key and the fix. */
export class DeployConfigError extends Schema.TaggedError<DeployConfigError>()("DeployConfigError", {
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `cannot deploy:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`;
  }
}

/**
 * Deployment settings that config.yaml has no keys for (they differ per account, not per
 * behaviour), read from the environment of `sst deploy` by {@link deploySettingsFromEnv}.
 */
export interface DeploySettings {
  /** Subnets and security groups for agents in VPC network mode. */
  readonly vpc?: { readonly subnetIds: ReadonlyArray<string>; readonly securityGroupIds: ReadonlyArray<string> };
  /**
   * The image tag the runtimes run (`scripts/build-and-push.sh` prints it). Unset on the first
   * deploy, before any image exists: repositories and roles are declared, runtimes are not.
   */
  readonly imageTag?: string;
  /** An SNS topic every alarm notifies. */
  readonly alarmTopicArn?: string;
}

export const VPC_SUBNETS_ENV = "SRE_VPC_SUBNET_IDS";
export const VPC_SECURITY_GROUPS_ENV = "SRE_VPC_SECURITY_GROUP_IDS";
export const IMAGE_TAG_ENV = "SRE_IMAGE_TAG";
export const ALARM_TOPIC_ENV = "SRE_ALARM_TOPIC_ARN";

const list = (value: string | undefined): ReadonlyArray<string> =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** Reads {@link DeploySettings}; every malformed value is a problem naming its variable. */
export const deploySettingsFromEnv = (env: Readonly<Record<string, string | undefined>>): Result.Result<DeploySettings, DeployConfigError> => {
  const problems: Array<string> = [];
  const subnetIds = list(env[VPC_SUBNETS_ENV]);
  const securityGroupIds = list(env[VPC_SECURITY_GROUPS_ENV]);
  const bad = (ids: ReadonlyArray<string>, prefix: string) => ids.filter((id) => !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id));
  for (const id of bad(subnetIds, "subnet")) problems.push(`${VPC_SUBNETS_ENV}: ${JSON.stringify(id.slice(0, 40))} is not a subnet id (subnet-0123456789abcdef0).`);
  for (const id of bad(securityGroupIds, "sg")) problems.push(`${VPC_SECURITY_GROUPS_ENV}: ${JSON.stringify(id.slice(0, 40))} is not a security group id (sg-0123456789abcdef0).`);
  if ((subnetIds.length > 0) !== (securityGroupIds.length > 0)) {
    problems.push(`${VPC_SUBNETS_ENV} and ${VPC_SECURITY_GROUPS_ENV}: set both (comma-separated ids) or neither.`);
  }
  const imageTag = env[IMAGE_TAG_ENV]?.trim() || undefined;
  if (imageTag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag)) problems.push(`${IMAGE_TAG_ENV}: ${JSON.stringify(imageTag.slice(0, 40))} is not a valid image tag.`);
  const topic = env[ALARM_TOPIC_ENV]?.trim();
  if (topic !== undefined && topic !== "" && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topic)) {
    problems.push(`${ALARM_TOPIC_ENV}: must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>).`);
  }
  if (problems.length > 0) return Result.fail(new DeployConfigError({ problems }));
  return Result.succeed({
    ...(imageTag !== undefined ? { imageTag } : {}),
    ...(subnetIds.length > 0 ? { vpc: { subnetIds, securityGroupIds } } : {}),
    ...(topic !== undefined && topic !== "" ? { alarmTopicArn: topic } : {})
  });
};

export type NetworkPlan = { readonly mode: "PUBLIC" } | { readonly mode: "VPC"; readonly subnetIds: ReadonlyArray<string>; readonly securityGroupIds: ReadonlyArray<string> };

/** One agent this stage runs in its own AgentCore runtime. */
export interface AgentPlan {
  readonly id: AgentId;
  readonly network: NetworkPlan;
  /** Bedrock model ids this agent may invoke. */
  readonly bedrockModels: ReadonlyArray<string>;
}

/** A specialist hosted elsewhere: the master only gets its ARN (and permission to invoke it). */
export interface ExternalAgent {
  readonly id: AgentId;
  readonly runtimeArn: string;
}

export interface DeployPlan {
  readonly app: string;
  readonly stage: string;
  /** Specialists first, the master last (it needs their ARNs). */
  readonly agents: ReadonlyArray<AgentPlan>;
  readonly external: ReadonlyArray<ExternalAgent>;
  /** Models the intake Lambda may invoke (the classifier's tier 2). */
  readonly intakeModels: ReadonlyArray<string>;
  /** EKS clusters the eks agent describes (name and region; region undefined = the stack's). */
  readonly eksClusters: ReadonlyArray<{ readonly name: string; readonly region: string | undefined }>;
  readonly logGroups: ReadonlyArray<string> | undefined;
  readonly logGroupPrefixes: ReadonlyArray<string>;
  readonly logsRegion: string | undefined;
  /** Amazon Managed Prometheus workspace the prometheus agent queries, when its URL is one. */
  readonly ampWorkspace: { readonly region: string; readonly id: string } | undefined;
  readonly lambdaTimeoutSeconds: number;
  readonly dedupTtlHours: number;
  /** Production stages keep data on removal; others can be torn down completely. */
  readonly protect: boolean;
  readonly settings: DeploySettings;
}

const SPECIALISTS = AGENT_IDS.filter((id): id is Exclude<AgentId, "master"> => id !== "master");
/** On unless disabled, like the embedded default: it only needs the stack's own table and bucket. */
const ON_BY_DEFAULT: ReadonlySet<AgentId> = new Set(["incident-history"]);
const PROTECTED_STAGES: ReadonlySet<string> = new Set(["prod", "production"]);
const RUNTIME_ARN = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:runtime\/[A-Za-z0-9_-]+$/;
const AMP_URL = /^https:\/\/aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com\/workspaces\/(ws-[A-Za-z0-9-]+)/;
/** Lambda's maximum timeout. */
const MAX_LAMBDA_SECONDS = 900;

const bedrockModel = (spec: string | undefined): ReadonlyArray<string> => {
  if (spec === undefined || !spec.startsWith("bedrock:")) return [];
  const id = spec.slice("bedrock:".length).trim();
  return id === "" ? [] : [id];
};

/**
 * Which agents a stage runs, how they are networked and what they may reach. The master always
 * runs; a specialist runs when its `agents.<id>` key is present and not `enabled: false`
 * (incident-history: unless disabled); one with `runtime_arn` or `url` is hosted elsewhere.
 */
export const planDeployment = (config: AppConfig, stage: string, settings: DeploySettings): Result.Result<DeployPlan, DeployConfigError> => {
  const problems: Array<string> = [];
  const app = config.project;
  if (!/^[a-z][a-z0-9-]*$/.test(app)) problems.push(`project: ${JSON.stringify(app.slice(0, 40))} must be lowercase letters, digits and dashes (it prefixes every AWS resource name).`);
  if (!/^[a-z][a-z0-9-]*$/.test(stage)) problems.push(`stage ${JSON.stringify(stage.slice(0, 40))}: must be lowercase letters, digits and dashes (sst deploy --stage prod).`);
  if (app.length + stage.length > 30) problems.push(`project and stage: "${app}" and "${stage}" together are ${app.length + stage.length} characters; keep them within 30 (AgentCore runtime names are at most 48).`);

  const networkFor = (id: AgentId): NetworkPlan => {
    const own = config.agents[id]?.network_mode;
    const mode = own ?? config.defaults.network_mode;
    if (mode === "PUBLIC") return { mode };
    if (settings.vpc === undefined) {
      const key = own !== undefined ? `agents.${id}.network_mode` : "defaults.network_mode";
      problems.push(`${key}: ${id} runs in VPC network mode, which needs subnets and security groups; set ${VPC_SUBNETS_ENV} and ${VPC_SECURITY_GROUPS_ENV} (comma-separated ids) for sst deploy, or set ${key}: PUBLIC.`);
      return { mode: "PUBLIC" };
    }
    return { mode, subnetIds: settings.vpc.subnetIds, securityGroupIds: settings.vpc.securityGroupIds };
  };
  const modelsFor = (id: AgentId): ReadonlyArray<string> => {
    const agent = config.agents[id];
    if (id !== "master" && agent?.mode !== "agent") return [];
    return bedrockModel(agent?.model ?? config.defaults.model);
  };

  const agents: Array<AgentPlan> = [];
  const external: Array<ExternalAgent> = [];
  for (const id of SPECIALISTS) {
    const agent = config.agents[id];
    if (agent?.enabled === false || (agent === undefined && !ON_BY_DEFAULT.has(id))) continue;
    if (agent?.runtime_arn !== undefined) {
      if (RUNTIME_ARN.test(agent.runtime_arn)) external.push({ id, runtimeArn: agent.runtime_arn });
      else problems.push(`agents.${id}.runtime_arn: ${JSON.stringify(agent.runtime_arn.slice(0, 80))} is not an AgentCore runtime ARN (arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>).`);
      continue;
    }
    if (agent?.url !== undefined) continue;
    agents.push({ id, network: networkFor(id), bedrockModels: modelsFor(id) });
  }
  agents.push({ id: "master", network: networkFor("master"), bedrockModels: modelsFor("master") });

  const deployed = new Set(agents.map((a) => a.id));
  const eks = config.agents.eks?.data_source;
  const eksClusters = deployed.has("eks") && eks?.eks_cluster !== undefined ? [{ name: eks.eks_cluster, region: eks.region }] : [];
  const logs = config.agents["cloudwatch-logs"]?.data_source as { readonly log_groups?: ReadonlyArray<string>; readonly log_group_prefixes?: ReadonlyArray<string>; readonly region?: string } | undefined;
  const promUrl = config.agents.prometheus?.data_source?.["url"];
  const amp = deployed.has("prometheus") && typeof promUrl === "string" ? AMP_URL.exec(promUrl) : null;

  if (problems.length > 0) return Result.fail(new DeployConfigError({ problems }));
  return Result.succeed({
    app,
    stage,
    agents,
    external,
    intakeModels: bedrockModel(config.defaults.model),
    eksClusters,
    logGroups: logs?.log_groups,
    logGroupPrefixes: logs?.log_group_prefixes ?? [],
    logsRegion: logs?.region,
    ampWorkspace: amp !== null ? { region: amp[1]!, id: amp[2]! } : undefined,
    lambdaTimeoutSeconds: Math.min(MAX_LAMBDA_SECONDS, Math.ceil(config.investigation.hard_cutoff_seconds) + 60),
    dedupTtlHours: config.intake.dedup_ttl_hours,
    protect: PROTECTED_STAGES.has(stage),
    settings
  });
};
