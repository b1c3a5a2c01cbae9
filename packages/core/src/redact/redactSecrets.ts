/**
 * Secret redaction. Log lines, alert annotations and chat history carry credentials more often
 * than anyone likes; none of them may reach a chat message, a model prompt, a store or a
 * terminal. Every pattern is linear (bounded repetition, no nested quantifiers), the replacement
 * keeps enough context to read the line, and redacting twice changes nothing. Text is redacted
 * before it is cut: a cut through a secret leaves a prefix no pattern recognises.
 */

export const REDACTED = "[REDACTED]";

export interface SecretPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /** The replacement; `$1`… keep context such as the key name. Default: `[REDACTED]`. */
  readonly replace?: string;
}

const g = (source: string, flags = "g"): RegExp => new RegExp(source, flags);

/**
 * Values in quotes may hold spaces (`password: "correct horse battery"`); `\"…\"` is JSON inside a
 * JSON string. The opening quote is group 2 and closes the value; replacements keep it, so
 * redacted JSON still parses.
 */
const QUOTED_VALUE = `(\\\\?["'])(?:(?!\\2)[^\\n]){1,200}\\2`;
/**
 * An unquoted value ends at whitespace, a quote or a separator of query strings and connection
 * strings. It never starts with the marker itself, so redacting twice changes nothing.
 */
const NOT_REDACTED = "(?!\\[REDACTED\\])";
const BARE_VALUE = `${NOT_REDACTED}[^\\s"'\\\\,;&}]{3,}`;
/**
 * Key names that say "credential", in any case and after any prefix (`db_password`, `PGPASSWORD`,
 * `client.secret`, `_authToken`). `PWD=/path` and `OLDPWD=/path` are the shell's working directory
 * in an environment dump, not a password.
 */
const CREDENTIAL_KEY =
  "(?!(?:OLD)?PWD\\s{0,3}=\\s{0,3}/)[A-Za-z0-9_.-]{0,60}?(?:secret(?:_access)?_key|secret|password|passwd|pwd|passphrase|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|client[_-]?secret|private[_-]?key)";
/**
 * Environment-style names (upper case) ending in a credential word: `DB_PASS`, `MYSQL_PWD`,
 * `STRIPE_KEY`, `NPM_TOKEN`. Upper case only, because `bypass=`, `sort_key=` or `cache_key=` in
 * ordinary lower-case text are not credentials. `PASSWORD_MIN_LENGTH=12` ends in LENGTH and is kept.
 */
const ENV_CREDENTIAL_NAME = "(?!OLDPWD\\s{0,3}=\\s{0,3}/)[A-Z][A-Z0-9_]{0,60}?(?:PASS|PWD|PASSWD|PASSWORD|PASSPHRASE|SECRET|TOKEN|KEY|CREDENTIALS)";
/** A command-line value: quoted (spaces allowed), or one word that is not the next option. */
const ARG_VALUE = `${NOT_REDACTED}(?:"[^"\\n]{1,200}"|'[^'\\n]{1,200}'|[^\\s"'-][^\\s"']{0,500})`;

/** The builtin patterns, most specific first. Each names where its shape was taken from. */
export const SECRET_PATTERNS: ReadonlyArray<SecretPattern> = [
  {
    name: "private key",
    pattern: g("-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[\\s\\S]{0,20000}?-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----"),
    replace: `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`
  },
  { name: "JWT", pattern: g("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}") },
  { name: "AWS access key id", pattern: g("(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}") },
  { name: "Slack token", pattern: g("\\bxox[abeoprs]-[A-Za-z0-9-]{10,}") },
  // xapp-1-A052FGTS2DL-5171572773297-610b6a11…: gitleaks cmd/generate/config/rules/slack.go (SlackAppLevelToken).
  { name: "Slack app token", pattern: g("\\bxapp-[A-Za-z0-9-]{20,}") },
  { name: "Slack webhook", pattern: g("https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{10,}"), replace: `https://hooks.slack.com/${REDACTED}` },
  // Base64url throughout, so the token may end in "-" or "_": no \b at its end.
  { name: "Discord bot token", pattern: g("\\b[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])") },
  { name: "Discord webhook", pattern: g("https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/[A-Za-z0-9_-]{20,}"), replace: `https://discord.com/api/webhooks/${REDACTED}` },
  { name: "GitHub token", pattern: g("\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})") },
  // glpat-<20>, routable glpat-<27+>.<9> (hence the dot), and the other GitLab prefixes: gitleaks rules/gitlab.go.
  { name: "GitLab token", pattern: g("\\bgl(?:pat|dt|rt|ptt|ft|imt|agent|oas|soat|cbt)-[A-Za-z0-9_.-]{20,320}") },
  // sk_live_/sk_test_/rk_live_/rk_prod_…: gitleaks rules/stripe.go; pk_ keys are publishable and kept.
  { name: "Stripe key", pattern: g("\\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}") },
  // npm_ + 36 characters: noseyparker rules npm.yml (npm_TCllNwh2WLQlMWVhybM1iQrsTj6rMQ0BOh6d); npm_config_* variables are kept.
  { name: "npm token", pattern: g("\\bnpm_[A-Za-z0-9]{36,64}(?![A-Za-z0-9_])") },
  // SG.<22>.<43>: detect-secrets plugins/sendgrid.py, noseyparker rules sendgrid.yml.
  { name: "SendGrid key", pattern: g("\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])") },
  { name: "OpenAI/Anthropic key", pattern: g("\\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,})") },
  { name: "Google API key", pattern: g("\\bAIza[0-9A-Za-z_-]{35}\\b") },
  // DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…==;EndpointSuffix=…: Azure Storage
  // connection strings (MicrosoftDocs storage-configure-connection-string.md); SharedAccessKey for
  // Service Bus / Event Hubs, sig= for SAS tokens (noseyparker rules azure.yml).
  { name: "Azure key", pattern: g("\\b((?:AccountKey|SharedAccessKey|SharedSecretValue)\\s{0,3}=\\s{0,3})[^;\\s\"'<]{8,}", "gi"), replace: `$1${REDACTED}` },
  { name: "Azure SAS signature", pattern: g("([?&;]sig=)[A-Za-z0-9%+/=]{16,}", "gi"), replace: `$1${REDACTED}` },
  { name: "bearer token", pattern: g("\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]{12,}", "gi"), replace: `$1 ${REDACTED}` },
  // "token <value>" only when the value looks like one (has a digit): "token authentication" is prose.
  { name: "token", pattern: g("\\b(token)\\s+(?=[A-Za-z0-9._~+/=-]{0,200}\\d)[A-Za-z0-9._~+/=-]{12,}", "gi"), replace: `$1 ${REDACTED}` },
  // The password runs to the last "@" before the host: unencoded "@" in passwords is common.
  // The user may be empty: redis://:pw@host (redis-rs issue #144).
  { name: "password in URL", pattern: g("\\b([a-z][a-z0-9+.-]{1,20}://[^\\s:/@]{0,100}:)[^\\s/]{1,200}(@)", "gi"), replace: `$1${REDACTED}$2` },
  // Redis clients also take the password alone as the user part: rediss://password@host (SncRedisBundle issue #703).
  { name: "password in Redis URL", pattern: g("\\b(rediss?://)[^\\s:/@]{1,200}(@)", "gi"), replace: `$1${REDACTED}$2` },
  // mysql -u root -p'very naked password' (sous-chefs/percona issue #48), mysql -u da_admin -psecret
  // (MySQLTuner-perl issue #289). Only glued: "-p dbname" prompts and names a database, -P is the port.
  {
    name: "mysql -p password",
    pattern: g(`\\b((?:mysql(?:dump|admin|import|check|show|pump|slap)?|mariadb(?:-dump|-admin)?)(?=[ \\t])[^\\n|;&]{0,200}?[ \\t]-p)${ARG_VALUE}`),
    replace: `$1${REDACTED}`
  },
  // redis-cli -a PASSWORD (redis issue #8956: "Using a password with '-a' …"), sshpass -p PASSWORD.
  {
    name: "redis-cli/sshpass password",
    pattern: g(`\\b((?:redis-cli(?=[ \\t])[^\\n|;&]{0,200}?[ \\t]-a|sshpass(?=[ \\t])[^\\n|;&]{0,100}?[ \\t]-p)[ \\t]{0,3})${ARG_VALUE}`),
    replace: `$1${REDACTED}`
  },
  // --password X, --db-password 'a b', --token X, redis-cli --pass X (mydumper issue #122); never
  // --password-file PATH or --password-stdin, never docker build --secret id=…,src=… (a reference),
  // and never a value that is the next option.
  {
    name: "credential option",
    pattern: g(`(?<![\\w-])(--[a-z0-9_-]{0,24}?(?<![a-z0-9])(?:password|passwd|pass|pwd|token|api-?key|access-?key|secret-?key|client-?secret)[ \\t]{1,3})${ARG_VALUE}`, "gi"),
    replace: `$1${REDACTED}`
  },
  {
    name: "quoted credential",
    pattern: g(`\\b(${CREDENTIAL_KEY}\\\\?["']?\\s{0,3}[=:]\\s{0,3})${QUOTED_VALUE}`, "gi"),
    replace: `$1$2${REDACTED}$2`
  },
  {
    name: "environment credential",
    pattern: g(`\\b(${ENV_CREDENTIAL_NAME}\\s{0,3}[=:]\\s{0,3})(?:${QUOTED_VALUE}|(?:\\\\?["'])?${BARE_VALUE})`),
    replace: `$1$2${REDACTED}$2`
  },
  {
    // A quoted key needs a quoted value: in a kubelet event, volume "db-password" : secret "db-password"
    // not found, the word after the colon is prose.
    name: "credential assignment",
    pattern: g(`\\b(${CREDENTIAL_KEY}(?:\\s{0,3}[=:]\\s{0,3}(?:\\\\?["'])?|\\\\?["']\\s{0,3}[=:]\\s{0,3}\\\\?["']))${BARE_VALUE}`, "gi"),
    replace: `$1${REDACTED}`
  }
];

/**
 * An AWS secret access key is any 40-character base64 run, too broad to apply everywhere: it is
 * redacted only in text that mentions AWS or a secret.
 */
const AWS_SECRET_HINT = /aws|secret/i;
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

export interface RedactOptions {
  /** Extra patterns (config `redaction.patterns`): each match becomes `[REDACTED]`. */
  readonly extra?: ReadonlyArray<RegExp>;
}

/** The text with every secret the patterns know replaced. Never throws; linear in the input. */
export const redactSecrets = (text: string, options: RedactOptions = {}): string => {
  if (typeof text !== "string" || text.length === 0) return text;
  let out = text;
  for (const p of SECRET_PATTERNS) out = out.replace(p.pattern, p.replace ?? REDACTED);
  if (AWS_SECRET_HINT.test(out)) out = out.replace(AWS_SECRET, REDACTED);
  for (const re of options.extra ?? []) {
    const global = re.global ? re : new RegExp(re.source, `${re.flags}g`);
    out = out.replace(global, REDACTED);
  }
  return out;
};

/** Every string inside a JSON-like value redacted (objects and arrays rebuilt, other values kept). */
export const redactDeep = <A>(value: A, options: RedactOptions = {}): A => {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redactSecrets(v, options);
    if (depth > 64 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as A;
};
