import { type ChatMessage, type ChatPlatformShape, ChatError, type Dialect, type OutgoingMessage, type PostedMessage } from "@sre-on-call/core";
import { Effect } from "effect";
import { stripTerminalControls, terminalJson } from "./terminalSafe.js";

export interface ConsoleChatOptions {
  /** Where messages go (a terminal, a file). Called once per message, with a trailing newline. */
  readonly write: (text: string) => void;
  /** `markdown` for terminals and files (default), `json` for machines. */
  readonly dialect?: Extract<Dialect, "markdown" | "json">;
  readonly now?: () => number;
  /** Print progress updates (acknowledgement edits) too. Default false: only new messages. */
  readonly showUpdates?: boolean;
}

/**
 * A chat platform that is a terminal: every post is written out, in order, and kept so it
 * can be read back (threads work as on a real platform). Used by the CLI and by alert routes
 * whose platform is `console`.
 */
export interface ConsoleChat extends ChatPlatformShape {
  /** Places a message as another user would have posted it (the CLI investigates text it was given). */
  readonly seed: (channelId: string, message: Omit<ChatMessage, "channelId" | "messageId">) => string;
}

export const makeConsoleChat = (options: ConsoleChatOptions): ConsoleChat => {
  const now = options.now ?? (() => Date.now());
  const messages = new Map<string, ChatMessage>();
  let seq = 0;
  const key = (c: string, m: string) => `${c}\u0000${m}`;
  // Messages quote alert payloads and logs: nothing in them may drive the terminal.
  const write = (kind: string, channelId: string, threadId: string | undefined, messageId: string, text: string) =>
    options.write(options.dialect === "json" ? `${terminalJson({ channelId, threadId, messageId, kind, text })}\n` : `${stripTerminalControls(text)}\n`);

  const post = (channelId: string, threadId: string | undefined, message: OutgoingMessage, label: string) =>
    Effect.sync((): PostedMessage => {
      const messageId = `console-${++seq}`;
      messages.set(key(channelId, messageId), { channelId, messageId, ...(threadId !== undefined ? { threadId } : {}), isBot: true, text: message.text, timestamp: now() });
      write(label, channelId, threadId, messageId, message.text);
      return { channelId, messageId };
    });

  const notFound = (operation: string, what: string) => new ChatError({ platform: "console", operation, reason: `${what} not found`, retryable: false, notFound: true });

  return {
    seed: (channelId, message) => {
      const messageId = `console-${++seq}`;
      messages.set(key(channelId, messageId), { ...message, channelId, messageId });
      return messageId;
    },
    platform: "cli",
    dialect: options.dialect ?? "markdown",
    postMessage: (channelId, message) => post(channelId, undefined, message, "message"),
    postInThread: (thread, message) => post(thread.channelId, thread.threadId, message, "reply"),
    postNotice: (thread, text) => post(thread.channelId, thread.threadId, { text }, "notice"),
    updateMessage: (ref, content) =>
      Effect.suspend(() => {
        const existing = messages.get(key(ref.channelId, ref.messageId));
        if (existing === undefined) return Effect.fail(notFound("updateMessage", `message ${ref.messageId}`));
        messages.set(key(ref.channelId, ref.messageId), { ...existing, text: content.text });
        if (options.showUpdates === true) write("update", ref.channelId, existing.threadId, ref.messageId, content.text);
        return Effect.void;
      }),
    readMessage: (channelId, messageId) =>
      Effect.suspend(() => {
        const m = messages.get(key(channelId, messageId));
        return m === undefined ? Effect.fail(notFound("readMessage", `message ${messageId}`)) : Effect.succeed(m);
      }),
    readThreadParent: (channelId, threadId) =>
      Effect.suspend(() => {
        const m = messages.get(key(channelId, threadId));
        return m === undefined ? Effect.fail(notFound("readThreadParent", `message ${threadId}`)) : Effect.succeed(m);
      }),
    readHistory: (channelId, window, opts) =>
      Effect.sync(() =>
        [...messages.values()]
          .filter((m) => m.channelId === channelId && m.timestamp >= window.start && m.timestamp <= window.end)
          .sort((a, b) => a.timestamp - b.timestamp)
          .slice(0, opts?.limit ?? Number.MAX_SAFE_INTEGER)
      )
  };
};

