import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGENT_IDS } from "../config/AppConfig.js";
import type { AppConfig } from "../config/AppConfig.js";
import { decodeConfig, parseConfigText } from "../config/loadConfig.js";
import { type DeploySettings, deploySettingsFromEnv, planDeployment } from "./deployPlan.js";
import { deployStack, INTAKE_HANDLER } from "./deployStack.js";
import type { PolicyDocument } from "./InfraProvider.js";
import { agentRuntimeName } from "./names.js";
import { RESOURCE_WILDCARD_ACTIONS } from "./policies.js";
import { makeRecordingProvider, type RecordedResource, TEST_ACCOUNT, TEST_REGION } from "./testing/recordingProvider.js";

const ROOT_CONFIG = fileURLToPath(new URL("../../../../config.yaml", import.meta.url));
const settings: DeploySettings = { imageTag: "v1" };
const VPC: DeploySettings = { imageTag: "v1", vpc: { subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], securityGroupIds: ["sg-0123456789abcdef0"] } };

const config = (input: unknown): AppConfig => {
  const decoded = decodeConfig(input, "test");
  if (Result.isFailure(decoded)) throw new Error(decoded.failure.message);
  return decoded.success;
};

const deploy = (cfg: AppConfig, stage = "prod", s: DeploySettings = settings) => {
  const rec = makeRecordingProvider();
  const result = deployStack(rec.provider, { config: cfg, configText: "project: sre-on-call\n", settings: s }, stage);
  if (Result.isFailure(result)) throw new Error(result.failure.message);
  return { ...rec, outputs: result.success };
};

const runtimes = (resources: ReadonlyArray<RecordedResource>) => resources.filter((r) => r.type === "aws.bedrock.AgentcoreAgentRuntime");
const runtimeFor = (resources: ReadonlyArray<RecordedResource>, id: string) => runtimes(resources).find((r) => (r.args["environmentVariables"] as Record<string, string>)["AGENT_ID"] === id);
const envOf = (r: RecordedResource | undefined) => (r?.args["environmentVariables"] ?? {}) as Record<string, string>;
const policyOf = (r: RecordedResource): PolicyDocument => JSON.parse(r.args["policy"] as string) as PolicyDocument;
const agentPolicy = (resources: ReadonlyArray<RecordedResource>, id: string) => {
  const found = resources.find((r) => r.type === "aws.iam.RolePolicy" && r.args["name"] === `sre-on-call-prod-${id}-agent`);
  if (found === undefined) throw new Error(`no policy for ${id}`);
  return policyOf(found);
};
const actionsOn = (doc: PolicyDocument, action: string) => doc.Statement.filter((s) => s.Action.includes(action)).flatMap((s) => (s.Resource ?? []) as ReadonlyArray<string>);
const intakePermissions = (resources: ReadonlyArray<RecordedResource>) =>
  resources.find((r) => r.type === "sst.aws.Function")!.args["permissions"] as ReadonlyArray<{ actions: ReadonlyArray<string>; resources: ReadonlyArray<string> }>;

const full = config({
  agents: {
    master: { model: "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0" },
    eks: { data_source: { eks_cluster: "payments", region: "eu-west-1" } },
    "cloudwatch-logs": { data_source: { region: "eu-west-1", log_groups: ["/aws/eks/payments/cluster"] } },
    prometheus: { data_source: { url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234abcd-5678/" } },
    "slack-history": { data_source: { channels: ["C0ALERTS"] } },
    "discord-history": { enabled: false }
  }
});

describe("deployStack: agents", () => {
  it("gives the root config.yaml one A2A runtime, repository and role per enabled agent", () => {
    const parsed = parseConfigText(readFileSync(ROOT_CONFIG, "utf8"), "config.yaml");
    if (Result.isFailure(parsed)) throw new Error(parsed.failure.message);
    const { resources, ofType } = deploy(parsed.success);
    const ids = runtimes(resources).map((r) => envOf(r)["AGENT_ID"]);
    expect(ids.sort()).toEqual(["cloudwatch-logs", "eks", "incident-history", "master"]);
    expect(ofType("aws.ecr.Repository")).toHaveLength(4);
    expect(ofType("aws.iam.Role")).toHaveLength(4);
    for (const r of runtimes(resources)) {
      expect(r.args["protocolConfiguration"]).toEqual({ serverProtocol: "A2A" });
      expect(r.args["networkConfiguration"]).toEqual({ networkMode: "PUBLIC" });
      expect(r.args["agentRuntimeName"]).toMatch(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/);
      expect(r.args["agentRuntimeName"]).toContain("_prod_");
    }
  });

  it("runs each runtime from its own repository's image tag under its own role", () => {
    const { resources } = deploy(full);
    const eks = runtimeFor(resources, "eks")!;
    expect(eks.args["agentRuntimeArtifact"]).toEqual({ containerConfiguration: { containerUri: `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/sre-on-call-prod/eks:v1` } });
    expect(eks.args["roleArn"]).toBe(`arn:aws:iam::${TEST_ACCOUNT}:role/sre-on-call-prod-eks-agent`);
    expect(eks.opts?.dependsOn).toHaveLength(1);
    const trust = JSON.parse(resources.find((r) => r.type === "aws.iam.Role" && r.args["name"] === "sre-on-call-prod-eks-agent")!.args["assumeRolePolicy"] as string) as PolicyDocument;
    expect(trust.Statement[0]?.Principal).toEqual({ Service: "bedrock-agentcore.amazonaws.com" });
  });

  it("declares repositories and roles but no runtimes before the first image tag exists", () => {
    const { resources, ofType, outputs } = deploy(full, "prod", {});
    expect(runtimes(resources)).toEqual([]);
    expect(ofType("aws.ecr.Repository")).toHaveLength(6);
    expect(ofType("aws.iam.RolePolicy")).toHaveLength(6);
    expect(Object.keys(resources.find((r) => r.type === "sst.aws.Function")!.args["environment"] as object)).not.toContain("MASTER_AGENT_RUNTIME_ARN");
    expect(actionsOn(agentPolicy(resources, "master"), "bedrock-agentcore:InvokeAgentRuntime")).toEqual([]);
    expect(outputs.agents.eks).toEqual({ repositoryUrl: `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/sre-on-call-prod/eks`, roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/sre-on-call-prod-eks-agent`, networkMode: "PUBLIC" });
  });

  it("declares nothing for a disabled agent, and the master does not know it", () => {
    const { resources } = deploy(full);
    expect(runtimeFor(resources, "discord-history")).toBeUndefined();
    expect(resources.filter((r) => JSON.stringify(r.args).includes("discord-history"))).toEqual([]);
    const master = runtimeFor(resources, "master")!;
    expect(Object.keys(envOf(master))).not.toContain("DISCORD_HISTORY_AGENT_RUNTIME_ARN");
    const off = deploy(config({ agents: { eks: { enabled: false, data_source: { eks_cluster: "x", region: "eu-west-1" } } } }));
    expect(runtimeFor(off.resources, "eks")).toBeUndefined();
    expect(off.resources.some((r) => r.type === "aws.ecr.Repository" && String(r.args["name"]).endsWith("/eks"))).toBe(false);
  });

  it("hands the master every specialist's runtime ARN and lets it invoke exactly those", () => {
    const { resources } = deploy(full);
    const specialists = runtimes(resources).filter((r) => envOf(r)["AGENT_ID"] !== "master");
    expect(specialists.map((r) => envOf(r)["AGENT_ID"]).sort()).toEqual(["cloudwatch-logs", "eks", "incident-history", "prometheus", "slack-history"]);
    const arnOf = (id: string) => `arn:aws:bedrock-agentcore:${TEST_REGION}:${TEST_ACCOUNT}:runtime/${agentRuntimeName("sre-on-call", "prod", id as never)}-AbC123dEf4`;
    const env = envOf(runtimeFor(resources, "master"));
    expect(env["EKS_AGENT_RUNTIME_ARN"]).toBe(arnOf("eks"));
    expect(env["CLOUDWATCH_LOGS_AGENT_RUNTIME_ARN"]).toBe(arnOf("cloudwatch-logs"));
    expect(env["SLACK_HISTORY_AGENT_RUNTIME_ARN"]).toBe(arnOf("slack-history"));
    const invokable = actionsOn(agentPolicy(resources, "master"), "bedrock-agentcore:InvokeAgentRuntime");
    const expected = ["eks", "prometheus", "cloudwatch-logs", "slack-history", "incident-history"].flatMap((id) => [arnOf(id), `${arnOf(id)}/runtime-endpoint/*`]);
    expect([...invokable].sort()).toEqual(expected.sort());
    for (const id of ["eks", "prometheus", "slack-history"]) expect(actionsOn(agentPolicy(resources, id), "bedrock-agentcore:InvokeAgentRuntime")).toEqual([]);
  });

  it("uses a specialist hosted elsewhere by its runtime_arn without declaring one", () => {
    const external = "arn:aws:bedrock-agentcore:eu-west-1:210987654321:runtime/shared_eks-XyZ0987654";
    const { resources } = deploy(config({ agents: { eks: { runtime_arn: external } } }));
    expect(runtimeFor(resources, "eks")).toBeUndefined();
    expect(envOf(runtimeFor(resources, "master"))["EKS_AGENT_RUNTIME_ARN"]).toBe(external);
    expect(actionsOn(agentPolicy(resources, "master"), "bedrock-agentcore:InvokeAgentRuntime")).toContain(external);
  });

  it("rejects a runtime_arn that is not an AgentCore runtime ARN, naming the key", () => {
    const result = planDeployment(config({ agents: { eks: { runtime_arn: "arn:aws:lambda:eu-west-1:1:function:x" } } }), "prod", settings);
    expect(Result.isFailure(result) && result.failure.message).toContain("agents.eks.runtime_arn");
  });
});

describe("deployStack: network mode", () => {
  it("puts a VPC agent in the configured subnets and security groups, others stay PUBLIC", () => {
    const { resources } = deploy(config({ agents: { eks: { network_mode: "VPC", data_source: { eks_cluster: "payments", region: "eu-west-1", private_endpoint: true } } } }), "prod", VPC);
    expect(runtimeFor(resources, "eks")!.args["networkConfiguration"]).toEqual({
      networkMode: "VPC",
      networkModeConfig: { subnets: VPC.vpc!.subnetIds, securityGroups: VPC.vpc!.securityGroupIds }
    });
    expect(runtimeFor(resources, "master")!.args["networkConfiguration"]).toEqual({ networkMode: "PUBLIC" });
  });

  it("refuses a VPC agent without subnets with an error naming the key, and declares nothing", () => {
    const rec = makeRecordingProvider();
    const result = deployStack(rec.provider, { config: config({ agents: { eks: { network_mode: "VPC" } } }), configText: "", settings }, "prod");
    expect(Result.isFailure(result)).toBe(true);
    if (Result.isFailure(result)) {
      expect(result.failure._tag).toBe("DeployConfigError");
      expect(result.failure.message).toContain("agents.eks.network_mode");
      expect(result.failure.message).toContain("SRE_VPC_SUBNET_IDS");
    }
    expect(rec.resources).toEqual([]);
  });

  it("names defaults.network_mode when the VPC mode comes from the defaults", () => {
    const result = planDeployment(config({ defaults: { network_mode: "VPC" } }), "prod", settings);
    expect(Result.isFailure(result) && result.failure.problems.filter((p) => p.startsWith("defaults.network_mode")).length).toBeGreaterThan(0);
  });
});

describe("deployStack: data", () => {
  it("expires dedup entries with a TTL on expiresAt", () => {
    const dedup = deploy(full).byName("DedupTable");
    expect(dedup.args).toMatchObject({ name: "sre-on-call-prod-dedup", hashKey: "pk", billingMode: "PAY_PER_REQUEST", ttl: { attributeName: "expiresAt", enabled: true } });
  });

  it("gives the incident table the byCreatedAt index the adapter queries", () => {
    const incidents = deploy(full).byName("IncidentTable");
    expect(incidents.args["globalSecondaryIndexes"]).toEqual([{ name: "byCreatedAt", hashKey: "kind", rangeKey: "createdAt", projectionType: "ALL" }]);
  });

  it("encrypts the archive bucket with the stage key and blocks public access", () => {
    const { byName } = deploy(full);
    const key = byName("ArchiveKey");
    expect(key.args["enableKeyRotation"]).toBe(true);
    const bucket = byName("ArchiveBucket");
    expect(bucket.args["bucket"]).toBe(`sre-on-call-prod-archive-${TEST_ACCOUNT}`);
    const sse = byName("ArchiveBucketEncryption").args as { bucket: string; rules: ReadonlyArray<{ applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId: string } }> };
    expect(sse.bucket).toBe(bucket.outputs["id"]);
    expect(sse.rules[0]?.applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs["arn"] });
    expect(byName("ArchiveBucketPublicAccess").args).toEqual({ bucket: bucket.outputs["id"], blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    for (const table of ["TraceTable", "IncidentTable"]) expect(byName(table).args["serverSideEncryption"]).toEqual({ enabled: true, kmsKeyArn: key.outputs["arn"] });
  });

  it("stores config.yaml in the parameter every runtime and the Lambda are pointed at", () => {
    const { byName, resources } = deploy(full);
    const parameter = byName("ConfigParameter");
    expect(parameter.args).toMatchObject({ name: "/sre-on-call/prod/config", type: "String", tier: "Standard", value: "project: sre-on-call\n" });
    for (const r of runtimes(resources)) expect(envOf(r)["SRE_CONFIG_SSM_PARAMETER"]).toBe("/sre-on-call/prod/config");
  });

  it("keeps production data on removal and lets other stages be torn down", () => {
    expect(deploy(full, "prod").byName("ArchiveBucket").args["forceDestroy"]).toBe(false);
    expect(deploy(full, "prod").byName("SlackSecret").args["recoveryWindowInDays"]).toBe(7);
    expect(deploy(full, "dev").byName("ArchiveBucket").args["forceDestroy"]).toBe(true);
    expect(deploy(full, "dev").byName("SlackSecret").args["recoveryWindowInDays"]).toBe(0);
  });
});

describe("deployStack: least privilege", () => {
  const stackArnPrefixes = (resources: ReadonlyArray<RecordedResource>) =>
    resources.flatMap((r) => Object.entries(r.outputs).filter(([k]) => k === "arn" || k === "agentRuntimeArn").map(([, v]) => v));
  /** Resources config.yaml names (outside the stack, so not carrying the stage's prefix). */
  const configured = [
    `arn:aws:eks:eu-west-1:${TEST_ACCOUNT}:cluster/payments`,
    `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:*`,
    `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:/aws/eks/payments/cluster`,
    `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:/aws/eks/payments/cluster:*`,
    `arn:aws:aps:eu-west-1:${TEST_ACCOUNT}:workspace/ws-1234abcd-5678`,
    `arn:aws:bedrock:${TEST_REGION}:${TEST_ACCOUNT}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
    "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
  ];

  const allPolicies = (resources: ReadonlyArray<RecordedResource>) => [
    ...resources.filter((r) => r.type === "aws.iam.RolePolicy").map((r) => ({ who: String(r.args["name"]), statements: policyOf(r).Statement.map((s) => ({ actions: s.Action, resources: (s.Resource ?? []) as ReadonlyArray<string> })) })),
    { who: "intake", statements: intakePermissions(resources) }
  ];

  it("never grants a wildcard action, and scopes every resource to the stage or to what config.yaml names", () => {
    const { resources } = deploy(full);
    const owned = stackArnPrefixes(resources);
    for (const { who, statements } of allPolicies(resources)) {
      expect(statements.length, who).toBeGreaterThan(0);
      for (const s of statements) {
        for (const action of s.actions) expect(action, who).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        for (const resource of s.resources) {
          if (resource === "*") {
            expect(s.actions.every((a) => RESOURCE_WILDCARD_ACTIONS.has(a)), `${who}: ${s.actions.join(",")} on *`).toBe(true);
            continue;
          }
          const scoped = owned.some((arn) => resource.startsWith(arn)) || /sre-on-call[-/]prod[-/]|sre_on_call_prod_/.test(resource) || configured.includes(resource);
          expect(scoped, `${who}: ${resource}`).toBe(true);
        }
      }
    }
  });

  it("grants each specialist only its own data source", () => {
    const { resources } = deploy(full);
    expect(actionsOn(agentPolicy(resources, "eks"), "eks:DescribeCluster")).toEqual([`arn:aws:eks:eu-west-1:${TEST_ACCOUNT}:cluster/payments`]);
    expect(actionsOn(agentPolicy(resources, "cloudwatch-logs"), "logs:FilterLogEvents")).toEqual([
      `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:/aws/eks/payments/cluster`,
      `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:/aws/eks/payments/cluster:*`
    ]);
    expect(actionsOn(agentPolicy(resources, "prometheus"), "aps:QueryMetrics")).toEqual([`arn:aws:aps:eu-west-1:${TEST_ACCOUNT}:workspace/ws-1234abcd-5678`]);
    expect(actionsOn(agentPolicy(resources, "slack-history"), "secretsmanager:GetSecretValue")).toEqual([`arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:sre-on-call/prod/slack-AbCdEf`]);
    const history = agentPolicy(resources, "incident-history");
    expect(actionsOn(history, "dynamodb:Query")).toEqual([`arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/sre-on-call-prod-incidents`, `arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/sre-on-call-prod-incidents/index/*`]);
    expect(actionsOn(history, "s3:GetObject")).toEqual([`arn:aws:s3:::sre-on-call-prod-archive-${TEST_ACCOUNT}/incidents/*`]);
    expect(actionsOn(history, "dynamodb:PutItem")).toEqual([]);
    const crossGrants: ReadonlyArray<readonly [string, string]> = [
      ["eks", "logs:FilterLogEvents"],
      ["eks", "secretsmanager:GetSecretValue"],
      ["cloudwatch-logs", "eks:DescribeCluster"],
      ["prometheus", "dynamodb:Query"],
      ["slack-history", "s3:GetObject"],
      ["incident-history", "aps:QueryMetrics"]
    ];
    for (const [id, action] of crossGrants) expect(actionsOn(agentPolicy(resources, id), action), `${id} ${action}`).toEqual([]);
  });

  it("grants no AMP access when the Prometheus URL is not an AMP workspace", () => {
    const { resources } = deploy(config({ agents: { prometheus: { data_source: { url: "http://prometheus.monitoring:9090" } } } }));
    expect(actionsOn(agentPolicy(resources, "prometheus"), "aps:QueryMetrics")).toEqual([]);
  });

  it("lets the master invoke only the configured Bedrock models, and deterministic specialists none", () => {
    const { resources } = deploy(full);
    expect(actionsOn(agentPolicy(resources, "master"), "bedrock:InvokeModel").sort()).toEqual(configured.filter((r) => r.includes(":bedrock:")).sort());
    expect(actionsOn(agentPolicy(resources, "eks"), "bedrock:InvokeModel")).toEqual([]);
    const plain = deploy(config({ defaults: { model: "bedrock:anthropic.claude-3-haiku-20240307-v1:0" }, agents: { eks: { mode: "agent", data_source: { cluster_dump: "x" } } } }));
    expect(actionsOn(agentPolicy(plain.resources, "eks"), "bedrock:InvokeModel")).toEqual([`arn:aws:bedrock:${TEST_REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`]);
  });

  it("lets each runtime pull only its own image and write only its own logs", () => {
    const { resources } = deploy(full);
    for (const id of ["master", "eks"]) {
      const doc = agentPolicy(resources, id);
      expect(actionsOn(doc, "ecr:BatchGetImage")).toEqual([`arn:aws:ecr:${TEST_REGION}:${TEST_ACCOUNT}:repository/sre-on-call-prod/${id}`]);
      expect(actionsOn(doc, "logs:PutLogEvents")).toEqual([
        `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/${agentRuntimeName("sre-on-call", "prod", id as never)}-*`
      ]);
      expect(new Set(doc.Statement.map((s) => s.Sid)).size).toBe(doc.Statement.length);
    }
  });
});

describe("deployStack: intake Lambda", () => {
  it("is an arm64 Node 22 function with a URL, wired to the stage's tables, secrets and itself", () => {
    const { resources, outputs } = deploy(full);
    const fn = resources.find((r) => r.type === "sst.aws.Function")!;
    expect(fn.args).toMatchObject({ name: "sre-on-call-prod-intake", handler: INTAKE_HANDLER, runtime: "nodejs22.x", architecture: "arm64", url: true, timeout: "360 seconds" });
    const env = fn.args["environment"] as Record<string, string>;
    expect(env).toMatchObject({
      SRE_DEDUP_TABLE: "sre-on-call-prod-dedup",
      SRE_EXPERIMENT_TABLE: "sre-on-call-prod-experiments",
      SRE_TRACE_TABLE: "sre-on-call-prod-traces",
      SRE_INCIDENT_TABLE: "sre-on-call-prod-incidents",
      SRE_TRACE_BUCKET: `sre-on-call-prod-archive-${TEST_ACCOUNT}`,
      SRE_INCIDENT_BUCKET: `sre-on-call-prod-archive-${TEST_ACCOUNT}`,
      SRE_INVESTIGATOR_FUNCTION: "sre-on-call-prod-intake",
      SRE_CONFIG_SSM_PARAMETER: "/sre-on-call/prod/config",
      MASTER_AGENT_RUNTIME_ARN: outputs.agents.master?.runtimeArn
    });
    expect(Object.values(env).join("\n")).not.toMatch(/xox[bp]-/);
    const perms = intakePermissions(resources);
    const on = (action: string) => perms.filter((p) => p.actions.includes(action)).flatMap((p) => p.resources);
    expect(on("lambda:InvokeFunction")).toEqual([`arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:sre-on-call-prod-intake`]);
    expect(on("dynamodb:PutItem")).toContain(`arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/sre-on-call-prod-dedup`);
    // The intake reads the active experiment and records runs; defining and activating is the CLI's (an operator's role).
    expect(on("dynamodb:GetItem")).toContain(`arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/sre-on-call-prod-experiments`);
    expect(on("dynamodb:Query")).not.toContain(`arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/sre-on-call-prod-experiments`);
    expect(on("dynamodb:TransactWriteItems")).not.toContain(`arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/sre-on-call-prod-experiments`);
    // Slack, Discord and the alert webhooks' credentials: the public function URL refuses alerts without the last.
    expect(on("secretsmanager:GetSecretValue")).toHaveLength(3);
    expect(env["SRE_WEBHOOK_SECRET_ARN"]).toMatch(/^arn:aws:secretsmanager:/);
    expect(on("secretsmanager:GetSecretValue")).toContain(env["SRE_WEBHOOK_SECRET_ARN"]);
    expect(outputs.webhookSecret).toBe("sre-on-call/prod/webhook");
    expect(on("bedrock-agentcore:InvokeAgentRuntime")).toEqual([outputs.agents.master?.runtimeArn, `${String(outputs.agents.master?.runtimeArn)}/runtime-endpoint/*`]);
    expect(outputs.slackEventsUrl).toBe("https://sre-on-call-prod-intake.lambda-url.eu-west-1.on.aws/slack/events");
  });

  it("dead-letters failed asynchronous investigations instead of retrying them", () => {
    const { byName, resources } = deploy(full);
    const queue = byName("InvestigationDeadLetters");
    expect(byName("IntakeAsyncFailures").args).toMatchObject({ functionName: "sre-on-call-prod-intake", maximumRetryAttempts: 0, destinationConfig: { onFailure: { destination: queue.outputs["arn"] } } });
    expect(intakePermissions(resources).find((p) => p.actions.includes("sqs:SendMessage"))?.resources).toEqual([queue.outputs["arn"]]);
  });
});

describe("deployStack: alarms and names", () => {
  it("alarms on Lambda errors and throttles, DynamoDB throttles, dead letters and each runtime's errors", () => {
    const { ofType, resources } = deploy(full);
    const alarms = ofType("aws.cloudwatch.MetricAlarm").map((a) => a.args as Record<string, unknown>);
    const has = (namespace: string, metric: string, dims: Record<string, string>) => alarms.some((a) => a["namespace"] === namespace && a["metricName"] === metric && JSON.stringify(a["dimensions"]) === JSON.stringify(dims));
    expect(has("AWS/Lambda", "Errors", { FunctionName: "sre-on-call-prod-intake" })).toBe(true);
    expect(has("AWS/Lambda", "Throttles", { FunctionName: "sre-on-call-prod-intake" })).toBe(true);
    expect(has("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "sre-on-call-prod-investigation-dlq" })).toBe(true);
    for (const t of ["dedup", "traces", "incidents", "experiments"]) {
      expect(has("AWS/DynamoDB", "WriteThrottleEvents", { TableName: `sre-on-call-prod-${t}` })).toBe(true);
      expect(has("AWS/DynamoDB", "ReadThrottleEvents", { TableName: `sre-on-call-prod-${t}` })).toBe(true);
    }
    for (const r of runtimes(resources)) expect(has("Bedrock-AgentCore", "SystemErrors", { Resource: `arn:aws:bedrock-agentcore:${TEST_REGION}:${TEST_ACCOUNT}:runtime/${String(r.args["agentRuntimeName"])}-AbC123dEf4` })).toBe(true);
    expect(alarms.every((a) => a["alarmActions"] === undefined)).toBe(true);
    const notified = deploy(full, "prod", { imageTag: "v1", alarmTopicArn: `arn:aws:sns:eu-west-1:${TEST_ACCOUNT}:oncall` });
    expect(notified.ofType("aws.cloudwatch.MetricAlarm").every((a) => JSON.stringify(a.args["alarmActions"]) === JSON.stringify([`arn:aws:sns:eu-west-1:${TEST_ACCOUNT}:oncall`]))).toBe(true);
  });

  it("puts the stage into every physical name, so two stages never collide", () => {
    const named = (stage: string) =>
      deploy(full, stage).resources.flatMap((r) => [r.args["name"], r.args["bucket"], r.args["agentRuntimeName"]].filter((n): n is string => typeof n === "string"));
    const staging = named("staging");
    expect(staging.length).toBeGreaterThan(20);
    for (const n of staging) expect(n).toMatch(/sre-on-call[-/]staging|sre_on_call_staging/);
    const prod = new Set(named("prod"));
    expect(staging.filter((n) => prod.has(n))).toEqual([]);
  });

  it("keeps runtime names valid for every app and stage it accepts (property)", () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(word, word, (project, stage) => {
        const planned = planDeployment(config({ project }), stage, settings);
        if (project.length + stage.length > 30) return Result.isFailure(planned);
        if (Result.isFailure(planned)) return false;
        return AGENT_IDS.every((id) => /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/.test(agentRuntimeName(project, stage, id)));
      })
    );
  });

  it("rejects stage names AWS resource names cannot carry", () => {
    const result = planDeployment(full, "Prod_1", settings);
    expect(Result.isFailure(result) && result.failure.message).toContain('stage "Prod_1"');
  });
});

describe("deploySettingsFromEnv", () => {
  it("reads VPC ids, the image tag and the alarm topic", () => {
    const result = deploySettingsFromEnv({ SRE_VPC_SUBNET_IDS: "subnet-0123456789abcdef0, subnet-0123456789abcdef1", SRE_VPC_SECURITY_GROUP_IDS: "sg-0123456789abcdef0", SRE_IMAGE_TAG: "2026-11-25" });
    expect(result).toEqual(Result.succeed({ imageTag: "2026-11-25", vpc: { subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], securityGroupIds: ["sg-0123456789abcdef0"] } }));
    expect(deploySettingsFromEnv({})).toEqual(Result.succeed({}));
  });

  it("names each malformed variable", () => {
    const result = deploySettingsFromEnv({ SRE_VPC_SUBNET_IDS: "subnet-xyz", SRE_IMAGE_TAG: "a b", SRE_ALARM_TOPIC_ARN: "oncall" });
    expect(Result.isFailure(result)).toBe(true);
    if (Result.isFailure(result)) {
      const text = result.failure.message;
      for (const key of ["SRE_VPC_SUBNET_IDS: \"subnet-xyz\"", "set both", "SRE_IMAGE_TAG", "SRE_ALARM_TOPIC_ARN"]) expect(text).toContain(key);
    }
  });
});
