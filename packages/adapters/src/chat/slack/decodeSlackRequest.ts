import type { CommandName, IntakeEvent } from "@sre-on-call/core";
import { DecodeError } from "@sre-on-call/core";
import { Result } from "effect";
import { extractSlackText } from "./extractSlackText.js";
import { readHeader, type SlackRequestHeaders } from "./readHeader.js";
import { slackTsToMillis } from "./slackTs.js";

/** The slash commands this app answers, as named in its Slack app manifest. */
export const DEFAULT_SLACK_COMMANDS: Readonly<Record<string, CommandName>> = {
  "/sre-snapshot": "snapshot",
  "/postmortem": "postmortem"
};

export interface DecodeSlackRequestInput {
  /** The request's Content-Type; without one the body is sniffed (JSON object or form). */
  readonly contentType?: string | undefined;
  readonly rawBody: Uint8Array | string;
  readonly headers: SlackRequestHeaders;
  /** The bot's own user id (`auth.test`); events from it are ignored. Slack's `authorizations` fill it in when absent. */
  readonly botUserId?: string | undefined;
  /** The bot's id (`B…`), for messages that carry only `bot_id`. */
  readonly botId?: string | undefined;
  /** The emoji that asks for an investigation of the message it is put on, with or without colons (`mag` or `:mag:`). */
  readonly reactionTrigger: string;
  /** Slash command name → command. Default `DEFAULT_SLACK_COMMANDS`. */
  readonly commands?: Readonly<Record<string, CommandName>>;
  /** When the request arrived, epoch millis; slash commands carry no time of their own. Default: the request timestamp header. */
  readonly receivedAt?: number;
}

export type SlackDecoded =
  /** Slack checking the Events URL: answer 200 with `{ challenge }`. */
  | { readonly _tag: "UrlVerification"; readonly challenge: string }
  | {
      readonly _tag: "Intake";
      readonly event: IntakeEvent;
      /** Slack's `event_id`, stable across its redeliveries. */
      readonly eventId?: string;
      /** `X-Slack-Retry-Num` was present: Slack is redelivering, so acknowledge without starting work twice. */
      readonly retry: boolean;
      readonly retryNum?: number;
      readonly retryReason?: string;
    }
  /** A slash command this app does not know: answer with `reply` (shown only to the user who typed it). */
  | { readonly _tag: "UnknownCommand"; readonly command: string; readonly reply: string };

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: Json): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const fail = (what: string, reason: string) => Result.fail(new DecodeError({ what, reason }));
const ignored = (reason: string, extra: { readonly eventId?: string | undefined; readonly retry?: RetryInfo } = {}): SlackDecoded =>
  intake({ _tag: "Ignored", reason }, extra.eventId, extra.retry ?? NO_RETRY);

interface RetryInfo {
  readonly retry: boolean;
  readonly retryNum?: number;
  readonly retryReason?: string;
}
const NO_RETRY: RetryInfo = { retry: false };

const intake = (event: IntakeEvent, eventId: string | undefined, retry: RetryInfo): SlackDecoded => ({
  _tag: "Intake",
  event,
  ...(eventId !== undefined ? { eventId } : {}),
  ...retry
});

const retryInfo = (headers: SlackRequestHeaders): RetryInfo => {
  const num = readHeader(headers, "x-slack-retry-num");
  if (num._tag === "Missing") return NO_RETRY;
  const reason = readHeader(headers, "x-slack-retry-reason");
  const n = num._tag === "Value" && /^\d{1,6}$/.test(num.value) ? Number(num.value) : undefined;
  return {
    retry: true,
    ...(n !== undefined ? { retryNum: n } : {}),
    ...(reason._tag === "Value" ? { retryReason: reason.value.slice(0, 100) } : {})
  };
};

/** `mag`, `:mag:` and `mag::skin-tone-3` all name the same trigger. */
const emojiName = (raw: string): string =>
  raw
    .trim()
    .replace(/^:|:$/g, "")
    .replace(/::skin-tone-\d$/, "")
    .toLowerCase();

const bodyText = (rawBody: Uint8Array | string): string =>
  typeof rawBody === "string" ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString("utf8");

const mediaType = (contentType: string | undefined, body: string): "json" | "form" => {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  return body.trimStart().startsWith("{") ? "json" : "form";
};

/**
 * Turns a Slack Events API delivery or slash-command request (already verified with
 * `verifySlackRequest`) into what the intake pipeline acts on. Pure and total: a body that
 * is not JSON or a form, or a payload missing the fields its type needs, is a `DecodeError`
 * (answer 400); anything well formed that asks for nothing is an `Ignored` intake event.
 */
export const decodeSlackRequest = (input: DecodeSlackRequestInput): Result.Result<SlackDecoded, DecodeError> => {
  const body = bodyText(input.rawBody);
  return mediaType(input.contentType, body) === "json" ? decodeEventsApi(input, body) : decodeForm(input, body);
};

const decodeEventsApi = (input: DecodeSlackRequestInput, body: string): Result.Result<SlackDecoded, DecodeError> => {
  let payload: Json;
  try {
    payload = JSON.parse(body);
  } catch (e) {
    return fail("Slack event payload", `body is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObj(payload)) return fail("Slack event payload", "body is not a JSON object");
  const type = payload["type"];
  if (type === "url_verification") {
    const challenge = str(payload["challenge"]);
    return challenge === undefined
      ? fail("Slack url_verification", "`challenge` is missing or not a string")
      : Result.succeed({ _tag: "UrlVerification", challenge });
  }
  const retry = retryInfo(input.headers);
  if (type !== "event_callback") {
    return typeof type === "string"
      ? Result.succeed(ignored(`Slack envelope type ${JSON.stringify(type.slice(0, 60))} asks for nothing`, { retry }))
      : fail("Slack event payload", "`type` is missing");
  }
  const event = payload["event"];
  if (!isObj(event)) return fail("Slack event_callback", "`event` is missing or not an object");
  const eventId = str(payload["event_id"]);
  const botUserId = input.botUserId ?? authorizedBotUser(payload["authorizations"]);
  const context: EventContext = { input, eventId, retry, botUserId };
  switch (event["type"]) {
    case "app_mention":
      return decodeMention(event, context);
    case "reaction_added":
      return decodeReaction(event, context);
    case "message":
      return Result.succeed(
        ignored(
          event["bot_id"] !== undefined || event["subtype"] === "bot_message"
            ? "a bot's message (only mentions and the trigger reaction start work)"
            : "a channel message (only mentions and the trigger reaction start work)",
          context
        )
      );
    default:
      return Result.succeed(ignored(`Slack event ${JSON.stringify(String(event["type"]).slice(0, 60))} is not handled`, context));
  }
};

/** Every Events API delivery lists the installations it is for; the bot's entry names its user. */
const authorizedBotUser = (authorizations: Json): string | undefined => {
  if (!Array.isArray(authorizations)) return undefined;
  for (const a of authorizations) if (isObj(a) && a["is_bot"] === true && str(a["user_id"]) !== undefined) return String(a["user_id"]);
  return undefined;
};

interface EventContext {
  readonly input: DecodeSlackRequestInput;
  readonly eventId: string | undefined;
  readonly retry: RetryInfo;
  readonly botUserId: string | undefined;
}

const isOwn = (event: Obj, ctx: EventContext, userField: string): boolean => {
  const user = str(event[userField]);
  const botId = str(event["bot_id"]);
  return (ctx.botUserId !== undefined && user === ctx.botUserId) || (ctx.input.botId !== undefined && botId === ctx.input.botId);
};

const decodeMention = (event: Obj, ctx: EventContext): Result.Result<SlackDecoded, DecodeError> => {
  if (isOwn(event, ctx, "user")) return Result.succeed(ignored("the bot's own message", ctx));
  const channelId = str(event["channel"]);
  const ts = str(event["ts"]);
  if (channelId === undefined) return fail("Slack app_mention", "`channel` is missing");
  if (ts === undefined) return fail("Slack app_mention", "`ts` is missing");
  const timestamp = slackTsToMillis(ts);
  if (timestamp === undefined) return fail("Slack app_mention", `\`ts\` ${JSON.stringify(ts.slice(0, 40))} is not a Slack timestamp`);
  const threadTs = str(event["thread_ts"]);
  const userId = str(event["user"]) ?? str(event["bot_id"]);
  return Result.succeed(
    intake(
      {
        _tag: "Mention",
        platform: "slack",
        channelId,
        messageId: ts,
        ...(threadTs !== undefined && threadTs !== ts ? { threadId: threadTs } : {}),
        ...(userId !== undefined ? { userId } : {}),
        text: extractSlackText(event),
        timestamp,
        ...(ctx.eventId !== undefined ? { eventId: ctx.eventId } : {})
      },
      ctx.eventId,
      ctx.retry
    )
  );
};

const decodeReaction = (event: Obj, ctx: EventContext): Result.Result<SlackDecoded, DecodeError> => {
  if (isOwn(event, ctx, "user")) return Result.succeed(ignored("the bot's own reaction", ctx));
  const reaction = str(event["reaction"]);
  if (reaction === undefined) return fail("Slack reaction_added", "`reaction` is missing");
  if (emojiName(reaction) !== emojiName(ctx.input.reactionTrigger)) {
    return Result.succeed(ignored(`reaction :${reaction.slice(0, 60)}: is not the trigger`, ctx));
  }
  const item = event["item"];
  if (!isObj(item)) return fail("Slack reaction_added", "`item` is missing");
  if (item["type"] !== "message") return Result.succeed(ignored("a reaction on something other than a message", ctx));
  const channelId = str(item["channel"]);
  const ts = str(item["ts"]);
  if (channelId === undefined || ts === undefined) return fail("Slack reaction_added", "`item.channel` or `item.ts` is missing");
  const timestamp = slackTsToMillis(str(event["event_ts"]) ?? ts);
  if (timestamp === undefined || slackTsToMillis(ts) === undefined) {
    return fail("Slack reaction_added", "`item.ts` or `event_ts` is not a Slack timestamp");
  }
  const userId = str(event["user"]);
  return Result.succeed(
    intake(
      {
        _tag: "Reaction",
        platform: "slack",
        channelId,
        messageId: ts,
        ...(userId !== undefined ? { userId } : {}),
        reaction: emojiName(reaction),
        timestamp,
        ...(ctx.eventId !== undefined ? { eventId: ctx.eventId } : {})
      },
      ctx.eventId,
      ctx.retry
    )
  );
};

/** `https://acme.slack.com/archives/C0123/p1712345678123456?thread_ts=1712345600.000100` */
const PERMALINK = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})(?:\?[^\s>|]*?thread_ts=(\d{10}\.\d{6}))?/;

const decodeForm = (input: DecodeSlackRequestInput, body: string): Result.Result<SlackDecoded, DecodeError> => {
  if (/%(?![0-9a-fA-F]{2})/.test(body)) return fail("Slack slash command", "body is not a valid form (bad %-escape)");
  const form = new URLSearchParams(body);
  if (form.get("ssl_check") === "1") return Result.succeed(ignored("Slack ssl_check"));
  if (form.has("payload")) return Result.succeed(ignored("interactive payloads (buttons, shortcuts) are not handled"));
  const command = form.get("command");
  if (command === null || command === "") {
    return fail("Slack slash command", "the form has no `command` field (nor `payload` or `ssl_check`)");
  }
  const commands = input.commands ?? DEFAULT_SLACK_COMMANDS;
  const name = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (name === undefined) {
    const known = Object.keys(commands).join(", ");
    return Result.succeed({
      _tag: "UnknownCommand",
      command: command.slice(0, 60),
      reply: `I don't know the command ${command.slice(0, 60)}. I understand ${known}.`
    });
  }
  const channelId = form.get("channel_id");
  if (channelId === null || channelId === "") return fail("Slack slash command", "`channel_id` is missing");
  const requestedAt = input.receivedAt ?? headerMillis(input.headers);
  if (requestedAt === undefined) return fail("Slack slash command", "no X-Slack-Request-Timestamp header to date the command by");
  const text = form.get("text") ?? "";
  const userId = form.get("user_id");
  const responseUrl = form.get("response_url");
  const triggerId = form.get("trigger_id");
  const link = PERMALINK.exec(text);
  const target = link !== null && link[1] === channelId ? { ts: `${link[2]}.${link[3]}`, thread: link[4] } : undefined;
  return Result.succeed(
    intake(
      {
        _tag: "Command",
        request: {
          command: name,
          platform: "slack",
          channelId,
          ...(target !== undefined ? { targetMessageId: target.ts, threadId: target.thread ?? target.ts } : {}),
          ...(userId !== null && userId !== "" ? { userId } : {}),
          text: text.trim(),
          requestedAt
        },
        ...(responseUrl !== null && responseUrl !== "" ? { replyHandle: responseUrl } : {}),
        // trigger_id is unique per invocation: a replayed (still validly signed) request repeats it.
        ...(triggerId !== null && triggerId !== "" ? { eventId: `command:${triggerId}` } : {})
      },
      undefined,
      NO_RETRY
    )
  );
};

const headerMillis = (headers: SlackRequestHeaders): number | undefined => {
  const ts = readHeader(headers, "x-slack-request-timestamp");
  return ts._tag === "Value" && /^\d{1,12}$/.test(ts.value) ? Number(ts.value) * 1000 : undefined;
};
