import type { ClassifierInput } from "./ClassifierInput.js";
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
// 100–149: alert-tool notifications that fire. Formats as the tools' Slack/Discord templates
// render them; matched on the normalised body with case kept.
// ---------------------------------------------------------------------------------------------

const ALERTMANAGER = /\[FIRING:\d+|\bstatus:?\s*\**firing\b/i;
const GRAFANA = /^\W*\[(?:Alerting|No Data|NoData|Pending)\]|\bis firing\b|—\s*Alerting\b|Grafana OnCall: alert group\b/im;
const DATADOG =
  /\[(?:Re-)?Triggered\b|(?:^|[\s*_])(?:Re-)?Triggered(?::| #| \[| on \{)|^\W*\[(?:Warn|Warning|Alert|Critical|No Data|P[0-5])\]|\bmonitor alert\b|\bWarn: /im;
const CLOUDWATCH =
  /\bto \*?(?:ALARM|INSUFFICIENT_DATA)\b|\bState:\s*ALARM\b|"NewStateValue"\s*:\s*"(?:ALARM|INSUFFICIENT_DATA)"|\|\s*ALARM\s*\||^\W*ALARM:|\bin the ALARM state\b/m;
const PAGERDUTY = /\bIncident #\S+ triggered\b|\bEscalated #\d+|\bReopened #\d+|\bNew incident\b|\btriggered incidents?\b|\btriggered in integration\b/i;
const OPSGENIE = /\bNew alert:|\bAlert created\b|\bAlert #\d+ escalated\b|\bHeartbeat expired\b|\[Opsgenie\] (?:#\d+|Alert #\d+(?!\d)(?! (?:closed|acknowledged|resolved|deleted))|New alert)/i;
const SENTRY =
  /\bNew issue\b|\bRegression in\b|\bIssue (?:escalating|regressed)\b|\bMetric alert (?:critical|warning)\b|\bSentry alert\b[^\n]*\btriggered\b|\bcrash-free (?:sessions|users) dropped\b/i;
const UPTIME = /\bMonitor is DOWN\b|\bDOWN alert\b|\[DOWN\]|\[🔴 Down\]|\bWebsite Down\b|\bis DOWN\b|\b[Cc]heck "[^"\n]{0,200}" failed\b|(?:Pingdom|UptimeRobot|StatusCake|Uptime Kuma|Better Stack|Checkly)\b[^\n]{0,200}\b(?:down|not responding|failed)\b/;
const KUBE_EVENT =
  /^\W*(?:Warning|Error) [A-Z][A-Za-z]+ (?:pod|node|deployment|job|replicaset|statefulset|daemonset|pvc|persistentvolumeclaim|service|ingress|cronjob)\/|\bkube-events?:/m;

// ---------------------------------------------------------------------------------------------
// 150–199: alert-tool notifications that say the alert is over.
// ---------------------------------------------------------------------------------------------

const RESOLVED_TOOL =
  /^\W*(?:\[(?:RESOLVED|Resolved|OK|Recovered)(?::\d+)?\]|\[Recovered on \{|(?:RESOLVED|Recovered|Resolved|OK):\s|Resolved #\d+)|changed from (?:ALARM|INSUFFICIENT_DATA) to \*?OK\b|\bState:\s*OK\b|"NewStateValue"\s*:\s*"OK"|\bMonitor is UP\b|\bis UP again\b|\bUP alert\b|\[UP\]|\[✅ Up\]|\b(?:Alert|Incident|Issue) #?[\w-]* ?(?:closed|resolved) by\b|\bIssue resolved\b|\bIncident resolved\b|\bauto-resolved\b/m;

// ---------------------------------------------------------------------------------------------
// 200–299: conversation. Anchored at the start of the message's words (after an optional
// address such as "bot," or "team"), and only when the message carries no alert signal.
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
  "oops"
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

const conversational = (name: string, priority: number, what: string, pattern: RegExp, maxWords = Infinity): Tier1Rule => ({
  name,
  priority,
  evaluate: (input) => {
    if (input.words.length > maxWords || hasAlertSignal(input)) return undefined;
    const m = pattern.exec(input.bare);
    return m === null ? undefined : suppress(`${what} (${quote(m[0])}) with no alert signal`);
  }
});

/** Praise, thanks or a report that something is fixed: chatter, unless the trouble is ongoing. */
const recovery: Tier1Rule = {
  name: "recovery",
  priority: 200,
  evaluate: (input) => {
    const m = matchRecovery(input.bare);
    const retrospective = m === null && matchRetrospective(input.bare);
    if (m === null && !retrospective) return undefined;
    if (alarmEmojiSignal(input) !== undefined) return undefined;
    const ongoing = matchOngoing(input.bare);
    if (ongoing !== null) return undefined;
    return suppress(
      m !== null
        ? `says the trouble is over (${quote(m[0])}) and nothing suggests it is ongoing`
        : "looks back on a past event with thanks, and nothing suggests it is ongoing"
    );
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

/** The rules tier 1 ships with, in priority order. */
export const BUILTIN_RULES: ReadonlyArray<Tier1Rule> = [
  firing("alertmanager-firing", 100, "Alertmanager notification, firing", ALERTMANAGER, undefined, ["firing"]),
  firing("grafana-alerting", 105, "Grafana alert notification", GRAFANA, undefined, ["[", "firing", "alerting", "grafana"]),
  firing("datadog-triggered", 110, "Datadog monitor notification", DATADOG, undefined, ["triggered", "[", "monitor alert", "warn:"]),
  firing("cloudwatch-alarm", 115, "CloudWatch alarm in ALARM", CLOUDWATCH, undefined, ["alarm", "insufficient_data"]),
  firing("pagerduty-incident", 120, "PagerDuty incident notification", PAGERDUTY, undefined, ["incident", "escalated", "reopened", "triggered"]),
  firing("opsgenie-alert", 125, "Opsgenie alert notification", OPSGENIE, undefined, ["alert", "heartbeat", "opsgenie"]),
  firing("sentry-issue", 130, "Sentry issue or alert", SENTRY, undefined, ["issue", "regression", "alert", "crash-free"]),
  firing("uptime-down", 135, "uptime monitor reports down", UPTIME, undefined, ["down", "not responding", "failed"]),
  firing("kubernetes-event", 140, "Kubernetes warning event", KUBE_EVENT, undefined, ["warning", "error", "kube-event"]),
  {
    name: "tool-resolved",
    priority: 150,
    evaluate: (input) => {
      const m = RESOLVED_TOOL.exec(input.body);
      return m === null ? undefined : suppress(`alert tool reports recovery (${quote(m[0])}); resolved alerts are posted in their investigation's thread`);
    }
  },
  recovery,
  emojiOnly,
  plusOne,
  conversational("greeting", 210, "a greeting", GREETING),
  conversational("thanks", 220, "thanks or praise", THANKS),
  conversational("test-or-ping", 230, "a test or a ping", TEST),
  conversational("bot-usage", 240, "a question about the bot", USAGE),
  conversational("small-talk", 250, "small talk", SMALL_TALK),
  // "ok", "sounds good", "no worries": short by nature; "no data for 10 minutes" is not one.
  conversational("acknowledgement", 260, "an acknowledgement", ACK, 6),
  firing("severity-word", 300, "names a severity", SEVERITY, (i) => i.bare, ["crit", "sev", "p", "urgent", "emergency", "major", "severity"]),
  firing("resource-failure-state", 310, "names a failing resource state", RESOURCE_STATE),
  failureWords,
  consoleLink,
  alarmEmoji
];
