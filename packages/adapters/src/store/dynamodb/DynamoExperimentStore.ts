import type { AttributeValue, DynamoDBClient, TransactWriteItem } from "@aws-sdk/client-dynamodb";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  waitUntilTableExists
} from "@aws-sdk/client-dynamodb";
import {
  activation,
  compareRuns,
  decodeExperiment,
  decodeVariantRun,
  definition,
  type Experiment,
  ExperimentError,
  type ExperimentStoreShape,
  notFound,
  pausing,
  runKey,
  type Transition,
  type VariantRun
} from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { describeDynamoError } from "./describeDynamoError.js";

export interface DynamoExperimentStoreOptions {
  readonly client: DynamoDBClient;
  /** A table keyed by `pk` (S, hash) and `sk` (S, range); see `ensureExperimentTable`. */
  readonly tableName: string;
}

type Item = Record<string, AttributeValue>;

const META = "meta";
const ACTIVE_PK = "active";
const RUN_PREFIX = "run#";
/** A transaction cancelled by a concurrent change is re-read and decided again this many times. */
const ATTEMPTS = 5;
const TABLE_WAIT_SECONDS = 60;

const experimentPk = (id: string) => `exp#${id}`;
const metaKey = (id: string): Item => ({ pk: { S: experimentPk(id) }, sk: { S: META } });
const ACTIVE_KEY: Item = { pk: { S: ACTIVE_PK }, sk: { S: ACTIVE_PK } };

/** Thrown inside an operation to end it with a port error rather than a store failure. */
class Refusal {
  constructor(readonly error: ExperimentError) {}
}

/**
 * Experiments in one DynamoDB table: an item per experiment (`exp#<id>`/`meta`, the experiment
 * as JSON in `doc`), an item per run (`exp#<id>`/`run#<investigation>\0<0|1>`) and a sentinel
 * item `active`/`active` naming the active experiment. Activation is one transaction that puts
 * the sentinel on condition that it is absent or already names this experiment, and rewrites
 * the experiment on condition that it is unchanged since it was read, so DynamoDB decides the
 * single winner across every process; a cancelled transaction is re-read and decided again.
 */
export const makeDynamoExperimentStore = (options: DynamoExperimentStoreOptions): ExperimentStoreShape => {
  const { client, tableName } = options;
  const refuse = (error: ExperimentError): never => {
    throw new Refusal(error);
  };
  const unwrap = <A>(r: Result.Result<A, ExperimentError>): A => (Result.isSuccess(r) ? r.success : refuse(r.failure));
  const attempt = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, ExperimentError> =>
    Effect.tryPromise({
      try: run,
      catch: (e) => (e instanceof Refusal ? e.error : new ExperimentError({ operation, reason: "unavailable", detail: describeDynamoError(e).reason }))
    });

  const parseDoc = (operation: string, item: Item | undefined): { experiment: Experiment; doc: string } | undefined => {
    const doc = item?.["doc"]?.S;
    if (doc === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(doc);
    } catch {
      return refuse(new ExperimentError({ operation, reason: "invalid", detail: "a stored experiment is not JSON" }));
    }
    return { experiment: unwrap(decodeExperiment(operation, raw)), doc };
  };
  const readExperiment = async (operation: string, id: string, signal: AbortSignal) =>
    parseDoc(operation, (await client.send(new GetItemCommand({ TableName: tableName, Key: metaKey(id), ConsistentRead: true }), { abortSignal: signal })).Item);
  const readActiveId = async (signal: AbortSignal): Promise<string | undefined> =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: ACTIVE_KEY, ConsistentRead: true }), { abortSignal: signal })).Item?.["experimentId"]?.S;
  const metaItem = (e: Experiment): Item => ({ ...metaKey(e.id), doc: { S: JSON.stringify(e) }, createdAt: { N: String(e.createdAt) } });
  const rewriteMeta = (e: Experiment, oldDoc: string): TransactWriteItem => ({
    Put: { TableName: tableName, Item: metaItem(e), ConditionExpression: "doc = :old", ExpressionAttributeValues: { ":old": { S: oldDoc } } }
  });

  /** Reads, decides with `decide` and writes with `write`, again whenever a concurrent change cancels the write. */
  const transition = async (
    operation: string,
    id: string,
    signal: AbortSignal,
    decide: (experiment: Experiment | undefined, activeId: string | undefined) => Result.Result<Transition, ExperimentError>,
    write: (t: Transition, oldDoc: string, activeId: string | undefined) => ReadonlyArray<TransactWriteItem>
  ): Promise<Experiment> => {
    for (let i = 1; ; i++) {
      const [current, activeId] = await Promise.all([readExperiment(operation, id, signal), readActiveId(signal)]);
      const t = unwrap(decide(current?.experiment, activeId));
      const items = current === undefined ? [] : write(t, current.doc, activeId);
      if (items.length === 0) return t.experiment;
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: [...items] }), { abortSignal: signal });
        return t.experiment;
      } catch (e) {
        if (!(e instanceof TransactionCanceledException) || i >= ATTEMPTS) throw e;
      }
    }
  };

  const paginate = async (page: (start: Item | undefined) => Promise<{ Items?: Array<Item> | undefined; LastEvaluatedKey?: Item | undefined }>): Promise<Array<Item>> => {
    const out: Array<Item> = [];
    let start: Item | undefined;
    do {
      const result = await page(start);
      out.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  };

  return {
    define: (input) =>
      attempt("define", async (signal) => {
        const e = unwrap(definition(input));
        try {
          await client.send(new PutItemCommand({ TableName: tableName, Item: metaItem(e), ConditionExpression: "attribute_not_exists(pk)" }), { abortSignal: signal });
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) refuse(new ExperimentError({ operation: "define", reason: "already_exists", detail: `experiment ${e.id} already exists` }));
          throw error;
        }
        return e;
      }),
    get: (id) => attempt("get", async (signal) => (await readExperiment("get", id, signal))?.experiment),
    list: () =>
      attempt("list", async (signal) => {
        const items = await paginate((start) =>
          client.send(
            new ScanCommand({
              TableName: tableName,
              FilterExpression: "sk = :meta",
              ExpressionAttributeValues: { ":meta": { S: META } },
              ConsistentRead: true,
              ...(start !== undefined ? { ExclusiveStartKey: start } : {})
            }),
            { abortSignal: signal }
          )
        );
        return items
          .flatMap((item) => {
            const parsed = parseDoc("list", item);
            return parsed === undefined ? [] : [parsed.experiment];
          })
          .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      }),
    activate: (id, at) =>
      attempt("activate", (signal) =>
        transition(
          "activate",
          id,
          signal,
          (experiment, activeId) => activation(id, experiment, activeId, at),
          (t, oldDoc) =>
            !t.changed
              ? []
              : [
                  {
                    Put: {
                      TableName: tableName,
                      Item: { ...ACTIVE_KEY, experimentId: { S: id } },
                      ConditionExpression: "attribute_not_exists(pk) OR experimentId = :id",
                      ExpressionAttributeValues: { ":id": { S: id } }
                    }
                  },
                  rewriteMeta(t.experiment, oldDoc)
                ]
        )
      ),
    pause: (id) =>
      attempt("pause", (signal) =>
        transition(
          "pause",
          id,
          signal,
          (experiment) => pausing(id, experiment),
          (t, oldDoc, activeId) => [
            ...(t.changed ? [rewriteMeta(t.experiment, oldDoc)] : []),
            ...(activeId === id
              ? [{ Delete: { TableName: tableName, Key: ACTIVE_KEY, ConditionExpression: "experimentId = :id", ExpressionAttributeValues: { ":id": { S: id } } } }]
              : [])
          ]
        )
      ),
    active: () =>
      attempt("active", async (signal) => {
        const id = await readActiveId(signal);
        return id === undefined ? undefined : (await readExperiment("active", id, signal))?.experiment;
      }),
    recordRun: (input) =>
      attempt("recordRun", async (signal) => {
        const run = unwrap(decodeVariantRun("recordRun", input));
        if ((await readExperiment("recordRun", run.experimentId, signal)) === undefined) refuse(notFound("recordRun", run.experimentId));
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { pk: { S: experimentPk(run.experimentId) }, sk: { S: `${RUN_PREFIX}${runKey(run)}` }, doc: { S: JSON.stringify(run) } }
          }),
          { abortSignal: signal }
        );
      }),
    runsOf: (experimentId) =>
      attempt("runsOf", async (signal) => {
        const items = await paginate((start) =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: "pk = :pk AND begins_with(sk, :run)",
              ExpressionAttributeValues: { ":pk": { S: experimentPk(experimentId) }, ":run": { S: RUN_PREFIX } },
              ConsistentRead: true,
              ...(start !== undefined ? { ExclusiveStartKey: start } : {})
            }),
            { abortSignal: signal }
          )
        );
        const runs: Array<VariantRun> = items.map((item) => {
          let raw: unknown;
          try {
            raw = JSON.parse(item["doc"]?.S ?? "");
          } catch {
            return refuse(new ExperimentError({ operation: "runsOf", reason: "invalid", detail: "a stored run is not JSON" }));
          }
          return unwrap(decodeVariantRun("runsOf", raw));
        });
        return runs.sort(compareRuns);
      })
  };
};

/**
 * Creates the experiments table (on-demand capacity, keys `pk`/`sk`) unless it exists: for local
 * and development use. On AWS the deploy creates the table.
 */
export const ensureExperimentTable = (client: DynamoDBClient, tableName: string): Effect.Effect<void, ExperimentError> =>
  Effect.tryPromise({
    try: async () => {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
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
      await waitUntilTableExists({ client, maxWaitTime: TABLE_WAIT_SECONDS }, { TableName: tableName });
    },
    catch: (e) => new ExperimentError({ operation: "ensureTable", reason: "unavailable", detail: describeDynamoError(e).reason })
  });
