import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException
} from "@aws-sdk/client-dynamodb";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { makeDynamoDedupStore } from "./DynamoDedupStore.js";

interface Call {
  readonly command: string;
  readonly input: unknown;
}

/** A real SDK client whose requests never leave the process: `respond` answers each command in place of the service. */
const stubbedClient = (respond: (call: Call) => unknown) => {
  const calls: Array<Call> = [];
  const client = new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = { command: String(context.commandName), input: args.input };
      calls.push(call);
      return { output: { $metadata: {}, ...(respond(call) as object) }, response: {} };
    },
    { step: "initialize" }
  );
  return { client, calls };
};

const failWith = (error: unknown) => () => {
  throw error;
};

const metadata = { $metadata: { httpStatusCode: 400 } };

describe("DynamoDedupStore", () => {
  it("turns throttling into a DedupError that says it is retryable", async () => {
    const { client } = stubbedClient(failWith(new ProvisionedThroughputExceededException({ message: "rate exceeded", ...metadata })));
    const error = await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client, tableName: "t" }).putIfAbsent("k", "v", 60)));
    expect(error._tag).toBe("DedupError");
    expect(error.operation).toBe("putIfAbsent");
    expect(error.reason).toMatch(/^throttled \(retryable\): ProvisionedThroughputExceededException: rate exceeded/);
  });

  it("turns a 5xx or a refused connection into an 'unavailable (retryable)' DedupError", async () => {
    const server = stubbedClient(failWith(new InternalServerError({ message: "boom", $metadata: { httpStatusCode: 500 } })));
    expect((await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client: server.client, tableName: "t" }).get("k")))).reason).toMatch(
      /^unavailable \(retryable\)/
    );
    const network = stubbedClient(failWith(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })));
    expect((await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client: network.client, tableName: "t" }).put("k", "v", 1)))).reason).toMatch(
      /^unavailable \(retryable\)/
    );
  });

  it("says so when the table is missing, without calling it retryable", async () => {
    const { client } = stubbedClient(failWith(new ResourceNotFoundException({ message: "Requested resource not found", ...metadata })));
    const error = await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client, tableName: "t" }).get("k")));
    expect(error.reason).toBe("table not found: Requested resource not found");
  });

  it("reads the winner's value with a consistent GetItem when the failed condition returns no item", async () => {
    const now = () => 1_700_000_000_000;
    const { client, calls } = stubbedClient((call) => {
      if (call.command === "PutItemCommand") throw new ConditionalCheckFailedException({ message: "failed", ...metadata });
      return { Item: { pk: { S: "k" }, value: { S: "winner" }, expiresAt: { N: "1700000060" } } };
    });
    const result = await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "t", now }).putIfAbsent("k", "loser", 60));
    expect(result).toEqual({ claimed: false, existing: "winner" });
    expect(calls.map((c) => c.command)).toEqual(["PutItemCommand", "GetItemCommand"]);
    expect(calls[1]?.input).toMatchObject({ ConsistentRead: true });
  });

  it("writes the item schema with expiresAt in whole epoch seconds, rounded up", async () => {
    const { client, calls } = stubbedClient(() => ({}));
    await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "dedup", now: () => 1_700_000_000_400 }).putIfAbsent("k", "v", 10));
    expect(calls[0]?.input).toMatchObject({
      TableName: "dedup",
      Item: { pk: { S: "k" }, value: { S: "v" }, expiresAt: { N: "1700000011" } },
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
      ExpressionAttributeValues: { ":now": { N: "1700000000" } }
    });
  });
});
