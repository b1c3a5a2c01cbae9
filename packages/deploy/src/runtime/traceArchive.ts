import { S3Client } from "@aws-sdk/client-s3";
import { makeAwsTraceStore } from "@sre-on-call/adapters";
import type { TraceStoreShape } from "@sre-on-call/core";
import { makeDynamoClient } from "../lambda/makeDynamoClient.js";
import { type Env, envValue, StartupError } from "./buildChats.js";

/**
 * The AWS trace archive when the environment names it: `SRE_TRACE_BUCKET` and `SRE_TRACE_TABLE`
 * (with optional `SRE_TRACE_KMS_KEY_ID`, `SRE_TRACE_PREFIX`, `SRE_TRACE_RETENTION_DAYS`, and the
 * `SRE_DYNAMODB_ENDPOINT` / `SRE_S3_ENDPOINT` overrides the other AWS stores use); undefined when
 * neither is set, so the caller keeps its embedded store. Naming only one of the two, or a
 * retention that is not a whole number of days, is a StartupError stating the fix.
 */
export const traceStoreFromEnv = (env: Env): TraceStoreShape | undefined => {
  const bucket = envValue(env, "SRE_TRACE_BUCKET");
  const table = envValue(env, "SRE_TRACE_TABLE");
  if (bucket === undefined && table === undefined) return undefined;
  if (bucket === undefined || table === undefined) {
    throw new StartupError(
      `${bucket === undefined ? "SRE_TRACE_TABLE" : "SRE_TRACE_BUCKET"} is set but ${bucket === undefined ? "SRE_TRACE_BUCKET" : "SRE_TRACE_TABLE"} is not: ` +
        "the trace archive needs both the S3 bucket and the DynamoDB index table (key pk: S, sk: S); set both, or neither for the embedded store."
    );
  }
  const retention = envValue(env, "SRE_TRACE_RETENTION_DAYS");
  const retentionDays = retention === undefined ? undefined : Number(retention);
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays >= 1)) {
    throw new StartupError(`SRE_TRACE_RETENTION_DAYS must be a whole number of days ≥ 1, not ${JSON.stringify(retention)}.`);
  }
  const region = envValue(env, "AWS_REGION");
  const dynamoEndpoint = envValue(env, "SRE_DYNAMODB_ENDPOINT");
  const s3Endpoint = envValue(env, "SRE_S3_ENDPOINT");
  const kmsKeyId = envValue(env, "SRE_TRACE_KMS_KEY_ID");
  const prefix = envValue(env, "SRE_TRACE_PREFIX");
  return makeAwsTraceStore({
    dynamo: makeDynamoClient({ ...(region !== undefined ? { region } : {}), ...(dynamoEndpoint !== undefined ? { endpoint: dynamoEndpoint } : {}) }),
    table,
    s3: new S3Client({ ...(region !== undefined ? { region } : {}), ...(s3Endpoint !== undefined ? { endpoint: s3Endpoint, forcePathStyle: true } : {}) }),
    bucket,
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {})
  });
};
