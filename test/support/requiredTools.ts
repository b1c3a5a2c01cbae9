/**
 * The external programs the test suite runs against, and what CI requires of them. Debian
 * packages Prometheus and Alertmanager, so `.ci/run` installs them and a CI run without one
 * fails with the install hint. `moto_server` is the exception: CI's machines have no PyPI and
 * Debian does not package moto, so its tests skip there, loudly (see `skipSummaryReporter.ts`);
 * the AWS CLI is used only by a test that also needs moto, so it is not required either.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface RequiredTool {
  readonly name: string;
  /** Why it is needed and how to install it. */
  readonly hint: string;
  readonly present: (env: NodeJS.ProcessEnv) => boolean;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** An explicit path from `variable`, else the first of `names` on PATH (or in /usr/bin). */
const onPath = (names: ReadonlyArray<string>, variable: string) => (env: NodeJS.ProcessEnv): boolean => {
  const explicit = env[variable];
  if (explicit !== undefined && explicit !== "") return executable(explicit);
  const dirs = [...(env["PATH"] ?? "").split(delimiter).filter((d) => d !== ""), "/usr/bin"];
  return names.some((name) => dirs.some((dir) => executable(join(dir, name))));
};

export const REQUIRED_IN_CI: ReadonlyArray<RequiredTool> = [
  { name: "prometheus", hint: "apt-get install -y prometheus (or set PROMETHEUS_BIN)", present: onPath(["prometheus"], "PROMETHEUS_BIN") },
  { name: "promtool", hint: "apt-get install -y prometheus (or set PROMTOOL_BIN)", present: onPath(["promtool"], "PROMTOOL_BIN") },
  {
    name: "prometheus-alertmanager",
    hint: "apt-get install -y prometheus-alertmanager (or set ALERTMANAGER_BIN)",
    present: onPath(["prometheus-alertmanager", "alertmanager"], "ALERTMANAGER_BIN")
  }
];

export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean => env["CI"] !== undefined && env["CI"] !== "" && env["CI"] !== "false";

/** The required tools missing here, each with its install hint. */
export const missingTools = (env: NodeJS.ProcessEnv = process.env): ReadonlyArray<RequiredTool> => REQUIRED_IN_CI.filter((t) => !t.present(env));
