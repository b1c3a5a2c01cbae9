import { type ClassifierInput, makeClassifierInput } from "./ClassifierInput.js";
import { alarmEmojiSignal, consoleLinkSignal, failureSignal, hasAlertSignal, matchOngoing, matchRecovery, matchRetrospective } from "./signals.js";
import type { RuleOutcome, Tier1Rule } from "./Tier1Rule.js";

/**
 * What a rule matched, quoted in the verdict's reason. Reasons are redacted where they leave
 * (logs, trace, chat), but the classifier's lower-cased, punctuation-free view of a message
 * mangles secrets past recognition (`xoxb-1-abc` becomes `xoxb 1 abc`), and a cut through one
 * leaves a prefix no detector knows. So only the matched words are quoted, long runs of letters
 * and digits (key-shaped) are left out, and a cut never splits a word. (Redacting here would cost
 * the gate most of its speed.)
 */
const quote = (s: string): string => {
  const one = s.replace(/\s+/g, " ").trim().replace(/\S*\d\S*/g, (w) => (w.length >= 12 ? "…" : w));
  if (one.length <= 60) return `"${one}"`;
  const cut = one.slice(0, 57);
  const whole = one.charAt(57) === " " ? cut : cut.slice(0, Math.max(0, cut.lastIndexOf(" ")));
  return `"${whole.trimEnd()}…"`;
};

const investigate = (reason: string): RuleOutcome => ({ decision: "investigate", reason });
const suppress = (reason: string): RuleOutcome => ({ decision: "suppress", reason });

/** A rule that investigates when `pattern` matches the chosen view of the message. */
const firing = (
  name: string,
  priority: number,
  what: string,
  pattern: RegExp,
  view: (i: ClassifierInput) => string = (i) => i.body,
  /** Lower-case substrings one of which every match contains: a cheap pre-check before the pattern. */
  hints?: ReadonlyArray<string>
): Tier1Rule => ({
  name,
  priority,
  evaluate: (input) => {
    if (hints !== undefined && !hints.some((h) => input.lower.includes(h))) return undefined;
    const m = pattern.exec(view(input));
    return m === null ? undefined : investigate(`${what} (${quote(m[0])})`);
  }
});

// ---------------------------------------------------------------------------------------------
// 100, ahead of the firing formats at the same priority: alert-tool notifications that are not
// trouble whatever words they carry (heartbeats, test notifications), and Nagios/Icinga
// notification types (which decide both ways). Teams' rules below 100 still run first.
// ---------------------------------------------------------------------------------------------

/** kube-prometheus' always-firing alerts (Watchdog, InfoInhibitor; DeadMansSwitch in older releases). */
const HEARTBEAT_NAMES = new Set(["Watchdog", "DeadMansSwitch", "DeadMansSnitch", "InfoInhibitor"]);
/** Their summaries and descriptions, for templates that show no alert name (kalisio/kargo's alertmanager.yml.tpl). */
const HEARTBEAT_TEXT =
  /\bAn alert that should always be firing to certify that Alertmanager is working properly\b|\bThis is an alert meant to ensure that the entire alerting pipeline is functional\b|\bThis is an alert that is used to inhibit info alerts\b/;
/** `alertname = X` (default template), `*alertname:* \`X\`` (Slack templates), `alertname: X` (OnCall). */
const ALERTNAME = /\balertname\W{0,6}[=:]\W{0,6}([A-Za-z_][\w:]*)/g;
const TITLE_ALERTNAME = /^\W{0,8}\[(?:FIRING|RESOLVED)(?::\d+)?\]\W{0,8}([A-Za-z_]\w*)/;

/**
 * A heartbeat: every alert it names is Watchdog/InfoInhibitor-like (alertmanager default.tmpl rendered with
 * kube-prometheus rules; shelleg/prometheus-stack's template; kalisio/kargo's summary-only template). One other
 * alert name in the group, or (without names) any failure word, and it is not a heartbeat.
 */
const heartbeat: Tier1Rule = {
  name: "heartbeat",
  priority: 100,
  evaluate: (input) => {
    const title = input.title.includes("[") ? TITLE_ALERTNAME.exec(input.title)?.[1] : undefined;
    const byText = (input.lower.includes("this is an alert") || input.lower.includes("always be firing")) && HEARTBEAT_TEXT.test(input.body);
    if (!byText && (title === undefined || !HEARTBEAT_NAMES.has(title)) && !input.body.includes("alertname")) return undefined;
    let named = title !== undefined && HEARTBEAT_NAMES.has(title) ? title : undefined;
    ALERTNAME.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = ALERTNAME.exec(input.body)) !== null) {
      if (!HEARTBEAT_NAMES.has(m[1]!)) return undefined;
      named = m[1]!;
    }
    if (named === undefined && (!byText || failureSignal(input) !== undefined)) return undefined;
    return suppress(`a heartbeat alert (${named ?? "always firing"}) that fires all the time to prove the alerting pipeline works; it is not trouble`);
  }
};

/** Test notifications, named in their title: Grafana's "Test notification" and TestAlert, openstatus' "Test Notification", GoAlert's "This is a test message." */
const TEST_TITLE = /\b(?:test notification|notification test|test message|testalert)\b/i;
/**
 * The contact-point test Grafana renders like an alert (grafana/alerting notify/receivers.go newTestAlert; zulip's Grafana
 * v7 fixtures); a line that says it is a test: "This is a test from falcosidekick" (falcosidekick's Slack test),
 * "test discord message" (Kapacitor's Discord handler test); the event AWS Auto Scaling sends when a notification is set up,
 * "Event: autoscaling:TEST_NOTIFICATION" (arabold/aws-to-slack parsers/autoscaling.js); Datadog's "Test notification triggered
 * by …" line under a "[Triggered] [TEST] …" title (relay-integrations/datadog triggers/event-fired/README.md); TrackJS's test
 * event, "TrackJS | This is a test error" (gitterHQ/services lib/trackjs/test): the error it names is the test itself, so the
 * title's trouble words are read without the test phrase.
 */
const TEST_BODY =
  /\bsummary\s?[=:]\s?Notification test\b|\bSomeone is testing the alert notification\b|\balertname\s?[=:]\s?TestAlert\b|^This is a test (?:from|of|message|notification)\b|^test(?: [a-z]+)? (?:message|notification)$|^This is a dummy incident\.?$|^Congrats! The newly saved webhook works\b|\bautoscaling:TEST_NOTIFICATION$|^Test notification triggered by\b|(?:^|\| )This is a test (?:error|exception|event)$/im;
/** A failure named in the title itself ("Helm test failed") makes it a real notification about a test. */
const TITLE_TROUBLE = /\b(?:fail|fails|failed|failing|failure|error|errors|down|critical|unhealthy|degraded)\b/i;

const testNotification: Tier1Rule = {
  name: "test-notification",
  priority: 100,
  evaluate: (input) => {
    if (!input.lower.includes("test") && !input.lower.includes("dummy incident") && !input.lower.includes("newly saved webhook")) return undefined;
    const m = TEST_TITLE.exec(input.title) ?? TEST_BODY.exec(input.body);
    if (m === null || TITLE_TROUBLE.test(input.title.replace(m[0], ""))) return undefined;
    return suppress(`a test notification (${quote(m[0])}) sent to check the integration, not an alert`);
  }
};

/**
 * Nagios' `** TYPE Service Alert: …` and Icinga's `[TYPE] … is STATE!` subjects (nagioscore sample commands.cfg,
 * icinga2 mail-*-notification.sh), or their `Notification Type:` line. The type decides, not the state it repeats:
 * an acknowledgement of a CRITICAL service is someone handling it.
 */
const NAGIOS_TYPE = /^\*\* ?([A-Z]+) (?:Service|Host) Alert:|^\[([A-Z]+)\] \S.{0,300} is [A-Z]+!?$/;
/**
 * The one-line form Icinga's Slack scripts and Wikimedia's icinga-wm IRC bot print: "ACKNOWLEDGEMENT - db-01 - disk /var is
 * CRITICAL", "DOWNTIMESTART - lb-02 is DOWN" (laincloud/centos-lain-icinga2 scripts/slack-*-notification.sh), "PROBLEM - MediaWiki
 * exceptions … is CRITICAL: CRITICAL: 20.00% …" (phabricator.wikimedia.org/T141520). The type leads; the state it repeats does not decide.
 */
const ICINGA_ONELINE_TYPE = /^([A-Z]{6,20}) - \S[^\n]{0,300}? is [A-Z]+\b/;
const NOTIFICATION_TYPE_LINE = /^Notification Type:[ \t]*([A-Z]+)/m;
const QUIET_TYPES: Readonly<Record<string, string>> = {
  RECOVERY: "a recovery notification",
  ACKNOWLEDGEMENT: "an acknowledgement (someone is handling the problem)",
  DOWNTIMESTART: "scheduled downtime started",
  DOWNTIMEEND: "scheduled downtime ended",
  DOWNTIMECANCELLED: "scheduled downtime was cancelled",
  DOWNTIMEREMOVED: "scheduled downtime was removed",
  FLAPPINGSTOP: "the service stopped flapping",
  FLAPPINGEND: "the service stopped flapping",
  FLAPPINGDISABLED: "flap detection was disabled"
};

const notificationType: Tier1Rule = {
  name: "notification-type",
  priority: 100,
  evaluate: (input) => {
    const t = input.title.startsWith("*") || input.title.startsWith("[") ? NAGIOS_TYPE.exec(input.title) : null;
    const oneLine = t === null && input.title.includes(" - ") ? ICINGA_ONELINE_TYPE.exec(input.title) : null;
    const type = t?.[1] ?? t?.[2] ?? oneLine?.[1] ?? (input.body.includes("Notification Type:") ? NOTIFICATION_TYPE_LINE.exec(input.body)?.[1] : undefined);
    if (type === undefined) return undefined;
    if (type === "PROBLEM" || type === "FLAPPINGSTART") return investigate(`Nagios/Icinga ${type} notification`);
    const quiet = QUIET_TYPES[type];
    return quiet === undefined ? undefined : suppress(`Nagios/Icinga ${type} notification: ${quiet}`);
  }
};

/**
 * Commands to a PagerDuty chat bot: "pager ack ABC123", "pager resolve mine", "pager incidents all", "pager oncall abc"
 * (esigler/lita-pagerduty specs), "pager sup", "pager schedules", "pager override ops …" (hubot-scripts/hubot-pager-me).
 * Acknowledging, resolving and looking up incidents or schedules is someone handling the pager; "pager trigger <who> <what>"
 * pages a person and is an alert.
 */
const PAGER_COMMAND = /^pager (?:(trigger|page)|ack|acknowledge|resolve|oncall|on call|me|identify|forget|sup|schedules?|overrides?|incidents?|notes?|who|mine|maintenances?)(?: |$)/;

const pagerCommand: Tier1Rule = {
  name: "pager-command",
  priority: 102,
  evaluate: (input) => {
    if (!input.bare.startsWith("pager ")) return undefined;
    const m = PAGER_COMMAND.exec(input.bare);
    if (m === null) return undefined;
    return m[1] !== undefined ? investigate(`a ChatOps command that pages someone (${quote(m[0])})`) : suppress(`a ChatOps command to the pager bot (${quote(m[0])}): someone handling or looking up incidents`);
  }
};

// ---------------------------------------------------------------------------------------------
// 100–149: alert-tool notifications that fire. Formats as the tools' Slack/Discord templates
// render them; matched on the normalised body with case kept.
// ---------------------------------------------------------------------------------------------

/**
 * "[FIRING:2]" and "status: firing" (Alertmanager's templates); "HighCPU (FIRING)" and "Firing alert: test" (SigNoz's
 * PagerDuty, Slack, Opsgenie and MS Teams notifiers, pkg/alertmanager/alertmanagernotify/*_test.go).
 */
const ALERTMANAGER = /\[FIRING:\d+|\bstatus:?\s*\**firing\b|\(FIRING\)|^\W{0,4}Firing alerts?:[ \t]*(?!0\b)\S/im;
/** "Alert [name](…) has triggered!" (AppOptics via zulip), "An alert for *name* has been triggered" (Gatus). */
const ALERT_TRIGGERED = /\b[Aa]lert\b[^\n]{0,200}? has (?:been )?triggered\b/;
// "*Firing*: alert1" and "**Firing**" as section heads (grafana/alerting receivers/slack and discord tests)
const GRAFANA = /^\W*\[(?:Alerting|No Data|NoData|Pending)\]|\bis firing\b|—\s*Alerting\b|Grafana OnCall: alert group\b|^[*_]{0,2}Firing[*_]{0,2}(?::|$)/im;
/**
 * A count of firing alerts above zero: "2 firing, 0 resolved" and "2 alerts are firing, 0 are resolved" (grafana/alerting
 * Slack and Discord tests), "Firing alerts – 1" (Grafana OnCall), "has 5 unacknowledged alerts" (GoAlert). The zero
 * count of resolved alerts next to it is not a recovery.
 */
const ALERT_COUNT = /\b[1-9]\d{0,5} (?:alerts? )?(?:are |is )?firing\b|\b(?:has|have) [1-9]\d{0,5} (?:unacknowledged|open|active|triggered|firing) (?:alerts?|incidents?)\b|\bFiring alerts[ \t]?[–—-][ \t]?[1-9]/i;
/** ElastAlert 2's frequency and metric-aggregation alert bodies (jertel/elastalert2 docs and rules tests). */
const ELASTALERT = /\bAt least \d+ events occurred between\b|\bThreshold violation\b/;
const DATADOG =
  /\[(?:Re-)?Triggered\b|(?:^|[\s*_])(?:Re-)?Triggered(?::| #| \[| on \{)|^\W*\[(?:Warn|Warning|Alert|Critical|No Data|P[0-5])\]|\bmonitor alert\b|\bWarn: /im;
const CLOUDWATCH =
  /\bto \*?(?:ALARM|INSUFFICIENT_DATA)\b|(?<!Old |Previous )\bState:\s*ALARM\b|"NewStateValue"\s*:\s*"(?:ALARM|INSUFFICIENT_DATA)"|\|\s*ALARM\s*\||^\W*ALARM:|\bin the ALARM state\b/m;
const PAGERDUTY = /\bIncident #\S+ triggered\b|\bEscalated #\d+|\bReopened #\d+|\bNew incident\b|\btriggered incidents?\b|\btriggered in integration\b/i;
const OPSGENIE = /\bNew alert:|\bAlert created\b|\bAlert #\d+ escalated\b|\bHeartbeat expired\b|\[Opsgenie\] (?:#\d+|Alert #\d+(?!\d)(?! (?:closed|acknowledged|resolved|deleted))|New alert)/i;
// Case kept: "creating a new issue" in a sentence is not Sentry's "New issue" (FossifyOrg/General-Discussion#98).
const SENTRY =
  /\bNew [Ii]ssue\b|\b[Rr]egression in\b|\bIssue (?:escalating|regressed|marked as escalating)\b|\b[Mm]etric [Aa]lert (?:[Cc]ritical|[Ww]arning)\b|\bSentry [Aa]lert\b[^\n]*\b[Tt]riggered\b|\b[Cc]rash-free (?:sessions|users) dropped\b/;
const UPTIME = /\bMonitor is DOWN\b|\bDOWN alert\b|\[DOWN\]|\[🔴 Down\]|\bWebsite Down\b|\bis DOWN\b|\b[Cc]heck "[^"\n]{0,200}" failed\b|(?:Pingdom|UptimeRobot|StatusCake|Uptime Kuma|Better Stack|Checkly)\b[^\n]{0,200}\b(?:down|not responding|failed)\b/;
const KUBE_EVENT =
  /^\W*(?:Warning|Error) [A-Z][A-Za-z]+ (?:pod|node|deployment|job|replicaset|statefulset|daemonset|pvc|persistentvolumeclaim|service|ingress|cronjob)\/|\bkube-events?:/m;

// ---------------------------------------------------------------------------------------------
// 145: the current state an alert tool reports. 150–199: alert-tool notifications that say the
// alert is over, that someone handles it, or that a change went through.
// ---------------------------------------------------------------------------------------------

/**
 * State fields, read for the current state only ("Old State: ALARM / Current State: OK" is OK): "Current State: `OK`"
 * (terraform-aws-notify-slack, assertible/lambda-cloudwatch-slack), "Status: OK" (blueimp/aws-lambda), "*Status*: :mag:
 * Acknowledged" (slackerduty), "Status: resolved" (Grafana OnCall), "Health Status: Healthy" (Botkube's Argo CD plugin),
 * "state is now OK" (the CloudWatch→Slack blueprint), "transitioned from Ok to Degraded" (Elastic Beanstalk via SNS), "changed
 * its IMAP status from DOWN to UP" (Pingdom), "State changed to **Available**" (Insping), "status changed to: Ignored" (Raygun),
 * "State Change: ALARM → OK" (CloudWatch via arabold/aws-to-slack parsers/cloudwatch).
 */
const STATE_LINE =
  /^[ \t*_>•-]{0,6}(?:current state|new state|state|status|health status|health|alarm state|build status)[*_]{0,2}[ \t]?[:=][ \t*_`]{0,6}(?::[a-z0-9_+-]{1,40}:[ \t]?)?([a-z_]+)/gim;
const STATE_INLINE =
  /\b(?:state|status) (?:is now|changed to):?[ \t]{0,2}\**([A-Za-z_]+)|\(result: ([a-z]+)\)|\b(?:changed|transitioned|went|moved|flipped)(?: (?:its |the )?[\w -]{1,30}?)? from \W{0,3}[A-Za-z_]+\W{0,3} to \W{0,3}([A-Za-z_]+)|\bState Change:[ \t]{0,2}[A-Z_]{2,20}[ \t]{0,2}(?:→|->)[ \t]{0,2}([A-Z_]{2,20})\b/gi;
/** What may follow a state value on its line: markup, an emoji shortcode, a short parenthesis ("resolved :white_check_mark: (on the source)"). */
const FIELD_END = /^[ \t*_`]{0,4}(?::[a-z0-9_+-]{1,40}:)?[ \t]{0,2}(?:\([^)\n]{0,40}\))?[ \t*_`.]{0,4}(?:\n|$)/;
const TROUBLE_STATES = new Set(
  "alarm alerting firing triggered critical crit down problem degraded warning warn error exception nodata no_data failed failing failure unhealthy insufficient_data unknown pending notready nodenotready missing escalated unavailable unreachable offline".split(" ")
);
/**
 * "(result: success)" and "(result: cancelled)" (Buildbot via zulip), "Build status: Passed" (GoCD via zulip): a CI run that
 * went through or was called off; "changed status from operational to under_maintenance" (Statuspage via zulip): planned work.
 */
const QUIET_STATES = new Set(
  "ok resolved recovered recovery up acknowledged closed healthy normal succeeded success passed available online ignored cancelled canceled skipped operational under_maintenance maintenance".split(
    " "
  )
);

/**
 * The compound states AWS CloudFormation and CodeBuild report ("Status: UPDATE_COMPLETE", "CREATE_IN_PROGRESS",
 * "UPDATE_ROLLBACK_FAILED", "Status: IN_PROGRESS": arabold/aws-to-slack parsers/cloudformation.js and codebuild.js): a step that
 * completed or is under way is quiet; one that failed, or any rollback (a rollback follows a failed change), is trouble.
 */
const STACK_STATE = /^(?:[a-z]{2,12}_){0,3}(?:complete|in_progress|failed)$/;
const stackState = (value: string): "quiet" | "trouble" | undefined => {
  if (!value.includes("_") || !STACK_STATE.test(value)) return undefined;
  return value.endsWith("_failed") || value.includes("rollback") ? "trouble" : "quiet";
};

/** A line of a notification that is a `key: value` field (descriptions and labels repeat the alert's words). */
const FIELD_LINE = /^[ \t*_>•-]{0,6}[\w .()/-]{1,40}[*_]{0,2}[ \t]?[:=]/;
const SENTENCE_TROUBLE = /\b(?:down|failing|failed|broken|errors?|unreachable|timeouts?|timed out|critical|crash\w*|[45]\d\d(?:s|ing)?)\b/i;
/**
 * "Status: OK" followed by a sentence line that reports trouble ("service B is down") is not an all-clear. Lines before
 * the field are the alert's own title and description, which a recovery notice repeats.
 */
const troubleAfterField = (body: string, from: number): boolean => {
  for (const line of body.slice(from).split("\n")) if (!FIELD_LINE.test(line) && SENTENCE_TROUBLE.test(line)) return true;
  return false;
};

/**
 * A state transition in parentheses after a metric, as Moira prints each event in every sender (moira-alert/moira
 * senders/*_test.go): "Metric = 123 (OK to NODATA)", "(WARN to OK)". The state it moved to decides; NODATA (the metric
 * stopped reporting) is trouble.
 */
const PAREN_TRANSITION = /\(([A-Z][A-Z_]{1,19}) to ([A-Z][A-Z_]{1,19})\)/g;

const parenTransition = (body: string): RuleOutcome | undefined => {
  PAREN_TRANSITION.lastIndex = 0;
  let quiet: string | undefined;
  let m: RegExpExecArray | null;
  while ((m = PAREN_TRANSITION.exec(body)) !== null) {
    const to = m[2]!.toLowerCase();
    if (TROUBLE_STATES.has(to)) return investigate(`the alert moved to a trouble state (${quote(m[0])})`);
    if (QUIET_STATES.has(to)) quiet ??= m[0];
  }
  return quiet === undefined ? undefined : suppress(`the alert tool reports a move back to a healthy state (${quote(quiet)}), not trouble`);
};

const stateField: Tier1Rule = {
  name: "state-field",
  priority: 145,
  evaluate: (input) => {
    const lower = input.lower;
    const transition = input.body.includes(" to ") && input.body.includes(")") ? parenTransition(input.body) : undefined;
    if (transition !== undefined) return transition;
    if (!lower.includes("stat") && !lower.includes("health") && !lower.includes(" from ") && !lower.includes("result:")) return undefined;
    let quiet: string | undefined;
    let quietEnd = 0;
    for (const re of [STATE_LINE, STATE_INLINE]) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(input.body)) !== null) {
        const value = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? "").toLowerCase();
        if (TROUBLE_STATES.has(value) || stackState(value) === "trouble") return investigate(`the alert's current state is ${quote(value)}`);
        // A quiet state field ends its line ("Status: OK but users see errors" is a sentence, not a field).
        if ((QUIET_STATES.has(value) || stackState(value) === "quiet") && quiet === undefined && (re === STATE_INLINE || FIELD_END.test(input.body.slice(re.lastIndex, re.lastIndex + 60)))) {
          quiet = value;
          quietEnd = re.lastIndex;
        }
      }
    }
    if (quiet === undefined || troubleAfterField(input.body, quietEnd)) return undefined;
    return suppress(`the alert tool reports the current state as ${quote(quiet)}, not trouble`);
  }
};

/**
 * Status-page incident updates lead with the incident's state as a title: "*Investigating* - We are investigating the
 * issue.", "*Mitigating -* …", "*Resolved **\\-*** …", "**Update:** …", "*Emergency Maintenance Underway* - …" (cState and
 * Jekyll status pages and Statuspage-hosted pages, in fixtures/real/conversation.jsonl). The state decides, not the words after
 * it: an incident still being worked on is trouble even when its update says "we continue to work to resolve" or "we will
 * update you once service is restored"; a resolved incident, a post-mortem or planned maintenance is not, even when it
 * retells the outage. "Update" and "Monitoring" say nothing by themselves: the update is chatter only when it reports the
 * recovery and nothing goes on. Monitoring is read the same way, on purpose: Statuspage's default "A fix has been implemented
 * and we are monitoring the results" reports no recovery, so it is investigated — an incident its provider has not closed is
 * never dropped; "Monitoring - all services have been restored" is chatter.
 */
const STATUS_TITLE = /^[ \t]*([A-Za-z]{2,20}(?:[ -][A-Za-z]{2,20}){0,3})[ \t]*[-–—:](?:[ \t]|$)/;
const STATUS_TROUBLE = new Set([
  "investigating",
  "identified",
  "mitigating",
  "emergency maintenance",
  "emergency maintenance underway",
  "emergency maintenance update",
  "emergency maintenance in progress"
]);
const STATUS_QUIET = new Set([
  "resolved",
  "recovery",
  "recovered",
  "mitigated",
  "completed",
  "complete",
  "postmortem",
  "post mortem",
  "post-mortem",
  "scheduled",
  "planned",
  "in progress",
  "verifying",
  "maintenance completed",
  "scheduled maintenance",
  // "Acknowledged - #2126" (a-harrison/slackduty PagerDutyWebhookParser.js, beside its "Resolved - #2126"): someone owns the incident
  "acknowledged"
]);
const STATUS_UPDATE = new Set(["update", "monitoring"]);
/**
 * A status-page timeline entry titled by its state and time, the way status aggregators print them: "resolved Apr 25, 2023, 06:03
 * PM UTC ⏎ We have added additional handling for when our up-stream email service fails …" (pingoru.io, Zipline's incident).
 * Only the states that close an incident are read; "identified …" is left to the rules below.
 */
const STATUS_DATED =
  /^(resolved|completed|postmortem|mitigated) (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6} \d{1,2}, \d{4},? \d{1,2}:\d{2}(?: ?[AP]M)?(?: UTC)?$/i;
/** Work that goes on in an update ("We continue to work to resolve remaining issues"): not an all-clear. */
const WORK_GOES_ON = /\b(?:continu\w*|working (?:on|to|towards)|work to|remaining|investigat\w*|isolated|identified|mitigating)\b/;

const statusPageUpdate: Tier1Rule = {
  name: "status-page-update",
  priority: 146,
  evaluate: (input) => {
    const t = input.title;
    if (t.length < 5 || (!t.includes("-") && !t.includes(":") && !t.includes("–") && !t.includes("—"))) return undefined;
    const m = STATUS_TITLE.exec(t.slice(0, 90).replace(/[*_\\]/g, ""));
    if (m === null) {
      const d = t.length <= 60 ? STATUS_DATED.exec(t) : null;
      return d === null || STILL_TROUBLE.test(input.bare) ? undefined : suppress(`a status-page entry whose state is "${d[1]!.toLowerCase()}": the incident is over`);
    }
    const state = m[1]!.toLowerCase();
    if (STATUS_TROUBLE.has(state)) return investigate(`a status-page update of an incident still being worked on ("${state}")`);
    if (STATUS_QUIET.has(state)) {
      // "Scheduled maintenance: … servers are down unexpectedly" is no longer the planned work
      const planned = state === "scheduled" || state === "planned" || state === "scheduled maintenance";
      return STILL_TROUBLE.test(input.bare) || (planned && MAINTENANCE_GONE_WRONG.test(input.bare)) ? undefined : suppress(`a status-page update whose state is "${state}": the incident is over or the work is planned`);
    }
    if (!STATUS_UPDATE.has(state)) return undefined;
    const recovered = matchRecovery(input);
    if (recovered !== undefined && matchOngoing(input.bare) === null && !WORK_GOES_ON.test(input.bare) && !STILL_TROUBLE.test(input.bare)) {
      return suppress(`a status-page "${state}" that reports the recovery (${quote(recovered)}) and nothing still going on`);
    }
    return investigate(`a status-page "${state}" of an incident that is not reported over`);
  }
};

/**
 * "Monitor is up" on a line of its own: UptimeRobot through hubot (ashikawa's hubot-uptimerobot gist), beside its "Monitor is down".
 * Round 6: the resolved state where each tool puts it, opposite its firing form: prometheus_bot's linked "[RESOLVED:1]" line
 * (inCaller/prometheus_bot AlertFormatStandard, beside "[FIRING:1]"), a Grafana Telegram one-liner's "<strong>Resolved</strong> —"
 * (pixelatedpic's gist, beside "<strong>FIRING!!!</strong> —"), alertmanager-irc-relay's raw alert JSON opening with
 * "status":"resolved" (google/alertmanager-irc-relay format_test.go), Observium's "*RECOVER : …*" title (its google-chat template,
 * beside "*ALERT : …*"), telepush's "*⌛️ Status:* resolved ✅" (muety/telepush alertmanager_webhook.go, beside "firing ❗️"). The
 * firing annotations they repeat ("down", "almost full") describe the alert that is now over.
 */
const RESOLVED_TOOL =
  /^\W*(?:(?::white_check_mark:|✅)\W{0,3}OK:\s|\[(?:RESOLVED|Resolved|OK|Ok|Recovered)(?::\d+)?\]|\[Recovered on \{|(?:RESOLVED|Recovered|Resolved|OK):\s|Resolved #\d+)|changed from (?:ALARM|INSUFFICIENT_DATA) to \*?OK\b|\bState:\s*OK\b|"NewStateValue"\s*:\s*"OK"|\bMonitor is UP\b|^Monitor is up$|\bis UP again\b|\bis back UP\b|\bUP alert\b|\[UP\]|\[✅ Up\]|\b(?:Alert|Incident|Issue) #?[\w-]* ?(?:closed|resolved) by\b|\bIssue resolved\b|\bIncident resolved\b|\bauto-resolved\b|^<a href=[^>\n]{1,300}>\[RESOLVED(?::\d+)?\]<\/a>$|^<strong>Resolved<\/strong> — |^\{"status":"resolved",|^\*RECOVER : |^\*\W{0,4}Status:\*[ \t]{0,2}resolved\b/m;

/**
 * A title that reports the check is up or resolved: "✅ *Prometheus resolved*" (Robusta), "✅ Your service api is up! ✅"
 * and "🟢 api is up." (Uptime Kuma's Discord notifier), "*:white_check_mark:OK: …*" (CloudWatch via atsushi-ishibashi's
 * SNS lambda), "“Foobar” is UP." (Healthchecks). Only when the title itself names no failure.
 */
const RESOLVED_TITLE =
  /^\W{0,4}(?:✅|:white_check_mark:|🟢|:large_green_circle:|:green_circle:)\W{0,4}(?:[\w“”"'. -]{0,60}?\b)?(?:resolved|recovered|is up|OK)\b|\bis UP(?:[.!*]|$)|\bis (?:recovered|resolved)$/;

/**
 * A title that opens with a green mark is the tool's all-clear, whatever it repeats after it: HyperDX marks a resolved alert
 * "✅ Alert for "My Search" - 10 lines found" where it fired with "🚨" (hyperdxio/hyperdx checkAlerts tests), alertmanager-bot
 * (metalmatze) titles a resolved alert "✅ <b>name</b> ✅", drone-telegram a passed build "✅ Build #101 of … success." A red
 * word in the title itself ("✅ … failed") still counts as trouble.
 */
const GREEN_MARK_TITLE = /^\W{0,4}(?:✅|:white_check_mark:|🟢|:large_green_circle:|:green_circle:)/;

/**
 * Someone handles the alert, or the tool pauses it: "Acknowledged by alice", "Closed by alice", "Closed due to inactivity",
 * "Closed via Grafana integration" (GoAlert's Slack channel notifier), Grafana's legacy "[Paused]" state (zulip fixtures),
 * UptimeRobot's "Monitor is paused" (ashikawa's hubot-uptimerobot gist), Zabbix's default update operation "Zabbix Administrator
 * acknowledged problem at 2024.03.12 14:09:47. … Current problem status is PROBLEM, acknowledged: Yes." (support.zabbix.com
 * attachment 95328): the problem is open, and someone owns it. FireFighter's incident bot (ManoManoTech/firefighter-incident
 * slack_messages.py): "Incident #inc-231-search-5xx has received an update." and "Roles updated. [...] Updated by: @alice." are
 * bookkeeping on an incident already open; its escalation ("has escalated from P4 to P2") is not read here.
 */
const HOUSEKEEPING =
  /^[ \t]{0,4}(?:Acknowledged by|Closed by|Closed due to|Closed via|Snoozed by|Silenced by|Unacknowledged by)\b|^\W{0,4}\[Paused\]|^Monitor is paused$|\backnowledged problem at [\d.: ]{8,30}\.?$(?=[\s\S]{0,200}\backnowledged: Yes\.?$)|\b[Nn]otifications from cluster '[^'\n]{1,100}' are (?:enabled|disabled)\b|\bI won't send you notifications\b|^\W{0,4}Incident[ \t]{1,3}(?:#?[\w-]{1,60}[ \t]{1,2})?has received an update\.?$|^Roles updated\. [^\n]{0,300}\bUpdated by:/m;

/**
 * CI/CD and change-feed notices that something went through, from the tools' own templates: Argo CD's catalog
 * ("has been successfully synced", "is now running new version", "sync operation … has started", "Application … has been
 * created/deleted"), Botkube ("v1/configmaps created/updated/deleted", its Argo CD plugin), Kubewatch ("has been
 * `Created`"), Flux ("Reconciliation finished", "Health check passed", "Helm install succeeded"), the Jenkins Slack plugin
 * ("#46 Success after", "#43 Started by changes from Bob"), 8398a7/action-slack ("Succeeded GitHub Actions"), AWS
 * CodePipeline/CodeDeploy ("SUCCEEDED:"), AWS Backup ("completed successfully") and actions-status-discord (a "Success" title line);
 * Keel ("Successfully updated deployment …", keel-hq/keel provider/kubernetes and provider/helm3 tests), Travis CI ("The build passed.", "the
 * build has passed", "build #2 has passed!", "Build #2 (…) of … by Sven Fuchs passed in 1 min 0 sec", travis-ci/travis-tasks' IRC, Campfire, HipChat, Pushover and Flowdock tests) and
 * Drone ("*success* <repo#sha> (master) by octocat", drone-plugins/drone-slack; "Build #101 of `repo` success.",
 * appleboy/drone-telegram), a build a push started ("appleboy/go-hello/test-workflow triggered by appleboy (push)", drone-telegram's
 * default message); a job or build that started, is ready or was deployed: "… execution #12 for myproject has started." (Rundeck via zulip), "The
 * build … on branch master is now ready." / "… is now locked." (Netlify via zulip), "`1242` deployed by **Zulip Test**" (New Relic via zulip).
 */
const CHANGE_NOTICE =
  /^\W{0,8}(?:[\w.-]{1,60}\/)?v\d\w{0,10}\/[\w-]{1,60} (?:created|updated|deleted)\b|\bApplication `?[\w.-]{1,100}`? has been (?:created|deleted)\b|\bhas been `(?:Created|Updated|Deleted)`|\bsync operation of application `?[\w.-]{1,100}`? (?:has )?started\b|\bis now running new version\b|\bNew version of the application `?[\w.-]{1,100}`? is up and running\b|\bReconciliation finished\b|\bHealth check passed\b| - #\d+ (?:Success|Back to normal) after\b| - #\d+ Started by\b|\b(?:succeeded|successfully|SUCCEEDED|SUCCESS|Succeeded)\b|^\W{0,4}Success\W{0,4}$|^[^\n]{0,200}?\bexecution \S{1,200} for [\w.-]{1,60} has started\b|^The (?:build|deploy) [^\n]{1,200}? is now (?:ready|locked|unlocked|published|live)\.?$|^`?[\w.-]{1,60}`? deployed by\b|^Successfully (?:updated|deployed|rolled out|released|synced|upgraded) (?:deployment|release|daemonset|statefulset|application|app|service|chart|helm release)\b|\b(?:[Tt]he )?build (?:#\d+ )?(?:has )?passed\b|^\W{0,4}\*?success\*? \S|^Build [^\n]{1,300}? passed in \d|\S \*?success\*?\.?$|^[\w./-]{1,120} triggered by [\w.-]{1,60} \((?:push|pull_request|tag|cron|custom|promote)\)$/m;

// ---------------------------------------------------------------------------------------------
// 200–299: conversation, only when the message carries no alert signal. Greetings, thanks, tests
// and acknowledgements are anchored at the start of the message's words (after an optional address
// such as "bot," or "team"); apologies, hand-offs, wishes and meeting talk are read anywhere.
// ---------------------------------------------------------------------------------------------

const ADDRESS = "^(?:(?:hey |ok |okay )?(?:bot|sre bot|srebot|team|all|folks|everyone|guys|y'all|friend|buddy|mate) )?";
const anchored = (alternatives: ReadonlyArray<string>): RegExp => new RegExp(`${ADDRESS}(?:${alternatives.join("|")})(?: |$)`);

const GREETING = anchored([
  "hi",
  "hii+",
  "hello",
  "hey",
  "heya",
  "hiya",
  "yo",
  "sup",
  "howdy",
  "hola",
  "gm",
  "gn",
  "good (?:morning|afternoon|evening|night|day)",
  "morning",
  "evening",
  "afternoon",
  "greetings",
  "welcome"
]);
const THANKS = anchored([
  // "Hooray! 🥳 ⏎ Thank you Lilly and the Anaconda team! 🙏" (conda/infrastructure#1233)
  "(?:hooray|hurray|yay|woohoo)(?: thanks| thank you)?",
  "thanks",
  "thank you",
  "thank u",
  "thankyou",
  "thx",
  "thnx",
  "ty",
  "tysm",
  "cheers",
  "much appreciated",
  "appreciate",
  "appreciated",
  "kudos",
  "great (?:job|work|analysis|catch|stuff|summary|bot|find)",
  "nice (?:catch|work|job|one|find|summary)",
  "good (?:bot|job|catch|work|stuff)",
  "well done",
  "awesome",
  "amazing",
  "brilliant",
  "perfect",
  "love (?:it|this)"
]);
const ACK = anchored([
  "ok",
  "okay",
  "k",
  "kk",
  "sure",
  "sounds good",
  "lgtm",
  "will do",
  "on it",
  "got it",
  "roger",
  "ack",
  "acked",
  "noted",
  "done",
  "yep",
  "yup",
  "yes",
  "no",
  "nope",
  "yeah",
  "cool",
  "nice",
  "great",
  "lol",
  "lmao",
  "rofl",
  "haha\\w*",
  "hehe\\w*",
  "brb",
  "afk",
  "bye",
  "see (?:you|ya)",
  "cya",
  "ttyl",
  "later",
  "np",
  "no problem",
  "no worries",
  "gg",
  "wow",
  "oops",
  // "Sweet!" (munificent/craftinginterpreters#1184), action-slack's success text "Woo hoo!"
  "sweet",
  "woo ?hoo",
  "yay",
  "hooray"
]);
const SMALL_TALK = anchored([
  "happy (?:friday|monday|birthday|holidays|new year|weekend|thanksgiving)",
  "have a (?:good|great|nice|lovely) (?:day|weekend|evening|night|one|holiday)",
  "congrats",
  "congratulations",
  "lunch",
  "coffee",
  "who'?s on ?call",
  "who is on ?call",
  "how'?s (?:it going|your day|everyone|everybody)",
  "how are (?:you|things)",
  "what'?s up",
  "wassup",
  "welcome (?:back|aboard|to)",
  "anyone (?:up for|want|wanna|going|free|around)",
  "(?:i'll|i will|i'm|i am|we'll|we're) (?:be )?(?:out|off|away|ooo|late|offline|on leave|on vacation)",
  // "i’m busy with work anyway" (an IRC log quoted at techrights.org/2021/05/14)
  "(?:i'm|i am) (?:busy|swamped)(?: with| at| today|$)",
  "ooo",
  "out of office"
]);
const USAGE = anchored([
  "help",
  "how (?:do|can|does|should|would) (?:i|we|you|it|this|the|one)",
  "what (?:can|do|does|commands|is this|are you)",
  "where (?:are|is|do|can)",
  "does (?:this|the|it|you)",
  "do you",
  "can you (?:run|do|help|show|tell|explain|summari[sz]e)",
  "is there (?:a|any) way",
  "who (?:are you|made|built|owns)",
  "usage",
  "docs",
  "documentation",
  "commands"
]);
const TEST = anchored([
  "test",
  "tests",
  "testing",
  "this is a test",
  "just (?:a )?test(?:ing)?",
  "ignore (?:me|this)",
  "ping",
  "pong",
  "are you (?:there|alive|up|awake|online|working)",
  "you (?:there|alive|up|awake|online)",
  "anyone (?:home|there)",
  "hello anyone",
  "echo"
]);

const conversational = (name: string, priority: number, what: string, pattern: RegExp, maxWords = Infinity, unlessRequest = false): Tier1Rule => ({
  name,
  priority,
  evaluate: (input) => {
    // "anyone around? can you look at the payments API?": small talk that opens a request to look is the request.
    if (input.words.length > maxWords || hasAlertSignal(input) || (unlessRequest && REQUEST.test(input.bare))) return undefined;
    const m = pattern.exec(input.bare);
    return m === null ? undefined : suppress(`${what} (${quote(m[0])}) with no alert signal`);
  }
});

/**
 * A recovery of some things while work on the others waits: "WebIRC and  git are back, waiting for an admin to work on Minecraft
 * / ZNC" (netsocDIT/status.netsoc.dit.ie). What is still waited for is still down, so the message is an alert, whatever came back.
 */
const PENDING_WORK = /\b(?:still )?(?:waiting|wait) (?:for|on) (?:[a-z0-9'-]+ ){1,4}to (?:work on|fix|look at|restore|repair|bring|reboot|restart|recover)\b/;

/** Praise, thanks or a report that something is fixed: chatter, unless the trouble is ongoing or only partly over. */
const recovery: Tier1Rule = {
  name: "recovery",
  priority: 200,
  evaluate: (input) => {
    if (alarmEmojiSignal(input) !== undefined) return undefined;
    const m = matchRecovery(input);
    const pending = m !== undefined && input.bare.includes("wait") ? PENDING_WORK.exec(input.bare) : null;
    if (pending !== null) return investigate(`a partial recovery (${quote(m!)}) while work on the rest waits (${quote(pending[0])})`);
    // "The API is back up. We're still working on the dashboard": the part still worked on is still out (round 6, status.batch.com)
    const partial = m !== undefined && input.bare.includes("still") ? PARTIAL_RECOVERY.exec(input.bare) : null;
    if (partial !== null) return investigate(`a partial recovery (${quote(m!)}) while work on the rest goes on (${quote(partial[0])})`);
    const retrospective = m === undefined && matchRetrospective(input.bare);
    if (m === undefined && !retrospective) return undefined;
    // "agreed. but it is not broken for me" (#ubuntu 2006-01-12): a "for me" check reads its own clause; a failure after it still counts.
    if (m?.endsWith("for me") !== true && matchOngoing(input.bare) !== null) return undefined;
    return suppress(
      m !== undefined
        ? `says the trouble is over (${quote(m)}) and nothing suggests it is ongoing`
        : "looks back on a past event with thanks, and nothing suggests it is ongoing"
    );
  }
};

/**
 * A recovery, then a question back to whoever reported it: "Hi, I'm able to reach the site now. Are you still having issues?"
 * (nrwl/nx#3066). The trouble words are in the question, asked of the reporter; the speaker's own words are the recovery.
 */
const CHECK_BACK = /(?:^|[.!]\s{1,3})((?:are|is|do|does|did) (?:you|anyone|anybody|others|it) still [^.!?\n]{1,80}\?)\s*$/i;
const ABLE_AGAIN = /\b(?:i'm|i am|we're|we are) (?:now )?able to (?:reach|access|load|open|use|connect to|log in to|log into) (?:[a-z0-9.'-]+ ){0,3}(?:now|again)\b/;

const checkBack: Tier1Rule = {
  name: "recovery-check-back",
  priority: 201,
  evaluate: (input) => {
    if (!input.body.endsWith("?") || !input.lower.includes("still")) return undefined;
    const q = CHECK_BACK.exec(input.body);
    if (q === null || alarmEmojiSignal(input) !== undefined) return undefined;
    const before = makeClassifierInput(input.body.slice(0, q.index + 1));
    const m = ABLE_AGAIN.exec(before.bare)?.[0] ?? matchRecovery(before);
    if (m === undefined || hasAlertSignal(before) || matchOngoing(before.bare) !== null) return undefined;
    return suppress(`says the trouble is over (${quote(m)}) and asks the reporter whether it still happens (${quote(q[1]!)})`);
  }
};

/**
 * The speaker opens with the fix they made, then tells its cause: "We have restored connectivity. Looks like a power outage took
 * out our switch and the UPS for it failed to restart" (netsocDIT/status.netsoc.dit.ie). The failure words after the fix are
 * the cause, told in the past; a sign of ongoing trouble, or more trouble beside it ("also", "another", "the rest"), keeps it open.
 */
const OPENING_FIX = /^(?:we|i) (?:have |'ve |just )?(?:restored|fixed|resolved|repaired|mitigated|recovered|rebuilt|replaced)\b/;
const CAUSE_TOLD = /\b(?:looks like|looked like|it seems|seems like|turns out|turned out|it was|was caused by|caused by|due to|the cause|root cause)\b/;
const MORE_TROUBLE = /\b(?:also|too|another|other|others|remaining|rest|again|except)\b/;

const fixWithCause: Tier1Rule = {
  name: "fix-with-cause",
  priority: 202,
  evaluate: (input) => {
    const bare = input.bare;
    const m = OPENING_FIX.exec(bare);
    if (m === null || alarmEmojiSignal(input) !== undefined || REQUEST.test(bare) || MORE_TROUBLE.test(bare) || matchOngoing(bare) !== null) return undefined;
    const cause = CAUSE_TOLD.exec(bare.slice(m[0].length));
    return cause === null ? undefined : suppress(`opens with the fix the speaker made (${quote(m[0])}) and tells its cause (${quote(cause[0])})`);
  }
};

/**
 * A recovery, then an offer to hear back if it is not over: "Everything should be working now. Feel free to open an issue in case
 * something doesn't work for you." (hauke96/simple-task-manager#237), "we had a incident and was a temporary issue. I'll close
 * this one, if you still have problems we will reopen it." (actions/runner#2826), "… have been resolved. … If you're still
 * running into issues, please email us at" (slack-status.com 2021-12-22). The trouble words are inside the condition, about the
 * reader; the speaker's own words before it are the recovery, and are read alone.
 */
const OFFER_CLAUSE = /(?:^|[,.;!?]\s{1,3})(?=[^.!?\n]{0,60}?\b(?:if|in case) (?:you|you're|you are|something|anything|anyone|it|there)\b)/i;
const OFFER = /\b(?:let us know|let me know|feel free|reach out|contact us|email us|reopen|re-open|open an issue|open a new issue|ping us|tell us)\b/i;

const recoveryWithOffer: Tier1Rule = {
  name: "recovery-with-offer",
  priority: 203,
  evaluate: (input) => {
    const l = input.lower;
    if ((!l.includes("if ") && !l.includes("in case")) || alarmEmojiSignal(input) !== undefined) return undefined;
    const c = OFFER_CLAUSE.exec(input.body);
    if (c === null || c.index === 0 || !OFFER.test(input.body.slice(c.index))) return undefined;
    const before = makeClassifierInput(input.body.slice(0, c.index + 1));
    const m = matchRecovery(before);
    if (m === undefined || matchOngoing(before.bare) !== null || STILL_TROUBLE.test(before.bare) || REQUEST.test(before.bare)) return undefined;
    return suppress(`says the trouble is over (${quote(m)}) and offers to hear back if it is not; the trouble words are that condition`);
  }
};

const emojiOnly: Tier1Rule = {
  name: "emoji-only",
  priority: 205,
  evaluate: (input) =>
    input.words.length === 0 && input.links.length === 0 && alarmEmojiSignal(input) === undefined
      ? suppress("only emoji or punctuation, no words")
      : undefined
};

const plusOne: Tier1Rule = {
  name: "plus-one",
  priority: 206,
  evaluate: (input) => (/^[+-]1!*$/.test(input.body) ? suppress(`a vote (${quote(input.body)})`) : undefined)
};

/** A greeting opens the message; a longer message is judged by what follows it ("Hi, we've been seeing…"). */
const GREETING_MAX_WORDS = 10;

const greeting: Tier1Rule = {
  name: "greeting",
  priority: 210,
  evaluate: (input) => {
    // "Hello world" greets nobody: it is a program's output or a test event (getsentry/sentry test_issue_alert.py).
    if (input.words.length > GREETING_MAX_WORDS || hasAlertSignal(input) || input.bare.startsWith("hello world") || REQUEST.test(input.bare)) return undefined;
    const m = GREETING.exec(input.bare);
    return m === null ? undefined : suppress(`a greeting (${quote(m[0])}) with no alert signal`);
  }
};

/**
 * A message that is conversation by its structure, with no alert signal and nothing said to be ongoing ("currently",
 * "still", "since 10:00"): matched anywhere on `bare`.
 */
const chatterPattern = (name: string, priority: number, what: string, pattern: RegExp, maxWords = Infinity, hint?: string): Tier1Rule => ({
  name,
  priority,
  evaluate: (input) => {
    // `hint`: words every match contains, a cheap pre-check on `bare` before the pattern.
    if (input.words.length > maxWords || (hint !== undefined && !input.bare.includes(hint)) || hasAlertSignal(input)) return undefined;
    const m = pattern.exec(input.bare);
    return m === null ? undefined : suppress(`${what} (${quote(m[0])}) with no alert signal`);
  }
});

/**
 * Posted in the wrong place: "wrong channel/chan/window" (nine #ubuntu/#linux lines in the irc-disentanglement logs),
 * "wrong repo/repository" (chatwoot/chatwoot#14997, NotAShelf/nvf#843, moxiecode/moxie#103, messense/mupdf-rs#212,
 * Leseratte10/d2xl-cios#14), "post this issue to a different repo" (tomas/needle#434); posted by mistake: "This issue was
 * submitted by mistake." (fasterthanlime/feedback#9), "I opened this by mistake" (xorbit/LiFePO4wered-Pi#22), "accidently posted
 * this" (Avicus/Issues#791), "accidentally posted, please ignore" (FossifyOrg/General-Discussion#98).
 */
const WRONG_PLACE =
  /\bwrong (?:channel|chan|channe|chans|channels|window|windows|repo|repos|repository|room|thread|place|tab|buffer|chat|workspace|pr|forum|list)\b|\b(?:posted|post|put|created|opened|filed|sent) (?:this |it |that )?(?:issue |message |comment )?(?:in|to|on|into|at) (?:the wrong|a different|another)\b|\bnot the right (?:repo|repository|place|channel|room)\b|\b(?:posted|opened|submitted|created|filed|sent|raised) (?:this |it |that )?(?:issue |message |ticket )?(?:by mistake|by accident|accidentally|accidently|in error)\b|\b(?:accidentally|accidently|mistakenly) (?:posted|opened|submitted|created|filed|sent|raised)\b/;

/** Good news acknowledged: "Woohoo, glad to hear it! ⏎ All the best, Ryan" (RyanCook94/inphared#20). */
const GOOD_NEWS = /\bglad (?:to hear|it(?:'s| is) (?:working|back|fixed|sorted|resolved)|you (?:got it|sorted it|fixed it))\b/;

/** Praise and jokes aimed at a bot, or a line that ends in laughter: "Yes you are a good bot!", "… because he's a good bot :)" (#ubuntu 2015-01-20), "Must be a docker issue. HA!" (docker/hub-feedback#1661). */
const BANTER = /\b(?:good|bad|nice|clever|smart|silly|cute) bot\b|(?:^| )(?:ha|hah|haha\w*|hehe\w*|lol|lmao|rofl|xd)$/;

/**
 * Season's wishes anywhere in the message: "Merry Christmas and happy new year" (HouzuoGuo/tiedot#121, kalabox/kalabox#814),
 * "Happy new year to all" (letscontrolit/ESPEasy#4929), "happy and festive holiday season", "Holidays are over!"
 * (greenelab/deep-review#735), "I wish everyone a good night" (#ubuntu 2012-05-04).
 */
const HOLIDAY =
  /\b(?:merry (?:christmas|xmas)|happy (?:new year|holidays?|thanksgiving|hanukkah|diwali|easter|eid|lunar new year)|holiday season|festive season|season'?s greetings|holidays are over|wish (?:you|everyone|everybody|all|y'all)(?: \w+)? a (?:good|great|nice|happy|merry|wonderful) (?:night|day|weekend|holiday|holidays|christmas|new year|year))\b/;

/**
 * Meeting chatter (OpenStack TC and OpenDev infra meeting logs): "going to get started", "I didn't have any
 * announcements. Continuing on", "nothing from me.", "jump right into mnaser's topic", "agenda planning after this item",
 * "a short quick meeting"; sprint bookkeeping (va.gov-team#5969).
 */
const MEETING =
  /\b(?:meeting|meetings|agenda|announcements?|(?:going to|let's|lets|we'll|gonna) get started|getting started|continuing on|moving on|nothing from me|next topic|\w+'s topic|next item|this item|action items?|standup|stand up|sprint|retrospective|participating|ptg)\b/;

/**
 * Pointers to where trouble is handled and wishes for features: "Please file an issue with test-infra / prow upstream"
 * (GoogleCloudPlatform/oss-test-infra#159), "Need ability to mute servers doing maintenance"
 * (aws/amazon-managed-service-for-prometheus-roadmap#10), "It'll be nice have easy access function to pause calls"
 * (grafana/oncall#144); duplicates: "Duplicate of #3075" (nodejs/nodejs.org#3076), "This is a dupe of #306."
 * (sandstorm-io/sandstorm-website#308); elsewhere: "I think this would be better reported at https://github.com/npm/registry."
 * (npm/npm#20904), "so the issue doesn't belong to this repo" (nodejs/nodejs.org#3078); the feature-request template's "**What would
 * you like to be added**:" (kubernetes/test-infra#16924); who takes it: "@gnirodi Please provide a summary and assign this to
 * @ZackButcher.", "I'm the primary oncall. Please assign to me." (istio/istio#598); process and review talk: "We're going to need a
 * process to ensure that this get refreshed periodically" (kubernetes/community#1145), "For me, this is a follow-up of #631"
 * (mquinson/po4a#652), "downtimes of few hours have to be expected from time to time" (openzim/zimit#378), "LGTM! ⏎ This is a
 * relevant link" (dhis2/notes#201), "I think all teammates should approve this PR" (sourcegraph/handbook#8077). Round 6: where to
 * follow the status: "Folks, check our Twitter: <link>" (gitterHQ/gitter#1593, #1594), "Follow <link> for updates on Gitter's
 * status." (neovim/neovim#6056); "I started a separate thread [here](…)" (matrix-org/matrix-appservice-irc#1735); planned
 * migrations: "We are planning to migrate our postgres database …" (checkly/public-roadmap#191), "Planned date for the
 * migration: 24th August 2025." (hauke96/simple-task-manager#237). Any alert signal in the message keeps it open.
 */
const PROCESS =
  /\b(?:please )?(?:file|open|report|raise|create|submit) (?:an? |the |your )?(?:issue|ticket|bug|outages?|incidents?|problems?)(?: report)? (?:with|on|in|at|upstream|instead|there|here|via|through)\b|\b(?:it'd|itd|it would|it will|it'll|would) be (?:nice|great|good|cool|useful|helpful)\b|\bneed (?:the |an? )?ability to\b|\bfeature request\b|\bbetter reported (?:at|in|on|to|upstream)\b|\b(?:doesn't|does not|don't|do not) belong (?:to|in) (?:this|the|our) (?:repo|repository|channel|project|tracker)\b|\bwould love (?:to|a|an|the)\b|\b(?:duplicate|dupe) of\b|\bwhat would you like to be added\b|\b(?:need|needs|going to need) a (?:[a-z-]+ )?process (?:to|for)\b|\bfollow up (?:of|to) \d+\b|\b(?:have|has|are|is) to be expected\b|^lgtm\b|\b(?:approve|review) (?:this|the) (?:pr|pull request)\b|\b(?:please )?(?:re)?assign (?:this |it )?to(?: me| him| her| them)?$|\bplease (?:re)?assign (?:this |it )?to\b|^(?:folks |all |everyone )?(?:check|follow|see|watch) (?:our |the |their )?(?:twitter|status page|statuspage|status site)\b|\bfollow (?:our |the |their )?(?:twitter )?for updates on\b|\b(?:started|opened|created) a (?:separate|new|dedicated) (?:thread|issue|discussion|channel) (?:here|for|at|in|on)\b|\b(?:we are|we're|we'll be|we will be) planning to (?:migrate|upgrade|move)\b|\bplanned (?:date|time|window) for the (?:migration|maintenance|upgrade|move)\b/;

/**
 * Someone has it in hand: "We're looking into it." (docker/hub-feedback#1360, noahc3/SDSetup#97), "Already in the works"
 * (Supamiu/Lostark-helper#160), "Rebooting it now." (waylaidwanderer/FicSave#218), "We're rolling back some recently
 * deployed code" (CrossRef/rest-api-doc#147), "I've pinged @cmr who maintains the server" (rust-lang/this-week-in-rust#679),
 * "Working on it. Give it a few hours for the fix to propagate." (mtgjson/mtgjson3#98), "I'll be fixing it soon"
 * (dhamaniasad/HeadlessBrowsers#17),
 * "FE folks on PW will write the PM this time" (va.gov-cms#16319). Taken to another party: "Following up with Marist on the
 * issue." (nodejs/build#1784), "Created LF ticket: …" (jenkins-infra/helpdesk#5076), "Ticket SI-17771 logged for SI"
 * (reapit/foundations#7252), "we are trying to reach out to the Slack team" (keephq/keep#478); "Checking ..."
 * (chrisdone-archive/ircbrowse#29), "We're working to implement permanent fixes now" (forwardemail/status.forwardemail.net#2490),
 * "Taking a look now" (RobotLocomotion/drake#2633), "Yes - waiting on the DNS team to update the records." (nhsx/old-nhsx-website#16).
 * With a failure word it is a report, not a hand-off.
 */
const HANDOFF =
  /\b(?:(?:we're|we are|i'm|i am|they're|they are|team is|someone is|folks are|\w+ is) (?:\w+ )?(?:looking into|looking at|working on|investigating|on it|checking|handling|fixing|rolling back|reverting|rebooting|restarting|deploying a fix)|in the works|just wait|hang tight|bear with (?:us|me)|(?:i'll|i will|we'll|we will|they'll|they will|\w+ will) (?:take a look|have a look|look into|fix|handle|check|write|collab)|^working on it|(?:i'll|i will|we'll|we will) be (?:fixing|looking into|working on)|i've pinged|i have pinged|pinged (?:the |our )?(?:owner|owners|maintainer|maintainers|team|on-?call|them|him|her)|escalated to|following up (?:with|on)|(?:trying to |going to |will )?(?:reach|reaching|reached) out to|(?:created|opened|filed|logged|raised) (?:a |an |the )?(?:[\w-]+ )?ticket|ticket (?:[a-z0-9]+ ){1,3}(?:logged|created|opened|filed|raised)|^checking$|working to (?:implement|fix|restore|resolve|mitigate)|handing (?:it )?over|taking over|handing off|(?:rebooting|restarting) it|^(?:taking|having) a look(?: now| at it| at this)?$|waiting (?:on|for) (?:the |our )?[\w-]+ team to)\b/;

/**
 * Planned maintenance and how people use it: "Yas, down for maintenance" (Citymonstret/Kvantum#3), "I personally use the
 * Maintenance feature for this" (louislam/uptime-kuma#2397), "Need ability to mute servers doing maintenance"; upgrades the operators
 * do: "Yep, working on some upgrades to the server. It will be back online shortly." (tvwenger/maxfield#12), "We're currently
 * upgrading the docker-enabled infrastructure" (wercker/support#66), "We will be upgrading our Proxmox hypervisors to Proxmox VE 9.
 * This may result in downtime." (a cState page), "the server is coming to an upgrade soon", "the server is about
 * to be upgraded again" (xJon/The-1.7.10-Pack#116). With an alert signal it is a report ("upgrading the DB, now it returns 502").
 */
const MAINTENANCE =
  /\b(?:(?:down|offline|unavailable) for (?:planned |scheduled )?maintenance|(?:planned|scheduled) maintenance|maintenance (?:feature|mode|window|page)|working on (?:some |an? |the )?upgrades?|(?:we're|we are|i'm|i am|we'll be|we will be) (?:currently |now )?upgrading|(?:is|are) (?:about to be|going to be|being) upgraded|(?:is|are) coming to an upgrade)\b/;

/**
 * Downtime announced ahead, with its window: "Launchpad may be unavailable for up to 30 minutes from 11.00 UTC on Wednesday
 * the 20th January, for planned hardware maintenance." and "Launchpad code hosting will be offline Friday between 8.00 and 9.30
 * UTC" (Launchpad blog), "There will be an interruption to mailing list services on Wednesday, January 2, 2013" (a university
 * IT notice), "at some point in the next week the following services will be unavailable for a period of up to an hour"
 * (a mailing-list notice), "next week we'll have a major outage impacting several services" (CentOS blog), "We will shut down
 * our network at midnight UTC on Feb 24." (a cState page), "Launchpad offline 23:00UTC 9 February ⏎ Launchpad will be offline for
 * about 90 minutes while we roll out some changes" (blog.launchpad.net/page/22); an imperative "expect": "Migration update (1): Expect
 * intermittent downtime 23 May between 10-2PM US Eastern Time" (RahulR100/mcstatusbot#215). Future tense and a window make it planned work; a prediction with
 * no window ("the disk will be full in 2 hours", "the certificate will expire") is an alert and is not read here.
 */
const ANNOUNCED_DOWNTIME =
  /\b(?:expect (?:some |brief |short |intermittent |occasional )?(?:downtime|outages?|interruptions?)|(?:will|may|might|we'll|is going to|are going to)(?: also| likely| probably| briefly)? (?:be (?:unavailable|offline|down|inaccessible|unreachable|interrupted|read only)|(?:have|see) (?:an? |some )?(?:\w+ )?(?:outage|interruption|downtime)|result in (?:\w+ )?(?:downtime|an outage|interruptions?)|(?:shut|take|bring) (?:\w+ ){0,3}down)|there will be (?:an? |some )?(?:\w+ )?(?:outage|interruption|downtime))\b/;
const ANNOUNCED_WINDOW =
  /\b(?:on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|next (?:week|month|weekend)|this (?:weekend|evening)|between \d|from \d|starting at|at midnight|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|may|june|july|august|september|october|november|december) \d|\d(?:st|nd|rd|th)? (?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december)\b|for (?:about |around |up to |roughly )?\d+ (?:minutes|mins|hours))/;

/**
 * Planned work under its own label, as status pages write it: "Scheduled Updates ⏎ **Scheduled maintenace:** Servers are down while
 * we re-organize some database tables." and "… Servers were down while we did some maintenance." (doaxrel/xrelstatus, a cState
 * page; the label's spelling is the page's own). The label says the downtime was planned, so "down" under it is not trouble,
 * unless the text says the work went wrong or ran over.
 */
const MAINTENANCE_LABEL = /^[*_]{0,2}(?:Scheduled|Planned) (?:maintenance|maintenace)[*_]{0,2}:/m;
const MAINTENANCE_GONE_WRONG = /\b(?:emergency|unplanned|unexpected|unexpectedly|longer than (?:expected|planned)|overran|over ran)\b/;

const maintenanceLabel: Tier1Rule = {
  name: "maintenance-label",
  priority: 147,
  evaluate: (input) => {
    if (!input.lower.includes("mainten") || !MAINTENANCE_LABEL.test(input.body) || MAINTENANCE_GONE_WRONG.test(input.bare) || STILL_TROUBLE.test(input.bare) || alarmEmojiSignal(input) !== undefined) {
      return undefined;
    }
    return suppress("planned work under a scheduled-maintenance label: the downtime it tells of was announced");
  }
};

const announcedDowntime: Tier1Rule = {
  name: "announced-downtime",
  priority: 268,
  evaluate: (input) => {
    const bare = input.bare;
    if (!bare.includes("will") && !bare.includes("'ll") && !bare.includes("may") && !bare.includes("might") && !bare.includes("going to") && !bare.includes("expect")) return undefined;
    const m = ANNOUNCED_DOWNTIME.exec(bare);
    if (m === null || !ANNOUNCED_WINDOW.test(bare) || matchOngoing(bare) !== null || STILL_TROUBLE.test(bare) || alarmEmojiSignal(input) !== undefined) return undefined;
    return suppress(`announces downtime ahead, with its window (${quote(m[0])}): planned work, not trouble`);
  }
};

/** Thanks at the end of a message that reports nothing: "I got the file uploaded while space was available. Thanks." (ArctosDB/arctos#2449), "… stays in alerta ⏎ thanks" (alerta/alerta#278). */
const TRAILING_THANKS = /(?:^| )(?:thanks|thank you|thx|ty|cheers)(?: a lot| alot| so much| again| all| everyone| in advance)?$/;
/** A request to look at something is not a closing remark, thanks or not: "can someone check the payments queue? thanks". */
const REQUEST = /\b(?:(?:can|could|would|will) (?:you|someone|anyone|somebody|u) (?:please |pls )?(?:look|check|take a look|have a look|investigate|help|see|dig)|(?:please|pls) (?:look|check|help|investigate|take a look|have a look)|look into|take a look|have a look)\b/;

const HANDOFF_MAX_WORDS = 30;
/**
 * A remark that this is not where trouble is reported, with the trouble only as its topic: "This is not the place to post about
 * the site being down, only bugs." (waylaidwanderer/FicSave#123). The trouble words come after it, as what is not to be posted
 * here; trouble before it, or said to be going on, is a report.
 */
const REPORT_VENUE = /\b(?:is )?not the (?:right |correct )?(?:place|channel|repo) to (?:post|report|ask)(?: about)?\b/;
const REPORT_VENUE_MAX_WORDS = 30;

const reportVenue: Tier1Rule = {
  name: "report-venue",
  priority: 275,
  evaluate: (input) => {
    const bare = input.bare;
    if (input.words.length > REPORT_VENUE_MAX_WORDS || (!bare.includes("report") && !bare.includes("post"))) return undefined;
    const venue = REPORT_VENUE.exec(bare);
    if (venue === null || alarmEmojiSignal(input) !== undefined || matchOngoing(bare) !== null || STILL_TROUBLE.test(bare)) return undefined;
    const failure = failureSignal(input);
    if (failure !== undefined && bare.indexOf(failure) < venue.index + venue[0].length) return undefined;
    return suppress(`says this is not the place to report trouble (${quote(venue[0])}); the trouble is its topic, not a report`);
  }
};
/**
 * One part back, work on another still going on, in one update: "Transactional push is available. We're still working on push
 * campaigns availability" (status.batch.com, "Delivery issues"). The part still worked on is still out: not a hand-off.
 */
const PARTIAL_RECOVERY =
  /\b(?:is|are) (?:now |again )?(?:available|back up|back online|back|up|working|restored|operational)(?: again)? (?:but )?(?:we're|we are|we|i'm|i am|the team is) still (?:working on|investigating|fixing|restoring|looking into)\b/;

/**
 * Thanks for what someone said or did about a report: "Oic, thanks for the clarification" (jenkins-infra/helpdesk#2878), "OK,
 * I see - thanks for the feedback." (openstreetmap/chef#218); thanks for the report itself: "Thanks for letting me know." (keathley/pointfree.io#4, ForbesLindesay/brcdn.org#7), "Hi, thanks for catching this!"
 * (explorableexplanations/explorableexplanations.github.io#10).
 */
const THANKS_FOR =
  /\b(?:thanks|thank you|thx|ty) (?:a lot |so much |again )?for (?:the |your |all the )?(?:quick |fast )?(?:clarification|feedback|info|information|explanation|heads up|update|updates|help|reply|response|answer|suggestion|tips?|pointers?|review|report|patience)\b|\b(?:thanks|thank you|thx|ty) (?:a lot |so much )?for (?:letting (?:me|us) know|reporting(?: this| it)?|catching (?:this|that)|flagging (?:this|that))\b/;

/**
 * Talk about who is on call, not a page: "Pager duty has a on call roster." (CDCgov/prime-reportstream#652), "Closing ticket due
 * to the current schedule on call schedule." (CDCgov/prime-simplereport#2803); who is on call: "… is on-call for <schedule>"
 * (GoAlert's on-call notifications), "foo (foo@pagerduty.com) is currently on call for abc" (esigler/lita-pagerduty).
 */
const ON_CALL_ROSTER = /\b(?:is|are) (?:currently |now )?on ?call (?:for|until)\b|\bon ?call (?:roster|rosters|schedule|schedules|rotation|rotations|person|people|shift|shifts|handoff|hand off)\b/;

/**
 * A short question that names no trouble and asks nobody to look: "Any updates on this?" (jquery/irc.jquery.org#23), "Need
 * any help updating your site?", "do we have any specific observations on the gate this week?" (OpenStack TC log).
 */
const QUESTION_MAX_WORDS = 25;
/**
 * Questions that may be a report in disguise stay open: "why …?", "anyone else …?", "is it just me?", "is the VPN working?",
 * and any question about a problem or an issue ("is there an issue with the API?"), or whether a service comes back, which
 * says it is down: "will this go up again ??" (k3min/infinigag#11).
 */
const QUESTION_TROUBLE =
  /\b(?:why|what happened|what's happening|just me|(?:go|come|be|get) (?:back )?(?:up|online) again|(?:come|be|go|get) back (?:up|online)|(?:anyone|anybody|someone|somebody) else|for (?:anyone|anybody|everyone|everybody)|problem|problems|issue|issues|trouble|wrong|(?:is|are|isn't|aren't) (?:[a-z0-9'-]+ ){0,3}(?:working|up|reachable|responding|loading)(?! for you))\b/;

/**
 * A line that ends in a smile and carries no alert signal is light-hearted: "I'll start :)" and "also i got my RHCE on friday,
 * yay me ;)" (oVirt meeting log 2012-07-03), "also germany is not playing well :P" (monax/bosmarmot#85), "That's why we
 * need something like … instead of irc :)" (ipfs/community#80). "Same here :)" is a "me too" and is left to the thread.
 */
const SMILEY_END = /(?:^|\s)[:;]-?[)DPp]$/;

/** A test that only names itself: "slack integration test" (noisebridge/infrastructure#100), "My Slack Alert (1) Testing" (Uptime Kuma's test button). */
const TRAILING_TEST = /(?:^| )(?:test|testing)$/;

// ---------------------------------------------------------------------------------------------
// 300–399: alert signals in free text.
// ---------------------------------------------------------------------------------------------

const SEVERITY = /\b(?:critical|crit|sev ?[0-4]|p[0-3]|urgent|emergency|major incident|high severity)\b/;
const RESOURCE_STATE =
  /\b(?:CrashLoopBackOff|OOMKilled|OOM ?Kill(?:ed|er)?|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|CreateContainerError|RunContainerError|ContainerCannotRun|InvalidImageName|FailedScheduling|FailedMount|FailedAttachVolume|FailedCreate|BackoffLimitExceeded|DeadlineExceeded|NodeNotReady|NotReady|NodeHasDiskPressure|NodeHasMemoryPressure|NodeHasPIDPressure|DiskPressure|MemoryPressure|PIDPressure|Evicted|Unschedulable|ProvisioningFailed|Terminating|exit code \d+)\b/i;

const failureWords: Tier1Rule = {
  name: "failure-words",
  priority: 330,
  evaluate: (input) => {
    const m = failureSignal(input);
    return m === undefined ? undefined : investigate(`describes something broken (${quote(m)})`);
  }
};

const consoleLink: Tier1Rule = {
  name: "console-link",
  priority: 340,
  evaluate: (input) => {
    const link = consoleLinkSignal(input);
    return link === undefined ? undefined : investigate(`links a dashboard or console (${quote(link)})`);
  }
};

const alarmEmoji: Tier1Rule = {
  name: "alarm-emoji",
  priority: 350,
  evaluate: (input) => {
    const m = alarmEmojiSignal(input);
    return m === undefined ? undefined : investigate(`flags trouble with ${quote(m)}`);
  }
};

/**
 * A resolved or closed notice whose words say the trouble goes on: "Incident resolved by alice: checkout is still down".
 * Descriptions a recovery repeats ("50% of the targets are down") say what was wrong, not that it still is.
 */
const STILL_TROUBLE =
  /\bstill (?:[a-z']+ )?(?:down|failing|failed|broken|erroring|crashing|unavailable|unreachable|happening|occurring|seeing|see|sees|getting|gets|returning|timing out|slow|offline|not working)\b|\b(?:down|failing|broken|erroring|crashing) again\b/;

/**
 * Someone acted on an existing issue, in the tool's own title: "Issue **X** has now been assigned to **team** by **Y**.",
 * "Issue **X** was ignored by **Y**." (Sentry via zulip); "foo marked E#2 as fixed", "foo commented on E#2" (Opbeat via zulip);
 * "Incident [6404](…) on [xxxx](…) delegated to Andrew Newdigate." (gitterHQ/services lib/pagerduty/test; its "triggered. Assigned
 * to …" opens an incident and is not matched).
 */
const ACTED_BY =
  /^(?:Issue|Error|Incident|Alert)\b[^\n]{1,200}? (?:has (?:now )?been|was|were) (?:assigned to [^\n]{1,80}?|unassigned|ignored|resolved|archived|acknowledged|snoozed|muted) by \S|^\S{1,40} (?:marked \S{1,40} as (?:fixed|resolved|ignored)|commented on \S{1,40}$)|^Incident \S{1,40} on \S{1,80} (?:delegated|reassigned) to \p{Lu}[^\n]{0,80}$/u;

/**
 * Planned work announced by a status tool or its operator: "The following scheduled maintenance has been opened: …" (Freshstatus via
 * zulip), "[Maintenance Notice] Infrastructure changes and update" (pivpn/pivpn#1046).
 */
const MAINTENANCE_TITLE =
  /\b(?:scheduled|planned) maintenance (?:has been|is|was) (?:opened|scheduled|started|created|updated|announced)\b|^\W{0,4}Maintenance (?:Notice|Announcement)\b/i;
/**
 * A title that announces planned downtime, the way operators open an issue for it: "Planned Infrastructure Outage - 7/9"
 * (dotnet/arcade#9936), "Planned outage - 2022 December 18 ⏎ Going offline for database migration starting at 1:00 AM UTC"
 * (Malshare/MalShare#74). "Planned" is the title's first word, so it qualifies the outage; work gone wrong reopens it.
 */
const PLANNED_TITLE = /^\W{0,4}(?:Planned|Scheduled|PLANNED|SCHEDULED) (?:[A-Za-z]{2,20} )?(?:outage|downtime|maintenance|Outage|Downtime|Maintenance|OUTAGE|DOWNTIME|MAINTENANCE)\b/;

/**
 * Grafana's default notification template puts the group's state on a line of its own: "**Resolved**" with no "**Firing**"
 * section is a recovery, whatever the title (grafana/alerting's oncall and v8 fixtures; "Grafana alert: [RESOLVED] …" via ntfy).
 */
const GRAFANA_RESOLVED_LINE = /^\*\*Resolved\*\*[ \t]*$/m;

const toolResolved: Tier1Rule = {
  name: "tool-resolved",
  priority: 150,
  evaluate: (input) => {
    const t = input.title;
    const titled = /^\W{0,4}(?:✅|:white_check_mark:|🟢|:large_green_circle:|:green_circle:)/.test(t) || t.includes(" is UP") || t.endsWith(" is recovered") || t.endsWith(" is resolved");
    const m =
      RESOLVED_TOOL.exec(input.body) ??
      (input.body.includes("**Resolved**") && !input.body.includes("**Firing**") ? GRAFANA_RESOLVED_LINE.exec(input.body) : null) ??
      (!titled || TITLE_TROUBLE.test(t) ? null : (RESOLVED_TITLE.exec(t) ?? GREEN_MARK_TITLE.exec(t)));
    // "Incident resolved by alice: checkout is still down": the notice closes an alert whose own words say the trouble goes on.
    if (m !== null && STILL_TROUBLE.test(input.bare)) return undefined;
    return m === null ? undefined : suppress(`alert tool reports recovery (${quote(m[0])}); resolved alerts are posted in their investigation's thread`);
  }
};

const housekeeping: Tier1Rule = {
  name: "tool-housekeeping",
  priority: 155,
  evaluate: (input) => {
    const l = input.lower;
    if (!l.includes(" by") && !l.includes("received an update") && !l.includes("closed") && !l.includes("paused") && !l.includes("notifications") && !l.includes("acknowledged: yes")) return undefined;
    const m = HOUSEKEEPING.exec(input.body);
    return m === null || matchOngoing(input.bare) !== null ? undefined : suppress(`alert tool reports that the alert is acknowledged, closed or paused (${quote(m[0])})`);
  }
};

/**
 * What an alert tool says happened to an alert, incident or error, in its title: "Incident [1](…) resolved by …" and
 * "acknowledged by …" (PagerDuty via zulip), "[Incident](…) **closed** for condition" (New Relic via zulip), "[Error](…)
 * status changed to: Ignored by …" (Raygun via zulip); or who did it: "Amy Loondon assigned [Error](…) to …", "Anita Peacock
 * left a comment on [Error](…)" (Raygun). Opening, triggering and escalating are trouble and are left to the firing rules.
 */
const LIFECYCLE_OBJECT_FIRST =
  /^\W{0,4}(?::[a-z0-9_+-]{1,40}:\W{0,3})?(?:Incident|Alert|Error|Issue)(?: #?[\w-]{1,24})?:?\s{1,3}(?:status changed to:?\s{0,2})?(?:resolved|closed|acknowledged|ignored|snoozed|silenced|muted)\b/i;
const LIFECYCLE_ACTOR_FIRST = /^\W{0,4}\p{Lu}[\p{L}'.-]{0,30}(?: \p{Lu}[\p{L}'.-]{0,30}){0,3} (?:assigned|unassigned|left a comment on|commented on|added a note to|acknowledged|resolved|closed|ignored|snoozed) (?:Error|Incident|Alert|Issue)\b/u;
/** Opsgenie's action types that someone took on an existing alert (zulip's Opsgenie integration fixtures): "Type: *Acknowledge*". */
const OPSGENIE_QUIET_TYPE = /^Type:[ \t]{0,2}\*?(Acknowledge|UnAcknowledge|Close|AddNote|AssignOwnership|TakeOwnership|AddTags|RemoveTags|AddTeam|AddRecipient|Snooze|Delete)\*?[ \t]*$/m;
/** A markdown link keeps its label; bold and italic markers go: "[Incident](url) **closed**" reads "Incident closed". */
const plainTitle = (title: string): string => title.replace(/\[([^\]\n]{0,80})\]\([^)\s]{1,500}\)/g, "$1").replace(/[*_`]+/g, "");

/** Every lifecycle pattern names one of these objects and contains one of these verbs: a message without both skips them. */
const LIFECYCLE_OBJECTS = ["incident", "alert", "error", "issue"];
const LIFECYCLE_HINTS = ["resolved", "closed", "acknowledged", "ignored", "snoozed", "silenced", "muted", "assigned", "comment", "note"];

const toolLifecycle: Tier1Rule = {
  name: "tool-lifecycle",
  priority: 156,
  evaluate: (input) => {
    const acted = input.title.includes(" by ") || input.title.includes(" marked ") || input.title.includes("ed to ") || input.title.includes(" commented on ") ? ACTED_BY.exec(plainTitle(input.title)) : null;
    if (acted !== null && !STILL_TROUBLE.test(input.bare)) return suppress(`alert tool reports that someone handled an existing issue (${quote(acted[0])}), not new trouble`);
    const planned = input.lower.includes("maintenance") ? MAINTENANCE_TITLE.exec(plainTitle(input.title)) : null;
    if (planned !== null && matchOngoing(input.bare) === null) return suppress(`announces planned maintenance (${quote(planned[0])}), not trouble`);
    const plannedTitle = input.title.length < 200 ? PLANNED_TITLE.exec(input.title) : null;
    if (plannedTitle !== null && matchOngoing(input.bare) === null && !STILL_TROUBLE.test(input.bare) && !MAINTENANCE_GONE_WRONG.test(input.bare) && alarmEmojiSignal(input) === undefined) {
      return suppress(`announces planned downtime in its title (${quote(plannedTitle[0])}), not trouble`);
    }
    const type = input.body.includes("Type:") ? OPSGENIE_QUIET_TYPE.exec(input.body) : null;
    if (type !== null) return suppress(`alert tool reports an action taken on an existing alert (${quote(type[1]!)}), not new trouble`);
    const l = input.lower;
    if (!LIFECYCLE_OBJECTS.some((h) => l.includes(h)) || !LIFECYCLE_HINTS.some((h) => l.includes(h))) return undefined;
    const t = plainTitle(input.title);
    const m = LIFECYCLE_OBJECT_FIRST.exec(t) ?? LIFECYCLE_ACTOR_FIRST.exec(t);
    return m === null || matchOngoing(input.bare) !== null
      ? undefined
      : suppress(`alert tool reports that someone handled an existing alert (${quote(m[0])}), not new trouble`);
  }
};

/**
 * A one-line notification that names a check and its state: "kapacitor/cpu/serverA is OK" (Kapacitor's default message
 * template), "Service is \`up\`." (updown via zulip), "Your service 'Statping Example' is currently online!" (Statping-ng).
 * The state is a tool's word: upper case, marked as code or bold, or "currently online"; "latency is up" is not one.
 */
const STATE_SENTENCE = /^[^\n]{1,120}? is (?:now |back |currently )?(?:OK|UP|([`*]{1,2})(?:ok|up|online|healthy|available)\1|(?:now|currently) (?:online|healthy|available))[.!]{0,2}$/;

/** How a STATE_SENTENCE title ends, before its "." or "!": checked before the pattern. */
const STATE_ENDINGS = ["OK", "UP", "`", "*", "online", "healthy", "available"];

const stateSentence: Tier1Rule = {
  name: "state-sentence",
  priority: 157,
  evaluate: (input) => {
    const t = input.title;
    let end = t.length;
    while (end > 0 && (t.charCodeAt(end - 1) === 46 || t.charCodeAt(end - 1) === 33)) end--;
    const tail = t.slice(Math.max(0, end - 9), end);
    if (t.length > 160 || !STATE_ENDINGS.some((e) => tail.endsWith(e)) || !t.includes(" is ")) return undefined;
    const m = STATE_SENTENCE.exec(input.title);
    return m === null || failureSignal(input) !== undefined
      ? undefined
      : suppress(`alert tool reports the check's state as healthy (${quote(m[0])})`);
  }
};

/**
 * Routine work a tool reports doing by itself, from the tools' own message templates: aws-node-termination-handler's
 * "[NTH][Instance Interruption] … - Kind: SPOT_ITN | REBALANCE_RECOMMENDATION | SCHEDULED_EVENT …" (pkg/config/config.go: it
 * cordons and drains the node itself); kured's "Draining node <name>" and "Rebooting node <name>" (cmd/kured/main.go, its planned
 * reboots); AWS Auto Scaling's "Event: autoscaling:EC2_INSTANCE_LAUNCH" (arabold/aws-to-slack parsers/autoscaling.js; the
 * _ERROR events are not matched); Flagger's "Rolling back manual webhook invoked" (fluxcd/flagger pkg/controller/scheduler.go:
 * the operator's own request); kwatch announcing itself, ":tada: kwatch@v0.10.1 just started!" and ":tada: A newer version … of Kwatch is
 * available!" (abahmed/kwatch internal/constant/constant.go). Each is the whole title, so nothing else can ride along.
 */
const ROUTINE_TITLE =
  /^\[NTH\]\[Instance Interruption\] [^\n]{0,300}? - Kind: (?:SPOT_ITN|REBALANCE_RECOMMENDATION|SCHEDULED_EVENT) - |^(?:Draining|Rebooting) node [\w.-]{1,253}$|^Rolling back manual webhook invoked$|^\W{0,3}(?::tada:\W{0,3})?(?:[\w.-]{1,40}@v?\d[\w.-]{0,20} just started!?|A newer version [^\n]{1,200}? is available!?(?: Please update to the latest version\.?)?)$/;
const ROUTINE_EVENT = /^Event: autoscaling:EC2_INSTANCE_(?:LAUNCH|TERMINATE)$/m;
/**
 * A pipeline stopped at its approval gate, in its title, with no failure anywhere: Flagger's "Canary is waiting for approval." and
 * "Canary promotion is waiting for approval." (fluxcd/flagger pkg/controller/scheduler_hooks.go), "CircleCI job on hold, waiting
 * for approval." (CircleCI-Public/slack-orb src/message_templates/basic_on_hold_1.json).
 */
const APPROVAL_WAIT = /^[^\n]{1,80}?\b(?:is |on hold, )?waiting for (?:manual )?approval\.?$/;

/**
 * Flagger's canary notices carry the canary's settings under the title ("Failed checks threshold: 5", "Progress deadline: 60s",
 * fluxcd/flagger pkg/controller/scheduler.go): the title says what happened. "New revision detected, progressing canary
 * analysis.", "Canary analysis completed successfully, promotion finished." are routine; "Failed checks threshold reached 5" and
 * "Promotion failed, …" name their trouble in the title.
 */
const FLAGGER_SETTINGS = /^Failed checks threshold: \d+$[\s\S]{0,200}^Progress deadline: /m;
const FLAGGER_TROUBLE = /\b(?:fail\w*|error\w*|halt\w*|roll(?:ed|ing)? back|rollback|exceeded|not ready|timed out|timeout)\b/i;

const toolRoutine: Tier1Rule = {
  name: "tool-routine",
  priority: 158,
  evaluate: (input) => {
    const t = input.title;
    const m = t.length <= 400 ? ROUTINE_TITLE.exec(t) : null;
    if (m !== null) return suppress(`a tool reports routine work it does by itself (${quote(m[0])}), not trouble`);
    const gate = t.endsWith("approval") || t.endsWith("approval.") ? APPROVAL_WAIT.exec(t) : null;
    if (gate !== null && failureSignal(input) === undefined) return suppress(`a pipeline waits at its approval gate (${quote(gate[0])}), not trouble`);
    const e = input.body.includes("autoscaling:EC2_INSTANCE_") ? ROUTINE_EVENT.exec(input.body) : null;
    if (e !== null) return suppress(`a tool reports routine work it does by itself (${quote(e[0])}), not trouble`);
    if (input.body.includes("Failed checks threshold: ") && FLAGGER_SETTINGS.test(input.body) && !FLAGGER_TROUBLE.test(t)) {
      return suppress(`a canary notice (${quote(t)}) whose title names no trouble; the lines under it are the canary's settings`);
    }
    return undefined;
  }
};

/**
 * A one-line build or deploy notice in the shape Gitter's activity feed renders every CI tool (gitterHQ/services lib/<tool>/test):
 * the tool, the linked project or build, then the build's state, linked or bare: "Jenkins [webhooks-handler](…) started",
 * "Drone [foo/bar](…) (pull request \\#800) [passed](…)", "Build [\\#26](…) passed" (AppVeyor), "Travis [malditogeek/hook](…)
 * (master) [pending](…) (54)", "Heroku [quiet-bayou-7278] deployed 1fa8326", or the state first in bold: "CircleCI **canceled**:
 * circleci build (…)". Only the state decides, and only a quiet one: "… failure", "[failed](…)", "**failed**:", "failed!" are the
 * same shapes with a state this rule does not know, left to the failure rules.
 */
const CI_STATE_FIRST = /^[A-Z][A-Za-z]{1,20} \*\*([a-z]{4,12})\*\*: /;
const CI_STATE_LAST =
  /^[A-Z][A-Za-z]{1,20} \[[^\]\n]{1,120}\](?:\([^)\s]{1,300}\))?(?: \([^)\n]{1,60}\))*? (?:\[([a-z]{4,12})\]\([^)\s]{1,300}\)|([a-z]{4,12}))(?: \(\w{1,40}\)| [0-9a-f]{7,40})?$/;
const CI_QUIET_STATES = new Set(["passed", "started", "pending", "canceled", "cancelled", "fixed", "success", "succeeded", "deployed"]);
/**
 * An error tracker's event at a level below an error, in the same feed: "Sentry reported [an event in badges](…)" and "[a debug
 * event in badges](…)" (gitterHQ/services lib/sentry/test), beside "[an error in badges](…)" and "[a fatal event in badges](…)",
 * which carry the same sample exception and are alerts: the level decides, not the exception's words.
 */
/**
 * A chat-ops listing that found nothing: "No triggered, open, or acknowledged incidents" (esigler/lita-pagerduty
 * spec/lita/handlers/incidents_all_spec.rb). A count of none is not trouble, whatever the states it lists.
 */
const NOTHING_OPEN =
  /^No (?:triggered|open|acknowledged|active|firing|unresolved)(?:,? (?:or |and )?(?:triggered|open|acknowledged|active|firing|unresolved)){0,4} (?:incidents|alerts|issues)\.?$/i;
const TRACKER_EVENT = /^[A-Z][A-Za-z]{1,20} reported \[an? (?:(?:debug|info|informational|sample) )?event in [^\]\n]{1,80}\]/;

const toolQuietState: Tier1Rule = {
  name: "tool-quiet-state",
  priority: 159,
  evaluate: (input) => {
    const t = input.title;
    const none = t.length < 120 && (t.startsWith("No ") || t.startsWith("no ")) ? NOTHING_OPEN.exec(t) : null;
    if (none !== null && t === input.body) return suppress(`a listing that found nothing open (${quote(none[0])}), not trouble`);
    if (t.length > 600 || (!t.includes("[") && !t.includes("**"))) return undefined;
    const e = TRACKER_EVENT.exec(t);
    if (e !== null) return suppress(`an error tracker reports an event below error level (${quote(e[0])}), not an error`);
    const m = CI_STATE_FIRST.exec(t) ?? CI_STATE_LAST.exec(t);
    const state = m === null ? undefined : (m[1] ?? m[2])?.toLowerCase();
    return state === undefined || !CI_QUIET_STATES.has(state) ? undefined : suppress(`a build or deploy notice whose state is "${state}", not trouble`);
  }
};

const CHANGE_HINTS = ["created", "updated", "deleted", "sync operation", "new version", "finished", "passed", "succe", " - #", "has started", "is now", "deployed by", "triggered by"];

/** A success or change notice with no failure in it ("succeeded" next to "2 failed tests" is a failure). */
const changeNotice: Tier1Rule = {
  name: "change-notice",
  priority: 160,
  evaluate: (input) => {
    if (failureSignal(input) !== undefined || !CHANGE_HINTS.some((h) => input.lower.includes(h))) return undefined;
    const m = CHANGE_NOTICE.exec(input.body);
    if (m === null || / but /.test(input.bare)) return undefined;
    // Botkube marks a deleted resource with ❗; the event itself is the change.
    if (alarmEmojiSignal(input) !== undefined && !/\b(?:created|updated|deleted)\b/.test(input.title)) return undefined;
    return suppress(`a CI/CD or change-feed notice that something went through (${quote(m[0])}), not trouble`);
  }
};

/**
 * "Me too" replies that say what happens to them: "I can confirm this, it is happening on my computers also"
 * (NixOS/nixpkgs#8643), "Just noticed I was getting this too" (chubin/wttr.in#124), "We're also hitting the same issue."
 * (npm/registry-issue-archive#349), "I have the same problem" (StorjOld/storj.io#69). A bare "same here" names no trouble:
 * in a thread it follows the thread's parent; on its own tier 1 leaves it open.
 */
const ME_TOO = /\b(?:same here|me too|same for me|same (?:issue|problem|error|result|thing) here|(?:have|having|hitting|seeing|getting|experiencing|facing) the same (?:issue|problem|error|thing)|(?:i|we) can confirm|can confirm|(?:getting|seeing|having) (?:this|it|that|the same) (?:too|as well)|happening (?:to|for|on) (?:me|us|my|our))\b/;
const ME_TOO_TROUBLE = /\b(?:happening|getting|seeing|experiencing|having|have|facing|affected|hitting)\b/;

const meToo: Tier1Rule = {
  name: "me-too",
  priority: 320,
  evaluate: (input) => {
    const m = ME_TOO.exec(input.bare);
    return m === null || !ME_TOO_TROUBLE.test(input.bare) ? undefined : investigate(`confirms someone else's report of trouble (${quote(m[0])})`);
  }
};

/** The rules tier 1 ships with, in priority order. */
export const BUILTIN_RULES: ReadonlyArray<Tier1Rule> = [
  heartbeat,
  testNotification,
  notificationType,
  pagerCommand,
  firing("alertmanager-firing", 100, "Alertmanager notification, firing", ALERTMANAGER, undefined, ["firing"]),
  firing("grafana-alerting", 105, "Grafana alert notification", GRAFANA, undefined, ["[", "firing", "alerting", "grafana"]),
  firing("datadog-triggered", 110, "Datadog monitor notification", DATADOG, undefined, ["triggered", "[", "monitor alert", "warn:"]),
  firing("cloudwatch-alarm", 115, "CloudWatch alarm in ALARM", CLOUDWATCH, undefined, ["alarm", "insufficient_data"]),
  firing("pagerduty-incident", 120, "PagerDuty incident notification", PAGERDUTY, undefined, ["incident", "escalated", "reopened", "triggered"]),
  firing("opsgenie-alert", 125, "Opsgenie alert notification", OPSGENIE, undefined, ["alert", "heartbeat", "opsgenie"]),
  firing("sentry-issue", 130, "Sentry issue or alert", SENTRY, undefined, ["issue", "regression", "alert", "crash-free"]),
  firing("uptime-down", 135, "uptime monitor reports down", UPTIME, undefined, ["down", "not responding", "failed"]),
  firing("alert-count", 101, "counts alerts firing", ALERT_COUNT, undefined, ["firing", "alerts", "incidents"]),
  firing("alert-triggered", 126, "alert tool says an alert has triggered", ALERT_TRIGGERED, undefined, ["triggered"]),
  firing("elastalert-match", 137, "ElastAlert rule matched", ELASTALERT, undefined, ["events occurred", "threshold violation"]),
  firing("kubernetes-event", 140, "Kubernetes warning event", KUBE_EVENT, undefined, ["warning", "error", "kube-event"]),
  stateField,
  statusPageUpdate,
  maintenanceLabel,
  toolResolved,
  housekeeping,
  toolLifecycle,
  stateSentence,
  toolRoutine,
  toolQuietState,
  changeNotice,
  recovery,
  checkBack,
  fixWithCause,
  recoveryWithOffer,
  emojiOnly,
  plusOne,
  greeting,
  chatterPattern("wrong-place", 212, "an apology for posting in the wrong place", WRONG_PLACE),
  conversational("thanks", 220, "thanks or praise", THANKS),
  chatterPattern("banter", 222, "a joke or praise for a bot", BANTER),
  chatterPattern("good-news", 224, "glad to hear good news", GOOD_NEWS, 40, "glad"),
  {
    name: "smiley",
    priority: 223,
    evaluate: (input) =>
      !SMILEY_END.test(input.body.slice(-4)) || hasAlertSignal(input) || ME_TOO.test(input.bare) || REQUEST.test(input.bare)
        ? undefined
        : suppress("a light-hearted line that ends in a smile, with no alert signal")
  },
  conversational("test-or-ping", 230, "a test or a ping", TEST),
  chatterPattern("test-message", 231, "a test message", TRAILING_TEST, 6),
  conversational("bot-usage", 240, "a question about the bot", USAGE),
  conversational("small-talk", 250, "small talk", SMALL_TALK, Infinity, true),
  chatterPattern("holiday", 252, "season's wishes", HOLIDAY),
  chatterPattern("meeting", 255, "meeting or sprint chatter", MEETING),
  chatterPattern("process", 257, "a pointer to a process or a feature wish", PROCESS),
  // "ok", "sounds good", "no worries": short by nature; "no data for 10 minutes" is not one.
  conversational("acknowledgement", 260, "an acknowledgement", ACK, 6),
  // A hand-off is short; a longer message with "we're investigating" in it is a status report that may describe trouble
  // in words tier 1 does not know ("some requests may take 5-15 seconds longer to respond", GSA/api.data.gov#476).
  {
    name: "hand-off",
    priority: 265,
    evaluate: (input) => {
      if (input.words.length > HANDOFF_MAX_WORDS || hasAlertSignal(input) || matchOngoing(input.bare) !== null) return undefined;
      const m = HANDOFF.exec(input.bare);
      if (m === null) return undefined;
      const partial = PARTIAL_RECOVERY.exec(input.bare);
      if (partial !== null) return investigate(`a partial recovery: one part is back and work on the rest goes on (${quote(partial[0])})`);
      return suppress(`someone is handling it (${quote(m[0])}) with no alert signal`);
    }
  },
  chatterPattern("maintenance", 267, "talk about planned maintenance", MAINTENANCE),
  announcedDowntime,
  {
    name: "closing-thanks",
    priority: 270,
    evaluate: (input) =>
      hasAlertSignal(input) || REQUEST.test(input.bare) || !TRAILING_THANKS.test(input.bare) ? undefined : suppress("a message that ends in thanks, reports nothing and asks for nothing")
  },
  chatterPattern("thanks-for", 272, "thanks for an answer or a report", THANKS_FOR, Infinity, " for "),
  reportVenue,
  chatterPattern("on-call-roster", 274, "talk about the on-call roster", ON_CALL_ROSTER, Infinity, "call"),
  {
    name: "question",
    priority: 280,
    evaluate: (input) => {
      const body = input.body.trimEnd();
      if (!body.endsWith("?") || input.words.length > QUESTION_MAX_WORDS || hasAlertSignal(input) || REQUEST.test(input.bare) || QUESTION_TROUBLE.test(input.bare)) {
        return undefined;
      }
      return suppress("a short question that names no trouble and asks nobody to look");
    }
  },
  firing("severity-word", 300, "names a severity", SEVERITY, (i) => i.bare, ["crit", "sev", "p", "urgent", "emergency", "major", "severity"]),
  firing("resource-failure-state", 310, "names a failing resource state", RESOURCE_STATE),
  meToo,
  failureWords,
  consoleLink,
  alarmEmoji
];
