import { Effect, Option, Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeInMemoryTraceStore } from "../testing/memory/InMemoryStores.js";
import { plantedSecretArbitrary } from "../testing/plantedSecrets.js";
import { sampleReport } from "../testing/samples.js";
import { traceStoreContract } from "../testing/traceStoreContract.js";
import { makeRedactor } from "./makeRedactor.js";
import { redactingTraceStore } from "./redactingTraceStore.js";

const run = Effect.runPromise;
const header = { investigationId: "inv-s1", channelId: "C042", threadId: "1700000000.000100", startedAt: 1_700_000_000_000 };

/** A report carrying `text` in every kind of field a report has text in. */
const reportWith = (text: string) => {
  const agent = sampleReport.agents[0]!;
  return {
    ...sampleReport,
    investigationId: header.investigationId,
    channelId: header.channelId,
    messageId: header.threadId,
    title: `alert ${text}`,
    summary: `summary ${text}`,
    impact: text,
    actions: [`run ${text}`],
    ruledOut: [text],
    hypotheses: sampleReport.hypotheses.map((h) => ({ ...h, title: `${h.title} ${text}`, detail: text, actions: [text] })),
    agents: [{ ...agent, summary: text, error: `failed: ${text}`, findings: agent.findings.map((f) => ({ ...f, content: `log line: ${text}`, metadata: { sample: text, nested: [{ line: text }] } })) }]
  };
};

describe("redactingTraceStore", () => {
  for (const c of traceStoreContract({ make: async () => ({ store: redactingTraceStore(makeInMemoryTraceStore()) }) })) it(c.name, c.run);

  it("stores no planted secret, in event data or in any field of a report, and keeps the keys it is found by (property)", async () => {
    await fc.assert(
      fc.asyncProperty(plantedSecretArbitrary, async (secret) => {
        const raw = makeInMemoryTraceStore();
        const store = redactingTraceStore(raw);
        await run(store.open(header));
        await run(store.append({ investigationId: header.investigationId, at: 1, type: "received", data: { text: `alert: ${secret.text}`, annotations: { description: secret.text }, agents: [secret.text] } }));
        await run(store.putReport(reportWith(secret.text)));
        const stored = JSON.stringify(Option.getOrThrow(await run(raw.get(header.investigationId))));
        for (const core of secret.cores) expect(stored).not.toContain(core);
        expect(await run(store.findByThread(header.channelId, header.threadId))).toEqual([header.investigationId]);
        const read = Option.getOrThrow(await run(store.get(header.investigationId)));
        expect(read.reports[0]).toMatchObject({ investigationId: header.investigationId, channelId: header.channelId, messageId: header.threadId });
      }),
      { numRuns: 300 }
    );
  });

  it("redacts a trace archived before redaction when it is read", async () => {
    const raw = makeInMemoryTraceStore();
    await run(raw.open(header));
    await run(raw.append({ investigationId: header.investigationId, at: 1, type: "agent_response", data: { error: "auth failed for AKIAQ3EGV7EXAMPL3K3Y" } }));
    await run(raw.putReport(reportWith("PGPASSWORD=hunter2hunter2")));
    const read = JSON.stringify(Option.getOrThrow(await run(redactingTraceStore(raw).get(header.investigationId))));
    expect(read).not.toMatch(/AKIAQ3EGV7EXAMPL3K3Y|hunter2hunter2/);
  });

  it("applies the configured redaction.patterns", async () => {
    const redactor = makeRedactor(["\\bEMP-[0-9]{6}\\b"]);
    if (Result.isFailure(redactor)) throw new Error(redactor.failure.message);
    const raw = makeInMemoryTraceStore();
    const store = redactingTraceStore(raw, redactor.success.redactDeep);
    await run(store.open(header));
    await run(store.append({ investigationId: header.investigationId, at: 1, type: "received", data: { text: "paged EMP-123456" } }));
    expect(JSON.stringify(await run(raw.get(header.investigationId)))).not.toContain("EMP-123456");
  });
});
