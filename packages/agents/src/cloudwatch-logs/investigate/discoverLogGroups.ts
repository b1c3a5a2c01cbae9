import type { AlertContext } from "@sre-on-call/core";
import type { LogGroupInfo } from "../source/LogSource.js";

export interface SearchTerm {
  readonly term: string;
  /** Which entity it came from, for the report. */
  readonly from: string;
  readonly weight: number;
}

export interface RankedGroup {
  readonly name: string;
  readonly score: number;
  readonly matched: ReadonlyArray<string>;
  readonly storedBytes?: number;
}

/** Words in alert names that say nothing about where the logs are. */
const GENERIC = new Set(["high", "low", "error", "errors", "rate", "ratio", "latency", "kube", "pod", "pods", "crash", "looping", "alert", "down", "target", "targets", "container", "deployment", "replicas", "mismatch", "job", "failed", "failing", "too", "many", "restarts", "memory", "cpu", "usage", "throttling", "http", "requests", "request", "slow", "budget", "burn", "api", "service", "not", "ready", "absent", "the", "and", "for", "default", "warning", "critical", "info", "aws", "lambda", "ecs", "eks", "cloudwatch", "logs", "function", "task", "containerinsights", "application"]);
/** Namespaces too common to tell groups apart. */
const GENERIC_NAMESPACES = new Set(["default", "kube-system"]);

/** `api-7d9f8b6c5-x2x9z` → `api`, `db-0` → `db`, `backup-28531234-abcde` → `backup`. */
export const workloadOfPod = (pod: string): string =>
  pod
    .replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, "")
    .replace(/-\d{6,}-[a-z0-9]{5}$/, "")
    .replace(/-[a-z0-9]{5}$/, "")
    .replace(/-\d+$/, "");

const splitWords = (name: string): ReadonlyArray<string> =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length >= 4 && !GENERIC.has(w));

const LABEL_TERMS: ReadonlyArray<readonly [string, number]> = [
  ["function_name", 6],
  ["functionname", 6],
  ["function", 6],
  ["app", 5],
  ["app_kubernetes_io_name", 5],
  ["service_name", 5],
  ["task_family", 5],
  ["ecs_service", 5]
];

/** Labels naming log groups outright (CloudWatch alarms, Loki-style rules). */
const GROUP_LABELS = ["log_group", "loggroup", "log_group_name", "loggroupname"];

const labelValue = (alert: AlertContext, key: string): string | undefined => {
  for (const [k, v] of Object.entries(alert.labels)) if (k.toLowerCase() === key && v.trim() !== "") return v.trim();
  return undefined;
};

/** The log group names the alert states outright. */
export const namedGroups = (alert: AlertContext): ReadonlyArray<string> => GROUP_LABELS.flatMap((k) => labelValue(alert, k) ?? []);

/** What to look for in log group names, from the alert's entities and labels; heavier terms say more. */
export const searchTerms = (alert: AlertContext): ReadonlyArray<SearchTerm> => {
  const e = alert.entities;
  const terms: Array<SearchTerm> = [];
  const add = (value: string | undefined, from: string, weight: number) => {
    const term = value?.trim().toLowerCase();
    if (term === undefined || term.length < 2) return;
    const existing = terms.findIndex((t) => t.term === term);
    if (existing === -1) terms.push({ term, from, weight });
    else if (terms[existing]!.weight < weight) terms[existing] = { term, from, weight };
  };
  for (const [key, weight] of LABEL_TERMS) add(labelValue(alert, key), key, weight);
  add(e.service, "service", 5);
  add(e.deployment, "deployment", 5);
  add(e.statefulset, "statefulset", 5);
  add(e.daemonset, "daemonset", 5);
  add(e.job, "job", 4);
  add(e.container, "container", 3);
  if (e.pod !== undefined) add(workloadOfPod(e.pod), "pod", 4);
  if (e.namespace !== undefined && !GENERIC_NAMESPACES.has(e.namespace)) add(e.namespace, "namespace", 3);
  add(e.cluster, "cluster", 2);
  if (e.alertname !== undefined) for (const w of splitWords(e.alertname)) add(w, "alertname", 1);
  return terms;
};

/** The prefixes where AWS and common conventions put these entities' logs. */
export const candidatePrefixes = (alert: AlertContext): ReadonlyArray<string> => {
  const e = alert.entities;
  const prefixes: Array<string> = [];
  if (e.cluster !== undefined) prefixes.push(`/aws/eks/${e.cluster}/`, `/aws/containerinsights/${e.cluster}/application`);
  const workloads = [labelValue(alert, "function_name") ?? labelValue(alert, "functionname"), e.service, e.deployment, e.statefulset, e.job, e.pod === undefined ? undefined : workloadOfPod(e.pod)];
  for (const w of workloads) if (w !== undefined && w.trim() !== "") prefixes.push(`/ecs/${w}`, `/aws/lambda/${w}`, `/aws/ecs/${w}`);
  prefixes.push(...namedGroups(alert));
  return [...new Set(prefixes)];
};

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A term matches a whole word of the name: `api` matches `/ecs/payments-api`, not `/aws/lambda/capital`. */
const matchesWord = (name: string, term: string) => new RegExp(`(^|[^a-z0-9])${escapeRegex(term)}($|[^a-z0-9])`).test(name);

export interface RankOptions {
  readonly limit: number;
  /** Prefixes the groups were found under on purpose (entity conventions, configuration): a small bonus. */
  readonly prefixes: ReadonlyArray<string>;
  /** Exact names the alert or configuration gives: always first when they exist. */
  readonly named: ReadonlyArray<string>;
}

/**
 * The existing log groups most likely to hold the alert's logs: scored by the terms their names
 * contain (whole words), a group under a searched prefix scoring a little more. Groups matching
 * nothing are left out: a name is never guessed.
 */
export const rankLogGroups = (groups: ReadonlyArray<LogGroupInfo>, terms: ReadonlyArray<SearchTerm>, options: RankOptions): ReadonlyArray<RankedGroup> => {
  const named = new Set(options.named);
  const scored = groups.flatMap((g): ReadonlyArray<RankedGroup> => {
    const lower = g.name.toLowerCase();
    const matched = terms.filter((t) => matchesWord(lower, t.term));
    const termScore = matched.reduce((s, t) => s + t.weight, 0);
    const isNamed = named.has(g.name);
    if (termScore === 0 && !isNamed) return [];
    const underPrefix = options.prefixes.some((p) => g.name.startsWith(p)) ? 1 : 0;
    const score = (isNamed ? 100 : 0) + termScore + underPrefix;
    return [{ name: g.name, score, matched: [...(isNamed ? ["named by the alert"] : []), ...matched.map((t) => `${t.from}=${t.term}`)], ...(g.storedBytes !== undefined ? { storedBytes: g.storedBytes } : {}) }];
  });
  return scored.sort((a, b) => b.score - a.score || (b.storedBytes ?? 0) - (a.storedBytes ?? 0) || a.name.localeCompare(b.name)).slice(0, options.limit);
};
