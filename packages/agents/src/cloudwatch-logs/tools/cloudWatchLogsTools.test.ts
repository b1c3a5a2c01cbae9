import { fileURLToPath } from "node:url";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { type AgentTool, type ToolContext, ToolError, type ToolOutput } from "@sre-on-call/core";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAlert } from "../../eks/testing/makeAlert.js";
import { makeDirectoryLogSource } from "../source/DirectoryLogSource.js";
import { FakeCloudWatchLogs } from "../testing/FakeCloudWatchLogs.js";
import { CLOUDWATCH_LOGS_TOOL_NAMES, cloudWatchLogsTools, makeCloudWatchLogsTools, makeOfflineLogsTools } from "./cloudWatchLogsTools.js";

const logsDir = fileURLToPath(new URL("../../../../../examples/payments-outage/logs/", import.meta.url));
const T = Date.parse("2026-03-12T14:20:00Z");
const alert = makeAlert({ labels: { alertname: "PaymentsApiDown", namespace: "payments", deployment: "api" }, at: T });
const context = (deadline = Date.now() + 20_000): ToolContext => ({ alert, deadline });
const byName = (tools: ReadonlyArray<AgentTool>, name: string) => {
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  return tool;
};
const run = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, ctx = context()): Promise<ToolOutput> => Effect.runPromise(byName(tools, name).run(input, ctx));
const fail = (tools: ReadonlyArray<AgentTool>, name: string, input: unknown, ctx = context()): Promise<ToolError> => Effect.runPromise(Effect.flip(byName(tools, name).run(input, ctx)));
const DB = "/aws/containerinsights/prod-eu-1/application/payments-db";
const API = "/aws/containerinsights/prod-eu-1/application/payments-api";

describe("CloudWatch Logs tools over the payments-outage log directory", () => {
  const tools = makeOfflineLogsTools(logsDir);

  it("offers search_logs and list_log_groups", () => {
    expect(tools.map((t) => t.name)).toEqual([...CLOUDWATCH_LOGS_TOOL_NAMES]);
  });

  it("list_log_groups lists the groups under a prefix", async () => {
    const out = await run(tools, "list_log_groups", { prefix: "/aws/containerinsights/" });
    const lines = out.text.split("\n");
    expect(lines[0]).toBe(`2 log groups under /aws/containerinsights/ in ${makeDirectoryLogSource(logsDir).description}:`);
    expect(lines.slice(1).map((l) => l.split(" ")[0])).toEqual([API, DB]);
    expect((await run(tools, "list_log_groups", { prefix: "/ecs/" })).text).toMatch(/^No log group starts with \/ecs\//);
  });

  it("search_logs in the database group: the full disk is the top pattern and a critical finding", async () => {
    const out = await run(tools, "search_logs", { log_group: DB, minutes: 30 });
    const lines = out.text.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^\\d+ error lines in ${DB} from 2026-03-12T13:55:00Z to 2026-03-12T14:25:00Z; \\d+ patterns?:$`));
    expect(lines[1]).toMatch(/^×\d+ .*PANIC: could not write to file .*No space left on device/);
    const disk = out.findings?.find((f) => f.metadata["cause"] === "disk-full");
    expect(disk?.severity).toBe("critical");
    expect(disk?.source).toBe(`logs-dir:${DB}`);
    expect(disk?.content).toMatch(/^\d+ log lines in .*payments-db: .*No space left on device/);
  });

  it("search_logs by prefix with a pattern keeps only matching lines, across groups", async () => {
    const out = await run(tools, "search_logs", { prefix: "/aws/containerinsights/prod-eu-1/", pattern: "ECONNREFUSED", minutes: 30 });
    expect(out.text).toMatch(new RegExp(`^\\d+ lines containing "ECONNREFUSED" in ${API}, ${DB} from`));
    const newest = out.text.split("--- newest lines ---\n")[1]?.split("\n") ?? [];
    expect(newest.length).toBeGreaterThan(0);
    expect(out.text).not.toContain("No space left");
    expect(out.findings?.some((f) => String(f.metadata["cause"]).startsWith("refused"))).toBe(true);
    const none = await run(tools, "search_logs", { log_group: DB, pattern: "certificate expired" });
    expect(none.text).toMatch(/^No lines containing "certificate expired" in /);
  });

  it("with a pattern, lines of any level are searched, every word required, case-insensitively", async () => {
    const out = await run(tools, "search_logs", { log_group: DB, pattern: "CHECKPOINT wal", minutes: 30 });
    expect(out.text).toMatch(new RegExp(`^\\d+ lines containing "CHECKPOINT wal" in ${DB} from .*; 1 pattern:\n×\\d+ <ts> UTC \\[<num>\\] LOG: checkpoint starting: wal`));
    expect(out.findings).toBeUndefined();
  });

  it("invalid input: both or neither of log_group and prefix, bad names, bad windows", async () => {
    for (const input of [{}, { log_group: DB, prefix: "/aws/" }, { log_group: "bad name" }, { log_group: DB, minutes: 2 }, { log_group: DB, pattern: "" }]) {
      const err = await fail(tools, "search_logs", input);
      expect(err).toBeInstanceOf(ToolError);
      expect(err.reason).toBe("invalid_input");
    }
    expect((await fail(tools, "search_logs", {})).detail).toBe("give exactly one of log_group or prefix");
  });

  it("configured prefixes fence what may be read", async () => {
    const fenced = cloudWatchLogsTools(makeDirectoryLogSource(logsDir), { logGroupPrefixes: [API] });
    const err = await fail(fenced, "search_logs", { log_group: DB });
    expect(err.detail).toBe(`log group ${DB} is outside the configured log groups and prefixes`);
    const listed = await run(fenced, "list_log_groups", { prefix: "/aws/" });
    expect(listed.text).not.toContain(DB);
  });

  it("a passed deadline is a timeout; the text is capped", async () => {
    expect((await fail(tools, "search_logs", { log_group: DB }, context(Date.now() - 1))).reason).toBe("timeout");
    const small = makeOfflineLogsTools(logsDir, { maxChars: 500 });
    const out = await run(small, "search_logs", { prefix: "/aws/", minutes: 60 });
    expect(out.text.length).toBeLessThanOrEqual(500);
    expect(out.text.endsWith("(truncated)")).toBe(true);
  });

  it("a missing directory is a typed failure", async () => {
    const err = await fail(makeOfflineLogsTools(`${logsDir}nope`), "list_log_groups", { prefix: "/" });
    expect(err).toBeInstanceOf(ToolError);
    expect(err.reason).toBe("failed");
  });
});

describe("CloudWatch Logs tools against the fake CloudWatch Logs endpoint", () => {
  const fake = new FakeCloudWatchLogs();
  const closers: Array<() => Promise<void>> = [];
  let endpoint = "";
  beforeAll(async () => {
    fake.addGroup("/ecs/payments-api", [
      { timestamp: T - 10 * 60_000, message: "ERROR charge failed: connect ECONNREFUSED 10.0.4.7:5432" },
      { timestamp: T - 9 * 60_000, message: "ERROR charge failed: connect ECONNREFUSED 10.0.4.7:5432" },
      { timestamp: T - 8 * 60_000, message: "ERROR login failed for key AKIAIOSFODNN7EXAMPLE" },
      { timestamp: T - 7 * 60_000, message: "INFO healthy" }
    ]);
    fake.addGroup("/ecs/checkout", [{ timestamp: T - 60_000, message: "ERROR card declined" }]);
    const server = await fake.start();
    endpoint = server.endpoint;
    closers.push(server.close);
  });
  afterAll(async () => {
    for (const close of closers) await close();
  });
  const live = (extra: { readonly delayMs?: number } = {}) => {
    const client = new CloudWatchLogsClient({ endpoint, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    closers.push(async () => client.destroy());
    if (extra.delayMs !== undefined) fake.delay("DescribeLogGroups", extra.delayMs);
    return makeCloudWatchLogsTools({ client, region: "eu-west-1", pollIntervalMs: 20 });
  };

  it("search_logs reads the group's error lines, redacts secrets and groups patterns", async () => {
    const out = await run(live(), "search_logs", { log_group: "/ecs/payments-api", minutes: 30 });
    expect(out.text).toMatch(/^3 error lines in \/ecs\/payments-api from 2026-03-12T13:55:00Z to 2026-03-12T14:25:00Z; 2 patterns:\n×2 .*ECONNREFUSED/);
    expect(out.text).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(out.text).toContain("[REDACTED]");
    expect(out.text).not.toContain("INFO healthy");
    expect(out.findings?.[0]?.source).toBe("cloudwatch:/ecs/payments-api");
  });

  it("search_logs with a pattern asks FilterLogEvents for every word, and finds non-error lines", async () => {
    const out = await run(live(), "search_logs", { log_group: "/ecs/payments-api", pattern: "healthy", minutes: 30 });
    expect(out.text).toMatch(/^1 lines? containing "healthy" in \/ecs\/payments-api from .*\n×1 INFO healthy/);
    expect(fake.calls.some((c) => c.operation === "FilterLogEvents" && c.body["filterPattern"] === '"healthy"')).toBe(true);
  });

  it("list_log_groups asks DescribeLogGroups for the prefix", async () => {
    const out = await run(live(), "list_log_groups", { prefix: "/ecs/" });
    expect(out.text.split("\n").slice(1).map((l) => l.split(" ")[0])).toEqual(["/ecs/checkout", "/ecs/payments-api"]);
    expect(fake.calls.some((c) => c.operation === "DescribeLogGroups" && c.body["logGroupNamePrefix"] === "/ecs/")).toBe(true);
  });

  it("a hung endpoint past the deadline is a timeout", async () => {
    const tools = live({ delayMs: 3_000 });
    const err = await fail(tools, "list_log_groups", { prefix: "/ecs/" }, context(Date.now() + 300));
    expect(err.reason).toBe("timeout");
  });
});
