import type { ObjectKind } from "./scopeFromAlert.js";

/**
 * Free text, read for loose references to Kubernetes objects: the words in order (lowercase, a
 * hyphenated name split into its parts), the whole tokens, the kinds the text talks about and
 * where their words stand.
 */
export interface Prose {
  readonly words: ReadonlyArray<string>;
  /** Where each word stands, so a name is looked up without scanning the whole text. */
  readonly positions: ReadonlyMap<string, ReadonlyArray<number>>;
  /** Whole tokens as written (`webgrid-api`, `jitsu-kafka-controller-0`), lowercase. */
  readonly tokens: ReadonlySet<string>;
  /** The kind each kind word at a position names (`pod` at 7 → Pod). */
  readonly kindAt: ReadonlyMap<number, ObjectKind>;
  /** Positions inside quotes or backticks: "`bookstore` pod". */
  readonly quoted: ReadonlySet<number>;
  readonly kinds: ReadonlySet<ObjectKind>;
  /** Two or three neighbouring words written together ("Event Streams" → `eventstreams`), with where they start. */
  readonly joined: ReadonlyMap<string, { readonly at: number; readonly words: number }>;
}

const KIND_WORDS: ReadonlyMap<string, ObjectKind> = new Map<string, ObjectKind>([
  ...["pod", "pods", "po"].map((w): [string, ObjectKind] => [w, "Pod"]),
  ...["deployment", "deployments", "deploy"].map((w): [string, ObjectKind] => [w, "Deployment"]),
  ...["statefulset", "statefulsets", "sts"].map((w): [string, ObjectKind] => [w, "StatefulSet"]),
  ...["daemonset", "daemonsets"].map((w): [string, ObjectKind] => [w, "DaemonSet"]),
  ...["job", "jobs"].map((w): [string, ObjectKind] => [w, "Job"]),
  ...["cronjob", "cronjobs"].map((w): [string, ObjectKind] => [w, "CronJob"]),
  ...["container", "containers", "initcontainer", "initcontainers"].map((w): [string, ObjectKind] => [w, "Container"]),
  ...["node", "nodes"].map((w): [string, ObjectKind] => [w, "Node"]),
  ...["service", "services", "svc", "endpoints", "endpoint"].map((w): [string, ObjectKind] => [w, "Service"]),
  ...["pvc", "pvcs", "persistentvolumeclaim", "persistentvolumeclaims"].map((w): [string, ObjectKind] => [w, "PersistentVolumeClaim"])
]);

/**
 * Parts that many objects share (`api`, `web`, `server`, `v1`) count half: "api" alone must not
 * pick `example-webgrid-api` out of a cluster. Kind words in a name (`…-cronjob`, `…-svc`) count
 * nothing: they say what the object is, not which one.
 */
const GENERIC = new Set(
  (
    "api app apps web www ui server service svc db database data default test tests main worker workers master controller " +
    "manager proxy agent operator system kube k8s cluster node pod job jobs cron cronjob deploy deployment sts statefulset " +
    "daemonset ds v1 v2 v3 prod production staging stage dev qa svc-test release chart helm primary secondary backend " +
    "frontend client core base common internal external public private local http https grpc tcp udp lb ingress gateway"
  ).split(" ")
);

/**
 * Words too common in alerts and questions to single out an object, even when one is called
 * that: an object must be named by something more specific than "error" or "images".
 */
const COMMON = new Set(
  (
    "the a an and or not no of to in on at for from by with as is are was were be been it its this that these those all any " +
    "some each every our my your their we you they i he she there here when while after before since until during then than " +
    "error errors failed failing fail failure warning critical info debug fatal panic exit exited code status state ready " +
    "running pending stuck crash crashing crashloop crashloopbackoff restart restarts restarting restarted back off backoff " +
    "image images pull pulling pulled imagepullbackoff errimagepull evicted eviction oom oomkilled killed memory cpu disk " +
    "storage volume volumes mount timeout timed connection refused reset denied permission not found missing unknown " +
    "working works work stopped start started starting startup install installing installed upgrade update updates rolling " +
    "new old latest version issue bug question help please thanks using use used get got getting seeing see seems can cannot " +
    "does do did will would should could may might must also just only still again always never very more most less " +
    "throttling throttled traffic access network dns port ports host hosts address ip ips request requests response limit " +
    "limits quota expected behavior behaviour current example following output log logs message messages reason event events " +
    "time times day days hour hours minute minutes second seconds true false null none yes ok"
  ).split(" ")
);

const URL = /\b[a-z][a-z0-9+.-]{1,15}:\/\/\S+/gi;
/** Host names inside a message (`db.payments.svc.cluster.local`, `registry-1.docker.io`): dependencies, not the subject. */
const HOST = /(?<![a-z0-9.-])[a-z0-9-]+(?:\.[a-z0-9-]+){2,}(?::\d+)?(?![a-z0-9-])/gi;
const TOKEN = /[A-Za-z0-9][A-Za-z0-9_.-]*/g;
const QUOTES = new Set(["`", '"', "'", "“", "”", "‘", "’"]);

/** Reads text for `matchName`; linear in the input, which callers bound. */
export const readProse = (text: string): Prose => {
  const cleaned = text.replace(URL, " ").replace(HOST, (h) => (/^\d+(?:\.\d+){3}/.test(h) ? h : " "));
  const words: Array<string> = [];
  const tokens = new Set<string>();
  const kindAt = new Map<number, ObjectKind>();
  const quoted = new Set<number>();
  const kinds = new Set<ObjectKind>();
  for (const m of cleaned.matchAll(TOKEN)) {
    const token = m[0].toLowerCase().replace(/[._-]+$/, "");
    if (token === "") continue;
    tokens.add(token);
    const at = m.index ?? 0;
    const isQuoted = QUOTES.has(cleaned.charAt(at - 1)) || QUOTES.has(cleaned.charAt(at + m[0].length));
    const parts = token.split(/[._-]+/).filter((p) => p !== "");
    // "job-pod" talks about kinds; in "svc-012" the kind word is part of a name.
    const talksKinds = parts.every((p) => KIND_WORDS.has(p));
    for (const part of parts) {
      const kind = talksKinds ? KIND_WORDS.get(part) : undefined;
      if (kind !== undefined) {
        kindAt.set(words.length, kind);
        kinds.add(kind);
      }
      if (isQuoted) quoted.add(words.length);
      words.push(part);
    }
  }
  const joined = new Map<string, { at: number; words: number }>();
  for (let i = 0; i + 1 < words.length; i++) {
    const two = `${words[i] ?? ""}${words[i + 1] ?? ""}`;
    if (!joined.has(two)) joined.set(two, { at: i, words: 2 });
    const three = `${two}${words[i + 2] ?? ""}`;
    if (i + 2 < words.length && !joined.has(three)) joined.set(three, { at: i, words: 3 });
  }
  const positions = new Map<string, Array<number>>();
  words.forEach((w, i) => {
    const list = positions.get(w);
    if (list === undefined) positions.set(w, [i]);
    else if (list.length < 64) list.push(i);
  });
  return { words, positions, tokens, kindAt, quoted, kinds, joined };
};

/** How well a name is mentioned: `coverage` of its specific parts, and what makes the reference firm. */
export interface NameMatch {
  /** Share of the name's weight the text spells out, 0..1. */
  readonly coverage: number;
  /** The name is written whole, as one token. */
  readonly exact: boolean;
  /** A kind word stands right before or after it ("the sleeper container", "`bookstore` pod"). */
  readonly kind?: ObjectKind;
  readonly quoted: boolean;
  /** The words of the text that matched. */
  readonly matched: string;
  /** Where in the text (word index): the object an alert names first is usually the one it is about. */
  readonly at: number;
}

/** A generated suffix (`7d9f8b6c5`, `x2x9z`, `28374650`): says nothing about which object is meant. */
const isGenerated = (part: string): boolean => /^\d+$/.test(part) || (part.length >= 5 && /\d/.test(part) && /^[bcdfghjklmnpqrstvwxz2456789]+$/.test(part));

const weightOf = (part: string): number => (KIND_WORDS.has(part) || isGenerated(part) ? 0 : GENERIC.has(part) ? part.length / 2 : part.length);

const isSpecific = (part: string): boolean => weightOf(part) === part.length && part.length >= 3 && !COMMON.has(part);

/**
 * A word with a number run on (`redis3`, `mysql8`, `postgres15`): people say "Redis" for the object
 * `redis3`. The stem stands for the part when it is itself specific (four letters or more, not common).
 */
const stemOf = (part: string): string | undefined => {
  const stem = /^([a-z]{4,})\d{1,3}$/.exec(part)?.[1];
  return stem !== undefined && isSpecific(stem) ? stem : undefined;
};

/** The text's word equals the name's part, or the part's stem. */
const sameWord = (word: string | undefined, part: string | undefined): boolean => word !== undefined && part !== undefined && (word === part || word === stemOf(part));

/**
 * Whether and how `prose` mentions an object called `name`: the whole name as a token, or the
 * longest run of its parts written in order ("Allocation Manager" for `allocation-manager`,
 * `webgrid-api` for `example-webgrid-api`, "zookeeper" for `eventstreams-zookeeper`). A run counts
 * only when it holds a specific part: never a shared word like `api` or a common one like `error`.
 */
export const matchName = (prose: Prose, name: string): NameMatch | undefined => {
  const lower = name.toLowerCase();
  const parts = lower.split(/[._-]+/).filter((p) => p !== "");
  const total = parts.reduce((s, p) => s + weightOf(p), 0);
  if (parts.length === 0) return undefined;
  // Written whole, a name made of shared parts (`svc-012`, `api-v2`) still names that one object.
  if (parts.length > 1 && prose.tokens.has(lower)) {
    const at = indexOfToken(prose, parts);
    const kind = prose.kindAt.get(at + parts.length) ?? prose.kindAt.get(at - 1);
    return { coverage: 1, exact: true, ...(kind !== undefined ? { kind } : {}), quoted: prose.quoted.has(at), matched: parts.join(" "), at };
  }
  if (total === 0 || !parts.some(isSpecific)) return undefined;
  let best: { start: number; length: number; weight: number; at: number; words?: number } | undefined;
  for (let start = 0; start < parts.length; start++) {
    const part = parts[start] ?? "";
    const stem = stemOf(part);
    for (const at of [...(prose.positions.get(part) ?? []), ...(stem !== undefined ? (prose.positions.get(stem) ?? []) : [])]) {
      let length = 0;
      while (start + length < parts.length && at + length < prose.words.length && sameWord(prose.words[at + length], parts[start + length])) length++;
      if (length === 0) continue;
      const run = parts.slice(start, start + length);
      if (!run.some(isSpecific)) continue;
      // A stem counts for what was written: "redis" (5) of `redis3` (6).
      const weight = run.reduce((s, p, i) => s + (prose.words[at + i] === p ? weightOf(p) : weightOf(stemOf(p) ?? p)), 0);
      if (best === undefined || weight > best.weight) best = { start, length, weight, at };
    }
  }
  // Separators the writer left out or added: "Event Streams" for `eventstreams-zookeeper`.
  for (const part of parts) {
    const written = isSpecific(part) && part.length >= 6 ? prose.joined.get(part) : undefined;
    if (written !== undefined && (best === undefined || weightOf(part) > best.weight)) best = { start: parts.indexOf(part), length: 1, weight: weightOf(part), at: written.at, words: written.words };
  }
  if (best === undefined) return undefined;
  // Specific parts written apart ("IBM Event Streams … the zookeeper pods") add up.
  const scattered = [...new Set(parts)].filter((p) => isSpecific(p) && (prose.positions.has(p) || prose.joined.has(p))).reduce((s, p) => s + weightOf(p), 0);
  const exact = prose.tokens.has(lower);
  const span = best.words ?? best.length;
  const before = prose.kindAt.get(best.at - 1);
  const after = prose.kindAt.get(best.at + span);
  const kind = after ?? before;
  let quoted = false;
  for (let i = best.at; i < best.at + span; i++) if (prose.quoted.has(i)) quoted = true;
  return {
    coverage: exact ? 1 : Math.min(1, Math.max(best.weight, scattered) / total),
    exact,
    ...(kind !== undefined ? { kind } : {}),
    quoted,
    matched: prose.words.slice(best.at, best.at + span).join(" "),
    at: best.at
  };
};

/** Where the words of a whole token start. */
const indexOfToken = (prose: Prose, parts: ReadonlyArray<string>): number => {
  for (const at of prose.positions.get(parts[0] ?? "") ?? []) if (parts.every((p, i) => prose.words[at + i] === p)) return at;
  return 0;
};

/** A label value written whole in the text (`ci-benchmark-scheduler-master`): specific enough only when hyphenated and long. */
export const mentionsValue = (prose: Prose, value: string): boolean => {
  const lower = value.toLowerCase();
  return lower.length >= 6 && /[-.]/.test(lower) && prose.tokens.has(lower) && lower.split(/[._-]+/).some(isSpecific);
};
