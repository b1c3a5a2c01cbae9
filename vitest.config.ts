import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/*/src/**/*.test.ts"
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // In CI a missing Prometheus, Alertmanager or AWS CLI fails the run up front.
    globalSetup: ["test/support/globalSetup.ts"],
    // The summary ends with how many tests were skipped, and why.
    reporters: ["default", "./test/support/skipSummaryReporter.ts"]
  }
});
