import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { AlertContext } from "../model/AlertContext.js";
import { parseAlertmanagerWebhook } from "../parse/parseAlertmanagerWebhook.js";
import { parseAlertPayload } from "../parse/parseAlertPayload.js";
import type { ChatPlatformShape } from "../ports/ChatPlatform.js";
import { DedupError, type DedupStoreShape } from "../ports/DedupStore.js";
import { makeInMemoryChat } from "../testing/memory/InMemoryChat.js";
import { makeInMemoryDedupStore } from "../testing/memory/InMemoryStores.js";
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
  const deps: IntakeDeps = {
    chats: { slack: slack.chat },
    dedup: makeInMemoryDedupStore(() => T0),
    launch: (alert, chat) => Effect.sync(() => void launched.push({ alert, chat })),
    now: () => T0,
    settings: { route: (alert) => (alert.labels["team"] === "payments" ? { platform: "slack", channelId: "C-PAY" } : { platform: "slack", channelId: "C-OPS" }) },
    ...overrides
  };
  return { slack, launched, intake: makeIntake(deps) };
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

describe("intake: chat mentions", () => {
  it("investigates an alert mention once, threading under the mention, and drops the platform's retry", async () => {
    const { intake, launched } = setup();
    const event = mention("<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)");
    const first = await run(intake.handleChatEvent(event, "slack"));
    expect(first).toMatchObject({ _tag: "Investigating", channelId: "C1", threadId: "1764063600.000100" });
    expect(launched).toHaveLength(1);
    expect(launched[0]!.alert).toMatchObject({ source: "slack", channelId: "C1", messageId: "1764063600.000100" });
    expect(launched[0]!.alert.entities.namespace).toBe("payments");
    const retry = await run(intake.handleChatEvent(event, "slack"));
    expect(retry).toMatchObject({ _tag: "Duplicate" });
    expect(launched).toHaveLength(1);
  });

  it("answers chatter with one short hint in its thread, once per message, and burns no investigation key", async () => {
    const dedup = makeInMemoryDedupStore(() => T0);
    const { intake, launched, slack } = setup({ dedup });
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> thanks!"), "slack"))).toMatchObject({ _tag: "Suppressed" });
    expect(slack.log()).toHaveLength(1);
    expect(slack.log()[0]).toMatchObject({ kind: "notice", threadId: "1764063600.000100" });
    expect(slack.log()[0]!.message.text).toMatch(/Not investigating .*`investigate`/);
    // Slack's retry of the same event: no second hint.
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> thanks!"), "slack"))).toMatchObject({ _tag: "Suppressed" });
    expect(slack.log()).toHaveLength(1);
    expect(await Effect.runPromise(dedup.get("delivery:slack:Ev1"))).toBeUndefined();
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> how do I use this?", { eventId: "Ev2", messageId: "2.0" }), "slack"))).toMatchObject({ _tag: "Suppressed" });
    expect(slack.log()[1]!.message.text).toMatch(/^I'm here/);
    expect(launched).toHaveLength(0);
  });

  it("stays silent on chatter when the hint is turned off", async () => {
    const { intake, slack } = setup({ settings: { chatterHint: false } });
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> lol"), "slack"))).toMatchObject({ _tag: "Suppressed" });
    expect(slack.log()).toHaveLength(0);
  });

  it("a mention in a thread investigates the thread's parent, with the operator's words as a note", async () => {
    const { intake, launched, slack } = setup();
    const parent = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 60_000 });
    const outcome = await run(intake.handleChatEvent(mention("<@U0BOT> can you look at this one?", { messageId: "9.9", threadId: parent }), "slack"));
    expect(outcome).toMatchObject({ _tag: "Investigating", threadId: parent });
    expect(launched[0]!.alert.alertText).toMatch(/HighErrorRate/);
    expect(launched[0]!.alert.hints.join(" ")).toMatch(/Operator note: can you look at this one\?/);
  });

  it("reads the operator's own words in a thread: trouble under chatter investigates, a recovery under an alert does not", async () => {
    const { intake, launched, slack } = setup();
    const chatter = slack.seed("C1", { isBot: false, text: "Merry Christmas and happy new year everyone 🎄", timestamp: T0 - 60_000 });
    const reported = await run(intake.handleChatEvent(mention("<@U0BOT> this is broken since the deploy, please look", { eventId: "T1", messageId: "9.1", threadId: chatter }), "slack"));
    expect(reported).toMatchObject({ _tag: "Investigating", threadId: chatter });
    expect(launched[0]!.alert.alertText).toMatch(/^this is broken since the deploy/);

    const alert = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout 5xx 12%", timestamp: T0 - 30_000 });
    const fixed = await run(intake.handleChatEvent(mention("<@U0BOT> thanks, fixed", { eventId: "T2", messageId: "9.2", threadId: alert }), "slack"));
    expect(fixed).toMatchObject({ _tag: "Suppressed", verdict: { rule: "recovery" } });
    expect(launched).toHaveLength(1);

    // "same here" names no trouble of its own: the thread's parent decides.
    const same = await run(intake.handleChatEvent(mention("<@U0BOT> same here", { eventId: "T3", messageId: "9.3", threadId: alert }), "slack"));
    expect(same).toMatchObject({ _tag: "Investigating", threadId: alert });
    expect(launched[1]!.alert.hints.join(" ")).toMatch(/Operator note: same here/);
    const quiet = slack.seed("C1", { isBot: false, text: "Happy new year to all!", timestamp: T0 - 10_000 });
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> same here", { eventId: "T4", messageId: "9.4", threadId: quiet }), "slack"))).toMatchObject({ _tag: "Suppressed" });
    expect(launched).toHaveLength(2);
  });

  it("does not investigate the same message twice unless told to investigate again", async () => {
    const { intake, launched, slack } = setup();
    const parent = slack.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout", timestamp: T0 });
    await run(intake.handleChatEvent(mention("<@U0BOT> look", { eventId: "A", messageId: "1", threadId: parent }), "slack"));
    const again = await run(intake.handleChatEvent(mention("<@U0BOT> what is this", { eventId: "B", messageId: "2", threadId: parent }), "slack"));
    expect(again).toMatchObject({ _tag: "AlreadyInvestigated" });
    expect(slack.log().at(-1)!.message.text).toMatch(/Already investigated/);
    const forced = await run(intake.handleChatEvent(mention("<@U0BOT> investigate again please", { eventId: "C", messageId: "3", threadId: parent }), "slack"));
    expect(forced).toMatchObject({ _tag: "Investigating", threadId: parent });
    expect(launched).toHaveLength(2);
    expect(launched[1]!.alert.alertText).toMatch(/^\[FIRING:1\] HighErrorRate/);
    const forcedRetry = await run(intake.handleChatEvent(mention("<@U0BOT> investigate again please", { eventId: "C", messageId: "3", threadId: parent }), "slack"));
    expect(forcedRetry).toMatchObject({ _tag: "Duplicate" });
    expect(launched).toHaveLength(2);
    expect(launched[1]!.alert.investigationId).not.toBe(launched[0]!.alert.investigationId);
  });

  it("a reaction investigates the reacted message without the gate; an invisible one is ignored", async () => {
    const { intake, launched, slack } = setup();
    const id = slack.seed("C1", { isBot: false, text: "hmm, checkout feels off", timestamp: T0 });
    const reaction: IntakeEvent = { _tag: "Reaction", platform: "slack", channelId: "C1", messageId: id, reaction: "eyes", timestamp: T0, eventId: "R1" };
    expect(await run(intake.handleChatEvent(reaction, "slack"))).toMatchObject({ _tag: "Investigating", threadId: id });
    expect(launched[0]!.alert.hints.join(" ")).toMatch(/:eyes:/);
    const missing: IntakeEvent = { ...reaction, messageId: "404.1", eventId: "R2" };
    expect(await run(intake.handleChatEvent(missing, "slack"))).toMatchObject({ _tag: "Ignored" });
  });

  it("fails open when the dedup store is down: the alert is investigated", async () => {
    const down: DedupStoreShape = {
      putIfAbsent: () => Effect.fail(new DedupError({ operation: "putIfAbsent", reason: "ProvisionedThroughputExceededException" })),
      get: () => Effect.fail(new DedupError({ operation: "get", reason: "down" })),
      put: () => Effect.fail(new DedupError({ operation: "put", reason: "down" }))
    };
    const { intake, launched } = setup({ dedup: down });
    expect(await run(intake.handleChatEvent(mention("<@U0BOT> api 502s"), "slack"))).toMatchObject({ _tag: "Investigating" });
    expect(launched).toHaveLength(1);
  });

  it("answers commands: investigate with text posts it and threads under it; others without a handler reply clearly", async () => {
    const { intake, launched, slack } = setup();
    const cmd: IntakeEvent = { _tag: "Command", request: { command: "investigate", platform: "slack", channelId: "C1", text: "orders stuck in processing", requestedAt: T0, userId: "U7" } };
    const outcome = await run(intake.handleChatEvent(cmd, "slack"));
    expect(outcome).toMatchObject({ _tag: "Investigating" });
    expect(slack.log()[0]).toMatchObject({ kind: "top", channelId: "C1" });
    expect(launched[0]!.alert.messageId).toBe(slack.log()[0]!.messageId);
    const snap: IntakeEvent = { _tag: "Command", request: { command: "snapshot", platform: "slack", channelId: "C1", text: "", requestedAt: T0 } };
    expect(await run(intake.handleChatEvent(snap, "slack"))).toMatchObject({ _tag: "Replied", text: expect.stringMatching(/sre-snapshot is not available/) });
  });
});

const group = (status: "firing" | "resolved", alerts: ReadonlyArray<{ fingerprint: string; team: string; endsAt?: string }>) => ({
  version: "4",
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status,
  receiver: "sre-on-call",
  groupLabels: { alertname: "KubePodCrashLooping" },
  commonLabels: { alertname: "KubePodCrashLooping" },
  commonAnnotations: {},
  externalURL: "http://alertmanager.example.com",
  alerts: alerts.map((a) => ({
    status,
    labels: { alertname: "KubePodCrashLooping", namespace: "payments", pod: `api-${a.fingerprint}`, severity: "critical", team: a.team },
    annotations: { summary: `Pod payments/api-${a.fingerprint} is crash looping` },
    startsAt: "2026-11-25T09:38:00Z",
    endsAt: a.endsAt ?? "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example.com/graph?g0.expr=x",
    fingerprint: a.fingerprint
  }))
});

const alertsOf = (payload: unknown) => {
  const parsed = parseAlertmanagerWebhook(payload, { now: T0 });
  if (parsed._tag !== "Success") throw new Error(String(parsed.failure));
  return parsed.success.alerts;
};

describe("intake: webhook alerts", () => {
  it("posts each firing alert to its routed channel and investigates in that thread, once per fingerprint and start", async () => {
    const { intake, launched, slack } = setup();
    const alerts = alertsOf(group("firing", [{ fingerprint: "a1", team: "payments" }, { fingerprint: "b2", team: "search" }]));
    const outcomes = await run(intake.handleAlerts(alerts));
    expect(outcomes.map((o) => o._tag)).toEqual(["Investigating", "Investigating"]);
    expect(slack.log().map((l) => [l.kind, l.channelId])).toEqual([
      ["top", "C-PAY"],
      ["top", "C-OPS"]
    ]);
    expect(launched.map((l) => l.alert.messageId)).toEqual(slack.log().map((l) => l.messageId));
    const resent = await run(intake.handleAlerts(alertsOf(group("firing", [{ fingerprint: "a1", team: "payments" }]))));
    expect(resent[0]).toMatchObject({ _tag: "Duplicate" });
    expect(launched).toHaveLength(2);
  });

  it("posts a resolved notification in the investigation's thread, once", async () => {
    const { intake, slack } = setup();
    await run(intake.handleAlerts(alertsOf(group("firing", [{ fingerprint: "a1", team: "payments" }]))));
    const thread = slack.log()[0]!.messageId;
    const resolved = alertsOf(group("resolved", [{ fingerprint: "a1", team: "payments", endsAt: "2026-11-25T09:52:00Z" }]));
    expect(await run(intake.handleAlerts(resolved))).toEqual([{ _tag: "ResolvedPosted", investigationId: resolved[0]!.investigationId }]);
    expect(slack.log().at(-1)).toMatchObject({ kind: "notice", threadId: thread });
    expect(slack.log().at(-1)!.message.text).toMatch(/^✅ Resolved/);
    expect((await run(intake.handleAlerts(resolved)))[0]).toMatchObject({ _tag: "Duplicate" });
    const unknown = alertsOf(group("resolved", [{ fingerprint: "zz", team: "payments", endsAt: "2026-11-25T09:52:00Z" }]));
    expect((await run(intake.handleAlerts(unknown)))[0]).toMatchObject({ _tag: "Ignored" });
  });

  it("when the alert cannot be posted, reports a retryable failure and lets the sender's retry through", async () => {
    const { intake, launched, slack } = setup();
    slack.failPosts(1);
    const alerts = alertsOf(group("firing", [{ fingerprint: "a1", team: "payments" }]));
    expect((await run(intake.handleAlerts(alerts)))[0]).toMatchObject({ _tag: "Failed", retryable: true });
    expect(launched).toHaveLength(0);
    expect((await run(intake.handleAlerts(alerts)))[0]).toMatchObject({ _tag: "Investigating" });
    expect(launched).toHaveLength(1);
  });

  it("ignores an alert no route matches, saying how to fix it", async () => {
    const { intake } = setup({ settings: { route: () => undefined } });
    const outcome = (await run(intake.handleAlerts(alertsOf(group("firing", [{ fingerprint: "a1", team: "x" }])))))[0];
    expect(outcome).toMatchObject({ _tag: "Ignored", reason: expect.stringMatching(/routing\.default/) });
  });
});

describe("intake: untrusted text in notices", () => {
  const hostileGroup = () => {
    const payload = group("firing", [{ fingerprint: "h1", team: "payments" }]);
    const alert = payload.alerts[0]!;
    return {
      ...payload,
      alerts: [
        {
          ...alert,
          labels: { ...alert.labels, severity: "critical <!here>" },
          annotations: { summary: "<!channel> db down, see <https://evil.example/x|Grafana dashboard> key AKIAQWERTYUIOPASDFGH @everyone" },
          generatorURL: "https://grafana.example.com@evil.example/graph?g0.expr=up"
        }
      ]
    };
  };

  it("announces a webhook alert with its text escaped and redacted, and its source link under its real host", async () => {
    const { intake, slack } = setup();
    await run(intake.handleAlerts(alertsOf(hostileGroup())));
    const text = slack.log()[0]!.message.text;
    expect(text).toMatch(/^🚨 /);
    expect(text).not.toMatch(/<!channel>|<!here>|<https:\/\/evil\.example\/x\|/);
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("AKIAQWERTYUIOPASDFGH");
    // The generatorURL's label is its real host, not the user info that poses as Grafana.
    expect(text).toContain("|evil.example>");
    expect(text).not.toContain("|grafana.example.com");
  });

  it("escapes and redacts the resolved notice, on Discord too", async () => {
    const discord = makeInMemoryChat({ platform: "discord", dialect: "discord", now: () => T0 });
    const { intake } = setup({ chats: { discord: discord.chat }, settings: { route: () => ({ platform: "discord", channelId: "D-OPS" }) } });
    await run(intake.handleAlerts(alertsOf(hostileGroup())));
    const resolved = hostileGroup();
    const done = { ...resolved, status: "resolved", alerts: resolved.alerts.map((a) => ({ ...a, status: "resolved", endsAt: "2026-11-25T09:52:00Z" })) };
    await run(intake.handleAlerts(alertsOf(done)));
    const notice = discord.log().at(-1)!;
    expect(notice.kind).toBe("notice");
    expect(notice.message.text).toMatch(/^✅ Resolved: /);
    expect(notice.message.text).not.toMatch(/@everyone|AKIAQWERTYUIOPASDFGH|(?<!\\)\]\(/);
  });

  it("echoes a typed /investigate without letting it ping or link; only a well-formed requester id is mentioned", async () => {
    const discord = makeInMemoryChat({ platform: "discord", dialect: "discord", now: () => T0 });
    const { intake } = setup({ chats: { discord: discord.chat } });
    const cmd = (userId: string): IntakeEvent => ({
      _tag: "Command",
      request: { command: "investigate", platform: "discord", channelId: "D1", text: "@everyone [status page](https://evil.example) is down <@&123>", requestedAt: T0, userId }
    });
    await run(intake.handleChatEvent(cmd("112233445566778899"), "discord"));
    const echo = discord.log()[0]!.message.text;
    expect(echo).toMatch(/^Investigation requested by <@112233445566778899>: /);
    expect(echo).not.toMatch(/@everyone|<@&|(?<!\\)\]\(/);
    await run(intake.handleChatEvent(cmd("1> @here <@&9"), "discord"));
    expect(discord.log()[1]!.message.text).toMatch(/^Investigation requested: /);
  });

  it("a chatter hint quoting the message stays inert", async () => {
    const { intake, slack } = setup({ gate: { rules: [{ id: "quote", priority: 1000, decision: "suppress", test: () => ({ reason: "said <!channel> lol" }) }] } as never });
    await run(intake.handleChatEvent(mention("<@U0BOT> lol"), "slack"));
    const hint = slack.log()[0]?.message.text ?? "";
    expect(hint).not.toContain("<!channel>");
  });
});

describe("intake: bounded work per delivery", () => {
  const many = (n: number, severity = "critical", prefix = "f") =>
    Array.from({ length: n }, (_, i) => {
      const payload = group("firing", [{ fingerprint: `${prefix}${i}`, team: "search" }]);
      const a = payload.alerts[0]!;
      return { ...a, labels: { ...a.labels, severity, alertname: i % 2 === 0 ? "KubePodCrashLooping" : "HighLatency" } };
    });
  const payloadOf = (alerts: ReadonlyArray<unknown>) => ({ ...group("firing", []), alerts });

  it("investigates at most max_alerts_per_payload, most severe first, and lists the rest once in the first alert's thread", async () => {
    const { intake, launched, slack } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxAlertsPerPayload: 3 } });
    const warnings = many(5, "warning", "w");
    const pages = many(2, "critical", "p");
    const outcomes = await run(intake.handleAlerts(alertsOf(payloadOf([...warnings, ...pages]))));
    expect(outcomes).toHaveLength(7);
    expect(outcomes.filter((o) => o._tag === "Investigating")).toHaveLength(3);
    // Both pages made it, whatever their position in the payload.
    expect(outcomes.slice(5).map((o) => o._tag)).toEqual(["Investigating", "Investigating"]);
    expect(outcomes.filter((o) => o._tag === "Capped")).toHaveLength(4);
    expect(launched).toHaveLength(3);
    const notices = slack.log().filter((l) => l.kind === "notice");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.threadId).toBe(slack.log()[0]!.messageId);
    expect(notices[0]!.message.text).toMatch(/4 alerts were not investigated: this delivery carried 7 alerts and at most 3 are investigated per delivery \(intake\.max_alerts_per_payload\)/);
    expect(notices[0]!.message.text).toMatch(/Not investigated: HighLatency ×2, KubePodCrashLooping ×2\. /);
  });

  it("bounds 10,000 alerts in one delivery to the cap: posts, launches and notices", async () => {
    const { intake, launched, slack } = setup({ settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }) } });
    const outcomes = await run(intake.handleAlerts(alertsOf(payloadOf(many(10_000)))));
    expect(outcomes).toHaveLength(10_000);
    expect(launched).toHaveLength(20);
    // 20 announcements and one notice for the 9,980 others.
    expect(slack.log()).toHaveLength(21);
    expect(slack.log().at(-1)!.message.text).toMatch(/^⚠️ 9980 alerts were not investigated/);
  });

  it("starts at most max_investigations_per_minute per source; redeliveries take no slot and a turned-away alert is investigated on a later re-send", async () => {
    let now = T0;
    const { intake, launched, slack } = setup({ now: () => now, dedup: makeInMemoryDedupStore(() => now), settings: { route: () => ({ platform: "slack", channelId: "C-OPS" }), maxInvestigationsPerMinute: 2 } });
    const send = (fp: string) => run(intake.handleAlerts(alertsOf(group("firing", [{ fingerprint: fp, team: "search" }]))));
    expect((await send("a"))[0]!._tag).toBe("Investigating");
    expect((await send("a"))[0]!._tag).toBe("Duplicate");
    expect((await send("a"))[0]!._tag).toBe("Duplicate");
    expect((await send("b"))[0]!._tag).toBe("Investigating");
    const third = (await send("c"))[0]!;
    expect(third).toMatchObject({ _tag: "Capped", reason: expect.stringMatching(/2 investigations from alertmanager .*\(intake\.max_investigations_per_minute\)/) });
    expect(slack.log().at(-1)!.message.text).toMatch(/^⚠️ 1 alert was not investigated/);
    expect(launched).toHaveLength(2);
    now += 61_000;
    expect((await send("c"))[0]!._tag).toBe("Investigating");
    expect(launched).toHaveLength(3);
  });

  it("turns away chat mentions over the rate with a notice, and lets the same message through later", async () => {
    let now = T0;
    const { intake, launched, slack } = setup({ now: () => now, dedup: makeInMemoryDedupStore(() => now), settings: { maxInvestigationsPerMinute: 1 } });
    const alert = "<@U0BOT> [FIRING:1] KubePodCrashLooping (payments api-7d9f8b6c5-x2x9z critical)";
    expect(await run(intake.handleChatEvent(mention(alert, { messageId: "1.0", eventId: "E1" }), "slack"))).toMatchObject({ _tag: "Investigating" });
    expect(await run(intake.handleChatEvent(mention(alert, { messageId: "2.0", eventId: "E2" }), "slack"))).toMatchObject({ _tag: "Capped" });
    expect(slack.log().at(-1)!.message.text).toMatch(/^⏸ Not investigating right now: .*`investigate`/);
    now += 61_000;
    expect(await run(intake.handleChatEvent(mention(alert, { messageId: "2.0", eventId: "E3" }), "slack"))).toMatchObject({ _tag: "Investigating" });
    expect(launched).toHaveLength(2);
  });
});

describe("intake: replayed commands", () => {
  it("runs a signed command once however often the same invocation arrives", async () => {
    const { intake, launched } = setup();
    const cmd: IntakeEvent = {
      _tag: "Command",
      eventId: "command:6912345678901.1234567890.abc",
      request: { command: "investigate", platform: "slack", channelId: "C1", text: "orders stuck in processing", requestedAt: T0, userId: "U7" }
    };
    expect(await run(intake.handleChatEvent(cmd, "slack"))).toMatchObject({ _tag: "Investigating" });
    expect(await run(intake.handleChatEvent(cmd, "slack"))).toMatchObject({ _tag: "Duplicate" });
    expect(launched).toHaveLength(1);
    // A new invocation (another trigger id) is a new command.
    expect(await run(intake.handleChatEvent({ ...cmd, eventId: "command:2" }, "slack"))).toMatchObject({ _tag: "Investigating" });
  });
});

describe("intake: alerts that are not trouble", () => {
  it("ignores heartbeats (Watchdog, InfoInhibitor) and Grafana's test notification, saying why, and posts nothing", async () => {
    const { intake, launched, slack } = setup();
    const heartbeat = (alertname: string) => {
      const payload = group("firing", [{ fingerprint: `hb-${alertname}`, team: "payments" }]);
      // kube-prometheus general.rules: Watchdog and InfoInhibitor carry severity "none".
      return { ...payload, alerts: payload.alerts.map((a) => ({ ...a, labels: { alertname, severity: "none" }, annotations: { summary: "An alert that should always be firing to certify that Alertmanager is working properly." } })) };
    };
    for (const name of ["Watchdog", "InfoInhibitor"]) {
      const [outcome] = await run(intake.handleAlerts(alertsOf(heartbeat(name))));
      expect(outcome).toMatchObject({ _tag: "Ignored", reason: expect.stringMatching(/heartbeat/) });
    }
    // zulip/zulip zerver/webhooks/grafana/fixtures/alert.json: what Grafana's legacy "Test" button sends.
    const test = parseAlertPayload(
      { dashboardId: 1, evalMatches: [], message: "Someone is testing the alert notification within grafana.", orgId: 0, panelId: 1, ruleId: 0, ruleName: "Test rule", ruleUrl: "http://localhost:3000/", state: "alerting", tags: {}, title: "[Alerting] Test notification" },
      { now: T0 }
    );
    if (test._tag !== "Success") throw new Error("parse");
    const [outcome] = await run(intake.handleAlerts(test.success.alerts));
    expect(outcome).toMatchObject({ _tag: "Ignored", reason: expect.stringMatching(/test notification/) });
    expect(launched).toHaveLength(0);
    expect(slack.log()).toHaveLength(0);
  });
});
