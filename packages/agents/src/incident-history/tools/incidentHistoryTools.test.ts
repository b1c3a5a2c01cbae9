import { type AlertContext, type IncidentMemoryShape, type IncidentRecord, MemoryError, type ToolContext, ToolError } from "@sre-on-call/core";
import { makeInMemoryIncidentMemory } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { INCIDENT_HISTORY_TOOL_NAMES, incidentHistoryTools, makeIncidentHistoryTools } from "./incidentHistoryTools.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 20, 9, 0, 0);
const alert: AlertContext = {
  investigationId: "inv-new",
  source: "slack",
  channelId: "CALERTS",
  messageId: "1718874000.000100",
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq (critical)",
  alertTimestamp: T0,
  window: { start: T0 - 300_000, end: T0 + 300_000 },
  status: "firing",
  labels: {},
  annotations: {},
  entities: { alertname: "KubePodCrashLooping", namespace: "payments", deployment: "api" },
  hints: [],
  deadline: T0 + 60_000
};
const context = (deadline = Date.now() + 10_000): ToolContext => ({ alert, deadline });

const record = (id: string, at: number, title: string, alertText: string, entities: IncidentRecord["entities"], extra: Partial<IncidentRecord> = {}): IncidentRecord => ({
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

const seeded = async (): Promise<IncidentMemoryShape> => {
  const memory = makeInMemoryIncidentMemory();
  const records = [
    record("oom", Date.UTC(2024, 4, 1, 13, 0, 0), "KubePodCrashLooping — payments/api", "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)", { alertname: "KubePodCrashLooping", namespace: "payments", deployment: "api" }, {
      outcome: { resolvedAt: Date.UTC(2024, 4, 1, 13, 42, 0), rootCause: "memory limit of 256Mi too low after the cache change" }
    }),
    record("guess", T0 - 10 * DAY, "KubePodCrashLooping — payments/worker", "[FIRING:1] KubePodCrashLooping payments/worker-1 (warning)", { alertname: "KubePodCrashLooping", namespace: "payments", deployment: "worker" }, {
      topHypothesis: { title: "Bad config map after deploy", confidence: "low" }
    }),
    record("dns", T0 - 30 * DAY, "CoreDNSErrorsHigh — kube-system", "DNS resolution failures coredns kube-system", { alertname: "CoreDNSErrorsHigh", namespace: "kube-system" }, { outcome: { resolvedAt: T0 - 30 * DAY + 600_000, rootCause: "coredns scaled to one replica" } }),
    record("inv-new", T0, "itself", alert.alertText, alert.entities)
  ];
  for (const r of records) await Effect.runPromise(memory.remember(r));
  return memory;
};

describe("incident-history tools over the in-memory incident memory", () => {
  it("similar_incidents: most similar first, confirmed and suspected causes told apart, never the incident itself", async () => {
    const [tool] = incidentHistoryTools(await seeded());
    expect(tool?.name).toBe(INCIDENT_HISTORY_TOOL_NAMES[0]);
    const out = await Effect.runPromise(tool!.run({ text: alert.alertText }, context()));
    const lines = out.text.split("\n");
    expect(lines[0]).toMatch(/^[23] similar incidents, most similar first:$/);
    expect(lines[1]).toMatch(/^\d+% 2024-05-01 13:00:00 UTC \[high\] KubePodCrashLooping — payments\/api; confirmed cause: memory limit of 256Mi too low after the cache change; resolved 2024-05-01 13:42:00 UTC <https:\/\/acme\.slack\.com\/archives\/CALERTS\/poom>$/);
    expect(out.text).toContain("suspected (not confirmed): Bad config map after deploy (low); not marked resolved");
    expect(out.text).not.toContain("itself");
    expect(out.findings).toHaveLength(1);
    expect(out.findings?.[0]).toMatchObject({ source: "incident-memory", severity: "info", deepLink: "https://acme.slack.com/archives/CALERTS/poom", metadata: { investigationId: "oom" } });
  });

  it("limit bounds the answer; unrelated text finds nothing", async () => {
    const tools = makeIncidentHistoryTools({ memory: await seeded() });
    const one = await Effect.runPromise(tools[0]!.run({ text: "KubePodCrashLooping payments api", limit: 1 }, context()));
    expect(one.text.split("\n")).toHaveLength(2);
    const none = await Effect.runPromise(tools[0]!.run({ text: "zzz qqq xxx" }, { alert: { ...alert, entities: {} }, deadline: Date.now() + 10_000 }));
    expect(none.text).toMatch(/^No remembered incident is similar to that text/);
  });

  it("invalid input, a store outage, a passed deadline and the cap", async () => {
    const [tool] = incidentHistoryTools(await seeded(), { maxChars: 100 });
    for (const input of [{}, { text: "ab" }, { text: "KubePodCrashLooping", limit: 11 }, { text: "KubePodCrashLooping", limit: 0 }]) expect((await Effect.runPromise(Effect.flip(tool!.run(input, context())))).reason).toBe("invalid_input");
    expect((await Effect.runPromise(Effect.flip(tool!.run({ text: "KubePodCrashLooping" }, context(Date.now() - 1))))).reason).toBe("timeout");
    const capped = await Effect.runPromise(tool!.run({ text: alert.alertText }, context()));
    expect(capped.text.length).toBeLessThanOrEqual(100);
    expect(capped.text.endsWith("(truncated)")).toBe(true);
    const broken: IncidentMemoryShape = { ...(await seeded()), similar: () => Effect.fail(new MemoryError({ operation: "similar", reason: "table not found" })) };
    const err = await Effect.runPromise(Effect.flip(incidentHistoryTools(broken)[0]!.run({ text: "KubePodCrashLooping" }, context())));
    expect(err).toBeInstanceOf(ToolError);
    expect(err.reason).toBe("unavailable");
    expect(err.detail).toBe("incident memory similar failed: table not found");
  });
});
