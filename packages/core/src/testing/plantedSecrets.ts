import fc from "fast-check";

/*
 * Planted secrets for redaction tests: the property tests of the redactor, of every cut of
 * untrusted text, and the outside-in security probes (store files, trace output, stdout/stderr).
 */

/** A secret as it appears in text, and the parts of it that must not appear after redaction. */
export interface PlantedSecret {
  readonly text: string;
  readonly cores: ReadonlyArray<string>;
}

const b64 = fc.stringMatching(/^[A-Za-z0-9]{8,30}$/);
const password = fc.stringMatching(/^[A-Za-z0-9!#%]{8,24}$/);
const word = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/);
const b64url = (n: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${n}}$`));
/**
 * Secrets as they show up in logs and annotations, one kind per builtin detector; each with the
 * parts that must never survive redaction. Where a shape was taken from a public source, the
 * source is named.
 */
export const plantedSecretArbitrary: fc.Arbitrary<PlantedSecret> = fc.oneof(
  fc.stringMatching(/^AKIA[A-Z0-9]{16}$/).map((k) => ({ text: k, cores: [k] })),
  fc.stringMatching(/^[A-Za-z0-9/+]{40}$/).map((k) => ({ text: `aws_secret_access_key = ${k}`, cores: [k] })),
  fc.stringMatching(/^xoxb-[0-9]{10}-[A-Za-z0-9]{16}$/).map((k) => ({ text: k, cores: [k] })),
  fc.tuple(b64, b64, b64).map(([a, b, c]) => {
    const jwt = `eyJ${a}.eyJ${b}.${c}`;
    return { text: `Authorization: ${jwt}`, cores: [jwt] };
  }),
  fc.stringMatching(/^[A-Za-z0-9._~-]{16,40}$/).map((k) => ({ text: `Authorization: Bearer ${k}`, cores: [k] })),
  fc.stringMatching(/^[A-Za-z0-9!#%]{8,24}$/).map((p) => ({ text: `postgres://app:${p}@db.internal:5432/orders`, cores: [`:${p}@`] })),
  fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).map((p) => ({ text: `DB_PASSWORD=${p}`, cores: [`=${p}`] })),
  fc.stringMatching(/^[A-Za-z0-9]{40}$/).map((k) => ({ text: `-----BEGIN RSA PRIVATE KEY-----\nMIIE${k}\n-----END RSA PRIVATE KEY-----`, cores: [`MIIE${k}`] })),
  fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/).map((k) => ({ text: k, cores: [k] })),
  fc.stringMatching(/^sk-[A-Za-z0-9]{32}$/).map((k) => ({ text: `OPENAI_API_KEY: ${k}`, cores: [k] })),
  // Slack incoming webhook URL (https://api.slack.com/messaging/webhooks): T…/B…/secret.
  fc.tuple(fc.stringMatching(/^T[A-Z0-9]{8,10}$/), fc.stringMatching(/^B[A-Z0-9]{8,10}$/), fc.stringMatching(/^[A-Za-z0-9]{24}$/)).map(([t, b, k]) => ({
    text: `https://hooks.slack.com/services/${t}/${b}/${k}`,
    cores: [`${t}/${b}/${k}`, k]
  })),
  // Discord bot token: base64 user id, timestamp, HMAC (https://discord.com/developers/docs/reference#authentication).
  fc.tuple(fc.constantFrom("M", "N", "O"), b64url(23), b64url(6), b64url(27)).map(([m, a, b, c]) => {
    const token = `${m}${a}.${b}.${c}`;
    return { text: `DISCORD bot login with ${token}`, cores: [token, c] };
  }),
  // Environment names ending in PASS/PWD/PASSWORD/SECRET/TOKEN/KEY (PGPASSWORD and MYSQL_PWD: libpq and MySQL manuals).
  fc.tuple(fc.constantFrom("PGPASSWORD", "DB_PASS", "MYSQL_PWD", "REDIS_PASSWORD", "JWT_SECRET", "NPM_TOKEN", "STRIPE_KEY", "SMTP_PASS"), password, fc.constantFrom("=", ": ", "=\"")).map(
    ([name, p, sep]) => ({ text: `${name}${sep}${p}`, cores: [p] })
  ),
  // --password X / --password=X / --token X: mydumper issue #122, sysbench issue #387.
  fc.tuple(fc.constantFrom("--password ", "--password=", "--db-password ", "--mysql_password=", "--token ", "--pass "), password).map(([flag, p]) => ({
    text: `mydumper --user=root ${flag}${p} --outputdir=/backup`,
    cores: [p]
  })),
  // mysql -pSECRET and -p'a b' (MySQLTuner-perl issue #289, sous-chefs/percona issue #48); redis-cli -a, sshpass -p.
  fc.tuple(password, word, word).chain(([p, w1, w2]) =>
    fc.constantFrom(
      { text: `/usr/bin/mysql -u da_admin -p${p} -Bse "SELECT 1"`, cores: [p] },
      { text: `mysqldump -h db.internal -uroot -p${p} payments`, cores: [p] },
      { text: `mysql -u root -p'${w1} ${w2}' my_db -e "select 1"`, cores: [w1, w2] },
      { text: `redis-cli -h redis.payments.svc -p 6379 -a ${p} ping`, cores: [p] },
      { text: `sshpass -p '${w1} ${w2}' ssh deploy@bastion`, cores: [w1, w2] }
    )
  ),
  // Quoted passwords with spaces, in YAML, shell, JSON and JSON inside a JSON string.
  fc.tuple(word, word, word).chain(([w1, w2, w3]) =>
    fc.constantFrom(
      { text: `password: "${w1} ${w2} ${w3}"`, cores: [w1, w2, w3] },
      { text: `password='${w1} ${w2}'`, cores: [w1, w2] },
      { text: `{"db_password": "${w1} ${w2}", "user": "app"}`, cores: [w1, w2] },
      { text: `{"log":"{\\"client_secret\\":\\"${w1} ${w2}\\"}"}`, cores: [w1, w2] },
      { text: `DB_PASS="${w1} ${w2}"`, cores: [w1, w2] }
    )
  ),
  // A URL with an empty user (redis-rs issue #144) or the password as the user (SncRedisBundle issue #703), and an "@" in it.
  fc.tuple(password, fc.constantFrom("redis://:", "rediss://:", "rediss://", "amqp://guest:", "postgres://app:"), fc.constantFrom("", "@x")).map(([p, prefix, at]) => ({
    text: `${prefix}${p}${at}@redis.payments.svc:6379/0`,
    cores: [`${p}${at}`]
  })),
  // Stripe secret and restricted keys (gitleaks rules/stripe.go).
  fc.tuple(fc.constantFrom("sk_live_", "rk_live_", "sk_test_", "rk_prod_"), fc.stringMatching(/^[A-Za-z0-9]{24,99}$/)).map(([prefix, k]) => ({ text: `Stripe error for key ${prefix}${k}`, cores: [k] })),
  // GitLab personal access token, plain and routable (gitleaks rules/gitlab.go).
  fc.tuple(b64url(20), fc.constantFrom("", ".01abc1234")).map(([k, routable]) => ({ text: `git clone https://oauth2@gitlab.com/x.git # glpat-${k}${routable}`, cores: [k] })),
  // npm granular token (noseyparker rules npm.yml).
  fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((k) => ({ text: `//registry.npmjs.org/:_authToken=npm_${k}`, cores: [k] })),
  // Slack app-level token (gitleaks rules/slack.go).
  fc.tuple(fc.stringMatching(/^[A-Z0-9]{10}$/), fc.stringMatching(/^[0-9]{13}$/), fc.stringMatching(/^[a-f0-9]{64}$/)).map(([a, n, h]) => ({
    text: `SLACK_APP_TOKEN is xapp-1-A${a}-${n}-${h}`,
    cores: [h]
  })),
  // SendGrid API key (detect-secrets plugins/sendgrid.py).
  fc.tuple(b64url(22), b64url(43)).map(([a, b]) => ({ text: `sendgrid('SG.${a}.${b}')`, cores: [`${a}.${b}`, b] })),
  // Azure Storage connection string (MicrosoftDocs storage-configure-connection-string.md).
  fc.stringMatching(/^[A-Za-z0-9+/]{86}==$/).map((k) => ({
    text: `DefaultEndpointsProtocol=https;AccountName=paymentsprod;AccountKey=${k};EndpointSuffix=core.windows.net`,
    cores: [k]
  }))
);

/** One realistic secret of each kind, for outside-in probes that run a whole investigation once. */
export const PLANTED_SECRETS: ReadonlyArray<PlantedSecret & { readonly kind: string }> = [
  { kind: "AWS access key id", text: "AKIAQ3EGV7EXAMPL3K3Y", cores: ["AKIAQ3EGV7EXAMPL3K3Y", "Q3EGV7EXAMPL3K3Y"] },
  { kind: "PGPASSWORD", text: "PGPASSWORD=pl4nted-pg-Secret", cores: ["pl4nted-pg-Secret"] },
  { kind: "MYSQL_PWD", text: "MYSQL_PWD=pl4ntedMysqlPwd", cores: ["pl4ntedMysqlPwd"] },
  { kind: "mysql -p", text: "mysql -u app -pPl4ntedGlued payments", cores: ["Pl4ntedGlued"] },
  { kind: "--password", text: "mysqldump --password Pl4ntedFlag payments", cores: ["Pl4ntedFlag"] },
  { kind: "quoted password", text: 'password: "pl4nted horse battery"', cores: ["pl4nted horse battery", "horse battery"] },
  { kind: "redis URL", text: "redis://:Pl4ntedRedisPw@redis.payments.svc:6379/0", cores: ["Pl4ntedRedisPw"] },
  { kind: "Stripe", text: "sk_live_51Pl4ntedStripeKeyAbCdEfGhIjKl", cores: ["51Pl4ntedStripeKeyAbCdEfGhIjKl"] },
  { kind: "GitLab", text: "glpat-Pl4ntedGitLabTok3n_x", cores: ["Pl4ntedGitLabTok3n_x"] },
  { kind: "npm", text: "npm_Pl4ntedNpmTokenAbCdEfGhIjKlMnOpQrStU", cores: ["Pl4ntedNpmTokenAbCdEfGhIjKlMnOpQrStU"] },
  { kind: "Slack app token", text: "xapp-1-A0PL4NTED01-5171572773297-610b6a11f4b7eb819e87b767d80e6575", cores: ["610b6a11f4b7eb819e87b767d80e6575"] },
  { kind: "Slack bot token", text: "xoxb-1234567890-Pl4ntedSlackBotT0ken", cores: ["Pl4ntedSlackBotT0ken"] },
  { kind: "Slack webhook", text: "https://hooks.slack.com/services/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", cores: ["Pl4ntedWebhookSecret0123"] },
  { kind: "SendGrid", text: "SG.Pl4ntedSendGridId01234.Pl4ntedSendGridSecret0123456789abcdefghijkl", cores: ["Pl4ntedSendGridSecret0123456789abcdefghijkl"] },
  {
    kind: "Azure storage",
    text: "DefaultEndpointsProtocol=https;AccountName=paymentsprod;AccountKey=Pl4ntedAzureKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/==;EndpointSuffix=core.windows.net",
    cores: ["Pl4ntedAzureKey0123456789"]
  },
  { kind: "Discord bot token", text: "MTA4Pl4ntedDiscordUserId01.GxPl4n.Pl4ntedDiscordHmacPartAbCdEfGhIj", cores: ["Pl4ntedDiscordHmacPartAbCdEfGhIj"] },
  { kind: "GitHub token", text: "ghp_Pl4ntedGitHubTokenAbCdEfGhIjKlMnOpQrStU", cores: ["Pl4ntedGitHubTokenAbCdEfGhIjKlMnOpQrStU"] }
];
