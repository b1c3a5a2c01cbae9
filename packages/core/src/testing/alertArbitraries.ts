import fc from "fast-check";
import { alertFingerprint } from "../parse/fnv1a64.js";

/*
 * fast-check arbitraries for alert payloads and chat messages. They are realistic on
 * purpose: every alert text carries an alert signal (FIRING, CRITICAL, ALARM, DOWN, a
 * failure state or an alert rule name) and chatter never contains a failure word, so
 * classifier property tests can rely on the label they were generated with.
 */

const NAMESPACES = ["payments", "checkout", "orders", "search", "auth", "billing", "ledger", "ingest", "jobs", "catalog"];
const WORKLOADS = ["api", "worker", "web", "checkout-api", "indexer", "ledger-consumer", "cache-warmer", "gateway", "auth-proxy", "notifier"];
const CLUSTERS = ["prod-eu-1", "prod-us-east-1", "prod-ap-southeast-2", "staging-eu-1"];
const SEVERITY_LABELS = ["critical", "warning", "info", "none"];
const ALERT_RULES = [
  "KubePodCrashLooping",
  "KubePodNotReady",
  "KubeDeploymentReplicasMismatch",
  "KubeContainerWaiting",
  "KubeJobFailed",
  "KubeHpaMaxedOut",
  "CPUThrottlingHigh",
  "HighErrorRate",
  "HighLatencyP99",
  "TargetDown",
  "InstanceDown",
  "NodeFilesystemSpaceFillingUp",
  "NodeMemoryHighUtilization",
  "PostgresReplicationLagHigh",
  "KafkaConsumerGroupLag",
  "RedisMemoryHigh",
  "etcdHighNumberOfLeaderChanges",
  "CertificateExpiringSoon"
];
const GRAFANA_RULES = ["Checkout p99 latency", "API error ratio", "Pod restarts", "Loki ingestion errors", "Kafka under-replicated partitions", "Disk usage above 90%"];
const GRAFANA_FOLDERS = ["Payments", "Platform", "Production", "Data"];
const SAFE = "bcdfghjklmnpqrstvwxz2456789";
const SAFE_LETTERS = "bcdfghjklmnpqrstvwxz";
const SAFE_DIGITS = "2456789";
const HOUR = 3_600_000;

const safeChars = (n: number, alphabet = SAFE): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { minLength: n, maxLength: n }).map((cs) => cs.join(""));

/** A pod a Deployment created: `api-7d9f8b6c5-x2x9z` (hash and suffix from Kubernetes' name alphabet). */
export const podNameArb = (workload?: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      workload === undefined ? fc.constantFrom(...WORKLOADS) : fc.constant(workload),
      fc.constantFrom(...SAFE_DIGITS),
      fc.constantFrom(...SAFE_LETTERS),
      fc.integer({ min: 3, max: 8 }).chain((n) => safeChars(n)),
      safeChars(5)
    )
    .map(([w, d, l, rest, suffix]) => `${w}-${d}${l}${rest}-${suffix}`);

/** An EKS node name: `ip-10-2-14-77.eu-west-1.compute.internal`. */
export const nodeNameArb: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }), fc.constantFrom(".ec2.internal", ".eu-west-1.compute.internal", ".us-east-1.compute.internal", ""))
  .map(([b, c, d, domain]) => `ip-10-${b}-${c}-${d}${domain}`);

/** Epoch ms between 2015 and 2035. */
export const alertTimeArb: fc.Arbitrary<number> = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) });

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/**
 * The RFC 3339 forms senders use for `at`: millisecond UTC (JavaScript), nanosecond UTC
 * (Go), and a local time with a numeric offset (Grafana). All denote the same millisecond.
 */
export const rfc3339Arb = (at: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(new Date(at).toISOString()),
    fc.integer({ min: 0, max: 999_999 }).map((ns) => new Date(at).toISOString().replace("Z", `${pad(ns, 6)}Z`)),
    fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => {
      const offset = quarters * 15;
      const local = new Date(at + offset * 60_000).toISOString().slice(0, -1);
      const sign = offset < 0 ? "-" : "+";
      return `${local}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    })
  );

export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

const labelNameArb = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/).filter((n) => !n.startsWith("__"));

/** Labels a team adds (team, env, tier…), with arbitrary Unicode values. */
const extraLabelsArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(labelNameArb, fc.string({ unit: "grapheme", maxLength: 20 }), { maxKeys: 4 });

interface LabelSeed {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const kubeAlertSeedArb: fc.Arbitrary<LabelSeed> = fc
  .tuple(
    fc.constantFrom(...ALERT_RULES),
    fc.constantFrom(...NAMESPACES),
    fc.constantFrom(...WORKLOADS),
    fc.constantFrom(...SEVERITY_LABELS),
    fc.constantFrom(...CLUSTERS),
    fc.boolean(),
    extraLabelsArb
  )
  .chain(([alertname, namespace, workload, severity, cluster, withPod, extra]) =>
    podNameArb(workload).map((pod): LabelSeed => {
      const labels: Record<string, string> = { ...extra, alertname, namespace, severity, cluster };
      if (withPod) {
        labels["pod"] = pod;
        labels["container"] = workload;
      } else labels["deployment"] = workload;
      const target = withPod ? `${namespace}/${pod}` : `Deployment ${namespace}/${workload}`;
      return {
        labels,
        annotations: {
          summary: `${alertname} on ${target}`,
          description: `${target} (${workload}) has been failing for longer than 15 minutes.`,
          runbook_url: `https://runbooks.example.com/${alertname.toLowerCase()}`
        }
      };
    })
  );

interface TimedStatus {
  readonly status: "firing" | "resolved";
  readonly startsAt: number;
  readonly endsAt: number | undefined;
}

const timedStatusArb: fc.Arbitrary<TimedStatus> = fc
  .tuple(alertTimeArb, fc.boolean(), fc.integer({ min: 0, max: 6 * HOUR }))
  .map(([startsAt, resolved, lasted]) =>
    resolved ? { status: "resolved", startsAt, endsAt: startsAt + lasted } : { status: "firing", startsAt, endsAt: undefined }
  );

/** One alert of an Alertmanager webhook (v4). Its `fingerprint` is the one Alertmanager computes from the labels. */
export const alertmanagerAlertArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(kubeAlertSeedArb, timedStatusArb)
  .chain(([seed, t]) =>
    fc
      .tuple(rfc3339Arb(t.startsAt), t.endsAt === undefined ? fc.constant(GO_ZERO_TIME) : rfc3339Arb(t.endsAt))
      .map(([startsAt, endsAt]) => ({
        status: t.status,
        labels: seed.labels,
        annotations: seed.annotations,
        startsAt,
        endsAt,
        generatorURL: `http://prometheus.monitoring.svc:9090/graph?g0.expr=${encodeURIComponent(`ALERTS{alertname="${seed.labels["alertname"] ?? ""}"}`)}&g0.tab=1`,
        fingerprint: alertFingerprint(seed.labels)
      }))
  );

const commonOf = (maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> => {
  const [first, ...rest] = maps;
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => Object.hasOwn(m, k) && m[k] === v)));
};

const groupEnvelope = (alerts: ReadonlyArray<Record<string, unknown>>, groupBy: ReadonlyArray<string>) => {
  const labelSets = alerts.map((a) => a["labels"] as Record<string, string>);
  const annotationSets = alerts.map((a) => a["annotations"] as Record<string, string>);
  const commonLabels = commonOf(labelSets);
  const groupLabels = Object.fromEntries(Object.entries(commonLabels).filter(([k]) => groupBy.includes(k)));
  const key = Object.entries(groupLabels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",");
  return {
    status: alerts.some((a) => a["status"] === "firing") ? "firing" : "resolved",
    groupLabels,
    commonLabels,
    commonAnnotations: commonOf(annotationSets),
    groupKey: `{}:{${key}}`,
    truncatedAlerts: 0
  };
};

/**
 * A valid Alertmanager webhook v4 group of 1–8 alerts with distinct fingerprints, some
 * firing and some resolved; the envelope (status, common and group labels) is consistent.
 */
export const alertmanagerPayloadArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.uniqueArray(alertmanagerAlertArb, { minLength: 1, maxLength: 8, selector: (a) => a["fingerprint"] }),
    fc.subarray(["alertname", "namespace", "cluster"]),
    fc.constantFrom("sre", "slack-critical", "sre-on-call")
  )
  .map(([alerts, groupBy, receiver]) => ({
    receiver,
    ...groupEnvelope(alerts, groupBy),
    alerts,
    externalURL: "http://alertmanager.monitoring.svc:9093",
    version: "4"
  }));

/** One alert of a Grafana unified-alerting webhook, with its silence/dashboard/panel links and query values. */
export const grafanaAlertArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom(...GRAFANA_RULES),
    fc.constantFrom(...GRAFANA_FOLDERS),
    fc.constantFrom(...NAMESPACES),
    fc.constantFrom(...WORKLOADS),
    fc.constantFrom(...SEVERITY_LABELS),
    fc.stringMatching(/^[a-z0-9]{14}$/),
    extraLabelsArb,
    timedStatusArb,
    fc.option(fc.record({ A: fc.double({ min: 0, max: 1e6, noNaN: true }), C: fc.constantFrom(0, 1) }), { nil: null }),
    fc.boolean()
  )
  .chain(([rule, folder, namespace, service, severity, uid, extra, t, values, withDashboard]) => {
    const labels: Record<string, string> = { ...extra, alertname: rule, grafana_folder: folder, namespace, service, severity, __alert_rule_uid__: uid };
    return fc
      .tuple(rfc3339Arb(t.startsAt), t.endsAt === undefined ? fc.constant(GO_ZERO_TIME) : rfc3339Arb(t.endsAt))
      .map(([startsAt, endsAt]) => ({
        status: t.status,
        labels,
        annotations: { summary: `${rule} for ${service} in ${namespace}`, description: `${service} is failing its ${rule} rule.` },
        startsAt,
        endsAt,
        generatorURL: `https://grafana.example.com/alerting/grafana/${uid}/view?orgId=1`,
        fingerprint: alertFingerprint(labels),
        silenceURL: `https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3D${uid}&orgId=1`,
        dashboardURL: withDashboard ? `https://grafana.example.com/d/${namespace}?orgId=1` : "",
        panelURL: withDashboard ? `https://grafana.example.com/d/${namespace}?orgId=1&viewPanel=2` : "",
        values,
        ...(values === null ? {} : { valueString: `[ var='A' labels={service=${service}} value=${values.A} ], [ var='C' labels={service=${service}} value=${values.C} ]` })
      }));
  });

/** A valid Grafana unified-alerting webhook (version "1") of 1–6 alerts with distinct fingerprints. */
export const grafanaPayloadArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.uniqueArray(grafanaAlertArb, { minLength: 1, maxLength: 6, selector: (a) => a["fingerprint"] }), fc.integer({ min: 1, max: 20 }))
  .map(([alerts, orgId]) => {
    const envelope = groupEnvelope(alerts, ["grafana_folder", "alertname"]);
    const firing = alerts.filter((a) => a["status"] === "firing").length;
    return {
      receiver: "sre-webhook",
      orgId,
      ...envelope,
      alerts,
      externalURL: "https://grafana.example.com/",
      version: "1",
      title: envelope.status === "firing" ? `[FIRING:${firing}] ${Object.values(envelope.groupLabels).join(" ")}` : "[RESOLVED]",
      state: envelope.status === "firing" ? "alerting" : "ok",
      message: `**${envelope.status === "firing" ? "Firing" : "Resolved"}**\n\nLabels:\n${alerts.length} alerts`
    };
  });

/* ----------------------------------------------------------------------------------------
 * Chat texts
 * -------------------------------------------------------------------------------------- */

export const ALERT_TEXT_FORMATS = [
  "alertmanager",
  "grafana",
  "datadog",
  "cloudwatch",
  "pagerduty",
  "opsgenie",
  "sentry",
  "uptime",
  "kubernetes",
  "human"
] as const;
export type AlertTextFormat = (typeof ALERT_TEXT_FORMATS)[number];

const SERVICES = ["checkout-service", "payments-api", "orders-db", "search-api", "auth-service", "billing-worker", "api-gateway", "ledger-api"];
const REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const SYMPTOMS = ["error rate above 5%", "p99 latency above 2s", "5xx ratio at 12%", "connection pool exhausted", "disk usage above 90%", "memory usage above 95%"];

const pick = <T>(values: ReadonlyArray<T>): fc.Arbitrary<T> => fc.constantFrom(...values);
const intArb = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

/** The Alertmanager Slack template with the entities it names, for entity-extraction properties. */
export interface LabeledAlertText {
  readonly text: string;
  readonly alertname: string;
  readonly namespace: string;
  readonly pod: string;
  readonly severity: string;
  readonly cluster: string;
}

/** Alertmanager's default Slack notification (title, summary, label list) with known entities. */
export const alertmanagerSlackTextArb: fc.Arbitrary<LabeledAlertText> = fc
  .tuple(pick(ALERT_RULES), pick(NAMESPACES), pick(WORKLOADS), pick(["critical", "warning"]), pick(CLUSTERS), intArb(1, 9), fc.boolean())
  .chain(([alertname, namespace, workload, severity, cluster, count, withDetails]) =>
    podNameArb(workload).map((pod) => {
      const title = `[FIRING:${count}] ${alertname} (${namespace} ${pod} ${severity})`;
      const summary = `*Summary:* Pod ${namespace}/${pod} (${workload}) is restarting 4.2 times / 10 minutes.`;
      const details = withDetails
        ? `\n*Details:*\n • *alertname:* \`${alertname}\`\n • *cluster:* \`${cluster}\`\n • *namespace:* \`${namespace}\`\n • *pod:* \`${pod}\`\n • *severity:* \`${severity}\``
        : `\nCluster: ${cluster} | Severity: ${severity}`;
      return { text: `${title}\n${summary}${details}`, alertname, namespace, pod, severity, cluster };
    })
  );

const alertmanagerTextArb: fc.Arbitrary<string> = fc.oneof(
  alertmanagerSlackTextArb.map((t) => t.text),
  fc
    .tuple(pick(ALERT_RULES), pick(SERVICES), pick(["critical", "warning"]), intArb(1, 5))
    .map(([rule, svc, sev, n]) => `[FIRING:${n}] ${rule} ${svc}\n*Alert:* ${rule} - \`${sev}\`\n*Description:* ${svc} is failing its SLO`),
  fc
    .tuple(pick(ALERT_RULES), pick(NAMESPACES), pick(WORKLOADS))
    .map(([rule, ns, w]) => `*[FIRING:1]* ${rule}\n&gt; Deployment \`${ns}/${w}\` has not matched the expected number of replicas for longer than 15 minutes.`)
);

const grafanaTextArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(pick(GRAFANA_RULES), pick(GRAFANA_FOLDERS), pick(SERVICES), fc.double({ min: 0, max: 1000, noNaN: true }))
    .map(
      ([rule, folder, svc, v]) =>
        `[FIRING:1] ${rule} ${folder} (${svc})\n**Firing**\n\nValue: B=${v.toFixed(2)}\nLabels:\n - alertname = ${rule}\n - grafana_folder = ${folder}\n - service = ${svc}`
    ),
  fc.tuple(pick(GRAFANA_RULES), pick(SERVICES)).map(([rule, svc]) => `[Alerting] ${rule} on ${svc}`),
  fc.tuple(pick(GRAFANA_RULES)).map(([rule]) => `:fire: Grafana alert *${rule}* is firing`),
  fc.tuple(pick(GRAFANA_RULES)).map(([rule]) => `[No Data] ${rule}\nThe query returned no data for 10 minutes.`)
);

const datadogTextArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(intArb(1, 3), pick(SYMPTOMS), pick(SERVICES), intArb(1_000_000, 99_999_999))
    .map(([p, s, svc, id]) => `Triggered: [P${p}] ${s} on ${svc}\n<https://app.datadoghq.com/monitors/${id}|View monitor>`),
  fc.tuple(intArb(1, 40)).map(([n]) => `[Triggered on {host:web-prod-${n}}] CPU load is high on web-prod-${n}`),
  fc.tuple(pick(SERVICES), intArb(85, 99)).map(([svc, n]) => `[Warn] Postgres connections near max on ${svc} (${n}/100)`),
  fc.tuple(intArb(1, 3), pick(SERVICES)).map(([p, svc]) => `[Re-Triggered] [P${p}] APM: ${svc} p95 latency above 1.5s`)
);

const cloudwatchTextArb: fc.Arbitrary<string> = fc
  .tuple(pick(SERVICES), pick(["5xx-high", "cpu-high", "memory-utilization", "throttled-requests"]), pick(REGIONS), fc.stringMatching(/^\d{12}$/), fc.boolean())
  .map(([svc, metric, region, account, long]) =>
    long
      ? `:rotating_light: CloudWatch Alarm | ${svc}-${metric} | ${region} | Account: ${account}\n*Alarm state changed from OK to ALARM*\nThreshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold (10.0).`
      : `ALARM: "${svc}-${metric}" in ${region}`
  );

const pagerdutyTextArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(intArb(10_000, 99_999), pick(["High", "Critical"]), pick(SYMPTOMS), pick(SERVICES))
    .map(([n, u, s, svc]) => `Triggered #${n} [${u}] ${s} — Service: ${svc} <https://acme.pagerduty.com/incidents/Q${n}|View incident>`),
  fc.tuple(intArb(1000, 9999), pick(SERVICES)).map(([n, svc]) => `:pagerduty: Incident #PD-${n} triggered: [CRITICAL] ${svc} primary unreachable (urgency: high)`)
);

const opsgenieTextArb: fc.Arbitrary<string> = fc
  .tuple(intArb(1000, 9999), intArb(1, 3), pick(SYMPTOMS), pick(SERVICES))
  .map(([n, p, s, svc]) => `[Opsgenie] New alert: #${n} [P${p}] ${s} on ${svc}\nTags: prod | Source: Prometheus | Responders: Platform On-Call`);

const sentryTextArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(pick(SERVICES), pick(["TypeError: Cannot read properties of undefined (reading 'cardToken')", "KeyError: 'currency'", "psycopg2.OperationalError: could not connect to server"]))
    .map(([svc, ex]) => `🔴 *New issue* in *${svc}*: \`${ex}\``),
  fc.tuple(pick(SERVICES), intArb(201, 5000)).map(([svc, n]) => `Sentry alert *Error spike in ${svc}* triggered: ${n} events in 10 minutes (threshold 200)`)
);

const uptimeTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(pick(SERVICES), pick([502, 503, 504])).map(([svc, code]) => `Monitor is DOWN: ${svc} ( https://${svc}.example.com/health ) - Reason: HTTP ${code}`),
  fc.tuple(pick(SERVICES)).map(([svc]) => `:red_circle: DOWN alert: ${svc}.example.com is DOWN since 09:14:33 UTC — Pingdom`),
  fc.tuple(pick(SERVICES)).map(([svc]) => `Checkly: check "${svc} login flow" failed in eu-west-1 — expected status 200, got 502`)
);

const kubernetesTextArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(pick(NAMESPACES), pick(WORKLOADS))
    .chain(([ns, w]) => podNameArb(w).map((pod) => `Warning BackOff pod/${pod} (${ns}): Back-off restarting failed container ${w} in pod ${pod}_${ns}`)),
  nodeNameArb.map((node) => `Node ${node} status is now: NodeNotReady`),
  fc
    .tuple(pick(NAMESPACES), pick(WORKLOADS))
    .chain(([ns, w]) => podNameArb(w).map((pod) => `Pod \`${ns}/${pod}\` — container \`${w}\` terminated: OOMKilled (exit code 137)`)),
  fc.tuple(pick(WORKLOADS), intArb(3, 20)).chain(([w, n]) => podNameArb(w).map((pod) => `Warning FailedScheduling pod/${pod}: 0/${n} nodes are available: ${n} Insufficient memory`))
);

const humanTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(pick(["api", "checkout", "payments", "login", "search"]), pick(["502s", "down!!", "is down", "broken", "timing out", "throwing 500s"])).map(([what, how]) => `${what} ${how}`),
  fc.tuple(pick(NAMESPACES)).map(([ns]) => `pods stuck in Pending in ${ns}`),
  fc.tuple(pick(SERVICES), intArb(0, 23)).map(([svc, h]) => `hey, ${svc} is throwing 500s for everyone since the ${pad(h)}:00 deploy`),
  fc.constantFrom("HELP prod is down", "prod is on fire", "db down?", "redis OOM again", "users can't log in", "nodes NotReady", "builds failing", "cert expired")
);

const FORMAT_ARBS: Readonly<Record<AlertTextFormat, fc.Arbitrary<string>>> = {
  alertmanager: alertmanagerTextArb,
  grafana: grafanaTextArb,
  datadog: datadogTextArb,
  cloudwatch: cloudwatchTextArb,
  pagerduty: pagerdutyTextArb,
  opsgenie: opsgenieTextArb,
  sentry: sentryTextArb,
  uptime: uptimeTextArb,
  kubernetes: kubernetesTextArb,
  human: humanTextArb
};

/** Alert texts in one source's format, as they appear in Slack/Discord (without the bot mention). */
export const alertTextArbFor = (format: AlertTextFormat): fc.Arbitrary<string> => FORMAT_ARBS[format];

/** An alert text in any of `ALERT_TEXT_FORMATS`, with the format it was written in. */
export const formattedAlertTextArb: fc.Arbitrary<{ readonly format: AlertTextFormat; readonly text: string }> = fc
  .constantFrom(...ALERT_TEXT_FORMATS)
  .chain((format) => FORMAT_ARBS[format].map((text) => ({ format, text })));

/** An alert text in any supported format. Always carries an alert signal. */
export const alertTextArb: fc.Arbitrary<string> = formattedAlertTextArb.map((t) => t.text);

const GREETINGS = ["hi", "hello!", "hey there 👋", "good morning team", "gm ☀️", "yo", "morning all", "hey folks"];
const THANKS = ["thanks!", "thank you so much 🙏", "ty", "thx", "cheers mate", "much appreciated", "good bot", "nice one, thanks", "great summary, thanks!"];
const EMOJI = ["👍", "🎉🎉", ":+1:", ":tada: :tada:", "🙏", "😂😂", ":white_check_mark:", "🙌", ":wave:"];
const TESTS = ["test", "testing", "testing 1 2 3", "this is a test", "test please ignore", "just testing the integration", "ignore me, testing the webhook"];
const PINGS = ["ping", "you there?", "are you alive?", "ping 🏓", "hello? anyone home", "bot, you awake?"];
const SMALL_TALK = [
  "how's your day going?",
  "lunch anyone?",
  "happy friday everyone!",
  "lol",
  "haha nice",
  "congrats on the launch 🎉",
  "have a good weekend all",
  "brb, coffee",
  "ok",
  "sounds good",
  "lgtm",
  "+1",
  "will do",
  "see you tomorrow"
];

/** Greetings, thanks, emoji, test messages, pings and small talk: never a failure word. */
export const chatterArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...GREETINGS, ...THANKS, ...EMOJI, ...TESTS, ...PINGS, ...SMALL_TALK),
    fc.constantFrom("", "", "", " 🙂", " :smile:", "!", " 😄"),
    fc.boolean()
  )
  .map(([body, tail, capitalise]) => {
    const text = `${body}${tail}`;
    return capitalise ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  });

/** Where and how a chat platform marks up a mention of the bot (and sometimes of others). */
export interface MentionWrapper {
  readonly platform: "slack" | "discord";
  readonly before: string;
  readonly after: string;
}

export const applyMention = (wrapper: MentionWrapper, text: string): string => `${wrapper.before}${text}${wrapper.after}`;

const slackUserArb = fc.stringMatching(/^U[A-Z0-9]{8,10}$/);
const discordIdArb = fc.bigInt({ min: 100_000_000_000_000_000n, max: 9_999_999_999_999_999_999n }).map(String);

/**
 * Slack (`<@U…>`, `<@U…|name>`, `<!here>`, `<#C…|channel>`) and Discord (`<@123…>`,
 * `<@!123…>`, `<@&role>`) mention markup before and after a text. Normalising the wrapped
 * text removes the mentions again (broadcasts become `@here`, channels `#name`).
 */
export const mentionWrapperArb: fc.Arbitrary<MentionWrapper> = fc.oneof(
  fc
    .tuple(
      slackUserArb,
      fc.constantFrom("", "|sre-bot"),
      fc.constantFrom("", "<!here> ", "<!channel> ", "<#C04ALERTS1|incidents> "),
      fc.constantFrom("", " <@U02ALICE01>", " cc <@U03BOB0002|bob>"),
      fc.boolean()
    )
    .map(([bot, name, broadcast, cc, botLast]): MentionWrapper => {
      const mention = `<@${bot}${name}>`;
      return botLast ? { platform: "slack", before: broadcast, after: ` ${mention}${cc}` } : { platform: "slack", before: `${broadcast}${mention} `, after: cc };
    }),
  fc
    .tuple(discordIdArb, fc.constantFrom("", "!"), fc.constantFrom("", "@everyone ", "<@&998877665544332211> "), fc.boolean())
    .map(([id, bang, broadcast, botLast]): MentionWrapper =>
      botLast ? { platform: "discord", before: broadcast, after: ` <@${bang}${id}>` } : { platform: "discord", before: `${broadcast}<@${bang}${id}> `, after: "" }
    )
);

/** `textArb`'s texts wrapped in mention markup, as a mention event delivers them. */
export const mentionedArb = (textArb: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(mentionWrapperArb, textArb).map(([w, t]) => applyMention(w, t));

const NOISE = [
  "\u200b",
  "\u200c",
  "\u200d",
  "\ufeff",
  "\u00a0",
  "\u2009",
  "\u202f",
  "\u3000",
  "\u200e",
  "\u200f",
  "🙂",
  "✨",
  "🚀",
  "👀",
  "…",
  "—",
  "·",
  "«",
  "»",
  "\t",
  " ",
  "\n"
];

/** Zero-width, bidi, exotic whitespace, punctuation and emoji: noise with no letters or digits. */
export const unicodeNoiseArb: fc.Arbitrary<string> = fc.array(fc.constantFrom(...NOISE), { maxLength: 8 }).map((cs) => cs.join(""));
