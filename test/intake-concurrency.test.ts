/**
 * Under 50 concurrent deliveries of the same event, exactly one investigation starts — on the
 * embedded store (local server) and on DynamoDB (Lambda), each through the real intake pipeline.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EmbeddedStore, ensureDedupTable, makeDynamoDedupStore, makeEmbeddedDedupStore } from "@sre-on-call/adapters";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { type AlertContext, type DedupStoreShape, type IntakeEvent, makeIntake, parseAlertmanagerWebhook } from "@sre-on-call/core";
import { makeCapturingTelemetry, makeInMemoryChat } from "@sre-on-call/core/testing";
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";

const mention: IntakeEvent = {
  _tag: "Mention",
  platform: "slack",
  channelId: "C1",
  messageId: "1764063600.000100",
  text: "<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)",
  timestamp: Date.now(),
  eventId: "EvSame"
};

const group = {
  version: "4",
  groupKey: "{}:{}",
  truncatedAlerts: 0,
  status: "firing",
  receiver: "r",
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: "http://am",
  alerts: [{ status: "firing", labels: { alertname: "X", namespace: "payments" }, annotations: {}, startsAt: "2026-11-25T09:00:00Z", endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint: "abc123" }]
};

const race = async (dedup: DedupStoreShape) => {
  const chat = makeInMemoryChat({ platform: "slack" });
  const launched: Array<AlertContext> = [];
  const logs = makeCapturingTelemetry();
  const intake = makeIntake({
    telemetry: logs.telemetry,
    chats: { slack: chat.chat },
    dedup,
    launch: (alert) => Effect.sync(() => void launched.push(alert)),
    settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }) }
  });
  const mentions = await Promise.all(Array.from({ length: 50 }, () => Effect.runPromise(intake.handleChatEvent(mention, "slack"))));
  const parsed = parseAlertmanagerWebhook(group, { now: Date.now() });
  if (Result.isFailure(parsed)) throw parsed.failure;
  const webhooks = await Promise.all(Array.from({ length: 50 }, () => Effect.runPromise(intake.handleAlerts(parsed.success.alerts))));
  return { launched, mentions, webhooks: webhooks.flat(), posted: chat.log().filter((l) => l.kind === "top").length, logs: logs.records().filter((r) => r["level"] !== "info") };
};

const check = (r: Awaited<ReturnType<typeof race>>) => {
  // A store error would fail open (a second investigation): none may happen here.
  expect(r.logs, JSON.stringify(r.logs)).toEqual([]);
  expect(r.mentions.filter((o) => o._tag === "Investigating")).toHaveLength(1);
  expect(r.mentions.filter((o) => o._tag === "Duplicate")).toHaveLength(49);
  expect(r.webhooks.filter((o) => o._tag === "Investigating")).toHaveLength(1);
  expect(r.launched).toHaveLength(2);
  expect(r.posted).toBe(1);
};

describe("exactly one investigation under 50 concurrent deliveries", () => {
  it("with the embedded store", async () => {
    const store = await EmbeddedStore.open({ directory: mkdtempSync(join(tmpdir(), "sre-conc-")) });
    try {
      check(await race(makeEmbeddedDedupStore(store)));
    } finally {
      await store.close();
    }
  });

  it.skipIf(!motoAvailable())(`with DynamoDB on moto_server${motoAvailable() ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, async () => {
    const moto = await startMotoServer();
    try {
      const client = new DynamoDBClient(motoClientConfig(moto.endpoint));
      await Effect.runPromise(ensureDedupTable(client, "sre-dedup"));
      check(await race(makeDynamoDedupStore({ client, tableName: "sre-dedup" })));
      client.destroy();
    } finally {
      await moto.stop();
    }
  });
});
