import type { AlertContext, ChatMessage } from "@sre-on-call/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeHistory, type ChannelRead } from "./correlate/analyzeHistory.js";
import { slackMessageLink } from "./messageLink.js";
import { newestFirst } from "./newestFirst.js";

const T0 = Date.UTC(2024, 4, 14, 14, 20, 0);
const HOUR = 3_600_000;

const alert: AlertContext = {
  investigationId: "inv-1",
  source: "slack",
  channelId: "C1",
  messageId: "1715696400.000100",
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z",
  alertTimestamp: T0,
  window: { start: T0 - 300_000, end: T0 + 300_000 },
  status: "firing",
  labels: {},
  annotations: {},
  entities: { alertname: "KubePodCrashLooping", namespace: "payments", deployment: "api" },
  hints: [],
  deadline: T0 + 60_000
};

const WORDS = ["deployed", "payments", "api", "payments/api", "v1.2.3", "[FIRING:1]", "KubePodCrashLooping", "[RESOLVED]", "502s", "down", "lunch", "rolled", "back", "helm", "upgrade", "thanks", "final analysis", "error"];
const text = fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }).map((w) => w.join(" ")));
const message = (channelId: string) =>
  fc.record({ text, offset: fc.integer({ min: -4 * HOUR, max: HOUR }), isBot: fc.boolean(), own: fc.boolean(), n: fc.integer({ min: 0, max: 999_999 }) }).map(
    (m): ChatMessage => ({
      channelId,
      messageId: `${Math.floor((T0 + m.offset) / 1000)}.${String(m.n).padStart(6, "0")}`,
      text: m.text,
      isBot: m.isBot,
      ...(m.own ? { authorId: "UBOT" } : {}),
      timestamp: T0 + m.offset
    })
  );
const read: fc.Arbitrary<ChannelRead> = fc.oneof(
  fc.tuple(fc.constantFrom("C1", "C2", "C3"), fc.boolean()).chain(([channelId, complete]) =>
    fc.array(message(channelId), { maxLength: 60 }).map((messages): ChannelRead => ({ channelId, ok: true, messages, truncated: false, complete }))
  ),
  fc.record({ channelId: fc.constantFrom("C4", "C5"), reason: fc.string({ maxLength: 40 }), notFound: fc.boolean(), timedOut: fc.boolean() }).map((r): ChannelRead => ({ ...r, ok: false }))
);

describe("chat history properties", () => {
  it("any history gives a bounded set of well-formed findings; hypotheses cite them", () => {
    fc.assert(
      fc.property(fc.array(read, { maxLength: 5 }), (reads) => {
        const a = analyzeHistory({
          agent: "slack-history",
          platform: "slack",
          alert,
          reads,
          range: { start: T0 - 4 * HOUR, end: T0 + HOUR },
          botUserId: "UBOT",
          link: slackMessageLink({ workspaceUrl: "https://acme.slack.com" }),
          changeHorizonMs: 2 * HOUR,
          recentChangeMs: HOUR
        });
        const ids = new Set(a.findings.map((f) => f.id));
        expect(ids.size).toBe(a.findings.length);
        // At most 3 changes, 5 correlation findings, one per channel for failures or partial reads, and "nothing related".
        expect(a.findings.length).toBeLessThanOrEqual(3 + 5 + reads.length + 1);
        expect(a.hypotheses.length).toBeLessThanOrEqual(1);
        for (const h of a.hypotheses) for (const ref of h.supportingFindings) expect(ids.has(ref)).toBe(true);
        for (const f of a.findings) expect(f.content.length).toBeLessThan(1_000);
      }),
      { numRuns: 300 }
    );
  });

  it("the read plan splits a range into disjoint whole-millisecond pieces that cover it, newest first", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * HOUR }), fc.integer({ min: 0, max: 10 * HOUR }), fc.integer({ min: -11 * HOUR, max: 11 * HOUR }), (before, after, shift) => {
        const at = 100 * HOUR + shift;
        const range = { start: 100 * HOUR - before, end: 100 * HOUR + after };
        const pieces = newestFirst(range, at);
        expect(pieces.length).toBeGreaterThanOrEqual(1);
        expect(pieces[0]!.end).toBe(range.end);
        expect(pieces.at(-1)!.start).toBe(range.start);
        for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.end).toBe(pieces[i - 1]!.start - 1);
        for (const p of pieces) expect(p.start).toBeLessThanOrEqual(p.end);
      })
    );
  });
});
