import { Effect } from "effect";
import type { ChatPlatformShape } from "../ports/ChatPlatform.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface SeedMessage {
  readonly text: string;
  readonly timestamp: number;
  readonly threadId?: string;
  readonly isBot?: boolean;
  readonly authorId?: string;
}

export interface ChatPlatformHarness {
  /**
   * A chat adapter talking to a fresh platform (or fake platform server) that has one channel,
   * `channelId`, and a way to place messages in it as if a person or another bot had posted them.
   */
  readonly make: () => Promise<{
    readonly chat: ChatPlatformShape;
    readonly channelId: string;
    readonly seed: (message: SeedMessage) => Promise<string>;
    readonly close?: () => Promise<void>;
  }>;
}

const T0 = 1_700_000_000_000;

export const chatPlatformContract = (harness: ChatPlatformHarness): ReadonlyArray<ContractCase> => {
  const run = Effect.runPromise;
  return [
    {
      name: "ChatPlatform: a reply posted in a thread reads back with its text and thread",
      run: () =>
        withResource(harness.make, async ({ chat, channelId, seed }) => {
          const anchor = await seed({ text: "[FIRING:1] HighErrorRate api", timestamp: T0 });
          const posted = await run(chat.postInThread({ channelId, threadId: anchor }, { text: "Investigating…" }));
          checkEqual(posted.channelId, channelId, "posted channel");
          const read = await run(chat.readMessage(channelId, posted.messageId));
          checkEqual(read.text, "Investigating…", "text");
          checkEqual(read.threadId, anchor, "thread");
          check(read.isBot, "the adapter's own message is marked as a bot message");
        })
    },
    {
      name: "ChatPlatform: a top-level message anchors a thread of its own",
      run: () =>
        withResource(harness.make, async ({ chat, channelId }) => {
          const top = await run(chat.postMessage(channelId, { text: "[FIRING:1] KubePodCrashLooping payments/api" }));
          checkEqual(top.channelId, channelId, "posted channel");
          const read = await run(chat.readMessage(channelId, top.messageId));
          checkEqual(read.text, "[FIRING:1] KubePodCrashLooping payments/api", "text");
          check(read.threadId === undefined || read.threadId === top.messageId, "a top-level message is not a reply in another thread");
          const reply = await run(chat.postInThread({ channelId, threadId: top.messageId }, { text: "Investigating…" }));
          checkEqual((await run(chat.readMessage(channelId, reply.messageId))).threadId, top.messageId, "reply thread");
        })
    },
    {
      name: "ChatPlatform: updating a message replaces its text",
      run: () =>
        withResource(harness.make, async ({ chat, channelId, seed }) => {
          const anchor = await seed({ text: "alert", timestamp: T0 });
          const posted = await run(chat.postInThread({ channelId, threadId: anchor }, { text: "step 1 of 3" }));
          await run(chat.updateMessage(posted, { text: "step 3 of 3" }));
          checkEqual((await run(chat.readMessage(channelId, posted.messageId))).text, "step 3 of 3", "updated text");
        })
    },
    {
      name: "ChatPlatform: a notice lands in the thread",
      run: () =>
        withResource(harness.make, async ({ chat, channelId, seed }) => {
          const anchor = await seed({ text: "hello bot", timestamp: T0 });
          const notice = await run(chat.postNotice({ channelId, threadId: anchor }, "Mention me with an alert to investigate."));
          const read = await run(chat.readMessage(channelId, notice.messageId));
          checkEqual(read.threadId, anchor, "notice thread");
          check(read.text.includes("Mention me with an alert"), "notice text");
        })
    },
    {
      name: "ChatPlatform: the parent of a thread is its anchor message",
      run: () =>
        withResource(harness.make, async ({ chat, channelId, seed }) => {
          const anchor = await seed({ text: "[FIRING:2] PodNotReady shop", timestamp: T0, isBot: true });
          await seed({ text: "looking", timestamp: T0 + 1000, threadId: anchor });
          const parent = await run(chat.readThreadParent(channelId, anchor));
          checkEqual(parent.messageId, anchor, "parent id");
          checkEqual(parent.text, "[FIRING:2] PodNotReady shop", "parent text");
          check(parent.isBot, "bot flag of the parent");
        })
    },
    {
      name: "ChatPlatform: history returns the window's messages oldest first and honours the limit",
      run: () =>
        withResource(harness.make, async ({ chat, channelId, seed }) => {
          await seed({ text: "before", timestamp: T0 - 600_000 });
          await seed({ text: "one", timestamp: T0 - 60_000 });
          await seed({ text: "two", timestamp: T0 });
          await seed({ text: "three", timestamp: T0 + 60_000 });
          await seed({ text: "after", timestamp: T0 + 600_000 });
          const window = { start: T0 - 120_000, end: T0 + 120_000 };
          const all = await run(chat.readHistory(channelId, window));
          checkEqual(all.map((m) => m.text), ["one", "two", "three"], "messages in the window");
          for (const m of all) check(m.timestamp >= window.start && m.timestamp <= window.end, "timestamps inside the window");
          const limited = await run(chat.readHistory(channelId, window, { limit: 2 }));
          checkEqual(limited.length, 2, "limited count");
        })
    },
    {
      name: "ChatPlatform: reading an unknown message fails with a ChatError marked notFound",
      run: () =>
        withResource(harness.make, async ({ chat, channelId }) => {
          const e = await run(Effect.flip(chat.readMessage(channelId, "999999999.999999")));
          checkEqual(e._tag, "ChatError", "error tag");
          check(e.notFound === true, "notFound flag");
          check(!e.retryable, "not retryable");
        })
    }
  ];
};
