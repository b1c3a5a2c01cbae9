import { incidentRecordFromReport } from "@sre-on-call/agents";
import { sampleReport } from "@sre-on-call/core/testing";
import { makeInMemoryChat, makeInMemoryIncidentMemory, makeInMemoryTraceStore } from "@sre-on-call/core/testing";
import { Effect, Option } from "effect";
import { describe, expect, it } from "vitest";
import { confirmedCause, makePostmortemCommand } from "./postmortemCommand.js";

const T0 = sampleReport.detectedAt;

const setup = async () => {
  const chat = makeInMemoryChat({ platform: "slack", dialect: "slack", now: () => T0 + 600_000 });
  const thread = chat.seed("C1", { isBot: true, text: "[FIRING:1] HighErrorRate checkout", timestamp: T0 });
  chat.seed("C1", { isBot: false, authorName: "alice", text: "rolled back <!channel> api, errors dropping", timestamp: T0 + 300_000, threadId: thread });
  chat.seed("C1", { isBot: true, text: "✅ Resolved: HighErrorRate checkout", timestamp: T0 + 500_000, threadId: thread });
  const trace = makeInMemoryTraceStore();
  const id = sampleReport.investigationId;
  await Effect.runPromise(trace.open({ investigationId: id, channelId: "C1", threadId: thread, startedAt: T0 }));
  await Effect.runPromise(trace.append({ investigationId: id, at: T0 + 40_000, type: "report_posted", data: { kind: "initial" } }));
  await Effect.runPromise(trace.putReport({ ...sampleReport, channelId: "C1", messageId: thread }));
  const memory = makeInMemoryIncidentMemory();
  await Effect.runPromise(memory.remember(incidentRecordFromReport({ ...sampleReport, channelId: "C1", messageId: thread })));
  return { chat, thread, trace, memory, id, command: makePostmortemCommand({ trace, memory, now: () => T0 + 600_000 }) };
};

describe("/postmortem", () => {
  it("drafts a postmortem in the thread from the investigation and the humans' messages, and records a confirmed cause", async () => {
    const s = await setup();
    const reply = await Effect.runPromise(
      s.command({ command: "postmortem", platform: "slack", channelId: "C1", threadId: s.thread, userId: "U7", text: "root cause: connection pool exhausted after the 14:00 deploy", requestedAt: T0 + 600_000 }, s.chat.chat)
    );
    expect(reply).toMatch(/draft posted/);
    expect(reply).toMatch(/Root cause recorded/);
    const draft = s.chat.log().filter((l) => l.kind === "post" && l.threadId === s.thread).map((l) => l.message.text).join("\n");
    expect(draft).toMatch(/Postmortem draft/);
    expect(draft).toMatch(/connection pool exhausted after the 14:00 deploy \(confirmed/);
    expect(draft).toMatch(/alice: rolled back/);
    expect(draft).toMatch(/alert resolved/);
    expect(draft).not.toContain("<!channel>");
    const record = await Effect.runPromise(s.memory.get(s.id));
    expect(Option.getOrUndefined(record)?.outcome?.rootCause).toBe("connection pool exhausted after the 14:00 deploy");
  });

  it("without a confirmed cause, drafts with the top hypothesis marked suspected and records nothing", async () => {
    const s = await setup();
    const reply = await Effect.runPromise(s.command({ command: "postmortem", platform: "slack", channelId: "C1", threadId: s.thread, text: "", requestedAt: T0 }, s.chat.chat));
    expect(reply).toMatch(/Add `root cause: …`/);
    expect(s.chat.log().map((l) => l.message.text).join("\n")).toMatch(/suspected/);
    expect(Option.getOrUndefined(await Effect.runPromise(s.memory.get(s.id)))?.outcome).toBeUndefined();
  });

  it("says what to do outside an investigated thread", async () => {
    const s = await setup();
    expect(await Effect.runPromise(s.command({ command: "postmortem", platform: "slack", channelId: "C1", text: "", requestedAt: T0 }, s.chat.chat))).toMatch(/inside the alert's thread/);
    expect(await Effect.runPromise(s.command({ command: "postmortem", platform: "slack", channelId: "C1", threadId: "9.9", text: "", requestedAt: T0 }, s.chat.chat))).toMatch(/no investigation/);
  });

  it("never records or posts a credential typed or pasted in the thread, even where a cut would split it", async () => {
    const s = await setup();
    const key = "AKIAQ3EGV7EXAMPL3K3Y";
    s.chat.seed("C1", { isBot: false, authorName: "bob", text: `${"a".repeat(190)} ${key} MYSQL_PWD=hunter2hunter2`, timestamp: T0 + 400_000, threadId: s.thread });
    const cause = `${"c".repeat(490)} ${key}`;
    await Effect.runPromise(s.command({ command: "postmortem", platform: "slack", channelId: "C1", threadId: s.thread, userId: "U7", text: `root cause: ${cause} PGPASSWORD=hunter2hunter2`, requestedAt: T0 + 600_000 }, s.chat.chat));
    const draft = s.chat.log().map((l) => l.message.text).join("\n");
    const stored = JSON.stringify(await Effect.runPromise(s.memory.get(s.id)));
    for (const out of [draft, stored]) {
      expect(out).not.toContain("AKIAQ3");
      expect(out).not.toContain("hunter2hunter2");
    }
    expect(draft).toMatch(/bob: a+ \[REDACTED/);
  });

  it("applies the configured redaction.patterns to the draft and the record", async () => {
    const s = await setup();
    const command = makePostmortemCommand({ trace: s.trace, memory: s.memory, now: () => T0 + 600_000, redactor: { redact: (t) => t.replace(/EMP-\d{6}/g, "[REDACTED]"), redactDeep: <A,>(v: A): A => JSON.parse(JSON.stringify(v).replace(/EMP-\d{6}/g, "[REDACTED]")) as A } });
    await Effect.runPromise(command({ command: "postmortem", platform: "slack", channelId: "C1", threadId: s.thread, text: "root cause: EMP-123456 ran the migration by hand", requestedAt: T0 + 600_000 }, s.chat.chat));
    expect(s.chat.log().map((l) => l.message.text).join("\n")).not.toContain("EMP-123456");
    expect(JSON.stringify(await Effect.runPromise(s.memory.get(s.id)))).not.toContain("EMP-123456");
  });

  it("reads a confirmed cause only when the operator writes one", () => {
    expect(confirmedCause("root cause: disk full on payments-db")).toBe("disk full on payments-db");
    expect(confirmedCause("Cause = bad config map")).toBe("bad config map");
    expect(confirmedCause("https://acme.slack.com/archives/C1/p1")).toBeUndefined();
    expect(confirmedCause("")).toBeUndefined();
  });
});
