import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { AgentTool, ToolOutput } from "@sre-on-call/core";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAlert } from "../../eks/testing/makeAlert.js";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, type MotoServer, startMotoServer } from "../testing/motoServer.js";
import { makeCloudWatchLogsTools } from "./cloudWatchLogsTools.js";

const available = motoAvailable();
if (!available) console.warn(MOTO_SKIP_REASON);

/** The tools over real CloudWatch Logs API semantics (DescribeLogGroups, FilterLogEvents filter patterns) from moto_server. */
describe.skipIf(!available)(`CloudWatch Logs tools against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer;
  let client: CloudWatchLogsClient;
  let tools: ReadonlyArray<AgentTool>;
  // moto keeps events of the last two weeks; the alert is "now".
  const T = Date.now() - 60_000;
  const alert = makeAlert({ labels: { alertname: "PaymentsApiErrors", namespace: "payments" }, at: T });
  const run = (name: string, input: unknown): Promise<ToolOutput> => Effect.runPromise(tools.find((t) => t.name === name)!.run(input, { alert, deadline: Date.now() + 20_000 }));

  beforeAll(async () => {
    moto = await startMotoServer();
    client = new CloudWatchLogsClient(motoClientConfig(moto.endpoint));
    for (const g of ["/ecs/payments-api", "/ecs/payments-worker", "/ecs/checkout"]) await client.send(new CreateLogGroupCommand({ logGroupName: g }));
    await client.send(new CreateLogStreamCommand({ logGroupName: "/ecs/payments-api", logStreamName: "api/1" }));
    await client.send(
      new PutLogEventsCommand({
        logGroupName: "/ecs/payments-api",
        logStreamName: "api/1",
        logEvents: [
          { timestamp: T - 300_000, message: "INFO migration 2024_03 started" },
          { timestamp: T - 200_000, message: "ERROR migration 2024_03 failed: could not write: No space left on device" },
          { timestamp: T - 100_000, message: "ERROR POST /v1/charges -> 500" },
          { timestamp: T - 90_000, message: "ERROR POST /v1/charges -> 500" }
        ]
      })
    );
    tools = makeCloudWatchLogsTools({ ...motoClientConfig(moto.endpoint), insights: false });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it("list_log_groups lists the groups under a prefix", async () => {
    const out = await run("list_log_groups", { prefix: "/ecs/payments" });
    expect(out.text.split("\n").slice(1).map((l) => l.split(" ")[0])).toEqual(["/ecs/payments-api", "/ecs/payments-worker"]);
  });

  it("search_logs without a pattern: the error lines, grouped, with the full disk as a finding", async () => {
    const out = await run("search_logs", { prefix: "/ecs/payments", minutes: 30 });
    expect(out.text).toMatch(/^3 error lines in \/ecs\/payments-api, \/ecs\/payments-worker from .*; 2 patterns:\n×2 ERROR POST \/v<num>\/charges -> <num>/);
    expect(out.findings?.map((f) => [f.severity, f.metadata["cause"]])).toEqual([["critical", "disk-full"]]);
  });

  it("search_logs with a pattern follows one thread through every level", async () => {
    const out = await run("search_logs", { log_group: "/ecs/payments-api", pattern: "migration 2024_03", minutes: 30 });
    expect(out.text).toMatch(/^2 lines containing "migration 2024_03" in \/ecs\/payments-api from /);
    expect(out.text).toContain("INFO migration 2024_03 started");
    expect(out.text).not.toContain("/v1/charges");
  });
});
