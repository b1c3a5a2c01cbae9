import { Effect, Exit } from "effect";
import type { TelemetryShape } from "../ports/Telemetry.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface TelemetryHarness {
  readonly make: () => Promise<{
    readonly telemetry: TelemetryShape;
    /** The structured records written so far (log lines), for inspection. */
    readonly records: () => ReadonlyArray<Readonly<Record<string, unknown>>>;
    readonly close?: () => Promise<void>;
  }>;
}

export const telemetryContract = (harness: TelemetryHarness): ReadonlyArray<ContractCase> => [
  {
    name: "Telemetry: a log line keeps its level, message and fields",
    run: () =>
      withResource(harness.make, async ({ telemetry, records }) => {
        await Effect.runPromise(telemetry.log("warn", "agent slow", { investigationId: "inv-9", agent: "eks" }));
        const line = records().find((r) => r["msg"] === "agent slow" || r["message"] === "agent slow");
        check(line !== undefined, "the line was recorded");
        checkEqual(line["investigationId"], "inv-9", "investigation id field");
        checkEqual(line["agent"], "eks", "agent field");
      })
  },
  {
    name: "Telemetry: a span returns its effect's value and keeps its failure",
    run: () =>
      withResource(harness.make, async ({ telemetry }) => {
        checkEqual(await Effect.runPromise(telemetry.span("ok", { a: 1 }, Effect.succeed(42))), 42, "span value");
        const exit = await Effect.runPromiseExit(telemetry.span("bad", {}, Effect.fail("boom")));
        check(Exit.isFailure(exit), "span failure propagates");
      })
  },
  {
    name: "Telemetry: logging unserialisable fields never fails",
    run: () =>
      withResource(harness.make, async ({ telemetry }) => {
        const cyclic: Record<string, unknown> = {};
        cyclic["self"] = cyclic;
        await Effect.runPromise(telemetry.log("info", "cyclic", { cyclic, big: 10n }));
      })
  }
];
