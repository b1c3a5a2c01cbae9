import { describe, expect, it } from "vitest";
import { StartupError } from "./buildChats.js";
import { type SecretsClient, withSecretsFromAws } from "./secretsFromAws.js";

const TOKEN = "xoxb-1111-2222-abcdefghijklmnop";
const SIGNING = "0123456789abcdef0123456789abcdef";
const client = (values: Readonly<Record<string, string | undefined | Error>>): SecretsClient => ({
  getSecretString: async (id) => {
    const v = values[id];
    if (v instanceof Error) throw v;
    return v;
  }
});

describe("chat secrets from Secrets Manager", () => {
  it("fills SLACK_* and DISCORD_* from the JSON secrets the deployment names, keeping values already set", async () => {
    const env = await withSecretsFromAws(
      { SRE_SLACK_SECRET_ARN: "arn:slack", SRE_DISCORD_SECRET_ARN: "arn:discord", DISCORD_APPLICATION_ID: "999999999999999999" },
      client({
        "arn:slack": JSON.stringify({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING, OTHER: "ignored" }),
        "arn:discord": JSON.stringify({ DISCORD_BOT_TOKEN: "bot", DISCORD_PUBLIC_KEY: "ab".repeat(32), DISCORD_APPLICATION_ID: "123456789012345678" })
      })
    );
    expect(env).toMatchObject({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING, DISCORD_BOT_TOKEN: "bot", DISCORD_APPLICATION_ID: "999999999999999999" });
    expect(env["OTHER"]).toBeUndefined();
  });

  it("fills the alert webhooks' credentials from the webhook secret, so the public function URL is not open", async () => {
    const env = await withSecretsFromAws(
      { SRE_WEBHOOK_SECRET_ARN: "arn:webhook" },
      client({ "arn:webhook": JSON.stringify({ SRE_WEBHOOK_TOKEN: "am-token-0123456789abcdef", SLACK_BOT_TOKEN: "not from this secret" }) })
    );
    expect(env["SRE_WEBHOOK_TOKEN"]).toBe("am-token-0123456789abcdef");
    expect(env["SLACK_BOT_TOKEN"]).toBeUndefined();
  });

  it("leaves the environment alone when no secret is named", async () => {
    const env = { SLACK_BOT_TOKEN: TOKEN };
    expect(await withSecretsFromAws(env, client({}))).toBe(env);
  });

  it("names the variable and the secret, never a value, when a secret is unusable", async () => {
    const denied = Object.assign(new Error(`denied for ${TOKEN}`), { name: "AccessDeniedException" });
    const cases: ReadonlyArray<[string | undefined | Error, RegExp]> = [
      [denied, /SRE_SLACK_SECRET_ARN: cannot read secret arn:slack \(AccessDeniedException\)/],
      [undefined, /has no value yet/],
      [`not json ${TOKEN}`, /is not a JSON object of SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET/],
      ["[1,2]", /is not a JSON object/]
    ];
    for (const [value, message] of cases) {
      const error = await withSecretsFromAws({ SRE_SLACK_SECRET_ARN: "arn:slack" }, client({ "arn:slack": value })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });
});
