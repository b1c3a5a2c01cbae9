import { setTimeout as sleep } from "node:timers/promises";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  QueryCommand,
  ResourceInUseException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  waitUntilTableExists
} from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, PutObjectCommand, PutPublicAccessBlockCommand } from "@aws-sdk/client-s3";
import type { InvestigationReport, Trace, TraceEvent, TraceHeader, TraceStoreShape } from "@sre-on-call/core";
import { EpochMillis, InvestigationReport as InvestigationReportSchema, JsonRecord, TraceError } from "@sre-on-call/core";
import { Effect, Option, Result, Schema } from "effect";
import { type AwsResource, describeAwsMemoryError, redactCredentials } from "./describeAwsMemoryError.js";

export interface AwsTraceStoreOptions {
  readonly dynamo: DynamoDBClient;
  /** The index table: key `pk` (S) + `sk` (S); see `ensureTraceStoreResources`. */
  readonly table: string;
  /** A client for the bucket's region. Against moto or another S3-compatible endpoint, use `forcePathStyle: true`. */
  readonly s3: S3Client;
  readonly bucket: string;
  /** Key prefix in the bucket, before `dt=…/`. Default none. */
  readonly prefix?: string;
  /** Encrypt objects with SSE-KMS under this key (id, ARN or alias). Default SSE-KMS under the account's `aws/s3` key. */
  readonly kmsKeyId?: string;
  /** Index items get `expiresAt` (epoch seconds, for DynamoDB TTL) this many days after the investigation started. */
  readonly retentionDays?: number;
  /** How many times a throttled request is tried in all, on top of the SDK's own retries. Default 4. */
  readonly maxAttempts?: number;
}

/** DynamoDB index item kinds: one per investigation, one per investigation in its thread. */
export const TRACE_INVESTIGATION_PK_PREFIX = "inv#";
export const TRACE_THREAD_PK_PREFIX = "thread#";
const INVESTIGATION_SK = "inv";

/** Investigation ids become S3 key segments and DynamoDB keys; this bound keeps both valid. */
const MAX_ID_LENGTH = 512;
const STARTED_AT_DIGITS = 16;
const SEQUENCE_DIGITS = 10;
/** Objects we write are a few KB; anything this large is not one of ours and is not read into memory. */
const MAX_OBJECT_BYTES = 5 * 1024 * 1024;
const S3_READ_CONCURRENCY = 8;
const DEFAULT_ATTEMPTS = 4;
const DT_CACHE_SIZE = 1_000;
const DAY_MS = 86_400_000;

const TraceEventJson = Schema.Struct({
  investigationId: Schema.String,
  at: EpochMillis,
  type: Schema.Literals([
    "received",
    "classified",
    "dedup",
    "dispatched",
    "agent_request",
    "agent_response",
    "decision",
    "report_posted",
    "delivery_failed",
    "failed"
  ]),
  data: JsonRecord
});

// Both directions must hold, so the stored schema and the port's types cannot drift apart unnoticed.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameEvent: Same<typeof TraceEventJson.Type, TraceEvent> = true;
void sameEvent;

/** A failure already described for the caller, passed through as the `TraceError`'s reason. */
class StoreFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const errorName = (e: unknown): string =>
  typeof e === "object" && e !== null && "name" in e ? String((e as { name: unknown }).name) : "";
const httpStatus = (e: unknown): unknown =>
  typeof e === "object" && e !== null && "$metadata" in e ? (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode : undefined;

const THROTTLED = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "SlowDown",
  "KMS.ThrottlingException"
]);
const isThrottled = (e: unknown) => THROTTLED.has(errorName(e)) || httpStatus(e) === 429;

const firstLine = (message: string) => message.split("\n")[0] ?? message;
const part = encodeURIComponent;
const pad = (n: number, digits: number) => String(Math.floor(n)).padStart(digits, "0");
const validId = (id: unknown): id is string => typeof id === "string" && id.length > 0 && id.length <= MAX_ID_LENGTH;
/** The latest instant a JavaScript Date can hold; later times have no day to file them under. */
const MAX_DATE_MS = 8_640_000_000_000_000;
const validTime = (t: unknown): t is number => typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= MAX_DATE_MS;

/** The UTC day an investigation started: the archive's partition. */
export const traceDay = (startedAt: number): string => new Date(startedAt).toISOString().slice(0, 10);

const normalizePrefix = (prefix: string) => {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `${trimmed}/`;
};

/** `[<prefix>/]dt=YYYY-MM-DD/investigation_id=<id>/`: Hive-style, so Athena can query the archive partitioned by day. */
export const traceObjectPrefix = (prefix: string, dt: string, investigationId: string): string =>
  `${normalizePrefix(prefix)}dt=${dt}/investigation_id=${part(investigationId)}/`;

const mapConcurrent = async <A, B>(items: ReadonlyArray<A>, concurrency: number, f: (a: A) => Promise<B>): Promise<Array<B>> => {
  const out = new Array<B>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
};

const randomSuffix = () => Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, "0");

interface IndexEntry {
  readonly header: TraceHeader;
  readonly dt: string;
  /** Where the writer put the objects, as the index recorded it (absent on items written by hand). */
  readonly s3Prefix: string | undefined;
}

const fromIndexItem = (item: Record<string, AttributeValue> | undefined): IndexEntry | undefined => {
  const id = item?.["id"]?.S;
  const dt = item?.["dt"]?.S;
  const channelId = item?.["channelId"]?.S;
  const threadId = item?.["threadId"]?.S;
  const startedAt = Number(item?.["startedAt"]?.N);
  if (id === undefined || dt === undefined || channelId === undefined || threadId === undefined || !Number.isFinite(startedAt)) return undefined;
  return { header: { investigationId: id, channelId, threadId, startedAt }, dt, s3Prefix: item?.["s3Prefix"]?.S };
};

/**
 * The trace archive on AWS. Each investigation lives in S3 under
 * `[<prefix>/]dt=YYYY-MM-DD/investigation_id=<id>/` (SSE-KMS): `header.json`, one object per
 * event under `events/<at>-<seq>-<rand>.json`, and one per report under
 * `reports/<kind>-<generatedAt>.json`. S3 has no append, and a read-modify-write of a batch
 * object would serialise concurrent writers and lose events to races; an object per event is
 * a single unconditional PUT that never conflicts, and the listing returns the events in key
 * order, i.e. by time. Investigations are read rarely (`trace show`, `/postmortem`), so a
 * listing plus tens of GETs is the cheaper side to pay on.
 *
 * A DynamoDB table indexes them: `pk = inv#<id>, sk = inv` → day, channel, thread, start; and
 * `pk = thread#<channel>#<thread>, sk = <startedAt>#<id>` so a thread's investigations come
 * out oldest first with one Query. `open` writes both in one transaction.
 */
export const makeAwsTraceStore = (options: AwsTraceStoreOptions): TraceStoreShape => {
  const { dynamo, table, s3, bucket, kmsKeyId } = options;
  const prefix = options.prefix ?? "";
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_ATTEMPTS));
  const retentionDays = options.retentionDays;
  const tableResource: AwsResource = { kind: "DynamoDB table", name: table };
  const bucketResource: AwsResource = { kind: "S3 bucket", name: bucket };
  const encryption = { ServerSideEncryption: "aws:kms" as const, ...(kmsKeyId === undefined ? {} : { SSEKMSKeyId: kmsKeyId }) };
  /** The S3 folder of each investigation this instance opened or looked up, so appends do not read the index each time. */
  const folders = new Map<string, string>();
  let sequence = 0;

  /**
   * An investigation's folder is the one its index item records, so a reader configured with
   * another prefix still finds what the writer wrote.
   */
  const folderOf = (entry: IndexEntry) => {
    const folder = entry.s3Prefix ?? traceObjectPrefix(prefix, entry.dt, entry.header.investigationId);
    if (folders.size >= DT_CACHE_SIZE) folders.delete(folders.keys().next().value!);
    folders.set(entry.header.investigationId, folder);
    return folder;
  };

  /**
   * Runs SDK calls against one resource, retrying throttling with jittered exponential backoff
   * (bounded by `maxAttempts`), and describes what they throw in terms of that resource.
   */
  const on =
    (resource: AwsResource) =>
    async <A>(signal: AbortSignal, run: () => Promise<A>): Promise<A> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run();
        } catch (e) {
          if (e instanceof StoreFailure) throw e;
          if (isThrottled(e) && attempt < maxAttempts && !signal.aborted) {
            await sleep(Math.random() * 25 * 2 ** attempt, undefined, { signal });
            continue;
          }
          throw new StoreFailure(describeAwsMemoryError(resource, e));
        }
      }
    };
  const onTable = on(tableResource);
  const onBucket = on(bucketResource);

  const attempt = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, TraceError> =>
    Effect.tryPromise({
      try: run,
      catch: (e) =>
        new TraceError({
          operation,
          reason: e instanceof StoreFailure ? e.reason : redactCredentials(e instanceof Error ? `${e.name}: ${e.message}` : String(e))
        })
    });

  const readEntry = (id: string, signal: AbortSignal): Promise<IndexEntry | undefined> =>
    onTable(signal, async () => {
      const out = await dynamo.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: `${TRACE_INVESTIGATION_PK_PREFIX}${id}` }, sk: { S: INVESTIGATION_SK } }, ConsistentRead: true }),
        { abortSignal: signal }
      );
      if (out.Item === undefined) return undefined;
      const entry = fromIndexItem(out.Item);
      if (entry === undefined) throw new StoreFailure(`DynamoDB table "${table}": the index item of investigation ${id} is malformed`);
      return entry;
    });

  const folder = async (id: string, signal: AbortSignal): Promise<string> => {
    const cached = folders.get(id);
    if (cached !== undefined) return cached;
    const entry = await readEntry(id, signal);
    if (entry === undefined) throw new StoreFailure(`investigation ${id} was not opened: open it before appending to it`);
    return folderOf(entry);
  };

  const putJson = (key: string, value: unknown, signal: AbortSignal) => {
    let body: string;
    try {
      body = JSON.stringify(value);
    } catch (e) {
      throw new StoreFailure(`cannot serialise ${key} as JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (body === undefined) throw new StoreFailure(`cannot serialise ${key} as JSON: nothing to write`);
    if (Buffer.byteLength(body, "utf8") > MAX_OBJECT_BYTES) {
      throw new StoreFailure(`${key} would be ${Buffer.byteLength(body, "utf8")} bytes, more than the ${MAX_OBJECT_BYTES} a trace object may hold; trim the event data`);
    }
    return onBucket(signal, () =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json", ...encryption }), { abortSignal: signal })
    );
  };

  const readJson = (key: string, signal: AbortSignal): Promise<unknown> =>
    onBucket(signal, async () => {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      if (out.ContentLength !== undefined && out.ContentLength > MAX_OBJECT_BYTES) {
        await out.Body?.transformToWebStream().cancel();
        throw new StoreFailure(`S3 bucket "${bucket}": object ${key} is ${out.ContentLength} bytes, larger than any trace object`);
      }
      const text = (await out.Body?.transformToString("utf-8")) ?? "";
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new StoreFailure(`S3 bucket "${bucket}": object ${key} is not JSON`);
      }
    });

  const listKeys = (keyPrefix: string, signal: AbortSignal): Promise<ReadonlyArray<string>> =>
    onBucket(signal, async () => {
      const keys: Array<string> = [];
      let token: string | undefined;
      do {
        const out = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ...(token === undefined ? {} : { ContinuationToken: token }) }),
          { abortSignal: signal }
        );
        for (const o of out.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    });

  const decode = <S extends Schema.Top>(schema: S, value: unknown, key: string): S["Type"] => {
    const decoded = Schema.decodeUnknownResult(schema as never)(value, { errors: "first", onExcessProperty: "ignore" }) as Result.Result<S["Type"], Error>;
    if (Result.isFailure(decoded)) throw new StoreFailure(`S3 bucket "${bucket}": object ${key} is not a valid trace object: ${firstLine(decoded.failure.message)}`);
    return decoded.success;
  };

  const open = async (header: TraceHeader, signal: AbortSignal) => {
    if (!validId(header.investigationId)) throw new StoreFailure(`invalid investigation id: must be 1 to ${MAX_ID_LENGTH} characters`);
    if (!validTime(header.startedAt)) throw new StoreFailure(`invalid startedAt for investigation ${header.investigationId}: ${String(header.startedAt)}`);
    if (typeof header.channelId !== "string" || typeof header.threadId !== "string") throw new StoreFailure("invalid trace header: channelId and threadId must be strings");
    const dt = traceDay(header.startedAt);
    const expiry =
      retentionDays === undefined ? {} : { expiresAt: { N: String(Math.floor((header.startedAt + retentionDays * DAY_MS) / 1000)) } };
    const claimed = await onTable(signal, async () => {
      try {
        await dynamo.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: {
                    pk: { S: `${TRACE_INVESTIGATION_PK_PREFIX}${header.investigationId}` },
                    sk: { S: INVESTIGATION_SK },
                    id: { S: header.investigationId },
                    dt: { S: dt },
                    channelId: { S: header.channelId },
                    threadId: { S: header.threadId },
                    startedAt: { N: String(header.startedAt) },
                    s3Prefix: { S: traceObjectPrefix(prefix, dt, header.investigationId) },
                    ...expiry
                  },
                  ConditionExpression: "attribute_not_exists(pk)"
                }
              },
              {
                Put: {
                  TableName: table,
                  Item: {
                    pk: { S: `${TRACE_THREAD_PK_PREFIX}${part(header.channelId)}#${part(header.threadId)}` },
                    sk: { S: `${pad(header.startedAt, STARTED_AT_DIGITS)}#${header.investigationId}` },
                    id: { S: header.investigationId },
                    ...expiry
                  }
                }
              }
            ]
          }),
          { abortSignal: signal }
        );
        return true;
      } catch (e) {
        if (e instanceof TransactionCanceledException && (e.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed")) return false;
        throw e;
      }
    });
    // The first open wins, as in every TraceStore; header.json is (re)written from whatever the
    // index holds, so a crash between the index and S3 is repaired by the next open.
    const entry = claimed ? { header, dt, s3Prefix: traceObjectPrefix(prefix, dt, header.investigationId) } : await readEntry(header.investigationId, signal);
    if (entry === undefined) throw new StoreFailure(`investigation ${header.investigationId} vanished from the index while it was being opened`);
    const { investigationId, channelId, threadId, startedAt } = entry.header;
    await putJson(`${folderOf(entry)}header.json`, { investigationId, channelId, threadId, startedAt }, signal);
  };

  const append = async (event: TraceEvent, signal: AbortSignal) => {
    if (!validId(event.investigationId)) throw new StoreFailure(`invalid investigation id: must be 1 to ${MAX_ID_LENGTH} characters`);
    if (!validTime(event.at)) throw new StoreFailure(`invalid event time for investigation ${event.investigationId}: ${String(event.at)}`);
    const base = await folder(event.investigationId, signal);
    const seq = pad(sequence++ % 10 ** SEQUENCE_DIGITS, SEQUENCE_DIGITS);
    const key = `${base}events/${pad(event.at, STARTED_AT_DIGITS)}-${seq}-${randomSuffix()}.json`;
    await putJson(key, event, signal);
  };

  const putReport = async (report: InvestigationReport, signal: AbortSignal) => {
    if (!validId(report.investigationId)) throw new StoreFailure(`invalid investigation id: must be 1 to ${MAX_ID_LENGTH} characters`);
    if (!validTime(report.generatedAt)) throw new StoreFailure(`invalid generatedAt for a report of investigation ${report.investigationId}`);
    const base = await folder(report.investigationId, signal);
    // One object per (kind, generatedAt): putting the same report again is a harmless overwrite.
    const key = `${base}reports/${part(report.kind)}-${pad(report.generatedAt, STARTED_AT_DIGITS)}.json`;
    await putJson(key, report, signal);
  };

  const get = async (id: string, signal: AbortSignal): Promise<Option.Option<Trace>> => {
    if (!validId(id)) return Option.none();
    const entry = await readEntry(id, signal);
    if (entry === undefined) return Option.none();
    const base = folderOf(entry);
    const keys = await listKeys(base, signal);
    const eventKeys = keys.filter((k) => k.startsWith(`${base}events/`));
    const reportKeys = keys.filter((k) => k.startsWith(`${base}reports/`));
    const events = await mapConcurrent(eventKeys, S3_READ_CONCURRENCY, async (key) => decode(TraceEventJson, await readJson(key, signal), key));
    const reports = await mapConcurrent(reportKeys, S3_READ_CONCURRENCY, async (key) => decode(InvestigationReportSchema, await readJson(key, signal), key));
    const ordered = reports.map((r, i) => ({ r, i })).sort((a, b) => a.r.generatedAt - b.r.generatedAt || a.i - b.i).map((x) => x.r);
    return Option.some({ ...entry.header, events, reports: ordered });
  };

  const findByThread = (channelId: string, threadId: string, signal: AbortSignal): Promise<ReadonlyArray<string>> =>
    onTable(signal, async () => {
      const ids: Array<string> = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: `${TRACE_THREAD_PK_PREFIX}${part(channelId)}#${part(threadId)}` } },
            ProjectionExpression: "id",
            ConsistentRead: true,
            ...(start === undefined ? {} : { ExclusiveStartKey: start })
          }),
          { abortSignal: signal }
        );
        for (const item of out.Items ?? []) {
          const id = item["id"]?.S;
          if (id !== undefined) ids.push(id);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return ids;
    });

  return {
    open: (header) => attempt("open", (signal) => open(header, signal)),
    append: (event) => attempt("append", (signal) => append(event, signal)),
    putReport: (report) => attempt("putReport", (signal) => putReport(report, signal)),
    get: (investigationId) => attempt("get", (signal) => get(investigationId, signal)),
    findByThread: (channelId, threadId) => attempt("findByThread", (signal) => findByThread(channelId, threadId, signal))
  };
};

const TABLE_WAIT_SECONDS = 60;

class Described extends Error {}

export interface TraceStoreResourceOptions {
  /** Adds a lifecycle rule that expires every object this many days after it was written. */
  readonly retentionDays?: number;
}

/**
 * Creates the index table (on demand, key `pk` + `sk`) and the bucket (public access blocked,
 * optionally with an expiry lifecycle rule), unless they exist: for tests and local
 * bootstrapping only. On AWS the deploy creates both. Idempotent.
 */
export const ensureTraceStoreResources = (
  dynamo: DynamoDBClient,
  table: string,
  s3: S3Client,
  bucket: string,
  options: TraceStoreResourceOptions = {}
): Effect.Effect<void, TraceError> => {
  const createTable = async () => {
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [
            { AttributeName: "pk", AttributeType: "S" },
            { AttributeName: "sk", AttributeType: "S" }
          ],
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" }
          ],
          BillingMode: "PAY_PER_REQUEST"
        })
      );
    } catch (e) {
      if (!(e instanceof ResourceInUseException)) throw e;
    }
    await waitUntilTableExists({ client: dynamo, maxWaitTime: TABLE_WAIT_SECONDS }, { TableName: table });
    const described = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    const keys = described.Table?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
    if (keys !== "pk:HASH,sk:RANGE") throw new Described(`DynamoDB table "${table}" exists with key ${keys ?? "unknown"}, but the trace index needs pk (HASH) + sk (RANGE)`);
  };
  const createBucket = async () => {
    const region = await s3.config.region();
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that rejects its own name as a location constraint.
          ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } })
        })
      );
    } catch (e) {
      const name = errorName(e);
      if (name === "BucketAlreadyExists") throw new Described(`S3 bucket "${bucket}" is taken by another account: choose another name`);
      if (name !== "BucketAlreadyOwnedByYou") throw e;
    }
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }
      })
    );
    const days = options.retentionDays;
    if (days !== undefined) {
      if (!Number.isInteger(days) || days < 1) throw new Described(`retentionDays must be a whole number of days ≥ 1, got ${days}`);
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: { Rules: [{ ID: "expire-traces", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: days } }] }
        })
      );
    }
  };
  const step = (resource: AwsResource, run: () => Promise<void>) =>
    Effect.tryPromise({
      try: run,
      catch: (e) => new TraceError({ operation: "ensureResources", reason: e instanceof Described ? e.message : describeAwsMemoryError(resource, e) })
    });
  return Effect.andThen(step({ kind: "DynamoDB table", name: table }, createTable), step({ kind: "S3 bucket", name: bucket }, createBucket));
};
