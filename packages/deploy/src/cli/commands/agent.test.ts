import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../CliIo.js";
import { runCli } from "../runCli.js";

const run = async (args: ReadonlyArray<string>, configText = "agents:\n  eks: { enabled: false }\n") => {
  const dir = mkdtempSync(join(tmpdir(), "sre-agent-cli-"));
  writeFileSync(join(dir, "config.yaml"), configText);
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd: dir, isTty: false };
  const code = await runCli(args, io);
  return { code, out, err };
};

describe("sre-on-call agent serve", () => {
  it("--help explains the A2A contract, the agents and the endpoint variables", async () => {
    const r = await run(["agent", "serve", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/agent serve --id ID/);
    expect(r.out).toMatch(/\/\.well-known\/agent-card\.json/);
    expect(r.out).toMatch(/HealthyBusy/);
    expect(r.out).toMatch(/CLOUDWATCH_LOGS_AGENT_URL/);
  });

  it("is listed in the main help", async () => {
    expect((await run(["--help"])).out).toMatch(/agent\s+serve one agent/);
  });

  it("refuses an unknown agent with exit status 2 and the list of agents", async () => {
    const r = await run(["agent", "serve", "--id", "kafka", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown agent "kafka"; the agents are: master, eks, cloudwatch-logs/);
  });

  it("refuses a disabled agent with exit status 2", async () => {
    const r = await run(["agent", "serve", "--id", "eks", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/agent "eks" is disabled in config.yaml/);
  });

  it("usage mistakes exit 2 with the fix", async () => {
    expect((await run(["agent", "serve"])).err).toMatch(/--id is required/);
    expect((await run(["agent"])).code).toBe(2);
    expect((await run(["agent", "start", "--id", "eks"])).err).toMatch(/unknown subcommand "start"/);
    expect((await run(["agent", "serve", "--id", "eks", "--port", "99999"])).err).toMatch(/--port must be/);
  });
});
