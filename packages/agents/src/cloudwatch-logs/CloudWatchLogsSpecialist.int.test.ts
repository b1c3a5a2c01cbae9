import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { specialistContract } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAlert } from "../eks/testing/makeAlert.js";
import { makeCloudWatchLogsSpecialist } from "./CloudWatchLogsSpecialist.js";
import { makeCloudWatchLogsSource } from "./source/CloudWatchLogsSource.js";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, type MotoServer, startMotoServer } from "./testing/motoServer.js";
import { paymentsOutageLines } from "./testing/syntheticLogs.js";

const available = motoAvailable();
if (!available) console.warn(MOTO_SKIP_REASON);

/** Real CloudWatch Logs API semantics (groups, streams, PutLogEvents, pagination, FilterLogEvents) from moto_server. */
describe.skipIf(!available)(`CloudWatch Logs specialist against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer;
  let client: CloudWatchLogsClient;
  // moto keeps events of the last two weeks; the alert is "now".
  const T = Date.now() - 60_000;
  const alert = makeAlert({ labels: { alertname: "PaymentsApiErrors", namespace: "payments", deployment: "api", cluster: "prod" }, at: T });

  const put = async (group: string, stream: string, events: ReadonlyArray<{ timestamp: number; message: string }>) => {
    for (let i = 0; i < events.length; i += 5_000)
      await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.slice(i, i + 5_000).map((e) => ({ timestamp: e.timestamp, message: e.message })) }));
  };

  beforeAll(async () => {
    moto = await startMotoServer();
    client = new CloudWatchLogsClient(motoClientConfig(moto.endpoint));
    const groups = ["/aws/containerinsights/prod/application", "/aws/containerinsights/prod/performance", "/ecs/checkout", ...Array.from({ length: 75 }, (_, i) => `/aws/lambda/fn-${String(i).padStart(3, "0")}`)];
    for (const g of groups) await client.send(new CreateLogGroupCommand({ logGroupName: g }));
    await client.send(new CreateLogStreamCommand({ logGroupName: "/aws/containerinsights/prod/application", logStreamName: "api-7d9f8b6c5-x2x9z_payments_api" }));
    await put("/aws/containerinsights/prod/application", "api-7d9f8b6c5-x2x9z_payments_api", paymentsOutageLines({ lines: 3_000, start: T - 20 * 60_000, end: T }));
    await client.send(new CreateLogStreamCommand({ logGroupName: "/ecs/checkout", logStreamName: "web/1" }));
    await put("/ecs/checkout", "web/1", [{ timestamp: T - 30_000, message: "ERROR card declined" }]);
    await client.send(new CreateLogStreamCommand({ logGroupName: "/aws/lambda/fn-007", logStreamName: "2026/04/02/[$LATEST]abc" }));
    await put("/aws/lambda/fn-007", "2026/04/02/[$LATEST]abc", Array.from({ length: 40 }, (_, i) => ({ timestamp: T - 40_000 + i, message: i < 8 ? `ERROR Task timed out after ${i}.01 seconds` : `START RequestId: ${i}` })));
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  const specialist = (insights: boolean) => makeCloudWatchLogsSpecialist({ ...motoClientConfig(moto.endpoint), insights, pollIntervalMs: 20 });

  for (const c of specialistContract({ make: async () => ({ specialist: specialist(false), alert }) })) it(c.name, c.run);

  it("paginates DescribeLogGroups: a full listing finds groups past the first page of 50", async () => {
    const source = makeCloudWatchLogsSource({ client });
    const listing = await Effect.runPromise(source.listGroups({ prefixes: [], fullListing: true, deadline: Date.now() + 10_000 }));
    expect(listing.groups).toHaveLength(78);
    expect(listing.complete).toBe(true);
    expect(listing.groups.find((g) => g.name === "/aws/containerinsights/prod/application")?.storedBytes).toBeGreaterThan(100_000);
  });

  it("FilterLogEvents fallback: reads the discovered group in pages and groups the errors", async () => {
    const result = await Effect.runPromise(specialist(false).investigate(alert, { deadline: Date.now() + 20_000 }));
    expect(result.status).toBe("success");
    const extra = result.metadata.extra as { method: string; groups: Array<{ name: string }>; lines: number; patterns: number };
    expect(extra.method).toBe("filter-log-events");
    // The cluster's application group and its performance group exist and match; nothing was invented.
    expect(extra.groups.map((g) => g.name)).toEqual(["/aws/containerinsights/prod/application", "/aws/containerinsights/prod/performance"]);
    expect(extra.lines).toBeGreaterThan(1_900);
    expect(extra.patterns).toBeLessThanOrEqual(6);
    expect(result.hypotheses[0]?.title).toBe("payments/api: Connections to 10.0.3.17:5432 are refused");
    expect(result.findings[0]!.deepLink).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:logs-insights\$3FqueryDetail\$3D/);
  });

  it("with Insights on, moto's unfiltered query answer is filtered again on the client to the same result", async () => {
    const viaInsights = await Effect.runPromise(specialist(true).investigate(alert, { deadline: Date.now() + 20_000 }));
    const viaFilter = await Effect.runPromise(specialist(false).investigate(alert, { deadline: Date.now() + 20_000 }));
    expect((viaInsights.metadata.extra as { method: string }).method).toBe("insights");
    expect(viaInsights.findings.map((f) => [f.metadata["pattern"], f.metadata["count"]])).toEqual(viaFilter.findings.map((f) => [f.metadata["pattern"], f.metadata["count"]]));
  });

  it("a Lambda alert finds its function's group through the /aws/lambda/ prefix", async () => {
    const lambdaAlert = makeAlert({ labels: { alertname: "LambdaErrors", function_name: "fn-007" }, at: T });
    const result = await Effect.runPromise(specialist(false).investigate(lambdaAlert, { deadline: Date.now() + 20_000 }));
    expect((result.metadata.extra as { groups: Array<{ name: string }> }).groups.map((g) => g.name)).toEqual(["/aws/lambda/fn-007"]);
    expect(result.findings[0]!.content).toMatch(/^8 error lines \(100%\) in \/aws\/lambda\/fn-007, .*: ERROR Task timed out after <num> seconds$/);
  });

  it("snapshot: moto does not evaluate Insights stats, so the busiest groups are counted with FilterLogEvents", async () => {
    const section = await Effect.runPromise(specialist(true).snapshot({ deadline: Date.now() + 20_000 }));
    expect(section.agent).toBe("cloudwatch-logs");
    const first = section.findings[0]!;
    expect(first.metadata["logGroup"]).toBe("/aws/containerinsights/prod/application");
    expect(first.metadata["method"]).toBe("filter-log-events");
    // The synthetic outage spreads 3,000 lines over 20 minutes: those in the last 15 are counted.
    expect(first.metadata["events"]).toBeGreaterThan(2_000);
    expect(first.metadata["errors"]).toBeGreaterThan(1_400);
    expect(section.health).toBe("degraded");
    expect(section.summary).toMatch(/^Top \d log groups? by ingestion in the last 15 min: \/aws\/containerinsights\/prod\/application \(\d+ errors\)/);
    expect(section.findings.some((f) => f.metadata["reason"] === "unavailable")).toBe(true);
  });
});
