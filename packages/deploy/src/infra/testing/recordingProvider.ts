import type { InfraProvider, Input, ResourceOptions } from "../InfraProvider.js";

/** One resource the stack declared: its type (`aws.dynamodb.Table`), logical name and arguments. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly opts: ResourceOptions | undefined;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface RecordingProvider {
  readonly provider: InfraProvider;
  readonly resources: ReadonlyArray<RecordedResource>;
  readonly ofType: (type: string) => ReadonlyArray<RecordedResource>;
  readonly byName: (name: string) => RecordedResource;
}

export const TEST_ACCOUNT = "123456789012";
export const TEST_REGION = "eu-west-1";

/** Recorded outputs are plain strings, so anything else reaching a resource is a bug in the stack. */
const text = (value: Input<unknown>, what: string): string => {
  if (typeof value !== "string") throw new Error(`${what}: expected a resolved string in the recording provider, got ${typeof value}`);
  return value;
};

/**
 * A provider that declares nothing: it records every resource with its arguments and hands back
 * outputs shaped like AWS's (ARNs, URLs), so tests can follow references between resources.
 */
export const makeRecordingProvider = (): RecordingProvider => {
  const resources: Array<RecordedResource> = [];
  const arn = (service: string, resource: string, region = TEST_REGION) => `arn:aws:${service}:${region}:${TEST_ACCOUNT}:${resource}`;
  const ctor = <Args, Out extends object>(type: string, outputs: (name: string, args: Record<string, unknown>) => Record<string, string>) =>
    class {
      constructor(name: string, args: object, opts?: ResourceOptions) {
        const out = outputs(name, args as Record<string, unknown>);
        if (resources.some((r) => r.name === name)) throw new Error(`duplicate logical name ${name}`);
        resources.push({ type, name, args: args as Record<string, unknown>, opts, outputs: out });
        Object.assign(this, out);
      }
    } as unknown as new (name: string, args: Args, opts?: ResourceOptions) => Out;

  const named = (args: Record<string, unknown>, what: string) => text(args["name"] as Input<unknown>, what);
  const provider: InfraProvider = {
    sst: {
      aws: {
        Function: ctor("sst.aws.Function", (_, a) => {
          const name = named(a, "sst.aws.Function name");
          return { name, arn: arn("lambda", `function:${name}`), url: `https://${name}.lambda-url.${TEST_REGION}.on.aws/` };
        })
      }
    },
    aws: {
      kms: {
        Key: ctor("aws.kms.Key", (name) => ({ arn: arn("kms", `key/${name}-0000`), keyId: `${name}-0000` })),
        Alias: ctor("aws.kms.Alias", (_, a) => ({ arn: arn("kms", text(a["name"] as Input<unknown>, "alias name")) }))
      },
      dynamodb: {
        Table: ctor("aws.dynamodb.Table", (_, a) => {
          const name = named(a, "table name");
          return { name, arn: arn("dynamodb", `table/${name}`) };
        })
      },
      s3: {
        Bucket: ctor("aws.s3.Bucket", (_, a) => {
          const bucket = text(a["bucket"] as Input<unknown>, "bucket name");
          return { bucket, id: bucket, arn: `arn:aws:s3:::${bucket}` };
        }),
        BucketServerSideEncryptionConfiguration: ctor("aws.s3.BucketServerSideEncryptionConfiguration", () => ({})),
        BucketPublicAccessBlock: ctor("aws.s3.BucketPublicAccessBlock", () => ({})),
        BucketPolicy: ctor("aws.s3.BucketPolicy", () => ({}))
      },
      secretsmanager: {
        Secret: ctor("aws.secretsmanager.Secret", (_, a) => {
          const name = named(a, "secret name");
          return { name, arn: arn("secretsmanager", `secret:${name}-AbCdEf`) };
        })
      },
      ssm: {
        Parameter: ctor("aws.ssm.Parameter", (_, a) => {
          const name = named(a, "parameter name");
          return { name, arn: arn("ssm", `parameter${name}`) };
        })
      },
      sqs: {
        Queue: ctor("aws.sqs.Queue", (_, a) => {
          const name = named(a, "queue name");
          return { name, arn: arn("sqs", name), url: `https://sqs.${TEST_REGION}.amazonaws.com/${TEST_ACCOUNT}/${name}` };
        })
      },
      ecr: {
        Repository: ctor("aws.ecr.Repository", (_, a) => {
          const name = named(a, "repository name");
          return { arn: arn("ecr", `repository/${name}`), repositoryUrl: `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/${name}` };
        })
      },
      iam: {
        Role: ctor("aws.iam.Role", (_, a) => {
          const name = named(a, "role name");
          return { name, arn: `arn:aws:iam::${TEST_ACCOUNT}:role/${name}` };
        }),
        RolePolicy: ctor("aws.iam.RolePolicy", () => ({}))
      },
      bedrock: {
        AgentcoreAgentRuntime: ctor("aws.bedrock.AgentcoreAgentRuntime", (_, a) => {
          const id = `${text(a["agentRuntimeName"] as Input<unknown>, "runtime name")}-AbC123dEf4`;
          return { agentRuntimeId: id, agentRuntimeArn: arn("bedrock-agentcore", `runtime/${id}`) };
        })
      },
      cloudwatch: { MetricAlarm: ctor("aws.cloudwatch.MetricAlarm", (_, a) => ({ arn: arn("cloudwatch", `alarm:${named(a, "alarm name")}`) })) },
      lambda: { FunctionEventInvokeConfig: ctor("aws.lambda.FunctionEventInvokeConfig", () => ({})) }
    },
    interpolate: (strings, ...values) => strings.reduce((acc, s, k) => acc + s + (k < values.length ? text(values[k], "interpolated value") : ""), ""),
    jsonStringify: (value) => JSON.stringify(value),
    accountId: TEST_ACCOUNT,
    region: TEST_REGION
  };
  return {
    provider,
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    byName: (name) => {
      const found = resources.find((r) => r.name === name);
      if (found === undefined) throw new Error(`no resource named ${name}; declared: ${resources.map((r) => r.name).join(", ")}`);
      return found;
    }
  };
};
