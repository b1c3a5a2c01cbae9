import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { redactSecrets } from "@sre-on-call/core";
import { Result } from "effect";
import type { Env } from "../runtime/buildChats.js";
import { loadLambdaConfig } from "../lambda/loadLambdaConfig.js";
import type { AppConfig } from "./AppConfig.js";
import { ConfigError, parseConfigText } from "./loadConfig.js";

/** The environment variable naming the SSM parameter that holds config.yaml. */
export const CONFIG_SSM_PARAMETER_ENV = "SRE_CONFIG_SSM_PARAMETER";

export interface ConfigSourceOptions {
  /** Where a config file path is resolved (the function's code directory). Default `process.cwd()`. */
  readonly cwd?: string;
  /** The SSM client; by default one for `AWS_REGION`, honouring `AWS_ENDPOINT_URL_SSM`. */
  readonly ssm?: SSMClient;
  /** How long the parameter read may take before it is a ConfigError. Default 10 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A parameter name (`/sre-on-call/prod/config`, `sre-config`) or an SSM parameter ARN. */
const PARAMETER_NAME = /^(?:arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/)?[A-Za-z0-9_.\-/]{1,2048}$/;

const errorName = (e: unknown): string => (typeof e === "object" && e !== null && "name" in e ? String((e as { name: unknown }).name) : "");

/** Why the read failed, in terms an operator can act on; never the SDK's request details. */
const describeSsmError = (e: unknown, timeoutMs: number): string => {
  const name = errorName(e);
  switch (name) {
    case "ParameterNotFound":
      return "the parameter does not exist (check the name and the function's AWS_REGION)";
    case "ParameterVersionNotFound":
      return "that version of the parameter does not exist";
    case "AccessDeniedException":
    case "AccessDenied":
    case "UnrecognizedClientException":
      return "access denied: the function's role needs ssm:GetParameter on it (and kms:Decrypt on its key for a SecureString)";
    case "InvalidKeyId":
      return "its KMS key cannot be used to decrypt it: check the key and the role's kms:Decrypt permission";
    case "TimeoutError":
    case "AbortError":
      return `SSM did not answer within ${timeoutMs} ms`;
    case "ThrottlingException":
      return "SSM throttled the read; try again";
    default: {
      const message = e instanceof Error ? e.message.split("\n")[0] ?? "" : String(e);
      return redactSecrets(`cannot read it (${name === "" ? "" : `${name}: `}${message.slice(0, 200)})`);
    }
  }
};

const defaultSsm = (env: Env): SSMClient =>
  new SSMClient({
    ...(env["AWS_REGION"] !== undefined && env["AWS_REGION"] !== "" ? { region: env["AWS_REGION"] } : {}),
    ...(env["AWS_ENDPOINT_URL_SSM"] !== undefined && env["AWS_ENDPOINT_URL_SSM"] !== "" ? { endpoint: env["AWS_ENDPOINT_URL_SSM"] } : {}),
    maxAttempts: 3
  });

/**
 * Reads config.yaml from an SSM parameter (a SecureString is decrypted) and validates it exactly
 * like a config file. The source in every problem is `SSM parameter "<name>"`, and since a
 * SecureString may hold tokens, the problems are passed through secret redaction.
 */
export const loadConfigFromSsm = async (name: string, options: { readonly ssm: SSMClient; readonly timeoutMs?: number }): Promise<Result.Result<AppConfig, ConfigError>> => {
  const source = `SSM parameter ${JSON.stringify(name)}`;
  if (!PARAMETER_NAME.test(name)) {
    return Result.fail(new ConfigError(source, [`${CONFIG_SSM_PARAMETER_ENV}: not a parameter name or ARN; use a name such as /sre-on-call/prod/config`]));
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let text: string | undefined;
  try {
    const out = await options.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    text = out.Parameter?.Value;
  } catch (e) {
    return Result.fail(new ConfigError(source, [`${CONFIG_SSM_PARAMETER_ENV}: ${describeSsmError(e, timeoutMs)}`]));
  }
  if (text === undefined || text.trim() === "") return Result.fail(new ConfigError(source, ["the parameter is empty; store the contents of config.yaml in it"]));
  const parsed = parseConfigText(text, source);
  return Result.isFailure(parsed) ? Result.fail(new ConfigError(source, parsed.failure.problems.map((p) => redactSecrets(p)))) : parsed;
};

/**
 * The configuration wherever this deployment keeps it: the SSM parameter named by
 * `SRE_CONFIG_SSM_PARAMETER` when set, else what `loadLambdaConfig` reads (inline YAML in
 * `SRE_ON_CALL_CONFIG_YAML`, or the file `SRE_ON_CALL_CONFIG` / `config.yaml`). Naming an SSM
 * parameter together with a file or inline YAML is an error rather than a guess.
 */
export const loadConfigSource = async (env: Env, options: ConfigSourceOptions = {}): Promise<Result.Result<AppConfig, ConfigError>> => {
  const parameter = env[CONFIG_SSM_PARAMETER_ENV]?.trim();
  const cwd = options.cwd ?? process.cwd();
  if (parameter === undefined || parameter === "") return loadLambdaConfig(env, cwd);
  const others = ["SRE_ON_CALL_CONFIG", "SRE_ON_CALL_CONFIG_YAML"].filter((k) => (env[k] ?? "").trim() !== "");
  if (others.length > 0) {
    return Result.fail(new ConfigError("the environment", [`${CONFIG_SSM_PARAMETER_ENV} and ${others.join(" and ")} are both set; keep one source of config.yaml.`]));
  }
  const ssm = options.ssm ?? defaultSsm(env);
  try {
    return await loadConfigFromSsm(parameter, { ssm, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  } finally {
    if (options.ssm === undefined) ssm.destroy();
  }
};
