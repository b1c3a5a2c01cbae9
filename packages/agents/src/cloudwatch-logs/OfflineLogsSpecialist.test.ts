import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentFailure } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAlert } from "../eks/testing/makeAlert.js";
import { makeOfflineLogsSpecialist } from "./CloudWatchLogsSpecialist.js";
import { groupNameOfFile, timeOfLine } from "./source/DirectoryLogSource.js";
import { paymentsOutageLines } from "./testing/syntheticLogs.js";

const T = Date.parse("2026-04-02T09:30:00Z");
const alert = makeAlert({ labels: { alertname: "PaymentsApiErrors", namespace: "payments", deployment: "api" }, at: T });

describe("offline log directory (CLI --logs DIR)", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cwl-offline-"));
    const outage = paymentsOutageLines({ lines: 2_000, start: T - 20 * 60_000, end: T });
    // `aws logs filter-log-events --log-group-name /ecs/payments-api > %2Fecs%2Fpayments-api.json`
    await writeFile(
      join(dir, "%2Fecs%2Fpayments-api.json"),
      JSON.stringify({ events: outage.map((l, i) => ({ logStreamName: l.stream, timestamp: l.timestamp, message: l.message, ingestionTime: l.timestamp + 100, eventId: String(i) })), searchedLogStreams: [] }, null, 2)
    );
    // A plain log file in a nested path: group /aws/lambda/ledger. A stack trace continues its event.
    await mkdir(join(dir, "aws", "lambda"), { recursive: true });
    await writeFile(
      join(dir, "aws", "lambda", "ledger.log"),
      [
        "2026-04-02T09:20:00.000Z INFO started",
        "2026-04-02T09:21:00.000Z ERROR Unhandled exception in handler",
        "    at Ledger.post (/var/task/index.js:42:13)",
        "2026-04-02 09:22:00,123 ERROR Unhandled exception in handler",
        "2026-04-02T08:00:00.000Z ERROR long before the alert window",
        "no timestamp here but an error anyway"
      ].join("\n")
    );
    await writeFile(join(dir, "broken.json"), "{ not json");
    await writeFile(join(dir, ".hidden.log"), "ERROR ignored");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of specialistContract({ make: async () => ({ specialist: makeOfflineLogsSpecialist(dir), alert }) })) it(c.name, c.run);

  it("names groups after files", () => {
    expect(groupNameOfFile("%2Fecs%2Fpayments-api.json")).toBe("/ecs/payments-api");
    expect(groupNameOfFile(join("aws", "lambda", "ledger.log"))).toBe("/aws/lambda/ledger");
    expect(groupNameOfFile("payments-api.log")).toBe("payments-api");
    expect(groupNameOfFile("%E0%A4%A.txt")).toBe("%E0%A4%A");
    expect(timeOfLine("2026-04-02 09:22:00,123 ERROR x")).toBe(Date.parse("2026-04-02T09:22:00.123Z"));
    expect(timeOfLine('{"ts":"2026-04-02T09:22:00+02:00","msg":"x"}')).toBe(Date.parse("2026-04-02T07:22:00Z"));
    expect(timeOfLine("ERROR no time")).toBeUndefined();
  });

  it("runs the same analysis as live: the matching export's errors become patterns and the dominant cause a hypothesis", async () => {
    const result = await Effect.runPromise(makeOfflineLogsSpecialist(dir).investigate(alert, { deadline: Date.now() + 10_000 }));
    expect(result.status).toBe("success");
    const extra = result.metadata.extra as { method: string; groups: Array<{ name: string }>; lines: number; patterns: number };
    expect(extra.method).toBe("files");
    expect(extra.groups.map((g) => g.name)).toEqual(["/ecs/payments-api"]);
    expect(extra.patterns).toBeLessThanOrEqual(6);
    expect(result.hypotheses[0]?.title).toBe("payments/api: Connections to 10.0.3.17:5432 are refused");
    expect(result.findings[0]!.source).toBe("logs-dir:/ecs/payments-api");
    expect(result.findings[0]!.deepLink).toBeUndefined();
    // The unreadable file is reported, not fatal.
    const broken = result.findings.find((f) => f.metadata["logGroup"] === "broken");
    expect(broken?.content).toMatch(/not valid JSON .*expected the output of aws logs filter-log-events/);
  });

  it("reads every file when none is named like the alert's workload, keeping the window", async () => {
    const other = makeAlert({ labels: { alertname: "HostDown", namespace: "finance" }, at: T });
    const result = await Effect.runPromise(makeOfflineLogsSpecialist(dir).investigate(other, { deadline: Date.now() + 10_000 }));
    expect(result.summary).toMatch(/\(no file name matches the alert, so every file was read\)$/);
    const ledger = result.findings.filter((f) => f.source === "logs-dir:/aws/lambda/ledger");
    const byPattern = Object.fromEntries(ledger.map((f) => [f.metadata["pattern"], f.metadata["count"]]));
    // Two timestamp styles, one pattern; the 08:00 line is outside the window; the untimed line is kept.
    expect(byPattern["<ts> ERROR Unhandled exception in handler"]).toBe(2);
    expect(byPattern["no timestamp here but an error anyway"]).toBe(1);
    expect(JSON.stringify(result.findings)).not.toContain("long before");
    expect(JSON.stringify(result.findings)).not.toContain("ignored");
  });

  it("snapshot measures the last 15 minutes of the data", async () => {
    const section = await Effect.runPromise(makeOfflineLogsSpecialist(dir).snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.state).toBe("ok");
    expect(section.health).toBe("degraded");
    expect(section.summary).toMatch(/^Top 2 log groups by ingestion in the last 15 min up to 2026-04-02T09:29:\d\d\.\d{3}Z: \/ecs\/payments-api \(\d+ errors\), \/aws\/lambda\/ledger \(2 errors\)/);
  });

  it("a missing or empty directory is a typed, readable failure", async () => {
    const missing = await Effect.runPromiseExit(makeOfflineLogsSpecialist(join(dir, "nope")).investigate(alert, { deadline: Date.now() + 5_000 }));
    const empty = await mkdtemp(join(tmpdir(), "cwl-empty-"));
    try {
      const none = await Effect.runPromiseExit(makeOfflineLogsSpecialist(empty).investigate(alert, { deadline: Date.now() + 5_000 }));
      for (const [exit, text] of [
        [missing, /log directory .*nope: not-found: ENOENT/],
        [none, /it holds no log files/]
      ] as const) {
        expect(Exit.isFailure(exit)).toBe(true);
        const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined;
        const error = reason?._tag === "Fail" ? reason.error : undefined;
        expect(error).toBeInstanceOf(AgentFailure);
        expect((error as AgentFailure).reason).toMatch(text);
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
