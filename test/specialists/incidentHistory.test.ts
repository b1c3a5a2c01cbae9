/**
 * The incident-history specialist over the embedded store the local server uses: finished
 * investigations are remembered with `rememberInvestigation`, resolved as `/postmortem` does,
 * and found again for a similar new alert, with and without an embedding model.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedStore, makeEmbeddedIncidentMemory } from "@sre-on-call/adapters";
import { makeIncidentHistorySpecialist, rememberInvestigation } from "@sre-on-call/agents/incident-history/index";
import { type AlertContext, buildReport, type IncidentMemoryShape, type InvestigationReport } from "@sre-on-call/core";
import { makeScriptedModel, specialistContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 20, 9, 0, 0);

const alert = (id: string, at: number, text: string, entities: AlertContext["entities"], messageId = `${at / 1000}.000100`): AlertContext => ({
  investigationId: id,
  source: "slack",
  channelId: "CALERTS",
  messageId,
  alertText: text,
  alertTimestamp: at,
  window: { start: at - 300_000, end: at + 300_000 },
  status: "firing",
  labels: {},
  annotations: {},
  entities,
  hints: [],
  deadline: at + 60_000
});

/** A final report as the orchestrator builds it from an EKS result. */
const finalReport = (a: AlertContext, hypothesis: string): InvestigationReport =>
  buildReport({
    alert: a,
    kind: "final",
    generatedAt: a.alertTimestamp + 60_000,
    outcomes: [
      {
        agent: "eks",
        state: "ok",
        result: {
          agent: "eks",
          status: "success",
          findings: [{ id: "eks:1", agent: "eks", source: "kubernetes", timestamp: a.alertTimestamp, content: hypothesis, severity: "high", metadata: {} }],
          hypotheses: [{ id: "eks:h1", title: hypothesis, detail: "", confidence: "high", supportingFindings: ["eks:1"], confirmBy: "", proposedBy: "eks", depth: 2 }],
          summary: hypothesis,
          durationMs: 10,
          metadata: { startedAt: a.alertTimestamp, endedAt: a.alertTimestamp + 10, inputTokens: 0, outputTokens: 0, costUsd: 0 }
        }
      }
    ]
  });

const crashLoop = alert("inv-may", Date.UTC(2024, 4, 1, 13, 0, 0), "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)\nPod payments/api-7d9f8b6c5-x2x9z is crash looping", {
  alertname: "KubePodCrashLooping",
  namespace: "payments",
  pod: "api-7d9f8b6c5-x2x9z",
  deployment: "api"
});
const diskFull = alert("inv-db", T0 - 20 * DAY, "[FIRING:1] PostgresDown payments/payments-db-0\nPostgres is down", { alertname: "PostgresDown", namespace: "payments", statefulset: "payments-db" });
const dns = alert("inv-dns", T0 - 9 * DAY, "[FIRING:1] CoreDNSErrorsHigh kube-system\nDNS resolution failures", { alertname: "CoreDNSErrorsHigh", namespace: "kube-system" });
const again = alert("inv-june", T0, "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq (critical)\nPod payments/api-7d9f8b6c5-kx8zq is crash looping", {
  alertname: "KubePodCrashLooping",
  namespace: "payments",
  pod: "api-7d9f8b6c5-kx8zq",
  deployment: "api"
});
const unrelated = alert("inv-kafka", T0, "[FIRING:1] KafkaConsumerLag orders/consumer lag 50000", { alertname: "KafkaConsumerLag", namespace: "orders", deployment: "consumer" });

const link = (a: AlertContext) => `https://acme.slack.com/archives/${a.channelId}/p${a.messageId.replace(".", "")}`;

describe("incident history over the embedded store", () => {
  let directory: string;
  let store: EmbeddedStore;
  let memory: IncidentMemoryShape;

  const rememberPast = async () => {
    for (const [a, cause] of [
      [crashLoop, "payments/api is OOMKilled (memory limit 256Mi)"],
      [diskFull, "payments-db volume is full"],
      [dns, "coredns has one replica left"]
    ] as const) {
      await Effect.runPromise(rememberInvestigation(memory, finalReport(a, cause), undefined, { alertText: a.alertText, threadLink: link(a) }));
    }
    // What /postmortem records once the May incident is understood.
    await Effect.runPromise(memory.resolve("inv-may", { resolvedAt: crashLoop.alertTimestamp + 42 * 60_000, rootCause: "the cache change doubled memory use; limit 256Mi too low" }));
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "incident-history-"));
    store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
    memory = makeEmbeddedIncidentMemory(store);
  });
  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("a past incident with a known cause is found for a similar new alert, with its thread", async () => {
    await rememberPast();
    const result = await Effect.runPromise(makeIncidentHistorySpecialist({ memory }).investigate(again, { deadline: Date.now() + 10_000 }));
    expect(result.findings.map((f) => f.metadata["investigationId"])).toEqual(["inv-may"]);
    expect(result.findings[0]?.deepLink).toBe(link(crashLoop));
    expect(result.findings[0]?.content).toMatch(/root cause: the cache change doubled memory use; limit 256Mi too low, resolved after 42 min$/);
    expect(result.hypotheses.map((h) => [h.title, h.confidence])).toEqual([["Same as 2024-05-01 incident: the cache change doubled memory use; limit 256Mi too low", "medium"]]);
  });

  it("an unrelated alert gets no past incident", async () => {
    await rememberPast();
    const result = await Effect.runPromise(makeIncidentHistorySpecialist({ memory }).investigate(unrelated, { deadline: Date.now() + 10_000 }));
    expect(result.hypotheses).toEqual([]);
    expect(result.findings.map((f) => f.content)).toEqual(["No similar past incident among 3 remembered"]);
  });

  it("an unresolved past incident offers its suspected cause, not a hypothesis", async () => {
    await rememberPast();
    const db = alert("inv-db2", T0, "[FIRING:1] PostgresDown payments/payments-db-0\nPostgres is down", { alertname: "PostgresDown", namespace: "payments", statefulset: "payments-db" });
    const result = await Effect.runPromise(makeIncidentHistorySpecialist({ memory }).investigate(db, { deadline: Date.now() + 10_000 }));
    expect(result.hypotheses).toEqual([]);
    expect(result.findings[0]?.content).toMatch(/^Similar past incident on 2024-05-31 \(\d+% match\): PostgresDown — payments\/payments-db; suspected then \(not confirmed\): payments-db volume is full$/);
  });

  it("with a scripted embedding model the same incident is found by embeddings, and the cost is attributed", async () => {
    await rememberPast();
    const scripted = makeScriptedModel({ modelId: "amazon.titan-embed-text-v2:0" });
    const specialist = makeIncidentHistorySpecialist({ memory, model: scripted.model, embeddingThresholds: { similar: 0.6, strong: 0.8 } });
    const found = await Effect.runPromise(specialist.investigate(again, { deadline: Date.now() + 10_000 }));
    expect(found.metadata).toMatchObject({ modelId: "amazon.titan-embed-text-v2:0", modelCalls: 1, extra: { method: "embeddings" } });
    expect(found.findings.map((f) => f.metadata["investigationId"])).toEqual(["inv-may"]);
    expect(found.hypotheses).toHaveLength(1);
    const none = await Effect.runPromise(specialist.investigate(unrelated, { deadline: Date.now() + 10_000 }));
    expect(none.hypotheses).toEqual([]);
    expect(none.findings.every((f) => f.metadata["investigationId"] === undefined)).toBe(true);
  });

  it("what was remembered survives a restart of the store", async () => {
    await rememberPast();
    await store.close();
    store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
    memory = makeEmbeddedIncidentMemory(store);
    const result = await Effect.runPromise(makeIncidentHistorySpecialist({ memory }).investigate(again, { deadline: Date.now() + 10_000 }));
    expect(result.hypotheses).toHaveLength(1);
  });

  it("remembering the new investigation makes it findable next time, without echoing its own hypothesis", async () => {
    await rememberPast();
    const specialist = makeIncidentHistorySpecialist({ memory });
    const first = await Effect.runPromise(specialist.investigate(again, { deadline: Date.now() + 10_000 }));
    const report = buildReport({
      alert: again,
      kind: "final",
      generatedAt: T0 + 60_000,
      outcomes: [{ agent: "incident-history", state: "ok", result: first }]
    });
    const record = await Effect.runPromise(rememberInvestigation(memory, report, undefined, { alertText: again.alertText, threadLink: link(again) }));
    expect(record.topHypothesis).toBeUndefined();
    const third = alert("inv-july", T0 + 30 * DAY, again.alertText, again.entities, "1721466000.000100");
    const next = await Effect.runPromise(specialist.investigate(third, { deadline: Date.now() + 10_000 }));
    expect(next.findings.map((f) => f.metadata["investigationId"])).toEqual(["inv-june", "inv-may"]);
  });
});

describe("incident-history passes the Specialist contract over the embedded store", () => {
  for (const c of specialistContract({
    make: async () => {
      const directory = await mkdtemp(join(tmpdir(), "incident-history-contract-"));
      const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
      const memory = makeEmbeddedIncidentMemory(store);
      await Effect.runPromise(rememberInvestigation(memory, finalReport(crashLoop, "payments/api is OOMKilled"), { resolvedAt: crashLoop.alertTimestamp + 60_000, rootCause: "memory limit too low" }, { alertText: crashLoop.alertText }));
      return {
        specialist: makeIncidentHistorySpecialist({ memory }),
        alert: again,
        close: async () => {
          await store.close();
          await rm(directory, { recursive: true, force: true });
        }
      };
    }
  }))
    it(c.name, c.run);
});
