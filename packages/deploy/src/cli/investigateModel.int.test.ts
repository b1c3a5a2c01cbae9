import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeBedrock, startFakeBedrock } from "@sre-on-call/adapters/model/bedrock/testing/fakeBedrock";
import { type FakeOpenAi, startFakeOpenAi } from "@sre-on-call/adapters/model/openai/testing/fakeOpenAi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SYNTHESIS_MODELS } from "../runtime/InvestigationRunner.js";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

/*
 * `investigate --model` end to end: the payments outage is investigated from its cluster dump
 * and logs, and the synthesis call goes over the real wire (OpenAI chat completions over HTTP,
 * Bedrock Converse over HTTP/2 with SigV4) to the in-repo fake servers on 127.0.0.1.
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const ARGS = ["investigate", "--alert", "examples/payments-outage/alert.json", "--cluster-dump", "examples/payments-outage/cluster-dump", "--logs", "examples/payments-outage/logs", "-q"];

const capture = (env: Record<string, string> = {}) => {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdinLines: async function* () {},
    stdinText: () => Promise.resolve(""),
    env,
    cwd: ROOT,
    isTty: false
  };
  return { io, out: () => out, err: () => err };
};

interface JsonReport {
  readonly summary: string;
  readonly hypotheses: ReadonlyArray<{ readonly title: string; readonly confidence: string; readonly evidence: ReadonlyArray<string> }>;
  readonly findings: ReadonlyArray<{ readonly id: string; readonly agent: string }>;
  readonly impact: string;
  readonly cost: { readonly lines: ReadonlyArray<{ readonly scope: string; readonly modelId: string; readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number }> };
  readonly report: { readonly hypotheses: ReadonlyArray<{ readonly chain?: ReadonlyArray<string> }> };
}

let baseline: JsonReport;
/** A synthesis answer citing the findings the deterministic top hypothesis rests on. */
let answer: unknown;
const USAGE = { inputTokens: 2_412, outputTokens: 587 };

beforeAll(async () => {
  const c = capture();
  expect(await runCli([...ARGS, "--format", "json", "--model", "none"], c.io), c.err()).toBe(0);
  baseline = JSON.parse(c.out()) as JsonReport;
  const top = baseline.hypotheses[0]!;
  const logs = baseline.findings.filter((f) => f.agent === "cloudwatch-logs").map((f) => f.id);
  answer = {
    rootCause: {
      title: top.title,
      detail: "The database volume is full; PostgreSQL crash-loops and the api's connections are refused.",
      confidence: "high",
      citations: top.evidence,
      chain: [
        { text: "volume data-payments-db-0 is full", citations: top.evidence.slice(0, 1) },
        { text: "payments-db crash-loops", citations: top.evidence.slice(0, 2) },
        { text: "payments/api connections to 172.20.91.7:5432 are refused", citations: top.evidence.slice(-1) },
        { text: "POST /v1/charges answers 500", citations: logs.length > 0 ? logs.slice(0, 1) : top.evidence.slice(-1) }
      ],
      confirmBy: "df -h in payments-db-0"
    },
    competing: [],
    ruledOut: [],
    impact: { text: "Every charge fails with a 500 while the database is down.", citations: top.evidence.slice(-1) },
    actions: [{ text: "Check the volume usage of payments-db-0 and grow the PVC", citations: top.evidence.slice(0, 1) }]
  };
});

const structuredTurn = () => ({ content: [{ type: "text" as const, text: JSON.stringify(answer) }], stopReason: "end_turn" as const, usage: USAGE });

describe("investigate --model openai (fake OpenAI server)", () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: "sk-test-0123456789abcdefghij" });
  });
  afterAll(async () => {
    await fake.close();
  });
  const env = () => ({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-test-0123456789abcdefghij" });

  it("makes one structured synthesis call, keeps the cited root cause on top, and bills it", async () => {
    fake.script([structuredTurn()]);
    const before = fake.received().length;
    const c = capture(env());
    expect(await runCli([...ARGS, "--format", "json", "--model", "openai"], c.io), c.err()).toBe(0);
    const calls = fake.received().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ callSite: expect.any(String), modelId: DEFAULT_SYNTHESIS_MODELS.openai, responseSchema: { name: "incident_synthesis" } });
    const r = JSON.parse(c.out()) as JsonReport;
    expect(r.hypotheses[0]?.title).toBe(baseline.hypotheses[0]?.title);
    expect(r.hypotheses[0]?.confidence).toBe(baseline.hypotheses[0]?.confidence);
    expect(r.report.hypotheses[0]?.chain).toHaveLength(4);
    expect(r.summary).toMatch(/Synthesised by gpt-4o-mini/);
    expect(r.impact).toMatch(/^Every charge fails with a 500/);
    expect(r.cost.lines).toEqual([{ scope: "synthesis", modelId: "gpt-4o-mini", inputTokens: 2_412, outputTokens: 587, costUsd: (2_412 * 0.15 + 587 * 0.6) / 1e6 }]);
  });

  it("shows the tokens and cost of the call in the report footer", async () => {
    fake.script([structuredTurn()]);
    const c = capture(env());
    expect(await runCli([...ARGS, "--model", "openai:gpt-4o-mini"], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/gpt-4o-mini · 2,412 in \/ 587 out tokens · \$0\.000/);
    expect(c.out()).not.toMatch(/no known price/i);
  });

  it("applies the configured redaction.patterns to the prompt and the printed report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-models-"));
    const config = join(dir, "config.yaml");
    // The database's service address stands in for anything an operator wants kept out of prompts.
    writeFileSync(config, 'redaction:\n  patterns:\n    - "172\\\\.20\\\\.91\\\\.7"\n');
    fake.script([structuredTurn()]);
    const before = fake.received().length;
    const c = capture(env());
    expect(await runCli([...ARGS, "--format", "json", "--model", "openai", "--config", config], c.io), c.err()).toBe(0);
    const sent = JSON.stringify(fake.received().slice(before));
    expect(sent).toContain("[REDACTED]");
    expect(sent).not.toContain("172.20.91.7");
    expect(c.out()).not.toContain("172.20.91.7");
    expect(JSON.stringify(baseline)).toContain("172.20.91.7");
  });

  it("refuses an unusable redaction pattern, naming the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-models-"));
    const config = join(dir, "config.yaml");
    writeFileSync(config, 'redaction:\n  patterns:\n    - "(unclosed"\n');
    const c = capture(env());
    const status = await runCli([...ARGS, "--model", "openai", "--config", config], c.io);
    expect(c.err()).toMatch(/redaction\.patterns/);
    expect(status).toBeGreaterThan(0);
  });

  it("falls back to the deterministic report when the server fails", async () => {
    fake.failNext("server", 10);
    const c = capture(env());
    expect(await runCli([...ARGS, "--format", "json", "--model", "openai"], c.io), c.err()).toBe(0);
    const r = JSON.parse(c.out()) as JsonReport;
    expect(r.hypotheses.map((h) => h.title)).toEqual(baseline.hypotheses.map((h) => h.title));
    expect(r.summary).toBe(baseline.summary);
    expect(r.cost.lines).toEqual([]);
    fake.failNext("server", 0);
  });
});

describe("investigate --model bedrock (fake Bedrock server)", () => {
  let fake: FakeBedrock;
  const saved: Record<string, string | undefined> = {};
  const AWS_VARS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"];
  beforeAll(async () => {
    fake = await startFakeBedrock();
    // The Bedrock adapter takes credentials from the SDK's default chain, which reads the process environment.
    for (const k of AWS_VARS) saved[k] = process.env[k];
    delete process.env["AWS_SESSION_TOKEN"];
    delete process.env["AWS_PROFILE"];
    process.env["AWS_ACCESS_KEY_ID"] = fake.credentials.accessKeyId;
    process.env["AWS_SECRET_ACCESS_KEY"] = fake.credentials.secretAccessKey;
  });
  afterAll(async () => {
    for (const k of AWS_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await fake.close();
  });

  it("answers through the forced structured tool, keeps the cited root cause on top, and shows tokens and cost", async () => {
    fake.script([{ content: [{ type: "toolUse", id: "tooluse_1", name: "incident_synthesis", input: answer }], stopReason: "tool_use", usage: USAGE }]);
    const c = capture({ SRE_BEDROCK_ENDPOINT: fake.url, AWS_REGION: fake.region });
    expect(await runCli([...ARGS, "--model", "bedrock"], c.io), c.err()).toBe(0);
    expect(fake.unexpected()).toEqual([]);
    const converse = fake.requests().filter((r) => r.operation === "converse");
    expect(converse).toHaveLength(1);
    expect(converse[0]?.modelId).toBe(DEFAULT_SYNTHESIS_MODELS.bedrock);
    const out = c.out();
    expect(out.split("### Most likely cause")[1] ?? "").toMatch(/payments-db's volume data-payments-db-0 \(20Gi\) is full/);
    expect(out).toMatch(/Synthesised by global\.anthropic\.claude-sonnet-4-5/);
    expect(out).toMatch(/claude-sonnet-4-5-20250929 · 2,412 in \/ 587 out tokens · \$0\.016/);
  });
});

describe("investigate --model: usage", () => {
  it("refuses a spec that names no provider, with exit status 2", async () => {
    const c = capture();
    expect(await runCli([...ARGS, "--model", "gpt4"], c.io)).toBe(2);
    expect(c.err()).toMatch(/--model must be none, bedrock, openai/);
  });

  it("documents --model in --help", async () => {
    const c = capture();
    expect(await runCli(["investigate", "--help"], c.io)).toBe(0);
    expect(c.out() + c.err()).toMatch(/--model SPEC[\s\S]*gpt-4o-mini[\s\S]*docs\/models\.md/);
  });
});
