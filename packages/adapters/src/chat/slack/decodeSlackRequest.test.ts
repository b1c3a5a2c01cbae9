import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { decodeSlackRequest, type DecodeSlackRequestInput, type SlackDecoded } from "./decodeSlackRequest.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8").trim();
const RECEIVED = 1_712_345_800_000;

const decode = (name: string, extra: Partial<DecodeSlackRequestInput> = {}) => {
  const rawBody = fixture(name);
  return decodeSlackRequest({
    contentType: name.endsWith(".form") ? "application/x-www-form-urlencoded" : "application/json",
    rawBody: Buffer.from(rawBody),
    headers: { "x-slack-request-timestamp": String(RECEIVED / 1000) },
    botUserId: "U0SREBOT",
    reactionTrigger: ":mag:",
    ...extra
  });
};

const ok = (r: Result.Result<SlackDecoded, unknown>): SlackDecoded => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${String(r.failure)}`);
  return r.success;
};
const eventOf = (r: Result.Result<SlackDecoded, unknown>) => {
  const d = ok(r);
  if (d._tag !== "Intake") throw new Error(`expected Intake, got ${d._tag}`);
  return d;
};
const failure = (r: Result.Result<SlackDecoded, { readonly message: string }>): string => {
  if (Result.isSuccess(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.success)}`);
  return r.failure.message;
};

describe("decodeSlackRequest: Events API", () => {
  it("answers url_verification with its challenge", () => {
    expect(ok(decode("url-verification.json"))).toEqual({ _tag: "UrlVerification", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("turns a top-level mention into a Mention without a thread, the typed text read once", () => {
    const d = eventOf(decode("app-mention.json"));
    expect(d).toEqual({
      _tag: "Intake",
      eventId: "Ev06MENTION01",
      retry: false,
      event: {
        _tag: "Mention",
        platform: "slack",
        channelId: "C0ALERTS",
        messageId: "1712345678.123456",
        userId: "U0ALICE",
        text: "<@U0SREBOT> checkout latency is spiking, p99 4s since 10:02",
        timestamp: 1_712_345_678_123,
        eventId: "Ev06MENTION01"
      }
    });
  });

  it("gives a mention inside a thread the thread's parent as threadId", () => {
    const { event } = eventOf(decode("app-mention-in-thread.json"));
    expect(event).toMatchObject({ _tag: "Mention", messageId: "1712345700.000200", threadId: "1712345600.000100", timestamp: 1_712_345_700_000 });
  });

  it("reads an Alertmanager notification whose text is empty from its attachment", () => {
    const { event } = eventOf(decode("app-mention-alertmanager-attachments.json"));
    if (event._tag !== "Mention") throw new Error(event._tag);
    expect(event.userId).toBe("B0ALERTMGR");
    const lines = event.text.split("\n");
    expect(lines[0]).toBe("<@U0SREBOT>");
    expect(lines[1]).toBe("[FIRING:1] KubePodCrashLooping payments (api-7d9f8b6c5-x2x9z critical)");
    expect(event.text).toContain("*Alert:* Pod payments/api-7d9f8b6c5-x2x9z is crash looping - `critical`");
    expect(event.text).toContain("severity: critical");
    expect(event.text).not.toContain("http://alertmanager.example:9093");
  });

  it("reads a Grafana notification from its header, section, fields and context blocks", () => {
    const { event } = eventOf(decode("app-mention-grafana-blocks.json"));
    if (event._tag !== "Mention") throw new Error(event._tag);
    expect(event.text).toBe(
      ["[FIRING:1] HighErrorRate checkout", "<@U0SREBOT> error rate 12% (threshold 5%)", "*service:* checkout", "*env:* prod", "Grafana v11.1"].join("\n")
    );
  });

  it("ignores the bot's own mention, known by botUserId or by the delivery's authorizations", () => {
    expect(eventOf(decode("app-mention-own.json")).event).toEqual({ _tag: "Ignored", reason: "the bot's own message" });
    expect(eventOf(decode("app-mention-own.json", { botUserId: undefined })).event._tag).toBe("Ignored");
    const byBotId = JSON.parse(fixture("app-mention-own.json")) as { event: Record<string, unknown>; authorizations?: unknown };
    delete byBotId.authorizations;
    byBotId.event["user"] = "U0OTHER";
    const r = decodeSlackRequest({ rawBody: JSON.stringify(byBotId), headers: {}, botId: "B0SREBOT", reactionTrigger: "mag" });
    expect(eventOf(r).event._tag).toBe("Ignored");
  });

  it("turns the trigger reaction on a message into a Reaction on that message", () => {
    expect(eventOf(decode("reaction-added.json")).event).toEqual({
      _tag: "Reaction",
      platform: "slack",
      channelId: "C0ALERTS",
      messageId: "1712345600.000100",
      userId: "U0ALICE",
      reaction: "mag",
      timestamp: 1_712_345_720_000,
      eventId: "Ev06REACT01"
    });
    expect(eventOf(decode("reaction-added.json", { reactionTrigger: "MAG" })).event._tag).toBe("Reaction");
  });

  it("ignores other emoji, the bot's own reactions and reactions on files", () => {
    expect(eventOf(decode("reaction-other.json")).event).toEqual({ _tag: "Ignored", reason: "reaction :thumbsup::skin-tone-3: is not the trigger" });
    expect(eventOf(decode("reaction-other.json", { reactionTrigger: "thumbsup" })).event._tag).toBe("Reaction");
    expect(eventOf(decode("reaction-own.json")).event).toEqual({ _tag: "Ignored", reason: "the bot's own reaction" });
    expect(eventOf(decode("reaction-on-file.json")).event._tag).toBe("Ignored");
  });

  it("ignores channel messages, from bots and from people", () => {
    expect(eventOf(decode("message-bot.json")).event).toMatchObject({ _tag: "Ignored", reason: expect.stringContaining("a bot's message") });
    expect(eventOf(decode("message-human.json")).event).toMatchObject({ _tag: "Ignored", reason: expect.stringContaining("a channel message") });
  });

  it("flags Slack's redeliveries with X-Slack-Retry-Num and keeps the event id", () => {
    const d = eventOf(decode("app-mention.json", { headers: { "X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout" } }));
    expect(d).toMatchObject({ retry: true, retryNum: 2, retryReason: "http_timeout", eventId: "Ev06MENTION01" });
    expect(d.event._tag).toBe("Mention");
    expect(eventOf(decode("app-mention.json", { headers: { "x-slack-retry-num": "not-a-number" } })).retry).toBe(true);
  });

  it("reads a JSON body without a content type by sniffing it", () => {
    expect(ok(decode("url-verification.json", { contentType: undefined }))._tag).toBe("UrlVerification");
  });

  it("rejects bodies that are not a Slack envelope with a readable reason", () => {
    const json = (rawBody: string) => decodeSlackRequest({ contentType: "application/json", rawBody, headers: {}, reactionTrigger: "mag" });
    expect(failure(json("{\"type\": \"event_callback\", "))).toMatch(/^invalid Slack event payload: body is not valid JSON/);
    expect(failure(json("[1,2]"))).toBe("invalid Slack event payload: body is not a JSON object");
    expect(failure(json("{}"))).toBe("invalid Slack event payload: `type` is missing");
    expect(failure(json("{\"type\":\"event_callback\"}"))).toBe("invalid Slack event_callback: `event` is missing or not an object");
    expect(failure(json("{\"type\":\"url_verification\"}"))).toBe("invalid Slack url_verification: `challenge` is missing or not a string");
    expect(failure(json("{\"type\":\"event_callback\",\"event\":{\"type\":\"app_mention\",\"channel\":\"C1\",\"ts\":\"yesterday\"}}"))).toMatch(
      /`ts` "yesterday" is not a Slack timestamp/
    );
    expect(ok(json("{\"type\":\"app_rate_limited\",\"minute_rate_limited\":1518467820}"))).toMatchObject({ event: { _tag: "Ignored" } });
  });
});

describe("decodeSlackRequest: slash commands", () => {
  it("dispatches /sre-snapshot with its text, user and response_url", () => {
    expect(eventOf(decode("command-sre-snapshot.form")).event).toEqual({
      _tag: "Command",
      request: { command: "snapshot", platform: "slack", channelId: "C0ALERTS", userId: "U0ALICE", text: "payments", requestedAt: RECEIVED },
      replyHandle: "https://hooks.slack.com/commands/T0FAKE/6912345678901/AbCdEfGhIjKlMnOpQrStUvWx",
      // trigger_id identifies the invocation: a replayed request repeats it.
      eventId: "command:6912345678901.1234567890.abcdef0123456789abcdef0123456789"
    });
  });

  it("dispatches /postmortem and reads the thread from a message link in the same channel", () => {
    const { event, retry } = eventOf(decode("command-postmortem.form", { receivedAt: 42 }));
    expect(retry).toBe(false);
    expect(event).toMatchObject({
      _tag: "Command",
      request: { command: "postmortem", targetMessageId: "1712345700.000200", threadId: "1712345600.000100", requestedAt: 42 }
    });
  });

  it("answers an unknown command with the commands it knows", () => {
    expect(ok(decode("command-unknown.form"))).toEqual({
      _tag: "UnknownCommand",
      command: "/deploy",
      reply: "I don't know the command /deploy. I understand /sre-snapshot, /postmortem."
    });
    expect(eventOf(decode("command-unknown.form", { commands: { "/deploy": "investigate" } })).event).toMatchObject({ request: { command: "investigate" } });
  });

  it("acknowledges ssl_check and interactive payloads without work, and rejects forms without a command", () => {
    const form = (rawBody: string, headers = {}) =>
      decodeSlackRequest({ contentType: "application/x-www-form-urlencoded", rawBody, headers, reactionTrigger: "mag" });
    expect(eventOf(form("ssl_check=1&token=x")).event).toEqual({ _tag: "Ignored", reason: "Slack ssl_check" });
    expect(eventOf(form("payload=%7B%22type%22%3A%22block_actions%22%7D")).event._tag).toBe("Ignored");
    expect(failure(form("text=hello"))).toBe("invalid Slack slash command: the form has no `command` field (nor `payload` or `ssl_check`)");
    expect(failure(form("command=%2Fpostmortem&channel_id=C1&text=%ZZ"))).toMatch(/bad %-escape/);
    expect(failure(form("command=%2Fpostmortem&text=x"))).toBe("invalid Slack slash command: `channel_id` is missing");
    expect(failure(form("command=%2Fpostmortem&channel_id=C1"))).toMatch(/no X-Slack-Request-Timestamp header/);
  });
});

describe("decodeSlackRequest: properties", () => {
  const contentType = fc.constantFrom(undefined, "application/json", "application/x-www-form-urlencoded; charset=utf-8", "text/plain");
  const headers = fc.dictionary(fc.constantFrom("x-slack-retry-num", "x-slack-request-timestamp", "x-slack-retry-reason"), fc.string());

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(contentType, fc.uint8Array({ maxLength: 512 }), headers, (ct, bytes, h) => {
        const r = decodeSlackRequest({ contentType: ct, rawBody: bytes, headers: h, botUserId: "U0SREBOT", reactionTrigger: "mag" });
        // Random bytes are never an event to act on: refused with a reason, or at most something to ignore.
        expect(Result.isFailure(r) ? r.failure.message.length > 0 : r.success._tag === "Intake" && r.success.event._tag === "Ignored").toBe(true);
      })
    );
  });

  it("never throws on arbitrary JSON shaped like an event envelope", () => {
    const anyJson = fc.jsonValue({ maxDepth: 6 });
    const event = fc.record(
      {
        type: fc.constantFrom("app_mention", "reaction_added", "message", "other"),
        text: anyJson,
        ts: fc.oneof(fc.string(), anyJson),
        thread_ts: anyJson,
        channel: anyJson,
        user: anyJson,
        reaction: fc.oneof(fc.constant("mag"), anyJson),
        item: anyJson,
        attachments: anyJson,
        blocks: anyJson
      },
      { requiredKeys: ["type"] }
    );
    const envelope = fc.record({ type: fc.constantFrom("event_callback", "url_verification"), event, challenge: anyJson, authorizations: anyJson });
    fc.assert(
      fc.property(envelope, headers, (payload, h) => {
        const r = decodeSlackRequest({ contentType: "application/json", rawBody: JSON.stringify(payload), headers: h, reactionTrigger: "mag" });
        if (Result.isFailure(r)) expect(r.failure.message.length).toBeGreaterThan(0);
        else expect(r.success._tag === "UrlVerification" ? payload.type : `${r.success._tag}:${payload.type}`).toMatch(/^(url_verification|Intake:event_callback|Intake:url_verification)$/);
        if (Result.isSuccess(r) && r.success._tag === "Intake" && r.success.event._tag === "Mention") {
          expect(typeof r.success.event.text).toBe("string");
          expect(Number.isFinite(r.success.event.timestamp)).toBe(true);
        }
      })
    );
  });

  it("a slash command's text survives form encoding unchanged (trimmed)", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const rawBody = new URLSearchParams({ command: "/sre-snapshot", channel_id: "C1", text }).toString();
        const d = eventOf(decodeSlackRequest({ rawBody, headers: {}, reactionTrigger: "mag", receivedAt: 1 }));
        expect(d.event).toMatchObject({ _tag: "Command", request: { text: text.trim() } });
      })
    );
  });
});
