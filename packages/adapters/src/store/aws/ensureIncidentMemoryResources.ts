import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { CreateBucketCommand, PutPublicAccessBlockCommand } from "@aws-sdk/client-s3";
import { MemoryError } from "@sre-on-call/core";
import { Effect } from "effect";
import { describeAwsMemoryError } from "./describeAwsMemoryError.js";
import { RECENT_INDEX, RECENT_PARTITION_ATTRIBUTE } from "./incidentIndexItem.js";

const TABLE_WAIT_SECONDS = 60;

class Described extends Error {}

const createTable = async (dynamo: DynamoDBClient, table: string) => {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: RECENT_PARTITION_ATTRIBUTE, AttributeType: "S" },
          { AttributeName: "createdAt", AttributeType: "N" }
        ],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        GlobalSecondaryIndexes: [
          {
            IndexName: RECENT_INDEX,
            KeySchema: [
              { AttributeName: RECENT_PARTITION_ATTRIBUTE, KeyType: "HASH" },
              { AttributeName: "createdAt", KeyType: "RANGE" }
            ],
            Projection: { ProjectionType: "ALL" }
          }
        ],
        BillingMode: "PAY_PER_REQUEST"
      })
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  await waitUntilTableExists({ client: dynamo, maxWaitTime: TABLE_WAIT_SECONDS }, { TableName: table });
  const described = await dynamo.send(new DescribeTableCommand({ TableName: table }));
  const index = described.Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === RECENT_INDEX);
  const keys = index?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
  if (keys !== `${RECENT_PARTITION_ATTRIBUTE}:HASH,createdAt:RANGE`) {
    throw new Described(
      `DynamoDB table "${table}" exists without the ${RECENT_INDEX} index (${RECENT_PARTITION_ATTRIBUTE} HASH, createdAt RANGE) that incident memory needs`
    );
  }
};

const createBucket = async (s3: S3Client, bucket: string) => {
  const region = await s3.config.region();
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that rejects its own name as a location constraint.
        ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } })
      })
    );
  } catch (e) {
    const name = e instanceof Error ? e.name : "";
    if (name === "BucketAlreadyOwnedByYou") return;
    if (name === "BucketAlreadyExists") throw new Described(`S3 bucket "${bucket}" is taken by another account: choose another name`);
    throw e;
  }
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }
    })
  );
};

/**
 * Creates the index table (on demand, key `pk`, GSI `byCreatedAt` on `kind` + `createdAt`) and
 * the bucket (public access blocked), unless they exist: for tests and a first run. On AWS the
 * deploy creates both. Idempotent.
 */
export const ensureIncidentMemoryResources = (dynamo: DynamoDBClient, table: string, s3: S3Client, bucket: string): Effect.Effect<void, MemoryError> => {
  const step = (kind: "DynamoDB table" | "S3 bucket", name: string, run: () => Promise<void>) =>
    Effect.tryPromise({
      try: run,
      catch: (e) => new MemoryError({ operation: "ensureResources", reason: e instanceof Described ? e.message : describeAwsMemoryError({ kind, name }, e) })
    });
  return Effect.andThen(
    step("DynamoDB table", table, () => createTable(dynamo, table)),
    step("S3 bucket", bucket, () => createBucket(s3, bucket))
  );
};
