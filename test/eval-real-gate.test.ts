import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIo } from "@sre-on-call/deploy/cli/CliIo";
import { runCli } from "@sre-on-call/deploy/cli/runCli";
import { describe, expect, it } from "vitest";

/*
 * The accuracy gate on real material: every case in examples/real-incidents (public incident
 * threads with a confirmed cause, converted without adding evidence) through `sre-on-call eval`
 * with the embedded defaults and no model. The floors only go up: raise them when a change makes
 * more cases pass, never lower them to let a change in.
 *
 * History: 2026-12-07, 70 cases at the first measurement: 11 hits (15.7 %), 12 high-confidence wrong.
 */
const MIN_ACCURACY = "0.15";
const MAX_HIGH_CONFIDENCE_WRONG = "12";
const MIN_CASES = 70;

const CASES = fileURLToPath(new URL("../examples/real-incidents/", import.meta.url));

describe("offline evaluation gate on real incidents", () => {
  it(`examples/real-incidents: accuracy ≥ ${MIN_ACCURACY}, at most ${MAX_HIGH_CONFIDENCE_WRONG} high-confidence wrong answers`, async () => {
    let out = "";
    let err = "";
    const io: CliIo = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      stdinLines: async function* () {},
      stdinText: () => Promise.resolve(""),
      env: {},
      cwd: mkdtempSync(join(tmpdir(), "eval-real-gate-")),
      isTty: false
    };
    const status = await runCli(["eval", "--scenarios", CASES, "--format", "json", "--min-accuracy", MIN_ACCURACY, "--max-high-confidence-wrong", MAX_HIGH_CONFIDENCE_WRONG, "--quiet"], io);
    const report = JSON.parse(out) as { runs: ReadonlyArray<{ summary: { scenarios: number; realMaterial: number; errors: number } }>; gate: { failures: ReadonlyArray<string> } };
    expect(status, `${err}\n${report.gate.failures.join("\n")}`).toBe(0);
    const summary = report.runs[0]!.summary;
    // Every case loads, and every case is real material (it records its source).
    expect(summary.scenarios).toBeGreaterThanOrEqual(MIN_CASES);
    expect(summary.realMaterial).toBe(summary.scenarios);
    expect(summary.errors).toBe(0);
  }, 180_000);
});
