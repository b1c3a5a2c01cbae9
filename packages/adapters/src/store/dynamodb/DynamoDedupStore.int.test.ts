import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { dedupStoreContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MotoServer } from "../../testing/motoServer.js";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, startMotoServer } from "../../testing/motoServer.js";
import { makeDynamoDedupStore } from "./DynamoDedupStore.js";
import { ensureDedupTable } from "./ensureDedupTable.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

describe.skipIf(!available)(`DynamoDedupStore against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let client: DynamoDBClient;
  let tables = 0;
  const freshTable = async () => {
    const tableName = `dedup-${++tables}`;
    await Effect.runPromise(ensureDedupTable(client, tableName));
    return tableName;
  };

  beforeAll(async () => {
    moto = await startMotoServer();
    client = new DynamoDBClient(motoClientConfig(moto.endpoint));
  });

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  for (const c of dedupStoreContract({
    make: async (now) => ({ store: makeDynamoDedupStore({ client, tableName: await freshTable(), now }) })
  })) {
    it(c.name, c.run);
  }

  it("ensureDedupTable is idempotent and turns TTL on for expiresAt", async () => {
    const tableName = await freshTable();
    await Effect.runPromise(ensureDedupTable(client, tableName));
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
  });

  it("stores { pk, value, expiresAt } with expiresAt in epoch seconds", async () => {
    const tableName = await freshTable();
    const store = makeDynamoDedupStore({ client, tableName, now: () => 1_700_000_000_000 });
    await Effect.runPromise(store.putIfAbsent("slack:C1:1700.1", "inv-a", 3600));
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: "slack:C1:1700.1" } }, ConsistentRead: true }));
    expect(item.Item).toEqual({ pk: { S: "slack:C1:1700.1" }, value: { S: "inv-a" }, expiresAt: { N: "1700003600" } });
  });

  it("claims over an expired item that DynamoDB has not deleted yet", async () => {
    const tableName = await freshTable();
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: "k" }, value: { S: "stale" }, expiresAt: { N: "1600000000" } } }));
    const store = makeDynamoDedupStore({ client, tableName, now: () => 1_700_000_000_000 });
    expect(await Effect.runPromise(store.get("k"))).toBeUndefined();
    expect(await Effect.runPromise(store.putIfAbsent("k", "fresh", 60))).toEqual({ claimed: true });
    expect(await Effect.runPromise(store.get("k"))).toBe("fresh");
  });

  it("reports a missing table as a DedupError", async () => {
    const error = await Effect.runPromise(Effect.flip(makeDynamoDedupStore({ client, tableName: "no-such-table" }).get("k")));
    expect(error._tag).toBe("DedupError");
    expect(error.reason).toContain("table not found");
  });
});
