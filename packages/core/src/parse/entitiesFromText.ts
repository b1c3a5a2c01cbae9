import type { Entities, EntityKey } from "../model/AlertContext.js";
import { LABEL_ALIASES, withWorkloadGuess } from "./entitiesFromLabels.js";
import { isDeploymentPodName, isK8sName, isNodeName } from "./k8sNames.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Entities sit near the top of an alert; scanning a bounded prefix keeps huge messages cheap. */
const MAX_SCAN = 16_384;

const TEXT_ALIASES: ReadonlyMap<string, EntityKey> = new Map<string, EntityKey>([
  ...Object.entries(LABEL_ALIASES).flatMap(([key, names]) => names.map((n): [string, EntityKey] => [n, key as EntityKey])),
  ["alert", "alertname"],
  ["alert_name", "alertname"],
  ["sev", "severity"],
  ["ns", "namespace"],
  ["deploy", "deployment"],
  ["sts", "statefulset"],
  ["ds", "daemonset"]
]);

const K8S_KINDS: ReadonlyMap<string, EntityKey> = new Map<string, EntityKey>([
  ["namespace", "namespace"],
  ["ns", "namespace"],
  ["pod", "pod"],
  ["container", "container"],
  ["deployment", "deployment"],
  ["deploy", "deployment"],
  ["statefulset", "statefulset"],
  ["sts", "statefulset"],
  ["daemonset", "daemonset"],
  ["ds", "daemonset"],
  ["service", "service"],
  ["svc", "service"],
  ["node", "node"],
  ["cluster", "cluster"]
]);

const NAMESPACED: ReadonlySet<EntityKey> = new Set<EntityKey>(["pod", "deployment", "statefulset", "daemonset", "service"]);

/** Words that follow "pod"/"node"/"service" in prose and are never the name. */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an the is are was were be been being has have had in on at of for to from by with and or not no its it this that " +
    "these those status state health healthy unhealthy level name names event events pressure memory cpu disk usage " +
    "restart restarts restarting restarted failed failing failure error errors down up ready crashed crashing which " +
    "who where when count label labels selector ip ips pool pools group groups list info metrics metric logs log did " +
    "does do will can could should may might must seems looks scaling scaled reported returned returning keeps " +
    "itself again still now here there sandbox template spec"
  ).split(" ")
);

const SEVERITY_WORDS = /^(?:critical|crit|warning|warn|error|high|medium|low|info|none|page|fatal|emergency|major|minor|p[0-5]|sev-?[0-5])$/i;

const VALID: Readonly<Record<EntityKey, (v: string) => boolean>> = {
  alertname: (v) => /^[A-Za-z_][A-Za-z0-9_:.-]{0,200}$/.test(v),
  severity: (v) => /^[A-Za-z0-9-]{1,20}$/.test(v),
  cluster: (v) => /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,200}$/.test(v),
  namespace: (v) => v.length <= 63 && isK8sName(v),
  pod: isK8sName,
  container: isK8sName,
  deployment: isK8sName,
  statefulset: isK8sName,
  daemonset: isK8sName,
  service: isK8sName,
  node: (v) => /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(v),
  instance: (v) => /^[A-Za-z0-9._[\]:-]{1,253}$/.test(v),
  job: (v) => /^[A-Za-z0-9_.:/-]{1,200}$/.test(v)
};

const LINK = /\b[a-z][a-z0-9+.-]{1,15}:\/\/\S+/gi;
const BULLET_LINE = /^[ \t]*[-•+][ \t]*([A-Za-z_][A-Za-z0-9_]{0,63})[ \t]*[=:][ \t]*(.+)$/gm;
const KEY_VALUE = /(?<![\p{L}\p{N}_./-])([A-Za-z_][A-Za-z0-9_]{0,63})[ \t]*(=~|!=|!~|==|=|:)[ \t]*["'“‘]?([^\s"'”’,;|(){}[\]<>]{1,253})/gu;
const KIND_WORD = /(?<![\p{L}\p{N}_-])(namespace|ns|pod|container|deployment|deploy|statefulset|sts|daemonset|ds|service|svc|node|cluster)(\s+|\/)["'“‘]?([A-Za-z0-9][A-Za-z0-9./-]{0,252})/giu;
const QUOTED_JOB = /(?<![\p{L}\p{N}_-])job\s+["“]([A-Za-z0-9_.:/-]{1,200})["”]/giu;
const TITLE = /\[(?:FIRING|RESOLVED)(?::[ \t]*\d+)?[^\]\n]{0,40}\][ \t]*([A-Za-z_][A-Za-z0-9_:]{0,200})?[^\n(]{0,300}(?:\(([^)\n]{1,300})\))?/;
const BRACKETED_SEVERITY = /[[(](critical|warning|high|medium|low|major|minor|info|p[0-5]|sev-?[0-5])[\])]/i;
const SEVERITY_WORD = /(?<![\p{L}\p{N}_-])(critical|warning|fatal|emergency|p[0-4]|sev-?[0-4])(?![\p{L}\p{N}_-])/iu;
const EKS_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9][A-Za-z0-9_-]{0,99})$/;
const HOST_PORT = /^(?:(?:\d{1,3}\.){3}\d{1,3}|[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,10}):\d{2,5}$/;
const TOKEN_SPLIT = /[^A-Za-z0-9._:/-]+/;

/** An identifier that reads like an alert rule name (`KubePodCrashLooping`, `node_down`), not a plain word. */
const looksLikeRuleName = (v: string): boolean => /[a-z0-9][A-Z]|[A-Za-z]_[A-Za-z]/.test(v);

const trimValue = (v: string): string => v.replace(/^[\s"'`“‘]+/, "").replace(/[\s"'`”’.,:;!?]+$/, "");

/**
 * Entities named in free text: `key=value`/`key: value` pairs (Prometheus matchers, Slack
 * template label lists, Datadog tags), `- key = value` label lines, Alertmanager's Slack
 * title `[FIRING:1] Name (values…)`, kubectl forms (`pod/x`, `deploy/x`), prose (`Pod ns/name`,
 * `in namespace x`), and names recognisable by shape (pod names, EKS/GKE/AKS nodes,
 * `host:port`, EKS ARNs). Earlier, more explicit forms win. Linear in the input.
 */
export const entitiesFromText = (input: string): Entities => {
  const text = (input.length > MAX_SCAN ? input.slice(0, MAX_SCAN) : input).replace(LINK, " ").replace(/[*`~]/g, " ");
  const out: Mutable<Entities> = {};
  const set = (key: EntityKey, raw: string | undefined): boolean => {
    if (raw === undefined || out[key] !== undefined) return false;
    const v = trimValue(raw);
    if (v === "" || !VALID[key](v)) return false;
    out[key] = key === "severity" ? v.toLowerCase() : v;
    return true;
  };

  for (const m of text.matchAll(BULLET_LINE)) {
    const key = TEXT_ALIASES.get((m[1] ?? "").toLowerCase());
    const value = trimValue(m[2] ?? "");
    if (key === undefined || value === "") continue;
    // Grafana rule names contain spaces; every other entity is one token.
    if (key === "alertname") {
      if (out.alertname === undefined && value.length <= 200) out.alertname = value;
    } else set(key, value.split(/\s/, 1)[0]);
  }

  for (const m of text.matchAll(KEY_VALUE)) {
    const op = m[2] ?? "";
    if (op.startsWith("!")) continue;
    const name = (m[1] ?? "").toLowerCase();
    const key = TEXT_ALIASES.get(name);
    if (key === undefined) continue;
    const value = m[3];
    if (key === "alertname" && name === "alert" && (value === undefined || !looksLikeRuleName(trimValue(value)))) continue;
    set(key, value);
  }

  const title = TITLE.exec(text);
  if (title !== null) {
    const name = title[1];
    if (name !== undefined && looksLikeRuleName(name)) set("alertname", name);
    if (title[2] !== undefined) fromTitleValues(title[2], set);
  }

  for (const m of text.matchAll(KIND_WORD)) {
    const key = K8S_KINDS.get((m[1] ?? "").toLowerCase());
    const raw = trimValue(m[3] ?? "");
    if (key === undefined || raw === "") continue;
    if (STOPWORDS.has(raw.toLowerCase()) || SEVERITY_WORDS.test(raw)) continue;
    const slash = raw.indexOf("/");
    if (slash === -1) {
      set(key, raw);
    } else if (m[2] !== "/" && NAMESPACED.has(key) && raw.indexOf("/", slash + 1) === -1) {
      const ns = raw.slice(0, slash);
      const name = raw.slice(slash + 1);
      if (VALID.namespace(ns) && VALID[key](name)) {
        set("namespace", ns);
        set(key, name);
      }
    }
  }

  for (const m of text.matchAll(QUOTED_JOB)) set("job", m[1]);

  for (const rawToken of text.split(TOKEN_SPLIT)) {
    const token = rawToken.replace(/^[.:/-]+/, "").replace(/[.:/-]+$/, "");
    if (token.length < 3 || token.length > 253) continue;
    fromShape(token, set);
  }

  // "payments/api pods crash looping": a bare namespace/workload pair, trusted only when the
  // text talks about Kubernetes workloads (so "and/or" or "read/write" are not taken for one).
  if (out.namespace === undefined && KUBE_TALK.test(text)) {
    const pair = NS_WORKLOAD.exec(text);
    if (pair !== null && !NOT_A_PAIR.has(pair[1]!) && VALID.namespace(pair[1]!) && VALID.deployment(pair[2]!)) {
      set("namespace", pair[1]);
      set("deployment", pair[2]);
    }
  }

  if (out.severity === undefined) {
    const bracketed = BRACKETED_SEVERITY.exec(text);
    set("severity", bracketed?.[1] ?? SEVERITY_WORD.exec(text)?.[1]);
  }
  return withWorkloadGuess(out);
};

const KUBE_TALK = /\bKube[A-Z]\w*|\b(?:pods?|deploy(?:ment)?s?|workloads?|replicas?|crash\w*|restart\w*|rollouts?|namespaces?|statefulsets?|daemonsets?|OOM\w*|k8s|kubernetes)\b/i;
const NS_WORKLOAD = /(?<![\w./:-])([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?![\w./:-])/;
const NOT_A_PAIR = new Set(["pod", "pods", "po", "deployment", "deployments", "deploy", "statefulset", "statefulsets", "sts", "daemonset", "daemonsets", "ds", "service", "services", "svc", "node", "nodes", "job", "jobs", "cronjob", "replicaset", "rs", "namespace", "ns", "ingress", "pvc", "pv", "configmap", "cm", "secret", "hpa", "endpoints", "and", "or", "read", "write", "yes", "no", "on", "off", "in", "out", "up", "down", "tcp", "udp", "http", "https", "n", "a", "s"]);

/** A StatefulSet pod: `<name>-<ordinal>` (trusted only next to a namespace). */
const STATEFUL_POD = /^[a-z0-9](?:[a-z0-9-]{0,60}[a-z0-9])?-\d{1,4}$/;

type Setter = (key: EntityKey, raw: string | undefined) => boolean;

/**
 * Alertmanager's default Slack title lists the non-grouping common label values, sorted by
 * label name, without the names. Values are recognised by shape; a plain name right before
 * a pod name is taken as its namespace, since `namespace` sorts just before `pod`.
 */
const fromTitleValues = (values: string, set: Setter): void => {
  const parts = values.split(/\s+/).map(trimValue).filter((p) => p !== "");
  parts.forEach((part, i) => {
    if (SEVERITY_WORDS.test(part)) set("severity", part);
    else if (isDeploymentPodName(part) || (i > 0 && STATEFUL_POD.test(part))) {
      set("pod", part);
      const before = parts[i - 1];
      if (before !== undefined && !SEVERITY_WORDS.test(before) && isK8sName(before) && before.length <= 63) set("namespace", before);
    } else if (isNodeName(part)) set("node", part);
    else if (HOST_PORT.test(part)) set("instance", part);
  });
};

const fromShape = (token: string, set: Setter): void => {
  if (token.startsWith("arn:")) {
    set("cluster", EKS_ARN.exec(token)?.[1]);
    return;
  }
  const slash = token.indexOf("/");
  if (slash !== -1) {
    const ns = token.slice(0, slash);
    const pod = token.slice(slash + 1);
    if (pod.includes("/") || !isK8sName(ns) || ns.length > 63 || !(isDeploymentPodName(pod) || STATEFUL_POD.test(pod))) return;
    if (set("pod", pod)) set("namespace", ns);
    return;
  }
  if (isDeploymentPodName(token)) set("pod", token);
  else if (isNodeName(token)) set("node", token);
  else if (HOST_PORT.test(token)) set("instance", token);
};
