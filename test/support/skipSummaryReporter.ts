import type { Reporter, TestCase, TestModule } from "vitest/node";

/** A suite or test that skips on a condition names why in its title: `… (skipped: <reason>)`. */
const STATED = /\(skipped: (.+)\)\s*$/;

const reasonOf = (test: TestCase): string => {
  const result = test.result();
  if (result.state === "skipped" && result.note !== undefined && result.note !== "") return result.note;
  for (let node: TestCase | TestCase["parent"] = test; node.type !== "module"; node = node.parent) {
    const stated = STATED.exec(node.name)?.[1];
    if (stated !== undefined) return stated;
  }
  return test.options.mode === "todo" ? "marked todo" : "no reason stated (it.skip, .only elsewhere, or a -t filter)";
};

/**
 * Prints, after every run, how many tests were skipped and why, one line per reason, so a test
 * that cannot run on this machine (moto_server where CI cannot install it) never passes unnoticed.
 */
export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const reasons = new Map<string, { tests: number; files: Set<string> }>();
    for (const module of testModules) {
      for (const test of module.children.allTests("skipped")) {
        const reason = reasonOf(test);
        const entry = reasons.get(reason) ?? { tests: 0, files: new Set<string>() };
        entry.tests++;
        entry.files.add(module.moduleId);
        reasons.set(reason, entry);
      }
    }
    const total = [...reasons.values()].reduce((n, r) => n + r.tests, 0);
    if (total === 0) return;
    const lines = [...reasons.entries()]
      .sort((a, b) => b[1].tests - a[1].tests)
      .map(([reason, r]) => `  ${String(r.tests).padStart(4)} in ${r.files.size} file${r.files.size === 1 ? "" : "s"}: ${reason}`);
    process.stdout.write(`\n${total} test${total === 1 ? "" : "s"} skipped:\n${lines.join("\n")}\n`);
  }
}
