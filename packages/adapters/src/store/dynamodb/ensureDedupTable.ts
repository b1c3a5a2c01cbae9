import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists
} from "@aws-sdk/client-dynamodb";
import { DedupError } from "@sre-on-call/core";
import { Effect } from "effect";
import { describeDynamoError } from "./describeDynamoError.js";

const TTL_ATTRIBUTE = "expiresAt";
const TABLE_WAIT_SECONDS = 60;

/**
 * Creates the dedup table (on-demand capacity, key `pk`) and turns on TTL for `expiresAt`,
 * unless they already exist: for local and development use. On AWS the deploy creates the table.
 */
export const ensureDedupTable = (client: DynamoDBClient, tableName: string): Effect.Effect<void, DedupError> =>
  Effect.tryPromise({
    try: async () => {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            BillingMode: "PAY_PER_REQUEST"
          })
        );
      } catch (e) {
        if (!(e instanceof ResourceInUseException)) throw e;
      }
      await waitUntilTableExists({ client, maxWaitTime: TABLE_WAIT_SECONDS }, { TableName: tableName });
      const ttl = (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
      const status = ttl?.TimeToLiveStatus;
      if (status === "ENABLED" || status === "ENABLING") {
        if (ttl?.AttributeName !== TTL_ATTRIBUTE) throw new Error(`TTL of ${tableName} is on ${ttl?.AttributeName}, not ${TTL_ATTRIBUTE}`);
        return;
      }
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } })
      );
    },
    catch: (e) => new DedupError({ operation: "ensureTable", reason: describeDynamoError(e).reason })
  });
