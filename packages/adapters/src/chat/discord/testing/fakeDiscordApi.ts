import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DISCORD_EPOCH, isSnowflake } from "../snowflake.js";

/** A Discord message as the fake stores and serves it (the REST v10 message object, trimmed). */
export interface FakeMessage {
  id: string;
  channel_id: string;
  type: number;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  author: { id: string; username: string; global_name: string | null; discriminator: string; avatar: null; bot?: boolean };
  embeds: Array<Record<string, unknown>>;
  mentions: Array<never>;
  mention_roles: Array<never>;
  mention_everyone: boolean;
  attachments: Array<never>;
  pinned: boolean;
  tts: boolean;
  flags: number;
  components: Array<never>;
  message_reference?: { type: 0; message_id: string; channel_id: string; guild_id?: string };
  position?: number;
  webhook_id?: string;
  application_id?: string;
  nonce?: string;
  /** What the bot asked for when posting; kept for assertions, not served. */
  allowed_mentions?: unknown;
}

export interface FakeChannel {
  id: string;
  type: number;
  guild_id: string;
  name: string;
  parent_id?: string;
  last_message_id: string | null;
}

export interface RecordedCall {
  readonly method: string;
  /** Path after `/api/v10`, with the query removed. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** `ok` for `Bot <the token>`, `missing`, or `wrong`. */
  readonly auth: "ok" | "missing" | "wrong";
  readonly status: number;
}

export interface SeedDiscordMessage {
  readonly content: string;
  /** Epoch ms; the message id encodes it like a real snowflake. Default: the fake's clock. */
  readonly timestamp?: number;
  readonly authorId?: string;
  readonly username?: string;
  readonly bot?: boolean;
  /** Makes the message a reply to this message of the same channel. */
  readonly replyTo?: string;
  readonly embeds?: ReadonlyArray<Record<string, unknown>>;
}

export interface FakeDiscordApiOptions {
  readonly token?: string;
  readonly applicationId?: string;
  readonly guildId?: string;
  /** Epoch ms for messages the bot posts. Default `Date.now`. */
  readonly now?: () => number;
}

export interface FakeDiscordApi {
  /** The base URL to give `@discordjs/rest` as `api` (the client appends `/v10`). */
  readonly url: string;
  readonly token: string;
  readonly applicationId: string;
  /** The bot user's id (the application id, as for every modern Discord application). */
  readonly botUserId: string;
  readonly guildId: string;
  readonly calls: () => ReadonlyArray<RecordedCall>;
  readonly createChannel: (options?: { readonly type?: number; readonly name?: string }) => string;
  /** A thread on `parentId`; started from `starterMessageId` it takes that message's id, as on Discord. */
  readonly createThread: (parentId: string, options?: { readonly starterMessageId?: string; readonly type?: number; readonly name?: string }) => string;
  readonly seedMessage: (channelId: string, message: SeedDiscordMessage) => string;
  readonly message: (channelId: string, messageId: string) => FakeMessage | undefined;
  /** The channel's messages, oldest first. */
  readonly messages: (channelId: string) => ReadonlyArray<FakeMessage>;
  /**
   * What Discord does with the HTTP response to an interaction: type 5 creates the "thinking"
   * original response, type 4 the original message; either enables the interaction's webhook.
   */
  readonly acceptInteraction: (token: string, channelId: string, response: { readonly type: number; readonly data?: { readonly content?: string } }) => void;
  /** The interaction's original response and follow-ups, oldest first. */
  readonly interactionMessages: (token: string) => ReadonlyArray<FakeMessage>;
  /** The next `count` requests get a 429 asking to wait `retryAfterSeconds`. */
  readonly rateLimitNext: (count: number, options?: { readonly retryAfterSeconds?: number; readonly global?: boolean }) => void;
  /**
   * The next `count` requests get `status` (default 500). With `afterHandling` the request takes
   * effect first, as when Discord creates a message and a proxy then answers 502.
   */
  readonly failNext: (count: number, status?: number, options?: { readonly afterHandling?: boolean }) => void;
  readonly close: () => Promise<void>;
}

const THREAD_TYPES = new Set([10, 11, 12]);
const MAX_BODY = 1_000_000;

type Fault =
  | { readonly kind: "rate-limit"; readonly retryAfter: number; readonly global: boolean }
  | { readonly kind: "status"; readonly status: number; readonly afterHandling: boolean };

class HttpFailure {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>
  ) {}
}

const discordError = (status: number, code: number, message: string, errors?: Record<string, unknown>) =>
  new HttpFailure(status, { message, code, ...(errors === undefined ? {} : { errors }) });

const formError = (field: string, code: string, message: string) =>
  discordError(400, 50035, "Invalid Form Body", { [field]: { _errors: [{ code, message }] } });

const objectBody = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/**
 * A Discord REST v10 server on 127.0.0.1 for tests: channels, threads and messages in memory,
 * interaction webhooks, bot-token checks, Discord's JSON error bodies and codes, rate-limit
 * headers, and injectable 429s and 5xx. Every request is recorded.
 */
export const startFakeDiscordApi = async (options: FakeDiscordApiOptions = {}): Promise<FakeDiscordApi> => {
  const token = options.token ?? "fake-bot-token.0123456789abcdef";
  const now = options.now ?? Date.now;
  let increment = 0;
  const snowflake = (at: number) => String(((BigInt(Math.floor(at)) - DISCORD_EPOCH) << 22n) | (1n << 17n) | BigInt(increment++ & 0xfff));
  const applicationId = snowflake(now());
  const guildId = options.guildId ?? snowflake(now());
  const channels = new Map<string, FakeChannel>();
  const messages = new Map<string, Map<string, FakeMessage>>();
  const interactions = new Map<string, { channelId: string; messageIds: Array<string> }>();
  const calls: Array<RecordedCall> = [];
  const faults: Array<Fault> = [];
  const threadPositions = new Map<string, number>();

  const botAuthor = { id: applicationId, username: "sre-on-call", global_name: null, discriminator: "0", avatar: null, bot: true } as const;

  const addChannel = (channel: FakeChannel) => {
    channels.set(channel.id, channel);
    messages.set(channel.id, new Map());
    return channel.id;
  };

  const store = (channelId: string, fields: Omit<FakeMessage, "id" | "channel_id" | "timestamp" | "edited_timestamp" | "mentions" | "mention_roles" | "mention_everyone" | "attachments" | "pinned" | "tts" | "flags" | "components">, at: number, id = snowflake(at)) => {
    const channel = channels.get(channelId);
    const list = messages.get(channelId);
    if (channel === undefined || list === undefined) throw new Error(`fake Discord: no channel ${channelId}`);
    const message: FakeMessage = {
      id,
      channel_id: channelId,
      timestamp: new Date(at).toISOString().replace("Z", "000+00:00"),
      edited_timestamp: null,
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      attachments: [],
      pinned: false,
      tts: false,
      flags: 0,
      components: [],
      ...fields
    };
    if (THREAD_TYPES.has(channel.type)) {
      const position = threadPositions.get(channelId) ?? 0;
      message.position = position;
      threadPositions.set(channelId, position + 1);
    }
    list.set(id, message);
    channel.last_message_id = id;
    return message;
  };

  const served = (m: FakeMessage) => {
    const { allowed_mentions: _ignored, ...wire } = m;
    return wire;
  };

  const channelOr404 = (id: string) => {
    if (!isSnowflake(id)) throw formError("channel_id", "NUMBER_TYPE_COERCE", `Value "${id}" is not snowflake.`);
    const channel = channels.get(id);
    if (channel === undefined) throw discordError(404, 10003, "Unknown Channel");
    return channel;
  };
  const messageOr404 = (channelId: string, id: string) => {
    channelOr404(channelId);
    if (!isSnowflake(id)) throw formError("message_id", "NUMBER_TYPE_COERCE", `Value "${id}" is not snowflake.`);
    const message = messages.get(channelId)?.get(id);
    if (message === undefined) throw discordError(404, 10008, "Unknown Message");
    return message;
  };

  const validateContent = (body: Record<string, unknown>, required: boolean) => {
    const content = body["content"];
    if (content !== undefined && typeof content !== "string") throw formError("content", "BASE_TYPE_STRING", "Must be a string.");
    if (typeof content === "string" && content.length > 2000) throw formError("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
    const embeds = Array.isArray(body["embeds"]) ? (body["embeds"] as Array<Record<string, unknown>>) : [];
    if (required && (content === undefined || content === "") && embeds.length === 0) throw discordError(400, 50006, "Cannot send an empty message");
    return { content: typeof content === "string" ? content : undefined, embeds };
  };

  const createMessage = (channelId: string, raw: unknown) => {
    const channel = channelOr404(channelId);
    const body = objectBody(raw);
    const { content, embeds } = validateContent(body, true);
    const nonce = typeof body["nonce"] === "string" || typeof body["nonce"] === "number" ? String(body["nonce"]) : undefined;
    if (nonce !== undefined && nonce.length > 25) throw formError("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    if (nonce !== undefined && body["enforce_nonce"] === true) {
      const existing = [...(messages.get(channelId)?.values() ?? [])].find((m) => m.nonce === nonce && m.author.id === applicationId);
      if (existing !== undefined) return existing;
    }
    const ref = objectBody(body["message_reference"]);
    let reference: FakeMessage["message_reference"];
    if (typeof ref["message_id"] === "string") {
      const refChannel = typeof ref["channel_id"] === "string" ? ref["channel_id"] : channelId;
      const target = refChannel === channelId ? messages.get(channelId)?.get(ref["message_id"]) : undefined;
      if (target !== undefined) reference = { type: 0, message_id: target.id, channel_id: channelId, guild_id: channel.guild_id };
      else if (ref["fail_if_not_exists"] !== false) throw formError("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message");
    }
    return store(
      channelId,
      {
        type: reference === undefined ? 0 : 19,
        content: content ?? "",
        author: { ...botAuthor },
        embeds,
        ...(reference === undefined ? {} : { message_reference: reference }),
        ...(nonce === undefined ? {} : { nonce }),
        allowed_mentions: body["allowed_mentions"]
      },
      now()
    );
  };

  const editMessage = (message: FakeMessage, raw: unknown) => {
    if (message.author.id !== applicationId) throw discordError(403, 50005, "Cannot edit a message authored by another user");
    const body = objectBody(raw);
    const { content, embeds } = validateContent(body, false);
    if (content !== undefined) message.content = content;
    if (Array.isArray(body["embeds"])) message.embeds = embeds;
    if (body["allowed_mentions"] !== undefined) message.allowed_mentions = body["allowed_mentions"];
    message.flags &= ~128;
    message.edited_timestamp = new Date(now()).toISOString();
    return message;
  };

  const listMessages = (channelId: string, query: URLSearchParams) => {
    channelOr404(channelId);
    const limitText = query.get("limit") ?? "50";
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw formError("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.");
    const all = [...(messages.get(channelId)?.values() ?? [])].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const anchor = (name: string) => {
      const value = query.get(name);
      if (value === null) return undefined;
      if (!isSnowflake(value)) throw formError(name, "NUMBER_TYPE_COERCE", `Value "${value}" is not snowflake.`);
      return BigInt(value);
    };
    const after = anchor("after");
    const before = anchor("before");
    // Like Discord: the `limit` messages closest to the anchor, listed newest first.
    const page =
      after !== undefined
        ? all.filter((m) => BigInt(m.id) > after).slice(0, limit)
        : before !== undefined
          ? all.filter((m) => BigInt(m.id) < before).slice(-limit)
          : all.slice(-limit);
    return page.reverse().map(served);
  };

  const interactionOr404 = (appId: string, interactionToken: string) => {
    const interaction = interactions.get(interactionToken);
    if (appId !== applicationId || interaction === undefined) throw discordError(404, 10015, "Unknown Webhook");
    return interaction;
  };
  const webhookAuthor = () => ({ ...botAuthor });
  const createInteractionMessage = (interactionToken: string, channelId: string, content: string, flags = 0) => {
    const message = store(channelId, { type: 20, content, author: webhookAuthor(), embeds: [], webhook_id: applicationId, application_id: applicationId }, now());
    message.flags = flags;
    interactions.get(interactionToken)?.messageIds.push(message.id);
    return message;
  };

  const route = (method: string, path: string, query: URLSearchParams, body: unknown, auth: RecordedCall["auth"]): { status: number; body?: unknown } => {
    const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent);
    if (parts[0] === "webhooks" && parts.length >= 3) {
      const [, appId = "", interactionToken = "", sub, messageId] = parts;
      const interaction = interactionOr404(appId, interactionToken);
      if (parts.length === 3 && method === "POST") {
        const { content, embeds } = validateContent(objectBody(body), true);
        const message = createInteractionMessage(interactionToken, interaction.channelId, content ?? "", Number(objectBody(body)["flags"] ?? 0) & 64);
        message.embeds = embeds;
        message.allowed_mentions = objectBody(body)["allowed_mentions"];
        return { status: 200, body: served(message) };
      }
      if (parts.length === 5 && sub === "messages" && messageId !== undefined) {
        const id = messageId === "@original" ? interaction.messageIds[0] : messageId;
        const message = id === undefined || !interaction.messageIds.includes(id) ? undefined : messages.get(interaction.channelId)?.get(id);
        if (message === undefined) throw discordError(404, 10008, "Unknown Message");
        if (method === "GET") return { status: 200, body: served(message) };
        if (method === "PATCH") return { status: 200, body: served(editMessage(message, body)) };
      }
      throw discordError(405, 0, "405: Method Not Allowed");
    }
    if (parts[0] === "interactions" && parts.length === 4 && parts[3] === "callback" && method === "POST") {
      const interactionToken = parts[2] ?? "";
      const channelId = interactions.get(interactionToken)?.channelId;
      if (channelId === undefined) throw discordError(404, 10062, "Unknown interaction");
      const response = objectBody(body);
      accept(interactionToken, channelId, { type: Number(response["type"]), data: objectBody(response["data"]) });
      return { status: 204 };
    }
    if (auth !== "ok") throw discordError(401, 0, "401: Unauthorized");
    if (parts[0] === "channels" && parts[1] !== undefined) {
      const channelId = parts[1];
      if (parts.length === 2 && method === "GET") return { status: 200, body: channelOr404(channelId) };
      if (parts.length === 3 && parts[2] === "messages") {
        if (method === "GET") return { status: 200, body: listMessages(channelId, query) };
        if (method === "POST") return { status: 200, body: served(createMessage(channelId, body)) };
      }
      if (parts.length === 4 && parts[2] === "messages" && parts[3] !== undefined) {
        const message = messageOr404(channelId, parts[3]);
        if (method === "GET") return { status: 200, body: served(message) };
        if (method === "PATCH") return { status: 200, body: served(editMessage(message, body)) };
      }
    }
    throw discordError(404, 0, "404: Not Found");
  };

  const accept = (interactionToken: string, channelId: string, response: { readonly type: number; readonly data?: { readonly content?: string } }) => {
    channelOr404(channelId);
    if (!interactions.has(interactionToken)) interactions.set(interactionToken, { channelId, messageIds: [] });
    if (response.type === 5) createInteractionMessage(interactionToken, channelId, "", 128);
    else if (response.type === 4) createInteractionMessage(interactionToken, channelId, response.data?.content ?? "");
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "4",
      "x-ratelimit-reset-after": "1.000",
      "x-ratelimit-reset": String((now() + 1000) / 1000),
      "x-ratelimit-bucket": "fakebucket0000",
      ...headers
    });
    res.end(text);
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Array<Buffer> = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) reject(discordError(413, 40005, "Request entity too large"));
        else chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = (req.method ?? "GET").toUpperCase();
      const path = url.pathname.startsWith("/api/v10/") ? url.pathname.slice("/api/v10".length) : url.pathname;
      const header = req.headers.authorization;
      const auth: RecordedCall["auth"] = header === undefined ? "missing" : header === `Bot ${token}` ? "ok" : "wrong";
      let body: unknown;
      let status = 500;
      try {
        const text = await readBody(req);
        if (text !== "") {
          try {
            body = JSON.parse(text);
          } catch {
            throw discordError(400, 50109, "The request body contains invalid JSON.");
          }
        }
        if (!url.pathname.startsWith("/api/v10/")) throw discordError(404, 0, "404: Not Found");
        const fault = faults.shift();
        if (fault?.kind === "rate-limit") {
          status = 429;
          const seconds = String(fault.retryAfter);
          send(
            res,
            429,
            { message: "You are being rate limited.", retry_after: fault.retryAfter, global: fault.global, ...(fault.global ? {} : { code: 0 }) },
            {
              "retry-after": seconds,
              "x-ratelimit-remaining": "0",
              "x-ratelimit-reset-after": seconds,
              "x-ratelimit-scope": fault.global ? "global" : "user",
              ...(fault.global ? { "x-ratelimit-global": "true" } : {})
            }
          );
          return;
        }
        if (fault?.kind === "status") {
          if (fault.afterHandling) route(method, path, url.searchParams, body, auth);
          status = fault.status;
          send(res, fault.status, { message: `${fault.status}: upstream trouble`, code: 0 });
          return;
        }
        const result = route(method, path, url.searchParams, body, auth);
        status = result.status;
        send(res, result.status, result.body);
      } catch (e) {
        const failure = e instanceof HttpFailure ? e : discordError(500, 0, `500: ${e instanceof Error ? e.message : String(e)}`);
        status = failure.status;
        send(res, failure.status, failure.body);
      } finally {
        calls.push({ method, path, query: Object.fromEntries(url.searchParams), body, auth, status });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api`,
    token,
    applicationId,
    botUserId: applicationId,
    guildId,
    calls: () => [...calls],
    createChannel: (opts = {}) =>
      addChannel({ id: snowflake(now()), type: opts.type ?? 0, guild_id: guildId, name: opts.name ?? "alerts", last_message_id: null }),
    createThread: (parentId, opts = {}) => {
      if (!channels.has(parentId)) throw new Error(`fake Discord: no channel ${parentId}`);
      if (opts.starterMessageId !== undefined && messages.get(parentId)?.has(opts.starterMessageId) !== true) {
        throw new Error(`fake Discord: no message ${opts.starterMessageId} in ${parentId}`);
      }
      return addChannel({
        id: opts.starterMessageId ?? snowflake(now()),
        type: opts.type ?? 11,
        guild_id: guildId,
        name: opts.name ?? "investigation",
        parent_id: parentId,
        last_message_id: null
      });
    },
    seedMessage: (channelId, m) => {
      const at = m.timestamp ?? now();
      const reference = m.replyTo === undefined ? undefined : messages.get(channelId)?.get(m.replyTo);
      if (m.replyTo !== undefined && reference === undefined) throw new Error(`fake Discord: no message ${m.replyTo} to reply to`);
      const authorId = m.authorId ?? snowflake(at);
      return store(
        channelId,
        {
          type: reference === undefined ? 0 : 19,
          content: m.content,
          author: { id: authorId, username: m.username ?? "someone", global_name: null, discriminator: "0", avatar: null, ...(m.bot === true ? { bot: true } : {}) },
          embeds: [...(m.embeds ?? [])],
          ...(reference === undefined ? {} : { message_reference: { type: 0, message_id: reference.id, channel_id: channelId, guild_id: guildId } })
        },
        at
      ).id;
    },
    message: (channelId, messageId) => messages.get(channelId)?.get(messageId),
    messages: (channelId) => [...(messages.get(channelId)?.values() ?? [])].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)),
    acceptInteraction: accept,
    interactionMessages: (interactionToken) => {
      const interaction = interactions.get(interactionToken);
      if (interaction === undefined) return [];
      return interaction.messageIds.flatMap((id) => messages.get(interaction.channelId)?.get(id) ?? []);
    },
    rateLimitNext: (count, opts = {}) => {
      for (let i = 0; i < count; i++) faults.push({ kind: "rate-limit", retryAfter: opts.retryAfterSeconds ?? 0.05, global: opts.global ?? false });
    },
    failNext: (count, status = 500, opts = {}) => {
      for (let i = 0; i < count; i++) faults.push({ kind: "status", status, afterHandling: opts.afterHandling ?? false });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e === undefined ? resolve() : reject(e)));
      })
  };
};
