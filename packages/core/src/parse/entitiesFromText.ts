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
  ["cluster", "cluster"],
  ["job", "kubeJob"],
  ["cronjob", "cronjob"],
  ["pvc", "persistentvolumeclaim"],
  ["persistentvolumeclaim", "persistentvolumeclaim"]
]);

const NAMESPACED: ReadonlySet<EntityKey> = new Set<EntityKey>(["pod", "deployment", "statefulset", "daemonset", "service", "kubeJob", "cronjob", "persistentvolumeclaim"]);

/**
 * Kind words that are also everyday English ("the deploy finished", "the job stopped"): in
 * prose, the word after them names an object only when it is shaped like a generated name.
 */
const AMBIGUOUS_KINDS: ReadonlySet<string> = new Set(["deploy", "job"]);

/** Words that follow "pod"/"node"/"service" in prose and are never the name. */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an the is are was were be been being has have had in on at of for to from by with and or not no its it this that " +
    "these those status state health healthy unhealthy level name names event events pressure memory cpu disk usage " +
    "restart restarts restarting restarted failed failing failure error errors down up ready crashed crashing which " +
    "who where when count label labels selector ip ips pool pools group groups list info metrics metric logs log did " +
    "does do will can could should may might must seems looks scaling scaled reported returned returning keeps " +
    "itself again still now here there sandbox template spec " +
    // Kubernetes and networking nouns that follow a kind word in prose ("service port", "node
    // selectors", "service account", "node DNS"): concepts, never the object's name.
    "port ports account accounts mesh discovery type types selectors affinity anti role roles taint taints " +
    "capacity condition conditions monitor endpoint endpoints environment environments env dns network networking " +
    "security disruption budget priority class classes policy policies resources resource limit limits request requests"
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
  job: (v) => /^[A-Za-z0-9_.:/-]{1,200}$/.test(v),
  kubeJob: (v) => v.length <= 63 && isK8sName(v),
  cronjob: (v) => v.length <= 52 && isK8sName(v),
  persistentvolumeclaim: isK8sName
};

const LINK = /\b[a-z][a-z0-9+.-]{1,15}:\/\/\S+/gi;
const BULLET_LINE = /^[ \t]*[-•+][ \t]*([A-Za-z_][A-Za-z0-9_]{0,63})[ \t]*[=:][ \t]*(.+)$/gm;
const KEY_VALUE = /(?<![\p{L}\p{N}_./-])([A-Za-z_][A-Za-z0-9_]{0,63})[ \t]*(=~|!=|!~|==|=|:)[ \t]*["'“‘]?([^\s"'”’,;|(){}[\]<>]{1,253})/gu;
const KIND_WORD =
  /(?<![\p{L}\p{N}_-])(namespace|ns|pod|container|deployment|deploy|statefulset|sts|daemonset|ds|service|svc|node|cluster|job|cronjob|pvc|persistentvolumeclaim)(\s+|\/)(["'“‘]?)([A-Za-z0-9][A-Za-z0-9./-]{0,252})/giu;
/**
 * `Kind/namespace/name`, as Flux's health checks print objects ("timeout waiting for:
 * [Deployment/podinfo/podinfo-redis status: 'InProgress']"), and `namespace/Kind/name`.
 */
const KIND_PATH =
  /(?<![\p{L}\p{N}_./-])(?:([A-Za-z]{2,30})\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)|([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/([A-Za-z]{2,30}))\/([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?![\p{L}\p{N}_/-])/gu;

/**
 * The kubelet's `<name>_<namespace>(<uid>)` pod reference: `pod=x_ns(uid)` in its CrashLoopBackOff
 * messages, `Error syncing pod <uid> ("x_ns(uid)")`, and `in pod x_ns(uid)` in older BackOff events.
 */
const KUBELET_POD = /(?:(?<![\p{L}\p{N}_-])pod(?:=|\s+)"?|\(")([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)_([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\(/giu;
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

  // Names a kind word already placed, so the shape scan below does not take them for something else.
  const claimed = new Set<string>();
  for (const m of text.matchAll(KIND_PATH)) {
    const key = K8S_KINDS.get((m[1] ?? m[4] ?? "").toLowerCase());
    const ns = m[2] ?? m[3] ?? "";
    const name = m[5] ?? "";
    if (key === undefined || !NAMESPACED.has(key) || !VALID[key](name) || !isNamePart(ns)) continue;
    if (out.namespace !== undefined && out.namespace !== ns) continue;
    if (set(key, name)) {
      set("namespace", ns);
      claimed.add(m[0]);
      claimed.add(name);
    }
  }
  for (const m of text.matchAll(KUBELET_POD)) {
    if (set("pod", m[1])) {
      set("namespace", m[2]);
      claimed.add(m[1] ?? "");
    }
  }

  for (const m of text.matchAll(KIND_WORD)) {
    const word = (m[1] ?? "").toLowerCase();
    const key = K8S_KINDS.get(word);
    const raw = trimValue(m[4] ?? "");
    if (key === undefined || raw === "") continue;
    const at = m.index ?? 0;
    const lineStart = /(?:^|\n)[ \t>•*+-]*$/.test(text.slice(Math.max(0, at - 40), at));
    if (!namesAnObject(word, m[2] ?? "", m[3] ?? "", raw, text.charAt(at + m[0].length), lineStart)) continue;
    const slash = raw.indexOf("/");
    if (slash === -1) {
      if (set(key, raw)) claimed.add(raw);
    } else if (m[2] !== "/" && NAMESPACED.has(key) && raw.indexOf("/", slash + 1) === -1) {
      const ns = raw.slice(0, slash);
      const name = raw.slice(slash + 1);
      if (VALID.namespace(ns) && VALID[key](name) && /[a-z]/.test(ns)) {
        set("namespace", ns);
        if (set(key, name)) claimed.add(raw);
      }
    }
  }

  for (const m of text.matchAll(QUOTED_JOB)) set("job", m[1]);

  for (const rawToken of text.split(TOKEN_SPLIT)) {
    const token = rawToken.replace(/^[.:/-]+/, "").replace(/[.:/-]+$/, "");
    if (token.length < 3 || token.length > 253 || claimed.has(token)) continue;
    fromShape(token, set);
  }

  // "payments/api pods crash looping": a bare namespace/workload pair, trusted only when the
  // text talks about Kubernetes workloads (so "and/or" or "read/write" are not taken for one).
  if (out.namespace === undefined && KUBE_TALK.test(text)) {
    const pair = NS_WORKLOAD.exec(text);
    if (pair !== null && !NOT_A_PAIR.has(pair[1]!) && isNamePart(pair[1]!) && isNamePart(pair[2]!) && VALID.namespace(pair[1]!) && VALID.deployment(pair[2]!)) {
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

/**
 * Whether `raw`, right after a kind word, is an object's name rather than the next word of a
 * sentence. Rejected: contractions ("the pod didn’t tolerate"), plain words of a field label
 * at the start of a line ("Service environment: Staging", "node dns:20.128.8.8"), Kubernetes nouns ("service
 * port", "node selectors"), numbers ("node 3"), a quoted name after `job` (Prometheus' scrape
 * job, read by QUOTED_JOB), and plain words after kind words that are also English words.
 */
const namesAnObject = (word: string, separator: string, quote: string, raw: string, next: string, lineStart: boolean): boolean => {
  const lower = raw.toLowerCase();
  if (STOPWORDS.has(lower) || SEVERITY_WORDS.test(raw) || !/[a-z]/i.test(raw)) return false;
  if (separator === "/") return true;
  if (next === "'" || next === "’") return false;
  if (word === "job" && quote !== "") return false;
  const nameShaped = /[-\d.]/.test(raw);
  if (next === ":" && lineStart && !nameShaped) return false;
  return !AMBIGUOUS_KINDS.has(word) || nameShaped || raw.includes("/");
};

const KUBE_TALK = /\bKube[A-Z]\w*|\b(?:pods?|deploy(?:ment)?s?|workloads?|replicas?|crash\w*|restart\w*|rollouts?|namespaces?|statefulsets?|daemonsets?|OOM\w*|k8s|kubernetes)\b/i;
const NS_WORKLOAD = /(?<![\w./:-])([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?![\w./:-])/;
const NOT_A_PAIR = new Set(["pod", "pods", "po", "deployment", "deployments", "deploy", "statefulset", "statefulsets", "sts", "daemonset", "daemonsets", "ds", "service", "services", "svc", "node", "nodes", "job", "jobs", "cronjob", "replicaset", "rs", "namespace", "ns", "ingress", "pvc", "pv", "configmap", "cm", "secret", "hpa", "endpoints", "and", "or", "read", "write", "yes", "no", "on", "off", "in", "out", "up", "down", "tcp", "udp", "http", "https", "n", "a", "s"]);

/** A side of `a/b` that can be a name: a letter and more than one character ("i/o", "0/57 nodes", "3/10" are not). */
const isNamePart = (s: string): boolean => s.length > 1 && /[a-z]/.test(s);

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
    // `node/ip-10-0-7-201`, `pod/kafka-2`: a kubectl kind, not a namespace.
    if (pod.includes("/") || NOT_A_PAIR.has(ns) || !isK8sName(ns) || ns.length > 63 || !(isDeploymentPodName(pod) || STATEFUL_POD.test(pod))) return;
    if (set("pod", pod)) set("namespace", ns);
    return;
  }
  if (isDeploymentPodName(token)) set("pod", token);
  else if (isNodeName(token)) set("node", token);
  else if (HOST_PORT.test(token)) set("instance", token);
};
