/*
 * The fake API server's own reading of label and field selectors, written from the Kubernetes
 * documentation and never shared with the production `kube/selectors.ts`: a fake that used the
 * code under test would agree with its bugs.
 *
 * - Labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/): `k=v`,
 *   `k==v`, `k!=v` (also true when the label is absent), `k in (a,b)`, `k notin (a,b)` (also true
 *   when absent), `k`, `!k`, and the API server's `k>n` / `k<n` on integer values; keys are
 *   optionally prefixed names of at most 63 characters, values at most 63 characters.
 * - Fields (https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/):
 *   only `=`, `==` and `!=`, and only the fields each kind supports: `metadata.name` and
 *   `metadata.namespace` everywhere, plus the per-kind list of that page. Anything else is the
 *   API server's 400 BadRequest.
 */

export class FakeSelectorError extends Error {
  override readonly name = "FakeSelectorError";
}

type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const validKey = (key: string): boolean => {
  const slash = key.indexOf("/");
  if (slash === -1) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME.test(key.slice(slash + 1));
};
const validValue = (value: string): boolean => value === "" || NAME.test(value);

/** A character-by-character reader of one selector string. */
const reader = (text: string) => {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at] ?? "")) at++;
  };
  return {
    done: () => (skipSpace(), at >= text.length),
    peek: (s: string) => (skipSpace(), text.startsWith(s, at)),
    take: (s: string) => {
      skipSpace();
      if (!text.startsWith(s, at)) return false;
      at += s.length;
      return true;
    },
    /** A run of characters that are not space, operators, commas or parentheses. */
    word: () => {
      skipSpace();
      const start = at;
      while (at < text.length && !/[\s,=!<>()]/.test(text[at] ?? "")) at++;
      return text.slice(start, at);
    }
  };
};

const badLabel = (selector: string, why: string) => new FakeSelectorError(`unable to parse requirement: ${why} (label selector "${selector}")`);

/** The label selector as one predicate; throws `FakeSelectorError` as the API server answers 400. */
export const parseLabelSelector = (selector: string): LabelTest => {
  const r = reader(selector);
  const tests: Array<LabelTest> = [];
  const key = () => {
    const k = r.word();
    if (!validKey(k)) throw badLabel(selector, `invalid label key "${k}"`);
    return k;
  };
  const value = () => {
    const v = r.word();
    if (!validValue(v)) throw badLabel(selector, `invalid label value "${v}"`);
    return v;
  };
  const set = () => {
    if (!r.take("(")) throw badLabel(selector, "expected (");
    const values: Array<string> = [];
    if (!r.take(")")) {
      do values.push(value());
      while (r.take(","));
      if (!r.take(")")) throw badLabel(selector, "expected )");
    }
    if (values.length === 0) throw badLabel(selector, "for 'in', 'notin' operators, values set can't be empty");
    return values;
  };
  const integer = () => {
    const v = r.word();
    if (!/^-?\d+$/.test(v)) throw badLabel(selector, `for 'Gt', 'Lt' operators, the value must be an integer, got "${v}"`);
    return Number(v);
  };
  if (r.done()) return () => true;
  do {
    if (r.take("!")) {
      const k = key();
      tests.push((labels) => !(k in labels));
      continue;
    }
    const k = key();
    if (r.take("==") || r.take("=")) {
      const v = value();
      tests.push((labels) => labels[k] === v);
    } else if (r.take("!=")) {
      const v = value();
      tests.push((labels) => labels[k] !== v);
    } else if (r.take(">")) {
      const n = integer();
      tests.push((labels) => labels[k] !== undefined && /^-?\d+$/.test(labels[k] ?? "") && Number(labels[k]) > n);
    } else if (r.take("<")) {
      const n = integer();
      tests.push((labels) => labels[k] !== undefined && /^-?\d+$/.test(labels[k] ?? "") && Number(labels[k]) < n);
    } else if (r.peek("notin")) {
      r.take("notin");
      const values = set();
      tests.push((labels) => !values.includes(labels[k] ?? "\u0000absent"));
    } else if (r.peek("in")) {
      r.take("in");
      const values = set();
      tests.push((labels) => labels[k] !== undefined && values.includes(labels[k] ?? ""));
    } else {
      tests.push((labels) => k in labels);
    }
    if (!r.done() && !r.peek(",")) throw badLabel(selector, "expected , between requirements");
  } while (r.take(","));
  if (!r.done()) throw badLabel(selector, "unexpected text at the end");
  return (labels) => tests.every((t) => t(labels));
};

type Obj = Readonly<Record<string, unknown>>;
const at = (o: unknown, ...path: ReadonlyArray<string>): unknown => path.reduce<unknown>((v, p) => (typeof v === "object" && v !== null ? (v as Obj)[p] : undefined), o);
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");

/** How the API server reads each supported field of a kind (absent fields read as the server formats them). */
type Fields = Readonly<Record<string, (o: unknown) => ReadonlyArray<string>>>;
const one = (f: (o: unknown) => string) => (o: unknown) => [f(o)];
const COMMON: Fields = { "metadata.name": one((o) => str(at(o, "metadata", "name"))), "metadata.namespace": one((o) => str(at(o, "metadata", "namespace"))) };
/** The per-kind lists of the Field Selectors page ("List of supported fields"). */
const BY_KIND: Readonly<Record<string, Fields>> = {
  pods: {
    "spec.nodeName": one((o) => str(at(o, "spec", "nodeName"))),
    "spec.restartPolicy": one((o) => str(at(o, "spec", "restartPolicy"))),
    "spec.schedulerName": one((o) => str(at(o, "spec", "schedulerName"))),
    "spec.serviceAccountName": one((o) => str(at(o, "spec", "serviceAccountName"))),
    "spec.hostNetwork": one((o) => String(at(o, "spec", "hostNetwork") === true)),
    "status.phase": one((o) => str(at(o, "status", "phase"))),
    "status.podIP": one((o) => str(at(o, "status", "podIP"))),
    "status.podIPs": (o) => {
      const ips = at(o, "status", "podIPs");
      return Array.isArray(ips) ? ips.map((ip) => str(at(ip, "ip"))) : [""];
    },
    "status.nominatedNodeName": one((o) => str(at(o, "status", "nominatedNodeName")))
  },
  events: {
    ...Object.fromEntries(
      ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map((f) => [`involvedObject.${f}`, one((o) => str(at(o, "involvedObject", f)))])
    ),
    reason: one((o) => str(at(o, "reason"))),
    reportingComponent: one((o) => str(at(o, "reportingComponent"))),
    source: one((o) => str(at(o, "source", "component"))),
    type: one((o) => str(at(o, "type")))
  },
  replicasets: { "status.replicas": one((o) => String(Number(at(o, "status", "replicas") ?? 0))) },
  jobs: { "status.successful": one((o) => String(Number(at(o, "status", "succeeded") ?? 0))) },
  nodes: { "spec.unschedulable": one((o) => String(at(o, "spec", "unschedulable") === true)) }
};

/** Splits on commas that are not escaped with a backslash, and unescapes `\,`, `\=` and `\\`. */
const fieldTerms = (selector: string): ReadonlyArray<string> => {
  const terms: Array<string> = [];
  let current = "";
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i] ?? "";
    if (ch === "\\" && i + 1 < selector.length) {
      current += `\\${selector[++i] ?? ""}`;
    } else if (ch === ",") {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== "");
};
const unescape = (s: string) => s.replace(/\\(.)/g, "$1");

/** The field selector for a resource (`pods`, `events`, `nodes`…) as one predicate; throws `FakeSelectorError` for a 400. */
export const parseFieldSelector = (resource: string, selector: string): ((object: unknown) => boolean) => {
  const fields: Fields = { ...COMMON, ...(BY_KIND[resource] ?? {}) };
  const tests = fieldTerms(selector).map((term) => {
    const m = /^((?:[^\\=!]|\\.)+?)\s*(==|=|!=)\s*((?:[^\\]|\\.)*)$/.exec(term);
    if (m === null) throw new FakeSelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = unescape(m[1] ?? "").trim();
    const negate = m[2] === "!=";
    const value = unescape(m[3] ?? "");
    const read = fields[field];
    if (read === undefined) {
      const known = Object.keys(fields).map((f) => JSON.stringify(f)).join(", ");
      throw new FakeSelectorError(`"${field}" is not a known field selector: only ${known}`);
    }
    return (o: unknown) => read(o).includes(value) !== negate;
  });
  return (o) => tests.every((t) => t(o));
};
