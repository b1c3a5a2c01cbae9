import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ensureTraceStoreResources } from "@sre-on-call/adapters";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, type MotoServer, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { Effect, Option } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StartupError } from "./buildChats.js";
import { traceStoreFromEnv } from "./traceArchive.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

describe("traceStoreFromEnv", () => {
  it("is undefined when no archive is configured", () => {
    expect(traceStoreFromEnv({})).toBeUndefined();
    expect(traceStoreFromEnv({ SRE_TRACE_BUCKET: "", SRE_TRACE_TABLE: "" })).toBeUndefined();
  });

  it("refuses half an archive or a bad retention with a StartupError stating the fix", () => {
    expect(() => traceStoreFromEnv({ SRE_TRACE_BUCKET: "b" })).toThrow(StartupError);
    expect(() => traceStoreFromEnv({ SRE_TRACE_BUCKET: "b" })).toThrow(/SRE_TRACE_BUCKET is set but SRE_TRACE_TABLE is not/);
    expect(() => traceStoreFromEnv({ SRE_TRACE_TABLE: "t" })).toThrow(/SRE_TRACE_TABLE is set but SRE_TRACE_BUCKET is not/);
    expect(() => traceStoreFromEnv({ SRE_TRACE_BUCKET: "b", SRE_TRACE_TABLE: "t", SRE_TRACE_RETENTION_DAYS: "1.5" })).toThrow(/SRE_TRACE_RETENTION_DAYS/);
  });
});

describe.skipIf(!available)(`traceStoreFromEnv against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let dynamo: DynamoDBClient;
  let s3: S3Client;
  const saved = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };

  beforeAll(async () => {
    moto = await startMotoServer();
    dynamo = new DynamoDBClient(motoClientConfig(moto.endpoint));
    s3 = new S3Client({ ...motoClientConfig(moto.endpoint), forcePathStyle: true });
    process.env["AWS_ACCESS_KEY_ID"] = "testing";
    process.env["AWS_SECRET_ACCESS_KEY"] = "testing";
  });
  afterAll(async () => {
    for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    dynamo?.destroy();
    s3?.destroy();
    await moto?.stop();
  });

  it("builds an AwsTraceStore on the named bucket and table, encrypting under the named KMS key", async () => {
    await Effect.runPromise(ensureTraceStoreResources(dynamo, "traces", s3, "archive"));
    const store = traceStoreFromEnv({
      SRE_TRACE_BUCKET: "archive",
      SRE_TRACE_TABLE: "traces",
      SRE_TRACE_KMS_KEY_ID: "alias/sre-traces",
      SRE_TRACE_PREFIX: "prod",
      AWS_REGION: "us-east-1",
      SRE_DYNAMODB_ENDPOINT: moto!.endpoint,
      SRE_S3_ENDPOINT: moto!.endpoint
    });
    expect(store).toBeDefined();
    const header = { investigationId: "inv-env", channelId: "C1", threadId: "t1", startedAt: Date.UTC(2026, 10, 25, 12) };
    await Effect.runPromise(store!.open(header));
    await Effect.runPromise(store!.append({ investigationId: "inv-env", at: header.startedAt + 1, type: "received", data: {} }));
    const trace = Option.getOrThrow(await Effect.runPromise(store!.get("inv-env")));
    expect(trace.events.map((e) => e.type)).toEqual(["received"]);
    expect(await Effect.runPromise(store!.findByThread("C1", "t1"))).toEqual(["inv-env"]);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: "archive" }))).Contents ?? []).map((o) => o.Key ?? "");
    expect(keys.every((k) => k.startsWith("prod/dt=2026-11-25/investigation_id=inv-env/"))).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "archive", Key: keys[0]! }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toContain("alias/sre-traces");
  });
});
