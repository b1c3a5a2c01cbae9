import type { ClassifierInput } from "./ClassifierInput.js";

/*
 * The vocabulary tier 1 reads. Every pattern is a flat alternation with no nested
 * quantifiers, so matching is linear in the input; patterns over `bare` see lower-case words
 * separated by single spaces, patterns over `body` see the normalised text with case kept.
 * Words are not verdicts: a failure word counts only where its neighbours do not say
 * otherwise (negation, a place, a past or process context), and a recovery phrase only when it
 * is not negated, not future or conditional, and no failure follows it.
 */

/** Single words that describe something broken right now (looked up per word). */
const FAILURE_WORDS = new Set(
  (
    "down outage outages broken broke breaking fail fails failing failed failure failures error errors erroring errored " +
    "exception exceptions timeout timeouts slow slowly slowness sluggish latency lag lagging laggy p95 p99 p50 stuck stalled hung hanging " +
    "frozen deadlock deadlocked degraded degradation unavailable unreachable unresponsive crash crashes crashing crashed " +
    "crashloopbackoff oom oomkilled leak leaking spike spikes spiking surge expired expiring expires dropping dropped flapping " +
    "flaky refused rejected rejecting denied accessdenied forbidden unauthorized backlog pending notready evicted " +
    "imagepullbackoff errimagepull createcontainerconfigerror backoff backofflimitexceeded failedscheduling failedmount " +
    "unhealthy diskpressure memorypressure pidpressure burning meltdown missing wrong weird strange climbing growing paged " +
    "paging alerting alarm alarms critical crit urgent emergency incident incidents warning warn panic panics fatal segfault killed " +
    "restarting dying dead hosed borked exhausted overloaded offline disruption disruptions disrupted " +
    "5xx 4xx sev0 sev1 sev2 sev3 sev4 p0 p1 p2 p3"
  ).split(" ")
);

/** Word stems and shapes: HTTP error codes ("502s", "502ing"), "crashloop…", "throttled"… Anchored, so a miss fails at once. */
const FAILURE_STEM = /^(?:[45]\d\d(?:s|ing|es)$|crashloop|throttl|disconnect|complain|corrupt|saturat|skyrocket)/;

/** Phrases of several words. Matched on `bare`. */
const FAILURE_PHRASE_SOURCE =
  "\\b(?:" +
  [
    "timing out|timed out|time out|not responding|not ready|out of memory|oom killed|memory leak|rate limited|backing up|piling up|queue depth",
    "disk full|is full|are full|(?:disk|disks|volume|volumes|partition|storage|drive|filesystem) (?:is |are |still |now |completely |almost |nearly ){0,2}full|no space|on fire|blank screen|blank page|empty results?|is empty|are empty|filling up|fills up|(?:run|runs|running) out of",
    "off the charts|through the roof|sev [0-4]|major incident|reporting (?:errors|issues|problems|failures)|exit code|restart loop",
    "no data|stopped reporting|(?:usage|utili[sz]ation|usage is) (?:above|over|at|near) \\d+|maxed out|at capacity|what'?s going on|going on with|anyone else seeing|is it just me",
    "packet loss|data loss|(?:is|are|went|turned|all) red|charged twice|double charged|duplicate (?:charges|orders|payments|messages)",
    "(?:shows|showing|returns|returning) nothing|not (?:being )?(?:sent|delivered|processed|received|going through|updating)",
    "(?:cpu|memory|mem|ram|disk|load|heap|swap|connections) (?:at|is at|hit|hitting|above|over|near) \\d+",
    // "Database CPU is 99%" (michaelcpuckett/ap-groups#25), "CPU utilization is always reaching 100 percent" (concourse/concourse#5598)
    "(?:cpu|memory|mem|ram|disk|load|heap|swap|utili[sz]ation|usage) (?:is |was |always )?(?:at |pegged at |reaching |reached |hits |hitting )?(?:9\\d|100)(?: percent)?\\b",
    "(?:isn't|aren't|won't|didn't|doesn't|don't|can't|cannot|can not|unable to|not able to|not|stopped|no longer|never) (?:work|works|working|load|loading|arrive|arriving|arrived|run|running|ran|start|starting|respond|responding|resolve|resolving|connect|connecting|log in|login|look right|reach|reachable|deploy|deploying|send|sending|sent|boot|booting|come up|coming up|scale|scaling|pull|pulling|mount|mounting|process|processing|complete|completing|sync|syncing|synchroni[sz]ing|serve|serving|accept|accepting|access|open|download|push|pushing|visit|fetch|fetching|appearing|showing up|show up|refresh|refreshing)",
    "(?:http|status|returning|returned|returns|got|code|throwing|serving) [45]\\d\\d|[45]\\d\\d (?:errors?|responses?|for|from)",
    // "are not appearing on my timeline" (hachyderm/community#119), "it isn't showing up" (pypi/warehouse#6071), "unable to
    // refresh my feed" (hachyderm/community#102), "DNS address could not be found" (ocharles/blog#46, jveres/D500px#1)
    "(?:could not|couldn't) be (?:found|reached|resolved)",
    // Status lines as servers and proxies print them: "502 Bad Gateway" (Citymonstret/Kvantum#3), "503 Service Unavailable" (docker/cli#1143)
    "bad gateway|service unavailable|internal server error|gateway time ?out",
    // "nothing is working now" (#ubuntu 2005-02-27)
    "nothing (?:is |seems to be |seems |appears to be )?(?:working|works|loading|loads)",
    // "anyone else having trouble logging into ubuntu forums?" (#ubuntu 2010-08-05, 2006-08-23), "seems to have issues" (docker/cli#1143)
    "(?:having|experiencing|encountering|facing|running into|have|has) (?:some |many |major |serious |intermittent |the same )?(?:trouble|troubles|problems|issues|difficulties)",
    // "we have been experiencing jenkins.io stability issues since this morning" (jenkins-infra/jenkins.io#3413)
    "(?:experiencing|encountering) (?:[a-z0-9'-]+ ){1,3}(?:troubles?|problems|issues|difficulties|outages?|disruptions?|downtime|errors)",
    "(?:there is|there's|there are|seems to be|there seems to be) (?:a |an |some )?(?:problem|problems|issue|issues) with",
    // Stale monitoring: "don't show any recent updates", "don't have any up to date stats" (openstreetmap/operations#330)
    "(?:don't|doesn't|didn't|not|no longer) (?:show|showing|have|having|get|getting|receive|receiving) any (?:recent |new |up to date )?(?:updates|data|metrics|stats|logs|events)",
    // Certificates and domains before they lapse: "server certificate example.com will expire in 7 days" (louislam/uptime-kuma monitor.js)
    "will expire|expire (?:in|soon|today|tomorrow)|about to expire",
    // Something that "has stopped" is the fault ("Replication task has stopped", terraform-aws-notify-slack DMS event;
    // "the RC IRC feeds have stopped?", Wikimedia 2019-02-20); "errors have stopped" is read as a recovery first.
    "(?:has|have|had) stopped(?! (?:failing|crashing|erroring|flapping|firing|alerting|spiking|timing out|happening|restarting))",
    // Work that never starts: "Our builds are not getting started, and showing "waiting" status." (Shippable/support#1735),
    // "Builds waiting for too long" (same thread), "jobs are not being picked up"
    "(?:not|never|no longer|isn't|aren't|wasn't|weren't) (?:getting|being) (?:started|picked up|scheduled|processed|built|run|triggered|executed)|(?:waiting|queued|pending|stuck) (?:for )?(?:too|very|so|really) long",
    // Trouble with its reach: "a connection/network issue affecting all services" (forwardemail/status.forwardemail.net#2490), "issues impacting
    // some customers"
    "(?:issue|issues|problem|problems|outage|outages|disruption|disruptions|degradation|errors) (?:that is |that are |currently )?(?:affecting|impacting)",
    // ... and told in the passive, in the present: "Multiple DE accounts are affected." (a Jekyll status page), "It seems that
    // uploads are affected by this as well" (fedora-copr/logdetective-website#269). "Customers were affected" looks back.
    "(?:accounts|users|customers|uploads|downloads|services|sites|websites|domains|requests|clients|regions|servers|instances|hosts|builds|deployments) (?:are|is) (?:also |currently |being |still ){0,2}(?:affected|impacted)",
    // A recurrence: "Reopening as it's showing up again" (nodejs/build#4247), "the errors are popping up again"
    "(?:showing|popping|cropping) up again|^(?:reopening|reopened|re opening)(?: this| it)? (?:as|because|since)",
    // A rollout that stalled: "Progress deadline exceeded deployment "podinfo" exceeded its progress deadline" (Flagger,
    // fluxcd/flagger pkg/controller/scheduler.go, Kubernetes' own ProgressDeadlineExceeded)
    "exceeded (?:its |the )?progress deadline|progress deadline exceeded"
  ].join("|") +
  ")\\b";
const FAILURE_PHRASE = new RegExp(FAILURE_PHRASE_SOURCE);
const FAILURE_PHRASE_ALL = new RegExp(FAILURE_PHRASE_SOURCE, "g");

/** Words that negate the failure word right after them ("not broken", "no errors"). */
const NEGATORS = new Set(
  "not no never without non isn't aren't wasn't weren't don't doesn't didn't haven't hasn't hadn't won't wouldn't shouldn't couldn't can't cannot".split(" ")
);
/** Words that may stand between a negator and what it negates: "does not look down", "didn't notice any errors". */
const NEGATION_BRIDGE = new Set("look looks seem seems appear appears be been really actually currently any see seeing notice noticed noticing find found get getting".split(" "));

/** Where a message was posted, after "wrong": "wrong channel", "wrong repo" — a misplaced post, not a fault. */
const PLACES = new Set("channel chan channe chans channels window windows repo repos repository room thread place tab buffer chat workspace pr forum list".split(" "));

/** Trouble nouns that name a topic rather than report trouble when the context says so. */
const TOPIC_NOUNS = new Set("outage outages incident incidents alarm alarms alerting crash".split(" "));
/** "incident action items", "outage report": the noun qualifies a process. */
const PROCESS_NOUNS = new Set(
  "action actions review reviews report reports retro retros retrospective postmortem postmortems process response management commander channel channels template templates policy drill drills runbook runbooks docs notes ticket timeline items tooling rotation".split(
    " "
  )
);
/** "the recent outage", "during outage", "yesterday's outage": a past event or one elsewhere. */
const PAST_QUALIFIERS = new Set(
  "recent during previous last past earlier yesterday's monday's tuesday's wednesday's thursday's friday's saturday's sunday's".split(" ")
);
/** "sorry for the outage", "aware of the outage", "after the outage": prepositions before a determiner. ("Users report an outage" is a report.) */
const TOPIC_PREPOSITIONS = new Set("for of about during after".split(" "));
/** "increased the timeout" (NixOS/infra#57): a setting someone changed, not a failure. */
const REMEDIATIONS = new Set("increased raised bumped doubled tripled lowered reduced tuned adjusted changed set configured".split(" "));
const DETERMINERS = new Set("the an a this that".split(" "));
/** What a "pending" before it waits for: "pending review", "pending re-viewing" ("re" of a hyphenated word). */
const PENDING_WORK = new Set("review approval confirmation further re".split(" "));
/**
 * Managing alerts makes them the topic: "Reduce alarms that are "false positive"" (Altinn/altinn-storage#860), "pause calls or
 * autoaknowledge incidents" (grafana-cold-storage/oncall#144), "Silence dev datahub RDS alerts"
 * (ministryofjustice/cloud-platform-environments#26634), "some of my stuff has been needlessly alerting" (openstreetmap/operations#865).
 */
const ALERT_MANAGEMENT = new Set(
  "reduce reducing silence silencing mute muting snooze snoozing acknowledge acknowledging aknowledge autoaknowledge autoacknowledge needlessly".split(" ")
);

/** "the last time the server went down": "last time" a few words before the verb. */
const lastTimeBefore = (words: ReadonlyArray<string>, i: number): boolean => {
  for (let k = Math.max(0, i - 6); k < i - 2; k++) if (words[k] === "last" && words[k + 1] === "time") return true;
  return false;
};

/** True when the failure word at `i` is negated, names a place or a topic, or is "down for maintenance". */
const discounted = (words: ReadonlyArray<string>, i: number): boolean => {
  const w = words[i]!;
  const prev = words[i - 1];
  const prev2 = words[i - 2];
  const next = words[i + 1];
  if (prev !== undefined && NEGATORS.has(prev)) return true;
  // "no more timeouts", "no longer flaky"
  if (prev2 === "no" && (prev === "more" || prev === "longer")) return true;
  if (prev !== undefined && prev2 !== undefined && NEGATION_BRIDGE.has(prev) && NEGATORS.has(prev2)) return true;
  if (prev === "any" && prev2 !== undefined && NEGATION_BRIDGE.has(prev2) && words[i - 3] !== undefined && NEGATORS.has(words[i - 3]!)) return true;
  if (prev !== undefined && prev2 !== undefined && (DETERMINERS.has(prev) || prev === "our" || prev === "my") && REMEDIATIONS.has(prev2)) return true;
  // "wrong channel", "wrong repo" (chatwoot/chatwoot#14997, NotAShelf/nvf#843, #ubuntu logs)
  if (w === "wrong") return next !== undefined && PLACES.has(next);
  // "down for maintenance" (Citymonstret/Kvantum#3): a planned stop, said by whoever runs it; "since it's from the last time the
  // server went down" (barronwaffles/dwc_network_server_emulator#64): an earlier outage, named as such
  if (w === "down") return (next === "for" && (words[i + 2] === "maintenance" || words[i + 2] === "planned" || words[i + 2] === "scheduled")) || (prev === "went" && lastTimeBefore(words, i));
  // "I'll be offline tomorrow": a person, not a server
  if (w === "offline") return prev === "be" || prev === "i'm" || prev === "am" || prev === "going";
  // "Route53 records restored, pending re-viewing our health checks." (faust64/issues, a post-mortem timeline): "pending" before
  // the review it waits for is a preposition, not a state ("3 pods pending", "pending scheduling" still count)
  if (w === "pending") return next !== undefined && PENDING_WORK.has(next);
  if (TOPIC_NOUNS.has(w)) {
    // "incident action items" (2i2c-org/infrastructure#8197), "the recent Zeit outage" (bvaughn/react-virtualized#919),
    // "sorry for the outage" (rust-lang/crates.io#3554), "during outage today" (dmwm/deployment#928)
    if (next !== undefined && PROCESS_NOUNS.has(next)) return true;
    if (prev !== undefined && PAST_QUALIFIERS.has(prev)) return true;
    if (prev !== undefined && (ALERT_MANAGEMENT.has(prev) || (prev2 !== undefined && DETERMINERS.has(prev) && ALERT_MANAGEMENT.has(prev2)))) return true;
    if (prev2 !== undefined && (prev2 === "recent" || prev2 === "previous" || prev2 === "last")) return true;
    if (prev !== undefined && prev2 !== undefined && DETERMINERS.has(prev) && TOPIC_PREPOSITIONS.has(prev2)) return true;
  }
  return false;
};

/** An HTTP error status someone gets: "503" in "getting those 503", "has a 503", "leads to a 503", "Getting 500". */
const STATUS_CODE = /^[45]\d\d$/;
/**
 * "I'm in Brazil getting those 503" (jenkins-infra/jenkins.io#3413), "has a 503" (jenkins-infra/helpdesk#2966), "leads to a
 * 503" (pypa/packaging-problems#1117), "Getting 500" (nodejs/nodejs.org#3076). Not "has 500 users": a unit after it is a count.
 */
const STATUS_VERBS = new Set("getting get gets seeing see saw has have had leads led gives giving gave hit hitting throws".split(" "));
const STATUS_DETERMINERS = new Set("a an those these some many more to".split(" "));
const STATUS_UNITS = new Set("ms mb gb kb line lines user users people times words items percent days hours minutes seconds".split(" "));
const gotStatus = (words: ReadonlyArray<string>, i: number): boolean => {
  if (!STATUS_CODE.test(words[i]!)) return false;
  const next = words[i + 1];
  if (next !== undefined && STATUS_UNITS.has(next)) return false;
  let j = i - 1;
  // "leads to a 503": up to two small words between the verb and the code
  for (let k = 0; k < 2 && j >= 0 && STATUS_DETERMINERS.has(words[j]!); k++) j--;
  return j >= 0 && j < i && STATUS_VERBS.has(words[j]!);
};

/** The first failure word that counts, else the first failure phrase. */
const firstFailure = (words: ReadonlyArray<string>, bare: string): string | undefined => {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if ((FAILURE_WORDS.has(w) || FAILURE_STEM.test(w) || gotStatus(words, i)) && !discounted(words, i)) return w;
  }
  return FAILURE_PHRASE.exec(bare)?.[0];
};

/** Offset in `bare` where the last failure word or phrase that counts ends; -1 without one. */
const lastFailureEnd = (words: ReadonlyArray<string>, bare: string): number => {
  let lastEnd = -1;
  let offset = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if ((FAILURE_WORDS.has(w) || FAILURE_STEM.test(w) || gotStatus(words, i)) && !discounted(words, i)) lastEnd = offset + w.length;
    offset += w.length + 1;
  }
  FAILURE_PHRASE_ALL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = FAILURE_PHRASE_ALL.exec(bare)) !== null) {
    lastEnd = Math.max(lastEnd, m.index + m[0].length);
    if (m[0].length === 0) FAILURE_PHRASE_ALL.lastIndex++;
  }
  return lastEnd;
};

/** Emoji people and alert tools use to flag trouble (shortcodes and Unicode). Matched on `lower`. */
const ALARM_EMOJI =
  /:(?:rotating_light|fire|red_circle|large_red_circle|sos|boom|warning|x|bangbang|exclamation|heavy_exclamation_mark|siren|alert|alarm|red_alert|rip|skull|pagerduty|opsgenie|sentry|dog):|🚨|🔥|🔴|🆘|💥|⚠|❌|‼|❗|💀/u;

/** Links to the consoles and dashboards people paste when something looks wrong. Matched per link. */
const CONSOLE_LINK =
  /grafana|datadoghq|\/monitors\/|console\.aws\.amazon\.com|cloudwatch|kibana|prometheus|alertmanager|sentry\.io|pagerduty\.com|opsgenie\.com|newrelic|honeycomb\.io|splunk|lightstep|dynatrace|signalfx|chronosphere|logz\.io|\/d\/[\w-]+|\/explore\?|betterstack|statuspage|uptimerobot/i;

/**
 * Something was broken and is not any more, or the message looks back on an event. Matched on `bare`.
 * Everyday phrasings come from the real conversation corpus: "back" and "it's back" (cloudrac3r/cadencegq#9,
 * #ubuntu logs), "site is up now" (alanshaw/david-www#435), "works for me as well now" (docker/cli#1491),
 * "Should be OK now." (scipy/scipy.org#103), "it worked as usual" (dadoonet/fscrawler#875), "8vCPU DB has solved
 * the issue" (xmtp/xmtpd#1527), "this is a non-issue" (va.gov-team#13566), "Closing this ticket" (va.gov-team#102997),
 * "the site has now successfully renewed the cert" (certbot/certbot#2407).
 */
const RECOVERY_SOURCE =
  "\\b(?:" +
  [
    "fixed|resolved|solved|recovered|recovering|mitigated|remediated|rolled back|reverted|restored|repaired|redeployed|renewed|taken care of",
    "back to (?:normal|baseline|green|healthy)|back up|back online|coming back|running again|working again|works again|up again|healthy again|fine again|up and running",
    "all (?:good|green|fine|clear|ok|okay|healthy)|looks? (?:good|healthy|fine)|everything(?: is|'s| looks)? (?:fine|healthy|good|ok)",
    "healthy now|stable|stabilised|stabilized|caught up|closed|closing the loop|let me close|going to close",
    // "Slack is now up!" (hackclub/hackclub#1610), "The server is now up and running." (3DS-RPC/3DS-RPC#15); "Back to usual"
    // (nodejs/build#1471); a message that ends in "Closing": "It did. Closing." (StackStorm/st2contrib#321), "This seems related
    // to a deploy rollout. Closing.." (EBWiki/EBWiki#816)
    "(?:is|are|it's|everything is|everything's) now (?:up|back|online|working|fine|live|reachable)|back to (?:usual|normal operation)|closing$",
    // "Closing this ticket" (va.gov-team#102997), "It did. Closing." (StackStorm/st2contrib#321), "thus i am closing this issue"
    "^closing$|closing (?:this|it)|closing (?:the |this )?(?:issue|ticket|thread|incident|pr)|(?:i am|i'm|we're|we are) closing",
    // "Aha! closing then." (sandstorm-io/sandstorm-website#308), "I'll close this for now" (hachyderm/community#42), "I guess
    // I'll just close it" (xorbit/LiFePO4wered-Pi#22), "Will close this issue then" (nim-lang/Nim#18294)
    "closing (?:then|now|for now)|(?:i'll|i will|we'll|we will|will|let's|lets|going to|gonna) (?:just |go ahead and )?close (?:this|it)",
    // "Seems to be working at the moment." (hachyderm/community#129), "Seems to work again" (nim-lang/Nim#18294), "It seems to
    // be working normally now" (jvde-github/AIS-catcher#431); "Seems significantly better as of late." (hachyderm/community#42).
    // "A retry seems to work for now" (rust-lang/cargo#12035) is a workaround for ongoing trouble.
    "(?:seems|seem|appears|appear) to (?:be )?(?:work|working|fine|ok|okay)(?! for now)|(?:seems|seem|looks|look) (?:\\w+ )?better(?! than)",
    // "gone" and "cleared" only for trouble that went: "the errors are gone", not "the data is gone"
    "(?:errors?|alerts?|alarms?|warnings?|spikes?|lag|latency|timeouts?|5xx|[45]\\d\\ds?|noise|problem|problems|issue|issues|backlog|queue|it)(?: \\w+)?(?: have| has| is| are| had)? (?:gone|went away|subsided|cleared|drained)",
    "false alarms?|false positives?|no action|nothing to do|sorry for the noise|ignore (?:this|that|it|me)|please ignore|never ?mind|nvm|disregard|was just|was only|was me|were just",
    "no more|not anymore|no longer (?:happen|happening|occur|occurring|an issue|a problem)|postmortem|post mortem|writeup|write up|retro|rca",
    "non issue|not an issue|not a problem|nothing wrong",
    // "Maintenance is complete." (usgpo/api#36), "We're back." (Tucsky/aggr#362), "It does not seem to repro anymore."
    // (dotnet/runtime#46025): planned work that ended, a service back, trouble that stopped happening
    "maintenance (?:is |has been |was )?(?:now )?(?:complete|completed|finished|done|over)|^(?:and )?(?:we're|we are) back(?: now| again)?$",
    "(?:not|[a-z]+n't) (?:seem to |appear to )?(?:repro|reproduce|happen|occur)s? (?:any ?more|any longer)",
    // the remedy that worked, in the past: "Solution seems to have been to lower replication to 3-4 instead of 8." (Bot-detector/Bot-Detector-Core-Files#306)
    "solution (?:seems to have been|seemed to be|was|turned out to be) to",
    // an outage told with its length is over: "They were unreachable from either coast of the United States for about an hour"
    // (nvaccess/nvda#13759), "It was down for 44 minutes and 37 seconds." (UptimeRobot via zulip), "yeah, it
    // was down for a few mins" (jenkins-infra/helpdesk), "(~5 minutes of down?)" (jenkins-infra/helpdesk#3116), "over an hour of
    // service degradation" (hachyderm/community#283)
    "(?:was|were|had been) (?:down|offline|unavailable|unreachable|broken) (?:from (?:[a-z]+ ){1,6})?for (?:a few |a couple of |about |around |over |nearly |only |just )?(?:\\d+ |an? )?(?:mins?|minutes|hours?|secs?|seconds|moments?)|(?:mins?|minutes|hours?|secs?|seconds) of (?:\\w+ )?(?:down|downtime|outage|degradation)",
    // an apology for trouble that is over: "We're sorry for the outage." (rust-lang/crates.io#3554), "sorry for the inconvenience" (3DS-RPC/3DS-RPC#15)
    "sorry (?:for|about) (?:the|this|that) (?:outage|inconvenience|downtime|disruption|trouble|interruption)",
    // an outage told in the past with its length, its cause or its kind: "the outage lasted from 16:05-16:30 CEST." (a Jekyll
    // status page), "we had a pretty severe outage this morning that lasted just about an hour" (a sysadmin blog), "This outage
    // was a result of a fault in our monitoring system" (a hosted status page), "we had an outage in the validation pipeline this
    // morning" (a GitHub issue), "there was some downtime this afternoon" (a sysadmin blog), "was a network blip" and "This was a
    // temporary failure due to scaling the conveyor deploy down …" (GitHub issues; in the latter the "down" after it still
    // reads as a failure, so it stays investigated)
    "(?:outage|downtime|disruption|incident|interruption|degradation)(?: that| which)? lasted|(?:outage|incident|failure|downtime|disruption|interruption) was (?:a result of|the result of|caused by|due to)",
    "(?:we had|there was|there were) (?:a |an |some )?(?:[a-z]+ ){0,2}(?:outage|outages|downtime|disruption|incident)|was a (?:temporary|brief|short|transient|momentary|network) (?:[a-z]+ )?(?:failure|issue|problem|outage|glitch|blip|hiccup)",
    // "I thought it went really well" (OpenStack TC meeting log)
    "went (?:really |very |pretty |quite )?(?:well|smoothly)",
    // first-person remediation in the past: "I've gone ahead and increased the timeout" (NixOS/infra#57),
    // "We've increased the storage size" (fedora-copr/logdetective-website#269), "I cleaned what I can" (ArctosDB/arctos#2449)
    "(?:i've|we've|i have|we have|i|we) (?:gone ahead and |just |now )?(?:increased|raised|bumped|doubled|tripled|upgraded|scaled up|freed|cleaned|cleaned up|restarted|rebooted|rotated|replaced|patched)",
    "^(?:it )?works(?: now| again| fine)?(?: thanks| thank you| thx)?$",
    "root cause of",
    // thanks for the remedy: "thanks for fixing it!" (bvaughn/react-virtualized#919), "thanks for fixing." (Shippable/support#3043),
    // "Thanks for restarting." (cgeo/cgeo#8160)
    "(?:thanks|thank you|thx|ty) (?:a lot |so much |again )?for (?:fixing|restarting|rebooting|resolving|the fix|the quick fix)",
    // "X is up now", "works now", "working for me now!", "Should be fine now", "faster now": a healthy state, now or again
    // … "Our live chat support is available again." (a Jekyll status page)
    "(?:up|back|working|works|worked|fine|ok|okay|live|online|normal|normally|better|faster|good|reachable|accessible|available|operational|loading|loads)(?: for (?:me|us|you|everyone|everybody))?(?: as well| too)? (?:now|again)",
    "(?:it's|its|it is|is|are|site's|now it's|and it's) back(?! to )|^back$|^(?:yay |and )?(?:it's |its )?back(?: i think)?$",
    // "They work fine here?" (nrwl/nx#3066): "here" is the speaker's place, as "for me" is
    "(?:works|working|worked|fine|ok|okay|up|loads|loading) (?:fine |normally |again )?for me|(?:work|works|working|worked) (?:fine|normally|ok|okay) (?:here|over here|on my end)|(?:not|[a-z]+n't) (?:look |looks |seem |seems |appear |appears )?(?:down|broken|slow|dead) for me|(?:works|worked|working) (?:as usual|as expected|normally|fine)",
    "and it's done|it's done|this is live|is live now|went out today|(?:did|does|seems to|seem to) (?:solve|fix|resolve)|try (?:it |again )?now|should be working",
    // "Update - All sites should be online. Please reach out to us if this is not the case." (a cState page), "Should be OK
    // now." (scipy/scipy.org#103)
    "should (?:all )?(?:now )?be (?:online|up|back up|back online|fine|ok|okay|reachable|accessible)(?: now| again)?",
    // errors, alerts and crashes that stopped are over; a task or feed that stopped is not
    "(?:errors?|alerts?|alarms?|crash(?:es)?|crashing|restarts?|timeouts?|spikes?|flapping|noise|spam|pages|paging|warnings?|failures?|5xx|[45]\\d\\ds?) (?:have |has |had )?(?:stopped|ceased)",
    "stopped (?:failing|crashing|erroring|flapping|firing|alerting|spiking|paging|timing out|happening|restarting)",
    // round 6: trouble that went, said with a negation or a count: "I see no problems now." (OpenCPN/OpenCPN#2602), "I haven't
    // noticed any problems with it" (flix/flix#1974), "I cannot see any errors related to GitHub since the JIRA instance was restarted"
    // (fluid-project INFRA-112), "error rates back to zero" (conda/conda#5759); a service that came back on
    // its own: "Yes it started working the day after." (jondubin/Wayback-HN#13), not "started working on it"
    "(?:see|seeing|saw|have|having|had) no (?:more )?(?:problems?|issues?|errors?)(?: now| anymore| any more)?|(?:haven't|have not|hasn't|didn't|did not) (?:noticed|seen|had|experienced|encountered) any (?:problems?|issues?|errors?)|(?:cannot|can't|don't|do not) see any (?:more )?(?:problems?|issues?|errors?)",
    "(?:errors?|error rates?|failures?|5xx|timeouts?) (?:are |is |went |have gone |now )?back (?:down )?to (?:zero|0)",
    "started working(?! on| at| for| with| to| in| as| from)",
    // a past overload or outage said to be temporary: "The underlying database was temporarily overloaded due to a massive amount
    // of package uploads at the time." (conda/infrastructure#869); "It should work again." (neovim/neovim#6056)
    "(?:was|were|had been) (?:only )?(?:temporarily|briefly|momentarily) (?:[a-z]+ )?(?:down|offline|unavailable|unreachable|overloaded|broken|degraded|interrupted)",
    "should (?:now )?work (?:again|now)"
  ].join("|") +
  ")\\b";
const RECOVERY = new RegExp(RECOVERY_SOURCE, "g");
/**
 * Every RECOVERY alternative contains one of these words, so a message with none of them skips the pattern (most
 * messages). A word missing here can only make a recovery go unnoticed, never suppress an alert.
 */
const RECOVERY_KEYS = new Set(
  (
    "fixed resolved solved recovered recovering mitigated remediated rolled reverted restored redeployed renewed taken back again running " +
    "good green fine clear ok okay healthy looks look stable stabilised stabilized caught closed closing close gone away subsided cleared drained " +
    "false action nothing noise ignore mind nevermind nvm disregard just only me more anymore longer postmortem mortem writeup write retro rca " +
    "issue problem wrong sorry well smoothly increased raised bumped doubled tripled upgraded scaled freed cleaned restarted rebooted rotated " +
    "replaced patched repaired noticed started temporarily briefly momentarily solution maintenance repro reproduce happen occur should lasted result caused due had there temporary transient momentary brief blip glitch hiccup fixing restarting rebooting resolving works root now usual expected normally done live today solve fix resolve stopped ceased working work better min mins minute minutes hour hours sec secs second seconds moment moments"
  ).split(" ")
);

/**
 * Before a recovery phrase: negation ("not fixed", "isn't back"), the future or a condition ("will update once it's
 * resolved", "when will it be solved?"), work towards it ("we're working on getting things back to normal", Slack's status
 * tweet; "We shouuld have the server up and running in the next 2-3 hours", a cState page; "We are looking at fixing the problem
 * and bringing the system back up.", feedly's status blog, where the object stands between the verb and "back up"). At most two words between, so
 * the check reads a bounded tail; a circumstance that opens with a gerund may be longer ("When connecting via different
 * ISP, all works fine", a Jekyll status page; "if using …"). Right after "after", "since" or "because" the phrase is when or why
 * something happened, not a remedy: "everything jsut stopped working after i restarted" (matrix-org/matrix.org#1601); a question
 * whether it will be back is not a report that it is: "when will the site be back up?" (the question of k3min/infinigag#11).
 */
const RECOVERY_BLOCKED_BEFORE =
  /(?:^| )(?:not|no|never|nothing|none|nobody|without|cannot|[a-z]+n't|will|once|when|until|unless|if|hope|hopefully|yet to|wait for|waiting for|before|needs?|has to|have to|going to be|got to|working on|working to|working towards|work to|trying to|should have|expect to|bring|bringing)(?: [a-z0-9']+){0,2} $|(?:^| )(?:when|if|unless) [a-z]+ing(?: [a-z0-9']+){0,4} $|(?:^| )(?:after|since|because|cause|cuz) $|(?:^| )will(?: [a-z0-9']+){1,4} be $/;
/**
 * "Up", "back" and "closed" say nothing good about a metric, a fault or a connection: "error rate is up now", "the bug is
 * back", "connection closed", "Problem coming back" (jenkins-infra/helpdesk), "session closed for user root" (a sudo log line
 * in a Splunk alert). Such a recovery phrase counts only when none of the few words before it is one of these.
 */
const AMBIGUOUS_RECOVERY = /^(?:up|back|closed|closing$|(?:is|are|it's|everything is|everything's) now (?:up|back)|it's back|its back|it is back|is back|are back|stable|coming back)(?: (?!to |and running)|$)/;
const NOT_A_SUBJECT = new Set(
  "latency rate rates cpu memory mem load usage lag traffic cost costs queue backlog requests count temperature temp disk error errors 5xx 4xx p99 p95 p50 timeouts retries restarts pressure utilization utilisation spend bill bug bugs issue issues problem problems connection connections socket port stream circuit session sessions".split(
    " "
  )
);
const badSubject = (bare: string, at: number): boolean => {
  const before = bare.slice(Math.max(0, at - 40), at).split(" ");
  for (let k = Math.max(0, before.length - 4); k < before.length; k++) {
    const w = before[k]!;
    if (NOT_A_SUBJECT.has(w) || FAILURE_WORDS.has(w) || FAILURE_STEM.test(w)) return true;
  }
  return false;
};

/**
 * After a recovery phrase: "worked until 11pm last night" (nightscout/cgm-remote-monitor#968) is a report of trouble; "the
 * last log is back on the 28th of last month" (jquery/irc.jquery.org) is a date long gone, not a service back up.
 */
const RECOVERY_BLOCKED_AFTER = /^ (?:until|till|before|on the \d)/;

/** Thanks and praise: with a past-time marker, the message looks back on an event. Matched on `bare`. */
const GRATITUDE =
  /\b(?:thanks|thank you|thank u|thx|ty|tysm|cheers|appreciate|appreciated|kudos|great (?:job|work)|good (?:job|work)|well done|nice work|helpful)\b/;

const PAST_TIME =
  /\b(?:yesterday'?s?|last (?:night|week|month|time)|this morning|earlier|from earlier|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s)?|the other day|before)\b/;

/**
 * Signs that trouble is ongoing despite recovery words: "still", "again" after a failure
 * ("down again", not "running again"), "now" + broken, ongoing timing, a "but" clause ("but checkout is …"), unless that
 * clause is itself the recovery ("It may take some time to process the backlog, but the CI is up and running.",
 * chipsalliance/verible#2296).
 */
const ONGOING =
  /\b(?:still|keeps?|keep on|right now|currently|ongoing|started (?:at|around|about)|since (?:~|about |around )?\d|(?:down|failing|broken|erroring|crashing|oom|lagging|slow|502ing|500ing|503ing|timing out|flapping|back|happening|firing|alerting|spiking|showing up|popping up|cropping up) again|again (?:down|failing|broken|erroring)|(?:is|are|it's|that's|they're|we're) (?:down|failing|broken|erroring|crashing)|but (?:the |it |now )?(?:\w+ )?(?:(?:is|are|it's)(?! (?:up and running|back up|back online|working|fine|ok|okay|healthy|stable)\b)|keeps|still|isn't|aren't|doesn't|don't|not)\b)/;

const ONGOING_ALL = new RegExp(ONGOING.source, "g");
/** The words before a sign of trouble that make it a condition: "if you're", "if there's", "if the issue" right before it. */
const CONDITION_BEFORE = /(?:^| )(?:if|unless|in case|whether) (?:you're|you are|there's|there is|it's|it is|it|you|they|we|this|that|the [a-z]+)(?: (?:are|is|do|does))? $/;
/**
 * "still" or "keep" about the speaker's own work, not the trouble: "will still keep this open" (pivpn/pivpn#1046), "I will now
 * keep you up to date!" (metalmatze/alertmanager-bot's Telegram welcome).
 */
const OWN_WORK_AFTER = /^ (?:be )?(?:working on|keep|keeping|monitor|monitoring|leave|leaving|(?:this|it|the [a-z]+) open|an eye|you (?:up to date|posted|updated|informed))\b/;

const UNSET = Symbol("unset");
interface SignalCache {
  failure: string | undefined | typeof UNSET;
  lastFailureEnd: number | typeof UNSET;
  alarmEmoji: string | undefined | typeof UNSET;
  consoleLink: string | undefined | typeof UNSET;
}
const cache = new WeakMap<ClassifierInput, SignalCache>();
const cached = (input: ClassifierInput): SignalCache => {
  let c = cache.get(input);
  if (c === undefined) {
    c = { failure: UNSET, lastFailureEnd: UNSET, alarmEmoji: UNSET, consoleLink: UNSET };
    cache.set(input, c);
  }
  return c;
};

/** The first word or phrase describing something broken (computed once per input). */
export const failureSignal = (input: ClassifierInput): string | undefined => {
  const c = cached(input);
  if (c.failure === UNSET) c.failure = firstFailure(input.words, input.bare);
  return c.failure;
};

const failureEnd = (input: ClassifierInput): number => {
  const c = cached(input);
  if (c.lastFailureEnd === UNSET) c.lastFailureEnd = failureSignal(input) === undefined ? -1 : lastFailureEnd(input.words, input.bare);
  return c.lastFailureEnd;
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

/**
 * The first recovery phrase that is not negated, future or conditional, and that no failure word follows
 * ("fixed the config, now checkout returns 502" is not a recovery; "all good now, latency is back to normal" is).
 * `undefined` when there is none.
 */
export const matchRecovery = (input: ClassifierInput): string | undefined => {
  if (!input.words.some((w) => RECOVERY_KEYS.has(w))) return undefined;
  const bare = input.bare;
  RECOVERY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RECOVERY.exec(bare)) !== null) {
    if (m[0].length === 0) {
      RECOVERY.lastIndex++;
      continue;
    }
    const end = m.index + m[0].length;
    if (RECOVERY_BLOCKED_BEFORE.test(bare.slice(Math.max(0, m.index - 40), m.index))) continue;
    if (RECOVERY_BLOCKED_AFTER.test(bare.slice(end, end + 12))) continue;
    if (AMBIGUOUS_RECOVERY.test(m[0]) && badSubject(bare, m.index)) continue;
    // Only a failure after this phrase can undo it, and only a later recovery can redeem that.
    if (failureEnd(input) <= end) return m[0];
  }
  return undefined;
};
export const matchRetrospective = (bare: string): boolean => GRATITUDE.test(bare) && PAST_TIME.test(bare);
/**
 * A sign of ongoing trouble that counts: not inside a condition ("let us know if you're still seeing problems",
 * Shippable/support#3159; "Re-open … if there's still an issue", nodejs/nodejs.org#336; "let us know if the issue still
 * persist", microsoft/cordova-plugin-code-push#323), and not "still" about the speaker's own follow-up work ("will still keep this
 * open while i do some final adjustments", pivpn/pivpn#1046; "still working on restoring the logs",
 * clojureverse/clojurians-log-app#51).
 */
export const matchOngoing = (bare: string): RegExpExecArray | null => {
  ONGOING_ALL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ONGOING_ALL.exec(bare)) !== null) {
    if (m[0].length === 0) {
      ONGOING_ALL.lastIndex++;
      continue;
    }
    if (CONDITION_BEFORE.test(bare.slice(Math.max(0, m.index - 48), m.index))) continue;
    if ((m[0] === "still" || m[0] === "keep") && OWN_WORK_AFTER.test(bare.slice(m.index + m[0].length, m.index + m[0].length + 30))) continue;
    return m;
  }
  return null;
};
