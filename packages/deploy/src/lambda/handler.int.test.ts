/**
 * The exported Lambda `handler`, configured the way Lambda configures it (environment variables
 * read at module load), fed synthetic function URL events. Slack is the fake Slack Web API, the
 * asynchronous hand-off goes to a fake Lambda Invoke endpoint through the real AWS SDK, and the
 * recorded payload is fed back as the direct invocation Lambda would make.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeSlackApi, startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvestigateResult } from "./buildLambdaApp.js";
import type { LambdaHandler } from "./createLambdaHandler.js";
import type { FunctionUrlResult } from "./functionUrl.js";
import { type FakeLambdaApi, startFakeLambdaApi } from "./testing/fakeLambdaApi.js";
import { functionUrlEvent, lambdaContext, signedSlackEvent, slackMention } from "./testing/functionUrlEvents.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const CHANNEL = "C0ALERTS";
const FUNCTION = "sre-on-call-intake";
const ALERT = "[FIRING:1] KubePodCrashLooping (payments payments-db-0 critical) Pod payments/payments-db-0 is crash looping";

let slack: FakeSlackApi;
let lambda: FakeLambdaApi;
let handler: LambdaHandler;
const logged: Array<string> = [];
const originalWrite = process.stdout.write.bind(process.stdout);

const http = async (event: unknown, remainingMs = 20_000): Promise<FunctionUrlResult & { json: () => Record<string, unknown> }> => {
  const result = (await handler(event, lambdaContext(remainingMs))) as FunctionUrlResult;
  expect(result).toHaveProperty("statusCode");
  return { ...result, json: () => JSON.parse(result.body) as Record<string, unknown> };
};

const invoke = async (payload: unknown): Promise<InvestigateResult> => (await handler(payload, lambdaContext(60_000))) as InvestigateResult;

const reportsIn = (ts: string) =>
  slack.messages(CHANNEL).filter((m) => m.thread_ts === ts && m.bot_id !== undefined && /hypothes|root cause/i.test(m.text + JSON.stringify(m.blocks ?? [])));

const mention = (text: string, eventId: string) => {
  const ts = slack.seed(CHANNEL, { user: "U0ALICE", text });
  return { ts, body: slackMention({ botUserId: slack.bot.userId, channel: CHANNEL, ts, text, eventId }) };
};

beforeAll(async () => {
  slack = await startFakeSlackApi({ channels: [CHANNEL] });
  lambda = await startFakeLambdaApi({ functions: [FUNCTION] });
  Object.assign(process.env, {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    SRE_WEBHOOK_TOKEN: "am-secret-token-0123456789",
    SRE_INVESTIGATOR_FUNCTION: FUNCTION,
    SRE_LAMBDA_ENDPOINT: lambda.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    SRE_ON_CALL_CONFIG_YAML: [
      "investigation: { report_after_seconds: 20, synthesis_reserve_seconds: 1, hard_cutoff_seconds: 30 }",
      `store: { directory: ${JSON.stringify(mkdtempSync(join(tmpdir(), "sre-lambda-")))} }`,
      `routing: { default: { platform: slack, channel: ${CHANNEL} } }`,
      "agents:",
      "  eks:",
      `    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }`
    ].join("\n")
  });
  delete process.env["AWS_LAMBDA_FUNCTION_NAME"];
  delete process.env["SRE_DEDUP_TABLE"];
  delete process.env["SRE_ON_CALL_CONFIG"];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: Array<never>) => {
    logged.push(String(chunk));
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
  ({ handler } = await import("./handler.js"));
});

afterAll(async () => {
  process.stdout.write = originalWrite;
  await lambda?.close();
  await slack?.close();
});

describe("the Lambda handler", () => {
  it("answers Slack's url_verification challenge", async () => {
    const res = await http(signedSlackEvent(SECRET, JSON.stringify({ token: "x", type: "url_verification", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" })));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
    expect(lambda.invocations()).toHaveLength(0);
  });

  it("acknowledges a signed alert mention, hands it off with an Event invocation, and the investigation posts its report when that invocation arrives", async () => {
    const text = `<@${slack.bot.userId}> ${ALERT}`;
    const { ts, body } = mention(text, "Ev0LAMBDA1");
    const started = performance.now();
    const res = await http(signedSlackEvent(SECRET, body));
    console.info(`[measured] signed Slack mention → 200 with the hand-off done: ${(performance.now() - started).toFixed(1)} ms`);
    expect(res.statusCode).toBe(200);

    const handedOff = lambda.invocations();
    expect(handedOff).toHaveLength(1);
    expect(handedOff[0]).toMatchObject({ functionName: FUNCTION, invocationType: "Event", signed: true, status: 202 });
    expect(handedOff[0]!.payload).toMatchObject({ kind: "investigate", platform: "slack", channel: CHANNEL, alert: { channelId: CHANNEL, messageId: ts, source: "slack" } });
    expect(reportsIn(ts)).toHaveLength(0);

    // Slack retries the same delivery (here base64-encoded, as a function URL may pass it): no second hand-off.
    const retry = await http(signedSlackEvent(SECRET, body, { base64: true, headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } }));
    expect(retry.statusCode).toBe(200);
    expect(lambda.invocations()).toHaveLength(1);

    const result = await invoke(handedOff[0]!.payload);
    expect(result).toMatchObject({ ok: true, outcome: "reported" });
    const reports = reportsIn(ts);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    const all = reports.map((m) => m.text + JSON.stringify(m.blocks ?? [])).join("\n");
    expect(all).toMatch(/payments-db/);
    expect(all).toMatch(/No space left on device|volume|full/i);
    expect(logged.join("")).toMatch(/"message":"report posted","investigationId":"inv-/);

    // Lambda may deliver an asynchronous event twice: the second delivery does not post again.
    const again = await invoke(handedOff[0]!.payload);
    expect(again).toMatchObject({ ok: true, outcome: "duplicate" });
    expect(reportsIn(ts)).toHaveLength(reports.length);
  });

  it("accepts a base64-encoded signed mention", async () => {
    const before = lambda.invocations().length;
    const { ts, body } = mention(`<@${slack.bot.userId}> ${ALERT.replace("payments-db-0", "payments-db-1")}`, "Ev0LAMBDA64");
    const started = performance.now();
    const res = await http(signedSlackEvent(SECRET, body, { base64: true }));
    console.info(`[measured] warm: signed base64 Slack mention → 200 with the hand-off done: ${(performance.now() - started).toFixed(1)} ms`);
    expect(res.statusCode).toBe(200);
    expect(lambda.invocations().slice(before).map((i) => (i.payload as { alert: { messageId: string } }).alert.messageId)).toEqual([ts]);
  });

  it("falls back to investigating inline when the investigator function cannot be invoked, so the alert is not lost", async () => {
    lambda.failNext(503, 2);
    const before = lambda.invocations().length;
    const { ts, body } = mention(`<@${slack.bot.userId}> ${ALERT.replace("payments-db-0", "payments-db-2")}`, "Ev0LAMBDAFAIL");
    const res = await http(signedSlackEvent(SECRET, body), 40_000);
    expect(res.statusCode).toBe(200);
    expect(lambda.invocations().slice(before).map((i) => i.status)).toEqual([503, 503]);
    // The response is only returned once the inline investigation is done: its report is already there.
    expect(reportsIn(ts).length).toBeGreaterThanOrEqual(1);
    expect(logged.join("")).toContain("could not hand the investigation off");
  });

  it("rejects a mis-signed request with 401 and a malformed body with 400, handing nothing off", async () => {
    const before = lambda.invocations().length;
    const { body } = mention(`<@${slack.bot.userId}> ${ALERT}`, "Ev0FORGED");
    const forged = await http(signedSlackEvent("wrong-secret", body));
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ error: { code: "invalid_signature" } });
    expect(forged.body).not.toContain(SECRET);
    const garbage = await http(signedSlackEvent(SECRET, "{not json"));
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json()).toMatchObject({ error: { code: "bad_request" } });
    const badWebhook = await http(
      functionUrlEvent({ path: "/webhooks/alertmanager", body: "{not json", headers: { "content-type": "application/json", authorization: "Bearer am-secret-token-0123456789" } })
    );
    expect(badWebhook.statusCode).toBe(400);
    expect(badWebhook.json()).toMatchObject({ error: { code: "invalid_json" } });
    expect(lambda.invocations()).toHaveLength(before);
  });

  it("answers 404 for an unknown route, 413 for an oversize body, 400 for a malformed event, and 200 on /healthz", async () => {
    const unknown = await http(functionUrlEvent({ path: "/nope", body: "{}" }));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: "not_found" } });

    const huge = await http(signedSlackEvent(SECRET, JSON.stringify({ type: "event_callback", pad: "x".repeat(1024 * 1024) }), { base64: true }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: "body_too_large" } });

    const malformed = await http({ rawPath: "/slack/events", body: "{}" });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: "malformed_event" } });

    const health = await http(functionUrlEvent({ method: "GET", path: "/healthz" }));
    expect(health).toMatchObject({ statusCode: 200, headers: { "content-type": "application/json; charset=utf-8" } });
  });

  it("treats an investigate payload sent to the function URL as an HTTP body, never as an invocation", async () => {
    const payload = lambda.invocations().find((i) => i.status === 202)!.payload;
    const before = slack.calls().length;
    const res = await http(functionUrlEvent({ path: "/investigate", body: JSON.stringify(payload) }));
    expect(res.statusCode).toBe(404);
    const viaSlack = await http(functionUrlEvent({ path: "/slack/events", body: JSON.stringify(payload), headers: { "content-type": "application/json" } }));
    expect(viaSlack.statusCode).toBe(401);
    expect(slack.calls().slice(before).filter((c) => c.method === "chat.postMessage")).toHaveLength(0);
  });

  it("answers an invalid investigate invocation with the reason instead of running anything", async () => {
    const missing = await invoke({ kind: "investigate", platform: "slack", channel: CHANNEL });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toMatch(/invalid investigate event/);
    const payload = lambda.invocations().find((i) => i.status === 202)!.payload as Record<string, unknown>;
    const unknownChat = await invoke({ ...payload, platform: "discord" });
    expect(unknownChat).toEqual({ ok: false, error: expect.stringMatching(/no discord chat is configured/) });
  });

  it("never writes a secret to its logs", () => {
    const text = logged.join("");
    expect(text).toContain("sre-on-call Lambda intake ready");
    for (const secret of [SECRET, slack.token, "am-secret-token-0123456789", "testing"]) expect(text).not.toContain(secret);
  });
});
