import { Result } from "effect";
import type { AgentId, AppConfig } from "../config/AppConfig.js";
import { type AgentPlan, type DeployConfigError, type DeploySettings, planDeployment } from "./deployPlan.js";
import type { Input, InfraProvider, MetricAlarmArgs, PolicyStatement } from "./InfraProvider.js";
import { agentRuntimeName, configParameterName, ecrRepositoryName, logicalName, resourcePrefix, runtimeArnEnv, secretName } from "./names.js";
import {
  agentCoreTrust,
  allow,
  describeEksClusters,
  invokeModels,
  invokeRuntimes,
  policyDocument,
  queryAmp,
  queryLogs,
  readIncidents,
  readParameter,
  readSecrets,
  runtimeBasics,
  type Scope,
  writeIncidents,
  writeTraces
} from "./policies.js";

export interface DeployInput {
  readonly config: AppConfig;
  /** config.yaml as written; stored in the SSM parameter the agents read. */
  readonly configText: string;
  readonly settings: DeploySettings;
}

export interface AgentOutputs {
  readonly repositoryUrl: Input<string>;
  /** Absent until an image tag is deployed (SRE_IMAGE_TAG). */
  readonly runtimeArn?: Input<string>;
  readonly roleArn: Input<string>;
  readonly networkMode: "PUBLIC" | "VPC";
}

/** What `sst deploy` prints and the scripts read (`sst output`-style). */
export interface StackOutputs {
  readonly intakeUrl: Input<string>;
  /** The Slack app's Event Subscriptions and slash-command Request URL. */
  readonly slackEventsUrl: Input<string>;
  readonly discordInteractionsUrl: Input<string>;
  readonly intakeFunction: string;
  readonly slackSecret: string;
  readonly discordSecret: string;
  readonly webhookSecret: string;
  readonly configParameter: string;
  readonly traceBucket: Input<string>;
  readonly agents: Readonly<Partial<Record<AgentId, AgentOutputs>>>;
}

/** The handler inside the function bundle (SST bundles it from the repository root). */
export const INTAKE_HANDLER = "packages/deploy/src/lambda/handler.handler";
const SSM_STANDARD_MAX_BYTES = 4096;
const FIVE_MINUTES = 300;
const TWO_WEEKS_SECONDS = 14 * 24 * 3600;

/**
 * Declares one stage of sre-on-call: intake Lambda (function URL), dedup / trace / incident
 * tables, the KMS-encrypted archive bucket, chat secrets, the config parameter, and per enabled
 * agent an ECR repository, an IAM role and an A2A AgentCore runtime; plus alarms. A config that
 * cannot be deployed is a {@link DeployConfigError}, before any resource is declared.
 */
export const deployStack = (provider: InfraProvider, input: DeployInput, stage: string): Result.Result<StackOutputs, DeployConfigError> => {
  const planned = planDeployment(input.config, stage, input.settings);
  if (Result.isFailure(planned)) return Result.fail(planned.failure);
  const plan = planned.success;
  const { aws, sst, interpolate: i, jsonStringify } = provider;
  const { app } = plan;
  const p = resourcePrefix(app, stage);
  const scope: Scope = { accountId: provider.accountId, region: provider.region, interpolate: i };
  const alarmActions = plan.settings.alarmTopicArn !== undefined ? { alarmActions: [plan.settings.alarmTopicArn], okActions: [plan.settings.alarmTopicArn] } : {};
  const alarm = (logical: string, args: Omit<MetricAlarmArgs, "period" | "evaluationPeriods" | "treatMissingData" | "comparisonOperator" | "statistic">) =>
    new aws.cloudwatch.MetricAlarm(logical, {
      statistic: "Sum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      ...alarmActions,
      ...args
    });

  const key = new aws.kms.Key("ArchiveKey", {
    description: `${p}: traces, incident records and their index tables`,
    enableKeyRotation: true,
    deletionWindowInDays: 30
  });
  new aws.kms.Alias("ArchiveKeyAlias", { name: `alias/${p}-archive`, targetKeyId: key.keyId });

  const dedupTable = new aws.dynamodb.Table("DedupTable", {
    name: `${p}-dedup`,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    attributes: [{ name: "pk", type: "S" }],
    ttl: { attributeName: "expiresAt", enabled: true },
    serverSideEncryption: { enabled: true }
  });
  const traceTable = new aws.dynamodb.Table("TraceTable", {
    name: `${p}-traces`,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    rangeKey: "sk",
    attributes: [
      { name: "pk", type: "S" },
      { name: "sk", type: "S" }
    ],
    ttl: { attributeName: "expiresAt", enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: plan.protect
  });
  // A/B experiments: definitions, the single-active sentinel and every variant's run.
  const experimentTable = new aws.dynamodb.Table("ExperimentTable", {
    name: `${p}-experiments`,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    rangeKey: "sk",
    attributes: [
      { name: "pk", type: "S" },
      { name: "sk", type: "S" }
    ],
    serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: plan.protect
  });
  const incidentTable = new aws.dynamodb.Table("IncidentTable", {
    name: `${p}-incidents`,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    attributes: [
      { name: "pk", type: "S" },
      { name: "kind", type: "S" },
      { name: "createdAt", type: "N" }
    ],
    globalSecondaryIndexes: [{ name: "byCreatedAt", hashKey: "kind", rangeKey: "createdAt", projectionType: "ALL" }],
    serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: plan.protect
  });

  // Bucket names are global: the account id keeps two accounts' stages apart.
  const bucket = new aws.s3.Bucket("ArchiveBucket", { bucket: i`${p}-archive-${provider.accountId}`, forceDestroy: !plan.protect });
  new aws.s3.BucketServerSideEncryptionConfiguration("ArchiveBucketEncryption", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }]
  });
  new aws.s3.BucketPublicAccessBlock("ArchiveBucketPublicAccess", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true
  });
  new aws.s3.BucketPolicy("ArchiveBucketTlsOnly", {
    bucket: bucket.id,
    policy: jsonStringify(
      policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: [bucket.arn, i`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } }
        }
      ])
    )
  });

  const recoveryWindowInDays = plan.protect ? 7 : 0;
  const slackSecretName = secretName(app, stage, "slack");
  const discordSecretName = secretName(app, stage, "discord");
  const slackSecret = new aws.secretsmanager.Secret("SlackSecret", {
    name: slackSecretName,
    description: "Slack app credentials as JSON: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (scripts/hydrate-secrets.ts)",
    recoveryWindowInDays
  });
  const discordSecret = new aws.secretsmanager.Secret("DiscordSecret", {
    name: discordSecretName,
    description: "Discord app credentials as JSON: DISCORD_BOT_TOKEN, DISCORD_PUBLIC_KEY, DISCORD_APPLICATION_ID (scripts/hydrate-secrets.ts)",
    recoveryWindowInDays
  });
  // The function URL is public: the alert webhooks refuse every request until this secret holds credentials.
  const webhookSecretName = secretName(app, stage, "webhook");
  const webhookSecret = new aws.secretsmanager.Secret("WebhookSecret", {
    name: webhookSecretName,
    description: "Alert webhook credentials as JSON: SRE_WEBHOOK_TOKEN, or SRE_WEBHOOK_USERNAME and SRE_WEBHOOK_PASSWORD (scripts/hydrate-secrets.ts)",
    recoveryWindowInDays
  });

  const parameterName = configParameterName(app, stage);
  new aws.ssm.Parameter("ConfigParameter", {
    name: parameterName,
    type: "String",
    tier: Buffer.byteLength(input.configText, "utf8") > SSM_STANDARD_MAX_BYTES ? "Advanced" : "Standard",
    value: input.configText,
    description: `${p}: config.yaml`
  });

  const traces = { table: traceTable.arn, bucket: bucket.arn, key: key.arn };
  const incidents = { table: incidentTable.arn, bucket: bucket.arn, key: key.arn };
  const traceEnv = { SRE_TRACE_TABLE: traceTable.name, SRE_TRACE_BUCKET: bucket.bucket, SRE_TRACE_KMS_KEY_ID: key.arn };
  const incidentEnv = { SRE_INCIDENT_TABLE: incidentTable.name, SRE_INCIDENT_BUCKET: bucket.bucket, SRE_INCIDENT_KMS_KEY: key.arn };

  const agentOutputs: Partial<Record<AgentId, AgentOutputs>> = {};
  const specialistArns: Array<readonly [AgentId, Input<string>]> = plan.external.map((e) => [e.id, e.runtimeArn] as const);

  const agentAccess = (agent: AgentPlan): { readonly statements: ReadonlyArray<PolicyStatement>; readonly env: Readonly<Record<string, Input<string>>> } => {
    switch (agent.id) {
      case "master":
        return {
          statements: [...invokeRuntimes(scope, specialistArns.map(([, arn]) => arn)), ...writeTraces(scope, traces)],
          env: { ...traceEnv, ...Object.fromEntries(specialistArns.map(([id, arn]) => [runtimeArnEnv(id), arn])) }
        };
      case "eks":
        return { statements: describeEksClusters(scope, plan.eksClusters), env: {} };
      case "cloudwatch-logs":
        return { statements: queryLogs(scope, plan), env: {} };
      case "prometheus":
        return { statements: plan.ampWorkspace !== undefined ? [queryAmp(scope, plan.ampWorkspace)] : [], env: {} };
      case "incident-history":
        return { statements: readIncidents(scope, incidents), env: incidentEnv };
      case "slack-history":
        return { statements: [readSecrets([slackSecret.arn])], env: { SRE_SLACK_SECRET_ARN: slackSecret.arn } };
      case "discord-history":
        return { statements: [readSecrets([discordSecret.arn])], env: { SRE_DISCORD_SECRET_ARN: discordSecret.arn } };
    }
  };

  for (const agent of plan.agents) {
    const name = logicalName(agent.id);
    const runtimeName = agentRuntimeName(app, stage, agent.id);
    const repository = new aws.ecr.Repository(`${name}Repository`, {
      name: ecrRepositoryName(app, stage, agent.id),
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      forceDelete: !plan.protect
    });
    const role = new aws.iam.Role(`${name}AgentRole`, {
      name: `${p}-${agent.id}-agent`,
      description: `AgentCore runtime ${runtimeName}`,
      assumeRolePolicy: jsonStringify(agentCoreTrust(provider.accountId))
    });
    const access = agentAccess(agent);
    const policy = new aws.iam.RolePolicy(`${name}AgentPolicy`, {
      name: `${p}-${agent.id}-agent`,
      role: role.name,
      policy: jsonStringify(
        policyDocument([...runtimeBasics(scope, repository.arn, runtimeName), readParameter(scope, parameterName), ...access.statements, ...invokeModels(scope, agent.bedrockModels)])
      )
    });
    const outputs = { repositoryUrl: repository.repositoryUrl, roleArn: role.arn, networkMode: agent.network.mode };
    const imageTag = plan.settings.imageTag;
    if (imageTag === undefined) {
      agentOutputs[agent.id] = outputs;
      continue;
    }
    const runtime = new aws.bedrock.AgentcoreAgentRuntime(
      `${name}Runtime`,
      {
        agentRuntimeName: runtimeName,
        description: `sre-on-call ${agent.id} agent (${stage})`,
        roleArn: role.arn,
        agentRuntimeArtifact: { containerConfiguration: { containerUri: i`${repository.repositoryUrl}:${imageTag}` } },
        networkConfiguration:
          agent.network.mode === "VPC"
            ? { networkMode: "VPC", networkModeConfig: { subnets: agent.network.subnetIds, securityGroups: agent.network.securityGroupIds } }
            : { networkMode: "PUBLIC" },
        protocolConfiguration: { serverProtocol: "A2A" },
        environmentVariables: { AGENT_ID: agent.id, SRE_STAGE: stage, SRE_CONFIG_SSM_PARAMETER: parameterName, ...access.env }
      },
      // The runtime pulls its image with the role as soon as it exists.
      { dependsOn: [policy] }
    );
    // AgentCore publishes runtime metrics in the Bedrock-AgentCore namespace, by runtime ARN.
    alarm(`${name}RuntimeErrors`, {
      name: `${p}-${agent.id}-runtime-errors`,
      alarmDescription: `The ${agent.id} agent's AgentCore runtime returned server errors`,
      namespace: "Bedrock-AgentCore",
      metricName: "SystemErrors",
      dimensions: { Resource: runtime.agentRuntimeArn },
      threshold: 1
    });
    if (agent.id !== "master") specialistArns.push([agent.id, runtime.agentRuntimeArn]);
    agentOutputs[agent.id] = { ...outputs, runtimeArn: runtime.agentRuntimeArn };
  }

  const deadLetters = new aws.sqs.Queue("InvestigationDeadLetters", { name: `${p}-investigation-dlq`, messageRetentionSeconds: TWO_WEEKS_SECONDS, sqsManagedSseEnabled: true });
  const functionName = `${p}-intake`;
  const masterArn = agentOutputs.master?.runtimeArn;
  const intake = new sst.aws.Function("Intake", {
    name: functionName,
    description: `sre-on-call intake (${stage}): Slack, Discord and alert webhooks`,
    handler: INTAKE_HANDLER,
    runtime: "nodejs22.x",
    architecture: "arm64",
    memory: "1024 MB",
    timeout: `${plan.lambdaTimeoutSeconds} seconds`,
    url: true,
    copyFiles: [{ from: "config.yaml", to: "config.yaml" }],
    logging: { retention: "1 month" },
    environment: {
      SRE_STAGE: stage,
      SRE_CONFIG_SSM_PARAMETER: parameterName,
      SRE_DEDUP_TABLE: dedupTable.name,
      SRE_EXPERIMENT_TABLE: experimentTable.name,
      SRE_INVESTIGATOR_FUNCTION: functionName,
      SRE_SLACK_SECRET_ARN: slackSecret.arn,
      SRE_DISCORD_SECRET_ARN: discordSecret.arn,
      SRE_WEBHOOK_SECRET_ARN: webhookSecret.arn,
      ...traceEnv,
      ...incidentEnv,
      ...(masterArn !== undefined ? { [runtimeArnEnv("master")]: masterArn } : {})
    },
    permissions: [
      ...policyDocument([
        allow("Dedup", ["dynamodb:GetItem", "dynamodb:PutItem"], [dedupTable.arn]),
        // Reads the active experiment and records both variants' runs (the CLI defines and activates).
        allow("Experiments", ["dynamodb:GetItem", "dynamodb:PutItem"], [experimentTable.arn]),
        readSecrets([slackSecret.arn, discordSecret.arn, webhookSecret.arn]),
        readParameter(scope, parameterName),
        // Investigations run in an asynchronous invocation of this same function.
        allow("InvokeSelf", ["lambda:InvokeFunction"], [i`arn:aws:lambda:${provider.region}:${provider.accountId}:function:${functionName}`]),
        allow("DeadLetters", ["sqs:SendMessage"], [deadLetters.arn]),
        ...writeTraces(scope, traces),
        ...readIncidents(scope, incidents),
        ...writeIncidents(scope, incidents),
        ...invokeRuntimes(scope, masterArn !== undefined ? [masterArn] : []),
        ...invokeModels(scope, plan.intakeModels)
      ]).Statement.map((s) => ({ actions: s.Action, resources: s.Resource ?? [] }))
    ]
  });
  new aws.lambda.FunctionEventInvokeConfig("IntakeAsyncFailures", {
    functionName: intake.name,
    // A retried investigation would post its report twice; a failed one is kept for inspection.
    maximumRetryAttempts: 0,
    maximumEventAgeInSeconds: 3600,
    destinationConfig: { onFailure: { destination: deadLetters.arn } }
  });

  alarm("IntakeErrors", {
    name: `${p}-intake-errors`,
    alarmDescription: "The intake Lambda failed invocations",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: intake.name },
    threshold: 1
  });
  alarm("IntakeThrottles", {
    name: `${p}-intake-throttles`,
    alarmDescription: "The intake Lambda was throttled (Slack retries, then gives up)",
    namespace: "AWS/Lambda",
    metricName: "Throttles",
    dimensions: { FunctionName: intake.name },
    threshold: 1
  });
  alarm("InvestigationDeadLettersAlarm", {
    name: `${p}-investigation-dead-letters`,
    alarmDescription: "An asynchronous investigation failed and was dead-lettered",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: deadLetters.name },
    threshold: 1
  });
  for (const [logical, table, suffix] of [
    ["Dedup", dedupTable, "dedup"],
    ["Trace", traceTable, "traces"],
    ["Incident", incidentTable, "incidents"],
    ["Experiment", experimentTable, "experiments"]
  ] as const) {
    for (const kind of ["Read", "Write"] as const) {
      alarm(`${logical}Table${kind}Throttles`, {
        name: `${p}-${suffix}-${kind.toLowerCase()}-throttles`,
        alarmDescription: `DynamoDB throttled ${kind.toLowerCase()}s on ${p}-${suffix}`,
        namespace: "AWS/DynamoDB",
        metricName: `${kind}ThrottleEvents`,
        dimensions: { TableName: table.name },
        threshold: 1
      });
    }
  }

  return Result.succeed({
    intakeUrl: intake.url,
    slackEventsUrl: i`${intake.url}slack/events`,
    discordInteractionsUrl: i`${intake.url}discord/interactions`,
    intakeFunction: functionName,
    slackSecret: slackSecretName,
    discordSecret: discordSecretName,
    webhookSecret: webhookSecretName,
    configParameter: parameterName,
    traceBucket: bucket.bucket,
    agents: agentOutputs
  });
};
