/**
 * Intake behaviour the mutation run found unobserved: a claim left `pending` by a process that
 * crashed while posting is taken over once its grace has passed (and not before), a store that
 * keeps failing is retried and then fails open, and a tier-2 classifier that breaks still
 * investigates. Observed from outside: the outcomes, what was launched, and what was posted.
 */
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AlertContext } from "../model/AlertContext.js";
import { parseAlertmanagerWebhook } from "../parse/parseAlertmanagerWebhook.js";
import type { ChatPlatformShape } from "../ports/ChatPlatform.js";
import { DedupError, type DedupStoreShape } from "../ports/DedupStore.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeCapturingTelemetry, makeInMemoryDedupStore } from "../testing/memory/InMemoryStores.js";
import { type IntakeDeps, makeIntake } from "./processIntake.js";

const T0 = Date.UTC(2026, 10, 25, 9, 40);

const setup = (overrides: Partial<IntakeDeps> = {}) => {
  let now = T0;
  const clock = { now: () => now, set: (t: number) => void (now = t) };
  const slack = makeInMemoryChat({ platform: "slack", dialect: "slack", now: clock.now });
  const launched: Array<{ alert: AlertContext; chat: ChatPlatformShape }> = [];
  const dedup = overrides.dedup ?? makeInMemoryDedupStore(clock.now);
  const deps: IntakeDeps = {
    chats: { slack: slack.chat },
    dedup,
    launch: (alert, chat) => Effect.sync(() => void launched.push({ alert, chat })),
    now: clock.now,
    settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }) },
    ...overrides
  };
  return { slack, launched, dedup, clock, intake: makeIntake(deps) };
};

const firing = (fingerprint: string) => {
  const parsed = parseAlertmanagerWebhook(
    {
      version: "4",
      groupKey: '{}:{alertname="KubePodCrashLooping"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "sre-on-call",
      groupLabels: { alertname: "KubePodCrashLooping" },
      commonLabels: { alertname: "KubePodCrashLooping" },
      commonAnnotations: {},
      externalURL: "http://alertmanager.example.com",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "KubePodCrashLooping", namespace: "payments", pod: `api-${fingerprint}`, severity: "critical" },
          annotations: { summary: `Pod payments/api-${fingerprint} is crash looping` },
          startsAt: "2026-11-25T09:38:00Z",
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://prometheus.example.com/graph?g0.expr=x",
          fingerprint
        }
      ]
    },
    { now: T0 }
  );
  if (parsed._tag !== "Success") throw new Error(String(parsed.failure));
  return parsed.success.alerts;
};

/** The claim a process leaves when it dies after claiming an alert and before posting it. */
const abandonedClaim = (alert: AlertContext, at: number) =>
  JSON.stringify({ investigationId: alert.investigationId, platform: "slack", channelId: "C-OPS", threadId: "", state: "pending", at });

describe("intake: a claim abandoned by a crashed process", () => {
  it("is a duplicate while its owner may still be posting, and is taken over once 60 s have passed", async () => {
    const { intake, launched, slack, dedup, clock } = setup();
    const alerts = firing("c1");
    const alert = alerts[0]!;
    await Effect.runPromise(dedup.put(`alert:${alert.investigationId}`, abandonedClaim(alert, T0), 24 * 3600));

    clock.set(T0 + 30_000);
    expect(await Effect.runPromise(intake.handleAlerts(alerts))).toEqual([{ _tag: "Duplicate", key: `alert:${alert.investigationId}` }]);
    clock.set(T0 + 60_000);
    expect((await Effect.runPromise(intake.handleAlerts(alerts)))[0]?._tag).toBe("Duplicate");
    expect(launched).toHaveLength(0);
    expect(slack.log()).toHaveLength(0);

    clock.set(T0 + 60_001);
    const [outcome] = await Effect.runPromise(intake.handleAlerts(alerts));
    expect(outcome).toMatchObject({ _tag: "Investigating", channelId: "C-OPS" });
    expect(launched.map((l) => l.alert.investigationId)).toEqual([alert.investigationId]);
    expect(slack.log().map((l) => [l.kind, l.channelId])).toEqual([["top", "C-OPS"]]);
    // The new owner recorded where it posted: a re-send now is a plain duplicate, for good.
    const stored = JSON.parse((await Effect.runPromise(dedup.get(`alert:${alert.investigationId}`))) ?? "{}") as { state?: string; threadId?: string };
    expect(stored).toMatchObject({ state: "posted", threadId: slack.log()[0]!.messageId });
    clock.set(T0 + 10 * 60_000);
    expect((await Effect.runPromise(intake.handleAlerts(alerts)))[0]?._tag).toBe("Duplicate");
    expect(launched).toHaveLength(1);
  });

  it("a pending claim without a time is as old as can be: taken over at once", async () => {
    const { intake, launched, dedup } = setup();
    const alerts = firing("c2");
    const alert = alerts[0]!;
    const { at: _at, ...timeless } = JSON.parse(abandonedClaim(alert, T0)) as Record<string, unknown>;
    await Effect.runPromise(dedup.put(`alert:${alert.investigationId}`, JSON.stringify(timeless), 3600));
    expect((await Effect.runPromise(intake.handleAlerts(alerts)))[0]?._tag).toBe("Investigating");
    expect(launched).toHaveLength(1);
  });

  it("an unreadable claim is not taken over", async () => {
    const { intake, launched, dedup } = setup();
    const alerts = firing("c3");
    await Effect.runPromise(dedup.put(`alert:${alerts[0]!.investigationId}`, "{not json", 3600));
    expect((await Effect.runPromise(intake.handleAlerts(alerts)))[0]?._tag).toBe("Duplicate");
    expect(launched).toHaveLength(0);
  });
});

describe("intake: a dedup store in trouble", () => {
  const flaky = (failures: number): DedupStoreShape & { readonly calls: () => number } => {
    const inner = makeInMemoryDedupStore(() => T0);
    let calls = 0;
    return {
      ...inner,
      putIfAbsent: (key, value, ttl) => Effect.suspend(() => (++calls <= failures ? Effect.fail(new DedupError({ operation: "putIfAbsent", reason: "throttled" })) : inner.putIfAbsent(key, value, ttl))),
      calls: () => calls
    };
  };

  it("a claim that fails three times is retried and then counts", async () => {
    const store = flaky(3);
    const { intake, launched } = setup({ dedup: store });
    expect((await Effect.runPromise(intake.handleAlerts(firing("d1"))))[0]?._tag).toBe("Investigating");
    expect(store.calls()).toBe(4);
    // The claim the fourth try made holds: a re-send is a duplicate.
    expect((await Effect.runPromise(intake.handleAlerts(firing("d1"))))[0]?._tag).toBe("Duplicate");
    expect(launched).toHaveLength(1);
  });

  it("a store that keeps failing fails open, logging why", async () => {
    const store = flaky(1_000);
    const { telemetry, records } = makeCapturingTelemetry();
    const { intake, launched } = setup({ dedup: store, telemetry });
    expect((await Effect.runPromise(intake.handleAlerts(firing("d2"))))[0]?._tag).toBe("Investigating");
    expect(store.calls()).toBe(4);
    expect(launched).toHaveLength(1);
    expect(records().filter((r) => r["level"] === "warn").map((r) => [r["msg"], r["error"]])).toContainEqual([
      "dedup store unavailable; continuing without de-duplication",
      "dedup store putIfAbsent failed: throttled"
    ]);
  });
});

describe("intake: a tier-2 classifier that breaks", () => {
  it("still investigates a mention it was asked about, whether it throws or fails", async () => {
    const throwing = () => {
      throw new Error("model client not configured");
    };
    for (const [i, tier2] of [throwing, () => Effect.fail("ThrottlingException")].entries()) {
      const { intake, launched } = setup({ gate: { withoutBuiltins: true, rules: [], tier2 } });
      const outcome = await Effect.runPromise(
        intake.handleChatEvent({ _tag: "Mention", platform: "slack", channelId: "C1", messageId: `1764063600.00010${i}`, text: "<@U0BOT> checkout feels slow since noon", timestamp: T0, eventId: `Ev${i}` }, "slack")
      );
      expect(outcome._tag).toBe("Investigating");
      expect(launched).toHaveLength(1);
    }
  });
});
