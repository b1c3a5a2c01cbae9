import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeOpenAi, startFakeOpenAi } from "@sre-on-call/adapters/model/openai/testing/fakeOpenAi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

/*
 * `investigate` honours `mode: agent` from config.yaml as `serve` does: the EKS agent offers its
 * tools to the model (the fake OpenAI server on 127.0.0.1), the tool call reads the payments
 * outage's cluster dump, and the report keeps every deterministic finding.
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const usage = { inputTokens: 800, outputTokens: 90 };
let openai: FakeOpenAi;

beforeAll(async () => {
  openai = await startFakeOpenAi();
});
afterAll(async () => {
  await openai.close();
});

const run = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env, cwd: ROOT, isTty: false };
  const code = await runCli(args, io);
  return { code, out, err };
};

describe("investigate in agent mode", () => {
  it("runs the EKS agent's model ↔ tool loop on the cluster dump and keeps the deterministic report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-agent-mode-cli-"));
    const config = join(dir, "config.yaml");
    writeFileSync(
      config,
      [
        `store: { directory: ${JSON.stringify(join(dir, "store"))} }`,
        "agents:",
        "  incident-history: { enabled: false }",
        "  eks:",
        "    mode: agent",
        "    model: openai:gpt-4o-mini",
        "    max_tool_cycles: 2",
        `    data_source: { cluster_dump: ${JSON.stringify(join(ROOT, "examples/payments-outage/cluster-dump"))} }`
      ].join("\n")
    );
    const args = ["investigate", "--alert", "examples/payments-outage/alert.json", "--config", config, "--format", "json", "--model", "none"];
    const env = { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: "sk-test" };
    const before = openai.requests().length;
    openai.script([
      { content: [{ type: "toolUse", id: "c1", name: "pod_logs", input: { namespace: "payments", pod: "payments-db-0", previous: true } }], stopReason: "tool_use", usage },
      { content: [{ type: "text", text: "The database ran out of disk." }], stopReason: "end_turn", usage },
      { content: [{ type: "text", text: JSON.stringify({ summary: "payments-db-0 cannot write: no space left on device", hypotheses: [] }) }], stopReason: "end_turn", usage }
    ]);
    const r = await run(args, env);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/eks runs in agent mode/);
    const sent = openai.requests().slice(before);
    expect(sent).toHaveLength(3);
    expect(JSON.stringify((sent[1]!.body as { messages: unknown }).messages)).toMatch(/No space left on device/i);
    const report = JSON.parse(r.out) as { hypotheses: ReadonlyArray<{ title: string }>; cost: { lines: ReadonlyArray<{ scope: string; modelId: string }> } };
    expect(report.hypotheses[0]?.title).toMatch(/payments-db|disk|space/i);
    expect(report.cost.lines).toEqual(expect.arrayContaining([expect.objectContaining({ scope: "eks", modelId: "gpt-4o-mini" })]));
  });
});
