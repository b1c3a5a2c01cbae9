import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A message as the fake stores it, in Slack's own field names. */
export interface FakeSlackMessage {
  readonly type: "message";
  readonly ts: string;
  readonly text: string;
  readonly thread_ts?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly subtype?: string;
  readonly username?: string;
  readonly attachments?: ReadonlyArray<unknown>;
  readonly blocks?: ReadonlyArray<unknown>;
  readonly edited?: { readonly user: string; readonly ts: string };
  readonly reply_count?: number;
  readonly latest_reply?: string;
}

export interface FakeSlackSeed {
  readonly text: string;
  /** Epoch millis; the message's ts is derived from it (a unique microsecond suffix is added). Default: now. */
  readonly timestamp?: number;
  /** An exact ts to use instead of deriving one. */
  readonly ts?: string;
  /** Post as a reply in this thread. */
  readonly threadTs?: string;
  readonly user?: string;
  /** Marks the message as another bot's (`bot_id`, `subtype: "bot_message"`), like an Alertmanager notification. */
  readonly isBot?: boolean;
  readonly username?: string;
  readonly attachments?: ReadonlyArray<unknown>;
  readonly blocks?: ReadonlyArray<unknown>;
}

export interface FakeSlackCall {
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly contentType: string;
  /** Whether a bearer token came with the call (the token itself is never recorded). */
  readonly authorized: boolean;
  readonly status: number;
  /** The `error` the fake answered with, if any. */
  readonly error?: string;
  /** The `response_metadata.warnings` the fake answered with (e.g. `message_truncated`), if any. */
  readonly warnings?: ReadonlyArray<string>;
}

export type FakeSlackFailure =
  /** HTTP 429 with `Retry-After` in seconds, as Slack rate limits. */
  | { readonly kind: "rateLimited"; readonly retryAfterSeconds: number }
  /** An HTTP 5xx with an HTML-ish body, as a load balancer in trouble answers. */
  | { readonly kind: "http"; readonly status: number }
  /** HTTP 200 `{ ok: false, error }`. */
  | { readonly kind: "error"; readonly error: string };

export interface FakeSlackApiOptions {
  /** The bot token calls must carry. Default `xoxb-fake-token`. */
  readonly token?: string;
  /** Channels that exist from the start. Default `["C0ALERTS"]`. */
  readonly channels?: ReadonlyArray<string>;
  /** Clock for the ts of posted messages, epoch millis. Default `Date.now`. */
  readonly now?: () => number;
}

export interface FakeSlackApi {
  /** Base URL for `WebClient`'s `slackApiUrl`, ending in `/api/`. */
  readonly url: string;
  readonly token: string;
  /** The identity `auth.test` reports and that the bot's own messages carry. */
  readonly bot: { readonly userId: string; readonly botId: string; readonly teamId: string };
  readonly addChannel: (channelId: string) => void;
  /** Places a message as a person or another bot would; returns its ts. */
  readonly seed: (channelId: string, message: FakeSlackSeed) => string;
  /** Every top-level message and reply of a channel, oldest first. */
  readonly messages: (channelId: string) => ReadonlyArray<FakeSlackMessage>;
  readonly message: (channelId: string, ts: string) => FakeSlackMessage | undefined;
  /** Every call received, in order, with its arguments (blocks decoded from JSON). */
  readonly calls: () => ReadonlyArray<FakeSlackCall>;
  /** The next `times` calls of `method` (or of any method with `"*"`) fail this way. */
  readonly failNext: (method: string, failure: FakeSlackFailure, times?: number) => void;
  readonly close: () => Promise<void>;
}

interface Channel {
  /** Keyed by ts. */
  readonly messages: Map<string, FakeSlackMessage>;
}

/** Slack's body limit for Web API calls is far below this; anything bigger is a bug in the caller. */
const MAX_BODY = 5 * 1024 * 1024;

/*
 * Slack's own limits, written down here from Slack's documentation and never imported from the
 * renderer: a renderer whose limits drift must be refused here as Slack would refuse it.
 */
/** "You can include up to 50 blocks in each message" (https://docs.slack.dev/reference/methods/chat.postMessage, `blocks`). */
const SLACK_MAX_BLOCKS = 50;
/** Section `text`: "Maximum length for the text in this field is 3000 characters" (https://docs.slack.dev/reference/block-kit/blocks/section-block). */
const SLACK_MAX_SECTION_TEXT = 3000;
/** Header `text`: "Maximum length for the text in this field is 150 characters" (https://docs.slack.dev/reference/block-kit/blocks/header-block). */
const SLACK_MAX_HEADER_TEXT = 150;
/** A text composition object holds at most 3000 characters (https://docs.slack.dev/reference/block-kit/composition-objects/text-object). */
const SLACK_MAX_TEXT_OBJECT = 3000;
/**
 * The text of all blocks of one message together. Undocumented: chat.postMessage answers
 * `msg_blocks_too_long`; Slack's maintainers put it at "12,000 text characters with a buffer for
 * block containers" (slackapi/bolt-js#2509), and 11,341 was already refused (slackapi/bolt-js#2867).
 */
const SLACK_MAX_BLOCKS_TEXT = 12_000;
/**
 * The `text` field: "we truncate messages containing more than 40,000 characters" and answer with a
 * `message_truncated` warning (https://api.slack.com/changelog/2018-04-truncating-really-long-messages).
 */
const SLACK_MAX_MESSAGE_TEXT = 40_000;

/** What Slack says of invalid blocks: `invalid_blocks` with one line per problem and its JSON pointer. */
const blockProblems = (blocks: ReadonlyArray<unknown>): { readonly error: string; readonly errors: ReadonlyArray<string> } | undefined => {
  if (blocks.length > SLACK_MAX_BLOCKS) return { error: "invalid_blocks", errors: [`must provide an array of no more than ${SLACK_MAX_BLOCKS} items [json-pointer:/blocks]`] };
  const errors: Array<string> = [];
  let total = 0;
  const textOf = (value: unknown): string | undefined => {
    const text = typeof value === "object" && value !== null ? (value as { text?: unknown }).text : undefined;
    return typeof text === "string" ? text : undefined;
  };
  const checkLength = (text: string | undefined, max: number, pointer: string) => {
    if (text === undefined || text.length === 0) errors.push(`must be more than 0 characters [json-pointer:${pointer}]`);
    else if (text.length > max) errors.push(`must be less than ${max + 1} characters [json-pointer:${pointer}]`);
    total += text?.length ?? 0;
  };
  blocks.forEach((block, i) => {
    const b = (typeof block === "object" && block !== null ? block : {}) as { type?: unknown; text?: unknown; elements?: unknown };
    switch (b.type) {
      case "header":
        checkLength(textOf(b.text), SLACK_MAX_HEADER_TEXT, `/blocks/${i}/text/text`);
        break;
      case "section":
        checkLength(textOf(b.text), SLACK_MAX_SECTION_TEXT, `/blocks/${i}/text/text`);
        break;
      case "context": {
        const elements = Array.isArray(b.elements) ? b.elements : [];
        if (elements.length === 0 || elements.length > 10) errors.push(`must provide an array of 1 to 10 items [json-pointer:/blocks/${i}/elements]`);
        elements.forEach((e, j) => checkLength(textOf(e), SLACK_MAX_TEXT_OBJECT, `/blocks/${i}/elements/${j}/text`));
        break;
      }
      case "divider":
        break;
      default:
        errors.push(`unsupported type: ${String(b.type)} [json-pointer:/blocks/${i}/type]`);
    }
  });
  if (errors.length > 0) return { error: "invalid_blocks", errors };
  if (total > SLACK_MAX_BLOCKS_TEXT) return { error: "msg_blocks_too_long", errors: [] };
  return undefined;
};

const tsFromMillis = (millis: number, micro: number) =>
  `${Math.floor(millis / 1000)}.${String(Math.floor(millis) % 1000).padStart(3, "0")}${String(micro).padStart(3, "0")}`;

/** Slack timestamps compare as numbers; six fixed decimals make them compare as fixed-width strings too. */
const tsKey = (ts: string): number => Number(ts);

/**
 * A Slack Web API on 127.0.0.1 that speaks the wire format `@slack/web-api` uses
 * (form-encoded or JSON POST bodies, `Authorization: Bearer`, `{ ok, … }` answers) for
 * `auth.test`, `chat.postMessage`, `chat.update`, `conversations.history` and
 * `conversations.replies`, with channels, threads and cursors held in memory, Slack's documented
 * message limits (blocks, section and header text, block text per message, `text` truncation),
 * failure injection (429 + Retry-After, 5xx, platform errors) and a record of every call.
 */
export const startFakeSlackApi = async (options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> => {
  const token = options.token ?? "xoxb-fake-token";
  const now = options.now ?? Date.now;
  const bot = { userId: "U0SREBOT", botId: "B0SREBOT", teamId: "T0FAKE" };
  const channels = new Map<string, Channel>();
  const calls: Array<FakeSlackCall> = [];
  const failures: Array<{ method: string; failure: FakeSlackFailure; remaining: number }> = [];

  const addChannel = (id: string) => {
    if (!channels.has(id)) channels.set(id, { messages: new Map() });
  };
  for (const id of options.channels ?? ["C0ALERTS"]) addChannel(id);

  const uniqueTs = (channel: Channel, millis: number): string => {
    for (let micro = 0; micro < 1000; micro++) {
      const ts = tsFromMillis(millis, micro);
      if (!channel.messages.has(ts)) return ts;
    }
    return uniqueTs(channel, millis + 1);
  };

  const sorted = (channel: Channel) => [...channel.messages.values()].sort((a, b) => tsKey(a.ts) - tsKey(b.ts));

  /** Keeps the parent's `reply_count`/`latest_reply` the way Slack shows them. */
  const insert = (channel: Channel, message: FakeSlackMessage) => {
    channel.messages.set(message.ts, message);
    if (message.thread_ts === undefined || message.thread_ts === message.ts) return;
    const parent = channel.messages.get(message.thread_ts);
    if (parent === undefined) return;
    const replies = sorted(channel).filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
    channel.messages.set(parent.ts, { ...parent, thread_ts: parent.ts, reply_count: replies.length, latest_reply: replies.at(-1)?.ts ?? message.ts });
  };

  const seed = (channelId: string, s: FakeSlackSeed): string => {
    addChannel(channelId);
    const channel = channels.get(channelId) as Channel;
    const ts = s.ts ?? uniqueTs(channel, s.timestamp ?? now());
    insert(channel, {
      type: "message",
      ts,
      text: s.text,
      ...(s.threadTs !== undefined ? { thread_ts: s.threadTs } : {}),
      ...(s.isBot === true
        ? { subtype: "bot_message", bot_id: "B0ALERTMGR", username: s.username ?? "alertmanager" }
        : { user: s.user ?? "U0HUMAN", ...(s.username !== undefined ? { username: s.username } : {}) }),
      ...(s.attachments !== undefined ? { attachments: s.attachments } : {}),
      ...(s.blocks !== undefined ? { blocks: s.blocks } : {})
    });
    return ts;
  };

  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return send(res, 413, { ok: false, error: "request_too_large" });
      handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", () => res.destroy());
  });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json; charset=utf-8", ...headers });
    res.end(text);
  };

  const parseArgs = (contentType: string, body: string): Record<string, unknown> | undefined => {
    if (contentType.startsWith("application/json")) {
      try {
        const parsed: unknown = body === "" ? {} : JSON.parse(body);
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    }
    return Object.fromEntries(new URLSearchParams(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = url.pathname.startsWith("/api/") ? url.pathname.slice("/api/".length) : "";
    const contentType = String(req.headers["content-type"] ?? "application/x-www-form-urlencoded").toLowerCase();
    const parsed = parseArgs(contentType, body);
    const auth = req.headers.authorization;
    const bearer = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
    const args = parsed ?? {};
    const presented = bearer ?? (typeof args["token"] === "string" ? args["token"] : undefined);
    const { token: _omitted, ...recorded } = args;
    const answer = (status: number, payload: Record<string, unknown> | string, headers: Record<string, string> = {}) => {
      const error = typeof payload === "string" ? undefined : payload["ok"] === false ? String(payload["error"]) : undefined;
      const metadata = typeof payload === "string" ? undefined : (payload["response_metadata"] as { warnings?: ReadonlyArray<string> } | undefined);
      calls.push({
        method,
        args: decodeJsonArgs(recorded),
        contentType,
        authorized: presented !== undefined,
        status,
        ...(error !== undefined ? { error } : {}),
        ...(metadata?.warnings !== undefined ? { warnings: metadata.warnings } : {})
      });
      send(res, status, payload, headers);
    };

    if (req.method !== "POST" && req.method !== "GET") return answer(405, { ok: false, error: "method_not_allowed" });
    if (parsed === undefined) return answer(200, { ok: false, error: "invalid_json" });
    const injected = takeFailure(method);
    if (injected !== undefined) {
      if (injected.kind === "rateLimited") {
        return answer(429, { ok: false, error: "ratelimited" }, { "retry-after": String(injected.retryAfterSeconds) });
      }
      if (injected.kind === "http") return answer(injected.status, `<html><body>${injected.status} Service Unavailable</body></html>`);
      return answer(200, { ok: false, error: injected.error });
    }
    if (presented === undefined) return answer(200, { ok: false, error: "not_authed" });
    if (presented !== token) return answer(200, { ok: false, error: "invalid_auth" });
    const route = ROUTES[method];
    if (route === undefined) return answer(200, { ok: false, error: "unknown_method" });
    answer(200, route(decodeJsonArgs(args)));
  };

  const takeFailure = (method: string): FakeSlackFailure | undefined => {
    const index = failures.findIndex((f) => f.remaining > 0 && (f.method === method || f.method === "*"));
    if (index === -1) return undefined;
    const entry = failures[index] as (typeof failures)[number];
    entry.remaining--;
    if (entry.remaining === 0) failures.splice(index, 1);
    return entry.failure;
  };

  const fail = (error: string) => ({ ok: false, error });
  /** Slack's answer to refused blocks: the error, and each problem in `errors` and `response_metadata.messages`. */
  const refuseBlocks = (problem: { readonly error: string; readonly errors: ReadonlyArray<string> }) =>
    problem.errors.length === 0
      ? fail(problem.error)
      : { ok: false, error: problem.error, errors: problem.errors, response_metadata: { messages: problem.errors.map((e) => `[ERROR] ${e}`) } };
  /** Text over Slack's limit is cut and posted, with a warning (never refused). */
  const truncated = (text: string) =>
    text.length > SLACK_MAX_MESSAGE_TEXT
      ? {
          text: text.slice(0, SLACK_MAX_MESSAGE_TEXT),
          metadata: {
            response_metadata: {
              messages: [`[WARN] Your message was truncated but still posted. The \`text\` field accepts up to 40,000 characters.`],
              warnings: ["message_truncated"]
            }
          }
        }
      : { text, metadata: {} };
  const channelOf = (args: Record<string, unknown>): Channel | undefined =>
    typeof args["channel"] === "string" ? channels.get(args["channel"]) : undefined;
  const bool = (v: unknown) => v === true || v === "true" || v === "1" || v === 1;
  const limitOf = (v: unknown, fallback: number) => {
    const n = Number(v);
    return Number.isInteger(n) && n > 0 ? Math.min(n, 999) : fallback;
  };
  /** Cursors are opaque to clients, as Slack's are. */
  const cursorFor = (offset: number) => Buffer.from(`offset:${offset}`).toString("base64url");
  const cursorOf = (v: unknown): number | undefined => {
    if (v === undefined || v === "") return 0;
    const m = /^offset:(\d{1,9})$/.exec(Buffer.from(String(v), "base64url").toString("utf8"));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };

  /** Slack's timeline filter: `oldest`/`latest` bounds, exclusive unless `inclusive`. */
  const inTimeline = (args: Record<string, unknown>) => {
    const inclusive = bool(args["inclusive"]);
    const oldest = args["oldest"] !== undefined ? Number(args["oldest"]) : undefined;
    const latest = args["latest"] !== undefined ? Number(args["latest"]) : undefined;
    return (m: FakeSlackMessage) => {
      const t = tsKey(m.ts);
      if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
      if (latest !== undefined && (inclusive ? t > latest : t >= latest)) return false;
      return true;
    };
  };

  const page = (items: ReadonlyArray<FakeSlackMessage>, args: Record<string, unknown>, key: string) => {
    const offset = cursorOf(args["cursor"]);
    if (offset === undefined) return fail("invalid_cursor");
    const limit = limitOf(args["limit"], 100);
    const slice = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    return { ok: true, [key]: slice, has_more: more, response_metadata: { next_cursor: more ? cursorFor(offset + limit) : "" } };
  };

  const post = (args: Record<string, unknown>) => {
    const channel = channelOf(args);
    if (channel === undefined) return fail("channel_not_found");
    const given = typeof args["text"] === "string" ? args["text"] : "";
    const blocks = Array.isArray(args["blocks"]) ? args["blocks"] : undefined;
    if (given === "" && blocks === undefined) return fail("no_text");
    const problem = blocks === undefined ? undefined : blockProblems(blocks);
    if (problem !== undefined) return refuseBlocks(problem);
    const { text, metadata } = truncated(given);
    const threadTs = typeof args["thread_ts"] === "string" && args["thread_ts"] !== "" ? args["thread_ts"] : undefined;
    if (threadTs !== undefined && !channel.messages.has(threadTs)) return fail("thread_not_found");
    const parent = threadTs === undefined ? undefined : channel.messages.get(threadTs);
    // A reply to a reply lands in the same thread, as in Slack.
    const anchor = parent?.thread_ts ?? threadTs;
    const message: FakeSlackMessage = {
      type: "message",
      ts: uniqueTs(channel, now()),
      text,
      user: bot.userId,
      bot_id: bot.botId,
      ...(anchor !== undefined ? { thread_ts: anchor } : {}),
      ...(blocks !== undefined ? { blocks } : {})
    };
    insert(channel, message);
    return { ok: true, channel: args["channel"], ts: message.ts, message, ...metadata };
  };

  const ROUTES: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    "auth.test": () => ({ ok: true, url: "https://fake.slack.com/", team: "fake", user: "sre-on-call", team_id: bot.teamId, user_id: bot.userId, bot_id: bot.botId }),
    "chat.postMessage": post,
    "chat.update": (args) => {
      const channel = channelOf(args);
      if (channel === undefined) return fail("channel_not_found");
      const ts = String(args["ts"] ?? "");
      const existing = channel.messages.get(ts);
      if (existing === undefined) return fail("message_not_found");
      if (existing.bot_id !== bot.botId) return fail("cant_update_message");
      const blocks = Array.isArray(args["blocks"]) ? args["blocks"] : existing.blocks;
      const problem = Array.isArray(args["blocks"]) && args["blocks"].length > 0 ? blockProblems(args["blocks"]) : undefined;
      if (problem !== undefined) return refuseBlocks(problem);
      const { text, metadata } = truncated(typeof args["text"] === "string" ? args["text"] : existing.text);
      const { blocks: _old, ...rest } = existing;
      const updated: FakeSlackMessage = {
        ...rest,
        text,
        ...(blocks !== undefined && blocks.length > 0 ? { blocks } : {}),
        edited: { user: bot.userId, ts: uniqueTs(channel, now()) }
      };
      channel.messages.set(ts, updated);
      return { ok: true, channel: args["channel"], ts, text, ...metadata };
    },
    "conversations.history": (args) => {
      const channel = channelOf(args);
      if (channel === undefined) return fail("channel_not_found");
      const topLevel = sorted(channel)
        .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
        .filter(inTimeline(args))
        .reverse();
      return page(topLevel, args, "messages");
    },
    "conversations.replies": (args) => {
      const channel = channelOf(args);
      if (channel === undefined) return fail("channel_not_found");
      const ts = String(args["ts"] ?? "");
      const target = channel.messages.get(ts);
      if (target === undefined) return fail("thread_not_found");
      const anchorTs = target.thread_ts ?? target.ts;
      const parent = channel.messages.get(anchorTs) ?? target;
      const replies = sorted(channel)
        .filter((m) => m.thread_ts === anchorTs && m.ts !== anchorTs)
        .filter(inTimeline(args));
      // Slack always leads with the parent, whatever the time bounds.
      return page([parent, ...replies], args, "messages");
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    bot,
    addChannel,
    seed,
    messages: (channelId) => (channels.has(channelId) ? sorted(channels.get(channelId) as Channel) : []),
    message: (channelId, ts) => channels.get(channelId)?.messages.get(ts),
    calls: () => [...calls],
    failNext: (method, failure, times = 1) => {
      failures.push({ method, failure, remaining: times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
};

/** The Web API form-encodes arrays and objects as JSON strings; decode the ones this fake understands. */
const decodeJsonArgs = (args: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...args };
  for (const key of ["blocks", "attachments", "metadata"]) {
    const v = out[key];
    if (typeof v !== "string") continue;
    try {
      out[key] = JSON.parse(v);
    } catch {
      out[key] = v;
    }
  }
  return out;
};
