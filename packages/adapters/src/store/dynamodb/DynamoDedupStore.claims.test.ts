/**
 * The claim logic of the DynamoDB dedup store, request by request: an expired item counts as
 * absent (for the condition, for the value the failed condition returns, and for reads), a
 * claim that keeps changing under concurrent writers gives up after three attempts, and each
 * operation names itself in its error. The SDK client is real; its requests never leave the process.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { makeDynamoDedupStore } from "./DynamoDedupStore.js";

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

const stubbedClient = (respond: (call: Call, index: number) => unknown) => {
  const calls: Array<Call> = [];
  const client = new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = { command: String(context.commandName), input: args.input as Record<string, unknown> };
      calls.push(call);
      return { output: { $metadata: {}, ...(respond(call, calls.length - 1) as object) }, response: {} };
    },
    { step: "initialize" }
  );
  return { client, calls };
};

const NOW = 1_700_000_000_000;
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: { httpStatusCode: 400 } }), item === undefined ? {} : { Item: item });
const item = (value: string | undefined, expiresAtSeconds: number | undefined) => ({
  pk: { S: "k" },
  ...(value !== undefined ? { value: { S: value } } : {}),
  ...(expiresAtSeconds !== undefined ? { expiresAt: { N: String(expiresAtSeconds) } } : {})
});

describe("DynamoDedupStore claims", () => {
  it("takes the winner's value from the failed condition itself, asking DynamoDB to return it", async () => {
    const { client, calls } = stubbedClient((call) => {
      if (call.command === "PutItemCommand") throw conditionFailed(item("winner", NOW / 1000 + 60));
      return {};
    });
    expect(await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "t", now: () => NOW }).putIfAbsent("k", "loser", 60))).toEqual({ claimed: false, existing: "winner" });
    expect(calls.map((c) => c.command)).toEqual(["PutItemCommand"]);
    expect(calls[0]?.input).toMatchObject({ ReturnValuesOnConditionCheckFailure: "ALL_OLD" });
  });

  it("claims again when the item the condition tripped on has expired by the time it is read", async () => {
    const { client, calls } = stubbedClient((call, i) => {
      if (call.command === "PutItemCommand" && i === 0) throw conditionFailed(item("stale", NOW / 1000));
      if (call.command === "GetItemCommand") return { Item: item("stale", NOW / 1000) };
      return {};
    });
    expect(await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "t", now: () => NOW }).putIfAbsent("k", "fresh", 60))).toEqual({ claimed: true });
    expect(calls.map((c) => c.command)).toEqual(["PutItemCommand", "GetItemCommand", "PutItemCommand"]);
    expect(calls[1]?.input).toEqual({ TableName: "t", Key: { pk: { S: "k" } }, ConsistentRead: true });
  });

  it("gives up after three attempts when the claim keeps changing under concurrent writers", async () => {
    const { client, calls } = stubbedClient((call) => {
      if (call.command === "PutItemCommand") throw conditionFailed();
      return {};
    });
    const error = await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client, tableName: "t", now: () => NOW }).putIfAbsent("k", "v", 60)));
    expect(error.operation).toBe("putIfAbsent");
    expect(error.reason).toContain("the claim on k kept changing under concurrent writers");
    expect(calls.map((c) => c.command)).toEqual(["PutItemCommand", "GetItemCommand", "PutItemCommand", "GetItemCommand", "PutItemCommand", "GetItemCommand"]);
  });

  it("reads an item as absent when it has expired, has no expiry or has no value", async () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string | undefined]> = [
      [item("live", NOW / 1000 + 1), "live"],
      [item("expired-now", NOW / 1000), undefined],
      [item("expired", NOW / 1000 - 1), undefined],
      [item("no-expiry", undefined), undefined],
      [item(undefined, NOW / 1000 + 60), undefined],
      [{ pk: { S: "k" }, value: { S: "garbled" }, expiresAt: { N: "soon" } }, undefined]
    ];
    for (const [stored, expected] of cases) {
      const { client } = stubbedClient(() => ({ Item: stored }));
      expect(await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "t", now: () => NOW }).get("k")), JSON.stringify(stored)).toBe(expected);
    }
    const { client } = stubbedClient(() => ({}));
    expect(await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "t", now: () => NOW }).get("missing"))).toBeUndefined();
  });

  it("puts unconditionally, with the same item schema, and names the operation that failed", async () => {
    const { client, calls } = stubbedClient(() => ({}));
    await Effect.runPromise(makeDynamoDedupStore({ client, tableName: "dedup", now: () => NOW }).put("k", "C1/1700.2", 30));
    expect(calls[0]).toEqual({ command: "PutItemCommand", input: { TableName: "dedup", Item: { pk: { S: "k" }, value: { S: "C1/1700.2" }, expiresAt: { N: String(NOW / 1000 + 30) } } } });
    const broken = stubbedClient(() => {
      throw new Error("socket hang up");
    });
    const store = makeDynamoDedupStore({ client: broken.client, tableName: "t", now: () => NOW });
    expect((await Effect.runPromise(Effect.flip(store.put("k", "v", 1)))).operation).toBe("put");
    expect((await Effect.runPromise(Effect.flip(store.get("k")))).operation).toBe("get");
    expect((await Effect.runPromise(Effect.flip(store.putIfAbsent("k", "v", 1)))).operation).toBe("putIfAbsent");
  });
});
