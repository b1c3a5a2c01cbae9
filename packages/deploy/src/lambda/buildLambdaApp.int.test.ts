/**
 * The Lambda composition with the environment a deployed function has: dedup in DynamoDB
 * (moto_server on loopback), two containers sharing it, the inline fallback, and startup errors.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { ensureDedupTable, ensureExperimentTable, ensureTraceStoreResources, makeAwsTraceStore, makeDynamoDedupStore, makeDynamoExperimentStore, signSlackRequest } from "@sre-on-call/adapters";
import { sampleExperiment } from "@sre-on-call/core/testing";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { MOTO_SKIP_REASON, motoAvailable, type MotoServer, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { Effect, Result } from "effect";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Env, StartupError } from "../composition/buildApp.js";
import type { AppConfig } from "../config/AppConfig.js";
import { parseConfigText } from "../config/loadConfig.js";
import { buildLambdaApp, type InvestigateResult, type LambdaApp } from "./buildLambdaApp.js";
import { createLambdaHandler, type LambdaHandler } from "./createLambdaHandler.js";
import type { FunctionUrlResult } from "./functionUrl.js";
import { makeDynamoClient } from "./makeDynamoClient.js";
import { type FakeLambdaApi, startFakeLambdaApi } from "./testing/fakeLambdaApi.js";
import { functionUrlEvent, lambdaContext, signedSlackEvent, slackMention } from "./testing/functionUrlEvents.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SECRET = "0123456789abcdef0123456789abcdef";
const CHANNEL = "C0ALERTS";
const FUNCTION = "sre-on-call-intake";
const ALERT = "[FIRING:1] KubePodCrashLooping (payments payments-db-0 critical) Pod payments/payments-db-0 is crash looping";

const configFor = (): AppConfig => {
  const parsed = parseConfigText(
    [
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      `store: { directory: ${JSON.stringify(mkdtempSync(join(tmpdir(), "sre-lambda-app-")))} }`,
      "agents:",
      "  eks:",
      `    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }`
    ].join("\n"),
    "test config"
  );
  if (Result.isFailure(parsed)) throw parsed.failure;
  return parsed.success;
};

const logs: Array<string> = [];
const log = (level: string, message: string, fields?: Readonly<Record<string, unknown>>) => void logs.push(JSON.stringify({ level, message, ...fields }));

let slack: FakeSlackApi;
const apps: Array<LambdaApp> = [];

const container = (env: Env): { app: Promise<LambdaApp>; handler: LambdaHandler } => {
  const app = buildLambdaApp({ config: configFor(), env, cwd: ROOT, log, consoleWrite: () => undefined });
  void app.then((a) => apps.push(a), () => undefined);
  return { app, handler: createLambdaHandler({ app, log }) };
};

const http = async (handler: LambdaHandler, event: unknown, remainingMs = 20_000) => (await handler(event, lambdaContext(remainingMs))) as FunctionUrlResult;

const mention = (eventId: string, pod: string) => {
  const text = `<@${slack.bot.userId}> ${ALERT.replaceAll("payments-db-0", pod)}`;
  const ts = slack.seed(CHANNEL, { user: "U0ALICE", text });
  return { ts, body: slackMention({ botUserId: slack.bot.userId, channel: CHANNEL, ts, text, eventId }) };
};

const reportsIn = (ts: string) =>
  slack.messages(CHANNEL).filter((m) => m.thread_ts === ts && m.bot_id !== undefined && /hypothes|root cause/i.test(m.text + JSON.stringify(m.blocks ?? [])));

const slackEnv = (): Env => ({ SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url });

beforeEach(async () => {
  slack = await startFakeSlackApi({ channels: [CHANNEL] });
  logs.length = 0;
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await slack.close();
});

describe("startup", () => {
  it("refuses to start on Lambda without SRE_DEDUP_TABLE, and the handler says why with a 503 instead of de-duplicating in memory", async () => {
    const env = { ...slackEnv(), AWS_LAMBDA_FUNCTION_NAME: FUNCTION };
    await expect(buildLambdaApp({ config: configFor(), env, cwd: ROOT, log })).rejects.toThrow(StartupError);
    const { handler } = container(env);
    const res = await http(handler, signedSlackEvent(SECRET, JSON.stringify({ type: "url_verification", challenge: "c" })));
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "startup_failed", message: expect.stringMatching(/SRE_DEDUP_TABLE is not set/) } });
    // An investigate invocation fails loudly so Lambda retries it and then keeps it in the on-failure destination.
    await expect(handler({ kind: "investigate" }, lambdaContext(1_000))).rejects.toThrow(/SRE_DEDUP_TABLE/);
    expect(logs.filter((l) => l.includes("could not start"))).toHaveLength(1);
  });

  it("names the missing Slack signing secret", async () => {
    await expect(buildLambdaApp({ config: configFor(), env: { SLACK_BOT_TOKEN: slack.token }, cwd: ROOT, log })).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });

  it("does not expose an unexpected startup failure's message in the HTTP answer", async () => {
    const handler = createLambdaHandler({ app: Promise.reject(new Error("connect ECONNREFUSED with token xoxb-leak")), log });
    const res = await http(handler, signedSlackEvent(SECRET, "{}"));
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain("xoxb-leak");
  });
});

describe("the inline fallback (no SRE_INVESTIGATOR_FUNCTION)", () => {
  it("answers only once the investigation has posted its report, within the invocation", async () => {
    const { app, handler } = container(slackEnv());
    expect((await app).describe().join("\n")).toMatch(/inline in the intake invocation/);
    expect((await app).handOff.mode).toBe("inline");
    const { ts, body } = mention("Ev0INLINE", "payments-db-0");
    const res = await http(handler, signedSlackEvent(SECRET, body), 40_000);
    expect(res.statusCode).toBe(200);
    expect(reportsIn(ts).length).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => l.includes("inline investigation finished") && l.includes('"outcome":"reported"'))).toBe(true);
  });
});

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

describe.skipIf(!available)(`dedup in DynamoDB (moto_server)${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let lambda: FakeLambdaApi;
  let tables = 0;
  const saved = { ...process.env };

  beforeAll(async () => {
    // The SDK's default credential chain reads these, as it reads the execution role's on Lambda.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
    moto = await startMotoServer();
    lambda = await startFakeLambdaApi({ functions: [FUNCTION] });
  });

  afterAll(async () => {
    await lambda?.close();
    await moto?.stop();
    process.env = saved;
  });

  const lambdaEnv = async (): Promise<Env> => {
    const table = `sre-dedup-${++tables}`;
    const client = makeDynamoClient({ region: "us-east-1", endpoint: moto!.endpoint });
    await Effect.runPromise(ensureDedupTable(client, table));
    client.destroy();
    return {
      ...slackEnv(),
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
      AWS_REGION: "us-east-1",
      SRE_DEDUP_TABLE: table,
      SRE_DYNAMODB_ENDPOINT: moto!.endpoint,
      SRE_INVESTIGATOR_FUNCTION: FUNCTION,
      SRE_LAMBDA_ENDPOINT: lambda.url
    };
  };

  it("hands a delivery off once across two containers, however often Slack retries it, and keeps the claims in the table", async () => {
    const env = await lambdaEnv();
    const a = container(env);
    const b = container(env);
    const before = lambda.invocations().length;
    const { ts, body } = mention("Ev0DYNAMO1", "payments-db-3");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http(i % 2 === 0 ? a.handler : b.handler, signedSlackEvent(SECRET, body, i === 0 ? {} : { base64: i % 3 === 0, headers: { "x-slack-retry-num": String(i) } }))
      )
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const handedOff = lambda.invocations().slice(before);
    expect(handedOff).toHaveLength(1);
    expect(handedOff[0]!.payload).toMatchObject({ kind: "investigate", alert: { messageId: ts } });

    // A second mention of the same alert (a new delivery) finds the thread already investigated.
    const again = slackMention({ botUserId: slack.bot.userId, channel: CHANNEL, ts, text: `<@${slack.bot.userId}> ${ALERT}`, eventId: "Ev0DYNAMO2" });
    expect((await http(b.handler, signedSlackEvent(SECRET, again))).statusCode).toBe(200);
    expect(lambda.invocations().slice(before)).toHaveLength(1);
    expect(logs.filter((l) => /dedup store unavailable|dedup store write failed/.test(l))).toEqual([]);

    const client = makeDynamoClient({ region: "us-east-1", endpoint: moto!.endpoint });
    const table = makeDynamoDedupStore({ client, tableName: env["SRE_DEDUP_TABLE"]! });
    // One claim per investigated message, holding the delivery that won it.
    const claim = await Effect.runPromise(table.get(`target:slack:${CHANNEL}:${ts}`));
    expect(claim).toContain(ts);
    expect(claim).toContain("Ev0DYNAMO1");
    client.destroy();
  });

  it("runs an investigate event delivered twice to two containers exactly once", async () => {
    const env = await lambdaEnv();
    const a = container(env);
    const b = container(env);
    const before = lambda.invocations().length;
    const { ts, body } = mention("Ev0DYNAMO3", "payments-db-4");
    expect((await http(a.handler, signedSlackEvent(SECRET, body))).statusCode).toBe(200);
    const payload = lambda.invocations().slice(before)[0]!.payload;
    const results = (await Promise.all([a.handler(payload, lambdaContext(60_000)), b.handler(payload, lambdaContext(60_000))])) as Array<InvestigateResult>;
    expect(results.map((r) => (r.ok ? r.outcome : r.error)).sort()).toEqual(["duplicate", "reported"]);
    expect(reportsIn(ts)).toHaveLength(1);
    expect(logs.filter((l) => /dedup store unavailable|dedup store write failed/.test(l))).toEqual([]);
  });

  it("archives every investigation in S3 + DynamoDB and answers /postmortem in the thread from that archive", async () => {
    const env = await lambdaEnv();
    const bucket = `sre-trace-${tables}`;
    const traceTable = `sre-trace-index-${tables}`;
    const dynamo = makeDynamoClient({ region: "us-east-1", endpoint: moto!.endpoint });
    const s3 = new S3Client({ region: "us-east-1", endpoint: moto!.endpoint, forcePathStyle: true });
    await Effect.runPromise(ensureTraceStoreResources(dynamo, traceTable, s3, bucket));
    const traceEnv: Env = { ...env, SRE_TRACE_BUCKET: bucket, SRE_TRACE_TABLE: traceTable, SRE_S3_ENDPOINT: moto!.endpoint };
    const a = container(traceEnv);
    expect((await a.app).describe().join("\n")).toMatch(new RegExp(`trace archive: S3 ${bucket} \\+ DynamoDB ${traceTable}`));
    const before = lambda.invocations().length;
    const { ts, body } = mention("Ev0TRACE1", "payments-db-5");
    expect((await http(a.handler, signedSlackEvent(SECRET, body))).statusCode).toBe(200);
    const payload = lambda.invocations().slice(before)[0]!.payload;
    const result = (await a.handler(payload, lambdaContext(60_000))) as InvestigateResult;
    expect(result).toMatchObject({ ok: true, outcome: "reported" });

    const archive = makeAwsTraceStore({ dynamo, table: traceTable, s3, bucket });
    const ids = await Effect.runPromise(archive.findByThread(CHANNEL, ts));
    expect(ids).toHaveLength(1);
    const trace = await Effect.runPromise(archive.get(ids[0]!));
    expect(trace._tag).toBe("Some");
    if (trace._tag !== "Some") return;
    expect(trace.value.events.map((e) => e.type)).toEqual(expect.arrayContaining(["dispatched", "agent_request", "agent_response", "report_posted"]));
    expect(trace.value.reports.length).toBeGreaterThanOrEqual(1);

    // /postmortem pointing at the alert's message drafts the postmortem in its thread from the archive.
    const form = new URLSearchParams({
      team_id: "T0FAKE", channel_id: CHANNEL, channel_name: "alerts", user_id: "U0ALICE", user_name: "alice", command: "/postmortem",
      text: `https://acme.slack.com/archives/${CHANNEL}/p${ts.replace(".", "")} root cause: the database volume filled up`,
      response_url: "https://hooks.slack.com/commands/T0FAKE/1/abc", trigger_id: "1.2.3"
    }).toString();
    const stamp = String(Math.floor(Date.now() / 1000));
    const command = functionUrlEvent({ path: "/slack/commands", body: form, headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": stamp, "x-slack-signature": signSlackRequest(SECRET, stamp, form) } });
    expect((await http(a.handler, command, 30_000)).statusCode).toBe(200);
    const draft = slack.messages(CHANNEL).find((m) => m.thread_ts === ts && /postmortem/i.test(m.text + JSON.stringify(m.blocks ?? [])));
    expect(draft).toBeDefined();
    expect(draft!.text + JSON.stringify(draft!.blocks ?? [])).toMatch(/database volume filled up/);
    dynamo.destroy();
    s3.destroy();
  });

  it("investigates with both variants of the experiment active in DynamoDB and records both runs", async () => {
    const env = await lambdaEnv();
    const table = `sre-experiments-${tables}`;
    const dynamo = makeDynamoClient({ region: "us-east-1", endpoint: moto!.endpoint });
    await Effect.runPromise(ensureExperimentTable(dynamo, table));
    const experiments = makeDynamoExperimentStore({ client: dynamo, tableName: table });
    await Effect.runPromise(experiments.define(sampleExperiment("exp-lambda", { control: { label: "today", overrides: {} }, treatment: { label: "fewer cycles", overrides: { max_tool_cycles: 2 } } })));
    await Effect.runPromise(experiments.activate("exp-lambda", Date.now()));
    const a = container({ ...env, SRE_EXPERIMENT_TABLE: table });
    expect((await a.app).describe().join("\n")).toMatch(new RegExp(`experiments: DynamoDB table ${table}`));
    const before = lambda.invocations().length;
    const { ts, body } = mention("Ev0EXPERIMENT1", "payments-db-6");
    expect((await http(a.handler, signedSlackEvent(SECRET, body))).statusCode).toBe(200);
    const payload = lambda.invocations().slice(before)[0]!.payload;
    expect(await a.handler(payload, lambdaContext(60_000))).toMatchObject({ ok: true, outcome: "reported" });
    const thread = slack.messages(CHANNEL).filter((m) => m.thread_ts === ts).map((m) => m.text + JSON.stringify(m.blocks ?? [])).join("\n");
    expect(thread).toMatch(/A\/B control: today/);
    expect(thread).toMatch(/A\/B treatment: fewer cycles/);
    const runs = await Effect.runPromise(experiments.runsOf("exp-lambda"));
    expect(runs.map((r) => r.variant).sort()).toEqual(["control", "treatment"]);
    dynamo.destroy();
  });
});
