/**
 * Secret redaction. Log lines, alert annotations and chat history carry credentials more often
 * than anyone likes; none of them may reach a chat message or a model prompt. Every pattern is
 * linear (no nested quantifiers) and the replacement keeps enough context to read the line.
 */

export const REDACTED = "[REDACTED]";

export interface SecretPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /** The replacement; `$1`… keep context such as the key name. Default: `[REDACTED]`. */
  readonly replace?: string;
}

const g = (source: string, flags = "g"): RegExp => new RegExp(source, flags);

/** The builtin patterns, most specific first. */
export const SECRET_PATTERNS: ReadonlyArray<SecretPattern> = [
  {
    name: "private key",
    pattern: g("-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[\\s\\S]{0,20000}?-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----"),
    replace: `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`
  },
  { name: "JWT", pattern: g("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}") },
  { name: "AWS access key id", pattern: g("(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}") },
  { name: "Slack token", pattern: g("\\bxox[abeoprs]-[A-Za-z0-9-]{10,}") },
  { name: "Slack webhook", pattern: g("https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{10,}"), replace: `https://hooks.slack.com/${REDACTED}` },
  { name: "Discord bot token", pattern: g("\\b[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}\\b") },
  { name: "Discord webhook", pattern: g("https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/[A-Za-z0-9_-]{20,}"), replace: `https://discord.com/api/webhooks/${REDACTED}` },
  { name: "GitHub token", pattern: g("\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})") },
  { name: "OpenAI/Anthropic key", pattern: g("\\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,})") },
  { name: "Google API key", pattern: g("\\bAIza[0-9A-Za-z_-]{35}\\b") },
  { name: "bearer token", pattern: g("\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]{12,}", "gi"), replace: `$1 ${REDACTED}` },
  // "token <value>" only when the value looks like one (has a digit): "token authentication" is prose.
  { name: "token", pattern: g("\\b(token)\\s+(?=[A-Za-z0-9._~+/=-]{0,200}\\d)[A-Za-z0-9._~+/=-]{12,}", "gi"), replace: `$1 ${REDACTED}` },
  { name: "password in URL", pattern: g("\\b([a-z][a-z0-9+.-]{1,20}://[^\\s:/@]{1,100}:)[^\\s@/]{1,200}(@)", "gi"), replace: `$1${REDACTED}$2` },
  {
    name: "credential assignment",
    pattern: g(
      "\\b((?:[A-Za-z0-9]{1,30}[_.-]){0,4}(?:secret(?:_access)?_key|secret|password|passwd|pwd|passphrase|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|client[_-]?secret|private[_-]?key)[\"']?\\s{0,3}[=:]\\s{0,3}[\"']?)[^\\s\"',;&}]{3,}",
      "gi"
    ),
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
