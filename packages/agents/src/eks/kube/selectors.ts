import type { LabelSelector, StringMap } from "./KubeObjects.js";

/**
 * Label and field selectors as the API server understands them, so a dump can be queried with
 * the same strings a live cluster is. Label selectors support `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k` and `!k`; field selectors `path=v`, `path==v`, `path!=v`
 * over dotted paths (`metadata.name`, `spec.nodeName`, `involvedObject.name`, `type`...).
 */

type Requirement =
  | { readonly op: "eq" | "neq"; readonly key: string; readonly value: string }
  | { readonly op: "in" | "notin"; readonly key: string; readonly values: ReadonlyArray<string> }
  | { readonly op: "exists" | "absent"; readonly key: string };

/** Splits on commas outside parentheses. */
const splitTerms = (selector: string): Array<string> => {
  const terms: Array<string> = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== "");
};

const parseRequirement = (term: string): Requirement | undefined => {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set !== null) {
    const values = (set[3] ?? "").split(",").map((v) => v.trim()).filter((v) => v !== "");
    return { op: set[2] === "in" ? "in" : "notin", key: set[1] ?? "", values };
  }
  const neq = /^([^\s!=]+)\s*!=\s*(.*)$/.exec(term);
  if (neq !== null) return { op: "neq", key: neq[1] ?? "", value: (neq[2] ?? "").trim() };
  const eq = /^([^\s!=]+)\s*==?\s*(.*)$/.exec(term);
  if (eq !== null) return { op: "eq", key: eq[1] ?? "", value: (eq[2] ?? "").trim() };
  if (/^![^\s!=]+$/.test(term)) return { op: "absent", key: term.slice(1) };
  if (/^[^\s!=()]+$/.test(term)) return { op: "exists", key: term };
  return undefined;
};

const parse = (selector: string | undefined): ReadonlyArray<Requirement> | undefined => {
  if (selector === undefined || selector.trim() === "") return [];
  const requirements: Array<Requirement> = [];
  for (const term of splitTerms(selector)) {
    const r = parseRequirement(term);
    if (r === undefined) return undefined;
    requirements.push(r);
  }
  return requirements;
};

const satisfies = (value: string | undefined, r: Requirement): boolean => {
  switch (r.op) {
    case "eq":
      return value === r.value;
    case "neq":
      return value !== r.value;
    case "in":
      return value !== undefined && r.values.includes(value);
    case "notin":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return value !== undefined;
    case "absent":
      return value === undefined;
  }
};

export class InvalidSelector extends Error {
  override readonly name = "InvalidSelector";
}

/** A predicate for the label selector string; throws `InvalidSelector` when it cannot be parsed. */
export const labelSelectorPredicate = (selector: string | undefined): ((labels: StringMap | undefined) => boolean) => {
  const requirements = parse(selector);
  if (requirements === undefined) throw new InvalidSelector(`unable to parse requirement in label selector "${selector}"`);
  return (labels) => requirements.every((r) => satisfies(labels?.[r.key], r));
};

const fieldValue = (object: unknown, path: string): string | undefined => {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === "string" || typeof current === "number" || typeof current === "boolean" ? String(current) : undefined;
};

/** A predicate for the field selector string; throws `InvalidSelector` when it cannot be parsed. */
export const fieldSelectorPredicate = (selector: string | undefined): ((object: unknown) => boolean) => {
  const requirements = parse(selector);
  if (requirements === undefined || requirements.some((r) => r.op !== "eq" && r.op !== "neq")) {
    throw new InvalidSelector(`invalid field selector "${selector}": only =, == and != are supported`);
  }
  // The API server treats a missing field as the empty string.
  return (object) => requirements.every((r) => satisfies(fieldValue(object, r.key) ?? "", r));
};

/** The selector string equivalent to a workload's `spec.selector`. */
export const labelSelectorString = (selector: LabelSelector | StringMap | undefined): string => {
  if (selector === undefined) return "";
  const structured = "matchLabels" in selector || "matchExpressions" in selector;
  const matchLabels: StringMap = structured ? ((selector as LabelSelector).matchLabels ?? {}) : (selector as StringMap);
  const terms = Object.keys(matchLabels)
    .sort()
    .map((k) => `${k}=${matchLabels[k] ?? ""}`);
  if (structured) {
    for (const e of (selector as LabelSelector).matchExpressions ?? []) {
      const values = [...(e.values ?? [])].sort().join(",");
      if (e.operator === "In") terms.push(`${e.key} in (${values})`);
      else if (e.operator === "NotIn") terms.push(`${e.key} notin (${values})`);
      else if (e.operator === "Exists") terms.push(`${e.key}`);
      else if (e.operator === "DoesNotExist") terms.push(`!${e.key}`);
    }
  }
  return terms.join(",");
};

/** Whether labels match a workload's selector. An empty selector matches nothing, as for Services. */
export const selectsLabels = (selector: LabelSelector | StringMap | undefined, labels: StringMap | undefined): boolean => {
  const s = labelSelectorString(selector);
  return s !== "" && labelSelectorPredicate(s)(labels);
};

/** Applies label and field selectors the way the API server does; throws `InvalidSelector` on a bad one. */
export const filterBySelectors = <T extends { readonly metadata: { readonly labels?: StringMap } }>(
  items: ReadonlyArray<T>,
  options: { readonly labelSelector?: string; readonly fieldSelector?: string } | undefined
): ReadonlyArray<T> => {
  if (options?.labelSelector === undefined && options?.fieldSelector === undefined) return items;
  const labels = labelSelectorPredicate(options.labelSelector);
  const fields = fieldSelectorPredicate(options.fieldSelector);
  return items.filter((item) => labels(item.metadata.labels) && fields(item));
};
