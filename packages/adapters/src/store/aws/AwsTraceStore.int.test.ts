import { CreateTableCommand, DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { GetBucketLifecycleConfigurationCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { InvestigationReport } from "@sre-on-call/core";
import { sampleReport, traceStoreContract } from "@sre-on-call/core/testing";
import { Effect, Option } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MotoServer } from "../../testing/motoServer.js";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, startMotoServer } from "../../testing/motoServer.js";
import { type AwsTraceStoreOptions, ensureTraceStoreResources, makeAwsTraceStore } from "./AwsTraceStore.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

const run = Effect.runPromise;
const NOV_14 = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const header = { investigationId: "inv-1", channelId: "C1", threadId: "1700000000.000100", startedAt: NOV_14 };

describe.skipIf(!available)(`AwsTraceStore against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let dynamo: DynamoDBClient;
  let s3: S3Client;
  let fresh = 0;

  const freshResources = async (retentionDays?: number) => {
    const n = ++fresh;
    const table = `traces-${n}`;
    const bucket = `trace-archive-${n}`;
    await run(ensureTraceStoreResources(dynamo, table, s3, bucket, retentionDays === undefined ? {} : { retentionDays }));
    return { table, bucket };
  };
  const freshStore = async (options: Partial<AwsTraceStoreOptions> = {}) => {
    const resources = await freshResources();
    return { ...resources, store: makeAwsTraceStore({ dynamo, s3, ...resources, ...options }) };
  };
  const keysIn = async (bucket: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key ?? "");
  const objectJson = async (bucket: string, key: string): Promise<unknown> =>
    JSON.parse((await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? "");

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

  for (const c of traceStoreContract({ make: async () => ({ store: (await freshStore()).store }) })) {
    it(c.name, c.run);
  }

  it("lays the archive out as dt=YYYY-MM-DD/investigation_id=<id>/ with header, event and report objects, SSE-KMS", async () => {
    const kmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { store, bucket } = await freshStore({ kmsKeyId, prefix: "/archive/" });
    await run(store.open({ ...header, investigationId: "inv/α 1" }));
    await run(store.append({ investigationId: "inv/α 1", at: NOV_14 + 5, type: "received", data: { text: "db down" } }));
    const report: InvestigationReport = { ...sampleReport, investigationId: "inv/α 1", kind: "initial", generatedAt: NOV_14 + 9 };
    await run(store.putReport(report));

    const base = "archive/dt=2023-11-14/investigation_id=inv%2F%CE%B1%201/";
    const keys = await keysIn(bucket);
    expect(keys).toHaveLength(3);
    expect(keys).toContain(`${base}header.json`);
    expect(keys).toContain(`${base}reports/initial-0001700000000009.json`);
    const eventKey = keys.find((k) => k.startsWith(`${base}events/`));
    expect(eventKey).toMatch(/events\/0001700000000005-\d{10}-[0-9a-z]{6}\.json$/);

    expect(await objectJson(bucket, `${base}header.json`)).toEqual({ ...header, investigationId: "inv/α 1" });
    expect(await objectJson(bucket, eventKey!)).toEqual({ investigationId: "inv/α 1", at: NOV_14 + 5, type: "received", data: { text: "db down" } });
    expect(await objectJson(bucket, `${base}reports/initial-0001700000000009.json`)).toEqual(report);
    for (const key of keys) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ServerSideEncryption).toBe("aws:kms");
      expect(head.SSEKMSKeyId).toBe(kmsKeyId);
      expect(head.ContentType).toBe("application/json");
    }
  });

  it("indexes an investigation by id and by channel + thread in DynamoDB, with a TTL when retention is set", async () => {
    const { store, table } = await freshStore({ retentionDays: 30 });
    await run(store.open({ ...header, channelId: "C#1", threadId: "t#2" }));
    const item = await dynamo.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "inv#inv-1" }, sk: { S: "inv" } } }));
    expect(item.Item).toEqual({
      pk: { S: "inv#inv-1" },
      sk: { S: "inv" },
      id: { S: "inv-1" },
      dt: { S: "2023-11-14" },
      channelId: { S: "C#1" },
      threadId: { S: "t#2" },
      startedAt: { N: String(NOV_14) },
      s3Prefix: { S: "dt=2023-11-14/investigation_id=inv-1/" },
      expiresAt: { N: String(NOV_14 / 1000 + 30 * 86_400) }
    });
    const thread = await dynamo.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: "thread#C%231#t%232" } } })
    );
    expect(thread.Items?.map((i) => i["sk"]?.S)).toEqual([`000${NOV_14}#inv-1`]);
    // '#' inside a channel or thread id cannot make two threads collide.
    expect(await run(store.findByThread("C#1", "t#2"))).toEqual(["inv-1"]);
    expect(await run(store.findByThread("C", "1#t#2"))).toEqual([]);
  });

  it("the first open wins and a later open repairs a missing header.json", async () => {
    const { store, bucket } = await freshStore();
    await run(store.open(header));
    await run(store.open({ ...header, channelId: "C-other" }));
    const trace = Option.getOrThrow(await run(store.get("inv-1")));
    expect(trace.channelId).toBe("C1");
    expect(await objectJson(bucket, "dt=2023-11-14/investigation_id=inv-1/header.json")).toEqual(header);
  });

  it("a second store instance (another Lambda) appends to an investigation it did not open", async () => {
    const { store, table, bucket } = await freshStore();
    await run(store.open(header));
    const other = makeAwsTraceStore({ dynamo, s3, table, bucket });
    await run(other.append({ investigationId: "inv-1", at: NOV_14 + 1, type: "agent_response", data: { agent: "eks" } }));
    await run(other.putReport({ ...sampleReport, investigationId: "inv-1", kind: "final" }));
    const trace = Option.getOrThrow(await run(store.get("inv-1")));
    expect(trace.events.map((e) => e.data)).toEqual([{ agent: "eks" }]);
    expect(trace.reports.map((r) => r.kind)).toEqual(["final"]);
  });

  it("a store configured with another prefix finds objects where the index says the writer put them", async () => {
    const { store, table, bucket } = await freshStore({ prefix: "team-a" });
    await run(store.open(header));
    await run(store.append({ investigationId: "inv-1", at: NOV_14 + 1, type: "received", data: {} }));
    const reader = makeAwsTraceStore({ dynamo, s3, table, bucket, prefix: "team-b" });
    await run(reader.append({ investigationId: "inv-1", at: NOV_14 + 2, type: "decision", data: {} }));
    expect(Option.getOrThrow(await run(reader.get("inv-1"))).events.map((e) => e.type)).toEqual(["received", "decision"]);
    expect((await keysIn(bucket)).every((k) => k.startsWith("team-a/dt=2023-11-14/investigation_id=inv-1/"))).toBe(true);
  });

  it("refuses an event too large for a trace object before writing it", async () => {
    const { store, bucket } = await freshStore();
    await run(store.open(header));
    const error = await run(Effect.flip(store.append({ investigationId: "inv-1", at: 1, type: "agent_response", data: { blob: "x".repeat(6 * 1024 * 1024) } })));
    expect(error.reason).toMatch(/would be \d+ bytes, more than the 5242880 a trace object may hold/);
    expect(await keysIn(bucket)).toEqual(["dt=2023-11-14/investigation_id=inv-1/header.json"]);
  });

  it("reports come back in generatedAt order, and putting the same report twice keeps one", async () => {
    const { store } = await freshStore();
    await run(store.open(header));
    const at = (kind: InvestigationReport["kind"], generatedAt: number): InvestigationReport => ({ ...sampleReport, investigationId: "inv-1", kind, generatedAt });
    await run(store.putReport(at("final", NOV_14 + 300)));
    await run(store.putReport(at("initial", NOV_14 + 100)));
    await run(store.putReport(at("enrichment", NOV_14 + 200)));
    await run(store.putReport(at("initial", NOV_14 + 100)));
    const trace = Option.getOrThrow(await run(store.get("inv-1")));
    expect(trace.reports.map((r) => r.kind)).toEqual(["initial", "enrichment", "final"]);
  });

  it("appending to an investigation that was never opened, or with bad input, is a readable TraceError", async () => {
    const { store, bucket } = await freshStore();
    const notOpened = await run(Effect.flip(store.append({ investigationId: "ghost", at: 1, type: "received", data: {} })));
    expect(notOpened._tag).toBe("TraceError");
    expect(notOpened.operation).toBe("append");
    expect(notOpened.reason).toBe("investigation ghost was not opened: open it before appending to it");
    expect(notOpened.message).toBe("trace store append failed: investigation ghost was not opened: open it before appending to it");

    expect((await run(Effect.flip(store.open({ ...header, investigationId: "" })))).reason).toMatch(/^invalid investigation id/);
    expect((await run(Effect.flip(store.open({ ...header, startedAt: Number.NaN })))).reason).toBe("invalid startedAt for investigation inv-1: NaN");
    expect((await run(Effect.flip(store.open({ ...header, startedAt: 9e15 })))).reason).toBe("invalid startedAt for investigation inv-1: 9000000000000000");
    await run(store.open(header));
    expect((await run(Effect.flip(store.append({ investigationId: "inv-1", at: -1, type: "received", data: {} })))).reason).toMatch(/^invalid event time/);
    const bigint = await run(Effect.flip(store.append({ investigationId: "inv-1", at: 1, type: "received", data: { n: 10n } })));
    expect(bigint.reason).toMatch(/^cannot serialise .*events\/.* as JSON/);
    expect(await keysIn(bucket)).toEqual(["dt=2023-11-14/investigation_id=inv-1/header.json"]);
    expect(Option.isNone(await run(store.get("")))).toBe(true);
  });

  it("a missing bucket or table is a TraceError that names it", async () => {
    const { table, bucket } = await freshResources();
    const noBucket = makeAwsTraceStore({ dynamo, table, s3, bucket: "no-such-bucket" });
    const opened = await run(Effect.flip(noBucket.open(header)));
    expect(opened.reason).toMatch(/^S3 bucket "no-such-bucket" not found/);

    const noTable = makeAwsTraceStore({ dynamo, table: "no-such-table", s3, bucket });
    for (const effect of [noTable.open(header), noTable.get("inv-1"), noTable.findByThread("C1", "t")]) {
      const error = await run(Effect.flip(effect as Effect.Effect<unknown, { readonly reason: string }>));
      expect(error.reason).toMatch(/^DynamoDB table "no-such-table" not found/);
    }
  });

  it("a corrupt or foreign object in an investigation's folder is a readable TraceError on get", async () => {
    const { store, bucket } = await freshStore();
    await run(store.open(header));
    const key = "dt=2023-11-14/investigation_id=inv-1/events/0000000000000001-0000000000-aaaaaa.json";
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "not json" }));
    expect((await run(Effect.flip(store.get("inv-1")))).reason).toBe(`S3 bucket "${bucket}": object ${key} is not JSON`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify({ investigationId: "inv-1", at: 1, type: "party", data: {} }) }));
    expect((await run(Effect.flip(store.get("inv-1")))).reason).toMatch(new RegExp(`^S3 bucket "${bucket}": object .* is not a valid trace object: `));
  });

  it("retries throttled requests a bounded number of times", async () => {
    const { table, bucket } = await freshResources();
    const throttled = new DynamoDBClient(motoClientConfig(moto!.endpoint));
    let failures = 0;
    let remaining = 0;
    // Thrown before the SDK's own retry step, so only the store's retry sees it.
    throttled.middlewareStack.add(
      (next) => async (args) => {
        if (remaining > 0) {
          remaining--;
          failures++;
          throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: "initialize" }
    );
    try {
      const store = makeAwsTraceStore({ dynamo: throttled, table, s3, bucket, maxAttempts: 3 });
      remaining = 2;
      await run(store.open(header));
      expect(failures).toBe(2);
      expect(await run(store.findByThread("C1", header.threadId))).toEqual(["inv-1"]);

      remaining = 3;
      failures = 0;
      const error = await run(Effect.flip(store.findByThread("C1", header.threadId)));
      expect(failures).toBe(3);
      expect(error.reason).toMatch(new RegExp(`^throttled \\(retryable\\) by DynamoDB table "${table}"`));
    } finally {
      throttled.destroy();
    }
  });

  it("reads back a large investigation in append order (prints how long it took against moto)", async () => {
    const { store } = await freshStore();
    await run(store.open(header));
    const n = 200;
    const t0 = performance.now();
    await run(
      Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) => store.append({ investigationId: "inv-1", at: NOV_14 + i, type: i % 2 === 0 ? "agent_request" : "agent_response", data: { i } }),
        { concurrency: 16, discard: true }
      )
    );
    const t1 = performance.now();
    const trace = Option.getOrThrow(await run(store.get("inv-1")));
    const t2 = performance.now();
    expect(trace.events.map((e) => e.data["i"])).toEqual(Array.from({ length: n }, (_, i) => i));
    console.log(`[measure] AwsTraceStore on moto: ${n} appends (concurrency 16) ${Math.round(t1 - t0)} ms; get of ${n} events ${Math.round(t2 - t1)} ms`);
  }, 120_000);

  it("ensureTraceStoreResources is idempotent, sets the retention lifecycle, and refuses a table with another key", async () => {
    const { table, bucket } = await freshResources(90);
    await run(ensureTraceStoreResources(dynamo, table, s3, bucket, { retentionDays: 90 }));
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(lifecycle.Rules?.map((r) => [r.ID, r.Status, r.Expiration?.Days])).toEqual([["expire-traces", "Enabled", 90]]);

    await dynamo.send(
      new CreateTableCommand({
        TableName: "pk-only",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST"
      })
    );
    const error = await run(Effect.flip(ensureTraceStoreResources(dynamo, "pk-only", s3, bucket)));
    expect(error.operation).toBe("ensureResources");
    expect(error.reason).toBe('DynamoDB table "pk-only" exists with key pk:HASH, but the trace index needs pk (HASH) + sk (RANGE)');
  });
});
