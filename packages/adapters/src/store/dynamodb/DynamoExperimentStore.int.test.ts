import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { experimentStoreContract, sampleExperiment } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MotoServer } from "../../testing/motoServer.js";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, startMotoServer } from "../../testing/motoServer.js";
import { ensureExperimentTable, makeDynamoExperimentStore } from "./DynamoExperimentStore.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

describe.skipIf(!available)(`DynamoExperimentStore against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let client: DynamoDBClient;
  let tables = 0;
  const freshTable = async () => {
    const tableName = `experiments-${++tables}`;
    await Effect.runPromise(ensureExperimentTable(client, tableName));
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

  for (const c of experimentStoreContract({ make: async () => ({ store: makeDynamoExperimentStore({ client, tableName: await freshTable() }) }) })) {
    it(c.name, c.run);
  }

  it("two store instances racing to activate different experiments: exactly one wins", async () => {
    const tableName = await freshTable();
    const a = makeDynamoExperimentStore({ client, tableName });
    const other = new DynamoDBClient(motoClientConfig(moto!.endpoint));
    const b = makeDynamoExperimentStore({ client: other, tableName });
    await Effect.runPromise(a.define(sampleExperiment("exp-a")));
    await Effect.runPromise(a.define(sampleExperiment("exp-b")));
    const exits = await Promise.all([Effect.runPromiseExit(a.activate("exp-a", 1)), Effect.runPromiseExit(b.activate("exp-b", 1))]);
    expect(exits.filter((x) => x._tag === "Success")).toHaveLength(1);
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: "active" }, sk: { S: "active" } }, ConsistentRead: true }));
    const winner = item.Item?.["experimentId"]?.S;
    expect(["exp-a", "exp-b"]).toContain(winner);
    expect((await Effect.runPromise(b.active()))?.id).toBe(winner);
    other.destroy();
  });

  it("stores the experiment as JSON under exp#<id>/meta and the sentinel under active/active", async () => {
    const tableName = await freshTable();
    const store = makeDynamoExperimentStore({ client, tableName });
    await Effect.runPromise(store.define(sampleExperiment("exp-x")));
    await Effect.runPromise(store.activate("exp-x", 7));
    const meta = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: "exp#exp-x" }, sk: { S: "meta" } }, ConsistentRead: true }));
    expect(JSON.parse(meta.Item?.["doc"]?.S ?? "{}")).toMatchObject({ id: "exp-x", state: "active", activatedAt: 7 });
    const sentinel = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: "active" }, sk: { S: "active" } }, ConsistentRead: true }));
    expect(sentinel.Item?.["experimentId"]?.S).toBe("exp-x");
  });

  it("reports a damaged stored experiment as invalid, not a crash", async () => {
    const tableName = await freshTable();
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: "exp#bad" }, sk: { S: "meta" }, doc: { S: "{not json" } } }));
    const error = await Effect.runPromise(Effect.flip(makeDynamoExperimentStore({ client, tableName }).get("bad")));
    expect(error.reason).toBe("invalid");
  });

  it("reports a missing table as unavailable", async () => {
    const error = await Effect.runPromise(Effect.flip(makeDynamoExperimentStore({ client, tableName: "no-such-table" }).list()));
    expect(error._tag).toBe("ExperimentError");
    expect(error.detail).toContain("table not found");
  });
});
