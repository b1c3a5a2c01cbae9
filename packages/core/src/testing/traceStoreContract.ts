import { Effect, Option } from "effect";
import type { InvestigationReport } from "../model/InvestigationReport.js";
import type { TraceStoreShape } from "../ports/TraceStore.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";
import { sampleReport } from "./samples.js";

export interface TraceStoreHarness {
  readonly make: () => Promise<{ readonly store: TraceStoreShape; readonly close?: () => Promise<void> }>;
}

export const traceStoreContract = (harness: TraceStoreHarness): ReadonlyArray<ContractCase> => {
  const run = Effect.runPromise;
  const withStore = (body: (store: TraceStoreShape) => Promise<void>) => withResource(harness.make, ({ store }) => body(store));
  const header = { investigationId: "inv-1", channelId: "C1", threadId: "1700000000.000100", startedAt: 1_700_000_000_000 };

  return [
    {
      name: "TraceStore: events come back in the order they were appended",
      run: () =>
        withStore(async (store) => {
          await run(store.open(header));
          await run(store.append({ investigationId: "inv-1", at: 1, type: "received", data: { text: "db down" } }));
          await run(store.append({ investigationId: "inv-1", at: 2, type: "dispatched", data: { agents: ["eks"] } }));
          await run(store.append({ investigationId: "inv-1", at: 3, type: "report_posted", data: { kind: "initial" } }));
          const trace = await run(store.get("inv-1"));
          check(Option.isSome(trace), "trace exists");
          checkEqual(trace.value.events.map((e) => e.type), ["received", "dispatched", "report_posted"], "event order");
          checkEqual(trace.value.events[0]?.data, { text: "db down" }, "event data");
          checkEqual(trace.value.channelId, "C1", "channel");
          checkEqual(trace.value.threadId, header.threadId, "thread");
        })
    },
    {
      name: "TraceStore: reports are stored with the trace",
      run: () =>
        withStore(async (store) => {
          await run(store.open(header));
          const report: InvestigationReport = { ...sampleReport, investigationId: "inv-1" };
          await run(store.putReport(report));
          const trace = await run(store.get("inv-1"));
          check(Option.isSome(trace), "trace exists");
          checkEqual(trace.value.reports.length, 1, "report count");
          checkEqual(trace.value.reports[0], report, "report round-trips");
        })
    },
    {
      name: "TraceStore: investigations are found by their thread",
      run: () =>
        withStore(async (store) => {
          await run(store.open(header));
          await run(store.open({ ...header, investigationId: "inv-2", startedAt: header.startedAt + 10 }));
          await run(store.open({ ...header, investigationId: "inv-3", threadId: "other" }));
          await run(store.open(header));
          checkEqual(await run(store.findByThread("C1", header.threadId)), ["inv-1", "inv-2"], "ids in the thread");
          checkEqual(await run(store.findByThread("C1", "nope")), [], "unknown thread");
        })
    },
    {
      name: "TraceStore: an unknown investigation is None, not an error",
      run: () =>
        withStore(async (store) => {
          check(Option.isNone(await run(store.get("missing"))), "missing trace is None");
        })
    },
    {
      name: "TraceStore: concurrent appends are all kept",
      run: () =>
        withStore(async (store) => {
          await run(store.open(header));
          await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              run(store.append({ investigationId: "inv-1", at: i, type: "agent_response", data: { i } }))
            )
          );
          const trace = await run(store.get("inv-1"));
          check(Option.isSome(trace), "trace exists");
          checkEqual(trace.value.events.length, 40, "event count");
        })
    }
  ];
};
