import { setTimeout as sleep } from "node:timers/promises";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { IncidentMemoryShape, IncidentOutcome, IncidentRecord, SimilarIncident } from "@sre-on-call/core";
import { MemoryError, rankSimilarIncidents } from "@sre-on-call/core";
import { Effect, Option, Result } from "effect";
import { type AwsResource, describeAwsMemoryError, redactCredentials } from "./describeAwsMemoryError.js";
import { checkIncidentRecord, incidentObjectKey, normalizePrefix, parseIncidentDocument, validId } from "./incidentDocument.js";
import {
  fromIndexItem,
  INCIDENT_PK_PREFIX,
  INDEX_ENTRY_ATTRIBUTES,
  type IndexEntry,
  type Item,
  keyOf,
  rankableRecord,
  RECENT_INDEX,
  RECENT_PARTITION,
  RECENT_PARTITION_ATTRIBUTE,
  toIndexItem
} from "./incidentIndexItem.js";

export interface AwsIncidentMemoryOptions {
  readonly dynamo: DynamoDBClient;
  /** The index table: key `pk` (S) and the `byCreatedAt` GSI; see `ensureIncidentMemoryResources`. */
  readonly table: string;
  /** A client for the bucket's region. Against moto or another S3-compatible endpoint, use `forcePathStyle: true`. */
  readonly s3: S3Client;
  readonly bucket: string;
  /** Key prefix of the records in the bucket. Default `incidents`; `""` for none. */
  readonly prefix?: string;
  /** Encrypt records with SSE-KMS under this key (id, ARN or alias). Default SSE-S3 (AES256). */
  readonly kmsKeyId?: string;
  /** Epoch milliseconds, stamped on index items as `updatedAt`. Default `Date.now`. */
  readonly now?: () => number;
  /** How many of the most recent incidents `similar` ranks. Default 2,000. */
  readonly maxCandidates?: number;
}

export const DEFAULT_MAX_CANDIDATES = 2_000;
const DEFAULT_PREFIX = "incidents";
/** Records are a few KB; anything this large is not one of ours and is not read into memory. */
const MAX_OBJECT_BYTES = 5 * 1024 * 1024;
const S3_READ_CONCURRENCY = 8;
/** Concurrent writers of one incident make `remember` and `resolve` start over; this many times at most. */
const WRITE_ATTEMPTS = 6;
/** Jittered backoff before starting over, so racing writers of one incident spread out. */
const backoff = (attempt: number, signal: AbortSignal) => sleep(Math.random() * 20 * 2 ** attempt, undefined, { signal });
/** A record `remember` moved to another month between reading its index item and its object. */
const READ_ATTEMPTS = 3;

/** A failure already described for the caller, passed through as the `MemoryError`'s reason. */
class StoreFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Where the index says an incident's record is, and the index item's revision (absent on items written by hand). */
interface IndexPointer {
  readonly key: string;
  readonly revision?: number;
}

const errorName = (e: unknown): string =>
  typeof e === "object" && e !== null && "name" in e ? String((e as { name: unknown }).name) : "";
const httpStatus = (e: unknown): unknown =>
  typeof e === "object" && e !== null && "$metadata" in e ? (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode : undefined;
const isNoSuchKey = (e: unknown) => errorName(e) === "NoSuchKey";
const isPreconditionFailed = (e: unknown) => errorName(e) === "PreconditionFailed" || httpStatus(e) === 412;

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

/**
 * Past incidents on AWS. Each incident's full record is a JSON object in S3
 * (`<prefix>/<yyyy>/<mm>/<id>.json`, SSE-KMS or SSE-S3), and a small index item in DynamoDB
 * (`pk = incident#<id>`) carries its searchable text, outcome flag and S3 key. `similar`
 * reads the most recent `maxCandidates` index items through the `byCreatedAt` GSI, ranks
 * them with the core's TF-IDF, and fetches only the winners from S3.
 *
 * Writes go to S3 first, so an index item never names an object that was not written, and
 * end with a put of the index item conditional on the revision read before: that put is the
 * commit point that serialises concurrent writers of one incident (see README.md).
 */
export const makeAwsIncidentMemory = (options: AwsIncidentMemoryOptions): IncidentMemoryShape => {
  const { dynamo, table, s3, bucket, kmsKeyId } = options;
  const prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX);
  const now = options.now ?? Date.now;
  const requested = Math.floor(options.maxCandidates ?? DEFAULT_MAX_CANDIDATES);
  const maxCandidates = Number.isFinite(requested) && requested >= 1 ? requested : DEFAULT_MAX_CANDIDATES;
  const tableResource: AwsResource = { kind: "DynamoDB table", name: table };
  const bucketResource: AwsResource = { kind: "S3 bucket", name: bucket };
  const encryption = kmsKeyId === undefined ? { ServerSideEncryption: "AES256" as const } : { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: kmsKeyId };

  /** Runs SDK calls against one resource, describing what they throw in terms of that resource. */
  const on =
    (resource: AwsResource) =>
    async <A>(run: () => Promise<A>): Promise<A> => {
      try {
        return await run();
      } catch (e) {
        throw e instanceof StoreFailure ? e : new StoreFailure(describeAwsMemoryError(resource, e));
      }
    };
  const onTable = on(tableResource);
  const onBucket = on(bucketResource);

  const attempt = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, MemoryError> =>
    Effect.tryPromise({
      try: run,
      catch: (e) =>
        new MemoryError({
          operation,
          reason: e instanceof StoreFailure ? e.reason : redactCredentials(e instanceof Error ? `${e.name}: ${e.message}` : String(e))
        })
    });

  const readEntry = (id: string, signal: AbortSignal): Promise<IndexPointer | undefined> =>
    onTable(async () => {
      const out = await dynamo.send(
        new GetItemCommand({ TableName: table, Key: keyOf(id), ConsistentRead: true, ProjectionExpression: "s3Key, revision" }),
        { abortSignal: signal }
      );
      const key = out.Item?.["s3Key"]?.S;
      if (key === undefined) return undefined;
      const revision = Number(out.Item?.["revision"]?.N);
      return Number.isSafeInteger(revision) ? { key, revision } : { key };
    });

  /** The record and its ETag, or undefined when the object does not exist. */
  const readObject = (key: string, signal: AbortSignal): Promise<{ readonly record: IncidentRecord; readonly etag: string | undefined } | undefined> =>
    onBucket(async () => {
      let out;
      try {
        out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      } catch (e) {
        if (isNoSuchKey(e)) return undefined;
        throw e;
      }
      if (out.ContentLength !== undefined && out.ContentLength > MAX_OBJECT_BYTES) {
        await out.Body?.transformToWebStream().cancel();
        throw new StoreFailure(`S3 bucket "${bucket}": object ${key} is ${out.ContentLength} bytes, larger than any incident record`);
      }
      const text = (await out.Body?.transformToString("utf-8")) ?? "";
      const parsed = parseIncidentDocument(text, key);
      if (Result.isFailure(parsed)) throw new StoreFailure(`S3 bucket "${bucket}": ${parsed.failure}`);
      return { record: parsed.success, etag: out.ETag };
    });

  /** False when `ifMatch` was given and the object changed (or went) since it was read. */
  const writeObject = (key: string, record: IncidentRecord, signal: AbortSignal, ifMatch?: string): Promise<boolean> =>
    onBucket(async () => {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: JSON.stringify(record),
            ContentType: "application/json",
            ...encryption,
            ...(ifMatch === undefined ? {} : { IfMatch: ifMatch })
          }),
          { abortSignal: signal }
        );
        return true;
      } catch (e) {
        if (ifMatch !== undefined && (isPreconditionFailed(e) || isNoSuchKey(e))) return false;
        throw e;
      }
    });

  /**
   * Replaces the index item, unless another writer replaced it since `seen` was read: the
   * index item's revision is what serialises writers of one incident. False when it lost.
   */
  const writeIndex = (record: IncidentRecord, key: string, seen: IndexPointer | undefined, signal: AbortSignal): Promise<boolean> =>
    onTable(async () => {
      const revision = (seen?.revision ?? 0) + 1;
      try {
        await dynamo.send(
          new PutItemCommand({
            TableName: table,
            Item: { ...toIndexItem(record, key, now()), revision: { N: String(revision) } },
            ...(seen === undefined
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : seen.revision === undefined
                ? { ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(revision)" }
                : { ConditionExpression: "revision = :seen", ExpressionAttributeValues: { ":seen": { N: String(seen.revision) } } })
          }),
          { abortSignal: signal }
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    });

  const missingObject = (id: string, key: string) =>
    new StoreFailure(`S3 bucket "${bucket}": the index names object ${key} for incident ${id}, but the object does not exist`);

  /**
   * The current record of `id` and the index entry it was found through, starting from `known`
   * when the caller already read the index. A concurrent `remember` in another month moves the
   * object, so a missing object sends the read back to the index; an index that still names
   * the missing object is an error.
   */
  const readCurrent = async (id: string, signal: AbortSignal, known?: IndexPointer) => {
    let entry = known ?? (await readEntry(id, signal));
    for (let i = 1; entry !== undefined; i++) {
      const found = await readObject(entry.key, signal);
      if (found !== undefined) {
        if (found.record.investigationId !== id) {
          throw new StoreFailure(`S3 bucket "${bucket}": object ${entry.key} holds incident ${found.record.investigationId}, not ${id}`);
        }
        return { entry, ...found };
      }
      const again = await readEntry(id, signal);
      if (again?.key === entry.key || i >= READ_ATTEMPTS) throw missingObject(id, entry.key);
      entry = again;
    }
    return undefined;
  };

  const keptChanging = (id: string) => new StoreFailure(`incident ${id} kept changing under concurrent writers; try again`);

  /**
   * S3 first, then the index, conditional on the revision read before: a writer that lost the
   * race writes both again, so when every call has returned the two stores agree.
   */
  const remember = async (input: IncidentRecord, signal: AbortSignal) => {
    const checked = checkIncidentRecord(input);
    if (Result.isFailure(checked)) throw new StoreFailure(checked.failure);
    const record = checked.success;
    const key = incidentObjectKey(prefix, record);
    for (let i = 1; i <= WRITE_ATTEMPTS; i++) {
      if (i > 1) await backoff(i, signal);
      const seen = await readEntry(record.investigationId, signal);
      await writeObject(key, record, signal);
      if (!(await writeIndex(record, key, seen, signal))) continue;
      if (seen !== undefined && seen.key !== key) {
        // The record moved to another month. The index no longer names the old object, so a
        // failed delete only leaves an unreachable copy behind; the new record is stored either way.
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: seen.key }), { abortSignal: signal }).catch(() => undefined);
      }
      return;
    }
    throw keptChanging(record.investigationId);
  };

  /** Read-modify-write: the S3 write is conditional on the ETag read, the index write on the revision. */
  const resolve = async (id: string, outcome: IncidentOutcome, signal: AbortSignal): Promise<boolean> => {
    if (!validId(id)) return false;
    for (let i = 1; i <= WRITE_ATTEMPTS; i++) {
      if (i > 1) await backoff(i, signal);
      const current = await readCurrent(id, signal);
      if (current === undefined) return false;
      const checked = checkIncidentRecord({ ...current.record, outcome });
      if (Result.isFailure(checked)) throw new StoreFailure(checked.failure.replace("invalid incident record", "invalid outcome"));
      if (!(await writeObject(current.entry.key, checked.success, signal, current.etag))) continue;
      if (await writeIndex(checked.success, current.entry.key, current.entry, signal)) return true;
    }
    throw keptChanging(id);
  };

  const projection = Object.fromEntries(INDEX_ENTRY_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));

  /** The most recent `maxCandidates` index items, newest first, page by page. */
  const recentEntries = (signal: AbortSignal): Promise<ReadonlyArray<IndexEntry>> =>
    onTable(async () => {
      const entries: Array<IndexEntry> = [];
      let start: Item | undefined;
      do {
        const out = await dynamo.send(
          new QueryCommand({
            TableName: table,
            IndexName: RECENT_INDEX,
            KeyConditionExpression: "#kind = :kind",
            ExpressionAttributeNames: { "#kind": RECENT_PARTITION_ATTRIBUTE, ...projection },
            ExpressionAttributeValues: { ":kind": { S: RECENT_PARTITION } },
            ProjectionExpression: Object.keys(projection).join(", "),
            ScanIndexForward: false,
            Limit: maxCandidates - entries.length,
            ...(start === undefined ? {} : { ExclusiveStartKey: start })
          }),
          { abortSignal: signal }
        );
        for (const item of out.Items ?? []) {
          const entry = fromIndexItem(item);
          if (entry !== undefined) entries.push(entry);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined && entries.length < maxCandidates);
      return entries;
    });

  const similar = async (query: Parameters<IncidentMemoryShape["similar"]>[0], limit: number, signal: AbortSignal) => {
    const wanted = Math.floor(limit);
    if (!(wanted > 0)) return [];
    const entries = await recentEntries(signal);
    const byId = new Map(entries.map((e) => [e.investigationId, e]));
    const ranked = rankSimilarIncidents(query, entries.map(rankableRecord), wanted);
    const found = await mapConcurrent(ranked, S3_READ_CONCURRENCY, async (hit): Promise<SimilarIncident | undefined> => {
      const entry = byId.get(hit.record.investigationId);
      const current = await readCurrent(hit.record.investigationId, signal, entry === undefined ? undefined : { key: entry.s3Key });
      return current === undefined ? undefined : { record: current.record, score: hit.score };
    });
    return found.filter((s) => s !== undefined);
  };

  const count = (signal: AbortSignal) =>
    onTable(async () => {
      let total = 0;
      let start: Item | undefined;
      do {
        const out = await dynamo.send(
          new ScanCommand({
            TableName: table,
            Select: "COUNT",
            ConsistentRead: true,
            FilterExpression: "begins_with(pk, :prefix)",
            ExpressionAttributeValues: { ":prefix": { S: INCIDENT_PK_PREFIX } },
            ...(start === undefined ? {} : { ExclusiveStartKey: start })
          }),
          { abortSignal: signal }
        );
        total += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return total;
    });

  return {
    remember: (record) => attempt("remember", (signal) => remember(record, signal)),
    get: (investigationId) =>
      attempt("get", async (signal) =>
        validId(investigationId) ? Option.fromUndefinedOr((await readCurrent(investigationId, signal))?.record) : Option.none<IncidentRecord>()
      ),
    similar: (query, limit) => attempt("similar", (signal) => similar(query, limit, signal)),
    resolve: (investigationId, outcome) => attempt("resolve", (signal) => resolve(investigationId, outcome, signal)),
    count: () => attempt("count", count)
  };
};
