/**
 * The claim logic of the DynamoDB dedup store, request by request: an expired item counts as
 * absent (for the condition, for the value the failed condition returns, and for reads), a
 * claim that keeps changing under concurrent writers gives up after three attempts, and each
 * operation names itself in its error; a failure other than the condition is the claim's answer,
 * and an interrupted operation aborts its request. The SDK client is real; its requests never
 * leave the process, or go to a loopback server that never answers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Effect, Fiber } from "effect";
import { describe, expect, it, vi } from "vitest";
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

  it("fails a claim with what DynamoDB said when the put fails for another reason than the condition, without reading", async () => {
    const { client, calls } = stubbedClient((call) => {
      if (call.command === "PutItemCommand") {
        throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
      }
      return { Item: item("someone-else", NOW / 1000 + 60) };
    });
    const error = await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client, tableName: "t", now: () => NOW }).putIfAbsent("k", "v", 60)));
    expect([error.operation, error.reason]).toEqual(["putIfAbsent", "throttled (retryable): ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput."]);
    expect(calls.map((c) => c.command)).toEqual(["PutItemCommand"]);
  });

  it("an interrupted claim, read or put aborts its request instead of leaving it open", async () => {
    // A DynamoDB endpoint that takes each request and never answers.
    let received = 0;
    let closed = 0;
    const server: Server = createServer((req) => {
      received++;
      req.socket.on("close", () => closed++);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new DynamoDBClient({
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      maxAttempts: 1
    });
    try {
      const store = makeDynamoDedupStore({ client, tableName: "t", now: () => NOW });
      const operations = [store.putIfAbsent("k", "v", 60), store.get("k"), store.put("k", "v", 60)];
      for (const [i, operation] of operations.entries()) {
        const fiber = Effect.runFork(operation);
        await vi.waitFor(() => expect(received).toBe(i + 1), { timeout: 5_000 });
        await Effect.runPromise(Fiber.interrupt(fiber));
        await vi.waitFor(() => expect(closed).toBe(i + 1), { timeout: 5_000 });
      }
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
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
