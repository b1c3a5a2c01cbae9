import type { Input, InfraProvider, PolicyDocument, PolicyStatement } from "./InfraProvider.js";

/**
 * Actions IAM authorizes only against `Resource: "*"` (they name no resource type). Every other
 * statement this stack writes is scoped to ARNs of the stage's own resources or of resources
 * config.yaml names.
 */
export const RESOURCE_WILDCARD_ACTIONS: ReadonlySet<string> = new Set(["ecr:GetAuthorizationToken", "logs:GetQueryResults", "logs:StopQuery"]);

/** Bedrock cross-region inference profile ids start with a geography (`us.anthropic…`). */
const INFERENCE_PROFILE = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(.+)$/;

export interface Scope {
  readonly accountId: Input<string>;
  readonly region: Input<string>;
  readonly interpolate: InfraProvider["interpolate"];
}

/** IAM rejects repeated Sids; the builders give one Sid one meaning, so a repeat is a duplicate. */
export const policyDocument = (statements: ReadonlyArray<PolicyStatement>): PolicyDocument => {
  const seen = new Set<string>();
  return {
    Version: "2012-10-17",
    Statement: statements.filter((s) => {
      if (s.Sid === undefined) return true;
      if (seen.has(s.Sid)) return false;
      seen.add(s.Sid);
      return true;
    })
  };
};

export const allow = (sid: string, actions: ReadonlyArray<string>, resources: ReadonlyArray<Input<string>>, condition?: PolicyStatement["Condition"]): PolicyStatement => ({
  Sid: sid,
  Effect: "Allow",
  Action: actions,
  Resource: resources,
  ...(condition !== undefined ? { Condition: condition } : {})
});

/** Converse and ConverseStream are authorized as InvokeModel and InvokeModelWithResponseStream. */
export const invokeModels = (scope: Scope, modelIds: ReadonlyArray<string>): ReadonlyArray<PolicyStatement> => {
  if (modelIds.length === 0) return [];
  const { interpolate: i, region, accountId } = scope;
  const resources = [...new Set(modelIds)].flatMap((id): ReadonlyArray<Input<string>> => {
    const profile = INFERENCE_PROFILE.exec(id);
    if (profile === null) return [i`arn:aws:bedrock:${region}::foundation-model/${id}`];
    // A profile routes to the same model in the regions of its geography.
    return [i`arn:aws:bedrock:${region}:${accountId}:inference-profile/${id}`, i`arn:aws:bedrock:*::foundation-model/${profile[2]!}`];
  });
  return [allow("InvokeConfiguredModels", ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], resources)];
};

export const useKey = (keyArn: Input<string>): PolicyStatement => allow("UseStageKey", ["kms:Decrypt", "kms:GenerateDataKey"], [keyArn]);

export interface TraceArns {
  readonly table: Input<string>;
  readonly bucket: Input<string>;
  readonly key: Input<string>;
}

/** The trace archive: index items in the table, `dt=…/investigation_id=…/` objects in the bucket. */
export const writeTraces = (scope: Scope, t: TraceArns): ReadonlyArray<PolicyStatement> => [
  allow("TraceIndex", ["dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"], [t.table]),
  allow("TraceObjects", ["s3:GetObject", "s3:PutObject"], [scope.interpolate`${t.bucket}/dt=*`]),
  allow("TraceListing", ["s3:ListBucket"], [t.bucket], { StringLike: { "s3:prefix": ["dt=*"] } }),
  useKey(t.key)
];

export interface IncidentArns {
  readonly table: Input<string>;
  readonly bucket: Input<string>;
  readonly key: Input<string>;
}

/** Incident history: the index table (with its `byCreatedAt` index) and `incidents/` objects. */
export const readIncidents = (scope: Scope, t: IncidentArns): ReadonlyArray<PolicyStatement> => [
  allow("IncidentIndexRead", ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"], [t.table, scope.interpolate`${t.table}/index/*`]),
  allow("IncidentObjectsRead", ["s3:GetObject"], [scope.interpolate`${t.bucket}/incidents/*`]),
  useKey(t.key)
];

export const writeIncidents = (scope: Scope, t: IncidentArns): ReadonlyArray<PolicyStatement> => [
  allow("IncidentIndexWrite", ["dynamodb:PutItem"], [t.table]),
  allow("IncidentObjectsWrite", ["s3:DeleteObject", "s3:PutObject"], [scope.interpolate`${t.bucket}/incidents/*`])
];

export const readParameter = (scope: Scope, name: string): PolicyStatement =>
  allow("ReadConfig", ["ssm:GetParameter"], [scope.interpolate`arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${name}`]);

export const readSecrets = (arns: ReadonlyArray<Input<string>>): PolicyStatement => allow("ReadChatSecrets", ["secretsmanager:GetSecretValue"], arns);

/** What every AgentCore runtime needs: pull its own image and write its own logs. */
export const runtimeBasics = (scope: Scope, repositoryArn: Input<string>, runtimeName: string): ReadonlyArray<PolicyStatement> => {
  const { interpolate: i, region, accountId } = scope;
  return [
    allow("PullOwnImage", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repositoryArn]),
    allow("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]),
    allow(
      "OwnRuntimeLogs",
      ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      [i`arn:aws:logs:${region}:${accountId}:log-group:/aws/bedrock-agentcore/runtimes/${runtimeName}-*`]
    )
  ];
};

export const describeEksClusters = (scope: Scope, clusters: ReadonlyArray<{ readonly name: string; readonly region: string | undefined }>): ReadonlyArray<PolicyStatement> =>
  clusters.length === 0
    ? []
    : [allow("DescribeCluster", ["eks:DescribeCluster"], clusters.map((c) => scope.interpolate`arn:aws:eks:${c.region ?? scope.region}:${scope.accountId}:cluster/${c.name}`))];

/** Log groups named in config, or those under the configured prefixes, or (neither) every group of the region. */
export const queryLogs = (
  scope: Scope,
  source: { readonly logGroups: ReadonlyArray<string> | undefined; readonly logGroupPrefixes: ReadonlyArray<string>; readonly logsRegion: string | undefined }
): ReadonlyArray<PolicyStatement> => {
  const { interpolate: i, accountId } = scope;
  const region = source.logsRegion ?? scope.region;
  const patterns = source.logGroups !== undefined && source.logGroups.length > 0 ? source.logGroups : source.logGroupPrefixes.length > 0 ? source.logGroupPrefixes.map((p) => `${p}*`) : ["*"];
  const groups = patterns.flatMap((g) => [i`arn:aws:logs:${region}:${accountId}:log-group:${g}`, i`arn:aws:logs:${region}:${accountId}:log-group:${g}:*`]);
  return [
    allow("ListLogGroups", ["logs:DescribeLogGroups"], [i`arn:aws:logs:${region}:${accountId}:log-group:*`]),
    allow("ReadLogGroups", ["logs:FilterLogEvents", "logs:StartQuery"], groups),
    allow("QueryResults", ["logs:GetQueryResults", "logs:StopQuery"], ["*"])
  ];
};

export const queryAmp = (scope: Scope, workspace: { readonly region: string; readonly id: string }): PolicyStatement =>
  allow(
    "QueryPrometheus",
    ["aps:GetLabels", "aps:GetMetricMetadata", "aps:GetSeries", "aps:QueryMetrics"],
    [scope.interpolate`arn:aws:aps:${workspace.region}:${scope.accountId}:workspace/${workspace.id}`]
  );

/** A runtime's ARN and its endpoints (`…/runtime-endpoint/DEFAULT`), which InvokeAgentRuntime also checks. */
export const invokeRuntimes = (scope: Scope, runtimeArns: ReadonlyArray<Input<string>>): ReadonlyArray<PolicyStatement> =>
  runtimeArns.length === 0 ? [] : [allow("InvokeAgents", ["bedrock-agentcore:InvokeAgentRuntime"], runtimeArns.flatMap((arn) => [arn, scope.interpolate`${arn}/runtime-endpoint/*`]))];

export const agentCoreTrust = (accountId: Input<string>): PolicyDocument =>
  policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: "bedrock-agentcore.amazonaws.com" },
      Action: ["sts:AssumeRole"],
      Condition: { StringEquals: { "aws:SourceAccount": accountId } }
    }
  ]);
