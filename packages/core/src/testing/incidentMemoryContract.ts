import { Effect, Option } from "effect";
import type { IncidentMemoryShape, IncidentRecord } from "../ports/IncidentMemory.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface IncidentMemoryHarness {
  readonly make: () => Promise<{ readonly memory: IncidentMemoryShape; readonly close?: () => Promise<void> }>;
}

const incident = (id: string, title: string, alertText: string, entities: IncidentRecord["entities"]): IncidentRecord => ({
  investigationId: id,
  recordedAt: 1_700_000_000_000,
  title,
  alertText,
  entities,
  severity: "high",
  channelId: "C1",
  threadId: `${id}-thread`
});

export const incidentMemoryContract = (harness: IncidentMemoryHarness): ReadonlyArray<ContractCase> => {
  const run = Effect.runPromise;
  const withMemory = (body: (m: IncidentMemoryShape) => Promise<void>) => withResource(harness.make, ({ memory }) => body(memory));
  const seed = async (m: IncidentMemoryShape) => {
    await run(
      m.remember(
        incident("inv-db", "payments-db disk full", "PostgresDown payments-db disk full in namespace payments", {
          alertname: "PostgresDown",
          namespace: "payments",
          statefulset: "payments-db"
        })
      )
    );
    await run(
      m.remember(
        incident("inv-oom", "checkout OOMKilled", "KubePodCrashLooping checkout-7d9 OOMKilled in shop", {
          alertname: "KubePodCrashLooping",
          namespace: "shop",
          deployment: "checkout"
        })
      )
    );
    await run(
      m.remember(
        incident("inv-dns", "CoreDNS timeouts", "DNS resolution failures coredns kube-system", {
          alertname: "CoreDNSErrorsHigh",
          namespace: "kube-system"
        })
      )
    );
  };

  return [
    {
      name: "IncidentMemory: a remembered incident is read back unchanged",
      run: () =>
        withMemory(async (m) => {
          await seed(m);
          const got = await run(m.get("inv-oom"));
          check(Option.isSome(got), "incident exists");
          checkEqual(got.value.title, "checkout OOMKilled", "title");
          checkEqual(got.value.entities, { alertname: "KubePodCrashLooping", namespace: "shop", deployment: "checkout" }, "entities");
          check(Option.isNone(await run(m.get("nope"))), "unknown incident is None");
          checkEqual(await run(m.count()), 3, "count");
        })
    },
    {
      name: "IncidentMemory: the most similar incident ranks first and scores lie in [0, 1]",
      run: () =>
        withMemory(async (m) => {
          await seed(m);
          const similar = await run(
            m.similar({ text: "KubePodCrashLooping checkout-5f6 OOMKilled again", entities: { namespace: "shop", deployment: "checkout" } }, 2)
          );
          check(similar.length >= 1 && similar.length <= 2, `between 1 and 2 results, got ${similar.length}`);
          checkEqual(similar[0]?.record.investigationId, "inv-oom", "top match");
          for (const s of similar) check(s.score >= 0 && s.score <= 1, `score ${s.score} in [0, 1]`);
          for (let i = 1; i < similar.length; i++) check(similar[i - 1]!.score >= similar[i]!.score, "sorted by score");
        })
    },
    {
      name: "IncidentMemory: the query's own incident is excluded",
      run: () =>
        withMemory(async (m) => {
          await seed(m);
          const similar = await run(
            m.similar({ text: "PostgresDown payments-db disk full", entities: { namespace: "payments" }, excludeId: "inv-db" }, 5)
          );
          check(!similar.some((s) => s.record.investigationId === "inv-db"), "excluded id absent");
        })
    },
    {
      name: "IncidentMemory: resolving records the outcome; unknown ids report false",
      run: () =>
        withMemory(async (m) => {
          await seed(m);
          check(await run(m.resolve("inv-dns", { resolvedAt: 1_700_000_100_000, rootCause: "CoreDNS OOM" })), "resolved");
          const got = await run(m.get("inv-dns"));
          check(Option.isSome(got), "incident exists");
          checkEqual(got.value.outcome, { resolvedAt: 1_700_000_100_000, rootCause: "CoreDNS OOM" }, "outcome");
          check(!(await run(m.resolve("missing", { resolvedAt: 1 }))), "unknown incident");
        })
    },
    {
      name: "IncidentMemory: an empty memory finds nothing",
      run: () =>
        withMemory(async (m) => {
          checkEqual(await run(m.similar({ text: "anything", entities: {} }, 3)), [], "no matches");
          checkEqual(await run(m.count()), 0, "count");
        })
    }
  ];
};
