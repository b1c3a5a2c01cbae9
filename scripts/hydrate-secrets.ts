/**
 * Writes Slack/Discord credentials into the stage's Secrets Manager secrets; see --help and
 * docs/deploy.md. Run: node --import tsx scripts/hydrate-secrets.ts --stage prod --env-file .env
 */
import { hydrateSecrets } from "../packages/deploy/src/infra/hydrateSecrets.js";

process.exitCode = await hydrateSecrets(process.argv.slice(2), process.env, {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`)
});
