import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

const capture = (stdin = "") => {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdinLines: async function* () {
      for (const line of stdin.split("\n")) yield line;
    },
    stdinText: () => Promise.resolve(stdin),
    env: {},
    cwd: process.cwd(),
    isTty: false
  };
  return { io, out: () => out, err: () => err };
};

describe("sre-on-call classify", () => {
  it("prints the verdict with its tier and reasons", async () => {
    const c = capture();
    expect(await runCli(["classify", "<@U1> [FIRING:1] KubePodCrashLooping (payments api-1 critical)"], c.io)).toBe(0);
    expect(c.out()).toMatch(/^investigate \(tier 1\)\n  - Alertmanager notification, firing/);
  });

  it("--json prints one JSON object", async () => {
    const c = capture();
    expect(await runCli(["classify", "--json", "thanks!"], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ decision: "suppress", tier: 1, rule: "thanks" });
  });

  it("--jsonl classifies stdin line by line, echoing ids and reporting bad lines", async () => {
    const c = capture(['{"id":"a1","text":"pods stuck in Pending"}', '{"id":7,"text":"lol"}', "", "not json", '{"id":"x","txt":1}', '{"text":"please investigate"}'].join("\n"));
    expect(await runCli(["classify", "--jsonl"], c.io)).toBe(1);
    const lines = c
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ id: "a1", decision: "investigate", tier: 1 });
    expect(lines[1]).toMatchObject({ id: 7, decision: "suppress" });
    expect(lines[2]).toMatchObject({ line: 4 });
    expect(String(lines[2]!["error"])).toMatch(/invalid JSON/);
    expect(lines[3]).toMatchObject({ id: "x", line: 5 });
    expect(lines[4]).toMatchObject({ decision: "investigate", rule: "override" });
    expect(lines[4]).not.toHaveProperty("id");
    expect(c.err()).toMatch(/2 invalid input line/);
  });

  it("--no-gate investigates everything as tier 0", async () => {
    const c = capture();
    expect(await runCli(["classify", "--json", "--no-gate", "lol"], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ decision: "investigate", tier: 0 });
  });

  it.each([[["classify"]], [["classify", "a", "b"]], [["classify", "--jsonl", "text"]], [["classify", "--bogus", "x"]], [["nope"]]])("usage error %j exits 2 with a message", async (argv) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(/sre-on-call/);
  });

  it("--config applies the team's classifier.rules, and refuses a config whose rule is unusable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "classify-rules-"));
    const good = join(dir, "good.yaml");
    writeFileSync(good, 'classifier:\n  rules:\n    - { name: deploy-bot, pattern: "^deployed build #\\\\d+", decision: suppress, priority: 150, reason: "our deploy bot" }\n');
    const c = capture();
    expect(await runCli(["classify", "--config", good, "--json", "<@U1> Deployed build #4711 to prod"], c.io), c.err()).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ decision: "suppress", rule: "deploy-bot", reasons: ["our deploy bot"] });
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, 'classifier:\n  rules:\n    - { name: greedy, pattern: "(a+)+", decision: suppress, priority: 1 }\n');
    const b = capture();
    expect(await runCli(["classify", "--config", bad, "hello"], b.io)).toBe(1);
    expect(b.err()).toMatch(/classifier\.rules\[0\] \(greedy\): nested quantifiers/);
  });

  it("--help documents the command", async () => {
    const c = capture();
    expect(await runCli(["classify", "--help"], c.io)).toBe(0);
    expect(c.out()).toMatch(/--jsonl/);
    const top = capture();
    expect(await runCli(["--help"], top.io)).toBe(0);
    expect(top.out()).toMatch(/classify/);
  });

  it("works as a real process reading stdin (pnpm sre-on-call runs this entrypoint)", () => {
    const main = fileURLToPath(new URL("./main.ts", import.meta.url));
    const r = spawnSync(process.execPath, ["--import", "tsx", main, "classify", "--jsonl"], {
      input: '{"id":1,"text":"api 502s"}\n{"id":2,"text":"ty"}\n',
      encoding: "utf8",
      timeout: 90_000
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { decision: string }).map((v) => v.decision)).toEqual(["investigate", "suppress"]);
    const bad = spawnSync(process.execPath, ["--import", "tsx", main, "classify"], { encoding: "utf8", timeout: 90_000 });
    expect(bad.status).toBe(2);
  });
});
