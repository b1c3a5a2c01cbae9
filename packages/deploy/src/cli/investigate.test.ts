import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PLANTED_SECRETS } from "@sre-on-call/core/testing";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const ALERT = "examples/payments-outage/alert.json";
const DUMP = "examples/payments-outage/cluster-dump";

const capture = (cwd = ROOT) => {
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

describe("sre-on-call investigate", () => {
  it("investigates the bundled payments outage: the full database volume comes first, progress on stderr", async () => {
    const c = capture();
    expect(await runCli(["investigate", "--alert", ALERT, "--cluster-dump", DUMP], c.io), c.err()).toBe(0);
    const firstHypothesis = c.out().split("### Most likely cause")[1] ?? "";
    expect(firstHypothesis).toMatch(/payments-db's volume data-payments-db-0 \(20Gi\) is full/);
    expect(c.out()).toMatch(/kubectl -n payments patch pvc data-payments-db-0/);
    expect(c.err()).toMatch(/eks: ok in/);
  });

  it("a resolved-only payload says nothing is firing and succeeds, with no report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "investigate-resolved-"));
    const payload = JSON.parse(readFileSync(join(ROOT, ALERT), "utf8")) as { status: string; alerts: Array<Record<string, unknown>> };
    const resolved = { ...payload, status: "resolved", alerts: payload.alerts.map((a) => ({ ...a, status: "resolved", endsAt: "2026-03-12T14:40:00Z" })) };
    writeFileSync(join(dir, "resolved.json"), JSON.stringify(resolved));
    const c = capture();
    expect(await runCli(["investigate", "--alert", join(dir, "resolved.json"), "--cluster-dump", DUMP], c.io), c.err()).toBe(0);
    expect(c.err()).toMatch(/nothing is firing: .* holds 1 resolved alert \(.+\); nothing to investigate\./);
    expect(c.out()).toBe("");
  });

  it("--format json prints the documented shape", async () => {
    const c = capture();
    expect(await runCli(["investigate", "--alert", ALERT, "--cluster-dump", DUMP, "--format", "json", "--quiet"], c.io)).toBe(0);
    expect(c.err()).toBe("");
    const r = JSON.parse(c.out()) as Record<string, unknown> & { hypotheses: Array<Record<string, unknown>>; agents: Array<Record<string, unknown>>; findings: Array<unknown> };
    expect(r).toMatchObject({ severity: "critical", investigationId: expect.stringMatching(/^inv-/) });
    expect(r.hypotheses[0]).toMatchObject({ confidence: "high", title: expect.stringMatching(/volume .* is full/) });
    expect((r.hypotheses[0]!["evidence"] as Array<string>).length).toBeGreaterThan(0);
    expect(r.agents[0]).toMatchObject({ agent: "eks", state: "ok", durationMs: expect.any(Number) });
    expect(r.findings.length).toBeGreaterThan(5);
    expect(typeof r["summary"]).toBe("string");
  });

  it("takes a plain-text alert (file or --text) and writes --out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sre-inv-"));
    writeFileSync(join(dir, "alert.txt"), "[FIRING:1] payments api in namespace payments is returning 500s, pods not ready\n");
    const c = capture();
    expect(await runCli(["investigate", "--alert", join(dir, "alert.txt"), "--at", "2026-03-12T14:20:00Z", "--cluster-dump", DUMP, "--out", join(dir, "report.md")], c.io), c.err()).toBe(0);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toMatch(/payments-db/);
    const t = capture();
    expect(await runCli(["investigate", "--text", "payments/api pods crash looping", "--at", "2026-03-12T14:20:00Z", "--cluster-dump", DUMP, "--format", "markdown", "-q"], t.io)).toBe(0);
    expect(t.out()).toMatch(/payments-db/);
  });

  it("--logs adds the offline CloudWatch Logs specialist, whose patterns support the database cause", async () => {
    const c = capture();
    expect(await runCli(["investigate", "--alert", ALERT, "--cluster-dump", DUMP, "--logs", "examples/payments-outage/logs", "--format", "json", "-q"], c.io), c.err()).toBe(0);
    const r = JSON.parse(c.out()) as { agents: Array<{ agent: string; state: string; findings: number }>; findings: Array<{ agent: string; content: string }>; hypotheses: Array<{ title: string }> };
    expect(r.agents.find((a) => a.agent === "cloudwatch-logs")).toMatchObject({ state: "ok" });
    expect(r.findings.filter((f) => f.agent === "cloudwatch-logs").map((f) => f.content).join("\n")).toMatch(/No space left on device/);
    expect(r.hypotheses[0]!.title).toMatch(/volume .* is full/);
  });

  it("an unreachable Prometheus is reported as such and never holds the report", async () => {
    const c = capture();
    expect(await runCli(["investigate", "--alert", ALERT, "--cluster-dump", DUMP, "--prometheus", "http://127.0.0.1:9", "--format", "json", "-q"], c.io), c.err()).toBe(0);
    const r = JSON.parse(c.out()) as { agents: Array<{ agent: string; state: string }>; hypotheses: Array<{ title: string }> };
    expect(r.agents.map((a) => a.agent)).toEqual(["eks", "prometheus", "cloudwatch-logs", "incident-history"]);
    expect(r.agents[1]!.state).not.toBe("ok");
    expect(r.hypotheses[0]!.title).toMatch(/volume .* is full/);
  });

  it("prints no planted secret: not in the progress line that quotes the alert, the report, or an error", async () => {
    const c = capture();
    const text = `payments api returns 500s ${PLANTED_SECRETS.map((s) => s.text).join(" ; ")}`;
    expect(await runCli(["investigate", "--text", text, "--at", "2026-03-12T14:20:00Z", "--cluster-dump", DUMP], c.io), c.err()).toBe(0);
    expect(c.err()).toMatch(/investigating inv-\S+: payments api returns 500s/);
    const dir = mkdtempSync(join(tmpdir(), "sre-inv-"));
    writeFileSync(join(dir, "alert.json"), `{"alerts": ${PLANTED_SECRETS[0]!.text}}`);
    const bad = capture();
    expect(await runCli(["investigate", "--alert", join(dir, "alert.json"), "--cluster-dump", DUMP], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/looks like JSON but does not parse/);
    for (const s of PLANTED_SECRETS) {
      for (const core of s.cores) {
        for (const out of [c.out(), c.err(), bad.err()]) expect(out).not.toContain(core);
      }
    }
    expect(bad.err()).not.toContain("AKIAQ3");
  });

  it.each([
    [["investigate", "--alert", "nope.json", "--cluster-dump", DUMP], /no such file/],
    [["investigate", "--alert", ALERT, "--cluster-dump", "packages"], /Kubernetes data source/],
    [["investigate", "--alert", ALERT, "--text", "x"], /exactly one of --alert/],
    [["investigate", "--alert", ALERT, "--format", "yaml"], /--format must be one of/],
    [["investigate"], /exactly one of --alert/],
    [["investigate", "--alert", ALERT, "--prometheus", "prom:9090"], /--prometheus must be an http/]
  ])("exits 2 with a clear message: %j", async (argv, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(message);
  });
});
