import { type AgentTool, ChatError, type ChatPlatformShape, type ToolContext, type ToolError, type ToolOutput } from "@sre-on-call/core";
import { makeInMemoryChat } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { makeAlert } from "../../eks/testing/makeAlert.js";
import { makeChatHistorySpecialist } from "../ChatHistorySpecialist.js";
import { CHAT_HISTORY_TOOL_NAMES, chatHistoryTools, makeChatHistoryTools } from "./chatHistoryTools.js";

const T = Date.parse("2026-03-12T14:20:00Z");
const MIN = 60_000;
const alert = makeAlert({ labels: { alertname: "PaymentsApiDown", namespace: "payments", deployment: "api" }, at: T });
const context = (a = alert, deadline = Date.now() + 10_000): ToolContext => ({ alert: a, deadline });
const run = (tool: AgentTool, input: unknown, ctx = context()): Promise<ToolOutput> => Effect.runPromise(tool.run(input, ctx));
const fail = (tool: AgentTool, input: unknown, ctx = context()): Promise<ToolError> => Effect.runPromise(Effect.flip(tool.run(input, ctx)));

const seeded = () => {
  const memory = makeInMemoryChat({ platform: "slack", now: () => T });
  memory.seed("C0DEPLOYS", { authorId: "U1", authorName: "alice", isBot: false, text: "Deployed payments-api v2.4.0 to prod (migration 2024_03_add_refund_reason)", timestamp: T - 17 * MIN });
  memory.seed("C0DEPLOYS", { authorId: "U2", authorName: "bob", isBot: false, text: "deployed checkout v1.9", timestamp: T - 40 * MIN });
  memory.seed("C0INCIDNT", { authorId: "U3", authorName: "carol", isBot: false, text: "payments returning 500s for anyone else? token=abcd1234secretvalue", timestamp: T - 5 * MIN });
  memory.seed("C0INCIDNT", { authorId: "UBOT", authorName: "sre-on-call", isBot: true, text: "Investigating payments 500s", timestamp: T - 4 * MIN });
  memory.seed("C0DEPLOYS", { authorId: "U1", authorName: "alice", isBot: false, text: "Deployed payments-api v2.3.9", timestamp: T - 5 * 60 * MIN });
  return memory;
};
const options = { channels: ["C0DEPLOYS", " C0INCIDNT ", ""], workspaceUrl: "https://acme.slack.com", botUserId: "UBOT" };

describe("chat-history tools over the in-memory chat", () => {
  it("offers search_messages", () => {
    expect(chatHistoryTools(seeded().chat, options).map((t) => t.name)).toEqual([...CHAT_HISTORY_TOOL_NAMES]);
  });

  it("finds messages with every word of the query, newest first, with links, within the window", async () => {
    const [tool] = chatHistoryTools(seeded().chat, options);
    const out = await run(tool!, { query: "deployed payments", minutes: 60 });
    const lines = out.text.split("\n");
    expect(lines[0]).toBe('1 message containing "deployed payments" in 2 channels from 2026-03-12T13:25:00Z to 2026-03-12T14:25:00Z, newest first:');
    expect(lines[1]).toMatch(/^2026-03-12T14:03:00Z #C0DEPLOYS alice: Deployed payments-api v2\.4\.0 to prod .* <https:\/\/acme\.slack\.com\/archives\/C0DEPLOYS\/p\d+>$/);
    const wider = await run(tool!, { query: "DEPLOYED", minutes: 360 });
    expect(wider.text.split("\n").slice(1).map((l) => l.split(" ")[2])).toEqual(["alice:", "bob:", "alice:"]);
  });

  it("leaves the bot's own posts out and redacts secrets", async () => {
    const [tool] = chatHistoryTools(seeded().chat, options);
    const out = await run(tool!, { query: "payments 500s" });
    expect(out.text).toContain("carol: payments returning 500s");
    expect(out.text).not.toContain("Investigating");
    expect(out.text).not.toContain("abcd1234secretvalue");
  });

  it("searches the alert's own channel when the alert came from this platform", async () => {
    const memory = seeded();
    memory.seed("C0ALERTS", { authorId: "U9", authorName: "dave", isBot: false, text: "payments api flapping again", timestamp: T - MIN });
    const slackAlert = { ...alert, source: "slack" as const, channelId: "C0ALERTS" };
    const [tool] = chatHistoryTools(memory.chat, options);
    const out = await run(tool!, { query: "flapping" }, context(slackAlert));
    expect(out.text).toMatch(/^1 message containing "flapping" in 3 channels/);
    const none = await run(tool!, { query: "flapping" });
    expect(none.text).toMatch(/^No messages containing "flapping" in 2 channels .* \(4 messages read\)\.$/);
  });

  it("says when no channel is configured", async () => {
    const [tool] = chatHistoryTools(seeded().chat, { channels: [] });
    expect((await run(tool!, { query: "deploy" })).text).toBe("No slack channel is configured for this agent, and the alert did not come from slack.");
  });

  it("a channel that is gone is a note; an outage is unavailable", async () => {
    const chat = seeded().chat;
    const gone: ChatPlatformShape = { ...chat, readHistory: (channelId, window, o) => (channelId === "C0INCIDNT" ? Effect.fail(new ChatError({ platform: "slack", operation: "conversations.history", reason: "channel_not_found", retryable: false, notFound: true })) : chat.readHistory(channelId, window, o)) };
    const out = await run(chatHistoryTools(gone, options)[0]!, { query: "deployed" });
    expect(out.text).toContain("(channel C0INCIDNT could not be read: slack conversations.history failed: channel_not_found)");
    const down: ChatPlatformShape = { ...chat, readHistory: () => Effect.fail(new ChatError({ platform: "slack", operation: "conversations.history", reason: "ratelimited", retryable: true })) };
    const err = await fail(chatHistoryTools(down, options)[0]!, { query: "deployed" });
    expect(err.reason).toBe("unavailable");
  });

  it("invalid input, a passed deadline and the output cap", async () => {
    const [tool] = chatHistoryTools(seeded().chat, { ...options, maxChars: 150 });
    for (const input of [{}, { query: "x" }, { query: "deploy", minutes: 2 }, { query: "deploy", minutes: 1441 }]) expect((await fail(tool!, input)).reason).toBe("invalid_input");
    expect((await fail(tool!, { query: "deployed" }, context(alert, Date.now() - 1))).reason).toBe("timeout");
    const out = await run(tool!, { query: "deployed", minutes: 360 });
    expect(out.text.length).toBeLessThanOrEqual(150);
    expect(out.text.endsWith("(truncated)")).toBe(true);
  });

  it("makeChatHistoryTools takes the specialist's own options", async () => {
    const chat = seeded().chat;
    const specialistOptions = { id: "slack-history" as const, chat, ...options };
    expect(makeChatHistorySpecialist(specialistOptions).id).toBe("slack-history");
    const out = await run(makeChatHistoryTools(specialistOptions)[0]!, { query: "deployed checkout", minutes: 60 });
    expect(out.text).toMatch(/^1 message containing "deployed checkout"/);
  });
});
