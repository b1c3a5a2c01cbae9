import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Result, Schema } from "effect";
import { secretName } from "./names.js";

/** Hydration could not run; the message names the variable or option and never holds a value. */
export class HydrateError extends Schema.TaggedError<HydrateError>()("HydrateError", {
  reason: Schema.String
}) {
  override get message(): string {
    return this.reason;
  }
}

export type Platform = "slack" | "discord" | "webhook";

/** The environment variables each secret may hold (as one JSON object). */
export const SECRET_KEYS: Readonly<Record<Platform, ReadonlyArray<string>>> = {
  slack: ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"],
  discord: ["DISCORD_BOT_TOKEN", "DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID"],
  webhook: ["SRE_WEBHOOK_TOKEN", "SRE_WEBHOOK_USERNAME", "SRE_WEBHOOK_PASSWORD"]
};

/** The complete sets of variables a secret can be written with: the alert webhooks take a bearer token or basic auth. */
const KEY_SETS: Readonly<Record<Platform, ReadonlyArray<ReadonlyArray<string>>>> = {
  slack: [SECRET_KEYS.slack],
  discord: [SECRET_KEYS.discord],
  webhook: [["SRE_WEBHOOK_TOKEN"], ["SRE_WEBHOOK_USERNAME", "SRE_WEBHOOK_PASSWORD"]]
};

const SHAPES: Readonly<Record<string, { readonly pattern: RegExp; readonly hint: string }>> = {
  SLACK_BOT_TOKEN: { pattern: /^xoxb-[A-Za-z0-9-]+$/, hint: "a bot token (xoxb-…, Slack app → OAuth & Permissions)" },
  SLACK_SIGNING_SECRET: { pattern: /^[0-9a-f]{32}$/i, hint: "32 hex characters (Slack app → Basic Information → Signing Secret)" },
  DISCORD_PUBLIC_KEY: { pattern: /^[0-9a-f]{64}$/i, hint: "64 hex characters (Discord developer portal → General Information → Public Key)" },
  DISCORD_APPLICATION_ID: { pattern: /^\d{15,22}$/, hint: "the numeric application id" },
  DISCORD_BOT_TOKEN: { pattern: /^[A-Za-z0-9._-]{50,}$/, hint: "the bot token (Discord developer portal → Bot → Reset Token)" },
  SRE_WEBHOOK_TOKEN: { pattern: /^\S{16,}$/, hint: "a token of at least 16 characters without spaces (e.g. openssl rand -hex 24), the one Alertmanager's http_config sends" },
  SRE_WEBHOOK_USERNAME: { pattern: /^[^:\s]+$/, hint: "a user name without ':' or spaces" },
  SRE_WEBHOOK_PASSWORD: { pattern: /^.{12,}$/, hint: "a password of at least 12 characters" }
};

/**
 * `KEY=value` lines of a .env file: `export ` prefixes, `#` comments and single or double quotes
 * are understood; anything else is an error naming the line (never its content, which may be a
 * secret).
 */
export const parseDotEnv = (text: string, source: string): Result.Result<Readonly<Record<string, string>>, HydrateError> => {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match === null) return Result.fail(new HydrateError({ reason: `${source}:${n + 1}: expected KEY=value` }));
    let value = match[2]!;
    const quote = value.charAt(0);
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    values[match[1]!] = value;
  }
  return Result.succeed(values);
};

export interface SecretWrite {
  readonly platform: Platform;
  readonly secretId: string;
  readonly keys: ReadonlyArray<string>;
  readonly secretString: string;
}

/**
 * What to write: one secret per platform with any of its variables set. A platform with only some
 * set, or a value of the wrong shape, is an error naming the variables.
 */
export const planSecretWrites = (values: Readonly<Record<string, string | undefined>>, app: string, stage: string): Result.Result<ReadonlyArray<SecretWrite>, HydrateError> => {
  const problems: Array<string> = [];
  const writes: Array<SecretWrite> = [];
  for (const platform of ["slack", "discord", "webhook"] as const) {
    const present = SECRET_KEYS[platform].filter((k) => (values[k] ?? "").trim() !== "");
    if (present.length === 0) continue;
    const sets = KEY_SETS[platform];
    const keys = sets.find((set) => set.length === present.length && set.every((k) => present.includes(k)));
    if (keys === undefined) {
      const completes = sets.find((set) => present.every((k) => set.includes(k)));
      problems.push(
        completes !== undefined
          ? `${platform}: ${present.join(", ")} set but ${completes.filter((k) => !present.includes(k)).join(", ")} not; set all of ${completes.join(", ")}.`
          : `${platform}: ${present.join(", ")} set; set exactly ${sets.map((set) => set.join(" and ")).join(", or ")}.`
      );
      continue;
    }
    for (const key of keys) {
      const shape = SHAPES[key];
      if (shape !== undefined && !shape.pattern.test(values[key]!.trim())) problems.push(`${key}: does not look like ${shape.hint}.`);
    }
    writes.push({ platform, secretId: secretName(app, stage, platform), keys, secretString: JSON.stringify(Object.fromEntries(keys.map((k) => [k, values[k]!.trim()]))) });
  }
  if (problems.length > 0) return Result.fail(new HydrateError({ reason: problems.join("\n") }));
  if (writes.length === 0) {
    return Result.fail(
      new HydrateError({
        reason: `nothing to write: set ${SECRET_KEYS.slack.join(" and ")} (and/or ${SECRET_KEYS.discord.join(", ")}; and/or SRE_WEBHOOK_TOKEN, or SRE_WEBHOOK_USERNAME and SRE_WEBHOOK_PASSWORD) in the environment or the --env-file.`
      })
    );
  }
  return Result.succeed(writes);
};

/** Writes one secret's value; resolves to an error message (already free of secret values) or undefined. */
export type PutSecretValue = (secretId: string, secretString: string) => Promise<string | undefined>;

export interface AwsCliOptions {
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly awsCommand?: string;
}

/** Every occurrence of any secret in `text` replaced, so an echoing error cannot leak one. */
const scrub = (text: string, secrets: ReadonlyArray<string>): string => secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join("[redacted]"), text);

/**
 * PutSecretValue through the AWS CLI, which resolves credentials like every other AWS tool
 * (profiles, SSO, roles). The value never goes on a command line: the request is a file readable
 * only by this user, in a fresh private directory, removed when the CLI is done. (Not stdin: the
 * CLI reads a `file://` parameter more than once, which a pipe cannot serve.)
 */
export const awsCliPutSecretValue =
  (options: AwsCliOptions): PutSecretValue =>
  async (secretId, secretString) => {
    const values = Object.values(JSON.parse(secretString) as Record<string, string>);
    const dir = await mkdtemp(join(tmpdir(), "hydrate-secrets-"));
    try {
      const request = join(dir, "request.json");
      await writeFile(request, JSON.stringify({ SecretId: secretId, SecretString: secretString }), { mode: 0o600 });
      const args = ["secretsmanager", "put-secret-value", "--cli-input-json", pathToFileURL(request).href, "--output", "json"];
      if (options.region !== undefined) args.push("--region", options.region);
      if (options.endpointUrl !== undefined) args.push("--endpoint-url", options.endpointUrl);
      return await new Promise<string | undefined>((resolve) => {
        const child = spawn(options.awsCommand ?? "aws", args, { env: options.env as NodeJS.ProcessEnv, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => {
          stderr = (stderr + chunk).slice(-4000);
        });
        child.once("error", (e) => resolve(`cannot run the AWS CLI (${(e as NodeJS.ErrnoException).code ?? e.message}); install it or put it on PATH.`));
        child.once("close", (code) => resolve(code === 0 ? undefined : scrub(stderr.trim() || `aws exited with ${code}`, values)));
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

export interface HydrateIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = `Usage: node --import tsx scripts/hydrate-secrets.ts --stage <stage> [options]

Writes the Slack and Discord credentials and the alert webhooks' credentials into the Secrets
Manager secrets \`sst deploy\` created (<project>/<stage>/slack, <project>/<stage>/discord and
<project>/<stage>/webhook), from the environment or a .env file. Values are never printed.

Options:
  --stage <name>        the SST stage (required)
  --project <name>      the project name in config.yaml (default sre-on-call)
  --env-file <path>     read variables from this file (the environment wins over it)
  --region <region>     AWS region (default: the AWS CLI's)
  --endpoint-url <url>  another Secrets Manager endpoint (testing)
  --dry-run             show what would be written, write nothing
  --help                this text

Variables: ${[...SECRET_KEYS.slack, ...SECRET_KEYS.discord].join(", ")},
  SRE_WEBHOOK_TOKEN (bearer) or SRE_WEBHOOK_USERNAME + SRE_WEBHOOK_PASSWORD (basic): what
  Alertmanager/Grafana send to /webhooks/*; without them the deployed webhooks refuse every request.`;

interface Args {
  readonly stage: string;
  readonly project: string;
  readonly envFile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly dryRun: boolean;
}

const parseArgs = (argv: ReadonlyArray<string>): Result.Result<Args | "help", HydrateError> => {
  const opts: Record<string, string> = {};
  let dryRun = false;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    if (arg === "--help" || arg === "-h") return Result.succeed("help");
    if (arg === "--dry-run") {
      dryRun = true;
      continue;
    }
    const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
    if (!["--stage", "--project", "--env-file", "--region", "--endpoint-url"].includes(flag)) return Result.fail(new HydrateError({ reason: `unknown option ${flag.slice(0, 40)}; see --help` }));
    const value = inline ?? argv[++k];
    if (value === undefined || value === "") return Result.fail(new HydrateError({ reason: `${flag} needs a value` }));
    opts[flag.slice(2)] = value;
  }
  const stage = opts["stage"];
  if (stage === undefined) return Result.fail(new HydrateError({ reason: "--stage is required (the stage you deployed: sst deploy --stage prod)" }));
  return Result.succeed({
    stage,
    project: opts["project"] ?? "sre-on-call",
    dryRun,
    ...(opts["env-file"] !== undefined ? { envFile: opts["env-file"] } : {}),
    ...(opts["region"] !== undefined ? { region: opts["region"] } : {}),
    ...(opts["endpoint-url"] !== undefined ? { endpointUrl: opts["endpoint-url"] } : {})
  });
};

/** The script: returns the exit code, never throws, never prints a secret value. */
export const hydrateSecrets = async (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  io: HydrateIo,
  put?: PutSecretValue
): Promise<number> => {
  const parsed = parseArgs(argv);
  if (Result.isFailure(parsed)) {
    io.err(`hydrate-secrets: ${parsed.failure.message}`);
    return 2;
  }
  if (parsed.success === "help") {
    io.out(USAGE);
    return 0;
  }
  const args = parsed.success;
  let fileValues: Readonly<Record<string, string>> = {};
  if (args.envFile !== undefined) {
    let text: string;
    try {
      text = await readFile(args.envFile, "utf8");
    } catch (e) {
      io.err(`hydrate-secrets: cannot read ${args.envFile} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
      return 1;
    }
    const values = parseDotEnv(text, args.envFile);
    if (Result.isFailure(values)) {
      io.err(`hydrate-secrets: ${values.failure.message}`);
      return 1;
    }
    fileValues = values.success;
  }
  const merged = { ...fileValues, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== "")) };
  const plan = planSecretWrites(merged, args.project, args.stage);
  if (Result.isFailure(plan)) {
    io.err(`hydrate-secrets: ${plan.failure.message}`);
    return 1;
  }
  const write =
    put ??
    awsCliPutSecretValue({ env, ...(args.region !== undefined ? { region: args.region } : {}), ...(args.endpointUrl !== undefined ? { endpointUrl: args.endpointUrl } : {}) });
  let failed = 0;
  for (const w of plan.success) {
    if (args.dryRun) {
      io.out(`would write ${w.keys.join(", ")} to ${w.secretId}`);
      continue;
    }
    const error = await write(w.secretId, w.secretString);
    if (error === undefined) io.out(`wrote ${w.keys.join(", ")} to ${w.secretId}`);
    else {
      failed++;
      io.err(`hydrate-secrets: ${w.secretId}: ${error}`);
    }
  }
  return failed === 0 ? 0 : 1;
};
