import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url)).replace(/\/$/, "");
const SCRIPT = join(ROOT, "scripts/build-and-push.sh");
const PASSWORD = "ecr-password-3f9a1c";

/** Stand-ins for aws, docker and git that log their arguments (and docker's stdin) to files. */
const stubs = (repositories: string) => {
  const dir = mkdtempSync(join(tmpdir(), "build-and-push-"));
  const write = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/bash\necho "$*" >> "${dir}/${name}.log"\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  write(
    "aws",
    `case "$1 $2" in
  "sts get-caller-identity") echo 123456789012 ;;
  "ecr describe-repositories") printf '%s\\n' "${repositories}" ;;
  "ecr get-login-password") echo "${PASSWORD}" ;;
  *) exit 1 ;;
esac`
  );
  write("docker", `if [ "$1" = login ]; then cat > "${dir}/login.stdin"; fi`);
  write("git", `case "$1" in rev-parse) echo abc123def456 ;; status) ;; esac`);
  return dir;
};

const dirs: Array<string> = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const run = (args: ReadonlyArray<string>, repositories = "sre-on-call-prod/eks\tsre-on-call-prod/master") => {
  const dir = stubs(repositories);
  dirs.push(dir);
  const result = spawnSync("/bin/bash", [SCRIPT, ...args], { cwd: ROOT, encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir }, timeout: 60_000 });
  const log = (name: string) => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return "";
    }
  };
  return { ...result, docker: log("docker.log"), aws: log("aws.log"), loginStdin: log("login.stdin") };
};

describe("scripts/build-and-push.sh", () => {
  it("builds one arm64 image, tags it for every agent repository of the stage and pushes it", () => {
    const r = run(["--stage", "prod", "--region", "eu-west-1"]);
    expect(r.stderr).toContain("2 agent(s) [eks,master]");
    expect(r.status).toBe(0);
    const registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    expect(r.docker.split("\n")).toContain(`login --username AWS --password-stdin ${registry}`);
    expect(r.docker).toContain(
      `buildx build --platform linux/arm64 --provenance=false --tag ${registry}/sre-on-call-prod/eks:abc123def456 --tag ${registry}/sre-on-call-prod/master:abc123def456 --push ${ROOT}`
    );
    expect(r.stdout.trim().split("\n").at(-1)).toBe("abc123def456");
    expect(r.aws).toContain("starts_with(repositoryName, 'sre-on-call-prod/')");
  });

  it("hands the registry password to docker on stdin, never in arguments", () => {
    const r = run(["--stage", "prod", "--region", "eu-west-1"]);
    expect(r.loginStdin.trim()).toBe(PASSWORD);
    expect(`${r.docker}${r.aws}${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
  });

  it("pushes only the agents asked for, with the tag asked for", () => {
    const r = run(["--stage", "prod", "--region", "eu-west-1", "--agents", "master", "--tag", "v1.2.3"]);
    expect(r.status).toBe(0);
    expect(r.docker).toMatch(/--tag \S+\/sre-on-call-prod\/master:v1\.2\.3 --push/);
    expect(r.docker).not.toContain("/eks:");
    expect(r.aws).not.toContain("describe-repositories");
  });

  it("stops with a readable error before building when the stage has no repositories", () => {
    const r = run(["--stage", "dev", "--region", "eu-west-1"], "");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no ECR repositories named sre-on-call-dev/<agent> in eu-west-1; run npx sst@4 deploy --stage dev first");
    expect(r.docker).toBe("");
  });

  it("rejects bad options and prints help", () => {
    expect(run([]).stderr).toContain("--stage is required");
    expect(run(["--stage", "Prod"]).status).toBe(2);
    expect(run(["--stage", "prod", "--region", "eu-west-1", "--tag", "bad tag"]).stderr).toContain("not a valid image tag");
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: scripts/build-and-push.sh --stage <stage>");
  });

  it("prints the commands without running docker on --dry-run", () => {
    const r = run(["--stage", "prod", "--region", "eu-west-1", "--dry-run"]);
    expect(r.status).toBe(0);
    expect(r.docker).toBe("");
    expect(r.stdout).toContain("+ docker buildx build --platform linux/arm64");
  });
});
