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
  ["ds", "daemonset"],
  // CloudWatch dimensions (`[InstanceId = i-0c7263cc9e278de8f]`, Container Insights' `FullPodName`).
  // Container Insights' `PodName` is the owner's name prefix, not the pod, so it is not read.
  ["instanceid", "instance"],
  ["fullpodname", "pod"]
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

/**
 * Namespaced kinds that are no entity of ours but still place an object in a namespace:
 * `ConfigMap/default/test` in a Flux health check says the trouble is in `default`.
 */
const OTHER_NAMESPACED_KINDS: ReadonlySet<string> = new Set(
  (
    "configmap secret ingress serviceaccount networkpolicy horizontalpodautoscaler hpa poddisruptionbudget pdb replicaset " +
    "role rolebinding endpoints endpointslice helmrelease kustomization gitrepository helmrepository helmchart ocirepository " +
    "certificate issuer podmonitor servicemonitor prometheusrule"
  ).split(" ")
);

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
    "security disruption budget priority class classes policy policies resources resource limit limits request requests " +
    // Phases, states and reasons Kubernetes reports, as prose puts them after a kind word ("one
    // container terminated with reason oomkilled", "the node running out of memory", "Pod container waiting").
    "running terminated terminating pending waiting evicted killed oomkilled scheduled unschedulable schedulable " +
    "starting started stopped stopping completed succeeded unknown notready created creating deleted deleting " +
    "drained draining cordoned uncordoned " +
    // Monitoring nouns after a kind word: a Grafana folder `Node alerts`, "Node Exporter", "pod rules".
    "alert alerts alerting alarm alarms rule rules exporter exporters dashboard dashboards"
  ).split(" ")
);

/** What templates print for a label that is not there (prom2teams' `In host: unknown`): no name. */
const PLACEHOLDERS: ReadonlySet<string> = new Set(["unknown", "none", "null", "nil", "undefined", "n/a"]);

/**
 * Labels whose values look like `namespace/name` but name no entity of ours: kube-prometheus'
 * external label `prometheus="monitoring/k8s"` is the Prometheus object that evaluated the rule.
 */
const FOREIGN_LABELS: ReadonlySet<string> = new Set(["prometheus", "prometheus_replica"]);

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
/** kube-prometheus' `Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is …`. */
const POD_CONTAINER = /(?<![\p{L}\p{N}_-])pod\s+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\s+\(([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\)\s+is\s/giu;
/** kube-prometheus' `The PersistentVolume claimed by {{ $labels.persistentvolumeclaim }} in Namespace …`. */
const CLAIMED_BY = /(?<![\p{L}\p{N}_-])persistentvolume\s+claimed\s+by\s+([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?![\p{L}\p{N}_/-])/giu;
/**
 * Flux helm-controller's `Helm <action> … for release <namespace>/<name>[.v<n>] with chart <chart>@<version>`
 * and `HelmRelease <namespace>/<name>`: the release's namespace.
 */
const HELM_RELEASE =
  /(?<![\p{L}\p{N}_-])(?:release\s+([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/[a-z0-9][a-z0-9.-]{0,252}\s+with\s+chart\s|helmrelease\s+([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/[a-z0-9])/giu;
/** `release <namespace>/<name>`: a Helm release (Keel's `Successfully updated release default/release-1`), never a pod. */
const RELEASE_REF = /(?<![\p{L}\p{N}_-])release\s+([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?![\p{L}\p{N}_/-])/giu;
/** Prometheus' own wording for a scrape target: `Instance localhost:9100 down`, `instance 10.0.0.5:8080`. */
const INSTANCE_PHRASE = /(?<![\p{L}\p{N}_-])instance\s+["'“‘]?([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?:\d{1,5})(?![\p{L}\p{N}_.:-])/giu;
/** `localhost:9100 of job node has been down` (the Prometheus docs' InstanceDown description): the scrape job. */
const OF_JOB = /[A-Za-z0-9\]]:\d{1,5}\s+of\s+job\s+([A-Za-z0-9_.:-]{1,200})(?![\p{L}\p{N}_/-])/gu;
/** `Kind: Pod` / `Name: x` field pairs, as Botkube and kubewatch print the object an event is about. */
const KIND_FIELD = /^[ \t>•+-]*kind[ \t]*:[ \t]*([A-Za-z]{2,30})[ \t]*$/im;
const NAME_FIELD = /^[ \t>•+-]*name[ \t]*:[ \t]*([A-Za-z0-9][A-Za-z0-9._-]{0,252})[ \t]*$/im;
/** A `Host:` field (Nagios, Icinga, Zabbix, Datadog): its `Service:` is a check on that host unless a namespace is named. */
const HOST_FIELD = /^[ \t>•+-]*(?:host|hostname)[ \t]*[:=]/im;
const NAMESPACE_FIELD = /(?:^|[\s,{])(?:exported_namespace|namespace|kubernetes_namespace|k8s_namespace_name|kube_namespace|namespace_name|ns)[ \t]*[:=]/im;
/** A hostname as a `Host:` field writes it; hostnames are case-insensitive (`Host: SERVER`). */
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
/** After a value, a plain word that is not the next `key:`/`key=`: the value is the first word of a phrase (`Host: Zabbix server`). */
const MORE_WORDS = /^[ \t]+[A-Za-z][A-Za-z0-9_-]*(?![A-Za-z0-9_-]*[ \t]*[:=])/;
/** A severity in bold on the first line, as Robusta's header writes it (`🔴 *High*`). */
const HEADER_SEVERITY = /(?:^|\s)\*{1,2}(critical|high|medium|low|warning|info)\*{1,2}(?=\s|$)/i;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
/** An EC2 instance id: the host of an AWS Health event or a CloudWatch `InstanceId` dimension. */
const EC2_INSTANCE = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** `localhost:9100`, `vm1:9100`: a one-label host and port, trusted where label values are listed (the title). */
const LABEL_HOST_PORT = /^[a-z][a-z0-9-]{0,62}:\d{2,5}$/;
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
 * template label lists, Datadog tags, CloudWatch dimensions), `- key = value` label lines,
 * Alertmanager's Slack title `[FIRING:1] Name (values…)`, `Kind:`/`Name:` fields (Botkube,
 * kubewatch), kubectl forms (`pod/x`, `deploy/x`, `ConfigMap/ns/x`), prose (`Pod ns/name (container)`,
 * `in namespace x`, `Instance host:port down`, Flux's `for release ns/name with chart`), a bold
 * severity in the header (Robusta), and names recognisable by shape (pod names, EKS/GKE/AKS
 * nodes, `host:port`, EC2 instance ids, EKS ARNs). Earlier, more explicit forms win.
 *
 * The Prometheus `job` label is the scrape job: it is read as `job`, never as a Kubernetes Job,
 * Service or workload. A `Service:` next to a `Host:` (Nagios, Icinga, Zabbix) is a check on that
 * host, not a Kubernetes Service, unless a namespace is named. Linear in the input.
 */
export const entitiesFromText = (input: string): Entities => {
  const scanned = input.length > MAX_SCAN ? input.slice(0, MAX_SCAN) : input;
  const text = scanned.replace(LINK, " ").replace(/[*`~]/g, " ");
  const out: Mutable<Entities> = {};
  const set = (key: EntityKey, raw: string | undefined): boolean => {
    if (raw === undefined || out[key] !== undefined) return false;
    const v = trimValue(raw);
    if (v === "" || !VALID[key](v) || (key !== "severity" && PLACEHOLDERS.has(v.toLowerCase()))) return false;
    out[key] = key === "severity" ? v.toLowerCase() : v;
    return true;
  };
  // Nagios/Icinga/Zabbix name a host and a check on it (`Service: ping4`): no Kubernetes Service.
  const hostChecks = HOST_FIELD.test(text) && !NAMESPACE_FIELD.test(text);
  /** A field value for a key; `rest` is what follows it on its line. Hosts, services and severities are single words, never the first word of a phrase. */
  const setField = (name: string, key: EntityKey, raw: string, rest: string): void => {
    if (key === "service" && hostChecks) return;
    if ((key === "service" || key === "node" || key === "severity") && MORE_WORDS.test(rest)) return;
    if (set(key, raw) || key !== "node" || (name !== "host" && name !== "hostname")) return;
    const v = trimValue(raw);
    if (out.node === undefined && v.length <= 253 && HOSTNAME.test(v) && /[A-Za-z]/.test(v) && !PLACEHOLDERS.has(v.toLowerCase())) out.node = v;
  };
  /** Values of labels that name something else (`prometheus = monitoring/k8s`): no shape read may take them. */
  const foreign = new Set<string>();

  for (const m of text.matchAll(BULLET_LINE)) {
    const name = (m[1] ?? "").toLowerCase();
    const key = TEXT_ALIASES.get(name);
    const value = trimValue(m[2] ?? "");
    if (key === undefined && FOREIGN_LABELS.has(name)) foreign.add(value.split(/\s/, 1)[0] ?? "");
    if (key === undefined || value === "") continue;
    // Grafana rule names contain spaces; every other entity is one token.
    if (key === "alertname") {
      if (out.alertname === undefined && value.length <= 200) out.alertname = value;
    } else {
      const first = value.split(/\s/, 1)[0] ?? "";
      setField(name, key, first, value.slice(first.length));
    }
  }

  for (const m of text.matchAll(KEY_VALUE)) {
    const op = m[2] ?? "";
    if (op.startsWith("!")) continue;
    const name = (m[1] ?? "").toLowerCase();
    const key = TEXT_ALIASES.get(name);
    if (key === undefined && FOREIGN_LABELS.has(name)) foreign.add(trimValue(m[3] ?? ""));
    if (key === undefined) continue;
    const value = m[3];
    if (value === undefined) continue;
    if (key === "alertname" && name === "alert" && !looksLikeRuleName(trimValue(value))) continue;
    const end = (m.index ?? 0) + m[0].length;
    setField(name, key, value, text.slice(end, end + 80));
  }

  const title = TITLE.exec(text);
  if (title !== null) {
    const name = title[1];
    if (name !== undefined && looksLikeRuleName(name)) set("alertname", name);
    if (title[2] !== undefined) fromTitleValues(title[2], set);
  }

  // `Kind: Pod` and `Name: x` fields name one object.
  const kindField = KIND_FIELD.exec(text);
  const kindKey = kindField === null ? undefined : K8S_KINDS.get((kindField[1] ?? "").toLowerCase());
  if (kindField !== null && kindKey !== undefined && kindKey !== "namespace" && kindKey !== "cluster") {
    // The object's own `Name:` is the next name field, a few lines down at most.
    const after = kindField.index + kindField[0].length;
    set(kindKey, NAME_FIELD.exec(text.slice(after, after + 200))?.[1]);
  }

  for (const m of text.matchAll(HELM_RELEASE)) {
    const ns = m[1] ?? m[2] ?? "";
    if (isNamePart(ns) && set("namespace", ns)) break;
  }
  for (const m of text.matchAll(CLAIMED_BY)) if (set("persistentvolumeclaim", m[1])) break;
  for (const m of text.matchAll(INSTANCE_PHRASE)) {
    const host = (m[1] ?? "").slice(0, (m[1] ?? "").lastIndexOf(":"));
    // `instance 10:30` is a time: the host has a letter or is an IPv4 address.
    if ((/[A-Za-z]/.test(host) || IPV4.test(host)) && set("instance", m[1])) break;
  }
  const scrapeJobs = new Set<string>();
  for (const m of text.matchAll(OF_JOB)) {
    scrapeJobs.add(m[1] ?? "");
    set("job", m[1]);
  }

  // Names a kind word already placed, so the shape scan below does not take them for something else.
  const claimed = new Set<string>(foreign);
  for (const m of text.matchAll(RELEASE_REF)) claimed.add(m[1] ?? "");
  for (const m of text.matchAll(KIND_PATH)) {
    const kind = (m[1] ?? m[4] ?? "").toLowerCase();
    const key = K8S_KINDS.get(kind);
    const ns = m[2] ?? m[3] ?? "";
    const name = m[5] ?? "";
    if (key === undefined && OTHER_NAMESPACED_KINDS.has(kind) && isNamePart(ns) && set("namespace", ns)) {
      claimed.add(m[0]);
      claimed.add(name);
      continue;
    }
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
    if (key === "kubeJob" && scrapeJobs.has(raw)) continue;
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

  for (const m of text.matchAll(POD_CONTAINER)) if (!STOPWORDS.has(m[1] ?? "") && set("container", m[1])) break;
  for (const m of text.matchAll(QUOTED_JOB)) set("job", m[1]);

  for (const rawToken of text.split(TOKEN_SPLIT)) {
    const token = rawToken.replace(/^[.:/-]+/, "").replace(/[.:/-]+$/, "");
    if (token.length < 3 || token.length > 253 || claimed.has(token)) continue;
    fromShape(token, set);
  }

  // "payments/api pods crash looping": a bare namespace/workload pair, trusted only when the
  // text talks about Kubernetes workloads (so "and/or" or "read/write" are not taken for one).
  // The pair itself does not count as such talk (`monitoring/k8s`).
  const pair = out.namespace === undefined ? NS_WORKLOAD.exec(text) : null;
  if (
    pair !== null &&
    !claimed.has(pair[0]) &&
    !NOT_A_PAIR.has(pair[1]!) &&
    isNamePart(pair[1]!) &&
    isNamePart(pair[2]!) &&
    VALID.namespace(pair[1]!) &&
    VALID.deployment(pair[2]!) &&
    KUBE_TALK.test(`${text.slice(0, pair.index)} ${text.slice(pair.index + pair[0].length)}`)
  ) {
    set("namespace", pair[1]);
    set("deployment", pair[2]);
  }

  if (out.severity === undefined) set("severity", HEADER_SEVERITY.exec(firstLine(scanned))?.[1]);
  if (out.severity === undefined) {
    const bracketed = BRACKETED_SEVERITY.exec(text);
    set("severity", bracketed?.[1] ?? SEVERITY_WORD.exec(text)?.[1]);
  }
  return withWorkloadGuess(out);
};

/**
 * Whether `raw`, right after a kind word, is an object's name rather than the next word of a
 * sentence. Rejected: contractions ("the pod didn’t tolerate"), another kind word ("Pod container"),
 * plain words of a field label at the start of a line ("Service environment: Staging", "node
 * dns:20.128.8.8"), Kubernetes nouns ("service port", "node selectors"), states ("node running"),
 * numbers ("node 3"), a quoted name after `job` (Prometheus' scrape job, read by QUOTED_JOB), and
 * plain words after kind words that are also English words.
 */
const namesAnObject = (word: string, separator: string, quote: string, raw: string, next: string, lineStart: boolean): boolean => {
  const lower = raw.toLowerCase();
  if (STOPWORDS.has(lower) || SEVERITY_WORDS.test(raw) || !/[a-z]/i.test(raw)) return false;
  if (separator === "/") return true;
  // Another kind word makes a compound noun ("Pod container waiting", "node pod"), not a name.
  if (K8S_KINDS.has(lower) || OTHER_NAMESPACED_KINDS.has(lower)) return false;
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
    // Grouped by something else, the alertname is a common label: it sorts first, and reads like a rule name.
    if (i === 0 && /^[A-Z]/.test(part) && looksLikeRuleName(part) && set("alertname", part)) return;
    if (SEVERITY_WORDS.test(part)) set("severity", part);
    else if (isDeploymentPodName(part) || (i > 0 && STATEFUL_POD.test(part))) {
      set("pod", part);
      const before = parts[i - 1];
      if (before !== undefined && !SEVERITY_WORDS.test(before) && isK8sName(before) && before.length <= 63) set("namespace", before);
    } else if (isNodeName(part)) set("node", part);
    else if (HOST_PORT.test(part) || LABEL_HOST_PORT.test(part)) set("instance", part);
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
  else if (HOST_PORT.test(token) || EC2_INSTANCE.test(token)) set("instance", token);
};

/** The first non-blank line, at most 500 characters of it. */
const firstLine = (text: string): string => {
  const start = text.search(/\S/);
  if (start === -1) return "";
  const end = text.indexOf("\n", start);
  return text.slice(start, Math.min(end === -1 ? text.length : end, start + 500));
};
