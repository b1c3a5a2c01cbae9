import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MOTO_SKIP_REASON, motoAvailable, type MotoServer, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliPutSecretValue, hydrateSecrets, parseDotEnv, planSecretWrites, type PutSecretValue } from "./hydrateSecrets.js";

const SLACK = { SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefghijklmnop", SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef" };
const DISCORD = {
  DISCORD_BOT_TOKEN: "MTExMTExMTExMTExMTExMTEx.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB",
  DISCORD_PUBLIC_KEY: "ab".repeat(32),
  DISCORD_APPLICATION_ID: "123456789012345678"
};
const VALUES = [...Object.values(SLACK), ...Object.values(DISCORD)];

const capture = () => {
  const lines: Array<string> = [];
  return { lines, io: { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) } };
};
const leaks = (lines: ReadonlyArray<string>) => VALUES.filter((v) => lines.some((l) => l.includes(v)));

const scratch = mkdtempSync(join(tmpdir(), "hydrate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("hydrate-secrets without AWS", () => {
  it("parses .env files with export prefixes, quotes and comments", () => {
    const parsed = parseDotEnv(`# slack\nexport SLACK_BOT_TOKEN="xoxb-1"\nSLACK_SIGNING_SECRET='abc' \nDISCORD_APPLICATION_ID=42 # app\n\n`, ".env");
    expect(parsed).toEqual(Result.succeed({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "abc", DISCORD_APPLICATION_ID: "42" }));
    const bad = parseDotEnv("SLACK_BOT_TOKEN=xoxb-1\nxoxb-secret-on-its-own\n", ".env");
    expect(Result.isFailure(bad) && bad.failure.message).toBe(".env:2: expected KEY=value");
  });

  it("plans one JSON secret per configured platform, named by project and stage", () => {
    const plan = planSecretWrites({ ...SLACK, ...DISCORD }, "sre-on-call", "prod");
    expect(Result.isSuccess(plan)).toBe(true);
    if (Result.isSuccess(plan)) {
      expect(plan.success.map((w) => w.secretId)).toEqual(["sre-on-call/prod/slack", "sre-on-call/prod/discord"]);
      expect(JSON.parse(plan.success[0]!.secretString)).toEqual(SLACK);
    }
  });

  it("writes the alert webhooks' credentials as a bearer token or as basic auth, never half of basic auth", () => {
    const bearer = planSecretWrites({ SRE_WEBHOOK_TOKEN: "0123456789abcdef0123" }, "sre-on-call", "prod");
    expect(Result.isSuccess(bearer) && bearer.success.map((w) => [w.secretId, JSON.parse(w.secretString)])).toEqual([["sre-on-call/prod/webhook", { SRE_WEBHOOK_TOKEN: "0123456789abcdef0123" }]]);
    const basic = planSecretWrites({ SRE_WEBHOOK_USERNAME: "alertmanager", SRE_WEBHOOK_PASSWORD: "correct horse battery" }, "sre-on-call", "prod");
    expect(Result.isSuccess(basic) && basic.success[0]!.keys).toEqual(["SRE_WEBHOOK_USERNAME", "SRE_WEBHOOK_PASSWORD"]);
    const half = planSecretWrites({ SRE_WEBHOOK_USERNAME: "alertmanager" }, "sre-on-call", "prod");
    expect(Result.isFailure(half) && half.failure.message).toContain("SRE_WEBHOOK_USERNAME set but SRE_WEBHOOK_PASSWORD not");
    const both = planSecretWrites({ SRE_WEBHOOK_TOKEN: "0123456789abcdef0123", SRE_WEBHOOK_USERNAME: "alertmanager", SRE_WEBHOOK_PASSWORD: "correct horse battery" }, "sre-on-call", "prod");
    expect(Result.isFailure(both) && both.failure.message).toMatch(/set exactly SRE_WEBHOOK_TOKEN, or SRE_WEBHOOK_USERNAME and SRE_WEBHOOK_PASSWORD/);
    const weak = planSecretWrites({ SRE_WEBHOOK_TOKEN: "short" }, "sre-on-call", "prod");
    expect(Result.isFailure(weak) && weak.failure.message).toContain("SRE_WEBHOOK_TOKEN: does not look like a token of at least 16 characters");
    expect(Result.isFailure(weak) && weak.failure.message).not.toContain("short\n");
  });

  it("names missing and malformed variables without echoing values", () => {
    const partial = planSecretWrites({ SLACK_BOT_TOKEN: SLACK.SLACK_BOT_TOKEN }, "sre-on-call", "prod");
    expect(Result.isFailure(partial) && partial.failure.message).toContain("SLACK_BOT_TOKEN set but SLACK_SIGNING_SECRET not");
    const wrong = planSecretWrites({ SLACK_BOT_TOKEN: "xoxp-user-token-123", SLACK_SIGNING_SECRET: SLACK.SLACK_SIGNING_SECRET }, "sre-on-call", "prod");
    expect(Result.isFailure(wrong) && wrong.failure.message).toContain("SLACK_BOT_TOKEN: does not look like a bot token");
    expect(Result.isFailure(wrong) && wrong.failure.message).not.toContain("xoxp-user-token-123");
    const none = planSecretWrites({}, "sre-on-call", "prod");
    expect(Result.isFailure(none) && none.failure.message).toContain("nothing to write");
  });

  it("dry-run reports the secrets and keys it would write and writes nothing", async () => {
    const calls: Array<string> = [];
    const put: PutSecretValue = (id) => (calls.push(id), Promise.resolve(undefined));
    const { lines, io } = capture();
    expect(await hydrateSecrets(["--stage", "prod", "--dry-run"], { ...SLACK }, io, put)).toBe(0);
    expect(calls).toEqual([]);
    expect(lines).toEqual(["would write SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET to sre-on-call/prod/slack"]);
  });

  it("lets the environment override the .env file", async () => {
    const file = join(scratch, "override.env");
    writeFileSync(file, `SLACK_BOT_TOKEN=xoxb-from-file-0000\nSLACK_SIGNING_SECRET=${SLACK.SLACK_SIGNING_SECRET}\n`);
    const written: Array<string> = [];
    const put: PutSecretValue = (_, value) => (written.push(value), Promise.resolve(undefined));
    expect(await hydrateSecrets(["--stage=dev", "--env-file", file], { SLACK_BOT_TOKEN: SLACK.SLACK_BOT_TOKEN }, capture().io, put)).toBe(0);
    expect(JSON.parse(written[0]!)).toEqual(SLACK);
  });

  it("fails with exit 2 on bad options and 1 on a failed write, printing no value", async () => {
    const bad = capture();
    expect(await hydrateSecrets(["--stag", "prod"], SLACK, bad.io)).toBe(2);
    expect(bad.lines.join("\n")).toContain("unknown option --stag");
    expect(await hydrateSecrets([], SLACK, bad.io)).toBe(2);
    const failing = capture();
    expect(await hydrateSecrets(["--stage", "prod"], SLACK, failing.io, () => Promise.resolve("AccessDenied"))).toBe(1);
    expect(failing.lines).toEqual(["hydrate-secrets: sre-on-call/prod/slack: AccessDenied"]);
    expect(leaks([...bad.lines, ...failing.lines])).toEqual([]);
  });

  it("prints usage on --help", async () => {
    const { lines, io } = capture();
    expect(await hydrateSecrets(["--help"], {}, io)).toBe(0);
    expect(lines.join("\n")).toContain("--dry-run");
  });
});

const AWS_CLI_MISSING = "the AWS CLI (aws) is not installed (apt-get install -y awscli; .ci/run does this)";
const awsCli = spawnSync("aws", ["--version"], { stdio: "ignore", timeout: 30_000 }).status === 0;
// In CI a missing AWS CLI fails the whole run up front (test/support/globalSetup.ts); here it only skips.
const available = motoAvailable() && awsCli;
const skipReason = awsCli ? MOTO_SKIP_REASON : `${AWS_CLI_MISSING}: hydrate-secrets against moto is skipped`;
if (!available) console.warn(`[skipped] ${skipReason}`);

describe.skipIf(!available)(`hydrate-secrets against Secrets Manager (moto_server)${available ? "" : ` (skipped: ${skipReason})`}`, () => {
  let moto: MotoServer;
  const cliEnv = () => ({
    PATH: process.env["PATH"] ?? "",
    HOME: scratch,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(scratch, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, "no-credentials")
  });
  const aws = (...args: ReadonlyArray<string>) => {
    const run = spawnSync("aws", [...args, "--endpoint-url", moto.endpoint, "--output", "json"], { env: cliEnv(), encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`aws ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
  };

  beforeAll(async () => {
    moto = await startMotoServer();
    for (const platform of ["slack", "discord"]) aws("secretsmanager", "create-secret", "--name", `sre-on-call/stage1/${platform}`);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("puts both platforms' values into the secrets the stack created", async () => {
    const file = join(scratch, "all.env");
    writeFileSync(file, Object.entries({ ...SLACK, ...DISCORD }).map(([k, v]) => `${k}=${v}`).join("\n"));
    const { lines, io } = capture();
    const code = await hydrateSecrets(["--stage", "stage1", "--env-file", file, "--endpoint-url", moto.endpoint, "--region", "us-east-1"], cliEnv(), io);
    expect(lines).toEqual([
      "wrote SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET to sre-on-call/stage1/slack",
      "wrote DISCORD_BOT_TOKEN, DISCORD_PUBLIC_KEY, DISCORD_APPLICATION_ID to sre-on-call/stage1/discord"
    ]);
    expect(code).toBe(0);
    const stored = (platform: string) => JSON.parse((JSON.parse(aws("secretsmanager", "get-secret-value", "--secret-id", `sre-on-call/stage1/${platform}`)) as { SecretString: string }).SecretString) as unknown;
    expect(stored("slack")).toEqual(SLACK);
    expect(stored("discord")).toEqual(DISCORD);
  }, 120_000);

  it("reports a secret that does not exist (stage not deployed) without echoing the value", async () => {
    const put = awsCliPutSecretValue({ env: cliEnv(), endpointUrl: moto.endpoint, region: "us-east-1" });
    const error = await put("sre-on-call/nostage/slack", JSON.stringify(SLACK));
    expect(error).toMatch(/ResourceNotFound|can't find|not find/i);
    expect(leaks([error ?? ""])).toEqual([]);
  }, 60_000);
});
