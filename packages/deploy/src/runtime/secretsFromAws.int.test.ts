import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { MOTO_SKIP_REASON, motoAvailable, type MotoServer, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withSecretsFromAws } from "./secretsFromAws.js";

const available = motoAvailable();
if (!available) console.warn(MOTO_SKIP_REASON);

describe.skipIf(!available)(`chat secrets from Secrets Manager (moto_server)${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
    process.env = saved;
  });

  it("reads the JSON secret hydrate-secrets writes through the real SDK client", async () => {
    const client = new SecretsManagerClient({ region: "us-east-1", endpoint: moto!.endpoint });
    const created = await client.send(new CreateSecretCommand({ Name: "sre-on-call/test/slack", SecretString: JSON.stringify({ SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SIGNING_SECRET: "f".repeat(32) }) }));
    client.destroy();
    const env = await withSecretsFromAws({ SRE_SLACK_SECRET_ARN: created.ARN!, AWS_REGION: "us-east-1", SRE_SECRETS_ENDPOINT: moto!.endpoint });
    expect(env["SLACK_BOT_TOKEN"]).toBe("xoxb-1-2-abc");
    expect(env["SLACK_SIGNING_SECRET"]).toBe("f".repeat(32));
    const missing = await withSecretsFromAws({ SRE_SLACK_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope", AWS_REGION: "us-east-1", SRE_SECRETS_ENDPOINT: moto!.endpoint }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/SRE_SLACK_SECRET_ARN: cannot read secret .*nope \(ResourceNotFoundException\)/);
  });
});
