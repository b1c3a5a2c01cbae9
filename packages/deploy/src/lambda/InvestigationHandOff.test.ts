import { LambdaClient } from "@aws-sdk/client-lambda";
import { makeConsoleChat } from "@sre-on-call/adapters";
import type { AlertContext, ChatPlatformShape } from "@sre-on-call/core";
import { sampleAlert } from "@sre-on-call/core/testing";
import { Cause, Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeInvestigateEvent } from "./InvestigateEvent.js";
import { makeInlineHandOff, type RunInvestigation, runWithinBudget } from "./InvestigationHandOff.js";
import { makeLambdaInvokeHandOff } from "./LambdaInvokeHandOff.js";
import { type FakeLambdaApi, startFakeLambdaApi } from "./testing/fakeLambdaApi.js";

const alert: AlertContext = { ...sampleAlert, channelId: "C1", messageId: "1700000000.000100" };

const consoleChat = () => {
  const written: Array<string> = [];
  return { chat: makeConsoleChat({ write: (t) => void written.push(t), dialect: "json" }), written };
};

const logs: Array<{ level: string; message: string; fields?: Readonly<Record<string, unknown>> }> = [];
const log = (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) => void logs.push({ level, message, ...(fields !== undefined ? { fields } : {}) });

describe("runWithinBudget", () => {
  it("reports a finished investigation and a failed one", async () => {
    const { chat } = consoleChat();
    expect(await runWithinBudget(() => Effect.succeed("done"), alert, chat, 1_000)).toBe("reported");
    expect(await runWithinBudget(() => Effect.fail("boom"), alert, chat, 1_000)).toBe("failed");
  });

  it("interrupts an investigation that outlasts the budget and says so in the alert's thread", async () => {
    const { chat, written } = consoleChat();
    let interrupted = false;
    const run: RunInvestigation = () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void (interrupted = true))));
    expect(await runWithinBudget(run, alert, chat, 20)).toBe("cut_short");
    expect(interrupted).toBe(true);
    const notice = JSON.parse(written.at(-1)!) as { channelId: string; threadId: string; text: string };
    expect(notice).toMatchObject({ channelId: "C1", threadId: alert.messageId });
    expect(notice.text).toContain(alert.investigationId);
    expect(notice.text).toMatch(/ran out of time/);
  });
});

describe("the inline hand-off", () => {
  it("only queues on launch and runs the queued investigations when settled", async () => {
    const { chat } = consoleChat();
    const ran: Array<string> = [];
    const handOff = makeInlineHandOff({ run: (a) => Effect.sync(() => void ran.push(a.investigationId)), log });
    await Effect.runPromise(handOff.launch(alert, chat));
    await Effect.runPromise(handOff.launch({ ...alert, investigationId: "inv-second" }, chat));
    expect(ran).toEqual([]);
    await handOff.settle(1_000);
    expect(ran.sort()).toEqual([alert.investigationId, "inv-second"].sort());
    await handOff.settle(1_000);
    expect(ran).toHaveLength(2);
  });
});

describe("the Lambda invoke hand-off", () => {
  let lambda: FakeLambdaApi;
  let client: LambdaClient;
  beforeAll(async () => {
    lambda = await startFakeLambdaApi({ functions: ["investigator"] });
    client = new LambdaClient({ endpoint: lambda.url, region: "eu-west-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await lambda.close();
  });

  it("sends an investigate event, naming the chat by its configured key, that decodes back to the same alert", async () => {
    const { chat } = consoleChat();
    const handOff = makeLambdaInvokeHandOff({ client, functionName: "investigator", chats: { console: chat }, log });
    await Effect.runPromise(handOff.launch(alert, chat));
    const sent = lambda.invocations().at(-1)!;
    expect(sent).toMatchObject({ functionName: "investigator", invocationType: "Event", status: 202 });
    const decoded = decodeInvestigateEvent(sent.payload);
    expect(decoded._tag === "Success" && decoded.success).toEqual({ kind: "investigate", alert, platform: "console", channel: "C1" });
  });

  it("fails the launch (intake then reports a retryable failure) when the function cannot be invoked and there is no fallback", async () => {
    const { chat } = consoleChat();
    const handOff = makeLambdaInvokeHandOff({ client, functionName: "missing-function", chats: { console: chat }, log });
    const exit = await Effect.runPromiseExit(handOff.launch(alert, chat));
    expect(Exit.isFailure(exit)).toBe(true);
    expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toMatch(/could not invoke missing-function: ResourceNotFoundException/);
    expect(logs.at(-1)).toMatchObject({ level: "error", message: "could not hand the investigation off" });
  });

  it("refuses a chat that is not one of the configured ones rather than sending a name the investigator cannot resolve", async () => {
    const { chat } = consoleChat();
    const other: ChatPlatformShape = { ...chat };
    const handOff = makeLambdaInvokeHandOff({ client, functionName: "investigator", chats: { console: chat }, log });
    const before = lambda.invocations().length;
    expect(Exit.isFailure(await Effect.runPromiseExit(handOff.launch(alert, other)))).toBe(true);
    expect(lambda.invocations()).toHaveLength(before);
  });

  it("hands to the fallback when the invocation fails, and settles it", async () => {
    const { chat } = consoleChat();
    const ran: Array<string> = [];
    const fallback = makeInlineHandOff({ run: (a) => Effect.sync(() => void ran.push(a.investigationId)), log });
    const handOff = makeLambdaInvokeHandOff({ client, functionName: "investigator", chats: { console: chat }, log, fallback });
    lambda.failNext(500);
    await Effect.runPromise(handOff.launch(alert, chat));
    expect(ran).toEqual([]);
    await handOff.settle(1_000);
    expect(ran).toEqual([alert.investigationId]);
  });
});
