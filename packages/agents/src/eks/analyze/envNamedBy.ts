import type { EnvVar } from "../kube/KubeObjects.js";

/** The env of the same container in the revision before, to tell a renamed variable from one never set. */
export interface PreviousEnv {
  readonly revision: number;
  readonly env: ReadonlyArray<EnvVar>;
}

/** A failure line that says something is absent: only then is a name in it a variable the process looked for. */
const SAYS_MISSING = /\b(?:missing|not set|not defined|undefined|required|must be (?:set|specified|provided)|is empty|no value|not provided|unset|not configured)\b/i;

const QUOTED = /[`'"‘’]([A-Za-z_][\w.-]{2,})[`'"‘’]/g;
const SNAKE = /\b(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b/g;

const normal = (name: string) => name.toUpperCase().replace(/[.-]/g, "_");

/** Names a failure line gives in the form of an environment variable (snake case, or quoted with an underscore). */
const namesIn = (text: string): ReadonlyArray<string> => {
  const found = new Set<string>();
  for (const m of text.matchAll(QUOTED)) if ((m[1] ?? "").includes("_")) found.add(normal(m[1] ?? ""));
  for (const m of text.matchAll(SNAKE)) found.add(normal(m[0]));
  return [...found];
};

const namesOf = (env: ReadonlyArray<EnvVar>): ReadonlyArray<string> => env.map((e) => e.name).filter((n): n is string => typeof n === "string" && n !== "");

/**
 * What the container's env says about a variable its crash reports missing: the process looks
 * for one name and the pod sets it under another, with a prefix or suffix added or dropped
 * (AlverezYari/phillips-homelab#285: Rails reads SECRET_KEY_BASE, `Missing \`secret_key_base\``,
 * while a rollout renamed the env var to RAILS_SECRET_KEY_BASE; gsemet/kube-airflow#10: a chart
 * prefix turned RABBIT_HOST into AF_RABBIT_HOST, which "breaks nearly all Pods"). The revision before, when it
 * set the name the process wants, shows the rename. Undefined when the env says nothing about it.
 */
export const envNamedBy = (text: string, env: ReadonlyArray<EnvVar>, previous?: PreviousEnv): string | undefined => {
  if (!SAYS_MISSING.test(text)) return undefined;
  const set = namesOf(env);
  const setNormal = new Set(set.map(normal));
  for (const wanted of namesIn(text)) {
    if (setNormal.has(wanted)) continue;
    const near = set.find((name) => {
      const n = normal(name);
      return n.endsWith(`_${wanted}`) || wanted.endsWith(`_${n}`) || n.startsWith(`${wanted}_`) || wanted.startsWith(`${n}_`);
    });
    if (near === undefined) continue;
    const before = previous !== undefined && namesOf(previous.env).some((n) => normal(n) === wanted);
    return `the container sets ${near}, not ${wanted}${before ? ` (revision ${previous.revision} set ${wanted}: the variable was renamed)` : ""}`;
  }
  return undefined;
};
