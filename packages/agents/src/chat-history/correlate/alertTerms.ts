import { type AlertContext, workloadFromPodName } from "@sre-on-call/core";

/**
 * Names too common in chat to tie a message to the alert on their own ("the api is slow"
 * says nothing about payments/api); they count only next to the alert's namespace.
 */
const GENERIC = new Set(
  (
    "api app apps web www db database server service services worker workers main master default prod production staging stage dev " +
    "frontend backend proxy cache gateway core job jobs data test admin auth monitoring kube-system ingress cluster node nodes pod pods"
  ).split(" ")
);

/** What an alert is about, as lower-case words a chat message can mention. */
export interface AlertTerms {
  readonly alertname?: string;
  /** Workload, pod, node and instance names distinctive enough on their own. */
  readonly specific: ReadonlySet<string>;
  /** Workload names that count only together with a scope term. */
  readonly generic: ReadonlySet<string>;
  /** Namespace and cluster. */
  readonly scope: ReadonlySet<string>;
  /** `KubePodCrashLooping on payments/api`, for summaries. */
  readonly label: string;
  /** `payments/api`, or the label when the alert names no place. */
  readonly place: string;
}

/** How a message relates to the alert. */
export interface Mention {
  readonly alert: boolean;
  /** Names a workload of the alert (a specific one, or a generic one with its namespace). */
  readonly workload: boolean;
  /** Names the alert's namespace or cluster. */
  readonly scope: boolean;
}

const isGeneric = (word: string) => word.length < 4 || GENERIC.has(word);

/** Lower-case words of a message; `ns/name`, `host:port` and pod names also yield their parts. */
export const messageWords = (text: string): ReadonlySet<string> => {
  const words = new Set<string>();
  for (const raw of text.toLowerCase().split(/[^a-z0-9_.:/-]+/)) {
    for (const part of raw.split("/")) {
      const word = part.replace(/^[.:_-]+|[.:_-]+$/g, "");
      if (word === "") continue;
      words.add(word);
      const host = word.includes(":") ? word.slice(0, word.indexOf(":")) : undefined;
      if (host !== undefined && host !== "") words.add(host);
      const owner = workloadFromPodName(word);
      if (owner !== undefined) words.add(owner.name);
    }
  }
  return words;
};

export const alertTerms = (alert: AlertContext): AlertTerms => {
  const e = alert.entities;
  const lower = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim().toLowerCase());
  const specific = new Set<string>();
  const generic = new Set<string>();
  const scope = new Set<string>();
  const workload = (v: string | undefined) => {
    const w = lower(v);
    if (w !== undefined) (isGeneric(w) ? generic : specific).add(w);
  };
  for (const v of [e.deployment, e.statefulset, e.daemonset, e.service, e.container, e.job]) workload(v);
  const pod = lower(e.pod);
  if (pod !== undefined) {
    specific.add(pod);
    workload(workloadFromPodName(pod)?.name);
  }
  for (const v of [e.node, e.instance]) {
    const w = lower(v);
    if (w !== undefined) specific.add(w.includes(":") ? w.slice(0, w.indexOf(":")) : w);
  }
  for (const v of [e.namespace, e.cluster]) {
    const w = lower(v);
    if (w !== undefined && !isGeneric(w)) scope.add(w);
  }
  // Helm releases and Argo CD applications are often named `<namespace>-<workload>`.
  const namespace = lower(e.namespace);
  if (namespace !== undefined) {
    for (const w of [...specific, ...generic]) if (w !== namespace && !w.startsWith(`${namespace}-`)) specific.add(`${namespace}-${w}`);
  }
  const alertname = lower(e.alertname);
  const owner = e.pod === undefined ? undefined : workloadFromPodName(e.pod)?.name;
  const where = [e.namespace, e.deployment ?? e.statefulset ?? e.daemonset ?? e.service ?? owner ?? e.pod ?? e.node].filter((x) => x !== undefined && x !== "").join("/");
  const label = [e.alertname, where === "" ? undefined : where].filter((x) => x !== undefined).join(" on ");
  const shown = label === "" ? "the alert" : label;
  return { ...(alertname !== undefined ? { alertname } : {}), specific, generic, scope, label: shown, place: where === "" ? shown : where };
};

export const hasTerms = (terms: AlertTerms): boolean =>
  terms.alertname !== undefined || terms.specific.size > 0 || terms.generic.size > 0 || terms.scope.size > 0;

export const mentionOf = (terms: AlertTerms, words: ReadonlySet<string>): Mention => {
  const some = (set: ReadonlySet<string>) => {
    for (const t of set) if (words.has(t)) return true;
    return false;
  };
  const scope = some(terms.scope);
  return {
    alert: terms.alertname !== undefined && words.has(terms.alertname),
    workload: some(terms.specific) || (scope && some(terms.generic)),
    scope
  };
};
