import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { AgentFailure, type AgentResult } from "@sre-on-call/core";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect, Exit } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { makeAlert } from "../eks/testing/makeAlert.js";
import { makeCloudWatchLogsSpecialist, type CloudWatchLogsSpecialistOptions } from "./CloudWatchLogsSpecialist.js";
import { FakeCloudWatchLogs } from "./testing/FakeCloudWatchLogs.js";
import { paymentsOutageLines } from "./testing/syntheticLogs.js";

const T = Date.parse("2026-04-02T09:30:00Z");
const alert = makeAlert({ labels: { alertname: "PaymentsApiErrors", namespace: "payments", deployment: "api", cluster: "prod" }, at: T });

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** A fake account with the payments API's group, a noisy neighbour and unrelated groups. */
const seeded = (lines = 2_000) => {
  const fake = new FakeCloudWatchLogs();
  fake.addGroup("/aws/containerinsights/prod/application", paymentsOutageLines({ lines, start: T - 20 * 60_000, end: T }).map((l) => ({ ...l })));
  fake.addGroup("/ecs/checkout", [{ timestamp: T - 60_000, message: "ERROR checkout failed: card declined" }]);
  fake.addGroup("/aws/lambda/report-generator", [{ timestamp: T - 60_000, message: "ERROR out of memory" }]);
  for (let i = 0; i < 120; i++) fake.addGroup(`/aws/lambda/unrelated-${String(i).padStart(3, "0")}`);
  return fake;
};

const specialistOn = async (fake: FakeCloudWatchLogs, options: Partial<CloudWatchLogsSpecialistOptions> = {}) => {
  const server = await fake.start();
  closers.push(server.close);
  const client = new CloudWatchLogsClient({ endpoint: server.endpoint, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  closers.push(async () => client.destroy());
  return makeCloudWatchLogsSpecialist({ client, region: "eu-west-1", pollIntervalMs: 20, ...options });
};

const investigate = (s: Awaited<ReturnType<typeof specialistOn>>, deadlineMs = 10_000) => Effect.runPromise(s.investigate(alert, { deadline: Date.now() + deadlineMs }));

const failureOf = async (effect: Effect.Effect<unknown, AgentFailure>) => {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  expect(reason?._tag).toBe("Fail");
  return (reason as { error: AgentFailure }).error;
};

/** Decodes the console's JSURL `queryDetail` back into a value. */
const decodeDetail = (url: string): Record<string, unknown> => {
  const fragment = url.split("#logsV2:logs-insights")[1]!;
  const decoded = decodeURIComponent(fragment.replace(/\$/g, "%"));
  expect(decoded.startsWith("?queryDetail=")).toBe(true);
  const s = decoded.slice("?queryDetail=".length);
  let i = 0;
  const str = () => {
    let out = "";
    while (i < s.length && !"~)".includes(s[i]!)) {
      if (s[i] === "*") {
        const long = s[i + 1] === "*";
        const len = long ? 4 : 2;
        const start = i + (long ? 2 : 1);
        out += String.fromCharCode(parseInt(s.slice(start, start + len), 16));
        i = start + len;
      } else if (s[i] === "!") {
        out += "$";
        i++;
      } else out += s[i++];
    }
    return out;
  };
  const value = (): unknown => {
    expect(s[i]).toBe("~");
    i++;
    if (s[i] === "'") {
      i++;
      return str();
    }
    if (s[i] === "(") {
      i++;
      if (s[i] === "~") {
        const arr: Array<unknown> = [];
        while (s[i] !== ")") arr.push(value());
        i++;
        return arr;
      }
      const obj: Record<string, unknown> = {};
      while (s[i] !== ")") {
        const key = str();
        obj[key] = value();
        if (s[i] === "~" && s[i + 1] !== "'" && s[i + 1] !== "(") i++;
      }
      i++;
      return obj;
    }
    const raw = str();
    return raw === "true" ? true : raw === "false" ? false : Number(raw);
  };
  return value() as Record<string, unknown>;
};

describe("CloudWatch Logs specialist over the AWS JSON protocol (Logs Insights fake)", () => {
  for (const c of specialistContract({ make: async () => ({ specialist: await specialistOn(seeded()), alert }) })) it(c.name, c.run);

  it("finds the alert's group without guessing, runs one Insights query with the error filter over the window, and groups 1,400 lines into a handful of patterns", async () => {
    const fake = seeded();
    const result = await investigate(await specialistOn(fake));
    expect(result.status).toBe("success");
    const starts = fake.calls.filter((c) => c.operation === "StartQuery");
    expect(starts).toHaveLength(1);
    const body = starts[0]!.body;
    expect(body["logGroupNames"]).toEqual(["/aws/containerinsights/prod/application"]);
    expect(String(body["queryString"])).toContain("filter @message like /(?i)(error|exception|fatal|panic|timeout|refused|denied)/");
    expect(body["startTime"]).toBe(Math.floor(alert.window.start / 1000));
    expect(body["endTime"]).toBe(Math.ceil(alert.window.end / 1000));
    // Discovery asked for the conventional prefixes and listed everything, and only read what exists.
    const prefixes = fake.calls.filter((c) => c.operation === "DescribeLogGroups").map((c) => c.body["logGroupNamePrefix"]);
    expect(prefixes).toEqual(expect.arrayContaining(["/aws/eks/prod/", "/aws/containerinsights/prod/application", "/ecs/api", "/aws/lambda/api", undefined]));
    expect(fake.count("FilterLogEvents")).toBe(0);
    const extra = result.metadata.extra as { lines: number; patterns: number; method: string };
    expect(extra.method).toBe("insights");
    expect(extra.patterns).toBeLessThanOrEqual(6);
    expect(extra.lines).toBeGreaterThan(1_300);
    const top = result.findings[0]!;
    expect(top.content).toMatch(/^1,\d{3} error lines \(7\d%\) in \/aws\/containerinsights\/prod\/application, 09:\d\d:\d\d–09:\d\d:\d\dZ: <ts> ERROR pq: dial tcp <ip>:<num>: connect: connection refused \(request <uuid>, attempt <num>\)$/);
    expect(top.severity).toBe("high");
    expect(top.source).toBe("cloudwatch:/aws/containerinsights/prod/application");
    expect((top.metadata["exemplars"] as Array<string>)).toHaveLength(2);
    const counts = result.findings.filter((f) => typeof f.metadata["count"] === "number").reduce((s, f) => s + (f.metadata["count"] as number), 0);
    expect(counts).toBe(extra.lines);
    expect(JSON.stringify(result.findings)).not.toContain("INFO request");
  });

  it("proposes the dominant cause named by the lines, citing its finding", async () => {
    const result = await investigate(await specialistOn(seeded()));
    expect(result.hypotheses).toHaveLength(1);
    const h = result.hypotheses[0]!;
    expect(h.title).toBe("payments/api: Connections to 10.0.3.17:5432 are refused");
    expect(h.confidence).toBe("medium");
    expect(h.supportingFindings).toEqual([result.findings[0]!.id]);
    expect(result.summary).toMatch(/Likely: payments\/api: Connections to 10\.0\.3\.17:5432 are refused$/);
  });

  it("links every pattern to Logs Insights with the group, the window and a query that finds its lines", async () => {
    const result = await investigate(await specialistOn(seeded()));
    const top = result.findings[0]!;
    expect(top.deepLink).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(/);
    expect(top.deepLink).not.toMatch(/[\s"<>|{}`]/);
    const detail = decodeDetail(top.deepLink!);
    expect(detail["source"]).toEqual(["/aws/containerinsights/prod/application"]);
    expect(detail["start"]).toBe(new Date(alert.window.start).toISOString());
    expect(detail["end"]).toBe(new Date(alert.window.end).toISOString());
    expect(detail["timeType"]).toBe("ABSOLUTE");
    const query = String(detail["editorString"]);
    expect(query).toContain("filter @message like /");
    // The link's query, run on the same data, returns exactly that pattern's lines.
    const fake = seeded();
    const server = await fake.start();
    closers.push(server.close);
    const client = new CloudWatchLogsClient({ endpoint: server.endpoint, region: "eu-west-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    const { StartQueryCommand, GetQueryResultsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
    const { queryId } = await client.send(new StartQueryCommand({ logGroupNames: detail["source"] as Array<string>, startTime: Math.floor(alert.window.start / 1000), endTime: Math.ceil(alert.window.end / 1000), queryString: query.replace("limit 200", "limit 10000") }));
    const rows = await client.send(new GetQueryResultsCommand({ queryId: queryId! }));
    expect(rows.statistics?.recordsMatched).toBe(top.metadata["count"]);
    client.destroy();
  });

  it("a hung query is stopped at the deadline and its partial rows are reported with status timeout", async () => {
    const fake = seeded();
    fake.queryBehaviour = { neverCompletes: true, partialRows: 300 };
    const started = Date.now();
    const result = await investigate(await specialistOn(fake), 1_500);
    expect(Date.now() - started).toBeLessThan(1_500 + 1_000);
    expect(result.status).toBe("timeout");
    expect(result.error).toBe("deadline reached before the log search finished");
    expect(result.summary).toMatch(/^Partial \(deadline reached while reading CloudWatch Logs eu-west-1\): /);
    expect(fake.count("StopQuery")).toBe(1);
    expect([...fake.queries.values()][0]?.status).toBe("Cancelled");
    const patterns = result.findings.filter((f) => typeof f.metadata["count"] === "number");
    expect(patterns.reduce((s, f) => s + (f.metadata["count"] as number), 0)).toBeGreaterThan(0);
    expect(patterns.reduce((s, f) => s + (f.metadata["count"] as number), 0)).toBeLessThanOrEqual(300);
  });

  it("FilterLogEvents cut by the deadline keeps the pages it read (status timeout)", async () => {
    const fake = seeded();
    fake.filterPageSize = 500;
    fake.delay("FilterLogEvents", 10_000, (body) => body["nextToken"] !== undefined);
    const result = await investigate(await specialistOn(fake, { insights: false }), 1_500);
    expect(result.status).toBe("timeout");
    const extra = result.metadata.extra as { lines: number; method: string };
    expect(extra.method).toBe("filter-log-events");
    // The filter pattern is evaluated server-side: the first page holds 500 error lines; the hung second page is dropped.
    expect(extra.lines).toBe(500);
    expect(fake.count("FilterLogEvents")).toBe(2);
    expect(result.hypotheses[0]?.title).toBe("payments/api: Connections to 10.0.3.17:5432 are refused");
  });

  it("a query that completes after a few polls is read whole", async () => {
    const fake = seeded(400);
    fake.queryBehaviour = { runningPolls: 3 };
    const result = await investigate(await specialistOn(fake));
    expect(result.status).toBe("success");
    expect(fake.count("GetQueryResults")).toBe(4);
    expect(fake.count("StopQuery")).toBe(0);
  });

  it("AccessDenied on StartQuery falls back to FilterLogEvents and says so in a finding", async () => {
    const fake = seeded();
    fake.fail("StartQuery", "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/sre/bot is not authorized to perform: logs:StartQuery");
    const result = await investigate(await specialistOn(fake));
    expect(result.status).toBe("success");
    expect((result.metadata.extra as { method: string }).method).toBe("filter-log-events");
    const calls = fake.calls.filter((c) => c.operation === "FilterLogEvents");
    expect(calls.map((c) => c.body["logGroupName"])).toEqual(["/aws/containerinsights/prod/application"]);
    expect(String(calls[0]!.body["filterPattern"])).toContain("?refused");
    expect(result.hypotheses[0]?.title).toBe("payments/api: Connections to 10.0.3.17:5432 are refused");
    const denied = result.findings.find((f) => f.metadata["reason"] === "access-denied");
    expect(denied?.content).toMatch(/^Access denied reading StartQuery \(StartQuery\): AccessDeniedException: User: .* logs:StartQuery; read with FilterLogEvents instead$/);
  });

  it("AccessDenied on everything is a typed 'unavailable' failure naming the missing action", async () => {
    const fake = seeded();
    fake.fail("DescribeLogGroups", "AccessDeniedException", "not authorized to perform: logs:DescribeLogGroups");
    const failure = await failureOf((await specialistOn(fake)).investigate(alert, { deadline: Date.now() + 5_000 }));
    expect(failure).toBeInstanceOf(AgentFailure);
    expect(failure.kind).toBe("unavailable");
    expect(failure.reason).toContain("access-denied");
    expect(failure.reason).toContain("(needs logs:DescribeLogGroups)");
    expect(failure.reason).not.toContain("test"); // no credentials in errors
  });

  it("throttled Insights falls back; throttled reads of one group become a finding, not a crash", async () => {
    const fake = seeded();
    fake.addGroup("/ecs/api", [{ timestamp: T - 120_000, message: "ERROR dial tcp 10.0.3.17:5432: connect: connection refused" }]);
    fake.fail("StartQuery", "LimitExceededException", "Maximum concurrent queries reached");
    fake.fail("FilterLogEvents", "ThrottlingException", "Rate exceeded", 1);
    const result = await investigate(await specialistOn(fake));
    expect(result.status).toBe("success");
    const reasons = result.findings.flatMap((f) => (typeof f.metadata["reason"] === "string" ? [f.metadata["reason"]] : []));
    expect(reasons).toContain("throttled");
    expect(result.findings.some((f) => /^CloudWatch Logs throttled FilterLogEvents/.test(f.content))).toBe(true);
    expect(result.findings.some((f) => typeof f.metadata["count"] === "number")).toBe(true);
  });

  it("throttling everywhere is a typed failure", async () => {
    const fake = seeded();
    fake.fail("DescribeLogGroups", "ThrottlingException", "Rate exceeded");
    const failure = await failureOf((await specialistOn(fake)).investigate(alert, { deadline: Date.now() + 5_000 }));
    expect(failure.kind).toBe("unavailable");
    expect(failure.reason).toMatch(/throttled: ThrottlingException: Rate exceeded/);
  });

  it("a group deleted between listing and reading is a finding", async () => {
    const fake = seeded();
    fake.addGroup("/ecs/api", [{ timestamp: T - 120_000, message: "ERROR boom" }]);
    const original = fake.groups;
    fake.fail("StartQuery", "ResourceNotFoundException", "Log group /ecs/api does not exist");
    const specialist = await specialistOn(fake);
    const run = specialist.investigate(alert, { deadline: Date.now() + 5_000 });
    // Delete after discovery: the first FilterLogEvents on /ecs/api finds it gone.
    const orig = fake.calls.push.bind(fake.calls);
    fake.calls.push = (...items) => {
      if (items.some((c) => c.operation === "FilterLogEvents")) original.delete("/ecs/api");
      return orig(...items);
    };
    const result: AgentResult = await Effect.runPromise(run);
    const gone = result.findings.find((f) => f.metadata["reason"] === "not-found" && f.metadata["logGroup"] === "/ecs/api");
    expect(gone?.content).toMatch(/^Log group \/ecs\/api does not exist \(any more\)/);
    expect(result.findings.some((f) => typeof f.metadata["count"] === "number")).toBe(true);
  });

  it("an alert matching no existing group reads nothing and says what it searched", async () => {
    const fake = seeded();
    const specialist = await specialistOn(fake);
    const other = makeAlert({ labels: { alertname: "InventoryDown", namespace: "inventory", deployment: "stock" }, at: T });
    const result = await Effect.runPromise(specialist.investigate(other, { deadline: Date.now() + 5_000 }));
    expect(result.status).toBe("success");
    expect(fake.count("StartQuery") + fake.count("FilterLogEvents")).toBe(0);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.content).toMatch(/^No log group in CloudWatch Logs eu-west-1 matches the alert \(searched prefixes \/ecs\/stock, \/aws\/lambda\/stock, .* for stock, inventory\)$/);
    expect(specialist.skipReason?.(makeAlert({ labels: {}, at: T }))).toMatch(/names no service/);
  });

  it("configured prefixes restrict the search (no full listing)", async () => {
    const fake = seeded();
    const result = await investigate(await specialistOn(fake, { logGroupPrefixes: ["/ecs/"] }));
    expect(fake.calls.filter((c) => c.operation === "DescribeLogGroups").map((c) => c.body["logGroupNamePrefix"])).toEqual(["/ecs/"]);
    expect(result.findings[0]!.content).toMatch(/^No log group/);
  });

  it("snapshot: top groups by ingestion in the last 15 minutes with their error counts (Insights stats)", async () => {
    const now = Date.now();
    const fake = new FakeCloudWatchLogs();
    fake.addGroup("/aws/lambda/busy", Array.from({ length: 300 }, (_, i) => ({ timestamp: now - 60_000 - i, message: i % 3 === 0 ? `ERROR failed ${i}` : `INFO ok ${i}` })));
    fake.addGroup("/aws/lambda/quiet", [{ timestamp: now - 120_000, message: "INFO started" }]);
    fake.addGroup("/aws/lambda/old", [{ timestamp: now - 3_600_000, message: "ERROR long ago" }]);
    const s = await specialistOn(fake);
    const section = await Effect.runPromise(s.snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.state).toBe("ok");
    expect(section.health).toBe("degraded");
    expect(section.findings.map((f) => f.content)).toEqual([
      expect.stringMatching(/^\/aws\/lambda\/busy: 300 events \(\d\.\d KB\) in the last 15 min, 100 error lines \(33\.3%\)$/),
      "/aws/lambda/quiet: 1 events (12 B) in the last 15 min, 0 error lines (0.0%)"
    ]);
    expect(section.findings[0]!.severity).toBe("high");
    expect(section.findings[0]!.deepLink).toContain("#logsV2:logs-insights$3FqueryDetail$3D~(");
    const queries = fake.calls.filter((c) => c.operation === "StartQuery").map((c) => String(c.body["queryString"]));
    expect(queries.some((q) => q.startsWith("stats count(*) as events"))).toBe(true);
  });

  it("snapshot without Insights counts recent events with FilterLogEvents", async () => {
    const now = Date.now();
    const fake = new FakeCloudWatchLogs();
    fake.addGroup("/aws/lambda/busy", Array.from({ length: 50 }, (_, i) => ({ timestamp: now - 60_000 - i, message: i < 10 ? `ERROR failed ${i}` : `INFO ok ${i}` })));
    fake.fail("StartQuery", "AccessDeniedException", "no Insights for you");
    const section = await Effect.runPromise((await specialistOn(fake)).snapshot({ deadline: Date.now() + 10_000 }));
    expect(section.findings[0]!.content).toMatch(/^\/aws\/lambda\/busy: 50 events \(.*\) in the last 15 min, 10 error lines \(20\.0%\)$/);
    expect(section.findings.some((f) => f.metadata["reason"] === "access-denied")).toBe(true);
  });

  it("a hung DescribeLogGroups still answers by the deadline (typed timeout)", async () => {
    const fake = seeded();
    fake.delay("DescribeLogGroups", 5_000);
    const started = Date.now();
    const exit = await Effect.runPromiseExit((await specialistOn(fake)).investigate(alert, { deadline: Date.now() + 800 }));
    expect(Date.now() - started).toBeLessThan(800 + 1_000);
    expect(Exit.isFailure(exit)).toBe(true);
    const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined;
    expect((reason as { error: AgentFailure } | undefined)?.error.kind).toBe("timeout");
  });
});
