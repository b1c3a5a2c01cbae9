import fc from "fast-check";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { decodeDiscordInteraction, type DecodedDiscordInteraction } from "./decodeDiscordInteraction.js";
import { snowflakeToMillis } from "./snowflake.js";

const APP = "1166000000000000001";
const GUILD = "1100000000000000002";
const CHANNEL = "1100000000000000003";
const THREAD = "1170000000000000004";
const ALERT = "1169999999999999005";
const USER = "1000000000000000006";
const INTERACTION = "1171234567890123456";

const member = { user: { id: USER, username: "oncall", global_name: "On Call", avatar: null, discriminator: "0" }, roles: [], permissions: "0" };
const base = (overrides: Record<string, unknown>) => ({
  id: INTERACTION,
  application_id: APP,
  type: 2,
  token: "aW50ZXJhY3Rpb246MTE3MTIzNDU2Nzg5MDEyMzQ1Ng.secret-token",
  version: 1,
  guild_id: GUILD,
  channel_id: CHANNEL,
  channel: { id: CHANNEL, type: 0, name: "alerts", guild_id: GUILD },
  member,
  locale: "en-US",
  app_permissions: "2248473465835073",
  entitlements: [],
  authorizing_integration_owners: { "0": GUILD },
  context: 0,
  ...overrides
});
const chatInput = (name: string, options: ReadonlyArray<unknown> = [], overrides: Record<string, unknown> = {}) =>
  base({ data: { id: "1166000000000000100", name, type: 1, options }, ...overrides });

const decode = (payload: unknown, applicationId?: string, allowedLinkChannels?: ReadonlyArray<string>) =>
  decodeDiscordInteraction(JSON.stringify(payload), { ...(applicationId === undefined ? {} : { applicationId }), ...(allowedLinkChannels === undefined ? {} : { allowedLinkChannels }) });

const ok = (r: ReturnType<typeof decodeDiscordInteraction>): DecodedDiscordInteraction => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${r.failure.message}`);
  return r.success;
};
const deferred = (r: ReturnType<typeof decodeDiscordInteraction>) => {
  const d = ok(r);
  if (d._tag !== "Deferred") throw new Error(`expected Deferred, got ${d._tag}`);
  return d;
};
const answered = (r: ReturnType<typeof decodeDiscordInteraction>) => {
  const d = ok(r);
  if (d._tag !== "Answered") throw new Error(`expected Answered, got ${d._tag}`);
  return d;
};

describe("decodeDiscordInteraction", () => {
  it("answers PING with PONG", () => {
    const d = ok(decode({ id: INTERACTION, application_id: APP, type: 1, token: "t", version: 1, user: member.user }));
    expect(d).toEqual({ _tag: "Ping", response: { type: 1 } });
  });

  it("defers /investigate with alert text as an investigate command carrying the interaction token", () => {
    const d = deferred(decode(chatInput("investigate", [{ name: "text", type: 3, value: "[FIRING:1] HighErrorRate api 5xx > 5%" }])));
    expect(d.response).toEqual({ type: 5 });
    expect(d.interaction).toEqual({ id: INTERACTION, applicationId: APP, token: base({}).token });
    expect(d.event).toEqual({
      _tag: "Command",
      replyHandle: base({}).token,
      // The interaction's own id: a replayed (still validly signed) request repeats it.
      eventId: INTERACTION,
      request: {
        command: "investigate",
        platform: "discord",
        channelId: CHANNEL,
        userId: USER,
        text: "[FIRING:1] HighErrorRate api 5xx > 5%",
        requestedAt: snowflakeToMillis(INTERACTION)
      }
    });
  });

  it("turns a message link into the target message, keeping the rest as the operator's note", () => {
    const link = `https://discord.com/channels/${GUILD}/${CHANNEL}/${ALERT}`;
    const d = deferred(decode(chatInput("investigate", [{ name: "text", type: 3, value: `${link} started after the deploy` }])));
    expect(d.event.request).toMatchObject({ command: "investigate", channelId: CHANNEL, targetMessageId: ALERT, text: "started after the deploy" });
    const canary = deferred(decode(chatInput("investigate", [{ name: "text", type: 3, value: `https://canary.discordapp.com/channels/${GUILD}/${CHANNEL}/${ALERT}` }])));
    expect(canary.event.request).toMatchObject({ channelId: CHANNEL, targetMessageId: ALERT, text: "" });
  });

  it("follows a link to another channel of the server only when that channel is allowed; otherwise tells the user how to allow it", () => {
    const OTHER = "1100000000000000999";
    const link = `https://discord.com/channels/${GUILD}/${OTHER}/${ALERT}`;
    for (const command of ["investigate", "postmortem"]) {
      const refused = answered(decode(chatInput(command, [{ name: "text", type: 3, value: `${link} please` }])));
      expect(refused.event).toEqual({ _tag: "Ignored", reason: "message link to another channel" });
      expect(refused.response).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
      expect(JSON.stringify(refused.response)).toContain("only read links to messages in this channel");
      expect(JSON.stringify(refused.response)).toContain("intake.discord_allowed_link_channels");
    }
    expect(answered(decode(chatInput("investigate", [{ name: "text", type: 3, value: link }]), undefined, ["1100000000000000998"])).event._tag).toBe("Ignored");
    const allowed = deferred(decode(chatInput("investigate", [{ name: "text", type: 3, value: link }]), undefined, [OTHER]));
    expect(allowed.event.request).toMatchObject({ channelId: OTHER, targetMessageId: ALERT });
  });

  it("inside a thread, follows links to the thread itself and to its parent channel, not to a sibling channel", () => {
    const inThread = (value: string) => chatInput("investigate", [{ name: "text", type: 3, value }], { channel_id: THREAD, channel: { id: THREAD, type: 11, parent_id: CHANNEL, guild_id: GUILD } });
    expect(deferred(decode(inThread(`https://discord.com/channels/${GUILD}/${THREAD}/${ALERT}`))).event.request).toMatchObject({ channelId: THREAD, threadId: THREAD, targetMessageId: ALERT });
    expect(deferred(decode(inThread(`https://discord.com/channels/${GUILD}/${CHANNEL}/${ALERT}`))).event.request).toMatchObject({ channelId: CHANNEL, targetMessageId: ALERT });
    expect(answered(decode(inThread(`https://discord.com/channels/${GUILD}/1100000000000000999/${ALERT}`))).event._tag).toBe("Ignored");
  });

  it("refuses a link to another server with a reply only the user sees", () => {
    const a = answered(decode(chatInput("investigate", [{ name: "text", type: 3, value: `https://discord.com/channels/999/${CHANNEL}/${ALERT}` }])));
    expect(a.response).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect(a.event._tag).toBe("Ignored");
  });

  it("asks for text when /investigate has none", () => {
    const a = answered(decode(chatInput("investigate")));
    expect(a.response.type).toBe(4);
    expect(JSON.stringify(a.response)).toContain("Message Link");
  });

  it("defers /sre-snapshot and /postmortem; inside a thread the thread is the channel and the thread", () => {
    expect(deferred(decode(chatInput("sre-snapshot"))).event.request).toMatchObject({ command: "snapshot", channelId: CHANNEL, text: "" });
    const inThread = chatInput("postmortem", [{ name: "incident", type: 3, value: "INC-42" }], {
      channel_id: THREAD,
      channel: { id: THREAD, type: 11, parent_id: CHANNEL, guild_id: GUILD }
    });
    const request = deferred(decode(inThread)).event.request;
    expect(request).toMatchObject({ command: "postmortem", channelId: THREAD, threadId: THREAD, text: "INC-42" });
  });

  it("flattens subcommand options", () => {
    const d = deferred(decode(chatInput("sre-snapshot", [{ name: "cluster", type: 1, options: [{ name: "name", type: 3, value: "prod-eu" }, { name: "minutes", type: 4, value: 30 }] }])));
    expect(d.event.request.text).toBe("prod-eu 30");
  });

  it("defers the message action Investigate with the resolved target, its embeds included", () => {
    const alert = {
      id: ALERT,
      channel_id: CHANNEL,
      type: 0,
      content: "",
      timestamp: "2023-11-14T22:13:20.000000+00:00",
      edited_timestamp: null,
      author: { id: "1000000000000000777", username: "Alertmanager", global_name: null, bot: true, discriminator: "0", avatar: null },
      webhook_id: "1000000000000000777",
      embeds: [{ title: "[FIRING:2] PodCrashLooping shop", description: "pod shop-7d9 restarted 12 times", fields: [{ name: "namespace", value: "prod", inline: true }] }],
      attachments: [],
      mentions: [],
      mention_roles: [],
      pinned: false,
      mention_everyone: false,
      tts: false,
      flags: 0,
      components: []
    };
    const payload = base({ data: { id: "1166000000000000200", name: "Investigate", type: 3, target_id: ALERT, resolved: { messages: { [ALERT]: alert } } } });
    const d = deferred(decode(payload));
    expect(d.event.request).toMatchObject({ command: "investigate", channelId: CHANNEL, targetMessageId: ALERT, text: "" });
    expect(d.target).toMatchObject({ messageId: ALERT, isBot: true, text: "[FIRING:2] PodCrashLooping shop\npod shop-7d9 restarted 12 times\nnamespace: prod" });
  });

  it("refuses the message action on a message Discord resolves in another channel, unless that channel is allowed", () => {
    const OTHER = "1100000000000000999";
    const message = { id: ALERT, channel_id: OTHER, type: 0, content: "[FIRING:1] X", timestamp: "2023-11-14T22:13:20.000000+00:00", author: { id: USER, username: "u", global_name: null, discriminator: "0", avatar: null }, embeds: [], attachments: [], mentions: [] };
    const payload = base({ data: { id: "1166000000000000200", name: "Investigate", type: 3, target_id: ALERT, resolved: { messages: { [ALERT]: message } } } });
    const refused = answered(decode(payload));
    expect(refused.event).toEqual({ _tag: "Ignored", reason: "message link to another channel" });
    expect(JSON.stringify(refused.response)).toContain("intake.discord_allowed_link_channels");
    expect(deferred(decode(payload, undefined, [OTHER])).event.request).toMatchObject({ channelId: OTHER, targetMessageId: ALERT });
  });

  it("answers unknown commands, other interaction kinds and autocomplete at once", () => {
    const unknown = answered(decode(chatInput("deploy")));
    expect(unknown.response).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(JSON.stringify(unknown.response)).toContain("Unknown command /deploy");
    expect(JSON.stringify(unknown.response)).toContain("/investigate");
    expect(answered(decode(base({ type: 3, data: { custom_id: "ack", component_type: 2 } }))).response.type).toBe(4);
    expect(answered(decode(base({ type: 4, data: { name: "investigate", type: 1, options: [] } }))).response).toEqual({ type: 8, data: { choices: [] } });
    expect(answered(decode(base({ data: { name: "Investigate", type: 2, target_id: USER } }))).response.type).toBe(4);
  });

  it("refuses bodies that are not interactions for this application", () => {
    const reason = (r: ReturnType<typeof decodeDiscordInteraction>) => (Result.isFailure(r) ? r.failure.reason : "accepted");
    expect(reason(decodeDiscordInteraction("{not json"))).toMatch(/not JSON/);
    expect(reason(decodeDiscordInteraction(new Uint8Array([0xff, 0xfe, 0x00])))).toMatch(/UTF-8|JSON/);
    expect(reason(decode([1, 2]))).toMatch(/not an interaction/);
    expect(reason(decode(chatInput("investigate"), "1166000000000000999"))).toMatch(/another|not this one/);
    expect(reason(decode({ ...chatInput("sre-snapshot"), token: undefined }))).toMatch(/token/);
    expect(reason(decode({ ...chatInput("sre-snapshot"), id: "abc" }))).toMatch(/snowflake/);
    expect(reason(decode(base({ data: { type: 3, name: "Investigate" } })))).toMatch(/target/);
  });

  it("property: never throws on arbitrary bytes or arbitrary JSON, and well-formed commands always decode", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(Result.isResult(decodeDiscordInteraction(bytes))).toBe(true);
      }),
      { numRuns: 300 }
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.constantFrom("type", "data", "token", "channel", "member", "id", "channel_id", "guild_id"), fc.jsonValue()), (json, patch) => {
        expect(Result.isResult(decodeDiscordInteraction(JSON.stringify(json)))).toBe(true);
        expect(Result.isResult(decode({ ...chatInput("investigate", [{ name: "text", type: 3, value: "x" }]), ...patch }))).toBe(true);
      }),
      { numRuns: 300 }
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }).filter((s) => s.trim() !== ""), (text) => {
        const d = deferred(decode(chatInput("investigate", [{ name: "text", type: 3, value: text }])));
        expect(d.event.request.command).toBe("investigate");
      }),
      { numRuns: 200 }
    );
  });
});
