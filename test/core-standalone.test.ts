/**
 * `@sre-on-call/core` as a library: the compiled ESM output (what `publishConfig` points at)
 * loads in plain Node without a TypeScript loader, writes nothing and sets no globals on import,
 * and works with `effect` as its only runtime dependency.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CORE = fileURLToPath(new URL("../packages/core/", import.meta.url));

describe("@sre-on-call/core standalone", () => {
  it("depends on effect alone at run time", () => {
    const pkg = JSON.parse(readFileSync(`${CORE}package.json`, "utf8")) as { dependencies: Record<string, string>; sideEffects: boolean };
    expect(Object.keys(pkg.dependencies)).toEqual(["effect"]);
    expect(pkg.sideEffects).toBe(false);
  });

  it("its compiled output imports in plain node with no output and no new globals, and classifies", () => {
    const build = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-b", `${CORE}tsconfig.json`], { encoding: "utf8", timeout: 120_000 });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const script = `
      const before = new Set(Object.getOwnPropertyNames(globalThis));
      const core = await import(${JSON.stringify(`${CORE}dist/index.js`)});
      const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k));
      const v = core.classifyTier1("<@U1> pods stuck in Pending");
      process.stderr.write(JSON.stringify({ added, decision: v.decision, exports: Object.keys(core).length }));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: CORE, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    const result = JSON.parse(r.stderr) as { added: Array<string>; decision: string; exports: number };
    expect(result.added).toEqual([]);
    expect(result.decision).toBe("investigate");
    expect(result.exports).toBeGreaterThan(50);
  });
});
