import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { IncidentRecord } from "@sre-on-call/core";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { makeAwsIncidentMemory } from "./AwsIncidentMemory.js";
import { describeAwsMemoryError, redactCredentials } from "./describeAwsMemoryError.js";

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

const credentials = { accessKeyId: "x", secretAccessKey: "y" };

/** Real SDK clients whose requests never leave the process: `respond` answers each command in place of the service. */
const stubbed = (respond: (call: Call) => unknown) => {
  const calls: Array<Call> = [];
  const middleware =
    () =>
    (_next: unknown, context: { commandName?: string }) =>
    async (args: { input: unknown }) => {
      const call = { command: String(context.commandName), input: args.input as Record<string, unknown> };
      calls.push(call);
      return { output: { $metadata: {}, ...(respond(call) as object) }, response: {} };
    };
  const dynamo = new DynamoDBClient({ region: "us-east-1", credentials, maxAttempts: 1 });
  dynamo.middlewareStack.add(middleware() as never, { step: "initialize" });
  const s3 = new S3Client({ region: "us-east-1", credentials, maxAttempts: 1 });
  s3.middlewareStack.add(middleware() as never, { step: "initialize" });
  return { dynamo, s3, calls };
};

const awsError = (name: string, message: string, httpStatusCode: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

const record: IncidentRecord = {
  investigationId: "inv-1",
  recordedAt: 1_700_000_000_000,
  title: "checkout OOMKilled",
  alertText: "KubePodCrashLooping checkout OOMKilled",
  entities: { namespace: "shop" },
  severity: "high",
  channelId: "C1",
  threadId: "T1"
};

const body = (value: unknown) => ({ Body: { transformToString: async () => JSON.stringify(value) }, ETag: '"etag-1"' });
const options = { table: "incidents", bucket: "records" };

describe("AwsIncidentMemory", () => {
  it("turns DynamoDB throttling into a MemoryError that names the table and says it is retryable", async () => {
    const { dynamo, s3 } = stubbed((call) => {
      if (call.command === "PutItemCommand") throw new ProvisionedThroughputExceededException({ message: "rate exceeded", $metadata: { httpStatusCode: 400 } });
      return {};
    });
    const error = await Effect.runPromise(Effect.flip(makeAwsIncidentMemory({ dynamo, s3, ...options }).remember(record)));
    expect(error._tag).toBe("MemoryError");
    expect(error.operation).toBe("remember");
    expect(error.reason).toBe('throttled (retryable) by DynamoDB table "incidents": ProvisionedThroughputExceededException: rate exceeded');
  });

  it("reports S3 access denied readably without echoing credentials from the message", async () => {
    const { dynamo, s3 } = stubbed((call) => {
      if (call.command === "PutObjectCommand") {
        throw awsError("AccessDenied", "User arn:aws:sts::1:assumed-role/x (key AKIAIOSFODNN7EXAMPLE) X-Amz-Signature=abcdef0123 is not authorized", 403);
      }
      return {};
    });
    const error = await Effect.runPromise(Effect.flip(makeAwsIncidentMemory({ dynamo, s3, ...options }).remember(record)));
    expect(error.reason).toMatch(/^access denied to S3 bucket "records" \(check the IAM policy/);
    expect(error.reason).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(error.reason).not.toContain("abcdef0123");
    expect(error.message).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });

  it("writes S3 before the index, with SSE-S3 by default, and never indexes a record S3 refused", async () => {
    const ok = stubbed(() => ({}));
    await Effect.runPromise(makeAwsIncidentMemory({ dynamo: ok.dynamo, s3: ok.s3, ...options }).remember(record));
    expect(ok.calls.map((c) => c.command)).toEqual(["GetItemCommand", "PutObjectCommand", "PutItemCommand"]);
    expect(ok.calls[2]?.input).toMatchObject({ ConditionExpression: "attribute_not_exists(pk)", Item: { revision: { N: "1" } } });
    expect(ok.calls[1]?.input).toMatchObject({ Bucket: "records", Key: "incidents/2023/11/inv-1.json", ServerSideEncryption: "AES256" });
    expect(ok.calls[1]?.input).not.toHaveProperty("SSEKMSKeyId");

    const refused = stubbed((call) => {
      if (call.command === "PutObjectCommand") throw awsError("NoSuchBucket", "The specified bucket does not exist", 404);
      return {};
    });
    const error = await Effect.runPromise(Effect.flip(makeAwsIncidentMemory({ dynamo: refused.dynamo, s3: refused.s3, ...options }).remember(record)));
    expect(error.reason).toMatch(/^S3 bucket "records" not found/);
    expect(refused.calls.map((c) => c.command)).toEqual(["GetItemCommand", "PutObjectCommand"]);
  });

  it("reads at most maxCandidates index items, page by page, newest first", async () => {
    const page = (from: number, size: number) =>
      Array.from({ length: size }, (_, i) => ({
        id: { S: `inv-${from + i}` },
        createdAt: { N: String(1_700_000_000_000 - (from + i)) },
        title: { S: `disk full ${from + i}` },
        alertText: { S: "disk full" },
        entities: { M: {} },
        s3Key: { S: `incidents/2023/11/inv-${from + i}.json` }
      }));
    const { dynamo, s3, calls } = stubbed((call) => {
      if (call.command === "QueryCommand") {
        const start = (call.input["ExclusiveStartKey"] as { pk: { S: string } } | undefined)?.pk.S;
        const from = start === undefined ? 0 : Number(start);
        const size = Math.min(Number(call.input["Limit"]), 30);
        return { Items: page(from, size), LastEvaluatedKey: { pk: { S: String(from + size) } } };
      }
      if (call.command === "GetObjectCommand") return body({ ...record, investigationId: String(call.input["Key"]).replace(/^.*\/(.*)\.json$/, "$1") });
      return {};
    });
    const similar = await Effect.runPromise(makeAwsIncidentMemory({ dynamo, s3, ...options, maxCandidates: 70 }).similar({ text: "disk full", entities: {} }, 2));
    const queries = calls.filter((c) => c.command === "QueryCommand");
    expect(queries.map((q) => q.input["Limit"])).toEqual([70, 40, 10]);
    expect(queries[0]?.input).toMatchObject({ IndexName: "byCreatedAt", ScanIndexForward: false, ExpressionAttributeValues: { ":kind": { S: "incident" } } });
    expect(similar).toHaveLength(2);
    expect(calls.filter((c) => c.command === "GetObjectCommand")).toHaveLength(2);
  });

  it("resolve starts over when another writer changed the S3 record in between, and gives up readably if that never stops", async () => {
    let puts = 0;
    const racing = stubbed((call) => {
      if (call.command === "GetItemCommand") return { Item: { s3Key: { S: "incidents/2023/11/inv-1.json" }, revision: { N: "7" } } };
      if (call.command === "GetObjectCommand") return body(record);
      if (call.command === "PutObjectCommand" && ++puts === 1) throw awsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
      return {};
    });
    const memory = makeAwsIncidentMemory({ dynamo: racing.dynamo, s3: racing.s3, ...options });
    expect(await Effect.runPromise(memory.resolve("inv-1", { resolvedAt: 1_700_000_100_000, rootCause: "limit" }))).toBe(true);
    const puts2 = racing.calls.filter((c) => c.command === "PutObjectCommand");
    expect(puts2).toHaveLength(2);
    expect(puts2[1]?.input).toMatchObject({ IfMatch: '"etag-1"' });
    expect(JSON.parse(String(puts2[1]?.input["Body"]))).toMatchObject({ outcome: { resolvedAt: 1_700_000_100_000, rootCause: "limit" } });
    expect(racing.calls.at(-1)).toMatchObject({
      command: "PutItemCommand",
      input: {
        ConditionExpression: "revision = :seen",
        ExpressionAttributeValues: { ":seen": { N: "7" } },
        Item: { revision: { N: "8" }, resolved: { BOOL: true }, resolvedAt: { N: "1700000100000" }, rootCause: { S: "limit" } }
      }
    });

    const forever = stubbed((call) => {
      if (call.command === "GetItemCommand") return { Item: { s3Key: { S: "incidents/2023/11/inv-1.json" } } };
      if (call.command === "GetObjectCommand") return body(record);
      if (call.command === "PutObjectCommand") throw awsError("PreconditionFailed", "pre-conditions", 412);
      return {};
    });
    const error = await Effect.runPromise(Effect.flip(makeAwsIncidentMemory({ dynamo: forever.dynamo, s3: forever.s3, ...options }).resolve("inv-1", { resolvedAt: 1 })));
    expect(error.reason).toBe("incident inv-1 kept changing under concurrent writers; try again");
  });

  it("remember writes both stores again when another writer replaced the index item in between", async () => {
    let indexWrites = 0;
    const { dynamo, s3, calls } = stubbed((call) => {
      if (call.command === "GetItemCommand") {
        return indexWrites === 0 ? { Item: { s3Key: { S: "incidents/2023/10/inv-1.json" }, revision: { N: "3" } } } : { Item: { s3Key: { S: "incidents/2023/11/inv-1.json" }, revision: { N: "4" } } };
      }
      if (call.command === "PutItemCommand" && ++indexWrites === 1) {
        throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: { httpStatusCode: 400 } });
      }
      return {};
    });
    await Effect.runPromise(makeAwsIncidentMemory({ dynamo, s3, ...options }).remember(record));
    expect(calls.map((c) => c.command)).toEqual(["GetItemCommand", "PutObjectCommand", "PutItemCommand", "GetItemCommand", "PutObjectCommand", "PutItemCommand"]);
    expect(calls[5]?.input).toMatchObject({ ExpressionAttributeValues: { ":seen": { N: "4" } }, Item: { revision: { N: "5" } } });
    // The winner already moved the record to November, so there is no old object left to delete.
    expect(calls.some((c) => c.command === "DeleteObjectCommand")).toBe(false);
  });

  it("rejects an invalid outcome without writing", async () => {
    const { dynamo, s3, calls } = stubbed((call) => {
      if (call.command === "GetItemCommand") return { Item: { s3Key: { S: "incidents/2023/11/inv-1.json" } } };
      if (call.command === "GetObjectCommand") return body(record);
      return {};
    });
    const error = await Effect.runPromise(Effect.flip(makeAwsIncidentMemory({ dynamo, s3, ...options }).resolve("inv-1", { resolvedAt: -5 })));
    expect(error.reason).toMatch(/^invalid outcome/);
    expect(calls.map((c) => c.command)).toEqual(["GetItemCommand", "GetObjectCommand"]);
  });

  it("asks nothing of AWS for a non-positive limit", async () => {
    const { dynamo, s3, calls } = stubbed(() => ({}));
    expect(await Effect.runPromise(makeAwsIncidentMemory({ dynamo, s3, ...options }).similar({ text: "disk full", entities: {} }, 0))).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe("describeAwsMemoryError", () => {
  const table = { kind: "DynamoDB table", name: "t" } as const;
  const bucket = { kind: "S3 bucket", name: "b" } as const;

  it("classifies missing resources, access, KMS, throttling and unavailability", () => {
    expect(describeAwsMemoryError(table, awsError("ResourceNotFoundException", "Requested resource not found", 400))).toMatch(/^DynamoDB table "t" not found/);
    expect(describeAwsMemoryError(table, awsError("AccessDeniedException", "not authorized to perform dynamodb:Query", 400))).toMatch(
      /^access denied to DynamoDB table "t"/
    );
    expect(describeAwsMemoryError(bucket, awsError("KMS.NotFoundException", "Invalid keyId", 400))).toMatch(/^the KMS key for S3 bucket "b" cannot be used/);
    expect(describeAwsMemoryError(bucket, awsError("SlowDown", "Please reduce your request rate.", 503))).toMatch(/^throttled \(retryable\) by S3 bucket "b"/);
    expect(describeAwsMemoryError(bucket, Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).toMatch(
      /^unavailable \(retryable\): S3 bucket "b"/
    );
    expect(describeAwsMemoryError(bucket, awsError("InvalidObjectState", "archived", 403))).toMatch(/^access denied/);
    expect(describeAwsMemoryError(table, awsError("ValidationException", "One or more parameter values were invalid", 400))).toBe(
      'DynamoDB table "t": ValidationException: One or more parameter values were invalid'
    );
  });

  it("redacts access key ids, signatures, session tokens and secret keys", () => {
    const text =
      "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101&X-Amz-Security-Token=FwoGZXIvYXdzEJr&X-Amz-Signature=deadbeef " +
      "Authorization: AWS4-HMAC-SHA256 Credential=ASIAY34FZKBOKMUTVV7A/20240101, SignedHeaders=host, Signature=cafebabe secretAccessKey=wJalrXUtnFEMI/K7MDENG";
    const redacted = redactCredentials(text);
    for (const secret of ["AKIAIOSFODNN7EXAMPLE", "FwoGZXIvYXdzEJr", "deadbeef", "ASIAY34FZKBOKMUTVV7A", "cafebabe", "wJalrXUtnFEMI"]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain("https://b.s3.amazonaws.com/k?");
  });
});
