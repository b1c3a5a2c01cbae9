/**
 * The resource constructors the deployment uses, typed structurally: `sst.config.ts` passes SST's
 * real globals (`sst.aws.Function`, Pulumi's `aws.*`), tests pass a recording provider. Only the
 * arguments this stack sets are declared; the names and shapes follow SST v4 and Pulumi AWS 7.
 */

/** A Pulumi output, seen from here: a value that is known once the resource exists. */
export interface Output<T> {
  readonly apply: <U>(fn: (value: T) => U) => Output<U>;
}
export type Input<T> = T | Output<T> | PromiseLike<T>;

export interface ResourceOptions {
  readonly dependsOn?: ReadonlyArray<unknown>;
}

type Ctor<Args, Out> = new (name: string, args: Args, opts?: ResourceOptions) => Out;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: ReadonlyArray<string>;
  readonly Resource?: ReadonlyArray<Input<string>>;
  readonly Principal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, Input<string> | ReadonlyArray<Input<string>>>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: ReadonlyArray<PolicyStatement>;
}

export interface KmsKeyArgs {
  readonly description: string;
  readonly enableKeyRotation: boolean;
  readonly deletionWindowInDays: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface DynamoTableArgs {
  readonly name: Input<string>;
  readonly billingMode: "PAY_PER_REQUEST";
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly attributes: ReadonlyArray<{ readonly name: string; readonly type: "S" | "N" | "B" }>;
  readonly ttl?: { readonly attributeName: string; readonly enabled: boolean };
  readonly globalSecondaryIndexes?: ReadonlyArray<{ readonly name: string; readonly hashKey: string; readonly rangeKey?: string; readonly projectionType: "ALL" | "KEYS_ONLY" }>;
  readonly serverSideEncryption: { readonly enabled: boolean; readonly kmsKeyArn?: Input<string> };
  readonly pointInTimeRecovery?: { readonly enabled: boolean };
  readonly deletionProtectionEnabled?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface BucketArgs {
  readonly bucket: Input<string>;
  readonly forceDestroy: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface BucketSseArgs {
  readonly bucket: Input<string>;
  readonly rules: ReadonlyArray<{
    readonly applyServerSideEncryptionByDefault: { readonly sseAlgorithm: "aws:kms"; readonly kmsMasterKeyId: Input<string> };
    readonly bucketKeyEnabled: boolean;
  }>;
}

export interface BucketPublicAccessBlockArgs {
  readonly bucket: Input<string>;
  readonly blockPublicAcls: boolean;
  readonly blockPublicPolicy: boolean;
  readonly ignorePublicAcls: boolean;
  readonly restrictPublicBuckets: boolean;
}

export interface BucketPolicyArgs {
  readonly bucket: Input<string>;
  readonly policy: Input<string>;
}

export interface SecretArgs {
  readonly name: Input<string>;
  readonly description: string;
  readonly recoveryWindowInDays: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SsmParameterArgs {
  readonly name: Input<string>;
  readonly type: "String";
  readonly tier: "Standard" | "Advanced";
  readonly value: Input<string>;
  readonly description: string;
}

export interface QueueArgs {
  readonly name: Input<string>;
  readonly messageRetentionSeconds: number;
  readonly sqsManagedSseEnabled: boolean;
}

export interface EcrRepositoryArgs {
  readonly name: Input<string>;
  readonly imageTagMutability: "MUTABLE" | "IMMUTABLE";
  readonly imageScanningConfiguration: { readonly scanOnPush: boolean };
  readonly forceDelete: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface IamRoleArgs {
  readonly name: Input<string>;
  readonly assumeRolePolicy: Input<string>;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface IamRolePolicyArgs {
  readonly name: Input<string>;
  readonly role: Input<string>;
  readonly policy: Input<string>;
}

export interface AgentRuntimeArgs {
  readonly agentRuntimeName: string;
  readonly description?: string;
  readonly roleArn: Input<string>;
  readonly agentRuntimeArtifact: { readonly containerConfiguration: { readonly containerUri: Input<string> } };
  readonly networkConfiguration: {
    readonly networkMode: "PUBLIC" | "VPC";
    readonly networkModeConfig?: { readonly subnets: ReadonlyArray<string>; readonly securityGroups: ReadonlyArray<string> };
  };
  readonly protocolConfiguration: { readonly serverProtocol: "A2A" | "HTTP" | "MCP" };
  readonly environmentVariables: Readonly<Record<string, Input<string>>>;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface MetricAlarmArgs {
  readonly name: Input<string>;
  readonly alarmDescription: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, Input<string>>>;
  readonly statistic: "Sum" | "Maximum" | "Average";
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
  readonly treatMissingData: "notBreaching" | "missing";
  readonly alarmActions?: ReadonlyArray<Input<string>>;
  readonly okActions?: ReadonlyArray<Input<string>>;
}

export interface EventInvokeConfigArgs {
  readonly functionName: Input<string>;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeInSeconds: number;
  readonly destinationConfig: { readonly onFailure: { readonly destination: Input<string> } };
}

/** `sst.aws.Function` arguments this stack sets. */
export interface FunctionArgs {
  readonly name: Input<string>;
  readonly description: string;
  readonly handler: string;
  readonly runtime: "nodejs22.x" | "nodejs24.x";
  readonly architecture: "arm64" | "x86_64";
  readonly memory: `${number} MB`;
  readonly timeout: `${number} seconds`;
  readonly url: boolean;
  readonly environment: Readonly<Record<string, Input<string>>>;
  readonly permissions: ReadonlyArray<{ readonly actions: ReadonlyArray<string>; readonly resources: ReadonlyArray<Input<string>> }>;
  readonly copyFiles: ReadonlyArray<{ readonly from: string; readonly to?: string }>;
  readonly logging: { readonly retention: "1 month" | "3 months" | "1 year" };
}

export interface InfraProvider {
  readonly sst: { readonly aws: { readonly Function: Ctor<FunctionArgs, { readonly arn: Input<string>; readonly name: Input<string>; readonly url: Input<string> }> } };
  readonly aws: {
    readonly kms: {
      readonly Key: Ctor<KmsKeyArgs, { readonly arn: Input<string>; readonly keyId: Input<string> }>;
      readonly Alias: Ctor<{ readonly name: string; readonly targetKeyId: Input<string> }, { readonly arn: Input<string> }>;
    };
    readonly dynamodb: { readonly Table: Ctor<DynamoTableArgs, { readonly arn: Input<string>; readonly name: Input<string> }> };
    readonly s3: {
      readonly Bucket: Ctor<BucketArgs, { readonly arn: Input<string>; readonly id: Input<string>; readonly bucket: Input<string> }>;
      readonly BucketServerSideEncryptionConfiguration: Ctor<BucketSseArgs, object>;
      readonly BucketPublicAccessBlock: Ctor<BucketPublicAccessBlockArgs, object>;
      readonly BucketPolicy: Ctor<BucketPolicyArgs, object>;
    };
    readonly secretsmanager: { readonly Secret: Ctor<SecretArgs, { readonly arn: Input<string>; readonly name: Input<string> }> };
    readonly ssm: { readonly Parameter: Ctor<SsmParameterArgs, { readonly arn: Input<string>; readonly name: Input<string> }> };
    readonly sqs: { readonly Queue: Ctor<QueueArgs, { readonly arn: Input<string>; readonly name: Input<string>; readonly url: Input<string> }> };
    readonly ecr: { readonly Repository: Ctor<EcrRepositoryArgs, { readonly arn: Input<string>; readonly repositoryUrl: Input<string> }> };
    readonly iam: {
      readonly Role: Ctor<IamRoleArgs, { readonly arn: Input<string>; readonly name: Input<string> }>;
      readonly RolePolicy: Ctor<IamRolePolicyArgs, object>;
    };
    readonly bedrock: { readonly AgentcoreAgentRuntime: Ctor<AgentRuntimeArgs, { readonly agentRuntimeArn: Input<string>; readonly agentRuntimeId: Input<string> }> };
    readonly cloudwatch: { readonly MetricAlarm: Ctor<MetricAlarmArgs, { readonly arn: Input<string> }> };
    readonly lambda: { readonly FunctionEventInvokeConfig: Ctor<EventInvokeConfigArgs, object> };
  };
  /** `$interpolate`: a string whose parts may be outputs. */
  readonly interpolate: (strings: TemplateStringsArray, ...values: ReadonlyArray<Input<unknown>>) => Input<string>;
  /** `$jsonStringify`: JSON text of a value that may hold outputs. */
  readonly jsonStringify: (value: unknown) => Input<string>;
  /** The account and region being deployed to (`aws.getCallerIdentityOutput`, `aws.getRegionOutput`). */
  readonly accountId: Input<string>;
  readonly region: Input<string>;
}
