import type { ClassifierInput } from "./ClassifierInput.js";

/*
 * The vocabulary tier 1 reads. Every pattern is a flat alternation with no nested
 * quantifiers, so matching is linear in the input; patterns over `bare` see lower-case words
 * separated by single spaces, patterns over `body` see the normalised text with case kept.
 */

/** Single words that describe something broken right now (looked up per word). */
const FAILURE_WORDS = new Set(
  (
    "down outage outages broken broke breaking fail fails failing failed failure failures error errors erroring errored " +
    "exception exceptions timeout timeouts slow slowness sluggish latency lag lagging laggy p95 p99 p50 stuck hung hanging " +
    "frozen deadlock deadlocked degraded degradation unavailable unreachable unresponsive crash crashes crashing crashed " +
    "crashloopbackoff oom oomkilled leak leaking spike spikes spiking surge expired expiring expires dropping dropped flapping " +
    "flaky refused rejected rejecting denied accessdenied forbidden unauthorized backlog pending notready evicted " +
    "imagepullbackoff errimagepull createcontainerconfigerror backoff backofflimitexceeded failedscheduling failedmount " +
    "unhealthy diskpressure memorypressure pidpressure burning meltdown missing wrong weird strange climbing growing paged " +
    "paging alerting alarm alarms critical crit urgent emergency incident warning warn panic panics fatal segfault killed " +
    "restarting dying dead hosed borked exhausted overloaded 5xx 4xx sev0 sev1 sev2 sev3 sev4 p0 p1 p2 p3"
  ).split(" ")
);

/** Word stems and shapes: HTTP error codes ("502s", "502ing"), "crashloop…", "throttled"… Anchored, so a miss fails at once. */
const FAILURE_STEM = /^(?:[45]\d\d(?:s|ing|es)$|crashloop|throttl|disconnect|complain|corrupt|saturat|skyrocket)/;

/** Phrases of several words. Matched on `bare`. */
const FAILURE_PHRASE = new RegExp(
  "\\b(?:" +
    [
      "timing out|timed out|time out|not responding|not ready|out of memory|oom killed|memory leak|rate limited|backing up|piling up|queue depth",
      "disk full|is full|are full|no space|on fire|blank screen|blank page|empty results?|is empty|are empty",
      "off the charts|through the roof|sev [0-4]|major incident|reporting (?:errors|issues|problems|failures)|exit code|restart loop",
      "no data|stopped reporting|(?:usage|utili[sz]ation|usage is) (?:above|over|at|near) \\d+|maxed out|at capacity|what'?s going on|going on with|anyone else seeing|is it just me",
      "packet loss|data loss|(?:is|are|went|turned|all) red|charged twice|double charged|duplicate (?:charges|orders|payments|messages)",
      "(?:shows|showing|returns|returning) nothing|not (?:being )?(?:sent|delivered|processed|received|going through|updating)",
      "(?:cpu|memory|mem|disk|load|heap|connections) (?:at|is at|hit|hitting|above|over|near) \\d+",
      "(?:isn't|aren't|won't|didn't|doesn't|don't|can't|cannot|can not|unable to|not|stopped|no longer|never) (?:work|works|working|load|loading|arrive|arriving|arrived|run|running|ran|start|starting|respond|responding|resolve|resolving|connect|connecting|log in|login|look right|reach|reachable|deploy|deploying|send|sending|sent|boot|booting|come up|coming up|scale|scaling|pull|pulling|mount|mounting|process|processing|complete|completing|sync|syncing|serve|serving|accept|accepting)",
      "(?:http|status|returning|returned|returns|got|code|throwing|serving) [45]\\d\\d|[45]\\d\\d (?:errors?|responses?|for|from)"
    ].join("|") +
    ")\\b"
);

/** The first failure word or phrase in the message's words, or `undefined`. */
const findFailure = (words: ReadonlyArray<string>, bare: string): string | undefined => {
  for (const w of words) if (FAILURE_WORDS.has(w) || FAILURE_STEM.test(w)) return w;
  return FAILURE_PHRASE.exec(bare)?.[0];
};

/** Emoji people and alert tools use to flag trouble (shortcodes and Unicode). Matched on `lower`. */
const ALARM_EMOJI =
  /:(?:rotating_light|fire|red_circle|large_red_circle|sos|boom|warning|x|bangbang|exclamation|heavy_exclamation_mark|siren|alert|alarm|red_alert|rip|skull|pagerduty|opsgenie|sentry|dog):|🚨|🔥|🔴|🆘|💥|⚠|❌|‼|❗|💀/u;

/** Links to the consoles and dashboards people paste when something looks wrong. Matched per link. */
const CONSOLE_LINK =
  /grafana|datadoghq|\/monitors\/|console\.aws\.amazon\.com|cloudwatch|kibana|prometheus|alertmanager|sentry\.io|pagerduty\.com|opsgenie\.com|newrelic|honeycomb\.io|splunk|lightstep|dynatrace|signalfx|chronosphere|logz\.io|\/d\/[\w-]+|\/explore\?|betterstack|statuspage|uptimerobot/i;

/** Something was broken and is not any more, or the message looks back on an event. Matched on `bare`. */
const RECOVERY = new RegExp(
  "\\b(?:" +
    [
      "fixed|resolved|recovered|recovering|mitigated|remediated|rolled back|reverted|restored|redeployed",
      "back to (?:normal|baseline|green|healthy)|back up|back online|running again|working again|up again|healthy again|fine again",
      "all (?:good|green|fine|clear|ok|okay|healthy)|looks? (?:good|healthy|fine)|everything (?:is |looks )?(?:fine|healthy|good|ok)",
      "healthy now|stable|stabilised|stabilized|caught up|drained|stopped|gone|went away|subsided|cleared|closed|closing the loop",
      "false alarm|false positive|no action|nothing to do|sorry for the noise|ignore (?:this|that|it|me)|never ?mind|nvm|disregard|was just|was only|was me|were just",
      "no more|not anymore|postmortem|post mortem|writeup|write up|retro|rca",
      "root cause of"
    ].join("|") +
    ")\\b"
);

/** Thanks and praise: with a past-time marker, the message looks back on an event. Matched on `bare`. */
const GRATITUDE =
  /\b(?:thanks|thank you|thank u|thx|ty|tysm|cheers|appreciate|appreciated|kudos|great (?:job|work)|good (?:job|work)|well done|nice work|helpful)\b/;

const PAST_TIME =
  /\b(?:yesterday'?s?|last (?:night|week|month|time)|this morning|earlier|from earlier|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s)?|the other day|before)\b/;

/**
 * Signs that trouble is ongoing despite recovery words: "still", "again" after a failure
 * ("down again", not "running again"), "now" + broken, ongoing timing.
 */
const ONGOING =
  /\b(?:still|keeps?|keep on|right now|currently|ongoing|started (?:at|around|about)|since (?:~|about |around )?\d|(?:down|failing|broken|erroring|crashing|oom|lagging|slow|502ing|500ing|503ing|timing out|flapping|back|happening|firing|alerting|spiking) again|again (?:down|failing|broken|erroring)|(?:is|are) (?:down|failing|broken|erroring|crashing)|but (?:the |it |now )?(?:\w+ )?(?:is|are|keeps|still)\b)/;

const UNSET = Symbol("unset");
interface SignalCache {
  failure: string | undefined | typeof UNSET;
  alarmEmoji: string | undefined | typeof UNSET;
  consoleLink: string | undefined | typeof UNSET;
}
const cache = new WeakMap<ClassifierInput, SignalCache>();
const cached = (input: ClassifierInput): SignalCache => {
  let c = cache.get(input);
  if (c === undefined) {
    c = { failure: UNSET, alarmEmoji: UNSET, consoleLink: UNSET };
    cache.set(input, c);
  }
  return c;
};

/** The first word or phrase describing something broken (computed once per input). */
export const failureSignal = (input: ClassifierInput): string | undefined => {
  const c = cached(input);
  if (c.failure === UNSET) c.failure = findFailure(input.words, input.bare);
  return c.failure;
};

/** The first alarm emoji (computed once per input). */
export const alarmEmojiSignal = (input: ClassifierInput): string | undefined => {
  const c = cached(input);
  if (c.alarmEmoji === UNSET) c.alarmEmoji = ALARM_EMOJI.exec(input.lower)?.[0];
  return c.alarmEmoji;
};

/** The first link to a dashboard or console (computed once per input). */
export const consoleLinkSignal = (input: ClassifierInput): string | undefined => {
  const c = cached(input);
  if (c.consoleLink === UNSET) c.consoleLink = input.links.find((l) => CONSOLE_LINK.test(l));
  return c.consoleLink;
};

/** True when the message carries any alert signal: a failure word, an alarm emoji or a console link. */
export const hasAlertSignal = (input: ClassifierInput): boolean =>
  failureSignal(input) !== undefined || alarmEmojiSignal(input) !== undefined || consoleLinkSignal(input) !== undefined;

export const matchRecovery = (bare: string): RegExpExecArray | null => RECOVERY.exec(bare);
export const matchRetrospective = (bare: string): boolean => GRATITUDE.test(bare) && PAST_TIME.test(bare);
export const matchOngoing = (bare: string): RegExpExecArray | null => ONGOING.exec(bare);
