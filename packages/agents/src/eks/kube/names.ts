/**
 * Kubernetes naming rules, as the API server validates them
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/). Names from alerts,
 * chat text and model tool calls become dump paths and API URL paths: a name that follows its
 * rule has no `/`, no `..`, no NUL and no `%`, so it can only name one entry inside the dump.
 */

/** RFC 1123 label: namespaces and container names. */
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: pods, nodes, workloads, claims and most other objects. */
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

export type KubeNameKind = "namespace" | "container" | "pod" | "node";

interface Rule {
  readonly pattern: RegExp;
  readonly maxLength: number;
  readonly describe: string;
}

const LABEL: Rule = { pattern: DNS_LABEL, maxLength: 63, describe: "an RFC 1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit" };
const SUBDOMAIN: Rule = {
  pattern: DNS_SUBDOMAIN,
  maxLength: 253,
  describe: "an RFC 1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"
};

export const KUBE_NAME_RULES: Readonly<Record<KubeNameKind, Rule>> = { namespace: LABEL, container: LABEL, pod: SUBDOMAIN, node: SUBDOMAIN };

export const isKubeName = (kind: KubeNameKind, value: string): boolean => {
  const rule = KUBE_NAME_RULES[kind];
  return value.length <= rule.maxLength && rule.pattern.test(value);
};

/** Why `value` cannot be a `kind` name, or undefined when it can. The value is quoted as JSON, so control characters show. */
export const kubeNameProblem = (kind: KubeNameKind, value: string): string | undefined => {
  if (isKubeName(kind, value)) return undefined;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return `${shown} is not a valid Kubernetes ${kind} name (${KUBE_NAME_RULES[kind].describe})`;
};
