import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { DedupStoreShape, PutResult } from "@sre-on-call/core";
import { DedupError } from "@sre-on-call/core";
import { Effect } from "effect";
import { describeDynamoError } from "./describeDynamoError.js";

export interface DynamoDedupStoreOptions {
  readonly client: DynamoDBClient;
  /** A table keyed by `pk` (S) whose TTL attribute is `expiresAt`; see `ensureDedupTable`. */
  readonly tableName: string;
  /** Epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** A claim that expired between our failed conditional put and the read of its value gets this many more tries. */
const CLAIM_ATTEMPTS = 3;

type Item = Record<string, AttributeValue>;

/**
 * Dedup claims in DynamoDB, one item per key: `{ pk: S, value: S, expiresAt: N }`, `expiresAt`
 * in epoch seconds being the table's TTL attribute. A claim is a conditional put, so DynamoDB
 * decides the single winner across every process and machine. DynamoDB deletes expired items
 * only eventually (often within days), so an expired item that is still there counts as absent
 * both for the condition and for reads.
 */
export const makeDynamoDedupStore = (options: DynamoDedupStoreOptions): DedupStoreShape => {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  /** A claim never expires early: the TTL rounds up to the next whole second. */
  const expiresAt = (ttlSeconds: number) => Math.ceil((now() + ttlSeconds * 1000) / 1000);
  const liveValue = (item: Item | undefined): string | undefined => {
    const value = item?.["value"]?.S;
    const expires = Number(item?.["expiresAt"]?.N);
    return value !== undefined && Number.isFinite(expires) && expires * 1000 > now() ? value : undefined;
  };
  const toError = (operation: string) => (e: unknown) => new DedupError({ operation, reason: describeDynamoError(e).reason });
  const itemFor = (key: string, value: string, ttlSeconds: number): Item => ({
    pk: { S: key },
    value: { S: value },
    expiresAt: { N: String(expiresAt(ttlSeconds)) }
  });
  const read = (key: string, signal: AbortSignal) =>
    client
      .send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }), { abortSignal: signal })
      .then((out) => liveValue(out.Item));

  const claim = async (key: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<PutResult> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: itemFor(key, value, ttlSeconds),
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
            ExpressionAttributeValues: { ":now": { N: String(Math.floor(now() / 1000)) } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD"
          }),
          { abortSignal: signal }
        );
        return { claimed: true };
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        const existing = liveValue(e.Item) ?? (await read(key, signal));
        if (existing !== undefined) return { claimed: false, existing };
        if (attempt >= CLAIM_ATTEMPTS) throw new Error(`the claim on ${key} kept changing under concurrent writers`, { cause: e });
      }
    }
  };

  return {
    putIfAbsent: (key, value, ttlSeconds) =>
      Effect.tryPromise({ try: (signal) => claim(key, value, ttlSeconds, signal), catch: toError("putIfAbsent") }),
    get: (key) => Effect.tryPromise({ try: (signal) => read(key, signal), catch: toError("get") }),
    put: (key, value, ttlSeconds) =>
      Effect.tryPromise({
        try: async (signal) => {
          await client.send(new PutItemCommand({ TableName: tableName, Item: itemFor(key, value, ttlSeconds) }), { abortSignal: signal });
        },
        catch: toError("put")
      })
  };
};
