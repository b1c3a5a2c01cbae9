/**
 * The renderer's output as Slack receives it: reports far beyond one message, rendered with the
 * production limits and posted through SlackChat and the official client to the fake Web API,
 * which enforces Slack's documented limits with constants of its own. A renderer whose limits
 * drift above Slack's (a longer section, header or message) is refused here, as in production.
 */
import { type Finding, type InvestigationReport, renderReport } from "@sre-on-call/core";
import { investigationReportArb, sampleReport } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSlackChat } from "./SlackChat.js";
import { type FakeSlackApi, startFakeSlackApi } from "./testing/fakeSlackApi.js";

let api: FakeSlackApi;
beforeAll(async () => {
  api = await startFakeSlackApi({ channels: ["C0ALERTS"] });
});
afterAll(async () => {
  await api.close();
});

const finding = (n: number, content: string): Finding => ({
  id: `eks:${n}`,
  agent: "eks",
  source: "kubernetes/pod/payments/api",
  timestamp: 1_700_000_000_000,
  content,
  severity: "high",
  metadata: {}
});

/** Posts every message of a rendered report in one thread; the calls the fake answered. */
const postReport = async (report: InvestigationReport) => {
  const chat = makeSlackChat({ token: api.token, apiUrl: api.url, retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
  const root = await Effect.runPromise(chat.postMessage("C0ALERTS", { text: "alert" }));
  const before = api.calls().length;
  const messages = renderReport(report, "slack");
  const results = [];
  for (const m of messages) results.push(await Effect.runPromise(Effect.result(chat.postInThread({ channelId: "C0ALERTS", threadId: root.messageId }, m))));
  return { messages, results, calls: api.calls().slice(before) };
};

describe("reports rendered for Slack are accepted by Slack's limits", () => {
  it("a report with a 400-character title, 60 long findings and 5,000-character lines posts every message whole", async () => {
    const report: InvestigationReport = {
      ...sampleReport,
      title: `KubePodCrashLooping ${"in payments-api-with-a-very-long-deployment-name ".repeat(8)}`,
      agents: [
        {
          agent: "eks",
          state: "ok",
          summary: "many",
          findings: [
            ...Array.from({ length: 60 }, (_, i) => finding(i + 1, `finding ${i + 1}: ${"connection refused by payments-db:5432 ".repeat(12)}`)),
            finding(61, `${"unbroken".repeat(700)}`)
          ]
        }
      ]
    };
    const { messages, results, calls } = await postReport(report);
    // The report is big enough to reach every limit: several messages, each near the block-text budget.
    expect(messages.length).toBeGreaterThan(2);
    expect(calls.map((c) => c.error ?? "ok")).toEqual(messages.map(() => "ok"));
    expect(calls.flatMap((c) => c.warnings ?? [])).toEqual([]);
    expect(results.every((r) => r._tag === "Success")).toBe(true);
  });

  it("any generated report posts without invalid_blocks, msg_blocks_too_long or a truncation warning", async () => {
    await fc.assert(
      fc.asyncProperty(investigationReportArb, async (report) => {
        const { calls } = await postReport(report);
        expect(calls.map((c) => c.error ?? "ok").filter((e) => e !== "ok")).toEqual([]);
        expect(calls.flatMap((c) => c.warnings ?? [])).toEqual([]);
      }),
      { numRuns: 25, endOnFailure: true }
    );
  });
});
