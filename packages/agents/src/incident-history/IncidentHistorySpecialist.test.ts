import { AgentFailure, type AlertContext, type IncidentMemoryShape, type IncidentRecord, MemoryError, ModelError, type ModelPortShape } from "@sre-on-call/core";
import { makeInMemoryIncidentMemory, makeScriptedModel, sampleReport, specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit, Option } from "effect";
import { describe, expect, it } from "vitest";
import { makeIncidentHistorySpecialist } from "./IncidentHistorySpecialist.js";
import { incidentRecordFromReport, rememberInvestigation } from "./rememberInvestigation.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 20, 9, 0, 0);

const alertAt = (overrides: Partial<AlertContext> = {}): AlertContext => ({
  investigationId: "inv-new",
  source: "slack",
  channelId: "CALERTS",
  messageId: "1718874000.000100",
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq (critical)\nPod payments/api-7d9f8b6c5-kx8zq is crash looping",
  alertTimestamp: T0,
  window: { start: T0 - 300_000, end: T0 + 300_000 },
  status: "firing",
  labels: {},
  annotations: {},
  entities: { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-kx8zq", deployment: "api" },
  hints: [],
  deadline: T0 + 60_000,
  ...overrides
});

const past = (id: string, at: number, title: string, alertText: string, entities: IncidentRecord["entities"], extra: Partial<IncidentRecord> = {}): IncidentRecord => ({
  investigationId: id,
  recordedAt: at,
  title,
  alertText,
  entities,
  severity: "high",
  channelId: "CALERTS",
  threadId: `${id}-thread`,
  threadLink: `https://acme.slack.com/archives/CALERTS/p${id}`,
  ...extra
});

const crashLoop = past(
  "oom",
  Date.UTC(2024, 4, 1, 13, 0, 0),
  "KubePodCrashLooping — payments/api",
  "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)\nPod payments/api-7d9f8b6c5-x2x9z is crash looping",
  { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", deployment: "api" },
  { outcome: { resolvedAt: Date.UTC(2024, 4, 1, 13, 42, 0), rootCause: "memory limit of 256Mi too low after the cache change", notes: "raised the limit to 512Mi" } }
);
const dns = past("dns", T0 - 30 * DAY, "CoreDNSErrorsHigh — kube-system", "DNS resolution failures coredns kube-system", { alertname: "CoreDNSErrorsHigh", namespace: "kube-system" }, {
  outcome: { resolvedAt: T0 - 30 * DAY + 600_000, rootCause: "coredns scaled to one replica" }
});
const latency = past("lat", T0 - 3 * DAY, "HighLatency — checkout/web", "[FIRING:1] HighLatency checkout web p99 2.3s", { alertname: "HighLatency", namespace: "checkout", deployment: "web" }, {
  topHypothesis: { title: "checkout/web CPU throttled", confidence: "medium" }
});

const withMemory = async (records: ReadonlyArray<IncidentRecord>) => {
  const memory = makeInMemoryIncidentMemory();
  for (const r of records) await Effect.runPromise(memory.remember(r));
  return memory;
};
const investigate = (memory: IncidentMemoryShape, alert = alertAt(), model?: ModelPortShape, extra: Partial<Parameters<typeof makeIncidentHistorySpecialist>[0]> = {}) =>
  Effect.runPromise(makeIncidentHistorySpecialist({ memory, ...(model !== undefined ? { model } : {}), ...extra }).investigate(alert, { deadline: Date.now() + 10_000 }));

describe("incident history", () => {
  it("a strong match with a confirmed cause is a medium-confidence 'same as' hypothesis", async () => {
    const result = await investigate(await withMemory([crashLoop, dns, latency]));
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.content).toMatch(
      /^Similar past incident on 2024-05-01 \(\d+% match\): KubePodCrashLooping — payments\/api; root cause: memory limit of 256Mi too low after the cache change, resolved after 42 min\. Notes: raised the limit to 512Mi$/
    );
    expect(finding?.deepLink).toBe("https://acme.slack.com/archives/CALERTS/poom");
    expect(result.hypotheses).toEqual([
      expect.objectContaining({
        title: "Same as 2024-05-01 incident: memory limit of 256Mi too low after the cache change",
        confidence: "medium",
        supportingFindings: [finding?.id],
        proposedBy: "incident-history",
        actions: ["Read how the 2024-05-01 incident was handled: https://acme.slack.com/archives/CALERTS/poom", "Last time: raised the limit to 512Mi"]
      })
    ]);
    expect(result.summary).toBe("Same as 2024-05-01 incident: memory limit of 256Mi too low after the cache change.");
  });

  it("an unrelated alert finds nothing and says how many incidents were compared", async () => {
    const result = await investigate(
      await withMemory([crashLoop, dns, latency]),
      alertAt({ alertText: "[FIRING:1] KafkaConsumerLag orders consumer lag 50000", entities: { alertname: "KafkaConsumerLag", namespace: "orders", deployment: "consumer" } })
    );
    expect(result.hypotheses).toEqual([]);
    expect(result.findings.map((f) => f.content)).toEqual(["No similar past incident among 3 remembered"]);
  });

  it("a match whose cause was only suspected is reported without a hypothesis", async () => {
    const result = await investigate(
      await withMemory([crashLoop, latency]),
      alertAt({ alertText: "[FIRING:1] HighLatency checkout web p99 3.1s", entities: { alertname: "HighLatency", namespace: "checkout", deployment: "web" } })
    );
    expect(result.hypotheses).toEqual([]);
    expect(result.findings[0]?.content).toMatch(/^Similar past incident on 2024-06-17 \(\d+% match\): HighLatency — checkout\/web; suspected then \(not confirmed\): checkout\/web CPU throttled$/);
  });

  it("never offers the incident itself, nor an earlier investigation of the same thread", async () => {
    const self = { ...crashLoop, investigationId: "inv-new" };
    const rerun = { ...crashLoop, investigationId: "inv-rerun", channelId: "CALERTS", threadId: "1718874000.000100" };
    const result = await investigate(await withMemory([self, rerun]));
    expect(result.findings.map((f) => f.metadata["investigationId"])).toEqual([undefined]);
    expect(result.findings[0]?.content).toBe("No similar past incident among 2 remembered");
  });

  it("re-ranks by embeddings when a model is configured, and accounts for the call", async () => {
    const scripted = makeScriptedModel({ modelId: "amazon.titan-embed-text-v2:0" });
    const result = await investigate(await withMemory([crashLoop, dns, latency]), alertAt(), scripted.model, { embeddingThresholds: { similar: 0.6, strong: 0.8 } });
    expect(result.metadata.extra?.["method"]).toBe("embeddings");
    expect(result.metadata.modelId).toBe("amazon.titan-embed-text-v2:0");
    expect(result.metadata.modelCalls).toBe(1);
    expect(result.metadata.inputTokens).toBeGreaterThan(0);
    expect(result.findings.map((f) => f.metadata["investigationId"])).toEqual(["oom"]);
    expect(result.hypotheses[0]?.title).toBe("Same as 2024-05-01 incident: memory limit of 256Mi too low after the cache change");
  });

  it("falls back to text similarity when the embedding model fails or answers nonsense", async () => {
    const failing: ModelPortShape = {
      provider: "broken",
      converse: () => Effect.fail(new ModelError({ provider: "broken", reason: "unavailable", detail: "down", retryable: true })),
      embed: () => Effect.fail(new ModelError({ provider: "broken", reason: "throttled", detail: "rate exceeded", retryable: true }))
    };
    const down = await investigate(await withMemory([crashLoop]), alertAt(), failing);
    expect(down.metadata.extra?.["method"]).toBe("tf-idf");
    expect(down.summary).toMatch(/\(embeddings failed \(broken model call failed \(throttled\): rate exceeded\); ranked by text similarity\)$/);
    expect(down.hypotheses).toHaveLength(1);

    const short: ModelPortShape = { ...failing, embed: () => Effect.succeed({ modelId: "m", vectors: [[1, 0]], usage: { inputTokens: 1, outputTokens: 0 } }) };
    const nonsense = await investigate(await withMemory([crashLoop]), alertAt(), short);
    expect(nonsense.summary).toContain("asked for 2 embeddings, got 1");
    expect(nonsense.findings[0]?.metadata["method"]).toBe("tf-idf");
  });

  it("a memory that fails or hangs is a typed failure, by the deadline", async () => {
    const broken: IncidentMemoryShape = { ...makeInMemoryIncidentMemory(), similar: () => Effect.fail(new MemoryError({ operation: "similar", reason: "disk gone" })) };
    const exit = await Effect.runPromiseExit(makeIncidentHistorySpecialist({ memory: broken }).investigate(alertAt(), { deadline: Date.now() + 5_000 }));
    expect(Exit.isFailure(exit) && exit.cause.reasons.find((r) => r._tag === "Fail")?.error).toEqual(new AgentFailure({ agent: "incident-history", kind: "unavailable", reason: "incident memory similar failed: disk gone" }));

    const hung: IncidentMemoryShape = { ...makeInMemoryIncidentMemory(), similar: () => Effect.never };
    const slow = await Effect.runPromiseExit(makeIncidentHistorySpecialist({ memory: hung }).investigate(alertAt(), { deadline: Date.now() + 200 }));
    expect(Exit.isFailure(slow) && slow.cause.reasons.find((r) => r._tag === "Fail")?.error).toMatchObject({ kind: "timeout" });
  });

  it("the snapshot counts what is remembered", async () => {
    const section = await Effect.runPromise(makeIncidentHistorySpecialist({ memory: await withMemory([crashLoop, dns]) }).snapshot({ deadline: Date.now() + 5_000 }));
    expect(section).toMatchObject({ agent: "incident-history", health: "healthy", summary: "2 past incidents remembered; similarity by text (TF-IDF)" });
  });

  for (const c of specialistContract({ make: async () => ({ specialist: makeIncidentHistorySpecialist({ memory: await withMemory([crashLoop, dns, latency]) }), alert: alertAt() }) })) it(c.name, c.run);
});

describe("rememberInvestigation", () => {
  const report = {
    ...sampleReport,
    hypotheses: [
      { id: "incident-history:same-as-1", title: "Same as 2024-05-01 incident: memory limit", detail: "", confidence: "medium" as const, supportingFindings: ["x"], confirmBy: "", proposedBy: "incident-history", depth: 1 },
      ...sampleReport.hypotheses
    ]
  };

  it("turns a report into a record: alert text, entities, thread, and the best hypothesis not its own", () => {
    const record = incidentRecordFromReport(report, undefined, { alertText: "[FIRING:1] KubePodCrashLooping payments/api", threadLink: "https://acme.slack.com/archives/C/p1" });
    expect(record).toMatchObject({
      investigationId: report.investigationId,
      recordedAt: report.detectedAt,
      title: report.title,
      alertText: "[FIRING:1] KubePodCrashLooping payments/api",
      entities: report.entities,
      channelId: report.channelId,
      threadId: report.messageId,
      threadLink: "https://acme.slack.com/archives/C/p1"
    });
    const eks = sampleReport.hypotheses[0]!;
    expect(eks.proposedBy).toBe("eks");
    expect(record.topHypothesis).toEqual({ title: eks.title, confidence: eks.confidence });
  });

  it("keeps an outcome and context already remembered when the report is remembered again", async () => {
    const memory = makeInMemoryIncidentMemory();
    await Effect.runPromise(rememberInvestigation(memory, report, undefined, { alertText: "the alert", threadLink: "https://x/thread" }));
    expect(await Effect.runPromise(memory.resolve(report.investigationId, { resolvedAt: report.detectedAt + 600_000, rootCause: "bad config" }))).toBe(true);
    const again = await Effect.runPromise(rememberInvestigation(memory, { ...report, kind: "final" }));
    expect(again.outcome?.rootCause).toBe("bad config");
    expect(again.alertText).toBe("the alert");
    expect(Option.getOrUndefined(await Effect.runPromise(memory.get(report.investigationId)))?.threadLink).toBe("https://x/thread");
  });
});
