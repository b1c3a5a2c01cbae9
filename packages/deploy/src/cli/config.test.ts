import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const capture = (cwd: string) => {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdinLines: async function* () {},
    stdinText: () => Promise.resolve(""),
    env: {},
    cwd,
    isTty: false
  };
  return { io, out: () => out, err: () => err };
};

describe("sre-on-call config validate", () => {
  it("accepts the repository's config.yaml", async () => {
    const c = capture(repoRoot);
    expect(await runCli(["config", "validate"], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/is valid/);
  });

  it("prints the effective configuration with defaults filled in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-config-"));
    writeFileSync(join(dir, "config.yaml"), "project: demo\n");
    const c = capture(dir);
    expect(await runCli(["config", "validate", "--print"], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ project: "demo", investigation: { report_after_seconds: 60, hard_cutoff_seconds: 300 } });
  });

  it("names the key and the fix for each problem and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-config-"));
    writeFileSync(join(dir, "bad.yaml"), "agents:\n  master:\n    enabled: false\n");
    const c = capture(dir);
    expect(await runCli(["config", "validate", "--config", "bad.yaml"], c.io)).toBe(1);
    expect(c.err()).toMatch(/agents\.master\.enabled: .*cannot be disabled/);
  });

  it("reports a missing file and a missing subcommand clearly", async () => {
    const c = capture(tmpdir());
    expect(await runCli(["config", "validate", "-c", "nope.yaml"], c.io)).toBe(1);
    expect(c.err()).toMatch(/file not found/);
    const u = capture(tmpdir());
    expect(await runCli(["config"], u.io)).toBe(2);
  });
});
