import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Env } from "./buildChats.js";
import { StartupError } from "./buildChats.js";
import { SECRET_KEYS } from "../infra/hydrateSecrets.js";

/** Secret ARNs the deployment sets, and the environment variables each JSON secret holds (what hydrate-secrets writes). */
const SOURCES = [
  { arnEnv: "SRE_SLACK_SECRET_ARN", keys: SECRET_KEYS.slack },
  { arnEnv: "SRE_DISCORD_SECRET_ARN", keys: SECRET_KEYS.discord },
  { arnEnv: "SRE_WEBHOOK_SECRET_ARN", keys: SECRET_KEYS.webhook }
] as const;

export interface SecretsClient {
  readonly getSecretString: (secretId: string) => Promise<string | undefined>;
}

const awsClient = (env: Env): SecretsClient & { readonly destroy: () => void } => {
  const region = env["AWS_REGION"];
  const endpoint = env["SRE_SECRETS_ENDPOINT"];
  const client = new SecretsManagerClient({ ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}), maxAttempts: 3 });
  return {
    getSecretString: async (secretId) => (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
    destroy: () => client.destroy()
  };
};

/**
 * The environment with the chat tokens and webhook credentials read from Secrets Manager: each
 * secret named by `SRE_SLACK_SECRET_ARN` / `SRE_DISCORD_SECRET_ARN` / `SRE_WEBHOOK_SECRET_ARN` is a
 * JSON object of `SLACK_*` / `DISCORD_*` / `SRE_WEBHOOK_*` values (what scripts/hydrate-secrets.ts writes). Values already in the environment win, so a
 * local run can override them. A secret that cannot be read or is not such an object is a
 * startup error naming the variable and the secret — never its value.
 */
export const withSecretsFromAws = async (env: Env, client?: SecretsClient): Promise<Env> => {
  const wanted = SOURCES.filter((s) => (env[s.arnEnv] ?? "").trim() !== "");
  if (wanted.length === 0) return env;
  const own = client === undefined ? awsClient(env) : undefined;
  const secrets = client ?? own!;
  try {
    const merged: Record<string, string | undefined> = { ...env };
    for (const source of wanted) {
      const arn = env[source.arnEnv]!.trim();
      let text: string | undefined;
      try {
        text = await secrets.getSecretString(arn);
      } catch (error) {
        const name = error instanceof Error ? error.name : "Error";
        throw new StartupError(`${source.arnEnv}: cannot read secret ${arn} (${name}); allow secretsmanager:GetSecretValue on it and check that it exists (scripts/hydrate-secrets.ts writes it).`);
      }
      if (text === undefined || text.trim() === "") throw new StartupError(`${source.arnEnv}: secret ${arn} has no value yet; write it with scripts/hydrate-secrets.ts.`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new StartupError(`${source.arnEnv}: secret ${arn} is not a JSON object of ${source.keys.join(", ")}; write it with scripts/hydrate-secrets.ts.`);
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new StartupError(`${source.arnEnv}: secret ${arn} is not a JSON object of ${source.keys.join(", ")}; write it with scripts/hydrate-secrets.ts.`);
      }
      for (const key of source.keys) {
        const value = (parsed as Record<string, unknown>)[key];
        if (typeof value === "string" && value !== "" && (merged[key] ?? "") === "") merged[key] = value;
      }
    }
    return merged;
  } finally {
    own?.destroy();
  }
};
