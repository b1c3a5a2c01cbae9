import { Effect, Option, Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IncidentRecord } from "../ports/IncidentMemory.js";
import { incidentMemoryContract } from "../testing/incidentMemoryContract.js";
import { makeInMemoryIncidentMemory } from "../testing/memory/InMemoryStores.js";
import { plantedSecretArbitrary } from "../testing/plantedSecrets.js";
import { makeRedactor } from "./makeRedactor.js";
import { redactingIncidentMemory } from "./redactingIncidentMemory.js";

const run = Effect.runPromise;

const recordWith = (text: string): IncidentRecord => ({
  investigationId: "inv-m1",
  recordedAt: 1_700_000_000_000,
  title: `KubePodCrashLooping ${text}`,
  alertText: `payments api down\n${text}`,
  entities: { namespace: "payments", deployment: "api" },
  severity: "critical",
  channelId: "C042",
  threadId: "1700000000.000100",
  threadLink: "https://acme.slack.com/archives/C042/p1700000000000100",
  topHypothesis: { title: `database password rejected: ${text}`, confidence: "high" }
});

describe("redactingIncidentMemory", () => {
  for (const c of incidentMemoryContract({ make: async () => ({ memory: redactingIncidentMemory(makeInMemoryIncidentMemory()) }) })) it(c.name, c.run);

  it("stores no planted secret, whether remembered with the investigation or typed as a root cause in /postmortem (property)", async () => {
    await fc.assert(
      fc.asyncProperty(plantedSecretArbitrary, async (secret) => {
        const raw = makeInMemoryIncidentMemory();
        const memory = redactingIncidentMemory(raw);
        await run(memory.remember(recordWith(secret.text)));
        expect(await run(memory.resolve("inv-m1", { resolvedAt: 1, rootCause: `rotated ${secret.text}`, notes: secret.text }))).toBe(true);
        const stored = JSON.stringify(Option.getOrThrow(await run(raw.get("inv-m1"))));
        for (const core of secret.cores) expect(stored).not.toContain(core);
        expect(Option.getOrThrow(await run(memory.get("inv-m1")))).toMatchObject({ investigationId: "inv-m1", channelId: "C042", threadId: "1700000000.000100" });
      }),
      { numRuns: 300 }
    );
  });

  it("redacts records stored before redaction when they are read, and what a similarity query compares", async () => {
    const raw = makeInMemoryIncidentMemory();
    await run(raw.remember(recordWith("MYSQL_PWD=hunter2hunter2")));
    const memory = redactingIncidentMemory(raw);
    expect(JSON.stringify(await run(memory.get("inv-m1")))).not.toContain("hunter2hunter2");
    const similar = await run(memory.similar({ text: "payments api down MYSQL_PWD=hunter2hunter2", entities: { namespace: "payments" } }, 3));
    expect(similar.length).toBe(1);
    expect(JSON.stringify(similar)).not.toContain("hunter2hunter2");
  });

  it("applies the configured redaction.patterns", async () => {
    const redactor = makeRedactor(["\\bEMP-[0-9]{6}\\b"]);
    if (Result.isFailure(redactor)) throw new Error(redactor.failure.message);
    const raw = makeInMemoryIncidentMemory();
    await run(redactingIncidentMemory(raw, redactor.success.redactDeep).remember(recordWith("paged EMP-123456")));
    expect(JSON.stringify(await run(raw.get("inv-m1")))).not.toContain("EMP-123456");
  });
});
