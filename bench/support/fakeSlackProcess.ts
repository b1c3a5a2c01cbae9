/**
 * The in-repo fake Slack Web API in a process of its own, so its request handling does not
 * run on the event loop of the server being measured (the real Slack is on another machine).
 * Started by bench/intake.ts with `fork`; driven over IPC (see intakeProtocol.ts).
 */
import { startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { CHANNELS, type FakeSlackStats, type FromFakeSlack, mentionSlot, type ToFakeSlack } from "./intakeProtocol.js";

const send = (message: FromFakeSlack) => process.send?.(message);

const main = async () => {
  const channels = Array.from({ length: CHANNELS }, (_, i) => mentionSlot(0, i).channel);
  const slack = await startFakeSlackApi({ channels });

  const stats = (): FakeSlackStats => {
    const calls: Record<string, number> = {};
    const errors: Record<string, number> = {};
    const reportThreads = new Set<string>();
    let announcements = 0;
    let reportMessages = 0;
    let hints = 0;
    let alreadyInvestigated = 0;
    const all = slack.calls();
    const ok = (c: (typeof all)[number]) => c.error === undefined && c.status < 300;
    const threadOf = (c: (typeof all)[number]) => `${String(c.args["channel"])}/${String(c.args["thread_ts"])}`;
    const textOf = (c: (typeof all)[number]) => (typeof c.args["text"] === "string" ? c.args["text"] : "");
    // An investigation announces itself first; what else it posts in that thread is its report.
    const investigated = new Set(all.filter((c) => c.method === "chat.postMessage" && ok(c) && textOf(c).startsWith("🔎 Investigating")).map(threadOf));
    for (const c of all) {
      calls[c.method] = (calls[c.method] ?? 0) + 1;
      if (!ok(c)) {
        const key = `${c.method}: ${c.error ?? `HTTP ${c.status}`}`;
        errors[key] = (errors[key] ?? 0) + 1;
        continue;
      }
      if (c.method !== "chat.postMessage") continue;
      const text = textOf(c);
      if (text.startsWith("🔎 Investigating")) announcements++;
      else if (text.startsWith("Already investigated")) alreadyInvestigated++;
      else if (investigated.has(threadOf(c))) {
        reportMessages++;
        reportThreads.add(threadOf(c));
      } else hints++;
    }
    const cpu = process.cpuUsage();
    return { calls, errors, announcements, reportThreads: reportThreads.size, reportMessages, hints, alreadyInvestigated, cpuMs: (cpu.user + cpu.system) / 1000 };
  };

  process.on("message", (raw: ToFakeSlack) => {
    switch (raw.type) {
      case "seed": {
        const { baseSeconds, from, to } = raw.pool;
        for (let i = from; i < to; i++) {
          const { channel, ts } = mentionSlot(baseSeconds, i);
          slack.seed(channel, { ts, user: "U0ALICE", text: `<@${slack.bot.userId}> (message ${i})` });
        }
        send({ type: "seeded", count: to - from });
        return;
      }
      case "stats":
        send({ type: "stats", stats: stats() });
        return;
      case "sample":
        send({
          type: "sample",
          messages: slack
            .messages(raw.channel)
            .filter((m) => m.thread_ts === raw.ts && m.ts !== raw.ts)
            .map((m) => ({ text: m.text, blocks: m.blocks?.length ?? 0 }))
        });
        return;
      case "stop":
        void slack.close().then(() => process.exit(0));
        return;
    }
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", url: slack.url, token: slack.token, botUserId: slack.bot.userId });
};

main().catch((error: unknown) => {
  console.error("fake Slack process failed:", error);
  process.exit(1);
});
