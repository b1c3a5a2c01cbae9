import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./CliIo.js";
import { runCli } from "./runCli.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const capture = () => {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd: ROOT, isTty: false };
  return { io, out: () => out, err: () => err };
};

describe("sre-on-call snapshot", () => {
  it("prints every agent's health over the example's offline sources", async () => {
    const c = capture();
    expect(await runCli(["snapshot", "--cluster-dump", "examples/payments-outage/cluster-dump", "--logs", "examples/payments-outage/logs"], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/Health snapshot — degraded/);
    expect(c.out()).toMatch(/payments\/payments-db-0/);
    expect(c.out()).toMatch(/payments-api: \d+ events/);
    expect(c.err()).toMatch(/asking eks, cloudwatch-logs/);
  });

  it("exits 2 on an unusable source or format", async () => {
    const c = capture();
    expect(await runCli(["snapshot", "--cluster-dump", "nope"], c.io)).toBe(2);
    expect(c.err()).toMatch(/Kubernetes data source/);
    const f = capture();
    expect(await runCli(["snapshot", "--format", "xml"], f.io)).toBe(2);
  });
});
