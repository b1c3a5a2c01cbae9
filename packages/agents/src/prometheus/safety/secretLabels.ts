import { REDACTED, redactSecrets } from "@sre-on-call/core";

/**
 * Label names that suggest the value is a credential. `auth` only as a word of its own, so
 * `authority` (Istio, Linkerd, Envoy) and `author` stay readable; a bare `key` (taints, caches)
 * is not a secret either.
 */
const SECRET_LABEL_NAME = /passw|passphrase|(?:^|_)pass(?:_|$)|(?:^|_)pwd(?:_|$)|secret|token|api_?key|apikey|access_?key|private_?key|(?:^|_)auth(?:_|$)|authori[sz]ation|credential|cookie|session_?id|bearer|jwt/i;

/** Whether a label with this name probably holds a secret, so its values are never matched, grouped, copied or shown. */
export const looksSecretLabel = (name: string): boolean => SECRET_LABEL_NAME.test(name);

/** Whether a value matches one of the redactor's secret patterns. */
const looksSecretValue = (value: string): boolean => redactSecrets(value) !== value;

/**
 * Labels as they may be shown: the value of a secret-looking label, or a value the redactor
 * recognises (a token, a URL with a password), becomes `[REDACTED]`. A label *name* that is
 * itself a credential (a token fits the label-name alphabet) is replaced too.
 */
export const redactLabels = (labels: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    const safeName = looksSecretValue(name) ? REDACTED : name;
    out[safeName] = safeName !== name || looksSecretLabel(name) || looksSecretValue(value) ? REDACTED : value;
  }
  return out;
};

/** Label values (`/api/v1/label/<name>/values`) as they may be shown. */
export const redactLabelValues = (name: string, values: ReadonlyArray<string>): ReadonlyArray<string> =>
  looksSecretLabel(name) ? values.map(() => REDACTED) : values.map((v) => (looksSecretValue(v) ? REDACTED : v));
