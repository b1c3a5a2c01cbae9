/**
 * The external programs the test suite runs against, and what CI requires of them. Debian
 * packages Prometheus, Alertmanager and the AWS CLI, so `.ci/run` installs them and a CI run
 * without one fails with the install hint. `moto_server` is the exception: CI's machines have
 * no PyPI and Debian does not package moto, so its tests skip there, loudly (see
 * `skipSummaryReporter.ts`).
 */
import { spawnSync } from "node:child_process";
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

/** The AWS CLI command that answers `--version`: `aws` on PATH, else Debian's `/usr/bin/aws`. */
export const awsCommand = (env: NodeJS.ProcessEnv = process.env): string | undefined =>
  ["aws", "/usr/bin/aws"].find((command) => spawnSync(command, ["--version"], { env, stdio: "ignore", timeout: 30_000 }).status === 0);

export const REQUIRED_IN_CI: ReadonlyArray<RequiredTool> = [
  { name: "prometheus", hint: "apt-get install -y prometheus (or set PROMETHEUS_BIN)", present: onPath(["prometheus"], "PROMETHEUS_BIN") },
  { name: "promtool", hint: "apt-get install -y prometheus (or set PROMTOOL_BIN)", present: onPath(["promtool"], "PROMTOOL_BIN") },
  {
    name: "prometheus-alertmanager",
    hint: "apt-get install -y prometheus-alertmanager (or set ALERTMANAGER_BIN)",
    present: onPath(["prometheus-alertmanager", "alertmanager"], "ALERTMANAGER_BIN")
  },
  // A pyenv shim can sit on PATH without the program behind it: ask it for its version.
  // Debian's /usr/bin/aws counts too when a broken shim comes first on PATH.
  { name: "aws", hint: "apt-get install -y awscli", present: (env) => awsCommand(env) !== undefined }
];

export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean => env["CI"] !== undefined && env["CI"] !== "" && env["CI"] !== "false";

/** The required tools missing here, each with its install hint. */
export const missingTools = (env: NodeJS.ProcessEnv = process.env): ReadonlyArray<RequiredTool> => REQUIRED_IN_CI.filter((t) => !t.present(env));
