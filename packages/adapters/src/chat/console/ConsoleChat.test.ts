import { chatPlatformContract } from "@sre-on-call/core/testing";
import { describe, it } from "vitest";
import { makeConsoleChat } from "./ConsoleChat.js";

describe("console chat", () => {
  let out = "";
  for (const c of chatPlatformContract({
    make: async () => {
      out = "";
      const chat = makeConsoleChat({ write: (t) => (out += t) });
      return {
        chat,
        channelId: "console",
        seed: (m) => Promise.resolve(chat.seed("console", { text: m.text, timestamp: m.timestamp, isBot: m.isBot ?? false, ...(m.threadId !== undefined ? { threadId: m.threadId } : {}) }))
      };
    }
  })) {
    it(c.name, () => c.run());
  }
});
