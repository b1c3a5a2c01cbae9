import { redactDeep } from "@sre-on-call/core";
import { Result } from "effect";
import { logRedactor } from "../runtime/logRedactor.js";
import type { Log } from "../composition/buildApp.js";
import { buildLambdaApp, type LambdaApp } from "./buildLambdaApp.js";
import { createLambdaHandler } from "./createLambdaHandler.js";
import { loadConfigSource } from "../config/loadConfigFromSsm.js";
import { withSecretsFromAws } from "../runtime/secretsFromAws.js";

/** Log fields are redacted with the built-in detectors until the config's patterns are known. */
let redactFields: <A>(fields: A) => A = (fields) => redactDeep(fields);

/** One JSON object per line on stdout, which Lambda ships to CloudWatch Logs; fields redacted like every other exit. */
const log: Log = (level, message, fields) => void process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...redactFields(fields) })}\n`);

const start = async (): Promise<LambdaApp> => {
  // Chat tokens from the Secrets Manager secrets the deployment names (SRE_SLACK_SECRET_ARN, SRE_DISCORD_SECRET_ARN).
  const env = await withSecretsFromAws(process.env);
  const cwd = env["LAMBDA_TASK_ROOT"] ?? process.cwd();
  // config.yaml from the SSM parameter SRE_CONFIG_SSM_PARAMETER names, else bundled with the function.
  const config = await loadConfigSource(env, { cwd });
  if (Result.isFailure(config)) throw config.failure;
  redactFields = logRedactor(config.success.redaction.patterns);
  const app = await buildLambdaApp({ config: config.success, env, cwd, log });
  log("info", "sre-on-call Lambda intake ready", { setup: app.describe() });
  return app;
};

/**
 * The function's handler (`packages/deploy/src/lambda/handler.handler`). The app is built once
 * per container, during Lambda's init phase, and reused by every invocation the container serves.
 */
export const handler = createLambdaHandler({ app: start(), log });
