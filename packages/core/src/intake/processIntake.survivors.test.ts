/**
 * Intake behaviour the first mutation run of `intake` found unobserved, observed from outside:
 * what operators read in the logs, the dedup TTL and the alert's window and deadline handed on,
 * heartbeats under their older names, the capped-alerts notice with many names or no investigated
 * alert to sit under, command and reaction paths that end without an investigation, and
 * resolved notices that cannot be posted.
 */
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AlertContext } from "../model/AlertContext.js";
import { parseAlertmanagerWebhook } from "../parse/parseAlertmanagerWebhook.js";
import { ChatError, type ChatPlatformShape } from "../ports/ChatPlatform.js";
import { DedupError, type DedupStoreShape } from "../ports/DedupStore.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeCapturingTelemetry, makeInMemoryDedupStore } from "../testing/memory/InMemoryStores.js";
import { investigationIdFor } from "../parse/investigationIdFor.js";
import type { TelemetryShape } from "../ports/Telemetry.js";
import type { IntakeEvent } from "./IntakeEvent.js";
import { type IntakeDeps, makeIntake } from "./processIntake.js";

const T0 = Date.UTC(2026, 10, 25, 9, 40);

/** Runs intake and lets what it sends after answering (hints, notices) land. */
const run = async <A>(e: Effect.Effect<A>) => {
  const a = await Effect.runPromise(e);
  await new Promise((r) => setTimeout(r, 5));
  return a;
};

const setup = (overrides: Partial<IntakeDeps> = {}) => {
  const slack = makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 });
  const launched: Array<{ alert: AlertContext; chat: ChatPlatformShape }> = [];
  const capture = makeCapturingTelemetry();
  const deps: IntakeDeps = {
    chats: { slack: slack.chat },
    dedup: makeInMemoryDedupStore(() => T0),
    launch: (alert, chat) => Effect.sync(() => void launched.push({ alert, chat })),
    now: () => T0,
    telemetry: capture.telemetry,
    settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }) },
    ...overrides
  };
  return { slack, launched, logs: capture.records, intake: makeIntake(deps) };
};

const mention = (text: string, extra: Partial<Extract<IntakeEvent, { _tag: "Mention" }>> = {}): IntakeEvent => ({
  _tag: "Mention",
  platform: "slack",
  channelId: "C1",
  messageId: "1764063600.000100",
  text,
  timestamp: T0,
  eventId: "Ev1",
  ...extra
});

interface AlertSpec {
  readonly fingerprint: string;
  readonly alertname?: string;
  readonly severity?: string;
  readonly summary?: string;
  readonly status?: "firing" | "resolved";
}

/** Alertmanager webhook alerts (payload version 4), parsed as intake receives them. */
const alerts = (specs: ReadonlyArray<AlertSpec>): ReadonlyArray<AlertContext> => {
  const status = specs[0]?.status ?? "firing";
  const parsed = parseAlertmanagerWebhook(
    {
      version: "4",
      groupKey: "{}:{}",
      truncatedAlerts: 0,
      status,
      receiver: "sre-on-call",
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: "http://alertmanager.example.com",
      alerts: specs.map((s) => ({
        status: s.status ?? "firing",
        labels: { alertname: s.alertname ?? "KubePodCrashLooping", namespace: "payments", pod: `api-${s.fingerprint}`, severity: s.severity ?? "critical" },
        annotations: { summary: s.summary ?? `Pod payments/api-${s.fingerprint} is crash looping` },
        startsAt: "2026-11-25T09:38:00Z",
        endsAt: s.status === "resolved" ? "2026-11-25T09:52:00Z" : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example.com/graph?g0.expr=x",
        fingerprint: s.fingerprint
      }))
    },
    { now: T0 }
  );
  if (parsed._tag !== "Success") throw new Error(String(parsed.failure));
  return parsed.success.alerts;
};

describe("intake: heartbeats under their older names", () => {
  it("ignores DeadMansSwitch and a dead man's snitch however they are spelled", async () => {
    const { intake, launched, slack } = setup();
    // kube-prometheus called its always-firing alert DeadMansSwitch before renaming it Watchdog.
    for (const [i, alertname] of ["DeadMansSwitch", "Dead-Mans-Snitch", "deadmansswitch"].entries()) {
      const [outcome] = await run(intake.handleAlerts(alerts([{ fingerprint: `hb${i}`, alertname, severity: "none" }])));
      expect(outcome).toEqual({ _tag: "Ignored", reason: `${alertname} is a heartbeat: it always fires to prove the alerting pipeline works` });
    }
    expect(launched).toHaveLength(0);
    expect(slack.log()).toHaveLength(0);
  });
});

describe("intake: settings handed on", () => {
  it("remembers claims for dedupTtlSeconds (a day by default), and gives chat alerts the configured window and deadline", async () => {
    const ttls: Array<number> = [];
    const store = makeInMemoryDedupStore(() => T0);
    const recording: DedupStoreShape = {
      ...store,
      putIfAbsent: (key, value, ttlSeconds) => {
        ttls.push(ttlSeconds);
        return store.putIfAbsent(key, value, ttlSeconds);
      }
    };
    const byDefault = setup({ dedup: recording });
    await run(byDefault.intake.handleChatEvent(mention("<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)"), "slack"));
    expect(ttls).toEqual([24 * 3600]);
    const configured = setup({ dedup: recording, settings: { dedupTtlSeconds: 600, windowMinutes: 10, deadlineMs: 30_000 } });
    await run(configured.intake.handleChatEvent(mention("<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)", { messageId: "2.0", eventId: "Ev2" }), "slack"));
    expect(ttls).toEqual([24 * 3600, 600]);
    const alert = configured.launched[0]!.alert;
    expect(alert.window).toEqual({ start: T0 - 10 * 60_000, end: T0 + 10 * 60_000 });
    expect(alert.deadline).toBe(T0 + 30_000);
  });
});

describe("intake: what operators read in the logs", () => {
  it("logs each classified mention with its decision, and a thread parent it could not read", async () => {
    const { intake, launched, logs } = setup();
    await run(intake.handleChatEvent(mention("<@U0BOT> checkout is down, 502s everywhere", { messageId: "9.1", threadId: "404.1" }), "slack"));
    expect(logs()).toContainEqual({ level: "warn", msg: "could not read the thread parent; investigating the mention itself", channelId: "C1", threadId: "404.1" });
    expect(logs()).toContainEqual(expect.objectContaining({ level: "info", msg: "classified mention", channelId: "C1", messageId: "9.1", decision: "investigate" }));
    // The unreadable parent is still the thread investigated, with the operator's words and a hint saying so.
    expect(launched[0]!.alert).toMatchObject({ messageId: "404.1", alertText: expect.stringContaining("checkout is down, 502s everywhere") });
    expect(launched[0]!.alert.hints).toContain("The thread's first message could not be read; only the operator's words are known.");
  });

  it("logs a webhook alert it could not post, and a dedup write that failed", async () => {
    const store = makeInMemoryDedupStore(() => T0);
    const failingWrites: DedupStoreShape = { ...store, put: () => Effect.fail(new DedupError({ operation: "put", reason: "table is read-only" })) };
    const { intake, slack, logs } = setup({ dedup: failingWrites });
    const [alert] = alerts([{ fingerprint: "p1" }]);
    slack.failPosts(1);
    expect(await run(intake.handleAlerts([alert!]))).toEqual([{ _tag: "Failed", reason: expect.stringContaining("simulated outage"), retryable: true }]);
    expect(logs()).toContainEqual({ level: "error", msg: "could not post a webhook alert; the sender should retry", investigationId: alert!.investigationId, error: expect.stringContaining("simulated outage") });
    expect(logs()).toContainEqual({ level: "warn", msg: "dedup store write failed", key: `alert:${alert!.investigationId}`, error: expect.stringContaining("table is read-only") });
  });
});

describe("intake: the capped-alerts notice", () => {
  it("names the ten most frequent alerts, then how many more, most frequent first", async () => {
    const { intake, slack, logs } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 1 } });
    // One page is investigated; fifteen warnings under twelve names are capped, Alert00 three times and Alert01 twice.
    const specs: Array<AlertSpec> = [{ fingerprint: "page", alertname: "PaymentsDown", severity: "critical" }];
    const names = Array.from({ length: 12 }, (_, i) => `Alert${String(i).padStart(2, "0")}`);
    names.forEach((alertname, i) => specs.push({ fingerprint: `w${i}`, alertname, severity: "warning" }));
    specs.push({ fingerprint: "w0b", alertname: "Alert00", severity: "warning" }, { fingerprint: "w0c", alertname: "Alert00", severity: "warning" }, { fingerprint: "w1b", alertname: "Alert01", severity: "warning" });
    await run(intake.handleAlerts(alerts(specs)));
    const notice = slack.log().find((l) => l.kind === "notice")!;
    expect(notice.message.text).toContain(
      "Not investigated: Alert00 ×3, Alert01 ×2, Alert02, Alert03, Alert04, Alert05, Alert06, Alert07, Alert08, Alert09, and 2 more. Mention me with `investigate` on an alert to look at it."
    );
    expect(notice.message.text).toMatch(/^⚠️ 15 alerts were not investigated: this delivery carried 16 alerts/);
    expect(logs()).toContainEqual({
      level: "warn",
      msg: "alerts not investigated: a bound was reached",
      platform: "slack",
      channelId: "C-OPS",
      capped: 15,
      reasons: ["this delivery carried 16 alerts and at most 1 are investigated per delivery (intake.max_alerts_per_payload)"]
    });
  });

  it("posts in the channel when no alert of the delivery is investigated there, one notice per channel, and logs a notice it could not post", async () => {
    const discord = makeInMemoryChat({ platform: "discord", dialect: "discord", now: () => T0 });
    const route = (alert: AlertContext) => (alert.entities.alertname === "OnDiscord" ? { platform: "discord", channelId: "D-OPS" } : { platform: "slack", channelId: "C-OPS" });
    const { intake, slack, logs } = setup({ chats: { slack: makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 }).chat, discord: discord.chat }, settings: { route, maxAlertsPerPayload: 1 } });
    const outcomes = await run(intake.handleAlerts(alerts([{ fingerprint: "s1", alertname: "OnSlack" }, { fingerprint: "d1", alertname: "OnDiscord", severity: "warning" }, { fingerprint: "d2", alertname: "OnDiscord", severity: "warning" }])));
    expect(outcomes.map((o) => o._tag)).toEqual(["Investigating", "Capped", "Capped"]);
    // Nothing was investigated on Discord: the notice is a message of its own in the routed channel.
    expect(discord.log()).toHaveLength(1);
    expect(discord.log()[0]).toMatchObject({ kind: "top", channelId: "D-OPS" });
    expect(discord.log()[0]!.message.text).toMatch(/^⚠️ 2 alerts were not investigated: .*Not investigated: OnDiscord ×2\./);
    expect(slack.log()).toHaveLength(0);

    // When the notice cannot be posted, the log says so.
    discord.failPosts(1);
    await run(intake.handleAlerts(alerts([{ fingerprint: "s2", alertname: "OnSlack" }, { fingerprint: "d3", alertname: "OnDiscord", severity: "warning" }])));
    expect(logs()).toContainEqual({ level: "error", msg: "could not post the capped-alerts notice", channelId: "D-OPS", capped: 1, error: expect.stringContaining("simulated outage") });
  });
});

describe("intake: the capped-alerts notice's anchor", () => {
  it("sits under an investigated alert only of the same channel on the same platform", async () => {
    const slack = makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 });
    const discord = makeInMemoryChat({ platform: "discord", dialect: "discord", now: () => T0 });
    // Both platforms call their channel "OPS".
    const route = (alert: AlertContext) => ({ platform: alert.entities.alertname === "OnDiscord" ? "discord" : "slack", channelId: "OPS" });
    const { intake } = setup({ chats: { slack: slack.chat, discord: discord.chat }, settings: { route, maxAlertsPerPayload: 1 } });
    await run(intake.handleAlerts(alerts([{ fingerprint: "s1", alertname: "OnSlack" }, { fingerprint: "d1", alertname: "OnDiscord", severity: "warning" }])));
    expect(slack.log().map((l) => l.kind)).toEqual(["top"]);
    expect(discord.log().map((l) => [l.kind, l.channelId])).toEqual([["top", "OPS"]]);
  });
});

describe("intake: paths that end without an investigation", () => {
  const command = (request: Partial<Extract<IntakeEvent, { _tag: "Command" }>["request"]>): IntakeEvent => ({
    _tag: "Command",
    request: { command: "investigate", platform: "slack", channelId: "C1", text: "", requestedAt: T0, userId: "U7", ...request }
  });

  it("answers /investigate without text with how to use it, and an unreadable target with why", async () => {
    const { intake, launched, slack } = setup();
    expect(await run(intake.handleChatEvent(command({ text: "   " }), "slack"))).toEqual({
      _tag: "Replied",
      text: "Tell me what to investigate: `/investigate text: <the alert or symptom>`, or use the message menu → Investigate."
    });
    const missing = await run(intake.handleChatEvent(command({ targetMessageId: "404.1" }), "slack"));
    expect(missing).toEqual({ _tag: "Replied", text: expect.stringMatching(/^I cannot read that message \(.+\)\.$/) });
    expect(launched).toHaveLength(0);
    expect(slack.log()).toHaveLength(0);
  });

  it("investigates a message picked from the menu again, with the requester's words as a note", async () => {
    const { intake, launched, slack } = setup();
    const target = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    await run(intake.handleChatEvent(mention("<@U0BOT> look", { messageId: "9.1", threadId: target }), "slack"));
    const again = await run(intake.handleChatEvent(command({ targetMessageId: target, text: "  after the rollback  " }), "slack"));
    expect(again).toMatchObject({ _tag: "Investigating", threadId: target });
    expect(launched).toHaveLength(2);
    expect(launched[1]!.alert.hints).toContain("Operator note: after the rollback");
    expect(launched[1]!.alert.source).toBe("slack");
    expect(launched[1]!.alert.investigationId).not.toBe(launched[0]!.alert.investigationId);
  });

  it("hands other commands to their handler and replies with its answer", async () => {
    const { intake } = setup({ commands: { postmortem: (request) => Effect.succeed(`postmortem for ${request.text}`) } });
    expect(await run(intake.handleChatEvent(command({ command: "postmortem", text: "inv-1" }), "slack"))).toEqual({ _tag: "Replied", text: "postmortem for inv-1" });
    expect(await run(intake.handleChatEvent(command({ command: "snapshot" }), "slack"))).toEqual({ _tag: "Replied", text: "/sre-snapshot is not available in this deployment yet." });
  });

  it("ignores events for a platform that is not configured, and passes on why an event was ignored", async () => {
    const { intake } = setup();
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> api down"), "discord"))).toEqual({ _tag: "Ignored", reason: "no discord chat is configured" });
    expect(await run(intake.handleChatEvent({ _tag: "Ignored", reason: "a bot's own message" }, "slack"))).toEqual({ _tag: "Ignored", reason: "a bot's own message" });
  });

  it("reports a launch that fails as a retryable failure", async () => {
    const { intake } = setup({ launch: () => Effect.die(new Error("runtime is shutting down")) });
    const outcome = await run(intake.handleChatEvent(mention("<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)"), "slack"));
    expect(outcome).toEqual({ _tag: "Failed", reason: expect.stringMatching(/^could not start the investigation: .*runtime is shutting down/), retryable: true });
  });
});

describe("intake: webhook alerts, announced and resolved", () => {
  it("announces a firing alert as [FIRING] with its severity once, its source and its investigation", async () => {
    const { intake, slack } = setup();
    const [alert] = alerts([{ fingerprint: "a1", summary: "Pod payments/api-a1 is crash looping" }]);
    await run(intake.handleAlerts([alert!]));
    const lines = slack.log()[0]!.message.text.split("\n");
    expect(lines[0]).toMatch(/^🚨 \[FIRING\] /);
    expect(lines[0]!.match(/\(critical\)/g)).toHaveLength(1);
    expect(lines[1]).toMatch(/^Source: <http:\/\/prometheus\.example\.com\/graph\?g0\.expr=x\|prometheus\.example\.com>$/);
    expect(lines[2]).toBe(`Investigation \`${alert!.investigationId}\` starting; the report follows in this thread.`);
    // A first line that already says FIRING and names its severity is not repeated.
    const [own] = alerts([{ fingerprint: "a2", summary: "[FIRING] checkout down (critical)" }]);
    const { intake: other, slack: otherSlack } = setup();
    await run(other.handleAlerts([{ ...own!, alertText: "[FIRING] checkout down (critical)" }]));
    expect(otherSlack.log()[0]!.message.text.split("\n")[0]).toBe("🚨 [FIRING] checkout down (critical)");
  });

  it("ignores a resolved alert whose announcement failed or whose chat is gone, and reports a resolved notice it could not post", async () => {
    const store = makeInMemoryDedupStore(() => T0);
    const { intake, slack } = setup({ dedup: store });
    const [firing] = alerts([{ fingerprint: "r1" }]);
    const [resolved] = alerts([{ fingerprint: "r1", status: "resolved" }]);
    // The announcement failed: the claim says so, and the resolution has no thread to go to.
    slack.failPosts(1);
    await run(intake.handleAlerts([firing!]));
    expect(await run(intake.handleAlerts([resolved!]))).toEqual([{ _tag: "Ignored", reason: `resolved alert ${resolved!.investigationId} was not investigated here` }]);
    // Announced on a chat this process no longer has.
    await Effect.runPromise(store.put(`alert:${resolved!.investigationId}`, JSON.stringify({ investigationId: resolved!.investigationId, platform: "discord", channelId: "D1", threadId: "1.0", state: "posted" }), 3600));
    expect(await run(intake.handleAlerts([resolved!]))).toEqual([{ _tag: "Ignored", reason: "no discord chat is configured" }]);
    // Announced here, but the resolved notice cannot be posted: the sender may retry.
    await Effect.runPromise(store.put(`alert:${resolved!.investigationId}`, JSON.stringify({ investigationId: resolved!.investigationId, platform: "slack", channelId: "C-OPS", threadId: "1.0", state: "posted" }), 3600));
    slack.failPosts(1);
    expect(await run(intake.handleAlerts([resolved!]))).toEqual([{ _tag: "Failed", reason: expect.stringContaining("simulated outage"), retryable: true }]);
  });

  it("fails, not retryably, an alert routed to a chat that is not configured", async () => {
    const { intake } = setup({ settings: { route: () => ({ platform: "teams", channelId: "T1" }) } });
    expect(await run(intake.handleAlerts(alerts([{ fingerprint: "t1" }])))).toEqual([{ _tag: "Failed", reason: "the route names teams, which is not configured", retryable: false }]);
  });
});

describe("intake: reactions", () => {
  it("a reacted message that cannot be read for another reason than not existing is a retryable failure when the platform says so", async () => {
    const slack = makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 });
    const flaky: ChatPlatformShape = { ...slack.chat, readMessage: () => Effect.fail(new ChatError({ platform: "slack", operation: "read", reason: "ratelimited", retryable: true })) };
    const { intake, launched } = setup({ chats: { slack: flaky } });
    const outcome = await run(intake.handleChatEvent({ _tag: "Reaction", platform: "slack", channelId: "C1", messageId: "1.0", reaction: "eyes", timestamp: T0, eventId: "R1" }, "slack"));
    expect(outcome).toEqual({ _tag: "Failed", reason: expect.stringContaining("ratelimited"), retryable: true });
    expect(launched).toHaveLength(0);
  });
});

describe("intake: edges of the bounds and the claims", () => {
  it("frees a start slot exactly one minute after it was taken", async () => {
    let now = T0;
    const { intake } = setup({ now: () => now, dedup: makeInMemoryDedupStore(() => now), settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxInvestigationsPerMinute: 1 } });
    const send = async (fingerprint: string) => (await run(intake.handleAlerts(alerts([{ fingerprint }]))))[0]!._tag;
    expect(await send("a")).toBe("Investigating");
    now = T0 + 59_999;
    expect(await send("b")).toBe("Capped");
    now = T0 + 60_000;
    expect(await send("b")).toBe("Investigating");
  });

  it("with a cap of zero or less investigates nothing of a delivery, and never lists resolved alerts as not investigated", async () => {
    const { intake, launched, slack } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: -1 } });
    expect((await run(intake.handleAlerts(alerts([{ fingerprint: "n1" }, { fingerprint: "n2" }])))).map((o) => o._tag)).toEqual(["Capped", "Capped"]);
    expect(launched).toHaveLength(0);
    expect(slack.log()).toHaveLength(1);
    expect(slack.log()[0]!.message.text).toMatch(/^⚠️ 2 alerts were not investigated: this delivery carried 2 alerts and at most 0 are investigated/);
    const resolved = await run(intake.handleAlerts(alerts([{ fingerprint: "n1", status: "resolved" }, { fingerprint: "n2", status: "resolved" }])));
    expect(resolved.map((o) => o._tag)).toEqual(["Capped", "Capped"]);
    expect(slack.log()).toHaveLength(1);
  });

  it("reads a claim written without a state (an older format) as posted", async () => {
    const store = makeInMemoryDedupStore(() => T0);
    const { intake, slack } = setup({ dedup: store });
    const [firing] = alerts([{ fingerprint: "o1" }]);
    const [resolved] = alerts([{ fingerprint: "o1", status: "resolved" }]);
    await Effect.runPromise(store.put(`alert:${firing!.investigationId}`, JSON.stringify({ investigationId: firing!.investigationId, platform: "slack", channelId: "C-OPS", threadId: "1.0" }), 3600));
    expect(await run(intake.handleAlerts([firing!]))).toEqual([{ _tag: "Duplicate", key: `alert:${firing!.investigationId}` }]);
    expect(await run(intake.handleAlerts([resolved!]))).toEqual([{ _tag: "ResolvedPosted", investigationId: resolved!.investigationId }]);
    expect(slack.log()[0]).toMatchObject({ kind: "notice", channelId: "C-OPS", threadId: "1.0" });
  });
});

describe("intake: mentions at the root of a thread", () => {
  it("a mention that is itself the thread's root investigates itself, reading no parent", async () => {
    const { intake, launched, logs } = setup();
    await run(intake.handleChatEvent(mention("<@U0BOT> checkout is down, 502s everywhere", { messageId: "5.0", threadId: "5.0" }), "slack"));
    expect(launched[0]!.alert.messageId).toBe("5.0");
    expect(launched[0]!.alert.hints).toEqual([]);
    expect(logs().filter((l) => l["level"] === "warn")).toEqual([]);
  });

  it("a bare mention under an alert investigates the alert with no operator note", async () => {
    const { intake, launched, slack } = setup();
    const parent = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    await run(intake.handleChatEvent(mention("<@U0BOT>", { messageId: "9.9", threadId: parent }), "slack"));
    expect(launched[0]!.alert.messageId).toBe(parent);
    expect(launched[0]!.alert.hints.filter((h) => h.startsWith("Operator note"))).toEqual([]);
  });
});

describe("intake: what its notices tell people to do", () => {
  it("says which investigation already ran, that a mention is over the rate and when to retry, why chatter is skipped, and how to use the bot", async () => {
    const { intake, slack } = setup({ settings: { maxInvestigationsPerMinute: 1 } });
    const parent = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    const first = await run(intake.handleChatEvent(mention("<@U0BOT> look", { messageId: "1", eventId: "A", threadId: parent }), "slack"));
    const again = await run(intake.handleChatEvent(mention("<@U0BOT> what is this", { messageId: "2", eventId: "B", threadId: parent }), "slack"));
    expect(first._tag === "Investigating" && again).toEqual({ _tag: "AlreadyInvestigated", investigationId: first._tag === "Investigating" ? first.investigationId : "" });
    const capped = await run(intake.handleChatEvent(mention("<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-x critical)", { messageId: "3", eventId: "C" }), "slack"));
    const thanks = await run(intake.handleChatEvent(mention("<@U0BOT> thanks!", { messageId: "4", eventId: "D" }), "slack"));
    await run(intake.handleChatEvent(mention("<@U0BOT> how do I use this?", { messageId: "5", eventId: "E" }), "slack"));
    const reason = thanks._tag === "Suppressed" ? thanks.verdict.reasons[0] : "";
    expect(slack.log().map((l) => [l.threadId, l.message.text])).toEqual([
      [parent, `Already investigated in this thread (\`${again._tag === "AlreadyInvestigated" ? again.investigationId : ""}\`). Mention me with \`investigate\` to run it again.`],
      ["3", `⏸ Not investigating right now: ${capped._tag === "Capped" ? capped.reason : ""}. Mention me with \`investigate\` here in a minute to start it.`],
      ["4", `Not investigating (${reason}). Say \`investigate\` to start one anyway.`],
      ["5", "I'm here. Mention me with an alert (or in an alert's thread) and I'll investigate it; react with the trigger emoji on any message, or say `investigate` to force an investigation."]
    ]);
  });
});

/*
 * Found by the second full run of `intake` (81.0 %): the name order of the capped-alerts notice,
 * alerts without a route or without an alert name, claim decoding, commands and reactions at their
 * edges, the announcement's first line, crashes inside intake, the wall clock, and the span.
 */
const slackCommand = (request: Partial<Extract<IntakeEvent, { _tag: "Command" }>["request"]>, eventId?: string): IntakeEvent => ({
  _tag: "Command",
  request: { command: "investigate", platform: "slack", channelId: "C1", text: "", requestedAt: T0, ...request },
  ...(eventId !== undefined ? { eventId } : {})
});
const reaction = (messageId: string, eventId: string): IntakeEvent => ({ _tag: "Reaction", platform: "slack", channelId: "C1", messageId, reaction: "eyes", timestamp: T0, eventId });
const claimOf = (fields: Record<string, unknown>) => JSON.stringify(fields);

describe("intake: the capped-alerts notice, at its edges", () => {
  it("lists names by count, then alphabetically, whatever order they came in", async () => {
    const { intake, slack } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 1 } });
    const names = ["PaymentsDown", "Zeta", "Gamma", "Alpha", "Beta", "Gamma", "Beta", "Delta"];
    await run(intake.handleAlerts(alerts(names.map((alertname, i) => ({ fingerprint: `c${i}`, alertname, severity: i === 0 ? "critical" : "warning" })))));
    expect(slack.log().find((l) => l.kind === "notice")!.message.text).toContain("Not investigated: Beta ×2, Gamma ×2, Alpha, Delta, Zeta. Mention me");
  });

  it("lists exactly ten names with no 'more', names an alert without a name by its first line (80 characters), and joins different reasons", async () => {
    const { intake, slack } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 2, maxInvestigationsPerMinute: 1 } });
    const specs: Array<AlertSpec> = [{ fingerprint: "p0", alertname: "PaymentsDown" }, { fingerprint: "p1", alertname: "RateCapped" }];
    for (let i = 0; i < 9; i++) specs.push({ fingerprint: `n${i}`, alertname: `Name${i}`, severity: "warning" });
    const parsed = [...alerts(specs)];
    const long = `${"a".repeat(85)}\nsecond line`;
    const { alertname: _dropped, ...entities } = parsed[10]!.entities;
    parsed[10] = { ...parsed[10]!, entities, alertText: long };
    await run(intake.handleAlerts(parsed));
    const text = slack.log().find((l) => l.kind === "notice")!.message.text;
    expect(text.split(". Not investigated")[0]).toBe(
      "⚠️ 10 alerts were not investigated: 1 investigations from alertmanager have already started in the last minute (intake.max_investigations_per_minute); this delivery carried 11 alerts and at most 2 are investigated per delivery (intake.max_alerts_per_payload)"
    );
    expect(text).toContain(`Not investigated: Name0, Name1, Name2, Name3, Name4, Name5, Name6, Name7, RateCapped, ${"a".repeat(80)}. Mention me`);
    expect(text).not.toContain("more");
  });

  it("posts one notice per channel, under an alert investigated in that very channel only", async () => {
    const route = (alert: AlertContext) => ({ platform: "slack", channelId: alert.entities.alertname === "InA" ? "C-A" : "C-B" });
    const { intake, slack } = setup({ settings: { route, maxAlertsPerPayload: 1 } });
    await run(intake.handleAlerts(alerts([{ fingerprint: "a1", alertname: "InA" }, { fingerprint: "a2", alertname: "InA", severity: "warning" }, { fingerprint: "b1", alertname: "InB", severity: "warning" }])));
    const log = slack.log();
    const anchor = log.find((l) => l.kind === "top" && l.channelId === "C-A")!;
    expect(log.filter((l) => l.kind !== "top" || l.channelId !== "C-A").map((l) => [l.kind, l.channelId, l.threadId ?? null, l.message.text.match(/Not investigated: (\w+)/)?.[1]])).toEqual([
      ["notice", "C-A", anchor.messageId, "InA"],
      ["top", "C-B", null, "InB"]
    ]);
  });

  it("skips capped alerts with no route, or routed to a chat that is not configured, and needs no route setting at all", async () => {
    const route = (alert: AlertContext) => (alert.entities.alertname === "Nowhere" ? undefined : alert.entities.alertname === "OnTeams" ? { platform: "teams", channelId: "T1" } : { platform: "slack", channelId: "C-OPS" });
    const { intake, slack } = setup({ settings: { route, maxAlertsPerPayload: 1 } });
    const outcomes = await run(intake.handleAlerts(alerts([{ fingerprint: "k1", alertname: "Here" }, { fingerprint: "k2", alertname: "Nowhere", severity: "warning" }, { fingerprint: "k3", alertname: "OnTeams", severity: "warning" }])));
    expect(outcomes.map((o) => o._tag)).toEqual(["Investigating", "Capped", "Capped"]);
    expect(slack.log().filter((l) => l.kind === "notice")).toHaveLength(0);
    const unrouted = setup({ settings: { maxAlertsPerPayload: 1 } });
    const [first, second] = await run(unrouted.intake.handleAlerts(alerts([{ fingerprint: "u1" }, { fingerprint: "u2", severity: "warning" }])));
    expect(first).toEqual({ _tag: "Ignored", reason: "no route for alert KubePodCrashLooping; set routing.default in config.yaml" });
    expect(second?._tag).toBe("Capped");
  });

  it("ranks by the severity label when the alert's entities carry none", async () => {
    const { intake, launched } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 1 } });
    const parsed = alerts([{ fingerprint: "w", alertname: "JustAWarning", severity: "warning" }, { fingerprint: "p", alertname: "APage", severity: "critical" }]).map((a) => {
      const { severity: _dropped, ...entities } = a.entities;
      return { ...a, entities };
    });
    await run(intake.handleAlerts(parsed));
    expect(launched.map((l) => l.alert.labels["alertname"])).toEqual(["APage"]);
  });

  it("handles up to four alerts of a delivery at once", async () => {
    const slack = makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 });
    let inFlight = 0;
    let most = 0;
    const slow: ChatPlatformShape = {
      ...slack.chat,
      postMessage: (channelId, message) =>
        Effect.sync(() => void (most = Math.max(most, ++inFlight))).pipe(
          Effect.andThen(Effect.promise(() => new Promise((r) => setTimeout(r, 5)))),
          Effect.andThen(slack.chat.postMessage(channelId, message)),
          Effect.ensuring(Effect.sync(() => void inFlight--))
        )
    };
    const { intake } = setup({ chats: { slack: slow } });
    const outcomes = await run(intake.handleAlerts(alerts(Array.from({ length: 10 }, (_, i) => ({ fingerprint: `f${i}` })))));
    expect(outcomes.every((o) => o._tag === "Investigating")).toBe(true);
    expect(most).toBe(4);
  });
});

describe("intake: claims as stored", () => {
  const resolvedWith = async (claim: string) => {
    const store = makeInMemoryDedupStore(() => T0);
    const { intake, slack } = setup({ dedup: store });
    const [resolved] = alerts([{ fingerprint: "d1", status: "resolved" }]);
    await Effect.runPromise(store.put(`alert:${resolved!.investigationId}`, claim, 3600));
    return { outcome: (await run(intake.handleAlerts([resolved!])))[0], slack, id: resolved!.investigationId };
  };

  it("a claim missing its investigation, channel or thread is not one: the resolved alert is ignored", async () => {
    const full = { investigationId: "inv-x", platform: "slack", channelId: "C-OPS", threadId: "1.0", state: "posted" };
    for (const missing of ["investigationId", "channelId", "threadId"]) {
      const { [missing]: _gone, ...rest } = full as Record<string, unknown>;
      const { outcome, slack, id } = await resolvedWith(claimOf(rest));
      expect(outcome).toEqual({ _tag: "Ignored", reason: `resolved alert ${id} was not investigated here` });
      expect(slack.log()).toHaveLength(0);
    }
  });

  it("a claim without a platform names none", async () => {
    const { outcome } = await resolvedWith(claimOf({ investigationId: "inv-x", channelId: "C-OPS", threadId: "1.0", state: "posted" }));
    expect(outcome).toEqual({ _tag: "Ignored", reason: "no  chat is configured" });
  });

  it("a pending claim whose time is not a number is as old as can be: taken over at once", async () => {
    const store = makeInMemoryDedupStore(() => T0);
    const { intake, launched } = setup({ dedup: store });
    const [firing] = alerts([{ fingerprint: "s1" }]);
    await Effect.runPromise(store.put(`alert:${firing!.investigationId}`, claimOf({ investigationId: firing!.investigationId, platform: "slack", channelId: "C-OPS", threadId: "", state: "pending", at: String(T0) }), 3600));
    expect((await run(intake.handleAlerts([firing!])))[0]?._tag).toBe("Investigating");
    expect(launched).toHaveLength(1);
  });

  it("an alert whose posting crashed stays pending, and is taken over a minute later", async () => {
    let now = T0;
    const slack = makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => now });
    let crash = true;
    const crashing: ChatPlatformShape = { ...slack.chat, postMessage: (c, m) => (crash ? Effect.die(new Error("process killed")) : slack.chat.postMessage(c, m)) };
    const { intake } = setup({ chats: { slack: crashing }, now: () => now, dedup: makeInMemoryDedupStore(() => now) });
    const [firing] = alerts([{ fingerprint: "c1" }]);
    const [crashed] = await run(intake.handleAlerts([firing!]));
    expect(crashed).toEqual({ _tag: "Failed", reason: expect.stringContaining("process killed"), retryable: true });
    crash = false;
    now = T0 + 30_000;
    expect((await run(intake.handleAlerts([firing!])))[0]?._tag).toBe("Duplicate");
    now = T0 + 61_000;
    expect((await run(intake.handleAlerts([firing!])))[0]?._tag).toBe("Investigating");
  });

  it("a message whose claim cannot be read is taken as already investigated under its own id", async () => {
    const store = makeInMemoryDedupStore(() => T0);
    const { intake, slack } = setup({ dedup: store });
    const parent = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    await Effect.runPromise(store.put(`target:slack:C1:${parent}`, "not json", 3600));
    const outcome = await run(intake.handleChatEvent(mention("<@U0BOT> look", { messageId: "9.1", threadId: parent }), "slack"));
    expect(outcome).toEqual({ _tag: "AlreadyInvestigated", investigationId: investigationIdFor("slack", "C1", parent) });
  });
});

describe("intake: mentions, reactions and commands at their edges", () => {
  it("after a forced re-run, names the re-run's investigation; the re-run's id comes from the mention", async () => {
    const { intake, slack, launched } = setup();
    const parent = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    await run(intake.handleChatEvent(mention("<@U0BOT> look", { messageId: "1.1", eventId: "A", threadId: parent }), "slack"));
    await run(intake.handleChatEvent(mention("<@U0BOT> investigate again", { messageId: "2.2", eventId: "B", threadId: parent }), "slack"));
    const rerun = investigationIdFor("slack", "C1", parent, "2.2");
    expect(launched.map((l) => l.alert.investigationId)).toEqual([investigationIdFor("slack", "C1", parent), rerun]);
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> and now?", { messageId: "3.3", eventId: "C", threadId: parent }), "slack"))).toEqual({ _tag: "AlreadyInvestigated", investigationId: rerun });
  });

  it("a message turned away by the rate is investigated later under its first id", async () => {
    let now = T0;
    const { intake, launched } = setup({ now: () => now, dedup: makeInMemoryDedupStore(() => now), settings: { maxInvestigationsPerMinute: 1 } });
    const text = "<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-x critical)";
    await run(intake.handleChatEvent(mention(text, { messageId: "1.0", eventId: "A" }), "slack"));
    expect((await run(intake.handleChatEvent(mention(text, { messageId: "2.0", eventId: "B" }), "slack")))._tag).toBe("Capped");
    now = T0 + 61_000;
    await run(intake.handleChatEvent(mention(text, { messageId: "2.0", eventId: "C" }), "slack"));
    expect(launched.map((l) => l.alert.investigationId)).toEqual([investigationIdFor("slack", "C1", "1.0"), investigationIdFor("slack", "C1", "2.0")]);
  });

  it("a reaction redelivered is a duplicate; another reaction on an investigated message is already investigated", async () => {
    const { intake, slack, launched } = setup();
    const target = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    expect((await run(intake.handleChatEvent(reaction(target, "R1"), "slack")))._tag).toBe("Investigating");
    expect(await run(intake.handleChatEvent(reaction(target, "R1"), "slack"))).toEqual({ _tag: "Duplicate", key: "delivery:slack:R1" });
    expect((await run(intake.handleChatEvent(reaction(target, "R2"), "slack")))._tag).toBe("AlreadyInvestigated");
    expect(launched).toHaveLength(1);
    expect(await run(intake.handleChatEvent(reaction("404.0", "R3"), "slack"))).toEqual({ _tag: "Ignored", reason: "the reacted message 404.0 is not visible to the bot" });
  });

  it("a menu investigation with a blank note adds no note", async () => {
    const { intake, slack, launched } = setup();
    const target = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    await run(intake.handleChatEvent(slackCommand({ targetMessageId: target, text: "   " }), "slack"));
    expect(launched[0]!.alert.hints).toEqual([]);
  });

  it("a typed /investigate is echoed trimmed, names no requester it does not know, carries no hints, and keeps the platform as the source", async () => {
    const discord = makeInMemoryChat({ platform: "discord", dialect: "discord", now: () => T0 });
    const cli = makeInMemoryChat({ platform: "cli", dialect: "markdown", now: () => T0 });
    const { intake, launched } = setup({ chats: { slack: makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 }).chat, discord: discord.chat, cli: cli.chat } });
    await run(intake.handleChatEvent(slackCommand({ platform: "discord", text: "  checkout is down  " }), "discord"));
    expect(discord.log()[0]!.message.text).toBe("Investigation requested: checkout is down");
    await run(intake.handleChatEvent(slackCommand({ platform: "cli", text: "api 502s" }), "cli"));
    expect(launched.map((l) => [l.alert.source, l.alert.hints])).toEqual([["discord", []], ["cli", []]]);
  });

  it("a typed /investigate whose echo cannot be posted fails retryably", async () => {
    const { intake, slack, launched } = setup();
    slack.failPosts(1);
    expect(await run(intake.handleChatEvent(slackCommand({ text: "api down" }), "slack"))).toEqual({ _tag: "Failed", reason: expect.stringContaining("simulated outage"), retryable: true });
    expect(launched).toHaveLength(0);
  });

  it("says /postmortem is not available by its own name", async () => {
    const { intake } = setup();
    expect(await run(intake.handleChatEvent(slackCommand({ command: "postmortem", text: "inv-1" }), "slack"))).toEqual({ _tag: "Replied", text: "/postmortem is not available in this deployment yet." });
  });

  it("answers a ping and an empty mention with how to use the bot", async () => {
    const { intake, slack } = setup();
    await run(intake.handleChatEvent(mention("<@U0BOT>", { messageId: "1.0", eventId: "A" }), "slack"));
    await run(intake.handleChatEvent(mention("<@U0BOT> test", { messageId: "2.0", eventId: "B" }), "slack"));
    expect(slack.log().map((l) => l.message.text.startsWith("I'm here."))).toEqual([true, true]);
  });

  it("redacts only the untrusted parts of a notice with the configured redactor", async () => {
    const { intake, slack } = setup({ redact: (text) => text.replace(/hunter2/g, "[REDACTED]") });
    const outcome = await run(intake.handleChatEvent(mention("<@U0BOT> thanks, the password was hunter2", { messageId: "1.0" }), "slack"));
    expect(outcome._tag).toBe("Suppressed");
    expect(slack.log()[0]?.message.text).toMatch(/^Not investigating \(.*\)\. Say `investigate` to start one anyway\.$/);
  });
});

describe("intake: webhook alerts at their edges", () => {
  it("announces the first line with [FIRING] and its severity when it has neither, and without a severity when there is none", async () => {
    const { intake, slack } = setup();
    const [a, b, c] = alerts([{ fingerprint: "x1" }, { fingerprint: "x2" }, { fingerprint: "x3" }]);
    const { severity: _dropped, ...noSeverity } = b!.entities;
    await run(intake.handleAlerts([{ ...a!, alertText: "checkout down\nmore detail" }]));
    await run(intake.handleAlerts([{ ...b!, entities: noSeverity, alertText: "checkout down" }]));
    await run(intake.handleAlerts([{ ...c!, alertText: "Pod [FIRING] loop" }]));
    expect(slack.log().filter((l) => l.kind === "top").map((l) => l.message.text.split("\n")[0])).toEqual([
      "🚨 [FIRING] checkout down (critical)",
      "🚨 [FIRING] checkout down",
      "🚨 [FIRING] Pod [FIRING] loop (critical)"
    ]);
  });

  it("posts each resolved alert of its own investigation, with only the first line", async () => {
    const { intake, slack } = setup();
    const firing = alerts([{ fingerprint: "r1" }, { fingerprint: "r2" }]);
    await run(intake.handleAlerts(firing));
    const resolved = alerts([{ fingerprint: "r1", status: "resolved" }, { fingerprint: "r2", status: "resolved" }]).map((a) => ({ ...a, alertText: `${a.labels["pod"]} recovered\nsecond line` }));
    expect((await run(intake.handleAlerts(resolved))).map((o) => o._tag)).toEqual(["ResolvedPosted", "ResolvedPosted"]);
    expect(slack.log().filter((l) => l.kind === "notice").map((l) => l.message.text).sort()).toEqual(["✅ Resolved: api-r1 recovered", "✅ Resolved: api-r2 recovered"]);
  });

  it("a route that throws fails the alert, retryably, and a command handler that dies fails the event", async () => {
    const { intake } = setup({
      settings: {
        route: () => {
          throw new Error("bad route table");
        }
      },
      commands: { postmortem: () => Effect.die(new Error("archive exploded")) }
    });
    expect(await run(intake.handleAlerts(alerts([{ fingerprint: "t1" }])))).toEqual([{ _tag: "Failed", reason: expect.stringContaining("bad route table"), retryable: true }]);
    expect(await run(intake.handleChatEvent(slackCommand({ command: "postmortem", text: "x" }), "slack"))).toEqual({ _tag: "Failed", reason: expect.stringContaining("archive exploded"), retryable: true });
  });

  it("without a clock of its own, counts starts on the wall clock", async () => {
    const slack = makeInMemoryChat({ platform: "slack", dialect: "slack" });
    const intake = makeIntake({
      chats: { slack: slack.chat },
      dedup: makeInMemoryDedupStore(() => Date.now()),
      launch: () => Effect.void,
      settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxInvestigationsPerMinute: 1 }
    });
    expect((await run(intake.handleAlerts(alerts([{ fingerprint: "w1" }, { fingerprint: "w2" }])))).map((o) => o._tag)).toEqual(["Investigating", "Capped"]);
  });

  it("each delivery is one intake span, named by platform and event or alert count", async () => {
    const spans: Array<{ name: string; attributes: unknown }> = [];
    const telemetry: TelemetryShape = { log: () => Effect.void, span: (name, attributes, effect) => Effect.sync(() => void spans.push({ name, attributes })).pipe(Effect.andThen(effect)) };
    const { intake } = setup({ telemetry });
    await run(intake.handleChatEvent(mention("<@U0BOT> thanks"), "slack"));
    await run(intake.handleAlerts(alerts([{ fingerprint: "s1" }, { fingerprint: "s2" }])));
    expect(spans).toEqual([
      { name: "intake", attributes: { platform: "slack", event: "Mention" } },
      { name: "intake", attributes: { platform: "webhook", alerts: 2 } }
    ]);
  });
});

describe("intake: settings that reach the gate and the ranking", () => {
  it("ranks an unknown severity like a warning: before info", async () => {
    const { intake, launched } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 1 } });
    await run(intake.handleAlerts(alerts([{ fingerprint: "i", alertname: "JustInfo", severity: "info" }, { fingerprint: "u", alertname: "Unranked", severity: "bogus" }])));
    expect(launched.map((l) => l.alert.labels["alertname"])).toEqual(["Unranked"]);
  });

  it("a thread mention goes through the configured gate: with the kill switch off, chatter is investigated", async () => {
    const { intake, slack, launched } = setup({ gate: { enabled: false } });
    const parent = slack.seed("C1", { isBot: false, text: "lunch anyone?", timestamp: T0 - 60_000 });
    const outcome = await run(intake.handleChatEvent(mention("<@U0BOT> thanks!", { messageId: "9.1", threadId: parent }), "slack"));
    expect(outcome._tag).toBe("Investigating");
    expect(launched).toHaveLength(1);
  });

  it("a mention at the top of a channel goes through the configured gate too", async () => {
    const { intake, launched } = setup({ gate: { enabled: false } });
    expect((await run(intake.handleChatEvent(mention("<@U0BOT> thanks!", { messageId: "9.2" }), "slack")))._tag).toBe("Investigating");
    expect(launched).toHaveLength(1);
  });
});

describe("intake: the capped-alerts notice with many names", () => {
  it("orders a hundred names that came in reverse", async () => {
    const { intake, slack } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 1 } });
    const specs: Array<AlertSpec> = [{ fingerprint: "top", alertname: "PaymentsDown" }];
    for (let i = 99; i >= 0; i--) specs.push({ fingerprint: `m${i}`, alertname: `N${String(i).padStart(3, "0")}`, severity: "warning" });
    await run(intake.handleAlerts(alerts(specs)));
    expect(slack.log().find((l) => l.kind === "notice")!.message.text).toContain("Not investigated: N000, N001, N002, N003, N004, N005, N006, N007, N008, N009, and 90 more.");
  });
});
