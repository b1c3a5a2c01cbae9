import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The Vitest configuration Stryker runs (see scripts/mutation.ts): only the test files that
 * cover the module under mutation (`MUTATION_TESTS`, comma-separated), and the workspace
 * packages resolved inside this directory. Stryker copies the repository to a sandbox and
 * mutates the copy, but pnpm's `@sre-on-call/*` links point back at the original tree: without
 * these aliases a test importing `@sre-on-call/core` would exercise unmutated code.
 */
const root = dirname(fileURLToPath(import.meta.url));
const tests = (process.env["MUTATION_TESTS"] ?? "").split(",").filter((t) => t !== "");
if (tests.length === 0) throw new Error("vitest.mutation.config.ts: set MUTATION_TESTS (run it through `pnpm mutation`)");

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sre-on-call\/core\/testing$/, replacement: join(root, "packages/core/src/testing/index.ts") },
      { find: /^@sre-on-call\/(core|adapters|agents|deploy)$/, replacement: join(root, "packages/$1/src/index.ts") },
      { find: /^@sre-on-call\/(adapters|agents|deploy)\/(.+)$/, replacement: join(root, "packages/$1/src/$2.ts") }
    ]
  },
  test: {
    include: tests,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks"
  }
});
