/**
 * Runs the benchmarks under bench/ one after another, each in its own process so one does not
 * warm or pollute another. Usage:
 *   pnpm bench                 # every benchmark
 *   pnpm bench classifier eks  # only these
 *   pnpm bench --list
 * BENCH_SECONDS sets the measuring time per case where a benchmark supports it.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .sort();
const args = process.argv.slice(2);
if (args.includes("--list") || args.includes("--help")) {
  console.log(`benchmarks: ${available.join(", ")}\nusage: pnpm bench [name...]`);
  process.exit(0);
}
const unknown = args.filter((a) => !available.includes(a));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of args.length > 0 ? args : available) {
  console.log(`\n=== bench/${name}.ts`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `${dir}${name}.ts`], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
