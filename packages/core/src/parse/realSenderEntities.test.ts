/**
 * Entities from what real alert tools send to chat.
 *
 * The set: fixtures/real-sender-entities.jsonl, 59 alert texts with Kubernetes or host identity. Lines 1-37
 * are texts of packages/core/src/classify/fixtures/real/senders.jsonl (12 sender formats: Alertmanager's
 * default Slack and Discord templates and three custom templates, Grafana OnCall, Robusta, Botkube,
 * kubewatch, Flux, terraform-aws-notify-slack, Nagios, Icinga 2, Zabbix). Lines 38-59 (issue #15) add
 * four senders: Datadog monitor notifications as a webhook relay posts them (`$EVENT_TITLE`, then
 * `$EVENT_MSG` in `%%%` fences; 2 real payloads of CodeNow/fluffy, 8 of Datadog's recommended Kubernetes
 * monitors in DataDog/integrations-core rendered for one group, `[Triggered on {tag:value,…}]` as
 * `include_tags` writes it), Grafana's Slack contact point (default.title and default.message of
 * grafana/alerting), and the PagerDuty incident title and Opsgenie message/description Alertmanager's
 * pagerduty/opsgenie notifiers send by default (template/default.tmpl), for kube-prometheus rules and
 * the Prometheus docs' InstanceDown. No rendered AWS Chatbot text or template was found in public
 * sources, nor the PagerDuty/Opsgenie Slack apps' own wrappers: those are not in the set. Values the
 * sources leave open are neutral. `expected` holds the values each tool's template
 * was rendered with (the labels/fields of its source), written before the parser was run on them, and
 * only the fields the text carries; `absent` lists kinds the source shows are not there (a PVC is no
 * pod, a HelmRelease no Deployment, a Nagios/Icinga service a check, not a Kubernetes Service).
 * Hostnames and severities compare case-insensitively.
 *
 * Measured through parseChatAlert (correct/total, missing, wrong). Lines 1-37, before and after the
 * change that first measured them:
 *
 * | field                 | before       | after        |
 * |-----------------------|--------------|--------------|
 * | alertname             | 13/15, 2, 0  | 14/15, 1, 0  |
 * | severity              | 20/26, 6, 0  | 26/26, 0, 0  |
 * | cluster               | 1/7, 6, 0    | 1/7, 6, 0    |
 * | namespace             | 14/21, 7, 0  | 17/21, 4, 0  |
 * | pod                   | 8/10, 2, 0   | 9/10, 1, 0   |
 * | container             | 1/3, 2, 0    | 2/3, 1, 0    |
 * | service               | 2/3, 1, 0    | 2/3, 1, 0    |
 * | node                  | 6/12, 6, 0   | 9/12, 3, 0   |
 * | instance              | 1/4, 3, 0    | 3/4, 1, 0    |
 * | job (scrape job)      | 2/8, 6, 0    | 3/8, 5, 0    |
 * | kubeJob               | 1/1, 0, 0    | 1/1, 0, 0    |
 * | persistentvolumeclaim | 1/2, 1, 0    | 2/2, 0, 0    |
 * | total                 | 70/112, 42, 0| 89/112, 23, 0|
 *
 * Objects invented where the source says there is none: 2 before (deployment `release` from Flux's
 * `release mock/release`, service `ping4` from an Icinga check), 0 after. The scrape job taken for a
 * service, workload, pod or node: 0 before and after.
 *
 * All 59 lines, before and after issue #15's change (state, phase and monitoring words after a kind word
 * are no name; `prometheus` label values, `release ns/name` and placeholders such as `unknown` name nothing):
 *
 * | field                 | before        | after         |
 * |-----------------------|---------------|---------------|
 * | alertname             | 26/27, 1, 0   | 26/27, 1, 0   |
 * | severity              | 38/38, 0, 0   | 38/38, 0, 0   |
 * | cluster               | 7/13, 6, 0    | 7/13, 6, 0    |
 * | namespace             | 28/34, 6, 0   | 28/34, 6, 0   |
 * | pod                   | 17/18, 1, 0   | 17/18, 1, 0   |
 * | container             | 5/6, 1, 0     | 5/6, 1, 0     |
 * | deployment            | 2/2, 0, 0     | 2/2, 0, 0     |
 * | statefulset           | 1/2, 1, 0     | 1/2, 1, 0     |
 * | daemonset             | 0/1, 1, 0     | 0/1, 1, 0     |
 * | service               | 3/4, 1, 0     | 3/4, 1, 0     |
 * | node                  | 12/15, 3, 0   | 12/15, 3, 0   |
 * | instance              | 7/8, 1, 0     | 7/8, 1, 0     |
 * | job (scrape job)      | 9/17, 8, 0    | 9/17, 8, 0    |
 * | kubeJob               | 2/2, 0, 0     | 2/2, 0, 0     |
 * | persistentvolumeclaim | 2/2, 0, 0     | 2/2, 0, 0     |
 * | total                 | 159/189, 30, 0| 159/189, 30, 0|
 *
 * | sender (lines 38-59)   | before      | after       |
 * |------------------------|-------------|-------------|
 * | datadog-webhook        | 21/21, 0, 0 | 21/21, 0, 0 |
 * | grafana-slack          | 19/19, 0, 0 | 19/19, 0, 0 |
 * | pagerduty-alertmanager | 11/18, 7, 0 | 11/18, 7, 0 |
 * | opsgenie-alertmanager  | 19/19, 0, 0 | 19/19, 0, 0 |
 *
 * Datadog's group tags (`kube_namespace:`, `pod_name:`, `kube_deployment:`, `kube_stateful_set:`,
 * `kube_cluster_name:`, `kubernetes_cluster:`, `host:`, `kube_service:`) and the label lists of Grafana
 * and Opsgenie were already read by key; the change is in what is not a name. Objects invented: 2
 * before (container `terminated` and node `running` from the prose of Datadog's OOMKilled monitor,
 * `one container terminated`, `the node running out of memory`; that line's `absent` was added after
 * the first run showed them), 0 after. Still missing: the PagerDuty title lists label values without
 * their names (`(kube-state-metrics data warning kafka)`), so the namespace, StatefulSet, DaemonSet and
 * scrape job there are not read.
 *
 * Still missing on lines 1-37, and why: values the Alertmanager default title lists without their label names
 * (`test (vm1 critical)`, `KubePodCrashLooping (default warning)`, `TargetDown (node-exporter monitoring …)`)
 * are only read when their shape says what they are; the source's neutral pod name
 * `example-5d8c9f7b6-abcde` has vowels Kubernetes never generates, so it is not a pod by shape; Robusta's
 * `*Source:* my-cluster` is not read as a cluster; the scrape job a custom template prints in bold is
 * unlabelled; Zabbix's host `Zabbix server` is not a single hostname.
 *
 * Floors below only go up. Wrong values must stay at 0: a wrong name sends the investigation to the
 * wrong object, a missing one only leaves it to the other evidence.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Entities, EntityKey } from "../model/AlertContext.js";
import { alertFromLabels } from "./alertFromLabels.js";
import { entitiesFromText } from "./entitiesFromText.js";
import { workloadFromPodName } from "./k8sNames.js";
import { parseChatAlert } from "./parseChatAlert.js";

interface RealSenderCase {
  readonly text: string;
  readonly sender: string;
  readonly source: string;
  readonly expected: Partial<Record<EntityKey, string>>;
  readonly absent?: ReadonlyArray<EntityKey>;
  readonly note: string;
}

const cases: ReadonlyArray<RealSenderCase> = readFileSync(new URL("./fixtures/real-sender-entities.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as RealSenderCase);

const CASE_INSENSITIVE: ReadonlySet<EntityKey> = new Set<EntityKey>(["severity", "node", "instance"]);
const same = (key: EntityKey, got: string, want: string): boolean => (CASE_INSENSITIVE.has(key) ? got.toLowerCase() === want.toLowerCase() : got === want);

const entitiesOf = (c: RealSenderCase): Entities => parseChatAlert({ source: "slack", channelId: "C0ALERTS", messageId: "1700000000.000100", text: c.text, timestamp: 0 }).entities;

interface FieldScore {
  total: number;
  correct: number;
  missing: number;
  wrong: Array<string>;
}

const score = (): Map<EntityKey, FieldScore> => {
  const scores = new Map<EntityKey, FieldScore>();
  for (const c of cases) {
    const got = entitiesOf(c);
    for (const [key, want] of Object.entries(c.expected) as Array<[EntityKey, string]>) {
      const s = scores.get(key) ?? { total: 0, correct: 0, missing: 0, wrong: [] };
      scores.set(key, s);
      s.total++;
      const value = got[key];
      if (value === undefined) s.missing++;
      else if (same(key, value, want)) s.correct++;
      else s.wrong.push(`${c.sender}: ${key}=${value}, the source says ${want} (${c.note})`);
    }
  }
  return scores;
};

/** Correct values per field on the set, as measured: raise them when the parser gets better, never lower them. */
const FLOORS: Readonly<Partial<Record<EntityKey, number>>> = {
  alertname: 26,
  severity: 38,
  cluster: 7,
  namespace: 28,
  pod: 17,
  container: 5,
  deployment: 2,
  statefulset: 1,
  service: 3,
  node: 12,
  instance: 7,
  job: 9,
  kubeJob: 2,
  persistentvolumeclaim: 2
};

const OBJECT_KEYS: ReadonlyArray<EntityKey> = ["service", "deployment", "statefulset", "daemonset", "pod", "node", "kubeJob"];

describe("entities from real senders' chat texts", () => {
  const scores = score();

  it("the set is the one measured in the header", () => {
    expect(cases).toHaveLength(59);
    expect([...scores.values()].reduce((n, s) => n + s.total, 0)).toBe(189);
    for (const c of cases) {
      expect(c.source, c.note).not.toBe("");
      expect(Object.keys(c.expected).length, c.note).toBeGreaterThan(0);
    }
  });

  it.each(Object.entries(FLOORS) as Array<[EntityKey, number]>)("%s: at least as many correct as measured", (key, floor) => {
    expect(scores.get(key)?.correct ?? 0).toBeGreaterThanOrEqual(floor);
  });

  it("extracts nothing wrong for a field the source states", () => {
    const wrong = [...scores.values()].flatMap((s) => s.wrong);
    expect(wrong).toEqual([]);
  });

  it("invents no object the source shows is not there", () => {
    const invented = cases.flatMap((c) => {
      const got = entitiesOf(c);
      return (c.absent ?? []).filter((k) => got[k] !== undefined).map((k) => `${c.sender}: ${k}=${got[k]} (${c.note})`);
    });
    expect(invented).toEqual([]);
  });

  it("never takes the Prometheus scrape job for a service, workload, pod or node", () => {
    const leaks = cases.flatMap((c) => {
      const job = c.expected.job;
      if (job === undefined) return [];
      const got = entitiesOf(c);
      // A StatefulSet guessed from the stated pod (`alertmanager-main-0` → `alertmanager-main`) may share the job's name.
      const guessed = c.expected.pod === undefined ? undefined : workloadFromPodName(c.expected.pod)?.name;
      return OBJECT_KEYS.filter((k) => got[k] === job && c.expected[k] !== job && guessed !== job).map((k) => `${c.sender}: ${k}=${job}`);
    });
    expect(leaks).toEqual([]);
  });
});

describe("titles of target-down alerts", () => {
  const labelsOf = (c: RealSenderCase): Record<string, string> =>
    Object.fromEntries(Object.entries(c.expected).map(([k, v]) => [k === "kubeJob" ? "job_name" : k, v]));
  const title = (labels: Record<string, string>): string =>
    alertFromLabels({ source: "alertmanager", status: "firing", labels, annotations: {}, startsAt: 0 }, { now: 0 }).alertText;
  const caseFor = (alertname: string, sender: string): RealSenderCase => {
    const c = cases.find((x) => x.expected.alertname === alertname && x.sender === sender);
    if (c === undefined) throw new Error(`no ${alertname} case from ${sender}`);
    return c;
  };

  it("names the instance of InstanceDown (the Alertmanager docs' rule, labels from the fixture)", () => {
    expect(title(labelsOf(caseFor("InstanceDown", "alertmanager-custom-template")))).toBe("[FIRING] InstanceDown localhost:9100 (page)");
  });

  it("names the instance first when the target's pod is labelled too", () => {
    const labels = { alertname: "InstanceDown", instance: "10.0.4.17:8080", job: "checkout", namespace: "shop", pod: "checkout-7d9f8b6c5-x2x9z", severity: "critical" };
    expect(title(labels)).toBe("[FIRING] InstanceDown 10.0.4.17:8080 shop/checkout-7d9f8b6c5-x2x9z (critical)");
  });

  it("names TargetDown's scrape job as a job, not as the affected service (kube-prometheus labels from the fixture)", () => {
    expect(title(labelsOf(caseFor("TargetDown", "alertmanager-discord")))).toBe("[FIRING] TargetDown job node-exporter in namespace monitoring (warning)");
  });

  it("never presents a bare scrape job as the alert's target", () => {
    expect(title({ alertname: "HighErrorRate", job: "checkout", severity: "critical" })).toBe("[FIRING] HighErrorRate job checkout (critical)");
  });
});

// Regression tests for the layouts the rules above read, and for prose they must not read.
// Generated or adapted examples: they do not count toward the accuracy above.
describe("sender layouts", () => {
  it.each<[string, Entities]>([
    // CloudWatch's SNS e-mail `Monitored Metric` block (the e-mail layout AWS documents for alarm notifications)
    ["Monitored Metric:\n- MetricNamespace: AWS/EC2\n- MetricName: StatusCheckFailed_System\n- Dimensions: [InstanceId = i-0c7263cc9e278de8f]", { instance: "i-0c7263cc9e278de8f" }],
    ["- Dimensions: [ClusterName = prod-eks] [Namespace = shop] [FullPodName = checkout-7d9f8b6c5-x2x9z]", { cluster: "prod-eks", namespace: "shop", pod: "checkout-7d9f8b6c5-x2x9z", deployment: "checkout" }],
    ["*Kind:* Deployment\n*Name:* checkout\n*Namespace:* shop", { deployment: "checkout", namespace: "shop" }],
    ["Helm upgrade failed for release shop/checkout with chart checkout@1.2.0: timed out", { namespace: "shop" }],
    ["health check failed: timeout waiting for: [Secret/shop/db-credentials status: 'NotFound']", { namespace: "shop" }],
    ["Host: SERVER\nService: HTTP vhost\nState: CRITICAL", { node: "SERVER", severity: "critical" }],
    ["Host: web-1.example.com\nService: checkout\nNamespace: shop", { node: "web-1.example.com", service: "checkout", namespace: "shop" }],
    ["[FIRING:1] shop (KubeDeploymentReplicasMismatch checkout warning)", { alertname: "KubeDeploymentReplicasMismatch", severity: "warning" }],
    ["10.0.4.17:8080 of job checkout has been down for more than 5 minutes.", { instance: "10.0.4.17:8080", job: "checkout" }],
    // Datadog's `include_tags` title: the group's tags by key (DataDog/integrations-core's recommended Kubernetes monitors).
    ["[Triggered on {kube_cluster_name:prod-eks,kube_namespace:shop,kube_deployment:frontend}] Deployment replicas are failing", { cluster: "prod-eks", namespace: "shop", deployment: "frontend" }],
    ["[Triggered on {kubernetes_cluster:prod-eks,host:ip-10-0-7-201.ec2.internal}] Node High Disk Usage", { cluster: "prod-eks", node: "ip-10-0-7-201.ec2.internal" }],
    ["[Recovered on {kube_namespace:data,kube_stateful_set:kafka}] Statefulset Replicas", { namespace: "data", statefulset: "kafka" }],
    // kube-prometheus' external label `prometheus` names the Prometheus object, not the alert's namespace.
    [" - alertname = KubePodCrashLooping\n - pod = api-7d9f8b6c5-x2x9z\n - prometheus = monitoring/k8s", { alertname: "KubePodCrashLooping", pod: "api-7d9f8b6c5-x2x9z", deployment: "api" }]
  ])("%j", (text, expected) => {
    expect(entitiesFromText(text)).toEqual(expected);
  });

  it.each([
    "waiting for release main/feature-x to land",
    "the release notes for release v2/beta are out",
    "spot instance 10:30 was reclaimed",
    "this is part of job search",
    "the volume claimed by logs is full",
    "Host: Zabbix server [127.0.0.1]\nService: ping4",
    // Datadog's OOMKilled monitor message, uptime and Grafana folder wording, Alertmanager's `prometheus` value, Keel, prom2teams.
    "There has been at least one container terminated with reason oomkilled in the last 10 minutes.",
    "for example insufficient memory limits, or the node running out of available memory.",
    "Pod container waiting longer than 1 hour",
    "[RESOLVED] Load avg 15m too high Node alerts",
    "[FIRING:1] DeadMansSwitch (monitoring/k8s none)",
    "KubePodCrashLooping fired\nprometheus: monitoring/k8s",
    "Successfully updated release default/release-1 latest->latest (image.tag=latest)",
    "In host: unknown\nSeverity: warning"
  ])("reads no object it cannot back up: %j", (text) => {
    const e = entitiesFromText(text);
    const keys = ["namespace", "service", "node", "instance", "container", "persistentvolumeclaim", "kubeJob", "pod", "deployment", "statefulset"] as const;
    for (const key of keys) expect(e[key], key).toBeUndefined();
  });

  it("reads a container only in kube-prometheus' `Pod ns/name (container) is …`", () => {
    expect(entitiesFromText("Pod default/api-7d9f8b6c5-x2x9z (restarting) again").container).toBeUndefined();
    expect(entitiesFromText("Pod default/api-7d9f8b6c5-x2x9z (api) is in waiting state").container).toBe("api");
  });

  it("takes no severity from the first word of a sentence after `priority:`", () => {
    expect(entitiesFromText("priority: can someone look at the dashboard").severity).toBeUndefined();
  });
});
