import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { IncidentRecord, MemoryError } from "@sre-on-call/core";
import { incidentMemoryContract } from "@sre-on-call/core/testing";
import { Effect, Option } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MotoServer } from "../../testing/motoServer.js";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, startMotoServer } from "../../testing/motoServer.js";
import { type AwsIncidentMemoryOptions, makeAwsIncidentMemory } from "./AwsIncidentMemory.js";
import { ensureIncidentMemoryResources } from "./ensureIncidentMemoryResources.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

const run = Effect.runPromise;
const NOV_2023 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

const incident = (id: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord => ({
  investigationId: id,
  recordedAt: NOV_2023,
  title: `incident ${id}`,
  alertText: `alert for ${id}`,
  entities: {},
  severity: "medium",
  channelId: "C1",
  threadId: `${id}-thread`,
  ...overrides
});

const SERVICES = ["checkout", "payments", "orders", "search", "cart", "auth", "catalog", "shipping", "billing", "inventory"];
const NAMESPACES = ["shop", "payments", "platform", "data"];
const ALERTS: ReadonlyArray<readonly [string, (svc: string) => string]> = [
  ["KubePodCrashLooping", (s) => `pod ${s}-7d9f8b6c5-x2x9z is crash looping, back-off restarting failed container`],
  ["HighErrorRate", (s) => `${s} 5xx error ratio above 5% for 10 minutes`],
  ["HighLatencyP99", (s) => `${s} p99 latency above 2s on the ingress`],
  ["KubeDeploymentReplicasMismatch", (s) => `deployment ${s} has fewer available replicas than desired`],
  ["CPUThrottlingHigh", (s) => `container ${s} is throttled 60% of the time`],
  ["KubePersistentVolumeFillingUp", (s) => `volume data-${s}-0 is 92% full`]
];

/** 200 plausible incidents over the last months, none about Kafka consumer lag. */
const background = (): ReadonlyArray<IncidentRecord> =>
  Array.from({ length: 200 }, (_, i) => {
    const service = SERVICES[i % SERVICES.length]!;
    const [alertname, text] = ALERTS[i % ALERTS.length]!;
    return incident(`bg-${String(i).padStart(3, "0")}`, {
      recordedAt: NOV_2023 - i * 3_600_000 * 7,
      title: `${alertname} ${service}`,
      alertText: `${alertname} ${text(service)}`,
      entities: { alertname, namespace: NAMESPACES[i % NAMESPACES.length]!, deployment: service }
    });
  });

describe.skipIf(!available)(`AwsIncidentMemory against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let dynamo: DynamoDBClient;
  let s3: S3Client;
  let fresh = 0;

  const freshResources = async () => {
    const n = ++fresh;
    const table = `incidents-${n}`;
    const bucket = `incident-records-${n}`;
    await run(ensureIncidentMemoryResources(dynamo, table, s3, bucket));
    return { table, bucket };
  };
  const freshMemory = async (options: Partial<AwsIncidentMemoryOptions> = {}) => {
    const resources = await freshResources();
    return { ...resources, memory: makeAwsIncidentMemory({ dynamo, s3, ...resources, ...options }) };
  };
  const indexItem = (table: string, id: string) =>
    dynamo.send(new GetItemCommand({ TableName: table, Key: { pk: { S: `incident#${id}` } }, ConsistentRead: true })).then((o) => o.Item);
  const objectJson = async (bucket: string, key: string): Promise<unknown> =>
    JSON.parse((await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? "");
  const keysIn = async (bucket: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);

  beforeAll(async () => {
    moto = await startMotoServer();
    dynamo = new DynamoDBClient(motoClientConfig(moto.endpoint));
    s3 = new S3Client({ ...motoClientConfig(moto.endpoint), forcePathStyle: true });
  });

  afterAll(async () => {
    dynamo?.destroy();
    s3?.destroy();
    await moto?.stop();
  });

  for (const c of incidentMemoryContract({ make: async () => ({ memory: (await freshMemory()).memory }) })) {
    it(c.name, c.run);
  }

  it("stores the full record as JSON in S3 under <prefix>/<yyyy>/<mm>/<id>.json with SSE-S3, and a searchable index item", async () => {
    const { memory, table, bucket } = await freshMemory({ now: () => 1_700_000_500_000 });
    const record = incident("inv/1", {
      title: "checkout OOMKilled",
      alertText: "KubePodCrashLooping checkout OOMKilled",
      entities: { alertname: "KubePodCrashLooping", namespace: "shop", deployment: "checkout" },
      threadLink: "https://example.slack.com/archives/C1/p1",
      topHypothesis: { title: "memory limit too low", confidence: "high" }
    });
    await run(memory.remember(record));

    expect(await keysIn(bucket)).toEqual(["incidents/2023/11/inv%2F1.json"]);
    expect(await objectJson(bucket, "incidents/2023/11/inv%2F1.json")).toEqual(record);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "incidents/2023/11/inv%2F1.json" }));
    expect(head.ServerSideEncryption).toBe("AES256");
    expect(head.ContentType).toBe("application/json");

    expect(await indexItem(table, "inv/1")).toEqual({
      pk: { S: "incident#inv/1" },
      kind: { S: "incident" },
      id: { S: "inv/1" },
      createdAt: { N: String(NOV_2023) },
      title: { S: "checkout OOMKilled" },
      alertText: { S: "KubePodCrashLooping checkout OOMKilled" },
      entities: { M: { alertname: { S: "KubePodCrashLooping" }, namespace: { S: "shop" }, deployment: { S: "checkout" } } },
      severity: { S: "medium" },
      hypothesis: { S: "memory limit too low" },
      resolved: { BOOL: false },
      s3Key: { S: "incidents/2023/11/inv%2F1.json" },
      updatedAt: { N: "1700000500000" },
      revision: { N: "1" }
    });
  });

  it("encrypts with SSE-KMS under kmsKeyId and honours a custom prefix", async () => {
    const kmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { memory, bucket } = await freshMemory({ kmsKeyId, prefix: "team-a/incidents/" });
    await run(memory.remember(incident("inv-kms")));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "team-a/incidents/2023/11/inv-kms.json" }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toBe(kmsKeyId);
    expect(Option.getOrThrow(await run(memory.get("inv-kms"))).investigationId).toBe("inv-kms");
  });

  it("finds the one past Kafka lag incident among 200 others, and returns its full record from S3", async () => {
    const { memory } = await freshMemory();
    await run(Effect.forEach(background(), (r) => memory.remember(r), { concurrency: 8, discard: true }));
    const longText = `KafkaConsumerLagHigh orders-consumer group lag 250000 messages on topic orders, partitions rebalancing. ${"stack frame\n".repeat(600)}`;
    await run(
      memory.remember(
        incident("inv-kafka", {
          recordedAt: NOV_2023 - 40 * 24 * 3_600_000,
          title: "orders-consumer Kafka lag",
          alertText: longText,
          entities: { alertname: "KafkaConsumerLagHigh", namespace: "streaming", deployment: "orders-consumer" },
          outcome: { resolvedAt: NOV_2023, rootCause: "consumer group stuck rebalancing after a broker restart" }
        })
      )
    );
    expect(await run(memory.count())).toBe(201);

    const similar = await run(
      memory.similar({ text: "KafkaConsumerLagHigh: consumer lag growing for orders-consumer", entities: { namespace: "streaming", deployment: "orders-consumer" } }, 3)
    );
    expect(similar[0]?.record.investigationId).toBe("inv-kafka");
    expect(similar[0]?.record.alertText).toBe(longText);
    expect(similar[0]?.record.outcome?.rootCause).toBe("consumer group stuck rebalancing after a broker restart");
    expect(similar.length).toBeLessThanOrEqual(3);

    const crash = await run(
      memory.similar({ text: "KubePodCrashLooping pod cart-5c6d7e8f9-abcde crash looping", entities: { alertname: "KubePodCrashLooping", deployment: "cart" } }, 5)
    );
    expect(crash.length).toBe(5);
    for (const s of crash) expect(s.record.entities.alertname).toBe("KubePodCrashLooping");
    expect(crash[0]?.record.entities.deployment).toBe("cart");
  }, 120_000);

  it("ranks only the most recent maxCandidates incidents", async () => {
    const { memory, table, bucket } = await freshMemory();
    await run(Effect.forEach(background().slice(0, 60), (r) => memory.remember(r), { concurrency: 8, discard: true }));
    const match = { text: "ZookeeperSessionExpired ledger-writer", entities: { deployment: "ledger-writer" } };
    const zk = { title: "ZookeeperSessionExpired ledger-writer", alertText: "session expired" };
    await run(memory.remember(incident("zk-old", { ...zk, recordedAt: 1_600_000_000_000 })));
    await run(memory.remember(incident("zk-new", { ...zk, recordedAt: NOV_2023 + 1 })));

    const bounded = makeAwsIncidentMemory({ dynamo, table, s3, bucket, maxCandidates: 20 });
    expect((await run(bounded.similar(match, 5))).map((s) => s.record.investigationId)).toEqual(["zk-new"]);
    expect((await run(memory.similar(match, 5))).map((s) => s.record.investigationId).sort()).toEqual(["zk-new", "zk-old"]);
  });

  it("resolve updates the S3 record and the index item's flag, outcome and root cause", async () => {
    const { memory, table, bucket } = await freshMemory({ now: () => 1_700_000_900_000 });
    await run(memory.remember(incident("inv-r", { topHypothesis: { title: "bad deploy", confidence: "medium" } })));
    expect(await run(memory.resolve("inv-r", { resolvedAt: 1_700_000_800_000, rootCause: "bad deploy of 1.4.2", notes: "rolled back" }))).toBe(true);

    expect(await objectJson(bucket, "incidents/2023/11/inv-r.json")).toMatchObject({
      investigationId: "inv-r",
      topHypothesis: { title: "bad deploy", confidence: "medium" },
      outcome: { resolvedAt: 1_700_000_800_000, rootCause: "bad deploy of 1.4.2", notes: "rolled back" }
    });
    expect(await indexItem(table, "inv-r")).toMatchObject({
      resolved: { BOOL: true },
      resolvedAt: { N: "1700000800000" },
      rootCause: { S: "bad deploy of 1.4.2" },
      hypothesis: { S: "bad deploy" },
      updatedAt: { N: "1700000900000" },
      revision: { N: "2" }
    });

    // Resolving again without a root cause replaces the outcome in both stores.
    expect(await run(memory.resolve("inv-r", { resolvedAt: 1_700_000_850_000 }))).toBe(true);
    expect(Option.getOrThrow(await run(memory.get("inv-r"))).outcome).toEqual({ resolvedAt: 1_700_000_850_000 });
    expect((await indexItem(table, "inv-r"))?.["rootCause"]).toBeUndefined();

    expect(await run(memory.resolve("never-remembered", { resolvedAt: 1 }))).toBe(false);
    expect(await keysIn(bucket)).toEqual(["incidents/2023/11/inv-r.json"]);
  });

  it("re-remembering an incident in another month moves its object and removes the old one", async () => {
    const { memory, table, bucket } = await freshMemory();
    await run(memory.remember(incident("inv-m", { recordedAt: NOV_2023 })));
    await run(memory.remember(incident("inv-m", { recordedAt: Date.UTC(2024, 0, 3), title: "moved" })));
    expect(await keysIn(bucket)).toEqual(["incidents/2024/01/inv-m.json"]);
    expect((await indexItem(table, "inv-m"))?.["s3Key"]).toEqual({ S: "incidents/2024/01/inv-m.json" });
    expect(Option.getOrThrow(await run(memory.get("inv-m"))).title).toBe("moved");
    expect(await run(memory.count())).toBe(1);
  });

  it("concurrent remember and resolve calls on one incident leave S3 and the index in agreement", async () => {
    const { memory, table, bucket } = await freshMemory();
    await run(memory.remember(incident("inv-race")));
    const writes = [
      ...Array.from({ length: 4 }, (_, i) => memory.resolve("inv-race", { resolvedAt: 1_700_000_000_000 + i, rootCause: `cause ${i}` })),
      memory.remember(incident("inv-race", { recordedAt: Date.UTC(2024, 1, 1), title: "re-remembered in February" })),
      memory.remember(incident("inv-race", { title: "re-remembered in November" }))
    ];
    const settled = await Promise.all(writes.map((w) => run(Effect.result(w))));
    for (const r of settled) {
      if (r._tag === "Failure") expect(r.failure.reason).toBe("incident inv-race kept changing under concurrent writers; try again");
    }
    expect(settled.filter((r) => r._tag === "Success").length).toBeGreaterThan(0);

    const item = await indexItem(table, "inv-race");
    const stored = Option.getOrThrow(await run(memory.get("inv-race")));
    expect(await keysIn(bucket)).toEqual([item?.["s3Key"]?.S]);
    expect(item?.["title"]?.S).toBe(stored.title);
    expect(item?.["createdAt"]?.N).toBe(String(stored.recordedAt));
    expect(item?.["resolved"]?.BOOL).toBe(stored.outcome !== undefined);
    expect(item?.["rootCause"]?.S).toBe(stored.outcome?.rootCause);
  });

  it("a missing bucket or table is a MemoryError that names it", async () => {
    const { table, bucket } = await freshResources();
    const noBucket = makeAwsIncidentMemory({ dynamo, table, s3, bucket: "no-such-bucket" });
    const remembered = await run(Effect.flip(noBucket.remember(incident("inv-x"))));
    expect(remembered._tag).toBe("MemoryError");
    expect(remembered.operation).toBe("remember");
    expect(remembered.reason).toMatch(/^S3 bucket "no-such-bucket" not found/);
    expect(remembered.message).toContain("incident memory remember failed");

    const noTable = makeAwsIncidentMemory({ dynamo, table: "no-such-table", s3, bucket });
    for (const effect of [noTable.get("inv-x"), noTable.similar({ text: "anything", entities: {} }, 3), noTable.count(), noTable.remember(incident("inv-x"))]) {
      const error = await run(Effect.flip(effect as Effect.Effect<unknown, MemoryError>));
      expect(error.reason).toMatch(/^DynamoDB table "no-such-table" not found/);
    }
  });

  it("an index item whose object is gone, or an object that is not a record, is a readable MemoryError", async () => {
    const { memory, bucket } = await freshMemory();
    await run(memory.remember(incident("inv-c")));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "incidents/2023/11/inv-c.json", Body: '{"investigationId":"inv-c","title":3}' }));
    const corrupt = await run(Effect.flip(memory.get("inv-c")));
    expect(corrupt.reason).toMatch(/^S3 bucket "incident-records-\d+": s3 object incidents\/2023\/11\/inv-c.json: invalid incident record/);

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "incidents/2023/11/inv-c.json", Body: "not json" }));
    expect((await run(Effect.flip(memory.similar({ text: "alert for inv-c", entities: {} }, 1)))).reason).toContain("is not JSON");
  });

  it("rejects a malformed record before writing anything", async () => {
    const { memory, bucket } = await freshMemory();
    const error = await run(Effect.flip(memory.remember(incident("inv-bad", { recordedAt: Number.NaN }))));
    expect(error.reason).toMatch(/^invalid incident record/);
    expect((await run(Effect.flip(memory.remember(incident(""))))).reason).toMatch(/^invalid incident record/);
    expect(await keysIn(bucket)).toEqual([]);
    expect(await run(memory.count())).toBe(0);
    expect(Option.isNone(await run(memory.get("")))).toBe(true);
  });

  it("ensureIncidentMemoryResources is idempotent and refuses a table without the byCreatedAt index", async () => {
    const { table, bucket } = await freshResources();
    await run(ensureIncidentMemoryResources(dynamo, table, s3, bucket));

    await dynamo.send(
      new CreateTableCommand({
        TableName: "plain-table",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST"
      })
    );
    const error = await run(Effect.flip(ensureIncidentMemoryResources(dynamo, "plain-table", s3, bucket)));
    expect(error.operation).toBe("ensureResources");
    expect(error.reason).toBe('DynamoDB table "plain-table" exists without the byCreatedAt index (kind HASH, createdAt RANGE) that incident memory needs');
  });
});
